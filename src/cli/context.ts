import type { OptionSpec, ParsedArgs } from './args';
import type { CliIO } from './command';
import { writeLine } from './command';
import type { ConfigKey, OrchConfig } from '../core/config/types';
import { describeMissingHost, loadConfig } from '../core/config/resolve';
import type { Engine } from '../core/engine/api';
import type { ShellTarget } from '../host/target';
import { createEngine } from '../core/engine/engine';
import { withoutAutostop } from '../core/engine/autostop';
import { packCodecs } from '../host/unpack';
import type { SshTarget } from '../core/ssh/sshTarget';
import type { ResolvedHost } from '../core/ssh/sshConfig';
import { UserError, usageError } from '../core/errors';
import type { RoutingPolicy } from '../core/policy';
import type { Where } from '../core/jobs/where';
import { askHidden } from './prompt';

/*
 * The SSH stack (ssh2) and the routing policy (yaml) are loaded on first use: a bundle evaluates
 * every module it imports at start-up, and `orch status --local` needs neither, `orch status`
 * no policy (nor the local target's child_process, through the helper). `require` is what esbuild
 * keeps lazy.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const sshModule = () => require('../core/ssh/sshTarget') as typeof import('../core/ssh/sshTarget');
const policyModule = () => require('../core/policy') as typeof import('../core/policy');
const locateModule = () => require('../core/ec2/locate') as typeof import('../core/ec2/locate');
const reuseModule = () => require('../core/ssh/helper/reusingTarget') as typeof import('../core/ssh/helper/reusingTarget');
const localModule = () => require('../host/localTarget') as typeof import('../host/localTarget');
const spawnModule = () => require('./helperSpawn') as typeof import('./helperSpawn');
const helperPaths = () => require('../core/ssh/helper/socketDir') as typeof import('../core/ssh/helper/socketDir');
/* eslint-enable @typescript-eslint/no-require-imports */

/** Options every command accepts to override the configuration for one call. */
export const CONFIG_OPTIONS: Record<string, OptionSpec> = {
  host: { kind: 'string' },
  user: { kind: 'string' },
  port: { kind: 'string' },
  'identity-file': { kind: 'string' },
  'known-hosts': { kind: 'string' },
  'strict-host-key-checking': { kind: 'string' },
  'log-root': { kind: 'string' },
  project: { kind: 'string' },
  workdir: { kind: 'string' },
  'remote-workdir': { kind: 'string' },
  'log-retention-days': { kind: 'string' },
  'max-parallel': { kind: 'string' },
  wake: { kind: 'boolean' },
};

const FLAG_KEYS: Record<string, ConfigKey> = {
  host: 'ORCH_HOST',
  user: 'ORCH_USER',
  port: 'ORCH_PORT',
  'identity-file': 'ORCH_IDENTITY_FILE',
  'known-hosts': 'ORCH_KNOWN_HOSTS',
  'strict-host-key-checking': 'ORCH_STRICT_HOST_KEY_CHECKING',
  'log-root': 'ORCH_LOG_ROOT',
  project: 'ORCH_PROJECT',
  workdir: 'ORCH_REMOTE_WORKDIR',
  'remote-workdir': 'ORCH_REMOTE_WORKDIR',
  'log-retention-days': 'ORCH_LOG_RETENTION_DAYS',
  'max-parallel': 'ORCH_MAX_PARALLEL',
};

/** Which target options a command takes: `run` has all three, read commands only `--local`/`--cloud`. */
export const TARGET_OPTIONS: Record<string, OptionSpec> = {
  local: { kind: 'boolean' },
  cloud: { kind: 'boolean' },
};

export const CONFIG_HELP = [
  'Configuration options (override the environment and scripts/cloud/.env):',
  '  --host H (a host of scripts/cloud/hosts.yaml, or any SSH host) --user U --port P',
  '  --identity-file F --known-hosts F',
  '  --strict-host-key-checking yes|accept-new --log-root DIR --log-retention-days N',
  '  --project NAME --workdir DIR (or --remote-workdir DIR) --max-parallel N',
  '  --wake   an EC2 box (ORCH_EC2_INSTANCE_ID) that is stopped is started first (ORCH_EC2_WAKE=auto)',
].join('\n');

/** The ConfigKey values given as flags. */
export function configFlags(options: ParsedArgs['options']): Partial<Record<ConfigKey, string>> {
  const flags: Partial<Record<ConfigKey, string>> = {};
  for (const [opt, key] of Object.entries(FLAG_KEYS)) {
    const v = options[opt];
    if (typeof v === 'string') flags[key] = v;
  }
  if (options.wake === true) flags.ORCH_EC2_WAKE = 'auto';
  return flags;
}

/** `withoutHost`: --host picks a hosts.yaml entry (or placement), so it is not ORCH_HOST. */
export function loadCliConfig(io: CliIO, options: ParsedArgs['options'], opts: { withoutHost?: boolean } = {}): Promise<OrchConfig> {
  const flags = configFlags(options);
  if (opts.withoutHost) delete flags.ORCH_HOST;
  return loadConfig({ cwd: io.cwd, env: io.env, flags });
}

export interface TargetChoice {
  where: Where;
  /** One line for stderr when the choice was not what the user asked for explicitly. */
  note?: string;
  /** Policy reasons, when `--auto` decided. */
  route?: string;
}

/**
 * Where a command runs. `run`: `--local`, `--cloud` (a host is then required, exit 2 naming the
 * file and key), `--auto` (the routing policy on the command line), default cloud; without a
 * configured host and without an explicit `--cloud` the local tmux target is used, with a note.
 * Other commands: `--local` forces local, else the configured host if any, else local.
 */
export function chooseTarget(
  config: OrchConfig,
  options: ParsedArgs['options'],
  opts: { command?: string; quiet?: boolean; policy?: RoutingPolicy } = {},
): TargetChoice {
  const asked = (['local', 'cloud', 'auto'] as const).filter((k) => options[k] === true);
  if (asked.length > 1) throw usageError(`Choose one of --local, --cloud and --auto, not ${asked.map((k) => '--' + k).join(' and ')}.`);
  const explicit = asked[0];
  if (explicit === 'local') return { where: 'local' };
  if (explicit === 'cloud') {
    if (!config.host) throw usageError(describeMissingHost(config));
    return { where: 'cloud' };
  }
  let route: string | undefined;
  if (explicit === 'auto') {
    const decision = policyModule().decide({ command: opts.command ?? '' }, opts.policy);
    route = `${decision.target}: ${decision.reasons.join('; ')}`;
    if (decision.target === 'local') return { where: 'local', route, note: `orch: --auto chose local (${decision.reasons.join('; ')}).` };
  }
  if (config.host) return { where: 'cloud', route };
  return {
    where: 'local',
    route,
    note: opts.quiet ? undefined : `orch: no cloud host configured (ORCH_HOST in ${config.envFile ?? 'scripts/cloud/.env'}); using the local tmux target.`,
  };
}

/** The routing policy for `--auto` (the workspace's routing file, else the defaults). */
export async function policyFor(io: CliIO, options: ParsedArgs['options']): Promise<RoutingPolicy | undefined> {
  if (options.auto !== true) return undefined;
  return (await policyModule().resolveRoutingPolicy({ cwd: io.cwd, env: io.env })).policy;
}

export interface CliContext {
  /** This host's configuration (a hosts.yaml entry's own values over the ORCH_* ones). */
  config: OrchConfig;
  where: Where;
  target: ShellTarget;
  /** A direct SSH target to the same host, made on first use (attach needs its own connection). */
  readonly ssh: SshTarget | undefined;
  engine: Engine;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Where an EC2 box is, when the caller has asked AWS already (`orch doctor`); default: ask on connecting. */
  locate?: (r: ResolvedHost) => Promise<ResolvedHost>;
}

/**
 * Opens the chosen target and its engine (an SSH target connects on its first command). `name`
 * is the host's name in listings when it is not its SSH host (a hosts.yaml entry). On a cloud
 * host the scripts go through the host's connection helper (§11) unless ORCH_CONNECTION_PERSIST
 * is 0 or this orch cannot start one (`io.self` unset).
 */
export function openContext(io: CliIO, config: OrchConfig, choice: TargetChoice, name?: string, opts: OpenOptions = {}): CliContext {
  if (choice.note) writeLine(io.stderr, choice.note);
  let direct: SshTarget | undefined;
  const locate = opts.locate ?? boxLocate(io, config, name);
  const directSsh = (): SshTarget => (direct ??= sshModule().createSshTarget(config, { askPassphrase: passphraseAsker(io), name, connection: { locate } }));
  const target: ShellTarget = choice.where === 'cloud' ? remoteTarget(io, config, directSsh, name) : localModule().createLocalTarget({ env: io.env });
  // The local target is this machine: never powered off by autostop.
  const engine = createEngine(choice.where === 'cloud' ? config : withoutAutostop(config), target, { pack: packCodecs(io.env, choice.where === 'cloud') });
  return {
    config,
    where: choice.where,
    target,
    get ssh() {
      return choice.where === 'cloud' ? directSsh() : undefined;
    },
    engine,
    close: async () => {
      await engine.close();
      await target.close();
      await direct?.close();
    },
  };
}

function remoteTarget(io: CliIO, config: OrchConfig, directSsh: () => SshTarget, name: string | undefined): ShellTarget {
  const { persistSeconds, socketDirFor } = helperPaths();
  const persist = persistSeconds(io.env);
  // An EC2 box is located (and woken, with progress on this terminal) by the command itself.
  if (persist === 0 || !io.self || config.ec2) return directSsh();
  return reuseModule().createReusingTarget(config, {
    dir: socketDirFor(io.env),
    persistSeconds: persist,
    spawnHelper: spawnModule().helperSpawner(io.self, io.env),
    direct: directSsh,
    name,
    askPassphrase: passphraseAsker(io),
    log: io.env.ORCH_DEBUG === '1' ? (line) => writeLine(io.stderr, `orch: ${line}`) : undefined,
  });
}

/** Loads the configuration, chooses the target, opens it, runs `body` and always closes. */
export async function withContext<T>(
  io: CliIO,
  options: ParsedArgs['options'],
  body: (ctx: CliContext) => Promise<T>,
  opts: { command?: string; config?: OrchConfig; quiet?: boolean } = {},
): Promise<T> {
  const config = opts.config ?? (await loadCliConfig(io, options));
  const ctx = openContext(io, config, chooseTarget(config, options, opts));
  try {
    return await body(ctx);
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

/** An EC2 box is found (and woken when allowed) before the first connection; other hosts as they are. */
function boxLocate(io: CliIO, config: OrchConfig, name: string | undefined): ((r: ResolvedHost) => Promise<ResolvedHost>) | undefined {
  const spec = config.ec2;
  if (!spec) return undefined;
  return locateModule().boxLocator(spec, {
    wake: spec.wake === 'auto',
    hostName: name ?? config.host ?? spec.instanceId,
    // `name` is set for a hosts.yaml entry
    inHostsFile: name !== undefined,
    env: io.env,
    signal: io.signal,
    progress: (line) => writeLine(io.stderr, `orch: ${line}`),
  });
}

/** A key passphrase is asked on the terminal, hidden; without a terminal it is a clear error. */
function passphraseAsker(io: CliIO): (keyFile: string) => Promise<string> {
  return async (keyFile: string) => {
    const stdin = io.stdin as NodeJS.ReadStream;
    if (!stdin.isTTY) {
      throw new UserError(`The key ${keyFile} needs a passphrase and there is no terminal to ask it on: add the key to ssh-agent (ssh-add ${keyFile}) or run orch from a terminal.`);
    }
    const typed = await askHidden(stdin, io.stderr, `Passphrase for ${keyFile}: `);
    if (typed === undefined) throw new UserError(`No passphrase given for ${keyFile}.`);
    return typed;
  };
}
