import { stat } from 'node:fs/promises';
import * as path from 'node:path';
import type { CliIO } from './command';
import { writeLine } from './command';
import { numberOption, parseArgs } from './args';
import { CONFIG_OPTIONS, type CliContext } from './context';
import { uploadForRun, workdirFor } from './commands/run';
import { loadCliHosts, openRunTarget, withJobHost } from './hosts';
import { waitForJob } from './follow';
import { pullJobOutput } from './pullJob';
import { isUserError, usageError } from '../core/errors';
import { resolveGuardrails } from '../core/guardrails/load';
import { runGuardrailsOf } from '../core/guardrails/settings';
import { generateJobName, validateJobName } from '../core/jobs/names';
import { JOB_ENV_HELP, JOB_ENV_OPTIONS, jobEnvOf } from './jobEnvOptions';

export const CLOUD_RUN_HELP = [
  'cloud-run: the research kit\'s compatible entry to orch.',
  '',
  'Usage: cloud-run run "<cmd>" [--spec F] [--data-dirs D...] [--output-dir D] [--max-hours H] [--detach]',
  '       cloud-run pull <run-id> --output-dir D',
  '',
  'run   starts the command as a job (on the configured host; locally when none is configured),',
  '      printing the run id (the job name) alone on the first line of stdout. The workspace is',
  '      synced first (git-tracked and untracked-not-ignored files) and --data-dirs uploaded.',
  '      Without --detach it then streams the log, pulls --output-dir back into the same local',
  '      path, and exits with the job\'s exit status.',
  '  --spec F          name the run after the spec file (default: "run")',
  '  --data-dirs D...  upload these dirs to the same relative paths on the host',
  '  --output-dir D    the run\'s results dir (relative to the workdir); pulled back when it ends',
  '  --max-hours H     stop the run after H hours (enforced on the host)',
  '  --gpus N          N GPUs of the host for this run alone (CUDA_VISIBLE_DEVICES); queued until free',
  '  --detach          print the run id and return at once',
  '  --local / --cloud force the target',
  '  --host NAME|auto  a host of scripts/cloud/hosts.yaml (or any SSH host); auto: placement',
  ...JOB_ENV_HELP,
  'pull  copies the run\'s output dir into D (exit 1 when there is nothing to pull).',
  '',
  'Configuration: scripts/cloud/.env (ORCH_HOST, ...) or ORCH_* environment variables;',
  'guardrails (watch patterns, stop on match, retry rules): scripts/cloud/guardrails.yaml.',
].join('\n');

const RUN_OPTIONS = {
  ...CONFIG_OPTIONS,
  spec: { kind: 'string' as const },
  'data-dirs': { kind: 'list' as const },
  'output-dir': { kind: 'string' as const },
  'max-hours': { kind: 'string' as const },
  gpus: { kind: 'string' as const },
  detach: { kind: 'boolean' as const },
  local: { kind: 'boolean' as const },
  cloud: { kind: 'boolean' as const },
  ...JOB_ENV_OPTIONS,
};

const PULL_OPTIONS = { ...CONFIG_OPTIONS, 'output-dir': { kind: 'string' as const }, local: { kind: 'boolean' as const }, cloud: { kind: 'boolean' as const } };

/** The run's task part: the spec's file name without extension, else `run`. */
export function cloudRunTask(spec: string | undefined): string {
  if (!spec) return 'run';
  const base = path.basename(spec.replace(/[/\\]+$/, ''));
  return base.replace(/\.[^.]*$/, '') || 'run';
}

/** A generated name is per minute; a second run in the same minute gets `-2`, `-3`, ... */
async function freeName(ctx: CliContext, base: string): Promise<string> {
  for (let i = 1; i < 100; i++) {
    const name = i === 1 ? base : `${base.slice(0, 77)}-${i}`;
    if (!(await ctx.engine.get(name))) return validateJobName(name);
  }
  throw usageError(`Too many runs named ${base} this minute; wait a minute and retry.`);
}

async function runCmd(argv: string[], io: CliIO): Promise<number> {
  const p = parseArgs(argv, RUN_OPTIONS);
  const o = p.options;
  const command = p.positionals.join(' ');
  if (command.trim() === '') throw usageError('Give the command to run: cloud-run run "<cmd>" [options].');
  const maxHours = numberOption(o['max-hours'], 'max-hours');
  if (maxHours === 0) throw usageError('--max-hours must be greater than 0.');
  const gpus = numberOption(o.gpus, 'gpus', { integer: true, min: 1 });
  const outputDir = o['output-dir'] as string | undefined;
  const dataDirs = (o['data-dirs'] as string[] | undefined) ?? [];
  const env = await jobEnvOf(io, o);
  const hosts = await loadCliHosts(io, o);
  // The workspace's guardrails, as for orch run (a broken file: exit 2, nothing started).
  const guard = (await resolveGuardrails({ cwd: io.cwd, env: io.env })).settings;
  const target = await openRunTarget(io, hosts, o, { prefix: 'cloud-run', gpus });
  const { ctx } = target;
  const config = ctx.config;
  try {
    const name = await freeName(ctx, generateJobName(config.project, cloudRunTask(o.spec as string | undefined)));
    const workdir = workdirFor(ctx, io, o);
    // the kit's scripts live in the workspace: sync it when it is a git repository
    const sync = ctx.where === 'cloud' && (await isGitWorkspace(config.workspaceRoot));
    if (ctx.where === 'cloud' && !sync) writeLine(io.stderr, `cloud-run: ${config.workspaceRoot} is not a git repository; the workspace was not synced.`);
    await uploadForRun(ctx, io, workdir, sync, dataDirs, 'cloud-run');
    const placement = target.placement ? `${target.placement.host}: ${target.placement.reason}` : undefined;
    await ctx.engine.run({ name, command, workdir, outputDir, maxHours, gpus, retries: config.retries, placement, guardrails: runGuardrailsOf(guard), env });
    writeLine(io.stdout, name);
    if (o.detach === true) return 0;
    const status = await waitForJob(ctx.engine, name, io, 'cloud-run', { patterns: guard.watch.patterns, windowLines: guard.watch.windowLines });
    if (status === 130 && io.signal.aborted) return status;
    if (outputDir) {
      try {
        await pullJobOutput(ctx, io, name, outputDir, 'cloud-run');
      } catch (e) {
        if (!isUserError(e)) throw e;
        writeLine(io.stderr, `cloud-run: ${e.message}`);
      }
    }
    return status;
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

async function isGitWorkspace(root: string): Promise<boolean> {
  return stat(path.join(root, '.git')).then(() => true, () => false);
}

async function pullCmd(argv: string[], io: CliIO): Promise<number> {
  const p = parseArgs(argv, PULL_OPTIONS);
  if (p.positionals.length !== 1) throw usageError('Give one run id: cloud-run pull <run-id> --output-dir D.');
  const name = validateJobName(p.positionals[0]);
  const outputDir = p.options['output-dir'] as string | undefined;
  return withJobHost(io, p.options, name, async (ctx) => {
    await pullJobOutput(ctx, io, name, outputDir, 'cloud-run');
    return 0;
  }, 'cloud-run');
}

/** `cloud-run` entry: `run`, `pull`, `--help`. Errors are turned into messages by main.ts. */
export async function cloudRunMain(argv: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined) {
    writeLine(io.stderr, CLOUD_RUN_HELP);
    return 2;
  }
  if (sub === '--help' || sub === '-h' || sub === 'help' || rest.includes('--help')) {
    writeLine(io.stdout, CLOUD_RUN_HELP);
    return 0;
  }
  if (sub === 'run') return runCmd(rest, io);
  if (sub === 'pull') return pullCmd(rest, io);
  throw usageError(`Unknown cloud-run command "${sub}"; use run or pull (cloud-run --help).`);
}
