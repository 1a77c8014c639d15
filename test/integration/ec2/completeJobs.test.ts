import assert from 'node:assert/strict';
import { uniqueName } from '../cli/cliHarness';
import { startTestBox, type TestBox } from './boxHarness';

/** Job names for a Tab (orch __complete-jobs) from an EC2 box: never by starting it. */
describe('shell completion of job names on an EC2 box', function () {
  this.timeout(120_000);
  let box: TestBox;
  before(async () => {
    box = await startTestBox({ state: 'stopped' });
  });
  after(async () => {
    await box?.close();
  });

  it('a stopped box offers no names and is not started, even with --wake and ORCH_EC2_WAKE=auto', async () => {
    const before = box.ec2.calls.length;
    const r = await box.orch(['__complete-jobs', '--wake'], { ORCH_EC2_WAKE: 'auto' });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.ok(!box.ec2.calls.slice(before).includes('StartInstances'), box.ec2.calls.slice(before).join(' '));
    assert.equal(box.instance.state, 'stopped');
  });

  it('a running box offers its jobs', async () => {
    const name = uniqueName('cmpl');
    const started = await box.orch(['run', '--wake', '--wait', name, 'true'], { ORCH_STRICT_HOST_KEY_CHECKING: 'accept-new' });
    assert.equal(started.code, 0, started.stderr);
    const r = await box.orch(['__complete-jobs']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean), [name]);
  });
});
