# shellcheck shell=bash
# Completion notices (PRODUCT.md §2), posted from the host when a job ends, so they arrive while
# the laptop is closed; and one summary when orch stop --all stops jobs (guardrail L4). The webhook
# URL lives in <log root>/.orch/slack-webhook (0600); curl reads it as a config on stdin
# (curl -K -, written by the printf builtin), so it never appears in argv, ps, a log or an error,
# and it is cut out of the log lines a notice quotes.
json_escape() {
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}
  s=${s//$'\n'/\\n}; s=${s//$'\r'/\\r}; s=${s//$'\t'/\\t}
  printf '%s' "$s" | tr -d '\000-\010\013\014\016-\037'
}

# post ROOT TEXT: one Slack message; the URL (read with the read builtin) is cut out of TEXT.
post() {
  local root=$1 text=$2 url="" body
  IFS= read -r url 2>/dev/null < "$root/.orch/slack-webhook"
  [ -n "$url" ] || return 0
  command -v curl >/dev/null 2>&1 || return 0
  text=${text//"$url"/[webhook URL removed]}
  body=$root/.orch/.notice-$$.json
  ( umask 077; printf '{"text":"%s"}' "$(json_escape "$text")" > "$body" ) || return 1
  url=${url//\\/\\\\}; url=${url//\"/\\\"}
  printf 'url = "%s"\n' "$url" |
    curl -sS -m 15 -K - -o /dev/null -H 'Content-Type: application/json' --data-binary @"$body" 2>/dev/null
  rm -f -- "$body"
}

# notify DIR: one message with the job, state, exit code, duration, attempts, host and log tail.
notify() {
  local d=$1 n=${1##*/} st state t0 t1 dur text fence k="" why=""
  [ -f "$d/notify" ] || return 0
  st=$(cat "$d/exit" 2>/dev/null)
  if [ -e "$d/stopped" ]; then state=STOPPED; elif [ "$st" = 0 ]; then state=DONE; else state=FAILED; fi
  epoch_of t0 "$(cat "$d/started" 2>/dev/null || cat "$d/ended")"
  epoch_of t1 "$(cat "$d/ended")"
  dur=$((t1 - t0))
  text="Job $n $state (exit $st) on $HOSTNAME after $((dur / 60))m$((dur % 60))s"
  read -r k 2>/dev/null < "$d/attempt"
  [ -n "$k" ] && [ "$k" -gt 1 ] 2>/dev/null && text="$text, attempt $k"
  if [ -e "$d/stopped" ]; then why=$(cat "$d/stopped"); elif [ -e "$d/no-retry" ]; then why=$(cat "$d/no-retry"); fi
  [ -n "$why" ] && text="$text: $why"
  fence=$(printf '\140\140\140')
  text="$text"$'\n'"$fence"$'\n'"$(tail -n 10 "$d/run.log")"$'\n'"$fence"
  post "${d%/*}" "$text"
}

# stopped_notice ROOT HOOK REASON DIR...: with a Slack hook, keeps it and posts one message for
# the jobs stop --all stopped (both kinds of host).
stopped_notice() {
  local root=$1 hook=$2 reason=$3
  shift 3
  [ -n "$hook" ] || return 0
  store_hook "$root/.orch" "$hook" && bash "$LIB" notify_summary "$root" "$reason" "${@##*/}" </dev/null >/dev/null 2>&1
}

# notify_summary ROOT REASON NAME...: one message for many stopped jobs (orch stop --all).
notify_summary() {
  local root=$1 reason=$2 list="" n
  shift 2
  for n in "$@"; do list=${list:+$list, }$n; done
  post "$root" "Stopped $# job$([ $# = 1 ] || printf s) on $HOSTNAME ($reason): $list"
}
