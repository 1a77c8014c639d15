import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConnectionLostError } from '../../../src/host/target';
import { UserError } from '../../../src/core/errors';
import { createSshTarget, type SshTarget } from '../../../src/core/ssh/sshTarget';
import { startSshd, type TestSshd } from '../harness/sshd';

const run = promisify(execFile);

async function expectUserError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof UserError, `a UserError, got ${e instanceof Error ? e.stack : String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

function listen(onConnection: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer(onConnection);
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('ssh target: faults against a real sshd', function () {
  this.timeout(40_000);
  let sshd: TestSshd;
  let dir: string;
  const targets: SshTarget[] = [];
  const track = (t: SshTarget): SshTarget => (targets.push(t), t);

  before(async () => {
    sshd = await startSshd();
    dir = await mkdtemp(join(tmpdir(), 'orch-faults-'));
  });
  after(async () => {
    await Promise.all(targets.map((t) => t.close()));
    await sshd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says the server refused the key, for which user, when the key is not authorized', async () => {
    const key = join(dir, 'stranger');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const t = track(createSshTarget(sshd.config({ identityFile: key })));
    const e = await expectUserError(t.exec('true'));
    assert.match(e.message, new RegExp(`refused the key ${key} for user ${sshd.user}`));
  });

  it('says a missing identity file cannot be read', async () => {
    const t = track(createSshTarget(sshd.config({ identityFile: join(dir, 'no-such-key') })));
    const e = await expectUserError(t.exec('true'));
    assert.match(e.message, /identity file .*no-such-key cannot be read/);
  });

  it('fails fast with a clear sentence when nothing listens on the port', async () => {
    const { server, port } = await listen(() => undefined);
    await new Promise((r) => server.close(r));
    const t = track(createSshTarget(sshd.config({ port })));
    const t0 = Date.now();
    const e = await expectUserError(t.exec('true'));
    assert.match(e.message, new RegExp(`Cannot connect to 127\\.0\\.0\\.1:${port}: the connection was refused`));
    assert.ok(Date.now() - t0 < 3000, 'no retries on a first connect');
  });

  it('gives up after the ready timeout when the server never answers', async () => {
    const sockets: Socket[] = [];
    const { server, port } = await listen((s) => sockets.push(s)); // accepts, never speaks SSH
    try {
      const t = track(createSshTarget(sshd.config({ port }), { readyTimeoutMs: 1000 }));
      const t0 = Date.now();
      const e = await expectUserError(t.exec('true'));
      const took = Date.now() - t0;
      assert.match(e.message, /no SSH answer within 1 s/);
      assert.ok(took >= 900 && took < 4000, `bounded by the timeout (${took} ms)`);
    } finally {
      sockets.forEach((s) => s.destroy());
      server.close();
    }
  });

  it('reconnects on the next call after sshd was restarted', async () => {
    const log: string[] = [];
    const t = track(createSshTarget(sshd.config(), { log: (l) => log.push(l) }));
    assert.equal((await t.exec('echo one')).stdout.toString(), 'one\n');
    await sshd.restart();
    assert.equal((await t.exec('echo two')).stdout.toString(), 'two\n');
    assert.equal(log.filter((l) => /connected to /.test(l)).length, 2, log.join(' | '));
    assert.ok(log.some((l) => /lost/.test(l)), log.join(' | '));
  });

  it('rejects with ConnectionLostError when sshd dies during a call, then recovers once it is back', async () => {
    const t = track(createSshTarget(sshd.config()));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const p = t.exec('echo go; sleep 20; echo done', { onStdout: () => started() });
    await running;
    await sshd.kill();
    await assert.rejects(p, (e: unknown) => e instanceof ConnectionLostError);
    const restarting = sshd.restart();
    // The call made while sshd comes back retries with backoff instead of failing.
    const again = t.exec('echo back');
    await restarting;
    assert.equal((await again).stdout.toString(), 'back\n');
  });

  it('notices a silent (half-open) connection through keepalives and reconnects afterwards', async () => {
    const t = track(createSshTarget(sshd.config(), { connection: { keepaliveIntervalMs: 250, keepaliveCountMax: 2 } }));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const p = t.exec('echo go; sleep 20', { onStdout: () => started() });
    await running;
    sshd.freeze();
    const t0 = Date.now();
    try {
      await assert.rejects(p, (e: unknown) => e instanceof ConnectionLostError);
      const took = Date.now() - t0;
      assert.ok(took < 3000, `noticed after ${took} ms`);
    } finally {
      sshd.thaw();
    }
    assert.equal((await t.exec('echo alive')).stdout.toString(), 'alive\n');
  });

  it('asks the passphrase of an encrypted key once, and never shows it', async () => {
    const passphrase = `pp-${randomBytes(6).toString('hex')}`;
    const key = join(dir, 'encrypted');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-a', '2', '-N', passphrase, '-f', key]);
    await sshd.authorizeKey(await readFile(`${key}.pub`, 'utf8'));
    const asked: string[] = [];
    const log: string[] = [];
    const t = track(
      createSshTarget(sshd.config({ identityFile: key }), {
        askPassphrase: async (path) => (asked.push(path), passphrase),
        log: (l) => log.push(l),
      }),
    );
    assert.equal((await t.exec('echo unlocked')).stdout.toString(), 'unlocked\n');
    await sshd.restart();
    assert.equal((await t.exec('echo again')).stdout.toString(), 'again\n');
    assert.deepEqual(asked, [key], 'asked once, for that key');

    const wrong = track(
      createSshTarget(sshd.config({ identityFile: key }), {
        askPassphrase: async () => `${passphrase}-wrong`,
        log: (l) => log.push(l),
      }),
    );
    const e = await expectUserError(wrong.exec('true'));
    assert.match(e.message, /passphrase for the key .*encrypted was wrong/);
    for (const text of [e.message, String(e.stack), ...log]) assert.ok(!text.includes(passphrase), `passphrase leaked into: ${text}`);
  });

  it('says so when the user declines to give a passphrase', async () => {
    const key = join(dir, 'encrypted');
    const t = track(createSshTarget(sshd.config({ identityFile: key }), { askPassphrase: () => Promise.reject(new Error('cancelled')) }));
    const e = await expectUserError(t.exec('true'));
    assert.match(e.message, /No passphrase was given for the key/);
  });
});
