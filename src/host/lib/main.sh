# shellcheck shell=bash
# Run as a program (`bash LIB FUNCTION ARGS...`: the tmux session's runner, stop from the
# max-hours watchdog, notices, cron's prune and autostop check), the library calls one function. Sourced by an
# operation's call script, it only defines them.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  # shellcheck disable=SC2034 # the functions called below find the library by it
  LIB=$0
  fn=${1:-}
  shift
  case $fn in
    runner) runner "$@" ;;
    slurm_batch) slurm_batch "$@" ;;
    stop|notify|git_check|git_reset|cloudwatch_ship)
      private_mode "${1%/*}"; umask "$UMASK_ORCH"; "$fn" "$@" ;;
    notify_summary|prune|cron_install|autostop_check)
      private_mode "$1"; umask "$UMASK_ORCH"; "$fn" "$@" ;;
    *) printf 'orch host library: unknown function %s\n' "$fn" >&2; exit 2 ;;
  esac
fi
