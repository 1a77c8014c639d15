import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';
import { cacheFileName, codeCacheDir } from '../../../src/cli/start';

const run = promisify(execFile);
const START = path.join(__dirname, '..', '..', '..', 'src', 'cli', 'start.ts');

/**
 * The bins' loader (src/cli/start.ts), built as the bins get it (its own bundle) and run in
 * fresh Node processes: the cache is written when a process exits, so one process cannot show it.
 */
describe('the CLI loader: the bundle compiled from a code cache (bin/orch, dist/start.js)', () => {
  let dir: string;
  let loader: string;
  let bundle: string;
  let cache: string;

  before(async function () {
    this.timeout(30_000);
    dir = mkdtempSync(path.join(tmpdir(), 'orch-start-'));
    loader = path.join(dir, 'dist', 'start.js');
    await esbuild.build({ entryPoints: [START], outfile: loader, bundle: true, platform: 'node', format: 'cjs', target: 'node20', logLevel: 'error' });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    bundle = path.join(dir, 'dist', 'orch.js');
    cache = path.join(dir, `cache-${Math.random().toString(36).slice(2)}`, 'orch', 'code');
    // a stand-in CLI bundle: its answer, a function compiled only when called, a sibling require
    writeFileSync(path.join(dir, 'dist', 'sibling.js'), 'module.exports = "sibling";\n');
    writeBundle('one');
  });

  function writeBundle(answer: string, mtime?: Date): void {
    writeFileSync(
      bundle,
      `exports.answer = () => ${JSON.stringify(answer)};\nexports.sibling = () => require('./sibling.js');\n` +
        `exports.runBin = (which) => console.log(JSON.stringify({ which, args: process.argv.slice(2), answer: exports.answer(), file: __filename, dir: __dirname }));\n`,
    );
    if (mtime) utimesSync(bundle, mtime, mtime);
  }

  /** Loads the bundle through the cache in a new process: what the cache did and what the bundle says. */
  async function load(listing = false): Promise<{ cache: string; answer: string; sibling: string }> {
    const code = `const { loadWithCodeCache } = require(${JSON.stringify(loader)});
const r = loadWithCodeCache(${JSON.stringify(bundle)}, ${JSON.stringify(cache)}, module, ${listing});
console.log(JSON.stringify({ cache: r.cache, answer: r.exports.answer(), sibling: r.exports.sibling() }));`;
    const { stdout } = await run(process.execPath, ['-e', code]);
    return JSON.parse(stdout) as { cache: string; answer: string; sibling: string };
  }

  it('writes the cache after the first process (0600 in a 0700 directory) and uses it in the next', async () => {
    assert.deepEqual(await load(), { cache: 'written', answer: 'one', sibling: 'sibling' });
    const files = readdirSync(cache);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^orch-[0-9a-f]{16}-[0-9a-f]{16}\.first\.v8$/);
    assert.equal(statSync(cache).mode & 0o777, 0o700);
    assert.equal(statSync(path.join(cache, files[0]!)).mode & 0o777, 0o600);
    assert.deepEqual(await load(), { cache: 'used', answer: 'one', sibling: 'sibling' });
  });

  it('a listing (status, list) writes its own cache over one another command wrote, once; other commands then use it', async () => {
    assert.equal((await load()).cache, 'written');
    assert.match(readdirSync(cache).join(), /^orch-\w+-\w+\.first\.v8$/);
    assert.equal((await load()).cache, 'used');
    assert.deepEqual(await load(true), { cache: 'used+written', answer: 'one', sibling: 'sibling' });
    assert.match(readdirSync(cache).join(), /^orch-\w+-\w+(?<!first)\.v8$/, 'the listing cache replaces the first one');
    assert.equal((await load(true)).cache, 'used');
    assert.equal((await load()).cache, 'used');
    assert.equal(readdirSync(cache).length, 1);
  });

  it('never runs old code for a rebuilt bundle of the same length and mtime (as npm installs it), and keeps one file per bundle', async () => {
    const npmTime = new Date('1985-10-26T08:15:00Z');
    writeBundle('one', npmTime);
    await load();
    await load();
    writeBundle('two', npmTime);
    assert.deepEqual(await load(), { cache: 'written', answer: 'two', sibling: 'sibling' });
    assert.equal(readdirSync(cache).length, 1);
    assert.deepEqual(await load(), { cache: 'used', answer: 'two', sibling: 'sibling' });
  });

  it('rewrites a cache V8 rejects (corrupt) and still loads the bundle', async () => {
    await load();
    const file = path.join(cache, readdirSync(cache)[0]!);
    writeFileSync(file, 'not a code cache');
    assert.deepEqual(await load(), { cache: 'written', answer: 'one', sibling: 'sibling' });
    assert.deepEqual(await load(), { cache: 'used', answer: 'one', sibling: 'sibling' });
  });

  it('loads a bundle that is not all ASCII as UTF-8, cached or not', async () => {
    writeBundle('héllo → ✓');
    assert.deepEqual(await load(), { cache: 'written', answer: 'héllo → ✓', sibling: 'sibling' });
    assert.deepEqual(await load(), { cache: 'used', answer: 'héllo → ✓', sibling: 'sibling' });
  });

  it('removes, when it writes, a cache unused for a month (another bundle path), and keeps a recent one', async () => {
    mkdirSync(cache, { recursive: true, mode: 0o700 });
    const old = path.join(cache, 'orch-0000000000000000-0000000000000000.v8');
    const recent = path.join(cache, 'orch-1111111111111111-1111111111111111.v8');
    const other = path.join(cache, 'notes.txt');
    for (const f of [old, recent, other]) writeFileSync(f, 'x');
    const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    utimesSync(old, longAgo, longAgo);
    utimesSync(other, longAgo, longAgo);
    await load();
    const left = readdirSync(cache);
    assert.ok(!left.includes(path.basename(old)), 'the month-old cache is still there');
    assert.ok(left.includes(path.basename(recent)) && left.includes('notes.txt'));
    assert.equal(left.length, 3);
  });

  it('does not use a cache directory others may write to', async () => {
    mkdirSync(cache, { recursive: true });
    chmodSync(cache, 0o777);
    assert.deepEqual(await load(), { cache: 'off', answer: 'one', sibling: 'sibling' });
    assert.deepEqual(readdirSync(cache), []);
  });

  it('loads the bundle as require would when the cache cannot be written (a file where its directory would go)', async () => {
    mkdirSync(path.dirname(path.dirname(cache)), { recursive: true });
    writeFileSync(path.dirname(cache), 'a file where a directory would go');
    assert.deepEqual(await load(), { cache: 'written', answer: 'one', sibling: 'sibling' });
    assert.deepEqual(await load(), { cache: 'written', answer: 'one', sibling: 'sibling' });
  });

  it('start() runs the bundle beside it with the bin name and the arguments, its __filename the bundle', async () => {
    const home = path.dirname(path.dirname(path.dirname(cache)));
    const env = { ...process.env, XDG_CACHE_HOME: '', HOME: home };
    const bin = path.join(dir, 'bin-cloud-run');
    writeFileSync(bin, `require(${JSON.stringify(loader)}).start('cloud-run');\n`);
    for (let i = 0; i < 2; i++) {
      const { stdout } = await run(process.execPath, [bin, 'a b', '--x'], { env });
      assert.deepEqual(JSON.parse(stdout), { which: 'cloud-run', args: ['a b', '--x'], answer: 'one', file: bundle, dir: path.dirname(bundle) });
    }
    // `orch status` (after --debug too) counts as a listing: its cache is the one kept
    const orchBin = path.join(dir, 'bin-orch');
    writeFileSync(orchBin, `require(${JSON.stringify(loader)}).start('orch');\n`);
    await run(process.execPath, [orchBin, '--debug', 'status'], { env });
    assert.match(readdirSync(path.join(home, '.cache', 'orch', 'code')).join(), /^orch-\w+-\w+(?<!first)\.v8$/);
  });

  it('keeps the cache under $XDG_CACHE_HOME/orch/code, else ~/.cache/orch/code, named per bundle path', () => {
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/me' }), '/x/cache/orch/code');
    assert.equal(codeCacheDir({ HOME: '/home/me' }), '/home/me/.cache/orch/code');
    const st = { size: 100, mtimeMs: 499162500000, ctimeMs: 1, ino: 7 };
    const a = cacheFileName('/opt/orch/dist/orch.js', st, 'v20');
    // npm installs every file with the same mtime: a reinstall differs in its ctime (and inode)
    for (const other of [{ ...st, ctimeMs: 2 }, { ...st, ino: 8 }, { ...st, size: 101 }, { ...st, mtimeMs: 2 }]) {
      const b = cacheFileName('/opt/orch/dist/orch.js', other, 'v20');
      assert.equal(b.prefix, a.prefix);
      assert.notEqual(b.name, a.name);
    }
    assert.notEqual(cacheFileName('/opt/orch/dist/orch.js', st, 'v22').name, a.name);
    assert.notEqual(cacheFileName('/home/me/orch/dist/orch.js', st, 'v20').prefix, a.prefix);
  });
});
