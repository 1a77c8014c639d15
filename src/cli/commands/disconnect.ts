import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { usageError } from '../../core/errors';
import { helperControl } from '../../core/ssh/helper/client';
import { socketDirFor } from '../../core/ssh/helper/socketDir';

export const disconnectCommand: Command = {
  name: 'disconnect',
  summary: 'Close the SSH connection kept open for later commands (one host, or all).',
  help: [
    'Usage: orch disconnect [HOST]',
    '',
    'orch keeps one SSH connection per host open in a background helper, so the next command',
    'does not connect again; it closes by itself after ORCH_CONNECTION_PERSIST seconds idle',
    '(default 600; 0 turns this off). This closes it now: the helper for HOST (its SSH host',
    'name or address as configured, e.g. ORCH_HOST), or every helper of yours without HOST.',
    '',
    'Exit status: 0 (also when nothing was open).',
  ].join('\n'),
  options: {},
  async run(argv, io) {
    const p = parseArgs(argv, {});
    if (p.positionals.length > 1) throw usageError('Give at most one host: orch disconnect [HOST].');
    const host = p.positionals[0];
    const dir = socketDirFor(io.env);
    const names = await readdir(dir).catch(() => [] as string[]);
    let closed = 0;
    for (const name of names.filter((n) => n.endsWith('.sock'))) {
      const path = join(dir, name);
      const info = await helperControl(path, 'info');
      if (!info) {
        await unlink(path).catch(() => undefined); // nothing answers: a stale socket
        continue;
      }
      if (!info.ok || !('info' in info)) continue;
      if (host !== undefined && info.info.host !== host) continue;
      await helperControl(path, 'exit');
      writeLine(io.stdout, `closed the connection to ${info.info.user}@${info.info.host}:${info.info.port}`);
      closed++;
    }
    if (closed === 0) writeLine(io.stdout, host === undefined ? 'no connection was open' : `no connection to ${host} was open`);
    return 0;
  },
};
