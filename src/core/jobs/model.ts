import type { PortSpec } from '../ports/portSpec';
import type { JobProgress } from './progress';
import type { HostName } from './where';
import type { CloudWatchShipping } from '../cloudwatch/shipping';

/** The job model shared by the engine, the CLI and the extension (PRODUCT.md §2). */

export const JOB_STATES = ['QUEUED', 'STARTING', 'RUNNING', 'DONE', 'FAILED', 'STOPPED'] as const;
export type JobState = (typeof JOB_STATES)[number];

/** States in which a job still holds (or waits for) a tmux session. */
export const ACTIVE_STATES: ReadonlySet<JobState> = new Set<JobState>(['QUEUED', 'STARTING', 'RUNNING']);

export function isActive(state: JobState): boolean {
  return ACTIVE_STATES.has(state);
}

/** One job as read from its target host. Field names match `orch status --json`. */
export interface Job {
  name: string;
  state: JobState;
  /** The command's exit status from `[EXIT: N]`; null while active or when unknown. */
  exitCode: number | null;
  /** `local` for the local tmux target, else the configured host (alias as the user wrote it). */
  host: HostName;
  /** Absolute path of run.log on the target host. */
  logPath: string;
  /** ISO 8601. */
  startedAt: string | null;
  endedAt: string | null;
  /** The shell command line as bash runs it. */
  command: string | null;
  workdir: string | null;
  /** Output dir recorded by --output-dir, for `pull`. */
  outputDir: string | null;
  /** Why the job is FAILED or STOPPED when the exit line alone does not say (e.g. vanished session, max-hours). */
  reason: string | null;
  /** Why the job was routed to this target (policy reasons), when known. */
  route: string | null;
  /** 1 for the first attempt; grows with --retries. */
  attempt: number;
  /** When the job was accepted (ISO 8601, from meta.json): orders jobs of several hosts, newest first. */
  createdAt?: string | null;
  /** Ports the job serves (`--publish`), from meta.json. */
  ports?: PortSpec[];
  /** GPU indices the host queue gave the job (its CUDA_VISIBLE_DEVICES); null without --gpus or before it has them. */
  gpus?: number[] | null;
  /** A running job's latest progress line, parsed on the host; null when none. */
  progress?: JobProgress | null;
  /** The Slurm job id of a job on a Slurm host (PRODUCT.md §8); absent on tmux hosts. */
  slurmJobId?: string | null;
  /** Where `--cloudwatch` ships its log and how far it got (PRODUCT.md §7); null without it. */
  cloudwatch?: CloudWatchShipping | null;
}

/** What a Slurm host is asked for (sbatch options); `maxHours` becomes `--time`. */
export interface SlurmRequest {
  partition?: string;
  cpus?: number;
  /** Memory per node in GB. */
  memGb?: number;
  /** Passed to sbatch as they are, one argument each. */
  sbatchArgs?: string[];
}

/** What a caller asks the engine to start. */
export interface RunRequest {
  /** Already validated job name (see jobs/names.ts). */
  name: string;
  /** Shell command line; several words are joined with spaces first, as ssh does. */
  command: string;
  /** Remote working directory; defaults to the config's remote workdir. */
  workdir?: string;
  /** Keep an existing log of the same name (renamed) and start anew. */
  force?: boolean;
  outputDir?: string;
  maxHours?: number;
  retries?: number;
  /** Policy reasons, stored with the job for the tree tooltip. */
  route?: string;
  /** Why `--host auto` chose this host (PRODUCT.md §6), kept in meta.json. */
  placement?: string;
  /**
   * Secret variables for the command's environment (PRODUCT.md §9): they travel on stdin into a
   * 0600 file in the job dir, deleted when the job ends; meta.json keeps their names only.
   */
  env?: Record<string, string>;
  /** Ports the job serves (`--publish P[:L]`), recorded in meta.json for `orch forward`. */
  ports?: PortSpec[];
  /** GPU slots (PRODUCT.md §6): the job waits QUEUED until this many GPUs of the host are free. */
  gpus?: number;
  /** Slurm hosts only: the allocation to ask for. */
  slurm?: SlurmRequest;
  /** Ship the log to this CloudWatch Logs group from the box (`--cloudwatch`); the host's `cloudwatch:` when absent. */
  cloudwatch?: string;
}
