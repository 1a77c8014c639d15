import { Writable } from 'node:stream';
import type { CliIO } from './command';
import { writeLine } from './command';
import { LogCache, type CacheFill } from '../core/logCache/logCache';
import { UserError } from '../core/errors';
import { lastLines } from './output';

/** `out` and the cache fill both get every chunk; the slower of the two holds the stream back. */
export function teeToCache(out: NodeJS.WritableStream, fill: CacheFill): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      const cached = fill.write(chunk);
      const shown = out.write(chunk) ? undefined : new Promise<void>((resolve) => out.once('drain', () => resolve()));
      if (!cached && !shown) cb();
      else void Promise.all([cached, shown]).then(() => cb());
    },
  });
}

/** The host answered that it has no such job (the cache must not stand in for it then). */
function hostSaidNoSuchJob(e: UserError): boolean {
  return /^(There is no|No) job named /.test(e.message) && !/could not be asked/.test(e.message);
}

/**
 * When the job's host could not be read (stopped, unreachable), prints the cached copy of its
 * log instead, marked "cached" on stderr; true when it did. Bad input and a host that answered
 * "no such job" are never covered up.
 */
export async function printCachedLog(io: CliIO, e: unknown, job: string, opts: { host?: string; tail?: number }): Promise<boolean> {
  if (!(e instanceof UserError) || e.exitCode === 2 || hostSaidNoSuchJob(e)) return false;
  const [cached] = await LogCache.fromEnv(io.env).find(job, opts.host);
  if (!cached) return false;
  const state = cached.complete ? 'the job had ended' : 'the job was still running then';
  writeLine(io.stderr, `orch: ${e.message.replace(/\.$/, '')}; showing the cached log of ${job} from ${cached.host} (cached ${cached.savedAt}, ${state}).`);
  io.stdout.write(opts.tail === undefined ? cached.bytes : lastLines(cached.bytes, opts.tail));
  return true;
}
