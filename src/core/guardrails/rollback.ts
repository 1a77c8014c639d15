/**
 * Guardrail L3 for callers (CLI `orch rollback`, the extension's tree action): reset a job's git
 * workdir on its host to the commit recorded before the job. The engine does the work on the
 * host in one script (checks, then `git reset --hard`, tracked files only, never `git clean`).
 */
import { UserError } from '../errors';

export interface RollbackOptions {
  /** Only check (not running, commit recorded, workdir is the top of its git repository); change nothing. */
  dryRun?: boolean;
  /** Refuse when the job's recorded commit is no longer this one (it was re-run meanwhile). */
  expectCommit?: string;
}

export interface RollbackResult {
  job: string;
  host: string;
  /** The workdir on the host, absolute. */
  workdir: string;
  /** The commit recorded before the job. */
  commit: string;
  /** False for a dry run. */
  reset: boolean;
}

/** What a rollback needs of an engine (the engine's interface is not imported: it depends on this). */
export interface RollbackTarget {
  readonly host: string;
  rollback?(name: string, options?: RollbackOptions): Promise<RollbackResult>;
}

/**
 * Resets (or with `dryRun` only checks) the job's workdir. Throws UserError (exit 1) when the job
 * is active, has no recorded commit, or the workdir is not the top of a git repository.
 */
export async function rollbackJob(engine: RollbackTarget, name: string, options: RollbackOptions = {}): Promise<RollbackResult> {
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
