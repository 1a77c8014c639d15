import * as vscode from 'vscode';
import type { Job } from '../../core/jobs/model';
import { isActive } from '../../core/jobs/model';
import { attachTerminal } from '../terminal';
import type { CloudJobs } from '../context';
import { requireTrust } from '../trust';
import { jobArg } from './jobArg';
import { jobCommandOptions, jobRefOf } from '../jobRef';
import { STOPPED_HERE, stopSelected } from './stopSelected';
import { selectedJobs } from '../stopSelection';

const STOPPED_ALL_HERE = 'stopped by Stop All in VS Code (guardrail L4)';

/** `{ preserveFocus: true }` from a click on a row: the log shows and the keyboard stays in the tree. */
export async function showLogs(ctx: CloudJobs, arg?: unknown, options?: unknown): Promise<void> {
  let job: Pick<Job, 'name' | 'host'> | undefined;
  try {
    job = await jobArg(ctx, arg, undefined, 'show the log of');
  } catch (e) {
    // A job its host cannot list now (box stopped, host unreachable) may still have a cached log.
    const ref = jobRefOf(arg);
    job = ref ? await ctx.logs.cachedJob(ref.name, ref.host) : undefined;
    if (!job) throw e;
  }
  const preserveFocus = typeof options === 'object' && options !== null && (options as { preserveFocus?: unknown }).preserveFocus === true;
  if (job) ctx.logs.show(job, preserveFocus);
}

/** Attach in Terminal; a job that has ended has no session any more, and that is said plainly. */
export async function attach(ctx: CloudJobs, arg?: unknown): Promise<vscode.Terminal | undefined> {
  let job = await jobArg(ctx, arg, ['RUNNING', 'STARTING'], 'attach to');
  if (!job) return undefined;
  // the row may be a poll behind: ask the host
  if (isActive(job.state)) job = (await ctx.jobs.reread(job).catch(() => job)) ?? job;
  if (!isActive(job.state)) {
    const how = job.state === 'FAILED' ? `failed${job.exitCode === null ? '' : ` with exit ${job.exitCode}`}` : job.state === 'DONE' ? 'finished' : 'was stopped';
    const ended = job;
    const text = `${job.name} ${how}, so there is no tmux session to attach to; its log is kept.`;
    ctx.log.info(`attach: ${text}`);
    void vscode.window.showInformationMessage(text, 'Show Logs').then((pick) => {
      if (pick) ctx.logs.show(ended);
    });
    return undefined;
  }
  if (job.state === 'QUEUED') {
    void vscode.window.showInformationMessage(`${job.name} is queued: its tmux session starts when a slot is free.`);
    return undefined;
  }
  return attachTerminal(ctx, job);
}

export async function openFullLog(ctx: CloudJobs, arg?: unknown): Promise<void> {
  const job = await jobArg(ctx, arg, undefined, 'open the full log of');
  if (job) await ctx.logs.openFull(job);
}

/**
 * Stop: the row (or named job), or every selected row when several are (`selected`, from the
 * tree). `{ confirmed: true }` as `arg` or `options`: the caller already asked.
 */
export async function stop(ctx: CloudJobs, arg?: unknown, selected?: unknown, options?: unknown): Promise<Job | Job[] | undefined> {
  requireTrust('stop jobs');
  const many = selectedJobs(arg, selected);
  if (many) return stopSelected(ctx, many, jobCommandOptions(options).confirmed);
  const job = await jobArg(ctx, arg, ['QUEUED', 'STARTING', 'RUNNING'], 'stop');
  if (!job) return undefined;
  if (!jobCommandOptions(arg).confirmed) {
    const ok = await vscode.window.showWarningMessage(`Stop ${job.name} on ${job.host}?`, { modal: true, detail: `${job.command ?? ''}\n\nIts log is kept.` }, 'Stop');
    if (ok !== 'Stop') return undefined;
  }
  const stopped = await ctx.notices.quietly([job], () => ctx.jobs.stop(job, STOPPED_HERE), (s) => [s]);
  void vscode.window.showInformationMessage(`Stopped ${stopped.name}.`);
  return stopped;
}

/** Stop All (L4). `{ confirmed: true }` from a caller that already asked. */
export async function stopAll(ctx: CloudJobs, arg?: unknown): Promise<Job[]> {
  requireTrust('stop jobs');
  await ctx.jobs.refresh();
  const active = ctx.jobs.snapshot.jobs.filter((j) => j.state === 'QUEUED' || j.state === 'STARTING' || j.state === 'RUNNING');
  if (active.length === 0) {
    void vscode.window.showInformationMessage('No job is running or queued.');
    return [];
  }
  if (!jobCommandOptions(arg).confirmed) {
    const ok = await vscode.window.showWarningMessage(
      `Stop all ${active.length} running or queued jobs?`,
      { modal: true, detail: active.map((j) => `${j.name} (${j.host})`).join('\n') },
      'Stop All',
    );
    if (ok !== 'Stop All') return [];
  }
  const stopped = await ctx.notices.quietly(active, () => ctx.jobs.stopAll(STOPPED_ALL_HERE), (s) => s);
  const queued = stopped.filter((j) => active.some((a) => a.name === j.name && a.host === j.host && a.state === 'QUEUED')).length;
  const hosts = [...new Set(stopped.map((j) => j.host))].join(', ');
  const text = `Stop All (L4): stopped ${stopped.length} job${stopped.length === 1 ? '' : 's'}${queued ? `, ${queued} of them queued,` : ''} on ${hosts || 'no host'}.`;
  ctx.log.info(text);
  void vscode.window.showInformationMessage(text);
  return stopped;
}

export async function refresh(ctx: CloudJobs): Promise<void> {
  await ctx.jobs.refresh();
}

export async function copyName(ctx: CloudJobs, arg?: unknown): Promise<void> {
  const job = await jobArg(ctx, arg, undefined, 'copy the name of');
  if (job) await vscode.env.clipboard.writeText(job.name);
}
