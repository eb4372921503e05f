# lib.sh — helpers for the command-line black-box tests.
# Usage: . lib.sh "$SARGS_BINARY"; then `check NAME CMD...`, `expect_rc RC NAME CMD...`.
set -u
SARGS=${1:?usage: test.sh PATH_TO_SARGS}
TMPBASE=${SARGS_TEST_TMP:-/tmp}
mkdir -p "$TMPBASE"
WORK=$(mktemp -d "$TMPBASE/cli-XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export SARGS_DATA="$WORK/data"
unset SARGS_MASTER_KEY
PASS=0
FAIL=0
OUT="$WORK/out"
ERR="$WORK/err"

# expect_rc RC NAME CMD... : runs CMD, stdout to $OUT, stderr to $ERR
expect_rc() {
	local want=$1 name=$2
	shift 2
	"$@" >"$OUT" 2>"$ERR"
	local got=$?
	if [ "$got" -eq "$want" ]; then
		PASS=$((PASS + 1))
	else
		FAIL=$((FAIL + 1))
		echo "FAIL: $name: exit $got, expected $want"
		sed 's/^/  out: /' "$OUT" | head -20
		sed 's/^/  err: /' "$ERR" | head -20
	fi
}

# expect_out NAME PATTERN : the last command's stdout+stderr matches PATTERN (grep -E)
expect_out() {
	if cat "$OUT" "$ERR" | grep -Eq -- "$2"; then
		PASS=$((PASS + 1))
	else
		FAIL=$((FAIL + 1))
		echo "FAIL: $1: output does not match /$2/"
		sed 's/^/  out: /' "$OUT" | head -20
		sed 's/^/  err: /' "$ERR" | head -20
	fi
}

# expect_not_out NAME PATTERN
expect_not_out() {
	if cat "$OUT" "$ERR" | grep -Eq -- "$2"; then
		FAIL=$((FAIL + 1))
		echo "FAIL: $1: output matches /$2/ but must not"
	else
		PASS=$((PASS + 1))
	fi
}

ok() { PASS=$((PASS + 1)); }
bad() { FAIL=$((FAIL + 1)); echo "FAIL: $*"; }

finish() {
	echo "$PASS passed, $FAIL failed"
	[ "$FAIL" -eq 0 ]
	exit $?
}

REGISTRY="${SARGS_SOURCE_DIR:-$(dirname "$0")/../..}/examples/zimes-purposes.json"

# new_register: a fresh register with the demo's controller and purposes
new_register() {
	rm -rf "$SARGS_DATA"
	"$SARGS" init >/dev/null &&
		"$SARGS" controller set --name 'SIA "ZĪMES"' --registration-number 40003000000 \
			--address 'Rīga' --dpo-email dpo@example.lv >/dev/null &&
		"$SARGS" purpose load "$REGISTRY" >/dev/null
}
