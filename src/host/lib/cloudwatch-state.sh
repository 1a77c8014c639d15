# shellcheck shell=bash
# What list says of a job's CloudWatch shipping (lib/cloudwatch.sh writes the files), and the
# revival of a shipper that died (killed, the box rebooted) before it shipped everything: any
# status call starts it again, and it resumes at the byte after the last one shipped.

# cw_lives DIR: the job's shipper process lives (its /proc cmdline names the job dir).
cw_lives() {
  pid_runs "$1/cloudwatch.pid" cloudwatch_ship "$1"
}

# cw_emit DIR: the "cloudwatch" field of a job record: GROUP, STREAM, lines shipped, bytes of
# run.log not shipped yet, state (done, shipping, waiting: no shipper now), the last failure
# ("EPOCH sentence"), tab-separated. Nothing for a job without CloudWatch.
cw_emit() {
  local d=$1 g="" s="" off=0 nl=0 size=0 err="" state='done'
  [ -f "$d/cloudwatch" ] || return 0
  { IFS= read -r g; IFS= read -r s; } < "$d/cloudwatch"
  read -r off nl _ 2>/dev/null < "$d/cloudwatch.d/offset"
  if [ ! -e "$d/cloudwatch.done" ]; then
    state=shipping
    file_size size "$d/run.log"
    [ ! -f "$d/cloudwatch.error" ] || IFS= read -r err < "$d/cloudwatch.error"
    # Only a shipper that started (it wrote its pid) and is gone: run's own is still starting.
    if [ -f "$d/cloudwatch.pid" ] && ! cw_lives "$d"; then
      state=waiting
      ( trap '' HUP; exec setsid bash "$LIB" cloudwatch_ship "$d" </dev/null >/dev/null 2>&1 8>&- ) &
    fi
  fi
  size=$((size - ${off:-0})); [ "$size" -ge 0 ] || size=0
  printf 'cloudwatch\0%s\t%s\t%s\t%s\t%s\t%s\0' "$g" "$s" "${nl:-0}" "$size" "$state" "$err"
}
