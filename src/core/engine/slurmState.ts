/**
 * The state of a job on a Slurm host (PRODUCT.md §8; pure, unit-tested): what Slurm says while it
 * has the job, then the job dir's markers, exactly as on a tmux host. The host adds to each record
 * `squeue` (the state now, '' once Slurm forgot the job) and `slurm-state` (the state that ended
 * it, kept by the host because Slurm forgets it after MinJobAge).
 */
import type { JobState } from '../jobs/model';

/** Slurm states that end a job as FAILED whatever its exit line says; the state is the reason. */
export const SLURM_FAILURES: ReadonlySet<string> = new Set(['NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']);

/** Slurm states of a job that holds or waits for its allocation (lib/slurm.sh SLURM_ACTIVE). */
const ACTIVE = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);
const WAITING = new Set(['PENDING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED']);

export const TIME_LIMIT_REASON = 'stopped at its Slurm time limit (TIMEOUT)';
export const CANCELLED_REASON = 'cancelled in Slurm (scancel outside orch)';
export const LEFT_QUEUE_REASON = 'the Slurm job left the queue without an exit line';

export interface SlurmMarkers {
  exitCode: number | null;
  stopped: string | undefined;
  noRetry: string | undefined;
  /** `squeue` of the record: undefined when the host did not ask (no Slurm job id yet). */
  now: string | undefined;
  /** `slurm-state`. */
  final: string | undefined;
  hasJobId: boolean;
  /** Created less than a minute ago without a Slurm id: sbatch is under way. */
  submitting: boolean;
}

export function deriveSlurmState(m: SlurmMarkers): { state: JobState; exitCode: number | null; reason: string | null } {
  const { exitCode, stopped } = m;
  const now = m.now ?? '';
  const final = m.final || (now && !ACTIVE.has(now) ? now : '');
  if (SLURM_FAILURES.has(final)) return { state: 'FAILED', exitCode, reason: final };
  if (exitCode !== null) {
    if (stopped !== undefined) return { state: 'STOPPED', exitCode, reason: stopped || null };
    if (final === 'TIMEOUT') return { state: 'STOPPED', exitCode, reason: TIME_LIMIT_REASON };
    if (exitCode === 0) return { state: 'DONE', exitCode, reason: null };
    return { state: 'FAILED', exitCode, reason: m.noRetry || null };
  }
  if (ACTIVE.has(now)) {
    if (WAITING.has(now)) return { state: 'QUEUED', exitCode: null, reason: null };
    if (now === 'CONFIGURING') return { state: 'STARTING', exitCode: null, reason: null };
    return { state: 'RUNNING', exitCode: null, reason: null };
  }
  if (final === 'TIMEOUT') return { state: 'STOPPED', exitCode: null, reason: stopped || TIME_LIMIT_REASON };
  if (final === 'CANCELLED') return { state: 'STOPPED', exitCode: null, reason: stopped || CANCELLED_REASON };
  if (!m.hasJobId && m.submitting) return { state: 'STARTING', exitCode: null, reason: null };
  if (stopped !== undefined) return { state: 'STOPPED', exitCode: null, reason: stopped || null };
  return { state: 'FAILED', exitCode: null, reason: final ? `the Slurm job ended (${final}) without an exit line` : LEFT_QUEUE_REASON };
}
