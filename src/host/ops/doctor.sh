# shellcheck shell=bash
# op_doctor: what the host has of what orch needs (PRODUCT.md §12), as facts, one per line:
# KEY<TAB>VALUE[<TAB>VALUE...]; the client judges them (src/core/doctor/checks.ts) and says what
# to fix. It runs where things are missing, so it calls none of the library's other functions and
# no tool that it does not check first: only bash builtins and the tool it is looking at.
op_doctor() {
  local t p kind h now
  printf 'bash\t%s\n' "$BASH_VERSION"
  p=$(command -v tmux 2>/dev/null) && h=$(tmux -V 2>/dev/null)
  printf 'tmux\t%s\t%s\n' "${p:-}" "${h:-}"
  # The runner's tools; a busybox applet says so in its --help (GNU tools do not).
  for t in setsid tail stat grep sed find head cut tr mkdir mv flock cksum; do
    kind=''
    if p=$(command -v "$t" 2>/dev/null); then
      h=$("$t" --help 2>&1 < /dev/null)
      case $h in *BusyBox*) kind=busybox ;; *) kind=gnu ;; esac
    fi
    printf 'tool\t%s\t%s\t%s\n' "$t" "${p:-}" "$kind"
  done
  p=$(command -v crontab 2>/dev/null)
  printf 'cron\t%s\n' "${p:-}"
  # Slurm hosts (PRODUCT.md §8) submit with sbatch and read states with squeue.
  printf 'slurm\t%s\t%s\n' "$(command -v sbatch 2>/dev/null)" "$(command -v squeue 2>/dev/null)"
  # --cloudwatch ships from the box with its own AWS CLI (lib/cloudwatch.sh).
  printf 'aws\t%s\n' "$(command -v aws 2>/dev/null)"
  for t in zstd gzip; do
    p=$(command -v "$t" 2>/dev/null)
    printf 'compress\t%s\t%s\n' "$t" "${p:-}"
  done
  doctor_root
  # The host's clock, to the microsecond where bash has it (5+), else seconds.
  now=${EPOCHREALTIME:-}
  [ -n "$now" ] || printf -v now '%(%s)T' -1 2> /dev/null || now=''
  printf 'clock\t%s\n' "${now/,/.}"
  doctor_linger
}

# The log root: its mode and owner (or that it is not there yet), writable or not, and the free
# space of its file system (the nearest existing dir above it when it is missing).
doctor_root() {
  local dir=$F_ROOT mode='' owner='' w=no avail=''
  if [ -d "$F_ROOT" ]; then
    if command -v stat > /dev/null 2>&1; then
      mode=$(stat -c %a -- "$F_ROOT" 2> /dev/null)
      owner=$(stat -c %u -- "$F_ROOT" 2> /dev/null)
    fi
    [ -w "$F_ROOT" ] && w=yes
  fi
  printf 'root\t%s\t%s\t%s\t%s\t%s\n' "$F_ROOT" "$mode" "$owner" "$UID" "$w"
  while [ ! -d "$dir" ] && [ -n "$dir" ]; do dir=${dir%/*}; done
  if command -v df > /dev/null 2>&1; then
    # POSIX output: the second line's fourth field is the free 1K blocks (no here-string: it
    # needs a temp file, and the disk may be full).
    { read -r _ && read -r _ _ _ avail _; } < <(df -Pk -- "${dir:-/}" 2> /dev/null)
  fi
  printf 'disk\t%s\t%s\n' "${dir:-/}" "$avail"
}

# systemd's logind: lingering of this user, and whether it kills a user's processes at logout.
doctor_linger() {
  local linger kill err
  if ! command -v loginctl > /dev/null 2>&1; then
    printf 'linger\tnone\n'
    return 0
  fi
  if linger=$(loginctl show-user "$UID" -p Linger --value 2>&1); then
    kill=$(loginctl show-session -p KillUserProcesses --value 2> /dev/null)
    printf 'linger\tsystemd\t%s\t%s\n' "$linger" "$kill"
    return 0
  fi
  # loginctl without a running systemd (a container) or without a session of this user.
  err=${linger//$'\n'/ }
  kill=$(loginctl show-session -p KillUserProcesses --value 2> /dev/null)
  printf 'linger\terror\t%s\t%s\n' "$err" "$kill"
}
