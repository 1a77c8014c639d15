# shellcheck shell=bash
# The host side of `--sync` and `--data-dirs` (src/core/transfer/sync.ts), one call per sync.
# The workdir keeps, per synced tree, .orch-sync/NAME.list: the paths orch put there (NUL after
# each). Its token is a hash of that list and of each listed path's size, ctime and inode, so any
# change on the host since the last sync (an edit on the box, a deleted file, a new box) changes it.
#
# stdin: NUL-terminated fields MODE (check | apply), WORKDIR, NAME, TOKEN (what the client
# believes the token is), ZIP (gzip, zstd, tar, or empty: how the tar stream after the records is
# packed; empty: no stream), RESET (1: build the list from the records alone), RECORDS (the byte
# count of the records); then the records, each a letter, a path and a NUL: P<dir> (must not be a
# symlink), D<path> (delete, drop from the list), W<path> (in the stream, listed already),
# A<path> (in the stream, added to the list), K<path> (listed, not sent: after a reset); then
# the stream.
# A check is this file alone (it is the call a sync with nothing to send makes, kept small); an
# apply is this file followed by sync-apply.sh.
# stdout, first line: `same` (check: the token holds), `done TOKEN` (apply: the new token), or,
# when TOKEN does not hold, `report KIND TOKEN ZIPS...` and nothing is changed: KIND `list` is
# followed by `HASH  PATH` (sha256) or `link  PATH` per listed path still there, NUL after each;
# `legacy` by the JSON manifest of orch 0.x (.orch-sync/NAME.json); `none` by nothing.
set -euo pipefail
IFS= read -r -d '' mode
IFS= read -r -d '' wd
IFS= read -r -d '' name
IFS= read -r -d '' want
# shellcheck disable=SC2034 # zip, reset and rec_bytes are read by sync-apply.sh
IFS= read -r -d '' zip
# shellcheck disable=SC2034
IFS= read -r -d '' reset
# shellcheck disable=SC2034
IFS= read -r -d '' rec_bytes
command -v tar >/dev/null 2>&1 || { echo "tar is not installed on the host" >&2; exit 3; }
# shellcheck disable=SC2088 # the client sends a literal ~ for the home
case $wd in '~') wd=$HOME ;; '~/'*) wd=$HOME/${wd#'~/'} ;; esac
zips() {
  local z
  for z in zstd gzip; do if command -v "$z" >/dev/null 2>&1; then printf ' %s' "$z"; fi; done
}
# A check changes nothing on the host (orch run sends it before the job's name is known to be free).
if [ "$mode" = check ]; then
  if ! cd -- "$wd" 2>/dev/null; then printf 'report none none%s\n' "$(zips)"; exit 0; fi
else
  mkdir -p -- "$wd"
  cd -- "$wd"
fi
S=.orch-sync
if [ -L $S ]; then echo "$S in the workdir is a symlink" >&2; exit 4; fi
L=$S/$name.list

token() {
  if [ ! -f "$L" ]; then echo none; return; fi
  local h
  h=$({ cat -- "$L"; xargs -0 -r stat -c '%s %z %i %n' -- <"$L" 2>/dev/null || true; } | sha256sum)
  echo "${h%% *}"
}

# `HASH  PATH` and a NUL for each path given. BusyBox's sha256sum has no -z: its lines are turned
# into NUL-ended ones, and a name holding a newline (which would split its line) is hashed alone.
hash_all() {
  if sha256sum -z /dev/null >/dev/null 2>&1; then
    printf '%s\0' "$@" | xargs -0 sha256sum -z -- 2>/dev/null || true
    return
  fi
  local p h plain=()
  for p in "$@"; do
    case $p in
      *$'\n'*) if h=$(sha256sum <"$p" 2>/dev/null); then printf '%s  %s\0' "${h%% *}" "$p"; fi ;;
      *) plain+=("$p") ;;
    esac
  done
  if [ ${#plain[@]} -gt 0 ]; then printf '%s\0' "${plain[@]}" | xargs -0 sha256sum -- 2>/dev/null | tr '\n' '\0' || true; fi
}

report() {
  local kind=none p files=()
  if [ -f "$L" ]; then kind=list
  elif [ -f "$S/$name.json" ] && [ ! -L "$S/$name.json" ]; then kind=legacy
  fi
  printf 'report %s %s%s\n' "$kind" "$1" "$(zips)"
  if [ $kind = legacy ]; then cat -- "$S/$name.json"; fi
  if [ $kind = list ]; then
    while IFS= read -r -d '' p; do
      if [ -L "$p" ]; then printf 'link  %s\0' "$p"
      elif [ -f "$p" ]; then files+=("$p")
      fi
    done <"$L"
    if [ ${#files[@]} -gt 0 ]; then hash_all "${files[@]}"; fi
  fi
}

now=$(token)
if [ "$mode" = check ]; then
  if [ "$now" = "$want" ]; then echo same; else report "$now"; fi
  exit 0
fi
