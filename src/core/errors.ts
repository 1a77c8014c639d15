/**
 * The one user-facing error class. Its message is one sentence a user can act on; the CLI
 * prints it without a stack (exit code `exitCode`), the extension shows it in a notification.
 * Anything else that escapes is a bug and is shown with its stack in the log.
 */
export class UserError extends Error {
  /** 1 = failed / not found, 2 = bad input (usage). */
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A bad-input error: exit code 2, nothing was started. */
export function usageError(message: string): UserError {
  return new UserError(message, { exitCode: 2 });
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** The message of anything thrown, for logs. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
