// Two bundles: the extension (vscode external) and the CLI (no vscode at all, so a stray
// import of it from the core fails this build). ssh2's optional native parts are always
// left out, so every machine runs ssh2's pure-JS fallbacks and the bundle runs where they
// were never compiled. A third, dist/aws-ec2.js, holds the AWS SDK: both main bundles require
// it only when a host is an EC2 box, so neither grows by it.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const nativeExternals = ['cpu-features', '*.node'];

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
  define: { __ORCH_VERSION__: JSON.stringify(version) },
  // Shell files travel inside the bundles as text: the host runtime (src/host) and the shell
  // completion scripts (src/cli/completion).
  loader: { '.sh': 'text', '.bash': 'text', '.zsh': 'text', '.fish': 'text' },
};

/** `require('../../aws/ec2Api')` (src/core/ec2/load.ts) stays a require of the AWS bundle beside the main one. */
const awsBundleExternal = {
  name: 'aws-bundle-external',
  setup(build) {
    build.onResolve({ filter: /\/aws\/ec2Api$/ }, () => ({ path: './aws-ec2.js', external: true }));
  },
};

const targets = [
  { ...common, entryPoints: ['src/vscode/extension.ts'], outfile: 'dist/extension.js', external: ['vscode', ...nativeExternals], plugins: [awsBundleExternal] },
  { ...common, entryPoints: ['src/cli/bin.ts'], outfile: 'dist/orch.js', external: nativeExternals, plugins: [awsBundleExternal] },
  // What the bins load first: it compiles dist/orch.js from a code cache (src/cli/start.ts).
  { ...common, entryPoints: ['src/cli/start.ts'], outfile: 'dist/start.js' },
  // ESM entry points of the SDK (module before main): only the three commands are kept.
  { ...common, entryPoints: ['src/aws/ec2Api.ts'], outfile: 'dist/aws-ec2.js', mainFields: ['module', 'main'] },
];

if (watch) {
  for (const t of targets) {
    const ctx = await esbuild.context(t);
    await ctx.watch();
  }
  console.log('[watch] build started');
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
