# shellcheck shell=bash
# op_autostop: the idle clock of the log root (lib/autostop.sh autostop_report); nothing when
# autostop is off there.
op_autostop() {
  autostop_report "$F_ROOT"
}
