/**
 * `orch doctor` (PRODUCT.md §12) on real hosts: a good one behind the test sshd passes, and
 * deliberately broken ones fail on the named check: no tmux (a PATH without it, local target), a
 * world-readable log root, an unreachable port, a host key that does not match; a busybox-only
 * PATH passes and says busybox. Several hosts of hosts.yaml are each checked.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../harness/processes';
import { startSshd, type TestSshd } from '../harness/sshd';
import { pathWithout } from '../engine/hostSuite';
import { busyboxPath } from '../engine/busyboxPath';
import { baseEnv, cli, makeWorkspace, sshEnv, uniqueName } from './cliHarness';

/** The line of one check: `  STATUS  check  text`. */
function lineOf(stdout: string, check: string): string {
  const found = stdout.split('\n').find((l) => new RegExp(`^  (ok  |warn|FAIL)  ${check}\\b`).test(l));
  assert.ok(found, `no ${check} line in:\n${stdout}`);
  return found;
}

describe('orch doctor against real hosts', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let other: TestSshd;
  let ws: string;
  let scratch: string;
  const orch = (env: NodeJS.ProcessEnv, ...argv: string[]) => cli(['doctor', ...argv], { env, cwd: ws });

  before(async () => {
    [sshd, other] = await Promise.all([startSshd(), startSshd()]);
    ws = makeWorkspace('orch-doctor-ws-');
    scratch = mkdtempSync(join(tmpdir(), 'orch-doctor-'));
  });
  after(async () => {
    await Promise.all([sshd?.stop(), other?.stop()]);
    if (ws) rmSync(ws, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('a good host passes every check over SSH (exit 0), one line each', async () => {
    const r = await orch(baseEnv(sshEnv(sshd)));
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stderr, '');
    const c = sshd.config();
    assert.equal(r.stdout.split('\n')[0], `127.0.0.1 (${c.user}@127.0.0.1:${c.port}, log root ${c.logRoot})`);
    assert.match(lineOf(r.stdout, 'ssh'), /^ {2}ok {4}ssh +\S+@127\.0\.0\.1:\d+ reached; host key verified$/);
    assert.match(lineOf(r.stdout, 'bash'), /ok +bash +bash [45]\./);
    assert.match(lineOf(r.stdout, 'tmux'), /ok +tmux +tmux \d/);
    assert.match(lineOf(r.stdout, 'tools'), /ok +tools +GNU: setsid tail stat grep sed find head cut tr mkdir mv$/);
    assert.match(lineOf(r.stdout, 'log root'), /ok +log root .*\(0700, private\)$/);
    assert.match(lineOf(r.stdout, 'clock'), /ok +clock +within/);
    for (const check of ['cron', 'disk', 'lingering', 'compression']) lineOf(r.stdout, check);
    assert.match(r.stdout, /\n {2}All 10 checks passed on 127\.0\.0\.1\.\n$/);
  });

  it('flags a world-readable log root (exit 1) and says how to fix it', async () => {
    const root = join(sshd.home, sshd.config().logRoot.replace(/^~\//, '')) + '-wide';
    const env = baseEnv({ ...sshEnv(sshd), ORCH_LOG_ROOT: root });
    await sshd.runAsUser(`mkdir -p ${root} && chmod 755 ${root}`);
    const r = await orch(env);
    assert.equal(r.code, 1, r.stdout);
    assert.match(lineOf(r.stdout, 'log root'), new RegExp(`^  FAIL  log root +${root} is 0755: everyone can list the jobs in it \\(ORCH_LOG_MODE is private\\); chmod 700 ${root}, or let the next orch run tighten it to 0700$`));
    assert.match(r.stdout, /1 of 10 checks failed/);
    // as the line says, the next run tightens it
    assert.equal((await cli(['run', '--wait', uniqueName('tighten'), 'true'], { env, cwd: ws })).code, 0);
    const after = await orch(env);
    assert.equal(after.code, 0, after.stdout);
    assert.match(lineOf(after.stdout, 'log root'), /\(0700, private\)$/);
  });

  it('an unreachable port and a changed host key fail on the ssh line with the reason', async () => {
    const dead = await freePort();
    const down = await orch(baseEnv({ ...sshEnv(sshd), ORCH_PORT: String(dead) }));
    assert.equal(down.code, 1);
    assert.match(lineOf(down.stdout, 'ssh'), new RegExp(`^  FAIL  ssh  \\S+@127\\.0\\.0\\.1:${dead}: .*(refused|connect)`, 'i'));
    assert.match(down.stdout, /1 of 1 checks failed/);

    const wrongKeys = join(scratch, 'known_hosts');
    writeFileSync(wrongKeys, `[127.0.0.1]:${sshd.port} ${other.hostPublicKey}\n`);
    const changed = await orch(baseEnv({ ...sshEnv(sshd), ORCH_KNOWN_HOSTS: wrongKeys }));
    assert.equal(changed.code, 1);
    assert.match(lineOf(changed.stdout, 'ssh'), /FAIL {2}ssh .*host key/i);
  });

  it('a PATH without tmux fails the tmux line and names the install command', async () => {
    const noTmux = pathWithout('tmux');
    try {
      const r = await orch(baseEnv({ PATH: noTmux, ORCH_LOG_ROOT: join(scratch, 'logs-notmux') }), '--local');
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stdout, /^local \(this computer, log root /);
      assert.doesNotMatch(r.stdout, / ssh /);
      assert.match(lineOf(r.stdout, 'tmux'), /^ {2}FAIL {2}tmux +not installed: install it with sudo apt-get install -y tmux/);
      assert.match(r.stdout, /1 of 9 checks failed on local\./);
    } finally {
      rmSync(noTmux, { recursive: true, force: true });
    }
  });

  it('no crontab: a warning, and a failure where autostop needs it', async () => {
    const noCron = pathWithout('crontab');
    try {
      const env = baseEnv({ PATH: noCron, ORCH_LOG_ROOT: join(scratch, 'logs-nocron') });
      const plain = await orch(env, '--local');
      assert.equal(plain.code, 0, plain.stdout);
      assert.match(lineOf(plain.stdout, 'cron'), /^ {2}warn {2}cron +no crontab: old logs are pruned only when a job starts/);
      const box = await orch({ ...env, ORCH_AUTOSTOP_MINUTES: '30' }, '--local');
      assert.equal(box.code, 1, box.stdout);
      assert.match(lineOf(box.stdout, 'cron'), /^ {2}FAIL {2}cron +no crontab, so nothing checks the box for idle: autostop \(30 min\)/);
    } finally {
      rmSync(noCron, { recursive: true, force: true });
    }
  });

  it('a full disk: the library cannot be installed (said so, nothing else run); a nearly full one fails the disk line', async () => {
    const mnt = mkdtempSync(join(tmpdir(), 'orch-doctor-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512k,mode=0700', 'tmpfs', mnt]);
    try {
      const env = baseEnv({ ORCH_LOG_ROOT: join(mnt, 'logs') });
      execFileSync('sh', ['-c', `dd if=/dev/zero of=${mnt}/fill bs=1k 2>/dev/null; true`]);
      const full = await orch(env, '--local');
      assert.equal(full.code, 1, full.stdout);
      assert.match(lineOf(full.stdout, 'log root'), new RegExp(`^ {2}FAIL {2}log root +cannot write the orch library under ${mnt}/logs/\\.orch .*: free some space, or set ORCH_LOG_ROOT to a writable dir$`));
      assert.match(lineOf(full.stdout, 'other checks'), /FAIL {2}other checks +not run: the library could not be installed$/);
      rmSync(join(mnt, 'fill'));
      const low = await orch(env, '--local');
      assert.equal(low.code, 1, low.stdout);
      assert.match(lineOf(low.stdout, 'disk'), new RegExp(`^ {2}FAIL {2}disk +only \\d+ KB free under ${mnt}/logs: jobs cannot start or write their logs`));
    } finally {
      execFileSync('umount', ['-l', mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('a busybox-only PATH passes and says busybox', async () => {
    const bb = busyboxPath();
    try {
      const r = await orch(baseEnv({ PATH: bb, ORCH_LOG_ROOT: join(scratch, 'logs-busybox') }), '--local');
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(lineOf(r.stdout, 'tools'), /^ {2}ok {4}tools +busybox: setsid .* mv; no flock, cksum: orch uses its own fallbacks$/);
    } finally {
      rmSync(bb, { recursive: true, force: true });
    }
  });

  it('checks every host of hosts.yaml, or the one of --host', async () => {
    const entry = (name: string, s: TestSshd, port = s.port) => {
      const c = s.config();
      return `  ${name}:\n    host: ${c.host}\n    port: ${port}\n    user: ${c.user}\n    identity_file: ${c.identityFile}\n    known_hosts: ${c.knownHosts}\n    log_root: ${c.logRoot}\n`;
    };
    const hostsWs = makeWorkspace('orch-doctor-hosts-');
    try {
      mkdirSync(join(hostsWs, 'scripts/cloud'), { recursive: true });
      writeFileSync(join(hostsWs, 'scripts/cloud/hosts.yaml'), `hosts:\n${entry('gpu-a', sshd)}${entry('gpu-b', other)}${entry('down', other, await freePort())}`);
      const all = await cli(['doctor'], { env: baseEnv(), cwd: hostsWs });
      assert.equal(all.code, 1);
      const headers = all.stdout.split('\n').filter((l) => /^\S/.test(l)).map((l) => l.split(' ')[0]);
      assert.deepEqual(headers, ['gpu-a', 'gpu-b', 'down']);
      assert.match(all.stdout, /All 10 checks passed on gpu-a\.[^]*All 10 checks passed on gpu-b\.[^]*1 of 1 checks failed on down\./);
      const one = await cli(['doctor', '--host', 'gpu-b'], { env: baseEnv(), cwd: hostsWs });
      assert.equal(one.code, 0, one.stdout);
      assert.match(one.stdout, /^gpu-b /);
      assert.doesNotMatch(one.stdout, /gpu-a|down/);
    } finally {
      rmSync(hostsWs, { recursive: true, force: true });
    }
  });
});
