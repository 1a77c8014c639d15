import { spawn } from 'node:child_process';
import type { Command, CliIO } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS, type CliContext } from '../context';
import { UserError, usageError } from '../../core/errors';
import { attachRemoteCommand } from '../../core/jobs/attachCommand';
import { isActive } from '../../core/jobs/model';
import { validateJobName } from '../../core/jobs/names';
import { withJobHost } from '../hosts';
import { findOnPath } from '../which';
import { attachOverSsh2, openSshAttachArgs } from '../sshAttach';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS };

/** Runs a program on this terminal (stdio inherited) and resolves with its exit status. */
function runOnTerminal(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function attach(ctx: CliContext, io: CliIO, name: string): Promise<number> {
  const job = await ctx.engine.get(name);
  if (!job) throw new UserError(`No job named ${name} on ${ctx.engine.host}.`);
  if (!isActive(job.state)) throw new UserError(`Job ${name} is ${job.state}; there is no session to attach to (see orch logs ${name}).`);
  if (ctx.where === 'local') {
    if (!(await findOnPath('tmux', io.env))) throw new UserError('tmux is not installed on this machine.');
    return runOnTerminal('tmux', ['attach', '-t', name]);
  }
  const remote = attachRemoteCommand(job);
  const args = (await findOnPath('ssh', io.env)) ? await openSshAttachArgs(ctx) : undefined;
  if (args) return runOnTerminal('ssh', [...args, remote]);
  return attachOverSsh2(ctx, remote);
}

export const attachCommand: Command = {
  name: 'attach',
  options: OPTIONS,
  operands: 'active-job',
  summary: "Attach this terminal to a job's tmux session (Ctrl-b d detaches).",
  help: [
    'Usage: orch attach <name>',
    '',
    'Needs a real terminal. On the cloud host it runs `ssh -t HOST tmux attach -t NAME` when',
    "OpenSSH's client is installed, else an ssh2 pty; locally `tmux attach -t NAME`. On a Slurm",
    'host it reaches the session inside the allocation: srun --jobid=ID --overlap --pty tmux attach.',
    'Detach with Ctrl-b d: the job keeps running.',
    '',
    '  --host NAME  the job\'s host when its name is on several (default: every host is asked)',
    '  --local      the local tmux target (default: the configured host, else local)',
    '',
    CONFIG_HELP,
    '',
    'Exit status: that of the attach (0 after a detach); 1 no such job or not running.',
  ].join('\n'),
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    if (p.positionals.length !== 1) throw usageError('Give one job name: orch attach <name>.');
    const name = validateJobName(p.positionals[0]);
    const stdin = io.stdin as NodeJS.ReadStream;
    if (!io.isTTY || !stdin.isTTY) {
      throw usageError(`orch attach needs a real terminal; use \`orch logs -f ${name}\` to watch the job from a script.`);
    }
    return withJobHost(io, p.options, name, (ctx) => attach(ctx, io, name));
  },
};
