import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../../src/core/errors';
import { hashHostName } from '../../../src/core/ssh/knownHosts';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import type { OrchConfig } from '../../../src/core/config/types';
import { startSshd, type TestSshd } from '../harness/sshd';

/** Runs one command over a fresh connection and closes it. */
async function tryExec(config: OrchConfig): Promise<string> {
  const target = createSshTarget(config, { readyTimeoutMs: 5000 });
  try {
    return (await target.exec('echo hello')).stdout.toString();
  } finally {
    await target.close();
  }
}

async function refusal(config: OrchConfig): Promise<UserError> {
  try {
    await tryExec(config);
  } catch (e) {
    assert.ok(e instanceof UserError, `a UserError, got ${String(e)}`);
    return e;
  }
  assert.fail('the connection should have been refused');
}

describe('ssh target: host key verification against a real sshd', function () {
  this.timeout(30_000);
  let sshd: TestSshd;
  let dir: string;

  before(async () => {
    sshd = await startSshd();
    dir = await mkdtemp(join(tmpdir(), 'orch-kh-'));
  });
  after(async () => {
    await sshd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const freshFile = async (content = ''): Promise<string> => {
    const f = join(dir, `known_hosts-${randomBytes(4).toString('hex')}`);
    await writeFile(f, content);
    return f;
  };

  it('connects when known_hosts holds the server key', async () => {
    assert.equal(await tryExec(sshd.config()), 'hello\n');
  });

  it('refuses an unknown host key, naming its fingerprint and how to accept it', async () => {
    const file = await freshFile();
    const accepted = (): number => sshd.log().split('Accepted publickey').length;
    const before = accepted();
    assert.ok(before > 1, 'sshd logs accepted logins (the first test logged in)');
    const e = await refusal(sshd.config({ knownHosts: file }));
    assert.ok(e.message.includes(sshd.hostKeyFingerprint), e.message);
    assert.match(e.message, /not in .*known_hosts/);
    assert.match(e.message, /ORCH_STRICT_HOST_KEY_CHECKING=accept-new/);
    assert.equal(await readFile(file, 'utf8'), '', 'nothing was written');
    assert.equal(accepted(), before, 'refused before authentication');
  });

  it('with accept-new, records the key as [host]:port and connects; the next run uses it', async () => {
    const file = await freshFile('# my hosts\n');
    assert.equal(await tryExec(sshd.config({ knownHosts: file, strictHostKeyChecking: 'accept-new' })), 'hello\n');
    assert.equal(await readFile(file, 'utf8'), `# my hosts\n[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    assert.equal(await tryExec(sshd.config({ knownHosts: file })), 'hello\n');
  });

  it('creates a missing known_hosts file (and its directory) with accept-new', async () => {
    const file = join(dir, 'new-dir', 'known_hosts');
    assert.equal(await tryExec(sshd.config({ knownHosts: file, strictHostKeyChecking: 'accept-new' })), 'hello\n');
    assert.match(await readFile(file, 'utf8'), new RegExp(`^\\[127\\.0\\.0\\.1\\]:${sshd.port} ssh-ed25519 `));
  });

  it('accepts a hashed known_hosts entry', async () => {
    const hashed = hashHostName(`[127.0.0.1]:${sshd.port}`, randomBytes(20));
    const file = await freshFile(`${hashed} ${sshd.hostPublicKey}\n`);
    assert.equal(await tryExec(sshd.config({ knownHosts: file })), 'hello\n');
  });

  it('refuses a key marked @revoked', async () => {
    const file = await freshFile(`[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n@revoked * ${sshd.hostPublicKey}\n`);
    const e = await refusal(sshd.config({ knownHosts: file }));
    assert.match(e.message, /@revoked/);
    assert.ok(e.message.includes(`${file} line 2`), e.message);
  });

  it('refuses a changed host key even with accept-new, with the new fingerprint and the line to fix', async () => {
    const file = await freshFile(`other.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ\n[127.0.0.1]:${sshd.port} ${sshd.hostPublicKey}\n`);
    const before = await readFile(file, 'utf8');
    const newFingerprint = await sshd.regenerateHostKey();
    await sshd.restart();
    for (const strict of ['yes', 'accept-new'] as const) {
      const e = await refusal(sshd.config({ knownHosts: file, strictHostKeyChecking: strict }));
      assert.ok(e.message.includes(newFingerprint), e.message);
      assert.match(e.message, /has changed/);
      assert.ok(e.message.includes(`${file} line 2`), e.message);
    }
    assert.equal(await readFile(file, 'utf8'), before, 'known_hosts untouched');
    // The harness file was rewritten with the new key: that one connects.
    assert.equal(await tryExec(sshd.config()), 'hello\n');
  });
});
