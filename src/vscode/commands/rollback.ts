import * as vscode from 'vscode';
import type { RollbackResult } from '../../core/guardrails';
import type { CloudJobs } from '../context';
import { requireTrust } from '../trust';
import { jobArg } from './jobArg';
import { jobCommandOptions } from '../jobRef';

/**
 * Rollback (guardrail L3): resets an ended job's git workdir on its host to the commit recorded
 * before the job, after a modal confirmation naming the host, workdir and commit (a dry run on
 * the host checks first, so a job without a recorded commit is refused before anything is
 * asked). `{ confirmed: true }` from a caller that already asked.
 */
export async function rollback(ctx: CloudJobs, arg?: unknown): Promise<RollbackResult | undefined> {
  requireTrust('roll back workdirs');
  const job = await jobArg(ctx, arg, ['DONE', 'FAILED', 'STOPPED'], 'roll back the workdir of');
  if (!job) return undefined;
  const { rollbackDone, rollbackJob } = await import('../../core/guardrails/index.js');
  const engine = await ctx.jobs.engineOf(job);
  const plan = await rollbackJob(engine, job.name, { dryRun: true });
  const commit = plan.commit.slice(0, 12);
  if (!jobCommandOptions(arg).confirmed) {
    const ok = await vscode.window.showWarningMessage(
      `Reset ${plan.host}:${plan.workdir} to ${commit}?`,
      {
        modal: true,
        detail: `${commit} is the commit recorded before ${job.name}. Changes to tracked files are discarded (git reset --hard); untracked files such as results, checkpoints and data stay, and nothing outside the workdir is touched.`,
      },
      'Rollback',
    );
    if (ok !== 'Rollback') return undefined;
  }
  const done = await rollbackJob(engine, job.name, { expectCommit: plan.commit });
  const text = rollbackDone(done);
  ctx.log.info(text);
  void vscode.window.showInformationMessage(`${text.charAt(0).toUpperCase()}${text.slice(1)}.`);
  return done;
}
