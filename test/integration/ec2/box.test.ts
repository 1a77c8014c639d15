import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolveHost } from '../../../src/core/ssh/sshConfig';
import { openSshArgs } from '../../../src/core/ssh/sshTarget';
import { loadConfig } from '../../../src/core/config/resolve';
import { uniqueName } from '../cli/cliHarness';
import { awsBundleLoaded, startTestBox, userStderr, type TestBox } from './boxHarness';

/**
 * EC2 boxes end to end (PRODUCT.md §7): the real AWS SDK (in its own bundle) against the EC2
 * stand-in, whose instance is a real sshd that comes back on a new loopback address at each
 * start; jobs through the real engine on it.
 */
describe('EC2 box: wake on demand, box status|start|stop, the key pinned under the instance id', function () {
  this.timeout(120_000);
  let box: TestBox;
  const knownLines = (): string[] => readFileSync(box.knownHosts, 'utf8').split('\n').filter(Boolean);

  before(async () => {
    box = await startTestBox({ state: 'stopped' });
  });
  after(async () => {
    await box?.close();
  });

  it('box status --json of a stopped box: id, state, type, no address', async () => {
    const r = await box.orch(['box', 'status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(s.instanceId, box.instance.id);
    assert.equal(s.host, box.instance.id);
    assert.equal(s.state, 'stopped');
    assert.equal(s.type, 'g5.xlarge');
    assert.equal(s.address, null);
    assert.equal(s.uptimeSeconds, null);
    assert.ok(awsBundleLoaded(r));
  });

  it('a command that needs the stopped box says how to start it, and starts nothing', async () => {
    const before = box.ec2.calls.length;
    const r = await box.orch(['status']);
    assert.equal(r.code, 1);
    assert.equal(
      userStderr(r),
      `orch: The EC2 box ${box.instance.id} is stopped: start it with "orch box start", or run the command again with --wake (or set ORCH_EC2_WAKE=auto).\n`,
    );
    assert.deepEqual(box.ec2.calls.slice(before), ['DescribeInstances']);
    assert.equal(box.instance.state, 'stopped');
  });

  let firstAddress = '';
  let pinnedLine = '';
  it('--wake starts the box, waits for running and SSH, runs the job at its new address and pins the key under the instance id', async () => {
    const name = uniqueName('wake');
    const t0 = Date.now();
    const r = await box.orch(['run', '--wake', '--wait', name, 'echo', 'hello from the box'], { ORCH_STRICT_HOST_KEY_CHECKING: 'accept-new' });
    const took = Date.now() - t0;
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${name}\nhello from the box\n[EXIT: 0]\n`);
    firstAddress = box.instance.publicIp!;
    assert.match(firstAddress, /^127\.0\.0\.\d+$/);
    const err = userStderr(r);
    assert.match(err, new RegExp(`orch: starting ${box.instance.id} \\(g5\\.xlarge\\)`));
    assert.match(err, new RegExp(`orch: ${box.instance.id} is running at ${firstAddress.replace(/\./g, '\\.')} after \\d+ s`));
    assert.deepEqual(knownLines(), [`${box.instance.id} ${box.sshd.hostPublicKey}`]);
    pinnedLine = knownLines()[0]!;
    assert.ok(took < 60_000, `wake took ${took} ms`);
    console.log(`      (wake + run --wait: ${took} ms)`);
  });

  it('OpenSSH (what orch attach runs) accepts the key orch pinned: -o HostKeyAlias=<instance id> -o HostName=<address>', async () => {
    const config = await loadConfig({ cwd: box.ws, env: { ...box.env, ORCH_STRICT_HOST_KEY_CHECKING: 'yes' } });
    const resolved = { ...(await resolveHost(config)), hostname: box.instance.publicIp!, hostKeyAlias: box.instance.id };
    const args = openSshArgs(config, resolved, { tty: false })!;
    assert.ok(args.includes(`HostKeyAlias=${box.instance.id}`) && args.includes(`HostName=${firstAddress}`), args.join(' '));
    const r = await new Promise<{ code: number; out: string }>((resolve) =>
      execFile('ssh', ['-o', 'BatchMode=yes', ...args, 'echo', 'via-openssh'], { timeout: 30_000 }, (e, stdout, stderr) => resolve({ code: e ? 1 : 0, out: stdout + stderr })),
    );
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /via-openssh/);
    assert.deepEqual(knownLines(), [pinnedLine], 'OpenSSH added nothing');
  });

  it('box status of the running box: address and uptime; box start says it already runs', async () => {
    const r = await box.orch(['box', 'status']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^host     ${box.instance.id}\ninstance ${box.instance.id}\nstate    running\ntype     g5\\.xlarge\naddress  ${firstAddress.replace(/\./g, '\\.')}\nuptime   \\d+ s\n$`));
    const s = await box.orch(['box', 'start']);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stdout, `${box.instance.id} is running at ${firstAddress} (it already was)\n`);
  });

  it('box stop refuses while a job runs, names it, and leaves box and job alone', async () => {
    const name = uniqueName('busy');
    const r = await box.orch(['run', name, 'sleep', '60']);
    assert.equal(r.code, 0, r.stderr);
    const refused = await box.orch(['box', 'stop']);
    assert.equal(refused.code, 1);
    assert.equal(
      userStderr(refused),
      `orch: ${box.instance.id} has 1 active job (${name}): stop it first (orch stop --all), or run "orch box stop ${box.instance.id} --force" to stop it and the box.\n`,
    );
    assert.equal(box.instance.state, 'running');
    const st = JSON.parse((await box.orch(['status', '--json'])).stdout) as { name: string; state: string }[];
    assert.deepEqual(st.map((j) => [j.name, j.state]), [[name, 'RUNNING']]);

    const forced = await box.orch(['box', 'stop', '--force']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(userStderr(forced), new RegExp(`orch: stopped ${name}; log kept at `));
    assert.match(userStderr(forced), /orch: stopping i-/);
    assert.equal(forced.stdout, `${box.instance.id} is stopped\n`);
    assert.equal(box.instance.state, 'stopped');
  });

  it('ORCH_EC2_WAKE=auto: the next command wakes the box at another address; the pinned key needs no new known_hosts line', async () => {
    const r = await box.orch(['list', '--json'], { ORCH_EC2_WAKE: 'auto', ORCH_STRICT_HOST_KEY_CHECKING: 'yes' });
    assert.equal(r.code, 0, r.stderr);
    const second = box.instance.publicIp!;
    assert.notEqual(second, firstAddress);
    assert.deepEqual(box.instance.addresses.slice(-2), [firstAddress, second]);
    const jobs = JSON.parse(r.stdout) as { name: string; state: string; reason: string | null }[];
    assert.ok(jobs.some((j) => j.state === 'STOPPED'), r.stdout);
    // the job box stop --force stopped says so (it said 'stopped with orch stop --all')
    assert.deepEqual(jobs.filter((j) => j.state === 'STOPPED').map((j) => j.reason), ['stopped with orch box stop --force']);
    assert.deepEqual(knownLines(), [`${box.instance.id} ${box.sshd.hostPublicKey}`]);
  });

  it('a changed host key is still refused after a restart, with its fingerprint', async () => {
    const stopped = await box.orch(['box', 'stop']);
    assert.equal(stopped.code, 0, stopped.stderr);
    const fp = await box.sshd.regenerateHostKey();
    const r = await box.orch(['status', '--wake']);
    assert.equal(r.code, 1);
    const at = `${box.instance.publicIp}:${box.sshd.port}`;
    assert.match(
      userStderr(r),
      new RegExp(
        `orch: The host key of ${box.instance.id} at ${at.replace(/\./g, '\\.')} has changed: the server now presents ssh-ed25519 ${fp.replace(/[+/]/g, '\\$&')}, which does not match ${box.knownHosts.replace(/[/.]/g, '\\$&')} line 1`,
      ),
    );
    assert.deepEqual(knownLines(), [pinnedLine], 'the refused key is not recorded');
  });

});
