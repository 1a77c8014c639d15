import * as path from 'node:path';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { UserError, errorMessage } from '../errors';
import { computeDirective } from './directive';
import { phasesFor, type ExperimentPlan, type Phase, type SpecPlan } from './plan';
import { spawnProcess, type OutputStream, type ProcessRunner } from './process';
import { readRunId, syncResults } from './sync';

export const DIRECTIVE_FILE = '.compute-directive.md';

/** Progress of a flow, for a progress notification or a status line. */
export type ExperimentEvent =
  /** `step` of `steps` within this spec's scope; `specIndex` (1-based) of `specCount` specs. */
  | { kind: 'phase-start'; spec: string; phase: Phase; step: number; steps: number; specIndex: number; specCount: number }
  | { kind: 'phase-end'; spec: string; phase: Phase; ok: boolean; exitCode: number | null }
  | { kind: 'warning'; spec: string; phase: Phase; message: string }
  | { kind: 'spec-end'; outcome: SpecOutcome };

export interface ExperimentHooks {
  /** Output of the phases (and of SYNC's helpers) as it comes. */
  onOutput?: (text: string, stream: OutputStream) => void;
  onEvent?: (event: ExperimentEvent) => void;
  /** Cancels: the running phase's process group is stopped and no later phase starts. */
  signal?: AbortSignal;
}

export interface SpecOutcome {
  spec: string;
  resultsDir: string;
  ok: boolean;
  /** The phase that failed (absent when ok). */
  failedPhase?: Phase;
  /** One sentence when not ok. */
  message?: string;
  warnings: string[];
}

export interface ExperimentResult {
  ok: boolean;
  cancelled: boolean;
  outcomes: SpecOutcome[];
}

/**
 * Runs a planned flow. cycle: FRAME → RUN → (SYNC) → READ → LOG; full: SURVEY, then the cycle;
 * program: FRAME → RUN → (SYNC) → READ per spec, each spec its own failure scope. A failing phase
 * stops its spec's scope and is named; SYNC only warns. `runner` is the real process runner
 * except in unit tests.
 */
export async function runExperiment(plan: ExperimentPlan, hooks: ExperimentHooks = {}, runner: ProcessRunner = spawnProcess): Promise<ExperimentResult> {
  const outcomes: SpecOutcome[] = [];
  const ec2 = plan.target.target === 'ec2';
  const phases = phasesFor(plan.flow, ec2);
  const steps = phases.length + (plan.flow === 'full' ? 1 : 0);
  for (const [i, spec] of plan.specs.entries()) {
    if (hooks.signal?.aborted) break;
    const position = { specIndex: i + 1, specCount: plan.specs.length };
    const outcome = await runScope(plan, spec, plan.flow === 'full' ? ['survey', ...phases] : phases, steps, position, hooks, runner);
    outcomes.push(outcome);
    hooks.onEvent?.({ kind: 'spec-end', outcome });
  }
  const cancelled = Boolean(hooks.signal?.aborted);
  return { ok: !cancelled && outcomes.length === plan.specs.length && outcomes.every((o) => o.ok), cancelled, outcomes };
}

async function runScope(
  plan: ExperimentPlan,
  spec: SpecPlan,
  phases: Phase[],
  steps: number,
  position: { specIndex: number; specCount: number },
  hooks: ExperimentHooks,
  runner: ProcessRunner,
): Promise<SpecOutcome> {
  const outcome: SpecOutcome = { spec: spec.spec, resultsDir: spec.resultsDir, ok: true, warnings: [] };
  let runIdBeforeRun: string | undefined;
  for (const [i, phase] of phases.entries()) {
    if (hooks.signal?.aborted) return fail(outcome, phase, `Cancelled before ${phase.toUpperCase()} of ${spec.spec}.`);
    hooks.onEvent?.({ kind: 'phase-start', spec: spec.spec, phase, step: i + 1, steps, ...position });
    const warn = (message: string) => {
      outcome.warnings.push(message);
      hooks.onEvent?.({ kind: 'warning', spec: spec.spec, phase, message });
    };
    if (phase === 'sync') {
      await syncResults(plan, spec, runIdBeforeRun, runner, { onOutput: hooks.onOutput, signal: hooks.signal, warn });
      if (hooks.signal?.aborted) return fail(outcome, phase, `Cancelled during SYNC of ${spec.spec}.`);
      hooks.onEvent?.({ kind: 'phase-end', spec: spec.spec, phase, ok: true, exitCode: 0 });
      continue;
    }
    if (phase === 'run') runIdBeforeRun = await readRunId(spec.resultsDir);
    const arg = phase === 'survey' ? plan.question! : spec.spec;
    let code: number | null;
    try {
      const env = await phaseEnv(plan, spec, phase);
      code = await runner(
        { file: plan.kitCommand.file, args: [...plan.kitCommand.args, phase, arg], cwd: plan.workspaceRoot, env },
        { onOutput: hooks.onOutput, signal: hooks.signal },
      );
    } catch (e) {
      hooks.onEvent?.({ kind: 'phase-end', spec: spec.spec, phase, ok: false, exitCode: null });
      return fail(outcome, phase, `${phase.toUpperCase()} failed for ${spec.spec}: ${errorMessage(e)}`);
    }
    const ok = code === 0 && !hooks.signal?.aborted;
    hooks.onEvent?.({ kind: 'phase-end', spec: spec.spec, phase, ok, exitCode: code });
    if (hooks.signal?.aborted) return fail(outcome, phase, `Cancelled during ${phase.toUpperCase()} of ${spec.spec}.`);
    if (!ok) {
      const why = code === null ? 'was killed' : `exited with status ${code}`;
      const subject = phase === 'survey' ? 'SURVEY failed' : `${phase.toUpperCase()} failed for ${spec.spec}`;
      return fail(outcome, phase, `${subject}: experiment.sh ${phase} ${why}.`);
    }
  }
  return outcome;
}

function fail(outcome: SpecOutcome, phase: Phase, message: string): SpecOutcome {
  return Object.assign(outcome, { ok: false, failedPhase: phase, message });
}

/**
 * The environment of one phase. ec2: COMPUTE_TARGET=ec2 and ORCH_CLOUD_RUN for every phase, and
 * for RUN the mandatory directive in COMPUTE_DIRECTIVE and in `<results>/.compute-directive.md`.
 * local: the caller's environment with COMPUTE_TARGET=local (the resolved target, whether the
 * environment or the kit's env file said it); no directive.
 */
async function phaseEnv(plan: ExperimentPlan, spec: SpecPlan, phase: Phase): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...plan.env };
  delete env.COMPUTE_DIRECTIVE;
  const directiveFile = path.join(spec.resultsDir, DIRECTIVE_FILE);
  if (plan.target.target !== 'ec2') {
    env.COMPUTE_TARGET = 'local';
    // a directive left by an earlier ec2 run must not reach a local RUN
    if (phase === 'run') await rm(directiveFile, { force: true });
    return env;
  }
  env.COMPUTE_TARGET = 'ec2';
  env.ORCH_CLOUD_RUN = plan.cloudRun!;
  if (phase === 'run') {
    const directive = computeDirective({
      cloudRun: plan.cloudRun!,
      spec: spec.spec,
      resultsDir: spec.resultsShown,
      dataDir: plan.dataDir,
      maxHours: plan.maxGpuHours,
    });
    try {
      await mkdir(spec.resultsDir, { recursive: true });
      await writeFile(directiveFile, directive.trimStart() + '\n');
    } catch (e) {
      throw new UserError(`Cannot write the compute directive to ${directiveFile}: ${(e as Error).message}.`, { cause: e });
    }
    env.COMPUTE_DIRECTIVE = directive;
  }
  return env;
}
