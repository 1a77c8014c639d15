import { strict as assert } from 'node:assert';
import { completionScript } from '../../../src/cli/commands/completion';
import { orchCommands } from '../../../src/cli/commands/index';
import { completionTable } from '../../../src/cli/completion/table';
import { UserError } from '../../../src/core/errors';
import { main } from '../../../src/cli/main';
import { memoryIo } from './memoryIo';

describe('orch completion: the command table and the scripts it fills', () => {
  const table = completionTable(orchCommands);
  const rows = new Map(table.split('\n').map((l) => [l.split('|')[0], l.split('|')]));

  it('has a row per command, the hidden ones included, and lists only visible commands first', () => {
    assert.deepEqual([...rows.keys()], ['@global', ...orchCommands.map((c) => c.name)]);
    assert.equal(rows.get('@global')![4], `words:${orchCommands.filter((c) => !c.hidden).map((c) => c.name).join(',')}`);
    assert.ok(!rows.get('@global')![4].includes('__complete-jobs'));
  });

  it("takes each command's options from its own parser specs: values, lists and short forms", () => {
    const logs = rows.get('logs')!;
    assert.ok(logs[1].split(' ').includes('-f') && logs[1].split(' ').includes('--follow'));
    assert.ok(logs[2].split(' ').includes('--tail') && logs[2].split(' ').includes('-n'));
    assert.ok(!logs[2].split(' ').includes('--follow'));
    assert.equal(rows.get('run')![3], '--data-dirs');
    assert.equal(rows.get('run')![4], 'new-job');
    assert.equal(rows.get('stop')![4], 'active-job');
    assert.equal(rows.get('experiment')![4], 'words:cycle,full,program');
  });

  it('fills the table line of each script and nothing else', () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const text = completionScript(shell, 'T');
      assert.ok(!text.includes('@ORCH_COMPLETION_TABLE@'), shell);
      assert.equal(text.split('\n').filter((l) => l.includes("'T'")).length, 1, shell);
    }
    assert.throws(() => completionScript('tcsh', 'T'), UserError);
  });

  it('keeps __complete-jobs out of orch --help', async () => {
    const io = memoryIo();
    assert.equal(await main(['--help'], io), 0);
    assert.ok(io.out().includes('completion'));
    assert.ok(!io.out().includes('__complete-jobs'));
  });
});
