/**
 * One packed call (lib/pack.sh) read to its end: the original bytes go to `out` with its
 * backpressure (memory stays flat for any log), or are collected into the result's stdout.
 */
import type { Writable } from 'node:stream';
import type { ExecResult } from '../../host/target';
import { Unpacker, type UnpackSink } from '../../host/unpack';

export async function readPacked(call: (stdout: Writable) => Promise<ExecResult>, out?: Writable): Promise<ExecResult> {
  const chunks: Buffer[] = [];
  const sink: UnpackSink = out
    ? (c) => {
        if (out.write(c)) return;
        return new Promise<void>((resolve) => {
          const done = (): void => {
            out.off('drain', done);
            out.off('close', done);
            resolve();
          };
          out.on('drain', done);
          out.on('close', done);
        });
      }
    : (c) => void chunks.push(c);
  const unpacker = new Unpacker(sink);
  // A closed stdout (orch logs | head) ends the call, as piping the channel into it did.
  const outFailed = (e: Error): void => void unpacker.destroy(e);
  out?.once('error', outFailed);
  try {
    const res = await call(unpacker);
    if (res.code === 0) await unpacker.finish();
    else unpacker.abandon();
    return chunks.length ? { ...res, stdout: Buffer.concat(chunks as unknown as Uint8Array[]) } : res;
  } catch (e) {
    unpacker.abandon();
    throw e;
  } finally {
    out?.off('error', outFailed);
  }
}
