// The argument of a job command, read once (pure, so it is unit-tested in plain mocha).
import type { Job } from '../core/jobs/model';
import type { HostName } from '../core/jobs/where';

/**
 * The one shape in which a command is told which job to act on. VS Code and callers hand it
 * three ways: a tree row (`{ kind: 'job', job }`), a job name (a test, the palette's argument),
 * or `{ name, host }` (a notice's button, another command); `jobRefOf` reads all three into this.
 */
export interface JobRef {
  name: string;
  /** Absent: the job of that name on whichever host lists it. */
  host?: HostName;
  /** The job as the row showed it (may be a poll behind), when the caller held one. */
  job?: Job;
}

/** What a caller may add beside the job: `confirmed` when it asked already, `port` for Open in Browser. */
export interface JobCommandOptions {
  confirmed: boolean;
  port?: number;
}

/** The reference a caller passes for a job it holds: `executeCommand('cloudJobs.showLogs', jobRef(job))`. */
export function jobRef(job: Pick<Job, 'name' | 'host'>, options: Partial<JobCommandOptions> = {}): { name: string; host: HostName } & Partial<JobCommandOptions> {
  return { name: job.name, host: job.host, ...options };
}

function field(arg: object, key: string): unknown {
  return (arg as Record<string, unknown>)[key];
}

function isJob(v: unknown): v is Job {
  return typeof v === 'object' && v !== null && typeof field(v, 'name') === 'string' && typeof field(v, 'host') === 'string' && typeof field(v, 'state') === 'string';
}

/** The job a command argument names; undefined when it names none (the palette: the user picks). */
export function jobRefOf(arg: unknown): JobRef | undefined {
  if (typeof arg === 'string') return arg === '' ? undefined : { name: arg };
  if (typeof arg !== 'object' || arg === null) return undefined;
  const job = field(arg, 'job');
  if (field(arg, 'kind') === 'job' && isJob(job)) return { name: job.name, host: job.host, job };
  const name = field(arg, 'name');
  if (typeof name !== 'string' || name === '') return undefined;
  const host = field(arg, 'host');
  return typeof host === 'string' ? { name, host } : { name };
}

/** The options beside the job (the same argument object, when it is one). */
export function jobCommandOptions(arg: unknown): JobCommandOptions {
  if (typeof arg !== 'object' || arg === null) return { confirmed: false };
  const port = Number(field(arg, 'port'));
  return { confirmed: field(arg, 'confirmed') === true, ...(Number.isInteger(port) && port > 0 ? { port } : {}) };
}
