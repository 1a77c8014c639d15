import type { Command, CliIO } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS, chooseTarget, openContext, type CliContext } from '../context';
import { closeAll, listedHosts, loadCliHosts, openHost } from '../hosts';
import { usageError } from '../../core/errors';
import { formatLines } from '../../core/doctor/checks';
import { runDoctor, type DoctorReport } from '../../core/doctor/runDoctor';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS };

/** `ubuntu@gpu-box:22` as configured (the SSH config may still map the alias). */
function reachOf(ctx: CliContext): string {
  const c = ctx.config;
  return `${c.user ? `${c.user}@` : ''}${c.host ?? ctx.target.host}${c.port ? `:${c.port}` : ''}`;
}

export function doctorOf(ctx: CliContext, slurm = false): Promise<DoctorReport> {
  return runDoctor({ target: ctx.target, logRoot: ctx.config.logRoot, logMode: ctx.config.logMode, reach: reachOf(ctx), local: ctx.where === 'local', slurm, autostopMinutes: ctx.config.autostopMinutes });
}

function print(io: CliIO, name: string, ctx: CliContext, report: DoctorReport): void {
  writeLine(io.stdout, ctx.where === 'local' ? `${name} (this computer, log root ${ctx.config.logRoot})` : `${name} (${reachOf(ctx)}, log root ${ctx.config.logRoot})`);
  for (const line of formatLines(report.lines)) writeLine(io.stdout, `  ${line}`);
  const failed = report.lines.filter((l) => l.status === 'fail').length;
  writeLine(io.stdout, failed ? `  ${failed} of ${report.lines.length} checks failed on ${name}.` : `  All ${report.lines.length} checks passed on ${name}.`);
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check what a host needs (SSH, bash 4, tmux, tools, cron, disk, clock, ...) and say what to fix.',
  options: OPTIONS,
  operands: 'none',
  help: [
    'Usage: orch doctor [--host NAME] [--local]',
    '',
    'Checks each host in one round trip and prints one line per check (ok, warn or FAIL) with',
    'what to do when it fails: SSH reach and host key, bash 4 or later, tmux, the tools the',
    'runner uses (GNU or busybox), cron (pruning old logs, EC2 autostop), free disk under the log',
    'root, the log root\'s owner and permissions, clock skew against this computer, systemd user',
    'lingering (without it systemd may kill tmux at logout), zstd or gzip.',
    '',
    '  --host NAME  only this host (default: every host of scripts/cloud/hosts.yaml, else ORCH_HOST)',
    '  --local      the local tmux target',
    '',
    CONFIG_HELP,
    '',
    'Exit status: 0 when every check passes (warnings included); 1 when one fails on any host.',
  ].join('\n'),
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    if (p.positionals.length) throw usageError(`orch doctor takes no arguments; got "${p.positionals[0]}" (a host is --host NAME).`);
    const hosts = await loadCliHosts(io, p.options);
    const targets = listedHosts(hosts, p.options);
    const contexts: { name: string; ctx: CliContext; slurm?: boolean }[] =
      targets === undefined
        ? [(() => {
            const ctx = openContext(io, hosts.base, chooseTarget(hosts.base, p.options, { quiet: true }));
            return { name: ctx.where === 'local' ? 'local' : ctx.target.host, ctx };
          })()]
        : targets.map((h) => ({ name: h.name, ctx: openHost(io, h), slurm: h.kind === 'slurm' }));
    try {
      const reports = await Promise.all(contexts.map((c) => doctorOf(c.ctx, c.slurm)));
      contexts.forEach((c, i) => print(io, c.name, c.ctx, reports[i]!));
      return reports.every((r) => r.ok) ? 0 : 1;
    } finally {
      await closeAll(contexts.map((c) => c.ctx));
    }
  },
};
