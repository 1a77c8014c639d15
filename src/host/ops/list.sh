# shellcheck shell=bash
# op_list: the header and one record per job (F_NAME: only that job; F_MODE=active: only jobs
# without an exit marker, the only ones that can be QUEUED, STARTING or RUNNING). A job is alive
# when its runner lives (read from /proc); tmux is asked only when that cannot tell. With the
# clock from bash's own printf, a status runs one bash and no other process.
op_list() {
  local d
  header "$F_ROOT"
  if [ -n "$F_NAME" ]; then
    valid_name "$F_NAME" && [ -f "$F_ROOT/$F_NAME/meta.json" ] && emit "$F_ROOT/$F_NAME"
    return 0
  fi
  for d in "$F_ROOT"/*/; do
    d=${d%/}
    [ "$F_MODE" = active ] && [ -e "$d/exit" ] && continue
    valid_name "${d##*/}" && [ -f "$d/meta.json" ] && emit "$d"
  done
  return 0
}
