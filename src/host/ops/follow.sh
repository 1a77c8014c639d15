# shellcheck shell=bash
# op_follow: run.log from byte F_FROM until the job has ended and every byte up to its
# "[EXIT: N]" line is out: a watcher process lives while the job does, and tail --pid reads
# the file one last time after the watcher is gone.
op_follow() {
  local d=$F_ROOT/$F_NAME live size w t st
  valid_name "$F_NAME" && [ -f "$d/meta.json" ] || exit "$X_NOT_FOUND"
  # tail -c +N on a file shorter than N starts at its beginning: wait until it is long enough.
  while :; do
    live=0; SESSIONS=""; job_alive "$d" && live=1
    file_size size "$d/run.log"
    [ "$size" -ge "$F_FROM" ] && break
    [ "$live" = 1 ] || exit 0
    sleep 0.25
  done
  ( while SESSIONS=""; job_alive "$d"; do sleep 0.25; done ) &
  w=$!
  tail -c "+$((F_FROM + 1))" -F -s 0.25 --pid="$w" -- "$d/run.log" 2>/dev/null &
  t=$!
  trap 'kill "$t" "$w" 2>/dev/null; exit 143' TERM HUP INT
  wait "$t"
  st=$?
  kill "$w" 2>/dev/null
  exit "$st"
}
