import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { ShellTarget } from '../../host/target';
import syncSh from '../../host/transfer/sync.sh';
import { isSafeRelativePath } from './paths';
import { packFiles, warmPacker } from './pack';
import { cacheFileFor, openHashCache } from './hashCache';
import { findLocalFiles, hashLocalFiles, listDirFiles, listGitFiles, type LocalFile, type LocalFileList } from './localFiles';
import { loadSyncState, saveSyncState, syncStateFile, type SyncKey, type SyncState } from './syncState';

/** What one sync did; a second sync of an unchanged tree reports `uploaded: 0, deleted: 0`. */
export interface SyncResult {
  uploaded: number;
  deleted: number;
  unchanged: number;
  /** Content bytes sent (file sizes, not tar overhead). */
  bytes: number;
  /** Local paths left out (symlinks pointing outside the root, special files). */
  skipped: string[];
}

/**
 * The host side (src/host/transfer/sync.sh), without its comment lines: they are for readers,
 * and every byte of the script travels with each call.
 */
const SYNC_SCRIPT = syncSh
  .split('\n')
  .filter((l) => !/^\s*#/.test(l))
  .join('\n');

/** What the host holds of a tree: its token, path → hash of what is there, its compressors. */
type HostView = SyncState;

type Reply = { kind: 'same' } | { kind: 'done'; token: string } | { kind: 'report'; view: HostView };

interface Call {
  mode: 'check' | 'apply';
  want: string;
  zip: '' | 'gzip' | 'tar';
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
  if (send.length === 0) return head;
  const pack = await packFiles(localRoot, send.map((f) => f.path), call.zip === 'gzip');
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

async function callSync(target: ShellTarget, localRoot: string, remoteWorkdir: string, name: string, call: Call, send: readonly LocalFile[] = []): Promise<Reply> {
  const fields = [call.mode, remoteWorkdir, name, call.want, call.zip, call.reset ? '1' : '0'];
  const stdin = await stdinFor(localRoot, call, fields, send);
  const r = await target.exec(SYNC_SCRIPT, { stdin });
  if (r.code !== 0) {
    const detail = r.stderr.trim().split('\n').pop() || `exit status ${String(r.code)}`;
    throw new UserError(`Could not sync to ${remoteWorkdir} on ${target.host}: ${detail}.`);
  }
  return parseReply(r.stdout, target.host);
}

interface Plan {
  send: LocalFile[];
  remove: string[];
  /** What the host holds once this sync is done. */
  next: Record<string, string>;
}

function planSync(files: readonly LocalFile[], held: Record<string, string>, deleteMissing: boolean): Plan {
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
function recordsFor(plan: Plan, held: Record<string, string>, reset: boolean): string {
  const sent = new Set(plan.send.map((f) => f.path));
  const parts = [...parentDirs([...sent, ...plan.remove])].map((d) => `P${d}\0`);
  for (const p of plan.remove) parts.push(`D${p}\0`);
  for (const p of sent) parts.push(`${reset || !(p in held) ? 'A' : 'W'}${p}\0`);
  if (reset) for (const p of Object.keys(plan.next)) if (!sent.has(p)) parts.push(`K${p}\0`);
  return parts.join('');
}

/** A changed workdir is reported and retried; one that keeps changing under the sync is an error. */
const ATTEMPTS = 3;

/** The first call of a sync: the remembered state and the host's answer to its token. */
export interface SyncOpening {
  remembered: SyncState | undefined;
  reply: Promise<Reply>;
}

/**
 * Loads what this laptop remembers of tree `name` in `remoteWorkdir` and asks the host whether its
 * token still holds (a check changes nothing on the host). Needs no local file: it may run while
 * the files are hashed.
 */
export async function openSync(target: ShellTarget, localRoot: string, remoteWorkdir: string, name: string): Promise<SyncOpening> {
  const remembered = await loadSyncState(syncStateFile({ host: target.host, workdir: remoteWorkdir, name, root: localRoot }), { host: target.host, workdir: remoteWorkdir, name, root: localRoot });
  const reply = callSync(target, localRoot, remoteWorkdir, name, { mode: 'check', want: remembered?.token ?? '', zip: '', reset: false, records: '' });
  reply.catch(() => undefined); // awaited by syncFiles; a caller that gives up first must not see an unhandled rejection
  return { remembered, reply };
}

/**
 * Sends `files` (relative to `localRoot`) to `remoteWorkdir`, only those whose hash differs from
 * what the host holds of tree `name`; with `deleteMissing`, files of that tree that are no longer
 * in `files` are removed on the host. Only the tree's own paths are ever deleted, only inside the
 * workdir. The first call checks the remembered state's token (syncState.ts; `opening`, which a
 * caller may start early); when it holds and nothing changed that is the whole sync, else one
 * more call sends the changes. When it does not hold (the host's tree changed behind it, or there
 * is no state) the host's reply is what it holds, hashed there, and the next call sends the
 * difference.
 */
export async function syncFiles(
  target: ShellTarget,
  localRoot: string,
  files: readonly LocalFile[] | Promise<LocalFileList>,
  remoteWorkdir: string,
  opts: { name: string; deleteMissing: boolean; skipped?: string[]; find?: () => Promise<LocalFileList> },
  opening: Promise<SyncOpening> = openSync(target, localRoot, remoteWorkdir, opts.name),
): Promise<SyncResult> {
  const key = { host: target.host, workdir: remoteWorkdir, name: opts.name, root: localRoot };
  const open = await opening;
  const hashed: Promise<LocalFileList> = Array.isArray(files) ? Promise.resolve({ files: files as LocalFile[], skipped: opts.skipped ?? [] }) : (files as Promise<LocalFileList>);
  if (opts.find && !open.remembered) {
    const first = await open.reply;
    if (first.kind === 'report' && Object.keys(first.view.files).length === 0) return firstUpload(target, localRoot, remoteWorkdir, key, first.view, opts.find, hashed, opts.deleteMissing);
  }
  const { files: local, skipped } = await hashed;
  const first = await open.reply;
  if (first.kind === 'done' || (first.kind === 'same' && !open.remembered)) throw new Error(`unexpected reply from the host's sync script: ${first.kind}`);
  return applyLoop(target, localRoot, remoteWorkdir, key, local, skipped, opts.deleteMissing, first.kind === 'report' ? first.view : open.remembered!, first.kind === 'same');
}

async function applyLoop(
  target: ShellTarget,
  localRoot: string,
  remoteWorkdir: string,
  key: SyncKey,
  local: readonly LocalFile[],
  skipped: string[],
  deleteMissing: boolean,
  view: HostView,
  trusted: boolean,
): Promise<SyncResult> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const plan = planSync(local, view.files, deleteMissing);
    const result: SyncResult = {
      uploaded: plan.send.length,
      deleted: plan.remove.length,
      unchanged: local.length - plan.send.length,
      bytes: plan.send.reduce((n, f) => n + f.size, 0),
      skipped,
    };
    if (trusted && plan.send.length === 0 && plan.remove.length === 0) return result;
    const zip = plan.send.length === 0 ? '' : view.zips.includes('gzip') ? 'gzip' : 'tar';
    const reply = await callSync(target, localRoot, remoteWorkdir, key.name, { mode: 'apply', want: view.token, zip, reset: !trusted, records: recordsFor(plan, view.files, !trusted) }, plan.send);
    if (reply.kind === 'done') {
      await saveSyncState(syncStateFile(key), key, { token: reply.token, files: plan.next, zips: view.zips });
      return result;
    }
    if (reply.kind !== 'report') throw new Error(`unexpected reply from the host's sync script: ${reply.kind}`);
    view = reply.view;
    trusted = false;
  }
  throw new UserError(`Could not sync to ${remoteWorkdir} on ${key.host}: the files there kept changing during the sync; run it again.`);
}

/**
 * The host holds nothing of the tree: every file goes, whatever its hash, so the upload starts
 * as soon as the files are found and the hashes (for the state remembered after it) are made
 * meanwhile. A tree that changed between the two looks is not remembered: the next sync compares.
 */
async function firstUpload(
  target: ShellTarget,
  localRoot: string,
  remoteWorkdir: string,
  key: SyncKey,
  view: HostView,
  find: () => Promise<LocalFileList>,
  hashed: Promise<LocalFileList>,
  deleteMissing: boolean,
): Promise<SyncResult> {
  const found = await find();
  const plan: Plan = { send: found.files, remove: [], next: {} };
  const zip = found.files.length === 0 ? '' : view.zips.includes('gzip') ? 'gzip' : 'tar';
  const applying = callSync(target, localRoot, remoteWorkdir, key.name, { mode: 'apply', want: view.token, zip, reset: true, records: recordsFor(plan, {}, true) }, plan.send);
  applying.catch(() => undefined);
  const listed = await hashed;
  const reply = await applying;
  if (reply.kind === 'report') return applyLoop(target, localRoot, remoteWorkdir, key, listed.files, listed.skipped, deleteMissing, reply.view, false);
  if (reply.kind !== 'done') throw new Error(`unexpected reply from the host's sync script: ${reply.kind}`);
  const same = listed.files.length === found.files.length && listed.files.every((f, i) => f.path === found.files[i]!.path && f.size === found.files[i]!.size);
  if (same) await saveSyncState(syncStateFile(key), key, { token: reply.token, files: Object.fromEntries(listed.files.map((f) => [f.path, f.sha256])), zips: view.zips });
  return { uploaded: found.files.length, deleted: 0, unchanged: 0, bytes: found.files.reduce((n, f) => n + f.size, 0), skipped: found.skipped };
}

/** The workspace's files being listed and hashed, and the host asked: a caller may start it early. */
export interface PreparedWorkspace {
  /** What git lists (rejects outside a repository). */
  names: Promise<string[]>;
  listed: Promise<LocalFileList>;
  /** The files found without being read (a first upload sends them while `listed` hashes them). */
  find: () => Promise<LocalFileList>;
  /** The first call, made once git has listed the files (nothing reaches the host for a directory outside git). */
  opening: Promise<SyncOpening>;
}

export function prepareWorkspace(target: ShellTarget, localRoot: string, remoteWorkdir: string): PreparedWorkspace {
  warmPacker();
  const names = listGitFiles(localRoot);
  const listed = names.then(async (n) => {
    const cache = await openHashCache(cacheFileFor(localRoot), localRoot);
    const l = await hashLocalFiles(localRoot, n, cache);
    await cache.save();
    return l;
  });
  const opening = names.then(() => openSync(target, localRoot, remoteWorkdir, WORKSPACE));
  // Awaited by syncWorkspace; a caller that gives up before it must not see an unhandled rejection.
  for (const p of [names, listed, opening]) p.catch(() => undefined);
  return { names, listed, opening, find: async () => findLocalFiles(localRoot, await names) };
}

const WORKSPACE = 'workspace';

/**
 * Uploads the workspace at `localRoot` (git-tracked and untracked-not-ignored files) to
 * `remoteWorkdir`, incrementally by content hash, propagating deletions.
 */
export async function syncWorkspace(
  target: ShellTarget,
  localRoot: string,
  remoteWorkdir: string,
  prepared: PreparedWorkspace = prepareWorkspace(target, localRoot, remoteWorkdir),
): Promise<SyncResult> {
  await prepared.names;
  return syncFiles(target, localRoot, prepared.listed, remoteWorkdir, { name: WORKSPACE, deleteMissing: true, find: prepared.find }, prepared.opening);
}

/** Where a local data dir lands under the workdir: its path relative to `base`, or its name when outside. */
export function dataDirDestination(base: string, dir: string): { root: string; rel: string } {
  const abs = path.resolve(base, dir);
  const rel = path.relative(base, abs).split(path.sep).join('/');
  if (rel !== '' && isSafeRelativePath(rel)) return { root: base, rel };
  return { root: path.dirname(abs), rel: path.basename(abs) };
}

/**
 * Uploads each local dir to `<workdir>/<its path relative to base>` (a dir outside `base` goes to
 * `<workdir>/<its name>`), incrementally; files removed locally are left on the host.
 */
export async function uploadDirs(target: ShellTarget, localDirs: readonly string[], remoteWorkdir: string, base: string = process.cwd()): Promise<SyncResult> {
  const total: SyncResult = { uploaded: 0, deleted: 0, unchanged: 0, bytes: 0, skipped: [] };
  for (const dir of localDirs) {
    const { root, rel } = dataDirDestination(base, dir);
    let names: string[];
    try {
      names = await listDirFiles(root, rel);
    } catch (e) {
      throw new UserError(`Data dir ${dir} cannot be read: ${(e as Error).message}.`, { exitCode: 2, cause: e });
    }
    const key = 'data-' + createHash('sha256').update(rel).digest('hex').slice(0, 16);
    const opening = openSync(target, root, remoteWorkdir, key);
    opening.catch(() => undefined);
    const r = await syncFiles(target, root, hashLocalFiles(root, names), remoteWorkdir, { name: key, deleteMissing: false }, opening);
    total.uploaded += r.uploaded;
    total.unchanged += r.unchanged;
    total.bytes += r.bytes;
    total.skipped.push(...r.skipped);
  }
  return total;
}
