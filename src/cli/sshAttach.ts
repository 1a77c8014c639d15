import type { CliContext } from './context';
import { UserError } from '../core/errors';
import { execPty, openSshArgs } from '../core/ssh/sshTarget';

/** OpenSSH arguments reaching the job's host with a tty (`-t` first), or undefined without OpenSSH. */
export async function openSshAttachArgs(ctx: CliContext): Promise<string[] | undefined> {
  if (!ctx.ssh) return undefined;
  return openSshArgs(ctx.config, await ctx.ssh.resolved());
}

/** The attach without OpenSSH's client: an ssh2 pty channel wired to this terminal in raw mode. */
export async function attachOverSsh2(ctx: CliContext, remoteCommand: string): Promise<number> {
  if (!ctx.ssh) throw new UserError('Attaching over SSH needs a configured host.');
  const stdin = process.stdin;
  const stdout = process.stdout;
  const wasRaw = stdin.isRaw;
  stdin.setRawMode(true);
  stdin.resume();
  try {
    const code = await execPty(ctx.ssh, remoteCommand, {
      stdin,
      stdout,
      columns: stdout.columns || 80,
      rows: stdout.rows || 24,
      term: process.env.TERM,
      onResize: (listener) => {
        const onResize = () => listener(stdout.columns, stdout.rows);
        stdout.on('resize', onResize);
        return () => stdout.off('resize', onResize);
      },
    });
    return code ?? 1;
  } finally {
    stdin.setRawMode(wasRaw);
    stdin.pause();
  }
}
