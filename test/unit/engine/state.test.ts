import assert from 'node:assert/strict';
import { encodeFields } from '../../../src/host/protocol';
import { deriveState, jobsOf, parseReport, STARTING_WINDOW_SECONDS, VANISHED_REASON, type JobRecord } from '../../../src/core/engine/state';
import { UserError } from '../../../src/core/errors';

/** What the host's `emit` prints: NUL-separated key/value pairs. */
function report(header: Record<string, string>, jobs: { name: string; alive?: boolean; files: Record<string, string> }[]): Buffer {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(header)) parts.push(k, v);
  for (const j of jobs) {
    parts.push('job', j.name);
    if (j.alive) parts.push('alive', '');
    for (const [k, v] of Object.entries(j.files)) parts.push(k, v);
  }
  return Buffer.from(parts.map((p) => `${p}\0`).join(''), 'utf8');
}

const NOW = 1_800_000_000;
const rec = (files: Record<string, string>, alive = false): JobRecord => ({ name: 'j', alive, files });

describe('engine state', () => {
  describe('deriveState', () => {
    it('DONE, FAILED and STOPPED come from the exit marker, stop winning', () => {
      assert.deepEqual(deriveState(rec({ exit: '0\n' }), NOW), { state: 'DONE', exitCode: 0, reason: null });
      assert.deepEqual(deriveState(rec({ exit: '7\n' }), NOW), { state: 'FAILED', exitCode: 7, reason: null });
      assert.deepEqual(deriveState(rec({ exit: '143\n', stopped: 'stopped after max-hours\n' }), NOW), {
        state: 'STOPPED', exitCode: 143, reason: 'stopped after max-hours',
      });
      // An exit marker wins over a session still closing.
      assert.equal(deriveState(rec({ exit: '0\n', started: 'x' }, true), NOW).state, 'DONE');
    });

    it('a live session is RUNNING once started, QUEUED while waiting for a slot, else STARTING', () => {
      assert.equal(deriveState(rec({ started: '2026-01-01T00:00:00Z\n' }, true), NOW).state, 'RUNNING');
      assert.equal(deriveState(rec({ queued: '123\n', 'runner.pid': '9\n' }, true), NOW).state, 'QUEUED');
      assert.equal(deriveState(rec({ 'runner.pid': '9\n' }, true), NOW).state, 'STARTING');
    });

    it('no session and no exit line: FAILED as vanished, unless just created or being stopped', () => {
      assert.deepEqual(deriveState(rec({ started: 'x', 'runner.pid': '9', created: String(NOW - 5) }), NOW), {
        state: 'FAILED', exitCode: null, reason: VANISHED_REASON,
      });
      assert.equal(deriveState(rec({ created: String(NOW - 5) }), NOW).state, 'STARTING');
      assert.equal(deriveState(rec({ created: String(NOW - STARTING_WINDOW_SECONDS - 1) }), NOW).state, 'FAILED');
      assert.deepEqual(deriveState(rec({ stopped: 'stopped with orch stop\n', 'runner.pid': '9' }), NOW), {
        state: 'STOPPED', exitCode: null, reason: 'stopped with orch stop',
      });
    });

    it('ignores a malformed exit marker instead of inventing a status', () => {
      assert.equal(deriveState(rec({ exit: 'garbage', started: 'x' }, true), NOW).state, 'RUNNING');
    });
  });

  describe('parseReport and jobsOf', () => {
    const header = { home: '/home/u', root: '/home/u/logs', now: String(NOW) };
    const meta = (createdAt: string, extra: object = {}): string =>
      JSON.stringify({ command: 'echo "[EXIT: 5]"\nx', workdir: '~/work/p', createdAt, outputDir: 'out', route: 'cloud: rule', ...extra }) + '\n';

    it('builds jobs newest first with the fields of status --json', () => {
      const out = report(header, [
        { name: 'old', files: { 'meta.json': meta('2026-01-01T00:00:00.000Z'), exit: '0\n', started: '2026-01-01T00:00:01.000Z\n', ended: '2026-01-01T00:00:02.000Z\n', workdir: '/home/u/work/p\n' } },
        { name: 'new', alive: true, files: { 'meta.json': meta('2026-02-01T00:00:00.000Z', { attempt: 2 }), started: '2026-02-01T00:00:01.000Z\n' } },
      ]);
      const parsed = parseReport(out);
      assert.deepEqual(parsed.header, { home: '/home/u', root: '/home/u/logs', now: NOW });
      const jobs = jobsOf(parsed, 'ec2');
      assert.deepEqual(jobs.map((j) => [j.name, j.state]), [['new', 'RUNNING'], ['old', 'DONE']]);
      assert.deepEqual(jobs[1], {
        name: 'old', state: 'DONE', exitCode: 0, host: 'ec2', logPath: '/home/u/logs/old/run.log',
        startedAt: '2026-01-01T00:00:01.000Z', endedAt: '2026-01-01T00:00:02.000Z',
        command: 'echo "[EXIT: 5]"\nx', workdir: '/home/u/work/p', outputDir: 'out', reason: null,
        route: 'cloud: rule', attempt: 1, createdAt: '2026-01-01T00:00:00.000Z', ports: [], gpus: null, progress: null,
      });
      assert.equal(jobs[0]!.attempt, 2);
      assert.equal(jobs[0]!.workdir, '/home/u/work/p');
    });

    it('keeps unicode and survives a damaged meta.json', () => {
      const jobs = jobsOf(parseReport(report(header, [
        { name: 'u', files: { 'meta.json': JSON.stringify({ command: '日本語 ✓', createdAt: 'z' }), exit: '0' } },
        { name: 'broken', files: { 'meta.json': '{not json', exit: '1' } },
      ])), 'local');
      assert.equal(jobs.find((j) => j.name === 'u')!.command, '日本語 ✓');
      assert.equal(jobs.find((j) => j.name === 'broken')!.command, null);
      assert.equal(jobs.find((j) => j.name === 'broken')!.state, 'FAILED');
    });

    it('an empty log root is an empty list', () => {
      assert.deepEqual(jobsOf(parseReport(report(header, [])), 'local'), []);
    });
  });

  describe('host data encoding', () => {
    it('sends fields NUL-terminated and the command as the rest, byte for byte', () => {
      assert.equal(encodeFields(['a', '', 'ü'], 'cmd\n"$x"').toString('utf8'), 'a\0\0ü\0cmd\n"$x"');
    });

    it('refuses a NUL inside a field: no shell can carry it', () => {
      assert.throws(() => encodeFields(['a\0b']), (e: unknown) => e instanceof UserError && e.exitCode === 2);
    });
  });
});
