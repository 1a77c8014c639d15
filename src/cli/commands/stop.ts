import type { Command } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS, withContext } from '../context';
import { usageError } from '../../core/errors';
import { validateJobName } from '../../core/jobs/names';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS, all: { kind: 'boolean' as const } };

export const stopCommand: Command = {
  name: 'stop',
  summary: 'Stop a job (its log is kept), or every running and queued job with --all.',
  help: [
    'Usage: orch stop <name>',
    '       orch stop --all',
    '',
    '  --all     stop every QUEUED, STARTING or RUNNING job at once, in one round trip (guardrail L4);',
    '            with ORCH_SLACK_WEBHOOK_URL set the host also posts one summary message',
    '  --local   the local tmux target (default: the configured host, else local)',
    '',
    CONFIG_HELP,
    '',
    'Exit status: 0 stopped (or nothing to stop with --all); 1 no such job.',
  ].join('\n'),
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    const all = p.options.all === true;
    if (all ? p.positionals.length !== 0 : p.positionals.length !== 1) {
      throw usageError('Give one job name, or --all: orch stop <name> | orch stop --all.');
    }
    const name = all ? undefined : validateJobName(p.positionals[0]);
    return withContext(io, p.options, async (ctx) => {
      if (name !== undefined) {
        const job = await ctx.engine.stop(name);
        if (job.state === 'STOPPED') writeLine(io.stdout, `stopped ${job.name}; log kept at ${job.logPath}`);
        else writeLine(io.stdout, `${job.name} had already ended (${job.state}${job.exitCode === null ? '' : `, exit ${job.exitCode}`}); log at ${job.logPath}`);
        return 0;
      }
      const stopped = await ctx.engine.stopAll();
      if (stopped.length === 0) {
        writeLine(io.stdout, `no running or queued jobs on ${ctx.engine.host}`);
        return 0;
      }
      for (const job of stopped) writeLine(io.stdout, `stopped ${job.name}`);
      const slack = ctx.config.slackWebhookUrl ? ' (summary sent to Slack from the host)' : '';
      writeLine(io.stdout, `[L4] stopped ${stopped.length} job${stopped.length === 1 ? '' : 's'} on ${ctx.engine.host}${slack}`);
      return 0;
    }, { quiet: true });
  },
};
