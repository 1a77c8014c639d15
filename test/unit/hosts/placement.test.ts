import assert from 'node:assert/strict';
import { choosePlacement, type PlacementCandidate } from '../../../src/core/hosts/placement';

const host = (name: string, over: Partial<PlacementCandidate> = {}): PlacementCandidate => ({ name, kind: 'tmux', active: 0, maxParallel: undefined, load1: 0, cpus: 4, ...over });

describe('placement (--host auto)', () => {
  it('takes the host with the fewest active jobs per slot, then the lowest load per CPU, then file order', () => {
    assert.equal(choosePlacement([host('a', { active: 1 }), host('b')]).host, 'b');
    // 2 of 4 slots busy (0.5) beats 1 of 1 (1.0)
    assert.equal(choosePlacement([host('a', { active: 1, maxParallel: 1 }), host('b', { active: 2, maxParallel: 4 })]).host, 'b');
    assert.equal(choosePlacement([host('a', { load1: 3 }), host('b', { load1: 1 })]).host, 'b');
    // load per CPU: 4 on 16 CPUs is less than 2 on 4
    assert.equal(choosePlacement([host('a', { load1: 2, cpus: 4 }), host('b', { load1: 4, cpus: 16 })]).host, 'b');
    assert.equal(choosePlacement([host('a'), host('b')]).host, 'a');
  });

  it('skips unreachable and Slurm hosts and hosts without room, and says why with every host\'s figures', () => {
    const p = choosePlacement([host('down', { error: 'connection refused' }), host('full', { maxParallel: 1, active: 1 }), host('hpc', { kind: 'slurm' }), host('ok', { active: 3, load1: 2 })]);
    assert.equal(p.host, 'ok');
    assert.equal(
      p.reason,
      'fewest active jobs per slot, then lowest load per CPU: ok has 3 active jobs on 4 slots (its CPUs), load 0.50 per CPU; down unreachable (connection refused); full has 1 active job on 1 slot, load 0.00 per CPU; hpc is a slurm host (not placed)',
    );
  });

  it('needs enough free GPUs when the host says how many are free', () => {
    assert.equal(choosePlacement([host('a', { freeGpus: 0 }), host('b', { active: 2, freeGpus: 1 })], { gpus: 1 }).host, 'b');
  });

  it('queues on the least busy host when none has room, and fails when no host answers', () => {
    const p = choosePlacement([host('a', { maxParallel: 1, active: 3 }), host('b', { maxParallel: 2, active: 2 })]);
    assert.equal(p.host, 'b');
    assert.match(p.reason, /^no host has room/);
    assert.throws(() => choosePlacement([host('a', { error: 'timed out' })]), /--host auto found no reachable tmux host: a unreachable \(timed out\)\./);
    assert.throws(() => choosePlacement([]), /no hosts are configured/);
  });
});
