/**
 * The Slurm functions of the host library on their own (lib/slurm.sh): the queue read once and
 * looked up exactly, the record fields, the kept final state. A stand-in `squeue` on PATH
 * prints a fixed queue (the real Slurm is in test/integration/slurm).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostSandbox } from './hostShell';

describe('host library: Slurm functions', function () {
  this.timeout(20000);
  let box: HostSandbox;
  const queue = (text: string, status = 0) => {
    const bin = join(box.dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'squeue'), `#!/bin/sh\necho "$*" >> "${box.dir}/squeue.calls"\nprintf '%s' '${text}'\nexit ${status}\n`);
    chmodSync(join(bin, 'squeue'), 0o755);
    box.env.PATH = `${bin}:${process.env.PATH}`;
  };
  beforeEach(() => {
    box = new HostSandbox();
  });
  afterEach(async () => {
    await box.close();
  });

  it('slurm_state: one squeue of the user\'s jobs; ids are matched whole (12 is not 123)', async () => {
    queue('123 RUNNING\n12 PENDING\n7 TIMEOUT\n');
    const r = await box.sh('slurm_queue; for id in 12 123 7 1; do slurm_state s "$id"; printf "%s=%s;" "$id" "$s"; done');
    assert.equal(r.stdout, '12=PENDING;123=RUNNING;7=TIMEOUT;1=;');
    assert.equal(readFileSync(join(box.dir, 'squeue.calls'), 'utf8'), '--me -h -t all -o %i %T\n');
  });

  it('slurm_alive: active states are alive, ended or forgotten ones not; a failing squeue counts as alive', async () => {
    queue('5 RUNNING\n6 COMPLETED\n');
    const run = box.job('a', 'true', { 'slurm-job-id': '5\n' });
    const done = box.job('b', 'true', { 'slurm-job-id': '6\n' });
    const gone = box.job('c', 'true', { 'slurm-job-id': '9\n' });
    const r = await box.sh(`for d in "${run}" "${done}" "${gone}"; do job_alive "$d" && printf 1 || printf 0; done`);
    assert.equal(r.stdout, '100');
    queue('', 1);
    assert.equal((await box.sh(`job_alive "${gone}" && printf alive`)).stdout, 'alive');
  });

  it('slurm_emit: the record has squeue and slurm-job-id; a state that ended the job is kept in slurm-state', async () => {
    queue('8 OUT_OF_MEMORY\n');
    const d = box.job('m', 'true', { 'slurm-job-id': '8\n' });
    const r = await box.sh(`slurm_queue; slurm_emit "${d}"`);
    const pairs = r.stdout.split('\0');
    assert.equal(pairs[pairs.indexOf('squeue') + 1], 'OUT_OF_MEMORY');
    assert.equal(pairs[pairs.indexOf('slurm-job-id') + 1], '8');
    assert.equal(readFileSync(join(d, 'slurm-state'), 'utf8'), 'OUT_OF_MEMORY\n');
    // Once Slurm forgot the job, the kept state still comes back.
    queue('');
    const later = (await box.sh(`slurm_queue; slurm_emit "${d}"`)).stdout.split('\0');
    assert.equal(later[later.indexOf('squeue') + 1], '');
    assert.equal(later[later.indexOf('slurm-state') + 1], 'OUT_OF_MEMORY\n');
    // An active state is not kept.
    queue('9 RUNNING\n');
    const r2 = box.job('r', 'true', { 'slurm-job-id': '9\n' });
    await box.sh(`slurm_queue; slurm_emit "${r2}"`);
    assert.equal(existsSync(join(r2, 'slurm-state')), false);
  });
  it('job_active: a just-submitted Slurm job that Slurm lists as ended (scancelled while PENDING) is not active; one Slurm does not list yet still is', async () => {
    queue('4 CANCELLED\n5 PENDING\n');
    const cancelled = box.job('x', 'true', { 'slurm-job-id': '4\n' });
    const pending = box.job('p', 'true', { 'slurm-job-id': '5\n' });
    const unlisted = box.job('u', 'true', { 'slurm-job-id': '6\n' });
    const r = await box.sh(`for d in "${cancelled}" "${pending}" "${unlisted}"; do job_active "$d" && printf 1 || printf 0; done`);
    assert.equal(r.stdout, '011');
  });

  it('cw_slurm_gone (the CloudWatch shipper of a job without an exit line): gone only when Slurm said so twice CW_SLURM_EVERY s apart; active, failing squeue or no Slurm id: not gone; squeue at most once per CW_SLURM_EVERY s', async function () {
    this.timeout(40_000);
    const cancelled = box.job('x', 'true', { 'slurm-job-id': '4\n' });
    const pending = box.job('p', 'true', { 'slurm-job-id': '5\n' });
    const tmux = box.job('t', 'true');
    // 11 looks 0.4 s apart with CW_SLURM_EVERY=2 (bash's whole SECONDS: 1 to 2 s of real time)
    const probe = (d: string, n = 11) => `CW_SLURM_EVERY=2; for i in $(seq ${n}); do cw_slurm_gone "${d}" && printf 1 || printf 0; sleep 0.4; done`;
    const calls = () => readFileSync(join(box.dir, 'squeue.calls'), 'utf8').split('\n').length - 1;
    queue('4 CANCELLED\n5 PENDING\n');
    assert.match((await box.sh(probe(cancelled))).stdout, /^0{3,}1{3,}$/);
    assert.ok(calls() >= 2 && calls() <= 4, String(calls()));
    assert.equal((await box.sh(probe(pending, 6))).stdout, '0'.repeat(6));
    // Slurm forgot the job (past MinJobAge): gone as well
    queue('');
    assert.match((await box.sh(probe(cancelled))).stdout, /^0{3,}1{3,}$/);
    // squeue fails: cannot tell, so never gone
    queue('', 1);
    assert.equal((await box.sh(probe(cancelled, 6))).stdout, '0'.repeat(6));
    assert.equal((await box.sh(probe(tmux, 2))).stdout, '00');
  });
});
