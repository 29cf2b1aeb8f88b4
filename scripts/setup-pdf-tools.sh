#!/usr/bin/env bash
# Installs the real PDF producers and the reader the PDF suite (npm run bench:pdf, test/unit/reduce/pdf-producers)
# uses, from Debian packages, so the PDFs are made at test time by the programs people make them with:
#   poppler-utils (pdftotext: the oracle's reader; pdftocairo: cairo), qpdf, ghostscript, mupdf-tools (mutool),
#   pdftk-java, texlive-latex-base (pdflatex, graphicx), texlive-luatex (lualatex), libreoffice-writer (odt, docx,
#   html), chromium (print-to-pdf) and a font with wide coverage.
# --no-install-recommends keeps texlive and libreoffice at what the suite needs. A rerun with everything present is a
# no-op. Fails loudly: the suite means nothing without its producers.
# --minimal: only what the fast subset in test/e2e needs (poppler-utils, qpdf, ghostscript; about a minute).
set -euo pipefail
MINIMAL=0
[ "${1:-}" = "--minimal" ] && MINIMAL=1

fail() { echo "setup-pdf-tools: FAILED: $*" >&2; exit 1; }
log() { echo "setup-pdf-tools: $*"; }

# tool -> Debian package
declare -A PKG=(
  [pdftotext]=poppler-utils
  [pdftocairo]=poppler-utils
  [qpdf]=qpdf
  [gs]=ghostscript
  [mutool]=mupdf-tools
  [pdftk]=pdftk-java
  [pdflatex]=texlive-latex-base
  [lualatex]=texlive-luatex
  [soffice]=libreoffice-writer
)
if [ "$MINIMAL" = 1 ]; then
  for tool in "${!PKG[@]}"; do case "$tool" in pdftotext|qpdf|gs) ;; *) unset "PKG[$tool]" ;; esac; done
fi
need=()
for tool in "${!PKG[@]}"; do command -v "$tool" >/dev/null 2>&1 || need+=("${PKG[$tool]}"); done
# Chromium under any of its Debian names.
if [ "$MINIMAL" = 0 ] && ! command -v chromium >/dev/null 2>&1 && ! command -v chromium-headless-shell >/dev/null 2>&1; then need+=(chromium); fi
# Fonts: the TeX and office documents need a text font; LibreOffice needs its Writer filters for docx/html.
[ "$MINIMAL" = 1 ] || dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
# The LaTeX engines want their format files and a text font package.
[ "$MINIMAL" = 1 ] || dpkg -s texlive-fonts-recommended >/dev/null 2>&1 || need+=(texlive-fonts-recommended)

if [ "${#need[@]}" -gt 0 ]; then
  # shellcheck disable=SC2207
  need=($(printf '%s\n' "${need[@]}" | sort -u))
  log "installing Debian packages: ${need[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  # Other jobs on the machine may hold the dpkg lock: wait for it rather than fail.
  $SUDO apt-get -o DPkg::Lock::Timeout=900 update -q || fail "apt-get update failed; install ${need[*]} by hand"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=900 install -y -q --no-install-recommends "${need[@]}" \
    || fail "apt-get install ${need[*]} failed"
fi

for tool in "${!PKG[@]}"; do command -v "$tool" >/dev/null 2>&1 || fail "no $tool after install (package ${PKG[$tool]})"; done
log "ready: ${!PKG[*]}"
