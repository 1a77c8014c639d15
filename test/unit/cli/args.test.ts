import { strict as assert } from 'node:assert';
import { parseArgs, numberOption } from '../../../src/cli/args';
import { UserError } from '../../../src/core/errors';
import { main } from '../../../src/cli/main';
import { PassThrough } from 'node:stream';

const runSpecs = {
  wait: { kind: 'boolean' as const },
  task: { kind: 'string' as const },
  'data-dirs': { kind: 'list' as const },
  follow: { kind: 'boolean' as const, short: 'f' },
};

describe('cli argument parsing', () => {
  it('gives every word after the job name to the command, flags included', () => {
    const p = parseArgs(['--wait', 'job1', 'python', 'train.py', '--wait', '-f'], runSpecs, 1);
    assert.deepEqual(p.options, { wait: true });
    assert.deepEqual(p.positionals, ['job1']);
    assert.deepEqual(p.rest, ['python', 'train.py', '--wait', '-f']);
  });

  it('ends a list option at the next option, and `--` still lets the name come first', () => {
    const p = parseArgs(['--data-dirs', 'a', 'b', '--', 'job1', 'ls', '-l'], runSpecs, 1);
    assert.deepEqual(p.options['data-dirs'], ['a', 'b']);
    assert.deepEqual(p.positionals, ['job1']);
    assert.deepEqual(p.rest, ['ls', '-l']);
  });

  it('reads short aliases and --name=value', () => {
    const p = parseArgs(['-f', '--task=build', 'x'], runSpecs);
    assert.deepEqual(p.options, { follow: true, task: 'build' });
    assert.deepEqual(p.positionals, ['x']);
  });

  it('refuses unknown options and missing values with exit code 2', () => {
    for (const argv of [['--nope'], ['-z'], ['--task'], ['--wait=1'], ['--data-dirs']]) {
      assert.throws(() => parseArgs(argv, runSpecs), (e: unknown) => e instanceof UserError && e.exitCode === 2, argv.join(' '));
    }
  });

  it('validates numbers', () => {
    assert.equal(numberOption('2.5', 'max-hours'), 2.5);
    assert.equal(numberOption(undefined, 'x'), undefined);
    assert.throws(() => numberOption('abc', 'max-hours'), /--max-hours must be a number/);
    assert.throws(() => numberOption('1.5', 'retries', { integer: true }), /--retries must be an integer/);
    assert.throws(() => numberOption('-1', 'retries', { integer: true }), />= 0/);
  });
});

describe('orch --help handling', () => {
  it('shows a command\'s help for its own --help but not for words after `--`', async () => {
    const io = () => {
      const out = new PassThrough();
      const err = new PassThrough();
      let o = '';
      out.on('data', (d) => (o += d));
      return { io: { stdout: out, stderr: err, stdin: new PassThrough(), env: {}, cwd: process.cwd(), isTTY: false, signal: new AbortController().signal }, out: () => o };
    };
    const a = io();
    assert.equal(await main(['route', '--help'], a.io), 0);
    assert.match(a.out(), /Usage: orch route/);
    const b = io();
    await main(['route', '--json', '--', 'mytool', '--help'], b.io);
    assert.doesNotMatch(b.out(), /Usage: orch route/);
  });
});
