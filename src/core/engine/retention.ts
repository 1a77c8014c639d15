/**
 * Log retention on the host (PRODUCT.md §2): a cron entry, installed once and idempotently,
 * prunes job dirs older than the retention; where `crontab` is missing, `run` prunes instead.
 * A running job's log is never removed. These are bash functions of the host library
 * (hostLib.ts); `$LIB` is the library's own path on the host.
 */
import { bash } from './bashText';

export const RETENTION_FUNCTIONS = bash`
# prune ROOT DAYS: removes job dirs (and kept .prev- dirs) untouched for DAYS days.
# A dir whose job has no exit marker is kept while its tmux session lives, and always kept
# when tmux cannot be asked (so a running job's log is never removed).
prune() {
  local root=$1 days=$2 d n code sessions="" have_tmux=0
  # 0 (or nonsense) keeps every log.
  case $days in ''|*[!0-9]*|0) return 0 ;; esac
  if command -v tmux >/dev/null 2>&1; then
    have_tmux=1
    sessions=$'\n'$(tmux ls -F '#{session_name}' 2>/dev/null)$'\n'
  fi
  for d in "$root"/*/; do
    d=$\{d%/}; n=$\{d##*/}
    [ -f "$d/meta.json" ] || continue
    if [ ! -e "$d/exit" ]; then
      [ "$have_tmux" = 1 ] || continue
      case $sessions in *$'\n'"$n"$'\n'*) continue ;; esac
    fi
    # Anything in the dir modified within the retention keeps it (run.log grows without
    # touching the dir's own mtime).
    [ -n "$(find "$d" -maxdepth 1 -mtime "-$days" -print -quit 2>/dev/null)" ] && continue
    rm -rf -- "$d"
  done
}

# cron_install ROOT DAYS: one tagged crontab line per log root, hourly; rewritten only when it
# differs (new library version or retention), never duplicated. Fails when crontab is missing.
cron_install() {
  local root=$1 days=$2 tag cur line
  command -v crontab >/dev/null 2>&1 || return 1
  case $days in ''|*[!0-9]*|0) return 0 ;; esac
  tag="# orch-retention:$(printf '%s' "$root" | cksum | cut -d' ' -f1)"
  line="17 * * * * bash $(sq "$LIB") prune $(sq "$root") $days >/dev/null 2>&1 $tag"
  line=$\{line//%/\\%}
  cur=$(crontab -l 2>/dev/null)
  case $'\n'$cur$'\n' in *$'\n'"$line"$'\n'*) return 0 ;; esac
  (
    flock -w 10 9 2>/dev/null
    cur=$(crontab -l 2>/dev/null)
    case $'\n'$cur$'\n' in *$'\n'"$line"$'\n'*) exit 0 ;; esac
    { [ -n "$cur" ] && printf '%s\n' "$cur" | grep -vF -- "$tag"; printf '%s\n' "$line"; } | crontab -
  ) 9>>"$root/.orch/cron.lock"
}
`;
