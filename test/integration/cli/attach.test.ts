import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../harness/sshd';
import { baseEnv, cli, makeWorkspace, sshEnv, uniqueName, waitFor } from './cliHarness';

const root = join(__dirname, '../../..');

/**
 * Runs the built `orch attach NAME` on a real pty (util-linux `script`), types Ctrl-b d once the
 * job's screen shows `marker` and tmux has settled, and returns what the terminal showed and the
 * exit status.
 */
function attachOnPty(name: string, env: NodeJS.ProcessEnv, cwd: string, marker: string): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(root, 'bin/orch'))} attach ${name}`;
    const child = spawn('/usr/bin/script', ['-qfec', cmd, '/dev/null'], { cwd, env: { ...env, TERM: 'xterm', SHELL: '/bin/bash' } });
    let screen = '';
    let detached = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    // tmux is ready for keys once it has drawn the job's output and its status line AND gone
    // quiet: right after the first draw it may still be setting the terminal up (it asks the
    // terminal for its attributes, `script` never answers, and it draws everything again), and
    // a Ctrl-b that arrives then is lost, so the d reaches the job as plain text (seen under
    // load). A person types later than that; so do we. Ctrl-b and d are two key presses.
    let quiet: NodeJS.Timeout | undefined;
    const typeDetach = () => {
      detached = true;
      child.stdin.write('\x02');
      setTimeout(() => child.stdin.write('d'), 100);
    };
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      if (detached || !screen.includes(marker) || !screen.includes(`[${name}`.slice(0, 10))) return;
      clearTimeout(quiet);
      quiet = setTimeout(typeDetach, 400);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(quiet);
      resolve({ code, screen });
    });
  });
}

function build(): Promise<void> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['esbuild.mjs'], { cwd: root }, (err, _o, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve())),
  );
}

describe('orch attach on a real terminal', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let ws: string;
  let logRoot: string;

  before(async () => {
    await build();
    sshd = await startSshd();
    ws = makeWorkspace();
    logRoot = mkdtempSync(join(tmpdir(), 'orch-attach-logs-'));
  });
  after(async () => {
    if (logRoot) await cli(['stop', '--all'], { env: baseEnv({ ORCH_LOG_ROOT: logRoot }), cwd: ws });
    if (sshd) await cli(['stop', '--all'], { env: baseEnv(sshEnv(sshd)), cwd: ws });
    await sshd?.stop();
    if (ws) rmSync(ws, { recursive: true, force: true });
    if (logRoot) rmSync(logRoot, { recursive: true, force: true });
  });

  it('attaches to a local job with tmux; Ctrl-b d detaches and the job keeps running', async () => {
    const env = baseEnv({ ORCH_LOG_ROOT: logRoot });
    const name = uniqueName('att-local');
    assert.equal((await cli(['run', name, 'echo local-screen-ok; sleep 30'], { env, cwd: ws })).code, 0);
    const r = await attachOnPty(name, env, ws, 'local-screen-ok');
    assert.equal(r.code, 0, r.screen.slice(-500));
    assert.match(r.screen, /\[detached/);
    const status = JSON.parse((await cli(['status', '--json'], { env, cwd: ws })).stdout) as { name: string }[];
    assert.ok(status.some((j) => j.name === name));
  });

  for (const how of ['OpenSSH', 'the ssh2 pty fallback']) {
    it(`attaches to a job on the host through ${how}`, async () => {
      // without ssh on PATH, orch falls back to an ssh2 pty channel
      const env = baseEnv({ ...sshEnv(sshd), ...(how === 'OpenSSH' ? {} : { PATH: '/nonexistent' }) });
      const name = uniqueName('att-ssh');
      const started = await cli(['run', name, 'echo remote-screen-ok; sleep 30'], { env: baseEnv(sshEnv(sshd)), cwd: ws });
      assert.equal(started.code, 0, started.stderr);
      await waitFor('the job to print', async () => (await cli(['logs', name], { env: baseEnv(sshEnv(sshd)), cwd: ws })).stdout.includes('remote-screen-ok'));
      const r = await attachOnPty(name, env, ws, 'remote-screen-ok');
      assert.equal(r.code, 0, r.screen.slice(-500));
      assert.match(r.screen, /\[detached/);
      assert.equal((await sshd.runAsUser(`tmux has-session -t =${name} && echo alive`)).stdout, 'alive\n');
    });
  }

  it('refuses without a terminal, pointing to logs -f (exit 2)', async () => {
    const r = await cli(['attach', 'anything'], { env: baseEnv({ ORCH_LOG_ROOT: logRoot }), cwd: ws });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /needs a real terminal; use `orch logs -f anything`/);
  });
});
