/**
 * A busybox userland for the host side (PRODUCT.md §12): a dir where every tool busybox has is a
 * busybox applet (tail, stat, date, grep, sed, find, setsid, awk, ...), plus only what a
 * busybox box adds by package (bash, tmux, git, curl, and the system's crontab for cron). Tools
 * Debian's busybox lacks (flock, cksum) are absent, so the host library's own fallbacks run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PACKAGES = ['bash', 'tmux', 'git', 'curl', 'crontab', 'python3'];

export function busyboxPath(): string {
  const busybox = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
  if (!busybox) throw new Error('busybox is required for the busybox host suites (Debian package busybox)');
  const dir = mkdtempSync(join(tmpdir(), 'orch-busybox-'));
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const a of applets) if (!PACKAGES.includes(a)) symlinkSync(busybox, join(dir, a));
  for (const tool of PACKAGES) {
    const path = execFileSync('sh', ['-c', `command -v ${tool} || true`], { encoding: 'utf8' }).trim();
    if (path) symlinkSync(path, join(dir, tool));
  }
  return dir;
}
