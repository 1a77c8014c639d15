/**
 * The one user-facing error class. Its message is one sentence a user can act on; the CLI
 * prints it without a stack (exit code `exitCode`), the extension shows it in a notification.
 * Anything else that escapes is a bug and is shown with its stack in the log.
 */
export class UserError extends Error {
  /** 1 = failed / not found, 2 = bad input (usage). */
  readonly exitCode: number;
  /** Why, for a caller that can do better than show the sentence (the extension offers Replace for `log-exists`). */
  readonly reason?: UserErrorReason;

  constructor(message: string, options: { exitCode?: number; cause?: unknown; reason?: UserErrorReason } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.exitCode = options.exitCode ?? 1;
    if (options.reason) this.reason = options.reason;
  }
}

/** `log-exists`: a run's name has a log on the host and no force was given. */
export type UserErrorReason = 'log-exists';

/** A bad-input error: exit code 2, nothing was started. */
export function usageError(message: string, reason?: UserErrorReason): UserError {
  return new UserError(message, { exitCode: 2, reason });
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** The message of anything thrown, for logs. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
