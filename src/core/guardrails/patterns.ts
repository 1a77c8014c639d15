/**
 * Log patterns of the guardrails: L1 watch patterns (what to report in a job's log) and the L2
 * "do not retry" patterns (failures a retry cannot fix). The same pattern text is matched in two
 * places: by JavaScript on the laptop (the L1 lines of `orch logs -f` / `--wait`, the extension)
 * and by `grep -E` on the host (stop-on-match, no-retry), so a pattern must mean the same in
 * both: an extended regular expression without the JavaScript-only parts.
 */

export interface WatchPattern {
  /** Short label shown with a match, e.g. `cuda-oom`. */
  name: string;
  /** Extended regular expression (see `checkPattern`). */
  regex: string;
}

/** What L1 watches for when nothing is configured. Case-sensitive, as the tools print them. */
export const DEFAULT_WATCH_PATTERNS: readonly WatchPattern[] = [
  { name: 'python-traceback', regex: 'Traceback \\(most recent call last\\):' },
  { name: 'error', regex: '\\b(ERROR|FATAL)\\b' },
  { name: 'cuda-oom', regex: 'CUDA out of memory|CUDA error: out of memory' },
  { name: 'oom', regex: '\\bKilled\\b|Out of memory|oom-kill|\\bMemoryError\\b' },
  { name: 'disk-full', regex: 'No space left on device' },
  { name: 'segfault', regex: 'Segmentation fault' },
];

/** A failure whose log shows one of these is a code or setup bug: retrying it would fail again. */
export const DEFAULT_NO_RETRY_PATTERNS: readonly string[] = [
  '\\bSyntaxError\\b',
  '\\bIndentationError\\b',
  '\\bModuleNotFoundError\\b',
  '\\bImportError\\b',
  'command not found',
];

/**
 * Why `regex` cannot be used, or undefined. It must compile in JavaScript and avoid what
 * `grep -E` reads differently: lookarounds and other `(?` groups, lazy quantifiers, `\d`-style
 * classes, and newlines (patterns are stored one per line on the host).
 */
export function checkPattern(regex: string): string | undefined {
  if (regex.trim() === '') return 'a pattern must not be empty';
  if (/[\n\r\0]/.test(regex)) return 'a pattern must be on one line';
  try {
    new RegExp(regex);
  } catch (e) {
    return `not a valid regular expression (${(e as Error).message})`;
  }
  if (regex.includes('(?')) return 'groups starting with "(?" (lookarounds, named groups, flags) are not understood by grep -E on the host';
  if (/[*+?}]\?/.test(regex)) return 'lazy quantifiers (*?, +?) are not understood by grep -E on the host';
  if (/\\[dDhH]/.test(regex)) return 'use [0-9] instead of \\d (grep -E on the host has no \\d)';
  return undefined;
}

/** Compiles a checked pattern for the laptop-side matcher. */
export function compilePattern(regex: string): RegExp {
  return new RegExp(regex);
}
