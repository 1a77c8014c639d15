# shellcheck shell=bash
# Compressed transfer of logs and pulls (PRODUCT.md §11). The client names the codecs it decodes,
# best first (F_PACK, e.g. "zstd gzip"; empty for plain, as the local target asks); the host uses
# the first it has. What it sends starts with one byte saying which, so the client never guesses
# from the data: z (zstd frames), g (gzip), p (the bytes as they are). Level 1 of either: on a
# host the compressor must outrun the link, and -1 already takes text logs to a fifth or less.

# Below this many bytes a log goes plain: packing it saves less than starting a compressor here
# and a decoder on the client cost.
# shellcheck disable=SC2034 # read by ops/read-log.sh and ops/follow.sh
PACK_MIN=65536

# pack_choose VAR WANTED: VAR = the first codec of WANTED on the PATH, else plain.
pack_choose() {
  local _c
  for _c in $2; do
    case $_c in
      zstd | gzip) if command -v "$_c" >/dev/null 2>&1; then printf -v "$1" '%s' "$_c"; return; fi ;;
    esac
  done
  printf -v "$1" plain
}

# pack_send CODEC [FILE]: FILE (else stdin) on stdout behind its header byte.
pack_send() {
  case $1 in
    zstd) printf z && zstd -1 -q -c -- "${@:2}" ;;
    gzip) printf g && gzip -1 -c -- "${@:2}" ;;
    *) printf p && cat -- "${@:2}" ;;
  esac
}
