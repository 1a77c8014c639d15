import assert from 'node:assert/strict';
import type { BoxInfo, BoxState } from '../../../src/core/ec2/box';
import type { ExplainedEc2Api } from '../../../src/core/ec2/load';
import type { Ec2BoxSpec } from '../../../src/core/ec2/spec';
import { doctorBox, type BoxDoctorOptions } from '../../../src/core/doctor/boxDoctor';
import { UserError } from '../../../src/core/errors';

const spec: Ec2BoxSpec = { instanceId: 'i-0abc', region: undefined, profile: undefined, wake: 'ask', address: 'public' };

/** A hand-written EC2: describe() walks the states; start() moves a stopped box on to pending. */
function fakeEc2(states: BoxState[], o: { fail?: unknown } = {}): ExplainedEc2Api & { calls: string[] } {
  const calls: string[] = [];
  let i = 0;
  const info = (state: BoxState): BoxInfo => ({ instanceId: 'i-0abc', state, type: 'g5.xlarge', publicDns: undefined, publicIp: '203.0.113.7', privateDns: undefined, privateIp: undefined, launchedAt: new Date(0) });
  return {
    calls,
    async describe() {
      calls.push('describe');
      if (o.fail) throw o.fail;
      return info(states[Math.min(i++, states.length - 1)]!);
    },
    async start() {
      calls.push('start');
      return 'pending';
    },
    async stop() {
      calls.push('stop');
      return 'stopping';
    },
    async region() {
      return 'eu-west-1';
    },
  };
}

function options(over: Partial<BoxDoctorOptions> = {}): BoxDoctorOptions & { waited: string[] } {
  const waited: string[] = [];
  return { hostName: 'gpu', wakeSetting: 'ORCH_EC2_WAKE=auto', profile: 'research', wake: false, waited, waitForSsh: async (a) => void waited.push(a), now: () => 60_000, ...over };
}

describe('orch doctor on an EC2 box: one DescribeInstances, --wake alone starts it', () => {
  it('running: one describe, the address to connect to', async () => {
    const api = fakeEc2(['running']);
    const r = await doctorBox(api, spec, options());
    assert.deepEqual(api.calls, ['describe']);
    assert.equal(r.address, '203.0.113.7');
    assert.deepEqual(r.lines.map((l) => `${l.status} ${l.check} ${l.text}`), ['ok aws credentials accepted in eu-west-1 (profile research)', 'ok box i-0abc running, g5.xlarge, at 203.0.113.7, up 1 min']);
  });

  it('stopped without --wake: one describe, nothing started, no address', async () => {
    const api = fakeEc2(['stopped']);
    const r = await doctorBox(api, spec, options());
    assert.deepEqual(api.calls, ['describe']);
    assert.equal(r.address, undefined);
    assert.deepEqual(r.lines.map((l) => l.status), ['ok', 'fail', 'skip']);
  });

  it('stopped with --wake: started, SSH waited for at its address, then checked', async () => {
    const api = fakeEc2(['stopped', 'stopped', 'pending', 'running']);
    const o = options({ wake: true, progress: () => undefined });
    const r = await doctorBox(api, spec, o);
    assert.ok(api.calls.includes('start'));
    assert.deepEqual(o.waited, ['203.0.113.7']);
    assert.equal(r.address, '203.0.113.7');
    assert.match(r.lines[1]!.text, /^i-0abc running \(started by --wake\)/);
  });

  it('--wake and SSH never answers: the box line fails with the reason, host skipped', async () => {
    const api = fakeEc2(['stopped', 'pending', 'running']);
    const r = await doctorBox(api, spec, options({ wake: true, waitForSsh: async () => Promise.reject(new UserError('The box is running but SSH did not answer at 203.0.113.7:22 within 3 min.')) }));
    assert.equal(r.address, undefined);
    assert.deepEqual(r.lines.map((l) => `${l.status} ${l.check}`), ['ok aws', 'fail box', 'skip host']);
    assert.equal(r.lines[1]!.text, 'The box is running but SSH did not answer at 203.0.113.7:22 within 3 min.');
  });

  it('AWS refuses: its sentence on the aws line; an unknown instance on the box line', async () => {
    const denied = await doctorBox(fakeEc2([], { fail: new UserError('AWS did not accept the credentials.', { cause: { name: 'AuthFailure' } }) }), spec, options());
    assert.deepEqual(denied.lines.map((l) => `${l.status} ${l.check} ${l.text}`), ['fail aws AWS did not accept the credentials.', "skip host SSH and the host checks not run: the box's state and address come from AWS"]);
    const unknown = await doctorBox(fakeEc2([], { fail: new UserError('There is no EC2 instance i-0abc in eu-west-1.', { cause: { name: 'InvalidInstanceID.NotFound' } }) }), spec, options());
    assert.deepEqual(unknown.lines.map((l) => `${l.status} ${l.check}`), ['ok aws', 'fail box', 'skip host']);
  });

  it('an error that is not the user\'s is thrown, not turned into a line', async () => {
    await assert.rejects(doctorBox(fakeEc2([], { fail: new TypeError('bug') }), spec, options()), TypeError);
  });
});
