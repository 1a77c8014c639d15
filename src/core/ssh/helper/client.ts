/**
 * The CLI's side of the connection helper: one Unix socket connection per script, with stdin,
 * stdout (backpressure both ways), abort, and passphrase questions carried as frames. Failing to
 * reach the helper at all is `HelperUnavailable` (nothing was sent: the caller may connect
 * directly); a helper that goes away mid-script is a lost connection, as with a direct one.
 */
import { createConnection, type Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { UserError } from '../../errors';
import { ConnectionLostError, type ExecOptions, type ExecResult } from '../../../host/target';
import { FRAME, frame, frameReader, writeFrames, type HelperReply, type HelperRequest } from './frames';

export class HelperUnavailable extends Error {
  constructor(readonly reason: string) {
    super(`the connection helper is not reachable: ${reason}`);
    this.name = 'HelperUnavailable';
  }
}

function connectSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (e: NodeJS.ErrnoException) => reject(new HelperUnavailable(e.code ?? e.message)));
  });
}

export interface HelperCallOptions extends ExecOptions {
  askPassphrase?: (keyFile: string) => Promise<string>;
}

/** Runs `script` through the helper at `path`. */
export async function helperExec(path: string, script: string, opts: HelperCallOptions = {}): Promise<ExecResult> {
  const sock = await connectSocket(path);
  const req: HelperRequest = { op: 'exec', script, hasStdin: opts.stdin !== undefined, canAsk: opts.askPassphrase !== undefined };
  sock.write(frame(FRAME.request, JSON.stringify(req)));
  const chunks: Buffer[] = [];
  return new Promise<ExecResult>((resolve, reject) => {
    let reply: HelperReply | undefined;
    let failure: unknown;
    const onAbort = (): void => void (sock.destroyed || sock.write(frame(FRAME.abort)));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();

    const read = frameReader((type, payload) => {
      if (type === FRAME.stdout) {
        if (opts.stdout) {
          if (!opts.stdout.write(payload)) {
            sock.pause();
            opts.stdout.once('drain', () => sock.resume());
          }
        } else if (opts.onStdout) opts.onStdout(payload);
        else chunks.push(Buffer.from(payload));
      } else if (type === FRAME.question) {
        const { keyFile } = JSON.parse(payload.toString()) as { keyFile: string };
        opts.askPassphrase!(keyFile).then(
          (answer) => sock.write(frame(FRAME.answer, JSON.stringify({ answer }))),
          (e: unknown) => {
            failure ??= e;
            sock.write(frame(FRAME.answer, JSON.stringify({ error: (e as Error).message })));
          },
        );
      } else if (type === FRAME.done) reply = JSON.parse(payload.toString()) as HelperReply;
    });
    sock.on('data', (c: Buffer) => read(c));
    sock.on('error', () => undefined); // the outcome is decided on close
    if (opts.stdout) opts.stdout.once('error', (e) => ((failure ??= e), sock.write(frame(FRAME.abort))));
    const stopStdin = sendStdin(sock, opts.stdin);
    sock.once('close', () => {
      stopStdin();
      opts.signal?.removeEventListener('abort', onAbort);
      const stdout = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks as unknown as Uint8Array[]);
      if (failure !== undefined) return reject(failure);
      if (!reply) return reject(new ConnectionLostError('the connection helper went away'));
      if (reply.ok && 'code' in reply) return resolve({ code: opts.signal?.aborted ? null : reply.code, stdout, stderr: reply.stderr });
      if (!reply.ok && 'lost' in reply) return reject(new ConnectionLostError());
      if (!reply.ok && 'userError' in reply) return reject(new UserError(reply.userError.message, { exitCode: reply.userError.exitCode }));
      reject(new Error(!reply.ok && 'error' in reply ? reply.error : 'unexpected reply from the connection helper'));
    });
  });
}

/** Sends stdin as frames, then its end; returns a function that stops reading a stream early. */
function sendStdin(sock: Socket, stdin: ExecOptions['stdin']): () => void {
  if (stdin === undefined) return () => undefined;
  if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) {
    const b = typeof stdin === 'string' ? Buffer.from(stdin) : stdin;
    if (b.length > 0) writeFrames(sock, FRAME.stdin, b);
    sock.write(frame(FRAME.stdinEnd));
    return () => undefined;
  }
  const r = stdin as Readable;
  const onData = (d: Buffer | string): void => {
    if (!writeFrames(sock, FRAME.stdin, Buffer.isBuffer(d) ? d : Buffer.from(d))) {
      r.pause();
      sock.once('drain', () => r.resume());
    }
  };
  const onEnd = (): void => void (sock.destroyed || sock.write(frame(FRAME.stdinEnd)));
  const onError = (): void => void sock.destroy();
  r.on('data', onData);
  r.once('end', onEnd);
  r.once('error', onError);
  return () => {
    r.removeListener('data', onData);
    r.removeListener('end', onEnd);
    r.removeListener('error', onError);
    r.pause();
  };
}

/** Control requests (`info`, `exit`): the reply, or undefined when nothing answers. */
export async function helperControl(path: string, op: 'info' | 'exit'): Promise<HelperReply | undefined> {
  let sock: Socket;
  try {
    sock = await connectSocket(path);
  } catch {
    return undefined;
  }
  return new Promise((resolve) => {
    let reply: HelperReply | undefined;
    const read = frameReader((type, payload) => {
      if (type === FRAME.done) reply = JSON.parse(payload.toString()) as HelperReply;
    });
    sock.on('data', (c: Buffer) => read(c));
    sock.on('error', () => undefined);
    sock.once('close', () => resolve(reply));
    const timer = setTimeout(() => sock.destroy(), 5000);
    sock.once('close', () => clearTimeout(timer));
    sock.write(frame(FRAME.request, JSON.stringify({ op } satisfies HelperRequest)));
  });
}
