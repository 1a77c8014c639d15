import type { Command } from '../command';
import { writeLine } from '../command';
import { numberOption, parseArgs } from '../args';
import { usageError } from '../../core/errors';
import { decide, resolveRoutingPolicy, type TaskFacts } from '../../core/policy/index';

const specs = {
  json: { kind: 'boolean' as const },
  config: { kind: 'string' as const },
  runtime: { kind: 'string' as const },
  memory: { kind: 'string' as const },
  parallel: { kind: 'string' as const },
  'heavy-logs': { kind: 'boolean' as const },
  heavy: { kind: 'list' as const },
  ui: { kind: 'boolean' as const },
  light: { kind: 'boolean' as const },
  agent: { kind: 'string' as const },
};

const help = `Usage: orch route [facts] [--json] [--config FILE] [-- <cmd...>]

Explains whether a task would run on the cloud box or locally, and why.

Facts (each may be left out; unknown memory goes to cloud):
  --runtime MIN     runtime estimate in minutes
  --memory GB       memory estimate in GB
  --parallel N      number of jobs run in parallel
  --heavy-logs      the task prints heavy log output (watch, tail -f, dev server, build)
  --heavy KIND      heavy workload: llm, embedding, vector-db, scraping, aggregation
                    (repeat it or give a comma list)
  --ui              UI-centric (browser / IDE work)
  --light           a lightweight check (git status, ls, a one-off command)
  --agent NAME      agent of the protocol's affinity table (case-insensitive)
  -- <cmd...>       a command line to profile into facts; explicit flags override it

Options:
  --json            print {"target":...,"matched":[...],"reasons":[...]} on one line
  --config FILE     routing file (default: $ORCH_ROUTING_FILE, else
                    <workspace>/scripts/cloud/routing.yaml if present, else built-in rules)

Examples:
  orch route --runtime 2 --ui --light --memory 1
  orch route --json -- npm run build
  orch route --agent Scribe`;

function kinds(values: unknown): string[] | undefined {
  if (values === undefined) return undefined;
  const out = (values as string[]).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
  if (out.length === 0) throw usageError('--heavy needs a workload kind, e.g. --heavy llm.');
  return out;
}

/** Builds the task facts from the flags; an unset flag leaves its fact unknown. */
function factsFrom(options: Record<string, unknown>, command: string[]): TaskFacts {
  const facts: TaskFacts = {
    runtimeMinutes: numberOption(options.runtime, 'runtime'),
    memoryGb: numberOption(options.memory, 'memory'),
    parallel: numberOption(options.parallel, 'parallel', { integer: true, min: 1 }),
    heavyLogs: options['heavy-logs'] === true ? true : undefined,
    heavyKinds: kinds(options.heavy),
    uiCentric: options.ui === true ? true : undefined,
    lightweight: options.light === true ? true : undefined,
    agent: options.agent as string | undefined,
    command: command.length > 0 ? command.join(' ') : undefined,
  };
  return facts;
}

export const routeCommand: Command = {
  name: 'route',
  options: specs,
  operands: 'none',
  summary: 'Explain where a task would run (cloud or local) and why.',
  help,
  async run(argv, io) {
    // everything after `--` is the command to profile, never orch's options
    const dd = argv.indexOf('--');
    const own = dd >= 0 ? argv.slice(0, dd) : argv;
    const command = dd >= 0 ? argv.slice(dd + 1) : [];
    const { options, positionals } = parseArgs(own, specs);
    if (positionals.length > 0) {
      throw usageError(`Unexpected "${positionals[0]}": put the command to profile after --, e.g. orch route -- ${positionals.join(' ')}.`);
    }
    if (dd >= 0 && command.length === 0) throw usageError('Nothing after --: give the command to profile, e.g. orch route -- npm run build.');
    const facts = factsFrom(options, command);
    const { policy, file } = await resolveRoutingPolicy({ cwd: io.cwd, env: io.env, file: options.config as string | undefined });
    const d = decide(facts, policy);
    if (options.json) {
      writeLine(io.stdout, JSON.stringify({ target: d.target, matched: d.matched, reasons: d.reasons }));
      return 0;
    }
    writeLine(io.stdout, `target:  ${d.target}`);
    writeLine(io.stdout, `matched: ${d.matched.length > 0 ? d.matched.join(', ') : '(none)'}`);
    writeLine(io.stdout, 'reasons:');
    for (const r of d.reasons) writeLine(io.stdout, `  - ${r}`);
    writeLine(io.stdout, `policy:  ${file ?? 'built-in (the protocol\'s CLOUD_ROUTING block)'}`);
    return 0;
  },
};
