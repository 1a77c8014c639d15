/**
 * The CLI killed with SIGKILL in the middle of `orch run --wait`: nothing on the host depends on
 * the client, so the job goes on, a later `orch status` is right, and no process of the dead
 * client's follow is left behind on the host.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startSshd, type TestSshd } from '../harness/sshd';
import { dropCronEntries, ensureBundle, exited, jobsJson, killSessions, makeCwd, orch, seqLog, spawnOrch, sshEnv, uniqueName, waitFor } from './harness';

describe('faults: the CLI killed with SIGKILL during run --wait', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  const names: string[] = [];
  const opts = () => ({ env, cwd });

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

  it('the job goes on: status says RUNNING, then DONE with exit 0 and the whole log', async () => {
    const n = uniqueName('sigkill');
    names.push(n);
    const waiter = spawnOrch(['run', '--wait', n, 'seq 1 3; sleep 2; seq 4 6'], opts());
    await waitFor('the first lines of the log', async () => (waiter.out.stdout.includes('3\n') ? true : undefined));
    waiter.kill('SIGKILL');
    assert.equal((await exited(waiter)).signal, 'SIGKILL');

    const status = await jobsJson('status', opts());
    const running = status.find((j) => j.name === n);
    assert.equal(running?.state, 'RUNNING', 'orch status right after the client died');
    assert.equal(running?.exitCode, null);

    const done = await waitFor('the job to end', async () => {
      const j = (await jobsJson('list', opts())).find((x) => x.name === n);
      return j && j.state !== 'RUNNING' ? j : undefined;
    });
    assert.equal(done.state, 'DONE');
    assert.equal(done.exitCode, 0);
    assert.ok(done.endedAt, 'endedAt is set');
    assert.equal((await orch(['logs', n], opts())).stdout, seqLog(6));
    assert.equal((await jobsJson('status', opts())).some((j) => j.name === n), false, 'no longer active');
  });

  it('the dead client leaves no follow process behind on the host', async () => {
    const n = uniqueName('orphan');
    names.push(n);
    const waiter = spawnOrch(['run', '--wait', n, 'echo start; sleep 1; echo end'], opts());
    await waitFor('the first line', async () => (waiter.out.stdout.includes('start\n') ? true : undefined));
    waiter.kill('SIGKILL');
    await exited(waiter);
    await waitFor('the job to end', async () => ((await jobsJson('list', opts())).find((x) => x.name === n && x.state === 'DONE') ? true : undefined));
    // A `tail -F` (or anything else) still reading this job's log would live forever.
    const leftover = await waitFor(
      'no process of the test user to name the job',
      async () => {
        const r = await sshd.runAsUser(`ps -u ${sshd.user} -o pid=,args= | grep -F -- '${n}' | grep -v -e grep -e 'ps -u'; exit 0`);
        return r.stdout.trim() === '' ? '' : undefined;
      },
      10_000,
      250,
    ).catch(async () => (await sshd.runAsUser(`ps -u ${sshd.user} -o pid=,args= | grep -F -- '${n}' | grep -v grep; exit 0`)).stdout);
    assert.equal(leftover, '', `processes left on the host:\n${leftover}`);
  });
});
