/**
 * Builds what the benchmark measures, in a private temp directory so the shared `dist/` of the
 * work tree is never touched: the production bundles (`node esbuild.mjs --production`, run
 * unchanged on a tree of symlinks to `src/`) and the small child-process scripts of `bench/children`.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { runProc } from './proc';

export const REPO = join(__dirname, '..', '..');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

export interface Built {
  dir: string;
  extensionJs: string;
  orchJs: string;
  /** A `bin/orch` equivalent: the production bundle through dist/start.js (its code cache). */
  orchBin: string;
  /** The same bundle required directly: compiled at every start (what the code cache saves). */
  orchBinNoCache: string;
  children: { activate: string; tree: string; reportRss: string; follow: string; coldSteps: string; cipher: string; requireCost: string; helperSteps: string };
  /** Minified single-file bundles of each runtime dependency (and all of them), to time their load. */
  deps: Record<string, string>;
  dispose(): void;
}

export async function buildAll(): Promise<Built> {
  const dir = mkdtempSync(join(tmpdir(), 'orch-bench-build-'));
  for (const entry of ['src', 'node_modules', 'package.json', 'tsconfig.json']) symlinkSync(join(REPO, entry), join(dir, entry));
  copyFileSync(join(REPO, 'esbuild.mjs'), join(dir, 'esbuild.mjs'));
  await runProc(process.execPath, ['esbuild.mjs', '--production'], { cwd: dir });
  const orchBin = join(dir, 'orch-bin.js');
  writeFileSync(orchBin, "require('./dist/start.js').start('orch');\n");
  const orchBinNoCache = join(dir, 'orch-bin-nocache.js');
  writeFileSync(orchBinNoCache, "require('./dist/orch.js').runBin('orch');\n");

  const childDir = join(dir, 'children');
  const fake = join(REPO, 'bench/children/fakeVscode.ts');
  const names = ['activate', 'tree', 'reportRss', 'follow', 'coldSteps', 'cipher', 'requireCost', 'helperSteps'] as const;
  await Promise.all(
    names.map((n) =>
      esbuild.build({
        entryPoints: [join(REPO, `bench/children/${n}.ts`)],
        outfile: join(childDir, `${n}.js`),
        bundle: true,
        platform: 'node',
        target: 'node20',
        format: 'cjs',
        logLevel: 'error',
        external: ['cpu-features', '*.node'],
        alias: { vscode: fake },
        loader: { '.sh': 'text' },
        // the same version as the bundles: the connection helper's socket name depends on it
        define: { __ORCH_VERSION__: JSON.stringify(VERSION) },
      }),
    ),
  );
  const deps: Record<string, string> = {};
  const depSets: Record<string, string[]> = { ssh2: ['ssh2'], zod: ['zod'], yaml: ['yaml'], tar: ['tar'], 'all four': ['ssh2', 'zod', 'yaml', 'tar'] };
  for (const [label, mods] of Object.entries(depSets)) {
    deps[label] = join(dir, 'deps', `${label.replace(/\W/g, '_')}.js`);
    await esbuild.build({
      stdin: { contents: mods.map((m) => `require(${JSON.stringify(m)});`).join('\n'), resolveDir: REPO, loader: 'js' },
      outfile: deps[label],
      bundle: true,
      minify: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      logLevel: 'error',
      external: ['cpu-features', '*.node'],
    });
  }
  const children = Object.fromEntries(names.map((n) => [n, join(childDir, `${n}.js`)])) as Built['children'];
  return {
    dir,
    extensionJs: join(dir, 'dist/extension.js'),
    orchJs: join(dir, 'dist/orch.js'),
    orchBin,
    orchBinNoCache,
    children,
    deps,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
