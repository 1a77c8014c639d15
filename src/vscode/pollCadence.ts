// When the jobs tree polls the host: only while jobs are active, never faster than every 5 s,
// slower when nobody is looking. Pure, so the cadence is unit-tested.

export const MIN_POLL_MS = 5_000;
export const HIDDEN_POLL_MS = 15_000;
export const UNFOCUSED_POLL_MS = 30_000;

export interface PollInputs {
  /** Some job is QUEUED, STARTING or RUNNING. */
  anyActive: boolean;
  /** The VS Code window has focus. */
  windowFocused: boolean;
  /** The Cloud Jobs view is visible. */
  viewVisible: boolean;
}

/** Milliseconds until the next poll, or undefined for none (refresh is then event-driven only). */
export function nextPollDelay(p: PollInputs): number | undefined {
  if (!p.anyActive) return undefined;
  if (!p.windowFocused) return UNFOCUSED_POLL_MS;
  if (!p.viewVisible) return HIDDEN_POLL_MS;
  return MIN_POLL_MS;
}
