/**
 * How a sync's upload is packed, against the real sshd: zstd when both ends have it, gzip when the
 * host or the laptop lacks zstd, and a failing encoder fails the sync with nothing remembered and
 * nothing claimed on the host. Every file is compared by sha256.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import { syncWorkspace } from '../../../src/core/transfer';
import { startSshd, type TestSshd } from '../harness/sshd';
import { pathWithout } from './pathWithout';
import { recordingTarget } from './recordingTarget';
import { streamsIn, type SentStream } from './sentStreams';

const FILES = 400;

/** A git workspace of ~1.3 MB (more than syncCall packs in memory): source-like text, binary, odd names, a link. */
function makeWorkspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'orch-enc-ws-'));
  execFileSync('git', ['init', '-q'], { cwd: ws });
  for (let i = 0; i < FILES; i++) {
    const dir = join(ws, `pkg${i % 10}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `mod${i}.ts`), `export const value${i} = ${i};\n`.repeat(60) + randomBytes(200).toString('hex'));
  }
  writeFileSync(join(ws, 'weights.bin'), randomBytes(300_000));
  writeFileSync(join(ws, 'empty'), '');
  writeFileSync(join(ws, '-dash ünï.txt'), 'odd name\n');
  symlinkSync('pkg0/mod0.ts', join(ws, 'link.ts'));
  return ws;
}

function localHashes(ws: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of readdirSync(ws, { recursive: true, withFileTypes: true })) {
    const full = join(e.parentPath, e.name);
    const rel = relative(ws, full);
    if (rel === '.git' || rel.startsWith('.git/') || !e.isFile()) continue;
    out[rel] = createHash('sha256').update(readFileSync(full) as unknown as Uint8Array).digest('hex');
  }
  return out;
}

async function hostHashes(sshd: TestSshd, workdir: string): Promise<Record<string, string>> {
  const dir = join(sshd.home, workdir.slice(2));
  const r = await sshd.runAsUser(`cd ${JSON.stringify(dir)} && find . -type f ! -path './.orch-sync/*' -print0 | xargs -0 sha256sum`);
  assert.equal(r.code, 0, r.stderr);
  const out: Record<string, string> = {};
  for (const line of r.stdout.split('\n').filter(Boolean)) out[line.slice(66).replace(/^\.\//, '')] = line.slice(0, 64);
  return out;
}

interface ChildOutput {
  result?: { uploaded: number };
  error?: string;
  sent: SentStream[];
}

/** One sync by a laptop whose PATH is `path` (syncChild.ts, a process of its own). */
function childSync(sshd: TestSshd, ws: string, workdir: string, path: string, cache: string): Promise<ChildOutput> {
  const env = { PATH: path, HOME: process.env.HOME, XDG_CACHE_HOME: cache, CHILD_CONFIG: JSON.stringify(sshd.config()), CHILD_WS: ws, CHILD_WORKDIR: workdir };
  const child = spawn(process.execPath, ['--import', 'tsx', '--require', join(process.cwd(), 'scripts/sh-text-hook.cjs'), join(__dirname, 'syncChild.ts')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 || !stdout.trim()) return reject(new Error(`sync child exited ${String(code)}: ${stderr}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildOutput);
    });
  });
}

describe('sync upload packing over the real sshd', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let hostWithoutZstd: TestSshd;
  let noZstd: string;
  let ws: string;
  let cache: string;
  let want: Record<string, string>;
  let n = 0;
  const workdir = (): string => `~/work-enc-${process.pid}-${n++}`;

  before(async () => {
    noZstd = pathWithout(['zstd', 'zstdmt', 'unzstd', 'zstdcat']);
    sshd = await startSshd();
    hostWithoutZstd = await startSshd({ extraConfig: [`SetEnv PATH=${noZstd}`] });
    ws = makeWorkspace();
    want = localHashes(ws);
    cache = mkdtempSync(join(tmpdir(), 'orch-enc-cache-'));
  });
  after(async () => {
    await sshd?.stop();
    await hostWithoutZstd?.stop();
    for (const d of [ws, cache, noZstd]) if (d) rmSync(d, { recursive: true, force: true });
  });

  async function syncHere(server: TestSshd, wd: string): Promise<{ uploaded: number; sent: SentStream[] }> {
    const { target, stdins } = recordingTarget(createSshTarget(server.config()));
    try {
      const r = await syncWorkspace(target, ws, wd);
      return { uploaded: r.uploaded, sent: streamsIn(stdins) };
    } finally {
      await target.close();
    }
  }

  it('sends a first upload as one zstd stream when both ends have zstd, every file byte-exact', async () => {
    const wd = workdir();
    const r = await syncHere(sshd, wd);
    assert.equal(r.uploaded, Object.keys(want).length + 1);
    assert.deepEqual(r.sent.map((s) => [s.zip, s.packing]), [['zstd', 'zstd']]);
    assert.ok(r.sent[0]!.bytes < 700_000, `${r.sent[0]!.bytes} bytes sent`);
    assert.deepEqual(await hostHashes(sshd, wd), want);
    assert.equal((await sshd.runAsUser(`readlink ${wd.slice(2)}/link.ts`)).stdout.trim(), 'pkg0/mod0.ts');
    assert.equal(readlinkSync(join(ws, 'link.ts')), 'pkg0/mod0.ts');
  });

  it('sends gzip to a host without zstd on its PATH, byte-exact', async () => {
    const probe = await hostWithoutZstd.runAsUser('true'); // the harness's own shell; the host's PATH is sshd's SetEnv
    assert.equal(probe.code, 0);
    const t = createSshTarget(hostWithoutZstd.config());
    try {
      assert.equal((await t.exec('command -v zstd || echo none; command -v gzip >/dev/null && echo gzip')).stdout.toString(), 'none\ngzip\n');
    } finally {
      await t.close();
    }
    const wd = workdir();
    const r = await syncHere(hostWithoutZstd, wd);
    assert.deepEqual(r.sent.map((s) => [s.zip, s.packing]), [['gzip', 'gzip']]);
    assert.deepEqual(await hostHashes(hostWithoutZstd, wd), want);
  });

  it('falls back to gzip on a laptop without zstd (none on its PATH, none in its Node)', async () => {
    const wd = workdir();
    const out = await childSync(sshd, ws, wd, noZstd, mkdtempSync(join(cache, 'laptop-')));
    assert.equal(out.error, undefined);
    assert.equal(out.result?.uploaded, Object.keys(want).length + 1);
    assert.deepEqual(out.sent.map((s) => [s.zip, s.packing]), [['gzip', 'gzip']]);
    assert.deepEqual(await hostHashes(sshd, wd), want);
  });

  it('fails the sync when the laptop\'s zstd fails: nothing remembered, nothing claimed on the host, the next sync sends all', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'orch-enc-broken-'));
    try {
      writeFileSync(join(broken, 'zstd'), '#!/bin/sh\nhead -c 5000 >/dev/null\nprintf "\\050\\265\\057\\375 partial"\necho "zstd: error 11 : Allocation error" >&2\nexit 1\n');
      chmodSync(join(broken, 'zstd'), 0o755);
      const laptopCache = mkdtempSync(join(cache, 'broken-'));
      const wd = workdir();
      const out = await childSync(sshd, ws, wd, `${broken}:${noZstd}`, laptopCache);
      assert.match(out.error ?? '', /zstd could not pack the files: zstd: error 11 : Allocation error/);
      assert.deepEqual(out.sent.map((s) => s.zip), ['zstd']);
      const remembered = existsSync(join(laptopCache, 'orch')) ? readdirSync(join(laptopCache, 'orch')).filter((f) => f.startsWith('sync-')) : [];
      assert.deepEqual(remembered, []);
      const dir = join(sshd.home, wd.slice(2));
      assert.equal((await sshd.runAsUser(`test -e ${JSON.stringify(join(dir, '.orch-sync/workspace.list'))} && echo listed || echo none`)).stdout, 'none\n');
      const again = await syncHere(sshd, wd);
      assert.equal(again.uploaded, Object.keys(want).length + 1);
      assert.deepEqual(await hostHashes(sshd, wd), want);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });
});
