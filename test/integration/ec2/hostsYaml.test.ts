import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { uniqueName } from '../cli/cliHarness';
import { startTestBox, userStderr, type TestBox } from './boxHarness';

/** A hosts.yaml entry with `ec2:` is a box like the single ORCH_EC2_* host (PRODUCT.md §6, §7). */
describe('EC2 box named in hosts.yaml', function () {
  this.timeout(120_000);
  let box: TestBox;
  let env: Record<string, string | undefined>;

  before(async () => {
    box = await startTestBox({ state: 'stopped' });
    mkdirSync(join(box.ws, 'scripts', 'cloud'), { recursive: true });
    writeFileSync(
      join(box.ws, 'scripts', 'cloud', 'hosts.yaml'),
      [
        'hosts:',
        '  gpu:',
        `    ec2: { instance_id: ${box.instance.id}, region: ap-northeast-1, wake: auto }`,
        '  manual:',
        `    ec2: { instance_id: ${box.instance.id}, region: ap-northeast-1 }`,
        '  other:',
        `    host: 127.0.0.1`,
        'default: gpu',
        '',
      ].join('\n'),
    );
    env = { ORCH_EC2_INSTANCE_ID: undefined, ORCH_EC2_REGION: undefined, ORCH_STRICT_HOST_KEY_CHECKING: 'accept-new' };
  });
  after(async () => {
    await box?.close();
  });

  it('box status HOST names the entry; a host without ec2: is refused with how to add it', async () => {
    const r = await box.orch(['box', 'status', 'gpu', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { host: string; instanceId: string; state: string };
    assert.deepEqual([s.host, s.instanceId, s.state], ['gpu', box.instance.id, 'stopped']);
    const other = await box.orch(['box', 'status', 'other'], env);
    assert.equal(other.code, 2);
    assert.match(userStderr(other), /^orch: The host other is not an EC2 box: give it an ec2: block \(instance_id, region\) in .*hosts\.yaml\.\n$/);
  });

  it('without wake: a stopped box is refused with the setting of its own ec2: block, nothing started', async () => {
    const r = await box.orch(['status', '--host', 'manual'], env);
    assert.equal(r.code, 1);
    assert.equal(userStderr(r), `orch: host manual: The EC2 box manual (${box.instance.id}) is stopped: start it with "orch box start manual", or run the command again with --wake (or set wake: auto in its ec2: block of scripts/cloud/hosts.yaml).\n`);
    const s = await box.orch(['box', 'status', 'manual', '--json'], env);
    assert.equal((JSON.parse(s.stdout) as { state: string }).state, 'stopped');
  });

  it('wake: auto: run --host gpu starts the box and runs there', async () => {
    const name = uniqueName('yaml');
    const r = await box.orch(['run', '--host', 'gpu', '--wait', name, 'echo', 'on gpu'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${name}\non gpu\n[EXIT: 0]\n`);
    assert.match(userStderr(r), new RegExp(`orch: starting ${box.instance.id} \\(g5\\.xlarge\\) for gpu\\n`));
    const list = await box.orch(['list', '--host', 'gpu', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual((JSON.parse(list.stdout) as { name: string; host: string }[]).map((j) => [j.name, j.host]), [[name, 'gpu']]);
  });

  it('--wake starts the stopped box of an entry without wake: auto (no ORCH_EC2_INSTANCE_ID anywhere)', async () => {
    const stop = await box.orch(['box', 'stop', 'manual'], env);
    assert.equal(stop.code, 0, stop.stderr);
    const name = uniqueName('wake');
    const r = await box.orch(['run', '--host', 'manual', '--wake', '--wait', name, 'echo', 'woken'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${name}\nwoken\n[EXIT: 0]\n`);
    assert.match(userStderr(r), new RegExp(`orch: starting ${box.instance.id} \\(g5\\.xlarge\\) for manual\\n`));
  });
});
