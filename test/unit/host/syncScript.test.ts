/**
 * The host side of sync (src/host/transfer/sync.sh, sync-apply.sh) on its own: a real bash and tar on temp dirs,
 * stdin built by hand as the client builds it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tar from 'tar';
import script from '../../../src/host/transfer/sync.sh';
import applyScript from '../../../src/host/transfer/sync-apply.sh';

interface Out {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** A check runs sync.sh alone, an apply sync.sh then sync-apply.sh, as the client sends them. */
function run(stdin: Buffer, cwd: string): Promise<Out> {
  const apply = stdin.subarray(0, 6).toString() === 'apply\0';
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', apply ? `${script}\n${applyScript}` : script], { cwd });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.stdin.on('error', () => undefined);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out as unknown as Uint8Array[]), stderr }));
    child.stdin.end(stdin);
  });
}

function call(o: { mode: 'check' | 'apply'; want: string; zip?: string; reset?: boolean; records?: string; stream?: Buffer }): Buffer {
  const records = Buffer.from(o.records ?? '');
  const fields = [o.mode, 'work', 'tree', o.want, o.zip ?? '', o.reset ? '1' : '0', String(records.length)];
  return Buffer.concat([Buffer.from(fields.map((f) => `${f}\0`).join('')), records, o.stream ?? Buffer.alloc(0)] as unknown as Uint8Array[]);
}

async function tarOf(dir: string, paths: string[], gzip = true): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of tar.c({ cwd: dir, portable: true, noDirRecurse: true, gzip }, paths)) chunks.push(c as Buffer);
  return Buffer.concat(chunks as unknown as Uint8Array[]);
}

const firstLine = (o: Out): string[] => o.stdout.subarray(0, o.stdout.indexOf(0x0a)).toString().split(' ');

describe('host sync script (sync.sh)', () => {
  let base: string;
  let src: string;
  let work: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'orch-sync-sh-'));
    src = join(base, 'src');
    work = join(base, 'work');
    mkdirSync(join(src, 'a/b'), { recursive: true });
    writeFileSync(join(src, 'a/b/one.txt'), 'one\n');
    writeFileSync(join(src, 'two.txt'), 'two\n');
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const upload = async (): Promise<string> => {
    const stream = await tarOf(src, ['a/b/one.txt', 'two.txt']);
    const r = await run(call({ mode: 'apply', want: 'none', zip: 'gzip', reset: true, records: 'Pa\0Pa/b\0Aa/b/one.txt\0Atwo.txt\0', stream }), base);
    assert.equal(r.code, 0, r.stderr);
    const [word, token] = firstLine(r);
    assert.equal(word, 'done');
    assert.match(token!, /^[0-9a-f]{64}$/);
    return token!;
  };

  it('reports no list on a new workdir, with the token none and the compressors it has, creating nothing', async () => {
    const r = await run(call({ mode: 'check', want: '' }), base);
    assert.equal(r.code, 0, r.stderr);
    const [word, kind, token, ...zips] = firstLine(r);
    assert.deepEqual([word, kind, token], ['report', 'none', 'none']);
    assert.ok(zips.includes('gzip'));
    assert.ok(!existsSync(work), 'a check created the workdir');
  });

  it('applies a gzip stream, lists its paths and confirms its own token in a check', async () => {
    const token = await upload();
    assert.equal(readFileSync(join(work, 'a/b/one.txt'), 'utf8'), 'one\n');
    assert.equal(readFileSync(join(work, '.orch-sync/tree.list'), 'utf8'), 'a/b/one.txt\0two.txt\0');
    const r = await run(call({ mode: 'check', want: token }), base);
    assert.equal(r.stdout.toString(), 'same\n');
  });

  it('notices an edit on the host behind the token and reports the real hashes', async () => {
    const token = await upload();
    writeFileSync(join(work, 'two.txt'), 'edited\n');
    symlinkSync('two.txt', join(work, 'a/b/link'));
    writeFileSync(join(work, '.orch-sync/tree.list'), 'a/b/one.txt\0two.txt\0a/b/link\0missing.txt\0');
    const r = await run(call({ mode: 'check', want: token }), base);
    const [word, kind, now] = firstLine(r);
    assert.deepEqual([word, kind], ['report', 'list']);
    assert.notEqual(now, token);
    const entries = r.stdout.subarray(r.stdout.indexOf(0x0a) + 1).toString().split('\0').filter(Boolean).sort();
    assert.deepEqual(entries, [
      `${sha('one\n')}  a/b/one.txt`,
      `${sha('edited\n')}  two.txt`,
      'link  a/b/link',
    ].sort());
  });

  it('an apply whose token does not hold changes nothing (its stream is read and dropped) and reports', async () => {
    await upload();
    const stream = await tarOf(src, ['two.txt']);
    writeFileSync(join(src, 'two.txt'), 'new\n');
    const r = await run(call({ mode: 'apply', want: 'f'.repeat(64), zip: 'gzip', records: 'Da/b/one.txt\0Wtwo.txt\0', stream }), base);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(firstLine(r)[0], 'report');
    assert.equal(readFileSync(join(work, 'a/b/one.txt'), 'utf8'), 'one\n');
    assert.equal(readFileSync(join(work, 'two.txt'), 'utf8'), 'two\n');
  });

  it('deletes listed files (and their emptied dirs), keeps other files, updates the list by the records', async () => {
    const token = await upload();
    writeFileSync(join(work, 'job-output.txt'), 'kept\n');
    const r = await run(call({ mode: 'apply', want: token, records: 'Pa\0Pa/b\0Da/b/one.txt\0' }), base);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(firstLine(r)[0], 'done');
    assert.ok(!existsSync(join(work, 'a')));
    assert.equal(readFileSync(join(work, 'job-output.txt'), 'utf8'), 'kept\n');
    assert.equal(readFileSync(join(work, '.orch-sync/tree.list'), 'utf8'), 'two.txt\0');
  });

  it('a changed file (W) leaves the list as it is, a new one (A) is added to it', async () => {
    const token = await upload();
    writeFileSync(join(src, 'two.txt'), 'two, changed\n');
    writeFileSync(join(src, 'three.txt'), 'three\n');
    const stream = await tarOf(src, ['two.txt', 'three.txt']);
    const r = await run(call({ mode: 'apply', want: token, zip: 'gzip', records: 'Wtwo.txt\0Athree.txt\0', stream }), base);
    assert.equal(firstLine(r)[0], 'done', r.stderr);
    assert.equal(readFileSync(join(work, 'two.txt'), 'utf8'), 'two, changed\n');
    assert.equal(readFileSync(join(work, '.orch-sync/tree.list'), 'utf8'), 'a/b/one.txt\0two.txt\0three.txt\0');
  });

  it('refuses to write through a symlinked directory before deleting or unpacking anything', async () => {
    const token = await upload();
    mkdirSync(join(base, 'outside'));
    rmSync(join(work, 'a'), { recursive: true });
    symlinkSync('../outside', join(work, 'a'));
    const check = await run(call({ mode: 'check', want: token }), base);
    const now = firstLine(check)[2]!;
    const stream = await tarOf(src, ['a/b/one.txt']);
    const r = await run(call({ mode: 'apply', want: now, zip: 'gzip', records: 'Pa\0Pa/b\0Dtwo.txt\0Wa/b/one.txt\0', stream }), base);
    assert.equal(r.code, 5);
    assert.match(r.stderr, /refusing to write through a: it is a symlink in the remote workdir/);
    assert.ok(!existsSync(join(base, 'outside/b')));
    assert.ok(existsSync(join(work, 'two.txt')));
  });

  it('hands a 0.x JSON manifest over as legacy, and replaces it with the list', async () => {
    mkdirSync(join(work, '.orch-sync'), { recursive: true });
    writeFileSync(join(work, '.orch-sync/tree.json'), '{"version":1,"files":{"old.txt":"abc"}}');
    const r = await run(call({ mode: 'check', want: '' }), base);
    assert.deepEqual(firstLine(r).slice(0, 3), ['report', 'legacy', 'none']);
    assert.equal(r.stdout.subarray(r.stdout.indexOf(0x0a) + 1).toString(), '{"version":1,"files":{"old.txt":"abc"}}');
    await upload();
    assert.ok(!existsSync(join(work, '.orch-sync/tree.json')));
  });
});

function sha(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
