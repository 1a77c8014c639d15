import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar';
import { packFiles } from '../../../src/core/transfer/pack';
import { findZstd } from '../../../src/host/unpack';

async function bytesOf(r: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c);
  return Buffer.concat(chunks as unknown as Uint8Array[]);
}

describe('the tar stream of a sync', () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'orch-pack-'));
    mkdirSync(join(base, 'src/deep'), { recursive: true });
    writeFileSync(join(base, 'src/deep/ünï code.txt'), 'unicode\n');
    writeFileSync(join(base, '-dash.txt'), 'dash\n');
    writeFileSync(join(base, '@at.txt'), 'at\n');
    writeFileSync(join(base, 'not-sent.txt'), 'no\n');
    mkdirSync(join(base, 'many'));
    for (let i = 0; i < 70; i++) writeFileSync(join(base, 'many', `f${i}`), `${i}\n`);
    symlinkSync('deep/ünï code.txt', join(base, 'src/link'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const many = Array.from({ length: 70 }, (_, i) => `many/f${i}`);
  const unpack = async (tarBytes: Buffer): Promise<string> => {
    const out = join(base, 'out');
    mkdirSync(out);
    await new Promise<void>((resolve, reject) => {
      const x = tar.x({ cwd: out });
      x.on('close', () => resolve());
      x.on('error', reject);
      x.end(tarBytes);
    });
    return out;
  };

  it('holds exactly the given files, names starting with - or @ and links as links, gzip-compressed', async () => {
    const gz = await bytesOf(await packFiles(base, ['src/deep/ünï code.txt', '-dash.txt', '@at.txt', 'src/link', ...many], { zip: 'gzip' }));
    assert.deepEqual([...gz.subarray(0, 2)], [0x1f, 0x8b]);
    const out = await unpack(gunzipSync(gz as unknown as Uint8Array));
    assert.equal(readFileSync(join(out, 'src/deep/ünï code.txt'), 'utf8'), 'unicode\n');
    assert.equal(readFileSync(join(out, '-dash.txt'), 'utf8'), 'dash\n');
    assert.equal(readFileSync(join(out, '@at.txt'), 'utf8'), 'at\n');
    assert.equal(readlinkSync(join(out, 'src/link')), 'deep/ünï code.txt');
    assert.equal(readFileSync(join(out, 'many/f69'), 'utf8'), '69\n');
    assert.throws(() => readFileSync(join(out, 'not-sent.txt')));
  });

  it('packs with this machine\'s zstd, byte for byte', async () => {
    const zstd = await findZstd();
    assert.ok(zstd, 'zstd is not on the PATH (scripts/setup-test-env.sh installs it)');
    const zst = await bytesOf(await packFiles(base, ['src/deep/ünï code.txt', 'src/link', ...many], { zip: 'zstd', encoder: 'command', command: zstd }));
    assert.deepEqual([...zst.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd]);
    const out = await unpack(execFileSync(zstd, ['-d', '-c', '-q'], { input: zst as unknown as Uint8Array }));
    assert.equal(readFileSync(join(out, 'src/deep/ünï code.txt'), 'utf8'), 'unicode\n');
    assert.equal(readlinkSync(join(out, 'src/link')), 'deep/ünï code.txt');
    assert.equal(readFileSync(join(out, 'many/f69'), 'utf8'), '69\n');
  });

  it('sends plain tar when asked', async () => {
    const plain = await bytesOf(await packFiles(base, ['-dash.txt'], { zip: 'tar' }));
    assert.equal(readFileSync(join(await unpack(plain), '-dash.txt'), 'utf8'), 'dash\n');
  });

  for (const encoding of [{ zip: 'tar' }, { zip: 'gzip' }, { zip: 'zstd', encoder: 'command', command: 'zstd' }] as const) {
    it(`fails when a file cannot be read, rather than sending a tree with a hole (${encoding.zip})`, async () => {
      await assert.rejects(bytesOf(await packFiles(base, ['-dash.txt', 'gone.txt', ...many], encoding)), /tar could not pack the files: tar: gone\.txt: Cannot stat/);
    });
  }

  it('fails when the zstd encoder fails, after what it put out', async () => {
    const broken = join(base, 'zstd');
    writeFileSync(broken, '#!/bin/sh\nhead -c 100 >/dev/null\nprintf partial\necho "zstd: out of memory" >&2\nexit 1\n');
    chmodSync(broken, 0o755);
    await assert.rejects(bytesOf(await packFiles(base, ['-dash.txt', ...many], { zip: 'zstd', encoder: 'command', command: broken })), /zstd could not pack the files: zstd: out of memory/);
    await assert.rejects(bytesOf(await packFiles(base, ['-dash.txt'], { zip: 'zstd', encoder: 'command', command: join(base, 'absent') })), /zstd could not pack the files: spawn .*absent ENOENT/);
  });
});
