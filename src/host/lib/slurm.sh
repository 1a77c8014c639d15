# shellcheck shell=bash
# Slurm hosts (PRODUCT.md §8). A job is a batch job whose script (slurm_batch) runs THE SAME
# runner as a tmux job, in a tmux session named as the job on a tmux server of the job's own
# inside the allocation, so the job dir on the shared file system holds the same files. On the
# login node a job is alive while Slurm still has it in an active state (the runner's pid is on
# another node); the queue is read once per call (squeue of this user's jobs).

# AWS ParallelCluster puts the Slurm commands in /opt/slurm/bin, on the PATH of login shells only.
case :$PATH: in *:/opt/slurm/bin:*) ;; *) [ ! -d /opt/slurm/bin ] || PATH=$PATH:/opt/slurm/bin ;; esac

# The states in which a job still holds or waits for its allocation.
SLURM_ACTIVE=' PENDING CONFIGURING RUNNING COMPLETING SUSPENDED REQUEUED REQUEUE_HOLD REQUEUE_FED RESIZING SIGNALING STAGE_OUT '

# slurm_queue: this user's jobs (also those that ended within MinJobAge) as "\nID STATE\n..." in
# SLURM_Q, one squeue per call; SLURM_Q_OK=0 when squeue failed (then nothing counts as gone),
# with its last line in SLURM_Q_ERR.
slurm_queue() {
  local q
  SLURM_Q_OK=1
  # A controller that does not answer makes squeue retry for a long time: give up sooner.
  # shellcheck disable=SC2034 # SLURM_Q_ERR is what ops/slurm-list.sh reports
  q=$(timeout 20 squeue --me -h -t all -o '%i %T' 2>&1) || { SLURM_Q_OK=0; SLURM_Q_ERR=${q##*$'\n'}; q=""; }
  SLURM_Q=$'\n'$q$'\n'
  SLURM_Q_AT=$SECONDS
}

# slurm_state VAR ID: the job's state in SLURM_Q ('' when Slurm no longer lists it).
slurm_state() {
  local _r=${SLURM_Q#*$'\n'"$2" }
  if [ "$_r" = "$SLURM_Q" ]; then printf -v "$1" '%s' ''; else printf -v "$1" '%s' "${_r%%$'\n'*}"; fi
}

# slurm_alive DIR: 0 Slurm still has the job in an active state (or cannot be asked), 1 not.
# A follow asks at most every 5 s.
slurm_alive() {
  local id="" s
  read -r id 2>/dev/null < "$1/slurm-job-id"
  [ -n "$id" ] || return 1
  if [ -z "${SLURM_Q_AT:-}" ] || [ $((SECONDS - SLURM_Q_AT)) -ge 5 ]; then slurm_queue; fi
  [ "$SLURM_Q_OK" = 1 ] || return 0
  slurm_state s "$id"
  case $SLURM_ACTIVE in *" $s "*) return 0 ;; esac
  return 1
}

# slurm_emit DIR: the job's record (as emit) and its Slurm fields (slurm_fields).
slurm_emit() { emit "$1"; slurm_fields "$1"; }

# slurm_fields DIR: the rest of a job's record on a Slurm host: its Slurm id and state now
# ("squeue", '' when Slurm no longer has it); a state that ended the job is kept in the file
# slurm-state, since Slurm forgets it after MinJobAge.
slurm_fields() {
  local d=$1 id="" s=""
  read -r id 2>/dev/null < "$d/slurm-job-id"
  [ -z "$id" ] || slurm_state s "$id"
  printf 'squeue\0%s\0' "$s"
  [ -n "$id" ] || return 0
  printf 'slurm-job-id\0%s\0' "$id"
  case $s in ''|*' '*) ;; *)
    case $SLURM_ACTIVE in *" $s "*) ;; *) [ -e "$d/slurm-state" ] || put "$d/slurm-state" "$s" ;; esac ;;
  esac
  if [ -f "$d/slurm-state" ]; then IFS= read -r -d '' s < "$d/slurm-state"; printf 'slurm-state\0%s\0' "$s"; fi
}

# slurm_tmux_dir: the job's own tmux server, so jobs sharing a node (and a user's own tmux) never
# share one, and ending one allocation never takes another job's session with it.
slurm_tmux_dir() { printf '/tmp/orch-slurm-%s' "$SLURM_JOB_ID"; }

# slurm_batch DIR: the batch script's body, on the allocation's first node. Starts the runner in
# a tmux session named as the job and waits for it. Slurm's SIGTERM (scancel, the time limit,
# preemption) goes through stop, so "[EXIT: N]" still ends run.log; KillWait must exceed STOP_GRACE.
slurm_batch() {
  local d=$1 n=${1##*/} wd="" err t
  # The tmux server (and so the runner) must start with the user's umask: orch's own one only here.
  ( private_mode "${d%/*}"; umask "$UMASK_ORCH"; put "$d/slurm-job-id" "$SLURM_JOB_ID" )
  t=$(slurm_tmux_dir)
  mkdir -m 700 -- "$t" 2>/dev/null || [ -O "$t" ] || { slurm_batch_fail "$d" "cannot make the tmux dir $t"; return 1; }
  export TMUX_TMPDIR=$t
  unset TMUX
  read -r wd < "$d/workdir"
  trap 'slurm_term "$d"' TERM
  if ! command -v tmux >/dev/null 2>&1; then slurm_batch_fail "$d" "tmux is not installed on $HOSTNAME"; return 1; fi
  if ! err=$(tmux new-session -d -s "$n" -c "$wd" "bash $(sq "$LIB") runner $(sq "$d")" 2>&1); then
    slurm_batch_fail "$d" "cannot start tmux on $HOSTNAME: $err"
    return 1
  fi
  # `wait` returns at once when a signal arrives, so the trap runs without waiting for sleep.
  while tmux has-session -t "=$n" 2>/dev/null; do sleep 1 & wait $!; done
  # A notice posted by the runner is still on its way: the allocation (and its processes) ends
  # with this script.
  for ((t = 0; t < 20; t++)); do pgrep -u "$UID" -f "notify $d\$" >/dev/null 2>&1 || break; sleep 1; done
  rm -rf -- "$(slurm_tmux_dir)"
}

# slurm_batch_fail DIR TEXT: the job could not start inside its allocation; said in run.log.
slurm_batch_fail() {
  ( private_mode "${1%/*}"; umask "$UMASK_ORCH"; end_line "$1/run.log"; printf 'orch: %s\n' "$2" >> "$1/run.log"; finish "$1" 1 )
}

# slurm_term DIR: Slurm is ending the job. orch stop said why already; past the time limit the
# reason names it (as --max-hours does on tmux hosts); else Slurm's signal is the reason.
slurm_term() {
  local d=$1 r="" why
  trap '' TERM
  if [ ! -e "$d/stopped" ]; then
    r=$(timeout 5 squeue -h -j "$SLURM_JOB_ID" -o '%r %l' 2>/dev/null)
    case $r in
      TimeLimit\ *) why="stopped at its Slurm time limit (${r#* }, TIMEOUT)" ;;
      *) why="stopped by Slurm (signal TERM)" ;;
    esac
    ( private_mode "${d%/*}"; umask "$UMASK_ORCH"; put "$d/stopped" "$why" )
  fi
  bash "$LIB" stop "$d" "stopped by Slurm"
  rm -rf -- "$(slurm_tmux_dir)"
  exit 143
}

# slurm_cancel REASON DIR...: stops these jobs at once: each is marked stopped (so none starts),
# one scancel cancels them all, then each ends as its batch script's trap finishes it; a job
# that never started (it was PENDING) or whose trap never came is finished here.
slurm_cancel() {
  local reason=$1 d id ids=() i left
  shift
  for d in "$@"; do
    [ -e "$d/stopped" ] || put "$d/stopped" "$reason"
    # A job still being submitted gets its Slurm id in a moment.
    for ((i = 0; i < 50; i++)); do [ -s "$d/slurm-job-id" ] && break; sleep 0.1; done
    id=""; read -r id 2>/dev/null < "$d/slurm-job-id"
    [ -n "$id" ] && ids+=("$id")
  done
  [ ${#ids[@]} -eq 0 ] || scancel -- "${ids[@]}" 2>/dev/null
  for ((i = 0; i < (STOP_GRACE + 10) * 10; i++)); do
    left=0
    for d in "$@"; do
      [ -e "$d/exit" ] && continue
      # Never started: nothing will write its exit line.
      if [ ! -e "$d/runner.pid" ] && [ $i -ge 10 ]; then finish "$d" 143; continue; fi
      left=1
    done
    [ $left = 0 ] && break
    sleep 0.1
  done
  for d in "$@"; do finish "$d" 143; done
}
