# shellcheck shell=bash
# CloudWatch Logs shipping (PRODUCT.md §7, `orch run --cloudwatch`): a shipper on the box sends
# run.log to one log stream through the box's own AWS CLI and credential chain, so shipping goes
# on while the laptop sleeps. Every byte is sent once and in order: the shipped byte offset of
# run.log is cloudwatch.d/offset ("OFFSET LINES TIMESTAMP"), moved only after PutLogEvents
# succeeded. A batch in flight is cloudwatch.d/pending ("END LINES TIMESTAMP"); each batch has a
# timestamp of its own (one more than the last), so after a crash mid-call the stream's last
# event tells whether that batch arrived (cw_settle). What changes at every batch lives in
# cloudwatch.d/, so the job dir's mtime (the tree's change watch, ops/watch.sh) moves only when
# the shipping changes state. In the job dir: cloudwatch (group, stream, region, aws path),
# cloudwatch.pid, cloudwatch.error, cloudwatch.done (everything through "[EXIT: N]" is shipped;
# the shipper has exited). On a Slurm host it runs on the login node (started by op_slurm_run's
# op_run, revived by slurm list) and also ends when Slurm says the job is gone without an exit
# line (lib/cloudwatch-slurm.sh).

# The API's limits: an event is its UTF-8 message plus 26 bytes, at most 256 KB; a batch at most
# 1 MB and 10,000 events. A window of run.log read per batch (bytes).
CW_EVENT_MAX=$((262144 - 26))
CW_BATCH_MAX=1048576
CW_EVENTS_MAX=10000
CW_WINDOW=1048576
# Seconds between batches while the job writes slowly.
CW_INTERVAL=2

# The batch builder (C locale: bytes). Input: a window of run.log. Writes the JSON array of
# events to `out` (pure ASCII: everything else as \u escapes, so no CLI file encoding matters)
# and prints "BYTES_USED EVENTS LINES". Bytes that are not UTF-8 become U+FFFD as a browser's
# decoder does (one per maximal invalid subpart); an empty line is sent as one space (the API
# refuses empty messages); a line longer than an event is split at a character boundary. A line
# without its newline yet waits, unless `final` (the job ended and this is the log's end).
# shellcheck disable=SC2016 # awk's program, not the shell's
CW_AWK='
function dec(j,   b, n, lo, hi, k, c, cp) {
  b = ord[substr(R, j, 1)] + 0
  PN = 1; PS = 1
  if (b < 128) {
    if (b == 34) P = "\\\""; else if (b == 92) P = "\\\\"
    else if (b < 32 || b == 127) P = sprintf("\\u%04x", b); else P = substr(R, j, 1)
    return 0
  }
  if (b >= 194 && b <= 223) { n = 1; lo = 128; hi = 191; cp = b - 192 }
  else if (b == 224) { n = 2; lo = 160; hi = 191; cp = 0 }
  else if (b == 237) { n = 2; lo = 128; hi = 159; cp = 13 }
  else if (b >= 225 && b <= 239) { n = 2; lo = 128; hi = 191; cp = b - 224 }
  else if (b == 240) { n = 3; lo = 144; hi = 191; cp = 0 }
  else if (b >= 241 && b <= 243) { n = 3; lo = 128; hi = 191; cp = b - 240 }
  else if (b == 244) { n = 3; lo = 128; hi = 143; cp = 4 }
  else { P = "\\ufffd"; PS = 3; return 0 }
  for (k = 1; k <= n; k++) {
    if (j + k > RL) { if (WAIT) return -1; break }
    c = ord[substr(R, j + k, 1)] + 0
    if (c < lo || c > hi) break
    cp = cp * 64 + c - 128; lo = 128; hi = 191
  }
  if (k <= n) { P = "\\ufffd"; PS = 3; PN = k; return 0 }
  PN = n + 1; PS = n + 1
  if (cp < 65536) P = sprintf("\\u%04x", cp)
  else { cp -= 65536; P = sprintf("\\u%04x\\u%04x", 55296 + int(cp / 1024), 56320 + cp % 1024) }
  return 0
}
# fits(SIZE): one more event of SIZE bytes fits the batch; then begin() and end() write it.
function fits(s) { return n + 1 <= maxevents && bytes + s + 26 <= maxbatch }
function begin(s) { printf "%s{\"timestamp\":%s,\"message\":\"", (n ? "," : ""), ts > out; n++; bytes += s + 26 }
function fin() { printf "\"}" > out }
BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i; n = 0; bytes = 0; used = 0; lines = 0; full = 0 }
full { next }
{
  R = $0; RL = length(R); start = used
  term = start + RL < avail
  WAIT = !term && !final
  if (RL == 0) {
    if (!term && !final) next
    if (!fits(1)) { full = 1; next }
    begin(1); printf " " > out; fin(); used++; lines++
    next
  }
  ascii = R !~ /[^ -~]/
  i = 1
  while (i <= RL) {
    if (ascii) {
      # printable ASCII: a chunk is a substring, escaped in one go
      m = RL - i + 1; if (m > maxev) m = maxev
      if (m < maxev && WAIT) { full = 1; next }
      if (!fits(m)) { full = 1; next }
      # "&&" doubles each backslash in every awk; quotes are joined back escaped
      t = substr(R, i, m); gsub(/\\/, "&&", t); q = split(t, qs, "\"")
      begin(m); for (k = 1; k <= q; k++) printf "%s%s", (k > 1 ? "\\\"" : ""), qs[k] > out; fin()
      i += m; used = start + i - 1
      continue
    }
    j = i; s = 0; np = 0; waiting = 0
    while (j <= RL) {
      if (dec(j) < 0) { waiting = 1; break }
      if (s + PS > maxev) break
      part[++np] = P; s += PS; j += PN
    }
    if ((waiting || j > RL) && WAIT) { full = 1; next }
    if (!fits(s)) { full = 1; next }
    begin(s); for (k = 1; k <= np; k++) printf "%s", part[k] > out; fin()
    i = j; used = start + i - 1
  }
  if (term) used++
  lines++
}
END { print used, n, lines }
'

# cw_load DIR: the job's shipping settings (CW_GROUP, CW_STREAM, CW_REGION, CW_AWS_BIN).
cw_load() {
  CW_GROUP=""; CW_STREAM=""; CW_REGION=""; CW_AWS_BIN=""
  { IFS= read -r CW_GROUP; IFS= read -r CW_STREAM; IFS= read -r CW_REGION; IFS= read -r CW_AWS_BIN; } 2>/dev/null < "$1/cloudwatch"
  [ -n "$CW_GROUP" ] && [ -n "$CW_STREAM" ] && [ -n "$CW_AWS_BIN" ]
}

# cw_mine DIR: DIR still is the job this shipper started for (its stream). `orch run --force`
# renames the job dir away and makes a new one at the same path, which has a shipper and a
# stream of its own: one still running for the old run (a backlog, a Slurm job waiting to be
# seen gone) must not ship the new run.log into the old stream or move the new offset.
cw_mine() {
  local s=""
  { IFS= read -r _; IFS= read -r s; } 2>/dev/null < "$1/cloudwatch"
  [ -n "$s" ] && [ "$s" = "$CW_STREAM" ]
}

# cw_aws ARGS...: one `aws logs` call; its output (stdout and stderr) in CW_OUT. The endpoint is
# the box's AWS_ENDPOINT_URL_LOGS when set (older CLIs than 2.13 do not read it themselves).
cw_aws() {
  local a=(logs "$@" --output text)
  [ -z "$CW_REGION" ] || a+=(--region "$CW_REGION")
  [ -z "${AWS_ENDPOINT_URL_LOGS:-}" ] || a+=(--endpoint-url "$AWS_ENDPOINT_URL_LOGS")
  CW_OUT=$(AWS_PAGER="" "$CW_AWS_BIN" "${a[@]}" 2>&1 </dev/null 7>&-)
}

# cw_fail DIR: the last call's failure, for list (its last line: the CLI's own sentence).
cw_fail() {
  local t=${CW_OUT%$'\n'}
  t=${t##*$'\n'}
  put "$1/cloudwatch.error" "$(printf '%(%s)T' -1) ${t:-aws exited without a message}"
}

# cw_now_ms VAR: milliseconds since the epoch (bash 5's EPOCHREALTIME; whole seconds in bash 4).
cw_now_ms() {
  local _t=${EPOCHREALTIME:-}
  if [ -n "$_t" ]; then _t=${_t/,/.}; _t=${_t%.*}${_t#*.}; printf -v "$1" '%s' "${_t:0:13}"
  else printf -v "$1" '%(%s)T000' -1; fi
}

# cw_setup DIR: the log group and stream exist (an existing one is fine); 1 on a failure.
cw_setup() {
  [ ! -e "$1/cloudwatch.ready" ] || return 0
  cw_aws create-log-group --log-group-name "$CW_GROUP" || case $CW_OUT in *ResourceAlreadyExists*) ;; *) return 1 ;; esac
  cw_aws create-log-stream --log-group-name "$CW_GROUP" --log-stream-name "$CW_STREAM" || case $CW_OUT in *ResourceAlreadyExists*) ;; *) return 1 ;; esac
  : > "$1/cloudwatch.ready"
}

# cw_settle DIR: a batch left in flight by a crash or a failed call arrived or not: the stream's
# last event has its timestamp when it did. 1 when that cannot be told now (try again later); a
# box without logs:GetLogEvents sends the batch again.
cw_settle() {
  local end nl pts last
  [ -f "$1/cloudwatch.d/pending" ] || return 0
  read -r end nl pts < "$1/cloudwatch.d/pending"
  if cw_aws get-log-events --log-group-name "$CW_GROUP" --log-stream-name "$CW_STREAM" --no-start-from-head --limit 1 --query 'events[-1].timestamp'; then
    last=${CW_OUT//[!0-9]/}
    if [ "$last" = "$pts" ]; then put "$1/cloudwatch.d/offset" "$end $nl $pts"; fi
  else
    case $CW_OUT in *AccessDenied*|*ResourceNotFound*) ;; *) return 1 ;; esac
  fi
  CW_LAST_TS=$pts
  rm -f -- "$1/cloudwatch.d/pending"
}

# cloudwatch_ship DIR: the shipper (started by op_run, revived by list when it died); exits once
# the job has ended and all of run.log is shipped. One per job (flock where it exists).
cloudwatch_ship() {
  local d=$1 off=0 nl=0 ts=0 size ended avail final res used n lines fails=0 pause now
  cw_load "$d" || return 1
  mkdir -p -- "$d/cloudwatch.d" || return 1
  # fd 7 holds the lock; no child gets it. A call a killed shipper left running may hold it for a
  # while yet (its subshell): wait for that, not for a live shipper (list revives only dead ones).
  if command -v flock >/dev/null 2>&1; then exec 7>>"$d/cloudwatch.lock" && flock -w 60 7 || return 0; fi
  printf '%s\n' "$BASHPID" > "$d/cloudwatch.pid"
  CW_LAST_TS=0
  while :; do
    pause=$CW_INTERVAL
    cw_mine "$d" || return 0
    if cw_setup "$d" && cw_settle "$d"; then
      read -r off nl ts 2>/dev/null < "$d/cloudwatch.d/offset"
      off=${off:-0}; nl=${nl:-0}; ts=${ts:-0}
      [ "$CW_LAST_TS" -gt "$ts" ] || CW_LAST_TS=$ts
      ended=0; [ ! -e "$d/exit" ] || ended=1
      file_size size "$d/run.log"
      # A Slurm job may end without its exit line (lib/cloudwatch-slurm.sh): asked when idle.
      if [ "$ended" = 0 ] && [ "$off" -ge "$size" ] && cw_slurm_gone "$d"; then ended=1; fi
      # Once the job has ended, run.log's size through an open: a shared file system's client
      # (a login node reading what a compute node wrote) asks its server then, where a stat may
      # answer from its attribute cache and the last lines would never be shipped.
      if [ "$ended" = 1 ]; then size=$(wc -c < "$d/run.log" 7>&-); size=${size//[!0-9]/}; size=${size:-0}; fi
      if [ "$off" -ge "$size" ]; then
        if [ "$ended" = 1 ]; then rm -f -- "$d/cloudwatch.error"; : > "$d/cloudwatch.done"; rm -f -- "$d/cloudwatch.pid"; return 0; fi
      else
        avail=$((size - off)); [ "$avail" -le "$CW_WINDOW" ] || avail=$CW_WINDOW
        final=0; [ "$ended" = 1 ] && [ $((off + avail)) = "$size" ] && final=1
        cw_now_ms now
        [ "$now" -gt "$CW_LAST_TS" ] || now=$((CW_LAST_TS + 1))
        res=$(tail -c "+$((off + 1))" -- "$d/run.log" 7>&- | head -c "$avail" 7>&- |
          LC_ALL=C awk -v out="$d/cloudwatch.d/batch" -v ts="$now" -v avail="$avail" -v final="$final" \
            -v maxev="$CW_EVENT_MAX" -v maxbatch="$CW_BATCH_MAX" -v maxevents="$CW_EVENTS_MAX" "$CW_AWK" 2>&1 7>&-)
        read -r used n lines <<< "$res"
        cw_mine "$d" || return 0
        if [ "${n:-0}" -gt 0 ] 2>/dev/null; then
          printf '[' > "$d/cloudwatch.d/events" && cat -- "$d/cloudwatch.d/batch" >> "$d/cloudwatch.d/events" && printf ']' >> "$d/cloudwatch.d/events"
          put "$d/cloudwatch.d/pending" "$((off + used)) $((nl + lines)) $now"
          CW_LAST_TS=$now
          if cw_aws put-log-events --log-group-name "$CW_GROUP" --log-stream-name "$CW_STREAM" --log-events "file://$d/cloudwatch.d/events"; then
            put "$d/cloudwatch.d/offset" "$((off + used)) $((nl + lines)) $now"
            rm -f -- "$d/cloudwatch.d/pending" "$d/cloudwatch.error" "$d/cloudwatch.d/batch" "$d/cloudwatch.d/events"
            fails=0
            # A full batch (more is waiting) or the job's end: on at once.
            if [ $((off + used)) -lt "$size" ] || [ "$ended" = 1 ]; then pause=0; fi
          else
            cw_fail "$d"; fails=$((fails + 1))
          fi
        elif [ "$final" = 1 ] || [ "${used:-x}" != 0 ]; then
          # Nothing the awk could make of the window (it failed): said, and tried again.
          CW_OUT="cannot read $d/run.log for CloudWatch: ${res:-no output}"; cw_fail "$d"; fails=$((fails + 1))
        fi
        rm -f -- "$d/cloudwatch.d/batch"
      fi
    else
      cw_fail "$d"; fails=$((fails + 1))
    fi
    # Failures back off (1, 2, 4 ... 30 s); a day of them ends the shipper (list revives it).
    if [ "$fails" -gt 0 ]; then
      pause=$((1 << (fails < 6 ? fails - 1 : 5))); [ "$pause" -le 30 ] || pause=30
      [ "$fails" -lt 3000 ] || return 1
    fi
    [ "$pause" = 0 ] || sleep "$pause" 7>&-
  done
}

# cloudwatch_start DIR: the shipper, detached from the caller's session and streams.
cloudwatch_start() {
  ( trap '' HUP; exec setsid bash "$LIB" cloudwatch_ship "$1" </dev/null >/dev/null 2>&1 8>&- ) &
}

# cloudwatch_files DIR NAME FIELD AWS: the job's shipping settings (FIELD: group, newline,
# region). The stream is the job's name with its start time and a random part, so a re-run
# (--force) never writes into the stream of the run before.
cloudwatch_files() {
  local stream
  TZ=UTC0 printf -v stream '%s-%(%Y%m%dT%H%M%SZ)T-%04x%04x' "$2" -1 "$RANDOM" "$RANDOM"
  printf '%s\n%s\n%s\n%s\n' "${3%%$'\n'*}" "$stream" "${3#*$'\n'}" "$4" > "$1/cloudwatch"
}
