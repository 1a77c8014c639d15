import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string; dependencies?: Record<string, string> };
const version = manifest.version;

/** What `npm pack --json` says about one tarball. */
interface PackInfo {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string }[];
}

/** The packed size the README states must stay under this (PRODUCT.md §12, issue 16). */
const MAX_PACKED_BYTES = 1.5 * 1024 * 1024;

describe('the npm package: npm pack, then npm install -g of the tarball on a clean PATH', function () {
  this.timeout(180_000);
  let dir: string;
  let pack: PackInfo;
  let prefix: string;
  let env: NodeJS.ProcessEnv;
  const orch = (...argv: string[]) => run(path.join(prefix, 'bin', 'orch'), argv, { cwd: path.join(dir, 'home'), env });

  before(async () => {
    assert.deepEqual(Object.keys(manifest.dependencies ?? {}), [], 'package.json "dependencies" must stay empty: the bundles carry every dependency (put it in devDependencies)');
    dir = mkdtempSync(path.join(tmpdir(), 'orch-npm-pkg-'));
    mkdirSync(path.join(dir, 'home'));
    // `npm pack` runs the prepack production build itself
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    pack = (JSON.parse(packed.stdout) as PackInfo[])[0];
    prefix = path.join(dir, 'prefix');
    // A user's shell, not the repo's: no node_modules/.bin, no NODE_PATH, a fresh HOME (so an empty
    // npm cache), the working directory outside the clone. Only node and npm themselves are on PATH.
    env = {
      PATH: `${path.join(prefix, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      HOME: path.join(dir, 'home'),
      LANG: 'C.UTF-8',
      ORCH_LOG_ROOT: path.join(dir, 'logs'),
    };
    // --offline: the package must need nothing from a registry (everything is in the bundle)
    await run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(dir, pack.filename)], { cwd: env.HOME, env });
  });

  after(async () => {
    if (!dir) return;
    // a local run installs a retention cron line naming its log root: take it out with the root
    await run('bash', ['-c', 'crontab -l 2>/dev/null | grep -qF -- "$1" || exit 0; crontab -l | grep -vF -- "$1" | crontab -', '_', path.join(dir, 'logs')]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('packs the CLI bundle, the bins, README, LICENSE and the manifest: no sources, tests or maps', () => {
    const files = pack.files.map((f) => f.path);
    for (const f of ['LICENSE', 'README.md', 'bin/cloud-run', 'bin/orch', 'dist/orch.js', 'dist/start.js', 'package.json']) assert.ok(files.includes(f), `${f} missing from the package`);
    assert.deepEqual(files.filter((f) => !/^(bin\/[a-z-]+|dist\/[\w-]+\.js|[A-Z]+\.md|LICENSE|package\.json)$/.test(f)), []);
  });

  it('packs every bundle the CLI bundle loads beside itself', () => {
    const files = pack.files.map((f) => f.path);
    const bundle = readFileSync(path.join(root, 'dist', 'orch.js'), 'utf8');
    const siblings = [...bundle.matchAll(/require\(["']\.\/([\w.-]+)["']\)/g)].map((m) => `dist/${m[1]}`);
    assert.deepEqual(siblings.filter((f) => !files.includes(f)), []);
  });

  it(`stays under ${MAX_PACKED_BYTES / 1024 / 1024} MB packed, with the production (minified, map-less) bundle`, () => {
    assert.ok(pack.size < MAX_PACKED_BYTES, `packed size ${pack.size} bytes`);
    const bundle = readFileSync(path.join(root, 'dist', 'orch.js'), 'utf8');
    assert.doesNotMatch(bundle, /sourceMappingURL/);
  });

  it('is as big as the README says (within 10%)', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const m = /\*\*(\d+) kB packed, ([\d.]+) MB unpacked\*\*/.exec(readme);
    assert.ok(m, 'the README states "**N kB packed, M MB unpacked**"');
    const near = (stated: number, actual: number) => Math.abs(stated - actual) <= actual * 0.1;
    assert.ok(near(Number(m[1]) * 1000, pack.size), `README says ${m[1]} kB packed; it is ${(pack.size / 1000).toFixed(0)} kB`);
    assert.ok(near(Number(m[2]) * 1e6, pack.unpackedSize), `README says ${m[2]} MB unpacked; it is ${(pack.unpackedSize / 1e6).toFixed(1)} MB`);
  });

  it('installs with no dependency at all (nothing under the package\'s node_modules)', () => {
    const installed = path.join(prefix, 'lib', 'node_modules');
    assert.deepEqual(readdirSync(installed), ['cloud-jobs']);
    assert.equal(existsSync(path.join(installed, 'cloud-jobs', 'node_modules')), false);
  });

  it('puts orch and cloud-run on the PATH; orch --version prints the package version', async () => {
    assert.deepEqual(readdirSync(path.join(prefix, 'bin')).sort(), ['cloud-run', 'orch']);
    const r = await orch('--version');
    assert.equal(r.stdout, `${version}\n`);
    const cloudRun = await run(path.join(prefix, 'bin', 'cloud-run'), ['--help'], { cwd: env.HOME, env });
    assert.match(cloudRun.stdout, /cloud-run run/);
  });

  it('orch route --json decides from the built-in policy', async () => {
    const r = await orch('route', '--json', '--runtime', '2', '--ui', '--light', '--memory', '1');
    assert.deepEqual(JSON.parse(r.stdout), {
      target: 'local',
      matched: [],
      reasons: ['No rule matched and the task is short, UI-centric and lightweight (runtime_estimate <= 3min AND ui_centric AND lightweight_check): local is allowed.'],
    });
  });

  it('runs a local tmux job to its end and keeps its log', async () => {
    const name = `pkg-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
    const r = await orch('run', '--local', '--wait', name, 'echo', 'hello from the package');
    assert.equal(r.stdout, `${name}\nhello from the package\n[EXIT: 0]\n`);
    assert.match(r.stderr, new RegExp(`job ${name} DONE \\(exit 0\\)`));
    assert.equal(readFileSync(path.join(dir, 'logs', name, 'run.log'), 'utf8'), 'hello from the package\n[EXIT: 0]\n');
    const list = JSON.parse((await orch('list', '--local', '--json')).stdout) as { name: string; state: string }[];
    assert.deepEqual(list.map((j) => [j.name, j.state]), [[name, 'DONE']]);
  });
});
