import type { Command } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS, withContext, type CliContext } from '../context';
import { closeAll, listedHosts, loadCliHosts, onEveryHost, reportUnreachable, withJobHost } from '../hosts';
import type { CliIO } from '../command';
import { hostList } from '../../core/config/hosts';
import { usageError } from '../../core/errors';
import type { Job } from '../../core/jobs/model';
import { validateJobName } from '../../core/jobs/names';

function alreadyEnded(io: CliIO, job: Job): number {
  writeLine(io.stdout, `${job.name} had already ended (${job.state}${job.exitCode === null ? '' : `, exit ${job.exitCode}`}); log at ${job.logPath}`);
  return 0;
}

async function stopOne(ctx: CliContext, io: CliIO, name: string): Promise<number> {
  // The host says whether the job had ended before (a job stopped before comes back STOPPED too).
  const { job, hadEnded } = await ctx.engine.stopJob(name);
  if (hadEnded) return alreadyEnded(io, job);
  writeLine(io.stdout, `stopped ${job.name}; log kept at ${job.logPath}`);
  return 0;
}

/** The lines of one host's `stop --all`. */
function reportStopped(io: CliIO, ctx: CliContext, stopped: readonly Job[]): void {
  for (const job of stopped) writeLine(io.stdout, `stopped ${job.name}`);
  const slack = ctx.config.slackWebhookUrl ? ' (summary sent to Slack from the host)' : '';
  writeLine(io.stdout, `[L4] stopped ${stopped.length} job${stopped.length === 1 ? '' : 's'} on ${ctx.engine.host}${slack}`);
}

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS, all: { kind: 'boolean' as const } };

export const stopCommand: Command = {
  name: 'stop',
  options: OPTIONS,
  operands: 'active-job',
  summary: 'Stop a job (its log is kept), or every running and queued job with --all.',
  help: [
    'Usage: orch stop [--host NAME] <name>',
    '       orch stop --all [--host NAME]',
    '',
    '  --all     stop every QUEUED, STARTING or RUNNING job at once, in one round trip (guardrail L4);',
    '            with ORCH_SLACK_WEBHOOK_URL set the host also posts one summary message',
    '            on every host of scripts/cloud/hosts.yaml at once (or only on --host NAME)',
    '  --host NAME  the job\'s host when its name is on several (default: every host is asked)',
    '  --local   the local tmux target (default: the configured host, else local)',
    '',
    CONFIG_HELP,
    '',
    'Exit status: 0 stopped (or nothing to stop with --all); 1 no such job, or a host could not be asked.',
  ].join('\n'),
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    const all = p.options.all === true;
    if (all ? p.positionals.length !== 0 : p.positionals.length !== 1) {
      throw usageError('Give one job name, or --all: orch stop <name> | orch stop --all.');
    }
    const name = all ? undefined : validateJobName(p.positionals[0]);
    if (name !== undefined) return withJobHost(io, p.options, name, (ctx) => stopOne(ctx, io, name));
    const hosts = await loadCliHosts(io, p.options);
    const targets = listedHosts(hosts, p.options);
    if (targets === undefined) {
      return withContext(io, p.options, async (ctx) => {
        const stopped = await ctx.engine.stopAll();
        if (stopped.length === 0) writeLine(io.stdout, `no running or queued jobs on ${ctx.engine.host}`);
        else reportStopped(io, ctx, stopped);
        return 0;
      }, { config: hosts.base, quiet: true });
    }
    // Every host at once: an L4 stop must not wait for one slow host before the next.
    const results = await onEveryHost(io, targets, (ctx) => ctx.engine.stopAll());
    await closeAll(results.map((r) => r.ctx));
    for (const r of results) {
      if (r.error !== undefined) reportUnreachable(io, r.host, r.error);
      else if (r.value.length) reportStopped(io, r.ctx, r.value);
    }
    const idle = results.filter((r) => r.value?.length === 0).map((r) => r.host);
    if (idle.length) writeLine(io.stdout, `no running or queued jobs on ${hostList(idle)}`);
    return results.some((r) => r.error !== undefined) ? 1 : 0;
  },
};
