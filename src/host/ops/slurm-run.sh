# shellcheck shell=bash
# op_slurm_run: the job dir exactly as op_run makes it, then `sbatch --parsable` of a batch
# script that runs the runner (lib/slurm.sh slurm_batch) instead of a tmux session here. The
# Slurm options are fields; F_SBATCH_ARGS holds one passthrough argument per line. When sbatch
# refuses, the job dir goes again and no Slurm job exists.
op_slurm_run() {
  command -v sbatch >/dev/null 2>&1 || exit "$X_NO_SLURM"
  if [ -e "$F_ROOT/$F_NAME/slurm-job-id" ] && job_alive "$F_ROOT/$F_NAME"; then exit "$X_RUNNING"; fi
  # Slurm hands out the GPUs (sbatch --gpus), not the host queue of op_run.
  SLURM_GPUS_WANTED=$F_GPUS
  F_GPUS=""
  # shellcheck disable=SC2034 # op_run (ops/run.sh) starts the job through this hook
  RUN_START=slurm_submit
  op_run
  slurm_queue
  slurm_fields "$F_ROOT/$F_NAME"
}

# slurm_submit NAME WORKDIR DIR: submits the job; its id goes to DIR/slurm-job-id.
slurm_submit() {
  local a out args=(--parsable --job-name="$1" --chdir="$2" --output="$3/slurm.out" --open-mode=append)
  [ -z "$F_PARTITION" ] || args+=(--partition="$F_PARTITION")
  [ -z "$SLURM_GPUS_WANTED" ] || args+=(--gpus="$SLURM_GPUS_WANTED")
  [ -z "$F_CPUS" ] || args+=(--cpus-per-task="$F_CPUS")
  [ -z "$F_MEM" ] || args+=(--mem="$F_MEM")
  [ -z "$F_TIME" ] || args+=(--time="$F_TIME")
  while IFS= read -r a; do [ -z "$a" ] || args+=("$a"); done <<< "$F_SBATCH_ARGS"
  if ! out=$(printf '#!/bin/bash\nexec bash %s slurm_batch %s\n' "$(sq "$LIB")" "$(sq "$3")" |
    sbatch "${args[@]}" 2> "$3/sbatch.err"); then
    a=$(tail -n 1 "$3/sbatch.err")
    printf '%s\n' "${a#sbatch: error: }" >&2
    return "$X_SUBMIT_FAILED"
  fi
  rm -f -- "$3/sbatch.err"
  put "$3/slurm-job-id" "${out%%;*}"
}
