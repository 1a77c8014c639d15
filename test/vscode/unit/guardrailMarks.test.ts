import * as assert from 'node:assert/strict';
import { attemptsIn, attemptText, JobMarks, l1Text } from '../../../src/vscode/guardrailMarks';

describe('guardrail marks', () => {
  it('reads the attempt total from the last [RETRY: ...] line', () => {
    assert.equal(attemptsIn('try 1\n[RETRY: exit 1; attempt 2 of 3]\ntry 2\n[RETRY: exit 1; attempt 3 of 3]\n'), 3);
    assert.equal(attemptsIn('[RETRY: exit 1; attempt 2 of 4]\n'), 4);
    assert.equal(attemptsIn('echo "[RETRY: inline] attempt 2 of 9" is not a line of its own\n'), undefined);
    assert.equal(attemptsIn('no retries\n[EXIT: 0]\n'), undefined);
  });

  it('says the attempt only when there was a retry', () => {
    assert.equal(attemptText(1, undefined), undefined);
    assert.equal(attemptText(2, undefined), 'attempt 2');
    assert.equal(attemptText(1, { attempts: 3 }), 'attempt 1/3');
    assert.equal(attemptText(3, { attempts: 3 }), 'attempt 3/3');
  });

  it('shortens a long L1 match', () => {
    assert.equal(l1Text({ l1: { pattern: 'error', text: 'ERROR', line: 1 } }), '⚠ L1: ERROR');
    assert.equal(l1Text({ l1: { pattern: 'p', text: 'x'.repeat(60), line: 1 } }), `⚠ L1: ${'x'.repeat(39)}…`);
    assert.equal(l1Text({}), undefined);
  });

  it('tells the first L1 match of a job (one notification) from later ones, per host and name', () => {
    const m = new JobMarks();
    let changes = 0;
    m.onDidChange(() => changes++);
    const a = { name: 'a', host: 'h' };
    assert.equal(m.setL1(a, { pattern: 'error', text: 'ERROR', line: 1 }), true);
    assert.equal(m.setL1(a, { pattern: 'oom', text: 'Killed', line: 9 }), false);
    assert.equal(m.get(a)?.l1?.text, 'Killed');
    assert.equal(m.setL1({ name: 'a', host: 'local' }, { pattern: 'error', text: 'ERROR', line: 1 }), true);
    m.setAttempts(a, 3);
    m.setAttempts(a, 3);
    assert.equal(changes, 4);
    m.clear(a);
    assert.equal(m.get(a), undefined);
  });
});
