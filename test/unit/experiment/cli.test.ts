import { strict as assert } from 'node:assert';
import { PassThrough, Readable } from 'node:stream';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { main, type CliIO } from '../../../src/cli/main';

async function orch(argv: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const io: CliIO = { stdout, stderr, stdin: Readable.from([]), env: { PATH: process.env.PATH }, cwd, isTTY: false, signal: new AbortController().signal };
  const code = await main(argv, io);
  return { code, stdout: out, stderr: err };
}

describe('orch experiment: bad input (exit status 2, nothing run)', () => {
  let ws: string;
  before(async () => {
    ws = await mkdtemp(path.join(tmpdir(), 'orch-expcli-'));
    // a kit that would leave a trace if it ever ran
    await writeFile(path.join(ws, 'experiment.sh'), `touch ${JSON.stringify(path.join(ws, 'ran'))}\n`);
  });
  after(() => rm(ws, { recursive: true, force: true }));

  const cases: [string[], RegExp][] = [
    [['experiment'], /Say which flow: orch experiment cycle\|full\|program/],
    [['experiment', 'loop', 'a.md'], /Unknown flow "loop"; use cycle, full or program\./],
    [['experiment', 'cycle'], /Give exactly one spec: orch experiment cycle <spec>\./],
    [['experiment', 'cycle', 'a.md', 'b.md'], /Give exactly one spec/],
    [['experiment', 'full', 'a.md'], /Give exactly one spec: orch experiment full <question> <spec>\./],
    [['experiment', 'program'], /Give at least one spec: orch experiment program <spec\.\.\.>\./],
    [['experiment', 'cycle', '--kit', 'nope.sh', 'a.md'], /No research kit found: looked for experiment\.sh at .*nope\.sh\./],
  ];
  for (const [argv, message] of cases) {
    it(argv.join(' '), async () => {
      const r = await orch(argv, ws);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, 'one sentence, no stack');
    });
  }

  it('prints its help', async () => {
    const r = await orch(['experiment', '--help'], ws);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /orch experiment cycle <spec> +FRAME -> RUN -> SYNC -> READ -> LOG/);
  });

  it('ran the kit for none of them', () => {
    assert.equal(existsSync(path.join(ws, 'ran')), false);
  });
});
