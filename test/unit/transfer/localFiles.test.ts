import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashLocalFiles, type LocalFileList } from '../../../src/core/transfer/localFiles';

describe('hashing the local files of a sync', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'orch-local-'));
    writeFileSync(join(root, 'a.txt'), 'alpha\n');
    writeFileSync(join(root, 'big.bin'), Buffer.alloc(300 * 1024, 7));
    symlinkSync('a.txt', join(root, 'link'));
    symlinkSync('/etc/passwd', join(root, 'out'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('hands over what it found (sizes, no hashes) before it reads a file, then the hashes', async () => {
    let found: LocalFileList | undefined;
    let hashedYet = false;
    const done = hashLocalFiles(root, ['a.txt', 'big.bin', 'gone.txt', 'link', 'out'], undefined, (f) => {
      found = f;
      assert.equal(hashedYet, false);
    });
    const hashed = await done.then((l) => ((hashedYet = true), l));
    assert.deepEqual(found, {
      files: [
        { path: 'a.txt', sha256: '', size: 6 },
        { path: 'big.bin', sha256: '', size: 300 * 1024 },
        { path: 'link', sha256: 'link:' + createHash('sha256').update('a.txt').digest('hex'), size: 0 },
      ],
      skipped: ['out'],
    });
    assert.deepEqual(
      hashed.files.map((f) => [f.path, f.size]),
      [['a.txt', 6], ['big.bin', 300 * 1024], ['link', 0]],
    );
    assert.equal(hashed.files[1]!.sha256, createHash('sha256').update(Buffer.alloc(300 * 1024, 7) as unknown as Uint8Array).digest('hex'));
    assert.deepEqual(hashed.skipped, ['out']);
  });
});
