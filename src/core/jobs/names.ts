import { usageError } from '../errors';

/**
 * Job names are tmux session names and directory names on the target (PRODUCT.md §2), so they
 * are kept to a set that is safe for both and for the shell: tmux silently turns "." and ":"
 * into "_" (the session would then not be found by its name), "/" would nest directories, and
 * a leading "-" reads as an option.
 */
export const JOB_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;
export const JOB_NAME_MAX_LENGTH = 80;

const ALLOWED_FORM =
  'use only letters A-Z and a-z, digits, "-" and "_", start with a letter or digit, and keep it to 80 characters';

/** Returns `name` when it is a valid job name; otherwise throws a usage error saying what is wrong. */
export function validateJobName(name: string): string {
  if (JOB_NAME_PATTERN.test(name)) return name;
  throw usageError(`Invalid job name ${quoteName(name)}: ${whatIsWrong(name)}; ${ALLOWED_FORM}.`);
}

function whatIsWrong(name: string): string {
  if (name === '') return 'it is empty';
  const chars = Array.from(name);
  const bad = chars.find((c) => !/[A-Za-z0-9_-]/.test(c));
  if (bad !== undefined) return `${describeChar(bad)} is not allowed${whyNot(bad)}`;
  if (!/[A-Za-z0-9]/.test(chars[0])) return `it starts with "${chars[0]}"`;
  return `it is ${chars.length} characters long`;
}

function describeChar(c: string): string {
  const cp = c.codePointAt(0)!;
  const code = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (c === ' ') return 'a space';
  if (c === '\t') return 'a tab';
  if (c === '\n' || c === '\r') return 'a line break';
  if (cp < 0x20 || cp === 0x7f) return `the control character ${code}`;
  if (cp < 0x7f) return `"${c}"`;
  return `"${c}" (${code})`;
}

function whyNot(c: string): string {
  if (c === '.' || c === ':') return ' (tmux rewrites "." and ":" in session names)';
  if (c === '/' || c === '\\') return ' (a job name is also a directory name)';
  return '';
}

function quoteName(name: string): string {
  const shown = name.length > 100 ? `${name.slice(0, 100)}...` : name;
  return JSON.stringify(shown);
}

/**
 * Turns any text into a non-empty job-name part: lowercase, accents dropped, every run of other
 * characters replaced by one "-", no leading or trailing "-" or "_".
 */
export function safeNamePart(s: string, fallback = 'job'): string {
  const ascii = s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  const part = ascii
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return part === '' ? fallback : part;
}

/** `<project>-<task>-<YYYYMMDD-HHMM>` in local time; parts are made safe and shortened to fit 80. */
export function generateJobName(project: string, task: string, now = new Date()): string {
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}`;
  let p = safeNamePart(project, 'project');
  let t = safeNamePart(task, 'task');
  const budget = JOB_NAME_MAX_LENGTH - stamp.length - 2;
  if (p.length + t.length > budget) {
    // Keep as much of the task as possible (it tells jobs of one project apart), but never
    // squeeze the project below half the budget.
    const half = Math.floor(budget / 2);
    t = trimEnd(t.slice(0, Math.max(budget - p.length, half)));
    p = trimEnd(p.slice(0, budget - t.length));
  }
  return validateJobName(`${p}-${t}-${stamp}`);
}

function trimEnd(s: string): string {
  return s.replace(/[-_]+$/, '');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
