#!/bin/sh
# apt-install.sh TAG PACKAGE...: installs Debian packages for the repo's install scripts
# (install-browser.sh, install-rust-deps.sh), with the same checks and messages for each:
# apt-get present, root or sudo, one `apt-get update`, then the install. Lines start with
# "TAG: ". Exits non-zero when it cannot install.
set -eu

tag=$1
shift

if ! command -v apt-get >/dev/null 2>&1; then
  echo "$tag: apt-get not found; install manually: $*" >&2
  exit 1
fi

# apt-get needs root; use sudo only when we are not root and it exists.
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "$tag: not root and no sudo; install manually: $*" >&2
    exit 1
  fi
fi

echo "$tag: apt-get update"
$SUDO apt-get update -qq
echo "$tag: installing $*"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@"
