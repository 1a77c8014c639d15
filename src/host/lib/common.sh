# shellcheck shell=bash
# Shared helpers of the host library. The constants in capitals (X_* exit codes, NAME_*) are
# generated from src/host/protocol.ts into the library's first lines; $LIB is the library's path.

# The job-name rule (PRODUCT.md §2), spelled out so no locale widens the ranges.
valid_name() {
  case $1 in ''|[!$NAME_ALNUM]*|*[!$NAME_ALNUM'_-']*) return 1 ;; esac
  [ ${#1} -le "$NAME_MAX" ]
}

# abs_path VAR PATH: "~", "~/x" and relative paths are the target user's home (printf -v: no fork).
abs_path() {
  case $2 in
    '~') printf -v "$1" '%s' "$HOME" ;;
    \~/*) printf -v "$1" '%s/%s' "$HOME" "${2:2}" ;;
    /*) printf -v "$1" '%s' "$2" ;;
    *) printf -v "$1" '%s/%s' "$HOME" "$2" ;;
  esac
}

# text_hash VAR TEXT: a short stable checksum (cksum where it exists, else computed by bash).
text_hash() {
  local _h=5381 _i _c
  if command -v cksum >/dev/null 2>&1; then
    _h=$(printf '%s' "$2" | cksum); printf -v "$1" '%s' "${_h%% *}"; return
  fi
  for ((_i = 0; _i < ${#2}; _i++)); do
    printf -v _c '%d' "'${2:_i:1}"
    _h=$(((_h * 33 + _c) % 4294967296))
  done
  printf -v "$1" '%s' "$_h"
}

# sq TEXT: single-quoted for sh, bash, zsh and fish (tmux and cron hand commands to a shell).
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# The clock from bash itself (no date: busybox's has no %N and reads no ISO times). Bash 5 has
# microseconds in EPOCHREALTIME; bash 4 gives whole seconds.
# iso_now: 2026-12-01T08:05:17.123Z (UTC).
iso_now() {
  local t=${EPOCHREALTIME:-} s us
  if [ -n "$t" ]; then s=${t%[.,]*}; us=${t#*[.,]}; else printf -v s '%(%s)T' -1; us=000000; fi
  TZ=UTC0 printf '%(%Y-%m-%dT%H:%M:%S)T.%sZ\n' "$s" "${us:0:3}"
}

# ticket VAR: a number that grows with time (microseconds where bash has them): queue order.
ticket() {
  local _t=${EPOCHREALTIME:-}
  if [ -n "$_t" ]; then printf -v "$1" '%s%s' "${_t%[.,]*}" "${_t#*[.,]}"; else printf -v "$1" '%(%s)T000000' -1; fi
}

# epoch_of VAR ISO: seconds since the epoch of an iso_now time (GNU date -d, else busybox -D).
epoch_of() {
  local _e
  _e=$(date -u -d "$2" +%s 2>/dev/null || date -u -D '%Y-%m-%dT%H:%M:%S' -d "${2%%.*}" +%s 2>/dev/null) || _e=0
  printf -v "$1" '%s' "${_e:-0}"
}

# lock_take FILE / lock_drop FILE: an exclusive lock on FILE, one at a time per process: flock
# where it exists, else a lock dir (mkdir is atomic) whose holder's pid lets a dead holder's go.
lock_take() {
  local i holder=""
  if command -v flock >/dev/null 2>&1; then
    exec {LOCK_FD}>>"$1" && flock -w 10 "$LOCK_FD" && return 0
    return 1
  fi
  for ((i = 0; i < 400; i++)); do
    if mkdir -- "$1.d" 2>/dev/null; then printf '%s\n' "$BASHPID" > "$1.d/pid"; return 0; fi
    read -r holder 2>/dev/null < "$1.d/pid"
    if [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null; then rm -rf -- "$1.d"; continue; fi
    sleep 0.025
  done
  return 1
}
lock_drop() {
  if [ -n "${LOCK_FD:-}" ]; then exec {LOCK_FD}>&-; LOCK_FD=""; else rm -rf -- "$1.d"; fi
}

# with_lock FILE FUNCTION ARGS...: runs FUNCTION holding the lock on FILE.
with_lock() {
  local f=$1 st=0
  shift
  lock_take "$f" || return 1
  "$@" || st=$?
  lock_drop "$f"
  return "$st"
}

# put FILE TEXT: readers never see half a file.
put() { printf '%s\n' "$2" > "$1.tmp.$$" && mv -f -- "$1.tmp.$$" "$1"; }

# end_line FILE: our marker lines start on a line of their own, even after "printf partial".
end_line() { if [ -s "$1" ] && [ -n "$(tail -c 1 "$1")" ]; then printf '\n' >> "$1"; fi; }

# file_size VAR FILE: bytes in FILE (0 when missing), without reading it.
file_size() {
  local _s
  _s=$(stat -c %s -- "$2" 2>/dev/null) || _s=0
  printf -v "$1" '%s' "${_s:-0}"
}

# private_mode: the modes of what orch writes (PRODUCT.md §10): owner only, or with
# ORCH_LOG_MODE=group (a file "group-readable" in .orch) readable by the user's group.
# Sets UMASK_ORCH and DIR_MODE.
private_mode() {
  # shellcheck disable=SC2034 # UMASK_ORCH and DIR_MODE are what the callers (runner, run, stop-all) read
  if [ -e "$1/.orch/group-readable" ]; then UMASK_ORCH=027; DIR_MODE=750; else UMASK_ORCH=077; DIR_MODE=700; fi
}

# sessions: the tmux session names, once per call, as "\nname\n...".
sessions() { SESSIONS=$'\n'$(tmux ls -F '#{session_name}' 2>/dev/null)$'\n'; }

# forget_sessions: the next session_exists asks tmux again (after a stop, on each follow turn).
forget_sessions() { SESSIONS=""; }

# session_exists NAME: asks tmux at most once per call.
session_exists() {
  [ -n "${SESSIONS:-}" ] || sessions
  case $SESSIONS in *$'\n'"$1"$'\n'*) return 0 ;; esac
  return 1
}

# pid_runs FILE FN DIR: 0 the pid in FILE is a live `bash LIB FN DIR` of this library, 1 it is
# gone, 2 cannot tell (no pid yet). Read from /proc without a fork (a reused pid running
# something else counts as gone); where there is no /proc, kill -0.
pid_runs() {
  local p="" a i=0
  read -r p 2>/dev/null < "$1"
  case $p in ''|*[!0-9]*) return 2 ;; esac
  if [ ! -d /proc/self ]; then kill -0 "$p" 2>/dev/null && return 0; return 1; fi
  while IFS= read -r -d '' a; do
    i=$((i + 1))
    case $i in
      3) [ "$a" = "$2" ] || return 1 ;;
      4) [ "${a##*/}" = "${3##*/}" ] && return 0; return 1 ;;
    esac
  done 2>/dev/null < "/proc/$p/cmdline"
  return 1
}

# runner_lives DIR: the job's runner process lives (0), is gone (1), or cannot tell yet (2).
runner_lives() {
  pid_runs "$1/runner.pid" runner "$1"
}

# job_alive DIR: the one "is the job alive" check. The job has not ended and its runner lives;
# before the runner wrote its pid, its tmux session exists. A Slurm job's runner is on another
# node: Slurm says (lib/slurm.sh).
job_alive() {
  local st=0
  [ ! -e "$1/exit" ] || return 1
  if [ -e "$1/slurm-job-id" ]; then slurm_alive "$1"; return; fi
  runner_lives "$1" || st=$?
  case $st in
    0) return 0 ;;
    1) return 1 ;;
  esac
  session_exists "${1##*/}"
}

# job_active DIR: alive, or just created by run (no runner yet, under a minute old): a job that
# stop --all and rollback must treat as running.
job_active() {
  local c="" now
  job_alive "$1" && return 0
  [ ! -e "$1/exit" ] && [ ! -e "$1/runner.pid" ] || return 1
  # A Slurm job that Slurm lists in an ended state (scancelled while PENDING: no runner ever) is
  # not being submitted; one it does not list (yet) may be.
  if [ -s "$1/slurm-job-id" ]; then
    read -r c < "$1/slurm-job-id"
    slurm_state c "$c"
    [ -z "$c" ] || return 1
  fi
  read -r c 2>/dev/null < "$1/created"
  printf -v now '%(%s)T' -1
  [ -n "$c" ] && [ $((now - c)) -lt 60 ]
}

# The clock without a fork: bash's own strftime.
header() { printf 'home\0%s\0root\0%s\0now\0%(%s)T\0' "$HOME" "$1" -1; }

# emit DIR [alive]: one job record, files read with the read builtin (no process per job).
emit() {
  local d=$1 f v
  printf 'job\0%s\0' "${d##*/}"
  if [ "${2:-}" = alive ] || job_alive "$d"; then
    printf 'alive\0\0'
    # A running job's latest progress: one tail of the log's last 4 KB (lib/progress.sh).
    [ ! -e "$d/started" ] || emit_progress "$d"
  elif [ -e "$d/env" ] && ! job_active "$d"; then secrets_drop "$d"
  fi
  for f in meta.json workdir created started ended exit stopped queued runner.pid attempt no-retry gpus; do
    if [ -f "$d/$f" ]; then v=""; IFS= read -r -d '' v < "$d/$f"; printf '%s\0%s\0' "$f" "$v"; fi
  done
  cw_emit "$d"
}

# store_hook ORCH URL: the webhook URL, 0600, written by printf (a builtin: never in any argv).
store_hook() {
  local orch=$1 hook=$2 cur=""
  [ -n "$hook" ] || return 0
  [ -f "$orch/slack-webhook" ] && IFS= read -r cur < "$orch/slack-webhook"
  [ "$cur" != "$hook" ] || return 0
  ( umask 077; printf '%s\n' "$hook" > "$orch/slack-webhook.tmp.$$" ) &&
    mv -f -- "$orch/slack-webhook.tmp.$$" "$orch/slack-webhook" && return 0
  rm -f -- "$orch/slack-webhook.tmp.$$"
  return 1
}
