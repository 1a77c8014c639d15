/**
 * Job state from what the host reports (pure; unit-tested). The host prints NUL-separated
 * `key`, `value` pairs: a header (`home`, `root`, `now`), then per job `job NAME`, `alive` when
 * its tmux session exists, and the contents of its marker files (lib/common.sh `emit`); on a
 * Slurm host also `squeue`, its Slurm state (lib/slurm.sh `slurm_emit`, slurmState.ts).
 */
import type { Job, JobState } from '../jobs/model';
import { portsOf } from '../ports/portSpec';
import { parseProgress } from '../jobs/progress';
import { parseCloudWatch } from '../cloudwatch/shipping';
import { deriveSlurmState } from './slurmState';

export interface HostHeader {
  /** The target user's home. */
  home: string;
  /** The log root, absolute. */
  root: string;
  /** The host's clock, epoch seconds. */
  now: number;
}

export interface JobRecord {
  name: string;
  /** A tmux session of this name exists. */
  alive: boolean;
  /** Marker file name → contents (meta.json, workdir, created, started, ended, exit, stopped, queued, runner.pid, attempt, no-retry). */
  files: Record<string, string>;
}

export interface HostReport {
  header: HostHeader;
  jobs: JobRecord[];
}

export const VANISHED_REASON = 'the tmux session vanished without an exit line';
/** A dir without a runner yet counts as STARTING for this long (the run script is creating the session). */
export const STARTING_WINDOW_SECONDS = 60;

export function parseReport(out: Buffer): HostReport {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < out.length; i++) {
    if (out[i] === 0) {
      parts.push(out.subarray(start, i).toString('utf8'));
      start = i + 1;
    }
  }
  const header: HostHeader = { home: '', root: '', now: 0 };
  const jobs: JobRecord[] = [];
  let current: JobRecord | undefined;
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const key = parts[i]!;
    const value = parts[i + 1]!;
    if (key === 'job') {
      current = { name: value, alive: false, files: {} };
      jobs.push(current);
    } else if (current === undefined) {
      if (key === 'home') header.home = value;
      else if (key === 'root') header.root = value;
      else if (key === 'now') header.now = Number(value) || 0;
    } else if (key === 'alive') {
      current.alive = true;
    } else {
      current.files[key] = value;
    }
  }
  return { header, jobs };
}

interface Meta {
  command?: string;
  workdir?: string;
  createdAt?: string;
  outputDir?: string | null;
  route?: string | null;
  attempt?: number;
  ports?: unknown;
}

function parseMeta(text: string | undefined): Meta {
  if (text === undefined) return {};
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? (v as Meta) : {};
  } catch {
    return {};
  }
}

function marker(rec: JobRecord, file: string): string | undefined {
  const v = rec.files[file];
  return v === undefined ? undefined : v.trim();
}

/** The state and its reason, exactly as docs/remote-layout.md describes. */
export function deriveState(rec: JobRecord, now: number): { state: JobState; exitCode: number | null; reason: string | null } {
  const exitText = marker(rec, 'exit');
  const exitCode = exitText !== undefined && /^\d+$/.test(exitText) ? Number(exitText) : null;
  const stopped = marker(rec, 'stopped');
  const created = Number(marker(rec, 'created'));
  if (rec.files.squeue !== undefined || rec.files['slurm-job-id'] !== undefined) {
    return deriveSlurmState({
      exitCode,
      stopped,
      noRetry: marker(rec, 'no-retry'),
      now: marker(rec, 'squeue'),
      final: marker(rec, 'slurm-state'),
      hasJobId: marker(rec, 'slurm-job-id') !== undefined,
      submitting: Number.isFinite(created) && now - created < STARTING_WINDOW_SECONDS,
    });
  }
  if (exitCode !== null) {
    if (stopped !== undefined) return { state: 'STOPPED', exitCode, reason: stopped || null };
    if (exitCode === 0) return { state: 'DONE', exitCode, reason: null };
    // Why a failure with --retries was not retried (guardrail L2), when that is why it ended.
    return { state: 'FAILED', exitCode, reason: marker(rec, 'no-retry') || null };
  }
  if (rec.alive) {
    if (marker(rec, 'started') !== undefined) return { state: 'RUNNING', exitCode: null, reason: null };
    if (marker(rec, 'queued') !== undefined) return { state: 'QUEUED', exitCode: null, reason: null };
    return { state: 'STARTING', exitCode: null, reason: null };
  }
  if (stopped !== undefined) return { state: 'STOPPED', exitCode: null, reason: stopped || null };
  if (marker(rec, 'runner.pid') === undefined && Number.isFinite(created) && now - created < STARTING_WINDOW_SECONDS) {
    return { state: 'STARTING', exitCode: null, reason: null };
  }
  return { state: 'FAILED', exitCode: null, reason: VANISHED_REASON };
}

export function toJob(rec: JobRecord, header: HostHeader, host: string): Job {
  const meta = parseMeta(rec.files['meta.json']);
  const { state, exitCode, reason } = deriveState(rec, header.now);
  return {
    name: rec.name,
    state,
    exitCode,
    host,
    logPath: `${header.root}/${rec.name}/run.log`,
    startedAt: marker(rec, 'started') || null,
    endedAt: marker(rec, 'ended') || null,
    command: typeof meta.command === 'string' ? meta.command : null,
    workdir: marker(rec, 'workdir') || (typeof meta.workdir === 'string' ? resolveHome(meta.workdir, header.home) : null),
    outputDir: typeof meta.outputDir === 'string' ? meta.outputDir : null,
    reason,
    route: typeof meta.route === 'string' ? meta.route : null,
    attempt: Number(marker(rec, 'attempt')) || (typeof meta.attempt === 'number' ? meta.attempt : 1),
    gpus: gpusOf(marker(rec, 'gpus')),
    createdAt: typeof meta.createdAt === 'string' ? meta.createdAt : null,
    ports: portsOf(meta.ports),
    progress: state === 'RUNNING' ? parseProgress(rec.files.progress) : null,
    ...(rec.files.cloudwatch !== undefined ? { cloudwatch: parseCloudWatch(rec.files.cloudwatch) } : {}),
    ...(rec.files['slurm-job-id'] !== undefined ? { slurmJobId: marker(rec, 'slurm-job-id') || null } : {}),
  };
}

/** `0,2` → [0, 2]; null when the job holds none. */
function gpusOf(text: string | undefined): number[] | null {
  if (!text || !/^\d+(,\d+)*$/.test(text)) return null;
  return text.split(',').map(Number);
}

/** `~` and `~/x` are the target user's home (what the host script wrote when it could). */
function resolveHome(path: string, home: string): string {
  if (!home) return path;
  if (path === '~') return home;
  return path.startsWith('~/') ? `${home}/${path.slice(2)}` : path;
}

/** Jobs of a report, newest first (by creation time, then name). */
export function jobsOf(report: HostReport, host: string): Job[] {
  const created = new Map<string, string>();
  for (const rec of report.jobs) created.set(rec.name, parseMeta(rec.files['meta.json']).createdAt ?? '');
  return report.jobs
    .map((rec) => toJob(rec, report.header, host))
    .sort((a, b) => (created.get(b.name) ?? '').localeCompare(created.get(a.name) ?? '') || a.name.localeCompare(b.name));
}
