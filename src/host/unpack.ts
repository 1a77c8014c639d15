/**
 * The client half of lib/pack.sh: a Writable that takes what a packed call prints (a header
 * byte, then zstd frames, gzip or the bytes as they are) and hands the original bytes, in order,
 * to a sink. Node 20's zlib has no zstd, so zstd is decoded by fzstd (pure JS, no native part in
 * the bundles); gzip by zlib.
 *
 * Every byte the sink gets is the next byte of the original: a call cut short leaves the sink
 * with a true prefix, which is what lets a follow resume at the exact byte of run.log it reached.
 */
import { Writable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import type { Decompress } from 'fzstd';

/* Evaluated when a zstd stream arrives: every command builds an engine (which imports this file), few read a log. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fzstd = (): typeof import('fzstd') => require('fzstd') as typeof import('fzstd');

/** What the client asks for: zstd where the host has it, else gzip, else plain. */
export const PACK_CODECS = 'zstd gzip';

/** Gets the original bytes; a promise holds the stream back until it settles (backpressure). */
export type UnpackSink = (chunk: Buffer) => void | Promise<void>;

export type PackCodec = 'zstd' | 'gzip' | 'plain';

const HEADERS: Record<number, PackCodec> = { 0x7a: 'zstd', 0x67: 'gzip', 0x70: 'plain' };

/**
 * At most about this many decoded bytes from one push into the zstd decoder: a log line repeated
 * a million times packs 10,000:1, and fzstd decodes all it is given at once, so the input is
 * fed in slices sized by the ratio seen so far, keeping memory flat for any log.
 */
const ZSTD_BURST = 1 << 20;
const ZSTD_SLICE_MAX = 64 * 1024;

export class Unpacker extends Writable {
  /** The codec the header named; undefined until the first byte came. */
  codec: PackCodec | undefined;
  /** Bytes that came over the channel (header included). */
  packedBytes = 0;
  /** Bytes handed to the sink. */
  bytes = 0;
  private zstdIn = 0;
  private zstd: Decompress | undefined;
  private zstdOut: Buffer[] = [];
  private gunzip: Gunzip | undefined;
  private abandoned = false;

  constructor(private readonly sink: UnpackSink) {
    super({ highWaterMark: 64 * 1024 });
  }

  /** Stops delivering: after a lost connection nothing more may reach the sink (it resumes elsewhere). */
  abandon(): void {
    this.abandoned = true;
    this.gunzip?.destroy();
    this.destroy();
  }

  /** Ends the input and resolves once every byte reached the sink; rejects on a truncated or corrupt stream. */
  finish(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.once('error', reject);
      this.end((e?: Error | null) => (e ? reject(e) : resolve()));
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.packedBytes += chunk.length;
    let data = chunk;
    if (data.length === 0) return cb();
    if (this.codec === undefined) {
      const codec = HEADERS[data[0]!];
      if (!codec) return cb(new Error(`the host sent an unknown pack header (byte ${data[0]})`));
      this.codec = codec;
      data = data.subarray(1);
      if (codec === 'zstd') this.zstd = new (fzstd().Decompress)((out) => this.zstdOut.push(Buffer.from(out.buffer, out.byteOffset, out.length)));
      if (codec === 'gzip') this.startGunzip();
    }
    settle(() => this.feed(data), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (this.codec === 'zstd') {
      settle(() => this.zstdPush(new Uint8Array(0), true), cb);
    } else if (this.gunzip) {
      this.gunzip.once('end', () => cb());
      this.gunzip.once('error', cb);
      this.gunzip.end();
    } else cb();
  }

  private feed(data: Buffer): void | Promise<void> {
    if (data.length === 0) return;
    if (this.codec === 'plain') return this.deliver(data);
    if (this.codec === 'gzip') return this.gunzipWrite(data);
    return this.zstdFeed(data, 0);
  }

  private deliver(chunk: Buffer): void | Promise<void> {
    if (this.abandoned || chunk.length === 0) return;
    this.bytes += chunk.length;
    return this.sink(chunk);
  }

  /** Feeds `data` from `at` in slices; synchronous while the sink is (a follow's is). */
  private zstdFeed(data: Buffer, at: number): void | Promise<void> {
    while (at < data.length) {
      // The ratio is unknown before the first slice: a small one (256 bytes) tells it.
      const n = this.zstdIn === 0 ? 256 : Math.max(64, Math.min(ZSTD_SLICE_MAX, Math.floor(ZSTD_BURST / Math.max(1, this.bytes / this.zstdIn))));
      const part = data.subarray(at, at + n);
      at += part.length;
      this.zstdIn += part.length;
      const pending = this.zstdPush(part, false);
      if (pending) {
        const next = at;
        return pending.then(() => this.zstdFeed(data, next));
      }
    }
  }

  private zstdPush(part: Uint8Array, final: boolean): void | Promise<void> {
    this.zstd!.push(part, final);
    const outs = this.zstdOut;
    this.zstdOut = [];
    for (let i = 0; i < outs.length; i++) {
      const pending = this.deliver(outs[i]!);
      if (pending) return outs.slice(i + 1).reduce<Promise<void>>((p, o) => p.then(() => this.deliver(o)), pending);
    }
  }

  private startGunzip(): void {
    const g = createGunzip();
    this.gunzip = g;
    g.on('data', (out: Buffer) => {
      const pending = this.deliver(out);
      if (pending) {
        g.pause();
        pending.then(() => g.resume(), (e: Error) => this.destroy(e));
      }
    });
    g.on('error', (e) => this.destroy(e));
  }

  private gunzipWrite(data: Buffer): void | Promise<void> {
    if (this.gunzip!.write(data)) return;
    return new Promise((resolve) => this.gunzip!.once('drain', resolve));
  }
}

/** Runs `step` and calls `cb` once, when it is done (now or later), with its error if any. */
function settle(step: () => void | Promise<void>, cb: (e?: Error | null) => void): void {
  let r: void | Promise<void>;
  try {
    r = step();
  } catch (e) {
    return cb(e as Error);
  }
  if (r) r.then(() => cb(), (e: Error) => cb(e));
  else cb();
}
