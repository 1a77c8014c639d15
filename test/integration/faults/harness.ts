/**
 * Shared pieces of the fault and abuse suite: the real CLI (in-process `main()` for speed, or
 * `node bin/orch` as a child where the process itself is the subject), the environment a user
 * would give it for a test sshd, and polling helpers with bounded waits.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/command';
import type { Job } from '../../../src/core/jobs/model';
import { orchEnvOf, type TestSshd } from '../harness/sshd';

export const REPO = join(__dirname, '..', '..', '..');
export const ORCH_BIN = join(REPO, 'bin', 'orch');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Sink extends Writable {
  text = '';
  _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** `orch argv...` in this process, through the CLI's real `main()`. */
export async function orch(argv: string[], opts: { env: NodeJS.ProcessEnv; cwd: string }): Promise<CliResult> {
  const stdout = new Sink();
  const stderr = new Sink();
  const io: CliIO = { stdout, stderr, stdin: new PassThrough(), env: opts.env, cwd: opts.cwd, isTTY: false, signal: new AbortController().signal };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** `node bin/orch argv...` as a child process (the bundle the user runs). */
export function spawnOrch(argv: string[], opts: { env: NodeJS.ProcessEnv; cwd: string }): ChildProcess & { out: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [ORCH_BIN, ...argv], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (out.stdout += s));
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (out.stderr += s));
  return Object.assign(child, { out });
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** The bin runs dist/orch.js: build it when it is missing or older than any source file. */
export function ensureBundle(): void {
  const bundle = join(REPO, 'dist', 'orch.js');
  const built = (() => {
    try {
      return statSync(bundle).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  if (built === 0 || newest(join(REPO, 'src')) > built) execFileSync(process.execPath, ['esbuild.mjs'], { cwd: REPO, stdio: 'pipe' });
}

/** The environment a user's shell gives orch: PATH, HOME and the ORCH_* keys for this sshd. */
export function sshEnv(sshd: TestSshd, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...orchEnvOf(sshd.config()),
    ORCH_PROJECT: 'faults',
    // no connection helper left behind by `node bin/orch` children (tested on its own)
    ORCH_CONNECTION_PERSIST: '0',
    // the log cache of these runs stays out of the user's ~/.cache
    XDG_CACHE_HOME: join(tmpdir(), `orch-test-cache-${process.pid}`),
    ...extra,
  };
}

/** An empty working directory with no scripts/cloud/.env above it. */
export function makeCwd(prefix = 'orch-faults-cwd-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function uniqueName(tag: string): string {
  return `flt${randomBytes(3).toString('hex')}-${tag}`;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `orch list --json` (all jobs) or `orch status --json` (active ones), parsed. */
export async function jobsJson(which: 'list' | 'status', opts: { env: NodeJS.ProcessEnv; cwd: string }): Promise<Job[]> {
  const r = await orch([which, '--json'], opts);
  if (r.code !== 0) throw new Error(`orch ${which} --json exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Job[];
}

/** `seq 1 N` followed by the exit line, as run.log must read after a job `seq 1 N` ends with 0. */
export function seqLog(n: number, exit = 0): string {
  return Array.from({ length: n }, (_, i) => `${i + 1}\n`).join('') + `[EXIT: ${exit}]\n`;
}

/** Kills the named tmux sessions of the test user (cleanup; missing sessions are fine). */
export async function killSessions(sshd: TestSshd, names: string[]): Promise<void> {
  if (names.length === 0) return;
  await sshd.runAsUser(`for n in "$@"; do tmux kill-session -t "=$n" 2>/dev/null; done; exit 0`.replace('"$@"', names.map((n) => `'${n}'`).join(' ')));
}

/**
 * Removes the retention cron entries the engine installed for this sshd's log roots (the
 * harness removes the roots themselves), so repeated runs leave no crontab lines behind.
 */
export async function dropCronEntries(sshd: TestSshd, roots: string[] = [sshd.config().logRoot]): Promise<void> {
  const abs = roots.map((r) => r.replace(/^~\//, `${sshd.home}/`));
  const filter = abs.map((r) => `-e '${r}'`).join(' ');
  await sshd.runAsUser(`crontab -l 2>/dev/null | grep -vF ${filter} | crontab - 2>/dev/null; exit 0`).catch(() => undefined);
}
