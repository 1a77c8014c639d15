/**
 * The published performance figures are generated: docs/performance.md and the README's table
 * are exactly what `npm run bench:render` makes of docs/performance-results.json, and the
 * renderer refuses what would let a number in by hand (an unknown placeholder or figure, a
 * partial run).
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readmeSection, renderTemplate, spliceReadme, README_BEGIN, README_END, type BenchResults } from '../../../bench/lib/render';

const REPO = join(__dirname, '..', '..', '..');
const read = (p: string): string => readFileSync(join(REPO, p), 'utf8');

const sample: BenchResults = {
  date: '2026-12-01T08:00:00.000Z',
  machine: '2 × cpu, Node v20',
  link: { oneWayMs: 20, mbitPerSec: 100 },
  only: null,
  lines: [
    { id: 'a', label: 'first | thing', orch: '10 ms', baseline: '20 ms (ssh)', ratio: 0.5, target: '≤ 0.60×', pass: true, route: 'loopback', raw: {} },
    { id: 'a', label: 'first thing', orch: '90 ms', baseline: '60 ms (ssh)', ratio: 1.5, target: '≤ 1.00×', pass: false, route: 'emulated link, 20 ms each way, 100 Mbit/s', raw: {} },
    { id: 'b', label: 'bundle', orch: '1.1 MB', raw: {} },
  ],
};

describe('bench: the generated performance docs', () => {
  it('docs/performance.md and the README table are the rendering of docs/performance-results.json', () => {
    const results = JSON.parse(read('docs/performance-results.json')) as BenchResults;
    assert.equal(read('docs/performance.md'), renderTemplate(results, read('bench/performance.template.md')), 'run `npm run bench:render`');
    const readme = read('README.md');
    assert.equal(readme, spliceReadme(readme, readmeSection(results)), 'run `npm run bench:render`');
  });

  it('fills figures by id and route, and the summary, tables and misses from the run', () => {
    const out = renderTemplate(sample, '{{orch:a@link}} vs {{baseline:a@link}} = {{ratio:a@link}} ({{target:a@link}}, {{result:a@link}}); {{orch:b@local}}; {{summary}}; {{link}}; {{date}}\n{{misses}}\n{{tables}}');
    assert.match(out, /^90 ms vs 60 ms \(ssh\) = 1\.50× \(≤ 1\.00×, missed\); 1\.1 MB; 1 of 2 targets met; 20 ms each way, 100 Mbit\/s; 2026-12-01\n/);
    assert.match(out, /- link: first thing — 90 ms \(1\.50×\), target ≤ 1\.00×/);
    assert.match(out, /\| first \\\| thing \| 10 ms \|/, 'a | in a cell is escaped');
    assert.match(out, /emulated link, 20 ms each way, 100 Mbit\/s:\n\n\| measurement/);
  });

  it('refuses an unknown placeholder, a missing figure and a partial run', () => {
    assert.throws(() => renderTemplate(sample, '{{nothing}}'), /unknown placeholder \{\{nothing\}\}/);
    assert.throws(() => renderTemplate(sample, '{{orch:zzz@link}}'), /no figure zzz@link/);
    assert.throws(() => renderTemplate(sample, '{{orch:a@moon}}'), /bad figure reference/);
    assert.throws(() => renderTemplate({ ...sample, only: ['cold'] }, 'x'), /partial run/);
  });

  it('replaces only the README section between its markers, which must be there once', () => {
    const readme = `intro\n${README_BEGIN}\nold\n${README_END}\noutro\n`;
    const out = spliceReadme(readme, readmeSection(sample));
    assert.ok(out.startsWith(`intro\n${README_BEGIN}\n`) && out.endsWith(`${README_END}\noutro\n`));
    assert.match(out, /\| loopback: first \\\| thing \|/);
    assert.ok(!out.includes('old'));
    assert.throws(() => spliceReadme('no markers', 'x'), /markers once/);
  });
});
