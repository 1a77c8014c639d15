#!/usr/bin/env bash
# Shell is code too: every shell file of the repo is parsed by bash (-n) and checked by shellcheck.
# Part of `npm run lint`; a missing shellcheck is an error, not a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v shellcheck >/dev/null 2>&1 || {
  echo "lint-shell: shellcheck is not installed (Debian: apt-get install -y shellcheck; scripts/setup-test-env.sh installs it)" >&2
  exit 1
}
mapfile -t files < <(git ls-files -co --exclude-standard -- '*.sh' '*.bash' .ci/run | grep -v '^node_modules/')
status=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  bash -n "$f" || status=1
done
# Every file alone, and the host library's parts once more joined as a host gets them (a
# variable set in one part and read in another is then understood).
present=()
for f in "${files[@]}"; do [ -f "$f" ] && present+=("$f"); done
shellcheck -x -P SCRIPTDIR -s bash "${present[@]}" || status=1
node --require ./scripts/sh-text-hook.cjs --import tsx scripts/lint-host.ts || status=1
[ "$status" = 0 ] && echo "lint-shell: ${#files[@]} files clean (bash -n, shellcheck $(shellcheck --version | sed -n 's/^version: //p'))"
exit "$status"
