# shellcheck shell=bash
# op_slurm_stop: scancel of job F_NAME (its log is kept); prints the header and its record.
op_slurm_stop() {
  local d=$F_ROOT/$F_NAME
  valid_name "$F_NAME" && [ -f "$d/meta.json" ] || exit "$X_NOT_FOUND"
  slurm_queue
  private_mode "$F_ROOT"
  umask "$UMASK_ORCH"
  if job_active "$d"; then slurm_cancel "$F_REASON" "$d"; fi
  slurm_queue
  header "$F_ROOT"
  slurm_emit "$d"
}
