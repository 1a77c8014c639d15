/**
 * The remote ShellTarget: engine scripts run as `bash -c <script>` on exec channels of one
 * shared SSH connection. Also the two ways to give the user a real terminal on the host:
 * OpenSSH's client (`ssh -t`) where it is installed, else an ssh2 pty channel.
 */
import type { Readable, Writable } from 'node:stream';
import type { Client, ClientChannel, ExecOptions as Ssh2ExecOptions } from 'ssh2';
import type { OrchConfig } from '../config/types';
import { ConnectionLostError, shellQuote, type ExecOptions, type ExecResult, type ShellTarget } from '../../host/target';
import { UserError } from '../errors';
import type { AskPassphrase } from './auth';
import { SshConnection, type ConnectionOptions } from './connection';
import { exitOf, runOnChannel, watchExit } from './execChannel';
import { expandHome } from './hostKeyPolicy';
import { canPipeline, openSession, requestExec } from './sessionChannel';
import type { ResolvedHost } from './sshConfig';

export interface SshTargetOptions {
  /** The host's name in listings (a hosts.yaml entry); default its SSH host (`config.host`). */
  name?: string;
  askPassphrase?: AskPassphrase;
  log?: (line: string) => void;
  readyTimeoutMs?: number;
  /** Further tuning (keepalive, channel cap, reconnect window); mostly for tests. */
  connection?: Omit<ConnectionOptions, 'askPassphrase' | 'log' | 'readyTimeoutMs'>;
  /**
   * Keep one session channel open ahead of need, so a call on a long-lived connection costs one
   * round trip instead of two (the connection helper; a one-shot process would waste it).
   */
  spareChannel?: boolean;
}

export interface SshTarget extends ShellTarget {
  readonly connection: SshConnection;
  /** How the host was resolved through the ssh config (for `openSshArgs`). */
  resolved(): Promise<ResolvedHost>;
}

const OPEN_RETRIES = 5;

export function createSshTarget(config: OrchConfig, options: SshTargetOptions = {}): SshTarget {
  const connection = new SshConnection(config, {
    ...options.connection,
    askPassphrase: options.askPassphrase,
    log: options.log,
    readyTimeoutMs: options.readyTimeoutMs,
  });
  const spares = options.spareChannel ? new SpareSessions() : undefined;
  return {
    host: options.name ?? config.host ?? '',
    connection,
    resolved: () => connection.resolved(),
    async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
      const empty = (): ExecResult => ({ code: null, stdout: Buffer.alloc(0), stderr: '' });
      if (opts.signal?.aborted) return empty();
      try {
        return await connection.withSlot(async () => {
          const { command, stdin } = commandLine(script, opts.stdin);
          const opened = await openExec(connection, command, opts.signal, spares);
          if (!opened) return empty();
          const run = runOnChannel(opened.channel, { ...opts, stdin });
          if (opened.started) {
            run.catch(() => undefined); // a refused exec is reported below, not as a lost connection
            await opened.started.catch((e: unknown) => {
              opened.channel.close();
              throw new UserError(`The host ${connection.host} refused to start a command: ${(e as Error).message.replace(/\.$/, '')}.`, { cause: e });
            });
          }
          return await run;
        }, opts.signal);
      } catch (e) {
        if (opts.signal?.aborted && !(e instanceof UserError)) return empty();
        throw e;
      }
    },
    close: () => connection.close(),
  };
}

/** Stdin up to this size travels inside the exec request (base64) instead of as channel data. */
const INLINE_STDIN_MAX = 16 * 1024;

/**
 * The command for `script`. sshd opens a session channel with a zero window and widens it only
 * once the command has started, so stdin sent as channel data costs a second round trip; small
 * stdin is therefore carried in the command itself and decoded on the host (NUL bytes and all).
 */
function commandLine(script: string, stdin: ExecOptions['stdin']): { command: string; stdin: ExecOptions['stdin'] } {
  const bash = `bash -c ${shellQuote(script)}`;
  if (stdin === undefined || !(typeof stdin === 'string' || Buffer.isBuffer(stdin))) return { command: bash, stdin };
  const bytes = typeof stdin === 'string' ? Buffer.from(stdin) : stdin;
  if (bytes.length === 0) return { command: bash, stdin: undefined };
  if (bytes.length > INLINE_STDIN_MAX) return { command: bash, stdin };
  return { command: `printf %s ${bytes.toString('base64')} | base64 -d | ${bash}`, stdin: undefined };
}

/** One session channel opened ahead of need per connection (see `spareChannel`). */
class SpareSessions {
  private spare: { client: Client; channel: Promise<ClientChannel | undefined> } | undefined;

  /** The spare of `client`, if one is open; a new one is opened for the next call. */
  async take(client: Client): Promise<ClientChannel | undefined> {
    const s = this.spare;
    this.spare = { client, channel: openSession(client).catch(() => undefined) };
    const channel = s?.client === client ? await s.channel : undefined;
    const state = (channel as unknown as { outgoing?: { state?: string } } | undefined)?.outgoing?.state;
    return state === 'open' ? channel : undefined;
  }
}

/**
 * An exec channel with the request sent but not yet answered (`started` settles with sshd's
 * reply), where ssh2's internals allow it; else a plain `client.exec` channel. Retries as
 * `openChannel`. Undefined if `signal` aborted meanwhile.
 */
async function openExec(
  conn: SshConnection,
  command: string,
  signal: AbortSignal | undefined,
  spares: SpareSessions | undefined,
): Promise<{ channel: ClientChannel; started?: Promise<void> } | undefined> {
  for (let attempt = 0; ; attempt++) {
    const client = await conn.getClient();
    if (signal?.aborted) return undefined;
    if (!canPipeline(client)) {
      const channel = await openChannel(conn, command, {}, signal);
      return channel && { channel };
    }
    try {
      const channel = (await spares?.take(client)) ?? (await openSession(client));
      watchExit(channel);
      (channel as unknown as { allowHalfOpen: boolean }).allowHalfOpen = true;
      return { channel, started: requestExec(channel, command) };
    } catch (e) {
      const message = (e as Error).message;
      if (!conn.isAlive(client)) {
        if (attempt < 1) continue;
        throw new ConnectionLostError();
      }
      if (/open failure|open failed/i.test(message) && attempt < OPEN_RETRIES) {
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        continue;
      }
      throw new UserError(`The host ${conn.host} refused to start a command: ${message.replace(/\.$/, '')}.`, { cause: e });
    }
  }
}

/**
 * Opens an exec channel. Retries what cannot have started the command: a refused channel
 * (sshd frees session slots a little late) and a connection found dead at open time.
 * Resolves undefined if `signal` aborted meanwhile.
 */
async function openChannel(conn: SshConnection, command: string, execOpts: Ssh2ExecOptions, signal?: AbortSignal): Promise<ClientChannel | undefined> {
  for (let attempt = 0; ; attempt++) {
    const client = await conn.getClient();
    if (signal?.aborted) return undefined;
    try {
      return await execOn(client, command, execOpts);
    } catch (e) {
      const message = (e as Error).message;
      if (!conn.isAlive(client)) {
        if (attempt < 1) continue;
        throw new ConnectionLostError();
      }
      if (/open failure|open failed/i.test(message) && attempt < OPEN_RETRIES) {
        await new Promise((r) => setTimeout(r, 50 * (attempt + 1)));
        continue;
      }
      throw new UserError(`The host ${conn.host} refused to start a command: ${message.replace(/\.$/, '')}.`, { cause: e });
    }
  }
}

function execOn(client: Client, command: string, execOpts: Ssh2ExecOptions): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.exec(command, execOpts, (err, channel) => (err ? reject(err) : resolve(watchExit(channel))));
  });
}

/**
 * Arguments for OpenSSH's client to reach the same host as the engine (append the remote
 * command, e.g. `tmux attach -t NAME`). Starts with `-t` unless `tty: false`. Undefined when
 * OpenSSH's client is not installed: use `execPty` then.
 */
export function openSshArgs(config: OrchConfig, resolved: ResolvedHost, options: { tty?: boolean } = {}): string[] | undefined {
  if (!resolved.sshClient) return undefined;
  const args: string[] = [];
  if (options.tty !== false) args.push('-t');
  args.push('-p', String(resolved.port));
  if (resolved.identityExplicit) for (const f of resolved.identityFiles) args.push('-i', f);
  args.push('-o', `UserKnownHostsFile=${sshOptionValue(expandHome(config.knownHosts))}`);
  args.push('-o', `StrictHostKeyChecking=${config.strictHostKeyChecking}`);
  // An EC2 box: its address of now, its key under the instance id (as the engine checks it).
  if (resolved.hostKeyAlias) args.push('-o', `HostKeyAlias=${resolved.hostKeyAlias}`, '-o', `HostName=${resolved.hostname}`);
  // The alias, not the resolved address, so ProxyJump and the rest of the ssh config still apply.
  args.push(`${resolved.user}@${resolved.alias}`);
  return args;
}

function sshOptionValue(v: string): string {
  return /\s/.test(v) ? `"${v}"` : v;
}

export interface PtyIo {
  stdin: Readable;
  stdout: Writable;
  columns: number;
  rows: number;
  /** Subscribes to terminal size changes; may return an unsubscribe function. */
  onResize?: (listener: (columns: number, rows: number) => void) => (() => void) | void;
  term?: string;
}

/**
 * Runs `command` on a pty channel wired to a local terminal (the attach fallback without
 * OpenSSH). Resolves the remote exit status (null when killed or the connection dropped).
 * The caller puts its own terminal in raw mode.
 */
export async function execPty(target: ShellTarget, command: string, io: PtyIo): Promise<number | null> {
  const conn = (target as Partial<SshTarget>).connection;
  if (!(conn instanceof SshConnection)) throw new Error('execPty needs a target made by createSshTarget');
  return conn.withSlot(async () => {
    const channel = await openChannel(conn, command, { pty: { term: io.term ?? 'xterm-256color', cols: io.columns, rows: io.rows, width: 0, height: 0 } });
    if (!channel) return null;
    return new Promise<number | null>((resolve) => {
      const unsubscribe = io.onResize?.((columns, rows) => channel.setWindow(rows, columns, 0, 0));
      const forward = (d: Buffer): void => {
        channel.write(d);
      };
      io.stdin.on('data', forward);
      channel.pipe(io.stdout, { end: false });
      channel.stderr.pipe(io.stdout, { end: false });
      channel.once('close', () => {
        io.stdin.removeListener('data', forward);
        channel.unpipe(io.stdout);
        if (typeof unsubscribe === 'function') unsubscribe();
        resolve(exitOf(channel)?.code ?? null);
      });
    });
  });
}
