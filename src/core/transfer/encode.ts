/**
 * Packs a sync's tar stream as uploadEncoding.ts chose: zlib's gzip, Node's own zstd, or this
 * machine's `zstd` as a process (Node 20's zlib has none). A stream that could not be read whole
 * or an encoder that failed throws at the end of the stream, never a short one that looks whole:
 * the exec then fails and the host's script is stopped before it claims the upload.
 */
import { Readable, pipeline, type Transform } from 'node:stream';
import * as zlib from 'node:zlib';
import { findZstd } from '../../host/unpack';
import { spawnPacker } from './childProcess';
import { GZIP_LEVEL, ZSTD_LEVEL, type LocalEncoders, type UploadEncoding } from './uploadEncoding';

/** zlib's zstd where this Node has it; typed here since @types/node 20 does not know it. */
type NodeZstd = { createZstdCompress?: (o: { params: Record<number, number> }) => Transform; constants: { ZSTD_c_compressionLevel?: number } };

export async function localEncoders(): Promise<LocalEncoders> {
  const z = zlib as unknown as NodeZstd;
  return { nodeZstd: typeof z.createZstdCompress === 'function' && z.constants.ZSTD_c_compressionLevel !== undefined, zstdCommand: await findZstd() };
}

async function* through(source: AsyncIterable<Buffer>, transform: Transform): AsyncGenerator<Buffer> {
  // pipeline destroys the transform with the source's error, so reading it throws that error.
  pipeline(Readable.from(source), transform, () => undefined);
  for await (const c of transform) yield c as Buffer;
}

async function* zstdProcess(source: AsyncIterable<Buffer>, command: string): AsyncGenerator<Buffer> {
  const { child, exited, stderr } = spawnPacker(command, [`-${ZSTD_LEVEL}`, '-q', '-c']);
  let sourceFailed: { error: unknown } | undefined;
  // Only the source's own failure is recorded: zstd's stdin closing early (EPIPE) comes back
  // into this generator too, and zstd's exit status says more than that.
  const fed = Readable.from(
    (async function* () {
      const it = source[Symbol.asyncIterator]();
      let done = false;
      try {
        for (;;) {
          let r: IteratorResult<Buffer>;
          try {
            r = await it.next();
          } catch (error) {
            sourceFailed = { error };
            throw error;
          }
          if ((done = !!r.done)) return;
          yield r.value;
        }
      } finally {
        if (!done && !sourceFailed) await it.return?.();
      }
    })(),
  );
  // A source that failed must not end zstd's input as if it were whole: zstd is killed instead.
  pipeline(fed, child.stdin, (e) => (e ? child.kill() : undefined));
  try {
    for await (const c of child.stdout) yield c as Buffer;
    const code = await exited.catch((e: Error) => {
      throw new Error(`zstd could not pack the files: ${e.message}`);
    });
    if (sourceFailed) throw sourceFailed.error;
    if (code !== 0) throw new Error(`zstd could not pack the files: ${stderr().trim().split('\n').pop() || `exit status ${String(code)}`}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }
}

/** `tarStream` packed for the host as `encoding` says. */
export function encodeUpload(tarStream: AsyncIterable<Buffer>, encoding: UploadEncoding): AsyncIterable<Buffer> {
  switch (encoding.zip) {
    case 'tar':
      return tarStream;
    case 'gzip':
      return through(tarStream, zlib.createGzip({ level: GZIP_LEVEL }));
    case 'zstd': {
      if (encoding.encoder === 'command') return zstdProcess(tarStream, encoding.command);
      const z = zlib as unknown as Required<NodeZstd>;
      return through(tarStream, z.createZstdCompress({ params: { [z.constants.ZSTD_c_compressionLevel!]: ZSTD_LEVEL } }));
    }
  }
}
