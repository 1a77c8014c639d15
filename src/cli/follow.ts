import type { CliIO } from './command';
import { writeLine } from './command';
import type { Engine } from '../core/engine/api';
import { isActive, type Job } from '../core/jobs/model';
import { exitStatusOf, outcomeLine } from './output';

/**
 * Streams a job's log to stdout until the job ends; Ctrl-C (io.signal) ends only the stream,
 * never the job. Returns the final job, or undefined when interrupted while it still runs.
 */
export async function streamLog(engine: Engine, name: string, io: CliIO, fromByte = 0): Promise<Job | undefined> {
  if (io.signal.aborted) return undefined;
  const job = await engine.follow(name, {
    fromByte,
    signal: io.signal,
    onData: (chunk) => io.stdout.write(chunk),
    onReconnect: ({ attempt }) => writeLine(io.stderr, `orch: connection lost; resuming the log (attempt ${attempt})...`),
  });
  if (io.signal.aborted && isActive(job.state)) return undefined;
  return job;
}

/** Follows a job to its end, prints the outcome line on stderr and returns its exit status. */
export async function waitForJob(engine: Engine, name: string, io: CliIO, prefix = 'orch'): Promise<number> {
  const job = await streamLog(engine, name, io);
  if (!job) {
    writeLine(io.stderr, `${prefix}: stopped following; job ${name} keeps running (orch logs -f ${name}).`);
    return 130;
  }
  writeLine(io.stderr, `${prefix}: ${outcomeLine(job)}`);
  return exitStatusOf(job);
}
