/**
 * `orch pull`'s transfer (src/core/transfer/pull.ts) packed between a real OpenSSH sshd and the
 * ssh2 client: zstd where the host has it, gzip where it lacks zstd; every file byte-exact
 * (sha256 against the host's sha256sum), modes and links kept, far fewer bytes on the channel.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pullDir } from '../../../src/core/transfer';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import type { ShellTarget } from '../../../src/host/target';
import { startSshd, type TestSshd } from '../harness/sshd';
import { countingTarget, pathWithout } from '../engine/countingTarget';
import { sh } from '../engine/fixture';

const sha = (b: Buffer): string => createHash('sha256').update(b as unknown as Uint8Array).digest('hex');

describe('orch pull packed over SSH (real sshd)', function () {
  this.timeout(120_000);
  let sshd: TestSshd;
  let ssh: ShellTarget;
  let remote = '';
  let sums: Record<string, string> = {};
  let total = 0;
  const dirs: string[] = [];

  before(async () => {
    sshd = await startSshd();
    ssh = createSshTarget(sshd.config());
    remote = `${(await sh(ssh, 'printf %s "$HOME"'))}/pull-${process.pid}`;
    // Results as a job leaves them: a 20 MB metrics CSV, a small JSON, an executable, a link.
    await sh(ssh, `mkdir -p ${remote}/out/ckpt && cd ${remote}/out &&
awk 'BEGIN { srand(3); for (i = 0; i < 400000; i++) printf "%d,%.6f,%.6f,%d\\n", i, rand(), rand() * 3, int(rand() * 1000) }' > metrics.csv &&
printf '{"best": 0.93}\\n' > ckpt/summary.json && printf '#!/bin/sh\\necho hi\\n' > run.sh && chmod 755 run.sh && ln -s ckpt/summary.json latest`);
    const lines = (await sh(ssh, `cd ${remote}/out && sha256sum metrics.csv ckpt/summary.json run.sh && stat -c %s metrics.csv`)).trim().split('\n');
    total = Number(lines.pop());
    sums = Object.fromEntries(lines.map((l) => l.split(/\s+/)).map(([h, f]) => [f!, h!]));
  });

  after(async () => {
    await ssh?.close();
    await sshd?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const pullWith = async (path?: string) => {
    const wire = countingTarget(ssh, path);
    const local = mkdtempSync(join(tmpdir(), 'orch-pull-'));
    dirs.push(local);
    const r = await pullDir(wire, `${remote}/out`, local);
    assert.equal(r.files, 4);
    for (const [f, h] of Object.entries(sums)) assert.equal(sha(readFileSync(join(local, f))), h, `${f} byte-exact`);
    assert.equal(statSync(join(local, 'run.sh')).mode & 0o777, 0o755);
    assert.equal(readlinkSync(join(local, 'latest')), 'ckpt/summary.json');
    return wire.received;
  };

  it('zstd where the host has it: byte-exact, a fraction of the bytes on the channel', async () => {
    const received = await pullWith();
    assert.ok(received < total / 2, `${received} bytes crossed for ${total} of files`);
  });

  it('gzip where the host has no zstd on its PATH', async () => {
    const noZstd = pathWithout(/^zstd|^unzstd|^zstdcat/);
    dirs.push(noZstd);
    const received = await pullWith(noZstd);
    assert.ok(received < total / 2, `${received} bytes crossed for ${total}`);
  });

  it('what is pulled belongs to whoever pulls, not to the box user\'s uid (tar as root would keep it)', async () => {
    const local = mkdtempSync(join(tmpdir(), 'orch-pull-'));
    dirs.push(local);
    await pullDir(ssh, `${remote}/out`, local);
    const me = process.getuid?.();
    for (const f of ['.', 'metrics.csv', 'ckpt', 'ckpt/summary.json', 'run.sh']) assert.equal(statSync(join(local, f)).uid, me, `${f} is owned by the local user`);
    assert.equal(lstatSync(join(local, 'latest')).uid, me, 'the link too');
  });

  it('a failing tar on the host fails the pull with its reason', async () => {
    const noTar = pathWithout(/^tar$/);
    dirs.push(noTar);
    const local = mkdtempSync(join(tmpdir(), 'orch-pull-'));
    dirs.push(local);
    await assert.rejects(pullDir(countingTarget(ssh, noTar), `${remote}/out`, local), /Pulling .* failed: .*tar/);
  });
});
