#!/usr/bin/env bash
# cli_basic.sh — the command line end to end: init, controller, purposes,
# subjects (add, find, show, edit, erase), check, ropa, audit; bad input
# changes nothing.
. "$(dirname "$0")/lib.sh" "$1"

# --help at every level
for cmd in "" "init" "status" "controller" "controller set" "controller show" "purpose" \
	"purpose load" "purpose list" "purpose show" "ropa" "subject" "subject add" \
	"subject find" "subject show" "subject edit" "subject erase" "check" "audit" \
	"audit log" "audit checkpoint-key" "audit checkpoint" "audit verify" "calendar" "calendar due" "calendar holidays" "import" "zones" "zones list" \
	"zones ask" "zones confirm" "zones purge" "staff" "role" "token" "demo"; do
	# shellcheck disable=SC2086
	expect_rc 0 "help: sargs $cmd --help" "$SARGS" $cmd --help
	expect_out "help text: sargs $cmd" "Usage|Commands"
	# docs/cli.md documents every command
	if [ -n "$cmd" ]; then
		grep -qx "## sargs $cmd" "${SARGS_SOURCE_DIR:-.}/docs/cli.md" && ok ||
			bad "docs/cli.md has no section for 'sargs $cmd'"
	fi
done
expect_rc 2 "no command is a usage error" "$SARGS"
expect_rc 2 "unknown command" "$SARGS" frobnicate
expect_out "unknown command named" "unknown command 'frobnicate'"

# no register yet
expect_rc 3 "status without a register" "$SARGS" status
expect_out "status says how to create one" "sargs init"

# init
expect_rc 0 "init" "$SARGS" init
[ "$(stat -c %a "$SARGS_DATA/master.key")" = 600 ] && ok || bad "master key mode is not 0600"
[ "$(stat -c %a "$SARGS_DATA/sargs.db")" = 600 ] && ok || bad "database mode is not 0600"
expect_rc 1 "init twice is refused" "$SARGS" init
expect_out "init twice says why" "already holds a register"

# purposes before the registry exists
expect_rc 3 "purpose list before load" "$SARGS" purpose list
expect_out "purpose list says how to load" "purpose load"

# controller
expect_rc 1 "controller without name" "$SARGS" controller set --address Rīga
expect_out "controller name required" "name is required"
expect_rc 1 "controller with bad DPO e-mail" "$SARGS" controller set --name X --dpo-email 'not an email'
expect_rc 0 "controller set" "$SARGS" controller set --name 'SIA "ZĪMES"' \
	--registration-number 40003000000 --address 'Brīvības iela 1, Rīga' \
	--dpo-name 'Anna' --dpo-email dpo@example.lv --dpo-phone '2000 0000'
expect_rc 0 "controller show --json" "$SARGS" --json controller show
expect_out "controller phone normalised" '"dpo_phone": "\+37120000000"'

# registry: bad files change nothing
printf '{"sargs_registry": 1, "fields": [' > "$WORK/broken.json"
expect_rc 1 "broken JSON registry" "$SARGS" purpose load "$WORK/broken.json"
expect_out "broken JSON says where" "line 1"
sed 's/"legal_basis": "legitimate_interests",/"legal_basis": "legitimate_interests", "x": 1,/' \
	"$REGISTRY" >"$WORK/unknown-key.json"
expect_rc 1 "unknown key refused" "$SARGS" purpose load "$WORK/unknown-key.json"
expect_out "unknown key named" 'unknown key "x"'
grep -v '"balancing_test"' "$REGISTRY" >"$WORK/no-balancing.json"
expect_rc 1 "GDPR Art. 6(1)(f): legitimate interest without balancing test refused" \
	"$SARGS" purpose load "$WORK/no-balancing.json"
expect_out "balancing test named" "balancing_test"
expect_rc 3 "still no registry after failed loads" "$SARGS" purpose list
expect_rc 0 "purpose load" "$SARGS" purpose load "$REGISTRY"
expect_out "loaded seven purposes" "Loaded 7 purposes"
expect_rc 0 "purpose list" "$SARGS" purpose list
expect_out "purpose list shows newsletter" "newsletter +consent"
expect_rc 0 "purpose show" "$SARGS" purpose show debt_collection
expect_out "purpose show balancing test" "Balancing test"
expect_rc 3 "purpose show unknown" "$SARGS" purpose show nope

# record of processing activities (GDPR Art. 30)
expect_rc 0 "ropa markdown" "$SARGS" ropa
expect_out "ropa has controller" "SIA \"ZĪMES\""
expect_out "ropa has retention" "Retention: until the person objects"
expect_out "ropa has processor DPA" "data processing agreement"
expect_rc 0 "ropa json" "$SARGS" --json ropa
expect_out "ropa json legal basis article" '"legal_basis_article": "GDPR Art. 6\(1\)\(f\)"'

# check
expect_rc 0 "check valid legacy personal code" "$SARGS" check personal-code 121282-11210
expect_out "birth date derived" "birth date: 1982-12-12"
expect_rc 1 "check bad check digit" "$SARGS" check personal-code 121282-11211
expect_out "check says why" "check digit"
expect_rc 0 "check modern personal code" "$SARGS" --json check personal-code 328673-00679
expect_out "modern code has no birth date" '"birth_date": null'
expect_rc 1 "check email" "$SARGS" check email 'a@@b.lv'
expect_rc 0 "check phone" "$SARGS" check phone '2612 3456'
expect_out "phone E.164" '\+37126123456'
expect_rc 2 "check unknown kind" "$SARGS" check iban LV00
expect_rc 0 "check needs no register" env SARGS_DATA=/nonexistent "$SARGS" check email a@b.lv

# subjects
count() { "$SARGS" --json status | sed -n 's/.*"subjects": \([0-9]*\).*/\1/p'; }
audit_count() { "$SARGS" --json status | sed -n 's/.*"audit_entries": \([0-9]*\).*/\1/p'; }
expect_rc 0 "add subject" "$SARGS" subject add --purpose service first_name=Jānis \
	last_name=Bērziņš email=Janis.Berzins@Example.LV phone='2612 3456'
ID=$(cat "$OUT")
[ -n "$ID" ] && ok || bad "add printed no id"
expect_rc 0 "find by e-mail (normalised)" "$SARGS" subject find --email janis.berzins@example.lv
expect_out "found the id" "$ID"
expect_rc 0 "find by phone in another form" "$SARGS" subject find --phone '+371 2612-3456'
expect_out "found by phone" "$ID"
expect_rc 3 "find a stranger" "$SARGS" subject find --email nobody@example.lv
expect_rc 1 "find by an invalid e-mail" "$SARGS" subject find --email 'x@'
expect_rc 0 "show for service" "$SARGS" subject show "$ID" --purpose service
expect_out "show prints the name" "Bērziņš"
expect_rc 2 "show without a purpose" "$SARGS" subject show "$ID"
expect_out "show names the rule" "purpose"

# GDPR Art. 5(1)(b) purpose limitation: not linked -> refused and audited
before=$(audit_count)
expect_rc 1 "show for a purpose not linked" "$SARGS" subject show "$ID" --purpose newsletter
expect_out "refusal names the purpose" "not linked to purpose \"newsletter\""
after=$(audit_count)
[ "$after" -gt "$before" ] && ok || bad "refused read was not audited"

# GDPR Art. 5(1)(c) data minimisation: a field no linked purpose covers
n0=$(count)
expect_rc 1 "minimisation: bank account for service refused" "$SARGS" subject add \
	--purpose service first_name=A last_name=B email=a@example.lv bank_account=LV80BANK0000435195001
expect_out "minimisation message names field and purposes" \
	'field "bank_account" \(category bank_account\) is not needed.*purposes that would allow it: accounting'
expect_rc 1 "required field missing" "$SARGS" subject add --purpose service first_name=A email=a@example.lv
expect_out "required field named" 'requires field "last_name"'
expect_rc 1 "invalid personal code refused" "$SARGS" subject add --purpose accounting \
	first_name=A last_name=B personal_code=121282-11211
expect_not_out "message does not echo the value" "121282"
expect_rc 1 "invalid phone refused" "$SARGS" subject add --purpose service first_name=A \
	last_name=B email=a@example.lv phone=123
expect_rc 1 "invalid date refused" "$SARGS" subject add --purpose service first_name=A \
	last_name=B email=a@example.lv customer_since=2023-02-29
expect_rc 3 "unknown purpose refused" "$SARGS" subject add --purpose marketing first_name=A
expect_out "unknown purpose lists the defined ones" "defined: service"
expect_rc 1 "unknown field refused" "$SARGS" subject add --purpose service first_name=A \
	last_name=B email=a@example.lv shoe_size=44
expect_rc 1 "third-party source needs a name (GDPR Art. 14(2)(f))" "$SARGS" subject add \
	--purpose service --source third_party first_name=A last_name=B email=a@example.lv
expect_rc 1 "control characters refused" "$SARGS" subject add --purpose service \
	first_name="$(printf 'A\001')" last_name=B email=a@example.lv
[ "$(count)" = "$n0" ] && ok || bad "a failed add stored something"

# the birth date is derived from a legacy personal code when a purpose needs it
expect_rc 0 "add with fields from stdin JSON" sh -c "echo '{\"first_name\":\"Līga\",\"last_name\":\"Ozola\",\"email\":\"liga@example.lv\",\"personal_code\":\"121282-11210\"}' | '$SARGS' subject add --purpose accounting --purpose newsletter --purpose service --fields-json -"
ID2=$(cat "$OUT")
expect_rc 0 "show for newsletter" "$SARGS" --json subject show "$ID2" --purpose newsletter
expect_out "birth date derived from personal code" '"birth_date": "1982-12-12"'
expect_not_out "newsletter does not see the personal code" "personal_code\":"
expect_rc 0 "lookup by personal code for accounting" "$SARGS" --json subject show \
	--personal-code 12128211210 --purpose accounting
expect_out "accounting sees the personal code" '"personal_code": "121282-11210"'

# source
expect_rc 0 "add from a third party" "$SARGS" subject add --purpose debt_collection \
	--source third_party --source-name 'Lursoft register' first_name=K last_name=L
ID3=$(cat "$OUT")
expect_rc 0 "show third-party subject" "$SARGS" subject show "$ID3" --purpose debt_collection
expect_out "source shown" "third_party, Lursoft register"

# edit
expect_rc 1 "edit: field needs a linked purpose" "$SARGS" subject edit "$ID" bank_account=LV80BANK0000435195001
expect_rc 0 "edit: link accounting and set bank account" "$SARGS" subject edit "$ID" \
	--link accounting bank_account=LV80BANK0000435195001
expect_rc 0 "edit: change e-mail" "$SARGS" subject edit "$ID" email=new@example.lv
expect_rc 3 "old e-mail no longer finds" "$SARGS" subject find --email janis.berzins@example.lv
expect_rc 0 "new e-mail finds" "$SARGS" subject find --email new@example.lv
expect_rc 1 "edit: unlinking accounting while its field stays is refused" "$SARGS" subject edit \
	"$ID" --unlink accounting
expect_rc 0 "edit: unlink accounting with its field" "$SARGS" subject edit "$ID" \
	--unlink accounting --unset bank_account
expect_rc 1 "edit: required field cannot be unset" "$SARGS" subject edit "$ID" --unset last_name
expect_rc 1 "edit: the last purpose cannot be unlinked" "$SARGS" subject edit "$ID" --unlink service --unset email --unset first_name --unset last_name --unset phone
expect_rc 1 "edit: invalid id" "$SARGS" subject edit not-an-id first_name=X

# erase
expect_rc 2 "erase needs a reason" "$SARGS" subject erase "$ID"
expect_rc 1 "erase with a free-text reason is refused" "$SARGS" subject erase "$ID" --reason 'Jānis asked'
expect_rc 0 "erase" "$SARGS" subject erase "$ID" --reason request
expect_rc 3 "erased subject cannot be shown" "$SARGS" subject show "$ID" --purpose service
expect_out "erased subject: says when" "was erased on"
expect_rc 3 "erased subject cannot be found" "$SARGS" subject find --email new@example.lv
expect_rc 3 "erase twice" "$SARGS" subject erase "$ID" --reason request
expect_out "erase twice says already erased" "already erased"
expect_rc 0 "status counts the erasure" "$SARGS" --json status
expect_out "erased count" '"erased": 1'

# audit
expect_rc 0 "audit log for the subject" "$SARGS" audit log --subject "$ID"
for a in subject.add subject.find subject.read subject.read.denied subject.edit subject.erase; do
	expect_out "audit has $a" " $a "
done
expect_not_out "audit log holds no values" "Bērziņš|Jānis|new@example|LV80BANK"
expect_rc 0 "audit log --json with filters" "$SARGS" --json audit log --actor "cli:$(id -un)" \
	--since 2000-01-01 --until 2999-12-31 --limit 5
expect_out "audit json entries" '"seq": 5'
expect_rc 2 "audit log bad time" "$SARGS" audit log --since yesterday
expect_rc 0 "audit verify" "$SARGS" audit verify
expect_out "verify intact" "intact"

# wrong key
cp "$SARGS_DATA/master.key" "$WORK/key.bak"
expect_rc 5 "wrong master key refused" env SARGS_MASTER_KEY=$(printf '%064d' 7) "$SARGS" status
expect_out "wrong key message" "master key does not belong"
chmod 644 "$SARGS_DATA/master.key"
expect_rc 1 "readable key file refused" "$SARGS" status
expect_out "chmod advice" "chmod 600"
chmod 600 "$SARGS_DATA/master.key"

finish
