#!/usr/bin/env bash
# Installs the real Claude Code CLI for the e2e tests and the fixture generator.
# It is not a package.json dependency: the native binary is ~370 MB and only the e2e tests need it.
#   CLAUDE_CODE_VERSION unset      -> the pinned version, in .cache/claude-code (shared; never replaced by another)
#   CLAUDE_CODE_VERSION=2.1.332    -> that version, in .cache/claude-code-2.1.332
#   CLAUDE_CODE_VERSION=latest     -> the newest on npm (asked with `npm view`), in .cache/claude-code-<that version>
# Prints the binary's path on its last line, so scripts can take it with `| tail -1`.
set -euo pipefail
cd "$(dirname "$0")/.."
PINNED="2.1.328"
VERSION="${CLAUDE_CODE_VERSION:-$PINNED}"
if [ "$VERSION" = "latest" ]; then
  VERSION="$(npm view @anthropic-ai/claude-code@latest version)"
  echo "e2e-setup: latest Claude Code on npm is $VERSION"
  # The tests read which version "latest" was from here (test/e2e/claude-code.ts).
  mkdir -p .cache && echo "$VERSION" > .cache/claude-code-latest.version
fi
if ! [[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
  echo "e2e-setup: CLAUDE_CODE_VERSION=$VERSION: give a version such as 2.1.332, or latest" >&2
  exit 2
fi
# Other versions go beside the pinned one, so trying a new release never breaks the shared pinned install.
if [ "$VERSION" = "$PINNED" ]; then PREFIX=".cache/claude-code"; else PREFIX=".cache/claude-code-$VERSION"; fi
BIN="$PREFIX/node_modules/@anthropic-ai/claude-code/bin/claude.exe"
if [ -x "$BIN" ] && "$BIN" --version 2>/dev/null | grep -q "^$VERSION"; then
  echo "e2e-setup: Claude Code $VERSION already installed"
  echo "$BIN"
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
echo "$BIN"
