#!/bin/bash
# api_security.sh — every /api/v1 route (parsed from the route tables in
# src/server/*.c) is refused without a session or token (401), with a token
# lacking its action (403), with a role lacking its action (403), and, for
# state-changing routes, with a session but no CSRF token (403), malformed
# JSON (400), an unknown member (400) and an oversized body (413). Purpose-
# bound routes refuse a token issued for other purposes (403). None of
# these refusals changes anything.
. "$(dirname "$0")/lib.sh" "$1"
jqt() { jq -e "$1" "$BODY" >/dev/null; }
SRC=${SARGS_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

PW='Sarkans-tilts-2026'
"$SARGS" demo --customers 30 >/dev/null || { echo "demo failed"; exit 1; }
ALL_PURPOSES=service,accounting,customer_contact,debt_collection,web_shop,newsletter,customer_offers
ALL_ACTIONS=$(sed -n 's/^#define SARGS_ACT_[A-Z_]* "\([a-z._]*\)".*/\1/p' "$SRC/src/domain/staff.h" | paste -sd,)
ok "actions known" test -n "$ALL_ACTIONS"
tok() { "$SARGS" token issue "$1" --actions "$2" --purposes "$3" 2>/dev/null | grep -o 'sgt_[A-Za-z0-9_-]*'; }
ALL=$(tok all "$ALL_ACTIONS" "$ALL_PURPOSES")
OTHER_PURPOSE=$(tok elsewhere "$ALL_ACTIONS" web_shop)
ok "tokens issued" test -n "$ALL" -a -n "$OTHER_PURPOSE"
# one token per action holding every action but that one
declare -A LACKS
for a in ${ALL_ACTIONS//,/ }; do
	rest=$(echo "$ALL_ACTIONS" | tr , '\n' | grep -vx "$a" | paste -sd,)
	LACKS[$a]=$(tok "no-${a//./-}" "$rest" "$ALL_PURPOSES")
done
"$SARGS" role set limited --actions staff.manage --purposes '*' >/dev/null 2>&1
printf '%s\n' "$PW" | "$SARGS" staff add owen --role owner --password-stdin >/dev/null 2>&1
printf '%s\n' "$PW" | "$SARGS" staff add lina --role limited --password-stdin >/dev/null 2>&1
printf '%s\n' "$PW" | "$SARGS" staff add mara --role marketing --password-stdin >/dev/null 2>&1
server_start
H=(-H "Authorization: Bearer $ALL" -H 'Content-Type: application/json')

# a subject and a request for the routes' {id}s
req "setup: subject" 201 POST /api/v1/subjects "${H[@]}" --data '{"purposes":["service","newsletter"],
	"fields":{"first_name":"Rasma","last_name":"Vītola","email":"rasma.vitola@example.lv"}}'
SID=$(jqb .id)
req "setup: request" 201 POST /api/v1/requests "${H[@]}" --data '{"kind":"access","channel":"email"}'
req "setup: read before" 200 GET "/api/v1/subjects/$SID?purpose=service" "${H[@]}"
BEFORE=$(jq -c .fields "$BODY")

# sessions (each its own cookie jar)
for who in owen lina mara; do
	JAR="$WORK/jar-$who"
	req "sign in $who" 303 POST /login --data-urlencode "user=$who" --data-urlencode "password=$PW"
done
JAR="$WORK/jar-owen"
OWEN_CSRF=$(csrf_token)
ok "owner's csrf token" test -n "$OWEN_CSRF"
JAR="$WORK/jar-none"

# the routes: "METHOD PATH ACTION" (an entry may wrap onto the next line)
cat "$SRC"/src/server/*.c | awk '
	pending != "" { line = pending " " $0; pending = "" ; handle(line); next }
	/\{"(GET|POST|PATCH|PUT|DELETE)", "\/api\/v1\// {
		if ($0 ~ /\},[ \t]*$/) handle($0); else pending = $0
	}
	function handle(l,   m, p, a) {
		match(l, /\{"[A-Z]+"/); m = substr(l, RSTART + 2, RLENGTH - 3)
		match(l, /"\/api\/v1\/[^"]*"/); p = substr(l, RSTART + 1, RLENGTH - 2)
		a = "-"
		if (match(l, /SARGS_ACT_[A-Z_]+/)) a = substr(l, RSTART, RLENGTH)
		print m, p, a
	}' | sort -u >"$WORK/routes"
ok "routes parsed" test "$(wc -l <"$WORK/routes")" -ge 25
# SARGS_ACT_X -> its name
act_name() { sed -n "s/^#define $1 \"\\([a-z._]*\\)\".*/\\1/p" "$SRC/src/domain/staff.h"; }
concrete() {
	echo "$1" | sed -e "s|^/api/v1/subjects/{[a-z]*}|/api/v1/subjects/$SID|" \
		-e 's|^/api/v1/requests/{[a-z]*}|/api/v1/requests/1|' \
		-e 's|^/api/v1/purposes/{[a-z]*}|/api/v1/purposes/service|' \
		-e 's|{purpose}|newsletter|' -e 's|{no}|1|' -e 's|{[a-z]*}|1|g'
}
# oversized bodies
head -c $((1024 * 1024 + 100)) /dev/zero | tr '\0' a | sed 's/^/{"x":"/; s/$/"}/' >"$WORK/big"
head -c $((16 * 1024 * 1024 + 100)) /dev/zero | tr '\0' a | sed 's/^/{"x":"/; s/$/"}/' >"$WORK/huge"

while read -r method pattern actconst; do
	path=$(concrete "$pattern")
	name="$method $pattern"
	action=-
	[ "$actconst" != - ] && action=$(act_name "$actconst")
	body=()
	[ "$method" != GET ] && body=(-H 'Content-Type: application/json' --data '{}')

	JAR="$WORK/jar-none"
	req "$name: no credentials" 401 "$method" "$path" "${body[@]}"
	expect_body "$name: 401 code" '"code":"unauthenticated"'
	req "$name: bad token" 401 "$method" "$path" -H "Authorization: Bearer sgt_forged" "${body[@]}"
	if [ "$action" = - ]; then
		echo "note: $name names no action"
		continue
	fi
	req "$name: token lacking $action" 403 "$method" "$path" \
		-H "Authorization: Bearer ${LACKS[$action]}" "${body[@]}"
	expect_body "$name: forbidden code" '"code":"forbidden"'
	if [ "$action" = staff.manage ]; then JAR="$WORK/jar-mara"; else JAR="$WORK/jar-lina"; fi
	req "$name: role lacking $action" 403 "$method" "$path" -H "X-CSRF-Token: x" "${body[@]}"
	expect_body "$name: role forbidden code" '"code":"forbidden"'
	JAR="$WORK/jar-none"
	[ "$method" = GET ] && continue

	JAR="$WORK/jar-owen"
	req "$name: session without CSRF" 403 "$method" "$path" "${body[@]}"
	expect_body "$name: csrf code" '"code":"csrf"'
	req "$name: session with a wrong CSRF" 403 "$method" "$path" -H "X-CSRF-Token: x$OWEN_CSRF" "${body[@]}"
	JAR="$WORK/jar-none"

	if [ "$pattern" = /api/v1/import ]; then big="$WORK/huge"; else big="$WORK/big"; fi
	req "$name: oversized body" 413 "$method" "$path" "${H[@]}" --data-binary "@$big"
	expect_body "$name: 413 code" '"code":"body_too_large"'
	# routes that take a JSON body (documented with a requestBody)
	if awk -v p="  $pattern:" -v m="    $(echo "$method" | tr A-Z a-z):" '
		$0 == p { inp = 1; next } inp && /^  [^ ]/ { inp = 0 }
		inp && $0 == m { inm = 1; next } inm && /^    [a-z]+:$/ { inm = 0 }
		inm && /^      requestBody:/ { found = 1 } END { exit !found }' "$SRC/docs/openapi.yaml"; then
		req "$name: malformed JSON" 400 "$method" "$path" "${H[@]}" --data '{"purpose": '
		expect_body "$name: json_invalid" '"code":"json_invalid"'
		req "$name: unknown member" 400 "$method" "$path" "${H[@]}" --data '{"zz_unknown": 1}'
		expect_body "$name: field_unknown" '"code":"field_unknown"'
	fi
done <"$WORK/routes"

# ---- a token for other purposes: every purpose-bound route refuses it
O=(-H "Authorization: Bearer $OTHER_PURPOSE" -H 'Content-Type: application/json')
req "find for another purpose" 403 GET "/api/v1/subjects?purpose=newsletter&email=rasma.vitola@example.lv" "${O[@]}"
req "read for another purpose" 403 GET "/api/v1/subjects/$SID?purpose=service" "${O[@]}"
req "add for another purpose" 403 POST /api/v1/subjects "${O[@]}" \
	--data '{"purposes":["newsletter"],"fields":{"email":"x.y@example.lv"}}'
req "edit: link another purpose" 403 PATCH "/api/v1/subjects/$SID" "${O[@]}" --data '{"link":["customer_offers"]}'
req "edit: a field of another purpose" 403 PATCH "/api/v1/subjects/$SID" "${O[@]}" --data '{"set":{"last_name":"X"}}'
req "consent for another purpose" 403 POST "/api/v1/subjects/$SID/consents" "${O[@]}" \
	--data '{"purpose":"newsletter","form":"f","text":"t"}'
req "withdraw for another purpose" 403 POST "/api/v1/subjects/$SID/consents/newsletter/withdraw" "${O[@]}"
req "object for another purpose" 403 POST "/api/v1/subjects/$SID/objections" "${O[@]}" --data '{"purpose":"customer_offers"}'
req "request for another purpose" 403 POST /api/v1/requests "${O[@]}" \
	--data '{"kind":"objection","channel":"email","purpose":"customer_offers"}'
req "audience for another purpose" 403 GET "/api/v1/campaigns/audience?purpose=newsletter&channel=email" "${O[@]}"
req "export for another purpose" 403 POST /api/v1/campaigns/export "${O[@]}" \
	--data '{"purpose":"newsletter","channel":"email"}'
req "import for another purpose" 403 POST /api/v1/import "${O[@]}" \
	--data '{"csv":"email\nq.w@example.lv\n","purposes":["newsletter"],"consent":"none"}'
req "history: other purposes' events hidden" 200 GET "/api/v1/subjects/$SID/consents" "${O[@]}"
ok "no events shown" jqt '.events | length == 0'

# ---- nothing of the above changed anything
req "read after" 200 GET "/api/v1/subjects/$SID?purpose=service" "${H[@]}"
ok "subject unchanged" test "$(jq -c .fields "$BODY")" = "$BEFORE"
req "no subject added" 200 GET "/api/v1/subjects?purpose=newsletter&email=x.y@example.lv" "${H[@]}"
ok "none" jqt '.subjects | length == 0'
req "one request only" 200 GET /api/v1/requests "${H[@]}"
ok "one" jqt '.requests | length == 1'
req "no campaign run" 200 GET /api/v1/campaigns "${H[@]}"
ok "none" jqt '.campaigns | length == 0'
req "audit intact" 200 GET /api/v1/audit/verify "${H[@]}"
ok "intact" jqt '.intact == true'

finish
