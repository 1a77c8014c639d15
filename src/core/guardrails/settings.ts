/**
 * Guardrail settings (L1 watch, L2 retry) and their defaults, shared by the CLI (flags and
 * `scripts/cloud/guardrails.yaml`), the extension (its settings) and the engine (what a job
 * records on the host). Pure.
 */
import { usageError } from '../errors';
import { checkPattern, DEFAULT_NO_RETRY_PATTERNS, DEFAULT_WATCH_PATTERNS, type WatchPattern } from './patterns';

/** Which exit statuses of a failed attempt are retried: all but `codes`, or only `codes`. */
export type RetryExitPolicy = { kind: 'except'; codes: number[] } | { kind: 'only'; codes: number[] };

/** 2: usage error; 126/127: not executable / command not found — a retry would fail the same way. */
export const DEFAULT_RETRY_EXIT: RetryExitPolicy = { kind: 'except', codes: [2, 126, 127] };

export interface WatchSettings {
  patterns: WatchPattern[];
  /** A pattern that fired stays quiet for this many following lines (its match window). */
  windowLines: number;
  /** Stop the job (on the host) when a pattern matches. */
  stopOnMatch: boolean;
}

export interface RetrySettings {
  /** Wait before the first retry; doubled for each next one, up to `maxBackoffSeconds`. */
  backoffSeconds: number;
  maxBackoffSeconds: number;
  onExit: RetryExitPolicy;
  /** Log patterns (of the failed attempt) that rule a retry out. */
  noRetryOn: string[];
  /** Reset the git workdir to the commit recorded before the job before each retry (L3). */
  rollbackOnRetry: boolean;
}

export interface GuardrailSettings {
  watch: WatchSettings;
  retry: RetrySettings;
}

export const DEFAULT_WINDOW_LINES = 100;
export const DEFAULT_BACKOFF_SECONDS = 5;
export const DEFAULT_MAX_BACKOFF_SECONDS = 300;

export function defaultGuardrails(): GuardrailSettings {
  return {
    watch: { patterns: DEFAULT_WATCH_PATTERNS.map((p) => ({ ...p })), windowLines: DEFAULT_WINDOW_LINES, stopOnMatch: false },
    retry: {
      backoffSeconds: DEFAULT_BACKOFF_SECONDS,
      maxBackoffSeconds: DEFAULT_MAX_BACKOFF_SECONDS,
      onExit: { ...DEFAULT_RETRY_EXIT, codes: [...DEFAULT_RETRY_EXIT.codes] },
      noRetryOn: [...DEFAULT_NO_RETRY_PATTERNS],
      rollbackOnRetry: false,
    },
  };
}

/**
 * What a job records on its host for the guardrails that run there (the engine's part of a run
 * request). Missing fields take the defaults above.
 */
export interface RunGuardrails {
  /** L1 on the host: stop the job at the first line matching `watchPatterns`. */
  stopOnMatch?: boolean;
  watchPatterns?: readonly string[];
  retryBackoffSeconds?: number;
  maxRetryBackoffSeconds?: number;
  retryOnExit?: RetryExitPolicy;
  noRetryOn?: readonly string[];
  rollbackOnRetry?: boolean;
}

export function runGuardrailsOf(s: GuardrailSettings): RunGuardrails {
  return {
    stopOnMatch: s.watch.stopOnMatch,
    watchPatterns: s.watch.patterns.map((p) => p.regex),
    retryBackoffSeconds: s.retry.backoffSeconds,
    maxRetryBackoffSeconds: s.retry.maxBackoffSeconds,
    retryOnExit: s.retry.onExit,
    noRetryOn: s.retry.noRetryOn,
    rollbackOnRetry: s.retry.rollbackOnRetry,
  };
}

/** Seconds to wait before retry number `retry` (1-based): base, 2×base, 4×base, ... capped. */
export function backoffSeconds(base: number, cap: number, retry: number): number {
  return Math.min(base * 2 ** Math.max(0, retry - 1), Math.max(cap, base));
}

/** Whether a failed attempt with this exit status may be retried (the host applies the same rule). */
export function isRetriedExit(policy: RetryExitPolicy, status: number): boolean {
  if (status === 0) return false;
  return policy.kind === 'only' ? policy.codes.includes(status) : !policy.codes.includes(status);
}

/**
 * Reads an exit-code list: `1,137,200-210` (only those), `any` (every non-zero status), or
 * `any except 2,126,127`. `what` names the setting in errors.
 */
export function parseRetryExit(text: string, what = '--retry-on-exit'): RetryExitPolicy {
  const t = text.trim().toLowerCase();
  if (t === 'any') return { kind: 'except', codes: [] };
  const except = /^any\s+except\s+(.+)$/.exec(t);
  const codes = parseCodes(except ? except[1]! : t, what);
  return { kind: except ? 'except' : 'only', codes };
}

function parseCodes(list: string, what: string): number[] {
  const codes = new Set<number>();
  for (const part of list.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d{1,3})(?:-(\d{1,3}))?$/.exec(part);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m?.[2] !== undefined ? Number(m[2]) : lo;
    if (!m || lo < 1 || hi > 255 || hi < lo) {
      throw usageError(`${what}: "${part}" is not an exit status 1-255 or a range like 3-5 (use e.g. "1,137", "any" or "any except 2,126,127").`);
    }
    for (let c = lo; c <= hi; c++) codes.add(c);
  }
  if (codes.size === 0) throw usageError(`${what} needs at least one exit status (e.g. "1,137", "any" or "any except 2,126,127").`);
  return [...codes].sort((a, b) => a - b);
}

/** Throws a usage error naming `what` when a pattern cannot be used on both sides. */
export function requirePattern(regex: string, what: string): string {
  const problem = checkPattern(regex);
  if (problem) throw usageError(`${what} "${regex}": ${problem}.`);
  return regex;
}

/** Checks the numbers a caller may set programmatically (the extension's settings). */
export function checkGuardrails(s: GuardrailSettings): GuardrailSettings {
  const nonNeg = (n: number, what: string) => {
    if (!(Number.isFinite(n) && n >= 0)) throw usageError(`${what} must be a number of seconds, 0 or more, not ${n}.`);
  };
  nonNeg(s.retry.backoffSeconds, 'The retry backoff');
  nonNeg(s.retry.maxBackoffSeconds, 'The longest retry backoff');
  if (!(Number.isInteger(s.watch.windowLines) && s.watch.windowLines >= 0)) {
    throw usageError(`The L1 match window must be a whole number of lines, not ${s.watch.windowLines}.`);
  }
  for (const p of s.watch.patterns) requirePattern(p.regex, `Watch pattern ${p.name}`);
  for (const p of s.retry.noRetryOn) requirePattern(p, 'No-retry pattern');
  return s;
}
