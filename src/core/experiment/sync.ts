import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../errors';
import type { ExperimentPlan, SpecPlan } from './plan';
import { isExecutable } from './discovery';
import type { ProcessHooks, ProcessRunner } from './process';
import { isFile } from '../fsProbe';

export const RUN_ID_FILE = '.cloud-run-id';
export const METRICS_FILE = 'metrics.json';

export interface SyncHooks extends ProcessHooks {
  warn: (message: string) => void;
}

/** Reads `<results>/.cloud-run-id` (trimmed), or undefined when absent or empty. */
export async function readRunId(resultsDir: string): Promise<string | undefined> {
  try {
    const id = (await readFile(path.join(resultsDir, RUN_ID_FILE), 'utf8')).trim();
    return id === '' ? undefined : id;
  } catch {
    return undefined;
  }
}

/**
 * SYNC (ec2 only), as the kit spec's `sync_results()`: pull the run named in `.cloud-run-id` into
 * `<results>/`, hydrate artifact-store links when that tool is there, then check `metrics.json`.
 * Nothing here fails the cycle: a failed pull or a missing `metrics.json` is a warning and READ
 * still runs. `staleRunId` is the id that was there before RUN: it is not pulled again, so an old
 * run never overwrites what this RUN produced locally.
 */
export async function syncResults(
  plan: ExperimentPlan,
  spec: SpecPlan,
  staleRunId: string | undefined,
  run: ProcessRunner,
  hooks: SyncHooks,
): Promise<void> {
  const say = (line: string) => hooks.onOutput?.(`${line}\n`, 'stdout');
  say('── Syncing results from cloud... ──');
  const opts = { cwd: plan.workspaceRoot, env: plan.env };

  const runId = await readRunId(spec.resultsDir);
  if (runId === undefined) {
    say(`  No ${RUN_ID_FILE} in ${spec.resultsShown}/: no cloud run to pull.`);
  } else if (runId === staleRunId) {
    hooks.warn(`${spec.resultsShown}/${RUN_ID_FILE} still names ${runId} from before this RUN; not pulling it again.`);
  } else {
    await waitForRun(plan, runId, run, hooks);
    if (hooks.signal?.aborted) return;
    say(`  Pulling results for cloud-run: ${runId}`);
    const code = await runQuietly(run, { file: plan.cloudRun!, args: ['pull', runId, '--output-dir', spec.resultsDir], ...opts }, hooks);
    if (hooks.signal?.aborted) return;
    if (code !== 0) hooks.warn(`cloud-run pull ${runId} failed (${describe(code)}); trying artifact-store hydrate.`);
  }

  if (await isExecutable(plan.artifactStore)) {
    say(`  Hydrating artifact-store links: ${plan.artifactStore} hydrate`);
    const code = await runQuietly(run, { file: plan.artifactStore, args: ['hydrate'], ...opts }, hooks);
    if (hooks.signal?.aborted) return;
    if (code !== 0) hooks.warn(`artifact-store hydrate failed (${describe(code)}).`);
  }

  const metrics = path.join(spec.resultsDir, METRICS_FILE);
  if (await isFile(metrics)) say(`  Results synced: ${spec.resultsShown}/${METRICS_FILE} exists`);
  else hooks.warn(`${METRICS_FILE} not found in ${spec.resultsShown}/ after sync; READ runs without it.`);
}

/**
 * A RUN may have started its cloud run with --detach; pulling then would bring back a partial
 * result. When this project's `orch` sits next to cloud-run, `orch logs <id> -f` shows the run's
 * log and returns once the run has ended. (Another cloud-run, set by override, is pulled as is.)
 */
async function waitForRun(plan: ExperimentPlan, runId: string, run: ProcessRunner, hooks: SyncHooks): Promise<void> {
  const orch = path.join(path.dirname(plan.cloudRun!), 'orch');
  if (!(await isExecutable(orch))) return;
  hooks.onOutput?.(`  Waiting for cloud-run ${runId} to finish (orch logs -f):\n`, 'stdout');
  const code = await runQuietly(run, { file: orch, args: ['logs', runId, '-f'], cwd: plan.workspaceRoot, env: plan.env }, hooks);
  if (code !== 0 && !hooks.signal?.aborted) hooks.warn(`Could not follow cloud-run ${runId} to its end (${describe(code)}); pulling what is there.`);
}

/** Runs a helper whose failure is a warning, not an error (it may not even start). */
async function runQuietly(run: ProcessRunner, spec: Parameters<ProcessRunner>[0], hooks: SyncHooks): Promise<number | null | 'unstartable'> {
  try {
    return await run(spec, hooks);
  } catch (e) {
    hooks.warn(errorMessage(e));
    return 'unstartable';
  }
}

function describe(code: number | null | 'unstartable'): string {
  return code === null ? 'killed' : code === 'unstartable' ? 'could not start' : `exit status ${code}`;
}

