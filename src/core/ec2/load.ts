/**
 * Loads the AWS side on first use. In the bundles, esbuild.mjs turns this `require` into one of
 * the separate dist/aws-ec2.js (the SDK is ~0.85 MB): activation, a non-EC2 host and the main
 * bundles never pay for it. Run from sources (tests, tsx) it is the TypeScript module itself.
 * The SDK's errors become sentences here, in the main bundle, where the UserError class lives.
 */
import { describeAwsError } from './awsErrors';
import type { Ec2Api, RawEc2Api } from './box';
import type { Ec2BoxSpec } from './spec';

/** The calls with their errors as sentences, and the region in use (`orch doctor` names it). */
export interface ExplainedEc2Api extends Ec2Api {
  region(): Promise<string | undefined>;
}

export type CreateEc2Api = (spec: Ec2BoxSpec, env?: NodeJS.ProcessEnv) => ExplainedEc2Api;

/** The AWS profile in use: the box's own, else AWS_PROFILE (undefined: the default chain). */
export function awsProfileOf(spec: Ec2BoxSpec, env: NodeJS.ProcessEnv): string | undefined {
  return spec.profile ?? (env.AWS_PROFILE || undefined);
}

export function loadEc2Api(): CreateEc2Api {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createEc2Api } = require('../../aws/ec2Api') as typeof import('../../aws/ec2Api');
  return (spec, env = process.env) => explained(createEc2Api(spec), spec, env);
}

function explained(raw: RawEc2Api, spec: Ec2BoxSpec, env: NodeJS.ProcessEnv): ExplainedEc2Api {
  const call =
    <T>(action: string, fn: () => Promise<T>) =>
    async (): Promise<T> => {
      try {
        return await fn();
      } catch (e) {
        throw describeAwsError(e, {
          action,
          instanceId: spec.instanceId,
          region: spec.region ?? (await raw.region()),
          profile: awsProfileOf(spec, env),
          endpoint: env.AWS_ENDPOINT_URL_EC2 || env.AWS_ENDPOINT_URL || undefined,
        });
      }
    };
  return {
    describe: call('DescribeInstances', () => raw.describe()),
    start: call('StartInstances', () => raw.start()),
    stop: call('StopInstances', () => raw.stop()),
    region: async () => spec.region ?? (await raw.region()),
  };
}
