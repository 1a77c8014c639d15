/**
 * The scripts the engine sends to a host: each operation is ONE `target.exec(script, {stdin})`.
 * The scripts are constant; every piece of user data (log root, job name, command text, options)
 * arrives on stdin as NUL-terminated fields (the command text last, as the rest of stdin), so
 * nothing a user types is ever parsed as script. Job records go back the same way: NUL-separated
 * `key`, `value` pairs (parsed by records.ts).
 *
 * Exit codes the engine maps to user errors are in `HostExit`.
 */
import { bash } from './bashText';

export const HostExit = {
  notFound: 3,
  noTmux: 10,
  running: 11,
  logExists: 12,
  writeFailed: 13,
  tmuxFailed: 14,
  badName: 15,
  /** rollback: the job is still QUEUED, STARTING or RUNNING. */
  active: 16,
  /** rollback (git_target): no recorded commit, not a repository, not its top, commit gone, reset failed. */
  noCommit: 20,
  notRepo: 21,
  notTop: 22,
  changedCommit: 23,
  commitGone: 24,
  resetFailed: 25,
} as const;

const PRELUDE = bash`
set -u
field() { IFS= read -r -d '' "$1"; }
ALNUM=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789
# The job-name rule again (defence in depth), spelled out so no locale widens the ranges.
valid_name() {
  case $1 in ''|[!$ALNUM]*|*[!$ALNUM'_-']*) return 1 ;; esac
  [ $\{#1} -le 80 ]
}
# "~" and "~/x" mean the target user's home; a relative path is relative to it too.
# abs_path VAR PATH sets VAR (printf -v: no subshell, no fork).
abs_path() {
  case $2 in
    '~') printf -v "$1" '%s' "$HOME" ;;
    '~/'*) printf -v "$1" '%s/%s' "$HOME" "$\{2#'~/'}" ;;
    /*) printf -v "$1" '%s' "$2" ;;
    *) printf -v "$1" '%s/%s' "$HOME" "$2" ;;
  esac
}
sq() { printf "'%s'" "$\{1//\'/\'\\\'\'}"; }
sessions() { SESSIONS=$'\n'$(tmux ls -F '#{session_name}' 2>/dev/null)$'\n'; }
# Names whose runner was seen alive (runner_lives): as good as a session, and no tmux process.
RUNNERS=$'\n'
# runner_lives DIR: the job's runner process lives, read from /proc (no fork). False when
# unknown (no pid yet, no /proc, another program under that pid): then tmux is asked.
runner_lives() {
  local rp="" a i=0
  read -r rp 2>/dev/null < "$1/runner.pid"
  case $rp in ''|*[!0-9]*) return 1 ;; esac
  while IFS= read -r -d '' a; do
    i=$((i + 1))
    case $i in
      3) [ "$a" = runner ] || return 1 ;;
      4) [ "$\{a##*/}" = "$\{1##*/}" ]; return ;;
    esac
  done 2>/dev/null < "/proc/$rp/cmdline"
  return 1
}
# The clock without a fork: bash's own strftime.
header() { printf 'home\0%s\0root\0%s\0now\0%(%s)T\0' "$HOME" "$root" -1; }
# emit DIR: one job record; files are read with the read builtin (no process per job).
emit() {
  local d=$1 n=$\{1##*/} f v
  printf 'job\0%s\0' "$n"
  case $SESSIONS$RUNNERS in *$'\n'"$n"$'\n'*) printf 'alive\0\0' ;; esac
  for f in meta.json workdir created started ended exit stopped queued runner.pid attempt no-retry; do
    if [ -f "$d/$f" ]; then v=""; IFS= read -r -d '' v < "$d/$f"; printf '%s\0%s\0' "$f" "$v"; fi
  done
}
# store_hook: the webhook URL ($hook), 0600, written by printf (a builtin: never in any argv).
store_hook() {
  local cur=""
  [ -n "$hook" ] || return 0
  [ -f "$orch/slack-webhook" ] && IFS= read -r cur < "$orch/slack-webhook"
  [ "$cur" != "$hook" ] || return 0
  ( umask 077; printf '%s\n' "$hook" > "$orch/slack-webhook.tmp.$$" ) &&
    mv -f -- "$orch/slack-webhook.tmp.$$" "$orch/slack-webhook" && return 0
  rm -f -- "$orch/slack-webhook.tmp.$$"
  return 1
}
# active DIR: the job has not ended and its runner (or, before the runner, its session) lives,
# or it was just created and its session is still being made.
active() {
  local d=$1 n=$\{1##*/} rp="" c=""
  [ ! -e "$d/exit" ] || return 1
  case $SESSIONS in *$'\n'"$n"$'\n'*) return 0 ;; esac
  if read -r rp 2>/dev/null < "$d/runner.pid" && [ -n "$rp" ]; then kill -0 "$rp" 2>/dev/null; return; fi
  read -r c 2>/dev/null < "$d/created"
  local now; printf -v now '%(%s)T' -1
  [ -n "$c" ] && [ $(( now - c )) -lt 60 ]
}
install_lib() {
  [ -f "$LIB" ] && return 0
  printf '%s' "$libtext" > "$LIB.tmp.$$" && mv -f -- "$LIB.tmp.$$" "$LIB" && return 0
  rm -f -- "$LIB.tmp.$$"
  return 1
}
`;

/**
 * stdin: root, name ('' for all), mode ('active' for status: only jobs without an exit marker,
 * the only ones that can be QUEUED, STARTING or RUNNING; '' every job). Prints the header and
 * one record per job. A job without an exit marker is alive when its runner process lives
 * (read from /proc) or, when that cannot be told, its tmux session exists; tmux is asked only
 * then. With the clock from bash's own printf, a status runs one bash and no other process.
 */
export const LIST_SCRIPT =
  PRELUDE +
  bash`
field root; field only; field mode
abs_path root "$root"
todo=()
open=0
if [ -n "$only" ]; then
  valid_name "$only" && [ -f "$root/$only/meta.json" ] && todo=("$root/$only")
  if [ $\{#todo[@]} -gt 0 ] && [ ! -e "$root/$only/exit" ]; then
    if runner_lives "$root/$only"; then RUNNERS+=$only$'\n'; else open=1; fi
  fi
else
  for d in "$root"/*/; do
    d=$\{d%/}
    if [ -e "$d/exit" ]; then
      [ "$mode" = active ] && continue
      ended=1
    else
      ended=0
    fi
    valid_name "$\{d##*/}" && [ -f "$d/meta.json" ] || continue
    if [ "$ended" = 0 ]; then
      if runner_lives "$d"; then RUNNERS+=$\{d##*/}$'\n'; else open=1; fi
    fi
    todo+=("$d")
  done
fi
if [ "$open" = 1 ]; then sessions; else SESSIONS=$'\n'; fi
header
for d in "$\{todo[@]}"; do emit "$d"; done
exit 0
`;

/**
 * stdin: root, name, workdir, force (0|1), meta.json, max seconds, max parallel, retries,
 * webhook URL, retention days, retry backoff ("BASE CAP"), retried exits ("except|only CODES"),
 * no-retry patterns, watch patterns (one per line), stop-on-match (0|1), rollback-on-retry
 * (0|1), library name, library text; then the command text as the rest of stdin.
 * Nothing is half-started: on any failure the new dir is removed and a renamed old log is put
 * back; the tmux session is the last thing created.
 */
export const RUN_SCRIPT =
  PRELUDE +
  bash`
field root; field name; field workdir; field force; field meta; field maxsec; field maxpar; field retries
field hook; field days; field backoff; field retryexit; field noretry; field watchpats; field stoponmatch
field rbretry; field libname; field libtext
fail() { printf '%s\n' "$2" >&2; exit "$1"; }
valid_name "$name" || fail 15 "invalid job name"
abs_path root "$root"; abs_path workdir "$workdir"
command -v tmux >/dev/null 2>&1 || exit 10
unset TMUX
tmux has-session -t "=$name" 2>/dev/null && exit 11
orch=$root/.orch
LIB=$orch/$libname
mkdir -p -- "$orch" || fail 13 "cannot create $orch"
install_lib || fail 13 "cannot write $LIB"
store_hook || fail 13 "cannot write $orch/slack-webhook"
d=$root/$name
prev=""
if [ -e "$d" ]; then
  [ "$force" = 1 ] || fail 12 "$d"
  prev=$d.prev-$(date -u +%Y%m%d-%H%M%S)
  [ -e "$prev" ] && prev=$prev-$$
  mv -- "$d" "$prev" || fail 13 "cannot rename the old log dir $d"
fi
if ! mkdir -- "$d" 2>/dev/null; then
  [ -n "$prev" ] && mv -- "$prev" "$d"
  fail 12 "$d"
fi
undo() { rm -rf -- "$d"; if [ -n "$prev" ]; then mv -- "$prev" "$d"; fi; }
if ! err=$( { cat > "$d/cmd.sh" &&
  printf '%s\n' "$meta" > "$d/meta.json" &&
  printf '%s\n' "$workdir" > "$d/workdir" &&
  date +%s > "$d/created" &&
  : > "$d/run.log" &&
  { [ -z "$maxsec" ] || printf '%s\n' "$maxsec" > "$d/max-seconds"; } &&
  { [ -z "$maxpar" ] || printf '%s\n' "$maxpar" > "$d/max-parallel"; } &&
  { [ -z "$retries" ] || { printf '%s\n' "$retries" > "$d/retries" &&
    printf '%s\n' "$backoff" > "$d/retry-backoff" &&
    printf '%s\n' "$retryexit" > "$d/retry-exit" &&
    printf '%s' "$noretry" > "$d/no-retry-patterns" &&
    { [ "$rbretry" != 1 ] || : > "$d/rollback-on-retry"; }; }; } &&
  { [ "$stoponmatch" != 1 ] || { printf '%s' "$watchpats" > "$d/watch-patterns" && : > "$d/stop-on-match"; }; } &&
  { [ -z "$hook" ] || : > "$d/notify"; }; } 2>&1 ); then
  undo
  fail 13 "cannot write the job files in $d: $\{err##*: }"
fi
mkdir -p -- "$workdir" || { undo; fail 13 "cannot create the workdir $workdir"; }
# A tmux server whose last session just ended is exiting for a moment and drops new clients
# ("server exited unexpectedly"): several short jobs started at once meet it. Try again then,
# unless the session came to be after all.
for ((t = 0; ; t++)); do
  err=$(tmux new-session -d -s "$name" -c "$workdir" "bash $(sq "$LIB") runner $(sq "$d")" 2>&1) && break
  tmux has-session -t "=$name" 2>/dev/null && break
  case $err in
    *'server exited'*|*'lost server'*|*'no server running'*|*'error connecting'*) [ "$t" -lt 5 ] && { sleep 0.1; continue; } ;;
  esac
  printf '%s\n' "$err" >&2
  undo
  exit 14
done
# Resolve once the runner has said QUEUED or RUNNING (or already ended).
for ((i = 0; i < 100; i++)); do
  [ -e "$d/started" ] || [ -e "$d/queued" ] || [ -e "$d/exit" ] && break
  sleep 0.05
done
if [ -n "$days" ]; then
  bash "$LIB" cron_install "$root" "$days" || bash "$LIB" prune "$root" "$days"
fi
sessions
header
emit "$d"
exit 0
`;

/** stdin: root, name, library name, library text, reason. Prints the header and the record. */
export const STOP_SCRIPT =
  PRELUDE +
  bash`
field root; field name; field libname; field libtext; field reason
valid_name "$name" || exit 3
abs_path root "$root"
d=$root/$name
[ -f "$d/meta.json" ] || exit 3
LIB=$root/.orch/$libname
install_lib || { printf 'cannot write %s\n' "$LIB" >&2; exit 13; }
bash "$LIB" stop "$d" "$reason"
sessions
header
emit "$d"
exit 0
`;

/** stdin: root, name, last N lines ('' = all). Prints run.log. */
export const READ_LOG_SCRIPT =
  PRELUDE +
  bash`
field root; field name; field lines
valid_name "$name" || exit 3
abs_path root "$root"
f=$root/$name/run.log
[ -f "$f" ] || exit 3
if [ -n "$lines" ]; then exec tail -n "$lines" -- "$f"; else exec cat -- "$f"; fi
`;

/**
 * stdin: root, name, byte offset. Prints run.log from the offset and ends once the job has
 * ended and every byte up to its "[EXIT: N]" line is out: a watcher process lives while the job
 * does, and `tail --pid` reads the file one last time after the watcher is gone.
 */
export const FOLLOW_SCRIPT =
  PRELUDE +
  bash`
field root; field name; field from
valid_name "$name" || exit 3
abs_path root "$root"
d=$root/$name
[ -f "$d/meta.json" ] || exit 3
# running: the job has not ended and its runner (or, before the runner, its session) lives.
running() {
  local rp=""
  [ ! -e "$d/exit" ] || return 1
  if read -r rp 2>/dev/null < "$d/runner.pid" && [ -n "$rp" ]; then kill -0 "$rp" 2>/dev/null
  else tmux has-session -t "=$name" 2>/dev/null; fi
}
# tail -c +N on a file shorter than N starts at its beginning: wait until it is long enough.
while :; do
  live=0; running && live=1
  [ "$(stat -c %s -- "$d/run.log" 2>/dev/null || echo 0)" -ge "$from" ] && break
  [ "$live" = 1 ] || exit 0
  sleep 0.25
done
( while running; do sleep 0.25; done ) &
w=$!
tail -c "+$((from + 1))" -F -s 0.25 --pid="$w" -- "$d/run.log" 2>/dev/null &
t=$!
trap 'kill "$t" "$w" 2>/dev/null; exit 143' TERM HUP INT
wait "$t"
st=$?
kill "$w" 2>/dev/null
exit "$st"
`;

/**
 * stdin: root, library name, library text, reason, webhook URL ('' = no summary notice).
 * Stops every active job at once (guardrail L4): all are marked stopped first, so a queued job
 * never starts in a slot another one frees; then all are stopped in parallel; then one summary
 * notice. Prints the header and the record of each job it stopped.
 */
export const STOP_ALL_SCRIPT =
  PRELUDE +
  bash`
field root; field libname; field libtext; field reason; field hook
abs_path root "$root"
orch=$root/.orch
LIB=$orch/$libname
sessions
todo=()
for d in "$root"/*/; do
  d=$\{d%/}
  valid_name "$\{d##*/}" && [ -f "$d/meta.json" ] && active "$d" && todo+=("$d")
done
if [ $\{#todo[@]} -gt 0 ]; then
  install_lib || { printf 'cannot write %s\n' "$LIB" >&2; exit 13; }
  for d in "$\{todo[@]}"; do
    [ -e "$d/stopped" ] || printf '%s\n' "$reason" > "$d/stopped"
  done
  for d in "$\{todo[@]}"; do bash "$LIB" stop "$d" "$reason" </dev/null >/dev/null 2>&1 & done
  wait
  if [ -n "$hook" ]; then
    store_hook && bash "$LIB" notify_summary "$root" "$reason" "$\{todo[@]##*/}" </dev/null >/dev/null 2>&1
  fi
fi
sessions
header
for d in "$\{todo[@]}"; do emit "$d"; done
exit 0
`;

/**
 * stdin: root, name, library name, library text, mode (check|reset), expected commit ('' = any).
 * Guardrail L3: resets the job's workdir to the commit recorded before the job (tracked files
 * only), refusing an active job and anything that would reach outside the workdir. Prints
 * `workdir`, `commit` as NUL-separated pairs; exit codes in HostExit.
 */
export const ROLLBACK_SCRIPT =
  PRELUDE +
  bash`
field root; field name; field libname; field libtext; field mode; field want
valid_name "$name" || exit 3
abs_path root "$root"
d=$root/$name
[ -f "$d/meta.json" ] || exit 3
orch=$root/.orch
LIB=$orch/$libname
sessions
active "$d" && exit 16
install_lib || { printf 'cannot write %s\n' "$LIB" >&2; exit 13; }
c=""; read -r c 2>/dev/null < "$d/git-head"
w=""; read -r w 2>/dev/null < "$d/workdir"
printf 'workdir\0%s\0commit\0%s\0' "$w" "$c"
[ -n "$want" ] && [ "$want" != "$c" ] && exit 23
if [ "$mode" = reset ]; then bash "$LIB" git_reset "$d"; else bash "$LIB" git_check "$d"; fi
`;
