// What the extension learned about a job while following its log (guardrails L1, L2): pure, so
// the tree's text is unit-tested.

/** An L1 match as the tree shows it. */
export interface L1Mark {
  /** Pattern name (`cuda-oom`). */
  pattern: string;
  /** Matched text (`CUDA out of memory`). */
  text: string;
  /** Line in run.log. */
  line: number;
}

export interface JobMark {
  /** The latest L1 match. */
  l1?: L1Mark;
  /** Attempts in all (retries + 1), from the `[RETRY: ...; attempt K of T]` lines of the log. */
  attempts?: number;
}

const RETRY_LINE = /^\[RETRY: [^\]\n]*attempt (\d+) of (\d+)\]\s*$/gm;

/** The total attempt count named by the last `[RETRY: ...; attempt K of T]` line of `text`. */
export function attemptsIn(text: string): number | undefined {
  let total: number | undefined;
  for (const m of text.matchAll(RETRY_LINE)) total = Number(m[2]);
  return total;
}

/** `attempt 2/3` (or `attempt 2` when the total is not known); undefined for a first attempt. */
export function attemptText(attempt: number, mark: JobMark | undefined): string | undefined {
  const total = mark?.attempts;
  if (attempt <= 1 && !(total && total > 1)) return undefined;
  return total ? `attempt ${Math.max(attempt, 1)}/${total}` : `attempt ${attempt}`;
}

/** `⚠ L1: CUDA out of memory`. */
export function l1Text(mark: JobMark | undefined): string | undefined {
  return mark?.l1 ? `⚠ L1: ${mark.l1.text.length > 40 ? `${mark.l1.text.slice(0, 39)}…` : mark.l1.text}` : undefined;
}

/** The jobs' marks by `host\0name`, with a change listener for the tree. */
export class JobMarks {
  private readonly marks = new Map<string, JobMark>();
  private readonly listeners = new Set<() => void>();

  private key(job: { name: string; host: string }): string {
    return `${job.host}\0${job.name}`;
  }

  get(job: { name: string; host: string }): JobMark | undefined {
    return this.marks.get(this.key(job));
  }

  /** Records an L1 match; returns true when it is the job's first (worth a notification). */
  setL1(job: { name: string; host: string }, l1: L1Mark): boolean {
    const mark = this.marks.get(this.key(job)) ?? {};
    const first = mark.l1 === undefined;
    this.marks.set(this.key(job), { ...mark, l1 });
    this.fire();
    return first;
  }

  setAttempts(job: { name: string; host: string }, attempts: number): void {
    const mark = this.marks.get(this.key(job)) ?? {};
    if (mark.attempts === attempts) return;
    this.marks.set(this.key(job), { ...mark, attempts });
    this.fire();
  }

  /** A re-run under the same name starts clean. */
  clear(job: { name: string; host: string }): void {
    if (this.marks.delete(this.key(job))) this.fire();
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(): void {
    for (const l of this.listeners) l();
  }
}
