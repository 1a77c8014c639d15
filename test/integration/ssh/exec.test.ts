import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { createSshTarget, type SshTarget } from '../../../src/core/ssh/sshTarget';
import { startSshd, type TestSshd } from '../harness/sshd';

// The pinned @types/node does not see Buffer as a Uint8Array under TS 5.9: view it as one.
const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const sha = (b: Buffer): string => createHash('sha256').update(view(b)).digest('hex');
const join = (parts: Buffer[]): Buffer => Buffer.concat(parts.map(view));

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('ssh target: exec over a real sshd', function () {
  this.timeout(30_000);
  let sshd: TestSshd;
  let target: SshTarget;
  const log: string[] = [];

  before(async () => {
    sshd = await startSshd();
    target = createSshTarget(sshd.config(), { log: (l) => log.push(l) });
  });
  after(async () => {
    await target?.close();
    await sshd?.stop();
  });

  it('runs a script as the configured user and returns stdout, stderr and the exit code', async () => {
    const r = await target.exec('whoami; pwd; echo oops >&2; exit 3');
    assert.equal(r.code, 3);
    assert.equal(r.stdout.toString(), `${sshd.user}\n${sshd.home}\n`);
    assert.equal(r.stderr, 'oops\n');
    assert.equal((await target.exec('true')).code, 0);
  });

  it('keeps the exit status of scripts that end at once (exit status and close in one packet)', async () => {
    for (let round = 0; round < 3; round++) {
      const codes = await Promise.all(Array.from({ length: 16 }, (_, i) => target.exec(`exit ${i}`).then((r) => r.code)));
      assert.deepEqual(codes, Array.from({ length: 16 }, (_, i) => i));
    }
  });

  it('passes quotes, $, backticks, newlines and unicode through intact', async () => {
    const tricky = `it's "quoted" $HOME \`uname\` \\ ünïcødé ✓\nsecond line`;
    const r = await target.exec(`cat <<'EOF'\n${tricky}\nEOF\nprintf '%s' ${"'" + tricky.replace(/'/g, `'\\''`) + "'"} | wc -c`);
    assert.equal(r.code, 0, r.stderr);
    const [echoed, count] = [r.stdout.toString().slice(0, tricky.length + 1), r.stdout.toString().slice(tricky.length + 1)];
    assert.equal(echoed, tricky + '\n');
    assert.equal(Number(count.trim()), Buffer.byteLength(tricky));
  });

  it('round-trips 1 MB of binary stdin through cat', async () => {
    const data = randomBytes(1 << 20);
    const r = await target.exec('cat', { stdin: data });
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, data.length);
    assert.equal(sha(r.stdout), sha(data));
  });

  it('streams a Readable stdin into a slow Writable stdout with backpressure', async () => {
    const parts = Array.from({ length: 64 }, () => randomBytes(32 * 1024));
    const received: Buffer[] = [];
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, cb) {
        received.push(chunk);
        maxBuffered = Math.max(maxBuffered, this.writableLength);
        setTimeout(cb, 1);
      },
    });
    const r = await target.exec('cat', { stdin: Readable.from(parts), stdout: slow });
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, 0, 'stdout goes to the stream, not the result');
    await new Promise<void>((res) => (slow.writableLength === 0 ? res() : slow.once('drain', () => res())));
    assert.equal(sha(join(received)), sha(join(parts)));
    assert.ok(maxBuffered < 1 << 20, `the writable never held the whole output (max ${maxBuffered})`);
  });

  it('delivers stdout chunks to onStdout as they arrive', async () => {
    const seen: string[] = [];
    let firstAt = 0;
    const t0 = Date.now();
    const r = await target.exec('echo one; sleep 0.4; echo two', {
      onStdout: (c) => {
        if (seen.length === 0) firstAt = Date.now() - t0;
        seen.push(c.toString());
      },
    });
    assert.equal(r.code, 0);
    assert.equal(seen.join(''), 'one\ntwo\n');
    assert.ok(firstAt < Date.now() - t0 - 200, 'the first line arrived before the script ended');
  });

  it('runs 20 concurrent scripts on one connection, at most 8 channels at a time (sshd allows 10)', async () => {
    const dirName = `conc-${Date.now()}`;
    // Each script counts the scripts running beside it (including itself).
    const script = (i: number): string => `mkdir -p ~/${dirName}; touch ~/${dirName}/${i}; sleep 0.3; ls ~/${dirName} | wc -l; rm ~/${dirName}/${i}; echo ${i} >&2`;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => target.exec(script(i))));
    const counts = results.map((r, i) => {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, `${i}\n`);
      return Number(r.stdout.toString().trim());
    });
    assert.ok(Math.max(...counts) <= 8, `never more than 8 at once: ${counts.join(',')}`);
    assert.ok(Math.max(...counts) >= 4, `ran in parallel: ${counts.join(',')}`);
    const connects = log.filter((l) => /connected to /.test(l)).length;
    assert.equal(connects, 1, `one connection for everything so far: ${log.join(' | ')}`);
  });

  it('kills the remote process group when the call is aborted', async () => {
    const marker = `${3000 + Math.floor(Math.random() * 1000)}.${Date.now() % 100000}`;
    const ac = new AbortController();
    const t0 = Date.now();
    const p = target.exec(`echo started; sleep ${marker}; echo finished > ~/abort-${marker}`, {
      signal: ac.signal,
      onStdout: () => ac.abort(),
    });
    const r = await p;
    assert.equal(r.code, null);
    assert.ok(Date.now() - t0 < 1500, 'TERM ends the script well before the KILL fallback');
    await waitFor('the remote sleep to end', async () => (await sshd.runAsUser(`pgrep -u ${sshd.user} -f 'sleep ${marker}'`)).code === 1);
    const after = await sshd.runAsUser(`test -e ~/abort-${marker}`);
    assert.equal(after.code, 1, 'the script did not continue after the abort');
    // The connection is still usable.
    assert.equal((await target.exec('echo ok')).stdout.toString(), 'ok\n');
  });

  it('returns at once without running anything when the signal is already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    const name = `pre-abort-${Date.now()}`;
    const r = await target.exec(`touch ~/${name}`, { signal: ac.signal });
    assert.equal(r.code, null);
    assert.equal((await sshd.runAsUser(`test -e ~/${name}`)).code, 1);
  });
});
