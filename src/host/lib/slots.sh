# shellcheck shell=bash
# The host queue: the parallel limit (ORCH_MAX_PARALLEL) and GPU slots (--gpus N). A job that
# cannot start yet waits as QUEUED in its tmux session, first come first served across both.
# Parallel slots are flock locks on <log root>/.orch/slots/N, held on fd 8 by the runner, so the
# kernel frees them with the runner. GPU indices are leases, <log root>/.orch/gpus/I holding the
# job dir, taken under one lock; a lease whose job is not alive (ended, stopped, runner dead) is
# free, so no index leaks after a crash, and finish gives them back at once.

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

# take_parallel_slot DIR MAX: a free slot on fd 8, or 1.
take_parallel_slot() {
  local slots=${1%/*}/.orch/slots i
  mkdir -p -- "$slots"
  for ((i = 1; i <= $2; i++)); do
    exec 8>>"$slots/$i"
    if flock -n 8; then return 0; fi
    exec 8>&-
  done
  return 1
}

# take_gpus DIR N INVENTORY: leases N free GPU indices for the job and writes them, comma
# separated, to DIR/gpus; 1 when fewer are free.
take_gpus() {
  local d=$1 n=$2 inv=$3 gdir=${1%/*}/.orch/gpus
  mkdir -p -- "$gdir"
  (
    flock -w 10 9 || exit 1
    local i holder free=()
    for ((i = 0; i < inv && ${#free[@]} < n; i++)); do
      holder=""
      read -r holder 2>/dev/null < "$gdir/$i"
      if [ -z "$holder" ] || [ "$holder" = "$d" ] || ! job_alive "$holder"; then free+=("$i"); fi
    done
    [ ${#free[@]} -ge "$n" ] || exit 1
    for i in "${free[@]}"; do put "$gdir/$i" "$d" || exit 1; done
    local IFS=,
    put "$d/gpus" "${free[*]}"
  ) 9>>"$gdir/.lock"
}

# release_gpus DIR: gives back the job's GPU leases (the ones still naming it).
release_gpus() {
  local d=$1 gdir=${1%/*}/.orch/gpus i holder
  [ -s "$d/gpus" ] || return 0
  read -r i 2>/dev/null < "$d/gpus"
  for i in ${i//,/ }; do
    holder=""
    read -r holder 2>/dev/null < "$gdir/$i"
    [ "$holder" = "$d" ] && rm -f -- "$gdir/$i"
  done
  return 0
}

# wait_for_slot DIR: marks the job queued (with a ticket) and returns once it holds a parallel
# slot (fd 8, when max-parallel is set) and its GPUs (when gpus-wanted is), or was stopped.
wait_for_slot() {
  local d=$1 root=${1%/*} max="" want="" inv=0 t
  read -r max 2>/dev/null < "$d/max-parallel"
  read -r want 2>/dev/null < "$d/gpus-wanted"
  read -r inv 2>/dev/null < "$d/gpu-inventory"
  case $max in *[!0-9]*|0) max="" ;; esac
  case $want in *[!0-9]*|0) want="" ;; esac
  [ -n "$max$want" ] || return 0
  t=$(date +%s%N)
  put "$d/queued" "$t"
  while :; do
    if ! older_waiting "$root" "$d" "$t"; then
      if [ -z "$max" ] || take_parallel_slot "$d" "$max"; then
        if [ -z "$want" ] || take_gpus "$d" "$want" "${inv:-0}"; then rm -f -- "$d/queued"; return 0; fi
        [ -z "$max" ] || exec 8>&-
      fi
    fi
    [ -e "$d/stopped" ] && return 0
    sleep 0.3
  done
}
