/** Builds what the workbench suites load: the extension bundle and the test bundle. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as esbuild from 'esbuild';

export const REPO = join(__dirname, '../../..');
export const OUT = join(REPO, 'out/vscode-test');

export async function buildExtension(): Promise<void> {
  await promisify(execFile)(process.execPath, ['esbuild.mjs'], { cwd: REPO });
}

/** The mocha suite as one CommonJS file for the extension host (vscode stays external). */
export async function buildSuite(): Promise<string> {
  const outfile = join(OUT, 'suite.js');
  await esbuild.build({
    entryPoints: [join(REPO, 'test/vscode/suite/index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'cpu-features', '*.node'],
    loader: { '.sh': 'text' },
    logLevel: 'error',
  });
  return outfile;
}
