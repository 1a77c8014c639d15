# shellcheck shell=bash
# op_read_log: run.log, or its last F_LINES lines, or attempt F_ATTEMPT's bytes alone, packed for
# the trip (lib/pack.sh: a header byte, then zstd, gzip or the bytes as they are).
op_read_log() {
  local d=$F_ROOT/$F_NAME codec r
  valid_name "$F_NAME" && [ -f "$d/run.log" ] || exit "$X_NOT_FOUND"
  # The range is asked first (into codec, chosen next): once the header is out, a missing
  # attempt could no longer be told from an empty one.
  if [ -n "$F_ATTEMPT" ]; then attempt_range codec "$d" "$F_ATTEMPT" || exit "$X_NO_ATTEMPT"; fi
  pack_choose codec "$F_PACK"
  file_size r "$d/run.log"
  [ "$r" -ge "$PACK_MIN" ] || codec=plain
  if [ -n "$F_ATTEMPT" ]; then
    attempt_text "$d" "$F_ATTEMPT" | pack_send "$codec"
  elif [ -n "$F_LINES" ]; then tail -n "$F_LINES" -- "$d/run.log" | pack_send "$codec"
  else pack_send "$codec" "$d/run.log"
  fi
}
