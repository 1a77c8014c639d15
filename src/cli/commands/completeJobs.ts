import type { Command } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { CONFIG_OPTIONS, TARGET_OPTIONS, withContext } from '../context';
import { closeAll, listedHosts, loadCliHosts, onEveryHost } from '../hosts';
import type { Engine } from '../../core/engine/api';
import type { OrchConfig } from '../../core/config/types';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS, active: { kind: 'boolean' as const } };

/** A Tab never starts a stopped EC2 box (minutes, and money): a stopped box offers no names. */
function neverWake(config: OrchConfig): OrchConfig {
  return config.ec2 ? { ...config, ec2: { ...config.ec2, wake: 'ask' } } : config;
}

/** A shell waits for this at each Tab: an unreachable host must not hang it. */
const DEADLINE_MS = 4000;

/**
 * `orch __complete-jobs [--active] [config options]`: the job names of the hosts `orch list`
 * would ask (or the one target), one per line, for the completion scripts; hosts that cannot be
 * reached are left out. Prints nothing (exit 1) on any failure or after the
 * deadline: a Tab that cannot list jobs offers none rather than an error in the prompt.
 */
export const completeJobsCommand: Command = {
  name: '__complete-jobs',
  summary: 'Job names, one per line, for shell completion.',
  help: 'Usage: orch __complete-jobs [--active] [configuration options]\n\nUsed by the scripts of `orch completion`.',
  options: OPTIONS,
  operands: 'none',
  hidden: true,
  async run(argv, io) {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), DEADLINE_MS)));
    const names = (async () => {
      const p = parseArgs(argv, OPTIONS);
      delete p.options.wake;
      const fetch = async (e: Engine) => (p.options.active === true ? await e.status() : await e.list()).map((j) => j.name);
      // the hosts `orch list` would ask (every host of hosts.yaml at once), else the one target
      const hosts = await loadCliHosts(io, p.options);
      const targets = listedHosts(hosts, p.options)?.map((h) => ({ ...h, config: neverWake(h.config) }));
      if (targets === undefined) return withContext(io, p.options, (ctx) => fetch(ctx.engine), { config: neverWake(hosts.base), quiet: true });
      const results = await onEveryHost(io, targets, (ctx) => fetch(ctx.engine));
      await closeAll(results.map((r) => r.ctx));
      return [...new Set(results.flatMap((r) => r.value ?? []))];
    })().catch(() => undefined);
    const found = await Promise.race([names, deadline]);
    clearTimeout(timer);
    if (found === undefined) return 1;
    for (const n of found) writeLine(io.stdout, n);
    return 0;
  },
};
