import * as vscode from 'vscode';
import type { CloudJobs } from '../context';
import { targetOpener } from '../engines';
import { requireTrust } from '../trust';
import type { DoctorReport } from '../../core/doctor/runDoctor';

/** The host an argument names: a tree host node, a host name, or `{ host }`. */
function hostOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg && typeof arg === 'object' && typeof (arg as { host?: unknown }).host === 'string') return (arg as { host: string }).host;
  return undefined;
}

/** The host of the argument, the only one, `local` without any, else the one the user picks. */
async function hostArg(ctx: CloudJobs, arg: unknown): Promise<{ name: string; slurm: boolean } | undefined> {
  const set = await ctx.config.hosts();
  const slurm = (name: string) => set.hosts.find((h) => h.name === name)?.kind === 'slurm';
  const asked = hostOf(arg);
  if (asked !== undefined) return { name: asked, slurm: slurm(asked) };
  if (set.hosts.length === 0) return { name: 'local', slurm: false };
  if (set.hosts.length === 1) return { name: set.hosts[0]!.name, slurm: slurm(set.hosts[0]!.name) };
  const pick = await vscode.window.showQuickPick(
    set.hosts.map((h) => ({ label: h.name, description: h.config.host === h.name ? undefined : h.config.host })),
    { title: 'Cloud Jobs: check which host?' },
  );
  return pick && { name: pick.label, slurm: slurm(pick.label) };
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
  const [{ runDoctor }, { formatLines }] = await Promise.all([import('../../core/doctor/runDoctor.js'), import('../../core/doctor/checks.js')]);
  const report = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cloud Jobs: checking ${host.name}` }, async () => {
    const { config, target } = await targetOpener(ctx.config, ctx.ext.secrets, ctx.log)(host.name);
    try {
      const reach = `${config.user ? `${config.user}@` : ''}${config.host ?? host.name}${config.port ? `:${config.port}` : ''}`;
      return await runDoctor({ target, logRoot: config.logRoot, logMode: config.logMode, reach, local: host.name === 'local', slurm: host.slurm, autostopMinutes: config.autostopMinutes, cloudwatch: config.cloudwatch });
    } finally {
      await target.close().catch(() => undefined);
    }
  });
  const lines = formatLines(report.lines);
  const failed = report.lines.filter((l) => l.status === 'fail');
  const summary = failed.length ? `${failed.length} of ${report.lines.length} checks failed on ${host.name}.` : `All ${report.lines.length} checks passed on ${host.name}.`;
  const text = [`${host.name} (${new Date().toISOString()})`, ...lines.map((l) => `  ${l}`), `  ${summary}`, ''].join('\n');
  ctx.hostChecks.append(`${text}\n`);
  const show = 'Show All Checks';
  const shown = failed.length
    ? vscode.window.showWarningMessage(`${host.name}: ${failed.map((l) => `${l.check}: ${l.text}`).join(' · ')}`, show)
    : vscode.window.showInformationMessage(summary, show);
  void shown.then((choice) => choice === show && ctx.hostChecks.show(false));
  return { ...report, host: host.name, text };
}
