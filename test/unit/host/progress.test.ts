/**
 * lib/progress.sh on its own (real bash): the latest progress of a log from real tqdm output
 * (Debian's python3-tqdm, written with "\r" updates), a Keras-style log and a plain
 * `step 120/1000` log, and the record field emit gives a running job.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseProgress } from '../../../src/core/jobs/progress';
import { HostSandbox } from './hostShell';

/** Real tqdm (stderr and stdout in one, as in run.log): 45 of 100 steps, then the loop breaks. */
function tqdmLog(): string {
  const py = 'from tqdm import tqdm\nimport time\nprint("loading data", flush=True)\nfor i in tqdm(range(100), mininterval=0, desc="train"):\n    if i == 45: break\n    time.sleep(0.002)\n';
  return execFileSync('bash', ['-c', '/usr/bin/python3 -c "$1" 2>&1', 'tqdm', py], { encoding: 'utf8' });
}

describe('host library: progress of a running job', function () {
  this.timeout(20000);
  let box: HostSandbox;
  before(() => {
    box = new HostSandbox();
  });
  after(async () => {
    await box.close();
  });
  const progressOf = async (log: string) => {
    const f = join(box.dir, 'log');
    writeFileSync(f, log);
    const r = await box.sh(`progress_of "$(tail -c 4096 "${f}")"; printf %s "$PROGRESS"`);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  it('real tqdm output: the last of its "\\r" states, with rate and ETA', async () => {
    const log = tqdmLog();
    assert.ok((log.match(/\r/g) ?? []).length > 40, 'tqdm wrote many \\r states');
    const p = parseProgress(await progressOf(log));
    assert.ok(p);
    assert.deepEqual([p.percent, p.n, p.total, p.eta], [45, 45, 100, '00:00']);
    assert.match(p.rate ?? '', /^[\d.]+it\/s$/);
  });

  it('Keras-style and plain step logs; text that only looks like progress is not', async () => {
    const keras = 'Epoch 1/5\n 120/1000 [==>...........................] - ETA: 1:23 - loss: 0.6931\r 240/1000 [======>.......................] - ETA: 1:02 - loss: 0.5012';
    assert.equal(await progressOf(keras), '24\t240\t1000\t\t1:02');
    const kerasDone = 'Epoch 2/5\n1000/1000 [==============================] - 5s 5ms/step - loss: 0.1234\n';
    assert.equal(await progressOf(kerasDone), '100\t1000\t1000\t5ms/step\t');
    assert.equal(await progressOf('start\nstep 120/1000 loss=2.3\nsaving checkpoint\n'), '12\t120\t1000\t\t');
    assert.equal(await progressOf('Downloading: 37.5% done\n'), '37.5\t\t\t\t');
    assert.equal(await progressOf('date 2026/12/01 path a/b\nready\n'), '');
    assert.equal(await progressOf(''), '');
  });

  it('emit gives a running job a progress field read from the tail of run.log only', async () => {
    const d = box.job('p', 'true', { started: 'x\n', 'runner.pid': '1\n' });
    writeFileSync(join(d, 'run.log'), `${'x'.repeat(100_000)}\nstep 1/1000\n${'noise\n'.repeat(10)}step 7/10\r`);
    const r = await box.sh(`emit "${d}" alive | tr '\\0' '|'`);
    assert.match(r.stdout, /\|progress\|70\t7\t10\t\t\|/);
  });
});
