import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs, type BigIntStats } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors';
import type { HashCache } from './hashCache';
import { asBytes, isSafeRelativePath } from './paths';

/** One local file to transfer: its path relative to the root (with `/`), content hash and size. */
export interface LocalFile {
  path: string;
  sha256: string;
  size: number;
}

export interface LocalFileList {
  files: LocalFile[];
  /** Paths left out: symlinks pointing outside the root, sockets, unreadable entries. */
  skipped: string[];
}

function git(args: string[], cwd: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr: stderr.toString() }));
      else resolve(stdout);
    });
  });
}

/**
 * Git-tracked and untracked-not-ignored files under `root` (what `git status` would consider),
 * without a shell. A directory that is not in a git work tree is refused: syncing a whole home
 * directory by accident would be worse than a clear message.
 */
export async function listGitFiles(root: string): Promise<string[]> {
  let out: Buffer;
  try {
    out = await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], root);
  } catch (e) {
    const msg = String((e as { stderr?: string }).stderr ?? '');
    if (/not a git repository/i.test(msg)) {
      throw new UserError(`--sync needs a git repository: ${root} is not in one (run \`git init\`, or upload data with --data-dirs).`);
    }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError('--sync needs git, which was not found on this machine.');
    throw new UserError(`Could not list the workspace files with git in ${root}: ${msg.trim() || String(e)}`, { cause: e });
  }
  const names = out.toString('utf8').split('\0').filter((n) => n !== '');
  return [...new Set(names)].sort();
}

/** Every file under `root/rel` (recursively), as paths relative to `root`. */
export async function listDirFiles(root: string, rel: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(relDir: string): Promise<void> {
    const entries = await fs.readdir(path.join(root, relDir), { withFileTypes: true });
    for (const e of entries) {
      const child = relDir ? `${relDir}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(child);
      else found.push(child);
    }
  }
  await walk(rel);
  return found.sort();
}

/** The hash of a file too big to read in one call, and how many bytes it was. */
function sha256File(file: string): Promise<{ sha256: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    let bytes = 0;
    createReadStream(file)
      .on('data', (c) => {
        const b = typeof c === 'string' ? Buffer.from(c) : c;
        bytes += b.length;
        h.update(asBytes(b));
      })
      .on('error', reject)
      .on('end', () => resolve({ sha256: h.digest('hex'), bytes }));
  });
}

/** A symlink is sent as a link only when it is relative and resolves inside the root. */
async function symlinkStaysInside(root: string, rel: string): Promise<{ ok: boolean; target: string }> {
  const target = await fs.readlink(path.join(root, rel));
  if (path.isAbsolute(target)) return { ok: false, target };
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(rel), target));
  return { ok: isSafeRelativePath(resolved), target };
}

type Found = { file: LocalFile; st?: BigIntStats } | { skip: string } | undefined;

/** Runs `one` over `items`, several at once; the results in order. */
async function inParallel<T, R>(items: readonly T[], one: (item: T) => Promise<R>): Promise<R[]> {
  // Several files at once: one after another, a tree of small files waits on each open, read and
  // close in turn (3,000 files: ~2.8 s one by one on this machine).
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await one(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HASH_CONCURRENCY, items.length) }, worker));
  return results;
}

function listOf(found: readonly Found[]): LocalFileList {
  const files: LocalFile[] = [];
  const skipped: string[] = [];
  for (const r of found) {
    if (r && 'file' in r) files.push(r.file);
    else if (r) skipped.push(r.skip);
  }
  return { files, skipped };
}

/**
 * Hashes the given files. Deleted-but-tracked files are dropped, symlinks are hashed by their
 * target text, and anything unsafe (a path with `..`, a symlink pointing out) is skipped.
 * Every path is looked at (lstat) before any file is read, and `onFound` gets the files found,
 * with their sizes and without hashes, as soon as that is done: a first upload sends them while
 * they are hashed, rather than after a second look that would wait behind these reads. A file read is given the size it had
 * when read, so a file that changed between the look and the read shows in its size.
 */
export async function hashLocalFiles(root: string, relPaths: readonly string[], cache?: HashCache, onFound?: (found: LocalFileList) => void): Promise<LocalFileList> {
  const found = await inParallel(relPaths, (rel) => classify(root, rel));
  onFound?.(listOf(found));
  const hashed = await inParallel(found, async (f): Promise<Found> => {
    if (!f || !('st' in f) || !f.st) return f;
    const { st, file } = f;
    const rel = file.path;
    const known = cache?.get(rel, st);
    let read: { sha256: string; bytes: number };
    if (known !== undefined) read = { sha256: known, bytes: file.size };
    else {
      const abs = path.join(root, rel);
      if (file.size > READ_WHOLE_MAX) read = await sha256File(abs);
      else {
        const content = await fs.readFile(abs);
        read = { sha256: createHash('sha256').update(asBytes(content)).digest('hex'), bytes: content.length };
      }
    }
    cache?.set(rel, st, read.sha256);
    return { file: { ...file, sha256: read.sha256, size: read.bytes } };
  });
  return listOf(hashed);
}

/**
 * Paths in flight at once: with the hashes remembered most of a sync is lstat calls, and 64 at
 * a time took 3,000 of them in 31-43 ms where 16 took 37-81 ms on this machine (under load).
 */
const HASH_CONCURRENCY = 64;
/** Files up to this size are read in one call rather than streamed (64 of them: 16 MB at most). */
const READ_WHOLE_MAX = 256 * 1024;

/** What a path is, from its lstat (a regular file comes with its stat and an empty hash). */
async function classify(root: string, rel: string): Promise<Found> {
  if (!isSafeRelativePath(rel)) return { skip: rel };
  let st;
  try {
    st = await fs.lstat(path.join(root, rel), { bigint: true });
  } catch {
    return undefined; // tracked but deleted in the work tree
  }
  if (st.isSymbolicLink()) {
    const link = await symlinkStaysInside(root, rel);
    if (!link.ok) return { skip: rel };
    return { file: { path: rel, sha256: 'link:' + createHash('sha256').update(link.target).digest('hex'), size: 0 } };
  }
  if (st.isFile()) return { file: { path: rel, sha256: '', size: Number(st.size) }, st };
  return st.isDirectory() ? undefined : { skip: rel };
}
