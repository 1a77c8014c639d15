/**
 * The host library: one bash file the engine installs under `<log root>/.orch/lib-<hash>.sh`
 * (a new engine version gets a new file, so a running job keeps the library it started with).
 * It holds everything that must happen ON the host without a client: the runner inside the
 * tmux session, stop (also called by the max-hours watchdog), the completion notice, retention.
 * Called as `bash LIB <function> ARGS...`; every path argument is absolute.
 */
import { createHash } from 'node:crypto';
import { bash } from './bashText';
import { NOTIFY_FUNCTIONS } from './notify';
import { RETENTION_FUNCTIONS } from './retention';
import { SLOT_FUNCTIONS } from './slots';
import { GUARD_FUNCTIONS } from './guardHost';

const CORE_FUNCTIONS = bash`
# Seconds between SIGTERM and SIGKILL when stopping a job.
STOP_GRACE=5

iso_now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

# put FILE TEXT: readers never see half a file.
put() { printf '%s\n' "$2" > "$1.tmp.$$" && mv -f -- "$1.tmp.$$" "$1"; }

# sq TEXT: single-quoted for sh, bash, zsh and fish (tmux runs its command with the user's shell).
sq() { printf "'%s'" "$\{1//\'/\'\\\'\'}"; }

# end_line FILE: our marker lines start on a line of their own, even after "printf partial".
end_line() { if [ -s "$1" ] && [ -n "$(tail -c 1 "$1")" ]; then printf '\n' >> "$1"; fi; }

# finish DIR STATUS: the one writer of the final "[EXIT: N]" line. Whoever creates exit.claim
# first (O_EXCL) writes it: the runner, or stop when the runner is gone. The exit marker comes
# last, so a reader that sees it knows run.log is complete.
finish() {
  local d=$1 st=$2
  ( set -o noclobber; : > "$d/exit.claim" ) 2>/dev/null || return 0
  end_line "$d/run.log"
  printf '[EXIT: %s]\n' "$st" >> "$d/run.log"
  put "$d/ended" "$(iso_now)"
  put "$d/exit" "$st"
  # The notice outlives the session: HUP is ignored before the fork (the pane may close before
  # the child reaches setsid), and the job has ended anyway.
  if [ -f "$d/notify" ]; then
    trap '' HUP
    setsid bash "$LIB" notify "$d" </dev/null >/dev/null 2>&1 8>&- &
  fi
  return 0
}

# runner DIR: runs inside the job's tmux session. The command gets its own session (setsid) so
# stop can signal its whole process group while tee and the runner live on to record the
# command's own status (PIPESTATUS, not tee's).
runner() {
  local d=$1 wd st wdog="" tries=0 attempt=1
  printf '%s\n' "$$" > "$d/runner.pid"
  export PYTHONUNBUFFERED=1
  wd=$(cat "$d/workdir")
  if [ -s "$d/max-parallel" ]; then wait_for_slot "$d"; fi
  if [ -e "$d/stopped" ]; then finish "$d" 143; return; fi
  put "$d/started" "$(iso_now)"
  if [ -s "$d/max-seconds" ]; then
    # The watchdog lives on the host, so max-hours holds while the laptop sleeps.
    (
      trap '' HUP
      trap 'kill "$sp" 2>/dev/null; exit 0' TERM
      sleep "$(cat "$d/max-seconds")" & sp=$!
      wait "$sp"
      [ -e "$d/exit.claim" ] || bash "$LIB" stop "$d" "stopped after max-hours"
    ) 8>&- &
    wdog=$!
  fi
  if cd -- "$wd"; then
    # The commit before the job, for a later rollback (guardrail L3).
    git rev-parse HEAD > "$d/git-head" 2>/dev/null || rm -f -- "$d/git-head"
    # --retries: a failed attempt runs again (not after a stop, and not when the retry rules say
    # a retry cannot help); all attempts stay in run.log, each but the last closed by a
    # "[RETRY: ...]" line, so only the final line says "[EXIT:". Each attempt is also kept alone
    # in attempt-K.log.
    read -r tries 2>/dev/null < "$d/retries"
    case $tries in ''|*[!0-9]*) tries=0 ;; esac
    while :; do
      put "$d/attempt" "$attempt"
      run_attempt "$d" "$attempt"
      st=$ATTEMPT_STATUS
      [ "$st" = 0 ] || [ -e "$d/stopped" ] || [ "$attempt" -gt "$tries" ] && break
      retry_allowed "$d" "$st" "$attempt" || break
      attempt=$((attempt + 1))
      end_line "$d/run.log"
      printf '[RETRY: exit %s; attempt %s of %s]\n' "$st" "$attempt" "$((tries + 1))" | tee -a "$d/run.log"
      retry_pause "$d" "$((attempt - 1))"
      [ -e "$d/stopped" ] && break
      if [ -e "$d/rollback-on-retry" ]; then retry_reset "$d"; fi
    done
  else
    printf 'orch: cannot enter the workdir %s\n' "$wd" | tee -a "$d/run.log"
    st=1
  fi
  if [ -n "$wdog" ]; then kill "$wdog" 2>/dev/null; fi
  finish "$d" "$st"
  printf '[EXIT: %s]\n' "$st"
}

# run_attempt DIR K: one run of the command, output to the pane, run.log and attempt-K.log (and,
# with stop-on-match, to the L1 watcher); sets ATTEMPT_STATUS to the command's own status.
run_attempt() {
  local d=$1 k=$2 base i
  : > "$d/attempt-$k.log"
  if [ -s "$d/watch-patterns" ] && [ -e "$d/stop-on-match" ]; then
    base=$(wc -l < "$d/run.log")
    rm -f -- "$d/watch.done"
    setsid bash -c 'printf "%s\n" "$$" > "$1/cmd.pid"; exec bash -l "$1/cmd.sh"' orch-job "$d" 2>&1 8>&- |
      tee -a "$d/run.log" "$d/attempt-$k.log" >(exec 8>&-; l1_watch "$d" "$base")
    ATTEMPT_STATUS=$\{PIPESTATUS[0]}
    # The watcher decides before the runner does (a match on the last line still stops the job).
    for ((i = 0; i < 50; i++)); do [ -e "$d/watch.done" ] && break; sleep 0.1; done
  else
    setsid bash -c 'printf "%s\n" "$$" > "$1/cmd.pid"; exec bash -l "$1/cmd.sh"' orch-job "$d" 2>&1 8>&- |
      tee -a "$d/run.log" "$d/attempt-$k.log"
    ATTEMPT_STATUS=$\{PIPESTATUS[0]}
  fi
}

# stop DIR REASON: marks the job stopped, TERMs the command's process group, KILLs it after
# STOP_GRACE seconds, makes sure "[EXIT: N]" ends run.log exactly once, then ends the session.
stop() {
  local d=$1 reason=$2 n=$\{1##*/} pg="" rp="" i
  [ -e "$d/exit.claim" ] && return 0
  read -r rp 2>/dev/null < "$d/runner.pid"
  # A runner that is gone with its session has ended (FAILED): nothing to stop.
  if [ -n "$rp" ] && ! kill -0 "$rp" 2>/dev/null && ! tmux has-session -t "=$n" 2>/dev/null; then return 0; fi
  [ -e "$d/stopped" ] || put "$d/stopped" "$reason"
  read -r pg 2>/dev/null < "$d/cmd.pid"
  if [ -n "$pg" ] && kill -TERM -- "-$pg" 2>/dev/null; then
    for ((i = 0; i < STOP_GRACE * 10; i++)); do
      kill -0 -- "-$pg" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$pg" 2>/dev/null
    # The runner writes the exit line once the command is gone.
    for ((i = 0; i < 50; i++)); do [ -e "$d/exit" ] && break; sleep 0.1; done
  elif [ -n "$pg" ] && [ -n "$rp" ] && kill -0 "$rp" 2>/dev/null; then
    # The command has just ended on its own: let the runner record its own status (it may
    # also be pausing between retries, then it writes nothing and we end the job below).
    for ((i = 0; i < 10; i++)); do [ -e "$d/exit" ] && break; sleep 0.1; done
  fi
  finish "$d" 143
  tmux kill-session -t "=$n" 2>/dev/null
  # A command the runner started at the last moment (it was queued) goes too.
  if [ -z "$pg" ] && read -r pg 2>/dev/null < "$d/cmd.pid"; then kill -KILL -- "-$pg" 2>/dev/null; fi
  return 0
}
`;

const DISPATCH = bash`
LIB=$0
fn=$1
shift
case $fn in
  runner|stop|notify|notify_summary|prune|cron_install|git_check|git_reset) "$fn" "$@" ;;
  *) printf 'orch host library: unknown function %s\n' "$fn" >&2; exit 2 ;;
esac
`;

export const HOST_LIB =
  '#!/usr/bin/env bash\n# orch host library (generated by the orch engine; do not edit).\n' +
  CORE_FUNCTIONS +
  SLOT_FUNCTIONS +
  GUARD_FUNCTIONS +
  NOTIFY_FUNCTIONS +
  RETENTION_FUNCTIONS +
  DISPATCH;

/** File name of this library version under `<log root>/.orch/`. */
export const HOST_LIB_NAME = `lib-${createHash('sha256').update(HOST_LIB).digest('hex').slice(0, 12)}.sh`;
