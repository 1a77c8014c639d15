import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { CliIO } from '../../../src/cli/command';
import { main, mainCloudRun } from '../../../src/cli/main';
import { orchEnvOf, type TestSshd } from '../harness/sshd';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout exactly as written (bytes that are not UTF-8 survive here). */
  stdoutBytes: Buffer;
}

class Sink extends Writable {
  private readonly chunks: Buffer[] = [];
  get text(): string {
    return this.bytes.toString();
  }
  get bytes(): Buffer {
    return Buffer.concat(this.chunks as unknown as Uint8Array[]);
  }
  _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
    cb();
  }
}

/**
 * The environment a user's shell would give orch: PATH and HOME, plus the given ORCH_* keys.
 * The log cache goes to a temp dir of this test process. Connection reuse is off (`node bin/orch` children would leave helpers behind for 10 minutes);
 * test/integration/cli/connectionReuse.test.ts tests it on its own.
 */
export function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // The log cache of these runs stays out of the user's ~/.cache.
  const cache = join(tmpdir(), `orch-test-cache-${process.pid}`);
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: process.env.LANG ?? 'C.UTF-8', ORCH_CONNECTION_PERSIST: '0', XDG_CACHE_HOME: cache, ...extra };
}

/** ORCH_* variables pointing at a test sshd (how a user would configure it in scripts/cloud/.env). */
export function sshEnv(sshd: TestSshd): Record<string, string> {
  return orchEnvOf(sshd.config());
}

/** Runs `orch` (or `cloud-run`) in-process with in-memory stdio. */
export async function cli(argv: string[], opts: { env: NodeJS.ProcessEnv; cwd: string; bin?: 'orch' | 'cloud-run'; signal?: AbortSignal }): Promise<CliResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const io: CliIO = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: opts.env,
    cwd: opts.cwd,
    isTTY: false,
    signal: opts.signal ?? new AbortController().signal,
  };
  const code = await (opts.bin === 'cloud-run' ? mainCloudRun(argv, io) : main(argv, io));
  return { code, stdout: stdout.text, stderr: stderr.text, stdoutBytes: stdout.bytes };
}

/** A throwaway git workspace (its folder name is the project part of generated names). */
export function makeWorkspace(prefix = 'orch-cli-ws-'): string {
  const ws = mkdtempSync(join(tmpdir(), prefix));
  execFileSync('git', ['init', '-q'], { cwd: ws });
  writeFileSync(join(ws, '.gitignore'), 'data/\nresults/\n');
  return ws;
}

/** A short unique job name for this test run. */
export function uniqueName(base: string): string {
  return `${base}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
