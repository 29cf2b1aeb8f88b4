#!/usr/bin/env bash
# Installs the pinned real Claude Code CLI into .cache/claude-code for the e2e tests and the fixture generator.
# It is not a package.json dependency: the native binary is ~370 MB and only the e2e tests need it.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${CLAUDE_CODE_VERSION:-2.1.328}"
PREFIX=".cache/claude-code"
BIN="$PREFIX/node_modules/@anthropic-ai/claude-code/bin/claude.exe"
if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "^$VERSION"; then
  echo "e2e-setup: Claude Code $VERSION already installed at $BIN"
  exit 0
fi
mkdir -p "$PREFIX"
[ -f "$PREFIX/package.json" ] || echo '{"name":"claude-code-e2e","private":true}' > "$PREFIX/package.json"
echo "e2e-setup: installing @anthropic-ai/claude-code@$VERSION into $PREFIX (native binary, ~370 MB)"
npm install --prefix "$PREFIX" --no-audit --no-fund --no-save "@anthropic-ai/claude-code@$VERSION"
if ! "$BIN" --version; then
  echo "e2e-setup: FAILED: $BIN does not run; the e2e tests cannot run without it" >&2
  exit 1
fi
