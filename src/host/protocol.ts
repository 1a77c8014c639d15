/**
 * The one declaration of how the client talks to the host library (PRODUCT.md §11): each
 * operation's stdin fields, in order, and the host's exit codes. The shell side is generated from
 * it: the call script reads the fields into `F_<FIELD>` variables (library.ts `callScript`) and the
 * library starts with `X_<CODE>=N` lines, so an operation file (ops/*.sh) only uses names; a
 * unit test checks that each op file uses exactly its declared fields.
 */
import { usageError } from '../core/errors';

export const HostExit = {
  /** The library of this version is not on the host yet: install it, then call again. */
  noLibrary: 9,
  notFound: 3,
  noTmux: 10,
  running: 11,
  logExists: 12,
  writeFailed: 13,
  tmuxFailed: 14,
  badName: 15,
  /** rollback: the job is still QUEUED, STARTING or RUNNING. */
  active: 16,
  /** read-log: the job has no such attempt. */
  noAttempt: 17,
  /** run: more GPUs asked for than the host has (stderr: the inventory). */
  tooManyGpus: 18,
  /** run: an active job owns the output dir (stderr: its name, its dir, the one asked for). */
  outputOwned: 19,
  /** rollback (git_target): no recorded commit, not a repository, not its top, commit changed or gone, reset failed. */
  noCommit: 20,
  notRepo: 21,
  notTop: 22,
  changedCommit: 23,
  commitGone: 24,
  resetFailed: 25,
  /** A Slurm host without sbatch/squeue on the PATH of a login shell. */
  noSlurm: 26,
  /** sbatch refused the job (its error is the last line of stderr); nothing was started. */
  submitFailed: 27,
  /** squeue failed (slurmctld unreachable): job states cannot be told. */
  slurmFailed: 28,
  /** Any call: the host's bash is older than 4 (stderr: one sentence with its version); nothing ran. */
  oldBash: 29,
  /** follow: a packed catch-up was sent and the job still runs: follow again from its end. */
  caughtUp: 30,
  /** run --cloudwatch: no `aws` on the PATH of the host's non-interactive shell; nothing was started. */
  noAws: 31,
  /** stop, slurmStop: the job had already ended before this stop (its record follows as usual). */
  alreadyEnded: 32,
} as const;

/** run's fields (slurmRun reads them too). */
const RUN_FIELDS = [
  'name', 'workdir', 'force', 'meta', 'maxsec', 'maxpar', 'retries', 'hook', 'days', 'backoff',
  'retryExit', 'noRetry', 'watch', 'stopOnMatch', 'rollbackOnRetry', 'logMode',
  /** The job's secret variables (lib/secrets.sh): NAME=VALUE lines, escaped. */
  'env',
  'gpus', 'gpuInventory',
  /** --output-dir as given (lib/outputs.sh): while the job is active no other job may name it. */
  'outputDir',
  /**
   * Autostop (lib/autostop.sh): the idle seconds before the action, a newline, the command (empty
   * for the default); empty for off. One short field: slurmRun's call script stays under 1 KB.
   */
  'idle',
  /** CloudWatch Logs (lib/cloudwatch.sh): the log group, a newline, the region (may be empty); empty for off. */
  'cloudwatch',
] as const;

/** The operations; every one also gets the log root first (`F_ROOT`, made absolute by the call script). */
export const HOST_OPS = {
  list: { fields: ['name', 'mode'] },
  run: {
    fields: RUN_FIELDS,
    /** The command text is the rest of stdin (read by `cat`, so any size and any byte but NUL). */
    rest: true,
  },
  stop: { fields: ['name', 'reason'] },
  // pack: the codecs the client decodes, best first (lib/pack.sh; src/host/unpack.ts).
  readLog: { fields: ['name', 'lines', 'attempt', 'pack'] },
  follow: { fields: ['name', 'from', 'pack'] },
  stopAll: { fields: ['reason', 'hook'] },
  rollback: { fields: ['name', 'mode', 'want'] },
  probe: { fields: [] },
  // Slurm hosts (PRODUCT.md §8). slurmRun is run's job dir with sbatch in place of tmux: its op
  // file calls op_run, so it reads run's fields too (`extends`).
  slurmRun: {
    // gpus is sbatch --gpus here (Slurm hands out the GPUs, not the host queue).
    fields: [...RUN_FIELDS, 'partition', 'cpus', 'mem', 'time', 'sbatchArgs'],
    rest: true,
    extends: 'run',
  },
  slurmList: { fields: ['name', 'mode'] },
  slurmStop: { fields: ['name', 'reason'] },
  slurmStopAll: { fields: ['reason', 'hook'] },
  /** What the host has of what orch needs (ops/doctor.sh): facts, one per line, judged by the client. */
  doctor: { fields: [] },
  /** The idle clock of lib/autostop.sh, for box status. */
  autostop: { fields: [] },
  /** The jobs tree's change signal (ops/watch.sh): the signature last seen, the longest wait in seconds. */
  watch: { fields: ['seen', 'limit'] },
} as const;

export type HostOp = keyof typeof HOST_OPS;
type FieldsOf<O extends HostOp> = (typeof HOST_OPS)[O]['fields'][number];
/** The values of one call: every declared field, by name. */
export type OpFields<O extends HostOp> = { [K in FieldsOf<O>]: string };

/** `retryExit` → `RETRY_EXIT`. */
export function shellName(camel: string): string {
  return camel.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** The shell variable of a field: `F_RETRY_EXIT`. */
export const fieldVar = (field: string): string => `F_${shellName(field)}`;
/** The library function of an operation: `op_read_log`. */
export const opFunction = (op: HostOp): string => `op_${shellName(op).toLowerCase()}`;

/** stdin of a call: the log root, the declared fields in order (NUL-terminated), then the rest. */
export function encodeCall<O extends HostOp>(op: O, root: string, fields: OpFields<O>, rest?: string): Buffer {
  const names = HOST_OPS[op].fields as readonly FieldsOf<O>[];
  return encodeFields([root, ...names.map((n) => fields[n])], rest);
}

/** NUL-terminated fields, then an optional rest. */
export function encodeFields(fields: readonly string[], rest?: string): Buffer {
  for (const f of fields) {
    if (f.includes('\0')) throw usageError('A value sent to the host contains a NUL character, which a shell cannot carry.');
  }
  return Buffer.from(fields.map((f) => `${f}\0`).join('') + (rest ?? ''), 'utf8');
}
