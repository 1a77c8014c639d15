/**
 * Output-dir ownership on the host (src/host/lib/outputs.sh), in a real bash on temp dirs:
 * path normalization, and which active job owns a dir.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { HostSandbox } from './hostShell';

describe('host library: output dirs', function () {
  this.timeout(20000);
  let box: HostSandbox;
  beforeEach(() => {
    box = new HostSandbox();
  });
  afterEach(async () => {
    await box.close();
  });

  it('norm_path drops ".", "..", repeated and trailing slashes', async () => {
    const r = await box.sh(`for p in /a/b/ /a//b/./c /a/b/../c /.. / '/a b/ü/'; do norm_path v "$p"; printf '%s|' "$v"; done`);
    assert.equal(r.stdout, '/a/b|/a/b/c|/a/c|/|/|/a b/ü|');
  });

  it('output_owner names the active job whose dir is, holds or lies in the one asked for', async () => {
    const out = join(box.dir, 'work/results');
    box.job('running', 'sleep 60', { 'output-dir': `${out}/r1\n` });
    box.job('ended', 'true', { 'output-dir': `${out}/r2\n`, exit: '0\n' });
    box.job('old', 'true', { 'output-dir': `${out}/r3\n`, created: '1000\n' });
    const ask = async (dir: string, self = 'new') => box.sh(`output_owner "${box.root}" "${dir}" ${self}`);
    assert.equal((await ask(`${out}/r1`)).stdout, `running\n${out}/r1\n`);
    assert.equal((await ask(`${out}/r1/sub`)).stdout, `running\n${out}/r1\n`);
    assert.equal((await ask(out)).stdout, `running\n${out}/r1\n`);
    assert.equal((await ask(`${out}/r10`)).code, 1, 'r10 is not inside r1');
    assert.equal((await ask(`${out}/r2`)).code, 1, 'an ended job owns nothing');
    assert.equal((await ask(`${out}/r3`)).code, 1, 'a job without runner, created long ago, is not active');
    assert.equal((await ask(`${out}/r1`, 'running')).code, 1, 'a job does not conflict with itself (--force)');
  });
});
