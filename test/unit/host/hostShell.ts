/**
 * Runs host library functions on their own, in a real bash, on temp dirs: the library as a host
 * gets it (HOST_LIB) written under `<root>/.orch/`, then `bash -c '. LIB; FUNCTION ARGS'`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_LIB } from '../../../src/host/library';

export interface ShellResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export class HostSandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'orch-host-unit-'));
  readonly root = join(this.dir, 'logs');
  readonly lib = join(this.root, '.orch', 'lib.sh');
  /** A tmux server of the sandbox's own, so no test meets the user's sessions. */
  readonly env: NodeJS.ProcessEnv = { ...process.env, TMUX_TMPDIR: this.dir, HOME: this.dir, TMUX: '' };

  constructor() {
    mkdirSync(join(this.root, '.orch'), { recursive: true });
    writeFileSync(this.lib, HOST_LIB);
  }

  /** Runs `script` in bash with the library sourced (LIB set, nothing dispatched). */
  sh(script: string, stdin = ''): Promise<ShellResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('bash', ['-c', `LIB=$1; . "$LIB"; ${script}`, 'orch-unit', this.lib], { env: this.env, cwd: this.dir });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      // A script that exits before reading its stdin closes the pipe: not the test's failure.
      child.stdin.on('error', () => undefined);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end(stdin);
    });
  }

  /** A job dir as op_run leaves it (cmd.sh, workdir, created, empty run.log; 0600) plus `extra` files. */
  job(name: string, command: string, extra: Record<string, string> = {}): string {
    const d = join(this.root, name);
    const work = join(this.dir, 'work');
    mkdirSync(d, { recursive: true, mode: 0o700 });
    mkdirSync(work, { recursive: true });
    const files: Record<string, string> = {
      'cmd.sh': command,
      'meta.json': '{}\n',
      workdir: `${work}\n`,
      created: `${Math.floor(Date.now() / 1000)}\n`,
      'run.log': '',
      ...extra,
    };
    for (const [f, v] of Object.entries(files)) writeFileSync(join(d, f), v, { mode: 0o600 });
    return d;
  }

  async close(): Promise<void> {
    await this.sh('tmux kill-server 2>/dev/null; true');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
