# shellcheck shell=bash
# The runner: runs inside the job's tmux session (`bash LIB runner DIR`) and owns the job from
# start to "[EXIT: N]": the parallel slot, max-hours, the attempts of --retries, the exit line.

# finish DIR STATUS: the one writer of the final "[EXIT: N]" line. Whoever creates exit.claim
# first (O_EXCL) writes it: the runner, or stop when the runner is gone. The exit marker comes
# last, so a reader that sees it knows run.log is complete.
finish() {
  local d=$1 st=$2
  ( set -o noclobber; : > "$d/exit.claim" ) 2>/dev/null || return 0
  secrets_drop "$d"
  end_line "$d/run.log"
  printf '[EXIT: %s]\n' "$st" >> "$d/run.log"
  put "$d/ended" "$(iso_now)"
  put "$d/exit" "$st"
  release_leases "$d"
  # The notice outlives the session: HUP is ignored before the fork (the pane may close before
  # the child reaches setsid), and the job has ended anyway.
  if [ -f "$d/notify" ]; then
    trap '' HUP
    setsid bash "$LIB" notify "$d" </dev/null >/dev/null 2>&1 8>&- &
  fi
  return 0
}

# runner DIR. The command gets its own session (setsid) so stop can signal its whole process
# group while tee and the runner live on to record the command's own status (PIPESTATUS).
# The command runs with the user's umask; orch's own files get the private one.
runner() {
  local d=$1 wd st wdog="" tries=0 attempt=1
  ORCH_USER_UMASK=$(umask)
  private_mode "${d%/*}"
  umask "$UMASK_ORCH"
  printf '%s\n' "$$" > "$d/runner.pid"
  export PYTHONUNBUFFERED=1
  wd=$(cat "$d/workdir")
  if [ -s "$d/max-parallel" ] || [ -s "$d/gpus-wanted" ]; then wait_for_slot "$d"; fi
  if [ -e "$d/stopped" ]; then finish "$d" 143; return; fi
  if [ -s "$d/gpus" ]; then
    read -r CUDA_VISIBLE_DEVICES < "$d/gpus"
    ORCH_GPUS=$CUDA_VISIBLE_DEVICES
    export CUDA_VISIBLE_DEVICES ORCH_GPUS
  fi
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
    # "[RETRY: ...]" line, so only the final line says "[EXIT:". Each attempt is a byte range of
    # run.log (the file "attempts"), not a second copy.
    read -r tries 2>/dev/null < "$d/retries"
    case $tries in ''|*[!0-9]*) tries=0 ;; esac
    ATTEMPTS=""
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

# run_attempt DIR K: one run of the command, output to the pane and run.log (and, with
# stop-on-match, to the L1 watcher); sets ATTEMPT_STATUS to the command's own status and records
# the attempt's byte range in "attempts" ("K START END" per line; END empty while it runs).
run_attempt() {
  local d=$1 k=$2 base i start end
  file_size start "$d/run.log"
  put "$d/attempts" "$ATTEMPTS$k $start"
  if [ -s "$d/watch-patterns" ] && [ -e "$d/stop-on-match" ]; then
    base=$(wc -l < "$d/run.log")
    rm -f -- "$d/watch.done"
    start_command "$d" 2>&1 8>&- | tee -a "$d/run.log" >(exec 8>&-; l1_watch "$d" "$base")
    ATTEMPT_STATUS=${PIPESTATUS[0]}
    # The watcher decides before the runner does (a match on the last line still stops the job).
    for ((i = 0; i < 50; i++)); do [ -e "$d/watch.done" ] && break; sleep 0.1; done
  else
    start_command "$d" 2>&1 8>&- | tee -a "$d/run.log"
    ATTEMPT_STATUS=${PIPESTATUS[0]}
  fi
  file_size end "$d/run.log"
  ATTEMPTS+="$k $start $end"$'\n'
  put "$d/attempts" "${ATTEMPTS%$'\n'}"
}

# start_command DIR: the job's command in a session of its own (its pid is the process group
# stop signals), in a login bash, with the user's umask. Only as the head of a pipeline: it execs,
# so no shell of ours stays in between to print "Terminated" when the command is stopped.
start_command() {
  secrets_export "$1"
  # shellcheck disable=SC2016 # the inner bash expands these, not this one
  exec setsid bash -c 'printf "%s\n" "$$" > "$1/cmd.pid"; umask "$2"; exec bash -l "$1/cmd.sh"' orch-job "$1" "$ORCH_USER_UMASK"
}

# attempt_range VAR DIR K: "START END" of attempt K in run.log (END '' while it runs); 1 when
# the job has no such attempt.
attempt_range() {
  local _k _s _e _found=1
  printf -v "$1" '%s' ""
  while read -r _k _s _e; do
    if [ "$_k" = "$3" ]; then printf -v "$1" '%s %s' "$_s" "$_e"; _found=0; fi
  done 2>/dev/null < "$2/attempts"
  return $_found
}

# attempt_text DIR K: the bytes of attempt K, on stdout.
attempt_text() {
  local r s e
  attempt_range r "$1" "$2" || return 1
  s=${r%% *}; e=${r#* }
  if [ -n "$e" ]; then tail -c "+$((s + 1))" -- "$1/run.log" | head -c "$((e - s))"
  else tail -c "+$((s + 1))" -- "$1/run.log"
  fi
}
