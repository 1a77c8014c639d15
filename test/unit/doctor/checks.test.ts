import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { formatLines, judge, type CheckLine } from '../../../src/core/doctor/checks';
import { runDoctor } from '../../../src/core/doctor/runDoctor';
import { INSTALL_SCRIPT, callScript } from '../../../src/host/library';
import { HostExit, encodeCall } from '../../../src/host/protocol';
import { callHost } from '../../../src/host/call';
import type { ExecResult, ShellTarget } from '../../../src/host/target';
import { UserError } from '../../../src/core/errors';

const TOOLS = ['setsid', 'tail', 'stat', 'grep', 'sed', 'find', 'head', 'cut', 'tr', 'mkdir', 'mv', 'flock', 'cksum'];
const NOW = 1_800_000_000_000;

/** The facts of a good GNU host (the shape ops/doctor.sh prints), with lines replaced or dropped. */
function facts(over: Record<string, string | null> = {}, tools: Record<string, string> = {}): string {
  const base: Record<string, string> = {
    bash: '5.2.15(1)-release',
    tmux: '/usr/bin/tmux\ttmux 3.3a',
    cron: '/usr/bin/crontab',
    root: '/home/u/.orch-logs\t700\t1000\t1000\tyes',
    disk: '/home/u/.orch-logs\t50000000',
    clock: String(NOW / 1000),
    linger: 'none',
  };
  const lines = Object.entries({ ...base, ...over }).filter(([, v]) => v !== null).map(([k, v]) => `${k}\t${v}`);
  for (const t of TOOLS) lines.push(`tool\t${t}\t${t in tools ? tools[t] : `/usr/bin/${t}\tgnu`}`);
  lines.push('compress\tzstd\t/usr/bin/zstd', 'compress\tgzip\t/usr/bin/gzip');
  return lines.join('\n') + '\n';
}

const ctx = { logMode: 'private' as const, sentAt: NOW - 100, receivedAt: NOW + 100 };
const line = (lines: CheckLine[], check: string) => lines.find((l) => l.check === check)!;

describe('orch doctor: judging the host facts', () => {
  it('a good host passes every check', () => {
    const lines = judge(facts(), ctx);
    assert.deepEqual(lines.filter((l) => l.status !== 'ok'), []);
    assert.deepEqual(lines.map((l) => l.check), ['bash', 'tmux', 'tools', 'cron', 'disk', 'log root', 'clock', 'lingering', 'compression']);
    assert.match(line(lines, 'tools').text, /^GNU: setsid tail/);
  });

  it('a host that ships every job to CloudWatch needs aws there: a line only then, FAIL without it', () => {
    assert.equal(judge(facts({ aws: '' }), ctx).some((l) => l.check === 'cloudwatch'), false, 'no cloudwatch: no line');
    const ok = line(judge(facts({ aws: '/usr/bin/aws' }), { ...ctx, cloudwatch: '/orch/demo' }), 'cloudwatch');
    assert.deepEqual(ok, { check: 'cloudwatch', status: 'ok', text: "aws (/usr/bin/aws) ships every job's log to /orch/demo from the host" });
    const missing = line(judge(facts({ aws: '' }), { ...ctx, cloudwatch: '/orch/demo' }), 'cloudwatch');
    assert.equal(missing.status, 'fail');
    assert.match(missing.text, /^no aws on the PATH of a non-interactive SSH session, and this host ships every job's log to \/orch\/demo \(cloudwatch:\), so every run there is refused: install the AWS CLI \(sudo apt-get install -y awscli/);
  });

  it('names what is missing and how to install it', () => {
    const lines = judge(facts({ tmux: '\t', bash: '3.2.57(1)-release' }, { sed: '\t', flock: '\t', cksum: '\t' }), ctx);
    assert.equal(line(lines, 'tmux').status, 'fail');
    assert.match(line(lines, 'tmux').text, /not installed: install it with sudo apt-get install -y tmux/);
    const onSlurm = judge(facts({ tmux: '\t', slurm: '/opt/slurm/bin/sbatch\t' }), { ...ctx, slurm: true });
    assert.equal(line(onSlurm, 'tmux').status, 'ok');
    assert.equal(line(onSlurm, 'slurm').status, 'fail');
    assert.match(line(onSlurm, 'slurm').text, /^no squeue on the PATH of a non-interactive SSH session/);
    assert.equal(line(judge(facts({ slurm: '/s/sbatch\t/s/squeue' }), { ...ctx, slurm: true }), 'slurm').status, 'ok');
    assert.equal(judge(facts(), ctx).find((l) => l.check === 'slurm'), undefined);
    assert.equal(line(lines, 'bash').status, 'fail');
    assert.match(line(lines, 'bash').text, /^bash 3\.2\.57\(1\)-release; orch needs bash 4 or later/);
    assert.equal(line(lines, 'tools').status, 'fail');
    assert.match(line(lines, 'tools').text, /^missing sed: .*; no flock, cksum: orch uses its own fallbacks$/);
  });

  it('says busybox, and passes without flock and cksum', () => {
    const bb = Object.fromEntries(TOOLS.map((t) => [t, `/bb/${t}\tbusybox`]));
    const lines = judge(facts({}, { ...bb, flock: '\t', cksum: '\t' }), ctx);
    assert.equal(line(lines, 'tools').status, 'ok');
    assert.match(line(lines, 'tools').text, /^busybox: .*; no flock, cksum: orch uses its own fallbacks$/);
    const mixed = judge(facts({}, { tail: '/bb/tail\tbusybox' }), ctx);
    assert.match(line(mixed, 'tools').text, /^GNU and busybox \(tail\)/);
  });

  it('flags a log root wider than its mode allows, a foreign owner, no write access', () => {
    const wide = line(judge(facts({ root: '/l\t755\t1000\t1000\tyes' }), ctx), 'log root');
    assert.equal(wide.status, 'fail');
    assert.match(wide.text, /^\/l is 0755: everyone can list the jobs in it \(ORCH_LOG_MODE is private\); chmod 700 \/l, or let the next orch run tighten it to 0700$/);
    assert.equal(line(judge(facts({ root: '/l\t750\t1000\t1000\tyes' }), ctx), 'log root').status, 'fail');
    assert.equal(line(judge(facts({ root: '/l\t750\t1000\t1000\tyes' }), { ...ctx, logMode: 'group' }), 'log root').status, 'ok');
    assert.match(line(judge(facts({ root: '/l\t700\t0\t1000\tyes' }), ctx), 'log root').text, /belongs to uid 0, not to you/);
    assert.match(line(judge(facts({ root: '/l\t500\t1000\t1000\tno' }), ctx), 'log root').text, /is not writable/);
    assert.equal(line(judge(facts({ root: '/l\t\t\t1000\tno' }), ctx), 'log root').status, 'ok');
  });

  it('disk: fails under 200 MB, warns under 1 GB', () => {
    assert.equal(line(judge(facts({ disk: '/l\t100000' }), ctx), 'disk').status, 'fail');
    assert.equal(line(judge(facts({ disk: '/l\t500000' }), ctx), 'disk').status, 'warn');
    assert.match(line(judge(facts(), ctx), 'disk').text, /^47\.7 GB free under /);
  });

  it('clock: skew beyond half the round trip is flagged, with its direction', () => {
    assert.equal(line(judge(facts({ clock: String(NOW / 1000 + 1) }), ctx), 'clock').status, 'ok');
    const ahead = line(judge(facts({ clock: String(NOW / 1000 + 10) }), ctx), 'clock');
    assert.equal(ahead.status, 'warn');
    assert.match(ahead.text, /^10\.0 s ahead of this computer: enable NTP/);
    const behind = line(judge(facts({ clock: String(NOW / 1000 - 120) }), ctx), 'clock');
    assert.equal(behind.status, 'fail');
    assert.match(behind.text, /^120\.0 s behind/);
    // a slow round trip widens what counts as noise
    assert.equal(line(judge(facts({ clock: String(NOW / 1000 + 10) }), { ...ctx, sentAt: NOW - 10_000, receivedAt: NOW + 10_000 }), 'clock').status, 'ok');
  });

  it('lingering: fails only where logind kills user processes at logout', () => {
    const l = (v: string) => line(judge(facts({ linger: v }), ctx), 'lingering');
    assert.equal(l('systemd\tno\tyes').status, 'fail');
    assert.match(l('systemd\tno\tyes').text, /sudo loginctl enable-linger \$USER/);
    assert.equal(l('systemd\tyes\tyes').status, 'ok');
    assert.equal(l('systemd\tno\tno').status, 'ok');
    assert.equal(l('systemd\tno\t').status, 'warn');
    assert.equal(l("error\tSystem has not been booted with systemd as init system (PID 1). Can't operate.\t").status, 'ok');
  });

  it('compression and cron are warnings, never failures', () => {
    const lines = judge(facts({ cron: '' }).replace(/^compress.*\n/gm, ''), ctx);
    assert.equal(line(lines, 'cron').status, 'warn');
    assert.equal(line(lines, 'compression').status, 'warn');
    assert.ok(lines.every((l) => l.status !== 'fail'));
    // but autostop needs cron
    const box = line(judge(facts({ cron: '' }), { ...ctx, autostopMinutes: 30 }), 'cron');
    assert.equal(box.status, 'fail');
    assert.match(box.text, /^no crontab, so nothing checks the box for idle: autostop \(30 min\) cannot stop it/);
  });

  it('formats one aligned line per check', () => {
    const out = formatLines([{ check: 'ssh', status: 'ok', text: 'a' }, { check: 'log root', status: 'fail', text: 'b' }, { check: 'cron', status: 'warn', text: 'c' }]);
    assert.deepEqual(out, ['ok    ssh       a', 'FAIL  log root  b', 'warn  cron      c']);
  });
});

/** A target answering each exec with the next result (or throwing). */
function fakeTarget(results: (ExecResult | Error)[]): ShellTarget {
  return {
    host: 'box',
    exec: async () => {
      const r = results.shift()!;
      if (r instanceof Error) throw r;
      return r;
    },
    close: async () => undefined,
  };
}
const result = (code: number, stdout = '', stderr = ''): ExecResult => ({ code, stdout: Buffer.from(stdout), stderr });

describe('orch doctor: one host', () => {
  const d = (target: ShellTarget) => ({ target, logRoot: '/l', logMode: 'private' as const, reach: 'u@box:22' });

  it('an unreachable host is one failed ssh line with the connection error', async () => {
    const r = await runDoctor(d(fakeTarget([new UserError('Cannot connect to box:22: connection refused.')])));
    assert.equal(r.ok, false);
    assert.deepEqual(r.lines, [{ check: 'ssh', status: 'fail', text: 'u@box:22: Cannot connect to box:22: connection refused.' }]);
  });

  it('bash 3 on the host: the call says so and the other checks are not run', async () => {
    const r = await runDoctor(d(fakeTarget([result(HostExit.oldBash, '', 'orch needs bash 4 or later on this host; it runs bash 3.2.57(1)-release.\n')])));
    assert.equal(r.ok, false);
    assert.deepEqual(r.lines.map((l) => [l.check, l.status]), [['ssh', 'ok'], ['bash', 'fail'], ['other checks', 'fail']]);
    assert.match(r.lines[1]!.text, /^bash 3\.2\.57\(1\)-release; orch needs bash 4/);
  });

  it('no bash at all (exit 127) and a log root that cannot take the library', async () => {
    assert.match((await runDoctor(d(fakeTarget([result(127)])))).lines[1]!.text, /^not installed/);
    const full = await runDoctor(d(fakeTarget([result(HostExit.noLibrary), result(HostExit.writeFailed, '', 'cannot write /l/.orch/lib-x.sh\n')])));
    assert.match(full.lines[1]!.text, /^cannot write the orch library under \/l\/\.orch \(cannot write \/l\/\.orch\/lib-x\.sh\)/);
  });
});

describe('the call script on a shell that is not bash 4', () => {
  it('sh (dash) gets a clear sentence and exit code oldBash, before reading anything', () => {
    const r = spawnSync('sh', ['-c', callScript('doctor')], { input: encodeCall('doctor', '/nonexistent', {}), encoding: 'utf8' });
    assert.equal(r.status, HostExit.oldBash);
    assert.equal(r.stderr, 'orch needs bash 4 or later on this host; it runs another shell.\n');
  });

  it('the install script checks it too, so every other operation stops there with that sentence', async () => {
    const r = spawnSync('sh', ['-c', INSTALL_SCRIPT], { input: encodeCall('doctor', '/nonexistent', {}), encoding: 'utf8' });
    assert.equal(r.status, HostExit.oldBash);
    const target = fakeTarget([result(HostExit.noLibrary), result(HostExit.oldBash, '', 'orch needs bash 4 or later on this host; it runs bash 3.2.57(1)-release.\n')]);
    await assert.rejects(callHost(target, 'list', '/l', { name: '', mode: 'all' }), (e: unknown) =>
      e instanceof UserError && e.message === 'box: orch needs bash 4 or later on this host; it runs bash 3.2.57(1)-release.');
  });

  it('bash 4+ passes the check (and then asks for the library)', () => {
    const r = spawnSync('bash', ['-c', callScript('doctor')], { input: encodeCall('doctor', '/nonexistent', {}), encoding: 'utf8' });
    assert.equal(r.status, HostExit.noLibrary);
  });
});
