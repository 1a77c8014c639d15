import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BoundedTail } from '../../../src/vscode/boundedTail';
import { COMMAND_IDS } from '../../../src/vscode/commands/ids';
import { MIN_POLL_MS, nextPollDelay } from '../../../src/vscode/pollCadence';
import { commandForFile, taskFromCommand } from '../../../src/vscode/routeText';
import { factsFromDefinition, toTerminalText } from '../../../src/vscode/taskDefinition';

const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8'));

describe('poll cadence', () => {
  it('polls only while jobs are active, never faster than 5 s, slower when nobody looks', () => {
    assert.equal(nextPollDelay({ anyActive: false, windowFocused: true, viewVisible: true }), undefined);
    const visible = nextPollDelay({ anyActive: true, windowFocused: true, viewVisible: true })!;
    const hidden = nextPollDelay({ anyActive: true, windowFocused: true, viewVisible: false })!;
    const unfocused = nextPollDelay({ anyActive: true, windowFocused: false, viewVisible: true })!;
    assert.equal(visible, MIN_POLL_MS);
    assert.ok(visible >= 5000 && hidden > visible && unfocused > hidden);
  });
});

describe('bounded log channel text', () => {
  it('keeps the tail of a huge log, cut at a line start', () => {
    const tail = new BoundedTail(1000);
    let cut = false;
    for (let i = 0; i < 200; i++) cut = tail.append(`line ${i}\n`) || cut;
    assert.equal(cut, true);
    assert.equal(tail.truncated, true);
    assert.ok(tail.value.length <= 1000);
    assert.match(tail.value, /^line \d+\n/);
    assert.ok(tail.value.endsWith('line 199\n'));
  });

  it('keeps a small log whole', () => {
    const tail = new BoundedTail(1000);
    assert.equal(tail.append('a\nb\n'), false);
    assert.equal(tail.value, 'a\nb\n');
  });
});

describe('run command helpers', () => {
  it('suggests the task part of a job name from the command', () => {
    assert.equal(taskFromCommand('python3 scripts/train.py --epochs 3'), 'train');
    assert.equal(taskFromCommand('make -j8 all'), 'make');
    assert.equal(taskFromCommand('for i in 1 2; do echo $i; done'), 'job');
  });

  it('runs the active file by its interpreter, quoting odd names', () => {
    assert.equal(commandForFile('train.py'), 'python3 train.py');
    assert.equal(commandForFile('jobs/backfill.sh'), 'bash jobs/backfill.sh');
    assert.equal(commandForFile("it's here.py"), `python3 'it'\\''s here.py'`);
  });
});

describe('orch task definition', () => {
  it('maps tasks.json fields to routing facts', () => {
    assert.deepEqual(factsFromDefinition({ type: 'orch', command: 'npm run build', runtime: 2, memory: 1, ui: true, light: true, heavy: ['llm'] }), {
      command: 'npm run build',
      runtimeMinutes: 2,
      memoryGb: 1,
      uiCentric: true,
      lightweight: true,
      heavyKinds: ['llm'],
    });
  });

  it('refuses a task without a command', () => {
    assert.throws(() => factsFromDefinition({ type: 'orch', command: ' ' }), /needs a "command"/);
  });

  it('turns LF into CRLF for the terminal', () => {
    assert.equal(toTerminalText('a\nb\r\nc'), 'a\r\nb\r\nc');
  });
});

describe('package.json manifest', () => {
  it('contributes exactly the commands of the command map, all in the Cloud Jobs category', () => {
    const contributed = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
    assert.deepEqual(contributed, [...COMMAND_IDS].sort());
    for (const c of pkg.contributes.commands) assert.equal(c.category, 'Cloud Jobs');
  });

  it('activates lazily (no `*`) and supports Restricted Mode in a limited way', () => {
    assert.equal(pkg.activationEvents.includes('*'), false);
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  it('has a setting for every engine key and the autorun modes', () => {
    const props = Object.keys(pkg.contributes.configuration.properties);
    for (const k of ['host', 'user', 'port', 'identityFile', 'knownHosts', 'strictHostKeyChecking', 'logRoot', 'logRetentionDays', 'remoteWorkdir', 'syncBeforeRun', 'outputDir', 'project', 'maxParallel', 'retries', 'autorun', 'experimentScript']) {
      assert.ok(props.includes(`cloudJobs.${k}`), `cloudJobs.${k}`);
    }
    assert.deepEqual(pkg.contributes.configuration.properties['cloudJobs.autorun'].enum, ['off', 'confirm', 'full']);
    // a first Run on EC2 of a workspace script finds the script on the host
    assert.equal(pkg.contributes.configuration.properties['cloudJobs.syncBeforeRun'].default, true);
    assert.equal(pkg.contributes.configuration.properties['cloudJobs.outputDir'].default, 'results');
  });
});
