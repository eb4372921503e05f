#!/usr/bin/env bash
# cli_staff.sh — staff accounts, roles and API tokens through the command
# line (seed 002; seed 004 §18i: every person has an own account with a
# strong password; docs/staff.md): help and docs for every command,
# accounts, roles, tokens, and refusals (unknown role, weak password,
# duplicate user, unknown purpose) that change nothing. Passwords and token
# secrets are never stored or printed back.
. "$(dirname "$0")/lib.sh" "$1"
command -v sqlite3 >/dev/null || { echo "sqlite3 command-line tool is required"; exit 1; }

for cmd in staff "staff add" "staff list" "staff passwd" "staff role" "staff disable" \
	"staff enable" "staff unlock" role "role list" "role set" token "token issue" \
	"token list" "token revoke"; do
	# shellcheck disable=SC2086
	expect_rc 0 "help: sargs $cmd --help" "$SARGS" $cmd --help
	expect_out "help text: sargs $cmd" "Usage|Commands"
	grep -qx "## sargs $cmd" "${SARGS_SOURCE_DIR:-.}/docs/cli.md" && ok ||
		bad "docs/cli.md has no section for 'sargs $cmd'"
done
expect_rc 0 "top-level help lists staff" "$SARGS" --help
expect_out "staff in the command list" "^  staff "

new_register || { bad "cannot create a register"; finish; }
DB="$SARGS_DATA/sargs.db"
audit_count() { sqlite3 "$DB" "SELECT count(*) FROM audit"; }
state() { sqlite3 "$DB" "SELECT * FROM staff; SELECT * FROM roles; SELECT name, actions, purposes, revoked_us FROM api_tokens; SELECT count(*) FROM audit" | sha256sum; }

PW='Zaļā tēja ar citronu un medu'
PW2='Kalnā kāpj saule, lejā iet vējš'

# schema 6 starts with the four roles
expect_rc 0 "role list" "$SARGS" role list
expect_out "owner role" "^owner"
expect_out "cashier role" "^cashier"
expect_rc 0 "role list --json" "$SARGS" --json role list
expect_out "dpo's actions" '"name": "dpo"'
expect_rc 0 "staff list when empty" "$SARGS" staff list
expect_out "none yet" "no staff accounts"

# seed 002: an own account per person
expect_rc 0 "staff add" "$SARGS" staff add anna --role cashier --password-stdin <<<"$PW"
expect_out "added" "added staff account anna \(role cashier\)"
expect_not_out "password not printed" "citronu"
expect_rc 0 "staff add --lang en" "$SARGS" staff add owner.janis --role owner --lang en --password-stdin <<<"$PW"
expect_rc 0 "staff list" "$SARGS" staff list
expect_out "anna listed" "^anna +role cashier +lv +last sign-in never"
expect_rc 0 "staff list --json" "$SARGS" --json staff list
expect_out "json role" '"role": "owner"'
expect_out "json lang" '"lang": "en"'
expect_not_out "no hash in the list" 'argon2'

# the password is kept as an Argon2id hash only
LC_ALL=C grep -qaF "$PW" "$SARGS_DATA"/sargs.db* && bad "password found in the database files" || ok
[ "$(sqlite3 "$DB" "SELECT substr(pwhash, 1, 10) FROM staff WHERE name = 'anna'")" = '$argon2id$' ] &&
	ok || bad "no Argon2id hash stored"

# refusals change nothing
before=$(state)
expect_rc 1 "unknown role refused" "$SARGS" staff add ilze --role boss --password-stdin <<<"$PW"
expect_out "says unknown role" "no role 'boss'"
expect_rc 1 "weak password refused (seed 002)" "$SARGS" staff add ilze --role cashier --password-stdin <<<'parole123456'
expect_out "says common" "common"
expect_not_out "weak password not printed" "parole123456"
expect_rc 1 "short password refused (length policy)" "$SARGS" staff add ilze --role cashier --password-stdin <<<'short pw'
expect_out "says at least 12" "at least 12 characters"
expect_rc 1 "duplicate user refused" "$SARGS" staff add anna --role dpo --password-stdin <<<"$PW2"
expect_out "says exists" "exists"
expect_rc 1 "bad user name refused" "$SARGS" staff add 'Anna B' --role cashier --password-stdin <<<"$PW"
expect_out "says the name rule" "a-z, 0-9"
expect_rc 2 "no password on standard input" "$SARGS" staff add ilze --role cashier --password-stdin </dev/null
expect_rc 2 "not a terminal without --password-stdin" "$SARGS" staff add ilze --role cashier </dev/null
expect_out "says not a terminal" "not a terminal.*--password-stdin"
expect_rc 2 "--role is required" "$SARGS" staff add ilze --password-stdin
expect_rc 2 "--lang is lv or en" "$SARGS" staff add ilze --role cashier --lang de --password-stdin
expect_rc 2 "a password is never an argument" "$SARGS" staff add ilze --role cashier --password "$PW"
expect_rc 1 "unknown role for staff role" "$SARGS" staff role anna boss
expect_rc 3 "unknown account for staff role" "$SARGS" staff role nobody dpo
expect_rc 3 "unknown account for disable" "$SARGS" staff disable nobody
expect_rc 3 "unknown account for passwd" "$SARGS" staff passwd nobody --password-stdin <<<"$PW2"
expect_rc 1 "role with an unknown purpose refused" "$SARGS" role set news --actions subject.read --purposes astrology
expect_out "says unknown purpose" "unknown purpose 'astrology'"
expect_rc 1 "role with an unknown action refused" "$SARGS" role set news --actions subject.delete --purposes '*'
expect_rc 2 "role set needs both lists" "$SARGS" role set news --actions subject.read
[ "$(state)" = "$before" ] && ok || bad "a refused command changed the register"

# passwd, role, disable, enable, unlock
expect_rc 0 "staff passwd" "$SARGS" staff passwd anna --password-stdin <<<"$PW2"
expect_out "sessions ended" "sessions have ended"
expect_rc 1 "weak new password refused" "$SARGS" staff passwd anna --password-stdin <<<'password1234'
expect_rc 0 "staff role" "$SARGS" staff role anna dpo
expect_out "role changed" "anna now has the role dpo"
expect_rc 0 "staff disable" "$SARGS" staff disable anna
expect_rc 0 "disabled in the list" "$SARGS" staff list
expect_out "DISABLED" "^anna .*DISABLED"
expect_rc 0 "staff enable" "$SARGS" staff enable anna
expect_rc 0 "staff unlock" "$SARGS" staff unlock anna
expect_rc 0 "--json on a change" "$SARGS" --json staff enable anna
expect_out "json ok" '"ok": true'

# roles
expect_rc 0 "role set" "$SARGS" role set news --actions subject.read,campaign.read --purposes newsletter,customer_offers
expect_rc 0 "role set '*'" "$SARGS" role set auditor --actions audit.read,registry.read --purposes '*'
expect_rc 0 "new role listed" "$SARGS" --json role list
expect_out "news purposes" '"newsletter"'
expect_rc 0 "staff role to a new role" "$SARGS" staff role anna news

# tokens: a system names its purposes; the secret is shown once
expect_rc 0 "token issue" "$SARGS" token issue shop --actions subject.write,consent.write --purposes web_shop,newsletter --days 30
TOKEN=$(head -1 "$OUT")
[[ "$TOKEN" =~ ^sgt_[A-Za-z0-9_-]{43}$ ]] && ok || bad "token has the wrong form: $TOKEN"
expect_out "shown once" "shown only now"
LC_ALL=C grep -qaF "${TOKEN#sgt_}" "$SARGS_DATA"/sargs.db* && bad "token secret found in the database files" || ok
expect_rc 0 "token list" "$SARGS" token list
expect_out "shop active" "^shop +active"
expect_not_out "no secret in the list" "${TOKEN#sgt_}"
expect_rc 0 "token list --json" "$SARGS" --json token list
expect_out "json purposes" '"web_shop"'
expect_out "json expires" '"expires": "20'
expect_not_out "no secret in the json list" "${TOKEN#sgt_}"
before=$(state)
expect_rc 1 "token with '*' refused" "$SARGS" token issue all --actions subject.read --purposes '*'
expect_out "says names its purposes" "names its purposes"
expect_rc 1 "token with an unknown purpose refused" "$SARGS" token issue t2 --actions subject.read --purposes astrology
expect_rc 1 "duplicate token name refused" "$SARGS" token issue shop --actions subject.read --purposes service
expect_rc 2 "--days is 1-3650" "$SARGS" token issue t3 --actions subject.read --purposes service --days 0
expect_rc 3 "revoke an unknown token" "$SARGS" token revoke nothing
[ "$(state)" = "$before" ] && ok || bad "a refused token command changed the register"
expect_rc 0 "token revoke" "$SARGS" token revoke shop
expect_rc 0 "revoked in the list" "$SARGS" token list
expect_out "shop revoked" "^shop +revoked"
expect_rc 0 "token issue --json" "$SARGS" --json token issue kiosk --actions subject.read --purposes service
expect_out "json token" '"token": "sgt_'

# the audit trail names what happened, never a password or a secret
expect_rc 0 "audit log" "$SARGS" --json audit log --limit 100
for a in staff.add staff.passwd staff.role staff.disable staff.enable staff.unlock role.set \
	token.issue token.revoke; do
	expect_out "audit has $a" "\"action\": \"$a\""
done
expect_not_out "no password in the audit" "citronu|saule, lejā"
expect_not_out "no token in the audit" "${TOKEN#sgt_}"
expect_rc 0 "audit verify" "$SARGS" audit verify

finish
