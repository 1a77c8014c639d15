import * as path from 'node:path';
import { usageError } from '../errors';
import { readKitSettings, type ComputeTargetInfo } from '../config/computeTarget';
import { findCloudRun, findKit, isExecutable } from './discovery';

export type FlowKind = 'cycle' | 'full' | 'program';
export type Phase = 'survey' | 'frame' | 'run' | 'sync' | 'read' | 'log';

/** What a user asks for: `orch experiment ...` or a VS Code command. */
export interface ExperimentRequest {
  flow: FlowKind;
  workspaceRoot: string;
  /** One spec for cycle and full, one or more for program; relative paths are taken from `cwd`. */
  specs: string[];
  /** The SURVEY question (full only). */
  question?: string;
  /** `experiment.sh` set explicitly (flag or setting). */
  kit?: string;
  /** This project's cloud-run, when not the package's own `bin/cloud-run` (else `ORCH_CLOUD_RUN`). */
  cloudRun?: string;
  /** Where relative spec paths start; default the workspace root. */
  cwd?: string;
  env: NodeJS.ProcessEnv;
}

export interface SpecPlan {
  /** The spec as the kit receives it: relative to the workspace root when inside it. */
  spec: string;
  /** `<results>` absolute. */
  resultsDir: string;
  /** `<results>` as the kit and the directive name it (relative when inside the workspace). */
  resultsShown: string;
}

/** Everything resolved and checked before the first phase starts. */
export interface ExperimentPlan {
  flow: FlowKind;
  workspaceRoot: string;
  kit: string;
  /** How a phase is started: the kit itself when executable, else `bash <kit>`. */
  kitCommand: { file: string; args: string[] };
  target: ComputeTargetInfo;
  /** Absolute path of this project's cloud-run (ec2 only). */
  cloudRun: string | undefined;
  specs: SpecPlan[];
  question: string | undefined;
  dataDir: string;
  maxGpuHours: string;
  /** `<kit root>/tools/artifact-store`, absolute. */
  artifactStore: string;
  env: NodeJS.ProcessEnv;
}

/** Phases of one spec's scope, in order. SYNC only with ec2; SURVEY is planned separately. */
export function phasesFor(flow: FlowKind, ec2: boolean): Phase[] {
  const run: Phase[] = ec2 ? ['frame', 'run', 'sync', 'read'] : ['frame', 'run', 'read'];
  return flow === 'program' ? run : [...run, 'log'];
}

/** Shown path: relative to the workspace root when inside it, else absolute. */
export function shownPath(workspaceRoot: string, abs: string): string {
  const rel = path.relative(workspaceRoot, abs);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? abs : rel;
}

/** `results/<spec name>/`, or `RESULTS_DIR` with `{spec}` replaced (without `{spec}`: `<RESULTS_DIR>/<spec name>`). */
export function resultsDirFor(workspaceRoot: string, spec: string, resultsDirSetting: string | undefined): string {
  const name = path.parse(spec).name;
  const dir = resultsDirSetting === undefined
    ? path.join('results', name)
    : resultsDirSetting.includes('{spec}') ? resultsDirSetting.split('{spec}').join(name) : path.join(resultsDirSetting, name);
  return path.resolve(workspaceRoot, dir);
}

/** Checks the request and resolves the kit, the target and the results dirs; runs nothing. */
export async function planExperiment(req: ExperimentRequest): Promise<ExperimentPlan> {
  checkShape(req);
  const settings = await readKitSettings(req.workspaceRoot, req.env);
  const kitRootRaw = settings.orchestrationKitRoot;
  const kit = await findKit({ workspaceRoot: req.workspaceRoot, explicit: req.kit, orchestrationKitRoot: kitRootRaw });
  const ec2 = settings.computeTarget.target === 'ec2';
  const cloudRun = ec2 ? await findCloudRun(req.cloudRun ?? nonEmpty(req.env.ORCH_CLOUD_RUN)) : undefined;
  const from = req.cwd ?? req.workspaceRoot;
  const specs = req.specs.map((s) => {
    const abs = path.resolve(from, s);
    const resultsDir = resultsDirFor(req.workspaceRoot, abs, settings.resultsDir);
    return { spec: shownPath(req.workspaceRoot, abs), resultsDir, resultsShown: shownPath(req.workspaceRoot, resultsDir) };
  });
  return {
    flow: req.flow,
    workspaceRoot: req.workspaceRoot,
    kit,
    kitCommand: (await isExecutable(kit)) ? { file: kit, args: [] } : { file: 'bash', args: [kit] },
    target: settings.computeTarget,
    cloudRun,
    specs,
    question: req.question,
    dataDir: settings.dataDir,
    maxGpuHours: settings.maxGpuHours,
    artifactStore: path.resolve(req.workspaceRoot, kitRootRaw ?? 'orchestration-kit', 'tools', 'artifact-store'),
    env: req.env,
  };
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function checkShape(req: ExperimentRequest): void {
  const usage = {
    cycle: 'orch experiment cycle <spec>',
    full: 'orch experiment full <question> <spec>',
    program: 'orch experiment program <spec...>',
  }[req.flow];
  if (req.flow === 'full' && !req.question?.trim()) throw usageError(`The full flow needs a question: ${usage}.`);
  if (req.flow === 'program' ? req.specs.length === 0 : req.specs.length !== 1) {
    throw usageError(`${req.flow === 'program' ? 'Give at least one spec' : 'Give exactly one spec'}: ${usage}.`);
  }
  for (const s of req.specs) if (s.trim() === '') throw usageError(`A spec path is empty: ${usage}.`);
}
