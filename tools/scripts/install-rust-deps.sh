#!/bin/sh
# Installs the Debian-packaged Rust crates that tools/corpus-rs builds against offline
# (cargo directory source: /usr/share/cargo/registry). Idempotent: does nothing when
# every package is already installed; otherwise runs `apt-get update` once, then installs
# only the missing ones. Prints what it did. Exits non-zero if installation fails.
set -eu

PACKAGES="librust-serde-dev librust-serde-derive-dev librust-serde-json-dev"

missing=""
for pkg in $PACKAGES; do
  # dpkg-query prints "install ok installed" only for a fully installed package.
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" = "install ok installed" ]; then
    echo "install-rust-deps: $pkg already installed"
  else
    missing="$missing $pkg"
  fi
done

if [ -z "$missing" ]; then
  echo "install-rust-deps: nothing to do"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-rust-deps: apt-get not found; install manually:$missing" >&2
  exit 1
fi

# apt-get needs root; use sudo only when we are not root and it exists.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-rust-deps: not root and no sudo; install manually:$missing" >&2
    exit 1
  fi
fi

echo "install-rust-deps: apt-get update"
$SUDO apt-get update -qq
echo "install-rust-deps: installing$missing"
# shellcheck disable=SC2086 # word splitting of the package list is intended
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
echo "install-rust-deps: installed$missing (crates under /usr/share/cargo/registry)"
