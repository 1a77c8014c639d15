import assert from 'node:assert/strict';
import { uniqueName } from '../cli/cliHarness';
import { startTestBox, userStderr, type TestBox } from './boxHarness';

/**
 * The idle clock in `orch box status` (PRODUCT.md §7 autostop): the box's state from EC2 (the
 * stand-in), its idle time from the host's own check over SSH (the real sshd), with
 * ORCH_AUTOSTOP_MINUTES set for the single host. The check itself: test/integration/engine/autostopSuite.ts.
 */
describe('EC2 box: box status shows the host\'s idle clock', function () {
  this.timeout(120_000);
  let box: TestBox;
  const env = { ORCH_AUTOSTOP_MINUTES: '30', ORCH_STRICT_HOST_KEY_CHECKING: 'accept-new' };

  before(async () => {
    box = await startTestBox({ state: 'running' });
  });
  after(async () => {
    await box?.close();
  });

  it('before any run: says autostop is not installed yet; after one: idle N, stops in M; while a job runs: what keeps it up', async () => {
    const none = await box.orch(['box', 'status'], env);
    assert.equal(none.code, 0, none.stderr);
    assert.match(userStderr(none), /autostop is not installed on i-[0-9a-f]+ yet; the next orch run there installs it\n$/);
    assert.doesNotMatch(none.stdout, /autostop/);

    const first = uniqueName('first');
    assert.equal((await box.orch(['run', '--wait', first, 'true'], env)).code, 0);
    const t0 = Date.now();
    const r = await box.orch(['box', 'status', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { idleSeconds: number; autostopAt: string; busy: string | null; autostopError: string | null };
    assert.ok(s.idleSeconds >= 0 && s.idleSeconds < 60, `idle ${s.idleSeconds}`);
    const left = Date.parse(s.autostopAt) - t0;
    assert.ok(left > 28 * 60_000 && left <= 30 * 60_000 + 5000, `stops in ${left} ms`);
    assert.equal(s.busy, null);
    assert.equal(s.autostopError, null);
    const text = await box.orch(['box', 'status'], env);
    assert.match(text.stdout, /\nautostop idle \d+ s, stops in (29|30) min\n$/);

    const busy = uniqueName('busy');
    assert.equal((await box.orch(['run', busy, 'sleep', '60'], env)).code, 0);
    const b = JSON.parse((await box.orch(['box', 'status', '--json'], env)).stdout) as typeof s;
    assert.deepEqual([b.idleSeconds, b.autostopAt, b.busy], [0, null, `job ${busy} is active`]);
    assert.match((await box.orch(['box', 'status'], env)).stdout, new RegExp(`\nautostop not idle: job ${busy} is active\n$`));
    assert.equal((await box.orch(['stop', busy], env)).code, 0);
  });
});
