/**
 * The sbatch side of `orch run` on a Slurm host (PRODUCT.md §8): the request's Slurm options,
 * checked here so bad input is refused before anything is submitted, as the fields of the
 * host's slurmRun operation. `--max-hours` becomes `--time` (whole minutes, rounded up); `--gpus`
 * is the run request's own (the GPU slots of a tmux host), passed to sbatch by the host.
 */
import { usageError } from '../errors';
import type { SlurmRequest } from '../jobs/model';

export interface SlurmFields {
  partition: string;
  cpus: string;
  mem: string;
  time: string;
  sbatchArgs: string;
}

const PARTITION = /^[A-Za-z0-9_.,-]+$/;

function positiveInteger(value: number | undefined, flag: string): string {
  if (value === undefined) return '';
  if (!(Number.isInteger(value) && value > 0)) throw usageError(`${flag} must be a whole number greater than 0, not ${value}.`);
  return String(value);
}

/** Minutes of Slurm time limit for `--max-hours H` (at least 1). */
export function slurmMinutes(maxHours: number): number {
  return Math.max(1, Math.ceil(Math.round(maxHours * 3600) / 60));
}

export function slurmFields(req: SlurmRequest | undefined, maxHours: number | undefined): SlurmFields {
  const r = req ?? {};
  if (r.partition !== undefined && !PARTITION.test(r.partition)) {
    throw usageError(`--partition must be a Slurm partition name (letters, digits, "_", "-", "." or ","), not "${r.partition}".`);
  }
  if (r.memGb !== undefined && !(Number.isFinite(r.memGb) && r.memGb > 0)) throw usageError(`--mem must be a number of GB greater than 0, not ${r.memGb}.`);
  for (const a of r.sbatchArgs ?? []) {
    if (!a.startsWith('-') || /[\n\r\0]/.test(a)) {
      throw usageError(`--sbatch-arg takes one sbatch option such as --account=proj or --qos=high (starting with "-", on one line), not "${a}".`);
    }
  }
  return {
    partition: r.partition ?? '',
    cpus: positiveInteger(r.cpus, '--cpus'),
    // Slurm takes whole megabytes.
    mem: r.memGb === undefined ? '' : `${Math.ceil(r.memGb * 1024)}M`,
    time: maxHours === undefined ? '' : String(slurmMinutes(maxHours)),
    sbatchArgs: (r.sbatchArgs ?? []).join('\n'),
  };
}

/** Refuses Slurm options for a tmux host, naming them. */
export function refuseSlurmFlags(req: SlurmRequest | undefined, slurmHost: boolean, host: string): void {
  const flags = slurmFlagsOf(req);
  if (slurmHost || flags.length === 0) return;
  throw usageError(`${flags.join(', ')} ${flags.length > 1 ? 'are' : 'is'} for Slurm hosts; ${host} is a tmux host (kind: slurm in hosts.yaml makes a Slurm host).`);
}

/** The Slurm options a request sets, as flags. */
function slurmFlagsOf(req: SlurmRequest | undefined): string[] {
  if (!req) return [];
  const flags: string[] = [];
  if (req.partition !== undefined) flags.push('--partition');
  if (req.cpus !== undefined) flags.push('--cpus');
  if (req.memGb !== undefined) flags.push('--mem');
  if (req.sbatchArgs?.length) flags.push('--sbatch-arg');
  return flags;
}
