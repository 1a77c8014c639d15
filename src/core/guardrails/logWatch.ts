/**
 * Guardrail L1 on the laptop side: a streaming matcher over a job's log bytes (pure). It splits
 * lines itself (a line may arrive in several chunks, a UTF-8 character too), skips orch's own
 * `[EXIT: N]` / `[RETRY: ...]` lines, and reports each pattern once per match window: after a
 * pattern fires on line L it stays quiet through line L + windowLines, so a burst (a traceback
 * with its chained tracebacks, a loop printing ERROR) is one report, not one per line.
 */
import { DEFAULT_WINDOW_LINES } from './settings';
import { compilePattern, DEFAULT_WATCH_PATTERNS, type WatchPattern } from './patterns';

export interface LogMatch {
  /** The pattern's name. */
  pattern: string;
  /** The matched text (at most 120 characters). */
  text: string;
  /** 1-based line number in run.log (counted from `startLine`). */
  line: number;
  /** The whole line (at most 500 characters). */
  lineText: string;
}

export interface LogWatchOptions {
  patterns?: readonly WatchPattern[];
  /** Lines after a report during which the same pattern stays quiet. Default 100. */
  windowLines?: number;
  /** Line number of the first byte fed (when following from an offset). Default 1. */
  startLine?: number;
  /** Longer lines are matched on their first this-many bytes. Default 64 KiB. */
  maxLineBytes?: number;
}

export interface LogWatcher {
  /** Feeds the next bytes of the log; returns the matches of the lines they completed. */
  push(chunk: Buffer): LogMatch[];
  /** The log ended: matches of a last line without a newline. */
  end(): LogMatch[];
}

const OWN_LINE = /^\[(EXIT|RETRY): [^\]]*\]\s*$/;

interface Compiled {
  name: string;
  /** Per line, exactly as documented. */
  re: RegExp;
  /** Over many lines at once (`m`: `^`/`$` at line ends, `$` also before a CR), to find candidate lines. */
  scan: RegExp;
  /** Line of the last report. */
  last: number;
}

/**
 * Speed: a log streams at hundreds of MB/s, so the lines are not decoded and matched one by
 * one. Each chunk's complete lines are decoded as one string and every pattern searches it once
 * (multiline); only the lines a hit touches — and lines longer than `maxLineBytes`, which are
 * matched on their start — go through the exact per-line match. A per-line match is always also
 * a match of the multiline search (no lookarounds in a pattern; see patterns.ts), so no report is
 * lost and the reports are the same as matching every line.
 */
export function createLogWatcher(options: LogWatchOptions = {}): LogWatcher {
  const compiled: Compiled[] = (options.patterns ?? DEFAULT_WATCH_PATTERNS).map((p) => ({
    name: p.name,
    re: compilePattern(p.regex),
    scan: new RegExp(p.regex, 'gm'),
    last: -Infinity,
  }));
  const windowLines = options.windowLines ?? DEFAULT_WINDOW_LINES;
  const maxLine = options.maxLineBytes ?? 64 * 1024;
  let line = options.startLine ?? 1;
  let pending: Buffer[] = [];
  let pendingBytes = 0;

  const take = (part: Buffer): void => {
    const room = maxLine - pendingBytes;
    if (room <= 0) return;
    const kept = part.length > room ? part.subarray(0, room) : part;
    pending.push(kept);
    pendingBytes += kept.length;
  };

  /** The exact per-line match of line `n` (its bytes without the newline, at most maxLine). */
  const matchText = (bytes: Buffer, n: number, out: LogMatch[]): void => {
    const text = bytes.toString('utf8').replace(/\r$/, '');
    if (OWN_LINE.test(text)) return;
    for (const p of compiled) {
      if (n <= p.last + windowLines) continue;
      const m = p.re.exec(text);
      if (!m) continue;
      p.last = n;
      out.push({ pattern: p.name, text: m[0].slice(0, 120), line: n, lineText: text.slice(0, 500) });
    }
  };

  const matchPending = (out: LogMatch[]): void => {
    const bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending as unknown as Uint8Array[]);
    pending = [];
    pendingBytes = 0;
    matchText(bytes, line++, out);
  };

  /** `region`: whole lines, each ending with a newline. */
  const matchRegion = (region: Buffer, out: LogMatch[]): void => {
    const first = line;
    const text = region.toString('utf8');
    // Newlines are never part of a UTF-8 sequence (nor swallowed by a replacement), so the
    // string has the same lines as the bytes.
    let count = 0;
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
    line = first + count;
    const lastLine = first + count - 1;
    let ends: number[] | undefined;
    const lineOf = (pos: number): number => {
      ends ??= newlinePositions(text);
      let lo = 0;
      let hi = ends.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ends[mid]! < pos) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const candidates = new Set<number>();
    for (const p of compiled) {
      if (lastLine <= p.last + windowLines) continue; // quiet through this whole region
      const re = p.scan;
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) {
        const a = lineOf(m.index);
        const b = m[0].length === 0 ? a : lineOf(m.index + m[0].length - 1);
        for (let k = a; k <= b; k++) candidates.add(k);
        if (b + 1 >= count) break;
        re.lastIndex = ends![b]! + 1; // the next line: one hit per line is enough
      }
    }
    if (region.length > maxLine) {
      // Lines longer than maxLine are matched on their start: a hit at the cut ($, \b) is
      // only seen per line.
      let start = 0;
      for (let k = 0, nl = region.indexOf(0x0a); nl >= 0; k++, nl = region.indexOf(0x0a, start)) {
        if (nl - start > maxLine) candidates.add(k);
        start = nl + 1;
      }
    }
    if (candidates.size === 0) return;
    const wanted = [...candidates].sort((x, y) => x - y);
    let k = 0;
    let start = 0;
    for (const want of wanted) {
      let nl = region.indexOf(0x0a, start);
      for (; k < want; k++) {
        start = nl + 1;
        nl = region.indexOf(0x0a, start);
      }
      const end = Math.min(nl, start + maxLine);
      matchText(region.subarray(start, end), first + want, out);
    }
  };

  return {
    push(chunk) {
      const out: LogMatch[] = [];
      const firstNl = chunk.indexOf(0x0a);
      if (firstNl < 0) {
        take(chunk);
        return out;
      }
      // The line that completes what earlier chunks left open, then the chunk's whole lines.
      take(chunk.subarray(0, firstNl));
      matchPending(out);
      const lastNl = chunk.lastIndexOf(0x0a);
      if (lastNl > firstNl) matchRegion(chunk.subarray(firstNl + 1, lastNl + 1), out);
      if (lastNl + 1 < chunk.length) take(chunk.subarray(lastNl + 1));
      return out;
    },
    end() {
      const out: LogMatch[] = [];
      if (pendingBytes > 0) matchPending(out);
      return out;
    },
  };
}

function newlinePositions(text: string): number[] {
  const ends: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) ends.push(i);
  return ends;
}

/** Number of lines before byte `offset` of a log (for `startLine` when following from there). */
export function lineAt(log: Buffer, offset = log.length): number {
  let n = 1;
  for (let i = log.indexOf(0x0a); i >= 0 && i < offset; i = log.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** `[L1] job X: "CUDA out of memory" at line 1234` (the CLI prefixes `orch: `). */
export function describeMatch(job: string, m: LogMatch): string {
  return `[L1] job ${job}: "${m.text}" at line ${m.line}`;
}
