# shellcheck shell=bash
# The end of a Slurm job for its CloudWatch shipper (lib/cloudwatch.sh), which runs on the login
# node and follows run.log on the shared file system. Its end is the exit marker, as on a tmux
# host, or else Slurm's word: a job scancelled while PENDING, or whose node died, never gets an
# exit line, and its shipper must not follow run.log forever.

# Seconds between the shipper's squeue calls while it has nothing to send; Slurm must say
# "gone" twice that far apart (a job's COMPLETING, a shared file system showing the exit line
# late) before the shipper ships what is there and stops.
CW_SLURM_EVERY=10

# cw_slurm_gone DIR: 0 when DIR is a Slurm job that Slurm has had in no active state (or has
# forgotten) for CW_SLURM_EVERY seconds; 1 otherwise, also when squeue cannot be asked.
cw_slurm_gone() {
  local id="" s
  [ -e "$1/slurm-job-id" ] || return 1
  if [ -n "${CW_SLURM_AT:-}" ] && [ $((SECONDS - CW_SLURM_AT)) -lt "$CW_SLURM_EVERY" ]; then
    [ -n "${CW_GONE_AT:-}" ] && [ $((SECONDS - CW_GONE_AT)) -ge "$CW_SLURM_EVERY" ]
    return
  fi
  CW_SLURM_AT=$SECONDS
  read -r id 2>/dev/null < "$1/slurm-job-id"
  # The lock's fd 7 stays with the shipper (lib/cloudwatch.sh).
  slurm_queue 7>&-
  if [ -z "$id" ] || [ "$SLURM_Q_OK" != 1 ]; then CW_GONE_AT=""; return 1; fi
  slurm_state s "$id"
  case $SLURM_ACTIVE in *" $s "*) CW_GONE_AT=""; return 1 ;; esac
  [ -n "${CW_GONE_AT:-}" ] || CW_GONE_AT=$SECONDS
  [ $((SECONDS - CW_GONE_AT)) -ge "$CW_SLURM_EVERY" ]
}
