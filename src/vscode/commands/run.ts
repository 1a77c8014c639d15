import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { generateJobName, validateJobName } from '../../core/jobs/names';
import type { Job } from '../../core/jobs/model';
import { policy } from '../lazyCore';
import { runOnEc2Asks } from '../autorun';
import type { CloudJobs } from '../context';
import { workspaceRoot } from '../config';
import { runGuardrails } from '../guardrails';
import type { TargetKind } from '../jobsService';
import { pickRunHost, resolveRunHost } from '../hostPick';
import { commandForFile, decisionDetail, decisionSummary, taskFromCommand } from '../routeText';
import { requireTrust } from '../trust';
import { jobArg } from './jobArg';
import { jobEnvironment } from '../jobSecrets';
import { boxReadyForRun } from './box';

/** Arguments other commands (and tests) may pass instead of asking. */
export interface RunArgs {
  command?: string;
  name?: string;
  /** The caller already asked the user (or is a keybinding/automation that means it). */
  confirmed?: boolean;
  /** `local`: the local tmux server (listed in the view from then on); `remote`: the default host. */
  target?: 'local' | 'remote';
  /** A host by its name (scripts/cloud/hosts.yaml), or `auto` (placement); default: asked when there are several. */
  host?: string;
}

/** The input box's first value: the selection, else a command that runs the active file. */
function prefill(): string {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return '';
  const selected = editor.document.getText(editor.selection).trim();
  if (selected) return selected;
  if (editor.document.uri.scheme !== 'file') return '';
  const root = workspaceRoot();
  const rel = root ? path.relative(root, editor.document.uri.fsPath) : editor.document.uri.fsPath;
  return commandForFile(rel.startsWith('..') ? editor.document.uri.fsPath : rel);
}

/** Run on EC2: command → routing reasons → name → confirmation → started, with progress. */
export async function runOnEc2(ctx: CloudJobs, arg?: unknown): Promise<Job | undefined> {
  requireTrust('run jobs');
  const given = (arg && typeof arg === 'object' ? arg : {}) as RunArgs;
  const command =
    given.command ??
    (await vscode.window.showInputBox({
      title: 'Cloud Jobs: Run on EC2',
      prompt: 'Shell command to run on the host (bash, in the remote workdir)',
      value: prefill(),
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Enter a command.'),
    }));
  if (!command?.trim()) return undefined;
  const config = await ctx.config.get();
  const decision = policy().decide({ command });
  const name =
    given.name ??
    (await vscode.window.showInputBox({
      title: 'Cloud Jobs: job name',
      prompt: 'Name of the tmux session and log directory',
      value: generateJobName(config.project, taskFromCommand(command)),
      ignoreFocusOut: true,
      validateInput: (v) => {
        try {
          validateJobName(v);
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    }));
  if (!name) return undefined;
  validateJobName(name);
  let kind: TargetKind | undefined;
  let placement: string | undefined;
  if (given.target === 'local') kind = 'local';
  else if (given.host !== undefined) ({ host: kind, placement } = await resolveRunHost(ctx, given.host));
  else if (given.target === 'remote') {
    kind = await ctx.config.defaultHost();
    if (!kind) throw new UserError('No cloud host is configured: set cloudJobs.host in the settings or ORCH_HOST in scripts/cloud/.env.');
  } else {
    const picked = await pickRunHost(ctx);
    if (picked === undefined) return undefined;
    ({ host: kind, placement } = picked);
  }
  if (kind === undefined) return undefined;
  if (kind === 'local') await ctx.useLocalTarget();
  // a stopped EC2 box: "Start Box and Run" (or at once with wake: auto)
  if (kind !== 'local' && !(await boxReadyForRun(ctx, kind))) return undefined;
  const where = kind !== 'local' ? kind : 'the local tmux server (no host configured)';
  if (runOnEc2Asks(ctx.config.autorun()) && given.confirmed !== true) {
    const policySays = decision.target === 'cloud' ? 'The routing policy sends this to the cloud.' : 'The routing policy would run this locally.';
    const ok = await vscode.window.showInformationMessage(
      `Run ${name} on ${where}?`,
      { modal: true, detail: `${command}\n\n${policySays} (${decisionSummary(decision)})\n${decisionDetail(decision)}` },
      'Run',
    );
    if (ok !== 'Run') return undefined;
  }
  const job = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Cloud Jobs: starting ${name} on ${kind}…` },
    async () =>
      ctx.jobs.run(kind, {
        name,
        command,
        route: `${decisionSummary(decision)}: ${decision.reasons.join(' ')}`,
        placement,
        guardrails: await runGuardrails(),
        env: await jobEnvironment(ctx.ext.secrets),
      }),
  );
  ctx.log.info(`started ${job.name} on ${job.host}: ${job.state}`);
  void vscode.window.showInformationMessage(`Started ${job.name} on ${job.host}.`, 'Show Logs', 'Attach').then((pick) => {
    if (pick === 'Show Logs') ctx.logs.show(job);
    if (pick === 'Attach') void vscode.commands.executeCommand('cloudJobs.attach', job.name);
  });
  return job;
}

/** Re-run: the same command under a fresh name from the naming convention. */
export async function rerun(ctx: CloudJobs, arg?: unknown): Promise<Job | undefined> {
  const job = await jobArg(ctx, arg, ['DONE', 'FAILED', 'STOPPED'], 're-run');
  if (!job?.command) return undefined;
  return runOnEc2(ctx, { command: job.command });
}
