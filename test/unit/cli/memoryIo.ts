import { PassThrough, Writable } from 'node:stream';
import type { CliIO } from '../../../src/cli/command';

export interface MemoryIO extends CliIO {
  out(): string;
  err(): string;
  abort(): void;
}

class Sink extends Writable {
  text = '';
  _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** In-memory stdio for calling `main([...], io)` in-process. */
export function memoryIo(opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): MemoryIO {
  const stdout = new Sink();
  const stderr = new Sink();
  const controller = new AbortController();
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: opts.env ?? { PATH: process.env.PATH, HOME: process.env.HOME },
    cwd: opts.cwd ?? process.cwd(),
    isTTY: false,
    signal: controller.signal,
    out: () => stdout.text,
    err: () => stderr.text,
    abort: () => controller.abort(),
  };
}
