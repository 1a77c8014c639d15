/**
 * What orch needs to know to start, stop and reach one EC2 box (PRODUCT.md §7). The single host
 * gets it from ORCH_EC2_*; a `hosts.yaml` entry's `ec2:` block maps onto the same shape.
 */
import type { ConfigKey } from '../config/types';
import type { ConfigValueTypes } from '../config/schema';
import type { Ec2Address, Ec2Wake } from '../config/hostsTypes';

/** hosts.yaml's `Ec2Settings` (hostsTypes.ts) is one of these; ORCH_EC2_* make another. */
export interface Ec2BoxSpec {
  instanceId: string;
  /** Undefined: the AWS SDK's own (AWS_REGION, the profile's region). */
  region: string | undefined;
  /** Undefined: AWS_PROFILE, else the default profile. */
  profile: string | undefined;
  /** `auto`: a command that needs the stopped box starts it; `ask`: it says how (the extension asks). */
  wake: Ec2Wake;
  /** Which address of the instance to connect to: public DNS name (else IP), or private. */
  address: Ec2Address;
}

type PickValue = <K extends ConfigKey>(key: K) => ConfigValueTypes[K] | undefined;

/** The box of the single host, or undefined when ORCH_EC2_INSTANCE_ID is not set. */
export function ec2SpecOf(pick: PickValue): Ec2BoxSpec | undefined {
  const instanceId = pick('ORCH_EC2_INSTANCE_ID');
  if (instanceId === undefined) return undefined;
  return {
    instanceId,
    region: pick('ORCH_EC2_REGION'),
    profile: pick('ORCH_EC2_PROFILE'),
    wake: pick('ORCH_EC2_WAKE') ?? 'ask',
    address: pick('ORCH_EC2_ADDRESS') ?? 'public',
  };
}
