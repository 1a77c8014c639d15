/**
 * A packer process of a sync (GNU tar, zstd): spawned with pipes, the tail of its stderr kept for
 * the error message, its exit awaited without an unhandled rejection when nobody waits.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface Packer {
  child: ChildProcessWithoutNullStreams;
  /** Its exit status (null when killed); rejects when it could not be started. */
  exited: Promise<number | null>;
  /** The last 2,000 characters it wrote to stderr. */
  stderr(): string;
}

export function spawnPacker(command: string, args: readonly string[], cwd?: string): Packer {
  const child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (s: string) => (stderr = (stderr + s).slice(-2000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once('close', resolve);
    child.once('error', reject);
  });
  exited.catch(() => undefined);
  return { child, exited, stderr: () => stderr };
}
