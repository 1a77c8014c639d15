/**
 * The hosts of `scripts/cloud/hosts.yaml` (PRODUCT.md §6), as the rest of orch sees them once
 * the file is validated (hostsFile.ts) and merged with the ORCH_* configuration (hosts.ts).
 * Kept free of zod and yaml so views and other modules can name these types cheaply.
 *
 * Engineers adding behaviour: `kind: 'slurm'` (§8) and `ec2` (§7) are parsed and validated
 * here; `gpus` is the declared GPU inventory the host queue hands out (§6 GPU slots).
 */

/** How jobs run on a host: detached tmux sessions (default) or Slurm batch jobs from a login node. */
export type HostKind = 'tmux' | 'slurm';

/** `ec2.wake`: `auto` starts a stopped box when a command needs it; `ask` says how (or asks, in VS Code). */
export type Ec2Wake = 'auto' | 'ask';

/** `ec2.address`: which address of the instance to connect to after a start. */
export type Ec2Address = 'public' | 'private';

/** The `ec2:` block of a host (§7). */
export interface Ec2Settings {
  /** `i-0abc...`; the host key is pinned under it (as OpenSSH's HostKeyAlias). */
  instanceId: string;
  /** AWS region; undefined: the SDK's default chain (AWS_REGION, the profile's region). */
  region: string | undefined;
  /** AWS shared-config profile; undefined: the SDK's default chain. */
  profile: string | undefined;
  /** Idle minutes before the box powers itself off; undefined: never. */
  autostopMinutes: number | undefined;
  /** Default `ask`. */
  wake: Ec2Wake;
  /** Default `public` (public DNS name, else public IP). */
  address: Ec2Address;
}

/** One entry under `hosts:`, validated; values not given are undefined (ORCH_* then apply). */
export interface HostEntry {
  /** The key under `hosts:`: the name in --host, listings, JSON `host` and the tree. */
  name: string;
  /** 1-based line of the entry in the file (for messages). */
  line: number;
  kind: HostKind;
  /** SSH host name, IP or ~/.ssh/config alias; defaults to `name`. */
  host: string;
  user: string | undefined;
  port: number | undefined;
  /** As written (a relative path is taken from the workspace root, `~` is the local home). */
  identityFile: string | undefined;
  knownHosts: string | undefined;
  /** Paths on the host (absolute or `~/`). */
  logRoot: string | undefined;
  remoteWorkdir: string | undefined;
  maxParallel: number | undefined;
  /** Declared GPU count; undefined: ask the host (`nvidia-smi -L`, 0 without it). */
  gpus: number | undefined;
  ec2: Ec2Settings | undefined;
  /** Idle minutes before autostop on any tmux host (`autostop_minutes`, or the one in `ec2:`). */
  autostopMinutes: number | undefined;
  /** Replaces `sudo -n shutdown -h now` for autostop. */
  autostopCommand: string | undefined;
  /** CloudWatch Logs group every job of this host sends its log to. */
  cloudwatch: string | undefined;
}

/** A validated hosts.yaml. */
export interface HostsFile {
  /** Absolute path of the file read. */
  file: string;
  /** In file order. */
  hosts: HostEntry[];
  /** `default:`: a host name, `auto` (placement), or undefined (then ORCH_HOST, else the first host). */
  default: string | undefined;
}

/** The pseudo-name asking for placement. */
export const AUTO_HOST = 'auto';
