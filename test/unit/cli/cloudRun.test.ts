import { strict as assert } from 'node:assert';
import { cloudRunTask } from '../../../src/cli/cloudRun';
import { mainCloudRun } from '../../../src/cli/main';
import { memoryIo } from './memoryIo';

describe('cloud-run arguments', () => {
  it('names the run after the spec file, else "run"', () => {
    assert.equal(cloudRunTask('specs/exp-001.yaml'), 'exp-001');
    assert.equal(cloudRunTask('exp.v2.md'), 'exp.v2');
    assert.equal(cloudRunTask(undefined), 'run');
  });

  it('prints help on stdout with exit 0, and usage on stderr with exit 2 when called bare', async () => {
    const io = memoryIo();
    assert.equal(await mainCloudRun(['--help'], io), 0);
    assert.match(io.out(), /cloud-run run "<cmd>" \[--spec F\] \[--data-dirs D\.\.\.\] \[--output-dir D\] \[--max-hours H\] \[--detach\]/);
    const bare = memoryIo();
    assert.equal(await mainCloudRun([], bare), 2);
    assert.equal(bare.out(), '');
  });

  it('refuses an unknown subcommand, an empty command and a pull without a run id (exit 2)', async () => {
    for (const argv of [['launch'], ['run'], ['run', '--detach'], ['pull'], ['pull', 'bad/id']]) {
      const io = memoryIo();
      assert.equal(await mainCloudRun(argv, io), 2, argv.join(' '));
      assert.equal(io.out(), '');
      assert.notEqual(io.err(), '');
    }
  });
});
