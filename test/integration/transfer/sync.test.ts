import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { createLocalTarget } from '../../../src/host/localTarget';
import type { ShellTarget } from '../../../src/host/target';
import { UserError } from '../../../src/core/errors';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import { pullDir, syncWorkspace, uploadDirs } from '../../../src/core/transfer';
import { startSshd, type TestSshd } from '../harness/sshd';

/** A git workspace with tracked, untracked, ignored files and a symlink that points out. */
function makeWorkspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'orch-sync-ws-'));
  execFileSync('git', ['init', '-q'], { cwd: ws });
  writeFileSync(join(ws, '.gitignore'), 'ignored/\n*.tmp\n');
  mkdirSync(join(ws, 'src/deep'), { recursive: true });
  mkdirSync(join(ws, 'ignored'));
  writeFileSync(join(ws, 'src/main.py'), 'print("hi")\n');
  writeFileSync(join(ws, 'src/deep/ünï code file.txt'), 'unicode name\n');
  writeFileSync(join(ws, 'untracked.txt'), 'new\n');
  writeFileSync(join(ws, 'ignored/big.bin'), 'x'.repeat(1000));
  writeFileSync(join(ws, 'scratch.tmp'), 'tmp');
  symlinkSync('/etc', join(ws, 'etc-link'));
  execFileSync('git', ['add', '.gitignore', 'src'], { cwd: ws });
  return ws;
}

/** Sync behaviour, run against each target kind: the same code path for local and SSH. */
function syncSuite(kind: string, setup: () => Promise<{ target: ShellTarget; workdir: string; read: (rel: string) => Promise<string | undefined>; shell: (cmd: string) => Promise<void> }>) {
  describe(`workspace sync over the ${kind} target`, function () {
    this.timeout(30_000);
    let ctx: Awaited<ReturnType<typeof setup>>;
    let ws: string;

    before(async () => {
      ctx = await setup();
      ws = makeWorkspace();
    });
    after(async () => {
      await ctx?.target.close();
      if (ws) rmSync(ws, { recursive: true, force: true });
    });

    it('uploads tracked and untracked-not-ignored files, skips ignored files and links pointing out', async () => {
      const r = await syncWorkspace(ctx.target, ws, ctx.workdir);
      assert.equal(r.uploaded, 4);
      assert.equal(r.deleted, 0);
      assert.deepEqual(r.skipped, ['etc-link']);
      assert.equal(await ctx.read('src/main.py'), 'print("hi")\n');
      assert.equal(await ctx.read('src/deep/ünï code file.txt'), 'unicode name\n');
      assert.equal(await ctx.read('untracked.txt'), 'new\n');
      assert.equal(await ctx.read('ignored/big.bin'), undefined);
      assert.equal(await ctx.read('scratch.tmp'), undefined);
    });

    it('sends the changed files as one zstd stream when both ends have zstd, byte for byte', async () => {
      const seen: Buffer[] = [];
      const spy: ShellTarget = {
        host: ctx.target.host,
        close: () => Promise.resolve(),
        exec(script, opts = {}) {
          if (Buffer.isBuffer(opts.stdin)) seen.push(opts.stdin);
          if (opts.stdin instanceof Readable) {
            // A transform that records what passes: a 'data' listener on the stream itself would set
            // it flowing before the channel is open, and the chunks sent meanwhile would be lost.
            const recorder = new Transform({ transform: (c: Buffer, _e, done) => (seen.push(Buffer.from(c)), done(null, c)) });
            return ctx.target.exec(script, { ...opts, stdin: opts.stdin.pipe(recorder) });
          }
          return ctx.target.exec(script, opts);
        },
      };
      const other = mkdtempSync(join(tmpdir(), 'orch-sync-gz-'));
      try {
        execFileSync('git', ['init', '-q'], { cwd: other });
        const text = 'a line of source text that compresses well\n'.repeat(2000);
        writeFileSync(join(other, 'big.txt'), text);
        const r = await syncWorkspace(spy, other, `${ctx.workdir}/gz`);
        assert.equal(r.uploaded, 1);
        const sent = Buffer.concat(seen as unknown as Uint8Array[]);
        assert.ok(sent.includes(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'no zstd stream was sent');
        assert.ok(sent.length < text.length / 10, `${sent.length} bytes sent for ${text.length} of text`);
        assert.equal(await ctx.read('gz/big.txt'), text);
        await ctx.shell('rm -rf gz');
      } finally {
        rmSync(other, { recursive: true, force: true });
      }
    });

    it('sends nothing the second time when nothing changed', async () => {
      const r = await syncWorkspace(ctx.target, ws, ctx.workdir);
      assert.deepEqual({ uploaded: r.uploaded, deleted: r.deleted, bytes: r.bytes, unchanged: r.unchanged }, { uploaded: 0, deleted: 0, bytes: 0, unchanged: 4 });
    });

    it('sends only what changed and deletes on the host what was deleted locally', async () => {
      writeFileSync(join(ws, 'src/main.py'), 'print("changed")\n');
      rmSync(join(ws, 'untracked.txt'));
      await ctx.shell('echo job output > result.txt'); // a file the job made: never in the manifest, never deleted
      const r = await syncWorkspace(ctx.target, ws, ctx.workdir);
      assert.equal(r.uploaded, 1);
      assert.equal(r.deleted, 1);
      assert.equal(r.bytes, Buffer.byteLength('print("changed")\n'));
      assert.equal(await ctx.read('src/main.py'), 'print("changed")\n');
      assert.equal(await ctx.read('untracked.txt'), undefined);
      assert.equal(await ctx.read('result.txt'), 'job output\n');
    });

    it('refuses a host list naming a path outside the workdir, and deletes nothing', async () => {
      await ctx.shell('echo keep > ../outside-canary.txt');
      await ctx.shell("printf '%s\\0' ../outside-canary.txt >> .orch-sync/workspace.list");
      await assert.rejects(syncWorkspace(ctx.target, ws, ctx.workdir), (e: unknown) => e instanceof UserError && /outside the remote workdir/.test(e.message));
      assert.equal(await ctx.read('../outside-canary.txt'), 'keep\n');
      await ctx.shell('rm -f .orch-sync/workspace.list ../outside-canary.txt');
    });

    it('refuses to write through a symlinked directory on the host', async () => {
      await ctx.shell('mkdir -p ../outside-dir && rm -rf src && ln -s ../outside-dir src');
      await assert.rejects(syncWorkspace(ctx.target, ws, ctx.workdir), (e: unknown) => e instanceof UserError && /refusing to write through src: it is a symlink/.test(e.message));
      assert.equal(await ctx.read('../outside-dir/main.py'), undefined);
      await ctx.shell('rm -f src && rm -rf ../outside-dir');
    });

    it('uploads data dirs incrementally and pulls a dir back without touching other local files', async () => {
      const data = join(ws, 'ignored');
      const r1 = await uploadDirs(ctx.target, [data], ctx.workdir, ws);
      assert.equal(r1.uploaded, 1);
      assert.equal(await ctx.read('ignored/big.bin'), 'x'.repeat(1000));
      assert.equal((await uploadDirs(ctx.target, [data], ctx.workdir, ws)).uploaded, 0);

      await ctx.shell('mkdir -p out/sub && echo 1 > out/a.txt && echo 2 > out/sub/b.txt');
      const local = mkdtempSync(join(tmpdir(), 'orch-pull-'));
      writeFileSync(join(local, 'mine.txt'), 'local only');
      const pulled = await pullDir(ctx.target, `${ctx.workdir}/out`, local);
      assert.equal(pulled.files, 2);
      assert.equal(readFileSync(join(local, 'sub/b.txt'), 'utf8'), '2\n');
      assert.equal(readFileSync(join(local, 'mine.txt'), 'utf8'), 'local only');
      await assert.rejects(pullDir(ctx.target, `${ctx.workdir}/missing`, local), (e: unknown) => e instanceof UserError && e.exitCode === 1 && /Nothing to pull/.test(e.message));
      await ctx.shell('mkdir -p empty');
      await assert.rejects(pullDir(ctx.target, `${ctx.workdir}/empty`, local), /Nothing to pull: .* is empty/);
      rmSync(local, { recursive: true, force: true });
    });
  });
}

syncSuite('local', async () => {
  const base = mkdtempSync(join(tmpdir(), 'orch-sync-host-'));
  const workdir = join(base, 'work');
  const target = createLocalTarget();
  return {
    target,
    workdir,
    read: async (rel) => (existsSync(join(workdir, rel)) ? readFileSync(join(workdir, rel), 'utf8') : undefined),
    shell: async (cmd) => {
      const r = await target.exec(`cd ${JSON.stringify(workdir)} && ${cmd}`);
      assert.equal(r.code, 0, r.stderr);
    },
  };
});

let sshd: TestSshd | undefined;
after(async () => sshd?.stop());
syncSuite('ssh', async () => {
  sshd = await startSshd();
  const config = sshd.config();
  const workdir = config.remoteWorkdir; // ~/work-it-XXXX: the home is expanded on the host
  const target = createSshTarget(config);
  const dir = join(sshd.home, workdir.slice(2));
  return {
    target,
    workdir,
    read: async (rel) => {
      const r = await sshd!.runAsUser(`cat -- ${JSON.stringify(join(dir, rel))}`);
      return r.code === 0 ? r.stdout : undefined;
    },
    shell: async (cmd) => {
      const r = await sshd!.runAsUser(`mkdir -p ${JSON.stringify(dir)} && cd ${JSON.stringify(dir)} && ${cmd}`);
      assert.equal(r.code, 0, r.stderr);
    },
  };
});
