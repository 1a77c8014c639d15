/**
 * An EC2 instance as orch sees it, and the three calls orch makes on it. The calls are
 * implemented by the AWS bundle (src/aws/), loaded only when a host is a box (see load.ts).
 */
import { autostopAt, autostopFailure, type AutostopStatus } from '../engine/autostop';

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
  /** What keeps the box up now (an active job, a login, an attached tmux client), from the host; else null. */
  busy: string | null;
  /** Why autostop did not power the box off (its command failed, no cron on the host); else null. */
  autostopError: string | null;
}

/** The summary with the host's idle clock (src/core/engine/autostop.ts); unchanged without one. */
export function withAutostop(s: BoxSummary, a: AutostopStatus | undefined, now: number): BoxSummary {
  if (!a) return s;
  return { ...s, idleSeconds: a.idleSeconds, autostopAt: autostopAt(a, now), busy: a.busy, autostopError: autostopFailure(a) };
}

/** "idle 12 min, stops in 18 min" (orch box status; the tree joins its parts with " · "). */
export function idleText(s: BoxSummary, now: number, sep = ', '): string | undefined {
  if (s.idleSeconds === null) return undefined;
  if (s.busy !== null) return `not idle: ${s.busy}`;
  const parts = [`idle ${formatDuration(s.idleSeconds * 1000)}`];
  if (s.autostopAt !== null) parts.push(`stops in ${formatDuration(Date.parse(s.autostopAt) - now)}`);
  return parts.join(sep);
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
    busy: null,
    autostopError: null,
  };
}

/**
 * A box in a sentence: `gpu-box (i-0abc…)`, or the instance id alone when the host is named by it
 * (a scripts/cloud/.env with ORCH_EC2_INSTANCE_ID and no ORCH_HOST), not `i-0abc… (i-0abc…)`.
 */
export function boxLabel(hostName: string, instanceId: string): string {
  return hostName === instanceId ? instanceId : `${hostName} (${instanceId})`;
}
