#!/bin/bash
# api_subjects.sh — /api/v1/subjects: add, find, read, edit; every read is
# purpose-bound (fields outside the purpose are absent; a purpose that is
# not lawful now is refused) and its audit entry names the purpose.
. "$(dirname "$0")/lib.sh" "$1"
jqt() { jq -e "$1" "$BODY" >/dev/null; }

"$SARGS" demo --customers 30 >/dev/null || { echo "demo failed"; exit 1; }
# a special category (GDPR Art. 9) the service purpose uses: allergies
load_health_registry || { echo "purpose load failed"; exit 1; }
SHOP=$("$SARGS" token issue shop --actions subject.read,subject.write,consent.write \
	--purposes service,newsletter 2>/dev/null | grep -o 'sgt_[A-Za-z0-9_-]*')
AUD=$("$SARGS" token issue auditor --actions audit.read --purposes service 2>/dev/null |
	grep -o 'sgt_[A-Za-z0-9_-]*')
ok "tokens issued" test -n "$SHOP" -a -n "$AUD"
server_start
S=(-H "Authorization: Bearer $SHOP" -H 'Content-Type: application/json')
A=(-H "Authorization: Bearer $AUD")

# ---- add
req "add" 201 POST /api/v1/subjects "${S[@]}" --data '{"purposes":["service","newsletter"],
	"fields":{"first_name":"Anna","last_name":"Ozola","email":"anna.ozola@example.lv",
	"phone":"2612 3456","birth_date":"1980-05-01"}}'
ID=$(jqb .id)
ok "add gives an id" test -n "$ID" -a "$ID" != null
expect_header "add gives its location" "^Location: /api/v1/subjects/$ID"
req "add: unknown member" 400 POST /api/v1/subjects "${S[@]}" \
	--data '{"purposes":["service"],"fields":{"email":"x@example.lv"},"colour":"red"}'
expect_body "unknown member code" '"code":"field_unknown"'
req "add: malformed JSON" 400 POST /api/v1/subjects "${S[@]}" --data '{"purposes":['
expect_body "malformed code" '"code":"json_invalid"'
req "add: invalid e-mail" 400 POST /api/v1/subjects "${S[@]}" --data '{"purposes":["service"],
	"fields":{"first_name":"B","last_name":"C","email":"bad-address@"}}'
req "add: field no purpose asks for (minimisation)" 422 POST /api/v1/subjects "${S[@]}" --data '{"purposes":["service"],
	"fields":{"first_name":"B","last_name":"C","email":"bee.cee@example.lv","bank_account":"LV80BANK0000435195001"}}'
req "add: purpose the token lacks" 403 POST /api/v1/subjects "${S[@]}" --data '{"purposes":["accounting"],
	"fields":{"first_name":"B","last_name":"C"}}'
expect_body "forbidden code" '"code":"forbidden"'
req "refused add stored nothing" 200 GET "/api/v1/subjects?purpose=service&email=bee.cee@example.lv" "${S[@]}"
ok "no subject bee.cee" test "$(jqb '.subjects | length')" = 0
req "add: wrong type" 400 POST /api/v1/subjects "${S[@]}" --data '{"purposes":"service","fields":{}}'
expect_body "wrong type code" '"code":"field_invalid"'

# ---- read for a purpose: only its fields
req "read for service" 200 GET "/api/v1/subjects/$ID?purpose=service" "${S[@]}"
ok "service: e-mail" test "$(jqb .fields.email)" = anna.ozola@example.lv
ok "service: last name" test "$(jqb .fields.last_name)" = Ozola
ok "service: no birthday (not a service field)" test "$(jqb .fields.birth_date)" = null
ok "service: the purpose named" test "$(jqb .purpose)" = service
req "read without a purpose" 400 GET "/api/v1/subjects/$ID" "${S[@]}"
expect_body "purpose_missing" '"code":"purpose_missing"'
req "read for a purpose the token lacks" 403 GET "/api/v1/subjects/$ID?purpose=accounting" "${S[@]}"
expect_body "forbidden" '"code":"forbidden"'
req "read for newsletter before consent" 403 GET "/api/v1/subjects/$ID?purpose=newsletter" "${S[@]}"
expect_body "no consent: not lawful" '"code":"not_lawful"'
req "unknown subject" 404 GET "/api/v1/subjects/00000000-0000-4000-8000-000000000000?purpose=service" "${S[@]}"
req "not a subject id" 404 GET "/api/v1/subjects/nope?purpose=service" "${S[@]}"

# consent, then the newsletter read holds only the newsletter's fields
req "consent" 201 POST "/api/v1/subjects/$ID/consents" "${S[@]}" \
	--data '{"purpose":"newsletter","channel":"web_form","form":"shop-v3","text":"Send me the newsletter"}'
req "read for newsletter" 200 GET "/api/v1/subjects/$ID?purpose=newsletter" "${S[@]}"
ok "newsletter: e-mail" test "$(jqb .fields.email)" = anna.ozola@example.lv
ok "newsletter: birthday" test "$(jqb .fields.birth_date)" = 1980-05-01
ok "newsletter: no last name" test "$(jqb .fields.last_name)" = null
ok "newsletter: no phone" test "$(jqb .fields.phone)" = null
ok "newsletter: basis consent" test "$(jqb .basis)" = consent_given
req "withdraw" 200 POST "/api/v1/subjects/$ID/consents/newsletter/withdraw" "${S[@]}" \
	--data '{"channel":"email"}'
req "read for newsletter after withdrawal" 403 GET "/api/v1/subjects/$ID?purpose=newsletter" "${S[@]}"
expect_body "withdrawn: not lawful" '"code":"not_lawful"'
req "service goes on after withdrawal" 200 GET "/api/v1/subjects/$ID?purpose=service" "${S[@]}"

# ---- find
req "find by e-mail" 200 GET "/api/v1/subjects?purpose=service&email=ANNA.OZOLA@example.lv" "${S[@]}"
ok "one match" test "$(jqb '.subjects | length')" = 1
ok "the match" test "$(jqb '.subjects[0].id')" = "$ID"
ok "found: no birthday" test "$(jqb '.subjects[0].fields.birth_date')" = null
req "find by phone" 200 GET "/api/v1/subjects?purpose=service&phone=%2B37126123456" "${S[@]}"
ok "phone match" test "$(jqb '.subjects[0].id')" = "$ID"
req "find for a purpose not lawful: left out" 200 GET \
	"/api/v1/subjects?purpose=newsletter&email=anna.ozola@example.lv" "${S[@]}"
ok "no lawful newsletter match" test "$(jqb '.subjects | length')" = 0
# by name: word beginnings, any case, diacritics or not (mission §6: the
# right customer found), each name read audited (§9, 004 §18h)
req "find by name" 200 GET "/api/v1/subjects?purpose=service&name=ozol" "${S[@]}"
ok "name match (among the demo's Ozols)" jqt '[.subjects[].id] | index("'"$ID"'") != null'
ok "name match: purpose-bound view" test "$(jqb '.subjects[0].fields.birth_date')" = null
ok "name search complete" test "$(jqb '.more')" = false
req "find by first and last name, any case" 200 GET \
	"/api/v1/subjects?purpose=service&name=ANNA%20oz" "${S[@]}"
ok "both words match" jqt '[.subjects[].id] | index("'"$ID"'") != null'
ok "every match has both" jqt '(.subjects | length) as $n | [.subjects[] | select((.fields.first_name | test("^Anna")) and (.fields.last_name | test("^Oz")))] | length == $n'
req "a word that matches no one" 200 GET "/api/v1/subjects?purpose=service&name=anna%20zzz" "${S[@]}"
ok "no match" test "$(jqb '.subjects | length')" = 0
req "a name for a purpose not lawful: left out" 200 GET \
	"/api/v1/subjects?purpose=newsletter&name=ozola" "${S[@]}"
ok "not the one who withdrew" jqt '[.subjects[].id] | index("'"$ID"'") == null'
req "find by name: too short" 400 GET "/api/v1/subjects?purpose=service&name=an" "${S[@]}"
expect_body "says what to type" 'three letters'
req "find by name and e-mail at once" 400 GET \
	"/api/v1/subjects?purpose=service&name=anna&email=anna.ozola@example.lv" "${S[@]}"
req "name search audited" 200 GET "/api/v1/audit?subject=$ID&limit=1000" "${A[@]}"
ok "name read recorded with the purpose" \
	jqt '[.entries[] | select(.action == "subject.search" and .purpose == "service")] | length > 0'
req "find without a key" 400 GET "/api/v1/subjects?purpose=service" "${S[@]}"
req "find without a purpose" 400 GET "/api/v1/subjects?email=anna.ozola@example.lv" "${S[@]}"

# ---- edit
req "edit phone" 200 PATCH "/api/v1/subjects/$ID" "${S[@]}" --data '{"set":{"phone":"2900 0001"}}'
req "read after edit" 200 GET "/api/v1/subjects/$ID?purpose=service" "${S[@]}"
ok "phone normalised" test "$(jqb .fields.phone)" = +37129000001
req "edit: unknown member" 400 PATCH "/api/v1/subjects/$ID" "${S[@]}" --data '{"put":{"phone":"1"}}'
req "edit: a field of a purpose the token lacks" 403 PATCH "/api/v1/subjects/$ID" "${S[@]}" \
	--data '{"set":{"bank_account":"LV80BANK0000435195001"}}'
req "edit: invalid phone changes nothing" 400 PATCH "/api/v1/subjects/$ID" "${S[@]}" \
	--data '{"set":{"phone":"12","first_name":"Zane"}}'
req "read after refused edit" 200 GET "/api/v1/subjects/$ID?purpose=service" "${S[@]}"
ok "name unchanged" test "$(jqb .fields.first_name)" = Anna
req "edit: nothing to change" 400 PATCH "/api/v1/subjects/$ID" "${S[@]}" --data '{}'
req "edit: unknown subject" 404 PATCH "/api/v1/subjects/00000000-0000-4000-8000-000000000000" \
	"${S[@]}" --data '{"set":{"phone":"2900 0002"}}'

# ---- mission §9: special categories get extra protection and minimal
# access — only a reader given subject.read_special sees them
MED=$("$SARGS" token issue kitchen --actions subject.read,subject.read_special \
	--purposes service 2>/dev/null | grep -o 'sgt_[A-Za-z0-9_-]*')
ok "token with subject.read_special issued" test -n "$MED"
req "add with a special-category field" 201 POST /api/v1/subjects "${S[@]}" --data '{"purposes":["service"],
	"fields":{"first_name":"Ilze","last_name":"Berzina","email":"ilze.berzina@example.lv",
	"allergies":"peanuts"}}'
SID=$(jqb .id)
req "read without the permission" 200 GET "/api/v1/subjects/$SID?purpose=service" "${S[@]}"
ok "special field withheld" jqt '.fields.allergies == null and .fields.email == "ilze.berzina@example.lv"'
ok "withheld named" jqt '.withheld == ["allergies"]'
expect_no_body "no special value leaks" 'peanuts'
req "read with subject.read_special" 200 GET "/api/v1/subjects/$SID?purpose=service" \
	-H "Authorization: Bearer $MED"
ok "special field shown" jqt '.fields.allergies == "peanuts" and (has("withheld") | not)'
req "search without the permission" 200 GET "/api/v1/subjects?purpose=service&email=ilze.berzina@example.lv" "${S[@]}"
ok "search withholds too" jqt '.subjects[0].fields.allergies == null and .subjects[0].withheld == ["allergies"]'
req "audit of the special read" 200 GET "/api/v1/audit?subject=$SID&limit=100" "${A[@]}"
ok "withheld read audited as such" \
	jqt '[.entries[] | select(.action == "subject.read" and .detail == "withheld=allergies" and .actor == "token:shop")] | length > 0'
ok "permitted read audited with the field" \
	jqt '[.entries[] | select(.action == "subject.read" and .actor == "token:kitchen" and (.fields | test("allergies")))] | length > 0'
expect_no_body "no special value in the audit" 'peanuts'
MK=$("$SARGS" token issue mailer --actions campaign.read,campaign.export \
	--purposes newsletter 2>/dev/null | grep -o 'sgt_[A-Za-z0-9_-]*')
MKS=$("$SARGS" token issue mailer2 --actions campaign.read,campaign.export,subject.read_special \
	--purposes newsletter 2>/dev/null | grep -o 'sgt_[A-Za-z0-9_-]*')
req "campaign export of a special-category field refused" 403 POST /api/v1/campaigns/export \
	-H "Authorization: Bearer $MK" -H 'Content-Type: application/json' \
	--data '{"purpose":"newsletter","channel":"email","fields":["allergies"],"base_url":"https://zimes.example/sargs"}'
expect_body "says why" 'special category'
req "campaign export with subject.read_special" 200 POST /api/v1/campaigns/export \
	-H "Authorization: Bearer $MKS" -H 'Content-Type: application/json' \
	--data '{"purpose":"newsletter","channel":"email","fields":["allergies"],"base_url":"https://zimes.example/sargs"}'

# ---- the audit entries name the purpose, never values
req "audit of the subject" 200 GET "/api/v1/audit?subject=$ID&limit=1000" "${A[@]}"
ok "read audited with purpose service" \
	jqt '[.entries[] | select(.action == "subject.read" and .purpose == "service")] | length > 0'
ok "refused read audited with purpose newsletter" \
	jqt '[.entries[] | select(.action == "subject.read.denied" and .purpose == "newsletter")] | length > 0'
ok "actor is the token" jqt '[.entries[] | select(.actor == "token:shop")] | length > 0'
expect_no_body "no values in the audit" 'anna\.ozola|Ozola|2612 ?3456|26123456'
req "audit: token without audit.read" 403 GET "/api/v1/audit?subject=$ID" "${S[@]}"
# the server writes its log's last lines when it stops
server_stop
ok "the server's log was written" grep -q 'event=http method=' "$WORK/server.log"
ok "no personal data in the server log" bash -c "! grep -Eq 'anna|Ozola|2612 ?3456|26123456' '$WORK/server.log'"

finish
