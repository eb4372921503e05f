#!/usr/bin/env bash
# run.sh — the browser tests: starts a demo register and `sargs serve`, then
# runs every *.spec.mjs here in Debian's Chromium through playwright-core.
# Screenshots of every step go to $SARGS_TEST_TMP/browser-shots (CI keeps
# them as artefacts); a failing step fails the run.
# Usage: run.sh PATH_TO_SARGS
set -euo pipefail
SARGS=${1:?usage: run.sh PATH_TO_SARGS}
HERE=$(cd "$(dirname "$0")" && pwd)
TMPBASE=${SARGS_TEST_TMP:-/tmp}
mkdir -p "$TMPBASE"
WORK=$(mktemp -d "$TMPBASE/browser-XXXXXX")
export SHOTS="$TMPBASE/browser-shots"
mkdir -p "$SHOTS"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || { echo "Chromium not found at $CHROMIUM (scripts/install-deps.sh installs it)"; exit 1; }
# playwright-core is pinned to 1.61.1 (package.json), the newest release that
# runs on Node.js 18, which is what Debian 12 packages
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 18 ]; then
	echo "playwright-core needs Node.js 18 or newer (found: $(node --version 2>/dev/null || echo none))"
	exit 1
fi
if [ ! -d "$HERE/node_modules/playwright-core" ]; then
	(cd "$HERE" && npm ci --no-audit --no-fund --silent)
fi
export SARGS_DATA="$WORK/data"
unset SARGS_MASTER_KEY
"$SARGS" demo --customers 40 >/dev/null
# the staff of the demo: an owner and a cashier (passwords made here)
export OWNER_PASS="owner-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export CASHIER_PASS="cashier-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$OWNER_PASS" | "$SARGS" staff add anna --role owner --lang lv --password-stdin >/dev/null
printf '%s\n' "$CASHIER_PASS" | "$SARGS" staff add kaspars --role cashier --lang en --password-stdin >/dev/null
"$SARGS" serve --port 0 >"$WORK/server.out" 2>"$WORK/server.log" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
	grep -q '^Sargs listens on ' "$WORK/server.out" && break
	kill -0 $PID 2>/dev/null || { cat "$WORK/server.log"; exit 1; }
	sleep 0.1
done
export BASE=$(sed -n 's|^Sargs listens on \(http[s]*://[^/]*\)/.*|\1|p' "$WORK/server.out")
export SARGS CHROMIUM
rc=0
for spec in "$HERE"/*.spec.mjs; do
	[ -e "$spec" ] || continue
	echo "== $(basename "$spec")"
	node "$spec" || { rc=1; echo "--- server log"; tail -40 "$WORK/server.log"; }
done
exit $rc
