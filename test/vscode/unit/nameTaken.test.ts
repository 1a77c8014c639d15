import * as assert from 'node:assert/strict';
import type { Job } from '../../../src/core/jobs/model';
import { keptLogPath, nameTakenWarning, REPLACE, replaceQuestion } from '../../../src/vscode/nameTaken';

const job = (over: Partial<Job>): Job => ({ name: 'train', state: 'DONE', exitCode: 0, host: 'gpu-box', ...over }) as Job;

describe('a job name already in use (Run on EC2)', () => {
  it('the name box stays quiet for a new name and warns for a used one, saying what Enter leads to', () => {
    assert.equal(nameTakenWarning('fresh', [job({})]), undefined);
    assert.equal(nameTakenWarning('train', [job({})]), `train was used on gpu-box (done): running it there offers "${REPLACE}".`);
    assert.equal(
      nameTakenWarning(' train ', [job({ state: 'FAILED', exitCode: 2 }), job({ host: 'local', state: 'STOPPED', exitCode: null })]),
      `train was used on gpu-box (failed, exit 2), local (stopped): running it there offers "${REPLACE}".`,
    );
  });

  it('a running job of that name is named first: it cannot be replaced', () => {
    assert.equal(nameTakenWarning('train', [job({}), job({ host: 'b', state: 'RUNNING', exitCode: null })]), 'train is running on b: pick another name (a running job cannot be replaced).');
  });

  it('the Replace question says where the old log is kept', () => {
    assert.equal(keptLogPath('~/logs/', 'train'), '~/logs/train.prev-<UTC time>');
    const q = replaceQuestion('train', 'gpu-box', '~/logs', job({ state: 'FAILED', exitCode: 1 }));
    assert.equal(q.message, 'A job named train already ran on gpu-box (failed, exit 1).');
    assert.match(q.detail, /^Replace \(keep the old log\) starts train anew; its old log directory is kept on gpu-box, renamed to ~\/logs\/train\.prev-<UTC time>/);
    assert.equal(replaceQuestion('train', 'gpu-box', '~/logs').message, 'A log for train already exists on gpu-box.');
  });
});
