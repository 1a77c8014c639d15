#!/usr/bin/env bash
# Installs what the test suites need on a fresh Debian machine (root): a real OpenSSH server
# and client, tmux, Chromium, cron, the VS Code workbench (code-server) for extension tests, and
# the shell tools: the linter (shellcheck) and zsh and fish for the completion tests, and a
# single-node Slurm (slurm-wlm, munge) that test/integration/harness/slurm.ts starts per suite,
# the AWS CLI (awscli) that the CloudWatch shipper runs on the test box, and busybox for the
# busybox host suites (PRODUCT.md §12).
# First of the README's test line: it needs Node >= 20 with npm on PATH (Debian's own nodejs is older).
set -euo pipefail
if ! command -v npm >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' 2>/dev/null; then
  echo "setup-test-env: needs Node >= 20 and npm on PATH (found: $(node --version 2>/dev/null || echo 'no node'))." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq openssh-server openssh-client tmux chromium libkrb5-dev build-essential \
  python3 python3-tqdm pkg-config git cron curl ca-certificates rsync iptables shellcheck zsh fish \
  slurm-wlm munge zstd awscli busybox >/dev/null
HERE="$(cd "$(dirname "$0")" && pwd)"
if [ -x "$HERE/vscode-test/setup.sh" ]; then bash "$HERE/vscode-test/setup.sh"; fi
echo "test environment ready: $(ssh -V 2>&1), $(tmux -V), slurm $(dpkg-query -W -f='${Version}' slurm-wlm), $(chromium --version 2>/dev/null | head -1)"
