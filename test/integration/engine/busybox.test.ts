/**
 * The host-side suites (engine basics, host features, guardrails) on the local target with a
 * busybox userland on PATH: what the host library does must work on Alpine-like boxes too.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalTarget } from '../../../src/host/localTarget';
import { createEngine } from '../../../src/core/engine/engine';
import { PACK_CODECS } from '../../../src/host/unpack';
import { syncWorkspace, type SyncResult } from '../../../src/core/transfer';
import { countingTarget } from './countingTarget';
import { guardSuite } from '../guardrails/guardSuite';
import { basicSuite } from './basicSuite';
import { busyboxPath } from './busyboxPath';
import { cleanupHost, localConfig, sh, type EngineFixture } from './fixture';
import { hostSuite } from './hostSuite';
import { autostopSuite } from './autostopSuite';

describe('engine on a busybox userland (local target)', function () {
  this.timeout(60_000);
  const names: string[] = [];
  let dir = '';
  let path = '';
  let fixture: EngineFixture;

  before(() => {
    path = busyboxPath();
    dir = mkdtempSync(join(tmpdir(), 'orch-engine-bb-'));
    const base = localConfig(dir);
    const target = createLocalTarget({ env: { ...process.env, PATH: path } });
    fixture = { label: 'busybox', target, config: (o) => ({ ...base, ...o }), close: async () => undefined };
  });

  after(async () => {
    await cleanupHost(fixture, names, dir);
    rmSync(dir, { recursive: true, force: true });
    rmSync(path, { recursive: true, force: true });
  });

  it('really runs busybox applets, without flock, cksum or GNU tail', async () => {
    const out = await sh(fixture.target, 'for t in tail date stat; do readlink "$(command -v $t)"; done; command -v flock cksum; tail --pid=1 -c 0 /dev/null 2>&1; true');
    assert.match(out, /busybox\n.*busybox\n.*busybox\n/);
    assert.doesNotMatch(out, /\/flock|\/cksum/);
    assert.match(out, /unrecognized option|invalid option/);
    assert.ok(execFileSync('busybox', ['--list'], { encoding: 'utf8' }).includes('setsid'));
  });

  it('packs logs with busybox gzip (no zstd there), byte-exact, read whole and followed', async () => {
    assert.equal((await sh(fixture.target, 'command -v zstd || echo none')).trim(), 'none');
    // The local target asks for plain (no link to save); a remote busybox host gets this request.
    const wire = countingTarget(fixture.target);
    const engine = createEngine(fixture.config(), wire, { pack: PACK_CODECS });
    const n = `bb-pack-${process.pid}`;
    names.push(n);
    await engine.run({ name: n, command: "awk 'BEGIN { for (i = 0; i < 60000; i++) printf \"step %d loss=%.4f\\n\", i, (i % 977) / 31 }'" });
    const chunks: Buffer[] = [];
    await engine.follow(n, { onData: (c) => chunks.push(c) });
    const file = readFileSync(join(fixture.config().logRoot, n, 'run.log'));
    assert.ok(file.length > 600_000, `${file.length} bytes`);
    assert.ok(Buffer.concat(chunks as unknown as Uint8Array[]).equals(file), 'followed byte-exact');
    wire.reset();
    assert.ok((await engine.readLog(n)).equals(file), 'read byte-exact');
    assert.ok(wire.received < file.length / 3, `packed: ${wire.received} bytes for ${file.length}`);
  });

  it('syncs a workspace with busybox tar and sha256sum: first, nothing changed, one changed, one deleted, and the host asked again', async () => {
    const ws = join(dir, 'ws');
    const workdir = join(dir, 'workdir');
    const saved = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(dir, 'cache');
    try {
      mkdirSync(join(ws, 'pkg'), { recursive: true });
      execFileSync('git', ['init', '-q'], { cwd: ws });
      for (let i = 0; i < 30; i++) writeFileSync(join(ws, 'pkg', `f${i}.py`), `print(${i})\n`);
      writeFileSync(join(ws, 'odd\nname.txt'), 'a newline in the name\n');
      const sync = () => syncWorkspace(fixture.target, ws, workdir);
      const brief = (r: SyncResult) => ({ uploaded: r.uploaded, deleted: r.deleted });
      assert.deepEqual(brief(await sync()), { uploaded: 31, deleted: 0 });
      assert.equal(readFileSync(join(workdir, 'pkg', 'f7.py'), 'utf8'), 'print(7)\n');
      assert.equal(readFileSync(join(workdir, 'odd\nname.txt'), 'utf8'), 'a newline in the name\n');
      assert.deepEqual(brief(await sync()), { uploaded: 0, deleted: 0 });
      writeFileSync(join(ws, 'pkg', 'f3.py'), 'print("changed")\n');
      rmSync(join(ws, 'pkg', 'f4.py'));
      assert.deepEqual(brief(await sync()), { uploaded: 1, deleted: 1 });
      assert.equal(readFileSync(join(workdir, 'pkg', 'f3.py'), 'utf8'), 'print("changed")\n');
      assert.equal(existsSync(join(workdir, 'pkg', 'f4.py')), false);
      // no state here: the host hashes what it holds (sha256sum without -z), and nothing is sent again
      rmSync(join(dir, 'cache'), { recursive: true, force: true });
      writeFileSync(join(workdir, 'pkg', 'f5.py'), 'edited on the host\n');
      assert.deepEqual(brief(await sync()), { uploaded: 1, deleted: 0 });
      assert.equal(readFileSync(join(workdir, 'pkg', 'f5.py'), 'utf8'), 'print(5)\n');
    } finally {
      if (saved === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = saved;
    }
  });

  describe('basics', () => basicSuite(() => fixture, names));
  describe('host features', () => hostSuite(() => fixture, names, { localPath: false }));
  describe('guardrails', () => guardSuite(() => fixture, names));
  describe('autostop', () => autostopSuite(() => fixture, names));
});
