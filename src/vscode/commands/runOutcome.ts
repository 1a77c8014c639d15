import * as vscode from 'vscode';
import type { Job } from '../../core/jobs/model';
import { isActive } from '../../core/jobs/model';
import { renderLog } from '../../core/logs/render';
import { completionNotice } from '../completion';
import type { CloudJobs } from '../context';
import { jobRef } from '../jobRef';

/** How long a just-started job is watched before "Started" is said (a missing file fails within it). */
export const SETTLE_MS = 1_500;
const SETTLE_STEP_MS = 500;

/** Re-reads a just-started job for a moment, so a job that fails at once is not called started. */
export async function settle(ctx: CloudJobs, job: Job): Promise<Job> {
  let current = job;
  for (let waited = 0; waited < SETTLE_MS && isActive(current.state); waited += SETTLE_STEP_MS) {
    await new Promise((r) => setTimeout(r, SETTLE_STEP_MS));
    current = (await ctx.jobs.reread(current).catch(() => current)) ?? current;
  }
  return current;
}

/** The last lines of a log as one line for a notice (rendered, without the exit line). */
async function lastLines(ctx: CloudJobs, job: Job): Promise<string> {
  try {
    const raw = (await (await ctx.jobs.engineOf(job)).readLog(job.name, { tailLines: 4 })).toString('utf8');
    const lines = renderLog(raw).split('\n').map((l) => l.trim()).filter((l) => l && !/^\[EXIT: -?\d+\]$/.test(l));
    const text = lines.slice(-3).join(' ⏎ ');
    return text.length > 300 ? `…${text.slice(-300)}` : text;
  } catch {
    return '';
  }
}

/**
 * After Run on EC2: "Started …" with Show Logs and Attach while the job runs; for a job that
 * already ended (a typo, a missing file), its notice with exit code and last lines instead.
 */
export function announceStart(ctx: CloudJobs, job: Job, syncedTo: string | undefined): void {
  const end = ctx.notices.unhush(job);
  // Stop clicked while the start was being watched: its "Stopped X." (said, or about to be, when
  // the settle read the stop before Stop's own answer came) is the whole story
  if (end === 'told' || (end === 'held' && job.state === 'STOPPED')) return;
  // An end the settle saw is told below: the listing that sees it later must not tell it again.
  ctx.notices.seen([job]);
  if (isActive(job.state) && end !== 'untold') {
    const synced = syncedTo ? ` (workspace synced to ${syncedTo})` : '';
    void vscode.window.showInformationMessage(`Started ${job.name} on ${job.host}${synced}.`, 'Show Logs', 'Attach').then((pick) => {
      if (pick === 'Show Logs') ctx.logs.show(job);
      if (pick === 'Attach') void vscode.commands.executeCommand('cloudJobs.attach', jobRef(job));
    });
    return;
  }
  void (async () => {
    const ended = isActive(job.state) ? ((await ctx.jobs.reread(job).catch(() => job)) ?? job) : job;
    const n = completionNotice(ended);
    const tail = await lastLines(ctx, ended);
    const exit = ended.exitCode === null ? 'no exit code' : `exit ${ended.exitCode}`;
    const head = ended.state === 'FAILED' ? `${ended.name} failed on ${ended.host} right after it started: ${exit}${ended.reason ? ` (${ended.reason})` : ''}.` : n.message;
    const message = `${head}${tail ? ` Last lines: ${tail}` : ''}`;
    const pick = await ctx.notices.announce({ severity: n.severity, message }, ['Show Logs']);
    if (pick === 'Show Logs') ctx.logs.show(ended);
  })();
}
