import type { Writable, Readable } from 'node:stream';
import type { OptionSpec } from './args';

/** Everything a command touches of its process, so `main(argv, io)` is testable in-process. */
export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdout is a terminal (colours, progress). */
  isTTY: boolean;
  /** Aborted on SIGINT/SIGTERM so long commands (follow, --wait) can end cleanly. */
  signal: AbortSignal;
  /**
   * How to start this same orch again (`[node, bin/orch]`), for the detached connection helper.
   * Unset when orch runs inside another program (tests, the extension): commands connect directly.
   */
  self?: readonly string[];
}

export interface Command {
  name: string;
  /** One line for `orch --help`. */
  summary: string;
  /** Full text for `orch <name> --help`. */
  help: string;
  /** Returns the process exit code. Throws UserError for bad input or a clear failure. */
  run(argv: string[], io: CliIO): Promise<number>;
  /** The options it parses (`orch completion` offers them). */
  options?: Record<string, OptionSpec>;
  /** What its words after the options are, for `orch completion`. */
  operands?: Operands;
  /** Left out of `orch --help` (internal commands such as __complete-jobs). */
  hidden?: boolean;
}

/**
 * What a command's positional words are: `job` an existing job (`active-job`: a running or queued
 * one), `new-job` a new job's name and then its command line, `words` one of these words first,
 * then files; `files`, or `none`.
 */
export type Operands = 'none' | 'files' | 'job' | 'active-job' | 'new-job' | { words: string[] };

export function writeLine(stream: Writable, text = ''): void {
  stream.write(text + '\n');
}
