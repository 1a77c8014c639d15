/**
 * A PATH for a machine that lacks some tools (a host or laptop without zstd): one dir of links to
 * every command of /usr/local/bin, /usr/bin and /bin but those, readable by the sshd test user.
 */
import { chmodSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function pathWithout(tools: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'orch-path-'));
  chmodSync(dir, 0o755);
  const seen = new Set(tools);
  for (const from of ['/usr/local/bin', '/usr/bin', '/bin']) {
    let names: string[] = [];
    try {
      names = readdirSync(from);
    } catch {
      continue;
    }
    for (const name of names) {
      if (seen.has(name)) continue;
      seen.add(name);
      symlinkSync(join(from, name), join(dir, name));
    }
  }
  return dir;
}
