/**
 * `--sync`, `--data-dirs` and the extension's sync before a run: which calls a sync makes (the
 * check of the remembered state, then the changes, or the host's own hashes when the state does
 * not hold). One call on the wire is syncCall.ts; what is remembered is syncState.ts.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { ShellTarget } from '../../host/target';
import { isSafeRelativePath } from './paths';
import { warmPacker } from './pack';
import { localEncoders } from './encode';
import { chooseUploadEncoding } from './uploadEncoding';
import { callSync, planSync, recordsFor, type HostView, type Plan, type Reply } from './syncCall';
import { cacheFileFor, openHashCache } from './hashCache';
import { hashLocalFiles, listDirFiles, listGitFiles, type LocalFile, type LocalFileList } from './localFiles';
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
  const reply = callSync(target, localRoot, remoteWorkdir, name, { mode: 'check', want: remembered?.token ?? '', reset: false, records: '' });
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
  // Changes against the remembered state go at once: their call carries the token too, and the
  // host refuses (and reports) them if it does not hold, so the check's answer is not waited for.
  if (open.remembered) {
    const plan = planSync(local, open.remembered.files, opts.deleteMissing);
    if (plan.send.length > 0 || plan.remove.length > 0) return applyLoop(target, localRoot, remoteWorkdir, key, local, skipped, opts.deleteMissing, open.remembered, true);
  }
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
    const encoding = plan.send.length === 0 ? undefined : chooseUploadEncoding(view.zips, await localEncoders());
    const reply = await callSync(target, localRoot, remoteWorkdir, key.name, { mode: 'apply', want: view.token, encoding, reset: !trusted, records: recordsFor(plan, view.files, !trusted) }, plan.send);
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
  const encoding = found.files.length === 0 ? undefined : chooseUploadEncoding(view.zips, await localEncoders());
  const applying = callSync(target, localRoot, remoteWorkdir, key.name, { mode: 'apply', want: view.token, encoding, reset: true, records: recordsFor(plan, {}, true) }, plan.send);
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
  let foundNow: (found: LocalFileList) => void = () => undefined;
  const found = new Promise<LocalFileList>((resolve) => (foundNow = resolve));
  const listed = names.then(async (n) => {
    const cache = await openHashCache(cacheFileFor(localRoot), localRoot);
    const l = await hashLocalFiles(localRoot, n, cache, foundNow);
    await cache.save();
    return l;
  });
  const opening = names.then(() => openSync(target, localRoot, remoteWorkdir, WORKSPACE));
  // Awaited by syncWorkspace; a caller that gives up before it must not see an unhandled rejection.
  for (const p of [names, listed, opening]) p.catch(() => undefined);
  // The hashing's own look at every path (its first pass): a second look would queue behind its reads.
  return { names, listed, opening, find: () => Promise.race([found, listed]) };
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
