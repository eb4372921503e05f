#!/usr/bin/env bash
# cli_marketing.sh — consent, withdrawal, objection, guardian consent and
# signed receipts; purchases and soft opt-in; campaign audience and export
# with RFC 8058 unsubscribe links; the unsubscribe token; end to end through
# the command line. Each check names the rule it shows.
. "$(dirname "$0")/lib.sh" "$1"

for cmd in consent "consent give" "consent withdraw" "consent object" "consent guardian" \
	"consent history" "consent verify-receipt" "consent public-key" policy "policy check" \
	purchase "purchase add" "purchase list" contract "contract start" "contract end" \
	"contract list" campaign "campaign audience" "campaign export" "campaign list" \
	"campaign rebuild" unsubscribe; do
	# shellcheck disable=SC2086
	expect_rc 0 "help: sargs $cmd --help" "$SARGS" $cmd --help
	expect_out "help text: sargs $cmd" "Usage|Commands"
	grep -qx "## sargs $cmd" "${SARGS_SOURCE_DIR:-.}/docs/cli.md" && ok ||
		bad "docs/cli.md has no section for 'sargs $cmd'"
done

new_register || { bad "cannot create a register"; finish; }
add() { "$SARGS" --json subject add "$@" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p'; }
A=$(add --purpose service first_name=Anna last_name=Bērziņa email=anna@example.lv)
B=$(add --purpose service first_name=Līga last_name=Kalniņa email=liga@example.lv)
C=$(add --purpose service first_name=Jānis last_name=Ozols email=janis@example.lv)
[ -n "$A" ] && [ -n "$B" ] && [ -n "$C" ] && ok || bad "subjects not added"
printf 'I agree to receive news about signs by e-mail.\n' >"$WORK/notice.txt"

# GDPR Art. 7(1): consent is provable: form and text required
expect_rc 1 "consent without a form refused" "$SARGS" consent give "$A" newsletter \
	--channel web_form --text-file "$WORK/notice.txt"
expect_out "says why" "form"
expect_rc 1 "consent without the text refused" "$SARGS" consent give "$A" newsletter \
	--channel web_form --form shop-v1
expect_rc 1 "consent to a contract purpose refused (GDPR Art. 6(1))" "$SARGS" consent give \
	"$A" service --channel web_form --form shop-v1 --text-file "$WORK/notice.txt"
expect_out "not on consent" "not on consent"

expect_rc 0 "consent given" "$SARGS" consent give "$A" newsletter --channel web_form \
	--form shop-v1 --text-file "$WORK/notice.txt" --receipt "$WORK/r1.json"
for k in '"version": "KI-CR-v1.1.0"' '"jurisdiction": "LV"' '"consentTimestamp"' \
	'"collectionMethod": "web_form"' '"consentReceiptID"' '"piiPrincipalId"' \
	'"piiControllers"' '"policyUrl"' '"services"' '"consentType": "EXPLICIT"' \
	'"legalBasisDpv": "dpv:Consent"' '"alg": "Ed25519"'; do
	grep -q -- "$k" "$WORK/r1.json" && ok || bad "Kantara v1.1 receipt lacks $k"
done
grep -q 'anna@example.lv\|Anna' "$WORK/r1.json" && bad "receipt holds personal data" || ok
[ "$(stat -c %a "$WORK/r1.json")" = 600 ] && ok || bad "receipt file not 0600"
expect_rc 0 "receipt verifies" "$SARGS" consent verify-receipt "$WORK/r1.json"
expect_out "valid" "^valid: receipt .* consent.given, purpose newsletter"
PK=$("$SARGS" consent public-key)
expect_rc 0 "receipt verifies with the public key alone" env SARGS_DATA=/nonexistent \
	"$SARGS" consent verify-receipt "$WORK/r1.json" --public-key "$PK"
sed 's/web_form/in_person/' "$WORK/r1.json" >"$WORK/r1-altered.json"
expect_rc 4 "an altered receipt fails (exit 4)" "$SARGS" consent verify-receipt \
	"$WORK/r1-altered.json"
expect_out "says altered" "altered"
echo '{"receipt": 1}' >"$WORK/junk.json"
expect_rc 1 "not a receipt" "$SARGS" consent verify-receipt "$WORK/junk.json"

# 003 / Planet49: a pre-ticked box is not consent
expect_rc 1 "pre-ticked box refused" "$SARGS" consent give "$B" newsletter --channel web_form \
	--form old-shop --text-file "$WORK/notice.txt" --preticked
expect_out "attempt recorded" "pre-ticked box is not consent"
expect_rc 1 "pre-ticked: not allowed" "$SARGS" policy check "$B" newsletter
expect_out "reason" "consent_preticked|not_collected_for_purpose"
expect_rc 0 "history shows the attempt" "$SARGS" consent history "$B"
expect_out "attempt in history" "consent.preticked"

# GDPR Art. 7(3): withdrawal at once, history kept, the contract goes on
expect_rc 0 "allowed before withdrawal" "$SARGS" policy check "$A" newsletter --channel email
expect_rc 0 "withdrawal by e-mail" "$SARGS" consent withdraw "$A" newsletter --channel email \
	--receipt "$WORK/r2.json"
expect_rc 1 "not allowed at once after withdrawal" "$SARGS" policy check "$A" newsletter \
	--channel email
expect_out "withdrawn" "consent_withdrawn"
expect_rc 0 "contract purpose goes on" "$SARGS" policy check "$A" service
expect_rc 0 "withdrawing again is idempotent" "$SARGS" consent withdraw "$A" newsletter
expect_out "nothing changed" "nothing changed"
expect_rc 0 "history keeps both" "$SARGS" --json consent history "$A"
expect_out "given kept" '"consent.given"'
expect_out "withdrawn recorded" '"consent.withdrawn"'

# soft opt-in (ePrivacy Art. 13(2)): customers of the same product line only
expect_rc 0 "purchase with opt-out offered" "$SARGS" purchase add "$C" --line signs \
	--opt-out-offered
expect_out "linked for soft opt-in" "customer_offers"
expect_rc 0 "soft opt-in allowed" "$SARGS" policy check "$C" customer_offers --channel email
expect_out "basis" "soft_opt_in"
expect_rc 1 "a purchase cannot refuse without the offer" "$SARGS" purchase add "$B" \
	--line signs --refused
expect_rc 0 "purchase with refusal" "$SARGS" purchase add "$B" --line signs --opt-out-offered \
	--refused
expect_rc 1 "refused at collection: no soft opt-in" "$SARGS" policy check "$B" \
	customer_offers --channel email
expect_rc 1 "campaign about another product line refused (000)" "$SARGS" campaign audience \
	--purpose customer_offers --channel email --line printing
expect_out "similar goods" "similar goods"

# the audience: who may be contacted, on what basis, who not and why
expect_rc 0 "audience" "$SARGS" --json campaign audience --purpose customer_offers --channel email
expect_out "one allowed" '"allowed": 1'
expect_out "soft opt-in basis" '"soft_opt_in": 1'
expect_rc 1 "a non-marketing purpose has no campaign" "$SARGS" campaign audience \
	--purpose service --channel email

# export: only what the purpose allows, with RFC 8058 links
expect_rc 1 "export needs https" "$SARGS" campaign export --purpose customer_offers \
	--channel email --base-url http://zimes.lv
expect_rc 1 "export of a field the purpose does not list refused" "$SARGS" campaign export \
	--purpose customer_offers --channel email --base-url https://zimes.lv --field last_name
expect_rc 0 "export" "$SARGS" campaign export --purpose customer_offers --channel email \
	--field first_name --base-url https://zimes.lv/sargs --output "$WORK/exp.csv"
head -1 "$WORK/exp.csv" | grep -q '^email,first_name,basis,unsubscribe_url,list_unsubscribe,list_unsubscribe_post' &&
	ok || bad "export header"
grep -q '^janis@example.lv,Jānis,soft_opt_in,https://zimes.lv/sargs/u/[A-Za-z0-9_-]*,<https://zimes.lv/sargs/u/[A-Za-z0-9_-]*>,List-Unsubscribe=One-Click' "$WORK/exp.csv" &&
	ok || bad "export row"
grep -q 'Ozols\|liga@' "$WORK/exp.csv" && bad "export holds more than it may" || ok
[ "$(wc -l <"$WORK/exp.csv")" -eq 2 ] && ok || bad "export has other recipients"
expect_rc 0 "campaign recorded" "$SARGS" --json campaign list
expect_out "run recorded" '"audience": 1'
expect_rc 0 "audit has the export" "$SARGS" audit log --subject "$C"
expect_out "export audited" "campaign.export"

# the audience records are a cache of the facts: rebuilding changes no answer
"$SARGS" --json campaign audience --purpose customer_offers --channel email >"$WORK/a1.json"
expect_rc 0 "rebuild" "$SARGS" campaign rebuild
"$SARGS" --json campaign audience --purpose customer_offers --channel email >"$WORK/a2.json"
cmp -s "$WORK/a1.json" "$WORK/a2.json" && ok || bad "rebuild changed the audience"

# the unsubscribe link: no login, at once, idempotent; forged ones change nothing
TOK=$(tail -1 "$WORK/exp.csv" | cut -d, -f4 | sed 's|.*/u/||')
# change the last character to one it is not
case "$TOK" in *A) ALT="${TOK%?}B" ;; *) ALT="${TOK%?}A" ;; esac
expect_rc 1 "an altered token changes nothing" "$SARGS" unsubscribe "$ALT"
expect_out "says invalid" "not valid"
expect_rc 1 "a made-up token changes nothing" "$SARGS" unsubscribe "AAAAAAAAAAAAAAAAAAAA"
expect_rc 0 "still allowed after forged tokens" "$SARGS" policy check "$C" customer_offers \
	--channel email
expect_rc 0 "unsubscribe" "$SARGS" unsubscribe "$TOK"
expect_out "objection" "objection recorded"
expect_rc 1 "no longer reached (GDPR Art. 21(3))" "$SARGS" policy check "$C" customer_offers \
	--channel email
expect_rc 0 "unsubscribe again is idempotent" "$SARGS" unsubscribe "$TOK"
expect_out "already" "already"

# GDPR Art. 21(3): objection to direct marketing is absolute
expect_rc 0 "object to direct marketing" "$SARGS" consent object "$B" --direct-marketing \
	--channel phone
expect_rc 1 "cannot be overridden" "$SARGS" consent object "$C" --direct-marketing \
	--outcome overridden_compelling_grounds
expect_rc 1 "no objection to a contract purpose (GDPR Art. 21(1))" "$SARGS" consent object \
	"$A" service
expect_out "says why" "right to object covers"

# GDPR Art. 8: a child needs the guardian's consent for an online service.
# First with the registry as it is: no marketing to minors at all (004 §7).
KID=$(add --purpose newsletter email=kid@example.lv birth_date=2016-04-01)
expect_rc 0 "child's consent recorded" "$SARGS" consent give "$KID" newsletter \
	--channel web_form --form shop-v1 --text-file "$WORK/notice.txt" --receipt "$WORK/k0.json"
expect_rc 1 "004 §7: no marketing to a minor" "$SARGS" policy check "$KID" newsletter \
	--channel email
expect_out "under 18" "under_18"
# Then a business that explicitly allows minors for its newsletter: still
# not without the guardian's consent while under 13.
sed 's/"channels": \["email"\], "soft_opt_in": false, "minors": false/"channels": ["email"], "soft_opt_in": false, "minors": true/' \
	"$REGISTRY" >"$WORK/minors.json"
grep -q '"minors": true' "$WORK/minors.json" && ok || bad "registry variant not made"
expect_rc 0 "registry allowing minors loaded" "$SARGS" purpose load "$WORK/minors.json"
expect_rc 1 "child without guardian: not lawful" "$SARGS" policy check "$KID" newsletter
expect_out "guardian reason" "child_without_guardian_consent"
expect_rc 1 "guardian consent needs the check" "$SARGS" consent guardian "$KID" newsletter
expect_rc 0 "guardian consent" "$SARGS" consent guardian "$KID" newsletter --check eparaksts \
	--channel in_person --receipt "$WORK/g.json"
expect_rc 0 "lawful with the guardian's consent" "$SARGS" policy check "$KID" newsletter \
	--channel email

# contracts
expect_rc 0 "contract start" "$SARGS" contract start "$A" --line signs --date 2024-01-01
expect_rc 1 "contract cannot end before it starts" "$SARGS" contract end "$A" 1 --date 2023-01-01
expect_rc 0 "contract end" "$SARGS" contract end "$A" 1 --date 2024-06-30
expect_rc 0 "contract list" "$SARGS" contract list "$A"
expect_out "ended" "2024-06-30"

# erased people: nothing more happens to them; their tokens say so
expect_rc 0 "erase" "$SARGS" subject erase "$C" --reason request
expect_rc 3 "consent for an erased subject" "$SARGS" consent give "$C" newsletter \
	--channel web_form --form f --text-file "$WORK/notice.txt"
expect_out "erased" "erased"
expect_rc 0 "token of an erased subject" "$SARGS" unsubscribe "$TOK"
expect_out "gone" "no longer in the register"

# no personal data in the clear in the database
for v in anna@example.lv liga@example.lv Bērziņa; do
	if grep -qa -- "$v" "$SARGS_DATA/sargs.db" "$SARGS_DATA"/sargs.db-wal 2>/dev/null; then
		bad "plaintext '$v' in the database"
	else ok; fi
done
expect_rc 0 "audit trail intact" "$SARGS" audit verify
finish
