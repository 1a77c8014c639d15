import { strict as assert } from 'node:assert';
import { describeAwsError, type AwsCallContext } from '../../../src/core/ec2/awsErrors';
import { UserError } from '../../../src/core/errors';

const ctx: AwsCallContext = { action: 'StartInstances', instanceId: 'i-0abc12345', region: 'ap-northeast-1', profile: 'research', endpoint: undefined };
const err = (name: string, message = '', extra: Record<string, unknown> = {}) => Object.assign(new Error(message), { name, ...extra });
const say = (e: unknown, c: Partial<AwsCallContext> = {}): string => {
  const u = describeAwsError(e, { ...ctx, ...c });
  assert.ok(u instanceof UserError);
  assert.ok(!u.message.includes('\n'), u.message);
  assert.ok(u.cause === e, 'the SDK error is kept as the cause (for --debug)');
  return u.message;
};

/** The SDK's errors (names and messages as @aws-sdk v3 throws them) become one sentence naming the fix. */
describe('AWS errors as sentences', () => {
  it('an expired SSO session: aws sso login with the profile', () => {
    const e = err('TokenProviderError', 'The SSO session associated with this profile has expired. To refresh this SSO session run aws sso login with the corresponding profile.');
    assert.equal(say(e), 'The AWS SSO session of profile "research" has expired or is missing: run "aws sso login --profile research" and try again.');
    const cred = err('CredentialsProviderError', 'The SSO session token associated with profile=research was not found or is invalid. To refresh this SSO session run aws sso login with the corresponding profile.');
    assert.match(say(cred), /^The AWS SSO session of profile "research" has expired or is missing: run "aws sso login --profile research"/);
  });

  it('expired temporary credentials (EC2 says RequestExpired or ExpiredToken)', () => {
    assert.match(say(err('ExpiredToken', 'The security token included in the request is expired')), /^The AWS credentials of profile "research" have expired: refresh them/);
    assert.match(say(err('RequestExpired', 'Request has expired.')), /^AWS refused the request as expired: the credentials have expired \(run "aws sso login --profile research"\) or the clock of this computer is off/);
  });

  it('no permission: the action, the instance and the three permissions to grant', () => {
    assert.equal(
      say(err('UnauthorizedOperation', 'You are not authorized to perform this operation.')),
      'The AWS identity of profile "research" is not allowed ec2:StartInstances on i-0abc12345: grant ec2:DescribeInstances, ec2:StartInstances and ec2:StopInstances in its IAM policy (see docs/ec2.md).',
    );
  });

  it('unknown instance or wrong region', () => {
    assert.equal(
      say(err('InvalidInstanceID.NotFound', "The instance ID 'i-0abc12345' does not exist"), { profile: undefined }),
      'There is no EC2 instance i-0abc12345 in ap-northeast-1: check ORCH_EC2_INSTANCE_ID and ORCH_EC2_REGION (an instance is found only in its own region).',
    );
    assert.match(say(err('Error', 'Region is missing'), { region: undefined }), /^No AWS region is set for i-0abc12345: set ORCH_EC2_REGION/);
    const dns = Object.assign(err('Error', 'getaddrinfo ENOTFOUND ec2.ap-northeast-9.amazonaws.com'), { code: 'ENOTFOUND', hostname: 'ec2.ap-northeast-9.amazonaws.com' });
    assert.equal(
      say(dns, { region: 'ap-northeast-9' }),
      'The EC2 endpoint of region "ap-northeast-9" (ec2.ap-northeast-9.amazonaws.com) could not be found: check ORCH_EC2_REGION (such as ap-northeast-1) and the network.',
    );
  });

  it('no credentials, rejected credentials, an unreachable endpoint, anything else', () => {
    assert.match(say(err('CredentialsProviderError', 'Could not load credentials from any providers'), { profile: undefined }), /^No AWS credentials were found: run "aws configure"/);
    assert.match(say(err('AuthFailure', 'AWS was not able to validate the provided access credentials')), /^AWS did not accept the credentials of profile "research" \(AuthFailure\)/);
    const refused = Object.assign(err('Error', 'connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    assert.equal(say(refused, { endpoint: 'http://127.0.0.1:1' }), 'http://127.0.0.1:1 could not be reached (ECONNREFUSED): check the network and AWS_ENDPOINT_URL_EC2 and try again.');
    assert.equal(say(err('SomethingNew', 'Odd.\nsecond line')), 'The EC2 call StartInstances for i-0abc12345 failed (SomethingNew: Odd).');
  });
});
