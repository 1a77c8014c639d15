import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

describe('the one test command (README, .ci/run)', () => {
  it('is one line in the README, and .ci/run runs exactly that line', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const m = /with one command:\n\n```sh\n(.+)\n```/.exec(readme);
    assert.ok(m, 'the README states the test command in a sh block after "with one command:"');
    const line = m[1];
    const ci = readFileSync(path.join(root, '.ci', 'run'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    assert.equal(ci[ci.length - 1], line, '.ci/run ends with the README line');
    // and the line does the set-up itself before the suites
    assert.ok(line.indexOf('scripts/setup-test-env.sh') < line.indexOf('npm ci') && line.indexOf('npm ci') < line.indexOf('npm test'), line);
  });
});
