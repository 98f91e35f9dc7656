#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, only those missing (quietly); `make test` and `.ci/run` call it,
# so that the README's test command works on a fresh Debian machine.
#   chromium                      the browser of tests/test_browser.py (Playwright drives it; no browser download)
#   poppler-utils                 pdftotext and pdftoppm, to read and render the PDF documents in tests/test_pdf.py
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core   WeasyPrint's layout and its font
set -euo pipefail

PACKAGES=(chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
command -v dpkg-query >/dev/null || { echo "not a Debian system: install ${PACKAGES[*]} (or their equivalents) by hand" >&2; exit 0; }
missing=()
for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
((${#missing[@]})) || exit 0
echo "installing the Debian packages the tests need: ${missing[*]}"
as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if ! sudo -n true 2>/dev/null; then
        echo "cannot install ${missing[*]} without root: run 'sudo apt-get install ${missing[*]}' once" >&2
        exit 1
    fi
    as_root=(sudo -n)
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
