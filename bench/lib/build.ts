/**
 * Builds what the benchmark measures, in a private temp directory so the shared `dist/` of the
 * work tree is never touched: the production bundles (`node esbuild.mjs --production`, run
 * unchanged on a tree of symlinks to `src/`) and the small child-process scripts of `bench/children`.
 */
import { copyFileSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { runProc } from './proc';

export const REPO = join(__dirname, '..', '..');

export interface Built {
  dir: string;
  extensionJs: string;
  orchJs: string;
  /** A `bin/orch` equivalent that loads the production bundle. */
  orchBin: string;
  children: { activate: string; tree: string; reportRss: string; follow: string };
  dispose(): void;
}

export async function buildAll(): Promise<Built> {
  const dir = mkdtempSync(join(tmpdir(), 'orch-bench-build-'));
  for (const entry of ['src', 'node_modules', 'package.json', 'tsconfig.json']) symlinkSync(join(REPO, entry), join(dir, entry));
  copyFileSync(join(REPO, 'esbuild.mjs'), join(dir, 'esbuild.mjs'));
  await runProc(process.execPath, ['esbuild.mjs', '--production'], { cwd: dir });
  const orchBin = join(dir, 'orch-bin.js');
  writeFileSync(orchBin, "require('./dist/orch.js').runBin('orch');\n");

  const childDir = join(dir, 'children');
  const fake = join(REPO, 'bench/children/fakeVscode.ts');
  const names = ['activate', 'tree', 'reportRss', 'follow'] as const;
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
      }),
    ),
  );
  const children = Object.fromEntries(names.map((n) => [n, join(childDir, `${n}.js`)])) as Built['children'];
  return {
    dir,
    extensionJs: join(dir, 'dist/extension.js'),
    orchJs: join(dir, 'dist/orch.js'),
    orchBin,
    children,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
