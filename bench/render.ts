/**
 * `npm run bench:render`: writes docs/performance.md (from bench/performance.template.md) and
 * the README's performance table from docs/performance-results.json.
 * `npm run bench:render -- --publish [FILE]` first makes FILE (default the last whole run,
 * bench/results/latest.json) the published results.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeSection, renderTemplate, spliceReadme, type BenchResults } from './lib/render';

const REPO = join(__dirname, '..');
const RESULTS = join(REPO, 'docs/performance-results.json');
const TEMPLATE = join(REPO, 'bench/performance.template.md');

const publish = process.argv.indexOf('--publish');
if (publish >= 0) {
  const from = process.argv[publish + 1] ?? join(REPO, 'bench/results/latest.json');
  const results = JSON.parse(readFileSync(from, 'utf8')) as BenchResults;
  // Samples stay in the bench's own file; the published one keeps what the docs show.
  const slim = { date: results.date, machine: results.machine, link: results.link, only: results.only, lines: results.lines.map(({ raw: _raw, ...l }) => l) };
  writeFileSync(RESULTS, JSON.stringify(slim, null, 2) + '\n');
  process.stderr.write(`published ${from} as ${RESULTS}\n`);
} else if (process.argv.length > 2) {
  throw new Error(`unknown arguments: ${process.argv.slice(2).join(' ')}`);
}
const results = JSON.parse(readFileSync(RESULTS, 'utf8')) as BenchResults;
writeFileSync(join(REPO, 'docs/performance.md'), renderTemplate(results, readFileSync(TEMPLATE, 'utf8')));
const readme = join(REPO, 'README.md');
writeFileSync(readme, spliceReadme(readFileSync(readme, 'utf8'), readmeSection(results)));
process.stderr.write('wrote docs/performance.md and the README table\n');
