/**
 * Logs that outlive the box (PRODUCT.md §9): every log the CLI or the extension read whole (or
 * followed from its start) is kept under the user's cache dir, one file per host and job, so
 * `orch logs` and Show Logs still work while the host is stopped or unreachable. Bounded in size
 * (ORCH_LOG_CACHE_MB / cloudJobs.logCacheMB, default 200; 0 keeps nothing): the least recently
 * written logs go first. A file appears whole (written aside, then renamed).
 */
import { createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const DEFAULT_LOG_CACHE_MB = 200;

export interface CachedLog {
  host: string;
  job: string;
  bytes: Buffer;
  /** When it was written (ISO 8601). */
  savedAt: string;
  /** It ends with the runner's `[EXIT: N]` line: the job had ended. */
  complete: boolean;
}

/** `$XDG_CACHE_HOME/orch/logs`, else `~/.cache/orch/logs` (macOS `~/Library/Caches`, Windows `%LOCALAPPDATA%`). */
export function logCacheDir(env: NodeJS.ProcessEnv): string {
  if (env.XDG_CACHE_HOME) return path.join(env.XDG_CACHE_HOME, 'orch', 'logs');
  const home = env.HOME || os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Caches', 'orch', 'logs');
  if (process.platform === 'win32' && env.LOCALAPPDATA) return path.join(env.LOCALAPPDATA, 'orch', 'logs');
  return path.join(home, '.cache', 'orch', 'logs');
}

/** The size bound in bytes from ORCH_LOG_CACHE_MB (a bad value: the default). */
export function logCacheLimit(env: NodeJS.ProcessEnv): number {
  const v = env.ORCH_LOG_CACHE_MB;
  const mb = v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) && Number(v) >= 0 ? Number(v) : DEFAULT_LOG_CACHE_MB;
  return Math.floor(mb * 1024 * 1024);
}

const endsWithExit = (b: Buffer): boolean => /(^|\n)\[EXIT: \d+\]\n?$/.test(b.subarray(Math.max(0, b.length - 64)).toString('latin1'));

/** One log being written into the cache as it is read. */
export interface CacheFill {
  /** A promise when the file is behind (resolves once it caught up): a reader may wait for it. */
  write(chunk: Buffer): void | Promise<void>;
  /** Makes what was written the cached log (a partial follow counts: it is a true prefix). */
  commit(): Promise<void>;
  discard(): Promise<void>;
}

export class LogCache {
  constructor(
    readonly dir: string,
    /** Bytes; 0 turns the cache off. */
    readonly limit: number,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv): LogCache {
    return new LogCache(logCacheDir(env), logCacheLimit(env));
  }

  private file(host: string, job: string): string {
    return path.join(this.dir, encodeURIComponent(host), `${job}.log`);
  }

  /** Starts caching a log read from its first byte; nothing is cached when the cache is off. */
  async fill(host: string, job: string): Promise<CacheFill> {
    if (this.limit <= 0) return { write: () => undefined, commit: async () => undefined, discard: async () => undefined };
    const final = this.file(host, job);
    await fs.mkdir(path.dirname(final), { recursive: true, mode: 0o700 });
    const tmp = `${final}.tmp-${process.pid}-${Date.now()}`;
    const out: WriteStream = createWriteStream(tmp, { mode: 0o600 });
    let failed = false;
    out.on('error', () => (failed = true));
    const closed = (): Promise<void> => new Promise((resolve) => (out.closed ? resolve() : out.end(() => resolve())));
    return {
      write: (chunk) => {
        if (failed || out.write(chunk)) return;
        return new Promise<void>((resolve) => {
          const go = (): void => {
            out.off('drain', go);
            out.off('close', go);
            resolve();
          };
          out.on('drain', go);
          out.on('close', go);
        });
      },
      commit: async () => {
        await closed();
        if (failed) return void (await fs.rm(tmp, { force: true }));
        await fs.rename(tmp, final);
        await this.evict(final);
      },
      discard: async () => {
        await closed();
        await fs.rm(tmp, { force: true });
      },
    };
  }

  async save(host: string, job: string, bytes: Buffer): Promise<void> {
    const f = await this.fill(host, job);
    f.write(bytes);
    await f.commit();
  }

  async read(host: string, job: string): Promise<CachedLog | undefined> {
    const f = this.file(host, job);
    try {
      const [bytes, st] = await Promise.all([fs.readFile(f), fs.stat(f)]);
      return { host, job, bytes, savedAt: st.mtime.toISOString(), complete: endsWithExit(bytes) };
    } catch {
      return undefined;
    }
  }

  /** The job's cached logs on every host (or only `host`), most recently saved first. */
  async find(job: string, host?: string): Promise<CachedLog[]> {
    const hosts = host !== undefined ? [encodeURIComponent(host)] : await fs.readdir(this.dir).catch(() => [] as string[]);
    const found = await Promise.all(hosts.map((h) => this.read(decodeURIComponent(h), job)));
    return found.filter((c): c is CachedLog => c !== undefined).sort((a, b) => b.savedAt.localeCompare(a.savedAt));
  }

  /** Oldest first until the cache fits its bound; `keep` (just written) goes last of all. */
  private async evict(keep: string): Promise<void> {
    const files: { f: string; size: number; mtime: number }[] = [];
    for (const h of await fs.readdir(this.dir).catch(() => [] as string[])) {
      for (const name of await fs.readdir(path.join(this.dir, h)).catch(() => [] as string[])) {
        if (!name.endsWith('.log')) continue;
        const f = path.join(this.dir, h, name);
        const st = await fs.stat(f).catch(() => undefined);
        if (st) files.push({ f, size: st.size, mtime: f === keep ? Infinity : st.mtimeMs });
      }
    }
    let total = files.reduce((n, x) => n + x.size, 0);
    for (const x of files.sort((a, b) => a.mtime - b.mtime)) {
      if (total <= this.limit) break;
      await fs.rm(x.f, { force: true });
      total -= x.size;
    }
  }
}
