// Which jobs the tree shows and how it groups them: pure (no `vscode`), so a sweep of hundreds
// of jobs is shaped the same way in plain mocha as in the workbench.
import type { Job, JobState } from './model';
import { isActive } from './model';

/** `host`: jobs under their host (today's tree); `state`: Running / Queued / Finished groups. */
export type TreeGrouping = 'host' | 'state';
export const TREE_GROUPINGS: readonly TreeGrouping[] = ['host', 'state'];

export interface JobViewOptions {
  /** Case-insensitive part of a job name; '' shows every job. */
  nameFilter: string;
  /** Finished jobs that ended more than this many days ago are hidden; 0 hides none. */
  hideFinishedAfterDays: number;
}

export const NO_VIEW_OPTIONS: JobViewOptions = { nameFilter: '', hideFinishedAfterDays: 0 };

export interface JobSelection {
  shown: Job[];
  /** Jobs left out because their name does not contain the filter. */
  filteredOut: number;
  /** Jobs (matching the filter) left out because they finished too long ago. */
  aged: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** When a finished job ended (its start or creation when the end was not recorded); NaN when unknown. */
function endedAtMs(job: Job): number {
  return Date.parse(job.endedAt ?? job.startedAt ?? job.createdAt ?? '');
}

/** True for a finished job that ended more than `days` days before `now` (never for `days` 0). */
export function finishedLongAgo(job: Job, days: number, now: number): boolean {
  if (!(days > 0) || isActive(job.state)) return false;
  const end = endedAtMs(job);
  return !Number.isNaN(end) && now - end > days * DAY_MS;
}

export function matchesName(job: Pick<Job, 'name'>, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  return f === '' || job.name.toLowerCase().includes(f);
}

/** The jobs the tree shows, in their listed order, and how many each rule left out. */
export function selectJobs(jobs: readonly Job[], options: JobViewOptions, now: number): JobSelection {
  const shown: Job[] = [];
  let filteredOut = 0;
  let aged = 0;
  for (const job of jobs) {
    if (!matchesName(job, options.nameFilter)) filteredOut++;
    else if (finishedLongAgo(job, options.hideFinishedAfterDays, now)) aged++;
    else shown.push(job);
  }
  return { shown, filteredOut, aged };
}

/** The state groups, in the order the tree shows them. */
export const STATE_GROUPS = ['Running', 'Queued', 'Finished'] as const;
export type StateGroup = (typeof STATE_GROUPS)[number];

/** STARTING counts as Running: its session exists and it holds its slot. */
export function stateGroupOf(state: JobState): StateGroup {
  if (state === 'QUEUED') return 'Queued';
  return isActive(state) ? 'Running' : 'Finished';
}

/** Non-empty state groups in STATE_GROUPS order, each with its jobs in their listed order. */
export function groupByState(jobs: readonly Job[]): { group: StateGroup; jobs: Job[] }[] {
  return STATE_GROUPS.map((group) => ({ group, jobs: jobs.filter((j) => stateGroupOf(j.state) === group) })).filter((g) => g.jobs.length > 0);
}

/**
 * The view's message while rules hide jobs: `3 of 40 jobs shown · name contains "lr" · 12
 * finished more than 7 days ago hidden`; undefined when every job is shown.
 */
export function selectionMessage(total: number, sel: JobSelection, options: JobViewOptions): string | undefined {
  if (sel.filteredOut === 0 && sel.aged === 0) return undefined;
  const parts = [`${sel.shown.length} of ${total} job${total === 1 ? '' : 's'} shown`];
  if (options.nameFilter.trim()) parts.push(`name contains "${options.nameFilter.trim()}"`);
  if (sel.aged > 0) parts.push(`${sel.aged} finished more than ${options.hideFinishedAfterDays} day${options.hideFinishedAfterDays === 1 ? '' : 's'} ago hidden`);
  return parts.join(' · ');
}

/**
 * A host's free GPUs (`2 of 4 GPUs free`) from its inventory and the GPUs its active jobs hold;
 * undefined for a host without GPUs (or whose inventory is unknown).
 */
export function freeGpuText(inventory: number | undefined, jobs: readonly Job[]): string | undefined {
  if (inventory === undefined || !(inventory > 0)) return undefined;
  const held = new Set(jobs.filter((j) => isActive(j.state)).flatMap((j) => j.gpus ?? []));
  const free = Math.max(0, inventory - held.size);
  return `${free} of ${inventory} GPU${inventory === 1 ? '' : 's'} free`;
}

/** Labels longer than this are shortened in the middle, so state and exit code stay in view. */
export const MAX_LABEL = 32;

/**
 * `sweep-lr0.001-bs64-…-seed3-final`: the start and the end of a long name (sweeps differ at the
 * end, projects at the start); the full name stays in the tooltip and the accessible label.
 */
export function shortLabel(name: string, max = MAX_LABEL): string {
  if (name.length <= max) return name;
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${name.slice(0, head)}…${name.slice(name.length - (keep - head))}`;
}
