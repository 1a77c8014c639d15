/**
 * Completion notice (PRODUCT.md §2): posted from the HOST when a job ends, so it arrives while
 * the laptop is closed. The webhook URL lives in `<log root>/.orch/slack-webhook` (0600); it is
 * handed to curl as a config file on stdin (`-K -`), so it never appears in argv, `ps`, a log
 * or an error. Bash functions of the host library (hostLib.ts).
 */
import { bash } from './bashText';

export const NOTIFY_FUNCTIONS = bash`
json_escape() {
  local s=$1
  s=$\{s//\\/\\\\}; s=$\{s//\"/\\\"}
  s=$\{s//$'\n'/\\n}; s=$\{s//$'\r'/\\r}; s=$\{s//$'\t'/\\t}
  printf '%s' "$s" | tr -d '\000-\010\013\014\016-\037'
}

# notify DIR: one Slack message with the job, state, exit code, duration, host and log tail.
notify() {
  local d=$1 n=$\{1##*/} hook st state t0 t1 dur text fence
  hook=$\{d%/*}/.orch/slack-webhook
  [ -f "$d/notify" ] && [ -r "$hook" ] || return 0
  command -v curl >/dev/null 2>&1 || return 0
  st=$(cat "$d/exit" 2>/dev/null)
  if [ -e "$d/stopped" ]; then state=STOPPED; elif [ "$st" = 0 ]; then state=DONE; else state=FAILED; fi
  t0=$(date -d "$(cat "$d/started" 2>/dev/null || cat "$d/ended")" +%s 2>/dev/null || echo 0)
  t1=$(date -d "$(cat "$d/ended")" +%s 2>/dev/null || echo 0)
  dur=$((t1 - t0))
  text="Job $n $state (exit $st) on $HOSTNAME after $((dur / 60))m$((dur % 60))s"
  [ -e "$d/stopped" ] && text="$text: $(cat "$d/stopped")"
  fence=$(printf '\140\140\140')
  text="$text"$'\n'"$fence"$'\n'"$(tail -n 10 "$d/run.log")"$'\n'"$fence"
  printf '{"text":"%s"}' "$(json_escape "$text")" > "$d/.notice.json" || return 1
  { printf 'url = "'; sed 's/[\\"]/\\&/g' "$hook" | tr -d '\r\n'; printf '"\n'; } |
    curl -sS -m 15 -K - -o /dev/null -H 'Content-Type: application/json' --data-binary @"$d/.notice.json"
  rm -f -- "$d/.notice.json"
}
`;
