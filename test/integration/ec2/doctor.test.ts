import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../harness/sshd';
import { uniqueName } from '../cli/cliHarness';
import { awsBundleLoaded, startTestBox, userStderr, type BinResult, type TestBox } from './boxHarness';

/**
 * `orch doctor` on an EC2 box (PRODUCT.md §7, §12): AWS is asked once, through the real AWS SDK
 * (its own bundle) against the EC2 stand-in, whose instance is a real sshd. A box that is not
 * running is neither connected to nor started; a plain host never loads the AWS bundle.
 */
describe('orch doctor on an EC2 box', function () {
  this.timeout(120_000);
  let box: TestBox;
  let plain: TestSshd;
  const id = (): string => box.instance.id;

  /** `  STATUS  check  text` of one check, or undefined. */
  const lineOf = (r: BinResult, check: string): string | undefined => r.stdout.split('\n').find((l) => new RegExp(`^  (ok  |warn|FAIL|skip)  ${check}\\b`).test(l));
  const line = (r: BinResult, check: string): string => {
    const found = lineOf(r, check);
    assert.ok(found, `no ${check} line in:\n${r.stdout}`);
    return found.replace(/^ {2}(\S+) +(\S+) +/, '$1 $2 ');
  };

  before(async () => {
    [box, plain] = await Promise.all([startTestBox({ state: 'stopped' }), startSshd()]);
  });
  after(async () => {
    box?.ec2.allowAll();
    await Promise.all([box?.close(), plain?.stop()]);
  });

  it('a stopped box: aws ok, box FAIL saying how to start it, one skip line for the host checks (exit 1); only DescribeInstances, nothing started', async () => {
    const before = box.ec2.calls.length;
    const r = await box.orch(['doctor']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(
      r.stdout,
      [
        `${id()} (EC2 ${id()}, log root ${box.sshd.config().logRoot})`,
        '  ok    aws   credentials accepted in ap-northeast-1 (default credential chain)',
        `  FAIL  box   ${id()} stopped: start it with "orch box start" (or set ORCH_EC2_WAKE=auto so that commands start it)`,
        '  skip  host  SSH and the host checks not run: the box is stopped (nothing was started; orch doctor --wake starts it and checks it)',
        `  1 of 2 checks failed on ${id()}; its host checks were skipped.`,
        '',
      ].join('\n'),
    );
    assert.equal(userStderr(r), '');
    assert.deepEqual(box.ec2.calls.slice(before), ['DescribeInstances']);
    assert.equal(box.instance.state, 'stopped');
  });

  it('hosts.yaml: a stopped box with wake: auto is a warning (exit 0) and is not started; the plain host beside it is checked over SSH', async () => {
    const file = join(box.ws, 'scripts', 'cloud', 'hosts.yaml');
    mkdirSync(join(box.ws, 'scripts', 'cloud'), { recursive: true });
    const c = plain.config();
    const entry = [`    host: 127.0.0.1`, `    port: ${c.port}`, `    user: ${c.user}`, `    identity_file: ${c.identityFile}`, `    known_hosts: ${plain.knownHostsFile}`, `    log_root: ${c.logRoot}`];
    writeFileSync(file, ['hosts:', '  gpu:', `    ec2: { instance_id: ${id()}, region: ap-northeast-1, wake: auto }`, '  plain:', ...entry, ''].join('\n'));
    try {
      const before = box.ec2.calls.length;
      const r = await box.orch(['doctor'], { ORCH_EC2_INSTANCE_ID: undefined, ORCH_EC2_REGION: undefined });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const [gpu = '', plain = ''] = r.stdout.split(/\n(?=plain )/);
      assert.match(gpu, new RegExp(`^gpu \\(EC2 ${id()}, log root `));
      assert.match(gpu, new RegExp(`\n {2}warn {2}box {3}${id()} stopped; commands that need it start it \\(wake: auto in its ec2: block of scripts/cloud/hosts.yaml is set\\)\n`));
      assert.match(gpu, /\n {2}skip {2}host {2}SSH and the host checks not run: the box is stopped \(nothing was started/);
      assert.match(gpu, /\n {2}2 checks passed on gpu; its host checks were skipped\.$/);
      assert.match(plain, /^plain \(\S+@127\.0\.0\.1:\d+, log root /);
      assert.match(plain, /\n {2}ok {4}ssh /);
      assert.doesNotMatch(plain, / aws | box /);
      assert.match(plain, /\n {2}All 10 checks passed on plain\.\n$/);
      assert.deepEqual(box.ec2.calls.slice(before), ['DescribeInstances']);
      assert.equal(box.instance.state, 'stopped');
    } finally {
      rmSync(file);
    }
  });

  it('credentials AWS refuses: the mapping\'s one sentence on the aws line (exit 1); an unknown instance fails on the box line', async () => {
    const bad = await box.orch(['doctor'], { AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG1' });
    assert.equal(bad.code, 1);
    assert.match(line(bad, 'aws'), /^FAIL aws AWS did not accept the credentials \(AuthFailure\): check the access key in ~\/\.aws\/credentials or AWS_ACCESS_KEY_ID \/ AWS_SECRET_ACCESS_KEY, or log in again \("aws sso login"\)\.$/);
    assert.equal(lineOf(bad, 'box'), undefined);
    assert.equal(line(bad, 'host'), "skip host SSH and the host checks not run: the box's state and address come from AWS");
    assert.match(bad.stdout, /\n {2}1 of 1 checks failed on i-\w+; its host checks were skipped\.\n$/);
    assert.equal(userStderr(bad), '');

    const none = await box.orch(['doctor'], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, ORCH_EC2_PROFILE: 'research' });
    assert.equal(none.code, 1);
    assert.equal(line(none, 'aws'), 'FAIL aws No AWS credentials were found of profile "research": run "aws configure --profile research" (or "aws sso login --profile research"), or set AWS_PROFILE to a profile that has them.');

    box.ec2.deny('DescribeInstances');
    const denied = await box.orch(['doctor']);
    box.ec2.allowAll();
    assert.equal(denied.code, 1);
    assert.match(line(denied, 'aws'), new RegExp(`^FAIL aws The AWS identity is not allowed ec2:DescribeInstances on ${id()}: grant `));

    const unknown = await box.orch(['doctor'], { ORCH_EC2_INSTANCE_ID: 'i-0123456789abcdef0' });
    assert.equal(unknown.code, 1);
    assert.equal(line(unknown, 'aws'), 'ok aws credentials accepted in ap-northeast-1 (default credential chain)');
    assert.equal(line(unknown, 'box'), 'FAIL box There is no EC2 instance i-0123456789abcdef0 in ap-northeast-1: check ORCH_EC2_INSTANCE_ID and ORCH_EC2_REGION (an instance is found only in its own region).');
    assert.equal(box.instance.state, 'stopped');
  });

  it('--wake starts the box (progress on stderr), waits for SSH and checks its host', async () => {
    const r = await box.orch(['doctor', '--wake'], { ORCH_STRICT_HOST_KEY_CHECKING: 'accept-new' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const at = box.instance.publicIp!;
    assert.match(line(r, 'box'), new RegExp(`^ok box ${id()} running \\(started by --wake\\), g5\\.xlarge, at ${at.replace(/\./g, '\\.')}, up \\d+ s$`));
    assert.match(userStderr(r), new RegExp(`^orch: starting ${id()} \\(g5\\.xlarge\\)\n`));
    assert.match(r.stdout, /\n {2}All 12 checks passed on i-\w+\.\n$/);
  });

  it('a running box: aws ok, box running at its address, the SSH checks at that address pass (exit 0); AWS asked once', async () => {
    const before = box.ec2.calls.length;
    const r = await box.orch(['doctor'], { ORCH_STRICT_HOST_KEY_CHECKING: 'yes' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(userStderr(r), '');
    const at = box.instance.publicIp!;
    const c = box.sshd.config();
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `${id()} (${c.user}@${at}:${c.port}, log root ${c.logRoot})`);
    assert.equal(line(r, 'aws'), 'ok aws credentials accepted in ap-northeast-1 (default credential chain)');
    assert.match(line(r, 'box'), new RegExp(`^ok box ${id()} running, g5\\.xlarge, at ${at.replace(/\./g, '\\.')}, up \\d+ s$`));
    assert.equal(line(r, 'ssh'), `ok ssh ${c.user}@${at}:${c.port} reached; host key verified`);
    for (const check of ['bash', 'tmux', 'tools', 'cron', 'disk', 'log root', 'clock', 'lingering', 'compression']) assert.match(line(r, check), /^ok /);
    assert.equal(lineOf(r, 'host'), undefined);
    assert.match(r.stdout, /\n {2}All 12 checks passed on i-\w+\.\n$/);
    assert.deepEqual(box.ec2.calls.slice(before), ['DescribeInstances']);
    assert.ok(awsBundleLoaded(r));
  });

  it('autostop_minutes on a running box: an autostop line, not installed before any run (warn), then its idle clock, or what keeps the box up', async () => {
    const env = { ORCH_AUTOSTOP_MINUTES: '30' };
    const none = await box.orch(['doctor'], env);
    assert.equal(none.code, 0, none.stdout + none.stderr);
    assert.match(line(none, 'cron'), /^ok cron crontab \(\S+\): old logs are pruned hourly, autostop checks for idle$/);
    assert.equal(line(none, 'autostop'), 'warn autostop 30 min is set here but not installed on the host yet, so it does not stop by itself: the next orch run there installs it');
    assert.match(none.stdout, /\n {2}All 13 checks passed on i-\w+\.\n$/);

    assert.equal((await box.orch(['run', '--wait', uniqueName('arm'), 'true'], env)).code, 0);
    const armed = await box.orch(['doctor'], env);
    assert.match(line(armed, 'autostop'), /^ok autostop stops after 30 min idle; idle \d+ s, stops in (29|30) min$/);
    const other = await box.orch(['doctor'], { ORCH_AUTOSTOP_MINUTES: '45' });
    assert.equal(line(other, 'autostop'), 'warn autostop installed to stop after 30 min idle, not the 45 min set here: the next orch run there changes it');

    const busy = uniqueName('busy');
    assert.equal((await box.orch(['run', busy, 'sleep', '60'], env)).code, 0);
    const held = await box.orch(['doctor'], env);
    assert.equal(line(held, 'autostop'), `ok autostop stops after 30 min idle; not idle now: job ${busy} is active`);
    assert.equal((await box.orch(['stop', busy], env)).code, 0);
    assert.equal(box.instance.state, 'running');
  });

  it('a host without ec2: never loads the AWS bundle and has no aws or box line', async () => {
    const r = await box.orch(['doctor'], { ORCH_EC2_INSTANCE_ID: undefined, ORCH_EC2_REGION: undefined, ORCH_HOST: box.instance.publicIp!, ORCH_KNOWN_HOSTS: box.sshd.knownHostsFile });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(lineOf(r, 'aws'), undefined);
    assert.equal(lineOf(r, 'box'), undefined);
    assert.match(r.stdout, /\n {2}All 10 checks passed on 127\.0\.0\.\d+\.\n$/);
    assert.equal(awsBundleLoaded(r), false);
  });
});
