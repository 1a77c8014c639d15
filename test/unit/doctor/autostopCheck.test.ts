import assert from 'node:assert/strict';
import { autostopLine } from '../../../src/core/doctor/autostopCheck';
import type { AutostopStatus } from '../../../src/core/engine/autostop';

const NOW = 1_800_000_000_000;
const idle = (over: Partial<AutostopStatus> = {}): AutostopStatus => ({ seconds: 1800, idleSeconds: 720, busy: null, action: null, error: null, ...over });

describe("orch doctor's autostop line", () => {
  it('not installed on the host yet: a warning naming what installs it', () => {
    assert.deepEqual(autostopLine(undefined, 30, NOW), {
      check: 'autostop',
      status: 'warn',
      text: '30 min is set here but not installed on the host yet, so it does not stop by itself: the next orch run there installs it',
    });
  });

  it('installed with the minutes set here: the idle clock, or what keeps the host up', () => {
    assert.deepEqual(autostopLine(idle(), 30, NOW), { check: 'autostop', status: 'ok', text: 'stops after 30 min idle; idle 12 min, stops in 18 min' });
    assert.equal(autostopLine(idle({ idleSeconds: 0, busy: 'job train is active' }), 30, NOW).text, 'stops after 30 min idle; not idle now: job train is active');
    assert.equal(autostopLine(idle({ idleSeconds: 1900, action: { secondsAgo: 10, status: 'running', output: '' } }), 30, NOW).text, 'stops after 30 min idle; powering off now (idle 31 min)');
  });

  it('installed with other minutes: a warning that the next run changes it', () => {
    const l = autostopLine(idle({ seconds: 3600 }), 30, NOW);
    assert.equal(l.status, 'warn');
    assert.equal(l.text, 'installed to stop after 1 h idle, not the 30 min set here: the next orch run there changes it');
  });

  it('no cron to run the check, or a failed action: FAIL with the host\'s reason', () => {
    const noCron = autostopLine(idle({ error: 'crontab is missing on this host, so nothing checks it for idle (install cron)' }), 30, NOW);
    assert.deepEqual([noCron.status, noCron.text], ['fail', 'crontab is missing on this host, so nothing checks it for idle (install cron)']);
    const failed = autostopLine(idle({ action: { secondsAgo: 5, status: 1, output: 'sudo: a password is required\n' } }), 30, NOW);
    assert.deepEqual([failed.status, failed.text], ['fail', 'the autostop command failed (exit 1): sudo: a password is required']);
  });
});
