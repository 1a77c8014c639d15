import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { joinRemote, pullDir } from '../../core/transfer';
import { localOutputDir } from '../../core/transfer/describe';
import { workspaceRoot } from '../config';
import type { CloudJobs } from '../context';
import { requireTrust } from '../trust';
import { jobArg } from './jobArg';

/**
 * Pull Results: copies the job's recorded output dir into the workspace at the same relative
 * path as `orch pull` (and the experiment SYNC) use, over the connection the tree already has.
 */
export async function pullResults(ctx: CloudJobs, arg?: unknown): Promise<{ localDir: string; files: number } | undefined> {
  requireTrust('pull results');
  const job = await jobArg(ctx, arg, undefined, 'pull the results of');
  if (!job) return undefined;
  if (!job.outputDir) throw new UserError(`Nothing to pull: ${job.name} was started without an output dir (set one in Run on EC2, or the cloudJobs.outputDir setting).`);
  const root = workspaceRoot();
  if (!root) throw new UserError('Open a folder first: results are pulled into it.');
  const remoteDir = joinRemote(job.workdir ?? (job.host === 'local' ? await ctx.config.get() : await ctx.config.hostConfig(job.host)).remoteWorkdir, job.outputDir);
  const localDir = localOutputDir(root, job.outputDir, job.name);
  const target = await ctx.jobs.targetOf(job);
  const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cloud Jobs: pulling ${job.name}…` }, () => pullDir(target, remoteDir, localDir));
  const shown = path.relative(root, r.localDir) || '.';
  void vscode.window.showInformationMessage(`Pulled ${r.files} file${r.files === 1 ? '' : 's'} of ${job.name} into ${shown}.`, 'Reveal').then((pick) => {
    if (pick) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(r.localDir));
  });
  return { localDir: r.localDir, files: r.files };
}
