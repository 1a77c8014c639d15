// Lets Node (mocha, tsx) require the shell completion scripts as text, as esbuild's `text`
// loader does in the bundles: `import text from './orch.bash'` then gives the file's contents.
const { readFileSync } = require('node:fs');

for (const ext of ['.bash', '.zsh', '.fish']) {
  require.extensions[ext] = (module, filename) => {
    module.exports = readFileSync(filename, 'utf8');
  };
}
