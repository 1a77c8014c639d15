import type { Command, CliIO } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS, type CliContext } from '../context';
import { UserError, usageError } from '../../core/errors';
import { isActive } from '../../core/jobs/model';
import { validateJobName } from '../../core/jobs/names';
import { parsePortSpec, type PortSpec } from '../../core/ports/portSpec';
import { forwardPort, type PortForward } from '../../core/ssh/portForward';
import { withJobHost } from '../hosts';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS };

/** Resolves when the command is interrupted (Ctrl-C). */
function interrupted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

async function forward(ctx: CliContext, io: CliIO, name: string, asked: PortSpec[]): Promise<number> {
  const job = await ctx.engine.get(name);
  if (!job) throw new UserError(`No job named ${name} on ${ctx.engine.host}.`, { exitCode: 1 });
  if (!isActive(job.state)) throw new UserError(`Job ${name} is ${job.state}: nothing serves its ports any more (see orch logs ${name}).`, { exitCode: 1 });
  const specs = asked.length ? asked : (job.ports ?? []);
  if (!specs.length) throw usageError(`Job ${name} publishes no ports (orch run --publish P); give one: orch forward ${name} 6006.`);
  if (ctx.where === 'local') {
    for (const s of specs) writeLine(io.stdout, `http://127.0.0.1:${s.port}`);
    writeLine(io.stderr, `orch: ${name} runs on this machine; its ports need no forward.`);
    return 0;
  }
  // The direct connection: a forward holds channels for as long as it lives.
  const conn = ctx.ssh!.connection;
  const forwards: PortForward[] = [];
  try {
    for (const s of specs) {
      const f = await forwardPort({
        client: () => conn.getClient(),
        remotePort: s.port,
        localPort: s.local ?? s.port,
        fallbackToFree: s.local === undefined,
        onError: (line) => writeLine(io.stderr, `orch: ${line}`),
      });
      forwards.push(f);
      writeLine(io.stdout, f.url);
      writeLine(io.stderr, `orch: forwarding ${f.url} to 127.0.0.1:${s.port} on ${ctx.engine.host} (Ctrl-C to stop).`);
    }
    await interrupted(io.signal);
    return 0;
  } finally {
    await Promise.all(forwards.map((f) => f.close()));
  }
}

export const forwardCommand: Command = {
  name: 'forward',
  options: OPTIONS,
  operands: 'job',
  summary: "Forward a local port to a port a job serves on its host, until Ctrl-C.",
  help: [
    'Usage: orch forward <name> [P[:L]...]',
    '',
    "Listens on local port L (default P; a free one when P is taken here) and forwards each",
    "connection to 127.0.0.1:P on the job's host over the SSH connection, reconnecting after a",
    'drop, until Ctrl-C. Without P, the ports the job was started with (orch run --publish).',
    'Prints each local URL (http://127.0.0.1:L) on stdout.',
    '',
    '  --host NAME  the job\'s host when its name is on several (default: every host is asked)',
    '  --local      the local tmux target (its ports are local already: the URLs are printed)',
    '',
    CONFIG_HELP,
    '',
    'Exit status: 0 after Ctrl-C; 1 no such job, or it has ended; 2 bad input or the local port is in use.',
  ].join('\n'),
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    if (p.positionals.length < 1) throw usageError('Give a job name: orch forward <name> [P[:L]...].');
    const name = validateJobName(p.positionals[0]);
    const specs = p.positionals.slice(1).map((w) => parsePortSpec(w, 'orch forward'));
    return withJobHost(io, p.options, name, (ctx) => forward(ctx, io, name, specs));
  },
};
