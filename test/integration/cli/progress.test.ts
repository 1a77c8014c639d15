/**
 * Progress of a running job (PRODUCT.md §9) against the real sshd: a job driving a real tqdm
 * bar (Debian's python3-tqdm) shows its percentage, count, rate and ETA in the PROGRESS column
 * of `orch status` and in `status --json` while it runs; a finished job has none.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startSshd, type TestSshd } from '../harness/sshd';
import { baseEnv, cli, makeWorkspace, sshEnv, uniqueName, waitFor } from './cliHarness';

interface Listed {
  name: string;
  state: string;
  progress: { percent: number | null; n: number | null; total: number | null; rate: string | null; eta: string | null } | null;
}

describe('orch status PROGRESS against a real sshd', function () {
  this.timeout(90_000);
  let sshd: TestSshd;
  let ws: string;
  let env: NodeJS.ProcessEnv;
  const orch = (...argv: string[]) => cli(argv, { env, cwd: ws });
  const listed = async (cmd: string, name: string) => (JSON.parse((await orch(cmd, '--json')).stdout) as Listed[]).find((j) => j.name === name);

  before(async () => {
    sshd = await startSshd();
    ws = makeWorkspace();
    env = baseEnv(sshEnv(sshd));
  });
  after(async () => {
    if (env) await orch('stop', '--all');
    await sshd?.stop();
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('a tqdm job: percent, n/total, rate and ETA while it runs; nothing once it ended', async () => {
    const name = uniqueName('tqdm');
    const py = 'from tqdm import tqdm\nimport time\nfor i in tqdm(range(200), mininterval=0):\n    time.sleep(0.005 if i < 50 else 0.2)\n';
    assert.equal((await orch('run', name, `python3 -c '${py}'`)).code, 0);
    let job: Listed | undefined;
    await waitFor('progress past 50', async () => {
      job = await listed('status', name);
      return (job?.progress?.n ?? 0) >= 50;
    }, 30_000);
    const p = job!.progress!;
    assert.equal(p.total, 200);
    assert.ok(Math.abs(p.percent! - (p.n! * 100) / 200) <= 1, JSON.stringify(p)); // tqdm rounds
    assert.match(p.rate ?? '', /it\/s$/);
    assert.match(p.eta ?? '', /^\d\d:\d\d$/);
    const table = (await orch('status')).stdout.split('\n');
    assert.match(table[0]!, /^NAME +STATE +EXIT +STARTED +ELAPSED +PROGRESS +HOST$/);
    const row = table.find((l) => l.startsWith(name))!;
    assert.match(row, / \d+% \d+\/200 [\d.]+it\/s ETA \d\d:\d\d +127\.0\.0\.1$/);
    await orch('stop', name);
    assert.equal((await listed('list', name))?.progress, null);
  });

  it('a plain `step N/M` log', async () => {
    const name = uniqueName('steps');
    assert.equal((await orch('run', name, 'for i in $(seq 1 1000); do echo "step $i/1000 loss=0.5"; sleep 0.05; done')).code, 0);
    let job: Listed | undefined;
    await waitFor('steps', async () => {
      job = await listed('status', name);
      return (job?.progress?.n ?? 0) >= 10;
    }, 30_000);
    assert.equal(job!.progress!.total, 1000);
    assert.equal(job!.progress!.percent, Math.floor(job!.progress!.n! / 10));
    await orch('stop', name);
  });
});
