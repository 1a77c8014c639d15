# shellcheck shell=bash
# Log retention (PRODUCT.md §2): a cron entry, installed once and idempotently, prunes job dirs
# older than the retention; where crontab is missing, run prunes instead. A running job's log is
# never removed.

# prune ROOT DAYS: removes job dirs (and kept .prev- dirs) untouched for DAYS days.
prune() {
  local root=$1 days=$2 d
  # 0 (or nonsense) keeps every log.
  case $days in ''|*[!0-9]*|0) return 0 ;; esac
  for d in "$root"/*/; do
    d=${d%/}
    [ -f "$d/meta.json" ] || continue
    # A job that has not ended is kept while it lives, and always when tmux cannot be asked.
    if [ ! -e "$d/exit" ]; then
      command -v tmux >/dev/null 2>&1 || continue
      job_alive "$d" && continue
    fi
    # Anything in the dir modified within the retention keeps it (run.log grows without
    # touching the dir's own mtime).
    [ -n "$(find "$d" -maxdepth 1 -mtime "-$days" -print -quit 2>/dev/null)" ] && continue
    rm -rf -- "$d"
  done
}

# cron_install ROOT DAYS: one tagged crontab line per log root, hourly; rewritten only when it
# differs (new library version or retention), never duplicated. orch's lines for log roots that
# no longer exist (deleted or temporary roots) are dropped on the way; a line without orch's tag
# is never touched. Fails when crontab is missing.
cron_install() {
  local root=$1 days=$2 tag cur line want
  command -v crontab >/dev/null 2>&1 || return 1
  case $days in ''|*[!0-9]*|0) return 0 ;; esac
  text_hash tag "$root"
  tag="# orch-retention:$tag"
  line="17 * * * * bash $(sq "$LIB") prune $(sq "$root") $days >/dev/null 2>&1 $tag"
  line=${line//%/\\%}
  cur=$(crontab -l 2>/dev/null)
  cron_wanted want "$cur" "$line" "$tag" "$root"
  [ "$want" = "$cur" ] && return 0
  with_lock "$root/.orch/cron.lock" cron_write "$line" "$tag" "$root"
}

# cron_write LINE TAG ROOT: the crontab with LINE, read again under the lock.
cron_write() {
  local cur want
  cur=$(crontab -l 2>/dev/null)
  cron_wanted want "$cur" "$1" "$2" "$3"
  [ "$want" = "$cur" ] || printf '%s\n' "$want" | crontab -
}

# cron_wanted VAR CRONTAB LINE TAG ROOT: sets VAR to CRONTAB with LINE as the one line ending in
# TAG (where it already is, else last), without orch's lines whose log root is gone, and without
# another orch line for ROOT (one written under another tag, where cksum was missing or not).
cron_wanted() {
  local out="" l lr have=0
  if [ -n "$2" ]; then
    while IFS= read -r l; do
      case $l in
        "$3") [ "$have" = 1 ] && continue; have=1 ;;
        *" $4") continue ;;
        *" # orch-retention:"*)
          cron_root lr "$l"
          if [ -n "$lr" ] && { [ ! -e "$lr" ] || [ "$lr" = "${5:-}" ]; }; then continue; fi ;;
      esac
      out+=$l$'\n'
    done <<< "$2"
  fi
  [ "$have" = 1 ] || out+=$3$'\n'
  printf -v "$1" '%s' "${out%$'\n'}"
}

# cron_root VAR LINE: the log root an orch retention line prunes ('' when LINE is not one).
cron_root() {
  local _l=$2
  printf -v "$1" '%s' ""
  case $_l in *" prune '"*"' "[0-9]*" >/dev/null 2>&1 # orch-retention:"[0-9]*) ;; *) return 0 ;; esac
  _l=${_l#* prune \'}
  _l=${_l%"' "[0-9]*" >/dev/null 2>&1 # orch-retention:"*}
  _l=${_l//"'\\''"/"'"}
  _l=${_l//'\%'/%}
  case $_l in /*) printf -v "$1" '%s' "$_l" ;; esac
}
