# shellcheck shell=bash
# op_rollback: guardrail L3, resets the job's workdir to the commit recorded before the job
# (tracked files only; F_MODE check|reset; F_WANT: the commit the caller saw, '' = any),
# refusing an active job and anything that would reach outside the workdir. Prints workdir and
# commit as NUL-separated pairs; the git_target codes are the exit status.
op_rollback() {
  local d=$F_ROOT/$F_NAME c="" w=""
  valid_name "$F_NAME" && [ -f "$d/meta.json" ] || exit "$X_NOT_FOUND"
  job_active "$d" && exit "$X_ACTIVE"
  read -r c 2>/dev/null < "$d/git-head"
  read -r w 2>/dev/null < "$d/workdir"
  printf 'workdir\0%s\0commit\0%s\0' "$w" "$c"
  [ -n "$F_WANT" ] && [ "$F_WANT" != "$c" ] && exit "$X_CHANGED_COMMIT"
  if [ "$F_MODE" = reset ]; then bash "$LIB" git_reset "$d"; else bash "$LIB" git_check "$d"; fi
}
