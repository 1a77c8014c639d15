import * as assert from 'node:assert/strict';
import type { Job } from '../../../src/core/jobs/model';
import { selectedJobs, stopSelectionSummary } from '../../../src/vscode/stopSelection';

const job = (name: string, host = 'gpu-box'): Job => ({
  name,
  state: 'RUNNING',
  exitCode: null,
  host,
  logPath: `/logs/${name}/run.log`,
  startedAt: null,
  endedAt: null,
  command: 'sleep 1',
  workdir: null,
  outputDir: null,
  reason: null,
  route: null,
  attempt: 1,
});
const row = (j: Job) => ({ kind: 'job', job: j });

describe('Stop on several selected rows', () => {
  it('acts on the selection when the clicked row is in it; on the row alone otherwise', () => {
    const [a, b, c] = [job('a'), job('b'), job('c', 'other')];
    assert.deepEqual(selectedJobs(row(a), [row(a), row(b), row(c)])?.map((j) => j.name), ['a', 'b', 'c']);
    assert.equal(selectedJobs(row(a), [row(a)]), undefined, 'one row: the single-job Stop');
    assert.equal(selectedJobs(row(a), undefined), undefined, 'a name from the palette or a test');
    assert.equal(selectedJobs(row(job('a', 'other')), [row(a), row(b)]), undefined, 'a row outside the selection (same name, other host)');
    // host and group rows in the selection are not jobs
    assert.deepEqual(selectedJobs(row(a), [row(a), { kind: 'host', host: 'gpu-box' }, row(b)])?.map((j) => j.name), ['a', 'b']);
    assert.equal(selectedJobs(row(a), [row(a), { kind: 'group', host: 'gpu-box', group: 'Running', count: 2 }]), undefined);
  });

  it('says what it did in one sentence', () => {
    assert.equal(stopSelectionSummary(3, 3, 0, []), 'Stopped 3 jobs.');
    assert.equal(stopSelectionSummary(1, 1, 2, []), 'Stopped 1 job. (2 selected jobs had already ended.)');
    assert.equal(stopSelectionSummary(3, 2, 1, ['sweep-3: Could not stop sweep-3 on gpu-box (exit 2).']), 'Stopped 2 of 3 jobs; could not stop sweep-3: Could not stop sweep-3 on gpu-box (exit 2). (1 selected job had already ended.)');
  });
});
