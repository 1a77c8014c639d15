/**
 * What placement and the output-dir check need from a host beyond its jobs: the user's home, the
 * 1-minute load average and the CPU count, in one small round trip. Builtins only but nproc.
 */
import type { ShellTarget } from '../../host/target';
import { UserError } from '../errors';

export interface HostProbe {
  home: string;
  load1: number;
  cpus: number;
}

// Moves into src/host/ as a .sh file with the host-runtime refactor (issue 10).
const PROBE_SCRIPT = [
  'l=0; read -r l _ < /proc/loadavg 2>/dev/null',
  'n=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)',
  `printf '%s\\0%s\\0%s\\0' "$HOME" "$l" "$n"`,
].join('\n');

export async function probeHost(target: ShellTarget): Promise<HostProbe> {
  const res = await target.exec(PROBE_SCRIPT);
  if (res.code !== 0) throw new UserError(`Could not read the load of ${target.host} (exit ${res.code}).`);
  const [home = '', load = '0', cpus = '1'] = res.stdout.toString('utf8').split('\0');
  return { home, load1: Number(load) || 0, cpus: Math.max(1, Number.parseInt(cpus, 10) || 1) };
}
