// Stop on several rows: which rows it acts on and what it says when done; pure, so unit-tested.
import type { Job } from '../core/jobs/model';
import { jobRefOf } from './jobRef';

/**
 * `Stopped 3 jobs.`, `Stopped 2 of 3 jobs; sweep-3: <why>.`, with `(1 selected job had already
 * ended.)` when the selection held finished rows.
 */
export function stopSelectionSummary(asked: number, stopped: number, alreadyEnded: number, failures: readonly string[]): string {
  const plural = (n: number): string => `${n} job${n === 1 ? '' : 's'}`;
  const head = stopped === asked ? `Stopped ${plural(stopped)}.` : `Stopped ${stopped} of ${plural(asked)}; could not stop ${failures.map((f) => f.replace(/\.$/, '')).join('; ')}.`;
  const ended = alreadyEnded ? ` (${alreadyEnded} selected job${alreadyEnded === 1 ? '' : 's'} had already ended.)` : '';
  return head + ended;
}

/**
 * The rows a row action was invoked with when several are selected: VS Code passes the clicked
 * row and then the whole selection. Undefined for a single row (the one-job path then applies).
 */
export function selectedJobs(arg: unknown, selected: unknown): Job[] | undefined {
  if (!Array.isArray(selected) || selected.length < 2) return undefined;
  // rows only (a row's reference carries its job); host rows and names are not a selection of jobs
  const jobs = selected.flatMap((n) => jobRefOf(n)?.job ?? []);
  const clicked = jobRefOf(arg)?.job;
  // a click on a row outside the selection acts on that row alone, as VS Code's own lists do
  if (clicked && !jobs.some((j) => j.name === clicked.name && j.host === clicked.host)) return undefined;
  return jobs.length > 1 ? jobs : undefined;
}
