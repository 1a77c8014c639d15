# shellcheck shell=bash
# Parallel jobs own their outputs (PRODUCT.md §6): while a job is active, its --output-dir on this
# host is its own. op_run keeps a job's output dir, absolute and normalized, in its "output-dir"
# file, and checks and writes it under the lock <log root>/.orch/output-dirs.lock, so two runs
# started at once cannot both take one dir.

# norm_path VAR PATH: the absolute PATH without ".", "..", repeated or trailing "/" (no fork).
norm_path() {
  local IFS=/ _part
  local -a _parts _kept=()
  read -r -a _parts <<< "$2"
  for _part in "${_parts[@]}"; do
    case $_part in
      ''|.) ;;
      ..) if [ ${#_kept[@]} -gt 0 ]; then unset '_kept[-1]'; fi ;;
      *) _kept+=("$_part") ;;
    esac
  done
  printf -v "$1" '/%s' "${_kept[*]}"
}

# output_owner ROOT DIR SELF: the active job (other than SELF) whose output dir is DIR, holds it
# or lies in it: prints its name and its dir, one per line. 1 when there is none.
output_owner() {
  local d o
  for d in "$1"/*/; do
    d=${d%/}
    if [ "${d##*/}" = "$3" ] || [ ! -f "$d/output-dir" ]; then continue; fi
    o=""
    IFS= read -r o < "$d/output-dir"
    [ -n "$o" ] || continue
    case $2/ in
      "${o%/}"/*) ;;
      *) case $o/ in "${2%/}"/*) ;; *) continue ;; esac ;;
    esac
    job_active "$d" || continue
    printf '%s\n%s\n' "${d##*/}" "$o"
    return 0
  done
  return 1
}
