import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSyncState, saveSyncState, syncStateFile } from '../../../src/core/transfer/syncState';
import { CHECK_SCRIPT, parseReply } from '../../../src/core/transfer/syncCall';

describe('remembered sync state', () => {
  let home: string;
  const key = { host: 'gpu-box', workdir: '~/work', name: 'workspace', root: '/src/repo' };
  const state = { token: 'a'.repeat(64), files: { 'src/main.py': 'b'.repeat(64) }, zips: ['gzip'] };
  beforeEach(() => (home = mkdtempSync(join(tmpdir(), 'orch-state-'))));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('is one private file per host, workdir, tree and local root, and reads back what was saved', async () => {
    const file = syncStateFile(key, { XDG_CACHE_HOME: home });
    assert.notEqual(file, syncStateFile({ ...key, workdir: '~/other' }, { XDG_CACHE_HOME: home }));
    assert.notEqual(file, syncStateFile({ ...key, host: 'other-box' }, { XDG_CACHE_HOME: home }));
    await saveSyncState(file, key, state);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(home, 'orch')).mode & 0o777, 0o700);
    assert.deepEqual(await loadSyncState(file, key), state);
  });

  it('ignores a corrupt file, another tree, a bad token and a path outside the workdir', async () => {
    const file = join(home, 's.json');
    const body = { version: 1, ...key, ...state };
    for (const bad of ['{', '[]', JSON.stringify({ ...body, host: 'x' }), JSON.stringify({ ...body, token: 'zz' }), JSON.stringify({ ...body, files: { '../etc/passwd': 'c' } }), JSON.stringify({ ...body, version: 2 })]) {
      writeFileSync(file, bad);
      assert.equal(await loadSyncState(file, key), undefined, bad);
    }
    writeFileSync(file, JSON.stringify(body));
    assert.deepEqual(await loadSyncState(file, key), state);
  });
});

describe('the host sync reply', () => {
  it('reads same, done and a report of hashes, links and compressors', () => {
    assert.deepEqual(parseReply(Buffer.from('same\n'), 'h'), { kind: 'same' });
    assert.deepEqual(parseReply(Buffer.from(`done ${'c'.repeat(64)}\n`), 'h'), { kind: 'done', token: 'c'.repeat(64) });
    const r = parseReply(Buffer.from(`report list ${'d'.repeat(64)} zstd gzip\n${'e'.repeat(64)}  a b.txt\0link  l\0`), 'h');
    assert.deepEqual(r, { kind: 'report', view: { token: 'd'.repeat(64), zips: ['zstd', 'gzip'], files: { 'a b.txt': 'e'.repeat(64), l: 'link' } } });
  });
  it('a check (the whole of a sync with nothing to send) sends under 2 KB of script (PRODUCT.md §11)', () => {
    assert.ok(Buffer.byteLength(CHECK_SCRIPT) < 2048, `${Buffer.byteLength(CHECK_SCRIPT)} bytes`);
  });
  it('refuses a path outside the workdir in a report', () => {
    assert.throws(() => parseReply(Buffer.from(`report list none\n${'e'.repeat(64)}  ../x\0`), 'h'), /outside the remote workdir/);
  });
});
