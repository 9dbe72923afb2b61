#!/bin/sh
# Installs Debian's chromium for the HTML report's browser test
# (packages/conformance/tests/report-browser.test.ts drives /usr/bin/chromium with
# playwright-core). Idempotent: does nothing when /usr/bin/chromium runs; otherwise runs
# `apt-get update` once, then installs the `chromium` package. Prints what it did.
# Exits non-zero if installation fails (the browser test then skips with its reason).
set -eu

BROWSER=/usr/bin/chromium

if [ -x "$BROWSER" ] && "$BROWSER" --version >/dev/null 2>&1; then
  echo "install-browser: $("$BROWSER" --version 2>/dev/null) already installed"
  exit 0
fi

sh "$(dirname "$0")/apt-install.sh" install-browser chromium
if [ ! -x "$BROWSER" ]; then
  echo "install-browser: chromium installed but $BROWSER is missing" >&2
  exit 1
fi
echo "install-browser: installed $("$BROWSER" --version 2>/dev/null || echo chromium)"
