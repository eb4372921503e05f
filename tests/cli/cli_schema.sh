#!/usr/bin/env bash
# cli_schema.sh — versioned schema: a register made by a newer schema is
# refused with a clear message and left untouched; a file that is not a
# register is refused; the master key never enters the database.
. "$(dirname "$0")/lib.sh" "$1"
command -v sqlite3 >/dev/null || { echo "sqlite3 command-line tool is required"; exit 1; }

new_register || { echo "cannot create register"; exit 1; }
v=$(sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA user_version")
[ "$v" -ge 1 ] && ok || bad "schema version not recorded (user_version=$v)"
expect_rc 0 "status shows schema" "$SARGS" --json status
expect_out "schema version in status" "\"schema_version\": $v"
mode=$(sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA journal_mode")
[ "$mode" = wal ] && ok || bad "journal mode is $mode, not wal"

# the master key is not in the database
key=$(sed -n 2p "$SARGS_DATA/master.key")
if LC_ALL=C grep -rqaF "$key" "$SARGS_DATA/sargs.db"*; then bad "master key text found in the database"; else ok; fi
keybin_hex=$(echo "$key" | tr 'a-f' 'A-F')
if od -An -v -tx1 "$SARGS_DATA/sargs.db" | tr -d ' \n' | tr 'a-f' 'A-F' | grep -qF "$keybin_hex"; then
	bad "master key bytes found in the database"
else ok; fi

# an older schema is updated when the register is opened, and the command
# says so on stderr (a large register takes a while), its output unchanged;
# the next opening says nothing. (A schema-8 register marked 7 runs the
# 7 -> 8 migration again, which copies the subjects once more.)
"$SARGS" subject add --purpose service first_name=Older last_name=Schema email=older@example.lv \
	>/dev/null || bad "subject add before the update"
sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA user_version = $((v - 1))"
expect_rc 0 "older schema updated on opening" "$SARGS" --json status
grep -q "updating the register from schema $((v - 1)) to $v" "$ERR" && ok ||
	bad "no word of the update on stderr"
grep -q "register updated to schema $v in" "$ERR" && ok || bad "no word of the update's end"
jq -e ".schema_version == $v and .subjects == 1" "$OUT" >/dev/null && ok ||
	bad "status output after the update: $(cat "$OUT")"
[ "$(sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA user_version")" = "$v" ] && ok ||
	bad "schema not updated"
expect_rc 0 "current schema opens quietly" "$SARGS" status
grep -q "updating the register" "$ERR" && bad "update announced again" || ok

# a newer schema is refused, and nothing is changed
sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA user_version = 99"
sum=$(sha256sum "$SARGS_DATA/sargs.db" | cut -d' ' -f1)
expect_rc 6 "newer schema refused" "$SARGS" status
expect_out "newer schema message" "made by a newer version of Sargs \(schema 99; this build knows schemas up to $v\)"
expect_rc 6 "newer schema refused for writes too" "$SARGS" subject add --purpose service first_name=A last_name=B email=a@example.lv
[ "$(sha256sum "$SARGS_DATA/sargs.db" | cut -d' ' -f1)" = "$sum" ] && ok || bad "refused register was changed"
sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA user_version = $v"
expect_rc 0 "back at the known schema it opens" "$SARGS" status

# not a register
rm -rf "$SARGS_DATA"
mkdir -p "$SARGS_DATA"
head -c 4096 /dev/urandom >"$SARGS_DATA/sargs.db"
expect_rc 1 "init refuses a directory with a database file" "$SARGS" init
printf 'sargs-master-key-v1\n%064d\n' 1 >"$SARGS_DATA/master.key"
chmod 600 "$SARGS_DATA/master.key"
expect_rc 6 "garbage database refused" "$SARGS" status
expect_out "garbage database message" "cannot use .* as a register database|not a Sargs register|damaged"

# an empty SQLite database is not a register either
rm -f "$SARGS_DATA/sargs.db"
sqlite3 "$SARGS_DATA/sargs.db" "CREATE TABLE t(x)"
expect_rc 6 "empty database refused" "$SARGS" status
expect_out "no schema message" "not a Sargs register"

# init leaves nothing behind when it cannot finish: a key file without a register
rm -rf "$SARGS_DATA"; mkdir -p "$SARGS_DATA"
printf 'sargs-master-key-v1\n%064d\n' 1 >"$SARGS_DATA/master.key"
expect_rc 1 "init refuses to reuse a stray key file" "$SARGS" init
expect_out "stray key message" "move the old key away"
[ ! -e "$SARGS_DATA/sargs.db" ] && ok || bad "init left a database behind"

finish
