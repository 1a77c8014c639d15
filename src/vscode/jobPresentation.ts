// How a job looks in the tree: pure (no `vscode` import) so it is unit-tested in plain mocha.
import type { Job, JobState } from '../core/jobs/model';
import { isActive } from '../core/jobs/model';
import { attemptText, l1Text, type JobMark } from './guardrailMarks';
import { formatProgress } from '../core/jobs/progress';
import { formatPortSpec } from '../core/ports/portSpec';
import { freeGpuText } from '../core/jobs/jobView';
import { cloudWatchProgress, sizeText } from '../core/cloudwatch/shipping';
import { formatDuration as coarseDuration } from '../core/ec2/box';

export interface StateLook {
  /** Codicon id (`~spin` animates). */
  icon: string;
  /** ThemeColor id. */
  color: string;
  label: string;
}

/** Each state has its own icon and colour, so a glance at the tree tells them apart. */
export const STATE_LOOK: Readonly<Record<JobState, StateLook>> = {
  QUEUED: { icon: 'watch', color: 'charts.yellow', label: 'queued' },
  STARTING: { icon: 'loading~spin', color: 'charts.purple', label: 'starting' },
  RUNNING: { icon: 'sync~spin', color: 'charts.blue', label: 'running' },
  DONE: { icon: 'pass-filled', color: 'testing.iconPassed', label: 'done' },
  FAILED: { icon: 'error', color: 'testing.iconFailed', label: 'failed' },
  STOPPED: { icon: 'debug-stop', color: 'charts.orange', label: 'stopped' },
};

/**
 * `job.<state>` plus flags; menus match it with regular expressions in package.json
 * (`viewItem =~ /^job\.(queued|starting|running)\b/`, `viewItem =~ /\.rerunnable\b/`, ...).
 */
export function jobContextValue(job: Job): string {
  const parts = ['job', job.state.toLowerCase()];
  if (!isActive(job.state) && job.command) parts.push('rerunnable');
  if (job.outputDir) parts.push('pullable');
  if (job.ports?.length) parts.push('served');
  // L3: only the host knows whether a commit was recorded; the action checks before it asks
  if (!isActive(job.state) && job.workdir) parts.push('rollbackable');
  return parts.join('.');
}

/** `1h 02m`, `3m 12s`, `45s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m ${String(sec).padStart(2, '0')}s`;
  return `${sec}s`;
}

function elapsedMs(job: Job, now: number): number | undefined {
  if (!job.startedAt) return undefined;
  const start = Date.parse(job.startedAt);
  const end = job.endedAt ? Date.parse(job.endedAt) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? undefined : end - start;
}

/** Elapsed time while active, exit code (and run time) once ended; L1 match and attempt when known. */
export function jobDescription(job: Job, now: number, mark?: JobMark, forwarded: readonly string[] = []): string {
  const ports = forwarded.length ? `⇄ ${forwarded.map((f) => f.split(' ')[0]).join(', ')}` : '';
  return [l1Text(mark), stateDescription(job, now), gpuText(job), attemptText(job.attempt, mark), slurmText(job), cloudWatchBrief(job), ports].filter(Boolean).join(' · ');
}

/** `GPU 0,2` while a job holds GPUs of its host (its CUDA_VISIBLE_DEVICES). */
export function gpuText(job: Job): string | undefined {
  return job.gpus?.length && isActive(job.state) ? `GPU ${job.gpus.join(',')}` : undefined;
}

/** `CloudWatch ✓` once a --cloudwatch job's log is all shipped; while not: how far behind, or that it retries. */
export function cloudWatchBrief(job: Job): string | undefined {
  const c = job.cloudwatch;
  if (!c) return undefined;
  if (c.error) return 'CloudWatch retrying';
  if (c.state === 'done') return 'CloudWatch ✓';
  return c.lagBytes > 0 ? `CloudWatch ${sizeText(c.lagBytes)} behind` : 'CloudWatch';
}

/** `Slurm 1234` for a job on a Slurm host (its Slurm job id). */
export function slurmText(job: Job): string | undefined {
  return job.slurmJobId ? `Slurm ${job.slurmJobId}` : undefined;
}

/**
 * A running row's clock, in whole minutes (`<1 min`, `12 min`, `1 h 5 min`): the tree redraws
 * only when a row's text changes, and a redraw costs clicks (see JobsTreeProvider.tick), so a
 * clock in seconds would mean a redraw every second. The tooltip has the exact time.
 */
export function runningClock(job: Job, now: number): string {
  const elapsed = elapsedMs(job, now);
  if (elapsed === undefined) return '';
  return elapsed < 60_000 ? '<1 min' : coarseDuration(elapsed);
}

function stateDescription(job: Job, now: number): string {
  const elapsed = elapsedMs(job, now);
  const time = elapsed === undefined ? '' : formatDuration(elapsed);
  switch (job.state) {
    case 'QUEUED':
      return 'queued';
    case 'STARTING':
      return 'starting';
    case 'RUNNING': {
      // The latest progress line (tqdm, Keras, N/M), parsed on the host.
      const progress = job.progress ? ` · ${formatProgress(job.progress)}` : '';
      const clock = runningClock(job, now);
      return (clock ? `running ${clock}` : 'running') + progress;
    }
    case 'STOPPED':
      return time ? `stopped · ${time}` : 'stopped';
    default: {
      const exit = job.exitCode === null ? job.state.toLowerCase() : `exit ${job.exitCode}`;
      return time ? `${exit} · ${time}` : exit;
    }
  }
}

/** Escapes what could turn text into markup in a tooltip (intraword `_`, `.` and `-` are safe). */
export function mdEscape(s: string): string {
  return s.replace(/[\\`*[\]<>|]/g, '\\$&');
}

/** Markdown for the tooltip: command, host, start, log path and why it was routed there. */
export function jobTooltipMarkdown(job: Job, now: number, mark?: JobMark, forwarded: readonly string[] = []): string {
  const rows: string[] = [`**${mdEscape(job.name)}** — ${STATE_LOOK[job.state].label}`, ''];
  if (job.command) rows.push('```sh', job.command.replace(/```/g, '` ` `'), '```', '');
  rows.push(`- **Host:** ${mdEscape(job.host)}`);
  if (job.slurmJobId) rows.push(`- **Slurm job:** ${mdEscape(job.slurmJobId)}`);
  if (job.cloudwatch) rows.push(`- **CloudWatch:** \`${job.cloudwatch.group}\` stream \`${job.cloudwatch.stream}\`: ${mdEscape(cloudWatchProgress(job.cloudwatch))}`);
  if (job.workdir) rows.push(`- **Runs in:** \`${job.workdir.replace(/`/g, "'")}\``);
  if (job.startedAt) rows.push(`- **Started:** ${mdEscape(new Date(job.startedAt).toLocaleString())}`);
  const elapsed = elapsedMs(job, now);
  if (elapsed !== undefined) rows.push(`- **${isActive(job.state) ? 'Elapsed' : 'Ran for'}:** ${formatDuration(elapsed)}`);
  if (job.state === 'RUNNING' && job.progress) rows.push(`- **Progress:** ${mdEscape(formatProgress(job.progress))}`);
  if (job.ports?.length) rows.push(`- **Ports:** ${job.ports.map(formatPortSpec).join(', ')}`);
  for (const f of forwarded) rows.push(`- **Forwarded:** ${mdEscape(f)}`);
  if (job.exitCode !== null) rows.push(`- **Exit code:** ${job.exitCode}`);
  if (job.reason) rows.push(`- **Why ${job.state.toLowerCase()}:** ${mdEscape(job.reason)}`);
  rows.push(`- **Log:** \`${job.logPath.replace(/`/g, "'")}\``);
  if (job.outputDir) rows.push(`- **Output dir:** \`${job.outputDir.replace(/`/g, "'")}\``);
  if (job.gpus?.length) rows.push(`- **GPUs:** ${job.gpus.join(', ')} (CUDA_VISIBLE_DEVICES)`);
  const attempt = attemptText(job.attempt, mark);
  if (attempt) rows.push(`- **Retries (L2):** ${attempt}`);
  if (mark?.l1) rows.push(`- **Log watch (L1):** \`${mark.l1.text.replace(/`/g, "'")}\` (${mdEscape(mark.l1.pattern)}) at line ${mark.l1.line}`);
  rows.push(`- **Routed here because:** ${job.route ? mdEscape(job.route) : 'not recorded'}`);
  return rows.join('\n');
}

/** Stable tree item id: one job name per host. */
export function jobItemId(job: Job): string {
  return `job:${job.host}:${job.name}`;
}

/**
 * A host node's description: `unreachable`, or its running count (`2 running · 5 jobs`), and
 * its GPUs: `2 of 4 GPUs free` when its inventory is known, else the ones in use (`GPU 0,1 in use`).
 */
export function hostDescription(jobs: readonly Job[], error: string | undefined, loaded: boolean, gpuInventory?: number): string {
  if (error !== undefined) return 'unreachable';
  if (!loaded) return 'connecting…';
  const running = jobs.filter((j) => j.state === 'RUNNING').length;
  const total = `${jobs.length} job${jobs.length === 1 ? '' : 's'}`;
  const free = freeGpuText(gpuInventory, jobs);
  const held = heldGpus(jobs);
  const gpus = free ? ` · ${free}` : held.length ? ` · GPU ${held.join(',')} in use` : '';
  return (running ? `${running} running · ${total}` : total) + gpus;
}

/** The GPU indices the host's active jobs hold, in order. */
export function heldGpus(jobs: readonly Job[]): number[] {
  return jobs.filter((j) => isActive(j.state)).flatMap((j) => j.gpus ?? []).sort((a, b) => a - b);
}
