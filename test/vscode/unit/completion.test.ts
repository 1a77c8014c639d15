import * as assert from 'node:assert/strict';
import type { Job } from '../../../src/core/jobs/model';
import { completionNotice, EndBatch, EndWatch, summaryNotice } from '../../../src/vscode/completion';

const job = (name: string, state: Job['state'], over: Partial<Job> = {}): Job => ({
  name,
  state,
  exitCode: state === 'DONE' ? 0 : null,
  host: 'gpu-box',
  logPath: `/logs/${name}/run.log`,
  startedAt: '2026-11-21T09:10:00.000Z',
  endedAt: state === 'RUNNING' ? null : '2026-11-21T09:13:12.000Z',
  command: 'python3 train.py',
  workdir: null,
  outputDir: null,
  reason: null,
  route: null,
  attempt: 1,
  ...over,
});

describe('completion notices: which jobs ended', () => {
  it('reports a job seen active once it ends, once', () => {
    const w = new EndWatch();
    assert.deepEqual(w.observe([job('a', 'RUNNING')]), []);
    assert.deepEqual(w.observe([job('a', 'DONE')]).map((j) => j.name), ['a']);
    assert.deepEqual(w.observe([job('a', 'DONE')]), []);
  });

  it('does not report a job first seen already ended', () => {
    const w = new EndWatch();
    assert.deepEqual(w.observe([job('old', 'FAILED', { exitCode: 1 })]), []);
    assert.deepEqual(w.observe([job('old', 'FAILED', { exitCode: 1 })]), []);
  });

  it('reports a job that started and ended between two listings of a host listed before, not on its first listing', () => {
    const w = new EndWatch();
    assert.deepEqual(w.observe([job('old', 'DONE')], ['gpu-box']), [], 'the first listing of a host is the baseline');
    assert.deepEqual(w.observe([job('quick', 'FAILED', { exitCode: 2 }), job('old', 'DONE')], ['gpu-box']).map((j) => j.name), ['quick']);
    assert.deepEqual(w.observe([job('quick', 'FAILED', { exitCode: 2 })], ['gpu-box']), [], 'once');
    assert.deepEqual(w.observe([job('other', 'DONE', { host: 'new-box' })], ['new-box']), [], 'a new host is a baseline too');
    w.hush([job('mine', 'FAILED')]);
    assert.deepEqual(w.observe([job('mine', 'FAILED')], ['gpu-box']), [], 'a hushed one is told by its command');
    assert.equal(w.unhush(job('mine', 'FAILED')), 'untold', 'and the command learns its end was seen');
  });

  it('a command that told an end itself (seen, then unhush) gets no second notice from a later listing', () => {
    const w = new EndWatch();
    w.observe([job('old', 'DONE')], ['gpu-box']);
    w.hush([job('fast', 'RUNNING')]);
    w.seen([job('fast', 'FAILED', { exitCode: 2 })]);
    assert.equal(w.unhush(job('fast', 'FAILED')), 'none', 'no listing had seen it yet');
    assert.deepEqual(w.observe([job('fast', 'FAILED', { exitCode: 2 }), job('old', 'DONE')], ['gpu-box']), []);
  });

  it('remembers jobs missing from a listing (unreachable host, reset) and reports them when back', () => {
    const w = new EndWatch();
    w.observe([job('a', 'QUEUED')]);
    assert.deepEqual(w.observe([]), []);
    assert.deepEqual(w.observe([job('a', 'STOPPED')]).map((j) => j.state), ['STOPPED']);
  });

  it('reports a re-run of the same name again, and tells hosts apart', () => {
    const w = new EndWatch();
    w.observe([job('a', 'RUNNING'), job('a', 'RUNNING', { host: 'local' })]);
    assert.equal(w.observe([job('a', 'DONE'), job('a', 'RUNNING', { host: 'local' })]).length, 1);
    w.observe([job('a', 'RUNNING')]);
    assert.equal(w.observe([job('a', 'FAILED', { exitCode: 2 })]).length, 1);
  });

  it('stays quiet for a hushed job (its stop is confirmed by the command), only for that end', () => {
    const w = new EndWatch();
    w.observe([job('a', 'RUNNING')]);
    w.hush([job('a', 'RUNNING')]);
    assert.deepEqual(w.observe([job('a', 'STOPPED')]), []);
    w.unhush(job('a', 'RUNNING'));
    w.observe([job('a', 'RUNNING')]);
    assert.equal(w.observe([job('a', 'DONE')]).length, 1);
  });

  it('counts holders: Stop clicked while Run on EC2 watches the start leaves Run its hush, and Run learns Stop told the end', () => {
    const w = new EndWatch();
    w.observe([job('old', 'DONE')], ['gpu-box']);
    w.hush([job('t', 'RUNNING')]); // Run on EC2, until its settle ends
    w.observe([job('t', 'RUNNING')], ['gpu-box']);
    w.hush([job('t', 'RUNNING')]); // Stop
    assert.deepEqual(w.observe([job('t', 'STOPPED')], ['gpu-box']), [], 'the stop is seen while both hold');
    w.told([job('t', 'STOPPED')]); // "Stopped t."
    assert.equal(w.unhush(job('t', 'RUNNING')), 'told', 'Stop lets go');
    assert.deepEqual(w.observe([job('t', 'STOPPED')], ['gpu-box']), [], 'no completion notice follows');
    assert.equal(w.unhush(job('t', 'RUNNING')), 'told', 'Run learns the end is told: it says nothing more');
    assert.equal(w.unhush(job('t', 'RUNNING')), 'none', 'no hold is left');
  });

  it('a stop that ends before any listing saw it: Stop tells, Run learns it, no listing reports it', () => {
    const w = new EndWatch();
    w.observe([job('t', 'RUNNING')], ['gpu-box']);
    w.hush([job('t', 'RUNNING')]);
    w.hush([job('t', 'RUNNING')]);
    w.told([job('t', 'STOPPED')]);
    w.unhush(job('t', 'RUNNING'));
    assert.deepEqual(w.observe([job('t', 'STOPPED')], ['gpu-box']), []);
    assert.equal(w.unhush(job('t', 'RUNNING')), 'told');
  });

  it('Run letting go while Stop is still under way learns the end is held: the Stop tells it', () => {
    const w = new EndWatch();
    w.observe([job('t', 'RUNNING')], ['gpu-box']);
    w.hush([job('t', 'RUNNING')]); // Run on EC2
    w.hush([job('t', 'RUNNING')]); // Stop, its answer not back yet
    assert.deepEqual(w.observe([job('t', 'STOPPED')], ['gpu-box']), []);
    assert.equal(w.unhush(job('t', 'STOPPED')), 'held', 'the settle read the stop first');
    w.told([job('t', 'STOPPED')]); // "Stopped t."
    assert.equal(w.unhush(job('t', 'RUNNING')), 'told');
    assert.deepEqual(w.observe([job('t', 'STOPPED')], ['gpu-box']), [], 'no completion notice follows');
  });

  it('Stop letting go while Run still holds: an end seen after is still kept for Run (untold)', () => {
    const w = new EndWatch();
    w.observe([job('t', 'RUNNING')], ['gpu-box']);
    w.hush([job('t', 'RUNNING')]);
    w.hush([job('t', 'RUNNING')]);
    w.unhush(job('t', 'RUNNING')); // a Stop that failed: nothing told
    assert.deepEqual(w.observe([job('t', 'FAILED', { exitCode: 1 })], ['gpu-box']), [], 'Run still holds it');
    assert.equal(w.unhush(job('t', 'RUNNING')), 'untold');
  });
});

describe('completion notice text', () => {
  it('says the state, host, exit code, run time and reason', () => {
    assert.deepEqual(completionNotice(job('t', 'DONE')), { severity: 'info', message: 't finished on gpu-box: exit 0 after 3m 12s.' });
    assert.deepEqual(completionNotice(job('t', 'FAILED', { exitCode: 137 })), { severity: 'error', message: 't failed on gpu-box: exit 137 after 3m 12s.' });
    assert.deepEqual(completionNotice(job('t', 'STOPPED', { reason: 'max hours (2) reached' })), {
      severity: 'warning',
      message: 't was stopped on gpu-box after 3m 12s (max hours (2) reached).',
    });
  });

  it('sums up many ends in one notice', () => {
    const n = summaryNotice([job('a', 'DONE'), job('b', 'STOPPED'), job('c', 'STOPPED'), job('d', 'FAILED', { exitCode: 1 })]);
    assert.deepEqual(n, { severity: 'error', message: '4 jobs ended: 1 succeeded, 1 failed, 2 stopped.' });
    const sweep = [...Array.from({ length: 10 }, (_, i) => job(`s${i}`, 'DONE')), job('f1', 'FAILED', { exitCode: 1 }), job('f2', 'FAILED', { exitCode: 2 })];
    assert.deepEqual(summaryNotice(sweep), { severity: 'error', message: '12 jobs ended: 10 succeeded, 2 failed.' });
    assert.deepEqual(summaryNotice([job('a', 'DONE'), job('b', 'DONE')]), { severity: 'info', message: '2 jobs ended: 2 succeeded.' });
  });
});

describe('completion notices: one per notice window', () => {
  const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('ends seen in several refreshes within the window make one flush with all of them', async () => {
    const flushed: string[][] = [];
    const b = new EndBatch((ended) => flushed.push(ended.map((j) => j.name)), 40);
    b.add([job('a', 'DONE')]);
    await tick(10);
    b.add([job('b', 'FAILED', { exitCode: 1 }), job('c', 'DONE')]);
    b.add([]);
    assert.deepEqual(flushed, [], 'nothing before the window closes');
    await tick(60);
    assert.deepEqual(flushed, [['a', 'b', 'c']]);
    b.add([job('d', 'DONE')]);
    await tick(60);
    assert.deepEqual(flushed, [['a', 'b', 'c'], ['d']], 'a later end opens a window of its own: one job, its own notice');
    b.dispose();
  });

  it('an empty refresh opens no window; a job told by a command meanwhile leaves it; the same job twice is one', async () => {
    const flushed: string[][] = [];
    const b = new EndBatch((ended) => flushed.push(ended.map((j) => j.name)), 20);
    b.add([]);
    await tick(40);
    assert.deepEqual(flushed, []);
    b.add([job('a', 'FAILED', { exitCode: 2 }), job('b', 'DONE')]);
    b.add([job('b', 'DONE')]);
    b.drop([{ name: 'a', host: 'gpu-box' }]);
    await tick(40);
    assert.deepEqual(flushed, [['b']]);
    b.add([job('c', 'DONE')]);
    b.drop([{ name: 'c', host: 'gpu-box' }]);
    await tick(40);
    assert.deepEqual(flushed, [['b']], 'a window left empty shows nothing');
    b.add([job('d', 'DONE')]);
    b.dispose();
    await tick(40);
    assert.deepEqual(flushed, [['b']], 'nothing after dispose');
  });
});
