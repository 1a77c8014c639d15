/**
 * Logs that outlive the box (PRODUCT.md §9) against the real sshd: logs read whole, and a
 * follow, fill the local cache; with the sshd stopped `orch logs` prints the cached copy,
 * marked "cached", and a job never read still fails as before.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../harness/sshd';
import { baseEnv, cli, makeWorkspace, sshEnv, uniqueName } from './cliHarness';

describe('orch logs from the local cache against a real sshd', function () {
  this.timeout(90_000);
  let sshd: TestSshd;
  let ws: string;
  let cache: string;
  let env: NodeJS.ProcessEnv;
  const orch = (...argv: string[]) => cli(argv, { env, cwd: ws });

  before(async () => {
    sshd = await startSshd();
    ws = makeWorkspace();
    cache = mkdtempSync(join(tmpdir(), 'orch-cache-it-'));
    env = baseEnv({ ...sshEnv(sshd), XDG_CACHE_HOME: cache});
  });
  after(async () => {
    await sshd?.stop();
    if (ws) rmSync(ws, { recursive: true, force: true });
    if (cache) rmSync(cache, { recursive: true, force: true });
  });

  it('prints yesterday\'s logs with the sshd stopped, marked cached', async () => {
    const read = uniqueName('read');
    const followed = uniqueName('followed');
    const never = uniqueName('never');
    assert.equal((await orch('run', '--wait', read, 'for i in 1 2 3; do echo "epoch $i"; done')).code, 0);
    assert.equal((await orch('run', followed, 'echo start; sleep 1; echo end')).code, 0);
    assert.equal((await orch('run', '--wait', never, 'echo unseen')).code, 0);
    const live = await orch('logs', read);
    assert.equal(live.stdout, 'epoch 1\nepoch 2\nepoch 3\n[EXIT: 0]\n');
    const f = await orch('logs', '-f', followed);
    assert.equal(f.stdout, 'start\nend\n[EXIT: 0]\n');
    assert.equal(readFileSync(join(cache, 'orch', 'logs', '127.0.0.1', `${followed}.log`), 'utf8'), f.stdout);

    await sshd.kill();
    const off = await orch('logs', read);
    assert.equal(off.code, 0, off.stderr);
    assert.equal(off.stdout, live.stdout);
    assert.match(off.stderr, new RegExp(`showing the cached log of ${read} from 127\\.0\\.0\\.1 \\(cached \\d{4}-.*the job had ended\\)`));
    const tail = await orch('logs', '--tail', '1', followed);
    assert.equal(tail.stdout, '[EXIT: 0]\n');
    assert.match(tail.stderr, /cached/);
    const none = await orch('logs', never);
    assert.equal(none.code, 1);
    assert.equal(none.stdout, '');
    assert.doesNotMatch(none.stderr, /cached/);
  });
});
