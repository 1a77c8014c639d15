import type { Job } from '../core/jobs/model';
import { formatProgress } from '../core/jobs/progress';

/** A job as `status --json` / `list --json` print it: every field of the model, stable order. */
export function jobJson(job: Job): Record<string, unknown> {
  return {
    name: job.name,
    state: job.state,
    exitCode: job.exitCode,
    host: job.host,
    logPath: job.logPath,
    startedAt: job.startedAt,
    endedAt: job.endedAt,
    command: job.command,
    workdir: job.workdir,
    outputDir: job.outputDir,
    reason: job.reason,
    route: job.route,
    attempt: job.attempt,
    ports: job.ports ?? [],
    gpus: job.gpus ?? null,
    progress: job.progress ?? null,
    cloudwatch: job.cloudwatch ?? null,
    ...(job.slurmJobId !== undefined ? { slurmJobId: job.slurmJobId } : {}),
  };
}

export function jobsJson(jobs: readonly Job[]): string {
  return JSON.stringify(jobs.map(jobJson), null, 2);
}

/** `45s`, `3m05s`, `2h03m`, `1d04h`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d${pad(Math.floor(s / 3600) % 24)}h`;
}

/** Local time `YYYY-MM-DD HH:MM`, or `-`. */
export function formatStarted(iso: string | null): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function elapsedOf(job: Job, now: Date): string {
  if (!job.startedAt) return '-';
  const start = Date.parse(job.startedAt);
  const end = job.endedAt ? Date.parse(job.endedAt) : now.getTime();
  if (Number.isNaN(start) || Number.isNaN(end)) return '-';
  return formatElapsed(end - start);
}

/**
 * An aligned table: NAME STATE EXIT STARTED ELAPSED HOST, two spaces between columns; GPUS when
 * a job holds some, and with `progress` (orch status) a PROGRESS column, both before HOST.
 */
export function jobsTable(jobs: readonly Job[], now = new Date(), opts: { progress?: boolean } = {}): string {
  const withGpus = jobs.some((j) => j.gpus?.length);
  const extra = (j: Job): string[] => [
    ...(withGpus ? [j.gpus?.length ? j.gpus.join(',') : '-'] : []),
    ...(opts.progress ? [formatProgress(j.progress)] : []),
  ];
  const rows = [
    ['NAME', 'STATE', 'EXIT', 'STARTED', 'ELAPSED', ...(withGpus ? ['GPUS'] : []), ...(opts.progress ? ['PROGRESS'] : []), 'HOST'],
    ...jobs.map((j) => [j.name, j.state, j.exitCode === null ? '-' : String(j.exitCode), formatStarted(j.startedAt), elapsedOf(j, now), ...extra(j), j.host]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')).join('\n');
}

/**
 * The exit status a waiting caller gets: the command's own status when it ran to its end;
 * 143 for a stopped job (as for SIGTERM), 1 for a job that failed without an exit status.
 */
export function exitStatusOf(job: Job): number {
  if (job.exitCode !== null) return job.exitCode;
  if (job.state === 'STOPPED') return 143;
  if (job.state === 'DONE') return 0;
  return 1;
}

/** `job NAME DONE (exit 0) after 3s` — the line `--wait` prints when the job ends. */
export function outcomeLine(job: Job, now = new Date()): string {
  const exit = job.exitCode === null ? '' : ` (exit ${job.exitCode})`;
  const why = job.reason ? `: ${job.reason}` : '';
  return `job ${job.name} ${job.state}${exit} after ${elapsedOf(job, now)}${why}`;
}

/** The last `n` lines of a log (a final line without newline counts as a line). */
export function lastLines(text: Buffer, n: number): Buffer {
  if (n <= 0) return text.subarray(text.length);
  let end = text.length;
  if (end > 0 && text[end - 1] === 0x0a) end--;
  let seen = 0;
  for (let i = end - 1; i >= 0; i--) {
    if (text[i] === 0x0a && ++seen === n) return text.subarray(i + 1);
  }
  return text;
}
