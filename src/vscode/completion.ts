// Which jobs just ended, and what their completion notice says: pure, so it is unit-tested.
import type { Job, JobState } from '../core/jobs/model';
import { isActive } from '../core/jobs/model';
import { formatDuration } from './jobPresentation';

export function jobKey(job: Pick<Job, 'name' | 'host'>): string {
  return `${job.host}\0${job.name}`;
}

/**
 * Remembers the last state seen of every job and reports the ones that went from active
 * (QUEUED, STARTING, RUNNING) to ended (DONE, FAILED, STOPPED): each transition once. A job
 * first seen already ended is remembered, not reported. Jobs missing from a listing (a host
 * that could not be read, a reset) keep their last state.
 */
export class EndWatch {
  private readonly last = new Map<string, JobState>();
  /**
   * Jobs whose end is told by a command (Stop, Stop All, Run on EC2), counted by holder: Stop
   * clicked while Run on EC2 still watches the start holds the same job twice, and Stop letting
   * go must not end Run's hold (it would then tell the stop a second time).
   */
  private readonly quiet = new Map<string, Hush>();
  /** Hosts listed at least once: a job that appears there already ended started and ended since. */
  private readonly listed = new Set<string>();

  /**
   * Records `jobs`; returns those that ended since they were last seen, and those that appeared
   * already ended on a host listed before (they started and ended between two listings).
   * `listedHosts`: the hosts this listing read successfully.
   */
  observe(jobs: readonly Job[], listedHosts: readonly string[] = []): Job[] {
    const ended: Job[] = [];
    for (const job of jobs) {
      const key = jobKey(job);
      const before = this.last.get(key);
      this.last.set(key, job.state);
      if (isActive(job.state)) continue;
      if (before === undefined ? !this.listed.has(job.host) : !isActive(before)) continue;
      const hush = this.quiet.get(key);
      if (hush) {
        hush.ended = true;
        continue;
      }
      ended.push(job);
    }
    for (const h of listedHosts) this.listed.add(h);
    return ended;
  }

  /** Until `unhush`, ends of these jobs are not reported (the caller tells the user itself). */
  hush(jobs: readonly Pick<Job, 'name' | 'host'>[]): void {
    for (const j of jobs) {
      const key = jobKey(j);
      const hush = this.quiet.get(key) ?? { holders: 0, ended: false, told: false };
      hush.holders++;
      this.quiet.set(key, hush);
    }
  }

  /** These jobs' ends are known already (told by a command): a later listing reports them no more. */
  seen(jobs: readonly Job[]): void {
    for (const j of jobs) if (!isActive(j.state)) this.last.set(jobKey(j), j.state);
  }

  /** A command told these ends (Stopped X.): another holder of the hush must not tell them again. */
  told(jobs: readonly Job[]): void {
    this.seen(jobs);
    for (const j of jobs) {
      const hush = this.quiet.get(jobKey(j));
      if (hush && !isActive(j.state)) hush.told = true;
    }
  }

  /** Lets go of one `hush` of `job`, and says what happened to its end meanwhile. */
  unhush(job: Pick<Job, 'name' | 'host'>): HushedEnd {
    const key = jobKey(job);
    const hush = this.quiet.get(key);
    if (!hush) return 'none';
    if (--hush.holders <= 0) this.quiet.delete(key);
    if (hush.told) return 'told';
    return hush.holders > 0 ? 'held' : hush.ended ? 'untold' : 'none';
  }
}

interface Hush {
  holders: number;
  /** A listing saw the job end while hushed (and said nothing). */
  ended: boolean;
  /** A command told the end (see `told`). */
  told: boolean;
}

/**
 * What a hush kept quiet: 'none' (no listing saw an end), 'untold' (one did: the caller must tell
 * it), 'told' (another command already did, e.g. Stop's "Stopped X."), 'held' (another command
 * still holds it, e.g. a Stop still under way: that command tells the end it causes).
 */
export type HushedEnd = 'none' | 'untold' | 'told' | 'held';

export interface NoticeText {
  severity: 'info' | 'warning' | 'error';
  message: string;
}

function runTime(job: Job): string | undefined {
  if (!job.startedAt || !job.endedAt) return undefined;
  const ms = Date.parse(job.endedAt) - Date.parse(job.startedAt);
  return Number.isNaN(ms) ? undefined : formatDuration(ms);
}

/** One job's notice: `train-1 finished on gpu-box: exit 0 after 3m 12s.` */
export function completionNotice(job: Job): NoticeText {
  const time = runTime(job);
  const after = time ? ` after ${time}` : '';
  const why = job.reason ? ` (${job.reason})` : '';
  switch (job.state) {
    case 'DONE':
      return { severity: 'info', message: `${job.name} finished on ${job.host}: exit 0${after}.` };
    case 'FAILED':
      return { severity: 'error', message: `${job.name} failed on ${job.host}: ${job.exitCode === null ? 'no exit code' : `exit ${job.exitCode}`}${after}${why}.` };
    default:
      return { severity: 'warning', message: `${job.name} was stopped on ${job.host}${after}${why}.` };
  }
}

/**
 * Several jobs ending close together get one notice:
 * `12 jobs ended: 10 succeeded, 2 failed.` (and `, 1 stopped`).
 */
export function summaryNotice(jobs: readonly Job[]): NoticeText {
  const count = (s: JobState): number => jobs.filter((j) => j.state === s).length;
  const parts = [['succeeded', count('DONE')], ['failed', count('FAILED')], ['stopped', count('STOPPED')]] as const;
  const text = parts.filter(([, n]) => n > 0).map(([w, n]) => `${n} ${w}`).join(', ');
  return { severity: count('FAILED') > 0 ? 'error' : 'info', message: `${jobs.length} jobs ended: ${text}.` };
}

/**
 * Ends seen within this long of the first one share one notice. A sweep's jobs end over a second
 * or two and each end can trigger its own refresh (the change watch), so "one per refresh" would
 * still be a storm; a single end waits this long for its notice.
 */
export const NOTICE_WINDOW_MS = 1_500;

/**
 * Collects ended jobs for one notice window: the first end opens the window, every end seen
 * until it closes joins, and `flush` gets them all at once (one job, or several for a summary).
 */
export class EndBatch {
  private pending = new Map<string, Job>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly flush: (ended: Job[]) => void,
    private readonly windowMs = NOTICE_WINDOW_MS,
  ) {}

  add(jobs: readonly Job[]): void {
    for (const j of jobs) this.pending.set(jobKey(j), j);
    if (this.pending.size === 0 || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const ended = [...this.pending.values()];
      this.pending = new Map();
      if (ended.length) this.flush(ended);
    }, this.windowMs);
  }

  /** These jobs' ends were told by a command meanwhile: they leave the window. */
  drop(jobs: readonly Pick<Job, 'name' | 'host'>[]): void {
    for (const j of jobs) this.pending.delete(jobKey(j));
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }
}
