import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ShellTarget } from '../../../src/host/target';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import { syncWorkspace } from '../../../src/core/transfer';
import { syncStateFile } from '../../../src/core/transfer/syncState';
import { startSshd, type TestSshd } from '../harness/sshd';

/**
 * The remembered sync state against a real sshd: a sync with nothing changed is one exec (the
 * check, which orch run sends while it hashes the workspace), changes are one more, and whatever changed on the host behind the state (an edit, a
 * deletion, a wiped workdir) is noticed by the host's token and put right.
 */
describe('sync with a remembered state (ssh)', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let target: ShellTarget;
  let ws: string;
  let cacheHome: string;
  let workdir: string;
  let dir: string;
  let calls = 0;
  const savedCache = process.env.XDG_CACHE_HOME;
  const counting = (): ShellTarget => ({ host: target.host, close: async () => undefined, exec: (s, o) => (calls++, target.exec(s, o)) });
  const onHost = async (cmd: string): Promise<string> => {
    const r = await sshd.runAsUser(`cd ${JSON.stringify(dir)} && ${cmd}`);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const sync = async () => {
    calls = 0;
    const r = await syncWorkspace(counting(), ws, workdir);
    return { ...r, calls };
  };
  const stateFile = () => syncStateFile({ host: target.host, workdir, name: 'workspace', root: ws });

  before(async () => {
    sshd = await startSshd();
    const config = sshd.config();
    workdir = config.remoteWorkdir;
    dir = join(sshd.home, workdir.slice(2));
    target = createSshTarget(config);
    cacheHome = mkdtempSync(join(tmpdir(), 'orch-sync-cache-'));
    process.env.XDG_CACHE_HOME = cacheHome;
    ws = mkdtempSync(join(tmpdir(), 'orch-sync-state-'));
    execFileSync('git', ['init', '-q'], { cwd: ws });
    writeFileSync(join(ws, '.gitignore'), 'secret.env\nbuild/\n');
    writeFileSync(join(ws, 'secret.env'), 'API_TOKEN=hunter2-do-not-sync\n');
    mkdirSync(join(ws, 'build'));
    writeFileSync(join(ws, 'build/out.bin'), 'ignored');
    for (let i = 0; i < 40; i++) {
      mkdirSync(join(ws, `pkg${i % 4}`), { recursive: true });
      writeFileSync(join(ws, `pkg${i % 4}`, `f${i}.py`), `print(${i})\n`);
    }
  });
  after(async () => {
    await target?.close();
    await sshd?.stop();
    if (savedCache === undefined) delete process.env.XDG_CACHE_HOME;
    else process.env.XDG_CACHE_HOME = savedCache;
    for (const d of [ws, cacheHome]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('the first sync asks the host what it holds (two calls); then nothing changed is one call', async () => {
    const first = await sync();
    assert.equal(first.uploaded, 41);
    assert.equal(first.calls, 2);
    const same = await sync();
    assert.deepEqual({ uploaded: same.uploaded, deleted: same.deleted, calls: same.calls }, { uploaded: 0, deleted: 0, calls: 1 });
    assert.equal(await onHost('cat pkg1/f5.py'), 'print(5)\n');
    assert.equal(await onHost('ls secret.env build 2>&1 || true'), 'ls: cannot access \'secret.env\': No such file or directory\nls: cannot access \'build\': No such file or directory\n');
  });

  it('one file changed arrives in one call after the check; a deleted file is deleted on the host', async () => {
    writeFileSync(join(ws, 'pkg2/f6.py'), 'print("changed")\n');
    const one = await sync();
    assert.deepEqual({ uploaded: one.uploaded, calls: one.calls }, { uploaded: 1, calls: 2 });
    assert.equal(await onHost('cat pkg2/f6.py'), 'print("changed")\n');
    rmSync(join(ws, 'pkg3/f7.py'));
    const del = await sync();
    assert.deepEqual({ uploaded: del.uploaded, deleted: del.deleted, calls: del.calls }, { uploaded: 0, deleted: 1, calls: 2 });
    assert.equal(await onHost('test -e pkg3/f7.py && echo there || echo gone'), 'gone\n');
    assert.equal((await sync()).calls, 1);
  });

  it('a file edited on the host behind the state is restored, and job output beside it is kept', async () => {
    await onHost('echo edited on the box > pkg0/f0.py && echo output > result.txt');
    const r = await sync();
    assert.deepEqual({ uploaded: r.uploaded, calls: r.calls }, { uploaded: 1, calls: 2 });
    assert.equal(await onHost('cat pkg0/f0.py'), 'print(0)\n');
    assert.equal(await onHost('cat result.txt'), 'output\n');
    assert.equal((await sync()).calls, 1);
  });

  it('a local change sent while the host changed behind the state is refused there, then both are put right', async () => {
    await onHost('echo edited on the box > pkg3/f3.py');
    writeFileSync(join(ws, 'pkg2/f2.py'), 'print("local change")\n');
    const r = await sync();
    assert.deepEqual({ uploaded: r.uploaded, calls: r.calls }, { uploaded: 2, calls: 3 });
    assert.equal(await onHost('cat pkg3/f3.py'), 'print(3)\n');
    assert.equal(await onHost('cat pkg2/f2.py'), 'print("local change")\n');
    assert.equal((await sync()).calls, 1);
  });

  it('a file deleted on the host, or the whole workdir gone (a new box), is uploaded again', async () => {
    await onHost('rm pkg1/f1.py');
    const r = await sync();
    assert.equal(r.uploaded, 1);
    assert.equal(await onHost('cat pkg1/f1.py'), 'print(1)\n');
    await sshd.runAsUser(`rm -rf ${JSON.stringify(dir)}`);
    const again = await sync();
    assert.equal(again.uploaded, 40);
    assert.equal(await onHost('cat pkg2/f6.py'), 'print("changed")\n');
    assert.equal((await sync()).calls, 1);
  });

  it('keeps its state private (0600 in a 0700 directory) and holds paths and hashes, no content', () => {
    const file = stateFile();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(cacheHome, 'orch')).mode & 0o777, 0o700);
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('hunter2') && !text.includes('secret.env'), 'the state names an ignored secret file');
    assert.ok(!text.includes('print('), 'the state holds file contents');
    const parsed = JSON.parse(text) as { files: Record<string, string> };
    assert.equal(Object.keys(parsed.files).length, 40);
    assert.ok(readdirSync(join(cacheHome, 'orch')).every((n) => !n.endsWith('.tmp')));
  });

  it('a corrupt or tampered state is ignored: the host is asked again and nothing outside is touched', async () => {
    writeFileSync(stateFile(), '{"version":1,"files":{');
    const r = await sync();
    assert.deepEqual({ uploaded: r.uploaded, deleted: r.deleted, calls: r.calls }, { uploaded: 0, deleted: 0, calls: 2 });
    const state = JSON.parse(readFileSync(stateFile(), 'utf8')) as { files: Record<string, string> };
    await sshd.runAsUser(`echo keep > ${JSON.stringify(join(dir, '..', 'canary.txt'))}`);
    state.files['../canary.txt'] = 'f'.repeat(64);
    writeFileSync(stateFile(), JSON.stringify(state));
    const t = await sync();
    assert.deepEqual({ deleted: t.deleted, calls: t.calls }, { deleted: 0, calls: 2 });
    assert.equal((await sshd.runAsUser(`cat ${JSON.stringify(join(dir, '..', 'canary.txt'))}`)).stdout, 'keep\n');
    assert.equal((await sync()).calls, 1);
  });
});
