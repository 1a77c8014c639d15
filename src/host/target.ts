import type { Readable, Writable } from 'node:stream';

/**
 * Where engine scripts run: a bash on the target host. The remote target runs them over one
 * reused SSH connection (ssh2); the local target spawns bash. Everything the engine does on a
 * host is a small fixed bash script plus data on stdin, so job names and commands never pass
 * through a command line.
 */
export interface ExecOptions {
  /** Data for the script's stdin; stdin is closed after it. Omitted: stdin is closed at once. */
  stdin?: string | Buffer | Readable;
  /** Receive stdout as it arrives (then `ExecResult.stdout` stays empty). */
  onStdout?: (chunk: Buffer) => void;
  /** Pipe stdout into this stream with backpressure (then `ExecResult.stdout` stays empty). */
  stdout?: Writable;
  /** Abort: the remote process gets SIGTERM and the channel closes; the promise resolves with code null. */
  signal?: AbortSignal;
}

export interface ExecResult {
  /** Exit status; null when aborted or killed by a signal. */
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export interface ShellTarget {
  /** `local`, or the host as configured (alias or address). */
  readonly host: string;
  /**
   * Runs `script` with `bash -c` (not a login shell) on the host. Rejects with
   * `ConnectionLostError` when the connection drops before the script's exit status arrived:
   * the script's fate is then unknown and the caller re-reads state from the host.
   */
  exec(script: string, options?: ExecOptions): Promise<ExecResult>;
  /** Ends the connection (no-op for local). */
  close(): Promise<void>;
}

/** The transport dropped mid-call; state on the host must be re-read. Not user-facing by itself. */
export class ConnectionLostError extends Error {
  constructor(message = 'the connection to the host was lost') {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

/** Quotes a string for a POSIX shell (also valid in bash, zsh and fish). */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
