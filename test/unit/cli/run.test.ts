import { strict as assert } from 'node:assert';
import { parseRunArgs } from '../../../src/cli/commands/run';
import { main } from '../../../src/cli/main';
import { UserError } from '../../../src/core/errors';
import { memoryIo } from './memoryIo';

const isUsage = (e: unknown) => e instanceof UserError && e.exitCode === 2;

describe('orch run arguments', () => {
  it('takes options before the name and every later word as the command, joined with spaces', () => {
    const plan = parseRunArgs(['--wait', '--max-hours', '1.5', 'train1', 'python', 'train.py', '--wait', '--lr', '0.1']);
    assert.equal(plan.name, 'train1');
    assert.equal(plan.command, 'python train.py --wait --lr 0.1');
    assert.equal(plan.wait, true);
    assert.equal(plan.maxHours, 1.5);
  });

  it('does not wait when --wait comes after the name (it belongs to the command)', () => {
    const plan = parseRunArgs(['job1', 'sleep', '1', '--wait']);
    assert.equal(plan.wait, false);
    assert.equal(plan.command, 'sleep 1 --wait');
  });

  it('uses every word as the command with --task', () => {
    const plan = parseRunArgs(['--task', 'build', 'make', '-j4']);
    assert.equal(plan.name, undefined);
    assert.equal(plan.task, 'build');
    assert.equal(plan.command, 'make -j4');
  });

  it('reads data dirs, output dir, retries, force and sync', () => {
    const plan = parseRunArgs(['--sync', '--data-dirs', 'data', 'more', '--output-dir', 'results/x', '--retries', '2', '--force', 'j', 'ls']);
    assert.deepEqual(plan.dataDirs, ['data', 'more']);
    assert.equal(plan.outputDir, 'results/x');
    assert.equal(plan.retries, 2);
    assert.equal(plan.force, true);
    assert.equal(plan.sync, true);
  });

  it('leaves sync to ORCH_SYNC unless --sync or --no-sync is given', () => {
    assert.equal(parseRunArgs(['j', 'ls']).sync, undefined);
    assert.equal(parseRunArgs(['--no-sync', 'j', 'ls']).sync, false);
    assert.throws(() => parseRunArgs(['--sync', '--no-sync', 'j', 'ls']), isUsage);
  });

  it('says how to end a --data-dirs list that swallowed the name', () => {
    assert.throws(() => parseRunArgs(['--data-dirs', 'data', 'job1', 'ls']), /end the list with --/);
    assert.equal(parseRunArgs(['--data-dirs', 'data', '--', 'job1', 'ls']).name, 'job1');
  });

  it('refuses bad names, missing commands and bad numbers as usage errors', () => {
    for (const argv of [
      ['bad.name', 'ls'],
      ['-x', 'ls'],
      ['job1'],
      [],
      ['--task', 'build'],
      ['--max-hours', 'soon', 'j', 'ls'],
      ['--max-hours', '0', 'j', 'ls'],
      ['--retries', '1.5', 'j', 'ls'],
      ['--task', '', 'ls'],
    ]) {
      assert.throws(() => parseRunArgs(argv), isUsage, argv.join(' '));
    }
  });

  it('exits 2 with one sentence on stderr for a bad name, before reading any configuration', async () => {
    const io = memoryIo({ env: { ORCH_HOST: 'nowhere.invalid' } });
    const code = await main(['run', 'has space', 'echo', 'hi'], io);
    assert.equal(code, 2);
    assert.equal(io.out(), '');
    assert.match(io.err(), /^orch: Invalid job name "has space": a space is not allowed/);
    assert.equal(io.err().trim().split('\n').length, 1);
  });

  it('gives --help before the name to orch, after it to the command', async () => {
    const io = memoryIo();
    assert.equal(await main(['run', '--help'], io), 0);
    assert.match(io.out(), /Usage: orch run \[options\] <name> <cmd\.\.\.>/);
  });
});
