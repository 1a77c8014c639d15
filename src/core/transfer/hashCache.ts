/**
 * Content hashes of a workspace's files remembered between syncs, so an unchanged file is not
 * read again (rsync's size-and-time check, with git's care): an entry counts only while the
 * file's size, mtime, ctime and inode are all unchanged, and a file modified within the last
 * two seconds before hashing is not remembered (it could change again within the same
 * timestamp). One JSON file per workspace under `$XDG_CACHE_HOME/orch` (default `~/.cache/orch`);
 * it holds paths and hashes only, and a broken or foreign one is ignored.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import type { BigIntStats } from 'node:fs';

export interface HashCache {
  get(rel: string, st: BigIntStats): string | undefined;
  set(rel: string, st: BigIntStats, sha256: string): void;
  save(): Promise<void>;
}

const RACY_NS = 2_000_000_000n;

const stamp = (st: BigIntStats): string => `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}`;

export function cacheFileFor(root: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || homedir(), '.cache');
  return path.join(base, 'orch', `hashes-${createHash('sha256').update(path.resolve(root)).digest('hex').slice(0, 20)}.json`);
}

export async function openHashCache(file: string, root: string): Promise<HashCache> {
  let old: Record<string, [string, string]> = {};
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as { root?: string; files?: Record<string, [string, string]> };
    if (parsed.root === path.resolve(root) && parsed.files && typeof parsed.files === 'object') old = parsed.files;
  } catch {
    // none yet, or unreadable: every file is hashed
  }
  const next: Record<string, [string, string]> = {};
  // Rewritten only when something differs: an unchanged tree costs no write.
  let changed = false;
  const startedNs = BigInt(Date.now()) * 1_000_000n;
  return {
    get(rel, st) {
      const e = old[rel];
      return e && e[0] === stamp(st) && typeof e[1] === 'string' ? e[1] : undefined;
    },
    set(rel, st, sha256) {
      if (startedNs - st.mtimeNs <= RACY_NS) return;
      const e: [string, string] = [stamp(st), sha256];
      if (old[rel]?.[0] !== e[0] || old[rel]?.[1] !== e[1]) changed = true;
      next[rel] = e;
    },
    async save() {
      if (!changed && Object.keys(next).length === Object.keys(old).length) return;
      try {
        await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify({ root: path.resolve(root), files: next }), { mode: 0o600 });
        await rename(tmp, file);
      } catch {
        // a cache that cannot be written only costs the next sync its reads
      }
    },
  };
}
