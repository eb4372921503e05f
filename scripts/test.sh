#!/usr/bin/env bash
# test.sh — the README's second command: installs what is missing, builds,
# and runs the whole test suite (unit tests, command-line tests, fuzz corpus
# replay). With --sanitize, builds and runs it under AddressSanitizer and
# UndefinedBehaviorSanitizer instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
dir=build
args=()
if [ "${1:-}" = "--sanitize" ]; then
	dir=build-asan
	args=(-DSARGS_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug)
fi
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "${args[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
rm -rf "$dir/testtmp"
cd "$dir"
ctest --output-on-failure -j "$(nproc)"
