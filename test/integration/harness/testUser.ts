/** The local test user `orchtest` that the harness sshd lets in. */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { delay, runCollect } from './processes';

export const TEST_USER = 'orchtest';

export interface Account {
  uid: number;
  gid: number;
  home: string;
}

export async function checkPrerequisites(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the sshd test harness must run as root (it creates a test user and runs sshd)');
  const missing = ['/usr/sbin/sshd', 'ssh-keygen', 'tmux', 'setpriv', 'useradd'].filter((p) => !onPath(p));
  if (missing.length > 0) {
    throw new Error(`integration tests need ${missing.join(', ')}: run scripts/setup-test-env.sh (apt-get install openssh-server openssh-client tmux)`);
  }
}

export function onPath(cmd: string): boolean {
  if (cmd.startsWith('/')) return existsSync(cmd);
  const dirs = (process.env.PATH ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin').split(':');
  return [...dirs, '/usr/sbin', '/sbin'].some((d) => d && existsSync(join(d, cmd)));
}

/** Creates `orchtest` once; safe when several test processes race to do it. */
export async function ensureTestUser(): Promise<Account> {
  for (let attempt = 1; ; attempt++) {
    const found = lookupUser(TEST_USER);
    if (found && shadowUsable(TEST_USER)) {
      await prepareHome(found);
      return found;
    }
    if (!found) await runCollect('useradd', ['-m', '-s', '/bin/bash', TEST_USER]);
    else await runCollect('usermod', ['-p', '*', TEST_USER]);
    if (attempt >= 20) throw new Error(`could not create the test user ${TEST_USER}`);
    await delay(100);
  }
}

export function lookupUser(name: string): Account | undefined {
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const f = line.split(':');
    if (f[0] === name) return { uid: Number(f[2]), gid: Number(f[3]), home: f[5]! };
  }
  return undefined;
}

/** With UsePAM no, a locked password (`!`) refuses even key logins; `*` does not. */
export function shadowUsable(name: string): boolean {
  const line = readFileSync('/etc/shadow', 'utf8').split('\n').find((l) => l.startsWith(name + ':'));
  return line !== undefined && !line.split(':')[1]!.startsWith('!');
}

export async function prepareHome(a: Account): Promise<void> {
  await mkdir(a.home, { recursive: true });
  await chown(a.home, a.uid, a.gid);
  await chmod(a.home, 0o755);
  const ssh = join(a.home, '.ssh');
  await mkdir(ssh, { recursive: true });
  await chown(ssh, a.uid, a.gid);
  await chmod(ssh, 0o700);
}
