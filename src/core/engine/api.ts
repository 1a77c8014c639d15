import type { Writable } from 'node:stream';
import type { HostProbe } from '../hosts/probe';
import type { Job, RunRequest } from '../jobs/model';
import type { RunGuardrails } from '../guardrails/settings';
import type { RollbackOptions, RollbackResult } from '../guardrails/rollback';
import type { AutostopStatus } from './autostop';

export type { RollbackOptions, RollbackResult } from '../guardrails/rollback';

export interface LogReadOptions {
  /** Only the last N lines. */
  tailLines?: number;
  /** Only attempt K of a retried job (a byte range of run.log). */
  attempt?: number;
}

export interface FollowOptions {
  /** Start after this many bytes of run.log (0 = from the start). */
  fromByte?: number;
  /**
   * Receives the log's bytes in order, each byte exactly once, across reconnects. A promise holds
   * the stream back until it settles (a packed catch-up decodes faster than most sinks take it).
   */
  onData: (chunk: Buffer) => unknown;
  /** Ends the follow (the job is not affected). */
  signal?: AbortSignal;
  /** Told when the connection dropped and the follow is resuming. */
  onReconnect?: (info: { attempt: number; fromByte: number }) => void;
}

/** A run request with the guardrails the host enforces for it (L1 stop-on-match, L2 retry rules). */
export type GuardedRunRequest = RunRequest & { guardrails?: RunGuardrails };

/**
 * One target host's jobs (remote over SSH, or the local tmux server). All state lives on the
 * host under the log root; the engine keeps none, so every laptop and CLI call sees the same.
 */
export interface Engine {
  /** `local` or the configured host. */
  readonly host: string;
  /** Starts a detached tmux session; resolves once it is QUEUED or RUNNING. */
  run(request: GuardedRunRequest): Promise<Job>;
  /** All jobs in the log root, newest first, in one round trip. */
  list(): Promise<Job[]>;
  /** QUEUED, STARTING and RUNNING jobs, in one round trip. */
  status(): Promise<Job[]>;
  get(name: string): Promise<Job | undefined>;
  readLog(name: string, options?: LogReadOptions): Promise<Buffer>;
  /**
   * Pipes run.log (or its last lines) into `out` with backpressure, so memory stays flat however
   * big the log is; `out` is not ended. Same errors as `readLog`.
   */
  writeLog(name: string, out: Writable, options?: LogReadOptions): Promise<void>;
  /** Streams run.log until the job ends (through `[EXIT: N]`); resolves with the final job. */
  follow(name: string, options: FollowOptions): Promise<Job>;
  /**
   * Stops a job (UserError with exit code 1 when there is no such job); the log is kept.
   * `reason`: what the job's record says stopped it (default: `stopped with orch stop`).
   */
  stop(name: string, reason?: string): Promise<Job>;
  /** `stop`, also saying whether the job had already ended before it (the same call). */
  stopJob(name: string, reason?: string): Promise<{ job: Job; hadEnded: boolean }>;
  /** Stops every QUEUED, STARTING or RUNNING job (guardrail L4); `reason` as for `stop`. */
  stopAll(reason?: string): Promise<Job[]>;
  /**
   * Guardrail L3: resets the job's git workdir to the commit recorded before it (tracked files
   * only). UserError (exit 1) when the job is active, has no recorded commit, or its workdir is
   * not the top of a git repository. Optional so that hand-written fakes need not implement it;
   * the engine of createEngine always does (see guardrails/rollback.ts `rollbackJob`).
   */
  rollback?(name: string, options?: RollbackOptions): Promise<RollbackResult>;
  /**
   * The host's home, load, CPUs and GPUs (placement, PRODUCT.md §6), one round trip. Optional so
   * hand-written fakes need not implement it; the engine of createEngine always does.
   */
  probe?(): Promise<HostProbe>;
  /**
   * The host's idle clock (PRODUCT.md §7 autostop), undefined when autostop is off there; `run`
   * installs, updates or removes it from the configuration. Optional for hand-written fakes.
   */
  autostop?(): Promise<AutostopStatus | undefined>;
  close(): Promise<void>;
}
