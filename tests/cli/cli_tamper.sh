#!/usr/bin/env bash
# cli_tamper.sh — the audit trail is tamper-evident (design.md "The audit
# trail"; 004 §18h): someone with write access to the database file, who
# drops the append-only triggers, modifies, removes, inserts or reorders
# entries, or cuts entries off the end; `sargs audit verify` names the first
# bad entry and how it was changed, and exits 4.
. "$(dirname "$0")/lib.sh" "$1"
command -v sqlite3 >/dev/null || { echo "sqlite3 command-line tool is required"; exit 1; }

new_register || { echo "cannot create register"; exit 1; }
for i in 1 2 3 4 5; do
	"$SARGS" subject add --purpose service first_name=A$i last_name=B email=p$i@example.lv >/dev/null
done
expect_rc 0 "intact trail verifies" "$SARGS" audit verify
cp "$SARGS_DATA/sargs.db" "$WORK/pristine.db"
cp "$SARGS_DATA/sargs.db-wal" "$WORK/pristine.db-wal" 2>/dev/null

restore() {
	cp "$WORK/pristine.db" "$SARGS_DATA/sargs.db"
	rm -f "$SARGS_DATA/sargs.db-wal" "$SARGS_DATA/sargs.db-shm"
	[ -f "$WORK/pristine.db-wal" ] && cp "$WORK/pristine.db-wal" "$SARGS_DATA/sargs.db-wal"
	true
}

tamper() {
	sqlite3 "$SARGS_DATA/sargs.db" "DROP TRIGGER IF EXISTS audit_no_update; DROP TRIGGER IF EXISTS audit_no_delete; $1" ||
		bad "sqlite3 failed: $1"
}

# The application's own guard: the triggers refuse changes through SQL.
restore
if sqlite3 "$SARGS_DATA/sargs.db" "UPDATE audit SET action='x' WHERE seq=2" 2>/dev/null; then
	bad "UPDATE of an audit entry was not refused by the trigger"
else ok; fi
if sqlite3 "$SARGS_DATA/sargs.db" "DELETE FROM audit WHERE seq=2" 2>/dev/null; then
	bad "DELETE of an audit entry was not refused by the trigger"
else ok; fi

# 1. modified: an entry's content changed
restore
tamper "UPDATE audit SET subject_id = NULL, action = 'register.init' WHERE seq = 4"
expect_rc 4 "modified entry detected" "$SARGS" audit verify
expect_out "modified: names entry 4" "\(modified\): entry 4 was modified"

# 1b. modified, with the hash recomputed by someone without the key
restore
tamper "UPDATE audit SET fields = 'first_name', hash = randomblob(32) WHERE seq = 3"
expect_rc 4 "modified entry with a new hash detected" "$SARGS" audit verify
expect_out "modified: names entry 3" "entry 3 was modified"

# 1c. the last entry modified
restore
last=$(sqlite3 "$SARGS_DATA/sargs.db" "SELECT max(seq) FROM audit")
tamper "UPDATE audit SET actor = 'someone' WHERE seq = $last"
expect_rc 4 "modified last entry detected" "$SARGS" audit verify
expect_out "modified last names it" "entry $last"

# 2. removed: an entry deleted from the middle
restore
tamper "DELETE FROM audit WHERE seq = 3"
expect_rc 4 "removed entry detected" "$SARGS" audit verify
expect_out "removed: before entry 4" "\(removed\): entries were removed before entry 4"

# 3. inserted: a forged entry between 3 and 4 (entries renumbered to make room)
restore
tamper "UPDATE audit SET seq = seq + 1000 WHERE seq >= 4; UPDATE audit SET seq = seq - 999 WHERE seq >= 1004;
INSERT INTO audit(seq, time_us, actor, action, subject_id, fields, purpose, channel, detail, prev, hash)
 SELECT 4, time_us, 'cli:root', 'subject.read', subject_id, fields, 'service', channel, NULL, hash, randomblob(32) FROM audit WHERE seq = 3;"
expect_rc 4 "inserted entry detected" "$SARGS" audit verify
expect_out "inserted: entry 4" "\(inserted\): entry 4 was inserted"

# 3b. inserted: a replayed copy of a genuine entry appended at the end
restore
tamper "INSERT INTO audit(time_us, actor, action, subject_id, fields, purpose, channel, detail, prev, hash)
 SELECT time_us, actor, action, subject_id, fields, purpose, channel, detail, prev, hash FROM audit WHERE seq = 3;"
expect_rc 4 "replayed entry detected" "$SARGS" audit verify
expect_out "replayed: copy of entry 3" "inserted.*copy of entry 3"

# 4. reordered: two entries swapped
restore
tamper "UPDATE audit SET seq = -1 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 4; UPDATE audit SET seq = 4 WHERE seq = -1;"
expect_rc 4 "reordered entries detected" "$SARGS" audit verify
expect_out "reordered: entry 3 out of order" "\(reordered\): entry 3 is out of order"

# 5. truncated: the last two entries cut off
restore
tamper "DELETE FROM audit WHERE seq > $((last - 2))"
expect_rc 4 "truncation detected" "$SARGS" audit verify
expect_out "truncated: names the missing entries" "\(truncated\): entries $((last - 1)) to $last were cut off"

# 5b. truncation cannot be hidden by writing on: the next action is refused
restore
tamper "DELETE FROM audit WHERE seq > $((last - 2))"
expect_rc 4 "append after truncation refused" "$SARGS" subject add --purpose service first_name=X last_name=Y email=x@example.lv
expect_out "append refusal says why" "does not end where its head record says"
expect_rc 4 "still reported as truncated" "$SARGS" audit verify
expect_out "still truncated" "truncated"

# 5c. an emptied trail (entries and head deleted) is not a fresh one
restore
tamper "DELETE FROM audit; DELETE FROM meta WHERE key = 'audit_head'"
expect_rc 4 "emptied trail detected" "$SARGS" audit verify
expect_out "emptied trail" "head record is missing"
expect_rc 4 "append to an emptied trail refused" "$SARGS" subject add --purpose service first_name=X last_name=Y email=x@example.lv

# 3c. a copy of a later entry inserted early (entries renumbered to make room)
restore
tamper "UPDATE audit SET seq = seq + 1000 WHERE seq >= 2; UPDATE audit SET seq = seq - 999 WHERE seq >= 1002;
INSERT INTO audit(seq, time_us, actor, action, subject_id, fields, purpose, channel, detail, prev, hash)
 SELECT 2, time_us, actor, action, subject_id, fields, purpose, channel, detail, prev, hash FROM audit WHERE seq = $((last + 1));"
expect_rc 4 "copy of a later entry detected" "$SARGS" audit verify
expect_out "copy of a later entry named" "entry 2 was inserted: it is a copy of entry $((last + 1))"

# 1d. an entry made larger than any genuine one
restore
tamper "UPDATE audit SET detail = printf('%.20000c', 'x') WHERE seq = 3"
expect_rc 4 "oversized entry detected" "$SARGS" audit verify
expect_out "oversized entry is modified" "entry 3 was modified"

# 6. the head record forged
restore
tamper "UPDATE meta SET value = randomblob(72) WHERE key = 'audit_head'"
expect_rc 4 "forged head detected" "$SARGS" audit verify
expect_out "forged head" "head record is missing, damaged or forged"

# --json report
restore
tamper "DELETE FROM audit WHERE seq = 2"
expect_rc 4 "json report" "$SARGS" --json audit verify
expect_out "json intact false" '"intact": false'
expect_out "json first bad seq" '"first_bad_seq": 3'

# after all that, the pristine copy still verifies
restore
expect_rc 0 "pristine copy verifies" "$SARGS" audit verify

# the search index (who each part of the trail concerns; outside the hash
# chain): a forged index row for the unfinished part hides a person's entries
# from 'audit log --subject' and the customer card. verify finds it, reindex
# makes the index anew, and the entries show again. 004 §18h: a person's
# accesses stay on record, and visible.
restore
who=$(sqlite3 "$SARGS_DATA/sargs.db" "SELECT subject_id FROM audit WHERE subject_id IS NOT NULL LIMIT 1")
expect_rc 0 "a person's entries" "$SARGS" audit log --subject "$who"
expect_out "the person's entries are listed" "$who"
sqlite3 "$SARGS_DATA/sargs.db" "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 63)
	INSERT INTO audit_bloom(slice, block, bits) SELECT i, 0, zeroblob(128) FROM s" ||
	bad "sqlite3 failed: forged index rows"
expect_rc 0 "search through the forged index" "$SARGS" audit log --subject "$who"
expect_not_out "the forged index hides the entries" "$who"
expect_rc 4 "verify finds the damaged index" "$SARGS" audit verify
expect_out "names the index, not the chain" "SEARCH INDEX DAMAGED: .*chain intact.*entry 1\).*sargs audit reindex"
expect_rc 4 "json names the problem" "$SARGS" --json audit verify
expect_out "json problem" '"problem": "search index damaged"'
expect_rc 0 "reindex" "$SARGS" audit reindex
expect_out "reindex repaired it" "0 parts checked, 1 repaired"
expect_rc 0 "verify after reindex" "$SARGS" audit verify
expect_rc 0 "the entries show again" "$SARGS" audit log --subject "$who"
expect_out "the person's entries are listed again" "$who"
expect_rc 0 "reindex of a sound index" "$SARGS" audit reindex
expect_out "nothing to repair" "0 parts checked, 0 repaired"
expect_rc 0 "reindex is recorded" "$SARGS" audit log --limit 1000
expect_out "audit.reindex entry" "audit.reindex"
expect_out "its detail" "parts=0 repaired=1"
expect_rc 2 "reindex takes no arguments" "$SARGS" audit reindex extra

# signed checkpoints, kept apart: the key in its own file, the checkpoints
# in another directory (design.md: signed checkpoints kept elsewhere)
expect_rc 0 "checkpoint key" "$SARGS" audit checkpoint-key --key "$WORK/ckpt.key"
PK=$(sed -n 's/.*public key //p' "$OUT")
[ "$(stat -c %a "$WORK/ckpt.key")" = 600 ] && ok || bad "checkpoint key not 0600"
expect_rc 0 "checkpoint" "$SARGS" audit checkpoint --key "$WORK/ckpt.key" --to "$WORK/ck1" \
	--to "$WORK/ck2"
expect_out "written" "checkpoint of entry [0-9]+ written"
expect_rc 0 "verify with checkpoints" "$SARGS" audit verify --checkpoints "$WORK/ck2" \
	--public-key "$PK"
expect_out "checkpoints hold" "1 checkpoints hold"
expect_rc 4 "a checkpoint with another key fails" "$SARGS" audit verify --checkpoints \
	"$WORK/ck1" --public-key "AAAA${PK#AAAA}x"
expect_rc 3 "no checkpoints there" "$SARGS" audit verify --checkpoints "$WORK/none" \
	--public-key "$PK"
expect_rc 2 "the key kept apart is required" "$SARGS" audit verify --checkpoints "$WORK/ck1"

finish
