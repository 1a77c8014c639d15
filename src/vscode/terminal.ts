import * as vscode from 'vscode';
import { attachRemoteCommand } from '../core/jobs/attachCommand';
import { UserError } from '../core/errors';
import type { Job } from '../core/jobs/model';
import type { CloudJobs } from './context';

/**
 * An integrated terminal named after the job, attached to its tmux session: `ssh -t … tmux
 * attach -t JOB` for the host (same host, port, key and known_hosts as the engine), or
 * `tmux attach -t JOB` for the local target; on a Slurm host through `srun --overlap --pty`
 * (core/jobs/attachCommand.ts). `-u`: UTF-8 progress bars draw whatever the locale. Reuses the
 * job's terminal if it is still open.
 */
export async function attachTerminal(ctx: CloudJobs, job: Pick<Job, 'name' | 'host' | 'slurmJobId'>): Promise<vscode.Terminal> {
  const name = `Cloud Jobs: ${job.name}`;
  const existing = vscode.window.terminals.find((t) => t.name === name && t.exitStatus === undefined);
  if (existing) {
    existing.show();
    return existing;
  }
  let options: vscode.TerminalOptions;
  if (job.host === 'local') {
    options = { name, shellPath: 'tmux', shellArgs: ['-u', 'attach', '-t', job.name], iconPath: new vscode.ThemeIcon('terminal-tmux') };
  } else {
    const [{ resolveHost }, { openSshArgs }] = await Promise.all([import('../core/ssh/sshConfig.js'), import('../core/ssh/sshTarget.js')]);
    const config = await ctx.config.hostConfig(job.host);
    if (!config.host) throw new UserError('No cloud host is configured, so there is nothing to attach to.');
    const args = openSshArgs(config, await resolveHost(config), { tty: true });
    if (!args) throw new UserError('Attach needs the OpenSSH client (ssh), which is not installed here.');
    options = { name, shellPath: 'ssh', shellArgs: [...args, attachRemoteCommand(job)], iconPath: new vscode.ThemeIcon('remote') };
  }
  ctx.log.info(`attach ${job.name}: ${options.shellPath} ${(options.shellArgs as string[]).join(' ')}`);
  const terminal = vscode.window.createTerminal(options);
  terminal.show();
  return terminal;
}
