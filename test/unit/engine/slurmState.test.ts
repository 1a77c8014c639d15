/** The §8 state table of a Slurm job, from what the host reports (pure). */
import assert from 'node:assert/strict';
import { deriveState, parseReport, jobsOf, STARTING_WINDOW_SECONDS, type JobRecord } from '../../../src/core/engine/state';
import { CANCELLED_REASON, LEFT_QUEUE_REASON, TIME_LIMIT_REASON } from '../../../src/core/engine/slurmState';
import { slurmFields, slurmMinutes, refuseSlurmFlags } from '../../../src/core/engine/slurmFields';

const NOW = 1_800_000_000;
const rec = (files: Record<string, string>): JobRecord => ({ name: 'j', alive: false, files: { 'slurm-job-id': '42\n', ...files } });
const state = (files: Record<string, string>) => deriveState(rec(files), NOW);

describe('Slurm job states (PRODUCT.md §8)', () => {
  it('while Slurm has the job: PENDING → QUEUED, CONFIGURING → STARTING, RUNNING and COMPLETING → RUNNING', () => {
    assert.equal(state({ squeue: 'PENDING' }).state, 'QUEUED');
    assert.equal(state({ squeue: 'REQUEUED' }).state, 'QUEUED');
    assert.equal(state({ squeue: 'CONFIGURING' }).state, 'STARTING');
    assert.equal(state({ squeue: 'RUNNING', started: 'x' }).state, 'RUNNING');
    assert.equal(state({ squeue: 'COMPLETING' }).state, 'RUNNING');
  });

  it('then the exit marker decides DONE or FAILED; a stop by orch is STOPPED with its reason', () => {
    assert.deepEqual(state({ squeue: 'COMPLETED', exit: '0\n' }), { state: 'DONE', exitCode: 0, reason: null });
    assert.deepEqual(state({ squeue: 'COMPLETING', exit: '3\n' }), { state: 'FAILED', exitCode: 3, reason: null });
    assert.deepEqual(state({ squeue: 'CANCELLED', exit: '143\n', stopped: 'stopped with orch stop\n' }), { state: 'STOPPED', exitCode: 143, reason: 'stopped with orch stop' });
  });

  it('TIMEOUT is STOPPED with a reason naming the time limit (the trap\'s, else the table\'s)', () => {
    assert.deepEqual(state({ squeue: 'TIMEOUT', exit: '143\n', stopped: 'stopped at its Slurm time limit (1:00, TIMEOUT)\n' }), {
      state: 'STOPPED', exitCode: 143, reason: 'stopped at its Slurm time limit (1:00, TIMEOUT)',
    });
    assert.deepEqual(state({ squeue: 'TIMEOUT', exit: '143\n' }), { state: 'STOPPED', exitCode: 143, reason: TIME_LIMIT_REASON });
    assert.deepEqual(state({ squeue: '', 'slurm-state': 'TIMEOUT\n' }), { state: 'STOPPED', exitCode: null, reason: TIME_LIMIT_REASON });
  });

  it('NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, BOOT_FAIL, DEADLINE are FAILED with the state as reason, whatever the markers say', () => {
    for (const s of ['NODE_FAIL', 'OUT_OF_MEMORY', 'PREEMPTED', 'BOOT_FAIL', 'DEADLINE']) {
      assert.deepEqual(state({ squeue: s }), { state: 'FAILED', exitCode: null, reason: s });
      assert.deepEqual(state({ squeue: '', 'slurm-state': `${s}\n`, exit: '137\n', stopped: 'stopped by Slurm (signal TERM)\n' }), { state: 'FAILED', exitCode: 137, reason: s });
    }
  });

  it('gone from the queue without an exit marker is FAILED; cancelled outside orch is STOPPED', () => {
    assert.deepEqual(state({ squeue: '' }), { state: 'FAILED', exitCode: null, reason: LEFT_QUEUE_REASON });
    assert.match(state({ squeue: 'COMPLETED' }).reason ?? '', /ended \(COMPLETED\) without an exit line/);
    assert.deepEqual(state({ squeue: 'CANCELLED' }), { state: 'STOPPED', exitCode: null, reason: CANCELLED_REASON });
  });

  it('a dir being submitted (no Slurm id yet) is STARTING for a minute, then FAILED', () => {
    const files = { squeue: '', created: String(NOW - 5) };
    assert.equal(deriveState({ name: 'j', alive: false, files }, NOW).state, 'STARTING');
    assert.equal(deriveState({ name: 'j', alive: false, files: { ...files, created: String(NOW - STARTING_WINDOW_SECONDS - 1) } }, NOW).state, 'FAILED');
  });

  it('the record carries slurmJobId; a tmux record has none', () => {
    const out = Buffer.from(['home', '/h', 'root', '/h/logs', 'now', String(NOW), 'job', 'a', 'squeue', 'RUNNING', 'slurm-job-id', '42', 'job', 'b', 'exit', '0'].map((p) => `${p}\0`).join(''));
    const [a, b] = jobsOf(parseReport(out), 'cluster').sort((x, y) => x.name.localeCompare(y.name));
    assert.equal(a!.slurmJobId, '42');
    assert.equal('slurmJobId' in b!, false);
  });
});

describe('sbatch options', () => {
  it('--max-hours becomes --time in whole minutes, rounded up, at least 1', () => {
    assert.equal(slurmMinutes(1 / 60), 1);
    assert.equal(slurmMinutes(0.0001), 1);
    assert.equal(slurmMinutes(1.5), 90);
    assert.equal(slurmMinutes(0.02), 2);
  });

  it('fields: partition, cpus, mem in MB, passthrough one per line', () => {
    assert.deepEqual(slurmFields({ partition: 'gpu', cpus: 8, memGb: 1.5, sbatchArgs: ['--qos=high', '--account=p'] }, 2), {
      partition: 'gpu', cpus: '8', mem: '1536M', time: '120', sbatchArgs: '--qos=high\n--account=p',
    });
    assert.deepEqual(slurmFields(undefined, undefined), { partition: '', cpus: '', mem: '', time: '', sbatchArgs: '' });
  });

  it('refuses bad values in one sentence, and Slurm options on a tmux host', () => {
    assert.throws(() => slurmFields({ partition: 'a b' }, undefined), /--partition must be a Slurm partition name/);
    assert.throws(() => slurmFields({ cpus: 1.5 }, undefined), /--cpus must be a whole number greater than 0/);
    assert.throws(() => slurmFields({ sbatchArgs: ['x'] }, undefined), /--sbatch-arg takes one sbatch option/);
    assert.throws(() => slurmFields({ sbatchArgs: ['--a\n--b'] }, undefined), /on one line/);
    assert.throws(() => refuseSlurmFlags({ partition: 'p', cpus: 1 }, false, 'box'), /^UserError: --partition, --cpus are for Slurm hosts; box is a tmux host/);
    assert.doesNotThrow(() => refuseSlurmFlags({ partition: 'p' }, true, 'cluster'));
    assert.doesNotThrow(() => refuseSlurmFlags(undefined, false, 'box'));
  });
});
