#!/bin/bash
# api_requests.sh — data subjects' requests through /api/v1/requests: open,
# list, identify, extend, refuse, fulfil (an access request answers with the
# copy of the data), the overdue list; steps the rules refuse change nothing.
. "$(dirname "$0")/lib.sh" "$1"
jqt() { jq -e "$1" "$BODY" >/dev/null; }

"$SARGS" demo --customers 30 >/dev/null || { echo "demo failed"; exit 1; }
T=$("$SARGS" token issue dpo --actions request.read,request.write,subject.write,subject.read \
	--purposes service 2>/dev/null | grep -o 'sgt_[A-Za-z0-9_-]*')
RO=$("$SARGS" token issue viewer --actions request.read --purposes service 2>/dev/null |
	grep -o 'sgt_[A-Za-z0-9_-]*')
ok "tokens issued" test -n "$T" -a -n "$RO"
server_start
H=(-H "Authorization: Bearer $T" -H 'Content-Type: application/json')

req "add" 201 POST /api/v1/subjects "${H[@]}" --data '{"purposes":["service"],
	"fields":{"first_name":"Pēteris","last_name":"Liepa","email":"peteris.liepa@example.lv"}}'
ID=$(jqb .id)

# ---- open
req "new access request" 201 POST /api/v1/requests "${H[@]}" --data '{"kind":"access","channel":"email",
	"subject":"'"$ID"'","requester_name":"Pēteris Liepa","requester_contact":"peteris.liepa@example.lv"}'
R1=$(jqb .id)
ok "state received" test "$(jqb .state)" = received
ok "a due day" jqt '.due | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")'
expect_header "location" "^Location: /api/v1/requests/$R1"
req "new: unknown kind" 400 POST /api/v1/requests "${H[@]}" --data '{"kind":"gossip","channel":"email"}'
req "new: unknown member" 400 POST /api/v1/requests "${H[@]}" --data '{"kind":"access","channel":"email","x":1}'
req "new: no channel" 400 POST /api/v1/requests "${H[@]}" --data '{"kind":"access"}'
req "new: unknown subject" 404 POST /api/v1/requests "${H[@]}" \
	--data '{"kind":"access","channel":"email","subject":"00000000-0000-4000-8000-000000000000"}'
req "new: read-only token" 403 POST /api/v1/requests -H "Authorization: Bearer $RO" \
	-H 'Content-Type: application/json' --data '{"kind":"access","channel":"email"}'

# ---- read
req "list" 200 GET /api/v1/requests -H "Authorization: Bearer $RO"
ok "one request" jqt '.requests | length == 1'
req "list open" 200 GET "/api/v1/requests?open=1" -H "Authorization: Bearer $RO"
req "list: bad open" 400 GET "/api/v1/requests?open=maybe" -H "Authorization: Bearer $RO"
req "show" 200 GET "/api/v1/requests/$R1" -H "Authorization: Bearer $RO"
ok "events" jqt '.events | length >= 1'
ok "no requester unless asked" jqt '.requester == null'
expect_no_body "sealed requester not shown" 'Liepa'
req "show with requester" 200 GET "/api/v1/requests/$R1?requester=1" -H "Authorization: Bearer $RO"
ok "requester decrypted" jqt '.requester.contact == "peteris.liepa@example.lv"'
req "show: unknown" 404 GET /api/v1/requests/999 -H "Authorization: Bearer $RO"
req "show: not a number" 404 GET /api/v1/requests/abc -H "Authorization: Bearer $RO"
req "overdue" 200 GET "/api/v1/requests/overdue?days=60" -H "Authorization: Bearer $RO"
ok "due within 60 days" jqt '[.requests[] | select(.id == '"$R1"')] | length == 1'
req "overdue: bad days" 400 GET "/api/v1/requests/overdue?days=1000" -H "Authorization: Bearer $RO"

# ---- nothing is released before the person is identified
req "fulfil before verify" 422 POST "/api/v1/requests/$R1/fulfil" "${H[@]}" --data '{}'
expect_no_body "no export" 'peteris'
req "verify: one weak check is not enough" 422 POST "/api/v1/requests/$R1/verify" "${H[@]}" \
	--data '{"subject":"'"$ID"'","checks":["email_confirmation"]}'
req "still received" 200 GET "/api/v1/requests/$R1" "${H[@]}"
ok "state received" test "$(jqb .state)" = received
req "verify: unknown member" 400 POST "/api/v1/requests/$R1/verify" "${H[@]}" --data '{"who":"x"}'
req "verify" 200 POST "/api/v1/requests/$R1/verify" "${H[@]}" \
	--data '{"subject":"'"$ID"'","checks":["eparaksts"]}'
ok "state verified" test "$(jqb .state)" = verified
req "fulfil" 200 POST "/api/v1/requests/$R1/fulfil" "${H[@]}" --data '{"lang":"en"}'
ok "state fulfilled" test "$(jqb .state)" = fulfilled
ok "the copy is JSON" jqt '.result.export | type == "object"'
expect_body "the copy holds the data" 'peteris\.liepa@example\.lv'
req "fulfil again" 422 POST "/api/v1/requests/$R1/fulfil" "${H[@]}"

# ---- refuse and extend
req "new erasure request" 201 POST /api/v1/requests "${H[@]}" \
	--data '{"kind":"erasure","channel":"post","subject":"'"$ID"'"}'
R2=$(jqb .id)
req "refuse: unknown reason" 400 POST "/api/v1/requests/$R2/refuse" "${H[@]}" --data '{"reason":"bored"}'
req "refuse" 200 POST "/api/v1/requests/$R2/refuse" "${H[@]}" --data '{"reason":"excessive","lang":"en"}'
ok "state refused" test "$(jqb .state)" = refused
expect_body "answer names the right to complain" 'Data State Inspectorate'
req "subject not erased" 200 GET "/api/v1/subjects/$ID?purpose=service" "${H[@]}"
req "new information request" 201 POST /api/v1/requests "${H[@]}" \
	--data '{"kind":"information","channel":"email"}'
R3=$(jqb .id)
req "extend" 200 POST "/api/v1/requests/$R3/extend" "${H[@]}" --data '{"reason":"complexity","lang":"en"}'
ok "extended" test "$(jqb .extended)" = true
ok "notice" jqt '.notice | length > 20'
req "extend twice" 422 POST "/api/v1/requests/$R3/extend" "${H[@]}" --data '{"reason":"complexity"}'
req "assign" 200 POST "/api/v1/requests/$R3/assign" "${H[@]}" --data '{"staff":"dace"}'
req "ask" 200 POST "/api/v1/requests/$R3/ask" "${H[@]}" --data '{"needs":["id_document"]}'
ok "state verifying" test "$(jqb .state)" = verifying
req "fee: bad amount" 400 POST "/api/v1/requests/$R3/fee" "${H[@]}" --data '{"amount_cents":0,"reason":"excessive"}'
req "steps need request.write" 403 POST "/api/v1/requests/$R3/assign" \
	-H "Authorization: Bearer $RO" -H 'Content-Type: application/json' --data '{}'
# the server writes its log's last lines when it stops
server_stop
ok "the server's log was written" grep -q 'event=http method=' "$WORK/server.log"
ok "no personal data in the server log" bash -c "! grep -Eq 'peteris|Liepa' '$WORK/server.log'"

finish
