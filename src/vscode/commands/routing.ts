import * as vscode from 'vscode';
import { kitEnvFile, setComputeTarget as writeComputeTarget } from '../../core/config/computeTarget';
import { COMPUTE_TARGETS, type ComputeTarget } from '../../core/jobs/where';
import { UserError } from '../../core/errors';
import type { CloudJobs } from '../context';
import { workspaceRoot } from '../config';
import type { RoutingIndicator } from '../routingIndicator';
import { decisionDetail } from '../routeText';
import { requireTrust } from '../trust';

/** Explains where the active task would run and why; offers to switch the compute target. */
export async function routeActiveTask(ctx: CloudJobs, indicator: RoutingIndicator): Promise<void> {
  const s = await indicator.refresh();
  if (s.kind === 'restricted') throw new UserError('Cloud Jobs reads no workspace env file in Restricted Mode: trust this workspace to see its routing.');
  if (s.kind === 'noFolder') throw new UserError('Open a folder to see its routing.');
  if (s.kind === 'error') {
    const pick = await vscode.window.showErrorMessage(s.message, 'Open .orchestration-kit.env');
    if (pick) await openKitEnv();
    return;
  }
  const other: ComputeTarget = s.compute.target === 'ec2' ? 'local' : 'ec2';
  const switchLabel = `Switch COMPUTE_TARGET to ${other}`;
  const head = s.task && s.decision ? `${s.task.label} → ${s.decision.target}` : 'No active task';
  const detail = [
    `COMPUTE_TARGET=${s.compute.target} (${s.compute.source})`,
    '',
    ...(s.decision ? [decisionDetail(s.decision)] : ['Select a command or open a file to see where it would run.']),
  ].join('\n');
  ctx.log.info(`route: ${head}; ${detail.replace(/\n+/g, ' ')}`);
  const pick = await vscode.window.showInformationMessage(head, { modal: true, detail }, switchLabel);
  if (pick === switchLabel) await setComputeTarget(ctx, indicator, other);
}

function openKitEnv(): Thenable<unknown> {
  const root = workspaceRoot();
  if (!root) throw new UserError('Open a folder first.');
  return vscode.window.showTextDocument(vscode.Uri.file(kitEnvFile(root)));
}

/** Edits COMPUTE_TARGET in .orchestration-kit.env, keeping every other line and comment. */
export async function setComputeTarget(ctx: CloudJobs, indicator: RoutingIndicator, arg?: unknown): Promise<ComputeTarget | undefined> {
  requireTrust('edit workspace env files');
  const root = workspaceRoot();
  if (!root) throw new UserError('Open a folder first: the compute target lives in its .orchestration-kit.env.');
  const current = indicator.state.kind === 'ready' ? indicator.state.compute.target : undefined;
  const target =
    typeof arg === 'string' && (COMPUTE_TARGETS as readonly string[]).includes(arg)
      ? (arg as ComputeTarget)
      : (
          await vscode.window.showQuickPick(
            COMPUTE_TARGETS.map((t) => ({
              label: `${t === 'ec2' ? '$(cloud)' : '$(device-desktop)'} ${t}`,
              description: t === current ? 'current' : undefined,
              detail: t === 'ec2' ? 'Experiment RUN phases go to the EC2 host (cloud-run).' : 'Experiments run on this machine.',
              target: t,
            })),
            { title: 'Cloud Jobs: Set Compute Target', placeHolder: 'COMPUTE_TARGET in .orchestration-kit.env' },
          )
        )?.target;
  if (!target) return undefined;
  const file = kitEnvFile(root);
  await writeComputeTarget(file, target);
  ctx.log.info(`COMPUTE_TARGET=${target} written to ${file}`);
  await indicator.refresh();
  return target;
}
