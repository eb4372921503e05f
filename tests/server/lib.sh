# lib.sh — helpers for tests against a real `sargs serve` process.
# Usage: . "$(dirname "$0")/lib.sh" "$SARGS_BINARY"
#   server_start [serve options...]   starts the server on a free port; sets
#                                     $BASE (http://127.0.0.1:PORT) and $SERVER_PID
#   req NAME WANT_STATUS METHOD PATH [curl args...]
#                                     one request; body in $BODY, status checked
#   expect_body NAME PATTERN          the last body matches (grep -E)
#   finish                            prints the tally, stops the server, exits
# The register is $SARGS_DATA, created by the test (e.g. `$SARGS demo`).
set -u
SARGS=${1:?usage: test.sh PATH_TO_SARGS}
TMPBASE=${SARGS_TEST_TMP:-/tmp}
mkdir -p "$TMPBASE"
WORK=$(mktemp -d "$TMPBASE/srv-XXXXXX")
export SARGS_DATA="$WORK/data"
unset SARGS_MASTER_KEY
PASS=0
FAIL=0
SERVER_PID=
BASE=
BODY="$WORK/body"
HDRS="$WORK/headers"
JAR="$WORK/cookies"
STATUS=

server_stop() {
	if [ -n "$SERVER_PID" ]; then
		kill -TERM "$SERVER_PID" 2>/dev/null
		wait "$SERVER_PID" 2>/dev/null
		SERVER_PID=
	fi
}
trap 'server_stop; rm -rf "$WORK"' EXIT

# The example registry with a special category (GDPR Art. 9) "health" whose
# field "allergies" the service and newsletter purposes use; loaded into the
# test's register.
load_health_registry() {
	local src=${SARGS_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

	jq '.categories += [{"id":"health","name":"Health (allergies)","special":true}]
		| .fields += [{"name":"allergies","label":"Allergies","category":"health"}]
		| .purposes |= map(if .id == "service" or .id == "newsletter"
			then .categories += ["health"]
			| .fields += [{"field":"allergies","required":false,
				"why":"So that we do not serve you what you are allergic to."}]
			else . end)' "$src/examples/zimes-purposes.json" >"$WORK/purposes-health.json" &&
		"$SARGS" purpose load "$WORK/purposes-health.json" >/dev/null
}

server_start() {
	: >"$WORK/server.out"
	"$SARGS" serve --port 0 "$@" >"$WORK/server.out" 2>"$WORK/server.log" &
	SERVER_PID=$!
	local i
	for i in $(seq 1 100); do
		if grep -q '^Sargs listens on ' "$WORK/server.out"; then
			BASE=$(sed -n 's|^Sargs listens on \(http[s]*://[^/]*\)/.*|\1|p' "$WORK/server.out")
			return 0
		fi
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			echo "server did not start:"; cat "$WORK/server.log"
			exit 1
		fi
		sleep 0.1
	done
	echo "server did not start in 10 s"; cat "$WORK/server.log"
	exit 1
}

# req NAME WANT METHOD PATH [curl args...]
req() {
	local name=$1 want=$2 method=$3 path=$4
	shift 4
	STATUS=$(curl -s -k -o "$BODY" -D "$HDRS" -w '%{http_code}' -X "$method" \
		-b "$JAR" -c "$JAR" "$@" "$BASE$path")
	if [ "$STATUS" = "$want" ]; then
		PASS=$((PASS + 1))
	else
		FAIL=$((FAIL + 1))
		echo "FAIL: $name: $method $path gave $STATUS, expected $want"
		head -c 600 "$BODY" | sed 's/^/  body: /'
		echo
	fi
}

expect_body() {
	if grep -Eq -- "$2" "$BODY"; then
		PASS=$((PASS + 1))
	else
		FAIL=$((FAIL + 1))
		echo "FAIL: $1: body does not match /$2/"
		head -c 600 "$BODY" | sed 's/^/  body: /'
		echo
	fi
}

expect_no_body() {
	if grep -Eq -- "$2" "$BODY"; then
		FAIL=$((FAIL + 1))
		echo "FAIL: $1: body matches /$2/"
	else
		PASS=$((PASS + 1))
	fi
}

expect_header() {
	if grep -Eiq -- "$2" "$HDRS"; then
		PASS=$((PASS + 1))
	else
		FAIL=$((FAIL + 1))
		echo "FAIL: $1: headers do not match /$2/"
		sed 's/^/  hdr: /' "$HDRS"
	fi
}

# ok NAME CONDITION-COMMAND...
ok() {
	local name=$1
	shift
	if "$@"; then PASS=$((PASS + 1)); else FAIL=$((FAIL + 1)); echo "FAIL: $name"; fi
}

# json FIELD-PATH: prints a value of the last JSON body (needs jq-free: sed)
# Use `jq` when present; tests install it via scripts/install-deps.sh.
jqb() { jq -r "$1" "$BODY"; }

# csrf: the CSRF token of the signed-in session (from any console page)
csrf_token() {
	curl -s -b "$JAR" -c "$JAR" "$BASE/console" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1
}

finish() {
	server_stop
	if [ "$FAIL" -ne 0 ]; then
		echo "--- server log (last 30 lines)"; tail -30 "$WORK/server.log"
	fi
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}
