/**
 * Placement for `--host auto` (PRODUCT.md §6), pure: among reachable tmux hosts with room for the
 * job (a free parallel slot, enough free GPUs), the one with the fewest active jobs per slot, then
 * the lowest load per CPU, then the first in hosts.yaml. The reason names every host's figures, so
 * a user can see why a job went where it went.
 */
import { UserError } from '../errors';
import type { HostKind } from '../config/hostsTypes';

/** What placement knows of one host (read from it just before, in one round trip each). */
export interface PlacementCandidate {
  name: string;
  kind: HostKind;
  /** Undefined when the host answered; else why it could not be asked. */
  error?: string;
  /** QUEUED, STARTING and RUNNING jobs on it now. */
  active: number;
  /** `max_parallel`; undefined: unlimited. */
  maxParallel: number | undefined;
  /** 1-minute load average and CPU count of the host. */
  load1: number;
  cpus: number;
  /** GPUs no job holds; undefined when the host does not say (then GPUs do not limit it). */
  freeGpus?: number;
  /** All its GPUs; a host with fewer than the job asks for can never run it. */
  gpuInventory?: number;
}

export interface Placement {
  host: string;
  /** One sentence: the rule and the figures of each host. */
  reason: string;
}

/** Slots: `max_parallel`, else the CPU count (an unlimited host is as busy as its CPUs are shared). */
function slotsOf(c: PlacementCandidate): number {
  return Math.max(1, c.maxParallel ?? c.cpus);
}

function hasRoom(c: PlacementCandidate, gpus: number): boolean {
  if (c.maxParallel !== undefined && c.active >= c.maxParallel) return false;
  return c.freeGpus === undefined || c.freeGpus >= gpus;
}

function describe(c: PlacementCandidate): string {
  if (c.error !== undefined) return `${c.name} unreachable (${c.error})`;
  if (c.kind !== 'tmux') return `${c.name} is a ${c.kind} host (not placed)`;
  const slots = c.maxParallel === undefined ? `${slotsOf(c)} slot${slotsOf(c) === 1 ? '' : 's'} (its CPUs)` : `${c.maxParallel} slot${c.maxParallel === 1 ? '' : 's'}`;
  const gpus = c.freeGpus === undefined ? '' : `, ${c.freeGpus} of ${c.gpuInventory ?? '?'} GPUs free`;
  return `${c.name} has ${c.active} active job${c.active === 1 ? '' : 's'} on ${slots}, load ${(c.load1 / Math.max(1, c.cpus)).toFixed(2)} per CPU${gpus}`;
}

/** Chooses a host; a UserError (exit 1) when no tmux host could be asked. */
export function choosePlacement(candidates: readonly PlacementCandidate[], opts: { gpus?: number } = {}): Placement {
  const gpus = opts.gpus ?? 0;
  const usable = candidates.filter((c) => c.error === undefined && c.kind === 'tmux' && (c.gpuInventory === undefined || c.gpuInventory >= gpus));
  if (usable.length === 0) {
    const why = candidates.length ? candidates.map(describe).join('; ') : 'no hosts are configured';
    const what = gpus > 0 ? `reachable tmux host with ${gpus} GPU${gpus === 1 ? '' : 's'}` : 'reachable tmux host';
    throw new UserError(`--host auto found no ${what}: ${why}.`);
  }
  const withRoom = usable.filter((c) => hasRoom(c, gpus));
  const pool = withRoom.length ? withRoom : usable;
  const order = new Map(candidates.map((c, i) => [c.name, i]));
  const best = [...pool].sort(
    (a, b) =>
      a.active / slotsOf(a) - b.active / slotsOf(b) ||
      a.load1 / Math.max(1, a.cpus) - b.load1 / Math.max(1, b.cpus) ||
      order.get(a.name)! - order.get(b.name)!,
  )[0]!;
  const others = candidates.filter((c) => c !== best).map(describe);
  const rule = withRoom.length ? 'fewest active jobs per slot, then lowest load per CPU' : 'no host has room, so the job queues where the fewest jobs per slot wait';
  return { host: best.name, reason: `${rule}: ${describe(best)}${others.length ? `; ${others.join('; ')}` : ''}` };
}
