/**
 * One call of a sync on the wire: the host script (src/host/transfer/sync.sh), its stdin (fields,
 * records, the tar stream) and its reply; and the plan of what one call sends. sync.ts decides
 * which calls to make.
 */
import { Readable } from 'node:stream';
import { UserError } from '../errors';
import type { ShellTarget } from '../../host/target';
import syncSh from '../../host/transfer/sync.sh';
import syncApplySh from '../../host/transfer/sync-apply.sh';
import { isSafeRelativePath } from './paths';
import { packFiles } from './pack';
import type { LocalFile } from './localFiles';
import type { SyncState } from './syncState';
import type { UploadEncoding } from './uploadEncoding';

/** A host script as sent: without its comment lines (they are for readers; every byte travels). */
const strip = (text: string): string =>
  text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n');
/** A check (the call of a sync with nothing to send) is sync.sh alone; an apply adds sync-apply.sh. */
export const CHECK_SCRIPT = strip(syncSh);
const APPLY_SCRIPT = strip(`${syncSh}\n${syncApplySh}`);

/** What the host holds of a tree: its token, path → hash of what is there, its compressors. */
export type HostView = SyncState;

export type Reply = { kind: 'same' } | { kind: 'done'; token: string } | { kind: 'report'; view: HostView };

export interface Call {
  mode: 'check' | 'apply';
  want: string;
  /** How the stream of the files to send is packed; none: no stream. */
  encoding?: UploadEncoding;
  reset: boolean;
  records: string;
}

function refuseUnsafe(host: string, p: string): void {
  if (!isSafeRelativePath(p)) throw new UserError(`Refusing to sync: the manifest on ${host} names "${p}", a path outside the remote workdir.`);
}

/** Reads the host's first line and, for a report, what follows it. */
export function parseReply(stdout: Buffer, host: string): Reply {
  const nl = stdout.indexOf(0x0a);
  const head = stdout.subarray(0, nl < 0 ? stdout.length : nl).toString('utf8').split(' ');
  const rest = nl < 0 ? Buffer.alloc(0) : stdout.subarray(nl + 1);
  if (head[0] === 'same') return { kind: 'same' };
  if (head[0] === 'done' && head[1]) return { kind: 'done', token: head[1] };
  if (head[0] !== 'report' || !head[2]) throw new Error(`unexpected reply from the host's sync script: ${head.join(' ').slice(0, 200)}`);
  const files: Record<string, string> = {};
  if (head[1] === 'list') {
    for (const entry of rest.toString('utf8').split('\0')) {
      if (entry === '') continue;
      const sep = entry.indexOf('  ');
      const p = entry.slice(sep + 2);
      refuseUnsafe(host, p);
      files[p] = entry.slice(0, sep);
    }
  } else if (head[1] === 'legacy') {
    try {
      const parsed = JSON.parse(rest.toString('utf8')) as { files?: unknown };
      if (parsed.files && typeof parsed.files === 'object') Object.assign(files, parsed.files);
    } catch {
      // unreadable: send everything, delete nothing
    }
    for (const p of Object.keys(files)) refuseUnsafe(host, p);
  }
  return { kind: 'report', view: { token: head[2], files, zips: head.slice(3).filter((z) => z === 'zstd' || z === 'gzip') } };
}

/** Every directory a path goes through (`a/b/c` → `a`, `a/b`): the host checks none is a symlink. */
function parentDirs(paths: readonly string[]): Set<string> {
  const dirs = new Set<string>();
  for (const p of paths) {
    for (let i = p.indexOf('/'); i > 0; i = p.indexOf('/', i + 1)) dirs.add(p.slice(0, i));
  }
  return dirs;
}

/** Below this many content bytes the upload is packed in memory: small enough to ride in the exec request. */
const PACK_IN_MEMORY_MAX = 256 * 1024;

async function stdinFor(localRoot: string, call: Call, fields: string[], send: readonly LocalFile[]): Promise<Buffer | Readable> {
  for (const f of fields) {
    if (f.includes('\0')) throw new UserError('A value sent to the host contains a NUL character, which a shell cannot carry.');
  }
  const records = Buffer.from(call.records, 'utf8');
  const head = Buffer.concat([Buffer.from(fields.map((f) => `${f}\0`).join('') + `${records.length}\0`, 'utf8'), records] as unknown as Uint8Array[]);
  if (send.length === 0 || !call.encoding) return head;
  const pack = await packFiles(localRoot, send.map((f) => f.path), call.encoding);
  if (send.reduce((n, f) => n + f.size, 0) <= PACK_IN_MEMORY_MAX) {
    const chunks: Buffer[] = [head];
    for await (const c of pack) chunks.push(c as Buffer);
    return Buffer.concat(chunks as unknown as Uint8Array[]);
  }
  return Readable.from((async function* () {
    yield head;
    yield* pack;
  })());
}

export async function callSync(target: ShellTarget, localRoot: string, remoteWorkdir: string, name: string, call: Call, send: readonly LocalFile[] = []): Promise<Reply> {
  const fields = [call.mode, remoteWorkdir, name, call.want, send.length > 0 ? (call.encoding?.zip ?? '') : '', call.reset ? '1' : '0'];
  const stdin = await stdinFor(localRoot, call, fields, send);
  const r = await target.exec(call.mode === 'check' ? CHECK_SCRIPT : APPLY_SCRIPT, { stdin });
  if (r.code !== 0) {
    const detail = r.stderr.trim().split('\n').pop() || `exit status ${String(r.code)}`;
    throw new UserError(`Could not sync to ${remoteWorkdir} on ${target.host}: ${detail}.`);
  }
  return parseReply(r.stdout, target.host);
}

export interface Plan {
  send: LocalFile[];
  remove: string[];
  /** What the host holds once this sync is done. */
  next: Record<string, string>;
}

export function planSync(files: readonly LocalFile[], held: Record<string, string>, deleteMissing: boolean): Plan {
  const local = new Set(files.map((f) => f.path));
  const send = files.filter((f) => held[f.path] !== f.sha256);
  const remove = deleteMissing ? Object.keys(held).filter((p) => !local.has(p)) : [];
  const next: Record<string, string> = deleteMissing ? {} : { ...held };
  for (const f of files) next[f.path] = f.sha256;
  return { send, remove, next };
}

/**
 * The records of one apply: P for each directory the changes go through, D for each deletion, A
 * for a sent path new to the host's list (after a reset, every sent path) and W for one already
 * in it; after a reset, K for each path kept as it is, so the list is built from the records.
 */
export function recordsFor(plan: Plan, held: Record<string, string>, reset: boolean): string {
  const sent = new Set(plan.send.map((f) => f.path));
  const parts = [...parentDirs([...sent, ...plan.remove])].map((d) => `P${d}\0`);
  for (const p of plan.remove) parts.push(`D${p}\0`);
  for (const p of sent) parts.push(`${reset || !(p in held) ? 'A' : 'W'}${p}\0`);
  if (reset) for (const p of Object.keys(plan.next)) if (!sent.has(p)) parts.push(`K${p}\0`);
  return parts.join('');
}
