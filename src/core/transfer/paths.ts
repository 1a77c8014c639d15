import { shellQuote } from '../../host/target';

/**
 * A relative path that stays inside its root: no absolute path, no `..` or `.` segment, no empty
 * segment, no NUL. Everything that is written or deleted on a host goes through this check, so
 * neither a local file list nor a manifest read back from the host can reach outside the workdir.
 */
export function isSafeRelativePath(p: string): boolean {
  if (p === '' || p.includes('\0') || p.startsWith('/') || p.includes('\\')) return false;
  if (/^[A-Za-z]:/.test(p)) return false;
  return p.split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}

/**
 * A bash expression for a path on the target: a leading `~/` becomes the target user's home
 * (quoted separately so the rest stays literal), anything else is quoted as is.
 */
export function remotePathExpr(p: string): string {
  if (p === '~') return '"$HOME"';
  if (p.startsWith('~/')) return `"$HOME"/${shellQuote(p.slice(2))}`;
  return shellQuote(p);
}

/** Joins a workdir (may start with `~/`) and a path that may be relative, absolute or `~/`. */
export function joinRemote(workdir: string, p: string): string {
  if (p.startsWith('/') || p === '~' || p.startsWith('~/')) return p.replace(/\/+$/, '') || '/';
  const trimmed = p.replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (trimmed === '' || trimmed === '.') return workdir;
  return `${workdir.replace(/\/+$/, '')}/${trimmed}`;
}

/** A Buffer as a plain Uint8Array view (the pinned @types/node Buffer does not type-check as one under TS 5.9). */
export function asBytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
