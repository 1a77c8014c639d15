# shellcheck shell=bash
# op_watch: waits until something changes under the log root F_ROOT, then prints the new
# signature. A job starting, ending or being stopped creates a file in its job dir (started,
# exit, stopped, ...) and a new job creates its dir, which changes that dir's mtime; appending to
# run.log does not, so a chatty job does not wake the watcher. The signature is a checksum of the
# mtimes of the root and of each job dir, read once a second here on the host: the SSH channel
# carries nothing while nothing changes. F_SEEN: the signature last seen ('' answers at once);
# F_LIMIT: the longest wait in seconds, after which the same signature is printed.
watch_signature() {
  local dirs=("$F_ROOT") nullglob
  nullglob=$(shopt -p nullglob)
  shopt -s nullglob
  [ -d "$F_ROOT" ] && dirs+=("$F_ROOT"/*/)
  eval "$nullglob"
  # %Y.%y: seconds and the full timestamp (nanoseconds where the file system keeps them)
  stat -c '%n %Y %y' -- "${dirs[@]}" 2>/dev/null | cksum | tr -d ' \t'
}

op_watch() {
  local now waited=0 limit=$F_LIMIT
  [[ $limit =~ ^[0-9]+$ ]] || limit=300
  now=$(watch_signature)
  while [ "$now" = "$F_SEEN" ] && [ "$waited" -lt "$limit" ]; do
    sleep 1
    waited=$((waited + 1))
    now=$(watch_signature)
  done
  printf '%s\n' "$now"
}
