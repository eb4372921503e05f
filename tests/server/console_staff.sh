#!/usr/bin/env bash
# console_staff.sh — the staff console against a real server: sign-in,
# role limits, CSRF, escaping, search by every key, the add-customer form
# (only needed fields, unticked consent, a missing required field changes
# nothing), the request queue with an overdue request, consent withdrawal,
# an access request fulfilled as a download, the audit status.
. "$(dirname "$0")/lib.sh" "$1"

"$SARGS" demo --customers 30 >/dev/null
PW_OWNER="owner-pass-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PW_CASHIER="cashier-pass-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$PW_OWNER" | "$SARGS" staff add anna --role owner --lang en --password-stdin >/dev/null
printf '%s\n' "$PW_CASHIER" | "$SARGS" staff add kaspars --role cashier --lang en --password-stdin >/dev/null

# a known customer, and one whose name is markup
KNOWN=$("$SARGS" subject add --purpose service --purpose accounting first_name=Zelma \
	last_name=Kalniņa email=zelma@example.lv phone='2612 3456' personal_code=121282-11210)
XSS=$("$SARGS" subject add --purpose service first_name='<script>alert(1)</script>' \
	last_name='"><img src=x onerror=alert(2)>' email=xss@example.lv)
# a special category (GDPR Art. 9) the service purpose uses, and a customer
# who has it
load_health_registry || { echo "purpose load failed"; exit 1; }
ALLERGIC=$("$SARGS" subject add --purpose service first_name=Rasma last_name=Liepa \
	email=rasma.liepa@example.lv allergies=peanuts)
# an access request received long ago: overdue
"$SARGS" request new --kind access --channel email --subject "$KNOWN" --received 2020-01-15 >/dev/null
ok "customers were added" test -n "$KNOWN" -a -n "$XSS"

server_start

# ---- sign-in
req "console needs sign-in" 303 GET /console/search
expect_header "to the sign-in page" '^location: /login'
req "requests need sign-in" 303 GET /console/requests
req "wrong password" 401 POST /login --data-urlencode user=anna --data-urlencode password=wrong-password-1
# login CSRF: a sign-in posted from another site is not taken
req "sign-in from another site (Sec-Fetch-Site)" 403 POST /login -H 'Sec-Fetch-Site: cross-site' \
	--data-urlencode user=anna --data-urlencode password="$PW_OWNER"
expect_no_body "no session from another site" 'Sign out'
ok "no session cookie from another site" bash -c "! grep -qi 'set-cookie: sargs_session' '$HDRS'"
req "sign-in from another site (Origin)" 403 POST /login -H 'Origin: https://evil.example' \
	--data-urlencode user=anna --data-urlencode password="$PW_OWNER"
ok "no session cookie from another origin" bash -c "! grep -qi 'set-cookie: sargs_session' '$HDRS'"
req "sign in (from our own page)" 303 POST /login -H 'Sec-Fetch-Site: same-origin' -H "Origin: $BASE" \
	--data-urlencode user=anna --data-urlencode password="$PW_OWNER"
req "start page" 200 GET /console
expect_body "privacy notice or its absence is shown" 'notice'
CSRF=$(csrf_token)
ok "a CSRF token is on the page" test -n "$CSRF"

# ---- search by every key, for a purpose
req "search by e-mail" 200 GET '/console/search?q=zelma%40example.lv&purpose=service'
expect_body "found by e-mail" 'Zelma'
req "search by phone" 200 GET '/console/search?q=%2B371+26123456&purpose=service'
expect_body "found by phone" 'Zelma'
req "search by personal code" 200 GET '/console/search?q=121282-11210&purpose=accounting'
expect_body "found by personal code" 'Zelma'
req "search by name" 200 GET '/console/search?q=zelm&purpose=service'
expect_body "found by name" 'Zelma'
# by the beginnings of both names, in capitals, without the diacritics
req "search by first and last name" 200 GET '/console/search?q=ZELMA+kalnina&purpose=service'
expect_body "found by both names" 'Zelma'
req "a last name that is not hers" 200 GET '/console/search?q=zelma+liepa&purpose=service'
expect_no_body "not found with another's last name" 'Kalni'
req "a word's middle is not its beginning" 200 GET '/console/search?q=elma&purpose=service'
expect_no_body "not found by the middle of a name" 'Kalni'
req "search for nobody" 200 GET '/console/search?q=nobody%40example.lv&purpose=service'
expect_body "says nothing found" 'No customer was found'
req "a purpose without that field" 200 GET '/console/search?q=zelma%40example.lv&purpose=accounting'
expect_no_body "accounting does not see the e-mail" 'zelma@example\.lv</td>'

# ---- escaping
req "search shows markup escaped" 200 GET '/console/search?q=xss%40example.lv&purpose=service'
expect_body "escaped name" '&lt;script&gt;alert\(1\)&lt;/script&gt;'
expect_no_body "no raw script" '<script>alert'
req "card shows markup escaped" 200 GET "/console/subjects/$XSS?purpose=service"
expect_body "escaped on the card" '&lt;script&gt;alert\(1\)'
expect_no_body "no raw script on the card" '<script>alert|<img src=x'
req "query echoed escaped" 200 GET '/console/search?q=%22%3E%3Cb%3Ex&purpose=service'
expect_no_body "no raw query markup" '"><b>x'

# ---- the card: purpose-bound, with its sections
req "card for service" 200 GET "/console/subjects/$KNOWN?purpose=service"
expect_body "the name" 'Zelma'
expect_body "consent history section" 'Consent history'
expect_body "audit trail section" 'audit trail</h2>'
req "card with a special category" 200 GET "/console/subjects/$ALLERGIC?purpose=service"
expect_body "mission §9: special category withheld from a role without it" \
	'Special-category data not shown.*allergies'
expect_no_body "no special-category value on the card" 'peanuts'
req "card for newsletter (not linked)" 200 GET "/console/subjects/$KNOWN?purpose=newsletter"
expect_body "says why it is refused" 'may not be shown for this purpose'
expect_no_body "no fields shown" 'zelma@example\.lv'
req "unknown card" 404 GET "/console/subjects/00000000-0000-4000-8000-000000000000"

# ---- adding a customer
req "step 1: purposes" 200 GET /console/subjects/new
expect_body "purpose boxes" 'name="p_service"'
req "step 2: fields" 200 GET '/console/subjects/new?step=2&p_service=1&p_newsletter=1'
expect_body "required field" 'name="f_last_name"'
expect_body "optional field with why" 'Why we ask'
expect_body "consent box" 'name="consent_newsletter"'
expect_no_body "consent box is not ticked" 'consent_newsletter" value="1" checked|checked'
expect_no_body "no field no purpose needs" 'name="f_personal_code"'
req "missing required field" 400 POST /console/subjects --data-urlencode csrf="$CSRF" \
	-d p_service=1 --data-urlencode f_first_name=Ilze --data-urlencode f_email=ilze@example.lv
expect_body "names the missing field" 'required field is missing: .*(Last name|last_name)'
req "nothing was stored" 200 GET '/console/search?q=ilze%40example.lv&purpose=service'
expect_body "not found after refusal" 'No customer was found'
req "no CSRF token" 403 POST /console/subjects -d p_service=1 --data-urlencode f_first_name=Ilze \
	--data-urlencode f_last_name=Ozola --data-urlencode f_email=ilze@example.lv
req "wrong CSRF token" 403 POST /console/subjects -d csrf=AAAA -d p_service=1
req "add a customer with consent" 303 POST /console/subjects --data-urlencode csrf="$CSRF" \
	-d p_service=1 -d p_newsletter=1 -d consent_newsletter=1 --data-urlencode f_first_name=Ilze \
	--data-urlencode f_last_name=Ozola --data-urlencode f_email=ilze@example.lv
LOC=$(sed -n 's/^[Ll]ocation: \([^\r]*\).*/\1/p' "$HDRS" | tr -d '\r')
ILZE=$(printf '%s' "$LOC" | sed -n 's|^/console/subjects/\([0-9a-f-]*\)?.*|\1|p')
ok "redirected to the new card" test -n "$ILZE"
req "the new card" 200 GET "/console/subjects/$ILZE?purpose=newsletter"
expect_body "saved and readable for newsletter" 'Ilze'
expect_body "a withdraw button" 'Withdraw consent'

# ---- withdraw the consent
req "withdraw without CSRF" 403 POST "/console/subjects/$ILZE/withdraw" -d purpose=newsletter -d channel=phone
req "withdraw" 303 POST "/console/subjects/$ILZE/withdraw" --data-urlencode csrf="$CSRF" \
	-d purpose=newsletter -d channel=phone -d back=newsletter
req "card after withdrawal" 200 GET "/console/subjects/$ILZE?purpose=newsletter"
expect_body "the history shows it" 'consent withdrawn'
expect_body "newsletter may no longer read" 'may not be shown for this purpose'
req "service still works" 200 GET "/console/subjects/$ILZE?purpose=service"
expect_body "contract goes on" 'Ozola'

# ---- requests: queue, overdue, an access request to a download
req "requests page" 200 GET /console/requests
expect_body "overdue one stands out" 'class="overdue">Overdue by'
req "open an access request" 303 POST /console/requests --data-urlencode csrf="$CSRF" \
	-d subject="$ILZE" -d kind=access -d channel=in_person
RLOC=$(sed -n 's/^[Ll]ocation: \([^\r]*\).*/\1/p' "$HDRS" | tr -d '\r')
RID=${RLOC##*/}
ok "a request number" test -n "$RID"
req "request page" 200 GET "/console/requests/$RID"
expect_body "verify form" 'name="check_in_person"'
req "one weak check is not enough" 422 POST "/console/requests/$RID/verify" \
	--data-urlencode csrf="$CSRF" -d check_email_confirmation=1
req "verify" 303 POST "/console/requests/$RID/verify" --data-urlencode csrf="$CSRF" -d check_in_person=1
req "fulfil: download" 200 POST "/console/requests/$RID/fulfil" --data-urlencode csrf="$CSRF" -d format=json
expect_header "as an attachment" 'content-disposition: attachment'
ok "the export is JSON with the data" sh -c "jq -e . '$BODY' >/dev/null && grep -q ilze@example.lv '$BODY'"
req "request closed" 200 GET "/console/requests/$RID"
expect_body "fulfilled" 'fulfilled'

# ---- other pages
req "audit page" 200 GET /console/audit
expect_body "chain intact" 'The trail is intact'
req "campaigns page" 200 GET /console/campaigns
expect_body "audience count" 'customers may get this offer'
req "zones page" 200 GET /console/zones
expect_body "zones" 'Grey'
req "sign out" 303 POST /logout --data-urlencode csrf="$CSRF"
req "signed out" 303 GET /console

# ---- the cashier's limits
JAR="$WORK/cookies-cashier"
req "cashier signs in" 303 POST /login --data-urlencode user=kaspars --data-urlencode password="$PW_CASHIER"
req "cashier: no requests" 403 GET /console/requests
req "cashier: no audit" 403 GET /console/audit
req "cashier: no campaigns" 403 GET /console/campaigns
req "cashier may search" 200 GET '/console/search?q=zelma%40example.lv&purpose=service'
req "cashier may add" 200 GET /console/subjects/new
req "cashier's card has no audit trail" 200 GET "/console/subjects/$KNOWN?purpose=service"
expect_no_body "no audit section" "audit trail</h2>"
CCSRF=$(csrf_token)
req "cashier cannot open requests" 403 POST /console/requests --data-urlencode csrf="$CCSRF" \
	-d subject="$KNOWN" -d kind=access -d channel=in_person

finish
