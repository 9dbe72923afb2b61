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

# shellcheck disable=SC2086 # word splitting of the package list is intended
sh "$(dirname "$0")/apt-install.sh" install-rust-deps $missing
echo "install-rust-deps: installed$missing (crates under /usr/share/cargo/registry)"
