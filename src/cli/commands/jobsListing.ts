import type { Command, CliIO } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS, withContext } from '../context';
import { closeAll, listedHosts, loadCliHosts, onEveryHost, reportUnreachable } from '../hosts';
import { hostList } from '../../core/config/hosts';
import { usageError } from '../../core/errors';
import type { Engine } from '../../core/engine/api';
import type { Job } from '../../core/jobs/model';
import { jobsJson, jobsTable } from '../output';
import { cloudWatchLine } from '../../core/cloudwatch/shipping';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS, json: { kind: 'boolean' as const } };

/** Jobs of several hosts, newest first (by when they were accepted, then host and name). */
export function mergeNewestFirst(lists: readonly (readonly Job[])[]): Job[] {
  return lists
    .flat()
    .sort((a, b) => (b.createdAt ?? b.startedAt ?? '').localeCompare(a.createdAt ?? a.startedAt ?? '') || a.host.localeCompare(b.host) || a.name.localeCompare(b.name));
}

function print(io: CliIO, jobs: readonly Job[], json: boolean, empty: string, where: string, progress: boolean): void {
  if (json) writeLine(io.stdout, jobsJson(jobs));
  else writeLine(io.stdout, jobs.length ? jobsTable(jobs, new Date(), { progress }) : `${empty} on ${where}.`);
  // Jobs shipping their log (--cloudwatch): where to, and how far it got.
  const shipped = json ? [] : jobs.filter((j) => j.cloudwatch);
  if (shipped.length) writeLine(io.stdout, ['', ...shipped.map((j) => cloudWatchLine(j.name, j.cloudwatch!))].join('\n'));
}

/** `status` and `list` differ only in which jobs they ask the engine for. */
export function listingCommand(name: string, summary: string, fetch: (e: Engine) => Promise<Job[]>, empty: string): Command {
  return {
    name,
    summary,
    options: OPTIONS,
    operands: 'none',
    help: [
      `Usage: orch ${name} [--json] [--host NAME]`,
      '',
      '  --json       an array of objects: name, state, exitCode, host, logPath, startedAt, endedAt,',
      '               command, workdir, outputDir, reason, route, attempt, ports, progress, cloudwatch',
      '               (progress of a RUNNING job: percent, n, total, rate, eta, from its last',
      '               progress line; null when it printed none; cloudwatch of a job run with',
      '               --cloudwatch: group, stream, linesShipped, lagBytes, state done|shipping|waiting,',
      '               error, errorAt; else null)',
      '  --host NAME  only this host (default: every host of scripts/cloud/hosts.yaml, asked at once)',
      '  --local      the local tmux target (default: the configured host, else local)',
      '',
      CONFIG_HELP,
      '',
      `Text output: NAME STATE EXIT STARTED ELAPSED ${name === 'status' ? 'PROGRESS ' : ''}HOST, newest first across hosts;`,
      'then a line for each job shipping its log to CloudWatch (--cloudwatch): group, stream, lines shipped.',
      'Exit status: 0; 1 when a host could not be asked (one line on stderr each; the others are listed).',
    ].join('\n'),
    async run(argv, io) {
      const p = parseArgs(argv, OPTIONS);
      if (p.positionals.length) throw usageError(`orch ${name} takes no arguments; got "${p.positionals[0]}".`);
      const json = p.options.json === true;
      const hosts = await loadCliHosts(io, p.options);
      const targets = listedHosts(hosts, p.options);
      if (targets === undefined) {
        return withContext(io, p.options, async (ctx) => {
          print(io, await fetch(ctx.engine), json, empty, ctx.engine.host, name === 'status');
          return 0;
        }, { config: hosts.base, quiet: true });
      }
      const results = await onEveryHost(io, targets, (ctx) => fetch(ctx.engine));
      await closeAll(results.map((r) => r.ctx));
      for (const r of results) if (r.error !== undefined) reportUnreachable(io, r.host, r.error);
      // "No active jobs on X" only names hosts that answered; with none, stderr has said it all.
      const answered = results.filter((r) => r.error === undefined).map((r) => r.host);
      if (answered.length || json) print(io, mergeNewestFirst(results.map((r) => r.value ?? [])), json, empty, hostList(answered), name === 'status');
      return results.some((r) => r.error !== undefined) ? 1 : 0;
    },
  };
}
