import * as vscode from 'vscode';
import { BoundedTail } from './boundedTail';

/**
 * An output channel created on first write that also keeps what it shows (its last `maxChars`),
 * so the API can report the text a user reads there.
 */
export class TextChannel implements vscode.Disposable {
  private channel: vscode.OutputChannel | undefined;
  private readonly tail: BoundedTail;

  constructor(
    private readonly name: string,
    maxChars = 1024 * 1024,
  ) {
    this.tail = new BoundedTail(maxChars);
  }

  private get out(): vscode.OutputChannel {
    this.channel ??= vscode.window.createOutputChannel(this.name);
    return this.channel;
  }

  append(text: string): void {
    if (!text) return;
    if (this.tail.append(text)) {
      // a fresh channel rather than replace(): see logChannels.ts
      this.channel?.dispose();
      this.channel = undefined;
      this.out.append(this.tail.value);
      this.out.show(true);
    } else this.out.append(text);
  }

  appendLine(line: string): void {
    this.append(`${line}\n`);
  }

  /** A line of its own: after a newline when the text so far ends mid-line (a phase's output without one). */
  startLine(line: string): void {
    const t = this.tail.value;
    this.appendLine(t && !t.endsWith('\n') ? `\n${line}` : line);
  }

  show(preserveFocus = true): void {
    this.out.show(preserveFocus);
  }

  get text(): string {
    return this.tail.value;
  }

  dispose(): void {
    this.channel?.dispose();
  }
}
