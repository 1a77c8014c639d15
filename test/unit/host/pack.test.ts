/**
 * Packed transfer on the host (src/host/lib/pack.sh, ops/read-log.sh, ops/follow.sh), in a real
 * bash on temp dirs: which codec a host with or without zstd and gzip uses, the header byte, and
 * that what is sent decodes (with the real zstd and gzip) to exactly the bytes of run.log.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { HostExit } from '../../../src/host/protocol';
import { HostSandbox } from './hostShell';

/** A PATH dir holding only `tools` (links to the system's), so a host "without zstd" is real. */
function toolDir(box: HostSandbox, name: string, tools: string[]): string {
  const bin = join(box.dir, name);
  mkdirSync(bin);
  for (const t of tools) symlinkSync(execFileSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).trim(), join(bin, t));
  return bin;
}

const unzstd = (b: Buffer): Buffer => execFileSync('zstd', ['-d', '-c', '-q'], { input: b, maxBuffer: 1 << 28 });

describe('host library: packed transfer', function () {
  this.timeout(20000);
  let box: HostSandbox;
  beforeEach(() => {
    box = new HostSandbox();
  });
  afterEach(async () => {
    await box.close();
  });

  it('pack_choose takes the first wanted codec the host has, else plain', async () => {
    const all = toolDir(box, 'all', ['zstd', 'gzip']);
    const gz = toolDir(box, 'gz', ['gzip']);
    const none = toolDir(box, 'none', []);
    const ask = async (path: string, wanted: string) => (await box.sh(`PATH='${path}'; pack_choose c '${wanted}'; printf '%s' "$c"`)).stdout;
    assert.equal(await ask(all, 'zstd gzip'), 'zstd');
    assert.equal(await ask(all, 'gzip zstd'), 'gzip');
    assert.equal(await ask(gz, 'zstd gzip'), 'gzip', 'no zstd on the PATH: gzip');
    assert.equal(await ask(none, 'zstd gzip'), 'plain', 'neither: plain');
    assert.equal(await ask(all, ''), 'plain', 'nothing asked (the local target): plain');
    assert.equal(await ask(all, 'cat rm'), 'plain', 'only zstd and gzip are codecs');
  });

  it('pack_send puts the header byte first and the codec\'s stream after it, from a file or stdin', async () => {
    const text = Buffer.from(Array.from({ length: 20000 }, (_, i) => `step ${i} loss=${(i % 97) / 7}\n`).join(''));
    const file = join(box.dir, 'in.log');
    writeFileSync(file, text);
    for (const [codec, header, decode] of [['zstd', 'z', unzstd], ['gzip', 'g', gunzipSync], ['plain', 'p', (b: Buffer) => b]] as const) {
      for (const from of ['file', 'stdin']) {
        const out = join(box.dir, `${codec}-${from}`);
        const r = await box.sh(from === 'file' ? `pack_send ${codec} '${file}' > '${out}'` : `pack_send ${codec} < '${file}' > '${out}'`);
        assert.equal(r.code, 0, r.stderr);
        const sent = readFileSync(out);
        assert.equal(String.fromCharCode(sent[0]!), header);
        assert.ok(decode(sent.subarray(1)).equals(text), `${codec} from ${from} decodes to the input`);
        if (codec !== 'plain') assert.ok(sent.length < text.length / 3, `${codec} packs: ${sent.length} of ${text.length}`);
      }
    }
  });

  it('op_read_log packs the whole log, its last lines and one attempt of a log of 64 KB or more; a smaller one goes plain; a missing attempt sends nothing', async () => {
    // Over PACK_MIN (64 KB): smaller logs go plain.
    const first = `${'first try\n'.repeat(7000)}[RETRY: exit 1; attempt 2 of 2]\n`;
    const log = `${first}second\n[EXIT: 0]\n`;
    box.job('j', 'true', { 'run.log': log, attempts: `1 0 ${first.length}\n2 ${first.length}\n`, exit: '0\n' });
    box.job('small', 'true', { 'run.log': 'tiny\n[EXIT: 0]\n', exit: '0\n' });
    const read = async (lines: string, attempt: string, pack: string) => {
      const out = join(box.dir, 'read.out');
      const r = await box.sh(`F_ROOT='${box.root}' F_NAME=j F_LINES='${lines}' F_ATTEMPT='${attempt}' F_PACK='${pack}'; op_read_log > '${out}'`);
      return { code: r.code, sent: readFileSync(out) };
    };
    const whole = await read('', '', 'zstd gzip');
    assert.equal(whole.sent.subarray(0, 1).toString(), 'z');
    assert.equal(unzstd(whole.sent.subarray(1)).toString(), log);
    const tail = await read('2', '', 'gzip');
    assert.equal(tail.sent.subarray(0, 1).toString(), 'g');
    assert.equal(gunzipSync(tail.sent.subarray(1)).toString(), 'second\n[EXIT: 0]\n');
    assert.equal((await read('', '', '')).sent.toString(), `p${log}`);
    const second = await read('', '2', 'zstd');
    assert.equal(unzstd(second.sent.subarray(1)).toString(), 'second\n[EXIT: 0]\n');
    const small = join(box.dir, 'small.out');
    await box.sh(`F_ROOT='${box.root}' F_NAME=small F_LINES= F_ATTEMPT= F_PACK=zstd; op_read_log > '${small}'`);
    assert.equal(readFileSync(small, 'utf8'), 'ptiny\n[EXIT: 0]\n', 'under 64 KB: plain');
    const missing = await read('', '7', 'zstd');
    assert.equal(missing.code, HostExit.noAttempt);
    assert.equal(missing.sent.length, 0);
  });

  it('op_follow packs a catch-up of 64 KB or more and says whether the job had ended; less goes live and plain', async () => {
    const log = `${'x'.repeat(99)}\n`.repeat(2000) + '[EXIT: 0]\n';
    box.job('f', 'true', { 'run.log': log, exit: '0\n' });
    const follow = async (from: number) => {
      const out = join(box.dir, 'follow.out');
      const r = await box.sh(`F_ROOT='${box.root}' F_NAME=f F_FROM=${from} F_PACK='zstd gzip'; op_follow > '${out}'`);
      return { code: r.code, sent: readFileSync(out) };
    };
    const caught = await follow(100);
    assert.equal(caught.code, 0, 'the job had ended: the packed range was all of it');
    assert.equal(caught.sent.subarray(0, 1).toString(), 'z');
    assert.equal(unzstd(caught.sent.subarray(1)).toString(), log.slice(100));
    const near = Buffer.byteLength(log) - 1000;
    const live = await follow(near);
    assert.equal(live.code, 0);
    assert.equal(live.sent.toString(), `p${log.slice(near)}`);
  });
});
