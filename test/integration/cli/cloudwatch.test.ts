/**
 * `orch run --cloudwatch` end to end (PRODUCT.md §7): the built-in CLI against the real sshd,
 * the box's own AWS CLI (the `aws` its SSH sessions find: Debian's awscli 2.9 on this machine)
 * with static test credentials and the endpoint in the box's environment (sshd SetEnv, as an
 * administrator or an instance profile would provide them; orch writes none), shipping to the
 * local CloudWatch Logs endpoint. A job printing 20,000 lines with long lines, UTF-8 and invalid
 * bytes arrives exactly once and in order; `list --json` and `status` show the shipping; a
 * killed shipper is started again by the next status and resumes; a re-run gets a stream of its
 * own; no `aws` on the box is one sentence at run time with nothing started.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../harness/sshd';
import { startLogsEndpoint, type LogsEndpoint } from '../harness/logsEndpoint';
import { expectedLines, joinEvents, nastyLog } from '../host/cloudwatchLog';
import { pathWithout } from '../engine/hostSuite';
import { baseEnv, cli, makeWorkspace, sshEnv, uniqueName, waitFor } from './cliHarness';

const GROUP = '/orch/it-cloudwatch';

interface ShippingJson {
  group: string;
  stream: string;
  linesShipped: number;
  lagBytes: number;
  state: string;
  error: string | null;
}

describe('orch run --cloudwatch (real sshd, the box\'s AWS CLI, local CloudWatch Logs endpoint)', function () {
  this.timeout(240_000);
  let logs: LogsEndpoint;
  let sshd: TestSshd;
  let ws: string;
  let env: NodeJS.ProcessEnv;
  let root: string;
  let scratch: string;
  const orch = (...argv: string[]) => cli(argv, { env, cwd: ws });
  const onHost = async (cmd: string) => (await sshd.runAsUser(cmd)).stdout;
  const shippingOf = async (name: string): Promise<ShippingJson | null> => {
    const r = await orch('list', '--json');
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { name: string; cloudwatch: ShippingJson | null }[]).find((j) => j.name === name)?.cloudwatch ?? null;
  };

  before(async () => {
    logs = await startLogsEndpoint();
    const setEnv = Object.entries(logs.awsEnv()).map(([k, v]) => `${k}=${v}`).join(' ');
    sshd = await startSshd({ extraConfig: [`SetEnv ${setEnv}`] });
    ws = makeWorkspace();
    env = baseEnv(sshEnv(sshd));
    root = join(sshd.home, sshd.config().logRoot.slice(2));
    scratch = mkdtempSync(join(tmpdir(), 'orch-cw-'));
    chmodSync(scratch, 0o755);
  });
  after(async () => {
    if (env) await orch('stop', '--all');
    await sshd?.stop();
    await logs?.close();
    if (ws) rmSync(ws, { recursive: true, force: true });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('20,000 lines with long lines, UTF-8 and invalid bytes arrive once and in order; list --json and status show it', async () => {
    const bytes = nastyLog();
    const file = join(scratch, 'nasty.bin');
    writeFileSync(file, bytes, { mode: 0o644 });
    const name = uniqueName('cw');
    // two halves a few seconds apart: list sees it shipping while the job runs
    const half = Math.floor(bytes.length / 2);
    const r = await orch('run', `--cloudwatch=${GROUP}`, name, `head -c ${half} ${file}; sleep 4; tail -c +${half + 1} ${file}`);
    assert.equal(r.code, 0, r.stderr);
    const running = await shippingOf(name);
    assert.ok(running, 'list --json has the shipping');
    assert.equal(running.group, GROUP);
    assert.match(running.stream, new RegExp(`^${name}-\\d{8}T\\d{6}Z-[0-9a-f]{8}$`));
    await waitFor('everything shipped', async () => (await shippingOf(name))?.state === 'done', 120_000);
    const log = Buffer.from(await sshd.runAsUser(`cat ${root}/${name}/run.log`).then((x) => x.stdout), 'utf8');
    // read the log's bytes exactly (stdout above is text): through base64
    const raw = Buffer.from((await onHost(`base64 -w0 ${root}/${name}/run.log`)).trim(), 'base64');
    assert.ok(raw.length >= bytes.length && log.length > 0);
    const want = expectedLines(raw);
    const messages = (logs.events(GROUP, running.stream) ?? []).map((e) => e.message);
    const got = joinEvents(messages, want);
    const bad = got.findIndex((g, i) => g !== want[i]);
    assert.equal(bad, -1, `line ${bad} differs`);
    assert.equal(got.length, want.length);
    assert.equal(want.at(-1), '[EXIT: 0]');
    const done = (await shippingOf(name))!;
    assert.equal(done.linesShipped, want.length);
    assert.equal(done.lagBytes, 0);
    assert.equal(done.error, null);
    const listed = await orch('list');
    assert.ok(listed.stdout.includes(`\n${name}: CloudWatch ${GROUP} (stream ${running.stream}): ${want.length.toLocaleString('en-US')} lines shipped\n`), listed.stdout);
    // the credentials came from the box's environment: orch wrote none
    assert.equal((await onHost(`grep -rlF ${logs.awsEnv().AWS_SECRET_ACCESS_KEY} ${root} 2>/dev/null; true`)).trim(), '');
  });

  it('a killed shipper is started again by the next status and resumes: no duplicate, no gap; a re-run gets its own stream', async () => {
    const name = uniqueName('cw-kill');
    const cmd = `for i in $(seq 1 3000); do echo "step $i"; [ $((i % 500)) = 0 ] && sleep 1; done`;
    assert.equal((await orch('run', `--cloudwatch=${GROUP}`, name, cmd)).code, 0);
    const first = (await shippingOf(name))!;
    await waitFor('some lines shipped', async () => (logs.events(GROUP, first.stream)?.length ?? 0) > 0, 30_000);
    const pid = (await onHost(`cat ${root}/${name}/cloudwatch.pid`)).trim();
    assert.match(pid, /^\d+$/);
    await onHost(`kill -KILL ${pid}`);
    await waitFor('the job to end', async () => (await onHost(`cat ${root}/${name}/exit 2>/dev/null`)).trim() === '0', 60_000);
    const stalled = (await shippingOf(name))!;
    assert.equal(stalled.state, 'waiting', 'no shipper: this status starts one');
    await waitFor('everything shipped', async () => (await shippingOf(name))?.state === 'done', 60_000);
    const want = [...Array.from({ length: 3000 }, (_, i) => `step ${i + 1}`), '[EXIT: 0]'];
    assert.deepEqual((logs.events(GROUP, first.stream) ?? []).map((e) => e.message), want);

    assert.equal((await orch('run', '--force', `--cloudwatch=${GROUP}`, name, 'echo again')).code, 0);
    await waitFor('the re-run shipped', async () => (await shippingOf(name))?.state === 'done', 60_000);
    const second = (await shippingOf(name))!;
    assert.notEqual(second.stream, first.stream);
    assert.deepEqual((logs.events(GROUP, second.stream) ?? []).map((e) => e.message), ['again', '[EXIT: 0]']);
    assert.equal(logs.events(GROUP, first.stream)?.length, want.length, 'the first run\'s stream is untouched');
  });

  it('ORCH_CLOUDWATCH ships every job of the host, without the flag', async () => {
    const name = uniqueName('cw-default');
    const r = await cli(['run', name, 'echo by default'], { env: { ...env, ORCH_CLOUDWATCH: '/orch/it-default' }, cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    await waitFor('shipped', async () => (await shippingOf(name))?.state === 'done', 60_000);
    const c = (await shippingOf(name))!;
    assert.equal(c.group, '/orch/it-default');
    assert.deepEqual((logs.events('/orch/it-default', c.stream) ?? []).map((e) => e.message), ['by default', '[EXIT: 0]']);
    // and a job without either ships nothing
    const plain = uniqueName('cw-plain');
    assert.equal((await orch('run', plain, 'true')).code, 0);
    assert.equal(await shippingOf(plain), null);
    assert.equal((await onHost(`ls ${root}/${plain} | grep -c cloudwatch; true`)).trim(), '0');
  });

  it('orch doctor of a host that ships every job (ORCH_CLOUDWATCH) checks its aws: ok on the box, FAIL where there is none', async () => {
    const r = await cli(['doctor'], { env: { ...env, ORCH_CLOUDWATCH: '/orch/it-doctor' }, cwd: ws });
    assert.match(r.stdout, /\n {2}ok {4}cloudwatch +aws \(\/\S+\/aws\) ships every job's log to \/orch\/it-doctor from the host\n/);
    assert.doesNotMatch((await cli(['doctor'], { env, cwd: ws })).stdout, /cloudwatch/, 'no cloudwatch: no line');
    const noAws = pathWithout('aws');
    try {
      const local = await cli(['doctor', '--local'], { env: baseEnv({ PATH: noAws, HOME: scratch, ORCH_LOG_ROOT: join(scratch, 'logs-doctor'), ORCH_CLOUDWATCH: '/orch/it-doctor' }), cwd: ws });
      assert.equal(local.code, 1, local.stdout);
      assert.match(local.stdout, /\n {2}FAIL {2}cloudwatch +no aws on the PATH of a non-interactive SSH session, and this host ships every job's log to \/orch\/it-doctor \(cloudwatch:\), so every run there is refused: install the AWS CLI/);
    } finally {
      rmSync(noAws, { recursive: true, force: true });
    }
  });

  it('no aws on the box: one sentence at run time; no tmux session, no job dir', async () => {
    // HOME too: this machine's root ~/.bashrc puts a pyenv aws first on every bash's PATH
    const noAws = pathWithout('aws');
    const logRoot = join(scratch, 'logs-noaws');
    try {
      const name = uniqueName('cw-noaws');
      const r = await cli(['run', '--local', '--cloudwatch', name, 'sleep 30'], { env: baseEnv({ PATH: noAws, HOME: scratch, ORCH_LOG_ROOT: logRoot }), cwd: ws });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /^orch: --cloudwatch ships the log from local with its AWS CLI, but "aws" is not on the PATH of a shell here; install it .*nothing was started\.\n$/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.ok(!existsSync(join(logRoot, name)), 'no job dir');
      const jobs = existsSync(logRoot) ? readdirSync(logRoot).filter((f) => f !== '.orch') : [];
      assert.deepEqual(jobs, []);
      const tmux = await new Promise<boolean>((resolve) => execFile('tmux', ['has-session', '-t', `=${name}`], (err) => resolve(!err)));
      assert.equal(tmux, false, 'no tmux session');
    } finally {
      rmSync(noAws, { recursive: true, force: true });
    }
  });
});
