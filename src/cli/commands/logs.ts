import type { Command } from '../command';
import { numberOption, parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS } from '../context';
import { streamLog, watchOptionsFor } from '../follow';
import { UserError, usageError } from '../../core/errors';
import { validateJobName } from '../../core/jobs/names';
import { withJobHost } from '../hosts';
import { lastLines } from '../output';
import { lineAt } from '../../core/guardrails';
import { LogCache } from '../../core/logCache/logCache';
import { printCachedLog, teeToCache } from '../cachedLogs';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS, follow: { kind: 'boolean' as const, short: 'f' }, tail: { kind: 'string' as const, short: 'n' }, attempt: { kind: 'string' as const } };

export const logsCommand: Command = {
  name: 'logs',
  options: OPTIONS,
  operands: 'job',
  summary: "Print a job's log; -f follows it until the job ends.",
  help: [
    'Usage: orch logs [-f] [--tail N] [--attempt K] <name>',
    '',
    '  -f, --follow    keep printing new lines until the job ends (Ctrl-C stops following only);',
    '                  lines matching a watch pattern (guardrail L1) are reported on stderr',
    '  -n, --tail N    only the last N lines (with -f: then follow from there)',
    '  --host NAME     the job\'s host when its name is on several (default: every host is asked)',
    '  --attempt K     only attempt K of a job run with --retries (a part of run.log)',
    '  --local         read the local tmux target (default: the configured host, else local)',
    '',
    'Every log read whole (or followed) is kept in a local cache (ORCH_LOG_CACHE_MB, default 200;',
    'oldest evicted; under $XDG_CACHE_HOME/orch/logs or ~/.cache/orch/logs): when the job\'s host is',
    'stopped or unreachable, the cached copy is printed instead, marked "cached" on stderr.',
    '',
    CONFIG_HELP,
    '',
    'Exit status: 0; 1 when there is no such job.',
  ].join('\n'),
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    if (p.positionals.length !== 1) throw usageError('Give one job name: orch logs [-f] [--tail N] <name>.');
    const name = validateJobName(p.positionals[0]);
    const tail = numberOption(p.options.tail, 'tail', { integer: true });
    const attempt = numberOption(p.options.attempt, 'attempt', { integer: true });
    if (attempt !== undefined && (attempt < 1 || p.options.follow === true || tail !== undefined)) {
      throw usageError('--attempt takes a number from 1 and goes without -f and --tail.');
    }
    const cache = LogCache.fromEnv(io.env);
    try {
      return await withJobHost(io, p.options, name, async (ctx) => {
        const host = ctx.engine.host;
        if (p.options.follow !== true) {
          if (tail !== undefined || attempt !== undefined) {
            await ctx.engine.writeLog(name, io.stdout, tail === undefined ? { attempt } : { tailLines: tail });
            return 0;
          }
          // Piped with backpressure (memory stays flat for any size of log), and cached as it goes.
          const fill = await cache.fill(host, name);
          try {
            await ctx.engine.writeLog(name, teeToCache(io.stdout, fill));
          } catch (e) {
            await fill.discard();
            throw e;
          }
          await fill.commit();
          return 0;
        }
        const job = await ctx.engine.get(name);
        if (!job) throw new UserError(`No job named ${name} on ${host}.`);
        const watch = await watchOptionsFor(io);
        let from = 0;
        const fill = await cache.fill(host, name);
        let got = 0;
        try {
          if (tail !== undefined) {
            const whole = await ctx.engine.readLog(name);
            fill.write(whole);
            got += whole.length;
            io.stdout.write(lastLines(whole, tail));
            from = whole.length;
            // L1 line numbers stay those of run.log; the lines already printed are not watched.
            watch.startLine = lineAt(whole);
          }
          // A follow fills the cache as it goes: what arrived is a true prefix of run.log, kept
          // even when the follow ends early.
          await streamLog(ctx.engine, name, io, from, watch, 'orch', (chunk) => {
            got += chunk.length;
            return fill.write(chunk);
          });
        } finally {
          await (got > 0 ? fill.commit() : fill.discard());
        }
        return 0;
      });
    } catch (e) {
      if (attempt === undefined && (await printCachedLog(io, e, name, { host: typeof p.options.host === 'string' ? p.options.host : undefined, tail }))) return 0;
      throw e;
    }
  },
};
