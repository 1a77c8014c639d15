# shellcheck shell=bash
# shellcheck disable=SC2154 # mode, want, zip, reset, rec_bytes, name, now, S and L are set by sync.sh
# The apply half of the host side of `--sync` (sync.sh runs first, in the same bash): when the
# token holds, check the records' directories for symlinks, delete, unpack the stream, update
# the list and print `done TOKEN`; when it does not, read and drop the stream and report.
if [ "$now" != "$want" ] || { [ -n "$zip" ] && [ "$zip" != tar ] && ! command -v "$zip" >/dev/null 2>&1; }; then
  cat >/dev/null
  report "$now"
  exit 0
fi

mkdir -p "$S"
recs=$S/$name.records.$$
next=$S/$name.list.$$
trap 'rm -f -- "$recs" "$next"' EXIT
# exactly the records: BusyBox's head -c reads ahead on a pipe, and what it took is the stream's start
if [ "$rec_bytes" -gt 0 ]; then dd bs="$rec_bytes" count=1 iflag=fullblock of="$recs" 2>/dev/null; else : >"$recs"; fi
declare -A drop=()
listed=()
while IFS= read -r -d '' r; do
  p=${r:1}
  case $r in
    P*) if [ -L "$p" ]; then echo "refusing to write through $p: it is a symlink in the remote workdir" >&2; exit 5; fi ;;
    D*) drop[$p]=1 ;;
    A* | K*) listed+=("$p") ;;
  esac
done <"$recs"
if [ ${#drop[@]} -gt 0 ]; then while IFS= read -r -d '' r; do
  if [ "${r:0:1}" = D ]; then
    p=${r:1}
    if [ -L "$p" ] || [ -f "$p" ]; then rm -f -- "$p"; fi
    d=${p%/*}
    if [ "$d" != "$p" ]; then rmdir -p --ignore-fail-on-non-empty -- "$d" 2>/dev/null || true; fi
  fi
done <"$recs"; fi
# BusyBox tar has neither long option: its -o is --no-same-owner, and it leaves an existing
# directory's mode alone when the stream has no entry for it (the client sends files only).
untar() {
  if tar --version 2>/dev/null | grep -q 'GNU tar'; then tar -x "$@" -f - --no-same-owner --no-overwrite-dir
  else tar -x -o "$@" -f -
  fi
}
case $zip in
  zstd) zstd -d -q -c | untar ;;
  gzip) untar -z ;;
  tar) untar ;;
esac
# The new list: the A and K records after a reset; else the old list, less D, plus A (read
# line by line only when something is dropped: a change to one file leaves the list as it is).
if [ "$reset" = 1 ] || [ ! -f "$L" ]; then
  : >"$next"
  if [ ${#listed[@]} -gt 0 ]; then printf '%s\0' "${listed[@]}" >"$next"; fi
  mv -f -- "$next" "$L"
elif [ ${#drop[@]} -gt 0 ] || [ ${#listed[@]} -gt 0 ]; then
  if [ ${#drop[@]} -eq 0 ]; then cat -- "$L" >"$next"
  else
    while IFS= read -r -d '' p; do
      if [ -z "${drop[$p]+x}" ]; then printf '%s\0' "$p"; fi
    done <"$L" >"$next"
  fi
  if [ ${#listed[@]} -gt 0 ]; then printf '%s\0' "${listed[@]}" >>"$next"; fi
  mv -f -- "$next" "$L"
fi
rm -f -- "$S/$name.json"
printf 'done %s\n' "$(token)"
