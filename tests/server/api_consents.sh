#!/bin/bash
# api_consents.sh — consent, withdrawal (as easy as giving it), objections
# and the consent history through /api/v1; bad input changes nothing.
. "$(dirname "$0")/lib.sh" "$1"
jqt() { jq -e "$1" "$BODY" >/dev/null; }

PW='kalnu-ezers-77-Sargs'
"$SARGS" demo --customers 30 >/dev/null || { echo "demo failed"; exit 1; }
printf '%s\n' "$PW" | "$SARGS" staff add olga --role owner --password-stdin >/dev/null 2>&1
SHOP=$("$SARGS" token issue shop --actions subject.read,subject.write,consent.write \
	--purposes service,newsletter,customer_offers 2>/dev/null | grep -o 'sgt_[A-Za-z0-9_-]*')
SVC=$("$SARGS" token issue svc --actions subject.read --purposes service 2>/dev/null |
	grep -o 'sgt_[A-Za-z0-9_-]*')
ok "tokens issued" test -n "$SHOP" -a -n "$SVC"
server_start
S=(-H "Authorization: Bearer $SHOP" -H 'Content-Type: application/json')

req "add" 201 POST /api/v1/subjects "${S[@]}" --data '{"purposes":["service","newsletter"],
	"fields":{"first_name":"Ilze","last_name":"Kalna","email":"ilze.kalna@example.lv"}}'
ID=$(jqb .id)

# ---- give
req "give" 201 POST "/api/v1/subjects/$ID/consents" "${S[@]}" \
	--data '{"purpose":"newsletter","channel":"web_form","form":"shop-v3","text":"Yes, send me offers"}'
ok "receipt is signed JSON" jqt '.receipt | type == "object"'
ok "event given" test "$(jqb .event)" = given
expect_no_body "receipt holds no personal data" 'ilze|Kalna'
req "give: pre-ticked box is not consent" 422 POST "/api/v1/subjects/$ID/consents" "${S[@]}" \
	--data '{"purpose":"newsletter","channel":"web_form","form":"shop-v3","text":"x","preticked":true}'
expect_body "not_consent" '"code":"not_consent"'
req "give: no form" 400 POST "/api/v1/subjects/$ID/consents" "${S[@]}" \
	--data '{"purpose":"newsletter","channel":"web_form","text":"x"}'
req "give: text and hash" 400 POST "/api/v1/subjects/$ID/consents" "${S[@]}" \
	--data '{"purpose":"newsletter","form":"f","text":"x","text_hash":"00"}'
req "give: bad channel" 400 POST "/api/v1/subjects/$ID/consents" "${S[@]}" \
	--data '{"purpose":"newsletter","channel":"pigeon","form":"f","text":"x"}'
req "give: unknown member" 400 POST "/api/v1/subjects/$ID/consents" "${S[@]}" \
	--data '{"purpose":"newsletter","form":"f","text":"x","tick":true}'
req "give: no purpose" 400 POST "/api/v1/subjects/$ID/consents" "${S[@]}" --data '{"form":"f","text":"x"}'
req "give: purpose the token lacks" 403 POST "/api/v1/subjects/$ID/consents" "${S[@]}" \
	--data '{"purpose":"accounting","form":"f","text":"x"}'
req "give: unknown subject" 404 POST "/api/v1/subjects/00000000-0000-4000-8000-000000000000/consents" \
	"${S[@]}" --data '{"purpose":"newsletter","form":"f","text":"x"}'
req "still lawful after refused attempts" 200 GET "/api/v1/subjects/$ID?purpose=newsletter" "${S[@]}"

# ---- withdraw: one call, any channel, idempotent
req "withdraw without a body" 200 POST "/api/v1/subjects/$ID/consents/newsletter/withdraw" \
	-H "Authorization: Bearer $SHOP"
ok "withdrawn" test "$(jqb .changed)" = true
ok "withdrawal receipt" jqt '.receipt | type == "object"'
ok "withdrawal receipt: the event, signed" jqt \
	'.receipt.receipt.sargs.event == "consent.withdrawn" and .receipt.signature.alg == "Ed25519" and .subject == "'"$ID"'" and .event == "withdrawn"'
# the answer's receipt verifies as it came (the CLI checks the signature)
jq -e .receipt "$BODY" >"$WORK/withdraw-receipt.json" 2>/dev/null
ok "withdrawal receipt verifies" "$SARGS" consent verify-receipt "$WORK/withdraw-receipt.json"
req "withdraw again" 200 POST "/api/v1/subjects/$ID/consents/newsletter/withdraw" "${S[@]}" \
	--data '{"channel":"sms"}'
ok "nothing changed" test "$(jqb .changed)" = false
ok "no receipt when nothing changed" jqt '.receipt == null and .event == "withdrawn"'
req "withdraw: bad channel" 400 POST "/api/v1/subjects/$ID/consents/newsletter/withdraw" "${S[@]}" \
	--data '{"channel":"pigeon"}'
req "withdraw: unknown member" 400 POST "/api/v1/subjects/$ID/consents/newsletter/withdraw" "${S[@]}" \
	--data '{"channel":"sms","why":"x"}'
req "withdraw: purpose the token lacks" 403 POST "/api/v1/subjects/$ID/consents/accounting/withdraw" \
	"${S[@]}" --data '{"channel":"sms"}'
req "withdraw: unknown subject" 404 POST \
	"/api/v1/subjects/00000000-0000-4000-8000-000000000000/consents/newsletter/withdraw" "${S[@]}"
req "not lawful after withdrawal" 403 GET "/api/v1/subjects/$ID?purpose=newsletter" "${S[@]}"
req "give again" 201 POST "/api/v1/subjects/$ID/consents" "${S[@]}" \
	--data '{"purpose":"newsletter","channel":"email","form":"reply-2026","text_hash":"'"$(printf %064d 0 | tr 0 a)"'"}'
req "lawful again" 200 GET "/api/v1/subjects/$ID?purpose=newsletter" "${S[@]}"

# ---- objections
req "object to direct marketing" 200 POST "/api/v1/subjects/$ID/objections" "${S[@]}" \
	--data '{"channel":"phone"}'
ok "objection recorded" test "$(jqb .changed)" = true
req "marketing not lawful after objection" 403 GET "/api/v1/subjects/$ID?purpose=newsletter" "${S[@]}"
req "object again: idempotent" 200 POST "/api/v1/subjects/$ID/objections" "${S[@]}"
ok "nothing changed" test "$(jqb .changed)" = false
req "object: purpose the token lacks" 403 POST "/api/v1/subjects/$ID/objections" "${S[@]}" \
	--data '{"purpose":"debt_collection"}'
req "object: unknown member" 400 POST "/api/v1/subjects/$ID/objections" "${S[@]}" --data '{"x":1}'
req "service goes on" 200 GET "/api/v1/subjects/$ID?purpose=service" "${S[@]}"

# ---- history
req "history" 200 GET "/api/v1/subjects/$ID/consents" "${S[@]}"
ok "history has the consent" jqt '[.events[] | select(.purpose == "newsletter")] | length >= 3'
ok "receipts in history" jqt '[.events[] | select(.receipt != null)] | length >= 2'
req "history for a service-only token" 200 GET "/api/v1/subjects/$ID/consents" \
	-H "Authorization: Bearer $SVC"
ok "no newsletter events for it" jqt '[.events[] | select(.purpose == "newsletter")] | length == 0'
req "history: unknown subject" 404 GET "/api/v1/subjects/00000000-0000-4000-8000-000000000000/consents" "${S[@]}"
req "history: an unknown token" 401 GET "/api/v1/subjects/$ID/consents" \
	-H "Authorization: Bearer sgt_not-a-real-token-000000000000000000000000000"

# ---- a staff session: CSRF
req "sign in" 303 POST /login --data-urlencode user=olga --data-urlencode "password=$PW"
CSRF=$(csrf_token)
ok "csrf token" test -n "$CSRF"
req "session give without CSRF" 403 POST "/api/v1/subjects/$ID/consents" \
	-H 'Content-Type: application/json' --data '{"purpose":"customer_offers","form":"f","text":"x"}'
expect_body "csrf code" '"code":"csrf"'
req "session withdraw with CSRF" 200 POST "/api/v1/subjects/$ID/consents/newsletter/withdraw" \
	-H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' --data '{"channel":"in_person"}'

finish
