import { strict as assert } from 'node:assert';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalTarget } from '../../../src/host/localTarget';
import { watchLogRoot } from '../../../src/host/watchLogRoot';

describe('watch-log-root.sh (the change signal for the jobs tree)', function () {
  this.timeout(20_000);
  const target = createLocalTarget();
  let root = '';
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'orch-watch-'));
    mkdirSync(join(root, 'job-a'));
    writeFileSync(join(root, 'job-a', 'run.log'), 'hello\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('answers at once with a signature when none is given', async () => {
    const t = Date.now();
    const sig = await watchLogRoot(target, root, '', 30);
    assert.match(sig!, /^\d+$/);
    assert.ok(Date.now() - t < 2_000);
  });

  it('returns within about a second of a new job dir, and of a marker file in a job dir', async () => {
    for (const change of [() => mkdirSync(join(root, 'job-b')), () => writeFileSync(join(root, 'job-a', 'exit'), '0\n')]) {
      const sig = (await watchLogRoot(target, root, '', 30))!;
      const started = Date.now();
      setTimeout(change, 300);
      const next = await watchLogRoot(target, root, sig, 30);
      const took = Date.now() - started;
      assert.notEqual(next, sig);
      assert.ok(took < 2_500, `took ${took} ms`);
    }
  });

  it('sleeps through log lines (run.log appends change no dir) until its time is up', async () => {
    const sig = (await watchLogRoot(target, root, '', 30))!;
    const timer = setInterval(() => appendFileSync(join(root, 'job-a', 'run.log'), 'more\n'), 200);
    try {
      const started = Date.now();
      assert.equal(await watchLogRoot(target, root, sig, 2), sig);
      assert.ok(Date.now() - started >= 1_900);
    } finally {
      clearInterval(timer);
    }
  });

  it('works before the log root exists (the library install makes it; the first job dir fires) and ends on abort', async () => {
    const missing = join(root, 'not-yet');
    const sig = (await watchLogRoot(target, missing, '', 30))!;
    setTimeout(() => mkdirSync(join(missing, 'first-job')), 300);
    assert.notEqual(await watchLogRoot(target, missing, sig, 30), sig);
    const abort = new AbortController();
    setTimeout(() => abort.abort(), 300);
    assert.equal(await watchLogRoot(target, missing, (await watchLogRoot(target, missing, '', 30))!, 30, abort.signal), null);
  });
});
