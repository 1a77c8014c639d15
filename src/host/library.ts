/**
 * The host library (src/host/lib/*.sh and ops/*.sh as one bash file) and the small call scripts
 * that use it. The library is installed once per version under `<log root>/.orch/lib-<hash>.sh`
 * (a new version gets a new file, so a running job keeps the library it started with); each
 * operation then sends only its call script, a few hundred bytes, and its fields on stdin.
 */
import { createHash } from 'node:crypto';
import { JOB_NAME_MAX_LENGTH } from '../core/jobs/names';
import { HOST_OPS, HostExit, fieldVar, opFunction, shellName, type HostOp } from './protocol';
import common from './lib/common.sh';
import runner from './lib/runner.sh';
import stop from './lib/stop.sh';
import slots from './lib/slots.sh';
import guard from './lib/guard.sh';
import notify from './lib/notify.sh';
import retention from './lib/retention.sh';
import secrets from './lib/secrets.sh';
import progress from './lib/progress.sh';
import outputs from './lib/outputs.sh';
import slurm from './lib/slurm.sh';
import autostop from './lib/autostop.sh';
import pack from './lib/pack.sh';
import cloudwatch from './lib/cloudwatch.sh';
import cloudwatchState from './lib/cloudwatch-state.sh';
import cloudwatchSlurm from './lib/cloudwatch-slurm.sh';
import main from './lib/main.sh';
import opList from './ops/list.sh';
import opRun from './ops/run.sh';
import opStop from './ops/stop.sh';
import opReadLog from './ops/read-log.sh';
import opFollow from './ops/follow.sh';
import opStopAll from './ops/stop-all.sh';
import opRollback from './ops/rollback.sh';
import opProbe from './ops/probe.sh';
import opSlurmRun from './ops/slurm-run.sh';
import opSlurmList from './ops/slurm-list.sh';
import opSlurmStop from './ops/slurm-stop.sh';
import opSlurmStopAll from './ops/slurm-stop-all.sh';
import opDoctor from './ops/doctor.sh';
import opAutostop from './ops/autostop.sh';
import opWatch from './ops/watch.sh';

/** The library's parts in order (name → text), for the lint and the tests. */
export const HOST_FILES: Readonly<Record<string, string>> = {
  'lib/common.sh': common,
  'lib/runner.sh': runner,
  'lib/stop.sh': stop,
  'lib/slots.sh': slots,
  'lib/guard.sh': guard,
  'lib/notify.sh': notify,
  'lib/retention.sh': retention,
  'lib/secrets.sh': secrets,
  'lib/progress.sh': progress,
  'lib/outputs.sh': outputs,
  'lib/autostop.sh': autostop,
  'lib/pack.sh': pack,
  'lib/cloudwatch.sh': cloudwatch,
  'lib/cloudwatch-state.sh': cloudwatchState,
  'ops/list.sh': opList,
  'ops/run.sh': opRun,
  'ops/stop.sh': opStop,
  'ops/read-log.sh': opReadLog,
  'ops/follow.sh': opFollow,
  'ops/stop-all.sh': opStopAll,
  'ops/rollback.sh': opRollback,
  'ops/probe.sh': opProbe,
  'lib/slurm.sh': slurm,
  'lib/cloudwatch-slurm.sh': cloudwatchSlurm,
  'ops/slurm-run.sh': opSlurmRun,
  'ops/slurm-list.sh': opSlurmList,
  'ops/slurm-stop.sh': opSlurmStop,
  'ops/slurm-stop-all.sh': opSlurmStopAll,
  'ops/doctor.sh': opDoctor,
  'ops/autostop.sh': opAutostop,
  'ops/watch.sh': opWatch,
  'lib/main.sh': main,
};

/** The constants the shell files use by name, from the TypeScript declarations. */
export function constants(): string {
  // noLibrary and oldBash are the call script's own codes (callScript), not the library's.
  const lines = Object.entries(HostExit)
    .filter(([k]) => k !== 'noLibrary' && k !== 'oldBash')
    .map(([k, v]) => `X_${shellName(k)}=${v}`);
  lines.push('NAME_ALNUM=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', `NAME_MAX=${JOB_NAME_MAX_LENGTH}`);
  return lines.join('\n');
}

export const HOST_LIB = [
  '#!/usr/bin/env bash',
  '# orch host library (generated from src/host by the orch engine; do not edit).',
  constants(),
  ...Object.values(HOST_FILES),
].join('\n');

/**
 * The parts `list` (status, list, get: the most frequent call) needs, installed beside the
 * library as `<library>.list`: bash then parses a quarter of the text on every status.
 */
export const LIST_PARTS = ['lib/common.sh', 'lib/secrets.sh', 'lib/progress.sh', 'lib/cloudwatch-state.sh', 'ops/list.sh'] as const;
export const HOST_LIST_SLICE = [
  '# orch host library, the part list needs (generated from src/host; do not edit).',
  constants(),
  ...LIST_PARTS.map((f) => HOST_FILES[f]!),
].join('\n');

const HASH = createHash('sha256').update(HOST_LIB).digest('hex').slice(0, 12);

/** File name of this library version under `<log root>/.orch/`. */
export const HOST_LIB_NAME = `lib-${HASH}.sh`;

/** Reads the log root and makes it absolute ("~", "~/x" and relative paths are the user's home). */
const ROOT_PRELUDE = `set -u
IFS= read -r -d '' F_ROOT || exit 2
case $F_ROOT in '~') F_ROOT=$HOME ;; '~/'*) F_ROOT=$HOME/\${F_ROOT#'~/'} ;; /*) ;; *) F_ROOT=$HOME/$F_ROOT ;; esac
LIB=$F_ROOT/.orch/${HOST_LIB_NAME}
`;

/**
 * bash 4 or later, checked before anything else where it matters: the library does not even parse
 * in bash 3 (macOS's /bin/bash). The install script checks it (so no call gets as far as sourcing
 * the library on such a host: the first call of a host installs it) and so does doctor's call
 * (where the library may be there already). Plain sh syntax ($BASH_VERSINFO is its first
 * element), so any shell gets to say so. The other call scripts stay as small as they were.
 */
const BASH_CHECK = `[ "\${BASH_VERSINFO:-0}" -ge 4 ] 2>/dev/null || { echo "orch needs bash 4 or later on this host; it runs \${BASH_VERSION:+bash }\${BASH_VERSION:-another shell}." >&2; exit ${HostExit.oldBash}; }
`;

/** The script one call of `op` sends: read the declared fields, find the library by its hash, run the op. */
export function callScript(op: HostOp): string {
  // IFS empty while the fields are read (kept whole, whitespace and all), the default after: one
  // assignment instead of one per field keeps run's and slurmRun's scripts under 1 KB.
  const fields = HOST_OPS[op].fields;
  const reads = fields.length ? `IFS=; ${fields.map((f) => `read -r -d '' ${fieldVar(f)}`).join('; ')}; unset IFS` : '';
  const source = op === 'list' ? '"$LIB.list"' : '"$LIB"';
  return `${op === 'doctor' ? BASH_CHECK : ''}${ROOT_PRELUDE}[ -f ${source} ] || exit ${HostExit.noLibrary}
${reads}
. ${source} && ${opFunction(op)}
`;
}

/**
 * Installs the library (stdin: the log root, the list slice as a field, then the library text as
 * the rest): the log root and `.orch` are created owner-only when missing; each file appears
 * whole or not at all, the slice first (the library's presence means both are there).
 */
export const INSTALL_SCRIPT = `${BASH_CHECK}${ROOT_PRELUDE}[ -f "$LIB" ] && [ -f "$LIB.list" ] && exit 0
umask 077
mkdir -p -- "$F_ROOT/.orch" || exit ${HostExit.writeFailed}
IFS= read -r -d '' F_SLICE
if printf '%s' "$F_SLICE" > "$LIB.list.tmp.$$" && mv -f -- "$LIB.list.tmp.$$" "$LIB.list" &&
  cat > "$LIB.tmp.$$" && mv -f -- "$LIB.tmp.$$" "$LIB"; then exit 0; fi
rm -f -- "$LIB.tmp.$$" "$LIB.list.tmp.$$"
printf 'cannot write %s\\n' "$LIB" >&2
exit ${HostExit.writeFailed}
`;
