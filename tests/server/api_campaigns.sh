#!/bin/bash
# api_campaigns.sh — audiences, the export for a mailing tool (only the
# contact and the fields asked for, with unsubscribe links) and the runs,
# each bound to purposes the caller may act for.
. "$(dirname "$0")/lib.sh" "$1"
jqt() { jq -e "$1" "$BODY" >/dev/null; }

"$SARGS" demo --customers 30 >/dev/null || { echo "demo failed"; exit 1; }
MK=$("$SARGS" token issue mailer --actions campaign.read,campaign.export \
	--purposes newsletter,customer_offers 2>/dev/null | grep -o 'sgt_[A-Za-z0-9_-]*')
OFF=$("$SARGS" token issue offers --actions campaign.read --purposes customer_offers 2>/dev/null |
	grep -o 'sgt_[A-Za-z0-9_-]*')
ok "tokens issued" test -n "$MK" -a -n "$OFF"
server_start --public-url https://zimes.example/sargs
H=(-H "Authorization: Bearer $MK" -H 'Content-Type: application/json')

req "audience" 200 GET "/api/v1/campaigns/audience?purpose=newsletter&channel=email" "${H[@]}"
ALLOWED=$(jqb .allowed)
ok "counts" jqt '.subjects >= 30 and .allowed >= 0 and (.left_out | type == "object")'
ok "someone may be reached" test "$ALLOWED" -gt 0
req "audience: bad channel" 400 GET "/api/v1/campaigns/audience?purpose=newsletter&channel=pigeon" "${H[@]}"
req "audience: no channel" 400 GET "/api/v1/campaigns/audience?purpose=newsletter" "${H[@]}"
req "audience: bad zone" 400 GET "/api/v1/campaigns/audience?purpose=newsletter&channel=email&zone=blue" "${H[@]}"
req "audience: purpose the token lacks" 403 GET "/api/v1/campaigns/audience?purpose=newsletter&channel=email" \
	-H "Authorization: Bearer $OFF"
req "audience for customer offers by post" 200 GET \
	"/api/v1/campaigns/audience?purpose=customer_offers&channel=post" -H "Authorization: Bearer $OFF"

req "export" 200 POST /api/v1/campaigns/export "${H[@]}" \
	--data '{"purpose":"newsletter","channel":"email","fields":["first_name"],"base_url":"https://zimes.example/sargs"}'
expect_header "csv" '^Content-Type: text/csv'
expect_header "campaign number" '^X-Sargs-Campaign: [0-9]+'
EXPORTED=$(sed -n 's/^X-Sargs-Exported: \([0-9]*\).*/\1/Ip' "$HDRS" | tr -d '\r')
ok "exported the audience" test "$EXPORTED" = "$ALLOWED"
ok "a line per recipient" test "$(($(wc -l <"$BODY") - 1))" = "$EXPORTED"
expect_body "unsubscribe links" 'https://zimes\.example/sargs/u/'
expect_no_body "no last names (not asked)" 'last_name'
req "export jsonl" 200 POST /api/v1/campaigns/export "${H[@]}" \
	--data '{"purpose":"newsletter","channel":"email","format":"jsonl","base_url":"https://zimes.example/sargs"}'
ok "json lines" bash -c "head -1 '$BODY' | jq -e 'type == \"object\"' >/dev/null"
req "export: a field the purpose does not list" 422 POST /api/v1/campaigns/export "${H[@]}" \
	--data '{"purpose":"newsletter","channel":"email","fields":["personal_code"],"base_url":"https://zimes.example/sargs"}'
req "export: unknown member" 400 POST /api/v1/campaigns/export "${H[@]}" \
	--data '{"purpose":"newsletter","channel":"email","everyone":true}'
req "export: bad format" 400 POST /api/v1/campaigns/export "${H[@]}" \
	--data '{"purpose":"newsletter","channel":"email","format":"xlsx"}'
req "export: needs campaign.export" 403 POST /api/v1/campaigns/export -H "Authorization: Bearer $OFF" \
	-H 'Content-Type: application/json' --data '{"purpose":"customer_offers","channel":"email"}'

req "runs" 200 GET /api/v1/campaigns "${H[@]}"
ok "two runs recorded (refused exports are not)" jqt '.campaigns | length == 2'
ok "run names purpose and size" jqt '.campaigns[0].purpose == "newsletter" and .campaigns[0].audience >= 1'
req "runs of other purposes are not shown" 200 GET /api/v1/campaigns -H "Authorization: Bearer $OFF"
ok "none for customer_offers" jqt '.campaigns | length == 0'
# ---- a legacy list (import) and its zones
IM=$("$SARGS" token issue importer --actions import --purposes newsletter 2>/dev/null | grep -o 'sgt_[A-Za-z0-9_-]*')
I=(-H "Authorization: Bearer $IM" -H 'Content-Type: application/json')
req "zones" 200 GET /api/v1/zones "${I[@]}"
ok "zone counts" jqt '.zones | has("red") and has("grey") and has("green")'
req "import: no consent status" 400 POST /api/v1/import "${I[@]}" --data '{"csv":"email\na@b.lv\n","purposes":["newsletter"]}'
req "import: dry run" 200 POST /api/v1/import "${I[@]}" \
	--data '{"csv":"email\nold.one@example.lv\nnot-an-email\n","purposes":["newsletter"],"consent":"optout_offered","dry_run":true}'
ok "dry run counts one" jqt '.imported == 1'
req "zones unchanged by the dry run" 200 GET /api/v1/zones "${I[@]}"
Z0=$(jq '.zones.red + .zones.grey + .zones.green' "$BODY")
req "import" 201 POST /api/v1/import "${I[@]}" \
	--data '{"csv":"email\nold.one@example.lv\nnot-an-email\nold.two@example.lv\n","purposes":["newsletter"],"consent":"optout_offered"}'
ok "two imported" jqt '.imported == 2'
ok "the bad row refused by line, not by value" jqt '.refusals | length == 1 and (.[0] | tostring | test("not-an-email") | not)'
req "zones after the import" 200 GET /api/v1/zones "${I[@]}"
ok "two more in the zones" test "$(jq '.zones.red + .zones.grey + .zones.green' "$BODY")" -eq $((Z0 + 2))
req "import again: duplicates refused" 201 POST /api/v1/import "${I[@]}" \
	--data '{"csv":"email\nold.one@example.lv\n","purposes":["newsletter"],"consent":"optout_offered"}'
ok "nothing new" jqt '.imported == 0'
# the server writes its log's last lines when it stops
server_stop
ok "the server's log was written" grep -q 'event=http method=' "$WORK/server.log"
ok "no personal data in the server log" bash -c "! grep -Eq '@example|@' '$WORK/server.log'"

finish
