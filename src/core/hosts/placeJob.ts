/**
 * Placement over real hosts (PRODUCT.md §6), shared by the CLI and the extension: each tmux host
 * is read at once (its active jobs and its probe, one round trip each), then placement.ts decides.
 */
import type { ResolvedHost } from '../config/hosts';
import type { Job } from '../jobs/model';
import { choosePlacement, type Placement, type PlacementCandidate } from './placement';
import type { HostProbe } from './probe';

/** What one host answered, or why it could not. */
export type HostReading = { value: { active: readonly Job[]; probe: HostProbe }; error?: undefined } | { error: string; value?: undefined };

/** A host's figures for placement; `gpus` the job asks for (0: GPUs do not count). */
export function candidateOf(x: ResolvedHost, r: HostReading | undefined, gpus: number): PlacementCandidate {
  const base = { name: x.name, kind: x.kind, maxParallel: x.config.maxParallel };
  if (!r) return { ...base, active: 0, load1: 0, cpus: 1 };
  if (r.error !== undefined) return { ...base, error: r.error, active: 0, load1: 0, cpus: 1 };
  // Free GPUs: the inventory (declared, else what the driver lists) less those active jobs hold.
  const inventory = x.config.gpus ?? r.value.probe.gpus;
  const held = r.value.active.reduce((n, j) => n + (j.gpus?.length ?? 0), 0);
  const freeGpus = gpus > 0 ? Math.max(0, inventory - held) : undefined;
  const gpuInventory = gpus > 0 ? inventory : undefined;
  return { ...base, active: r.value.active.length, load1: r.value.probe.load1, cpus: r.value.probe.cpus, freeGpus, gpuInventory };
}

/** Reads every tmux host of `hosts` at once with `read` and places the job. */
export async function placeAmong(hosts: readonly ResolvedHost[], read: (h: ResolvedHost) => Promise<HostReading>, gpus = 0): Promise<Placement> {
  const readings = await Promise.all(hosts.map((h) => (h.kind === 'tmux' ? read(h) : Promise.resolve(undefined))));
  return choosePlacement(hosts.map((h, i) => candidateOf(h, readings[i], gpus)), { gpus });
}
