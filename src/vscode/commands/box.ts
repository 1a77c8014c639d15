import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { boxLabel } from '../../core/ec2/box';
import type { Box, BoxSnapshot } from '../boxes';
import type { CloudJobs } from '../context';
import { requireTrust } from '../trust';

/** The reason recorded for the jobs Stop Box stops (meta.json, the tree, notices). */
export const STOPPED_BY_STOP_BOX = 'stopped by Stop Box in VS Code';

/** The host an argument names: a tree node, a host name, or `{ host }`. */
function hostOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { host?: unknown }).host === 'string') return (arg as { host: string }).host;
  return undefined;
}

/** The box an argument names, the only box, or the one the user picks. */
async function boxArg(ctx: CloudJobs, arg: unknown, verb: string): Promise<Box | undefined> {
  const boxes = await ctx.boxes.boxes();
  const asked = hostOf(arg);
  if (asked !== undefined) {
    const box = boxes.find((b) => b.host === asked);
    if (!box) throw new UserError(`The host ${asked} is not an EC2 box: give it an ec2: block in scripts/cloud/hosts.yaml, or set ORCH_EC2_INSTANCE_ID for the single host.`);
    return box;
  }
  if (boxes.length === 0) throw new UserError('No host of this workspace is an EC2 box: set ORCH_EC2_INSTANCE_ID (and ORCH_EC2_REGION) in scripts/cloud/.env, or give a host an ec2: block in scripts/cloud/hosts.yaml.');
  if (boxes.length === 1) return boxes[0];
  const pick = await vscode.window.showQuickPick(
    boxes.map((b) => ({ label: b.host, description: ctx.boxes.get(b.host)?.summary?.state ?? '', box: b })),
    { title: `Cloud Jobs: ${verb} which box?` },
  );
  return pick?.box;
}

/** Start Box: starts the instance and waits for running and SSH, with progress. Resolves its address. */
export async function startBox(ctx: CloudJobs, arg?: unknown): Promise<string | undefined> {
  requireTrust('start an EC2 box');
  const box = await boxArg(ctx, arg, 'start');
  if (!box) return undefined;
  const [{ ensureRunning, waitForSsh }, { resolveHost }] = await Promise.all([import('../../core/ec2/wake.js'), import('../../core/ssh/sshConfig.js')]);
  const address = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Cloud Jobs: starting ${box.host}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const report = (line: string): void => {
        ctx.log.info(`box ${box.host}: ${line}`);
        progress.report({ message: line });
      };
      const awake = await ensureRunning(box.api, box.spec, { wake: true, hostName: box.host, progress: report, signal: abort.signal });
      const resolved = await resolveHost(box.config);
      if (!resolved.proxyJump) await waitForSsh(awake.address, resolved.port, { progress: report, signal: abort.signal });
      return awake.address;
    },
  );
  // a new address: connections opened before the start point at the old one
  await ctx.jobs.reset(false);
  await ctx.boxes.refresh(true);
  await ctx.jobs.refresh();
  void vscode.window.showInformationMessage(`The EC2 box ${box.host} is running at ${address}.`);
  return address;
}

/** Stop Box: refuses while jobs run unless the user says to stop them too. Resolves whether it stopped. */
export async function stopBox(ctx: CloudJobs, arg?: unknown): Promise<boolean> {
  requireTrust('stop an EC2 box');
  const box = await boxArg(ctx, arg, 'stop');
  if (!box) return false;
  const { waitForState } = await import('../../core/ec2/wake.js');
  let info = await box.api.describe();
  let stoppedJobs: string[] = [];
  if (info.state === 'stopped') {
    void vscode.window.showInformationMessage(`The EC2 box ${box.host} is already stopped.`);
    return true;
  }
  if (info.state === 'running') {
    const engine = await ctx.jobs.engine(box.host);
    const active = await engine.status();
    if (active.length > 0) {
      const names = active.map((j) => j.name).join(', ');
      const them = active.length === 1 ? 'it' : 'them';
      const pick = await vscode.window.showWarningMessage(
        `${box.host} has ${active.length} active job${active.length === 1 ? '' : 's'} (${names}): stopping the box stops ${them} (logs are kept).`,
        'Stop Jobs and Box',
      );
      if (pick !== 'Stop Jobs and Box') return false;
      // Their reason says what the user did; no "was stopped" notice each (its Pull Results would
      // need the box this stops): the last message names them.
      const stopped = await ctx.notices.quietly(active, () => engine.stopAll(STOPPED_BY_STOP_BOX), (s) => s);
      ctx.jobs.upsertAll(stopped);
      stoppedJobs = stopped.map((j) => j.name);
    }
  }
  await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cloud Jobs: stopping ${box.host}` }, async (progress) => {
    if (info.state !== 'stopping') {
      progress.report({ message: `stopping ${box.spec.instanceId}` });
      await box.api.stop();
      info = await box.api.describe();
    }
    await waitForState(box.api, info, ['stopped'], { progress: (line) => progress.report({ message: line }) });
  });
  await ctx.jobs.reset(false);
  await ctx.boxes.refresh(true);
  void ctx.jobs.refresh();
  const jobs = stoppedJobs.length === 0 ? '' : `, and ${stoppedJobs.join(', ')} with it (log${stoppedJobs.length === 1 ? '' : 's'} kept)`;
  void vscode.window.showInformationMessage(`The EC2 box ${box.host} is stopped${jobs}.`);
  return true;
}

/** The box of `host` when it must be started before a job runs there (stopped, stopping); undefined for a running or starting box, or a host that is no box. */
export async function boxToStart(ctx: CloudJobs, host: string): Promise<BoxSnapshot | undefined> {
  const snap = (await ctx.boxes.refresh(true)).get(host);
  const state = snap?.summary?.state;
  return snap && state !== undefined && state !== 'running' && state !== 'pending' ? snap : undefined;
}

/** What Run on EC2's confirmation says of a box it starts first. */
export function boxToStartText(snap: BoxSnapshot): string {
  return `The EC2 box ${boxLabel(snap.host, snap.spec.instanceId)} is ${snap.summary?.state ?? 'not running'}: it is started first, and the job starts once SSH answers.`;
}

/**
 * A box to start before a run that asks nothing more: started at once with `wake: auto`, else
 * after the user picks "Start Box and Run". False: the user did not.
 */
export async function startBoxForRun(ctx: CloudJobs, snap: BoxSnapshot): Promise<boolean> {
  if (snap.spec.wake !== 'auto') {
    const pick = await vscode.window.showWarningMessage(`The EC2 box ${boxLabel(snap.host, snap.spec.instanceId)} is ${snap.summary?.state ?? 'not running'}.`, 'Start Box and Run');
    if (pick !== 'Start Box and Run') return false;
  }
  await startBox(ctx, snap.host);
  return true;
}
