/**
 * A real OpenSSH server for integration tests: `sshd -D -e` as a child of the test process on
 * 127.0.0.1 at a free port, with a fresh ed25519 host key and client key per instance, logging in
 * as the local user `orchtest`. Several instances (several mocha files, several processes) run
 * side by side: each has its own port, keys, config and authorized_keys file.
 *
 * Needs root (it creates the user and runs sshd as root). A missing sshd, ssh-keygen or tmux is
 * an error, never a skip.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { appendFile, chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrchConfig } from '../../../src/core/config/types';
import { freePort, killTree, run, runCollect, signalTree, waitForBanner, type RunResult } from './processes';
import { TEST_USER, checkPrerequisites, ensureTestUser, type Account } from './testUser';

export { TEST_USER } from './testUser';
export type { RunResult } from './processes';

export interface StartSshdOptions {
  /** Extra sshd_config lines (e.g. `MaxSessions 2`). */
  extraConfig?: string[];
  /** Give up when sshd does not accept connections within this time. Default 10 s. */
  startTimeoutMs?: number;
  /** The loopback address to listen on. Default 127.0.0.1. */
  listenAddress?: string;
}

export interface TestSshd {
  /** The address sshd listens on (changes with `moveTo`). */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** Client private key (unencrypted, ed25519), authorized for `user`. */
  readonly identityFile: string;
  /** A known_hosts file holding this server's `[127.0.0.1]:PORT` line. */
  readonly knownHostsFile: string;
  /** `SHA256:...` of the current host key. */
  readonly hostKeyFingerprint: string;
  /** Public host key line (`ssh-ed25519 AAAA...`). */
  readonly hostPublicKey: string;
  /** The test user's home directory. */
  readonly home: string;
  /** A private scratch directory for this instance (root-owned, removed on stop). */
  readonly dir: string;
  /** Stops sshd (and every session it holds) and removes this instance's files. Idempotent. */
  stop(): Promise<void>;
  /** Kills sshd and its sessions, then starts it again on the same port with the same keys. */
  restart(): Promise<void>;
  /** Like `restart()`, listening on another loopback address (an EC2 box that came back with a new IP). */
  moveTo(address: string): Promise<void>;
  /** SIGKILL sshd and every session it holds (connections drop at once). `restart()` brings it back. */
  kill(): Promise<void>;
  /** Also accepts logins with this public key (an `ssh-ed25519 AAAA...` line). */
  authorizeKey(publicKeyLine: string): Promise<void>;
  /** SIGSTOPs sshd and its sessions: connections stay open but nothing answers (a half-open link). */
  freeze(): void;
  /** SIGCONTs what `freeze()` stopped. */
  thaw(): void;
  /** Replaces the host key with a new one (takes effect at the next restart). Returns the new fingerprint. */
  regenerateHostKey(): Promise<string>;
  /** Runs a bash command locally as the test user, in its home. */
  runAsUser(cmd: string, options?: { stdin?: string | Buffer; timeoutMs?: number }): Promise<RunResult>;
  /** An OrchConfig pointing at this server, with per-instance log root and workdir. */
  config(overrides?: Partial<OrchConfig>): OrchConfig;
  /** The last lines sshd wrote (for failure messages). */
  log(): string;
}

const live = new Set<Instance>();
let exitHookInstalled = false;

export async function startSshd(options: StartSshdOptions = {}): Promise<TestSshd> {
  await checkPrerequisites();
  const account = await ensureTestUser();
  const inst = new Instance(account, options);
  try {
    await inst.prepare();
    await inst.startOnFreePort();
  } catch (e) {
    await inst.stop();
    throw e;
  }
  return inst;
}

class Instance implements TestSshd {
  host: string;
  readonly user = TEST_USER;
  port = 0;
  dir = '';
  identityFile = '';
  knownHostsFile = '';
  hostKeyFingerprint = '';
  hostPublicKey = '';
  readonly home: string;
  private readonly id = randomBytes(4).toString('hex');
  private child: ChildProcess | undefined;
  private stderrTail = '';
  private stopped = false;
  private readonly authKeysName: string;

  constructor(
    private readonly account: Account,
    private readonly options: StartSshdOptions,
  ) {
    this.home = account.home;
    this.host = options.listenAddress ?? '127.0.0.1';
    this.authKeysName = `.ssh/authorized_keys.it-${this.id}`;
  }

  async prepare(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), 'orch-sshd-'));
    await chmod(this.dir, 0o700);
    this.identityFile = join(this.dir, 'client_ed25519');
    this.knownHostsFile = join(this.dir, 'known_hosts');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `orch-it-client-${this.id}`, '-f', this.identityFile]);
    await this.regenerateHostKey();
    const clientPub = (await readFile(`${this.identityFile}.pub`, 'utf8')).trim();
    const authFile = join(this.home, this.authKeysName);
    await writeFile(authFile, clientPub + '\n', { mode: 0o600 });
    await chown(authFile, this.account.uid, this.account.gid);
    live.add(this);
    installExitHook();
  }

  async authorizeKey(publicKeyLine: string): Promise<void> {
    await appendFile(join(this.home, this.authKeysName), publicKeyLine.trim() + '\n');
  }

  async regenerateHostKey(): Promise<string> {
    const key = join(this.dir, 'host_ed25519');
    await rm(key, { force: true });
    await rm(`${key}.pub`, { force: true });
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `orch-it-host-${this.id}`, '-f', key]);
    const [type, b64] = (await readFile(`${key}.pub`, 'utf8')).trim().split(/\s+/);
    this.hostPublicKey = `${type} ${b64}`;
    this.hostKeyFingerprint = fingerprint(b64!);
    return this.hostKeyFingerprint;
  }

  async startOnFreePort(): Promise<void> {
    // Another process may take the free port between our probe and sshd's bind: try a few.
    for (let attempt = 1; ; attempt++) {
      this.port = await freePort();
      try {
        await this.launch();
        break;
      } catch (e) {
        if (attempt >= 4 || !/bind|address already in use/i.test(this.stderrTail)) throw e;
      }
    }
    await writeFile(this.knownHostsFile, `[${this.host}]:${this.port} ${this.hostPublicKey}\n`, { mode: 0o600 });
  }

  private async launch(): Promise<void> {
    const cfgFile = join(this.dir, 'sshd_config');
    await writeFile(cfgFile, this.sshdConfig(), { mode: 0o600 });
    await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
    const check = await runCollect('/usr/sbin/sshd', ['-t', '-f', cfgFile]);
    if (check.code !== 0) throw new Error(`sshd -t rejected the test config: ${check.stderr.trim()}`);
    this.stderrTail = '';
    // --pdeathsig: sshd dies with the test process even when that is SIGKILLed.
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', '/usr/sbin/sshd', '-D', '-e', '-f', cfgFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (s: string) => {
      this.stderrTail = (this.stderrTail + s).slice(-200_000);
    });
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, sig) =>
        reject(new Error(`sshd exited at start (code ${code}, signal ${sig}): ${this.stderrTail.trim().slice(-2000)}`)),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([exited, waitForBanner(this.host, this.port, this.options.startTimeoutMs ?? 10_000)]);
  }

  private sshdConfig(): string {
    return [
      `ListenAddress ${this.host}`,
      `Port ${this.port}`,
      `HostKey ${join(this.dir, 'host_ed25519')}`,
      'PidFile none',
      `AuthorizedKeysFile .ssh/authorized_keys ${this.authKeysName}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'PermitRootLogin no',
      `AllowUsers ${TEST_USER}`,
      'StrictModes yes',
      'Subsystem sftp internal-sftp',
      'LogLevel VERBOSE',
      ...(this.options.extraConfig ?? []),
      '',
    ].join('\n');
  }

  async kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killTree(child.pid!);
    await gone;
  }

  freeze(): void {
    const pid = this.child?.pid;
    if (!pid) throw new Error('sshd is not running');
    signalTree(pid, 'SIGSTOP');
  }

  thaw(): void {
    const pid = this.child?.pid;
    if (pid) signalTree(pid, 'SIGCONT');
  }

  async restart(): Promise<void> {
    if (this.stopped) throw new Error('restart() after stop()');
    await this.kill();
    await this.launch();
    await writeFile(this.knownHostsFile, `[${this.host}]:${this.port} ${this.hostPublicKey}\n`, { mode: 0o600 });
  }

  async moveTo(address: string): Promise<void> {
    if (this.stopped) throw new Error('moveTo() after stop()');
    await this.kill();
    this.host = address;
    await this.launch();
    await writeFile(this.knownHostsFile, `[${this.host}]:${this.port} ${this.hostPublicKey}\n`, { mode: 0o600 });
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.kill();
    live.delete(this);
    await rm(join(this.home, this.authKeysName), { force: true });
    // the engine installs a retention cron line per log root: take ours out with the log root
    const cronScript = `crontab -l 2>/dev/null | grep -vF -- "/logs-it-${this.id}'" | crontab - 2>/dev/null; rm -rf -- ${this.logRoot()} ${this.workdir()}`;
    await this.runAsUser(cronScript).catch(() => undefined);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }

  /** Synchronous teardown for process exit. */
  emergencyStop(): void {
    if (this.child?.pid && this.child.exitCode === null) killTree(this.child.pid);
    try {
      rmSync(join(this.home, this.authKeysName), { force: true });
      if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }

  runAsUser(cmd: string, options: { stdin?: string | Buffer; timeoutMs?: number } = {}): Promise<RunResult> {
    return runCollect('bash', ['-c', cmd], {
      uid: this.account.uid,
      gid: this.account.gid,
      cwd: this.home,
      env: {
        HOME: this.home,
        USER: TEST_USER,
        LOGNAME: TEST_USER,
        SHELL: '/bin/bash',
        PATH: '/usr/local/bin:/usr/bin:/bin',
        LANG: process.env.LANG ?? 'C.UTF-8',
      },
      stdin: options.stdin,
      timeoutMs: options.timeoutMs ?? 30_000,
    });
  }

  private logRoot(): string {
    return `~/logs-it-${this.id}`;
  }

  private workdir(): string {
    return `~/work-it-${this.id}`;
  }

  config(overrides: Partial<OrchConfig> = {}): OrchConfig {
    return {
      host: this.host,
      user: this.user,
      port: this.port,
      identityFile: this.identityFile,
      knownHosts: this.knownHostsFile,
      strictHostKeyChecking: 'yes',
      logRoot: this.logRoot(),
      logRetentionDays: 30,
      remoteWorkdir: this.workdir(),
      project: 'it',
      slackWebhookUrl: undefined,
      maxParallel: undefined,
      retries: 0,
      logMode: 'private',
      workspaceRoot: process.cwd(),
      envFile: undefined,
      origin: {},
      ...overrides,
    };
  }

  log(): string {
    return this.stderrTail;
  }
}

/** `SHA256:` + unpadded base64 of the key blob, as OpenSSH prints it. */
export function fingerprint(base64Blob: string): string {
  return 'SHA256:' + createHash('sha256').update(base64Blob, 'base64').digest('base64').replace(/=+$/, '');
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const inst of live) inst.emergencyStop();
  });
}

/** The ORCH_* variables a user would set (in scripts/cloud/.env) to reach the host of `config`. */
export function orchEnvOf(config: OrchConfig): Record<string, string> {
  return {
    ORCH_HOST: config.host!,
    ORCH_PORT: String(config.port),
    ORCH_USER: config.user!,
    ORCH_IDENTITY_FILE: config.identityFile!,
    ORCH_KNOWN_HOSTS: config.knownHosts,
    ORCH_LOG_ROOT: config.logRoot,
    ORCH_REMOTE_WORKDIR: config.remoteWorkdir,
  };
}
