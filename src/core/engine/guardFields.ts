/**
 * The guardrails of one run as the host reads them (RUN_SCRIPT fields, files in the job dir):
 * checked here, so a bad pattern or number is a usage error before anything starts.
 */
import { usageError } from '../errors';
import {
  DEFAULT_BACKOFF_SECONDS,
  DEFAULT_MAX_BACKOFF_SECONDS,
  DEFAULT_RETRY_EXIT,
  requirePattern,
  type RunGuardrails,
} from '../guardrails/settings';
import { DEFAULT_NO_RETRY_PATTERNS, DEFAULT_WATCH_PATTERNS } from '../guardrails/patterns';

export interface HostGuardFields {
  /** `BASE CAP` seconds. */
  backoff: string;
  /** `except CODES` or `only CODES`. */
  retryExit: string;
  /** Patterns, one per line ('' = none). */
  noRetry: string;
  watch: string;
  stopOnMatch: boolean;
  rollbackOnRetry: boolean;
  /** What meta.json records. */
  meta: Record<string, unknown>;
}

function seconds(n: number | undefined, fallback: number, what: string): number {
  const v = n ?? fallback;
  if (!(Number.isFinite(v) && v >= 0)) throw usageError(`${what} must be a number of seconds, 0 or more, not ${v}.`);
  return v;
}

function lines(patterns: readonly string[], what: string): string {
  return patterns.map((p) => `${requirePattern(p, what)}\n`).join('');
}

export function hostGuardrails(g: RunGuardrails = {}): HostGuardFields {
  const base = seconds(g.retryBackoffSeconds, DEFAULT_BACKOFF_SECONDS, '--retry-backoff');
  const cap = seconds(g.maxRetryBackoffSeconds, DEFAULT_MAX_BACKOFF_SECONDS, 'The longest retry backoff');
  const exit = g.retryOnExit ?? DEFAULT_RETRY_EXIT;
  for (const c of exit.codes) {
    if (!(Number.isInteger(c) && c >= 1 && c <= 255)) throw usageError(`A retried exit status must be 1-255, not ${c}.`);
  }
  const noRetry = g.noRetryOn ?? DEFAULT_NO_RETRY_PATTERNS;
  const watch = g.watchPatterns ?? DEFAULT_WATCH_PATTERNS.map((p) => p.regex);
  const stopOnMatch = g.stopOnMatch === true;
  if (stopOnMatch && watch.length === 0) throw usageError('--stop-on-match needs at least one watch pattern.');
  return {
    backoff: `${base} ${cap}`,
    retryExit: `${exit.kind} ${exit.codes.join(' ')}`.trim(),
    noRetry: lines(noRetry, 'No-retry pattern'),
    watch: lines(watch, 'Watch pattern'),
    stopOnMatch,
    rollbackOnRetry: g.rollbackOnRetry === true,
    meta: {
      stopOnMatch,
      retryBackoffSeconds: base,
      retryOnExit: exit,
      noRetryOn: [...noRetry],
      watchPatterns: stopOnMatch ? [...watch] : [],
      rollbackOnRetry: g.rollbackOnRetry === true,
    },
  };
}
