import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheFileFor, openHashCache } from '../../../src/core/transfer/hashCache';
import { hashLocalFiles } from '../../../src/core/transfer/localFiles';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('sync: the local hash cache', () => {
  let root: string;
  let cacheFile: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'orch-hc-'));
    cacheFile = join(root, 'cache', 'h.json');
    writeFileSync(join(root, 'old.txt'), 'old');
    writeFileSync(join(root, 'new.txt'), 'new');
    const past = Date.now() / 1000 - 3600;
    utimesSync(join(root, 'old.txt'), past, past);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('reuses a remembered hash while size, times and inode are unchanged, and rehashes a changed file', async () => {
    let cache = await openHashCache(cacheFile, root);
    const first = await hashLocalFiles(root, ['old.txt'], cache);
    assert.equal(first.files[0]!.sha256, sha('old'));
    await cache.save();
    // Plant a different hash under the same stamp: only a cache that is read gives it back.
    const saved = JSON.parse(readFileSync(cacheFile, 'utf8')) as { files: Record<string, [string, string]> };
    saved.files['old.txt']![1] = 'planted';
    writeFileSync(cacheFile, JSON.stringify({ ...saved, root }));
    cache = await openHashCache(cacheFile, root);
    assert.equal((await hashLocalFiles(root, ['old.txt'], cache)).files[0]!.sha256, 'planted');
    writeFileSync(join(root, 'old.txt'), 'changed');
    cache = await openHashCache(cacheFile, root);
    assert.equal((await hashLocalFiles(root, ['old.txt'], cache)).files[0]!.sha256, sha('changed'));
  });

  it('does not remember a file modified in the last seconds, nor trust a cache of another root', async () => {
    const cache = await openHashCache(cacheFile, root);
    await hashLocalFiles(root, ['old.txt', 'new.txt'], cache);
    await cache.save();
    const saved = JSON.parse(readFileSync(cacheFile, 'utf8')) as { files: Record<string, unknown> };
    assert.deepEqual(Object.keys(saved.files), ['old.txt']);
    writeFileSync(cacheFile, JSON.stringify({ root: '/elsewhere', files: { 'old.txt': saved.files['old.txt'] } }));
    const other = await openHashCache(cacheFile, root);
    assert.equal(other.get('old.txt', (await import('node:fs')).lstatSync(join(root, 'old.txt'), { bigint: true })), undefined);
  });

  it('lives under XDG_CACHE_HOME (else ~/.cache), one file per workspace', () => {
    assert.match(cacheFileFor('/w/a', { XDG_CACHE_HOME: '/c' }), /^\/c\/orch\/hashes-[0-9a-f]{20}\.json$/);
    assert.match(cacheFileFor('/w/a', { HOME: '/home/u' }), /^\/home\/u\/\.cache\/orch\/hashes-/);
    assert.notEqual(cacheFileFor('/w/a', {}), cacheFileFor('/w/b', {}));
  });
});
