/**
 * Where connection helpers listen: one Unix socket per host configuration in a directory only
 * the user can enter (0700, owned by the user, not a symlink), like OpenSSH's ControlPath. The
 * socket's name is a hash of everything that makes a connection different, plus orch's version
 * and the protocol, so a changed setting or an upgraded orch never reuses an old helper.
 */
import { createHash } from 'node:crypto';
import { lstat, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { OrchConfig } from '../../config/types';
import { usageError } from '../../errors';
import { VERSION } from '../../version';
import { HELPER_PROTOCOL } from './frames';

/** Seconds a helper waits idle before it exits; `ORCH_CONNECTION_PERSIST`, default 600, 0 = no helper. */
export function persistSeconds(env: NodeJS.ProcessEnv): number {
  const raw = env.ORCH_CONNECTION_PERSIST;
  if (raw === undefined || raw.trim() === '') return 600;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw usageError(`ORCH_CONNECTION_PERSIST is "${raw}": give the seconds a connection stays open when idle (0 turns reuse off).`);
  return n;
}

/** `$XDG_RUNTIME_DIR/orch` when there is one, else `$TMPDIR/orch-<uid>` (default /tmp). */
export function socketDirFor(env: NodeJS.ProcessEnv): string {
  const uid = process.getuid?.() ?? 0;
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'orch');
  return join(env.TMPDIR || '/tmp', `orch-${uid}`);
}

/**
 * Creates the directory 0700 if missing and checks it is really ours. Undefined (with the reason
 * in `why`) when it is not safe: then no helper is used and commands connect directly.
 */
export async function ensureSocketDir(dir: string, why?: (reason: string) => void): Promise<string | undefined> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const st = await lstat(dir);
    const uid = process.getuid?.();
    if (!st.isDirectory()) return void why?.(`${dir} is not a directory`);
    if (uid !== undefined && st.uid !== uid) return void why?.(`${dir} belongs to another user`);
    if ((st.mode & 0o077) !== 0) return void why?.(`${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)})`);
    return dir;
  } catch (e) {
    return void why?.(`${dir}: ${(e as Error).message}`);
  }
}

/** The settings that make two connections the same one. */
export function connectionKey(config: Pick<OrchConfig, 'host' | 'user' | 'port' | 'identityFile' | 'knownHosts' | 'strictHostKeyChecking'>): string {
  const id = JSON.stringify([VERSION, HELPER_PROTOCOL, config.host, config.user ?? null, config.port ?? null, config.identityFile ?? null, config.knownHosts, config.strictHostKeyChecking]);
  return createHash('sha256').update(id).digest('hex').slice(0, 20);
}

export function socketPath(dir: string, key: string): string {
  return join(dir, `${key}.sock`);
}
