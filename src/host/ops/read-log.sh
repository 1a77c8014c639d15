# shellcheck shell=bash
# op_read_log: run.log on stdout, or its last F_LINES lines, or attempt F_ATTEMPT's bytes alone.
op_read_log() {
  local d=$F_ROOT/$F_NAME
  valid_name "$F_NAME" && [ -f "$d/run.log" ] || exit "$X_NOT_FOUND"
  if [ -n "$F_ATTEMPT" ]; then
    attempt_text "$d" "$F_ATTEMPT" || exit "$X_NO_ATTEMPT"
  elif [ -n "$F_LINES" ]; then exec tail -n "$F_LINES" -- "$d/run.log"
  else exec cat -- "$d/run.log"
  fi
}
