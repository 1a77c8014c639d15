# shellcheck shell=bash
# The guardrails that run on the host, inside the job's runner, so they hold while the laptop
# sleeps: L1 stop-on-match (grep on the attempt's output stream), L2 retry decisions and backoff,
# L3 reset of the git workdir (orch rollback and --rollback-on-retry). Patterns are files of
# extended regular expressions, one per line, read by grep -E -f (never on a command line).
# l1_watch DIR BASE: reads one attempt's output (a copy from tee). At the first line matching
# the job's watch patterns it records why and stops the job; then it drains the rest so tee
# never sees a closed pipe. BASE: lines already in run.log before this attempt.
l1_watch() {
  local d=$1 base=$2 hit n text pg=""
  hit=$(LC_ALL=C grep -a -n -o -E -m 1 -f "$d/watch-patterns" 2>/dev/null | head -n 1)
  if [ -n "$hit" ]; then
    n=${hit%%:*}; text=${hit#*:}
    text=$(printf '%s' "$text" | LC_ALL=C tr -d '\000-\037' | cut -c 1-120)
    [ -e "$d/exit.claim" ] || [ -e "$d/stopped" ] ||
      put "$d/stopped" "stopped by guardrail L1: \"$text\" at line $((base + n))"
    # A command that already ended needs no stop: the runner sees the marker and does not retry.
    read -r pg 2>/dev/null < "$d/cmd.pid"
    if [ -n "$pg" ] && kill -0 -- "-$pg" 2>/dev/null; then
      ( trap '' HUP; exec bash "$LIB" stop "$d" "stopped by guardrail L1" ) </dev/null >/dev/null 2>&1 &
    fi
  fi
  : > "$d/watch.done"
  cat > /dev/null
}

# retry_allowed DIR STATUS ATTEMPT: may this failed attempt be retried? When not, says why in
# the no-retry marker (shown as the job's reason).
retry_allowed() {
  local d=$1 st=$2 k=$3 mode="" codes="" hit
  read -r mode codes 2>/dev/null < "$d/retry-exit"
  case $mode in
    only)
      case " $codes " in *" $st "*) ;; *) put "$d/no-retry" "not retried: exit $st is not one of the retried exit codes ($codes)"; return 1 ;; esac ;;
    *)
      [ "$mode" = except ] || codes="2 126 127"
      case " $codes " in *" $st "*) put "$d/no-retry" "not retried: exit $st is never retried (${codes// /, })"; return 1 ;; esac ;;
  esac
  if [ -s "$d/no-retry-patterns" ]; then
    hit=$(attempt_text "$d" "$k" | LC_ALL=C grep -a -o -E -m 1 -f "$d/no-retry-patterns" 2>/dev/null | head -n 1 | LC_ALL=C tr -d '\000-\037' | cut -c 1-120)
    if [ -n "$hit" ]; then put "$d/no-retry" "not retried: the log shows \"$hit\", which a retry would not fix"; return 1; fi
  fi
  return 0
}

# millis VAR SECONDS: "0.2" -> 200, "5" -> 5000 (three decimals kept).
millis() {
  local _w=${2%%.*} _f=000
  case $2 in *.*) _f=${2#*.}000 ;; esac
  _f=${_f:0:3}
  printf -v "$1" '%d' "$((10#${_w:-0} * 1000 + 10#$_f))"
}

# retry_pause DIR RETRY: the backoff before retry number RETRY: base, 2*base, 4*base... capped.
retry_pause() {
  local d=$1 r=$2 base="" cap="" s
  read -r base cap 2>/dev/null < "$d/retry-backoff"
  # In milliseconds, by bash (busybox awk may have no floating point).
  local b c
  millis b "${base:-5}"; millis c "${cap:-300}"
  [ "$c" -ge "$b" ] || c=$b
  s=$b
  while [ "$r" -gt 1 ] && [ "$s" -lt "$c" ]; do s=$((s * 2)); r=$((r - 1)); done
  [ "$s" -le "$c" ] || s=$c
  sleep "$((s / 1000)).$(printf '%03d' $((s % 1000)))" 2>/dev/null
}

# git_target DIR: sets GIT_WD and GIT_HEAD for a reset of the job's workdir to the commit
# recorded before the job. Fails (status) when that cannot be done safely:
#   X_NO_COMMIT no recorded commit, X_NOT_REPO the workdir is no longer a git repository,
#   X_NOT_TOP the workdir is not the top of its repository (a reset would touch files outside
#   it), X_COMMIT_GONE the commit is gone.
git_target() {
  local d=$1 top
  GIT_HEAD=""; GIT_WD=""
  read -r GIT_HEAD 2>/dev/null < "$d/git-head"
  read -r GIT_WD 2>/dev/null < "$d/workdir"
  [ -n "$GIT_HEAD" ] && [ -n "$GIT_WD" ] || return "$X_NO_COMMIT"
  top=$(git -C "$GIT_WD" rev-parse --show-toplevel 2>/dev/null) || return "$X_NOT_REPO"
  [ "$(cd -- "$GIT_WD" 2>/dev/null && pwd -P)" = "$(cd -- "$top" 2>/dev/null && pwd -P)" ] || return "$X_NOT_TOP"
  git -C "$GIT_WD" cat-file -e "$GIT_HEAD^{commit}" 2>/dev/null || return "$X_COMMIT_GONE"
  return 0
}

# git_check DIR: only the checks of git_reset.
git_check() { git_target "$1"; }

# git_reset DIR: tracked files only (reset --hard); untracked files stay, nothing outside the workdir.
git_reset() {
  git_target "$1" || return $?
  git -C "$GIT_WD" reset -q --hard "$GIT_HEAD" || return "$X_RESET_FAILED"
  put "$1/rolled-back" "$GIT_HEAD $(iso_now)"
}

# retry_reset DIR: --rollback-on-retry, said in run.log either way.
retry_reset() {
  local d=$1 st=0
  git_reset "$d" || st=$?
  end_line "$d/run.log"
  if [ "$st" = 0 ]; then printf 'orch: reset %s to %s before the retry\n' "$GIT_WD" "$GIT_HEAD"
  else printf 'orch: could not reset the workdir before the retry (code %s); retrying as it is\n' "$st"
  fi | tee -a "$d/run.log"
}
