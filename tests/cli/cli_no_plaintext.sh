#!/usr/bin/env bash
# cli_no_plaintext.sh — no personal data in the clear at rest (design.md
# "Keys and encryption"; 002 §4): unique known values are written for many
# subjects, then every byte of the data directory is searched for them. After
# erasure (crypto-shredding), not even the erased subject's wrapped key or
# ciphertext remains in the directory's files.
. "$(dirname "$0")/lib.sh" "$1"
command -v sqlite3 >/dev/null || { echo "sqlite3 command-line tool is required"; exit 1; }

new_register || { echo "cannot create register"; exit 1; }
N=150
: >"$WORK/values"
for i in $(seq 1 $N); do
	n=$(printf '%04d' "$i")
	first="Qwfirst${n}x"
	last="Zklast${n}y"
	email="uniq.${n}.marker@example.lv"
	phone="+3712${n}123"
	addr="Markerstreet ${n} Rīga"
	printf '%s\n%s\n%s\n%s\n%s\n' "$first" "$last" "$email" "$phone" "$addr" >>"$WORK/values"
	"$SARGS" subject add --purpose service --purpose accounting first_name="$first" \
		last_name="$last" email="$email" phone="$phone" postal_address="$addr" \
		>"$OUT" 2>"$ERR" || { bad "add $i failed: $(cat "$ERR")"; break; }
done
# a couple with personal codes (legacy and modern)
"$SARGS" subject add --purpose accounting first_name=Pc1 last_name=Pc1 personal_code=121282-11210 >/dev/null
"$SARGS" subject add --purpose accounting first_name=Pc2 last_name=Pc2 personal_code=328673-00679 >/dev/null
printf '%s\n' 121282-11210 12128211210 328673-00679 32867300679 1982-12-12 >>"$WORK/values"
# make sure committed data is also in the main file, not only in the log
sqlite3 "$SARGS_DATA/sargs.db" "PRAGMA wal_checkpoint(PASSIVE);" >/dev/null

found=0
while IFS= read -r v; do
	if LC_ALL=C grep -rqaF -- "$v" "$SARGS_DATA"; then
		echo "FOUND IN THE CLEAR: value #$(grep -nxF -- "$v" "$WORK/values" | cut -d: -f1)"
		found=$((found + 1))
	fi
done <"$WORK/values"
[ "$found" -eq 0 ] && ok || bad "$found personal values found in the clear in the data directory"
# and the values do read back, so the search above looked for real data
expect_rc 0 "values read back" "$SARGS" subject show --email uniq.0042.marker@example.lv --purpose service
expect_out "value read back" "Qwfirst0042x"

# crypto-shredding: the erased subject's wrapped key and ciphertexts vanish
ID=$("$SARGS" subject find --email uniq.0007.marker@example.lv)
IDX="X'${ID//-/}'" # ids are stored as their 16 bytes
key_hex=$(sqlite3 "$SARGS_DATA/sargs.db" "SELECT hex(wrapped_key) FROM subjects WHERE id=$IDX")
fields_hex=$(sqlite3 "$SARGS_DATA/sargs.db" "SELECT hex(substr(fields, 30, 48)) FROM subjects WHERE id=$IDX")
[ ${#key_hex} -eq 144 ] && ok || bad "could not read the wrapped key before erasure"
expect_rc 0 "erase" "$SARGS" subject erase "$ID" --reason request
dir_hex() { for f in "$SARGS_DATA"/*; do od -An -v -tx1 "$f" | tr -d ' \n'; echo; done | tr 'a-f' 'A-F'; }
dir_hex >"$WORK/hex"
if grep -qF "$key_hex" "$WORK/hex"; then bad "the erased subject's wrapped key is still in the data directory"; else ok; fi
if grep -qF "$fields_hex" "$WORK/hex"; then bad "the erased subject's ciphertext is still in the data directory"; else ok; fi
expect_rc 3 "erased subject is not found" "$SARGS" subject find --email uniq.0007.marker@example.lv
n=$(sqlite3 "$SARGS_DATA/sargs.db" "SELECT count(*) FROM blind_index bi WHERE subject_id=$IDX")
[ "$n" = 0 ] && ok || bad "blind index rows of the erased subject remain"
n=$(sqlite3 "$SARGS_DATA/sargs.db" "SELECT count(*) FROM erasure_ledger WHERE subject_id=$IDX")
[ "$n" = 1 ] && ok || bad "the erasure ledger does not hold the erased id"

finish
