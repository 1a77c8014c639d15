/**
 * The connection helper's wire format on its Unix socket: one socket connection per request,
 * carrying frames of `type (1 byte) | length (4 bytes, big-endian) | payload`. Text payloads are
 * JSON; stdin and stdout are raw bytes, so a log streams through without re-encoding.
 */
import type { Socket } from 'node:net';

/** Bumped whenever a frame changes meaning; part of the socket's name, so versions never mix. */
export const HELPER_PROTOCOL = 1;

export const FRAME = {
  /** client → helper: the request (JSON `HelperRequest`), always first. */
  request: 0x48, // H
  /** client → helper: bytes for the script's stdin; `stdinEnd` closes it. */
  stdin: 0x49, // I
  stdinEnd: 0x45, // E
  /** client → helper: the user interrupted; the remote script gets SIGTERM. */
  abort: 0x41, // A
  /** client → helper: the answer to a passphrase question (JSON `{ answer?: string, error?: string }`). */
  answer: 0x50, // P
  /** helper → client: bytes of the script's stdout. */
  stdout: 0x4f, // O
  /** helper → client: a key passphrase is needed (JSON `{ keyFile }`). */
  question: 0x51, // Q
  /** helper → client: the end (JSON `HelperReply`), always last. */
  done: 0x58, // X
} as const;

export type HelperRequest =
  | { op: 'exec'; script: string; hasStdin: boolean; canAsk: boolean }
  /** Who the helper is (for `orch disconnect HOST`) and that it answers. */
  | { op: 'info' }
  /** End the connection and exit. */
  | { op: 'exit' };

export type HelperReply =
  | { ok: true; code: number | null; stderr: string }
  | { ok: true; info: { pid: number; host: string; user: string; port: number; connected: boolean } }
  /** The connection dropped before the exit status: the script's fate is unknown. */
  | { ok: false; lost: true }
  /** A failure the user must read (host key refused, auth failed...): shown as is. */
  | { ok: false; userError: { message: string; exitCode: number } }
  | { ok: false; error: string };

const HEADER = 5;
/** Frames are cut to this size so one stdout chunk never holds the socket for long. */
export const MAX_PAYLOAD = 1 << 20;

export function frame(type: number, payload: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const head = Buffer.alloc(HEADER);
  head[0] = type;
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body] as unknown as Uint8Array[]);
}

/** Writes `payload` as frames of `type` of at most MAX_PAYLOAD bytes; false when the socket wants a pause. */
export function writeFrames(socket: Socket, type: number, payload: Buffer): boolean {
  let ok = true;
  let at = 0;
  do {
    ok = socket.write(frame(type, payload.subarray(at, at + MAX_PAYLOAD))) && ok;
    at += MAX_PAYLOAD;
  } while (at < payload.length);
  return ok;
}

/** Splits a byte stream into frames; `onFrame` gets each whole frame in order. */
export function frameReader(onFrame: (type: number, payload: Buffer) => void): (chunk: Buffer) => void {
  // Chunks wait in a list until a whole frame is there: joined once, not once per chunk.
  let parts: Buffer[] = [];
  let size = 0;
  let need = HEADER;
  return (chunk: Buffer) => {
    parts.push(chunk);
    size += chunk.length;
    while (size >= need) {
      let buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts as unknown as Uint8Array[]);
      parts = [buf];
      const len = buf.readUInt32BE(1);
      if (len > 64 * MAX_PAYLOAD) throw new Error(`a helper frame of ${len} bytes`);
      need = HEADER + len;
      if (size < need) break;
      onFrame(buf[0]!, buf.subarray(HEADER, need));
      buf = buf.subarray(need);
      parts = buf.length > 0 ? [buf] : [];
      size = buf.length;
      need = HEADER;
    }
  };
}
