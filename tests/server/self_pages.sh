#!/usr/bin/env bash
# self_pages.sh — customers' own pages against a running `sargs serve`:
# the RFC 8058 one-click unsubscribe, the preferences page reached through
# a signed link, the request form, the embeddable collection form and the
# privacy notice's version line (docs/selfservice.md).
. "$(dirname "$0")/lib.sh" "$1"

"$SARGS" demo --customers 30 >/dev/null || { echo "demo failed"; exit 1; }
# version 1 of the notice, then a change: the pages show version 2 and what changed
"$SARGS" notice publish >/dev/null
"$SARGS" controller set --dpo-email privatums-jauns@zimes.lv >/dev/null
server_start

# how many a campaign may reach now (the audience's "allowed"), and subjects in all
allowed() { "$SARGS" --json campaign audience --purpose "$1" --channel email | jq -r .allowed; }
total() { "$SARGS" --json campaign audience --purpose newsletter --channel email | jq -r .subjects; }
ft_of() { sed -n "s/.*name=\"ft\" value=\"\([^\"]*\)\".*/\1/p" "$BODY" | head -1; }

"$SARGS" campaign export --purpose newsletter --channel email --base-url https://shop.example \
	--format json --output "$WORK/nl.jsonl" 2>/dev/null
ok "export has links" test "$(wc -l <"$WORK/nl.jsonl")" -ge 2
T1=$(sed -n 1p "$WORK/nl.jsonl" | jq -r .unsubscribe_url | sed 's|.*/u/||')
T2=$(sed -n 2p "$WORK/nl.jsonl" | jq -r .unsubscribe_url | sed 's|.*/u/||')
E1=$(sed -n 1p "$WORK/nl.jsonl" | jq -r .email)
S1=$("$SARGS" --json subject find --email "$E1" | jq -r '.ids[0]')
NL0=$(allowed newsletter)

# ---- one-click unsubscribe
req "unsub GET page" 200 GET "/u/$T1"
expect_body "one button" 'name="List-Unsubscribe" value="One-Click"'
ok "GET changes nothing" test "$(allowed newsletter)" = "$NL0"
STATUS=$(curl -s -o "$BODY" -D "$HDRS" -w '%{http_code}' -X POST \
	-H 'Content-Type: application/x-www-form-urlencoded' --data 'List-Unsubscribe=One-Click' \
	"$BASE/u/$T1")
ok "one-click POST without cookie answers 200" test "$STATUS" = 200
ok "no redirect" bash -c "! grep -qi '^Location:' '$HDRS'"
ok "no cookie set" bash -c "! grep -qi '^Set-Cookie:' '$HDRS'"
expect_body "unsubscribed" 'no longer send|vairs nesūtīsim'
ok "consent withdrawn" test "$(allowed newsletter)" = "$((NL0 - 1))"
P1=$(sed -n 's/.*id="prefs-link" href="\/p\/\([^"]*\)".*/\1/p' "$BODY")
ok "confirmation offers a preferences link" test -n "$P1"
req "unsub again is idempotent" 200 POST "/u/$T1" --data 'List-Unsubscribe=One-Click'
expect_body "already" 'already|jau bija'

FORGED="${T2%?}$( [ "${T2: -1}" = A ] && echo B || echo A)"
req "forged unsub token" 400 POST "/u/$FORGED" --data 'List-Unsubscribe=One-Click'
expect_body "forged says so" 'forged|viltota'
expect_body "forged: nothing changed" 'Nothing was changed|Nekas netika mainīts'
ok "forged changes nothing" test "$(allowed newsletter)" = "$((NL0 - 1))"
req "unsub without One-Click" 400 POST "/u/$T2" --data 'foo=bar'
ok "no One-Click changes nothing" test "$(allowed newsletter)" = "$((NL0 - 1))"

# ---- preferences
req "prefs page" 200 GET "/p/$P1?lang=en"
expect_body "withdrawn shown" 'data-state="withdrawn"'
expect_body "give button" 'data-action="give" data-purpose="newsletter"'
expect_body "notice version 2" 'class="version">2<'
expect_body "what changed" 'controller or contact changed'
expect_header "prefs not embeddable" "frame-ancestors 'none'"
FT=$(ft_of)
req "unsub token refused as preferences link" 400 GET "/p/$T2"
expect_body "wrong kind says so" 'not a preferences link|nav izvēļu saite'
req "unsub token cannot act on preferences" 400 POST "/p/$T2" \
	--data 'action=withdraw&purpose=newsletter'
ok "wrong kind changes nothing" test "$(allowed newsletter)" = "$((NL0 - 1))"
req "prefs token refused as unsubscribe link" 400 POST "/u/$P1" --data 'List-Unsubscribe=One-Click'
req "forged prefs token" 400 GET "/p/${P1}x"

req "give without form token" 400 POST "/p/$P1" --data 'action=give&purpose=newsletter'
ok "no form token changes nothing" test "$(allowed newsletter)" = "$((NL0 - 1))"
req "re-give from preferences" 200 POST "/p/$P1?lang=en" \
	--data-urlencode "ft=$FT" --data 'action=give&purpose=newsletter'
expect_body "given" 'consent is recorded'
expect_body "state given" 'data-state="given"'
ok "consent back" test "$(allowed newsletter)" = "$NL0"
if [ -n "$S1" ] && [ "$S1" != null ]; then
	"$SARGS" --json consent history "$S1" >"$WORK/hist.json"
	ok "consent records the notice version shown" grep -Eq '"noticeVersion": *2|"notice_version": *2' "$WORK/hist.json"
	ok "consent through self service" grep -q 'self_service' "$WORK/hist.json"
else
	FAIL=$((FAIL + 1)); echo "FAIL: could not find the subject of the first link"
fi
req "withdraw from preferences" 200 POST "/p/$P1?lang=en" --data 'action=withdraw&purpose=newsletter'
expect_body "withdrawn" 'Consent withdrawn'
ok "withdrawn again" test "$(allowed newsletter)" = "$((NL0 - 1))"
req "give again" 200 POST "/p/$P1?lang=en" --data-urlencode "ft=$FT" \
	--data 'action=give&purpose=newsletter'
ok "given again" test "$(allowed newsletter)" = "$NL0"
req "unknown action" 400 POST "/p/$P1" --data 'action=delete&purpose=newsletter'
req "object to all direct marketing" 200 POST "/p/$P1?lang=en" --data 'action=object_all'
expect_body "objection recorded" 'objection is recorded'
expect_body "objection shown" 'objected to all direct marketing'
ok "objection stops the newsletter" test "$(allowed newsletter)" = "$((NL0 - 1))"

# ---- requests
NREQ0=$("$SARGS" --json request list | jq '.requests | length')
req "request from preferences" 200 POST "/p/$P1?lang=en" --data 'action=request&kind=access'
expect_body "request number" 'request no\. [0-9]+'
"$SARGS" --json request list >"$WORK/req.json"
ok "request awaits verification" test "$(jq -r '.requests[-1].state' "$WORK/req.json")" = verifying
ok "request names the subject" test "$(jq -r '.requests[-1].subject' "$WORK/req.json")" = "$S1"
req "request form" 200 GET "/request?lang=en"
expect_body "kinds" 'value="access".*|value="erasure"'
expect_header "request form not embeddable" "frame-ancestors 'none'"
RFT=$(ft_of)
req "request without e-mail" 400 POST /request --data-urlencode "ft=$RFT" \
	--data 'kind=erasure&name=Anna'
req "request with forged form token" 400 POST /request --data 'ft=abc&kind=erasure&name=Anna&email=anna@example.lv'
ok "refused requests store nothing" test "$("$SARGS" --json request list | jq '.requests | length')" = "$((NREQ0 + 1))"
req "request erasure" 200 POST "/request?lang=en" --data-urlencode "ft=$RFT" \
	--data-urlencode 'name=Anna Ozola' --data 'kind=erasure&email=anna.ozola@example.lv'
expect_body "received" 'Request received'
"$SARGS" --json request list >"$WORK/req.json"
ok "erasure request opened" test "$(jq '.requests | length' "$WORK/req.json")" = "$((NREQ0 + 2))"
ok "erasure awaits verification" test "$(jq -r '.requests[-1] | .kind + " " + .state + " " + .channel' "$WORK/req.json")" = "erasure verifying web_form"

# ---- collection form
TOT0=$(total)
NL1=$(allowed newsletter)
req "collection form" 200 GET "/form?lang=en"
expect_header "form embeddable" "frame-ancestors \*"
ok "form has no X-Frame-Options" bash -c "! grep -qi '^X-Frame-Options' '$HDRS'"
expect_body "consent box" 'type="checkbox" name="consent" value="newsletter"'
expect_no_body "no box ticked" 'checked'
expect_body "short notice before submission" 'id="notice"'
expect_body "short notice names the controller" 'ZĪMES'
expect_body "optional field with why" 'Optional\.'
expect_body "notice version" 'class="version">2<'
CFT=$(ft_of)
req "request form is not the collection form" 400 POST /form --data-urlencode "ft=$RFT" \
	--data 'consent=newsletter&f_email=x@example.lv'
req "nothing ticked" 400 POST "/form?lang=en" --data-urlencode "ft=$CFT" --data 'f_email=x1@example.lv'
expect_body "nothing stored" 'nothing was stored'
req "missing required field" 400 POST "/form?lang=en" --data-urlencode "ft=$CFT" \
	--data 'consent=newsletter' --data-urlencode 'f_first_name=<script>alert(1)</script>'
expect_body "says which field" 'Missing the field'
expect_body "input escaped on re-display" '&lt;script&gt;alert\(1\)&lt;/script&gt;'
expect_no_body "no raw script" '<script>alert'
expect_header "error page embeddable too" "frame-ancestors \*"
req "invalid e-mail" 400 POST "/form?lang=en" --data-urlencode "ft=$CFT" \
	--data 'consent=newsletter' --data-urlencode 'f_email="><img src=x onerror=alert(1)>'
expect_no_body "no raw img" '<img src=x'
ok "refused forms store nothing" test "$(total)" = "$TOT0"
req "sign up" 200 POST "/form?lang=en" --data-urlencode "ft=$CFT" \
	--data 'consent=newsletter&f_email=jauns.klients@example.lv&f_first_name=Ilze'
expect_body "thanks" 'Thank you'
ok "one subject added" test "$(total)" = "$((TOT0 + 1))"
ok "with consent" test "$(allowed newsletter)" = "$((NL1 + 1))"
NEW=$("$SARGS" --json subject find --email jauns.klients@example.lv | jq -r '.ids[0]')
"$SARGS" --json consent history "$NEW" >"$WORK/hist2.json" 2>&1
ok "form consent names the notice version" grep -Eq '"noticeVersion": *2|"notice_version": *2' "$WORK/hist2.json"
ok "form consent through web_form" grep -q 'sargs-collection-form' "$WORK/hist2.json"
req "same address again" 200 POST "/form?lang=en" --data-urlencode "ft=$CFT" \
	--data 'consent=newsletter&f_email=jauns.klients@example.lv'
ok "no second record" test "$(total)" = "$((TOT0 + 1))"
req "privacy notice" 200 GET "/privacy?lang=en"
expect_body "versions listed" 'class="versions"'
expect_header "privacy not embeddable" "frame-ancestors 'none'"

# ---- expired links: the same server's clock two years on (LD_PRELOAD)
cat >"$WORK/shift.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>
int clock_gettime(clockid_t id, struct timespec *ts)
{
	static int (*real)(clockid_t, struct timespec *);
	int rc;
	if (!real)
		real = (int (*)(clockid_t, struct timespec *))dlsym(RTLD_NEXT, "clock_gettime");
	rc = real(id, ts);
	if (rc == 0 && id == CLOCK_REALTIME)
		ts->tv_sec += 730L * 86400;
	return rc;
}
EOF
if ${CC:-cc} -shared -fPIC -o "$WORK/shift.so" "$WORK/shift.c" -ldl 2>/dev/null; then
	server_stop
	NL2=$(allowed newsletter)
	# (under ASan its runtime must come first; the order check is only a
	# warning there: the clock shim intercepts nothing ASan does)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		LD_PRELOAD="$WORK/shift.so" server_start
	req "expired unsubscribe link" 403 POST "/u/$T2" --data 'List-Unsubscribe=One-Click'
	expect_body "expired says so" 'expired|beidzies'
	req "expired preferences link" 403 GET "/p/$P1?lang=en"
	expect_body "expired prefs says so" 'expired'
	req "expired preferences link cannot act" 403 POST "/p/$P1" --data 'action=withdraw&purpose=newsletter'
	server_stop
	ok "expired links change nothing" test "$(allowed newsletter)" = "$NL2"
else
	echo "note: no C compiler for the clock shim; expired links not tested here"
fi

finish
