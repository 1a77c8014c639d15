# shellcheck shell=bash
# op_slurm_stop: scancel of job F_NAME (its log is kept); prints the header and its record;
# exit X_ALREADY_ENDED (record printed all the same) when it had ended before.
op_slurm_stop() {
  local d=$F_ROOT/$F_NAME
  valid_name "$F_NAME" && [ -f "$d/meta.json" ] || exit "$X_NOT_FOUND"
  slurm_queue
  private_mode "$F_ROOT"
  umask "$UMASK_ORCH"
  local was=ended
  if job_active "$d"; then
    was=active
    slurm_cancel "$F_REASON" "$d"
  fi
  slurm_queue
  header "$F_ROOT"
  slurm_emit "$d"
  [ "$was" = active ] || exit "$X_ALREADY_ENDED"
}
