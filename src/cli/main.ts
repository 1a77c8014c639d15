import { isUserError, errorMessage } from '../core/errors';
import { type CliIO, type Command, writeLine } from './command';
import { orchCommands } from './commands/index';
import { VERSION } from '../core/version';

function globalHelp(): string {
  const listed = orchCommands.filter((c) => !c.hidden);
  const width = Math.max(...listed.map((c) => c.name.length));
  return [
    'orch: run heavy work in detached tmux sessions on your cloud box (or locally) over SSH.',
    '',
    'Usage: orch <command> [options] [args...]',
    '',
    'Commands:',
    ...listed.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global options: --help, --version, --debug before the command (or ORCH_DEBUG=1) prints stacks.',
    'Run `orch <command> --help` for a command\'s options.',
  ].join('\n');
}

/** Runs one command and turns every error into one sentence on stderr plus an exit code. */
async function guarded(program: string, io: CliIO, debug: boolean, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (e) {
    if (isUserError(e)) {
      writeLine(io.stderr, `${program}: ${e.message}`);
      if (debug && e.cause) writeLine(io.stderr, String((e.cause as Error)?.stack ?? e.cause));
      return e.exitCode;
    }
    writeLine(io.stderr, `${program}: unexpected error: ${errorMessage(e)}${debug ? '' : ' (run with --debug for details)'}`);
    if (debug) writeLine(io.stderr, String((e as Error)?.stack ?? e));
    return 1;
  }
}

/** `orch` entry point; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  // --debug counts only before the command name (a job's command may have its own --debug)
  let lead = 0;
  while (argv[lead] === '--debug') lead++;
  const debug = lead > 0 || io.env.ORCH_DEBUG === '1';
  const args = argv.slice(lead);
  return guarded('orch', io, debug, async () => {
    const [first, ...rest] = args;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      if (first === 'help' && rest[0]) return main([rest[0], '--help'], io);
      writeLine(first === undefined ? io.stderr : io.stdout, globalHelp());
      return first === undefined ? 2 : 0;
    }
    if (first === '--version' || first === '-V') {
      writeLine(io.stdout, VERSION);
      return 0;
    }
    const command = orchCommands.find((c) => c.name === first);
    if (!command) {
      writeLine(io.stderr, `orch: unknown command "${first}"; run \`orch --help\` for the list.`);
      return 2;
    }
    if (wantsHelp(command, rest)) {
      writeLine(io.stdout, command.help);
      return 0;
    }
    return command.run(rest, io);
  });
}

/** `--help` counts only among orch's own options, never inside a job's command words. */
function wantsHelp(command: Command, rest: string[]): boolean {
  for (const w of rest) {
    if (w === '--') return false;
    if (w === '--help' || w === '-h') return true;
    // `orch run [options] NAME cmd...`: everything from the name on belongs to the command
    if (command.name === 'run' && !w.startsWith('-')) return false;
  }
  return false;
}

/** `cloud-run` entry point (the research kit's compatible bin). */
export async function mainCloudRun(argv: string[], io: CliIO): Promise<number> {
  let lead = 0;
  while (argv[lead] === '--debug') lead++;
  // Loaded on use, like orch's commands (commands/index.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { cloudRunMain } = require('./cloudRun') as typeof import('./cloudRun');
  return guarded('cloud-run', io, lead > 0 || io.env.ORCH_DEBUG === '1', () => cloudRunMain(argv.slice(lead), io));
}

export { main as orchMain };
export type { CliIO, Command };
