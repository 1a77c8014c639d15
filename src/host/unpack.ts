/**
 * The client half of lib/pack.sh: a Writable that takes what a packed call prints (a header
 * byte, then zstd frames, gzip or the bytes as they are) and hands the original bytes, in order,
 * to a sink. Node 20's zlib has no zstd: zstd is decoded by a `zstd -d` of this machine when it
 * has one on the PATH (about 1 GB/s), else by fzstd (pure JS, no native part in the bundles; 70 to
 * 200 MB/s here: faster than any real link, slower than ssh2 on loopback); gzip by zlib.
 *
 * Every byte the sink gets is the next byte of the original: a call cut short leaves the sink
 * with a true prefix, which is what lets a follow resume at the exact byte of run.log it reached.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Readable } from 'node:stream';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Decompress } from 'fzstd';
import { usageError } from '../core/errors';

/* Evaluated when a zstd stream arrives: every command builds an engine (which imports this file), few read a log. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fzstd = (): typeof import('fzstd') => require('fzstd') as typeof import('fzstd');

/** What the client asks for: zstd where the host has it, else gzip, else plain. */
export const PACK_CODECS = 'zstd gzip';

/**
 * The codecs a CLI call asks for: PACK_CODECS for a remote host, plain for the local target;
 * `ORCH_COMPRESS=0` asks for plain everywhere (a host whose zstd misbehaves; measuring).
 */
export function packCodecs(env: NodeJS.ProcessEnv, remote: boolean): string {
  const raw = env.ORCH_COMPRESS ?? '';
  if (raw !== '' && raw !== '0' && raw !== '1') throw usageError(`ORCH_COMPRESS is "${raw}": give 0 to send logs and pulls uncompressed, 1 (the default) to compress them.`);
  return raw === '0' || !remote ? '' : PACK_CODECS;
}

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

/** A decoder that runs beside the stream (zlib's gunzip, a `zstd -d` process). */
interface StreamDecoder {
  input: Writable;
  output: Readable;
  /** Settles when the decoder has put out its last byte; rejects when the stream was not whole. */
  done: Promise<void>;
  stop(): void;
}

let zstdOnPath: Promise<string | undefined> | undefined;

/** This machine's `zstd`, looked up once per process (asynchronously: the extension host must not block). */
export function findZstd(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  return (zstdOnPath ??= (async () => {
    for (const dir of (env.PATH ?? '').split(delimiter)) {
      if (!dir) continue;
      const file = join(dir, process.platform === 'win32' ? 'zstd.exe' : 'zstd');
      try {
        await access(file, constants.X_OK);
        return file;
      } catch {
        // not in this dir
      }
    }
    return undefined;
  })());
}

export interface UnpackOptions {
  /** The `zstd` to decode with; null: fzstd always. Default: findZstd(). */
  zstdCommand?: string | null;
}

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
  private stream: StreamDecoder | undefined;
  private abandoned = false;

  constructor(
    private readonly sink: UnpackSink,
    private readonly options: UnpackOptions = {},
  ) {
    super({ highWaterMark: 64 * 1024 });
  }

  /** Stops delivering: after a lost connection nothing more may reach the sink (it resumes elsewhere). */
  abandon(): void {
    this.abandoned = true;
    this.stream?.stop();
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
    const data = chunk;
    if (data.length === 0) return cb();
    if (this.codec === undefined) {
      const codec = HEADERS[data[0]!];
      if (!codec) return cb(new Error(`the host sent an unknown pack header (byte ${data[0]})`));
      this.codec = codec;
      const rest = data.subarray(1);
      if (codec === 'gzip') this.startStream(gunzipDecoder());
      if (codec !== 'zstd') return settle(() => this.feed(rest), cb);
      const command = this.options.zstdCommand === undefined ? findZstd() : Promise.resolve(this.options.zstdCommand ?? undefined);
      return settle(async () => {
        const bin = await command;
        if (bin) this.startStream(zstdDecoder(bin));
        else this.zstd = new (fzstd().Decompress)((out) => this.zstdOut.push(Buffer.from(out.buffer, out.byteOffset, out.length)));
        return this.feed(rest);
      }, cb);
    }
    settle(() => this.feed(data), cb);
  }

  override _final(cb: (e?: Error | null) => void): void {
    if (this.stream) {
      this.stream.input.end();
      this.stream.done.then(() => cb(), (e: Error) => cb(e));
    } else if (this.zstd) {
      settle(() => this.zstdPush(new Uint8Array(0), true), cb);
    } else cb();
  }

  private feed(data: Buffer): void | Promise<void> {
    if (data.length === 0) return;
    if (this.codec === 'plain') return this.deliver(data);
    if (this.stream) return this.streamWrite(data);
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

  private startStream(d: StreamDecoder): void {
    this.stream = d;
    d.output.on('data', (out: Buffer) => {
      const pending = this.deliver(out);
      if (pending) {
        d.output.pause();
        pending.then(() => d.output.resume(), (e: Error) => this.destroy(e));
      }
    });
    d.done.catch((e: Error) => this.destroy(e));
  }

  private streamWrite(data: Buffer): void | Promise<void> {
    const input = this.stream!.input;
    if (input.write(data)) return;
    return new Promise((resolve) => {
      const go = (): void => {
        input.off('drain', go);
        input.off('close', go);
        resolve();
      };
      input.on('drain', go);
      input.on('close', go);
    });
  }
}

function gunzipDecoder(): StreamDecoder {
  const g = createGunzip();
  const done = new Promise<void>((resolve, reject) => {
    g.once('end', resolve);
    g.once('error', reject);
  });
  return { input: g, output: g, done, stop: () => g.destroy() };
}

/** `zstd -d` of this machine; its exit status says whether the stream was whole. */
function zstdDecoder(bin: string): StreamDecoder {
  const child = spawn(bin, ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (t: string) => (stderr = (stderr + t).slice(-2000)));
  // A zstd that stopped on bad input closes its stdin: the exit status below says why.
  child.stdin.on('error', () => undefined);
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`zstd -d: ${stderr.trim() || `exit status ${String(code)}`}`))));
  });
  return { input: child.stdin, output: child.stdout, done, stop: () => child.kill() };
}

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
