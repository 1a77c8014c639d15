# shellcheck shell=bash
# op_run: creates the job dir and its files, then the tmux session running the runner, and
# prints the job's record once the runner has said QUEUED or RUNNING (or already ended). The
# command text is the rest of stdin. Nothing is half-started: on any failure the new dir is
# removed and a renamed old log is put back; the tmux session is the last thing created.
op_run() {
  local name=$F_NAME orch=$F_ROOT/.orch d prev="" err t i user_umask workdir out="" owner locked=""
  run_fail() { printf '%s\n' "$2" >&2; exit "$1"; }
  valid_name "$name" || run_fail "$X_BAD_NAME" "invalid job name"
  abs_path workdir "$F_WORKDIR"
  case $F_OUTPUT_DIR in
    '') ;;
    /*) norm_path out "$F_OUTPUT_DIR" ;;
    '~'|\~/*) abs_path out "$F_OUTPUT_DIR"; norm_path out "$out" ;;
    *) norm_path out "$workdir/$F_OUTPUT_DIR" ;;
  esac
  command -v tmux >/dev/null 2>&1 || exit "$X_NO_TMUX"
  # --cloudwatch ships from this box with its own AWS CLI: without one nothing starts.
  local aws=""
  if [ -n "$F_CLOUDWATCH" ]; then aws=$(command -v aws 2>/dev/null) || exit "$X_NO_AWS"; fi
  unset TMUX
  tmux has-session -t "=$name" 2>/dev/null && exit "$X_RUNNING"
  local inv=""
  if [ -n "$F_GPUS" ]; then
    # The inventory: the host's declared gpus, else what the driver lists (0 without one).
    inv=$F_GPU_INVENTORY
    [ -n "$inv" ] || inv=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
    [ "$F_GPUS" -le "${inv:-0}" ] || run_fail "$X_TOO_MANY_GPUS" "${inv:-0}"
  fi
  user_umask=$(umask)
  if [ "$F_LOG_MODE" = group ]; then : > "$orch/group-readable"; else rm -f -- "$orch/group-readable"; fi
  private_mode "$F_ROOT"
  umask "$UMASK_ORCH"
  # An existing wider log root is tightened (PRODUCT.md §10).
  chmod "$DIR_MODE" -- "$F_ROOT" "$orch" 2>/dev/null
  store_hook "$orch" "$F_HOOK" || run_fail "$X_WRITE_FAILED" "cannot write $orch/slack-webhook"
  # Held until this job's output-dir file is written (outputs.sh).
  if [ -n "$out" ]; then
    lock_take "$orch/output-dirs.lock" || run_fail "$X_WRITE_FAILED" "cannot lock $orch/output-dirs.lock"
    locked=1
    if owner=$(output_owner "$F_ROOT" "$out" "$name"); then run_fail "$X_OUTPUT_OWNED" "$owner"$'\n'"$out"; fi
  fi
  d=$F_ROOT/$name
  if [ -e "$d" ]; then
    [ "$F_FORCE" = 1 ] || run_fail "$X_LOG_EXISTS" "$d"
    TZ=UTC0 printf -v prev '%s.prev-%(%Y%m%d-%H%M%S)T' "$d" -1
    [ -e "$prev" ] && prev=$prev-$$
    mv -- "$d" "$prev" || run_fail "$X_WRITE_FAILED" "cannot rename the old log dir $d"
  fi
  if ! mkdir -- "$d" 2>/dev/null; then
    [ -n "$prev" ] && mv -- "$prev" "$d"
    run_fail "$X_LOG_EXISTS" "$d"
  fi
  run_undo() { rm -rf -- "$d"; if [ -n "$prev" ]; then mv -- "$prev" "$d"; fi; }
  if ! err=$( { cat > "$d/cmd.sh" &&
    printf '%s\n' "$F_META" > "$d/meta.json" &&
    printf '%s\n' "$workdir" > "$d/workdir" &&
    printf '%(%s)T\n' -1 > "$d/created" &&
    : > "$d/run.log" &&
    { [ -z "$F_MAXSEC" ] || printf '%s\n' "$F_MAXSEC" > "$d/max-seconds"; } &&
    { [ -z "$F_MAXPAR" ] || printf '%s\n' "$F_MAXPAR" > "$d/max-parallel"; } &&
    { [ -z "$F_GPUS" ] || { printf '%s\n' "$F_GPUS" > "$d/gpus-wanted" && printf '%s\n' "$inv" > "$d/gpu-inventory"; }; } &&
    { [ -z "$F_RETRIES" ] || { printf '%s\n' "$F_RETRIES" > "$d/retries" &&
      printf '%s\n' "$F_BACKOFF" > "$d/retry-backoff" &&
      printf '%s\n' "$F_RETRY_EXIT" > "$d/retry-exit" &&
      printf '%s' "$F_NO_RETRY" > "$d/no-retry-patterns" &&
      { [ "$F_ROLLBACK_ON_RETRY" != 1 ] || : > "$d/rollback-on-retry"; }; }; } &&
    { [ "$F_STOP_ON_MATCH" != 1 ] || { printf '%s' "$F_WATCH" > "$d/watch-patterns" && : > "$d/stop-on-match"; }; } &&
    { [ -z "$F_HOOK" ] || : > "$d/notify"; } &&
    { [ -z "$out" ] || printf '%s\n' "$out" > "$d/output-dir"; } &&
    { [ -z "$aws" ] || cloudwatch_files "$d" "$name" "$F_CLOUDWATCH" "$aws"; } &&
    secrets_store "$d" "$F_ENV"; } 2>&1 ); then
    run_undo
    run_fail "$X_WRITE_FAILED" "cannot write the job files in $d: ${err##*: }"
  fi
  [ -z "$locked" ] || lock_drop "$orch/output-dirs.lock"
  # The workdir is the user's, made with the user's umask.
  umask "$user_umask"
  mkdir -p -- "$workdir" || { run_undo; run_fail "$X_WRITE_FAILED" "cannot create the workdir $workdir"; }
  "${RUN_START:-start_tmux}" "$name" "$workdir" "$d" || { t=$?; run_undo; exit "$t"; }
  umask "$UMASK_ORCH"
  # Started from this call, not from the tmux session: it has the environment of the SSH login
  # (a tmux server started earlier keeps its own), so the box's AWS settings reach it.
  [ -z "$aws" ] || cloudwatch_start "$d"
  # Resolve once the runner has said QUEUED or RUNNING (or already ended).
  for ((i = 0; i < 100; i++)); do
    [ -e "$d/started" ] || [ -e "$d/queued" ] || [ -e "$d/exit" ] || [ -e "$d/slurm-job-id" ] && break
    sleep 0.05
  done
  if [ -n "$F_DAYS" ]; then
    bash "$LIB" cron_install "$F_ROOT" "$F_DAYS" || bash "$LIB" prune "$F_ROOT" "$F_DAYS"
  fi
  # The idle check follows the client's configuration: installed, updated or removed (autostop.sh).
  autostop_apply "$F_ROOT" "${F_IDLE%%$'\n'*}" "${F_IDLE#*$'\n'}" || :
  header "$F_ROOT"
  emit "$d"
  return 0
}

# start_tmux NAME WORKDIR DIR: the tmux session running the runner (the last thing op_run
# creates; a Slurm host submits a batch job instead, ops/slurm-run.sh).
start_tmux() {
  local name=$1 workdir=$2 d=$3 err t
  # A tmux server whose last session just ended is exiting for a moment and drops new clients
  # ("server exited unexpectedly"): several short jobs started at once meet it. Try again then,
  # unless the session came to be after all.
  for ((t = 0; ; t++)); do
    err=$(tmux new-session -d -s "$name" -c "$workdir" "bash $(sq "$LIB") runner $(sq "$d")" 2>&1) && return 0
    tmux has-session -t "=$name" 2>/dev/null && return 0
    case $err in
      *'server exited'*|*'lost server'*|*'no server running'*|*'error connecting'*) [ "$t" -lt 5 ] && { sleep 0.1; continue; } ;;
    esac
    printf '%s\n' "$err" >&2
    return "$X_TMUX_FAILED"
  done
}
