# shellcheck shell=bash
# op_slurm_stop_all: cancels every active job of this log root at once, with one scancel (never
# a Slurm job that is not one of these: not the user's other jobs); then one summary notice.
op_slurm_stop_all() {
  local d todo=()
  slurm_queue
  for d in "$F_ROOT"/*/; do
    d=${d%/}
    valid_name "${d##*/}" && [ -f "$d/meta.json" ] && job_active "$d" && todo+=("$d")
  done
  if [ ${#todo[@]} -gt 0 ]; then
    private_mode "$F_ROOT"
    umask "$UMASK_ORCH"
    slurm_cancel "$F_REASON" "${todo[@]}"
    stopped_notice "$F_ROOT" "$F_HOOK" "$F_REASON" "${todo[@]}"
  fi
  slurm_queue
  header "$F_ROOT"
  for d in "${todo[@]}"; do slurm_emit "$d"; done
  return 0
}
