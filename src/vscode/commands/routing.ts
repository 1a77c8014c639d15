import * as vscode from 'vscode';
import { KIT_ENV_FILE, kitEnvFile, setComputeTarget as writeComputeTarget } from '../../core/config/computeTarget';
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
  const edit = await writeComputeTarget(file, target);
  ctx.log.info(`COMPUTE_TARGET=${target} written to ${file} (${edit.form === 'default' ? 'as the default of the kit\'s "${COMPUTE_TARGET:-…}" form' : 'plain'}${edit.dropped ? `, replacing ${edit.dropped}` : ''})`);
  if (edit.dropped) void vscode.window.showInformationMessage(`COMPUTE_TARGET=${target} replaces ${edit.dropped} in ${KIT_ENV_FILE}.`);
  const after = await indicator.refresh();
  // The kit's form lets the environment decide: say so when it does, rather than show a switch that did nothing.
  if (edit.form === 'default' && after.kind === 'ready' && after.compute.target !== target) {
    const plain = `Write COMPUTE_TARGET=${target}`;
    const pick = await vscode.window.showWarningMessage(
      `The default in ${KIT_ENV_FILE} is now ${target}, but COMPUTE_TARGET=${after.compute.target} in VS Code's environment wins over it.`,
      { detail: `The line keeps the form "\${COMPUTE_TARGET:-${target}}", so the environment decides. ${plain} to use ${target} whatever the environment says.` },
      plain,
    );
    if (pick !== plain) return after.compute.target;
    await writeComputeTarget(file, target, { plain: true });
    ctx.log.info(`COMPUTE_TARGET=${target} written plain to ${file}`);
    await indicator.refresh();
  }
  return target;
}
