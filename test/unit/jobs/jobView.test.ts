import * as assert from 'node:assert/strict';
import type { Job } from '../../../src/core/jobs/model';
import { finishedLongAgo, freeGpuText, groupByState, matchesName, selectionMessage, selectJobs, shortLabel, stateGroupOf, MAX_LABEL } from '../../../src/core/jobs/jobView';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const daysAgo = (d: number): string => new Date(NOW - d * 24 * 3600 * 1000).toISOString();

const job = (name: string, state: Job['state'], over: Partial<Job> = {}): Job => ({
  name,
  state,
  exitCode: state === 'DONE' ? 0 : null,
  host: 'gpu-box',
  logPath: `/logs/${name}/run.log`,
  startedAt: daysAgo(1),
  endedAt: state === 'DONE' || state === 'FAILED' || state === 'STOPPED' ? daysAgo(1) : null,
  command: 'python3 train.py',
  workdir: null,
  outputDir: null,
  reason: null,
  route: null,
  attempt: 1,
  ...over,
});

describe('the jobs tree: which jobs it shows and how it groups them', () => {
  it('filters by a part of the name, in any case, ignoring surrounding spaces', () => {
    assert.equal(matchesName(job('Sweep-LR0.1-seed3', 'RUNNING'), 'lr0.1'), true);
    assert.equal(matchesName(job('sweep-lr0.1', 'RUNNING'), ' LR0.1 '), true);
    assert.equal(matchesName(job('train', 'RUNNING'), 'lr'), false);
    assert.equal(matchesName(job('train', 'RUNNING'), ''), true);
  });

  it('hides finished jobs that ended more than N days ago; active ones never; 0 hides none', () => {
    assert.equal(finishedLongAgo(job('old', 'DONE', { endedAt: daysAgo(8) }), 7, NOW), true);
    assert.equal(finishedLongAgo(job('recent', 'FAILED', { endedAt: daysAgo(6.9) }), 7, NOW), false);
    assert.equal(finishedLongAgo(job('old', 'DONE', { endedAt: daysAgo(80) }), 0, NOW), false);
    assert.equal(finishedLongAgo(job('long-runner', 'RUNNING', { startedAt: daysAgo(30) }), 7, NOW), false);
    // no end recorded (a vanished session): its start counts, then its creation; unknown stays shown
    assert.equal(finishedLongAgo(job('gone', 'STOPPED', { endedAt: null, startedAt: daysAgo(9) }), 7, NOW), true);
    assert.equal(finishedLongAgo(job('gone', 'FAILED', { endedAt: null, startedAt: null, createdAt: daysAgo(9) }), 7, NOW), true);
    assert.equal(finishedLongAgo(job('unknown', 'FAILED', { endedAt: null, startedAt: null }), 7, NOW), false);
  });

  it('selects in listed order and counts what each rule left out, with the message that says so', () => {
    const jobs = [
      job('sweep-1', 'RUNNING'),
      job('train', 'DONE', { endedAt: daysAgo(30) }),
      job('sweep-2', 'DONE', { endedAt: daysAgo(10) }),
      job('sweep-3', 'FAILED', { endedAt: daysAgo(2), exitCode: 1 }),
      job('eval', 'QUEUED'),
    ];
    const all = selectJobs(jobs, { nameFilter: '', hideFinishedAfterDays: 0 }, NOW);
    assert.deepEqual(all, { shown: jobs, filteredOut: 0, aged: 0 });
    assert.equal(selectionMessage(5, all, { nameFilter: '', hideFinishedAfterDays: 0 }), undefined);
    const o = { nameFilter: 'sweep', hideFinishedAfterDays: 7 };
    const sel = selectJobs(jobs, o, NOW);
    assert.deepEqual(sel.shown.map((j) => j.name), ['sweep-1', 'sweep-3']);
    assert.equal(sel.filteredOut, 2);
    assert.equal(sel.aged, 1, 'train is filtered out already; only sweep-2 is cut by age');
    assert.equal(selectionMessage(5, sel, o), '2 of 5 jobs shown · name contains "sweep" · 1 finished more than 7 days ago hidden');
    const byAge = { nameFilter: '', hideFinishedAfterDays: 1 };
    assert.equal(selectionMessage(5, selectJobs(jobs, byAge, NOW), byAge), '2 of 5 jobs shown · 3 finished more than 1 day ago hidden');
  });

  it('groups by state: Running (with STARTING), Queued, Finished, only the groups that have jobs', () => {
    assert.deepEqual(['QUEUED', 'STARTING', 'RUNNING', 'DONE', 'FAILED', 'STOPPED'].map((s) => stateGroupOf(s as Job['state'])), ['Queued', 'Running', 'Running', 'Finished', 'Finished', 'Finished']);
    const groups = groupByState([job('d', 'DONE'), job('q', 'QUEUED'), job('r', 'RUNNING'), job('s', 'STARTING'), job('f', 'FAILED')]);
    assert.deepEqual(groups.map((g) => [g.group, g.jobs.map((j) => j.name)]), [
      ['Running', ['r', 's']],
      ['Queued', ['q']],
      ['Finished', ['d', 'f']],
    ]);
    assert.deepEqual(groupByState([job('d', 'DONE')]).map((g) => g.group), ['Finished']);
    assert.deepEqual(groupByState([]), []);
  });

  it('free GPUs: the inventory less the indices active jobs hold; nothing for a host without GPUs', () => {
    const jobs = [job('a', 'RUNNING', { gpus: [0, 1] }), job('b', 'STARTING', { gpus: [2] }), job('c', 'DONE', { gpus: [3] }), job('q', 'QUEUED', { gpus: null })];
    assert.equal(freeGpuText(4, jobs), '1 of 4 GPUs free');
    assert.equal(freeGpuText(8, []), '8 of 8 GPUs free');
    assert.equal(freeGpuText(1, [job('a', 'RUNNING', { gpus: [0] })]), '0 of 1 GPU free');
    assert.equal(freeGpuText(0, jobs), undefined);
    assert.equal(freeGpuText(undefined, jobs), undefined);
  });

  it('a long name is shortened in the middle to the label bound; a short one is kept', () => {
    const long = 'sweep-resnet50-imagenet-lr0.001-bs256-wd1e-4-seed3';
    const s = shortLabel(long);
    assert.equal(s.length, MAX_LABEL);
    assert.equal(s, 'sweep-resnet50-i…56-wd1e-4-seed3');
    assert.ok(long.startsWith(s.split('…')[0]!) && long.endsWith(s.split('…')[1]!));
    assert.equal(shortLabel('train-1'), 'train-1');
    assert.equal(shortLabel('x'.repeat(MAX_LABEL)), 'x'.repeat(MAX_LABEL));
  });
});
