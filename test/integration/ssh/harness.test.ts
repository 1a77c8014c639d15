import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { startSshd, type TestSshd } from '../harness/sshd';

/** OpenSSH's own client against the harness: proves keys, known_hosts and the user work. */
function sshRun(s: TestSshd, cmd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ['-p', String(s.port), '-i', s.identityFile, '-o', `UserKnownHostsFile=${s.knownHostsFile}`,
    '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-F', '/dev/null',
    `${s.user}@${s.host}`, cmd];
  return new Promise((resolve) => {
    execFile('ssh', args, { timeout: 15_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 255) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('sshd test harness', function () {
  this.timeout(30_000);
  let sshd: TestSshd;
  before(async () => {
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
  });

  it('lets the OpenSSH client log in as the test user with the generated key and known_hosts', async () => {
    const r = await sshRun(sshd, 'whoami; echo $HOME');
    assert.equal(r.code, 0, r.stderr + sshd.log());
    assert.equal(r.stdout, `${sshd.user}\n${sshd.home}\n`);
  });

  it('runs commands locally as the test user', async () => {
    const r = await sshd.runAsUser('id -un; pwd; cat', { stdin: 'in' });
    assert.deepEqual(r, { code: 0, stdout: `${sshd.user}\n${sshd.home}\nin`, stderr: '' });
  });

  it('comes back on the same port after kill() and restart()', async () => {
    const port = sshd.port;
    await sshd.kill();
    assert.notEqual((await sshRun(sshd, 'true')).code, 0);
    await sshd.restart();
    assert.equal(sshd.port, port);
    assert.equal((await sshRun(sshd, 'echo back')).stdout, 'back\n');
  });

  it('gives each instance its own port and key', async () => {
    const other = await startSshd();
    try {
      assert.notEqual(other.port, sshd.port);
      assert.notEqual(other.hostKeyFingerprint, sshd.hostKeyFingerprint);
      assert.equal((await sshRun(other, 'echo two')).stdout, 'two\n');
      assert.match(other.config().logRoot, /^~\/logs-it-[0-9a-f]+$/);
      assert.notEqual(other.config().logRoot, sshd.config().logRoot);
    } finally {
      await other.stop();
    }
    assert.equal((await sshRun(sshd, 'echo one')).stdout, 'one\n');
  });
});
