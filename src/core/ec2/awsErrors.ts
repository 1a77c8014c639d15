/**
 * AWS errors as one sentence naming the fix. The SDK's own messages say what failed in AWS's
 * terms ("Could not load credentials from any providers"); the user needs to know which command
 * to run or which key to change. Pure: takes the thrown value, so it is tested without AWS.
 */
import { UserError } from '../errors';

export interface AwsCallContext {
  /** `DescribeInstances`, `StartInstances`, `StopInstances`. */
  action: string;
  instanceId: string;
  /** The region in use (configured, or what the SDK resolved), if known. */
  region: string | undefined;
  /** ORCH_EC2_PROFILE / the profile: field, else AWS_PROFILE, if any. */
  profile: string | undefined;
  /** AWS_ENDPOINT_URL_EC2 / AWS_ENDPOINT_URL when set. */
  endpoint: string | undefined;
}

interface AwsLikeError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  hostname?: string;
  $metadata?: { httpStatusCode?: number };
}

const PERMISSIONS = 'ec2:DescribeInstances, ec2:StartInstances and ec2:StopInstances';

export function describeAwsError(e: unknown, ctx: AwsCallContext): UserError {
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as AwsLikeError;
  const name = err.name ?? err.Code ?? '';
  const code = err.code ?? '';
  const message = (err.message ?? '').trim();
  const withProfile = ctx.profile ? ` --profile ${ctx.profile}` : '';
  const ofProfile = ctx.profile ? ` of profile "${ctx.profile}"` : '';
  const region = ctx.region ?? 'the configured region';
  const say = (text: string): UserError => new UserError(text, { cause: e });

  if (/SSO/.test(message) && /expired|invalid|not found|refresh/i.test(message)) {
    return say(`The AWS SSO session${ofProfile} has expired or is missing: run "aws sso login${withProfile}" and try again.`);
  }
  if (name === 'TokenProviderError') {
    return say(`The AWS login token${ofProfile} could not be loaded (${firstSentence(message)}): run "aws sso login${withProfile}" and try again.`);
  }
  if (/^Profile .* (could not be found|not found)/i.test(message) || /profile .* could not be found/i.test(message)) {
    return say(`The AWS profile "${ctx.profile ?? '?'}" is not in ~/.aws/config or ~/.aws/credentials: create it ("aws configure${withProfile}") or fix ORCH_EC2_PROFILE.`);
  }
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return say(
      `No AWS credentials were found${ofProfile}: run "aws configure${withProfile}" (or "aws sso login${withProfile}"), or set AWS_PROFILE to a profile that has them.`,
    );
  }
  if (/^(ExpiredToken|ExpiredTokenException|TokenRefreshRequired)$/.test(name)) {
    return say(`The AWS credentials${ofProfile} have expired: refresh them ("aws sso login${withProfile}", or new keys in ~/.aws/credentials) and try again.`);
  }
  if (name === 'RequestExpired') {
    // EC2's answer both to expired temporary credentials and to a skewed clock
    return say(`AWS refused the request as expired: the credentials have expired (run "aws sso login${withProfile}") or the clock of this computer is off.`);
  }
  if (/^(AuthFailure|InvalidClientTokenId|SignatureDoesNotMatch|UnrecognizedClientException|IncompleteSignature)$/.test(name)) {
    return say(
      `AWS did not accept the credentials${ofProfile} (${name}): check the access key in ~/.aws/credentials or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or log in again ("aws sso login${withProfile}").`,
    );
  }
  if (/^(UnauthorizedOperation|AccessDenied|AccessDeniedException)$/.test(name)) {
    return say(`The AWS identity${ofProfile} is not allowed ec2:${ctx.action} on ${ctx.instanceId}: grant ${PERMISSIONS} in its IAM policy (see docs/ec2.md).`);
  }
  if (/^InvalidInstanceID\.(NotFound|Malformed)$/.test(name)) {
    return say(
      `There is no EC2 instance ${ctx.instanceId} in ${region}: check ORCH_EC2_INSTANCE_ID and ORCH_EC2_REGION (an instance is found only in its own region).`,
    );
  }
  if (/Region is missing/i.test(message)) {
    return say(`No AWS region is set for ${ctx.instanceId}: set ORCH_EC2_REGION (or AWS_REGION, or region in the AWS profile).`);
  }
  if (name === 'IncorrectInstanceState') {
    return say(`EC2 refused to ${verbOf(ctx.action)} ${ctx.instanceId} in its current state (${firstSentence(message)}); run "orch box status" and try again once it settles.`);
  }
  if (name === 'InsufficientInstanceCapacity') {
    return say(`AWS has no capacity to start ${ctx.instanceId} in its availability zone right now (${firstSentence(message)}); try again in a few minutes.`);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    if (!ctx.endpoint) {
      return say(`The EC2 endpoint of region "${region}" (${err.hostname ?? 'ec2 endpoint'}) could not be found: check ORCH_EC2_REGION (such as ap-northeast-1) and the network.`);
    }
    return say(`The EC2 endpoint ${ctx.endpoint} could not be found (${code}): check AWS_ENDPOINT_URL_EC2 and the network.`);
  }
  if (/^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|TimeoutError)$/.test(code) || name === 'TimeoutError') {
    const where = ctx.endpoint ?? `the EC2 API of ${region}`;
    return say(`${ctx.endpoint ? where : capitalize(where)} could not be reached (${code || name}): check the network${ctx.endpoint ? ' and AWS_ENDPOINT_URL_EC2' : ''} and try again.`);
  }
  const what = name && name !== 'Error' ? `${name}: ` : '';
  return say(`The EC2 call ${ctx.action} for ${ctx.instanceId} failed (${what}${firstSentence(message) || 'no message'}).`);
}

function verbOf(action: string): string {
  return action === 'StartInstances' ? 'start' : action === 'StopInstances' ? 'stop' : 'describe';
}

function firstSentence(s: string): string {
  const line = s.split('\n')[0]!.trim();
  return line.replace(/\.$/, '');
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
