# shellcheck shell=bash
# op_stop: stops job F_NAME (its log is kept) and prints the header and its record.
op_stop() {
  local d=$F_ROOT/$F_NAME
  valid_name "$F_NAME" && [ -f "$d/meta.json" ] || exit "$X_NOT_FOUND"
  bash "$LIB" stop "$d" "$F_REASON"
  forget_sessions
  header "$F_ROOT"
  emit "$d"
}
