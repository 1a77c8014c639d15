/** Small statistics and timing helpers for the benchmark (no dependencies). */
import { performance } from 'node:perf_hooks';

export interface Sample {
  n: number;
  median: number;
  min: number;
  max: number;
  p90: number;
}

export function summarize(values: number[]): Sample {
  if (values.length === 0) throw new Error('no samples');
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const mid = s.length / 2;
  const median = s.length % 2 ? s[Math.floor(mid)]! : (s[mid - 1]! + s[mid]!) / 2;
  return { n: s.length, median, min: s[0]!, max: s[s.length - 1]!, p90: at(0.9) };
}

/**
 * Runs `fn` `warmup` times unmeasured, then `reps` times, interleaving nothing else.
 * Returns the wall-clock durations in milliseconds.
 */
export async function timeReps(reps: number, fn: () => Promise<unknown>, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

/**
 * Times several contenders in turn (a, b, c, a, b, c, ...) so that load from other processes on
 * this shared machine falls on all of them alike; ratios of medians taken this way are fairer
 * than separate runs. Returns one list of durations (ms) per contender.
 */
export async function timeRoundRobin(reps: number, fns: (() => Promise<unknown>)[], warmup = 1): Promise<number[][]> {
  for (let i = 0; i < warmup; i++) for (const f of fns) await f();
  const out = fns.map(() => [] as number[]);
  for (let i = 0; i < reps; i++) {
    for (let k = 0; k < fns.length; k++) {
      const t0 = performance.now();
      await fns[k]!();
      out[k]!.push(performance.now() - t0);
    }
  }
  return out;
}

export function fmtMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(2)} ms`;
}

export function fmtBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(2)} MB` : `${(n / 1024).toFixed(1)} KB`;
}
