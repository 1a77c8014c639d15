// Lets Node (mocha, tsx) require shell files as text, as esbuild's `text` loader does in the
// bundles: `import text from './x.sh'` gives the file's contents. The host runtime (src/host,
// .sh) and the shell completion scripts (src/cli/completion, .bash/.zsh/.fish) are such files.
const { readFileSync } = require('node:fs');

for (const ext of ['.sh', '.bash', '.zsh', '.fish']) {
  require.extensions[ext] = (module, filename) => {
    module.exports = readFileSync(filename, 'utf8');
  };
}
