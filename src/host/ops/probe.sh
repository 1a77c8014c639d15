# shellcheck shell=bash
# op_probe: what placement and the output-dir check need beyond the jobs: the user's home, the
# 1-minute load average, the CPU count and the GPUs the driver lists (0 without nvidia-smi).
op_probe() {
  local l=0 n g
  read -r l _ < /proc/loadavg 2>/dev/null
  n=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
  g=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
  printf '%s\0%s\0%s\0%s\0' "$HOME" "$l" "$n" "${g:-0}"
}
