import { chmod, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { shellQuote } from '../../host/target';
import { UserError } from '../errors';

/**
 * "Install 'orch' Command in PATH": a small sh script in a user-writable bin dir that runs the
 * CLI bundled with the extension on the runtime the extension itself runs on (VS Code's
 * Electron as Node, or code-server's node), so the extension's users get `orch` without npm or
 * a Node of their own. The first lines mark it as ours: only our own shim is ever replaced or
 * removed.
 */

const MARK = '# orch: installed by the Cloud Jobs extension (Install \'orch\' Command in PATH).';

export interface ShimTarget {
  /** The bin dir the shim goes into. */
  dir: string;
  /** The JavaScript runtime to run the CLI with (the extension host's process.execPath). */
  runtime: string;
  /** The CLI's bin script (the extension's bin/orch). */
  cli: string;
}

export interface ShimResult {
  path: string;
  /** installed: there was none; updated: ours pointed elsewhere; unchanged: already this one. */
  outcome: 'installed' | 'updated' | 'unchanged';
}

/** `$XDG_BIN_HOME`, else `~/.local/bin` (the XDG user bin dir that most distributions put on PATH). */
export function shimDir(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env.XDG_BIN_HOME;
  return xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'bin');
}

/** Whether `dir` is one of the PATH entries (so `orch` is found without more set-up). */
export function onPath(dir: string, pathVar: string | undefined): boolean {
  const want = path.resolve(dir);
  return (pathVar ?? '').split(path.delimiter).some((p) => p !== '' && path.resolve(p) === want);
}

export function shimText(t: Pick<ShimTarget, 'runtime' | 'cli'>): string {
  return [
    '#!/bin/sh',
    MARK,
    '# It runs the CLI bundled with the extension; "Uninstall \'orch\' Command from PATH" removes it.',
    // ELECTRON_RUN_AS_NODE makes VS Code's Electron behave as Node; a real node ignores it
    `ELECTRON_RUN_AS_NODE=1 exec ${shellQuote(t.runtime)} ${shellQuote(t.cli)} "$@"`,
    '',
  ].join('\n');
}

/** The file's text, or undefined when there is none. */
async function current(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`Cannot read ${file}: ${(e as Error).message}.`, { cause: e });
  }
}

function isOurs(text: string): boolean {
  return text.split('\n', 3)[1] === MARK;
}

function notOurs(file: string): UserError {
  return new UserError(`${file} exists and is not the Cloud Jobs shim; remove it first (orch from npm lives elsewhere) or keep using it.`);
}

export async function installShim(t: ShimTarget): Promise<ShimResult> {
  const file = path.join(t.dir, 'orch');
  const want = shimText(t);
  const have = await current(file);
  if (have !== undefined && !isOurs(have)) throw notOurs(file);
  if (have === want) return { path: file, outcome: 'unchanged' };
  try {
    await mkdir(t.dir, { recursive: true });
    // written aside and renamed: a shell running `orch` meanwhile sees the old or the new one
    const tmp = `${file}.tmp-${process.pid}`;
    await writeFile(tmp, want, { mode: 0o755 });
    await chmod(tmp, 0o755);
    await rename(tmp, file);
  } catch (e) {
    throw new UserError(`Cannot write ${file}: ${(e as Error).message}.`, { cause: e });
  }
  return { path: file, outcome: have === undefined ? 'installed' : 'updated' };
}

/** Removes our shim; `absent` when there was none. Never touches a file that is not ours. */
export async function uninstallShim(dir: string): Promise<{ path: string; outcome: 'removed' | 'absent' }> {
  const file = path.join(dir, 'orch');
  const have = await current(file);
  if (have === undefined) return { path: file, outcome: 'absent' };
  if (!isOurs(have)) throw notOurs(file);
  await unlink(file);
  return { path: file, outcome: 'removed' };
}

/**
 * After an update the extension (and so its bin/orch) lives in a new directory: an installed
 * shim of ours is pointed at it. Nothing happens when no shim of ours is there.
 */
export async function refreshShim(t: ShimTarget): Promise<ShimResult | undefined> {
  const have = await current(path.join(t.dir, 'orch')).catch(() => undefined);
  if (have === undefined || !isOurs(have)) return undefined;
  return installShim(t);
}
