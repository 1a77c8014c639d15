/**
 * The local target (host `local`): the engine's scripts run in a local `bash -c`, and jobs in
 * the local tmux server. Same contract as the SSH target (target.ts).
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import type { ExecOptions, ExecResult, ShellTarget } from './target';
import { LOCAL_HOST } from '../core/jobs/where';

export interface LocalTargetOptions {
  /** Environment of the scripts (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export function createLocalTarget(options: LocalTargetOptions = {}): ShellTarget {
  return {
    host: LOCAL_HOST,
    exec: (script, execOptions) => execLocal(script, execOptions ?? {}, options.env ?? process.env),
    close: async () => undefined,
  };
}

function execLocal(script: string, options: ExecOptions, env: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve, reject) => {
    // Its own process group, so an abort reaches the script's children (tail, sleep) too.
    const child = spawn('bash', ['-c', script], { detached: true, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let aborted = false;

    const onAbort = (): void => {
      aborted = true;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    // A script may exit without reading all of its stdin: that is not an error.
    child.stdin.on('error', () => undefined);
    const input = options.stdin;
    if (input === undefined) child.stdin.end();
    else if (input instanceof Readable) input.pipe(child.stdin);
    else child.stdin.end(input);

    if (options.stdout) child.stdout.pipe(options.stdout, { end: false });
    else if (options.onStdout) child.stdout.on('data', (c: Buffer) => options.onStdout!(c));
    else child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));

    child.on('error', (e) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(e);
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (options.stdout) child.stdout.unpipe(options.stdout);
      resolve({
        code: aborted ? null : code,
        stdout: concat(out),
        stderr: concat(err).toString('utf8'),
      });
    });
  });
}

/** Buffer.concat; the cast papers over @types/node 20.9 typing Buffer apart from TS 5.9's Uint8Array. */
function concat(parts: Buffer[]): Buffer {
  return Buffer.concat(parts as unknown as Uint8Array[]);
}
