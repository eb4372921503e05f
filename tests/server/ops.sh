#!/usr/bin/env bash
# ops.sh — operating the server (issue 6 "Operating it", issue 5 "Server"):
# health and Prometheus metrics, security headers, JSON errors for unknown
# routes, body limits, HTTPS with a certificate, scheduled backups kept to a
# count and signed checkpoints, clean shutdown on SIGTERM, configuration
# errors that stop the start, and logs without personal data.
. "$(dirname "$0")/lib.sh" "$1"

"$SARGS" demo --customers 20 >/dev/null || { echo "demo failed"; exit 1; }
OWNER_PW="owner-pass-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$OWNER_PW" | "$SARGS" staff add olga --role owner --password-stdin >/dev/null ||
	{ echo "staff add failed"; exit 1; }
"$SARGS" audit checkpoint-key --key "$WORK/ckpt.key" >"$WORK/ckpt.out" || { echo "checkpoint-key failed"; exit 1; }
PUB=$(sed -n 's/.*public key[^A-Za-z0-9_-]*\([A-Za-z0-9_-]\{40,\}\).*/\1/p' "$WORK/ckpt.out" | head -1)

# a register of the schema before this build's is updated at the start,
# and the log says so before and after (a large one takes a while)
SCHEMA=$(sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA user_version")
sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA user_version = $((SCHEMA - 1))"

server_start --set backup_dir="$WORK/backups" --set backup_copy_dir="$WORK/offsite" \
	--set public_posts_per_minute=3 --set backup_keep=2 --set checkpoint_dir="$WORK/ckpts" --set checkpoint_key="$WORK/ckpt.key"
ok "the start's update announced" \
	grep -q "level=info event=migrate from=$((SCHEMA - 1)) to=$SCHEMA " "$WORK/server.log"
ok "the update's end logged" grep -q "level=info event=migrated schema=$SCHEMA ms=" "$WORK/server.log"
ok "the register is at the build's schema" \
	test "$(sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA user_version")" = "$SCHEMA"

# health and metrics
req "health" 200 GET /health
expect_body "health says ok" '"status":"ok"'
# request lines wait in a buffer and are written within a quarter second
# (the main thread's tick), not only when the server stops
for _ in $(seq 1 30); do
	grep -q 'event=http method=GET route=/health status=200' "$WORK/server.log" && break
	sleep 0.1
done
ok "request line written while serving" \
	grep -q 'event=http method=GET route=/health status=200' "$WORK/server.log"
req "metrics" 200 GET /metrics
expect_body "metrics: requests" '^sargs_http_requests_total\{code="2xx"\} [0-9]+'
expect_body "metrics: latency histogram" 'sargs_http_request_duration_seconds_bucket\{le="\+Inf"\}'
expect_body "metrics: audit size" '^sargs_audit_entries [0-9]+'
expect_body "metrics: overdue requests" '^sargs_requests_overdue [0-9]+'
expect_body "metrics: backup age" '^sargs_backup_age_seconds'
expect_body "metrics: group commit" '^sargs_commit_groups_total [0-9]+'
expect_body "metrics: the log's syncs" '^sargs_commit_sync_seconds_total [0-9.]+'
expect_body "metrics: the worker is sound" '^sargs_commit_broken 0'
expect_body "metrics: the log's upkeep" '^sargs_log_restarts_total [0-9]+'
expect_header "metrics are Prometheus text" 'content-type: text/plain; version=0.0.4'

# every answer carries the security headers
req "static css" 200 GET /static/sargs.css
expect_header "nosniff" 'x-content-type-options: nosniff'
expect_header "no referrer (token links must not leak)" 'referrer-policy: no-referrer'
expect_header "no caching of personal data" 'cache-control: no-store'
expect_header "no framing" "content-security-policy: .*frame-ancestors 'none'"
req "unknown file" 404 GET /static/nope.css

# unknown routes: JSON under /api, a page elsewhere; wrong method: 405
req "unknown api route" 404 GET /api/v1/nonsense
expect_body "stable error code" '"code":"no_route"'
req "wrong method" 405 DELETE /health
req "unknown page" 404 GET /no/such/page

# not signed in: the API says 401, pages send to the sign-in
req "api without credentials" 401 GET /api/v1/purposes
expect_body "unauthenticated code" '"code":"unauthenticated"'
req "console without a session" 303 GET /console
expect_header "to the sign-in page" 'location: /login'

# body limit: 1 MiB for ordinary routes
head -c 1100000 /dev/zero | tr '\0' 'a' >"$WORK/big"
req "body too large" 413 POST /login --data-binary @"$WORK/big" -H 'Content-Type: application/x-www-form-urlencoded'

# the request's head: 12 KB of cookies is served (other sites' cookies on the
# same domain, say), 40 KB of headers is refused with 431, and the server
# goes on
PAD=$(head -c 12000 /dev/zero | tr '\0' 'a')
req "12 KB of cookies" 200 GET /health -H "Cookie: other=$PAD"
PAD=$(head -c 40000 /dev/zero | tr '\0' 'a')
req "a 40 KB header" 431 GET /health -H "X-Pad: $PAD"
req "serving after it" 200 GET /health

# public form posts are rate-limited per address (then 429, nothing done)
for i in 1 2 3; do
	req "public post $i" 400 POST /request --data 'kind=nonsense'
done
req "public post over the limit" 429 POST /request --data 'kind=nonsense'
expect_header "retry after a minute" 'retry-after: 60'

# sign in as owner, run the schedule now, twice more: keep=2 holds
req "sign in" 303 POST /login --data-urlencode user=olga --data-urlencode "password=$OWNER_PW"
CSRF=$(csrf_token)
ok "csrf token on console pages" test -n "$CSRF"
req "run the schedule without CSRF" 403 POST /api/v1/ops/schedule/run
for i in 1 2 3; do
	req "run the schedule ($i)" 202 POST /api/v1/ops/schedule/run -H "X-CSRF-Token: $CSRF"
	for _ in $(seq 1 50); do
		n=$(ls "$WORK/backups" 2>/dev/null | wc -l)
		[ "$n" -ge "$(( i < 2 ? i : 2 ))" ] && break
		sleep 0.1
	done
	sleep 1.1  # backup names have one-second resolution
done
sleep 1
ok "backups kept to the count" test "$(ls "$WORK/backups" | wc -l)" -eq 2
ok "a copy in the second place" test "$(ls "$WORK/offsite" | wc -l)" -eq 2
newest=$(ls "$WORK/backups" | tail -1)
ok "a scheduled backup verifies" "$SARGS" backup verify "$WORK/backups/$newest"
ok "checkpoints written" test "$(ls "$WORK/ckpts" | wc -l)" -ge 1
req "status" 200 GET /api/v1/ops/status
expect_body "status names the last backup" '"last_backup":"[0-9]{4}-'
req "metrics after backups" 200 GET /metrics
expect_body "backup age known" '^sargs_backup_age_seconds [0-9]+$'
expect_body "no backup failures" '^sargs_backup_failures_total 0$'

# a failing backup is loud: the console warns, metrics count it
# (a file where the backup folder should be: fails even for root)
mv "$WORK/backups" "$WORK/backups.kept"
: >"$WORK/backups"
req "run the schedule (backup fails)" 202 POST /api/v1/ops/schedule/run -H "X-CSRF-Token: $CSRF"
for _ in $(seq 1 50); do
	grep -q 'event=backup_failed' "$WORK/server.log" && break
	sleep 0.1
done
ok "backup failure logged" grep -q 'level=error event=backup_failed' "$WORK/server.log"
req "metrics count the failure" 200 GET /metrics
expect_body "failure counted" '^sargs_backup_failures_total [1-9]'
req "health tells" 200 GET /health
expect_body "health names the failing backup" '"backup":"failing"'
req "console warns" 200 GET /console
expect_body "warning on the console" 'class="note error"'
rm -f "$WORK/backups"
mv "$WORK/backups.kept" "$WORK/backups"

# a registry loaded by the command line while the server runs takes effect
# at once (no stale purposes in the running server)
jq '(.purposes[] | select(.id == "service") | .name) = "Services, renamed"' \
	"$SARGS_SOURCE_DIR/examples/zimes-purposes.json" >"$WORK/purposes2.json"
ok "registry loaded while serving" "$SARGS" purpose load "$WORK/purposes2.json"
req "purpose after the load" 200 GET /api/v1/purposes/service
expect_body "the server sees the new registry" 'Services, renamed'

# sign-out ends the session on the server: the old cookie no longer works
cp "$JAR" "$WORK/old-jar"
req "sign out" 303 POST /logout --data-urlencode "csrf=$CSRF"
STATUS=$(curl -s -o /dev/null -w '%{http_code}' -b "$WORK/old-jar" "$BASE/api/v1/purposes")
ok "old session refused after sign-out" test "$STATUS" = 401

# SIGTERM: a clean stop with exit status 0
kill -TERM "$SERVER_PID"
wait "$SERVER_PID"
ok "clean exit on SIGTERM" test $? -eq 0
SERVER_PID=
ok "stop logged" grep -q 'event=stopped' "$WORK/server.log"
# logs (all written by the stop): route patterns only, no customer data,
# no passwords
ok "no password in the log" bash -c "! grep -q -- '$OWNER_PW' '$WORK/server.log'"
ok "log lines are key=value" grep -q 'event=http method=GET route=/health status=200' "$WORK/server.log"
ok "no e-mail addresses in the log" bash -c "! grep -Eq '[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+' '$WORK/server.log'"
ok "checkpoint public key printed" test -n "$PUB"
ok "checkpoints verify with the key kept apart" "$SARGS" audit verify --checkpoints "$WORK/ckpts" --public-key "$PUB"
ok "checkpoints refuse another key" bash -c "! '$SARGS' audit verify --checkpoints '$WORK/ckpts' --public-key AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA >/dev/null 2>&1"

# configuration errors stop the start, naming the line
printf '[server]\nport = eighty\n' >"$WORK/bad.ini"
"$SARGS" serve --config "$WORK/bad.ini" >"$WORK/o" 2>"$WORK/e"
ok "bad config refused" test $? -ne 0
ok "error names the line" grep -q 'line 2' "$WORK/e"
"$SARGS" serve --set tls_cert=/nonexistent.pem >"$WORK/o" 2>"$WORK/e"
ok "half a TLS setup refused" test $? -ne 0

# HTTPS with a certificate
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/key.pem" -out "$WORK/cert.pem" \
	-days 2 -subj /CN=localhost >/dev/null 2>&1
server_start --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
ok "listens on https" bash -c "echo '$BASE' | grep -q '^https://'"
req "health over TLS" 200 GET /health
expect_header "HSTS on HTTPS" 'strict-transport-security: max-age='
req "sign in over TLS" 303 POST /login --data-urlencode user=olga --data-urlencode "password=$OWNER_PW"
expect_header "secure cookie on HTTPS" 'set-cookie: sargs_session=[^;]+; Path=/; HttpOnly; SameSite=Strict; Secure'
server_stop

# the log as JSON: every line, request lines waiting in the buffer
# included, is one whole JSON object
server_start --set log=json
for _ in $(seq 1 20); do req "health (JSON log)" 200 GET /health; done
req "no such subject (JSON log)" 404 GET "/api/v1/subjects/01a20f11-b79c-7051-93fa-abd6c11e8486?purpose=service"
server_stop
ok "JSON log: every line parses" jq -e . "$WORK/server.log" >/dev/null
ok "JSON log: the request lines are there" \
	test "$(jq -r 'select(.event == "http") | .detail' "$WORK/server.log" | grep -c 'route=/health status=200')" -ge 20
ok "JSON log: the stop is the last line" test "$(tail -1 "$WORK/server.log" | jq -r .event)" = stopped

finish
