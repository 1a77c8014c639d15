import { strict as assert } from 'node:assert';
import { elapsedOf, exitStatusOf, formatElapsed, jobsJson, jobsTable, lastLines, outcomeLine } from '../../../src/cli/output';
import { fakeJob } from './fakeJob';

describe('cli output', () => {
  it('formats elapsed times at every scale', () => {
    assert.equal(formatElapsed(0), '0s');
    assert.equal(formatElapsed(59_999), '59s');
    assert.equal(formatElapsed(60_000), '1m00s');
    assert.equal(formatElapsed(3_725_000), '1h02m');
    assert.equal(formatElapsed(90_000_000), '1d01h');
    assert.equal(formatElapsed(-5), '0s');
  });

  it('measures a running job up to now and a finished one up to its end', () => {
    const now = new Date('2026-01-02T03:05:05.000Z');
    assert.equal(elapsedOf(fakeJob(), now), '1m00s');
    assert.equal(elapsedOf(fakeJob({ endedAt: '2026-01-02T03:04:15.000Z' }), now), '10s');
    assert.equal(elapsedOf(fakeJob({ startedAt: null }), now), '-');
  });

  it('prints an aligned table with the contract columns', () => {
    const now = new Date('2026-01-02T03:05:05.000Z');
    const text = jobsTable(
      [fakeJob(), fakeJob({ name: 'a-much-longer-job-name', state: 'FAILED', exitCode: 17, endedAt: '2026-01-02T03:04:06.000Z', host: 'local' })],
      now,
    );
    const lines = text.split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^NAME\s+STATE\s+EXIT\s+STARTED\s+ELAPSED\s+HOST$/);
    // every column starts at the same offset on every line
    for (const header of ['STATE', 'EXIT', 'STARTED', 'ELAPSED', 'HOST']) {
      const col = lines[0].indexOf(header);
      for (const line of lines.slice(1)) assert.notEqual(line[col], ' ', `${header} column in "${line}"`);
      for (const line of lines.slice(1)) assert.equal(line[col - 1], ' ', `${header} column in "${line}"`);
    }
    assert.match(lines[1], /^job1\s+RUNNING\s+-\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+1m00s\s+box$/);
    assert.match(lines[2], /^a-much-longer-job-name\s+FAILED\s+17\s+.*\s+1s\s+local$/);
  });

  it('prints JSON with the contract fields, nulls kept', () => {
    const parsed = JSON.parse(jobsJson([fakeJob()])) as Record<string, unknown>[];
    assert.equal(parsed.length, 1);
    for (const key of ['name', 'state', 'exitCode', 'host', 'logPath', 'startedAt', 'endedAt']) assert.ok(key in parsed[0], key);
    assert.equal(parsed[0].exitCode, null);
    assert.equal(parsed[0].endedAt, null);
    assert.deepEqual(JSON.parse(jobsJson([])), []);
  });

  it("turns a job's end into the exit status a waiting caller gets", () => {
    assert.equal(exitStatusOf(fakeJob({ state: 'DONE', exitCode: 0 })), 0);
    assert.equal(exitStatusOf(fakeJob({ state: 'FAILED', exitCode: 42 })), 42);
    assert.equal(exitStatusOf(fakeJob({ state: 'STOPPED', exitCode: null })), 143);
    assert.equal(exitStatusOf(fakeJob({ state: 'FAILED', exitCode: null })), 1);
  });

  it('says how a job ended, and why when the exit line does not', () => {
    const now = new Date('2026-01-02T03:05:05.000Z');
    assert.equal(outcomeLine(fakeJob({ state: 'DONE', exitCode: 0, endedAt: '2026-01-02T03:04:08.000Z' }), now), 'job job1 DONE (exit 0) after 3s');
    assert.equal(
      outcomeLine(fakeJob({ state: 'FAILED', endedAt: '2026-01-02T03:04:08.000Z', reason: 'the session vanished' }), now),
      'job job1 FAILED after 3s: the session vanished',
    );
  });

  it('keeps the last N lines of a log', () => {
    const log = Buffer.from('a\nb\nc\n');
    assert.equal(lastLines(log, 2).toString(), 'b\nc\n');
    assert.equal(lastLines(log, 5).toString(), 'a\nb\nc\n');
    assert.equal(lastLines(Buffer.from('a\nb\nc'), 1).toString(), 'c');
    assert.equal(lastLines(log, 0).toString(), '');
  });
});
