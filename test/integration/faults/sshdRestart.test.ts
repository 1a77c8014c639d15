/**
 * sshd killed (SIGKILL, with every session it holds) and restarted while a client follows a
 * job or waits for it: the job lives in tmux on the host and must not notice; the client must
 * resume and print every log line exactly once.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createEngine } from '../../../src/core/engine/engine';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import { startSshd, type TestSshd } from '../harness/sshd';
import { dropCronEntries, ensureBundle, exited, jobsJson, killSessions, makeCwd, orch, seqLog, spawnOrch, sshEnv, uniqueName, waitFor } from './harness';

const lineCount = (s: string): number => s.split('\n').length - 1;

describe('faults: sshd killed and restarted', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const names: string[] = [];
  const opts = () => ({ env, cwd });
  const name = (tag: string): string => {
    const n = uniqueName(tag);
    names.push(n);
    return n;
  };
  const sessionAlive = async (n: string): Promise<boolean> => (await sshd.runAsUser(`tmux has-session -t '=${n}' 2>/dev/null`)).code === 0;

  before(async () => {
    ensureBundle();
    sshd = await startSshd();
    cwd = makeCwd();
    env = sshEnv(sshd);
  });
  after(async () => {
    if (sshd) {
      await killSessions(sshd, names);
      await dropCronEntries(sshd);
      await sshd.stop();
    }
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('`orch logs -f` survives an sshd kill and restart: every line once, then it ends with the job', async () => {
    const n = name('logsf');
    const started = await orch(['run', n, 'for i in $(seq 1 300); do echo $i; sleep 0.01; done'], opts());
    assert.equal(started.code, 0, started.stderr);
    const follower = spawnOrch(['logs', '-f', n], opts());
    await waitFor('the follow to print 40 lines', async () => (lineCount(follower.out.stdout) >= 40 ? true : undefined));
    await sshd.kill();
    // While sshd is down the job goes on in tmux, unaware.
    const linesWhileDown = lineCount(follower.out.stdout);
    assert.ok(await sessionAlive(n), 'the tmux session outlives sshd');
    await new Promise((r) => setTimeout(r, 800));
    await sshd.restart();
    const end = await Promise.race([exited(follower), new Promise<never>((_, j) => setTimeout(() => j(new Error(`orch logs -f did not end; stderr: ${follower.out.stderr}`)), 30_000))]);
    assert.equal(end.code, 0, follower.out.stderr);
    assert.ok(linesWhileDown < 300, 'sshd went down while the job was still writing');
    assert.equal(follower.out.stdout, seqLog(300));
    const job = (await jobsJson('list', opts())).find((j) => j.name === n);
    assert.equal(job?.state, 'DONE');
    assert.equal(job?.exitCode, 0);
  });

  it('`orch run --wait` rides over sshd being down for a while and exits with the job\'s status', async () => {
    const n = name('wait');
    const waiter = spawnOrch(['run', '--wait', n, 'for i in $(seq 1 200); do echo $i; sleep 0.01; done; exit 3'], opts());
    await waitFor('the first lines', async () => (lineCount(waiter.out.stdout) >= 20 ? true : undefined));
    await sshd.kill();
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(await sessionAlive(n) || (await sshd.runAsUser(`tail -n1 ${sshd.config().logRoot}/${n}/run.log`)).stdout === '[EXIT: 3]\n', 'the job kept running with sshd down');
    await sshd.restart();
    const end = await Promise.race([exited(waiter), new Promise<never>((_, j) => setTimeout(() => j(new Error(`run --wait did not end; stderr: ${waiter.out.stderr}`)), 30_000))]);
    assert.equal(end.code, 3, waiter.out.stderr);
    assert.equal(waiter.out.stdout, `${n}\n${seqLog(200, 3)}`);
  });

  it('a job started before sshd died is RUNNING after the restart, then DONE with its whole log', async () => {
    const n = name('run');
    assert.equal((await orch(['run', n, 'seq 1 50; sleep 3; seq 51 100'], opts())).code, 0);
    await sshd.kill();
    await waitFor('the first half of the log', async () =>
      (await sshd.runAsUser(`grep -cx 50 ${sshd.config().logRoot}/${n}/run.log`)).stdout.trim() === '1' ? true : undefined);
    await sshd.restart();
    const active = (await jobsJson('status', opts())).find((j) => j.name === n);
    assert.equal(active?.state, 'RUNNING', 'status right after the restart');
    const done = await waitFor('the job to end', async () => {
      const j = (await jobsJson('list', opts())).find((x) => x.name === n);
      return j && j.state !== 'RUNNING' ? j : undefined;
    });
    assert.equal(done.state, 'DONE');
    assert.equal((await orch(['logs', n], opts())).stdout, seqLog(100));
  });

  it('engine.follow over one ssh2 connection resumes after sshd is down ~2 s: nothing lost or doubled', async () => {
    const config = sshd.config({ project: 'faults' });
    const target = createSshTarget(config, { connection: { keepaliveIntervalMs: 1000, reconnectWindowMs: 20_000 } });
    const engine = createEngine(config, target, { reconnectWindowMs: 30_000 });
    try {
      const n = name('follow');
      await engine.run({ name: n, command: 'for i in $(seq 1 400); do echo $i; sleep 0.01; done' });
      const chunks: Buffer[] = [];
      let killed: Promise<void> | undefined;
      const reconnects: number[] = [];
      const job = await engine.follow(n, {
        onData: (c) => {
          chunks.push(c);
          if (!killed && Buffer.concat(chunks).length > 100) {
            killed = sshd.kill().then(() => new Promise((r) => setTimeout(r, 2000))).then(() => sshd.restart());
          }
        },
        onReconnect: (i) => reconnects.push(i.fromByte),
      });
      await killed;
      assert.ok(reconnects.length >= 1, 'the follow reconnected');
      assert.equal(job.state, 'DONE');
      assert.equal(Buffer.concat(chunks).toString(), seqLog(400));
    } finally {
      await engine.close();
    }
  });
});
