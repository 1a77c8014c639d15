// A byte-exact run.log as a person reads it (PRODUCT.md §9): ANSI escape sequences removed and
// carriage-return updates (tqdm and the like) collapsed to the line's latest state, as a
// terminal would leave it. Streaming: chunks may split lines and escape sequences anywhere.

/** An escape sequence that may continue in the next chunk: CSI, OSC, or a two-character one. */
// eslint-disable-next-line no-control-regex
const ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])/y;
// eslint-disable-next-line no-control-regex
const INCOMPLETE = /\x1b(?:\[[0-?]*[ -/]*|\][^\x07\x1b]*\x1b?)?$/;

export interface Rendered {
  /** Finished lines, each ending in `\n`, in their final state. */
  lines: string;
  /** The line being written (no `\n` yet), in its latest state; '' when none. */
  partial: string;
}

export class LogRenderer {
  private line: string[] = [];
  private col = 0;
  private carry = '';

  /** Feeds decoded text; returns what got finished and the current partial line. */
  push(text: string): Rendered {
    let s = this.carry + text;
    this.carry = '';
    const tail = INCOMPLETE.exec(s);
    if (tail && tail[0].length > 0) {
      this.carry = tail[0];
      s = s.slice(0, tail.index);
    }
    let out = '';
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '\x1b') {
        ESCAPE.lastIndex = i;
        const m = ESCAPE.exec(s);
        if (m) {
          this.control(m[0]);
          i += m[0].length - 1;
        }
        continue;
      }
      if (c === '\n') {
        out += `${this.line.join('')}\n`;
        this.line = [];
        this.col = 0;
      } else if (c === '\r') this.col = 0;
      else if (c === '\b') this.col = Math.max(0, this.col - 1);
      else if (c === '\t' || c >= ' ') {
        if (this.col < this.line.length) this.line[this.col] = c;
        else this.line.push(c);
        this.col++;
      }
      // other control characters (bell, ...) are not text
    }
    return { lines: out, partial: this.line.join('') };
  }

  /** The partial line once the log is over (no newline added). */
  end(): string {
    this.carry = '';
    const rest = this.line.join('');
    this.line = [];
    this.col = 0;
    return rest;
  }

  /** Only erase-in-line changes the text; colours, cursor moves up and titles are dropped. */
  private control(seq: string): void {
    // eslint-disable-next-line no-control-regex
    const m = /^\x1b\[([0-9;]*)K$/.exec(seq);
    if (!m) return;
    const mode = m[1] === '' ? 0 : Number(m[1]);
    if (mode === 0) this.line.length = Math.min(this.line.length, this.col);
    else if (mode === 2) this.line = [];
    else if (mode === 1) for (let k = 0; k < Math.min(this.col, this.line.length); k++) this.line[k] = ' ';
  }
}

/** A whole log at once, for Open Full Log and notices. */
export function renderLog(text: string): string {
  const r = new LogRenderer();
  const { lines } = r.push(text);
  return lines + r.end();
}
