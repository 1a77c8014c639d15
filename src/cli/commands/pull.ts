import type { Command } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS } from '../context';
import { usageError } from '../../core/errors';
import { validateJobName } from '../../core/jobs/names';
import { withJobHost } from '../hosts';
import { pullJobOutput } from '../pullJob';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS, 'output-dir': { kind: 'string' as const } };

export const pullCommand: Command = {
  name: 'pull',
  options: OPTIONS,
  operands: 'job',
  summary: "Copy a job's output dir back (never deletes local files).",
  help: [
    'Usage: orch pull [--output-dir D] <name>',
    '',
    "  --output-dir D   where to put the files (default: the job's recorded output dir, from here)",
    '  --host NAME      the job\'s host when its name is on several (default: every host is asked)',
    '  --local          the local tmux target (default: the configured host, else local)',
    '',
    CONFIG_HELP,
    '',
    'Exit status: 0 pulled; 1 nothing to pull (no such job, no output dir recorded, or it is missing or empty).',
  ].join('\n'),
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    if (p.positionals.length !== 1) throw usageError('Give one job name: orch pull [--output-dir D] <name>.');
    const name = validateJobName(p.positionals[0]);
    return withJobHost(io, p.options, name, async (ctx) => {
      await pullJobOutput(ctx, io, name, p.options['output-dir'] as string | undefined);
      return 0;
    });
  },
};
