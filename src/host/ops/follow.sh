# shellcheck shell=bash
# op_follow: run.log from byte F_FROM until the job has ended and every byte up to its
# "[EXIT: N]" line is out. With GNU tail: tail -F --pid of a watcher process that lives while
# the job does, so tail reads the file one last time after the watcher is gone. Where tail has no
# --pid (busybox): a loop that sends each new range of bytes, and the rest once the job ended.
# The first byte out is lib/pack.sh's header: p for that live stream; z or g when the log is
# PACK_MIN bytes or more ahead of F_FROM, for the catch-up alone, packed (a compressor
# holds back what it has not framed yet, so the live part is never packed): the call then ends
# with 0 when the job had ended before the range was taken (the range is the whole rest), else
# with X_CAUGHT_UP, and the client follows again from where the range ended.
op_follow() {
  local d=$F_ROOT/$F_NAME live size w t st codec
  valid_name "$F_NAME" && [ -f "$d/meta.json" ] || exit "$X_NOT_FOUND"
  pack_choose codec "$F_PACK"
  if [ "$codec" != plain ]; then
    live=0; forget_sessions; job_alive "$d" && live=1
    file_size size "$d/run.log"
    if [ "$((size - F_FROM))" -ge "$PACK_MIN" ]; then
      tail -c "+$((F_FROM + 1))" -- "$d/run.log" | head -c "$((size - F_FROM))" | pack_send "$codec" || exit
      [ "$live" = 1 ] && exit "$X_CAUGHT_UP"
      exit 0
    fi
  fi
  printf p
  if ! tail -c 0 --pid=$$ -- /dev/null 2>/dev/null; then follow_poll "$d" "$F_FROM"; exit 0; fi
  # tail -c +N on a file shorter than N starts at its beginning: wait until it is long enough.
  while :; do
    live=0; forget_sessions; job_alive "$d" && live=1
    file_size size "$d/run.log"
    [ "$size" -ge "$F_FROM" ] && break
    [ "$live" = 1 ] || exit 0
    sleep 0.25
  done
  ( while forget_sessions; job_alive "$d"; do sleep 0.25; done ) &
  w=$!
  tail -c "+$((F_FROM + 1))" -F -s 0.25 --pid="$w" -- "$d/run.log" 2>/dev/null &
  t=$!
  trap 'kill "$t" "$w" 2>/dev/null; exit 143' TERM HUP INT
  wait "$t"
  st=$?
  kill "$w" 2>/dev/null
  exit "$st"
}

# follow_poll DIR FROM: the bytes of run.log after FROM as they come, until the job has ended.
follow_poll() {
  local d=$1 pos=$2 size live=1
  trap 'exit 143' TERM HUP INT
  while [ "$live" = 1 ]; do
    forget_sessions; job_alive "$d" || live=0
    # Read after the check: once the job has ended, this range holds everything to [EXIT: N].
    file_size size "$d/run.log"
    if [ "$size" -gt "$pos" ]; then
      tail -c "+$((pos + 1))" -- "$d/run.log" | head -c "$((size - pos))"
      pos=$size
    fi
    [ "$live" = 0 ] || sleep 0.25
  done
}
