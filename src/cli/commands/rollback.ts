import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import type { Command, CliIO } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS } from '../context';
import { UserError, usageError } from '../../core/errors';
import { validateJobName } from '../../core/jobs/names';
import { withJobHost } from '../hosts';
import { rollbackDone, rollbackJob, rollbackQuestion } from '../../core/guardrails/rollback';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS, yes: { kind: 'boolean' as const, short: 'y' } };

/** One line typed on the terminal, or undefined on end of input / Ctrl-C. */
function askLine(stdin: Readable, io: CliIO, question: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    io.stderr.write(`${question} `);
    const rl = createInterface({ input: stdin, terminal: false });
    let settled = false;
    const done = (answer: string | undefined) => {
      // rl.close() below emits 'close' at once: the first answer wins.
      if (settled) return;
      settled = true;
      io.signal.removeEventListener('abort', onAbort);
      rl.close();
      resolve(answer);
    };
    const onAbort = () => done(undefined);
    io.signal.addEventListener('abort', onAbort, { once: true });
    rl.once('line', (line) => done(line));
    rl.once('close', () => done(undefined));
  });
}

export const rollbackCommand: Command = {
  name: 'rollback',
  options: OPTIONS,
  operands: 'job',
  summary: 'Reset the git workdir of a job to the commit recorded before it (guardrail L3).',
  help: [
    'Usage: orch rollback [--yes] <name>',
    '',
    'Runs `git reset --hard <commit>` in the job\'s workdir on its host, <commit> being the',
    'commit recorded just before the job started. Only tracked files change: untracked files stay',
    '(no `git clean`), and nothing outside the workdir is touched (a workdir inside a larger',
    'repository is refused). Asks for confirmation on a terminal.',
    '',
    '  -y, --yes    do not ask (needed when there is no terminal, e.g. in scripts)',
    '  --host NAME  the job\'s host when its name is on several (default: every host is asked)',
    '  --local      the local tmux target (default: the configured host, else local)',
    '',
    CONFIG_HELP,
    '',
    'Exit status: 0 reset; 1 no such job, the job is still running, no recorded commit, or',
    'declined; 2 no terminal to ask on and no --yes.',
  ].join('\n'),
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    if (p.positionals.length !== 1) throw usageError('Give one job name: orch rollback [--yes] <name>.');
    const name = validateJobName(p.positionals[0]);
    return withJobHost(io, p.options, name, async (ctx) => {
      const plan = await rollbackJob(ctx.engine, name, { dryRun: true });
      if (p.options.yes !== true) {
        const stdin = io.stdin as Readable & { isTTY?: boolean };
        if (!stdin.isTTY) {
          throw usageError(`Rolling back ${name} would reset ${plan.host}:${plan.workdir} to ${plan.commit.slice(0, 12)}, discarding changes to tracked files; there is no terminal to confirm on, so pass --yes.`);
        }
        const answer = await askLine(stdin, io, rollbackQuestion(plan));
        if (!/^\s*y(es)?\s*$/i.test(answer ?? '')) throw new UserError('Rollback cancelled; nothing was changed.');
      }
      const done = await rollbackJob(ctx.engine, name, { expectCommit: plan.commit });
      writeLine(io.stdout, rollbackDone(done));
      return 0;
    });
  },
};
