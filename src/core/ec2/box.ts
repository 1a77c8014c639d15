/**
 * An EC2 instance as orch sees it, and the three calls orch makes on it. The calls are
 * implemented by the AWS bundle (src/aws/), loaded only when a host is a box (see load.ts).
 */

/** EC2's instance states (`instanceState.name`). */
export type BoxState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface BoxInfo {
  instanceId: string;
  state: BoxState;
  /** `g5.xlarge`, ... */
  type: string | undefined;
  publicDns: string | undefined;
  publicIp: string | undefined;
  privateDns: string | undefined;
  privateIp: string | undefined;
  /** When the instance last started (EC2's launchTime), for the uptime. */
  launchedAt: Date | undefined;
}

/** DescribeInstances, StartInstances and StopInstances for one instance. */
export interface Ec2Api {
  describe(): Promise<BoxInfo>;
  /** Resolves the state EC2 reports right after the call (`pending`, or `running` already). */
  start(): Promise<BoxState>;
  stop(): Promise<BoxState>;
}

/** What the AWS bundle gives: the calls, throwing the SDK's own errors, and the region in use. */
export interface RawEc2Api extends Ec2Api {
  region(): Promise<string | undefined>;
}

/**
 * The address to connect to now: the public DNS name, else the public IP (`public`), or the
 * private DNS name, else the private IP (`private`). Undefined while the instance has none.
 */
export function boxAddress(info: BoxInfo, mode: 'public' | 'private'): string | undefined {
  return mode === 'public' ? info.publicDns || info.publicIp || undefined : info.privateDns || info.privateIp || undefined;
}

/** "3 h 12 min", "4 min", "20 s": a duration as the box status shows it. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** What `orch box status --json` prints and the tree shows, one object per box. */
export interface BoxSummary {
  host: string;
  instanceId: string;
  state: BoxState;
  type: string | null;
  /** The address orch connects to (per `address: public|private`), or null while it has none. */
  address: string | null;
  publicDns: string | null;
  publicIp: string | null;
  privateDns: string | null;
  privateIp: string | null;
  /** ISO 8601 of the last start, null when stopped. */
  launchedAt: string | null;
  /** Seconds since the last start while pending or running, else null. */
  uptimeSeconds: number | null;
  /** Idle time and autostop deadline, from the host's autostop check; null while it reports none. */
  idleSeconds: number | null;
  autostopAt: string | null;
}

export function boxSummary(host: string, info: BoxInfo, mode: 'public' | 'private', now: number): BoxSummary {
  const up = (info.state === 'running' || info.state === 'pending') && info.launchedAt ? Math.max(0, Math.floor((now - info.launchedAt.getTime()) / 1000)) : null;
  return {
    host,
    instanceId: info.instanceId,
    state: info.state,
    type: info.type ?? null,
    address: boxAddress(info, mode) ?? null,
    publicDns: info.publicDns ?? null,
    publicIp: info.publicIp ?? null,
    privateDns: info.privateDns ?? null,
    privateIp: info.privateIp ?? null,
    launchedAt: up === null || !info.launchedAt ? null : info.launchedAt.toISOString(),
    uptimeSeconds: up,
    idleSeconds: null,
    autostopAt: null,
  };
}
