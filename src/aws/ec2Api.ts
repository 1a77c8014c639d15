/**
 * The EC2 calls through the AWS SDK for JavaScript v3. This file is the entry of its own bundle
 * (dist/aws-ec2.js, esbuild.mjs): the SDK is ~0.85 MB, so the main bundles only `require` it
 * when a host is an EC2 box (src/core/ec2/load.ts). ESM named imports of the three commands let
 * esbuild drop the other few hundred.
 *
 * Credentials, region and endpoint come from the SDK's own default chain and settings (the
 * environment, ~/.aws/config and credentials, SSO, AWS_PROFILE, AWS_ENDPOINT_URL_EC2), so orch
 * behaves as the AWS CLI does; only an explicit region and profile of the box are passed.
 */
import { DescribeInstancesCommand, EC2Client, StartInstancesCommand, StopInstancesCommand, type Instance } from '@aws-sdk/client-ec2';
import type { BoxInfo, BoxState, RawEc2Api } from '../core/ec2/box';
import type { Ec2BoxSpec } from '../core/ec2/spec';

const STATES: readonly BoxState[] = ['pending', 'running', 'stopping', 'stopped', 'shutting-down', 'terminated'];

/**
 * The SDK's errors are thrown as they are: the main bundle turns them into sentences
 * (core/ec2/load.ts), so the one user-facing error class is never declared in two bundles.
 */
export function createEc2Api(spec: Ec2BoxSpec): RawEc2Api {
  // The SDK warns on Node < 22 that its versions after January 2027 will need Node 22; the one
  // bundled here runs on Node 20, so the warning would only be noise on every orch command.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new EC2Client({
    ...(spec.region ? { region: spec.region } : {}),
    ...(spec.profile ? { profile: spec.profile } : {}),
    // A few quick retries: a user waiting on `orch run` would rather hear the reason.
    maxAttempts: 3,
  });
  const ids = [spec.instanceId];
  return {
    async describe(): Promise<BoxInfo> {
      const out = await client.send(new DescribeInstancesCommand({ InstanceIds: ids }));
      const instance = out.Reservations?.flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === spec.instanceId);
      if (!instance) throw Object.assign(new Error(`The instance ID '${spec.instanceId}' does not exist`), { name: 'InvalidInstanceID.NotFound' });
      return infoOf(spec.instanceId, instance);
    },
    async start(): Promise<BoxState> {
      const out = await client.send(new StartInstancesCommand({ InstanceIds: ids }));
      return stateOf(out.StartingInstances?.[0]?.CurrentState?.Name);
    },
    async stop(): Promise<BoxState> {
      const out = await client.send(new StopInstancesCommand({ InstanceIds: ids }));
      return stateOf(out.StoppingInstances?.[0]?.CurrentState?.Name);
    },
    async region(): Promise<string | undefined> {
      try {
        return await client.config.region();
      } catch {
        return undefined; // no region anywhere: the error of the call says so
      }
    },
  };
}

function infoOf(instanceId: string, i: Instance): BoxInfo {
  return {
    instanceId,
    state: stateOf(i.State?.Name),
    type: i.InstanceType,
    publicDns: i.PublicDnsName || undefined,
    publicIp: i.PublicIpAddress || undefined,
    privateDns: i.PrivateDnsName || undefined,
    privateIp: i.PrivateIpAddress || undefined,
    launchedAt: i.LaunchTime,
  };
}

function stateOf(name: string | undefined): BoxState {
  return STATES.includes(name as BoxState) ? (name as BoxState) : 'pending';
}
