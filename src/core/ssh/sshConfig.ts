/**
 * Where and as whom to connect: OpenSSH's own resolution (`ssh -G <host>`) where its client is
 * installed, so aliases, Match blocks and Includes behave exactly as with `ssh`; a subset parser
 * of `~/.ssh/config` otherwise. ORCH_USER, ORCH_PORT and ORCH_IDENTITY_FILE override both.
 * StrictHostKeyChecking from ssh config is ignored: our own policy (PRODUCT.md §2) applies.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { homedir, hostname as localHostname, userInfo } from 'node:os';
import type { OrchConfig } from '../config/types';
import { UserError, usageError } from '../errors';
import { expandTokens, parseSshConfig, parseSshG } from './sshConfigParser';
import { pathExists as fileExists } from '../fsProbe';

export interface ResolvedHost {
  /** The host as configured (alias or address). */
  alias: string;
  /** The address to connect to (HostName, or the alias itself). */
  hostname: string;
  port: number;
  user: string;
  /** Private keys to try after the agent, in order. */
  identityFiles: string[];
  /** ORCH_IDENTITY_FILE named the key (then it is the only file tried). */
  identityExplicit: boolean;
  /** ProxyJump value (`[user@]host[:port]`, comma-separated hops), if any. */
  proxyJump: string | undefined;
  /** ssh-agent socket or Windows pipe, if an agent should be tried. */
  agent: string | undefined;
  /** UserKnownHostsFile entries of the ssh config (read, never written). */
  sshKnownHostsFiles: string[];
  /** OpenSSH's client when installed (it answered `ssh -G`). */
  sshClient: string | undefined;
  /**
   * The name the host key is known under instead of `hostname`/`[hostname]:port` (OpenSSH's
   * HostKeyAlias): an EC2 box's instance id, whose address changes at every start.
   */
  hostKeyAlias?: string;
}

export type HostSettings = Pick<OrchConfig, 'host' | 'user' | 'port' | 'identityFile'>;

export interface ResolveDeps {
  env?: NodeJS.ProcessEnv;
  home?: string;
  platform?: NodeJS.Platform;
  /** Runs `ssh` with these args; resolves stdout, or undefined when ssh is not installed. */
  runSsh?: (args: string[]) => Promise<string | undefined>;
  /** Reads a file; undefined when missing. */
  readText?: (path: string) => Promise<string | undefined>;
  exists?: (path: string) => Promise<boolean>;
}

const WINDOWS_AGENT_PIPE = '\\\\.\\pipe\\openssh-ssh-agent';

export async function resolveHost(settings: HostSettings, deps: ResolveDeps = {}): Promise<ResolvedHost> {
  const host = settings.host;
  if (!host) throw new UserError('No host is configured: set ORCH_HOST in scripts/cloud/.env (or the environment).');
  if (!/^[^\s-]\S*$/.test(host) || [...host].some((c) => c.charCodeAt(0) < 0x20)) throw usageError(`The host "${host}" is not a valid host name, address or ssh alias.`);
  const env = deps.env ?? process.env;
  const home = deps.home ?? homedir();
  const platform = deps.platform ?? process.platform;
  const runSsh = deps.runSsh ?? runSshClient;
  const readText = deps.readText ?? readTextFile;
  const exists = deps.exists ?? fileExists;
  const localUser = safeLocalUser(env);

  const args = ['-G'];
  if (settings.port !== undefined) args.push('-p', String(settings.port));
  if (settings.user !== undefined) args.push('-l', settings.user);
  args.push('--', host);
  const g = await runSsh(args);

  let hostname: string, portText: string | undefined, user: string | undefined;
  let identities: string[], proxyJump: string | undefined, agentSetting: string | undefined, khf: string | undefined;
  if (g !== undefined) {
    const m = parseSshG(g);
    const one = (k: string): string | undefined => m.get(k)?.[0];
    hostname = one('hostname') ?? host;
    portText = one('port');
    user = one('user');
    identities = m.get('identityfile') ?? [];
    proxyJump = one('proxyjump');
    agentSetting = one('identityagent');
    khf = one('userknownhostsfile');
  } else {
    const v = parseSshConfig((await readText(joinHome(home, '.ssh/config'))) ?? '', host);
    hostname = v.hostname ? v.hostname.replace(/%h/g, host) : host;
    portText = v.port;
    user = v.user;
    identities = v.identityfile.length > 0 ? v.identityfile : DEFAULT_IDENTITIES;
    proxyJump = v.proxyjump;
    agentSetting = v.identityagent;
    khf = v.userknownhostsfile;
  }

  const port = settings.port ?? parsePort(portText) ?? 22;
  const finalUser = settings.user ?? user ?? localUser;
  const tokens = { home, host, hostname, port, user: finalUser, localUser, localHost: safeLocalHostname() };
  let identityFiles: string[];
  if (settings.identityFile) {
    identityFiles = [expandTokens(settings.identityFile, tokens)];
  } else {
    identityFiles = [];
    for (const f of identities.map((i) => expandTokens(i, tokens))) {
      if (!identityFiles.includes(f) && (await exists(f))) identityFiles.push(f);
    }
  }
  return {
    alias: host,
    hostname,
    port,
    user: finalUser,
    identityFiles,
    identityExplicit: Boolean(settings.identityFile),
    proxyJump: proxyJump && proxyJump.toLowerCase() !== 'none' ? proxyJump : undefined,
    agent: await pickAgent(agentSetting, env, platform, tokens, exists),
    sshKnownHostsFiles: (khf ?? '')
      .split(/\s+/)
      .filter((f) => f && f.toLowerCase() !== 'none')
      .map((f) => expandTokens(f, tokens)),
    sshClient: g !== undefined ? 'ssh' : undefined,
  };
}

const DEFAULT_IDENTITIES = ['~/.ssh/id_rsa', '~/.ssh/id_ecdsa', '~/.ssh/id_ed25519'];

async function pickAgent(
  setting: string | undefined,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  tokens: Parameters<typeof expandTokens>[1],
  exists: (p: string) => Promise<boolean>,
): Promise<string | undefined> {
  let path: string | undefined;
  if (setting === undefined || setting === 'SSH_AUTH_SOCK') path = env.SSH_AUTH_SOCK;
  else if (setting.toLowerCase() === 'none') return undefined;
  else if (setting.startsWith('$')) path = env[setting.slice(1)];
  else path = expandTokens(setting, tokens);
  if (!path && platform === 'win32' && setting === undefined) return WINDOWS_AGENT_PIPE;
  if (!path) return undefined;
  // A Windows pipe cannot be checked with stat; a Unix socket that is gone is skipped quietly.
  if (platform === 'win32' || (await exists(path))) return path;
  return undefined;
}

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 && n < 65536 ? n : undefined;
}

function joinHome(home: string, rel: string): string {
  return `${home.replace(/[\\/]+$/, '')}/${rel}`;
}

function safeLocalUser(env: NodeJS.ProcessEnv): string {
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.USERNAME ?? 'root';
  }
}

function safeLocalHostname(): string {
  try {
    return localHostname();
  } catch {
    return 'localhost';
  }
}

/** `ssh -G` through execFile (no shell) with a timeout; undefined when ssh is not installed. */
function runSshClient(args: string[]): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile('ssh', args, { timeout: 5000, windowsHide: true, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const code = (err as NodeJS.ErrnoException).code;
      const detail = String(stderr).trim().split('\n')[0] || err.message;
      // Not installed, or too old for -G (before OpenSSH 6.8): read ~/.ssh/config ourselves.
      if (code === 'ENOENT' || /(illegal|unknown) option.*G/i.test(detail)) return resolve(undefined);
      reject(new UserError(`OpenSSH could not resolve the host from your ssh config (ssh ${args.join(' ')}): ${detail}`));
    });
  });
}

async function readTextFile(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

