import * as assert from 'node:assert/strict';
import type { Job } from '../../../src/core/jobs/model';
import { jobCommandOptions, jobRef, jobRefOf } from '../../../src/vscode/jobRef';

const job = { name: 'train-1', host: 'gpu-box', state: 'RUNNING' } as Job;

describe('job reference of a command argument', () => {
  it('reads a tree row, a name and { name, host } into one shape', () => {
    assert.deepEqual(jobRefOf({ kind: 'job', job }), { name: 'train-1', host: 'gpu-box', job });
    assert.deepEqual(jobRefOf('train-1'), { name: 'train-1' });
    assert.deepEqual(jobRefOf({ name: 'train-1', host: 'local', confirmed: true }), { name: 'train-1', host: 'local' });
    assert.deepEqual(jobRefOf({ name: 'train-1' }), { name: 'train-1' });
  });

  it('names no job for the palette (no argument), a host row, an empty name or a wrong type', () => {
    for (const arg of [undefined, null, '', 3, { kind: 'host', host: 'gpu-box' }, { name: 4 }, { kind: 'job', job: { name: 'x' } }, { confirmed: true }]) {
      assert.equal(jobRefOf(arg), undefined, JSON.stringify(arg));
    }
  });

  it('keeps a caller’s options beside the job, and a caller’s reference reads back the same', () => {
    assert.deepEqual(jobCommandOptions({ name: 'a', confirmed: true, port: 8080 }), { confirmed: true, port: 8080 });
    assert.deepEqual(jobCommandOptions({ name: 'a', confirmed: 'yes', port: 'x' }), { confirmed: false });
    assert.deepEqual(jobCommandOptions('a'), { confirmed: false });
    const ref = jobRef(job, { confirmed: true });
    assert.deepEqual(jobRefOf(ref), { name: 'train-1', host: 'gpu-box' });
    assert.equal(jobCommandOptions(ref).confirmed, true);
  });
});
