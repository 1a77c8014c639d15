/**
 * A full disk under the log root: a 2 MB tmpfs owned by the test user is the log root. Once it
 * is full, `orch run` must say so in one sentence and start nothing, and every earlier log must
 * still be there, whole, under its own name.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../harness/sshd';
import { dropCronEntries, jobsJson, killSessions, makeCwd, orch, seqLog, sshEnv, uniqueName, waitFor } from './harness';

function assertOneSentence(stderr: string): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('faults: a full disk under the log root (2 MB tmpfs)', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let mnt = '';
  let mounted = false;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const names: string[] = [];
  const opts = () => ({ env, cwd });

  before(async () => {
    sshd = await startSshd();
    mnt = mkdtempSync(join(tmpdir(), 'orch-faults-full-'));
    chmodSync(mnt, 0o755);
    const id = (await sshd.runAsUser('echo "$(id -u):$(id -g)"')).stdout.trim().split(':');
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=2m,mode=0755,uid=${id[0]},gid=${id[1]}`, 'tmpfs', mnt]);
    mounted = true;
    cwd = makeCwd();
    env = sshEnv(sshd, { ORCH_LOG_ROOT: mnt });
  });
  after(async () => {
    if (sshd) {
      await killSessions(sshd, names);
      await dropCronEntries(sshd, [sshd.config().logRoot, mnt]);
      await sshd.stop();
    }
    if (mounted) execFileSync('umount', ['-l', mnt]);
    if (mnt) rmSync(mnt, { recursive: true, force: true });
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('refuses to start on a full disk with a clear sentence, keeps every earlier log, and works again once there is room', async () => {
    const first = uniqueName('kept');
    names.push(first);
    assert.equal((await orch(['run', '--wait', first, 'seq 1 100'], opts())).code, 0);

    // Fill the file system as the job user would (dd stops at ENOSPC).
    await sshd.runAsUser(`mkdir -p '${mnt}/filler' && dd if=/dev/zero of='${mnt}/filler/blob' bs=4k 2>/dev/null; exit 0`);
    const free = (await sshd.runAsUser(`df --output=avail -k '${mnt}' | tail -1`)).stdout.trim();
    assert.equal(free, '0', 'the tmpfs is full');

    const second = uniqueName('nospace');
    names.push(second);
    const refused = await orch(['run', second, 'echo should-not-run'], opts());
    assert.notEqual(refused.code, 0, 'orch run fails');
    assert.match(refused.stderr, /disk (is )?full|no space left/i);
    assertOneSentence(refused.stderr);
    assert.equal((await sshd.runAsUser(`tmux has-session -t '=${second}' 2>/dev/null`)).code, 1, 'no tmux session was started');

    const forced = await orch(['run', '--force', first, 'echo replacement'], opts());
    assert.notEqual(forced.code, 0, '--force on a full disk fails too');
    assertOneSentence(forced.stderr);

    assert.equal((await orch(['logs', first], opts())).stdout, seqLog(100), 'the earlier log is whole');
    const listed = await jobsJson('list', opts());
    assert.deepEqual(listed.map((j) => [j.name, j.state]), [[first, 'DONE']]);

    await sshd.runAsUser(`rm -rf '${mnt}/filler'`);
    const third = uniqueName('room');
    names.push(third);
    const ok = await orch(['run', '--wait', third, 'echo back'], opts());
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `${third}\nback\n[EXIT: 0]\n`);
    await waitFor('both jobs listed', async () => ((await jobsJson('list', opts())).length === 2 ? true : undefined));
  });
});
