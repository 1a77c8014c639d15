/**
 * Caps concurrent channels on one connection. sshd refuses the 11th session channel
 * (`MaxSessions` 10) and frees slots a little after a channel closes, so we stay under it and
 * queue the rest in arrival order.
 */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<{ grant: () => void; fail: (e: unknown) => void }> = [];

  constructor(private readonly max: number) {}

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.active++;
          resolve(this.releaser());
        },
        fail: reject,
      };
      const onAbort = (): void => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  /** Rejects everything still queued (the connection is being closed). */
  rejectAll(error: unknown): void {
    for (const w of this.waiting.splice(0)) w.fail(error);
  }

  get inUse(): number {
    return this.active;
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      this.waiting.shift()?.grant();
    };
  }
}
