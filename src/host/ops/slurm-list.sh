# shellcheck shell=bash
# op_slurm_list: op_list for a Slurm login node: the queue (one squeue) and the job dirs read
# together; each record carries the job's Slurm state ("squeue").
op_slurm_list() {
  local d
  slurm_queue
  if [ "$SLURM_Q_OK" != 1 ]; then printf '%s\n' "$SLURM_Q_ERR" >&2; exit "$X_SLURM_FAILED"; fi
  header "$F_ROOT"
  if [ -n "$F_NAME" ]; then
    valid_name "$F_NAME" && [ -f "$F_ROOT/$F_NAME/meta.json" ] && slurm_emit "$F_ROOT/$F_NAME"
    return 0
  fi
  for d in "$F_ROOT"/*/; do
    d=${d%/}
    [ "$F_MODE" = active ] && [ -e "$d/exit" ] && continue
    valid_name "${d##*/}" && [ -f "$d/meta.json" ] && slurm_emit "$d"
  done
  return 0
}
