# shellcheck shell=bash
# Progress of a running job (PRODUCT.md §9), read cheaply: only the last 4 KB of run.log, split
# on "\r" and "\n" (tqdm rewrites its line with "\r"), and the last piece that looks like
# progress: a percent ("45%"), a count ("120/1000", not part of a date or path), with tqdm's
# "[elapsed<eta, rate]" or Keras' "ETA: 1:23" and "5ms/step" when shown.

# progress_of TEXT: sets PROGRESS to "PCT<TAB>N<TAB>TOTAL<TAB>RATE<TAB>ETA" (parts may be
# empty), or to "" when TEXT has no progress line. Pure bash: no process.
progress_of() {
  local text=${1//$'\r'/$'\n'} lines i l pct="" n="" total="" rate="" eta=""
  PROGRESS=""
  mapfile -t lines <<< "$text"
  for ((i = ${#lines[@]} - 1; i >= 0; i--)); do
    l=${lines[i]}
    pct=""; n=""; total=""
    if [[ $l =~ (^|[^0-9./])([0-9]+)/([0-9]+)($|[^0-9/]) ]]; then
      n=${BASH_REMATCH[2]}; total=${BASH_REMATCH[3]}
      # Leading zeros would read as octal; a count never passes its total.
      n=$((10#$n)); total=$((10#$total))
      if [ "$total" -eq 0 ] || [ "$n" -gt "$total" ]; then n=""; total=""; fi
    fi
    if [[ $l =~ (^|[^0-9.])([0-9]{1,3}(\.[0-9]+)?)\ ?% ]]; then pct=${BASH_REMATCH[2]}; fi
    if [ -n "$pct" ] || [ -n "$total" ]; then break; fi
  done
  [ "$i" -ge 0 ] || return 0
  if [ -z "$pct" ] && [ -n "$total" ]; then pct=$((n * 100 / total)); fi
  if [[ $l =~ \[[0-9:]+\<([0-9:?]+),\ *([^],]+) ]]; then
    eta=${BASH_REMATCH[1]}; rate=${BASH_REMATCH[2]}
  else
    if [[ $l =~ ETA:?\ *([0-9][0-9:hms]*) ]]; then eta=${BASH_REMATCH[1]}; fi
    if [[ $l =~ ([0-9.]+\ ?[a-zA-Z]*/(s|step|it|epoch)) ]]; then rate=${BASH_REMATCH[1]}; fi
  fi
  [ "$rate" != '?it/s' ] || rate=""
  [ "$eta" != '?' ] || eta=""
  PROGRESS=$pct$'\t'$n$'\t'$total$'\t'$rate$'\t'$eta
}

# emit_progress DIR: the "progress" field of a job record (nothing when there is none).
emit_progress() {
  local tail_text
  { tail_text=$(tail -c 4096 -- "$1/run.log"); } 2>/dev/null || return 0
  progress_of "$tail_text"
  [ -z "$PROGRESS" ] || printf 'progress\0%s\0' "$PROGRESS"
}
