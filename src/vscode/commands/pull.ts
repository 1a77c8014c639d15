import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { workspaceRoot } from '../config';
import type { CloudJobs } from '../context';
import { passphraseAsker } from '../secrets';
import { requireTrust } from '../trust';
import { jobArg } from './jobArg';

/** Pull Results: copies the job's recorded output dir into the workspace. */
export async function pullResults(ctx: CloudJobs, arg?: unknown): Promise<{ localDir: string; files: number } | undefined> {
  requireTrust('pull results');
  const job = await jobArg(ctx, arg, undefined, 'pull the results of');
  if (!job) return undefined;
  if (!job.outputDir) throw new UserError(`Nothing to pull: ${job.name} was started without an output dir.`);
  const remoteDir = job.outputDir.startsWith('/') || job.outputDir.startsWith('~') || !job.workdir ? job.outputDir : `${job.workdir.replace(/\/$/, '')}/${job.outputDir}`;
  const root = workspaceRoot();
  if (!root) throw new UserError('Open a folder first: results are pulled into it.');
  const localDir = path.join(root, path.basename(job.outputDir.replace(/\/+$/, '')) || job.name);
  const [{ createLocalTarget }, { createSshTarget }, { pullDir }] = await Promise.all([
    import('../../host/localTarget.js'),
    import('../../core/ssh/sshTarget.js'),
    import('../../core/transfer/index.js'),
  ]);
  const target = job.host === 'local' ? createLocalTarget() : createSshTarget(await ctx.config.hostConfig(job.host), { name: job.host, askPassphrase: passphraseAsker(ctx.ext.secrets) });
  try {
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cloud Jobs: pulling ${job.name}…` }, () =>
      pullDir(target, remoteDir, localDir),
    );
    const shown = path.relative(root, r.localDir) || '.';
    void vscode.window.showInformationMessage(`Pulled ${r.files} file${r.files === 1 ? '' : 's'} of ${job.name} into ${shown}.`, 'Reveal').then((pick) => {
      if (pick) void vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(r.localDir));
    });
    return { localDir: r.localDir, files: r.files };
  } finally {
    await target.close();
  }
}
