import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { spawnProcess } from '../../../src/core/experiment/process';

/** Running, and not a zombie waiting for a parent that may never reap it (as in containers). */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

// The real runner over real bash: what a kit phase's output and exit look like to the flow.
describe('phase process runner', () => {
  const bash = (script: string) => ({ file: 'bash', args: ['-c', script], cwd: '/tmp', env: { PATH: process.env.PATH } });

  it('streams stdout and stderr as they come and resolves with the exit status', async () => {
    const seen = { stdout: '', stderr: '' };
    const code = await spawnProcess(bash('echo one; echo two >&2; printf "é"; exit 5'), { onOutput: (t, s) => (seen[s] += t) });
    assert.equal(code, 5);
    assert.deepEqual(seen, { stdout: 'one\né', stderr: 'two\n' });
  });

  it('ends when the phase exits even if a background child keeps its output open', async () => {
    const t0 = Date.now();
    const code = await spawnProcess(bash('(sleep 30 &); exit 0'), {});
    assert.equal(code, 0);
    assert.ok(Date.now() - t0 < 8000);
  });

  it('on abort stops the whole process group and resolves with null', async () => {
    const ac = new AbortController();
    let out = '';
    const done = spawnProcess(bash('sleep 30 & echo "child $!"; wait'), { signal: ac.signal, onOutput: (t) => (out += t) });
    while (!out.includes('child')) await new Promise((r) => setTimeout(r, 20));
    const child = Number(/child (\d+)/.exec(out)![1]);
    ac.abort();
    assert.equal(await done, null);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!isAlive(child), `the background child ${child} was stopped too`);
  });
});
