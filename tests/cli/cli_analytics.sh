#!/usr/bin/env bash
# cli_analytics.sh — disclosures to recipients and their log, anonymised
# statistics with small cells suppressed, pseudonymised exports and
# re-identification with a separate key; end to end on a demo register
# through the command line. Each check names the rule it shows.
. "$(dirname "$0")/lib.sh" "$1"

for cmd in disclose disclosures stats pseudonym "pseudonym init" "pseudonym export" \
	"pseudonym reidentify"; do
	# shellcheck disable=SC2086
	expect_rc 0 "help: sargs $cmd --help" "$SARGS" $cmd --help
	expect_out "help text: sargs $cmd" "Usage|Commands"
	grep -qx "## sargs $cmd" "${SARGS_SOURCE_DIR:-.}/docs/cli.md" && ok ||
		bad "docs/cli.md has no section for 'sargs $cmd'"
done

UUID='[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
rm -rf "$SARGS_DATA"
expect_rc 0 "demo register" "$SARGS" demo --customers 60
# the demo's customers in the order they were added: customer 0 withdrew
# from the newsletter, customer 1 consented to it
mapfile -t IDS < <("$SARGS" --json audit log --limit 1000 | grep -A1 '"action": "subject.add"' |
	sed -n 's/.*"subject": "\(.*\)".*/\1/p')
[ "${#IDS[@]}" -eq 60 ] && ok || bad "demo subjects not found (${#IDS[@]})"
S0=${IDS[0]}
S1=${IDS[1]}
S2=${IDS[2]}

# ---- disclosures -----------------------------------------------------------

# GDPR Art. 13(1)(e), 30(1)(d): only to a recipient the purpose declares
expect_rc 1 "undeclared recipient refused" "$SARGS" disclose "$S0" --recipient "Some agency" \
	--purpose accounting --field first_name
expect_out "lists the declared ones" 'declared: "State Revenue Service"'
expect_not_out "does not repeat free text" "Some agency"
expect_rc 1 "a purpose without recipients discloses to no one" "$SARGS" disclose "$S0" \
	--recipient "State Revenue Service" --purpose customer_contact --field first_name
expect_out "says so" "declares no recipients"
# GDPR Art. 5(1)(c): only the fields the purpose lists
expect_rc 1 "unlisted field refused" "$SARGS" disclose "$S0" --recipient "State Revenue Service" \
	--purpose accounting --field first_name --field email
expect_out "names the field" 'does not use field "email"'
expect_rc 1 "a reference is not free text" "$SARGS" disclose "$S0" \
	--recipient "State Revenue Service" --purpose accounting --field first_name \
	--reference "$(printf 'line\nbreak')"
expect_rc 2 "disclose needs a field" "$SARGS" disclose "$S0" --recipient "State Revenue Service" \
	--purpose accounting
expect_rc 1 "not collected for the purpose: not lawful" "$SARGS" disclose "$S2" \
	--recipient "Mozello SIA (reg. no. 40203002519), web shop hosting" --purpose web_shop \
	--field email
expect_out "the engine's reason" "not_collected_for_purpose"
expect_rc 0 "nothing recorded by refusals" "$SARGS" --json disclosures "$S0"
expect_out "empty log" '"disclosures": \[\]'

expect_rc 0 "disclosure to the tax authority" "$SARGS" disclose "$S0" \
	--recipient "State Revenue Service" --purpose accounting --field first_name \
	--field last_name --field personal_code --reference SRS-2025-001 --output "$WORK/disc.json"
expect_out "summary" "disclosed 3 field\(s\) of $S0 to State Revenue Service for accounting"
[ "$(stat -c %a "$WORK/disc.json")" = 600 ] && ok || bad "disclosure file not 0600"
grep -q '"personal_code": "[0-9]\{6\}-[0-9]\{5\}"' "$WORK/disc.json" && ok ||
	bad "the data handed over lacks the personal code"
FIRST=$(sed -n 's/.*"first_name": "\(.*\)".*/\1/p' "$WORK/disc.json")
[ -n "$FIRST" ] && ok || bad "no first name handed over"
expect_rc 1 "an existing output file is not overwritten" "$SARGS" disclose "$S0" \
	--recipient "State Revenue Service" --purpose accounting --field first_name \
	--output "$WORK/disc.json"
expect_rc 0 "printed disclosure" "$SARGS" disclose "$S0" --recipient "State Revenue Service" \
	--purpose accounting --field first_name
expect_out "the data handed over" "first_name +$FIRST"

# GDPR Art. 15(1)(c): the log an access request shows
expect_rc 0 "disclosure log" "$SARGS" disclosures "$S0"
expect_out "recipient, purpose, fields, reference" \
	"accounting +first_name,last_name,personal_code +SRS-2025-001 +State Revenue Service"
[ "$(grep -c 'State Revenue Service' "$OUT")" -eq 2 ] && ok || bad "log: two disclosures"
expect_not_out "no values in the log" "$FIRST"
expect_rc 0 "log since a past day" "$SARGS" --json disclosures "$S0" --since 2000-01-01
expect_out "reference in JSON" '"reference": "SRS-2025-001"'
expect_rc 0 "log since a future day" "$SARGS" disclosures "$S0" --since 2999-01-01
expect_out "nothing since" "no disclosures"
expect_rc 2 "--since is a date" "$SARGS" disclosures "$S0" --since yesterday
# the audit names the fields, purpose and recipient, never a value
expect_rc 0 "audit log of the subject" "$SARGS" --json audit log --subject "$S0"
expect_out "disclosure audited" '"action": "disclosure"'
expect_out "fields named" '"fields": "first_name,last_name,personal_code"'
expect_out "recipient named" '"detail": "recipient:State Revenue Service reference:SRS-2025-001"'
expect_out "log read audited" '"action": "disclosure.list"'
expect_not_out "no value in the audit" "$FIRST"

# lawful now: consent withdrawn stops a disclosure for the consent purpose
awk '{print} /"id": "newsletter",/ {print "      \"recipients\": [{\"name\": \"Mailing processor SIA\", \"kind\": \"processor\", \"dpa\": \"DPA-2025-01\"}],"}' \
	"$REGISTRY" >"$WORK/purposes.json"
expect_rc 0 "registry with a newsletter processor" "$SARGS" purpose load "$WORK/purposes.json"
expect_rc 0 "disclosure to the processor while consent stands" "$SARGS" disclose "$S1" \
	--recipient "Mailing processor SIA" --purpose newsletter --field email
expect_rc 0 "withdrawal" "$SARGS" consent withdraw "$S1" newsletter --channel email
expect_rc 1 "GDPR Art. 7(3): no disclosure after withdrawal" "$SARGS" disclose "$S1" \
	--recipient "Mailing processor SIA" --purpose newsletter --field email
expect_out "the engine's reason" "consent_withdrawn"
expect_rc 0 "refusal audited" "$SARGS" --json audit log --subject "$S1"
expect_out "denied entry" '"action": "disclosure.denied"'

# ---- statistics ------------------------------------------------------------

expect_rc 0 "stats" "$SARGS" stats
expect_out "table" "MONTH +MEASURE +PURPOSE"
expect_out "subjects added" "subjects_added +service +- +60"
expect_out "004 §20: a small count is hidden" "objections +direct_marketing +- +<5"
expect_not_out "no ids in stats" "$UUID"
expect_not_out "no e-mails in stats" "@"
expect_rc 0 "stats JSON" "$SARGS" --json stats
expect_out "min cell" '"min_cell": 5'
expect_out "suppressed is null" '"count": null'
expect_not_out "no ids in stats JSON" "$UUID"
ADDED=$("$SARGS" stats --purpose service | sed -n 's/.*subjects_added *service *- *\([0-9]*\)$/\1/p')
expect_rc 0 "erasure" "$SARGS" subject erase "$S2" --reason request
expect_rc 0 "stats after erasure" "$SARGS" stats --purpose service
expect_out "004 §20.2: the counts survive erasure" "subjects_added +service +- +$ADDED\$"
expect_out "the erasure counted, small so hidden" "subjects_erased +service +- +<5"
expect_not_out "a purpose filter shows no totals" "\(total\)"
expect_rc 1 "bad month" "$SARGS" stats --month 2025-13
expect_rc 0 "stats read audited without a subject" "$SARGS" --json audit log
expect_out "stats.read" '"action": "stats.read"'

# ---- pseudonyms ------------------------------------------------------------

mkdir -p "$WORK/keys" && chmod 700 "$WORK/keys"
KEY="$WORK/keys/pseudonym.key"
expect_rc 0 "pseudonym key" "$SARGS" pseudonym init --key "$KEY"
[ "$(stat -c %a "$KEY")" = 600 ] && ok || bad "key file not 0600"
head -1 "$KEY" | grep -qx 'sargs-pseudonym-key-v1' && ok || bad "key file header"
expect_not_out "no warning apart from the data" "warning"
expect_rc 1 "a key file is never overwritten" "$SARGS" pseudonym init --key "$KEY"
cmp -s "$KEY" "$SARGS_DATA/master.key" && bad "the pseudonym key is the master key" || ok
expect_rc 0 "a key inside the data directory" "$SARGS" pseudonym init --key "$SARGS_DATA/p.key"
expect_out "004 §19.2: warned" "warning: the pseudonym key file is inside the data directory"
rm -f "$SARGS_DATA/p.key"

chmod 640 "$KEY"
expect_rc 1 "004 §19.2: a group-readable key is refused" "$SARGS" pseudonym export --key "$KEY" \
	--purpose service --field order_history
expect_out "says how to fix" "chmod 600"
chmod 600 "$KEY"
expect_rc 1 "the master key is not a pseudonym key" "$SARGS" pseudonym export \
	--key "$SARGS_DATA/master.key" --purpose service --field order_history
for f in email first_name last_name phone postal_address; do
	expect_rc 1 "004 §19.1: $f refused" "$SARGS" pseudonym export --key "$KEY" \
		--purpose service --field customer_since --field "$f"
	expect_out "identifying" "identifying: not allowed in a pseudonymised export"
done
expect_rc 1 "accounting: personal_code refused" "$SARGS" pseudonym export --key "$KEY" \
	--purpose accounting --field personal_code
expect_rc 1 "GDPR Art. 5(1)(c): a field the purpose does not list" "$SARGS" pseudonym export \
	--key "$KEY" --purpose service --field browser_data

expect_rc 0 "pseudonymised export" "$SARGS" pseudonym export --key "$KEY" --purpose service \
	--field customer_since --field order_history --output "$WORK/ps1.csv"
expect_out "row count" "pseudonymised export for service: 59 row"
[ "$(stat -c %a "$WORK/ps1.csv")" = 600 ] && ok || bad "export not 0600"
head -1 "$WORK/ps1.csv" | grep -q '^pseudonym,customer_since,order_history' && ok ||
	bad "export header"
[ "$(wc -l <"$WORK/ps1.csv")" -eq 60 ] && ok || bad "export rows"
grep -q '@' "$WORK/ps1.csv" && bad "an e-mail in the export" || ok
grep -Eq "$UUID" "$WORK/ps1.csv" && bad "a subject id in the export" || ok
grep -qF "$FIRST" "$WORK/ps1.csv" && bad "a name in the export" || ok
sed -n '2,$p' "$WORK/ps1.csv" | grep -Eqv '^[a-z2-7]{26},' && bad "a row without a pseudonym" || ok
expect_rc 0 "stable: the same export again" "$SARGS" pseudonym export --key "$KEY" \
	--purpose service --field customer_since --field order_history --output "$WORK/ps2.csv"
cmp -s "$WORK/ps1.csv" "$WORK/ps2.csv" && ok || bad "pseudonyms not stable"
expect_rc 0 "another purpose" "$SARGS" pseudonym export --key "$KEY" --purpose accounting \
	--field order_history --output "$WORK/ps3.csv"
P=$(sed -n '2s/,.*//p' "$WORK/ps1.csv")
grep -q "^$P," "$WORK/ps3.csv" && bad "pseudonyms linkable across purposes" || ok
expect_rc 0 "export audited once" "$SARGS" --json audit log
[ "$(grep -c '"action": "pseudonym.export"' "$OUT")" -eq 3 ] && ok || bad "one entry per export"
expect_out "purpose, fields and count" '"fields": "customer_since,order_history"'
expect_out "count" '"detail": "rows:59"'

expect_rc 0 "re-identification with the key" "$SARGS" pseudonym reidentify --key "$KEY" \
	--purpose service "$P"
R=$(cat "$OUT")
echo "$R" | grep -Eqx "$UUID" && ok || bad "reidentify printed '$R'"
expect_rc 0 "the subject found" "$SARGS" subject show "$R" --purpose service
expect_rc 0 "re-identification audited" "$SARGS" --json audit log --subject "$R"
expect_out "entry" '"action": "pseudonym.reidentify"'
"$SARGS" pseudonym init --key "$WORK/keys/other.key" >/dev/null
expect_rc 3 "another key finds no one" "$SARGS" pseudonym reidentify \
	--key "$WORK/keys/other.key" --purpose service "$P"
expect_rc 3 "another purpose finds no one" "$SARGS" pseudonym reidentify --key "$KEY" \
	--purpose accounting "$P"
expect_rc 1 "not a pseudonym" "$SARGS" pseudonym reidentify --key "$KEY" --purpose service \
	not-a-pseudonym
expect_rc 0 "failed attempts audited" "$SARGS" --json audit log
expect_out "failed entry" '"action": "pseudonym.reidentify.failed"'

expect_rc 0 "the trail verifies" "$SARGS" audit verify
finish
