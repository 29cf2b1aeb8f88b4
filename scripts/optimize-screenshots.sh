#!/usr/bin/env bash
# Quantizes the README's screenshots (media/screenshots/*.png) to a 256-colour palette with Debian's pngquant, so the
# .vsix, which carries them for the README shown in VS Code, stays under its 1 MB goal. Run by
# `AUP_UPDATE_SCREENSHOTS=1 npm run test:integration` after it copies fresh screenshots; installs pngquant if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v pngquant >/dev/null; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends pngquant \
    || { $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends pngquant; }
fi
before=$(du -cb media/screenshots/*.png | tail -1 | cut -f1)
# --skip-if-larger keeps an image that would not shrink; exit code 98/99 only means that.
for png in media/screenshots/*.png; do
  pngquant --force --skip-if-larger --quality 70-95 --speed 1 --strip --output "$png" -- "$png" || [ $? -ge 98 ]
done
after=$(du -cb media/screenshots/*.png | tail -1 | cut -f1)
echo "optimize-screenshots: media/screenshots $((before / 1024)) KB -> $((after / 1024)) KB"
