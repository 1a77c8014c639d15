// `npm run package`: the .vsix, packed from a staging copy in dist/vsix/.
// Why a copy: package.json's "files" is the npm package's list (PRODUCT.md §12), and vsce
// refuses a manifest with "files" beside a .vscodeignore; the .vsix needs a different set
// (the extension bundle, the icons, its own marketplace readme). So the staged manifest
// carries the .vsix's list below as its "files", and vsce packs exactly that.
// Usage: node scripts/package-vsix.mjs [--ls]   (--ls: print `vsce ls` of the stage instead)
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stage = join(root, 'dist', 'vsix');

/** The files of the .vsix besides package.json and the bundles: [path in the .vsix, path in the repo]. */
const VSIX_FILES = [
  ['bin/orch', 'bin/orch'],
  ['bin/cloud-run', 'bin/cloud-run'],
  ['media/cloud-jobs.svg', 'media/cloud-jobs.svg'],
  // the Marketplace icon, rendered from the SVG by scripts/render-icon.mjs
  ['media/icon.png', 'media/icon.png'],
  // the marketplace page: short, no repo-relative images (the repo README is for a clone)
  ['README.md', 'media/README.md'],
  ['CHANGELOG.md', 'CHANGELOG.md'],
  ['LICENSE', 'LICENSE'],
];

const vsce = join(root, 'node_modules', '.bin', 'vsce');
const listOnly = process.argv.includes('--ls');

execFileSync(process.execPath, [join(root, 'esbuild.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
rmSync(stage, { recursive: true, force: true });
// every bundle esbuild wrote (the extension, the CLI, and any bundle they load on demand)
const bundles = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.js')).map((f) => [`dist/${f}`, `dist/${f}`]);
for (const [to, from] of [...bundles, ...VSIX_FILES]) {
  mkdirSync(dirname(join(stage, to)), { recursive: true });
  copyFileSync(join(root, from), join(stage, to));
}
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// the stage builds nothing (vsce would run these scripts) and bundles every dependency
delete manifest.scripts;
delete manifest.devDependencies;
manifest.files = [...bundles, ...VSIX_FILES].map(([to]) => to);
writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

const args = listOnly ? ['ls', '--no-dependencies'] : ['package', '--no-dependencies', '-o', join(root, 'dist', 'cloud-jobs.vsix')];
execFileSync(vsce, args, { cwd: stage, stdio: 'inherit' });
