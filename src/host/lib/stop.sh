# shellcheck shell=bash
# Stopping a job (orch stop, stop --all, max-hours, guardrail L1): always through stop, so
# "[EXIT: N]" ends run.log exactly once whoever gets there first.

# Seconds between SIGTERM and SIGKILL when stopping a job.
STOP_GRACE=5

# stop DIR REASON: marks the job stopped, TERMs the command's process group, KILLs it after
# STOP_GRACE seconds, makes sure "[EXIT: N]" ends run.log exactly once, then ends the session.
stop() {
  local d=$1 reason=$2 n=${1##*/} pg="" rp="" i st=0
  [ -e "$d/exit.claim" ] && return 0
  # A runner that is gone with its session has ended (FAILED): nothing to stop.
  runner_lives "$d" || st=$?
  if [ "$st" = 1 ] && ! session_exists "$n"; then secrets_drop "$d"; return 0; fi
  [ -e "$d/stopped" ] || put "$d/stopped" "$reason"
  read -r rp 2>/dev/null < "$d/runner.pid"
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
