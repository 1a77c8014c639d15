import assert from 'node:assert/strict';
import { encodeJobEnv, envFromFile, envFromWord } from '../../../src/core/secrets/jobEnv';
import { isUserError } from '../../../src/core/errors';

const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(isUserError(e));
    return e.message;
  }
  assert.fail('expected a refusal');
};

describe('job secrets (--env, --env-file)', () => {
  it('--env NAME takes the local value, NAME=VALUE its own; a missing or bad name is one sentence', () => {
    assert.deepEqual(envFromWord('HF_TOKEN', { HF_TOKEN: 'hf_x' }), ['HF_TOKEN', 'hf_x']);
    assert.deepEqual(envFromWord('K=a=b', {}), ['K', 'a=b']);
    assert.match(refusal(() => envFromWord('NOPE', {})), /NOPE is not set in this environment/);
    assert.match(refusal(() => envFromWord('1X=2', {})), /is not a variable name/);
    assert.match(refusal(() => envFromWord('PATH=/x', {})), /set by the host/);
  });

  it('--env-file reads NAME=VALUE lines; a bad line is named by file:line without its text', () => {
    assert.deepEqual(envFromFile('# c\nA=1\nexport B="two words"\n', 'f.env', {}), { A: '1', B: 'two words' });
    const msg = refusal(() => envFromFile('A=1\nsecret-value-xyz\n', 'f.env', {}));
    assert.match(msg, /--env-file f\.env:2:/);
    assert.doesNotMatch(msg, /secret-value-xyz/);
  });

  it('encodes one line per variable, backslashes and newlines escaped', () => {
    assert.equal(encodeJobEnv({ A: 'x\ny', B: 'a\\nb' }), 'A=x\\ny\nB=a\\\\nb\n');
    assert.match(refusal(() => encodeJobEnv({ A: 'x\0y' })), /NUL/);
  });
});
