import * as assert from 'node:assert/strict';
import { runButtons } from '../../../src/vscode/runButtons';

describe('Run on EC2 confirmation buttons', () => {
  it('offer the sync choice the setting does not make, and map each label back', () => {
    const on = runButtons({ canSync: true, noGit: false, sync: true, startBox: false });
    assert.deepEqual(on.labels, ['Run', 'Run Without Sync']);
    assert.equal(on.choice('Run Without Sync'), 'without-sync');
    assert.deepEqual(runButtons({ canSync: true, noGit: false, sync: false, startBox: false }).labels, ['Run', 'Sync and Run']);
    assert.deepEqual(runButtons({ canSync: true, noGit: true, sync: true, startBox: false }).labels, ['Initialize Git and Run', 'Run Without Sync']);
    assert.deepEqual(runButtons({ canSync: false, noGit: false, sync: false, startBox: false }).labels, ['Run']);
    assert.equal(on.choice(undefined), undefined, 'Cancel');
  });

  it('say that a stopped box is started first, on every button', () => {
    const b = runButtons({ canSync: true, noGit: false, sync: false, startBox: true });
    assert.deepEqual(b.labels, ['Start Box and Run', 'Start Box, Sync and Run']);
    assert.equal(b.choice('Start Box, Sync and Run'), 'sync');
    assert.equal(b.choice('Sync and Run'), undefined, 'a label of the other set is no answer');
    assert.deepEqual(runButtons({ canSync: true, noGit: true, sync: true, startBox: true }).labels, ['Initialize Git, Start Box and Run', 'Start Box, Run Without Sync']);
  });
});
