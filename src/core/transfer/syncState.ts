/**
 * What the laptop remembers of a synced tree on a host, so that a sync with nothing to send is one
 * round trip: the paths and content hashes the host's workdir holds after the last sync, and the
 * host's token for that state (src/host/transfer/sync.sh). The host checks the token before
 * anything is trusted, so a stale or foreign file here costs a full compare, never a stale tree.
 * One JSON file per host, remote workdir, tree name and local root, under `$XDG_CACHE_HOME/orch`
 * (0600 in a 0700 directory); it holds paths and hashes only, never file contents or settings.
 */
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import * as path from 'node:path';
import { isSafeRelativePath } from './paths';

export interface SyncState {
  /** The host's token after the last sync (`none`: it had no list). */
  token: string;
  /** Path → sha256 (or `link:…`) of what the host's workdir holds for this tree. */
  files: Record<string, string>;
  /** The host's compressors (`zstd`, `gzip`), as it last reported them. */
  zips: string[];
}

export interface SyncKey {
  host: string;
  workdir: string;
  name: string;
  root: string;
}

const VERSION = 1;

export function syncStateFile(key: SyncKey, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || homedir(), '.cache');
  const id = createHash('sha256').update([key.host, key.workdir, key.name, path.resolve(key.root)].join('\0')).digest('hex').slice(0, 20);
  return path.join(base, 'orch', `sync-${id}.json`);
}

function valid(s: unknown, key: SyncKey): s is SyncState {
  const o = s as Partial<SyncState & SyncKey & { version: number }>;
  if (!o || o.version !== VERSION || o.host !== key.host || o.workdir !== key.workdir || o.name !== key.name || o.root !== path.resolve(key.root)) return false;
  if (typeof o.token !== 'string' || !/^([0-9a-f]{64}|none)$/.test(o.token)) return false;
  if (!Array.isArray(o.zips) || !o.zips.every((z) => z === 'zstd' || z === 'gzip')) return false;
  if (!o.files || typeof o.files !== 'object') return false;
  return Object.entries(o.files).every(([p, h]) => isSafeRelativePath(p) && typeof h === 'string');
}

/** The remembered state, or undefined when there is none or it cannot be trusted as a file. */
export async function loadSyncState(file: string, key: SyncKey): Promise<SyncState | undefined> {
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    if (!valid(parsed, key)) return undefined;
    return { token: parsed.token, files: parsed.files, zips: parsed.zips };
  } catch {
    return undefined; // none yet, unreadable or corrupt: the host is asked for its files
  }
}

export async function saveSyncState(file: string, key: SyncKey, state: SyncState): Promise<void> {
  try {
    const dir = path.dirname(file);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await chmod(dir, 0o700);
    const tmp = `${file}.${process.pid}.tmp`;
    const body = { version: VERSION, host: key.host, workdir: key.workdir, name: key.name, root: path.resolve(key.root), ...state };
    await writeFile(tmp, JSON.stringify(body), { mode: 0o600 });
    await rename(tmp, file);
  } catch {
    // a state that cannot be written only costs the next sync a full compare
  }
}
