/** Spawning and timing child processes for the benchmark. */
import { spawn, type SpawnOptions } from 'node:child_process';

export interface ProcResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion. stdout is collected unless `discardStdout` (then it goes to
 * /dev/null, as `> /dev/null` would); a failing status is an error unless `allowFail`.
 */
export function runProc(
  cmd: string,
  args: string[],
  opts: SpawnOptions & { discardStdout?: boolean; allowFail?: boolean; timeoutMs?: number; input?: string } = {},
): Promise<ProcResult> {
  const { discardStdout, allowFail, timeoutMs, input, ...spawnOpts } = opts;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...spawnOpts, stdio: [input === undefined ? 'ignore' : 'pipe', discardStdout ? 'ignore' : 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr = (stderr + s).slice(-20_000)));
    if (input !== undefined) child.stdin!.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs ?? 120_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code !== 0 && !allowFail) reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.trim().slice(-2000)}`));
      else resolve({ code, stdout, stderr });
    });
  });
}
