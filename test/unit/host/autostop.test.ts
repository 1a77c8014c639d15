/**
 * The autostop check (src/host/lib/autostop.sh) on its own: real bash on temp dirs, a private
 * tmux server, a /proc of the test's own for sshd sessions, and `who` on PATH where a test
 * says so. The command the check runs records each run in a file.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAutostop } from '../../../src/core/engine/autostop';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HostSandbox } from './hostShell';

describe('host autostop check', function () {
  this.timeout(20000);
  let box: HostSandbox;
  let record = '';
  let proc = '';
  let bin = '';
  const orch = (f: string): string => join(box.root, '.orch', f);
  const now = (): number => Math.floor(Date.now() / 1000);
  const runs = (): number => (existsSync(record) ? readFileSync(record, 'utf8').split('\n').filter(Boolean).length : 0);
  /** Sets the idle clock to have started `ago` seconds back (content and mtime). */
  const idleFor = (ago: number): void => {
    writeFileSync(orch('idle-since'), `${now() - ago}\n`);
    utimesSync(orch('idle-since'), now() - ago, now() - ago);
  };
  const sh = (script: string) => box.sh(`AUTOSTOP_PROC='${proc}'; PATH='${bin}':$PATH; ${script}`);
  const check = () => sh(`autostop_check '${box.root}'`);
  const report = async () => parseAutostop((await sh(`autostop_report '${box.root}'`)).stdout);

  beforeEach(async () => {
    box = new HostSandbox();
    record = join(box.dir, 'stopped.txt');
    proc = join(box.dir, 'proc');
    bin = join(box.dir, 'bin');
    mkdirSync(proc);
    mkdirSync(bin);
    writeFileSync(join(bin, 'who'), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, 'who'), 0o755);
    // 30 s threshold; the command records each run (autostop_apply without crontab on PATH: the settings only)
    const r = await sh(`PATH='${bin}':/usr/bin:/bin; command() { [ "$2" = crontab ] && return 1; builtin command "$@"; }; autostop_apply '${box.root}' 30 'date +%s >> ${record}'; echo $?`);
    assert.equal(r.stdout.trim(), '1', 'no crontab: apply says so');
    assert.match(readFileSync(orch('autostop-error'), 'utf8'), /crontab is missing/);
    // the tests run the check by hand; the error is about cron only
    await sh(`rm -f '${orch('autostop-error')}'`);
  });
  afterEach(async () => {
    await box.close();
  });

  it('acts once after the idle time, not before, and reports the idle clock until then', async () => {
    await check();
    assert.equal(runs(), 0, 'the clock just started');
    idleFor(20);
    const before = await report();
    assert.deepEqual({ ...before, idleSeconds: before!.idleSeconds >= 20 && before!.idleSeconds < 25 }, { seconds: 30, idleSeconds: true, busy: null, action: null, error: null });
    await check();
    assert.equal(runs(), 0);
    idleFor(31);
    await check();
    assert.equal(runs(), 1);
    await check();
    await check();
    assert.equal(runs(), 1, 'once per idle period');
    assert.match(readFileSync(orch('autostop-acted'), 'utf8'), /^\d+ 0\n/);
    const after = await report();
    assert.equal(after!.action?.status, 0);
  });

  it('posts the notice to Slack before acting (curl to a webhook of its own)', async () => {
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => (b += c.toString()));
      req.on('end', () => {
        // the notice comes before the action: nothing recorded yet
        bodies.push(`${runs()} ${b}`);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      writeFileSync(orch('slack-webhook'), `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook\n`, { mode: 0o600 });
      idleFor(31 * 60);
      await sh(`autostop_apply '${box.root}' 1800 'date +%s >> ${record}' || true`);
      idleFor(31 * 60);
      await check();
      assert.equal(runs(), 1);
      assert.equal(bodies.length, 1);
      assert.match(bodies[0]!, /^0 \{"text":"orch autostop: \S+ has been idle for 31 min \(no active job, no login session, no attached tmux client\); running: date \+%s >> /);
    } finally {
      server.close();
    }
  });

  it('never while a job is active, and the clock restarts then', async () => {
    idleFor(100);
    box.job('train', 'sleep 100');
    const r = await report();
    assert.equal(r!.busy, 'job train is active');
    assert.equal(r!.idleSeconds, 0);
    await check();
    assert.equal(runs(), 0);
    assert.ok(Number(readFileSync(orch('idle-since'), 'utf8')) >= now() - 2, 'the clock restarted');
  });

  it('a job that started and ended between two checks restarts the clock at its end', async () => {
    idleFor(100);
    const d = box.job('short', 'true', { exit: '0\n' });
    utimesSync(join(d, 'exit'), now() - 10, now() - 10);
    await check();
    assert.equal(runs(), 0);
    const since = Number(readFileSync(orch('idle-since'), 'utf8'));
    assert.ok(Math.abs(since - (now() - 10)) <= 2, `clock at the job's end, got ${now() - since} s ago`);
  });

  it('never while a login session is open: utmp (who) or an sshd session with a terminal', async () => {
    idleFor(100);
    mkdirSync(join(proc, '4242'));
    writeFileSync(join(proc, '4242', 'cmdline'), 'sshd: alice@notty\0\0');
    writeFileSync(join(proc, '4243'), '');
    assert.equal((await report())!.busy, null, "orch's own sessions have no terminal");
    writeFileSync(join(proc, '4242', 'cmdline'), 'sshd: alice@pts/3\0\0');
    assert.equal((await report())!.busy, 'alice is logged in on pts/3');
    await check();
    assert.equal(runs(), 0);
    writeFileSync(join(proc, '4242', 'cmdline'), 'sshd: alice@notty\0');
    writeFileSync(join(bin, 'who'), "#!/bin/sh\necho 'bob      tty1         2026-12-01 08:00'\necho 'carol    pts/5        2026-12-01 08:01 (tmux(123).%0)'\n");
    assert.equal((await report())!.busy, 'bob is logged in on tty1');
    writeFileSync(join(bin, 'who'), "#!/bin/sh\necho 'carol    pts/5        2026-12-01 08:01 (tmux(123).%0)'\n");
    assert.equal((await report())!.busy, null, 'a tmux pane in utmp is not a login');
  });

  it('never while a tmux client is attached', async () => {
    idleFor(100);
    // a client attached through a terminal of its own (script gives it one)
    const r = await box.sh(`tmux new-session -d -s other 'sleep 60' && (script -qc 'tmux attach -t other' /dev/null > /dev/null 2>&1 &) ; for i in $(seq 50); do [ -n "$(tmux list-clients 2>/dev/null)" ] && break; sleep 0.1; done; tmux list-clients -F x`);
    assert.equal(r.stdout.trim(), 'x', r.stderr);
    assert.match((await report())!.busy ?? '', /^a tmux client is attached on \/dev\/pts\//);
    await check();
    assert.equal(runs(), 0);
  });

  it('a failed action is reported and not retried in a loop; after a busy spell it may run again', async () => {
    await sh(`autostop_apply '${box.root}' 30 'date +%s >> ${record}; echo "sudo: a password is required" >&2; exit 1'`);
    idleFor(40);
    await check();
    await check();
    assert.equal(runs(), 1);
    const r = await report();
    assert.equal(r!.action?.status, 1);
    assert.equal(r!.action?.output, 'sudo: a password is required');
    // busy, then idle again for the whole time: one more try
    box.job('again', 'sleep 100');
    await check();
    await sh(`rm -rf '${join(box.root, 'again')}'`);
    // (the clock moved back by hand: the action came before the busy spell)
    writeFileSync(orch('autostop-acted'), `${now() - 50} 1\n`);
    idleFor(40);
    await check();
    assert.equal(runs(), 2);
  });

  it('a clock from before the last boot counts from the boot', async () => {
    writeFileSync(orch('idle-since'), '1000\n');
    const up = Number(readFileSync('/proc/uptime', 'utf8').split('.')[0]);
    const r = await report();
    assert.ok(Math.abs(r!.idleSeconds - up) <= 2, `idle ${r!.idleSeconds} s, up ${up} s`);
  });

  it('the same setting changes nothing; a new one restarts the clock; off removes it all', async () => {
    idleFor(25);
    await sh(`autostop_apply '${box.root}' 30 'date +%s >> ${record}' || true`);
    assert.ok(Number(readFileSync(orch('idle-since'), 'utf8')) <= now() - 25, 'unchanged');
    await sh(`autostop_apply '${box.root}' 60 'date +%s >> ${record}' || true`);
    assert.ok(Number(readFileSync(orch('idle-since'), 'utf8')) >= now() - 2, 'a new setting starts anew');
    assert.equal((await report())!.seconds, 60);
    await sh(`autostop_apply '${box.root}' '' ''`);
    assert.equal(existsSync(orch('autostop')), false);
    assert.equal((await sh(`autostop_report '${box.root}'`)).stdout, '');
  });

  it('one crontab line per log root, kept in place, and none for a root that is gone', async () => {
    const line = (root: string): string => `* * * * * bash '/l/lib.sh' autostop_check '${root}' >/dev/null 2>&1 # orch-autostop:1`;
    const mine = line(box.root);
    const gone = line('/nonexistent/logs');
    const tab = ['0 1 * * * backup', line(box.root).replace('lib.sh', 'old.sh'), gone, `17 * * * * bash x prune '${box.root}' 30 # orch-retention:9`].join('\n');
    const want = async (cur: string, l: string): Promise<string> =>
      (await box.sh(`IFS= read -r -d '' c; IFS= read -r -d '' l; autostop_cron_wanted w "$c" "$l" '${box.root}'; printf %s "$w"`, `${cur}\0${l}\0`)).stdout;
    assert.equal(await want(tab, mine), ['0 1 * * * backup', `17 * * * * bash x prune '${box.root}' 30 # orch-retention:9`, mine].join('\n'));
    const kept = [mine, '0 1 * * * backup'].join('\n');
    assert.equal(await want(kept, mine), kept, 'unchanged where it is');
    assert.equal(await want(kept, ''), '0 1 * * * backup', 'off: removed');
  });
});
