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

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-browser: apt-get not found; install chromium so that $BROWSER exists" >&2
  exit 1
fi

# apt-get needs root; use sudo only when we are not root and it exists.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-browser: not root and no sudo; install the chromium package manually" >&2
    exit 1
  fi
fi

echo "install-browser: apt-get update"
$SUDO apt-get update -qq
echo "install-browser: installing chromium"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
if [ ! -x "$BROWSER" ]; then
  echo "install-browser: chromium installed but $BROWSER is missing" >&2
  exit 1
fi
echo "install-browser: installed $("$BROWSER" --version 2>/dev/null || echo chromium)"
