import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { UserError } from '../errors';

export type OutputStream = 'stdout' | 'stderr';

export interface ProcessSpec {
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface ProcessHooks {
  onOutput?: (text: string, stream: OutputStream) => void;
  signal?: AbortSignal;
}

/** Runs a program to completion; resolves with its exit status (`null`: killed by a signal). */
export type ProcessRunner = (spec: ProcessSpec, hooks: ProcessHooks) => Promise<number | null>;

/** Grace between SIGTERM and SIGKILL when a run is cancelled. */
const KILL_GRACE_MS = 3000;
/** How long output may still arrive after the program exited. */
const STDIO_GRACE_MS = 2000;

/**
 * The real runner: spawns the program in its own process group with stdin closed, streams its
 * output as it comes, and on abort stops the whole group (a kit phase starts children of its
 * own), first with SIGTERM, then SIGKILL.
 */
export const spawnProcess: ProcessRunner = (spec, hooks) =>
  new Promise((resolve, reject) => {
    if (hooks.signal?.aborted) {
      resolve(null);
      return;
    }
    const child = spawn(spec.file, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream].on('data', (chunk: Buffer) => hooks.onOutput?.(decoders[stream].write(chunk), stream));
    }
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, sig);
      } catch {
        // already gone
      }
    };
    const onAbort = () => {
      killGroup('SIGTERM');
      killTimer = setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_MS);
    };
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      hooks.signal?.removeEventListener('abort', onAbort);
      reject(new UserError(`Cannot start ${spec.file}: ${e.message}.`, { cause: e }));
    });
    let settled = false;
    const finish = (code: number | null) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      for (const stream of ['stdout', 'stderr'] as const) {
        const tail = decoders[stream].end();
        if (tail) hooks.onOutput?.(tail, stream);
      }
      resolve(code);
    };
    child.on('close', (code) => finish(code));
    // A phase may leave a background process holding its stdout open; its end is the phase's end.
    child.on('exit', (code) => {
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code);
      }, STDIO_GRACE_MS).unref();
    });
  });
