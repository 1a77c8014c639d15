import assert from 'node:assert/strict';
import { boxSummary, idleText, withAutostop } from '../../../src/core/ec2/box';
import { autostopAt, autostopField, autostopFailure, parseAutostop, withoutAutostop } from '../../../src/core/engine/autostop';
import { hostConfig } from '../../../src/core/config/hosts';
import type { OrchConfig } from '../../../src/core/config/types';
import type { HostEntry } from '../../../src/core/config/hostsTypes';
import { loadConfig } from '../../../src/core/config/resolve';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pairs = (o: Record<string, string>): string => Object.entries(o).map(([k, v]) => `${k}\0${v}\0`).join('');
const base = { logRoot: '~/logs', origin: {}, workspaceRoot: '/w' } as unknown as OrchConfig;

describe('autostop: the host report and what box status makes of it', () => {
  const now = Date.parse('2026-12-01T03:00:00Z');

  it('parses the idle clock; nothing when autostop is off on the host', () => {
    assert.equal(parseAutostop(''), undefined);
    const s = parseAutostop(pairs({ seconds: '1800', idle: '720' }))!;
    assert.deepEqual(s, { seconds: 1800, idleSeconds: 720, busy: null, action: null, error: null });
    assert.equal(autostopAt(s, now), '2026-12-01T03:18:00.000Z');
    const box = withAutostop(boxSummary('gpu', { instanceId: 'i-1', state: 'running', type: 'g5.xlarge', publicDns: undefined, publicIp: '1.2.3.4', privateDns: undefined, privateIp: undefined, launchedAt: new Date(now - 3600_000) }, 'public', now), s, now);
    assert.equal(idleText(box, now), 'idle 12 min, stops in 18 min');
    assert.equal(idleText(box, now, ' · '), 'idle 12 min · stops in 18 min');
  });

  it('busy: no deadline, and what keeps it up', () => {
    const s = parseAutostop(pairs({ seconds: '1800', idle: '0', busy: 'job train is active', acted: '5000 0', output: '' }))!;
    assert.equal(s.busy, 'job train is active');
    assert.equal(s.action, null, 'an action of an earlier idle period is history');
    assert.equal(autostopAt(s, now), null);
  });

  it('an action of this idle period: no new deadline; a failed one is one sentence', () => {
    const done = parseAutostop(pairs({ seconds: '60', idle: '100', acted: '30 0', output: '' }))!;
    assert.deepEqual(done.action, { secondsAgo: 30, status: 0, output: '' });
    assert.equal(autostopAt(done, now), null);
    assert.equal(autostopFailure(done), null);
    const failed = parseAutostop(pairs({ seconds: '60', idle: '100', acted: '30 1', output: 'sudo: a password is required\nmore' }))!;
    assert.equal(autostopFailure(failed), 'the autostop command failed (exit 1): sudo: a password is required');
    const noCron = parseAutostop(pairs({ seconds: '60', idle: '5', error: 'crontab is missing on this host, so nothing checks it for idle (install cron)' }))!;
    assert.equal(autostopAt(noCron, now), null);
    assert.match(autostopFailure(noCron)!, /^crontab is missing/);
  });

  it('the field run sends: seconds, then the command; empty when off; never for the local target', () => {
    assert.equal(autostopField(base), '');
    assert.equal(autostopField({ ...base, autostopMinutes: 30 }), '1800\n');
    assert.equal(autostopField({ ...base, autostopMinutes: 0.05, autostopCommand: 'sudo poweroff' }), '3\nsudo poweroff');
    assert.equal(autostopField(withoutAutostop({ ...base, autostopMinutes: 30, autostopCommand: 'x' })), '');
  });

  it('ORCH_AUTOSTOP_MINUTES is the single host\'s setting', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-autostop-cfg-'));
    try {
      const c = await loadConfig({ cwd: dir, env: { HOME: dir, ORCH_HOST: 'gpu-box', ORCH_AUTOSTOP_MINUTES: '30' } });
      assert.equal(c.autostopMinutes, 30);
      assert.equal((await loadConfig({ cwd: dir, env: { HOME: dir, ORCH_HOST: 'gpu-box' } })).autostopMinutes, undefined);
      await assert.rejects(loadConfig({ cwd: dir, env: { HOME: dir, ORCH_AUTOSTOP_MINUTES: '0' } }), /ORCH_AUTOSTOP_MINUTES \(environment\) must be a whole number of idle minutes, at least 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hosts.yaml: a tmux host has its autostop (over ORCH_AUTOSTOP_MINUTES); a Slurm login node never', () => {
    const entry = (over: Partial<HostEntry>): HostEntry => ({ name: 'a', line: 2, kind: 'tmux', host: 'a', user: undefined, port: undefined, identityFile: undefined, knownHosts: undefined, logRoot: undefined, remoteWorkdir: undefined, maxParallel: undefined, gpus: undefined, ec2: undefined, autostopMinutes: undefined, autostopCommand: undefined, cloudwatch: undefined, ...over }) as HostEntry;
    const env = { ...base, autostopMinutes: 45 };
    assert.equal(hostConfig(env, entry({}), 'hosts.yaml', { HOME: '/h' }).autostopMinutes, 45);
    const own = hostConfig(env, entry({ autostopMinutes: 20, autostopCommand: 'sudo poweroff' }), 'hosts.yaml', { HOME: '/h' });
    assert.deepEqual([own.autostopMinutes, own.autostopCommand], [20, 'sudo poweroff']);
    const slurm = hostConfig(env, entry({ kind: 'slurm', autostopMinutes: 20 }), 'hosts.yaml', { HOME: '/h' });
    assert.equal(slurm.autostopMinutes, undefined);
  });
});
