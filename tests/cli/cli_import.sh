#!/usr/bin/env bash
# cli_import.sh — a legacy customer list (examples/legacy-customers.csv)
# imported into the demo register, end to end: the summary, bad rows
# reported by line without their values, zones and their ids, a dry run
# that stores nothing, a mapping file on standard input, the re-permission
# commands, and no imported value in the clear in the data directory.
. "$(dirname "$0")/lib.sh" "$1"
command -v sqlite3 >/dev/null || { echo "sqlite3 command-line tool is required"; exit 1; }
CSV="${SARGS_SOURCE_DIR:-$(dirname "$0")/../..}/examples/legacy-customers.csv"

for cmd in import zones "zones list" "zones ask" "zones confirm" "zones purge"; do
	# shellcheck disable=SC2086
	expect_rc 0 "help: sargs $cmd --help" "$SARGS" $cmd --help
	expect_out "help text: sargs $cmd" "Usage|Commands"
	grep -qx "## sargs $cmd" "${SARGS_SOURCE_DIR:-.}/docs/cli.md" && ok ||
		bad "docs/cli.md has no section for 'sargs $cmd'"
done

rm -rf "$SARGS_DATA"
expect_rc 0 "demo register" "$SARGS" demo --customers 20
subjects() { "$SARGS" status | sed -n 's/^Subjects: *\([0-9]*\).*/\1/p'; }
audits() { "$SARGS" status | sed -n 's/^Audit entries: *\([0-9]*\).*/\1/p'; }
S0=$(subjects)
A0=$(audits)
IMPORT=(import "$CSV" --purpose newsletter --map Vārds=first_name --map E-pasts=email
	--map 'Dzimšanas datums=birth_date' --consent-column Piekrišana)

# usage: what the records are kept for, and what is known of their consent
expect_rc 2 "import without --purpose" "$SARGS" import "$CSV" --consent none
expect_rc 2 "import without consent knowledge" "$SARGS" import "$CSV" --purpose newsletter
expect_out "says what to give" "--consent-column"
expect_rc 2 "both --consent and --consent-column" "$SARGS" "${IMPORT[@]}" --consent none
expect_rc 3 "a file that does not exist" "$SARGS" import "$WORK/nope.csv" --purpose newsletter \
	--consent none
expect_rc 3 "an unknown purpose refuses the import" "$SARGS" "${IMPORT[@]}" --purpose loyalty
expect_rc 1 "GDPR Art. 5(1)(c): a column no purpose needs refuses the import" \
	"$SARGS" "${IMPORT[@]}" --map Tālrunis=phone
expect_out "names minimisation" "data minimisation"
expect_rc 1 "a service purpose alone is not marketing" "$SARGS" import "$CSV" --purpose service \
	--map Vārds=first_name --map Uzvārds=last_name --map E-pasts=email --consent none
expect_out "says a marketing purpose is needed" "direct marketing"
[ "$(subjects)" = "$S0" ] && ok || bad "a refused import stored something"

# a dry run reports everything and stores nothing
expect_rc 1 "dry run (some rows refused)" "$SARGS" "${IMPORT[@]}" --dry-run
expect_out "dry run says so" "Dry run: nothing was stored"
expect_out "dry run counts" "14 of 21 rows would be imported"
[ "$(subjects)" = "$S0" ] && ok || bad "the dry run stored subjects"
[ "$(audits)" = "$A0" ] && ok || bad "the dry run wrote audit entries"
expect_rc 0 "zones after the dry run" "$SARGS" --json zones
expect_out "zones empty after the dry run" '"red": 0'

# the import
expect_rc 1 "import (some rows refused: exit 1)" "$SARGS" "${IMPORT[@]}"
expect_out "summary" "14 of 21 rows imported"
expect_out "summary zones (003)" "imported +14 \(red 5, grey 7, green 2\)"
expect_out "summary refusals by reason" "refused +6 \(csv 1, columns 1, missing 1, invalid 2, consent 1\)"
expect_out "summary duplicates" "duplicates +1"
expect_out "columns not imported are named (minimisation)" "columns Uzvārds, Tālrunis, Personas kods, Piezīmes"
cp "$ERR" "$WORK/import.err"
for want in 'line 6: field "email"' 'line 7: purpose "newsletter" requires field "email"' \
	'line 8: field "birth_date"' 'line 9: .*quote' 'line 10: 4 fields, but the header has 8' \
	'line 11: duplicate of line 2 \(same e-mail\)' 'line 12: the consent column "Piekrišana"'; do
	grep -Eq -- "$want" "$WORK/import.err" && ok || bad "stderr lacks /$want/"
done
[ "$(grep -c '^line ' "$WORK/import.err")" = 7 ] && ok || bad "expected 7 bad-row lines on stderr"
# the bad rows' values are personal data: none of them is printed
for secret in ilze.kalnina Ilze Mārtiņš Kristīne 30.02.1985 'pet"eris' Pēteris Dace Krūmiņa \
	ANNA.BERZINA EXAMPLE.LV varbūt Gints 20000105 2000010; do
	if grep -qF -- "$secret" "$WORK/import.err"; then bad "stderr shows a value: $secret"; else ok; fi
done
[ "$(subjects)" = $((S0 + 14)) ] && ok || bad "expected 14 new subjects"

# zones and their ids
expect_rc 0 "zones" "$SARGS" zones
expect_out "red count" "^red +5 "
expect_out "grey count" "^grey +7 "
expect_out "green count" "^green +2 "
expect_rc 0 "zones --json" "$SARGS" --json zones
expect_out "zones json" '"red": 5'
expect_rc 0 "zones list red" "$SARGS" zones list red
[ "$(grep -cE '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$' "$OUT")" = 5 ] && ok ||
	bad "zones list red: expected 5 ids, one a line"
[ "$(wc -l <"$OUT")" = 5 ] && ok || bad "zones list prints ids only"
RED=$(head -1 "$OUT")
"$SARGS" zones list grey >"$WORK/grey"
# an adult of the grey zone (Anna, "jā" in the old list; the grey zone also
# holds a minor, whom marketing may not reach at all)
GREY=$("$SARGS" subject find --email anna.berzina@example.lv)
grep -qx -- "$GREY" "$WORK/grey" && ok || bad "Anna (old consent) is in the grey zone"
expect_rc 2 "zones list needs a zone" "$SARGS" zones list purple
# 003: red is never in a marketing audience; grey is, on its old consent
expect_rc 1 "003: red zone refused for marketing" "$SARGS" policy check "$RED" newsletter --channel email
expect_out "reason red zone" "red_zone"
expect_rc 0 "003: grey zone usable" "$SARGS" policy check "$GREY" newsletter --channel email

# importing again: every stored row is a duplicate, never merged
expect_rc 1 "import again --json" "$SARGS" --json "${IMPORT[@]}"
expect_out "again: nothing imported" '"imported": 0'
expect_out "again: duplicates" '"duplicates": 15'
[ "$(subjects)" = $((S0 + 14)) ] && ok || bad "a second import added subjects"

# a mapping file, the list from standard input, comma-separated
cat >"$WORK/mapping.json" <<'EOF'
{"columns": {"Vārds": "first_name", "E-pasts": "email"},
 "consent_column": "Atļauja",
 "consent_values": {"ir": "optout_offered", "nav": "none"}}
EOF
printf 'Vārds,E-pasts,Atļauja\nAgris,agris.lapsa@example.lv,ir\nBaiba,baiba.roze@example.lv,NAV\n' |
	"$SARGS" import - --purpose newsletter --mapping "$WORK/mapping.json" >"$OUT" 2>"$ERR"
[ $? = 0 ] && ok || bad "import from stdin with a mapping file: $(cat "$ERR")"
expect_out "stdin: two imported, one grey one red" "imported +2 \(red 1, grey 1, green 0\)"
expect_out "stdin: delimiter detected" "delimiter ','"
printf '{"columns": {"Vārds": "first_name"}, "colums": {}}' >"$WORK/bad-mapping.json"
expect_rc 1 "a mapping file with an unknown key" "$SARGS" import "$CSV" --purpose newsletter \
	--mapping "$WORK/bad-mapping.json"
expect_out "names the key" 'unknown key "colums"'

# re-permission: ask, confirm, purge (the deadline is in the future here)
expect_rc 0 "zones ask" "$SARGS" zones ask --days 14
expect_out "asked all red and grey" "Asked 14 subjects to re-confirm by"
expect_rc 0 "zones ask again keeps the deadline" "$SARGS" --json zones ask --days 40
expect_out "already asked" '"already_asked": 14'
expect_rc 2 "zones ask --zone green is refused" "$SARGS" zones ask --zone green
HASH=$(printf 'Vai vēlaties saņemt mūsu jaunumus?' | sha256sum | cut -d' ' -f1)
expect_rc 0 "zones confirm" "$SARGS" zones confirm "$RED" --channel email --form reperm-2026 \
	--text-hash "$HASH" --receipt "$WORK/receipt.json"
expect_out "confirm says green" "green zone"
expect_rc 0 "receipt verifies" "$SARGS" consent verify-receipt "$WORK/receipt.json"
expect_rc 0 "now allowed" "$SARGS" policy check "$RED" newsletter --channel email
expect_rc 0 "zones after confirm" "$SARGS" zones
expect_out "one more green" "^green +3 "
expect_rc 2 "zones confirm without a channel" "$SARGS" zones confirm "$GREY" --form f --text-hash "$HASH"
S1=$(subjects)
expect_rc 0 "zones purge --dry-run" "$SARGS" zones purge --dry-run
expect_out "before the deadline nothing is due" "0 erased, 0 kept \(other legal basis\), 13 not yet due, 1 re-confirmed"
expect_out "dry run says so" "Dry run, nothing changed"
expect_not_out "purge output holds no e-mail" "@"
expect_rc 0 "zones purge" "$SARGS" --json zones purge
expect_out "purge json" '"not_due": 13'
[ "$(subjects)" = "$S1" ] && ok || bad "a purge before the deadline erased someone"

# nothing imported is in the clear at rest, and nothing not imported at all
sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA wal_checkpoint(PASSIVE);" >/dev/null
found=0
for v in anna.berzina@example.lv janis.kalnins@example.lv liga.ozolina@example.lv \
	edgars.liepins@example.lv zane.jansone@example.lv ruta.petersone@example.lv \
	oskars.klavins@example.lv laura.zagare@example.lv agris.lapsa@example.lv \
	Bērziņa Kalniņš 120380-12348 '2000 0103' Jelgavā 'jau atzīmētu rūtiņu'; do
	if LC_ALL=C grep -rqaF -- "$v" "$SARGS_DATA"; then
		echo "FOUND IN THE CLEAR: $v"
		found=$((found + 1))
	fi
done
[ "$found" -eq 0 ] && ok || bad "$found imported values found in the clear in the data directory"
# and they do read back, so the search above looked for real data
expect_rc 0 "an imported subject reads back" "$SARGS" subject show --email anna.berzina@example.lv \
	--purpose newsletter
expect_out "value read back" "Anna"
expect_rc 0 "audit trail intact" "$SARGS" audit verify
expect_rc 0 "the audit trail has the batches" "$SARGS" audit log
expect_out "import.batch entry" "import.batch"
expect_not_out "no e-mail in the audit trail" "@example"

finish
