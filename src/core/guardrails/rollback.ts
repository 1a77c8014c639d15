/**
 * Guardrail L3 for callers (CLI `orch rollback`, the extension's tree action): reset a job's git
 * workdir on its host to the commit recorded before the job. The engine does the work on the
 * host in one script (checks, then `git reset --hard`, tracked files only, never `git clean`).
 */
import type { Engine, RollbackOptions, RollbackResult } from '../engine/api';
import { UserError } from '../errors';

export type { RollbackOptions, RollbackResult } from '../engine/api';

/**
 * Resets (or with `dryRun` only checks) the job's workdir. Throws UserError (exit 1) when the job
 * is active, has no recorded commit, or the workdir is not the top of a git repository.
 */
export async function rollbackJob(engine: Engine, name: string, options: RollbackOptions = {}): Promise<RollbackResult> {
  if (!engine.rollback) throw new UserError(`Rollback is not available for jobs on ${engine.host}.`);
  return engine.rollback(name, options);
}

/** The confirmation question, e.g. `Reset box:/home/u/work/p to 1a2b3c4d5e6f (discarding changes to tracked files)? [y/N]`. */
export function rollbackQuestion(plan: RollbackResult): string {
  return `Reset ${plan.host}:${plan.workdir} to ${plan.commit.slice(0, 12)} (discarding changes to tracked files)? [y/N]`;
}

/** `reset box:/w to 1a2b3c4d5e6f (the commit before job j); untracked files were left alone`. */
export function rollbackDone(r: RollbackResult): string {
  return `reset ${r.host}:${r.workdir} to ${r.commit.slice(0, 12)} (the commit before job ${r.job}); untracked files were left alone`;
}
