import * as vscode from 'vscode';
import { readComputeTarget } from '../core/config/computeTarget';
import type { Decision } from '../core/policy/types';
import type { Where } from '../core/jobs/where';
import { choiceOrder, type RouteStep } from './autorun';
import { workspaceRoot } from './config';
import type { CloudJobs } from './context';
import { decisionDetail, decisionSummary } from './routeText';

const HERE = 'Run Here';

/** Where jobs go when "cloud" is chosen: the host, or the local tmux server when none is set. */
async function cloudLabel(ctx: CloudJobs): Promise<string> {
  const host = await ctx.config.defaultHost();
  return host ? `Run on ${host}` : 'Run in Local tmux';
}

/**
 * Where a routed `orch` task runs, after asking when AUTORUN says to (see autorun.ts):
 * `confirm` shows the policy's reasons before anything is sent to the cloud; `off` asks every
 * time, offering the workspace's COMPUTE_TARGET first. Undefined when the user cancelled.
 */
export async function chooseTaskTarget(ctx: CloudJobs, task: { label: string; command: string }, decision: Decision, step: RouteStep): Promise<Where | undefined> {
  if (step.kind === 'run') return step.where;
  const cloud = await cloudLabel(ctx);
  const reasons = `${decisionSummary(decision)}\n${decisionDetail(decision)}`;
  let message: string;
  let detail: string;
  let order: Where[];
  if (step.kind === 'confirm') {
    message = `Send task "${task.label}" to the cloud?`;
    detail = `${task.command}\n\nThe routing policy sends it to the cloud: ${reasons}`;
    order = ['cloud', 'local'];
  } else {
    const root = workspaceRoot();
    const compute = root ? await readComputeTarget(root, process.env).catch(() => undefined) : undefined;
    order = choiceOrder(compute?.target);
    message = `Where should task "${task.label}" run?`;
    detail = `${task.command}\n\nAUTORUN is off, so the routing policy only advises: ${reasons}\n\nCOMPUTE_TARGET is ${compute?.target ?? 'not readable'} in this workspace.`;
  }
  const labels = order.map((w) => (w === 'cloud' ? cloud : HERE));
  const pick = await vscode.window.showInformationMessage(message, { modal: true, detail }, ...labels);
  ctx.log.info(`task ${task.label}: ${step.kind === 'confirm' ? 'confirm' : 'ask'} → ${pick ?? 'cancelled'}`);
  if (pick === undefined) return undefined;
  return pick === HERE ? 'local' : 'cloud';
}
