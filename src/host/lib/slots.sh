# shellcheck shell=bash
# The host-side parallel limit (ORCH_MAX_PARALLEL): a job beyond the limit waits as QUEUED in
# its tmux session until a slot is free. Slots are flock locks on <log root>/.orch/slots/N, so
# they hold across laptops and a stopped or crashed job never keeps one (the kernel releases a
# lock with its process). The runner keeps its slot on fd 8 until it exits.

# older_waiting ROOT DIR TICKET: is a live job with a smaller ticket still waiting (FIFO)?
older_waiting() {
  local q o t
  for q in "$1"/*/queued; do
    o=${q%/queued}
    if [ -f "$q" ] && [ "$o" != "$2" ] && read -r t 2>/dev/null < "$q" && [ -n "$t" ] && [ "$t" -lt "$3" ] &&
      job_alive "$o"; then
      return 0
    fi
  done
  return 1
}

# wait_for_slot DIR: marks the job queued (with a ticket) and returns holding a slot on fd 8.
wait_for_slot() {
  local d=$1 root=${1%/*} max i t slots
  read -r max 2>/dev/null < "$d/max-parallel"
  case $max in ''|*[!0-9]*|0) return 0 ;; esac
  slots=$root/.orch/slots
  mkdir -p -- "$slots"
  t=$(date +%s%N)
  put "$d/queued" "$t"
  while :; do
    if ! older_waiting "$root" "$d" "$t"; then
      for ((i = 1; i <= max; i++)); do
        exec 8>>"$slots/$i"
        if flock -n 8; then rm -f -- "$d/queued"; return 0; fi
        exec 8>&-
      done
    fi
    [ -e "$d/stopped" ] && return 0
    sleep 0.3
  done
}
