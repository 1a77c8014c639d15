import { strict as assert } from 'node:assert';
import type { BoxInfo, BoxState, Ec2Api } from '../../../src/core/ec2/box';
import { boxAddress, boxSummary, formatDuration } from '../../../src/core/ec2/box';
import type { Ec2BoxSpec } from '../../../src/core/ec2/spec';
import { ensureRunning } from '../../../src/core/ec2/wake';
import { UserError } from '../../../src/core/errors';

const spec: Ec2BoxSpec = { instanceId: 'i-0abc12345', region: 'ap-northeast-1', profile: undefined, wake: 'ask', address: 'public' };

/** A hand-written EC2: each describe() moves one step along the script of states. */
function fakeEc2(states: BoxState[], o: { publicIp?: string } = {}): Ec2Api & { calls: string[] } {
  const calls: string[] = [];
  let i = 0;
  const info = (): BoxInfo => ({
    instanceId: spec.instanceId,
    state: states[Math.min(i, states.length - 1)]!,
    type: 'g5.xlarge',
    publicDns: undefined,
    publicIp: o.publicIp ?? '203.0.113.7',
    privateDns: 'ip-10-0-0-1.internal',
    privateIp: '10.0.0.1',
    launchedAt: new Date(0),
  });
  return {
    calls,
    async describe() {
      calls.push('describe');
      const x = info();
      i++;
      return x;
    },
    async start() {
      calls.push('start');
      return 'pending';
    },
    async stop() {
      calls.push('stop');
      return 'stopping';
    },
  };
}

const noSleep = async (): Promise<void> => undefined;

describe('wake on demand (pure logic, a fake EC2)', () => {
  it('a running box: its address, nothing started', async () => {
    const ec2 = fakeEc2(['running']);
    const box = await ensureRunning(ec2, spec, { wake: false, hostName: 'gpu-box', sleep: noSleep });
    assert.equal(box.address, '203.0.113.7');
    assert.equal(box.started, false);
    assert.deepEqual(ec2.calls, ['describe']);
  });

  it('a stopped box without wake: the sentence says how, nothing is started', async () => {
    const ec2 = fakeEc2(['stopped']);
    await assert.rejects(ensureRunning(ec2, spec, { wake: false, hostName: 'gpu-box', sleep: noSleep }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.message, 'The EC2 box gpu-box (i-0abc12345) is stopped: start it with "orch box start gpu-box", or run the command again with --wake (or set ORCH_EC2_WAKE=auto).');
      return true;
    });
    // a hosts.yaml entry's box: its wake setting is in its ec2: block
    await assert.rejects(ensureRunning(fakeEc2(['stopped']), spec, { wake: false, hostName: 'gpu-box', inHostsFile: true, sleep: noSleep }), (e: unknown) => {
      assert.equal((e as Error).message, 'The EC2 box gpu-box (i-0abc12345) is stopped: start it with "orch box start gpu-box", or run the command again with --wake (or set wake: auto in its ec2: block of scripts/cloud/hosts.yaml).');
      return true;
    });
    assert.deepEqual(ec2.calls, ['describe']);
  });

  it('a host named by its instance id (no ORCH_HOST) is named once, not "i-… (i-…)"', async () => {
    await assert.rejects(ensureRunning(fakeEc2(['stopped']), spec, { wake: false, hostName: spec.instanceId, sleep: noSleep }), (e: unknown) => {
      assert.equal((e as Error).message, 'The EC2 box i-0abc12345 is stopped: start it with "orch box start", or run the command again with --wake (or set ORCH_EC2_WAKE=auto).');
      return true;
    });
    const lines: string[] = [];
    await ensureRunning(fakeEc2(['stopped', 'pending', 'running']), spec, { wake: true, hostName: spec.instanceId, sleep: noSleep, progress: (l) => lines.push(l) });
    assert.equal(lines[0], 'starting i-0abc12345 (g5.xlarge)');
  });

  it('a stopping box with wake: waits for stopped, starts it, waits for running; progress says each step', async () => {
    const ec2 = fakeEc2(['stopping', 'stopping', 'stopped', 'pending', 'pending', 'running']);
    const lines: string[] = [];
    const box = await ensureRunning(ec2, spec, { wake: true, hostName: 'gpu-box', sleep: noSleep, progress: (l) => lines.push(l) });
    assert.equal(box.started, true);
    assert.deepEqual(ec2.calls, ['describe', 'describe', 'describe', 'start', 'describe', 'describe', 'describe']);
    assert.equal(lines[0], 'i-0abc12345 is stopping; waiting for it to stop before starting it again');
    assert.equal(lines[1], 'starting i-0abc12345 (g5.xlarge) for gpu-box');
    assert.match(lines.at(-1)!, /^i-0abc12345 is running at 203\.0\.113\.7 after \d+ s$/);
  });

  it('a terminated box, and a running box without a public address, are clear errors', async () => {
    await assert.rejects(ensureRunning(fakeEc2(['terminated']), spec, { wake: true, hostName: 'b', sleep: noSleep }), /is terminated and cannot be started again/);
    await assert.rejects(ensureRunning(fakeEc2(['running'], { publicIp: '' }), spec, { wake: true, hostName: 'b', sleep: noSleep }), /has no public address: .*ORCH_EC2_ADDRESS=private/);
  });

  it('a pending box that never runs gives up after the bound', async () => {
    await assert.rejects(
      ensureRunning(fakeEc2(['pending']), spec, { wake: true, hostName: 'b', runningTimeoutMs: 30, sleep: () => new Promise((r) => setTimeout(r, 10)) }),
      /is still pending after \d+ s; check it in the AWS console/,
    );
  });

  it('addresses, summaries and durations', () => {
    const info: BoxInfo = { instanceId: 'i-1', state: 'running', type: 't3.micro', publicDns: 'ec2-1.compute.amazonaws.com', publicIp: '1.2.3.4', privateDns: undefined, privateIp: '10.0.0.9', launchedAt: new Date(1000) };
    assert.equal(boxAddress(info, 'public'), 'ec2-1.compute.amazonaws.com', 'the DNS name first');
    assert.equal(boxAddress({ ...info, publicDns: undefined }, 'public'), '1.2.3.4');
    assert.equal(boxAddress(info, 'private'), '10.0.0.9');
    const s = boxSummary('gpu', info, 'public', 1000 + 3_725_000);
    assert.equal(s.uptimeSeconds, 3725);
    assert.equal(boxSummary('gpu', { ...info, state: 'stopped' }, 'public', 5000).uptimeSeconds, null);
    assert.equal(formatDuration(3_725_000), '1 h 2 min');
    assert.equal(formatDuration(59_000), '59 s');
    assert.equal(formatDuration(3 * 86_400_000), '3 d 0 h');
  });
});
