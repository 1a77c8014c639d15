import * as vscode from 'vscode';
import type { CloudJobs } from '../context';
import { targetOpener } from '../engines';
import { requireTrust } from '../trust';
import type { DoctorReport } from '../../core/doctor/runDoctor';
import type { BoxCheck } from '../../core/doctor/boxChecks';

/** The host an argument names: a tree host node, a host name, or `{ host }`. */
function hostOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { host?: unknown }).host === 'string') return (arg as { host: string }).host;
  return undefined;
}

/** The host of the argument, the only one, `local` without any, else the one the user picks. */
async function hostArg(ctx: CloudJobs, arg: unknown): Promise<{ name: string; slurm: boolean; inHostsFile: boolean } | undefined> {
  const set = await ctx.config.hosts();
  const of = (name: string) => {
    const h = set.hosts.find((x) => x.name === name);
    return { name, slurm: h?.kind === 'slurm', inHostsFile: h?.entry !== undefined && set.file !== undefined };
  };
  const asked = hostOf(arg);
  if (asked !== undefined) return of(asked);
  if (set.hosts.length === 0) return { name: 'local', slurm: false, inHostsFile: false };
  if (set.hosts.length === 1) return of(set.hosts[0]!.name);
  const pick = await vscode.window.showQuickPick(
    set.hosts.map((h) => ({ label: h.name, description: h.config.host === h.name ? undefined : h.config.host })),
    { title: 'Cloud Jobs: check which host?' },
  );
  return pick && of(pick.label);
}

/**
 * An EC2 box is asked of AWS first, as `orch doctor` does (doctor/boxDoctor.ts): the aws and box
 * lines, and no SSH at all while the box is not running (one skip line). Undefined: no box.
 */
async function boxLines(ctx: CloudJobs, host: { name: string; inHostsFile: boolean }): Promise<BoxCheck | undefined> {
  const box = (await ctx.boxes.boxes()).find((b) => b.host === host.name);
  if (!box) return undefined;
  const [{ doctorBox }, { awsProfileOf, loadEc2Api }, { wakeSetting }] = await Promise.all([import('../../core/doctor/boxDoctor.js'), import('../../core/ec2/load.js'), import('../../core/ec2/wake.js')]);
  return doctorBox(loadEc2Api()(box.spec, process.env), box.spec, {
    hostName: box.host,
    wakeSetting: wakeSetting(host.inHostsFile),
    profile: awsProfileOf(box.spec, process.env),
    wake: false,
    via: 'vscode',
    waitForSsh: async () => undefined,
  });
}

/** The host checks over SSH (runDoctor), on the host's own connection. */
async function hostChecks(ctx: CloudJobs, host: { name: string; slurm: boolean }): Promise<DoctorReport> {
  const { runDoctor } = await import('../../core/doctor/runDoctor.js');
  const { config, target } = await targetOpener(ctx.config, ctx.ext.secrets, ctx.log)(host.name);
  try {
    const reach = `${config.user ? `${config.user}@` : ''}${config.host ?? host.name}${config.port ? `:${config.port}` : ''}`;
    return await runDoctor({ target, logRoot: config.logRoot, logMode: config.logMode, reach, local: host.name === 'local', slurm: host.slurm, autostopMinutes: config.autostopMinutes, cloudwatch: config.cloudwatch });
  } finally {
    await target.close().catch(() => undefined);
  }
}

/**
 * Check Host: `orch doctor` for one host (PRODUCT.md §12). Every line goes to the
 * "Cloud Jobs: Check Host" channel; the notification says all passed, or names the failing lines.
 * Resolves the report (undefined: cancelled).
 */
export async function checkHost(ctx: CloudJobs, arg?: unknown): Promise<(DoctorReport & { host: string; text: string }) | undefined> {
  requireTrust('check a host');
  const host = await hostArg(ctx, arg);
  if (!host) return undefined;
  const { doctorSummary, formatLines } = await import('../../core/doctor/checks.js');
  const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cloud Jobs: checking ${host.name}` }, async (): Promise<DoctorReport> => {
    const box = await boxLines(ctx, host);
    if (box && box.address === undefined) return { lines: box.lines, ok: box.lines.every((l) => l.status !== 'fail') };
    const ssh = await hostChecks(ctx, host);
    const lines = [...(box?.lines ?? []), ...ssh.lines];
    return { lines, ok: lines.every((l) => l.status !== 'fail') };
  });
  const lines = formatLines(report.lines);
  const failed = report.lines.filter((l) => l.status === 'fail');
  const summary = doctorSummary(host.name, report.lines);
  const text = [`${host.name} (${new Date().toISOString()})`, ...lines.map((l) => `  ${l}`), `  ${summary}`, ''].join('\n');
  ctx.hostChecks.append(`${text}\n`);
  const show = 'Show All Checks';
  const shown = failed.length
    ? vscode.window.showWarningMessage(`${host.name}: ${failed.map((l) => `${l.check}: ${l.text}`).join(' · ')}`, show)
    : vscode.window.showInformationMessage(summary, show);
  void shown.then((choice) => choice === show && ctx.hostChecks.show(false));
  return { ...report, host: host.name, text };
}
