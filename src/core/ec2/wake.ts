/**
 * Wake on demand (PRODUCT.md §7): a command that needs the box finds it running, waits while it
 * is pending, or, when waking is allowed, starts it; then waits for SSH to answer at the address
 * the instance has now. Every wait is bounded and reports progress in one line per step.
 */
import { createConnection } from 'node:net';
import { UserError } from '../errors';
import { boxAddress, boxLabel, formatDuration, type BoxInfo, type BoxState, type Ec2Api } from './box';
import type { Ec2BoxSpec } from './spec';

export interface WakeOptions {
  /** Start a stopped box (`ec2.wake: auto`, `--wake`, `orch box start`). */
  wake: boolean;
  /** The host's name as the user knows it, for messages (`orch box start NAME`). */
  hostName: string;
  /** The box is a hosts.yaml entry's `ec2:` block (its wake setting is there), not the .env's ORCH_EC2_*. */
  inHostsFile?: boolean;
  /** One line per step: "starting i-0abc...", "running at 1.2.3.4 after 24 s". */
  progress?: (line: string) => void;
  signal?: AbortSignal;
  /** Bound on pending → running (default 5 min) and on SSH answering (default 3 min). */
  runningTimeoutMs?: number;
  sshTimeoutMs?: number;
  /** Sleeps between polls (default: 0.5 s growing to 3 s). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface AwakeBox {
  info: BoxInfo;
  /** The address to connect to. */
  address: string;
  /** Whether this call started it. */
  started: boolean;
}

/** The box running with an address; starts it when allowed; a clear error otherwise. */
export async function ensureRunning(api: Ec2Api, spec: Ec2BoxSpec, o: WakeOptions): Promise<AwakeBox> {
  const t0 = Date.now();
  let info = await api.describe();
  let started = false;
  if (info.state === 'shutting-down' || info.state === 'terminated') {
    throw new UserError(`The EC2 instance ${boxLabel(o.hostName, spec.instanceId)} is ${info.state} and cannot be started again: point ORCH_EC2_INSTANCE_ID at a live instance.`);
  }
  if (info.state === 'stopping' || info.state === 'stopped') {
    if (!o.wake) throw new UserError(stoppedMessage(spec, o.hostName, info.state, o.inHostsFile));
    if (info.state === 'stopping') {
      o.progress?.(`${spec.instanceId} is stopping; waiting for it to stop before starting it again`);
      info = await waitForState(api, info, ['stopped'], o, t0);
    }
    o.progress?.(`starting ${spec.instanceId} (${info.type ?? 'EC2 instance'})${o.hostName === spec.instanceId ? '' : ` for ${o.hostName}`}`);
    await api.start();
    started = true;
    info = await api.describe();
  }
  if (info.state === 'pending') {
    if (!started) o.progress?.(`${spec.instanceId} is starting; waiting for it to run`);
    info = await waitForState(api, info, ['running'], o, t0);
  }
  if (info.state !== 'running') throw new UserError(`The EC2 instance ${spec.instanceId} of ${o.hostName} is ${info.state}, not running; run "orch box status ${o.hostName}" and try again.`);
  const address = boxAddress(info, spec.address);
  if (!address) throw new UserError(noAddressMessage(spec, o.hostName));
  if (started) o.progress?.(`${spec.instanceId} is running at ${address} after ${formatDuration(Date.now() - t0)}`);
  return { info, address, started };
}

/** The sentence for a running box without the address orch connects to. */
export function noAddressMessage(spec: Ec2BoxSpec, hostName: string): string {
  return spec.address === 'public'
    ? `The EC2 instance ${spec.instanceId} of ${hostName} has no public address: give it one (a public subnet or an Elastic IP), or set ORCH_EC2_ADDRESS=private to connect to its private address.`
    : `The EC2 instance ${spec.instanceId} of ${hostName} has no private address yet; try again in a moment.`;
}

/** The sentence for a stopped box when waking is not allowed. */
/** The setting that makes commands start a stopped box: the ec2: block's for a hosts.yaml entry, else the .env's. */
export function wakeSetting(inHostsFile: boolean): string {
  return inHostsFile ? 'wake: auto in its ec2: block of scripts/cloud/hosts.yaml' : 'ORCH_EC2_WAKE=auto';
}

export function stoppedMessage(spec: Ec2BoxSpec, hostName: string, state: BoxState = 'stopped', inHostsFile = false): string {
  const setting = wakeSetting(inHostsFile);
  return `The EC2 box ${boxLabel(hostName, spec.instanceId)} is ${state}: start it with "orch box start${hostName === spec.instanceId ? '' : ` ${hostName}`}", or run the command again with --wake (or set ${setting}).`;
}

/** Polls until the instance is in one of `want` (bounded by runningTimeoutMs from `t0`). */
export async function waitForState(api: Ec2Api, first: BoxInfo, want: BoxState[], o: Omit<WakeOptions, 'wake' | 'hostName'>, t0 = Date.now()): Promise<BoxInfo> {
  const limit = o.runningTimeoutMs ?? 5 * 60_000;
  const sleep = o.sleep ?? abortableSleep;
  let info = first;
  let lastShown = info.state;
  for (let i = 0; !want.includes(info.state); i++) {
    if (Date.now() - t0 > limit) {
      throw new UserError(`The EC2 instance ${info.instanceId} is still ${info.state} after ${formatDuration(Date.now() - t0)}; check it in the AWS console and run the command again.`);
    }
    if (o.signal?.aborted) throw new UserError(`Stopped waiting for ${info.instanceId} (it is ${info.state}); it keeps going in AWS.`);
    await sleep(Math.min(500 * 2 ** i, 3000), o.signal);
    info = await api.describe();
    if (info.state !== lastShown && !want.includes(info.state)) {
      o.progress?.(`${info.instanceId} is ${info.state} (${formatDuration(Date.now() - t0)})`);
      lastShown = info.state;
    }
    if (info.state === 'terminated' || info.state === 'shutting-down') {
      throw new UserError(`The EC2 instance ${info.instanceId} is ${info.state}: it cannot be used any more.`);
    }
  }
  return info;
}

/** Waits until an SSH server answers at address:port with its banner (sshd starts after EC2 says running). */
export async function waitForSsh(address: string, port: number, o: Pick<WakeOptions, 'progress' | 'signal' | 'sshTimeoutMs' | 'sleep'>): Promise<void> {
  const t0 = Date.now();
  const limit = o.sshTimeoutMs ?? 3 * 60_000;
  const sleep = o.sleep ?? abortableSleep;
  let told = false;
  for (;;) {
    if (await sshBanner(address, port)) {
      if (told) o.progress?.(`SSH answers at ${address}:${port} after ${formatDuration(Date.now() - t0)}`);
      return;
    }
    if (!told) {
      o.progress?.(`waiting for SSH at ${address}:${port}`);
      told = true;
    }
    if (Date.now() - t0 > limit) {
      throw new UserError(`The box is running but SSH did not answer at ${address}:${port} within ${formatDuration(limit)}: check its security group allows port ${port} from here, and that sshd is running.`);
    }
    if (o.signal?.aborted) throw new UserError(`Stopped waiting for SSH at ${address}:${port}.`);
    await sleep(1000, o.signal);
  }
}

function sshBanner(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host, port });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(3000, () => done(false));
    sock.once('error', () => done(false));
    sock.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
  });
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
