#!/usr/bin/env bash
# install-deps.sh — installs what Sargs needs to build and test on Debian 12,
# skipping what is already there. Needs root (or sudo) only when something
# is missing.
set -euo pipefail

PKGS=(
	build-essential cmake pkg-config
	libsodium-dev libsqlite3-dev libjansson-dev libcmocka-dev libcmark-dev libmicrohttpd-dev
	libtcmalloc-minimal4
	curl jq openssl chromium
	sqlite3
)
# the browser tests need Node.js and npm; the machine's own are used when present
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	PKGS+=(nodejs npm)
fi
# with --dev: the tools CI and developers use beyond the build
if [ "${1:-}" = "--dev" ]; then
	PKGS+=(clang clang-tidy cppcheck valgrind)
fi

missing=()
for p in "${PKGS[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
echo "Installing: ${missing[*]}" >&2
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
