# shellcheck shell=bash
# op_stop: stops job F_NAME (its log is kept) and prints the header and its record; exit
# X_ALREADY_ENDED (record printed all the same) when it had ended before.
op_stop() {
  local d=$F_ROOT/$F_NAME was=active
  valid_name "$F_NAME" && [ -f "$d/meta.json" ] || exit "$X_NOT_FOUND"
  # A job stopped before comes back STOPPED as well: only its state now tells them apart.
  job_active "$d" || was=ended
  bash "$LIB" stop "$d" "$F_REASON"
  forget_sessions
  header "$F_ROOT"
  emit "$d"
  [ "$was" = active ] || exit "$X_ALREADY_ENDED"
}
