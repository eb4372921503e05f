#!/usr/bin/env bash
# cli_breach.sh — the breach register through the command line (GDPR
# Art. 33-34; 004 §21-23): recording, the 72-hour clock, affected people,
# notifications with the reasons for a delay, the drafts in Latvian and
# English, contacts through the purpose-bound read, and no incident text in
# the audit trail. Each check names the rule it shows.
. "$(dirname "$0")/lib.sh" "$1"

for cmd in breach "breach record" "breach list" "breach show" "breach update" \
	"breach affected" "breach notified" "breach draft" "breach contacts"; do
	# shellcheck disable=SC2086
	expect_rc 0 "help: sargs $cmd --help" "$SARGS" $cmd --help
	expect_out "help text: sargs $cmd" "Usage|Commands"
	grep -qx "## sargs $cmd" "${SARGS_SOURCE_DIR:-.}/docs/cli.md" && ok ||
		bad "docs/cli.md has no section for 'sargs $cmd'"
done
expect_rc 0 "record help tells staff not to write names" "$SARGS" breach record --help
expect_out "no personal data in the texts" "Do not write customers' names"

new_register || { bad "cannot create a register"; finish; }
add() { "$SARGS" --json subject add "$@" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p'; }
A=$(add --purpose service first_name=Anna last_name=Bērziņa email=anna@example.lv)
B=$(add --purpose newsletter email=liga@example.lv)
[ -n "$A" ] && [ -n "$B" ] && ok || bad "subjects not added"

WHAT='WHATTEXT laptop with the order list stolen from a car'
CONS='CONSTEXT phishing e-mails pretending to be the shop'
MEAS='MEASTEXT passwords reset, disks encrypted'
NOW_MIN=$(date -u +%Y-%m-%dT%H:%MZ)
AGO2=$(date -u -d '-2 hours' +%Y-%m-%dT%H:%MZ)
AGO80=$(date -u -d '-80 hours' +%Y-%m-%dT%H:%MZ)
FUTURE=$(date -u -d '+1 day' +%Y-%m-%dT%H:%MZ)
rec() {
	"$SARGS" breach record --what "$WHAT" --categories name,contact --people 120 \
		--records 300 --consequences "$CONS" --measures "$MEAS" "$@"
}

# GDPR Art. 33(1): the clock runs from awareness, which is not in the future
expect_rc 1 "awareness in the future refused (Art. 33(1))" rec --aware "$FUTURE" --risk risk
expect_out "says future" "future"
expect_rc 2 "risk is unlikely|risk|high" rec --aware "$AGO2" --risk medium
expect_rc 1 "unknown category refused (Art. 33(3)(a): registry categories)" \
	"$SARGS" breach record --aware "$AGO2" --what x --categories astrology --people 1 \
	--records 1 --consequences x --measures x --risk risk
expect_rc 2 "all of Art. 33(3) is asked for" "$SARGS" breach record --aware "$AGO2" --what x

expect_rc 0 "a breach is recorded (Art. 33(5))" rec --aware "$AGO2" --risk high
expect_out "number" "recorded breach 1"
expect_rc 0 "show" "$SARGS" breach show 1
expect_out "70 hours left (Art. 33(1))" "clock: +(69 h 5[0-9]|70 h 00) min left to notify DVI"
expect_out "the people are to be told (Art. 34(1))" "Art. 34\(1\)"
expect_rc 0 "show --json" "$SARGS" --json breach show 1
expect_out "json clock" '"overdue": false'
expect_out "json text kept" "$WHAT"

# Art. 33(5): documented even when unlikely; no DVI notification needed
expect_rc 0 "an unlikely breach is documented (Art. 33(5))" rec --aware "$AGO80" --risk unlikely
expect_rc 0 "late, risk" rec --aware "$AGO80" --risk risk
expect_rc 0 "list" "$SARGS" breach list
expect_out "unlikely: no notification (Art. 33(1)), documented (Art. 33(5))" \
	"no notification to DVI needed .*Art. 33\(5\)"
expect_out "late by about 8 hours, no reason (Art. 33(1))" \
	"DVI not notified: late by [78] h .*delay reason NOT recorded"
expect_not_out "list shows no texts" "WHATTEXT"
expect_rc 0 "list --json" "$SARGS" --json breach list
[ "$(grep -c '"id"' "$OUT")" -eq 3 ] && ok || bad "list --json: three breaches"

# Art. 34(1): people are told only of a high risk
expect_rc 1 "no people's notice when the risk is not high (Art. 34(1))" \
	"$SARGS" breach draft 3 --to people
expect_out "says why" "only when the risk .* is high .*Art. 34\(1\)"
for lang in lv en; do
	expect_rc 0 "DVI draft ($lang)" "$SARGS" breach draft 1 --to dvi --lang "$lang"
	for t in "$WHAT" "$CONS" "$MEAS" "120" "300" "dpo@example.lv"; do
		expect_out "Art. 33(3)(a)-(d) in the DVI draft ($lang): $t" "$t"
	done
	expect_rc 0 "people's notice ($lang)" "$SARGS" breach draft 1 --to people --lang "$lang"
	for t in "$WHAT" "$CONS" "$MEAS" "dpo@example.lv"; do
		expect_out "Art. 34(2) in the people's notice ($lang): $t" "$t"
	done
done
expect_rc 0 "people's notice (lv) again" "$SARGS" breach draft 1 --to people --lang lv
expect_out "Latvian people's notice in plain language (Art. 34(2))" "Ko tas jums var nozīmēt"

# Art. 33(1) second sentence: a late notification carries the reasons
expect_rc 1 "late notification without a reason refused (Art. 33(1))" \
	"$SARGS" breach notified 3 --dvi
expect_out "asks for the reason" "delay-reason"
expect_rc 0 "DVI draft names the missing reasons" "$SARGS" breach draft 3 --to dvi
expect_out "reasons missing" "Reasons for the delay.*|NOT RECORDED"
expect_rc 0 "late notification with its reason" "$SARGS" breach notified 3 --dvi \
	--delay-reason 'DELAYTEXT found only after the weekend'
expect_rc 1 "notified once" "$SARGS" breach notified 3 --dvi
expect_rc 0 "show after" "$SARGS" breach show 3
expect_out "late, reason recorded" "DVI notified .* late by [78] h .*delay reason recorded"
expect_rc 0 "notified in time" "$SARGS" breach notified 1 --dvi --at "$NOW_MIN"
expect_rc 0 "show in time" "$SARGS" breach show 1
expect_out "within 72 hours" "DVI notified .* within 72 hours"
expect_rc 2 "notified needs --dvi or --people" "$SARGS" breach notified 1
expect_rc 0 "update" "$SARGS" breach update 1 --measures 'MEASTEXT2 more' --close
expect_rc 1 "nothing to update" "$SARGS" breach update 1

# affected people by id only, contacts through the purpose-bound read
expect_rc 0 "affected by id" "$SARGS" breach affected 1 --subject "$A"
expect_rc 3 "an unknown subject" "$SARGS" breach affected 1 \
	--subject 01900000-0000-7000-8000-000000000000
expect_rc 0 "affected by purpose" "$SARGS" breach affected 1 --purpose newsletter --all-linked
expect_out "one more" "1 newly linked"
expect_rc 2 "--purpose needs --all-linked" "$SARGS" breach affected 1 --purpose newsletter
expect_rc 0 "contacts for service" "$SARGS" --json breach contacts 1 --purpose service
expect_out "A's e-mail" "anna@example.lv"
expect_not_out "not B's (not linked to service)" "liga@example.lv"
expect_not_out "only contact fields" "Bērziņa"
expect_out "B counted, not read" '"not_linked_to_purpose": 1'
expect_rc 0 "contacts for newsletter" "$SARGS" breach contacts 1 --purpose newsletter
expect_out "B's e-mail" "liga@example.lv"

expect_rc 0 "audit log" "$SARGS" audit log
expect_out "breach.record audited" "breach.record"
expect_out "breach.notify audited" "breach.notify"
expect_out "breach.draft audited" "breach.draft"
expect_out "breach.update audited" "breach.update"
expect_out "breach.contacts audited with the subject" "breach.contacts +$A"
expect_not_out "no incident text in the audit trail" "WHATTEXT|CONSTEXT|MEASTEXT|DELAYTEXT"
expect_rc 0 "audit verify" "$SARGS" audit verify

# erasure takes the subject's link to the breach with it
expect_rc 0 "erase A" "$SARGS" subject erase "$A" --reason request
expect_rc 0 "show after erasure" "$SARGS" --json breach show 1
expect_out "one linked left" '"affected": 1'
finish
