import { strict as assert } from 'node:assert';
import type { BoxSummary } from '../../../src/core/ec2/box';
import type { BoxSnapshot } from '../../../src/vscode/boxes';
import { boxContextValue, boxDescription, boxesShownKey, boxIcon, boxNotRunningText, boxStatusBarText, boxTooltip } from '../../../src/vscode/boxPresentation';

const summary = (over: Partial<BoxSummary> = {}): BoxSummary => ({
  host: 'gpu-box',
  instanceId: 'i-0abc12345',
  state: 'running',
  type: 'g5.xlarge',
  address: '203.0.113.7',
  publicDns: null,
  publicIp: '203.0.113.7',
  privateDns: null,
  privateIp: '10.0.0.1',
  launchedAt: '2026-12-01T00:00:00.000Z',
  uptimeSeconds: 7500,
  idleSeconds: null,
  autostopAt: null,
  busy: null,
  autostopError: null,
  ...over,
});
const snap = (s: BoxSummary | undefined, error?: string): BoxSnapshot => ({
  host: 'gpu-box',
  spec: { instanceId: 'i-0abc12345', region: 'ap-northeast-1', profile: undefined, wake: 'ask', address: 'public' },
  summary: s,
  error,
});

describe('EC2 box presentation', () => {
  it('a read redraws the tree when the uptime it shows changed (it stayed "up 7 s"), not for every second of an hour', () => {
    const key = (over: Partial<BoxSummary>) => boxesShownKey([snap(summary(over))]);
    assert.notEqual(key({ uptimeSeconds: 7 }), key({ uptimeSeconds: 40 }));
    assert.notEqual(key({ uptimeSeconds: 59 }), key({ uptimeSeconds: 61 }));
    assert.equal(key({ uptimeSeconds: 3600 }), key({ uptimeSeconds: 3650 }));
    assert.notEqual(key({ uptimeSeconds: 3650 }), key({ uptimeSeconds: 3670 }));
    // what was already counted: state, the idle minute
    assert.notEqual(key({ state: 'stopping' }), key({}));
    assert.equal(key({ idleSeconds: 720 }), key({ idleSeconds: 750 }));
  });

  it('the host node: state, type, uptime, or idle and autostop when the host reports them', () => {
    const now = Date.parse('2026-12-01T03:00:00Z');
    assert.equal(boxDescription(summary(), now), 'running · g5.xlarge · up 2 h 5 min');
    assert.equal(boxDescription(summary({ state: 'stopped', uptimeSeconds: null }), now), 'stopped · g5.xlarge');
    assert.equal(boxDescription(summary({ idleSeconds: 720, autostopAt: '2026-12-01T03:18:00Z' }), now), 'running · g5.xlarge · idle 12 min · stops in 18 min');
    // kept up by a job: the uptime, and why in the tooltip; a failed autostop says so
    assert.equal(boxDescription(summary({ idleSeconds: 0, busy: 'job train is active' }), now), 'running · g5.xlarge · up 2 h 5 min');
    assert.match(boxTooltip(snap(summary({ idleSeconds: 0, busy: 'job train is active' })), now), /\nkept up: job train is active$/);
    assert.equal(boxDescription(summary({ idleSeconds: 2000, autostopError: 'the autostop command failed (exit 1): sudo: a password is required' }), now), 'running · g5.xlarge · idle 33 min · autostop failed');
    assert.match(boxTooltip(snap(summary({ idleSeconds: 2000, autostopError: 'the autostop command failed (exit 1)' })), now), /\nautostop: the autostop command failed \(exit 1\)$/);
    assert.equal(boxContextValue(snap(summary({ state: 'stopped' }))), 'host.box.stopped');
    assert.equal(boxContextValue(snap(undefined, 'no credentials')), 'host.box.unknown');
    assert.equal(boxIcon(snap(summary({ state: 'pending' }))), 'loading~spin');
  });

  it('a box that is not running: a placeholder instead of its jobs, and the status-bar hint', () => {
    assert.equal(boxNotRunningText(snap(summary())), undefined);
    assert.deepEqual(boxNotRunningText(snap(summary({ state: 'stopped' }))), { text: 'Box stopped', detail: 'Start Box to list and run its jobs' });
    assert.deepEqual(boxNotRunningText(snap(undefined, 'No AWS credentials were found.')), { text: 'Cannot read the EC2 box i-0abc12345', detail: 'No AWS credentials were found.' });
    assert.equal(boxStatusBarText([snap(summary())]), undefined);
    assert.equal(boxStatusBarText([]), undefined);
    assert.deepEqual(boxStatusBarText([snap(summary()), snap(summary({ state: 'stopped' }))]), {
      text: '$(vm-outline) gpu-box stopped',
      tooltip: 'The EC2 box gpu-box (i-0abc12345) is stopped. Click to start it.',
      host: 'gpu-box',
      startable: true,
    });
    const two = boxStatusBarText([snap(summary({ state: 'pending' })), { ...snap(summary({ state: 'stopped' })), host: 'cpu-box' }]);
    assert.equal(two?.text, '$(loading~spin) gpu-box starting (+1)');
    assert.equal(two?.startable, false);
    assert.match(two!.tooltip, /\ncpu-box is stopped$/);
  });
});
