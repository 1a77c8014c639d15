import type { CliIO } from './command';
import { writeLine } from './command';
import type { Engine } from '../core/engine/api';
import { isUserError } from '../core/errors';
import { isActive, type Job } from '../core/jobs/model';
import { createLogWatcher, describeMatch, resolveGuardrails, type LogWatchOptions } from '../core/guardrails';
import { exitStatusOf, outcomeLine } from './output';

/**
 * The L1 watch options of the workspace (scripts/cloud/guardrails.yaml, else the defaults). A
 * broken file must not stop a follow: it is reported and the defaults watch instead.
 */
export async function watchOptionsFor(io: CliIO, prefix = 'orch'): Promise<LogWatchOptions> {
  try {
    const { settings } = await resolveGuardrails({ cwd: io.cwd, env: io.env });
    return { patterns: settings.watch.patterns, windowLines: settings.watch.windowLines };
  } catch (e) {
    if (!isUserError(e)) throw e;
    writeLine(io.stderr, `${prefix}: ${e.message} Watching with the default patterns.`);
    return {};
  }
}

/**
 * Streams a job's log to stdout until the job ends; Ctrl-C (io.signal) ends only the stream,
 * never the job. Guardrail L1: each watch-pattern match prints one line on stderr (once per
 * match window). Returns the final job, or undefined when interrupted while it still runs.
 */
export async function streamLog(
  engine: Engine,
  name: string,
  io: CliIO,
  fromByte = 0,
  watch?: LogWatchOptions,
  prefix = 'orch',
  /** Also gets every chunk (the log cache); a promise holds the stream back until it settles. */
  tap?: (chunk: Buffer) => void | Promise<void>,
): Promise<Job | undefined> {
  if (io.signal.aborted) return undefined;
  const watcher = createLogWatcher(watch ?? (await watchOptionsFor(io, prefix)));
  const report = (matches: ReturnType<typeof watcher.push>) => {
    for (const m of matches) writeLine(io.stderr, `${prefix}: ${describeMatch(name, m)}`);
  };
  const job = await engine.follow(name, {
    fromByte,
    signal: io.signal,
    onData: (chunk) => {
      const shown = io.stdout.write(chunk) ? undefined : new Promise<void>((resolve) => io.stdout.once('drain', () => resolve()));
      const tapped = tap?.(chunk);
      report(watcher.push(chunk));
      return shown || tapped ? Promise.all([shown, tapped]) : undefined;
    },
    onReconnect: ({ attempt }) => writeLine(io.stderr, `${prefix}: connection lost; resuming the log (attempt ${attempt})...`),
  });
  report(watcher.end());
  if (io.signal.aborted && isActive(job.state)) return undefined;
  return job;
}

/** Follows a job to its end, prints the outcome line on stderr and returns its exit status. */
export async function waitForJob(engine: Engine, name: string, io: CliIO, prefix = 'orch', watch?: LogWatchOptions): Promise<number> {
  const job = await streamLog(engine, name, io, 0, watch, prefix);
  if (!job) {
    writeLine(io.stderr, `${prefix}: stopped following; job ${name} keeps running (orch logs -f ${name}).`);
    return 130;
  }
  writeLine(io.stderr, `${prefix}: ${outcomeLine(job)}`);
  return exitStatusOf(job);
}
