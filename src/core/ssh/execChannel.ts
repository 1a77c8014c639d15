/**
 * One script on one exec channel: stdin in (with backpressure, then EOF), stdout collected or
 * streamed (with backpressure), stderr kept up to a cap, the exit status out. A channel that
 * closes without an exit status means the connection dropped: the script's fate is unknown.
 */
import type { Readable } from 'node:stream';
import type { ClientChannel } from 'ssh2';
import { ConnectionLostError, type ExecOptions, type ExecResult } from '../../host/target';

export const STDERR_CAP = 1 << 20;
const TERM_GRACE_MS = 2000;

const exits = new WeakMap<ClientChannel, { code: number | null }>();

/**
 * Records the exit status from the moment the channel exists. It must be called inside ssh2's
 * exec callback: data, EOF, exit-status and CLOSE can arrive in one TCP read, and ssh2 emits
 * 'exit' at once, before any awaiting code gets to attach a listener.
 */
export function watchExit(channel: ClientChannel): ClientChannel {
  channel.once('exit', (code: number | null) => exits.set(channel, { code: typeof code === 'number' ? code : null }));
  return channel;
}

/** The exit status seen so far (undefined: none yet). */
export function exitOf(channel: ClientChannel): { code: number | null } | undefined {
  return exits.get(channel);
}

export function runOnChannel(channel: ClientChannel, options: ExecOptions): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let stderr = '';
    let stderrDropped = false;
    let aborted = false;
    let failure: unknown;
    let graceTimer: NodeJS.Timeout | undefined;

    const { signal, stdin, stdout, onStdout } = options;

    if (stdout) channel.pipe(stdout, { end: false });
    else channel.on('data', (c: Buffer) => (onStdout ? onStdout(c) : chunks.push(c)));

    channel.stderr.setEncoding('utf8');
    channel.stderr.on('data', (s: string) => {
      stderr += s;
      if (stderr.length > STDERR_CAP) {
        // The end of stderr explains a failure best: keep the tail.
        stderr = stderr.slice(-STDERR_CAP);
        stderrDropped = true;
      }
    });

    const stop = (): void => {
      if (aborted) return;
      aborted = true;
      if (stdin && typeof stdin === 'object' && 'pipe' in stdin) (stdin as Readable).unpipe(channel);
      sendSignal(channel, 'TERM');
      // A script that ignores TERM gets KILL; then the channel is closed either way.
      graceTimer = setTimeout(() => {
        if (!exitOf(channel)) sendSignal(channel, 'KILL');
        channel.close();
        graceTimer = setTimeout(() => channel.destroy(), TERM_GRACE_MS);
      }, TERM_GRACE_MS);
      if (exitOf(channel)) channel.close();
      else channel.once('exit', () => channel.close());
    };
    const onAbort = (): void => stop();
    signal?.addEventListener('abort', onAbort, { once: true });

    const fail = (e: unknown): void => {
      failure ??= e;
      stop();
    };
    if (stdout) stdout.once('error', fail);

    channel.on('error', () => undefined); // reported through 'close' without an exit status
    channel.once('close', () => {
      clearTimeout(graceTimer);
      signal?.removeEventListener('abort', onAbort);
      if (stdout) {
        channel.unpipe(stdout);
        stdout.removeListener('error', fail);
      }
      const exit = exitOf(channel);
      const out = { stdout: concat(chunks), stderr: stderrDropped ? `[stderr truncated to its last ${STDERR_CAP} bytes]\n${stderr}` : stderr };
      if (failure !== undefined) reject(failure);
      else if (aborted) resolve({ code: null, ...out });
      else if (exit) resolve({ code: exit.code, ...out });
      else reject(new ConnectionLostError());
    });

    if (signal?.aborted) {
      stop();
      return;
    }
    writeStdin(channel, stdin, fail);
  });
}

function writeStdin(channel: ClientChannel, stdin: ExecOptions['stdin'], fail: (e: unknown) => void): void {
  if (stdin === undefined) channel.end();
  else if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) channel.end(stdin);
  else {
    stdin.once('error', fail);
    stdin.pipe(channel);
  }
}

/**
 * Delivers a signal to the remote process group (sshd uses killpg). ssh2's `signal()` is silent
 * once our side of the channel is ended, and we always end stdin, so past that point the request
 * goes straight to the protocol layer.
 */
function sendSignal(channel: ClientChannel, name: 'TERM' | 'KILL'): void {
  if (channel.writable) {
    channel.signal(name);
    return;
  }
  const inner = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal(id: number, signal: string): void } };
  };
  if (inner.outgoing && (inner.outgoing.state === 'open' || inner.outgoing.state === 'eof')) {
    try {
      inner._client?._protocol?.signal(inner.outgoing.id, name);
    } catch {
      // connection already gone
    }
  }
}

/** Buffer.concat, typed for the node:buffer typings this repo pins. */
function concat(chunks: Buffer[]): Buffer {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as unknown as Uint8Array[]);
}
