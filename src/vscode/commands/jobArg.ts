import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import type { Job, JobState } from '../../core/jobs/model';
import { STATE_LOOK } from '../jobPresentation';
import type { CloudJobs } from '../context';

/**
 * The job a command acts on: the tree node it was invoked on, a job name (from another command
 * or a test), or the user's pick among the listed jobs in the given states.
 */
export async function jobArg(ctx: CloudJobs, arg: unknown, states: readonly JobState[] | undefined, verb: string): Promise<Job | undefined> {
  if (arg && typeof arg === 'object' && 'kind' in arg && (arg as { kind: string }).kind === 'job') return (arg as unknown as { job: Job }).job;
  if (typeof arg === 'string' || (arg && typeof arg === 'object' && 'name' in arg)) {
    const name = typeof arg === 'string' ? arg : String((arg as { name: unknown }).name);
    const host = typeof arg === 'object' && arg && 'host' in arg ? String((arg as { host: unknown }).host) : undefined;
    let job = ctx.jobs.find(name, host);
    if (!job) {
      await ctx.jobs.refresh();
      job = ctx.jobs.find(name, host);
    }
    if (!job) throw new UserError(`There is no job named ${name}.`);
    return job;
  }
  await ctx.jobs.refresh();
  const candidates = ctx.jobs.snapshot.jobs.filter((j) => !states || states.includes(j.state));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`No job to ${verb}.`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    candidates.map((job) => ({ label: job.name, description: `${STATE_LOOK[job.state].label} · ${job.host}`, detail: job.command ?? undefined, job })),
    { title: `Cloud Jobs: ${verb}`, placeHolder: `Job to ${verb}` },
  );
  return pick?.job;
}
