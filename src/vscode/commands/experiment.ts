import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import type { FlowKind } from '../../core/experiment';
import { experiment } from '../lazyCore';
import { SECTION, workspaceRoot } from '../config';
import type { CloudJobs } from '../context';
import { requireTrust } from '../trust';

/** Arguments tests and other commands may pass instead of asking. */
export interface ExperimentArgs {
  specs?: string[];
  question?: string;
}

async function pickSpecs(root: string, many: boolean): Promise<string[] | undefined> {
  const uris = await vscode.window.showOpenDialog({
    title: many ? 'Experiment specs (program)' : 'Experiment spec',
    defaultUri: vscode.Uri.file(root),
    canSelectMany: many,
    openLabel: 'Use spec',
  });
  return uris?.map((u) => path.relative(root, u.fsPath));
}

/**
 * Run Experiment Cycle / Full / Program: the research kit's flow from the core, with its output
 * in a "Cloud Jobs: Experiment" channel and its phases in a cancellable progress notification.
 */
export async function runExperimentFlow(ctx: CloudJobs, flow: FlowKind, arg?: unknown): Promise<boolean | undefined> {
  requireTrust('run experiments');
  const root = workspaceRoot();
  if (!root) throw new UserError('Open the research project folder first.');
  const given = (arg && typeof arg === 'object' ? arg : {}) as ExperimentArgs;
  let question = given.question;
  if (flow === 'full' && question === undefined) {
    question = await vscode.window.showInputBox({ title: 'Cloud Jobs: research question (SURVEY)', ignoreFocusOut: true });
    if (!question) return undefined;
  }
  const specs = given.specs ?? (await pickSpecs(root, flow === 'program'));
  if (!specs?.length) return undefined;
  const kitSetting = vscode.workspace.getConfiguration(SECTION).get<string>('experimentScript') || undefined;
  const cloudRun = path.join(ctx.ext.extensionPath, 'bin', 'cloud-run');
  const { planExperiment, runExperiment } = experiment();
  const plan = await planExperiment({
    flow,
    workspaceRoot: root,
    specs,
    question,
    kit: kitSetting,
    cloudRun: existsSync(cloudRun) ? cloudRun : undefined,
    env: process.env,
  });
  const out = ctx.experimentOutput;
  out.show(true);
  out.startLine(`── ${flow} ${specs.join(' ')} (COMPUTE_TARGET=${plan.target.target}) ──`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Experiment ${flow}`, cancellable: true },
    (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return runExperiment(plan, {
        signal: abort.signal,
        onOutput: (text) => out.append(text),
        onEvent: (e) => {
          if (e.kind === 'phase-start') {
            const where = e.specCount > 1 ? ` · spec ${e.specIndex}/${e.specCount}` : '';
            progress.report({ message: `${e.phase.toUpperCase()} ${e.spec} (${e.step}/${e.steps}${where})` });
            out.startLine(`▶ ${e.phase.toUpperCase()} ${e.spec} [${e.step}/${e.steps}]`);
          }
          if (e.kind === 'warning') out.startLine(`⚠ ${e.spec} ${e.phase}: ${e.message}`);
          if (e.kind === 'spec-end') out.startLine(e.outcome.ok ? `✔ ${e.outcome.spec}: done` : `✘ ${e.outcome.spec}: ${e.outcome.message ?? 'failed'}`);
        },
      });
    },
  );
  const failed = result.outcomes.filter((o) => !o.ok);
  if (result.cancelled) void vscode.window.showWarningMessage(`Experiment ${flow} cancelled.`);
  else if (failed.length) void vscode.window.showErrorMessage(failed.map((o) => `${o.spec}: ${o.message ?? 'failed'}`).join(' '));
  else void vscode.window.showInformationMessage(`Experiment ${flow} finished: ${result.outcomes.length} spec${result.outcomes.length === 1 ? '' : 's'} done.`);
  return result.ok;
}
