# shellcheck shell=bash
# op_stop_all: stops every active job at once (guardrail L4): all are marked stopped first, so
# a queued job never starts in a slot another one frees; then all are stopped in parallel; then
# one summary notice (F_HOOK set). Prints the header and the record of each job it stopped.
op_stop_all() {
  local d todo=()
  for d in "$F_ROOT"/*/; do
    d=${d%/}
    valid_name "${d##*/}" && [ -f "$d/meta.json" ] && job_active "$d" && todo+=("$d")
  done
  if [ ${#todo[@]} -gt 0 ]; then
    private_mode "$F_ROOT"
    umask "$UMASK_ORCH"
    for d in "${todo[@]}"; do
      [ -e "$d/stopped" ] || printf '%s\n' "$F_REASON" > "$d/stopped"
    done
    for d in "${todo[@]}"; do bash "$LIB" stop "$d" "$F_REASON" </dev/null >/dev/null 2>&1 & done
    wait
    stopped_notice "$F_ROOT" "$F_HOOK" "$F_REASON" "${todo[@]}"
  fi
  forget_sessions
  header "$F_ROOT"
  for d in "${todo[@]}"; do emit "$d"; done
  return 0
}
