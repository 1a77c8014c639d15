import type { Job, RunRequest } from '../jobs/model';

export interface LogReadOptions {
  /** Only the last N lines. */
  tailLines?: number;
}

export interface FollowOptions {
  /** Start after this many bytes of run.log (0 = from the start). */
  fromByte?: number;
  /** Receives the log's bytes in order, each byte exactly once, across reconnects. */
  onData: (chunk: Buffer) => void;
  /** Ends the follow (the job is not affected). */
  signal?: AbortSignal;
  /** Told when the connection dropped and the follow is resuming. */
  onReconnect?: (info: { attempt: number; fromByte: number }) => void;
}

/**
 * One target host's jobs (remote over SSH, or the local tmux server). All state lives on the
 * host under the log root; the engine keeps none, so every laptop and CLI call sees the same.
 */
export interface Engine {
  /** `local` or the configured host. */
  readonly host: string;
  /** Starts a detached tmux session; resolves once it is QUEUED or RUNNING. */
  run(request: RunRequest): Promise<Job>;
  /** All jobs in the log root, newest first, in one round trip. */
  list(): Promise<Job[]>;
  /** QUEUED, STARTING and RUNNING jobs, in one round trip. */
  status(): Promise<Job[]>;
  get(name: string): Promise<Job | undefined>;
  readLog(name: string, options?: LogReadOptions): Promise<Buffer>;
  /** Streams run.log until the job ends (through `[EXIT: N]`); resolves with the final job. */
  follow(name: string, options: FollowOptions): Promise<Job>;
  /** Stops a job (UserError with exit code 1 when there is no such job); the log is kept. */
  stop(name: string): Promise<Job>;
  /** Stops every QUEUED, STARTING or RUNNING job (guardrail L4). */
  stopAll(): Promise<Job[]>;
  close(): Promise<void>;
}
