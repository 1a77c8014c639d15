import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { resolveHost, type ResolvedHost } from '../../../src/core/ssh/sshConfig';
import { createSshTarget, execPty, openSshArgs } from '../../../src/core/ssh/sshTarget';
import { startSshd, type TestSshd } from '../harness/sshd';

/** The real OpenSSH client, reading a test ssh config instead of ~/.ssh/config. */
function sshWithConfig(configFile: string) {
  return (args: string[]): Promise<string | undefined> =>
    new Promise((resolve, reject) =>
      execFile('ssh', ['-F', configFile, ...args], { timeout: 5000 }, (err, stdout, stderr) => (err ? reject(new Error(stderr)) : resolve(stdout))),
    );
}

describe('ssh target: host resolution, ProxyJump, OpenSSH client arguments and pty', function () {
  this.timeout(30_000);
  let sshd: TestSshd;
  let dir: string;
  let sshConfigFile: string;

  before(async () => {
    sshd = await startSshd();
    dir = await mkdtemp(join(tmpdir(), 'orch-resolve-'));
    sshConfigFile = join(dir, 'ssh_config');
    await writeFile(
      sshConfigFile,
      [
        'Host orch-box',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.identityFile}`,
        '  IdentityAgent none',
        'Host orch-behind-jump',
        '  HostName 127.0.0.1',
        `  Port ${sshd.port}`,
        `  User ${sshd.user}`,
        `  IdentityFile ${sshd.identityFile}`,
        `  ProxyJump ${sshd.user}@orch-box:${sshd.port}`,
        '',
      ].join('\n'),
    );
  });
  after(async () => {
    await sshd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const resolveWithConfig = (s: Parameters<typeof resolveHost>[0]): Promise<ResolvedHost> => resolveHost(s, { runSsh: sshWithConfig(sshConfigFile) });

  it('resolves an ssh config alias through ssh -G and connects to it', async () => {
    const config = sshd.config({ host: 'orch-box', user: undefined, port: undefined, identityFile: undefined });
    const r = await resolveWithConfig(config);
    assert.deepEqual([r.hostname, r.port, r.user, r.identityFiles, r.agent], ['127.0.0.1', sshd.port, sshd.user, [sshd.identityFile], undefined]);
    const t = createSshTarget(config, { connection: { resolve: resolveWithConfig } });
    try {
      assert.equal((await t.exec('echo via-alias')).stdout.toString(), 'via-alias\n');
    } finally {
      await t.close();
    }
  });

  it('connects through a ProxyJump hop (the jump opens a tunnel to the target)', async () => {
    const log: string[] = [];
    const config = sshd.config({ host: 'orch-behind-jump', user: undefined, port: undefined, identityFile: undefined });
    const t = createSshTarget(config, { connection: { resolve: resolveWithConfig }, log: (l) => log.push(l) });
    const logins = (): number => sshd.log().split('Accepted publickey').length - 1;
    const before = logins();
    try {
      const r = await t.exec('echo "$SSH_CONNECTION"');
      assert.equal(r.code, 0);
      assert.ok(log.some((l) => l.includes(`via ${sshd.user}@orch-box:${sshd.port}`)), log.join(' | '));
      // One login on the jump host, one on the target through the tunnel.
      assert.equal(logins() - before, 2);
    } finally {
      await t.close();
    }
  });

  it('gives OpenSSH client arguments that reach the same host with the same known_hosts', async () => {
    const config = sshd.config();
    const r = await resolveHost(config);
    const args = openSshArgs(config, r, { tty: false });
    assert.ok(args, 'OpenSSH client is installed here');
    const out = await new Promise<string>((resolve, reject) =>
      execFile('ssh', ['-F', '/dev/null', '-o', 'BatchMode=yes', ...args, 'echo from-openssh; whoami'], { timeout: 10_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(stderr)) : resolve(stdout),
      ),
    );
    assert.equal(out, `from-openssh\n${sshd.user}\n`);
  });

  it('runs a command on an ssh2 pty with the given size and follows resizes', async () => {
    const t = createSshTarget(sshd.config());
    try {
      const stdin = new PassThrough();
      const stdout = new PassThrough();
      let output = '';
      stdout.on('data', (d: Buffer) => (output += d.toString()));
      let resize: ((c: number, r: number) => void) | undefined;
      const done = execPty(t, 'test -t 0 && echo is-a-tty; stty size; read line; stty size; exit 7', {
        stdin,
        stdout,
        columns: 100,
        rows: 30,
        onResize: (l) => {
          resize = l;
        },
      });
      const deadline = Date.now() + 5000;
      while (!output.includes('30 100') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(resize, 'subscribed to resizes');
      resize(120, 40); // sent on the channel before the newline, so sshd applies it first
      stdin.write('\r');
      assert.equal(await done, 7);
      assert.match(output, /is-a-tty\r?\n30 100\r?\n[\s\S]*40 120/);
    } finally {
      await t.close();
    }
  });
});
