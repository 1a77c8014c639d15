import * as path from 'node:path';
import type { SyncResult } from './sync';

/** `sync: 3 uploaded (1.2 KB), 0 deleted, 40 unchanged.` — what the CLI prints and the extension logs. */
export function describeSync(what: string, r: SyncResult): string {
  const kb = r.bytes < 1024 ? `${r.bytes} B` : `${(r.bytes / 1024).toFixed(1)} KB`;
  const skipped = r.skipped.length ? `, ${r.skipped.length} skipped (symlinks pointing outside or special files)` : '';
  return `${what}: ${r.uploaded} uploaded (${kb}), ${r.deleted} deleted, ${r.unchanged} unchanged${skipped}.`;
}

/**
 * Where Pull Results puts a job's output dir in the workspace: the same relative path as
 * `orch pull` run at the workspace root (`results/exp-1` → `<root>/results/exp-1`). An absolute
 * or `~/` output dir lands under its last segment, inside the workspace.
 */
export function localOutputDir(root: string, outputDir: string, jobName: string): string {
  const trimmed = outputDir.replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (trimmed.startsWith('/') || trimmed === '~' || trimmed.startsWith('~/')) return path.join(root, trimmed.split('/').pop() || jobName);
  return path.join(root, trimmed || jobName);
}
