# shellcheck shell=bash
# The host queue: the parallel limit (ORCH_MAX_PARALLEL) and GPU slots (--gpus N). A job that
# cannot start yet waits as QUEUED in its tmux session, first come first served across both.
# A parallel slot and a GPU index are leases: <log root>/.orch/slots/I and .orch/gpus/I hold
# the dir of the job that has them, taken together under one lock. A lease whose job is not
# alive (ended, stopped, its runner dead even by kill -9) is free, so nothing leaks after a
# crash, and finish gives them back at once.

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

# free_leases VAR DIR KIND N COUNT: sets VAR to N free indices of KIND (slots 1..COUNT, gpus
# 0..COUNT-1), space separated; 1 when fewer are free.
free_leases() {
  local _d=$2 _dir=${2%/*}/.orch/$3 _n=$4 _i _h _first=0 _free=()
  [ "$3" = gpus ] || _first=1
  for ((_i = _first; _i < _first + $5 && ${#_free[@]} < _n; _i++)); do
    _h=""
    read -r _h 2>/dev/null < "$_dir/$_i"
    if [ -z "$_h" ] || [ "$_h" = "$_d" ] || ! job_alive "$_h"; then _free+=("$_i"); fi
  done
  printf -v "$1" '%s' "${_free[*]}"
  [ ${#_free[@]} -ge "$_n" ]
}

# take_leases DIR MAX WANT INVENTORY: under the queue lock, a parallel slot (MAX set) and WANT
# GPUs (WANT set) for the job, all or nothing; the GPU indices go to DIR/gpus ("0,2").
take_leases() {
  local d=$1 orch=${1%/*}/.orch slot="" gpus="" i
  if [ -n "$2" ]; then free_leases slot "$d" slots 1 "$2" || return 1; fi
  if [ -n "$3" ]; then free_leases gpus "$d" gpus "$3" "$4" || return 1; fi
  for i in $slot; do put "$orch/slots/$i" "$d" || return 1; done
  for i in $gpus; do put "$orch/gpus/$i" "$d" || return 1; done
  if [ -n "$gpus" ]; then put "$d/gpus" "${gpus// /,}" || return 1; fi
  return 0
}

# release_leases DIR: gives back the job's slot and GPUs (the leases still naming it).
release_leases() {
  local d=$1 f h=""
  for f in "${1%/*}"/.orch/slots/* "${1%/*}"/.orch/gpus/*; do
    [ -f "$f" ] || continue
    read -r h 2>/dev/null < "$f"
    if [ "$h" = "$d" ]; then rm -f -- "$f"; fi
  done
  return 0
}

# wait_for_slot DIR: marks the job queued (with a ticket) and returns once it holds a parallel
# slot (when max-parallel is set) and its GPUs (when gpus-wanted is), or was stopped.
wait_for_slot() {
  local d=$1 root=${1%/*} max="" want="" inv=0 t
  read -r max 2>/dev/null < "$d/max-parallel"
  read -r want 2>/dev/null < "$d/gpus-wanted"
  read -r inv 2>/dev/null < "$d/gpu-inventory"
  case $max in *[!0-9]*|0) max="" ;; esac
  case $want in *[!0-9]*|0) want="" ;; esac
  [ -n "$max$want" ] || return 0
  mkdir -p -- "$root/.orch/slots" "$root/.orch/gpus"
  ticket t
  # A job that gets its leases at once is never QUEUED (run answers RUNNING, not a passing QUEUED).
  while :; do
    if ! older_waiting "$root" "$d" "$t" &&
      with_lock "$root/.orch/queue.lock" take_leases "$d" "$max" "$want" "${inv:-0}"; then
      rm -f -- "$d/queued"
      return 0
    fi
    [ -e "$d/queued" ] || put "$d/queued" "$t"
    [ -e "$d/stopped" ] && return 0
    sleep 0.3
  done
}
