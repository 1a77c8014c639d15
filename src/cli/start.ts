/**
 * What `bin/orch` and `bin/cloud-run` load first: the CLI bundle, compiled from a V8 code cache
 * kept on disk. Every `orch` command is a new process, and V8 compiling the 1.3 MB bundle took
 * about half of what Node's start-up itself costs (30 ms of 60 on a quiet machine); from the
 * cache it is a few ms. Node >= 22.1 has this built in (`module.enableCompileCache`), so there
 * the bundle is simply required; on older Nodes (20, Electron's) this file does the same job.
 *
 * The cache lives in the user's own cache directory (created 0700), never in a shared one:
 * compiled code read from a file is code run. Its name carries the bundle's path, size, times
 * and inode and the runtime's version, so a rebuilt or upgraded orch never meets old code (V8
 * itself checks only the source's length); the previous file for the same bundle, and any file
 * unused for a month, is removed when a new one is written. Written once (after the first command ran, so the functions it compiled
 * are in it), atomically; any failure only means compiling as before.
 * This file is its own small bundle (dist/start.js): it must not load the big one to decide how
 * to load it.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Script } from 'node:vm';

/* eslint-disable @typescript-eslint/no-require-imports -- the bundle's path is known only at run time */
const plainRequire = (file: string): unknown => require(file);
/* eslint-enable @typescript-eslint/no-require-imports */

/** `$XDG_CACHE_HOME/orch/code`, else `~/.cache/orch/code`. */
export function codeCacheDir(env: NodeJS.ProcessEnv): string {
  const base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  return join(base, 'orch', 'code');
}

/** What identifies one build of a file on disk. */
export type FileStamp = Pick<import('node:fs').Stats, 'size' | 'mtimeMs' | 'ctimeMs' | 'ino'>;

/**
 * `<bundle>-<hash of its path>-<hash of its stamp and the runtime>.v8`: one prefix per bundle
 * path. The change time is in the stamp because npm gives every installed file the same mtime
 * (1985-10-26): only the kernel's ctime tells two installs of the same size apart.
 */
export function cacheFileName(bundle: string, st: FileStamp, runtime = `${process.version}-${process.arch}-${process.versions.v8}`): { prefix: string; name: string } {
  const h = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);
  const prefix = `${basename(bundle, '.js')}-${h(bundle)}-`;
  return { prefix, name: `${prefix}${h(`${st.size}:${st.mtimeMs}:${st.ctimeMs}:${st.ino}:${runtime}`)}.v8` };
}

export interface LoadResult {
  exports: unknown;
  /**
   * What happened to the cache: used, written (none or a rejected one before), used and written
   * (a listing used a cache another command wrote, and writes its own), or off (none could be had).
   */
  cache: 'used' | 'written' | 'used+written' | 'off';
}

/**
 * Loads the CommonJS bundle at `bundle` as `require` would, through the code cache in `dir`.
 * The cache holds what the process that wrote it compiled, and its shape matters: a status with
 * a cache written by a status took 95 ms, with one written by `orch --version` or `orch doctor`
 * 105. So `listing` (this process is `orch status` or `orch list`, the commands run most) writes
 * the cache once more when the one it found was written by another command (named `.first.v8`),
 * and other commands write one only when there is none.
 */
export function loadWithCodeCache(bundle: string, dir: string, parent?: NodeJS.Module, listing = false): LoadResult {
  let source: string;
  let file: { prefix: string; name: string };
  try {
    const st = statSync(bundle);
    file = cacheFileName(bundle, st);
    // esbuild writes ASCII (it escapes the rest): read as latin1 it is the same text, 5-10x faster than decoding UTF-8.
    const bytes = readFileSync(bundle);
    source = typeof isAscii === 'function' && isAscii(bytes as unknown as Uint8Array) ? bytes.toString('latin1') : bytes.toString('utf8');
  } catch {
    return { exports: plainRequire(bundle), cache: 'off' };
  }
  const first = { prefix: file.prefix, name: file.name.replace(/\.v8$/, '.first.v8') };
  let cached: Buffer | undefined;
  let shaped = false;
  try {
    if (!privateDir(dir)) return { exports: plainRequire(bundle), cache: 'off' };
    cached = readCache(join(dir, file.name));
    shaped = cached !== undefined;
    cached ??= readCache(join(dir, first.name));
  } catch {
    cached = undefined;
  }
  const script = new Script(Module.wrap(source), { filename: bundle, cachedData: cached });
  const m = new Module(bundle, parent);
  m.filename = bundle;
  // The bundle's own require is createRequire's (below); `paths` only completes the module object.
  m.paths = (Module as unknown as { _nodeModulePaths?: (d: string) => string[] })._nodeModulePaths?.(dirname(bundle)) ?? [];
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
  wrapper.call(m.exports, m.exports, Module.createRequire(bundle), m, bundle, dirname(bundle));
  m.loaded = true;
  const used = cached !== undefined && !script.cachedDataRejected;
  if (used && (shaped || !listing)) return { exports: m.exports, cache: 'used' };
  // After the command: the cache then holds the functions it compiled too.
  process.once('exit', () => writeCache(dir, listing ? file : first, script));
  return { exports: m.exports, cache: used ? 'used+written' : 'written' };
}

function readCache(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/** Missing, or a real directory of this user that no one else may write to (else it is not used). */
function privateDir(dir: string): boolean {
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return true;
  }
  const uid = process.getuid?.();
  return st.isDirectory() && (uid === undefined || st.uid === uid) && (st.mode & 0o022) === 0;
}

function writeCache(dir: string, file: { prefix: string; name: string }, script: Script): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `${file.name}.${process.pid}.tmp`);
    writeFileSync(tmp, script.createCachedData() as unknown as Uint8Array, { mode: 0o600 });
    renameSync(tmp, join(dir, file.name));
    // The previous build of this bundle goes; so does any cache unused for a month (the bundle of
    // an extension version since replaced, say: its path, hence its prefix, is not this one).
    const month = Date.now() - 30 * 24 * 3600 * 1000;
    for (const old of readdirSync(dir)) {
      if (!old.endsWith('.v8') || old === file.name) continue;
      const path = join(dir, old);
      if (old.startsWith(file.prefix) || Math.max(statSync(path).atimeMs, statSync(path).mtimeMs) < month) unlinkSync(path);
    }
  } catch {
    // a read-only or full home: the next command compiles, as it would without a cache
  }
}

/** The bins' entry: `orch` or `cloud-run`, the CLI bundle beside this file. */
export function start(which: 'orch' | 'cloud-run'): void {
  const bundle = join(__dirname, 'orch.js');
  const builtIn = (Module as unknown as { enableCompileCache?: () => unknown }).enableCompileCache;
  const listing = which === 'orch' && ['status', 'list'].includes(process.argv.slice(2).find((a) => a !== '--debug') ?? '');
  const cli = (builtIn ? (builtIn(), plainRequire(bundle)) : loadWithCodeCache(bundle, codeCacheDir(process.env), module, listing).exports) as typeof import('./bin');
  cli.runBin(which);
}
