/**
 * A real target seen from the wire's side, for tests of packed transfer: counts the stdout
 * bytes that crossed the channel (what the host sent, before the client decodes it), and can
 * run every script with another PATH on the host (a host without zstd, or without gzip too).
 */
import { chmodSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ExecOptions, ExecResult, ShellTarget } from '../../../src/host/target';
import { shellQuote } from '../../../src/host/target';

export interface CountingTarget extends ShellTarget {
  /** stdout bytes received since the last reset. */
  received: number;
  reset(): void;
}

export function countingTarget(inner: ShellTarget, path?: string): CountingTarget {
  const t: CountingTarget = {
    host: inner.host,
    received: 0,
    reset: () => void (t.received = 0),
    close: () => inner.close(),
    exec(script: string, options: ExecOptions = {}): Promise<ExecResult> {
      const body = path === undefined ? script : `PATH=${shellQuote(path)}\n${script}`;
      const { stdout, onStdout } = options;
      const counted: ExecOptions = { ...options };
      if (stdout) {
        const counter = new Writable({
          write(chunk: Buffer, _enc, cb) {
            t.received += chunk.length;
            if (stdout.write(chunk)) cb();
            else stdout.once('drain', () => cb());
          },
        });
        // An error of the real sink (a corrupt stream) must still reach the channel.
        stdout.once('error', (e) => counter.destroy(e));
        counted.stdout = counter;
      } else {
        counted.onStdout = (c) => {
          t.received += c.length;
          onStdout?.(c);
        };
        if (!onStdout) {
          // Keep ExecResult.stdout as the target gives it.
          const chunks: Buffer[] = [];
          counted.onStdout = (c) => {
            t.received += c.length;
            chunks.push(c);
          };
          return inner.exec(body, counted).then((r) => ({ ...r, stdout: Buffer.concat(chunks as unknown as Uint8Array[]) }));
        }
      }
      return inner.exec(body, counted);
    },
  };
  return t;
}

/** A dir of links to every tool of /usr/bin and /bin but those named: a host that lacks them. */
export function pathWithout(missing: RegExp): string {
  const dir = mkdtempSync(join(tmpdir(), 'orch-path-'));
  chmodSync(dir, 0o755); // the sshd's test user reads it
  for (const from of ['/usr/bin', '/bin', '/usr/sbin', '/sbin']) {
    for (const tool of readdirSync(from)) {
      if (missing.test(tool)) continue;
      try {
        symlinkSync(join(from, tool), join(dir, tool));
      } catch {
        // /bin and /usr/bin are one dir here: the first link stays
      }
    }
  }
  return dir;
}
