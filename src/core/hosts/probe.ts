/**
 * What placement needs from a host beyond its jobs: the user's home, the
 * 1-minute load average, the CPU count and the GPUs the driver lists, in one small round trip
 * (src/host/ops/probe.sh).
 */
import { callHost } from '../../host/call';
import type { ShellTarget } from '../../host/target';
import { UserError } from '../errors';

export interface HostProbe {
  home: string;
  load1: number;
  cpus: number;
  /** GPUs `nvidia-smi -L` lists (0 without it). */
  gpus: number;
}

export async function probeHost(target: ShellTarget, logRoot: string): Promise<HostProbe> {
  const res = await callHost(target, 'probe', logRoot, {});
  if (res.code !== 0) throw new UserError(`Could not read the load of ${target.host} (exit ${res.code}).`);
  const [home = '', load = '0', cpus = '1', gpus = '0'] = res.stdout.toString('utf8').split('\0');
  return { home, load1: Number(load) || 0, cpus: Math.max(1, Number.parseInt(cpus, 10) || 1), gpus: Number.parseInt(gpus, 10) || 0 };
}
