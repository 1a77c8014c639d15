/**
 * One vocabulary for where a job runs, used by the routing policy, the CLI, the experiment flow
 * and the extension alike.
 *
 * - `Where` is the kind of place: `local` (this computer's tmux server) or `cloud` (a host reached
 *   over SSH). The routing policy decides one (`Decision.target`, spelled `target` because
 *   `orch route --json` prints that key), `orch run --local/--cloud/--auto` chooses one.
 * - `HostName` is which place exactly: `LOCAL_HOST` or a host by its name (hosts.yaml, else
 *   ORCH_HOST). It is the value of `Job.host` and keys one engine each in the extension.
 * - `ComputeTarget` is the research kit's spelling of `Where` (`COMPUTE_TARGET` in
 *   `.orchestration-kit.env` and in every experiment phase's environment), where `ec2` means
 *   cloud. Users' files and scripts read it, so it keeps its own words; `whereOf` translates.
 */
export type Where = 'local' | 'cloud';

/** `local`, or a configured host's name. */
export type HostName = string;

/** The host name of the local tmux server (reserved: no hosts.yaml entry may use it). */
export const LOCAL_HOST = 'local';

/** The kit's `COMPUTE_TARGET` values. */
export type ComputeTarget = 'local' | 'ec2';
export const COMPUTE_TARGETS: readonly ComputeTarget[] = ['local', 'ec2'];

export function whereOf(target: ComputeTarget): Where {
  return target === 'ec2' ? 'cloud' : 'local';
}

export function whereOfHost(host: HostName): Where {
  return host === LOCAL_HOST ? 'local' : 'cloud';
}
