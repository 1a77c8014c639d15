import type { Command } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { loadCliHosts } from '../hosts';
import { AUTO_HOST } from '../../core/config/hostsTypes';

/**
 * `orch __complete-hosts`: the names `--host` takes (the entries of scripts/cloud/hosts.yaml and
 * `auto`, else the one ORCH_HOST), one per line, for the completion scripts. Reads files only,
 * never a host; prints nothing (exit 1) when the configuration cannot be read.
 */
export const completeHostsCommand: Command = {
  name: '__complete-hosts',
  summary: 'Host names, one per line, for shell completion.',
  help: 'Usage: orch __complete-hosts\n\nUsed by the scripts of `orch completion`.',
  options: {},
  operands: 'none',
  hidden: true,
  async run(argv, io) {
    parseArgs(argv, {});
    const hosts = await loadCliHosts(io, {}).catch(() => undefined);
    if (!hosts) return 1;
    const names = hosts.set.hosts.map((h) => h.name);
    if (hosts.set.file !== undefined) names.push(AUTO_HOST);
    for (const n of names) writeLine(io.stdout, n);
    return 0;
  },
};
