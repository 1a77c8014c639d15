/**
 * Connection reuse (PRODUCT.md §11) with the real bundle (`node bin/orch`) against the real
 * sshd: the detached helper keeps one SSH connection for many commands, falls back to a direct
 * connection when off, dead or stale, exits when idle or on `orch disconnect`, checks the host
 * key again when known_hosts changes, and lives in a 0700 directory with nothing but sockets.
 * Each test has its own XDG_RUNTIME_DIR, and every helper it started is gone when it ends.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/processes';
import { startSshd, type TestSshd } from '../harness/sshd';
import { ensureBundle, ORCH_BIN, sshEnv } from '../faults/harness';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function orchProc(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [ORCH_BIN, ...argv], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Helper processes started with this XDG_RUNTIME_DIR (read from /proc: we are root). */
function helpersOf(xdg: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (!cmd.includes('__connection-helper')) continue;
      if (readFileSync(`/proc/${name}/environ`, 'utf8').split('\0').includes(`XDG_RUNTIME_DIR=${xdg}`)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Logins the sshd accepted so far (one per SSH connection). */
async function logins(sshd: TestSshd): Promise<number> {
  await new Promise((r) => setTimeout(r, 300)); // let sshd's stderr reach us
  return (sshd.log().match(/Accepted publickey for/g) ?? []).length;
}

async function waitUntil(what: string, check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('CLI connection reuse through the helper (real sshd, node bin/orch)', function () {
  this.timeout(120_000);
  let sshd: TestSshd;
  let xdg: string;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const orch = (...argv: string[]): Promise<Result> => orchProc(argv, env, cwd);
  const sockDir = (): string => join(xdg, 'orch');

  before(async () => {
    ensureBundle();
    sshd = await startSshd();
  });
  after(async () => sshd?.stop());

  beforeEach(() => {
    xdg = mkdtempSync(join(tmpdir(), 'orch-reuse-xdg-'));
    cwd = mkdtempSync(join(tmpdir(), 'orch-reuse-cwd-'));
    // Reuse on, as a user has it by default (the shared test env turns it off).
    env = { ...sshEnv(sshd), XDG_RUNTIME_DIR: xdg, ORCH_CONNECTION_PERSIST: '600' };
  });

  afterEach(async () => {
    await orch('disconnect');
    for (const pid of helpersOf(xdg)) process.kill(pid, 'SIGKILL');
    await waitUntil('no helper left', () => helpersOf(xdg).length === 0);
    rmSync(xdg, { recursive: true, force: true });
    rmSync(cwd, { recursive: true, force: true });
  });

  it('ten commands in a row use one SSH connection; disconnect closes it', async () => {
    env.ORCH_SLACK_WEBHOOK_URL = 'https://hooks.example.invalid/secret';
    const before = await logins(sshd);
    for (let i = 0; i < 10; i++) {
      const r = await orch(i % 2 ? 'list' : 'status');
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal((await logins(sshd)) - before, 1, 'the sshd accepted more than one connection');
    const helpers = helpersOf(xdg);
    assert.equal(helpers.length, 1);
    // Started from the bundle, detached, with nothing secret on its command line.
    const argv = readFileSync(`/proc/${helpers[0]}/cmdline`, 'utf8').split('\0').filter(Boolean);
    assert.deepEqual(argv.slice(1), [ORCH_BIN, '__connection-helper']);
    // Nor in its environment, which it keeps for minutes: a webhook secret of the CLI's is not passed on.
    const environ = readFileSync(`/proc/${helpers[0]}/environ`, 'utf8').split('\0');
    assert.ok(!environ.some((v) => v.startsWith('ORCH_SLACK_WEBHOOK_URL=')), 'the helper got the webhook secret');

    const d = await orch('disconnect');
    assert.equal(d.code, 0);
    assert.match(d.stdout, new RegExp(`closed the connection to ${sshd.user}@127\\.0\\.0\\.1:${sshd.port}`));
    await waitUntil('the helper exits', () => helpersOf(xdg).length === 0);
    assert.deepEqual(readdirSync(sockDir()), []);
    assert.equal((await orch('disconnect')).stdout, 'no connection was open\n');
  });

  it('concurrent commands share one helper and one connection', async () => {
    const before = await logins(sshd);
    const results = await Promise.all(Array.from({ length: 6 }, () => orch('status', '--json')));
    for (const r of results) {
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), []);
    }
    // A helper started at the same moment finds the socket taken and exits (maybe a little later).
    await waitUntil('one helper left', () => helpersOf(xdg).length === 1, 5000);
    assert.equal((await logins(sshd)) - before, 1);
  });

  it('a job started and followed through the helper gives the same output as directly', async () => {
    const name = `reuse-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
    const r = await orch('run', '--wait', name, 'head -c 300000 /dev/zero | tr "\\0" a; echo; echo err >&2; exit 3');
    assert.equal(r.code, 3, r.stderr);
    const direct = await orchProc(['logs', name], { ...env, ORCH_CONNECTION_PERSIST: '0' }, cwd);
    const reused = await orch('logs', name);
    assert.equal(reused.stdout, direct.stdout);
    assert.ok(reused.stdout.includes('a'.repeat(300000)));
    assert.equal(helpersOf(xdg).length, 1);
  });

  it('status and list through the helper print byte for byte what a direct connection prints', async () => {
    for (const [i, cmd] of ['echo one', 'echo two >&2; exit 4'].entries()) {
      const r = await orch('run', '--wait', `same-${process.pid}-${i}`, cmd);
      assert.equal(r.code, i === 0 ? 0 : 4, r.stderr);
    }
    for (const argv of [['status'], ['status', '--json'], ['list'], ['list', '--json']]) {
      const direct = await orchProc(argv, { ...env, ORCH_CONNECTION_PERSIST: '0' }, cwd);
      const reused = await orch(...argv);
      assert.deepEqual(reused, direct, argv.join(' '));
      assert.equal(reused.code, 0, reused.stderr);
    }
    assert.match((await orch('list')).stdout, new RegExp(`same-${process.pid}-1 +FAILED +4 `));
    assert.equal(helpersOf(xdg).length, 1);
  });

  it('ORCH_CONNECTION_PERSIST=0 connects directly every time and starts no helper', async () => {
    env.ORCH_CONNECTION_PERSIST = '0';
    const before = await logins(sshd);
    for (let i = 0; i < 3; i++) assert.equal((await orch('status')).code, 0);
    assert.equal((await logins(sshd)) - before, 3);
    assert.equal(helpersOf(xdg).length, 0);
    env.ORCH_CONNECTION_PERSIST = 'soon';
    const bad = await orch('status');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^orch: ORCH_CONNECTION_PERSIST is "soon": give the seconds/);
  });

  it('the helper exits after ORCH_CONNECTION_PERSIST seconds idle, and the next command starts a new one', async () => {
    env.ORCH_CONNECTION_PERSIST = '1';
    assert.equal((await orch('status')).code, 0);
    const [first] = helpersOf(xdg);
    assert.ok(first);
    await waitUntil('the idle helper exits', () => helpersOf(xdg).length === 0, 10_000);
    assert.deepEqual(readdirSync(sockDir()), [], 'the idle helper left its socket');
    assert.equal((await orch('status')).code, 0);
    const [second] = helpersOf(xdg);
    assert.ok(second && second !== first);
  });

  it('an unreachable host fails as directly, and its helper does not stay behind', async () => {
    const closed = await freePort();
    env.ORCH_PORT = String(closed);
    const direct = await orchProc(['status'], { ...env, ORCH_CONNECTION_PERSIST: '0' }, cwd);
    const reused = await orch('status');
    assert.equal(direct.code, 1);
    assert.equal(reused.code, direct.code);
    assert.equal(reused.stderr, direct.stderr);
    await waitUntil('the helper of the unreachable host exits', () => helpersOf(xdg).length === 0, 8000);
  });

  it('a stale socket (helper killed) is replaced: the command still works', async () => {
    assert.equal((await orch('status')).code, 0);
    const [pid] = helpersOf(xdg);
    process.kill(pid!, 'SIGKILL');
    await waitUntil('the killed helper is gone', () => helpersOf(xdg).length === 0);
    assert.equal(readdirSync(sockDir()).length, 1, 'the socket of the killed helper should still be there');
    const r = await orch('status');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(helpersOf(xdg).length, 1);
    assert.equal(readdirSync(sockDir()).length, 1);
  });

  it('a changed host key in known_hosts while the helper holds a connection is refused as directly', async () => {
    assert.equal((await orch('status')).code, 0);
    const original = readFileSync(sshd.knownHostsFile, 'utf8');
    // The user's known_hosts now names another key for this host (the box was replaced, say).
    const keyDir = mkdtempSync(join(tmpdir(), 'orch-reuse-key-'));
    const other = join(keyDir, 'k');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', other]);
    const otherKey = readFileSync(`${other}.pub`, 'utf8').trim().split(/\s+/).slice(0, 2).join(' ');
    try {
      writeFileSync(sshd.knownHostsFile, `[127.0.0.1]:${sshd.port} ${otherKey}\n`);
      const direct = await orchProc(['status'], { ...env, ORCH_CONNECTION_PERSIST: '0' }, cwd);
      assert.notEqual(direct.code, 0);
      const reused = await orch('status');
      assert.equal(reused.code, direct.code);
      assert.equal(reused.stderr, direct.stderr);
      assert.match(reused.stderr, /host key/i);
    } finally {
      writeFileSync(sshd.knownHostsFile, original);
      rmSync(keyDir, { recursive: true, force: true });
    }
    // Trusted again: the helper reconnects and verifies the real key.
    const again = await orch('status');
    assert.equal(again.code, 0, again.stderr);
  });

  it('the socket directory is 0700 and the user\'s, holds only sockets, and an unsafe one is not used', async () => {
    assert.equal((await orch('status')).code, 0);
    const st = statSync(sockDir());
    assert.equal(st.mode & 0o777, 0o700);
    assert.equal(st.uid, process.getuid!());
    for (const name of readdirSync(sockDir())) {
      assert.match(name, /^[0-9a-f]{20}\.sock$/);
      assert.ok(statSync(join(sockDir(), name)).isSocket());
    }
    await orch('disconnect');
    await waitUntil('the helper exits', () => helpersOf(xdg).length === 0);

    // A directory others can enter: commands connect directly and say why with ORCH_DEBUG=1.
    rmSync(sockDir(), { recursive: true, force: true });
    mkdirSync(sockDir());
    chmodSync(sockDir(), 0o755);
    const before = await logins(sshd);
    const r = await orchProc(['status'], { ...env, ORCH_DEBUG: '1' }, cwd);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /connection helper: not used: .* is open to other users \(mode 755\)/);
    assert.equal(helpersOf(xdg).length, 0);
    assert.deepEqual(readdirSync(sockDir()), []);
    assert.equal((await logins(sshd)) - before, 1);
  });
});
