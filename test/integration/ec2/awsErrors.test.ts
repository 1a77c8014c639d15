import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsBundleLoaded, startTestBox, userStderr, type TestBox } from './boxHarness';

/** What AWS refuses, through the real SDK against the stand-in: one sentence naming the fix. */
describe('EC2 box: AWS errors as one sentence naming the fix', function () {
  this.timeout(120_000);
  let box: TestBox;

  before(async () => {
    box = await startTestBox({ state: 'running' });
  });
  after(async () => {
    box?.ec2.allowAll();
    await box?.close();
  });

  const oneLine = (text: string): void => {
    assert.equal(text.split('\n').filter(Boolean).length, 1, text);
    assert.doesNotMatch(text, /\n\s+at /, 'no stack trace');
  };

  it('the wrong region: the instance is not found there', async () => {
    const r = await box.orch(['box', 'status'], { ORCH_EC2_REGION: 'us-west-2' });
    assert.equal(r.code, 1);
    oneLine(userStderr(r));
    assert.equal(
      userStderr(r),
      `orch: There is no EC2 instance ${box.instance.id} in us-west-2: check ORCH_EC2_INSTANCE_ID and ORCH_EC2_REGION (an instance is found only in its own region).\n`,
    );
  });

  it('an unknown instance', async () => {
    const r = await box.orch(['status'], { ORCH_EC2_INSTANCE_ID: 'i-0123456789abcdef0' });
    assert.equal(r.code, 1);
    assert.match(userStderr(r), /^orch: There is no EC2 instance i-0123456789abcdef0 in ap-northeast-1: check ORCH_EC2_INSTANCE_ID/);
  });

  it('no permission for StopInstances: names the permission and the policy to change', async () => {
    box.ec2.deny('StopInstances');
    const r = await box.orch(['box', 'stop'], { ORCH_STRICT_HOST_KEY_CHECKING: 'accept-new' });
    box.ec2.allowAll();
    assert.equal(r.code, 1);
    assert.match(
      userStderr(r),
      new RegExp(`orch: The AWS identity is not allowed ec2:StopInstances on ${box.instance.id}: grant ec2:DescribeInstances, ec2:StartInstances and ec2:StopInstances in its IAM policy \\(see docs/ec2\\.md\\)\\.\\n$`),
    );
    assert.equal(box.instance.state, 'running');
  });

  it('no credentials anywhere', async () => {
    const r = await box.orch(['box', 'status'], { AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    assert.equal(r.code, 1);
    assert.equal(userStderr(r), 'orch: No AWS credentials were found: run "aws configure" (or "aws sso login"), or set AWS_PROFILE to a profile that has them.\n');
  });

  it('credentials AWS does not accept', async () => {
    const r = await box.orch(['box', 'status'], { AWS_ACCESS_KEY_ID: 'AKIAWRONGWRONGWRONG1' });
    assert.equal(r.code, 1);
    assert.match(userStderr(r), /^orch: AWS did not accept the credentials \(AuthFailure\): check the access key in ~\/\.aws\/credentials/);
  });

  it('an AWS profile that does not exist', async () => {
    const r = await box.orch(['box', 'status'], { ORCH_EC2_PROFILE: 'research', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    assert.equal(r.code, 1);
    oneLine(userStderr(r));
    assert.equal(
      userStderr(r),
      'orch: No AWS credentials were found of profile "research": run "aws configure --profile research" (or "aws sso login --profile research"), or set AWS_PROFILE to a profile that has them.\n',
    );
  });

  it('an expired SSO session (the SDK reads ~/.aws/config and the SSO token cache as after an old aws sso login)', async () => {
    const home = mkdtempSync(join(tmpdir(), 'orch-sso-home-'));
    try {
      mkdirSync(join(home, '.aws', 'sso', 'cache'), { recursive: true });
      const config = join(home, '.aws', 'config');
      writeFileSync(
        config,
        [
          '[profile research]',
          'sso_session = corp',
          'sso_account_id = 123456789012',
          'sso_role_name = Dev',
          'region = ap-northeast-1',
          '',
          '[sso-session corp]',
          'sso_start_url = https://example.awsapps.com/start',
          'sso_region = ap-northeast-1',
          '',
        ].join('\n'),
      );
      // the token `aws sso login` cached, long expired (file named by the SHA-1 of the session name)
      const cache = join(home, '.aws', 'sso', 'cache', `${createHash('sha1').update('corp').digest('hex')}.json`);
      writeFileSync(cache, JSON.stringify({ startUrl: 'https://example.awsapps.com/start', region: 'ap-northeast-1', accessToken: 'old', expiresAt: '2020-01-01T00:00:00Z' }));
      const r = await box.orch(['box', 'status'], { HOME: home, AWS_CONFIG_FILE: config, ORCH_EC2_PROFILE: 'research', AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
      assert.equal(r.code, 1);
      assert.equal(userStderr(r), 'orch: The AWS SSO session of profile "research" has expired or is missing: run "aws sso login --profile research" and try again.\n');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('a host that is not an EC2 box: box says so; status never loads the AWS bundle', async () => {
    const plain = { ORCH_EC2_INSTANCE_ID: undefined, ORCH_EC2_REGION: undefined, ORCH_HOST: box.instance.publicIp!, ORCH_KNOWN_HOSTS: box.sshd.knownHostsFile };
    const r = await box.orch(['box', 'status'], plain);
    assert.equal(r.code, 2);
    assert.match(userStderr(r), new RegExp(`^orch: The host ${box.instance.publicIp!.replace(/\./g, '\\.')} is not an EC2 box: set ORCH_EC2_INSTANCE_ID`));
    const s = await box.orch(['status'], plain);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(awsBundleLoaded(s), false);
    const e = await box.orch(['status'], { ORCH_STRICT_HOST_KEY_CHECKING: 'accept-new' });
    assert.equal(e.code, 0, e.stderr);
    assert.equal(awsBundleLoaded(e), true);
  });
});
