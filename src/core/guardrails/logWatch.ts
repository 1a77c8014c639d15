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

export function createLogWatcher(options: LogWatchOptions = {}): LogWatcher {
  const compiled = (options.patterns ?? DEFAULT_WATCH_PATTERNS).map((p) => ({ name: p.name, re: compilePattern(p.regex), last: -Infinity }));
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

  const matchLine = (): LogMatch[] => {
    const text = Buffer.concat(pending as unknown as Uint8Array[]).toString('utf8').replace(/\r$/, '');
    pending = [];
    pendingBytes = 0;
    const n = line++;
    if (OWN_LINE.test(text)) return [];
    const out: LogMatch[] = [];
    for (const p of compiled) {
      if (n <= p.last + windowLines) continue;
      const m = p.re.exec(text);
      if (!m) continue;
      p.last = n;
      out.push({ pattern: p.name, text: m[0].slice(0, 120), line: n, lineText: text.slice(0, 500) });
    }
    return out;
  };

  return {
    push(chunk) {
      const out: LogMatch[] = [];
      let start = 0;
      for (let nl = chunk.indexOf(0x0a); nl >= 0; nl = chunk.indexOf(0x0a, start)) {
        take(chunk.subarray(start, nl));
        out.push(...matchLine());
        start = nl + 1;
      }
      if (start < chunk.length) take(chunk.subarray(start));
      return out;
    },
    end() {
      return pendingBytes > 0 ? matchLine() : [];
    },
  };
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
