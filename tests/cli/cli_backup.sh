#!/usr/bin/env bash
# cli_backup.sh — encrypted backups that keep erasures, end to end through
# the command line (docs/backup.md; design.md: a restore re-applies the
# erasure ledger before use; GDPR Art. 17).
. "$(dirname "$0")/lib.sh" "$1"

for cmd in backup "backup create" "backup verify" "backup restore"; do
	# shellcheck disable=SC2086
	expect_rc 0 "help: sargs $cmd --help" "$SARGS" $cmd --help
	expect_out "help text: sargs $cmd" "Usage|Commands"
	grep -qx "## sargs $cmd" "${SARGS_SOURCE_DIR:-.}/docs/cli.md" && ok ||
		bad "docs/cli.md has no section for 'sargs $cmd'"
done

new_register || { bad "cannot create a register"; finish; }
add() { "$SARGS" --json subject add "$@" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p'; }
A=$(add --purpose service first_name=Anna last_name=Bērziņa email=anna@example.lv)
B=$(add --purpose service first_name=Līga last_name=Kalniņa email=liga@example.lv)
[ -n "$A" ] && [ -n "$B" ] && ok || bad "subjects not added"

expect_rc 2 "create needs --to" "$SARGS" backup create
expect_rc 0 "backup with two copies" "$SARGS" backup create --to "$WORK/b1.sbk" --to "$WORK/b2.sbk"
expect_out "manifest shown" "subjects: +2"
[ "$(stat -c %a "$WORK/b1.sbk")" = 600 ] && ok || bad "backup file is not 0600"
cmp -s "$WORK/b1.sbk" "$WORK/b2.sbk" && bad "two copies are byte-identical (nonce reuse?)" || ok
ls -a "$SARGS_DATA" | grep -q '^\.backup-' && bad "plaintext snapshot left in the data dir" || ok
grep -q "anna@example.lv" "$WORK/b1.sbk" && bad "plaintext in the backup" || ok
expect_rc 1 "never replaces a file" "$SARGS" backup create --to "$WORK/b1.sbk"
expect_out "says why" "never replaces"
expect_rc 0 "audited" "$SARGS" audit log
expect_out "backup.create in the trail" "backup.create"

expect_rc 0 "verify passes" "$SARGS" backup verify "$WORK/b1.sbk"
for c in "master key" decryption checksum integrity counts "audit head" "audit chain" \
	"decryption sample"; do
	expect_out "verify checks $c" "^ok +$c "
done
expect_not_out "verify shows no values" "anna@example|Bērziņa"

# a flipped byte fails authentication
cp "$WORK/b1.sbk" "$WORK/bad.sbk"
size=$(stat -c %s "$WORK/bad.sbk")
printf '\x00' | dd of="$WORK/bad.sbk" bs=1 seek=$((size - 300)) conv=notrunc 2>/dev/null
expect_rc 5 "verify detects a corrupted file" "$SARGS" backup verify "$WORK/bad.sbk"
expect_out "says authentication failed" "authentication failed"

# a wrong master key fails clearly; the manifest is still shown
SARGS_MASTER_KEY=00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff \
	expect_rc 5 "wrong master key" "$SARGS" backup verify "$WORK/b1.sbk"
expect_out "names the key" "FAILED +master key"
expect_out "manifest without the key" "subjects: +2"

# erase after the backup, restore: the erased person stays erased
expect_rc 0 "erase after the backup" "$SARGS" subject erase "$A" --reason request
expect_rc 1 "restore refuses an existing register" "$SARGS" backup restore "$WORK/b1.sbk" \
	--into "$SARGS_DATA"
expect_rc 0 "restore" "$SARGS" backup restore "$WORK/b1.sbk" --into "$WORK/restored"
expect_out "re-erased one" "erased again: 1"
expect_out "key copied" "master.key copied"
[ -e "$WORK/restored/RESTORE_INCOMPLETE" ] && bad "marker left after restore" || ok
expect_rc 3 "the erased person is not found in the restored register" "$SARGS" --data "$WORK/restored" subject find \
	--email anna@example.lv
expect_rc 3 "the erased person cannot be read" "$SARGS" --data "$WORK/restored" subject show "$A" \
	--purpose service
expect_rc 0 "the other is there" "$SARGS" --data "$WORK/restored" subject show "$B" \
	--purpose service
expect_rc 0 "restored trail intact" "$SARGS" --data "$WORK/restored" audit verify
expect_rc 0 "restored trail" "$SARGS" --data "$WORK/restored" audit log
expect_out "records the restore" "backup.restore"
expect_out "records the re-erasure" "subject.erase +$A"

# the marker of an unfinished restore blocks every command
: >"$WORK/restored/RESTORE_INCOMPLETE"
expect_rc 6 "marker blocks opening" "$SARGS" --data "$WORK/restored" status
expect_out "says why" "unfinished restore"
finish
