#!/usr/bin/env bash
# cli_request.sh — the register of data subjects' requests end to end on the
# demo register: who asked kept encrypted, nothing released before identity
# is verified, the copy of the data written to a 0600 file that is never
# replaced, deadlines counted per Reg. 1182/71 with Latvian holidays, the
# extension window and its notice, refusals with the complaint right, fees,
# routed objections and automated-decision reviews, erasure that says what
# stayed, the overdue list, and the audit trail. Each check names its rule.
. "$(dirname "$0")/lib.sh" "$1"

for cmd in request "request new" "request list" "request show" "request ask" \
	"request verify" "request extend" "request refuse" "request fee" "request paid" \
	"request assign" "request fulfil" "request overdue"; do
	# shellcheck disable=SC2086
	expect_rc 0 "help: sargs $cmd --help" "$SARGS" $cmd --help
	expect_out "help text: sargs $cmd" "Usage|Commands"
	grep -qx "## sargs $cmd" "${SARGS_SOURCE_DIR:-.}/docs/cli.md" && ok ||
		bad "docs/cli.md has no section for 'sargs $cmd'"
done

rm -rf "$SARGS_DATA"
"$SARGS" demo --customers 5 >"$OUT" 2>"$ERR" && ok || bad "demo register"
EMAIL=$(sed -n 's/.*--email \([^ ]*\) .*/\1/p' "$OUT" | head -1)
[ -n "$EMAIL" ] && ok || bad "the demo prints a customer's e-mail"
ID=$("$SARGS" --json subject find --email "$EMAIL" | sed -n 's/.*"\([0-9a-f-]\{36\}\)".*/\1/p' |
	head -1)
[ -n "$ID" ] && ok || bad "the demo customer is found by e-mail"
# days are Latvian civil days
if [ -e /usr/share/zoneinfo/Europe/Riga ]; then TODAY=$(TZ=Europe/Riga date +%F); else
	TODAY=$(date -u +%F); fi
NAME='Kārlis Pārdaugavietis-Tests'
CONTACT='karlis.pardaugavietis@example.lv'
num() { sed -n 's/^request \([0-9]*\) .*/\1/p' "$OUT"; }
state() { "$SARGS" --json request show "$1" 2>/dev/null | sed -n 's/^  "state": "\(.*\)",/\1/p'; }
due() { "$SARGS" --json request show "$1" 2>/dev/null | sed -n 's/^  "due": "\(.*\)",/\1/p'; }

# ---- recording; who asked is sealed
printf '{"name": "%s", "contact": "%s"}' "$NAME" "$CONTACT" >"$WORK/who.json"
expect_rc 0 "an access request by e-mail, requester from standard input" \
	"$SARGS" request new --kind access --channel email --requester-json - <"$WORK/who.json"
A=$(num)
[ -n "$A" ] && ok || bad "request number printed"
expect_out "its deadline is printed" "received, due [0-9]{4}-[0-9]{2}-[0-9]{2}"
expect_rc 2 "the requester only from standard input" "$SARGS" request new --kind access \
	--channel email --requester-json "$WORK/who.json"
expect_rc 1 "an unknown kind" "$SARGS" request new --kind complaint --channel email
expect_rc 1 "an unknown channel" "$SARGS" request new --kind access --channel pigeon
expect_rc 1 "GDPR Art. 12(3): the date of receipt is not in the future" \
	"$SARGS" request new --kind access --channel email --received 2999-01-01
expect_rc 3 "no such subject" "$SARGS" request new --kind access --channel email \
	--subject 01890000-0000-7000-8000-000000000000
for f in "$SARGS_DATA"/sargs.db*; do
	grep -qa "Pārdaugavietis" "$f" && bad "GDPR Art. 32: the requester's name in the clear in $f" ||
		ok
	grep -qa "$CONTACT" "$f" && bad "GDPR Art. 32: the requester's contact in the clear in $f" || ok
done
expect_rc 0 "the list" "$SARGS" request list
expect_not_out "the list shows nobody's name" "Pārdaugavietis"
expect_rc 0 "show decrypts who asked" "$SARGS" request show "$A"
expect_out "the requester" "Requester +$NAME, $CONTACT"
expect_rc 0 "show --json" "$SARGS" --json request show "$A"
expect_out "the requester as JSON" "\"contact\": \"$CONTACT\""
expect_rc 3 "no such request" "$SARGS" request show 9999
expect_rc 2 "a request number is a number" "$SARGS" request show first

# ---- GDPR Art. 12(6): nothing released before the person is identified
expect_rc 1 "GDPR Art. 12(6): no copy before identity is verified" \
	"$SARGS" request fulfil "$A" --output "$WORK/copy.json"
expect_out "names the rule" "12\(6\)"
[ -e "$WORK/copy.json" ] && bad "a copy was written before verification" || ok
expect_rc 0 "004 §16.9: in doubt, ask for more" "$SARGS" request ask "$A" --need id_document
[ "$(state "$A")" = verifying ] && ok || bad "asking makes the request verifying"
expect_rc 1 "004 §16.9: one weak check leaves doubt" "$SARGS" request verify "$A" \
	--subject "$ID" --check email_confirmation
expect_rc 2 "verification names a check" "$SARGS" request verify "$A" --subject "$ID"
expect_rc 1 "an unknown check code" "$SARGS" request verify "$A" --subject "$ID" \
	--check looked_honest
expect_rc 0 "004 §15.4: eParaksts identifies the person" "$SARGS" request verify "$A" \
	--subject "$ID" --check eparaksts
[ "$(state "$A")" = verified ] && ok || bad "the request is verified"
expect_rc 0 "GDPR Art. 15: the copy to a file" "$SARGS" request fulfil "$A" \
	--output "$WORK/copy.json" --lang en
expect_out "the answer names Art. 15" "Art\. 15"
[ "$(stat -c %a "$WORK/copy.json")" = 600 ] && ok || bad "the copy is not 0600"
grep -q "$EMAIL" "$WORK/copy.json" && ok || bad "the copy holds the person's data"
[ "$(state "$A")" = fulfilled ] && ok || bad "the request is fulfilled"
expect_rc 1 "a fulfilled request is closed" "$SARGS" request fulfil "$A" \
	--output "$WORK/copy-again.json"
[ -e "$WORK/copy-again.json" ] && bad "a closed request wrote a copy" || ok

expect_rc 0 "a second access request" "$SARGS" request new --kind access --channel in_person \
	--subject "$ID"
B=$(num)
expect_rc 0 "verified in person" "$SARGS" request verify "$B" --check in_person
cp "$WORK/copy.json" "$WORK/copy.before"
expect_rc 1 "the copy never replaces a file" "$SARGS" request fulfil "$B" \
	--output "$WORK/copy.json"
cmp -s "$WORK/copy.json" "$WORK/copy.before" && ok || bad "an existing file was changed"
[ "$(state "$B")" = verified ] && ok || bad "a failed copy leaves the request verified"
expect_rc 0 "the copy as an HTML report in Latvian" "$SARGS" request fulfil "$B" \
	--output "$WORK/copy.html" --format html --lang lv
grep -qi "<html" "$WORK/copy.html" && ok || bad "the HTML report"

# ---- deadlines: GDPR Art. 12(3), Reg. 1182/71 Art. 3
expect_rc 0 "received before Līgo" "$SARGS" request new --kind erasure --channel post \
	--received 2025-05-23
L=$(num)
[ "$(due "$L")" = 2025-06-25 ] && ok ||
	bad "Reg. 1182/71 Art. 3(4): 23-24 June (Līgo, Jāņi) move the deadline to 25 June, got $(due "$L")"
expect_rc 0 "received on a leap day" "$SARGS" request new --kind restriction --channel phone \
	--received 2024-02-29
E=$(num)
[ "$(due "$E")" = 2024-04-02 ] && ok ||
	bad "Reg. 1182/71 Art. 3(4): Good Friday, a weekend and Easter Monday move 29 March to 2 April, got $(due "$E")"
expect_rc 0 "received today" "$SARGS" request new --kind portability --channel web_form \
	--received "$TODAY" --subject "$ID"
T=$(num)
WANT=$("$SARGS" --json calendar due --received "$TODAY" | sed -n 's/^  "due": "\(.*\)",/\1/p')
[ -n "$WANT" ] && [ "$(due "$T")" = "$WANT" ] && ok ||
	bad "the deadline agrees with 'calendar due' ($WANT, got $(due "$T"))"

# ---- the overdue list: late first
expect_rc 0 "overdue" "$SARGS" request overdue
expect_out "late requests are marked" "LATE"
FIRST=$("$SARGS" request overdue | sed -n '2s/^\([0-9]*\) .*/\1/p')
[ "$FIRST" = "$E" ] && ok || bad "the most urgent (2024) request comes first, got $FIRST"
"$SARGS" request overdue --days 0 | grep -q "^$T " && bad "today's request is not due within 0 days" || ok
expect_rc 0 "overdue --json" "$SARGS" --json request overdue --days 40
expect_out "days left" '"days_left": -'
expect_rc 2 "the window is a number of days" "$SARGS" request overdue --days soon

# ---- extension: GDPR Art. 12(3)
expect_rc 1 "GDPR Art. 12(3): not after the first month" "$SARGS" request extend "$L" \
	--reason complexity
expect_out "says why" "first month"
expect_rc 1 "the reason is a code, not free text" "$SARGS" request extend "$T" \
	--reason "she is difficult"
expect_rc 0 "GDPR Art. 12(3): extended within the first month" "$SARGS" request extend "$T" \
	--reason complexity --lang en
expect_out "the notice says why" "complexity of the request"
WANT=$("$SARGS" --json calendar due --received "$TODAY" --extended |
	sed -n 's/^  "due": "\(.*\)",/\1/p')
[ "$(due "$T")" = "$WANT" ] && ok || bad "the extended deadline is three months ($WANT)"
expect_out "the notice names the new deadline" "$WANT"
expect_rc 1 "GDPR Art. 12(3): extended once" "$SARGS" request extend "$T" --reason complexity
expect_rc 0 "verified by a bank link" "$SARGS" request verify "$T" --check bank_link
expect_rc 0 "GDPR Art. 20: the data provided" "$SARGS" request fulfil "$T" \
	--output "$WORK/port.json"
grep -q "sargs_portability_export" "$WORK/port.json" && ok || bad "the portability export"

# ---- refusal: GDPR Art. 12(4); 004 §16.3
expect_rc 1 "the reason is a code" "$SARGS" request refuse "$L" --reason "because"
expect_rc 0 "refused as manifestly unfounded (Latvian)" "$SARGS" request refuse "$L" \
	--reason manifestly_unfounded
for k in "Datu valsts inspekcijai" "Elijas iela 17" "LV-1050" "www.dvi.gov.lv" "tiesā"; do
	expect_out "the refusal names the complaint right: $k" "$k"
done
expect_rc 0 "refused for identity (English)" "$SARGS" request refuse "$E" \
	--reason identity_not_confirmed --lang en
for k in "Data State Inspectorate" "Datu valsts inspekcija, Elijas iela 17" "court"; do
	expect_out "the refusal names the complaint right: $k" "$k"
done
[ "$(state "$E")" = refused ] && ok || bad "the request is refused"

# ---- fee: GDPR Art. 12(5); 004 §16.5-16.7
expect_rc 0 "an erasure request" "$SARGS" request new --kind erasure --channel post
F=$(num)
expect_rc 1 "GDPR Art. 12(5): no fee for copies of an erasure" "$SARGS" request fee "$F" \
	--amount 5 --reason additional_copy
expect_rc 2 "the amount is euro" "$SARGS" request fee "$F" --amount five --reason excessive
expect_rc 0 "a fee for an excessive request" "$SARGS" request fee "$F" --amount 12.50 \
	--reason excessive
"$SARGS" --json request show "$F" | grep -q '"fee_cents": 1250' && ok || bad "fee in cents"
expect_rc 1 "GDPR Art. 12(6): the payment does not identify the person" \
	"$SARGS" request paid "$F"
expect_rc 0 "paid, with the identity checks" "$SARGS" request paid "$F" --subject "$ID" \
	--check id_document
[ "$(state "$F")" = verified ] && ok || bad "paid: verified"

# ---- objection and automated decisions: routed to a person
expect_rc 0 "an objection to debt collection" "$SARGS" request new --kind objection \
	--channel phone --purpose debt_collection --subject "$ID"
O=$(num)
expect_rc 0 "verified" "$SARGS" request verify "$O" --check bank_link
expect_rc 1 "GDPR Art. 21(1): a person decides: assign first" "$SARGS" request fulfil "$O" \
	--outcome upheld
expect_out "says assign" "assign"
expect_rc 1 "a login name, not a person's name" "$SARGS" request assign "$O" --to "Ilze Kalna"
expect_rc 0 "assigned" "$SARGS" request assign "$O" --to ilze.dpo
expect_rc 1 "an outcome is needed" "$SARGS" request fulfil "$O"
expect_rc 0 "GDPR Art. 21(1): overridden, with reasons" "$SARGS" request fulfil "$O" \
	--outcome overridden_legal_claims --lang en
expect_out "the complaint right when not done" "Data State Inspectorate"
expect_rc 0 "a review of an automated decision" "$SARGS" request new \
	--kind automated_decision_review --channel web_form --subject "$ID"
R=$(num)
expect_rc 0 "verified" "$SARGS" request verify "$R" --check eparaksts
expect_rc 0 "assigned" "$SARGS" request assign "$R" --to janis
expect_rc 0 "GDPR Art. 22(3): reviewed by a person" "$SARGS" --json request fulfil "$R" \
	--outcome decision_changed
expect_out "answered" '"state": "fulfilled"'
expect_out "outcome in the answer" "changed the decision|lēmums ir mainīts"

# ---- information: GDPR Art. 13-14
expect_rc 0 "an information request" "$SARGS" request new --kind information --channel phone
I=$(num)
expect_rc 0 "answered with the privacy notice" "$SARGS" request fulfil "$I"
expect_out "privacy notice" "privātuma politikā"

# ---- erasure: GDPR Art. 17(3)(b); 004 §15.6
expect_rc 0 "GDPR Art. 17: erasure on request" "$SARGS" request fulfil "$F" --lang en
expect_out "says what the law keeps" "except what the law still requires|has been erased"

# ---- the list, the trail
expect_rc 0 "open requests" "$SARGS" --json request list --open
expect_not_out "closed requests left out" '"state": "(fulfilled|refused)"'
expect_rc 0 "a subject's requests" "$SARGS" request list --subject "$ID"
expect_out "by subject" "$ID"
expect_rc 0 "audit trail intact" "$SARGS" audit verify
"$SARGS" --json audit log >"$WORK/audit.json" 2>/dev/null
for a in request.new request.ask request.verify request.extend request.refuse request.fee \
	request.paid request.assign request.fulfil request.show; do
	grep -q "\"$a\"" "$WORK/audit.json" && ok || bad "no audit entry $a"
done
grep -q "Pārdaugavietis\|$CONTACT" "$WORK/audit.json" &&
	bad "the audit trail holds the requester's details" || ok
finish
