/** Child processes for the sshd harness: run and collect, find free ports, kill process trees. */
import { execFile, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once the port answers with an SSH banner. */
export async function waitForBanner(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await bannerOnce(host, port)) return;
    await delay(25);
  }
  throw new Error(`sshd did not accept connections on ${host}:${port} within ${timeoutMs} ms`);
}

export function bannerOnce(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
  });
}

/** SIGKILLs a process and all its descendants (sshd's per-connection processes and their shells). */
export function killTree(pid: number): void {
  // Freeze first so nothing forks or reparents while we collect the tree.
  const signal = (p: number, s: NodeJS.Signals): void => {
    try {
      process.kill(p, s);
    } catch {
      // already gone
    }
  };
  signal(pid, 'SIGSTOP');
  let tree = descendants(pid);
  tree.forEach((p) => signal(p, 'SIGSTOP'));
  tree = descendants(pid);
  for (const p of [...tree, pid]) signal(p, 'SIGKILL');
}

export function signalTree(pid: number, sig: NodeJS.Signals): void {
  for (const p of [pid, ...descendants(pid)]) {
    try {
      process.kill(p, sig);
    } catch {
      // gone
    }
  }
}

export function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(name));
      children.set(ppid, list);
    } catch {
      // exited meanwhile
    }
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    for (const c of children.get(stack.pop()!) ?? []) {
      out.push(c);
      stack.push(c);
    }
  }
  return out;
}

export function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

export function runCollect(
  cmd: string,
  args: string[],
  opts: { uid?: number; gid?: number; cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string | Buffer; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { uid: opts.uid, gid: opts.gid, cwd: opts.cwd, env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin ?? '');
  });
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
