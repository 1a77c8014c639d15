/**
 * `orch run --cloudwatch` on a Slurm host (PRODUCT.md §7 × §8): the built-in CLI against a real
 * single-node Slurm reached over the real sshd (its login node), shipping with the login node's
 * own AWS CLI (Debian's awscli, credentials and endpoint in the sessions' environment through
 * sshd SetEnv) to the local CloudWatch Logs endpoint. The shipper runs on the login node and
 * follows run.log on the shared job dir until the job's end is recorded: a job's log arrives
 * once and in order through "[EXIT: N]" (a failing one and one stopped by orch stop too); a
 * killed shipper is started again by the next listing; a PENDING job stopped by orch stop ships
 * its exit line, and one scancelled outside orch (no exit line ever) ends its shipper once Slurm
 * says the job is gone; a login node without aws refuses the run with nothing submitted.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../harness/sshd';
import { startSlurm, type TestSlurm } from '../harness/slurm';
import { startLogsEndpoint, type LogsEndpoint } from '../harness/logsEndpoint';
import { pathWithout } from '../engine/hostSuite';
import { baseEnv, cli, makeWorkspace, uniqueName, waitFor } from '../cli/cliHarness';

const GROUP = '/orch/it-slurm-cloudwatch';

interface ShippingJson {
  group: string;
  stream: string;
  linesShipped: number;
  lagBytes: number;
  state: string;
  error: string | null;
}
interface JobJson {
  name: string;
  state: string;
  reason: string | null;
  slurmJobId?: string;
  cloudwatch: ShippingJson | null;
}

/** A hosts.yaml of one Slurm host reached through `sshd`. */
function hostsYaml(sshd: TestSshd, extra: string[] = []): string {
  const c = sshd.config();
  return ['hosts:', '  cluster:', `    host: ${c.host}`, `    port: ${c.port}`, `    user: ${c.user}`, `    identity_file: ${c.identityFile}`,
    `    known_hosts: ${c.knownHosts}`, `    remote_workdir: ${c.remoteWorkdir}`, `    log_root: ${c.logRoot}`, '    kind: slurm',
    ...extra.map((l) => `    ${l}`), 'default: cluster', ''].join('\n');
}

describe('orch run --cloudwatch on a Slurm host (real Slurm, sshd, the login node\'s AWS CLI, local CloudWatch Logs endpoint)', function () {
  this.timeout(300_000);
  let logs: LogsEndpoint;
  let slurm: TestSlurm;
  let sshd: TestSshd;
  let ws: string;
  let root: string;
  const orch = (...argv: string[]) => cli(argv, { env: baseEnv(), cwd: ws });
  const onHost = async (cmd: string) => (await sshd.runAsUser(`export SLURM_CONF=${slurm.conf}; ${cmd}`)).stdout;
  const jobs = async (): Promise<JobJson[]> => {
    const r = await orch('list', '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as JobJson[];
  };
  const jobOf = async (name: string): Promise<JobJson> => {
    const j = (await jobs()).find((x) => x.name === name);
    assert.ok(j, `${name} is listed`);
    return j;
  };
  const messages = (c: ShippingJson) => (logs.events(c.group, c.stream) ?? []).map((e) => e.message);
  const shipped = async (name: string, timeoutMs = 90_000): Promise<JobJson> => {
    await waitFor(`${name} shipped`, async () => (await jobOf(name)).cloudwatch?.state === 'done', timeoutMs);
    return jobOf(name);
  };

  before(async () => {
    logs = await startLogsEndpoint();
    slurm = await startSlurm();
    // One SetEnv line: sshd takes the first of several.
    const setEnv = Object.entries({ ...logs.awsEnv(), SLURM_CONF: slurm.conf }).map(([k, v]) => `${k}=${v}`).join(' ');
    sshd = await startSshd({ extraConfig: [`SetEnv ${setEnv}`] });
    ws = makeWorkspace('orch-slurm-cw-');
    mkdirSync(join(ws, 'scripts/cloud'), { recursive: true });
    writeFileSync(join(ws, 'scripts/cloud/hosts.yaml'), hostsYaml(sshd, [`cloudwatch: ${GROUP}`]));
    root = join(sshd.home, sshd.config().logRoot.slice(2));
  });
  after(async () => {
    if (ws) {
      await orch('stop', '--all');
      // Every shipper sends its last lines before the endpoint goes (a failed test's jobs too).
      await waitFor('every log shipped', async () => (await jobs()).every((j) => j.cloudwatch?.state === 'done'), 60_000).catch(() => undefined);
    }
    await sshd?.stop();
    await slurm?.stop();
    await logs?.close();
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('a batch job\'s log arrives once and in order, shipped from the login node; list --json, list and status show it; a killed shipper is revived by the next listing and resumes', async () => {
    const name = uniqueName('scw');
    const cmd = `for i in $(seq 1 3000); do echo "step $i on $(hostname)"; [ $((i % 500)) = 0 ] && sleep 1; done`;
    const r = await orch('run', name, cmd);
    assert.equal(r.code, 0, r.stderr);
    const first = await jobOf(name);
    assert.match(first.slurmJobId ?? '', /^\d+$/);
    assert.ok(first.cloudwatch, 'the record has the shipping');
    assert.equal(first.cloudwatch.group, GROUP);
    assert.match(first.cloudwatch.stream, new RegExp(`^${name}-\\d{8}T\\d{6}Z-[0-9a-f]{8}$`));
    // The shipper is a process of the login node (this sshd's machine), beside the job dir.
    const pid = (await onHost(`for i in $(seq 50); do [ -s ${root}/${name}/cloudwatch.pid ] && break; sleep 0.1; done; cat ${root}/${name}/cloudwatch.pid`)).trim();
    assert.match(pid, /^\d+$/);
    assert.match(await onHost(`tr '\\0' ' ' < /proc/${pid}/cmdline`), new RegExp(`cloudwatch_ship ${root}/${name} $`));
    await waitFor('some lines shipped', async () => messages(first.cloudwatch!).length > 0, 60_000);
    const status = await orch('status');
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`\\n${name}: CloudWatch ${GROUP} \\(stream ${first.cloudwatch.stream}\\): [\\d,]+ lines? shipped`));
    await onHost(`kill -KILL ${pid}`);
    await waitFor('the job to end', async () => (await onHost(`cat ${root}/${name}/exit 2>/dev/null`)).trim() === '0', 90_000);
    assert.equal((await jobOf(name)).cloudwatch?.state, 'waiting', 'no shipper: this listing starts one');
    const done = await shipped(name);
    const host = (await onHost(`head -n 1 ${root}/${name}/run.log`)).trim().replace(/^step 1 on /, '');
    const want = [...Array.from({ length: 3000 }, (_, i) => `step ${i + 1} on ${host}`), '[EXIT: 0]'];
    assert.deepEqual(messages(done.cloudwatch!), want);
    assert.equal(done.state, 'DONE');
    assert.deepEqual([done.cloudwatch!.linesShipped, done.cloudwatch!.lagBytes, done.cloudwatch!.error], [want.length, 0, null]);
    const listed = await orch('list');
    assert.ok(listed.stdout.includes(`\n${name}: CloudWatch ${GROUP} (stream ${done.cloudwatch!.stream}): 3,001 lines shipped\n`), listed.stdout);
    assert.equal((await onHost(`[ -e /proc/${pid} ] || echo gone; ls ${root}/${name}/cloudwatch.pid 2>&1 | grep -c 'No such'`)).trim(), 'gone\n1');
  });

  it('a job that fails and one stopped with orch stop while RUNNING: each log shipped through its [EXIT: N]', async () => {
    const failing = uniqueName('scw-fail');
    const running = uniqueName('scw-stop');
    assert.equal((await orch('run', failing, 'echo "about to fail"; exit 3')).code, 0);
    assert.equal((await orch('run', running, 'echo started; sleep 300')).code, 0);
    await waitFor(`${running} running`, async () => (await onHost(`cat ${root}/${running}/run.log`)).includes('started'), 60_000);
    const stop = await orch('stop', running);
    assert.equal(stop.code, 0, stop.stderr);
    const f = await shipped(failing);
    assert.equal(f.state, 'FAILED');
    assert.deepEqual(messages(f.cloudwatch!), ['about to fail', '[EXIT: 3]']);
    const s = await shipped(running);
    assert.equal(s.state, 'STOPPED');
    assert.deepEqual(messages(s.cloudwatch!), ['started', '[EXIT: 143]']);
  });

  it('PENDING jobs: one stopped with orch stop ships its [EXIT: 143]; one scancelled outside orch (no exit line) ends its shipper once Slurm says it is gone', async () => {
    const holder = uniqueName('scw-hold');
    const stopped = uniqueName('scw-pend-stop');
    const cancelled = uniqueName('scw-pend-scancel');
    // The node has two CPUs: the holder takes both.
    assert.equal((await orch('run', '--cpus', '2', '--cloudwatch=/orch/it-holder', holder, 'sleep 300')).code, 0);
    await waitFor(`${holder} running`, async () => (await jobOf(holder)).state === 'RUNNING', 60_000);
    assert.equal((await orch('run', stopped, 'echo never')).code, 0);
    assert.equal((await orch('run', cancelled, 'echo never either')).code, 0);
    await waitFor('both pending', async () => (await jobs()).filter((j) => [stopped, cancelled].includes(j.name) && j.state === 'QUEUED').length === 2, 30_000);
    assert.equal((await orch('stop', stopped)).code, 0);
    const s = await shipped(stopped);
    assert.equal(s.state, 'STOPPED');
    assert.deepEqual(messages(s.cloudwatch!), ['[EXIT: 143]']);
    const id = (await jobOf(cancelled)).slurmJobId;
    assert.match(id ?? '', /^\d+$/);
    await onHost(`scancel ${id}`);
    const c = await shipped(cancelled);
    assert.equal(c.state, 'STOPPED');
    assert.equal(c.reason, 'cancelled in Slurm (scancel outside orch)');
    assert.deepEqual([c.cloudwatch!.linesShipped, c.cloudwatch!.lagBytes, c.cloudwatch!.error], [0, 0, null]);
    assert.deepEqual(logs.streams(GROUP).includes(c.cloudwatch!.stream), true);
    assert.deepEqual(messages(c.cloudwatch!), []);
    assert.equal((await onHost(`pgrep -fc 'cloudwatch_ship ${root}/${cancelled}$'; true`)).trim(), '0', 'its shipper has exited');
    // orch stop now (under a minute after its run): it has ended, so no exit line comes after the shipping
    const late = await orch('stop', cancelled);
    assert.match(late.stdout + late.stderr, /already ended|had ended/, late.stdout + late.stderr);
    assert.equal(await onHost(`cat ${root}/${cancelled}/run.log`), '');
    assert.equal((await jobOf(cancelled)).reason, 'cancelled in Slurm (scancel outside orch)');
    assert.equal((await orch('stop', holder)).code, 0);
    assert.deepEqual(messages((await shipped(holder)).cloudwatch!), ['[EXIT: 143]']);
  });

  it('orch run --force of a job scancelled while PENDING, before its shipper saw it gone: the old shipper stops; the new run ships to its own stream only', async () => {
    const holder = uniqueName('scw-hold2');
    const name = uniqueName('scw-rerun');
    assert.equal((await orch('run', '--cpus', '2', '--cloudwatch=/orch/it-holder', holder, 'sleep 300')).code, 0);
    await waitFor(`${holder} running`, async () => (await jobOf(holder)).state === 'RUNNING', 60_000);
    assert.equal((await orch('run', name, 'echo first')).code, 0);
    await waitFor(`${name} pending`, async () => (await jobOf(name)).state === 'QUEUED', 30_000);
    const old = (await jobOf(name)).cloudwatch!;
    const oldPid = (await onHost(`cat ${root}/${name}/cloudwatch.pid`)).trim();
    assert.match(oldPid, /^\d+$/);
    await onHost(`scancel ${(await jobOf(name)).slurmJobId}`);
    await waitFor(`${name} cancelled`, async () => (await jobOf(name)).state === 'STOPPED', 30_000);
    // Slurm must say "gone" twice 10 s apart: the old shipper still runs for a while
    assert.equal((await onHost(`[ -e /proc/${oldPid} ] && echo alive`)).trim(), 'alive');
    const again = await orch('run', '--force', name, 'echo second');
    assert.equal(again.code, 0, again.stderr);
    await waitFor('the old shipper to stop', async () => (await onHost(`[ -e /proc/${oldPid} ] || echo gone`)).trim() === 'gone', 10_000);
    assert.equal((await orch('stop', holder)).code, 0);
    await shipped(holder);
    const done = await shipped(name);
    assert.equal(done.state, 'DONE');
    assert.notEqual(done.cloudwatch!.stream, old.stream);
    assert.deepEqual(messages(done.cloudwatch!), ['second', '[EXIT: 0]']);
    assert.deepEqual(messages(old), [], 'the old run\'s stream got nothing of the new run');
    assert.equal(done.cloudwatch!.linesShipped, 2);
  });

  it('a login node without aws: the run is refused in one sentence; nothing submitted, no job dir', async () => {
    const noAws = pathWithout('aws');
    chmodSync(noAws, 0o755);
    const bare = await startSshd({ extraConfig: [`SetEnv SLURM_CONF=${slurm.conf} PATH=${noAws}`] });
    const bareWs = makeWorkspace('orch-slurm-cw-noaws-');
    try {
      mkdirSync(join(bareWs, 'scripts/cloud'), { recursive: true });
      writeFileSync(join(bareWs, 'scripts/cloud/hosts.yaml'), hostsYaml(bare));
      const name = uniqueName('scw-noaws');
      const r = await cli(['run', '--cloudwatch', name, 'sleep 30'], { env: baseEnv(), cwd: bareWs });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^orch: --cloudwatch ships the log from cluster with its AWS CLI, but "aws" is not on the PATH of an SSH session there; install it .*nothing was started\.\n$/);
      assert.equal((await bare.runAsUser(`export SLURM_CONF=${slurm.conf}; squeue --me -h -t all -n ${name} -o %i`)).stdout.trim(), '', 'no Slurm job');
      const bareRoot = join(bare.home, bare.config().logRoot.slice(2));
      assert.equal((await bare.runAsUser(`ls -A ${bareRoot} 2>/dev/null | grep -v '^.orch$'; true`)).stdout.trim(), '', 'no job dir');
    } finally {
      await bare.stop();
      rmSync(bareWs, { recursive: true, force: true });
      rmSync(noAws, { recursive: true, force: true });
    }
  });
});
