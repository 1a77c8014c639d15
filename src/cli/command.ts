import type { Writable, Readable } from 'node:stream';

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
}

export interface Command {
  name: string;
  /** One line for `orch --help`. */
  summary: string;
  /** Full text for `orch <name> --help`. */
  help: string;
  /** Returns the process exit code. Throws UserError for bad input or a clear failure. */
  run(argv: string[], io: CliIO): Promise<number>;
}

export function writeLine(stream: Writable, text = ''): void {
  stream.write(text + '\n');
}
