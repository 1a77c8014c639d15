/**
 * Where to connect for an EC2 box: after ssh config resolution (user, key, port of the alias),
 * the instance's current address replaces HostName, and the host key is looked up under the
 * instance id (OpenSSH's HostKeyAlias), so a new address after a restart needs no new
 * known_hosts line while a changed key is still refused.
 */
import type { ResolvedHost } from '../ssh/sshConfig';
import type { Ec2Api } from './box';
import { loadEc2Api } from './load';
import type { Ec2BoxSpec } from './spec';
import { ensureRunning, waitForSsh, type AwakeBox, type WakeOptions } from './wake';

export interface BoxLocatorOptions extends WakeOptions {
  env?: NodeJS.ProcessEnv;
  /** The EC2 calls (default: the AWS bundle). */
  api?: Ec2Api;
  /** Told once the box is up, before SSH connects. */
  onAwake?: (box: AwakeBox) => void;
}

export type Locate = (resolved: ResolvedHost) => Promise<ResolvedHost>;

export function boxLocator(spec: Ec2BoxSpec, o: BoxLocatorOptions): Locate {
  return async (resolved) => {
    const api = o.api ?? loadEc2Api()(spec, o.env);
    const box = await ensureRunning(api, spec, o);
    // Through a jump host the address is only reachable from there: ssh's own retry waits then.
    if (!resolved.proxyJump) await waitForSsh(box.address, resolved.port, o);
    o.onAwake?.(box);
    return { ...resolved, hostname: box.address, hostKeyAlias: spec.instanceId };
  };
}
