// Pure, so the bound is unit-tested.

/** Keeps the last `max` characters of a text growing at its end, cutting at a line start. */
export class BoundedTail {
  private text = '';
  truncated = false;
  constructor(private readonly max: number) {}

  /** Appends; returns true when the kept text was cut (the channel must be redrawn). */
  append(s: string): boolean {
    this.text += s;
    if (this.text.length <= this.max) return false;
    let cut = this.text.length - Math.floor(this.max / 2);
    const nl = this.text.indexOf('\n', cut);
    if (nl >= 0 && nl - cut < 4096) cut = nl + 1;
    this.text = this.text.slice(cut);
    this.truncated = true;
    return true;
  }

  get value(): string {
    return this.text;
  }
}
