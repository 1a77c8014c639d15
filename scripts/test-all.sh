#!/usr/bin/env bash
# Every test suite from a fresh Debian machine in one command (the README's test line; .ci/run
# runs exactly it): installs what the suites need (scripts/setup-test-env.sh: apt packages and
# code-server, as root or through sudo), then a clean `npm ci` and `npm test`.
# Needs Node >= 20 with npm on PATH (Debian's own nodejs is older).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v npm >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
  echo "test-all: needs Node >= 20 and npm on PATH (found: $(node --version 2>/dev/null || echo 'no node'))." >&2
  exit 1
fi
bash scripts/setup-test-env.sh
npm ci
npm test
