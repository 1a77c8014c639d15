import * as vscode from 'vscode';
import { toTerminalText } from './taskDefinition';

/**
 * A pseudoterminal that keeps what is written before VS Code opens it, so the first log bytes
 * of a fast job are never dropped. `close(code)` ends the task with that exit code.
 */
export class BufferedPty implements vscode.Pseudoterminal {
  private readonly writer = new vscode.EventEmitter<string>();
  private readonly closer = new vscode.EventEmitter<number>();
  readonly onDidWrite = this.writer.event;
  readonly onDidClose = this.closer.event;
  private pending: string[] | undefined = [];
  private closedWith: number | undefined;
  private readonly started: Promise<void>;
  private start!: () => void;
  /** Called once when the user closes the terminal or presses Ctrl+C. */
  onInterrupt: (() => void) | undefined;

  constructor() {
    this.started = new Promise((r) => (this.start = r));
  }

  /** Resolves when VS Code opened the terminal. */
  whenOpen(): Promise<void> {
    return this.started;
  }

  open(): void {
    const buffered = this.pending ?? [];
    this.pending = undefined;
    for (const s of buffered) this.writer.fire(s);
    if (this.closedWith !== undefined) this.closer.fire(this.closedWith);
    this.start();
  }

  write(text: string): void {
    const t = toTerminalText(text);
    if (this.pending) this.pending.push(t);
    else this.writer.fire(t);
  }

  handleInput(data: string): void {
    if (data === '\x03') this.onInterrupt?.();
  }

  close(): void {
    this.onInterrupt?.();
  }

  exit(code: number): void {
    if (this.pending) this.closedWith = code;
    else this.closer.fire(code);
  }
}
