#!/usr/bin/env bash
# lint.sh — static checks CI runs: no unsafe string functions in src/,
# cppcheck and clang-tidy clean (configuration in .clang-tidy).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --dev
if grep -rnE '\b(sprintf|vsprintf|strcpy|strcat|atoi|atol|gets)\s*\(' src/; then
	echo "unsafe string functions found (use snprintf, bounded copies, strtol)"
	exit 1
fi
cppcheck --quiet --inline-suppr --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
	-I src src/ tests/ fuzz/ bench/
cmake -S . -B build-lint -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-lint -j "$(nproc)" --target sargs_cli >/dev/null
out=$(clang-tidy -p build-lint --quiet src/*/*.c tests/*/*.c tests/testutil.c fuzz/*.c bench/*.c 2>/dev/null | grep -E 'warning:|error:' || true)
if [ -n "$out" ]; then
	echo "$out"
	exit 1
fi
echo "lint: clean"
