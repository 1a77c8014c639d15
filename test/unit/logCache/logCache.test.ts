import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogCache, logCacheDir, logCacheLimit } from '../../../src/core/logCache/logCache';

describe('local log cache', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'orch-logcache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps a log per host and job, owner-only, and knows whether the job had ended', async () => {
    const c = new LogCache(dir, 1 << 20);
    await c.save('gpu-a', 'train', Buffer.from('a\n[EXIT: 0]\n'));
    await c.save('gpu-b', 'train', Buffer.from('partial'));
    const a = await c.read('gpu-a', 'train');
    assert.equal(a?.bytes.toString(), 'a\n[EXIT: 0]\n');
    assert.equal(a?.complete, true);
    assert.equal((await c.read('gpu-b', 'train'))?.complete, false);
    assert.deepEqual((await c.find('train')).map((x) => x.host).sort(), ['gpu-a', 'gpu-b']);
    assert.deepEqual((await c.find('train', 'gpu-b')).map((x) => x.host), ['gpu-b']);
    assert.equal(statSync(join(dir, 'gpu-a', 'train.log')).mode & 0o777, 0o600);
  });

  it('evicts the oldest logs beyond its bound, never the one just written; 0 keeps nothing', async () => {
    const c = new LogCache(dir, 2500);
    for (const j of ['one', 'two', 'three']) {
      await c.save('h', j, Buffer.alloc(1000, 'x'));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(readdirSync(join(dir, 'h')).sort(), ['three.log', 'two.log']);
    const off = new LogCache(join(dir, 'off'), 0);
    await off.save('h', 'x', Buffer.from('y'));
    assert.equal(await off.read('h', 'x'), undefined);
  });

  it('a fill that is discarded leaves the cached copy as it was', async () => {
    const c = new LogCache(dir, 1 << 20);
    await c.save('h', 'j', Buffer.from('old\n'));
    const f = await c.fill('h', 'j');
    f.write(Buffer.from('new'));
    await f.discard();
    assert.equal((await c.read('h', 'j'))?.bytes.toString(), 'old\n');
    assert.deepEqual(readdirSync(join(dir, 'h')), ['j.log']);
  });

  it('lives under XDG_CACHE_HOME, else ~/.cache; ORCH_LOG_CACHE_MB bounds it', () => {
    assert.equal(logCacheDir({ XDG_CACHE_HOME: '/c' }), '/c/orch/logs');
    if (process.platform === 'linux') assert.equal(logCacheDir({ HOME: '/home/u' }), '/home/u/.cache/orch/logs');
    assert.equal(logCacheLimit({ ORCH_LOG_CACHE_MB: '1' }), 1048576);
    assert.equal(logCacheLimit({}), 200 * 1048576);
  });
});
