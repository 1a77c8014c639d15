import assert from 'node:assert/strict';
import { UserError } from '../../../src/core/errors';
import { checkPattern, DEFAULT_NO_RETRY_PATTERNS, DEFAULT_WATCH_PATTERNS } from '../../../src/core/guardrails/patterns';
import { backoffSeconds, checkGuardrails, defaultGuardrails, isRetriedExit, parseRetryExit, runGuardrailsOf } from '../../../src/core/guardrails/settings';
import { hostGuardrails } from '../../../src/core/engine/guardFields';

const usage = (re: RegExp) => (e: unknown) => e instanceof UserError && e.exitCode === 2 && re.test(e.message);

describe('guardrail settings', () => {
  it('retries any non-zero exit except 2, 126 and 127 by default', () => {
    const p = defaultGuardrails().retry.onExit;
    assert.deepEqual([1, 3, 137, 143].map((c) => isRetriedExit(p, c)), [true, true, true, true]);
    assert.deepEqual([0, 2, 126, 127].map((c) => isRetriedExit(p, c)), [false, false, false, false]);
  });

  it('reads exit-code lists, ranges, any and any except', () => {
    assert.deepEqual(parseRetryExit('1, 137,3-5'), { kind: 'only', codes: [1, 3, 4, 5, 137] });
    assert.deepEqual(parseRetryExit('any'), { kind: 'except', codes: [] });
    assert.deepEqual(parseRetryExit('any except 2,126'), { kind: 'except', codes: [2, 126] });
    assert.throws(() => parseRetryExit('0'), usage(/--retry-on-exit: "0" is not an exit status 1-255/));
    assert.throws(() => parseRetryExit('5-3'), usage(/range/));
    assert.throws(() => parseRetryExit('abc'), usage(/"abc"/));
  });

  it('backoff doubles from the base and is capped', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map((r) => backoffSeconds(5, 300, r)), [5, 10, 20, 40, 80, 160, 300, 300]);
    assert.equal(backoffSeconds(0.05, 300, 2), 0.1);
    assert.equal(backoffSeconds(600, 300, 1), 600, 'a base above the cap is kept');
  });

  it('accepts the defaults on both sides and refuses patterns grep -E would read differently', () => {
    for (const p of [...DEFAULT_WATCH_PATTERNS.map((x) => x.regex), ...DEFAULT_NO_RETRY_PATTERNS]) assert.equal(checkPattern(p), undefined, p);
    assert.match(checkPattern('(?<=x)y')!, /grep -E/);
    assert.match(checkPattern('a.*?b')!, /lazy/);
    assert.match(checkPattern('\\d+')!, /\[0-9\]/);
    assert.match(checkPattern('a\nb')!, /one line/);
    assert.match(checkPattern('(')!, /not a valid regular expression/);
    assert.match(checkPattern(' ')!, /empty/);
    const bad = defaultGuardrails();
    bad.retry.noRetryOn.push('x(?=y)');
    assert.throws(() => checkGuardrails(bad), usage(/No-retry pattern "x\(\?=y\)"/));
  });

  it('encodes the host fields: backoff, exit rule, one pattern per line', () => {
    const f = hostGuardrails(runGuardrailsOf(defaultGuardrails()));
    assert.equal(f.backoff, '5 300');
    assert.equal(f.retryExit, 'except 2 126 127');
    assert.equal(f.noRetry, DEFAULT_NO_RETRY_PATTERNS.map((p) => `${p}\n`).join(''));
    assert.equal(f.stopOnMatch, false);
    assert.equal(hostGuardrails({ retryOnExit: { kind: 'only', codes: [3] } }).retryExit, 'only 3');
    assert.throws(() => hostGuardrails({ retryBackoffSeconds: -1 }), usage(/--retry-backoff must be a number of seconds/));
    assert.throws(() => hostGuardrails({ stopOnMatch: true, watchPatterns: [] }), usage(/needs at least one watch pattern/));
  });
});
