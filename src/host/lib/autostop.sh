# shellcheck shell=bash
# Autostop (PRODUCT.md §7): a cron entry, installed once and idempotently per log root, checks
# every minute whether the host is idle and powers it off after the configured time. Idle: no
# QUEUED, STARTING or RUNNING job in the log root, no interactive login session, no attached
# tmux client; any of them restarts the idle clock. Files in <root>/.orch/:
#   autostop          the threshold in seconds, then the command (empty: sudo -n shutdown -h now)
#   idle-since        epoch seconds the idle clock started
#   autostop-acted    "EPOCH STATUS" of the last action (STATUS "running" while it runs), then its output
#   autostop-error    why no check can run (no crontab)
# One action per idle period: after it (done or failed) nothing runs again until the host has
# been busy and then idle for the whole time again, so a failing command is never looped.

AUTOSTOP_DEFAULT='sudo -n shutdown -h now'

# autostop_busy ROOT: 0 when something keeps the host up; AUTOSTOP_WHY says what.
autostop_busy() {
  local d l u t a f
  AUTOSTOP_WHY=""
  for d in "$1"/*/; do
    d=${d%/}
    [ -f "$d/meta.json" ] || continue
    if job_active "$d"; then AUTOSTOP_WHY="job ${d##*/} is active"; return 0; fi
  done
  # utmp's logins (ssh, console, mosh); a tmux pane registered there is not a login.
  if command -v who >/dev/null 2>&1; then
    while read -r u t l; do
      case $l in *'(tmux('*) continue ;; esac
      [ -n "$t" ] || continue
      AUTOSTOP_WHY="$u is logged in on $t"; return 0
    done < <(who 2>/dev/null)
  fi
  # sshd names a session that has a terminal "sshd: USER@pts/N" (sshd-session: from OpenSSH
  # 9.8): seen also where utmp is not kept. orch's own calls have none (USER@notty).
  # (AUTOSTOP_PROC: another /proc, for the unit tests.)
  for f in "${AUTOSTOP_PROC:-/proc}"/[0-9]*/cmdline; do
    a=""
    IFS= read -r -d '' a 2>/dev/null < "$f"
    case $a in
      sshd*': '*@pts/*|sshd*': '*@tty*)
        a=${a#*: }; t=${a#*@}
        AUTOSTOP_WHY="${a%%@*} is logged in on ${t%% *}"; return 0 ;;
    esac
  done
  if command -v tmux >/dev/null 2>&1 && l=$(tmux list-clients -F '#{client_tty}' 2>/dev/null) && [ -n "$l" ]; then
    AUTOSTOP_WHY="a tmux client is attached on ${l%%$'\n'*}"; return 0
  fi
  return 1
}

# autostop_settings ROOT: AUTOSTOP_SECS and AUTOSTOP_CMD from .orch/autostop; 1 when off.
autostop_settings() {
  local s="" rest=""
  [ -f "$1/.orch/autostop" ] || return 1
  { read -r s; IFS= read -r -d '' rest; } < "$1/.orch/autostop"
  case $s in ''|*[!0-9]*) return 1 ;; esac
  AUTOSTOP_SECS=$s
  rest=${rest%$'\n'}
  AUTOSTOP_CMD=${rest:-$AUTOSTOP_DEFAULT}
}

# autostop_since ROOT NOW: AUTOSTOP_SINCE, the start of the idle clock: idle-since (else NOW),
# never before the last boot (a clock from before a restart counts from the boot), nor before
# the end of a job that ended since it was written (a job that ran between two checks).
autostop_since() {
  local root=$1 now=$2 s="" up="" clock=$1/.orch/idle-since f newest="" e
  read -r s 2>/dev/null < "$clock"
  case $s in ''|*[!0-9]*) s=$now ;; esac
  if read -r up _ 2>/dev/null < /proc/uptime; then
    up=${up%.*}
    [ "$s" -ge $((now - up)) ] || s=$((now - up))
  fi
  if [ -f "$clock" ]; then
    for f in "$root"/*/exit; do
      [ "$f" -nt "$clock" ] || continue
      if [ -z "$newest" ] || [ "$f" -nt "$newest" ]; then newest=$f; fi
    done
    if [ -n "$newest" ]; then
      e=$(stat -c %Y -- "$newest" 2>/dev/null) || e=$now
      [ "${e:-0}" -le "$s" ] || s=$e
    fi
  fi
  [ "$s" -le "$now" ] || s=$now
  AUTOSTOP_SINCE=$s
}

# autostop_check ROOT: cron's check (under a lock, so a slow action is never run twice).
autostop_check() {
  autostop_settings "$1" || return 0
  with_lock "$1/.orch/autostop.lock" autostop_decide "$1"
}

# autostop_decide ROOT: restarts the clock when busy; acts once when idle for AUTOSTOP_SECS.
autostop_decide() {
  local root=$1 orch=$1/.orch now cur="" acted="" st=0 out="" mins
  printf -v now '%(%s)T' -1
  if autostop_busy "$root"; then put "$orch/idle-since" "$now"; return 0; fi
  autostop_since "$root" "$now"
  read -r cur 2>/dev/null < "$orch/idle-since"
  [ "$cur" = "$AUTOSTOP_SINCE" ] || put "$orch/idle-since" "$AUTOSTOP_SINCE"
  [ $((now - AUTOSTOP_SINCE)) -ge "$AUTOSTOP_SECS" ] || return 0
  read -r acted _ 2>/dev/null < "$orch/autostop-acted"
  case $acted in ''|*[!0-9]*) ;; *) [ "$acted" -lt "$AUTOSTOP_SINCE" ] || return 0 ;; esac
  put "$orch/autostop-acted" "$now running"
  mins=$(((now - AUTOSTOP_SINCE) / 60))
  post "$root" "orch autostop: $HOSTNAME has been idle for $mins min (no active job, no login session, no attached tmux client); running: $AUTOSTOP_CMD"
  # A job or a login may have come while the notice went out.
  if autostop_busy "$root"; then
    rm -f -- "$orch/autostop-acted"
    put "$orch/idle-since" "$now"
    return 0
  fi
  bash -c "$AUTOSTOP_CMD" > "$orch/autostop-output" 2>&1 < /dev/null || st=$?
  IFS= read -r -d '' -n 600 out < "$orch/autostop-output"
  rm -f -- "$orch/autostop-output"
  out=${out%$'\n'}
  put "$orch/autostop-acted" "$now $st"$'\n'"$out"
  [ "$st" = 0 ] && return 0
  post "$root" "orch autostop on $HOSTNAME failed (exit $st): ${out:-no output}. It runs again only after the host has been busy and then idle for $((AUTOSTOP_SECS / 60)) min again."
}

# autostop_apply ROOT SECONDS COMMAND: installs (SECONDS set) or removes (empty) the check.
# A changed setting starts the idle clock anew; the same one changes nothing.
autostop_apply() {
  local root=$1 orch=$1/.orch want cur="" line now
  if [ -z "$2" ]; then
    [ -e "$orch/autostop" ] || [ -e "$orch/autostop-error" ] || return 0
    rm -f -- "$orch/autostop" "$orch/idle-since" "$orch/autostop-acted" "$orch/autostop-error"
    autostop_cron "$root" ""
    return 0
  fi
  want=$2$'\n'$3
  [ -f "$orch/autostop" ] && IFS= read -r -d '' cur < "$orch/autostop"
  if [ "$cur" != "$want"$'\n' ]; then
    printf -v now '%(%s)T' -1
    put "$orch/idle-since" "$now" && put "$orch/autostop" "$want" || return 1
  fi
  line="* * * * * bash $(sq "$LIB") autostop_check $(sq "$root") >/dev/null 2>&1"
  if autostop_cron "$root" "${line//%/\\%}"; then rm -f -- "$orch/autostop-error"; return 0; fi
  put "$orch/autostop-error" "crontab is missing on this host, so nothing checks it for idle (install cron)"
  return 1
}

# autostop_cron ROOT LINE: LINE (tagged) as the one autostop line of ROOT, or none when LINE is
# empty; orch autostop lines of log roots that no longer exist are dropped on the way.
autostop_cron() {
  local tag cur want
  command -v crontab >/dev/null 2>&1 || return 1
  text_hash tag "$1"
  tag="# orch-autostop:$tag"
  cur=$(crontab -l 2>/dev/null)
  autostop_cron_wanted want "$cur" "${2:+$2 $tag}" "$1"
  [ "$want" = "$cur" ] && return 0
  with_lock "$1/.orch/cron.lock" autostop_cron_write "${2:+$2 $tag}" "$1"
}

autostop_cron_write() {
  local cur want
  cur=$(crontab -l 2>/dev/null)
  autostop_cron_wanted want "$cur" "$1" "$2"
  [ "$want" = "$cur" ] || printf '%s\n' "$want" | crontab -
}

# autostop_cron_wanted VAR CRONTAB LINE ROOT: CRONTAB with LINE as ROOT's one autostop line
# (where it already is, else last), without other autostop lines of ROOT or of a gone root.
autostop_cron_wanted() {
  local out="" l lr have=0
  if [ -n "$2" ]; then
    while IFS= read -r l; do
      case $l in
        *" # orch-autostop:"*)
          lr=${l#* autostop_check \'}
          lr=${lr%%"' >/dev/null 2>&1 # orch-autostop:"*}
          lr=${lr//"'\\''"/"'"}
          lr=${lr//'\%'/%}
          if [ -n "$3" ] && [ "$l" = "$3" ] && [ "$have" = 0 ]; then have=1
          elif [ "$lr" = "$4" ] || [ ! -e "$lr" ]; then continue
          fi ;;
      esac
      out+=$l$'\n'
    done <<< "$2"
  fi
  [ -z "$3" ] || [ "$have" = 1 ] || out+=$3$'\n'
  printf -v "$1" '%s' "${out%$'\n'}"
}

# autostop_report ROOT: the idle clock as box status shows it (NUL-separated pairs): seconds,
# idle (seconds, 0 while busy), busy (what keeps it up), acted (seconds ago and status), output,
# error. Nothing when autostop is off. Writes nothing.
autostop_report() {
  local root=$1 now a="" st="" out=""
  autostop_settings "$root" || return 0
  printf -v now '%(%s)T' -1
  printf 'seconds\0%s\0' "$AUTOSTOP_SECS"
  if autostop_busy "$root"; then
    printf 'idle\0%s\0busy\0%s\0' 0 "$AUTOSTOP_WHY"
  else
    autostop_since "$root" "$now"
    printf 'idle\0%s\0' $((now - AUTOSTOP_SINCE))
  fi
  if [ -f "$root/.orch/autostop-acted" ]; then
    { read -r a st; IFS= read -r -d '' out; } < "$root/.orch/autostop-acted"
    case $a in ''|*[!0-9]*) ;; *) printf 'acted\0%s %s\0output\0%s\0' $((now - a)) "$st" "${out%$'\n'}" ;; esac
  fi
  if [ -f "$root/.orch/autostop-error" ]; then IFS= read -r -d '' out < "$root/.orch/autostop-error"; printf 'error\0%s\0' "${out%$'\n'}"; fi
  return 0
}
