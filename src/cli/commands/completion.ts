import type { Command } from '../command';
import { parseArgs } from '../args';
import { usageError } from '../../core/errors';
import { completionTable } from '../completion/table';
import bash from '../completion/orch.bash';
import zsh from '../completion/orch.zsh';
import fish from '../completion/orch.fish';

const SHELLS: Record<string, string> = { bash, zsh, fish };

/** The line of each script that receives the table (a valid empty assignment as shipped). */
const SLOT = /^(.*)'' # @ORCH_COMPLETION_TABLE@$/m;

/** The completion script for `shell` with the command table of `commands` filled in. */
export function completionScript(shell: string, table: string): string {
  const text = SHELLS[shell];
  if (text === undefined) throw usageError(`No completion for "${shell}"; use bash, zsh or fish.`);
  if (!SLOT.test(text)) throw new Error(`the ${shell} completion script has no table line`);
  return text.replace(SLOT, (_, head: string) => `${head}'${table}'`);
}

export const completionCommand: Command = {
  name: 'completion',
  summary: 'Print a shell completion script (bash, zsh or fish).',
  help: [
    'Usage: orch completion bash|zsh|fish',
    '',
    'Prints a script that completes commands, options and job names (asked of the configured',
    'host, or the local target with --local, when you press Tab). Load it with:',
    '  bash:  source <(orch completion bash)        (add the line to ~/.bashrc to keep it)',
    '  zsh:   source <(orch completion zsh)         (after compinit, in ~/.zshrc)',
    '  fish:  orch completion fish > ~/.config/fish/completions/orch.fish',
  ].join('\n'),
  options: {},
  operands: { words: Object.keys(SHELLS) },
  async run(argv, io) {
    const p = parseArgs(argv, {});
    if (p.positionals.length !== 1) throw usageError('Say which shell: orch completion bash|zsh|fish.');
    // required here: the table lists every command, and the command list requires this module
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { orchCommands } = require('./index') as typeof import('./index');
    io.stdout.write(completionScript(p.positionals[0], completionTable(orchCommands)));
    return 0;
  },
};
