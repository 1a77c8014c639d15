import assert from 'node:assert/strict';
import type { BoxInfo, BoxState } from '../../../src/core/ec2/box';
import type { Ec2BoxSpec } from '../../../src/core/ec2/spec';
import { awsFailLines, awsOkLine, boxCheck } from '../../../src/core/doctor/boxChecks';
import { formatLines } from '../../../src/core/doctor/checks';

const NOW = 1_800_000_000_000;
const spec: Ec2BoxSpec = { instanceId: 'i-0abc', region: 'eu-west-1', profile: 'research', wake: 'ask', address: 'public' };
const names = { hostName: 'gpu', wakeSetting: 'wake: auto in its ec2: block' };

function info(state: BoxState, over: Partial<BoxInfo> = {}): BoxInfo {
  return { instanceId: 'i-0abc', state, type: 'g5.xlarge', publicDns: undefined, publicIp: '203.0.113.7', privateDns: undefined, privateIp: '10.0.0.1', launchedAt: new Date(NOW - 192 * 60_000), ...over };
}

const printed = (lines: Parameters<typeof formatLines>[0]): string[] => formatLines(lines);

describe('orch doctor on an EC2 box: the aws and box lines', () => {
  it('AWS access: the region and the profile, or the default chain', () => {
    assert.deepEqual(awsOkLine('eu-west-1', 'research'), { check: 'aws', status: 'ok', text: 'credentials accepted in eu-west-1 (profile research)' });
    assert.equal(awsOkLine(undefined, undefined).text, 'credentials accepted (default credential chain)');
  });

  it("an AWS error is the mapping's one sentence on the aws line; an unknown instance is the box's", () => {
    assert.deepEqual(awsFailLines('The AWS SSO session has expired or is missing: run "aws sso login" and try again.', 'Error', 'eu-west-1', undefined), [
      { check: 'aws', status: 'fail', text: 'The AWS SSO session has expired or is missing: run "aws sso login" and try again.' },
    ]);
    const unknown = awsFailLines('There is no EC2 instance i-0abc in eu-west-1: check it.', 'InvalidInstanceID.NotFound', 'eu-west-1', 'research');
    assert.deepEqual(unknown.map((l) => [l.check, l.status]), [['aws', 'ok'], ['box', 'fail']]);
    assert.equal(unknown[1]!.text, 'There is no EC2 instance i-0abc in eu-west-1: check it.');
  });

  it('running: state, type, address and uptime; the address to connect to', () => {
    const r = boxCheck(info('running'), spec, names, { now: NOW });
    assert.equal(r.address, '203.0.113.7');
    assert.deepEqual(printed(r.lines), ['ok    box  i-0abc running, g5.xlarge, at 203.0.113.7, up 3 h 12 min']);
    assert.equal(boxCheck(info('running'), { ...spec, address: 'private' }, names, { now: NOW }).address, '10.0.0.1');
    assert.match(boxCheck(info('running'), spec, names, { now: NOW, started: true }).lines[0]!.text, /^i-0abc running \(started by --wake\), /);
  });

  it('running without the address orch connects to: FAIL with the wake path\'s sentence, host skipped', () => {
    const r = boxCheck(info('running', { publicIp: undefined }), spec, names, { now: NOW });
    assert.equal(r.address, undefined);
    assert.deepEqual(printed(r.lines), [
      'FAIL  box   The EC2 instance i-0abc of gpu has no public address: give it one (a public subnet or an Elastic IP), or set ORCH_EC2_ADDRESS=private to connect to its private address.',
      'skip  host  SSH and the host checks not run: the box has no address to connect to',
    ]);
  });

  it('stopped (and stopping) with wake ask: FAIL saying how to start it; host skipped, nothing started', () => {
    for (const state of ['stopped', 'stopping'] as const) {
      const r = boxCheck(info(state), spec, names, { now: NOW });
      assert.equal(r.address, undefined);
      assert.deepEqual(printed(r.lines), [
        `FAIL  box   i-0abc ${state}: start it with "orch box start gpu" (or set wake: auto in its ec2: block so that commands start it)`,
        `skip  host  SSH and the host checks not run: the box is ${state} (nothing was started; orch doctor --wake starts it and checks it)`,
      ]);
    }
    // a host named by its instance id is started without a name
    assert.match(boxCheck(info('stopped'), spec, { hostName: 'i-0abc', wakeSetting: 'ORCH_EC2_WAKE=auto' }, { now: NOW }).lines[0]!.text, /start it with "orch box start" \(or set ORCH_EC2_WAKE=auto /);
  });

  it('read in VS Code (Check Host), the lines say what to do there: Start Box, Check Host again', () => {
    const vs = { ...names, via: 'vscode' as const };
    assert.deepEqual(printed(boxCheck(info('stopped'), spec, vs, { now: NOW }).lines), [
      'FAIL  box   i-0abc stopped: start it with Start Box on the host\'s row (or set wake: auto in its ec2: block so that commands start it)',
      'skip  host  SSH and the host checks not run: the box is stopped (nothing was started; Start Box, then Check Host again)',
    ]);
    assert.match(boxCheck(info('pending'), spec, vs, { now: NOW }).lines[0]!.text, /pending \(starting up\): Check Host again once it runs$/);
  });

  it('stopped with wake auto: a warning (commands start it), host skipped', () => {
    const r = boxCheck(info('stopped'), { ...spec, wake: 'auto' }, names, { now: NOW });
    assert.deepEqual(
      r.lines.map((l) => l.status),
      ['warn', 'skip'],
    );
    assert.equal(r.lines[0]!.text, 'i-0abc stopped; commands that need it start it (wake: auto in its ec2: block is set)');
  });

  it('pending: a warning to try again; terminated: FAIL, it cannot come back', () => {
    const p = boxCheck(info('pending'), spec, names, { now: NOW });
    assert.deepEqual(printed(p.lines)[0], 'warn  box   i-0abc pending (starting up): run orch doctor again once it runs');
    assert.equal(p.lines[1]!.status, 'skip');
    for (const state of ['terminated', 'shutting-down'] as const) {
      const t = boxCheck(info(state), spec, names, { now: NOW });
      assert.deepEqual(t.lines.map((l) => l.status), ['fail', 'skip']);
      assert.match(t.lines[0]!.text, new RegExp(`^i-0abc ${state}: it cannot be started again`));
    }
  });
});
