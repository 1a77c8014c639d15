import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import type { Command, CliIO } from '../command';
import { writeLine } from '../command';
import { numberOption, parseArgs, type ParsedArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, policyFor, type CliContext } from '../context';
import { loadCliHosts, openRunTarget } from '../hosts';
import { waitForJob } from '../follow';
import { usageError } from '../../core/errors';
import { generateJobName, validateJobName } from '../../core/jobs/names';
import { isActive, type SlurmRequest } from '../../core/jobs/model';
// The sync alone, not the transfer index: pull's `tar` package would load with every `orch run`.
import { prepareWorkspace, syncWorkspace, uploadDirs, type PreparedWorkspace } from '../../core/transfer/sync';
import { describeSync } from '../../core/transfer/describe';
import { parseRetryExit, requirePattern, runGuardrailsOf, type GuardrailSettings } from '../../core/guardrails/settings';
import { resolveGuardrails } from '../../core/guardrails/load';
import { parsePortSpec, type PortSpec } from '../../core/ports/portSpec';
import { JOB_ENV_HELP, JOB_ENV_OPTIONS, jobEnvOf } from '../jobEnvOptions';
import { refuseSlurmFlags, slurmFields } from '../../core/engine/slurmFields';
import { checkLogGroup, defaultLogGroup } from '../../core/cloudwatch/shipping';

const RUN_OPTIONS = {
  ...CONFIG_OPTIONS,
  task: { kind: 'string' as const },
  wait: { kind: 'boolean' as const },
  local: { kind: 'boolean' as const },
  cloud: { kind: 'boolean' as const },
  auto: { kind: 'boolean' as const },
  sync: { kind: 'boolean' as const },
  'no-sync': { kind: 'boolean' as const },
  'data-dirs': { kind: 'list' as const },
  'output-dir': { kind: 'string' as const },
  'max-hours': { kind: 'string' as const },
  gpus: { kind: 'string' as const },
  retries: { kind: 'string' as const },
  'retry-backoff': { kind: 'string' as const },
  'retry-on-exit': { kind: 'string' as const },
  'no-retry-on': { kind: 'string' as const },
  'rollback-on-retry': { kind: 'boolean' as const },
  'stop-on-match': { kind: 'boolean' as const },
  force: { kind: 'boolean' as const },
  cloudwatch: { kind: 'optional' as const },
  ...JOB_ENV_OPTIONS,
  publish: { kind: 'repeat' as const },
  partition: { kind: 'string' as const },
  cpus: { kind: 'string' as const },
  mem: { kind: 'string' as const },
  'sbatch-arg': { kind: 'repeat' as const },
};

/** `orch run` after parsing: what to start and how. Nothing has been touched yet. */
export interface RunPlan {
  /** Given name (validated); undefined when `--task` generates one. */
  name?: string;
  task?: string;
  command: string;
  wait: boolean;
  /** `--sync` true, `--no-sync` false, neither undefined (then ORCH_SYNC decides). */
  sync: boolean | undefined;
  dataDirs: string[];
  outputDir?: string;
  maxHours?: number;
  gpus?: number;
  retries?: number;
  force: boolean;
  ports: PortSpec[];
  /** Slurm hosts: the allocation (--partition, --cpus, --mem, --sbatch-arg). */
  slurm?: SlurmRequest;
  /** `--cloudwatch` (true: the host's group or the default) or `--cloudwatch=GROUP`. */
  cloudwatch?: string | true;
  /** Guardrail flags, applied over the workspace's guardrails file. */
  guard: GuardFlags;
  options: ParsedArgs['options'];
}

export interface GuardFlags {
  retryBackoff?: number;
  retryOnExit?: GuardrailSettings['retry']['onExit'];
  noRetryOn?: string;
  rollbackOnRetry: boolean;
  stopOnMatch: boolean;
}

/** The workspace's guardrail settings with this run's flags on top. */
export function applyGuardFlags(s: GuardrailSettings, f: GuardFlags): GuardrailSettings {
  return {
    watch: { ...s.watch, stopOnMatch: s.watch.stopOnMatch || f.stopOnMatch },
    retry: {
      ...s.retry,
      backoffSeconds: f.retryBackoff ?? s.retry.backoffSeconds,
      onExit: f.retryOnExit ?? s.retry.onExit,
      noRetryOn: f.noRetryOn === undefined ? s.retry.noRetryOn : [...s.retry.noRetryOn, f.noRetryOn],
      rollbackOnRetry: s.retry.rollbackOnRetry || f.rollbackOnRetry,
    },
  };
}

/**
 * Options come before the name; every word after the name is the command, joined with spaces
 * as ssh joins them (`orch run NAME cmd --wait` gives `--wait` to the command).
 */
export function parseRunArgs(argv: readonly string[]): RunPlan {
  const p = parseArgs(argv, RUN_OPTIONS, 1);
  const o = p.options;
  const task = o.task as string | undefined;
  let name: string | undefined;
  let words: string[];
  if (task !== undefined) {
    if (task.trim() === '') throw usageError('--task needs a non-empty task name.');
    words = [...p.positionals, ...p.rest];
  } else {
    name = p.positionals[0];
    if (name === undefined && o['data-dirs'] !== undefined) {
      throw usageError('--data-dirs takes every word up to the next option: end the list with -- (orch run --data-dirs D... -- <name> <cmd...>).');
    }
    if (name === undefined) throw usageError('Give a job name and a command: orch run <name> <cmd...> (or orch run --task <task> <cmd...>).');
    validateJobName(name);
    words = p.rest;
  }
  const command = words.join(' ');
  if (command.trim() === '') throw usageError(`Give the command to run after the job name${task === undefined ? ` "${name}"` : ''}.`);
  const maxHours = numberOption(o['max-hours'], 'max-hours');
  if (maxHours === 0) throw usageError('--max-hours must be greater than 0.');
  if (o['output-dir'] === '') throw usageError('--output-dir needs a directory.');
  if (o.sync === true && o['no-sync'] === true) throw usageError('Give --sync or --no-sync, not both.');
  return {
    name,
    task,
    command,
    wait: o.wait === true,
    sync: o.sync === true ? true : o['no-sync'] === true ? false : undefined,
    dataDirs: (o['data-dirs'] as string[] | undefined) ?? [],
    outputDir: o['output-dir'] as string | undefined,
    maxHours,
    gpus: numberOption(o.gpus, 'gpus', { integer: true, min: 1 }),
    retries: numberOption(o.retries, 'retries', { integer: true }),
    force: o.force === true,
    ports: ((o.publish as string[] | undefined) ?? []).map((w) => parsePortSpec(w)),
    slurm: slurmOptions(o),
    cloudwatch: o.cloudwatch === true ? true : o.cloudwatch === undefined ? undefined : checkLogGroup(String(o.cloudwatch), '--cloudwatch'),
    guard: {
      retryBackoff: numberOption(o['retry-backoff'], 'retry-backoff'),
      retryOnExit: o['retry-on-exit'] === undefined ? undefined : parseRetryExit(String(o['retry-on-exit'])),
      noRetryOn: o['no-retry-on'] === undefined ? undefined : requirePattern(String(o['no-retry-on']), '--no-retry-on'),
      rollbackOnRetry: o['rollback-on-retry'] === true,
      stopOnMatch: o['stop-on-match'] === true,
    },
    options: o,
  };
}

/** The Slurm options of `orch run`, checked (undefined when none is given). */
function slurmOptions(o: ParsedArgs['options']): SlurmRequest | undefined {
  const req: SlurmRequest = {
    partition: o.partition as string | undefined,
    cpus: numberOption(o.cpus, 'cpus', { integer: true, min: 1 }),
    memGb: numberOption(o.mem, 'mem'),
    sbatchArgs: o['sbatch-arg'] as string[] | undefined,
  };
  if (req.memGb === 0) throw usageError('--mem must be greater than 0 (GB).');
  if (Object.values(req).every((v) => v === undefined)) return undefined;
  // The same checks the engine makes, before anything is uploaded.
  slurmFields(req, undefined);
  return req;
}

/** Refuses a running name, or an existing log without --force, before anything is uploaded. */
export async function checkNameFree(ctx: CliContext, name: string, force: boolean): Promise<void> {
  const existing = await ctx.engine.get(name);
  if (!existing) return;
  if (isActive(existing.state)) throw usageError(`A job named ${name} is already ${existing.state} on ${ctx.engine.host}; pick another name or stop it first.`);
  if (!force) throw usageError(`A job named ${name} already has a log on ${ctx.engine.host}; pick another name, or pass --force to start anew (the old log is kept, renamed).`);
}

async function checkDirs(io: CliIO, dirs: readonly string[]): Promise<void> {
  for (const d of dirs) {
    const st = await fs.stat(path.resolve(io.cwd, d)).catch(() => undefined);
    if (!st?.isDirectory()) throw usageError(`Data dir ${d} is not a directory here (${io.cwd}).`);
  }
}

/** The local target running in the current directory: nothing to upload. */
function runsInPlace(ctx: CliContext, io: CliIO, workdir: string): boolean {
  return ctx.where === 'local' && path.resolve(io.cwd, workdir) === path.resolve(io.cwd);
}

/** Uploads what `--sync` and `--data-dirs` ask for; the local target runs in place and needs none. */
export async function uploadForRun(ctx: CliContext, io: CliIO, workdir: string, sync: boolean, dataDirs: readonly string[], prefix = 'orch', prepared?: PreparedWorkspace): Promise<void> {
  if (runsInPlace(ctx, io, workdir)) {
    if (sync || dataDirs.length) writeLine(io.stderr, `${prefix}: the local target runs in ${workdir}; nothing to upload.`);
    return;
  }
  if (sync) writeLine(io.stderr, `${prefix}: ${describeSync('sync', await syncWorkspace(ctx.target, ctx.config.workspaceRoot, workdir, prepared))}`);
  if (dataDirs.length) {
    const dirs = dataDirs.map((d) => path.resolve(io.cwd, d));
    writeLine(io.stderr, `${prefix}: ${describeSync('data dirs', await uploadDirs(ctx.target, dirs, workdir, ctx.config.workspaceRoot))}`);
  }
}

/** The job's workdir: the remote workdir on the cloud; the current directory locally unless --workdir. */
export function workdirFor(ctx: CliContext, io: CliIO, options: ParsedArgs['options']): string {
  if (ctx.where === 'local' && typeof options.workdir !== 'string' && typeof options['remote-workdir'] !== 'string') return io.cwd;
  return ctx.config.remoteWorkdir;
}

export const runCommand: Command = {
  name: 'run',
  options: RUN_OPTIONS,
  operands: 'new-job',
  summary: 'Start a job in a detached tmux session (on the cloud host by default).',
  help: [
    'Usage: orch run [options] <name> <cmd...>',
    '       orch run [options] --task <task> <cmd...>',
    '',
    'Options come before the name; every word after it is the command, joined with spaces',
    '(as `ssh host cmd...` does), so the command\'s own flags are never read by orch.',
    '',
    '  --task T          generate the name <project>-<T>-<YYYYMMDD-HHMM>',
    '  --wait            stream the log until the job ends; exit with the job\'s exit status',
    '  --cloud           run on the configured host (default; an error when none is configured)',
    '  --host NAME|auto  a host of scripts/cloud/hosts.yaml (or any SSH host); auto: the reachable',
    '                    host with the fewest active jobs per slot, then the lowest load per CPU',
    '  --local           run in the local tmux server, in the current directory',
    '  --auto            let the routing policy choose from the command line',
    '  --sync            first upload the workspace (git-tracked + untracked-not-ignored files);',
    '                    the default when ORCH_SYNC=1 (environment or scripts/cloud/.env)',
    '  --no-sync         do not upload the workspace, whatever ORCH_SYNC says',
    '  --data-dirs D...  upload these dirs to the same relative paths under the workdir',
    '  --output-dir D    record D (relative to the workdir) for `orch pull` (default ORCH_OUTPUT_DIR);',
    '                    while the job runs D is its own: another job naming it on the same host is refused',
    '  --max-hours H     stop the job after H hours (enforced on the host)',
    '  --gpus N          N GPUs of the host for this job alone (CUDA_VISIBLE_DEVICES, ORCH_GPUS); it waits',
    '                    QUEUED until N are free; the inventory is the host\'s gpus: or nvidia-smi -L',
    '  --retries N       retry a failed job up to N times (each attempt keeps its log)',
    '  --retry-backoff S wait S seconds before the first retry, doubling each time (default 5, at most 300)',
    '  --retry-on-exit C which exit statuses are retried: "1,137", "3-9", "any" (default: any except 2,126,127)',
    '  --no-retry-on P   also never retry when the failed attempt\'s log matches the regex P',
    '                    (defaults: SyntaxError, IndentationError, ModuleNotFoundError, ImportError, command not found)',
    '  --rollback-on-retry  reset the git workdir to the commit before the job before each retry',
    '  --stop-on-match   stop the job (on the host) at the first line matching a watch pattern (L1)',
    '  --force           reuse a name whose log exists (the old log is kept, renamed)',
    '  --cloudwatch[=G]  ship the log from the box to CloudWatch Logs group G (default: the host\'s',
    '                    cloudwatch: or ORCH_CLOUDWATCH, which ship every job there, else',
    '                    /orch/<project>), one stream per run; needs the AWS CLI on the box',
    '                    and its credentials (docs/ec2.md)',
    ...JOB_ENV_HELP,
    '  --publish P[:L]   the job serves port P on the host (repeatable; kept with the job):',
    '                    `orch forward <name>` then forwards local port L (default P) to it',
    '',
    'On a Slurm host (kind: slurm in hosts.yaml) the job is a batch job (sbatch); --max-hours is',
    'its --time, and these ask for the allocation (docs/slurm.md):',
    '  --partition P     the Slurm partition',
    '  --gpus N          GPUs (sbatch --gpus)',
    '  --cpus N          CPUs (sbatch --cpus-per-task)',
    '  --mem GB          memory per node in GB',
    '  --sbatch-arg ARG  one more sbatch option, passed as it is (repeatable: --sbatch-arg --qos=high)',
    '',
    CONFIG_HELP,
    '',
    'Guardrail defaults come from scripts/cloud/guardrails.yaml when present (docs/guardrails.md).',
    '',
    'Prints the job name. Exit status: 0 started, 2 bad input (nothing started);',
    'with --wait, the job\'s own exit status.',
  ].join('\n'),
  async run(argv, io) {
    const plan = parseRunArgs(argv);
    await checkDirs(io, plan.dataDirs);
    const env = await jobEnvOf(io, plan.options);
    const hosts = await loadCliHosts(io, plan.options);
    const guard = applyGuardFlags((await resolveGuardrails({ cwd: io.cwd, env: io.env })).settings, plan.guard);
    const name = plan.name ?? generateJobName(hosts.base.project, plan.task ?? 'job');
    const target = await openRunTarget(io, hosts, plan.options, { command: plan.command, policy: await policyFor(io, plan.options), gpus: plan.gpus });
    const { ctx, choice } = target;
    const config = ctx.config;
    try {
      refuseSlurmFlags(plan.slurm, config.hostKind === 'slurm', ctx.engine.host);
      const workdir = workdirFor(ctx, io, plan.options);
      const sync = plan.sync ?? config.sync === true;
      // The workspace is listed and hashed, and the host's sync state checked (a check changes
      // nothing there), while the name check makes its round trip.
      const prepared = sync && !runsInPlace(ctx, io, workdir) ? prepareWorkspace(ctx.target, config.workspaceRoot, workdir) : undefined;
      await checkNameFree(ctx, name, plan.force);
      const outputDir = plan.outputDir ?? config.outputDir;
      await uploadForRun(ctx, io, workdir, sync, plan.dataDirs, 'orch', prepared);
      await ctx.engine.run({
        name,
        command: plan.command,
        workdir,
        force: plan.force,
        outputDir,
        maxHours: plan.maxHours,
        gpus: plan.gpus,
        retries: plan.retries ?? config.retries,
        route: choice.route,
        placement: target.placement ? `${target.placement.host}: ${target.placement.reason}` : undefined,
        guardrails: runGuardrailsOf(guard),
        env,
        ports: plan.ports,
        slurm: plan.slurm,
        cloudwatch: plan.cloudwatch === true ? (config.cloudwatch ?? defaultLogGroup(config.project)) : plan.cloudwatch,
      });
      writeLine(io.stdout, name);
      if (!plan.wait) return 0;
      return await waitForJob(ctx.engine, name, io, 'orch', { patterns: guard.watch.patterns, windowLines: guard.watch.windowLines });
    } finally {
      await ctx.close().catch(() => undefined);
    }
  },
};
