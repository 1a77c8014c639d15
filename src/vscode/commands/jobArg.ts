import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import type { Job, JobState } from '../../core/jobs/model';
import { STATE_LOOK } from '../jobPresentation';
import type { CloudJobs } from '../context';
import { jobRefOf } from '../jobRef';

/**
 * The job a command acts on: the one its argument names (see jobRef.ts: a tree row, a name, or
 * `{ name, host }`), else the user's pick among the listed jobs in the given states.
 */
export async function jobArg(ctx: CloudJobs, arg: unknown, states: readonly JobState[] | undefined, verb: string): Promise<Job | undefined> {
  const ref = jobRefOf(arg);
  if (ref?.job) return ref.job;
  if (ref) {
    const { name, host } = ref;
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
