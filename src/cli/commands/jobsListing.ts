import type { Command } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS, withContext } from '../context';
import { usageError } from '../../core/errors';
import type { Engine } from '../../core/engine/api';
import type { Job } from '../../core/jobs/model';
import { jobsJson, jobsTable } from '../output';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS, json: { kind: 'boolean' as const } };

/** `status` and `list` differ only in which jobs they ask the engine for. */
export function listingCommand(name: string, summary: string, fetch: (e: Engine) => Promise<Job[]>, empty: string): Command {
  return {
    name,
    summary,
    help: [
      `Usage: orch ${name} [--json]`,
      '',
      '  --json    an array of objects: name, state, exitCode, host, logPath, startedAt, endedAt,',
      '            command, workdir, outputDir, reason, route, attempt',
      '  --local   the local tmux target (default: the configured host, else local)',
      '',
      CONFIG_HELP,
      '',
      'Text output: NAME STATE EXIT STARTED ELAPSED HOST. Exit status: 0.',
    ].join('\n'),
    async run(argv, io) {
      const p = parseArgs(argv, OPTIONS);
      if (p.positionals.length) throw usageError(`orch ${name} takes no arguments; got "${p.positionals[0]}".`);
      return withContext(io, p.options, async (ctx) => {
        const jobs = await fetch(ctx.engine);
        if (p.options.json === true) writeLine(io.stdout, jobsJson(jobs));
        else writeLine(io.stdout, jobs.length ? jobsTable(jobs) : `${empty} on ${ctx.engine.host}.`);
        return 0;
      }, { quiet: true });
    },
  };
}
