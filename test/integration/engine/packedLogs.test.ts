/**
 * Logs travel packed (PRODUCT.md §11) between a real OpenSSH sshd and the ssh2 client: zstd
 * where the host has it, else gzip, else plain; byte-exact (sha256 against the host's own
 * sha256sum of run.log), with the bytes that crossed the channel counted; a follow's catch-up
 * of a growing log resumes at the exact byte after sshd is killed in the middle of it.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { createEngine } from '../../../src/core/engine/engine';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import type { ShellTarget } from '../../../src/host/target';
import { startSshd, type TestSshd } from '../harness/sshd';
import { countingTarget, pathWithout, type CountingTarget } from './countingTarget';
import { absRoot, cleanupHost, sh, uniqueName, waitEnded, type EngineFixture } from './fixture';

const sha = (b: Buffer): string => createHash('sha256').update(b as unknown as Uint8Array).digest('hex');

/** ~50 MB of training-log text (numbers that change on every line, as real logs have). */
const LOG_COMMAND = `awk 'BEGIN { srand(7); for (i = 0; i < 720000; i++) printf "2026-12-01 10:%02d:%02d step %d loss=%.5f lr=%.3e grad_norm=%.3f tok/s=%d\\n", (i / 600) % 60, (i / 10) % 60, i, rand() * 3, rand() * 1e-4, rand() * 10, 10000 + int(rand() * 90000) }'`;

describe('packed logs over SSH (real sshd)', function () {
  this.timeout(120_000);
  const names: string[] = [];
  const dirs: string[] = [];
  let sshd: TestSshd;
  let ssh: ShellTarget;
  let wire: CountingTarget;
  let fixture: EngineFixture;
  let root = '';
  let big = '';
  let bigSize = 0;
  let bigSha = '';

  const engine = (target: ShellTarget = wire) => createEngine(fixture.config(), target, { reconnectWindowMs: 30_000 });
  const hostSha = async (name: string) => (await sh(ssh, `sha256sum ${root}/${name}/run.log`)).split(' ')[0]!;

  before(async () => {
    sshd = await startSshd();
    ssh = createSshTarget(sshd.config(), { connection: { keepaliveIntervalMs: 1000, reconnectWindowMs: 20_000 } });
    wire = countingTarget(ssh);
    fixture = { label: 'ssh', target: ssh, config: (o) => sshd.config(o), close: () => ssh.close() };
    root = await absRoot(fixture);
    big = uniqueName('big');
    names.push(big);
    await engine().run({ name: big, command: LOG_COMMAND });
    await waitEnded(engine(), big, 90_000);
    bigSize = Number((await sh(ssh, `stat -c %s ${root}/${big}/run.log`)).trim());
    bigSha = await hostSha(big);
    assert.ok(bigSize > 45e6, `the log is ${bigSize} bytes`);
  });

  after(async () => {
    if (fixture) {
      await cleanupHost(fixture, names, root);
      await fixture.close();
    }
    await sshd?.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('a 50 MB log arrives zstd-packed and byte-exact, read whole and streamed into a writer', async () => {
    wire.reset();
    const whole = await engine().readLog(big);
    assert.equal(whole.length, bigSize);
    assert.equal(sha(whole), bigSha);
    assert.ok(wire.received < bigSize / 4, `${wire.received} bytes crossed the channel for ${bigSize}`);

    wire.reset();
    const h = createHash('sha256');
    let n = 0;
    const out = new Writable({
      highWaterMark: 16 * 1024,
      write(c: Buffer, _e, cb) {
        h.update(c as unknown as Uint8Array);
        n += c.length;
        setImmediate(cb); // a slow reader: backpressure all the way to the channel
      },
    });
    await engine().writeLog(big, out);
    assert.equal(n, bigSize);
    assert.equal(h.digest('hex'), bigSha);
    assert.ok(wire.received < bigSize / 4);
  });

  it('gzip where the host has no zstd on its PATH; plain where it has neither', async () => {
    const noZstd = pathWithout(/^zstd|^unzstd|^zstdcat/);
    const neither = pathWithout(/^zstd|^unzstd|^zstdcat|^gzip|^gunzip|^zcat/);
    dirs.push(noZstd, neither);
    const gz = countingTarget(ssh, noZstd);
    assert.equal((await sh(gz, 'command -v zstd || echo none')).trim(), 'none');
    const viaGzip = await engine(gz).readLog(big);
    assert.equal(sha(viaGzip), bigSha);
    assert.ok(gz.received < bigSize / 3, `gzip: ${gz.received} bytes crossed for ${bigSize}`);

    const plain = countingTarget(ssh, neither);
    const viaPlain = await engine(plain).readLog(big);
    assert.equal(sha(viaPlain), bigSha);
    assert.equal(plain.received, bigSize + 1, 'plain: the log and its header byte');
  });

  it('the catch-up of a growing log is packed and resumes at the exact byte after sshd is killed in it', async () => {
    const n = uniqueName('grow');
    names.push(n);
    // ~40 MB at once (base64 text, packs little: still crossing when sshd goes), then more lines.
    await engine().run({ name: n, command: 'head -c 30000000 /dev/urandom | base64; for i in $(seq 1 40); do echo "more $i"; sleep 0.05; done' });
    await sh(ssh, `while [ "$(stat -c %s ${root}/${n}/run.log)" -lt 40000000 ]; do sleep 0.1; done`);
    wire.reset();
    const chunks: Buffer[] = [];
    const resumedAt: number[] = [];
    let got = 0;
    let restarted: Promise<void> | undefined;
    const job = await engine().follow(n, {
      onData: (c) => {
        chunks.push(c);
        got += c.length;
        if (!restarted && got > 1e6) restarted = sshd.restart();
      },
      onReconnect: (info) => resumedAt.push(info.fromByte),
    });
    await restarted;
    assert.equal(job.state, 'DONE');
    assert.ok(resumedAt.length >= 1 && resumedAt[0]! > 1e6 && resumedAt[0]! < 40e6, `resumed at ${resumedAt.join(', ')}`);
    const all = Buffer.concat(chunks as unknown as Uint8Array[]);
    assert.equal(sha(all), await hostSha(n), 'every byte once, in order');
    assert.ok(wire.received < all.length * 0.9, `packed: ${wire.received} bytes crossed for ${all.length} (some twice)`);
    assert.match(all.subarray(-20).toString(), /more 40\n\[EXIT: 0\]\n$/);
  });
});
