import * as vscode from 'vscode';
import type { Job } from '../../core/jobs/model';
import { isActive } from '../../core/jobs/model';
import { errorMessage } from '../../core/errors';
import type { CloudJobs } from '../context';
import { stopSelectionSummary } from '../stopSelection';

/** What a job's record says stopped it (the tooltip's "Why stopped"): not `orch stop`. */
export const STOPPED_HERE = 'stopped from VS Code';

/** Stops run a few at a time: each is one exec on the host's connection. */
const AT_ONCE = 4;

async function pool<T, R>(items: readonly T[], n: number, f: (t: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!).then(
        (value) => ({ status: 'fulfilled', value }) as const,
        (reason: unknown) => ({ status: 'rejected', reason }) as const,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/**
 * Stop on several selected rows: one confirmation naming the count, the active ones stopped
 * (already ended ones are left as they are), one notice that sums it up. No completion notice
 * follows for the stopped jobs: this notice is theirs.
 */
export async function stopSelected(ctx: CloudJobs, jobs: readonly Job[], confirmed: boolean): Promise<Job[]> {
  const active = jobs.filter((j) => isActive(j.state));
  const ended = jobs.length - active.length;
  if (active.length === 0) {
    void vscode.window.showInformationMessage(`None of the ${jobs.length} selected jobs is running or queued.`);
    return [];
  }
  if (!confirmed) {
    const names = active.slice(0, 15).map((j) => `${j.name} (${j.host})`);
    if (active.length > 15) names.push(`… and ${active.length - 15} more`);
    const skip = ended ? `\n\n${ended} selected job${ended === 1 ? ' has' : 's have'} already ended and ${ended === 1 ? 'is' : 'are'} left as ${ended === 1 ? 'it is' : 'they are'}.` : '';
    const ok = await vscode.window.showWarningMessage(`Stop ${active.length} job${active.length === 1 ? '' : 's'}?`, { modal: true, detail: `${names.join('\n')}\n\nTheir logs are kept.${skip}` }, 'Stop');
    if (ok !== 'Stop') return [];
  }
  const fulfilled = (rs: PromiseSettledResult<Job>[]): Job[] => rs.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const results = await ctx.notices.quietly(active, () => pool(active, AT_ONCE, (j) => ctx.jobs.stop(j, STOPPED_HERE)), fulfilled);
  const stopped = fulfilled(results);
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ job: active[i]!, error: errorMessage(r.reason) }] : []));
  const text = stopSelectionSummary(active.length, stopped.length, ended, failures.map((f) => `${f.job.name}: ${f.error}`));
  ctx.log.info(text);
  if (failures.length) void vscode.window.showWarningMessage(text);
  else void vscode.window.showInformationMessage(text);
  return stopped;
}
