/**
 * The client half of packed transfer (src/host/unpack.ts) on streams made by the real zstd and
 * gzip at level 1, as a host sends them: byte-exact in any slicing, memory bounded on a log that
 * packs 10,000:1, backpressure held, and a cut or corrupt stream refused instead of passed on.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { PACK_CODECS, Unpacker, findZstd, packCodecs, type UnpackOptions, type UnpackSink } from '../../../src/host/unpack';
import { UserError } from '../../../src/core/errors';

const pack = (codec: 'zstd' | 'gzip' | 'plain', data: Buffer): Buffer => {
  if (codec === 'plain') return Buffer.concat([Buffer.from('p'), data] as unknown as Uint8Array[]);
  const body = execFileSync(codec, ['-1', '-c'], { input: data, maxBuffer: 1 << 28 });
  return Buffer.concat([Buffer.from(codec === 'zstd' ? 'z' : 'g'), body] as unknown as Uint8Array[]);
};

const text = Buffer.from(Array.from({ length: 40000 }, (_, i) => `step ${i} loss=${Math.sin(i).toFixed(5)} lr=${(i % 13) * 1e-4}\n`).join(''));
const sha = (b: Buffer): string => createHash('sha256').update(b as unknown as Uint8Array).digest('hex');

/** zstd is decoded by this machine's `zstd -d` (the default where there is one) or by fzstd (null). */
const ZSTD_DECODERS = [{ name: 'zstd -d', zstdCommand: undefined }, { name: 'fzstd', zstdCommand: null }] as const;

async function unpack(sent: Buffer, slice: number, sink?: UnpackSink, options: UnpackOptions = {}): Promise<Buffer> {
  const got: Buffer[] = [];
  const u = new Unpacker(sink ?? ((c) => void got.push(c)), options);
  // The header byte alone first: a channel may cut anywhere.
  u.write(sent.subarray(0, 1));
  for (let i = 1; i < sent.length; i += slice) u.write(sent.subarray(i, i + slice));
  await u.finish();
  return Buffer.concat(got as unknown as Uint8Array[]);
}

describe('unpack: packed transfer, client side', function () {
  this.timeout(20000);

  it('finds the zstd of this machine (CI installs it)', async () => {
    assert.ok(await findZstd(), 'zstd on the PATH');
  });

  for (const [codec, options] of [['zstd -d', {}], ['fzstd', { zstdCommand: null }], ['gzip', {}], ['plain', {}]] as const) {
    it(`${codec}: the original bytes, whatever size the channel's chunks are`, async () => {
      const sent = pack(codec === 'zstd -d' || codec === 'fzstd' ? 'zstd' : codec, text);
      for (const slice of [7, 4096, sent.length]) {
        const got = await unpack(sent, slice, undefined, options);
        assert.equal(sha(got), sha(text), `${codec} in slices of ${slice}`);
      }
    });
  }

  for (const d of ZSTD_DECODERS) it(`${d.name}: a log that packs 10,000:1 is decoded a slice at a time (memory stays flat)`, async () => {
    // 400 MB of one repeated line, packed by the real zstd to some 40 KB, given in ONE write: fzstd
    // decodes all it is given at once, so without slicing the whole 400 MB would be held.
    const sent = Buffer.concat([Buffer.from('z'), execFileSync('bash', ['-c', "yes 'bench log line: the quick brown fox jumps over the lazy dog 0123456789 abcdef' | head -c 400000000 | zstd -1 -c"], { maxBuffer: 1 << 24 })] as unknown as Uint8Array[]);
    assert.ok(sent.length < 100_000, `packed to ${sent.length}`);
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let n = 0;
    const u = new Unpacker((c) => {
      if (++n % 64 === 0) peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      assert.ok(c.length > 0);
    }, { zstdCommand: d.zstdCommand });
    u.write(sent);
    await u.finish();
    assert.equal(u.bytes, 400_000_000);
    assert.equal(u.packedBytes, sent.length);
    // Holding the whole output would be 400 MB; garbage not yet collected on a busy machine is the rest.
    assert.ok(peak < 200e6, `at most ${(peak / 1e6).toFixed(0)} MB held while 400 MB went through`);
  });

  it('waits for a slow sink (backpressure) and still delivers every byte in order', async () => {
    for (const [codec, options] of [['zstd', {}], ['zstd', { zstdCommand: null }], ['gzip', {}]] as const) {
      const got: Buffer[] = [];
      let pending = 0;
      const slow: UnpackSink = (c) => {
        pending++;
        assert.equal(pending, 1, 'no chunk arrives while the one before is not taken');
        return new Promise((resolve) =>
          setImmediate(() => {
            got.push(c);
            pending--;
            resolve();
          }),
        );
      };
      await unpack(pack(codec, text), 65536, slow, options);
      assert.equal(sha(Buffer.concat(got as unknown as Uint8Array[])), sha(text), codec);
    }
  });

  it('refuses a cut stream, a corrupt one and an unknown header, having passed on only a true prefix', async () => {
    for (const [codec, options] of [['zstd', {}], ['zstd', { zstdCommand: null }], ['gzip', {}]] as const) {
      const sent = pack(codec, text);
      const got: Buffer[] = [];
      const u = new Unpacker((c) => void got.push(c), options);
      u.write(sent.subarray(0, Math.floor(sent.length / 2)));
      await assert.rejects(u.finish(), `${codec}: a cut stream is an error`);
      const prefix = Buffer.concat(got as unknown as Uint8Array[]);
      assert.ok(prefix.length < text.length && text.subarray(0, prefix.length).equals(prefix), `${codec}: what came is a prefix`);
    }
    for (const [codec, options] of [['zstd', {}], ['zstd', { zstdCommand: null }], ['gzip', {}]] as const) {
      const bad = pack(codec, text);
      bad[40] = bad[40]! ^ 0xff;
      await assert.rejects(unpack(bad, 4096, undefined, options), `${codec} ${JSON.stringify(options)}: corrupt`);
    }
    await assert.rejects(unpack(Buffer.from('Xhello'), 10), /unknown pack header/);
  });

  it('ORCH_COMPRESS: unset or 1 packs for a remote host, 0 never, the local target never; anything else is refused', () => {
    assert.equal(packCodecs({}, true), PACK_CODECS);
    assert.equal(packCodecs({ ORCH_COMPRESS: '1' }, true), PACK_CODECS);
    assert.equal(packCodecs({ ORCH_COMPRESS: '' }, true), PACK_CODECS);
    assert.equal(packCodecs({ ORCH_COMPRESS: '0' }, true), '');
    assert.equal(packCodecs({}, false), '');
    assert.throws(() => packCodecs({ ORCH_COMPRESS: 'zstd' }, true), (e: unknown) => e instanceof UserError && e.exitCode === 2 && /ORCH_COMPRESS is "zstd"/.test(e.message));
  });
});
