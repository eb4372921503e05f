/*
 * test_audit.c — unit tests of src/audit with a real store (SQLite in a
 * temporary directory) and keys built from fixed bytes.
 *
 * Transactions are driven the way src/domain/register.c does it
 * (sargs_reg_begin / sargs_reg_commit / sargs_reg_rollback): store begin then
 * sargs_audit_tx_begin; at the outermost commit sargs_audit_flush_head before
 * sargs_store_commit, then sargs_audit_tx_end; on rollback the store first,
 * then sargs_audit_tx_rollback.
 *
 * Not covered here: removing, changing, inserting or reordering rows in the
 * middle of the trail. The API has no way to change or delete an entry (by
 * design); the CLI test cli_tamper.sh does it with the sqlite3 tool. What can
 * be done through the API is covered: a different key, forged rows appended
 * through the store, and forged, damaged or missing head records.
 */
#include "testutil.h"

#include "audit/audit.h"
#include "crypto/field.h"
#include "crypto/keys.h"
#include "store/store.h"
#include "util/fsutil.h"
#include "util/rc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
/* The meta key audit.c keeps the head record under (white-box: used only to
 * simulate a forger who can write the database but lacks the key). */
#define HEAD_META_KEY "audit_head"
#define HEAD_RECORD_BYTES (8 + SARGS_HASH_BYTES + SARGS_HASH_BYTES)

static const unsigned char master_a[SARGS_KEY_BYTES] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
	0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5,
	0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf};
static const unsigned char master_b[SARGS_KEY_BYTES] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
	0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5,
	0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0x00};

#define T0 ((int64_t)1767225600 * 1000000) /* 2026-01-01T00:00:00Z */

struct fixture {
	char dir[512];
	char path[1024];
	struct sargs_store *st;
	struct sargs_keys *keys;
	struct sargs_audit *audit;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sargs_err err;

	if (f == NULL)
		return -1;
	test_tmpdir("audit", f->dir, sizeof(f->dir));
	if (sargs_fs_join(f->path, sizeof(f->path), f->dir, "register.db") != SARGS_OK ||
	    sargs_store_open(f->path, 1, &f->st, &err) != SARGS_OK ||
	    sargs_keys_from_bytes(master_a, &f->keys) != SARGS_OK ||
	    sargs_audit_open(f->st, f->keys, &f->audit) != SARGS_OK)
		return -1;
	/* as sargs_reg_init does: the head of the empty trail comes first */
	if (sargs_store_begin(f->st, &err) != SARGS_OK ||
	    sargs_audit_init_head(f->audit) != SARGS_OK ||
	    sargs_store_commit(f->st, &err) != SARGS_OK)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sargs_audit_close(f->audit);
	sargs_store_close(f->st);
	sargs_keys_free(f->keys);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

/* ---- transactions as register.c drives them ------------------------------ */

static void tx_begin(struct fixture *f)
{
	struct sargs_err err;

	if (sargs_store_begin(f->st, &err) != SARGS_OK)
		fail_msg("begin: %s", err.msg);
	sargs_audit_tx_begin(f->audit);
}

static void tx_commit(struct fixture *f)
{
	struct sargs_err err;

	if (sargs_store_depth(f->st) == 1)
		assert_int_equal(sargs_audit_flush_head(f->audit), SARGS_OK);
	if (sargs_store_commit(f->st, &err) != SARGS_OK) {
		sargs_audit_tx_rollback(f->audit);
		fail_msg("commit: %s", err.msg);
	}
	sargs_audit_tx_end(f->audit);
}

static void tx_rollback(struct fixture *f)
{
	sargs_store_rollback(f->st);
	sargs_audit_tx_rollback(f->audit);
}

static void append(struct fixture *f, int64_t t, const char *action, const char *subject)
{
	struct sargs_audit_entry e = {"cli:alice", action, subject, "email,phone", "billing",
				      "cli", NULL};
	struct sargs_err err;

	if (sargs_audit_append(f->audit, t, &e, &err) != SARGS_OK)
		fail_msg("append %s: %s", action, err.msg);
}

static int64_t count(struct fixture *f)
{
	int64_t n = -1;

	assert_int_equal(sargs_store_audit_count(f->st, &n), SARGS_OK);
	return n;
}

/* Verifies with a's keys and expects an intact trail of n entries. */
static void expect_intact(struct sargs_audit *a, int64_t n)
{
	struct sargs_audit_report rep;
	char want[64];
	enum sargs_rc rc = sargs_audit_verify(a, &rep);

	if (rc != SARGS_OK)
		fail_msg("verify: rc %d, problem %s at %lld: %s", rc,
			 sargs_audit_problem_str(rep.problem), (long long)rep.first_bad_seq,
			 rep.message);
	assert_int_equal(rep.problem, SARGS_AUDIT_INTACT);
	assert_true(rep.entries == n);
	assert_true(rep.first_bad_seq == 0);
	(void)snprintf(want, sizeof(want), "%lld entries", (long long)n);
	if (strstr(rep.message, want) == NULL)
		fail_msg("report message \"%s\" does not name the entry count %lld", rep.message,
			 (long long)n);
}

static void expect_tampered(struct sargs_audit *a, enum sargs_audit_problem p, int64_t bad_seq)
{
	struct sargs_audit_report rep;
	enum sargs_rc rc = sargs_audit_verify(a, &rep);

	if (rc != SARGS_E_TAMPERED)
		fail_msg("verify: rc %d, want SARGS_E_TAMPERED (%s)", rc, rep.message);
	if (rep.problem != p)
		fail_msg("verify: problem %s, want %s (%s)", sargs_audit_problem_str(rep.problem),
			 sargs_audit_problem_str(p), rep.message);
	if (bad_seq >= 0 && rep.first_bad_seq != bad_seq)
		fail_msg("verify: first bad seq %lld, want %lld", (long long)rep.first_bad_seq,
			 (long long)bad_seq);
	assert_true(strlen(rep.message) > 0);
}

/* ---- tests ---------------------------------------------------------------- */

static void test_empty_trail_intact(void **state)
{
	struct fixture *f = *state;
	struct sargs_audit_report rep;

	assert_int_equal(sargs_audit_verify(f->audit, &rep), SARGS_OK);
	assert_int_equal(rep.problem, SARGS_AUDIT_INTACT);
	assert_true(rep.entries == 0);
	assert_true(rep.first_bad_seq == 0);
	/* an empty transaction writes no head and changes nothing */
	tx_begin(f);
	tx_commit(f);
	assert_int_equal(sargs_audit_verify(f->audit, &rep), SARGS_OK);
	assert_int_equal(rep.problem, SARGS_AUDIT_INTACT);
	assert_true(rep.entries == 0);
	/* an empty trail also gets its sentence ("0 entries, chain intact") */
	expect_intact(f->audit, 0);
}

static void test_append_in_transaction(void **state)
{
	struct fixture *f = *state;
	unsigned char hash[SARGS_AUDIT_HASH_BYTES];
	int64_t seq = 0;

	tx_begin(f);
	append(f, T0, "subject.add", "s1");
	/* visible inside the transaction */
	assert_true(count(f) == 1);
	tx_commit(f);
	assert_true(count(f) == 1);
	assert_int_equal(sargs_store_audit_last(f->st, &seq, hash), SARGS_OK);
	assert_true(seq == 1);
	expect_intact(f->audit, 1);
}

static void test_hundred_entries(void **state)
{
	struct fixture *f = *state;
	char subj[32];
	int i = 0;

	/* 10 transactions of 10 entries; some with an inner level */
	for (int tx = 0; tx < 10; tx++) {
		tx_begin(f);
		for (int k = 0; k < 10; k++, i++) {
			(void)snprintf(subj, sizeof(subj), "subject-%d", i % 7);
			if (k == 5 && tx % 2 == 0) {
				tx_begin(f);
				append(f, T0 + i, "subject.read", subj);
				tx_commit(f);
			} else {
				append(f, T0 + i, i % 3 ? "subject.read" : "subject.update",
				       i % 5 ? subj : NULL);
			}
		}
		tx_commit(f);
	}
	assert_true(count(f) == 100);
	expect_intact(f->audit, 100);

	/* a fresh handle on the same store (another process) agrees */
	{
		struct sargs_audit *again = NULL;

		assert_int_equal(sargs_audit_open(f->st, f->keys, &again), SARGS_OK);
		expect_intact(again, 100);
		/* and appends onto the same chain */
		assert_int_equal(sargs_store_begin(f->st, NULL), SARGS_OK);
		sargs_audit_tx_begin(again);
		{
			struct sargs_audit_entry e = {"system", "register.check", NULL, NULL, NULL,
						      NULL, "100 entries"};
			struct sargs_err err;

			assert_int_equal(sargs_audit_append(again, T0 + 1000, &e, &err), SARGS_OK);
		}
		assert_int_equal(sargs_audit_flush_head(again), SARGS_OK);
		assert_int_equal(sargs_store_commit(f->st, NULL), SARGS_OK);
		sargs_audit_tx_end(again);
		expect_intact(again, 101);
		sargs_audit_close(again);
	}
	/* the first handle re-reads the head in its next transaction */
	tx_begin(f);
	append(f, T0 + 2000, "subject.read", "s1");
	tx_commit(f);
	expect_intact(f->audit, 102);
}

static void test_other_master_key_detects(void **state)
{
	struct fixture *f = *state;
	struct sargs_keys *other = NULL;
	struct sargs_audit *forger = NULL;

	tx_begin(f);
	for (int i = 0; i < 5; i++)
		append(f, T0 + i, "subject.read", "s1");
	tx_commit(f);
	expect_intact(f->audit, 5);

	assert_int_equal(sargs_keys_from_bytes(master_b, &other), SARGS_OK);
	assert_int_equal(sargs_audit_open(f->st, other, &forger), SARGS_OK);
	/* the keyed chain does not check out under another key */
	expect_tampered(forger, SARGS_AUDIT_MODIFIED, 1);

	/* someone without the key cannot even append: the head record's MAC does
	 * not check out under their key, so the append is refused */
	tx_begin(f); /* store transaction; the forger's audit handle hooks in */
	sargs_audit_tx_begin(forger);
	{
		struct sargs_audit_entry e = {"cli:mallory", "subject.read", "s1", NULL, NULL,
					      NULL, NULL};
		struct sargs_err err;

		assert_int_equal(sargs_audit_append(forger, T0 + 10, &e, &err), SARGS_E_TAMPERED);
	}
	sargs_audit_tx_rollback(forger);
	tx_rollback(f);
	assert_true(count(f) == 5);
	expect_intact(f->audit, 5);

	sargs_audit_close(forger);
	sargs_keys_free(other);
}

static void test_rolled_back_tx_leaves_chain_intact(void **state)
{
	struct fixture *f = *state;

	tx_begin(f);
	append(f, T0, "subject.add", "s1");
	append(f, T0 + 1, "subject.read", "s1");
	tx_commit(f);
	expect_intact(f->audit, 2);

	/* outer rollback: both appends vanish */
	tx_begin(f);
	append(f, T0 + 2, "subject.erase", "s1");
	append(f, T0 + 3, "subject.read", "s2");
	tx_rollback(f);
	assert_true(count(f) == 2);
	expect_intact(f->audit, 2);

	/* the next transaction continues from the committed head */
	tx_begin(f);
	append(f, T0 + 4, "subject.read", "s3");
	tx_commit(f);
	assert_true(count(f) == 3);
	expect_intact(f->audit, 3);

	/* inner rollback inside a committed outer transaction: the outer
	 * transaction's later append links to the entry before the inner one */
	tx_begin(f);
	append(f, T0 + 5, "batch.start", NULL);
	tx_begin(f);
	append(f, T0 + 6, "subject.add", "bad-row");
	append(f, T0 + 7, "subject.add", "bad-row");
	tx_rollback(f);
	append(f, T0 + 8, "batch.end", NULL);
	tx_commit(f);
	assert_true(count(f) == 5);
	expect_intact(f->audit, 5);

	/* an inner level rolled back before anything was appended */
	tx_begin(f);
	tx_begin(f);
	append(f, T0 + 9, "subject.add", "bad-row");
	tx_rollback(f);
	tx_commit(f);
	assert_true(count(f) == 5);
	expect_intact(f->audit, 5);

	/* a rolled-back transaction after which nothing is appended */
	tx_begin(f);
	append(f, T0 + 10, "subject.read", "s1");
	tx_rollback(f);
	tx_begin(f);
	tx_commit(f);
	expect_intact(f->audit, 5);
	tx_begin(f);
	append(f, T0 + 11, "subject.read", "s1");
	tx_commit(f);
	expect_intact(f->audit, 6);
}

struct bad_entry_case {
	struct sargs_audit_entry e;
	const char *rule;
};

#define S1024 \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define S1025 S1024 "x"

static const struct bad_entry_case bad_entries[] = {
	{{"cli:alice\n", "subject.read", NULL, NULL, NULL, NULL, NULL}, "newline in actor"},
	{{"cli:alice", "subject\tread", NULL, NULL, NULL, NULL, NULL}, "tab in action"},
	{{"cli:alice", "subject.read", "s1\r", NULL, NULL, NULL, NULL}, "CR in subject id"},
	{{"cli:alice", "subject.read", NULL, "email\x1b[2J", NULL, NULL, NULL},
	 "escape sequence in fields"},
	{{"cli:alice", "subject.read", NULL, NULL, "bil\x01ling", NULL, NULL},
	 "control character in purpose"},
	{{"cli:alice", "subject.read", NULL, NULL, NULL, "cli\x7f", NULL}, "DEL in channel"},
	{{"cli:alice", "subject.read", NULL, NULL, NULL, NULL, "line1\nline2"},
	 "newline in detail (forged log lines)"},
	{{S1025, "subject.read", NULL, NULL, NULL, NULL, NULL}, "actor over 1 KiB"},
	{{"cli:alice", S1025, NULL, NULL, NULL, NULL, NULL}, "action over 1 KiB"},
	{{"cli:alice", "subject.read", S1025, NULL, NULL, NULL, NULL}, "subject over 1 KiB"},
	{{"cli:alice", "subject.read", NULL, S1025, NULL, NULL, NULL}, "fields over 1 KiB"},
	{{"cli:alice", "subject.read", NULL, NULL, S1025, NULL, NULL}, "purpose over 1 KiB"},
	{{"cli:alice", "subject.read", NULL, NULL, NULL, S1025, NULL}, "channel over 1 KiB"},
	{{"cli:alice", "subject.read", NULL, NULL, NULL, NULL, S1025}, "detail over 1 KiB"},
	{{NULL, "subject.read", NULL, NULL, NULL, NULL, NULL}, "missing actor"},
	{{"cli:alice", NULL, NULL, NULL, NULL, NULL, NULL}, "missing action"},
};

static void test_bad_entries_refused(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;

	assert_int_equal(strlen(S1024), 1024);
	tx_begin(f);
	append(f, T0, "subject.add", "s1");
	for (size_t i = 0; i < N_ELEMS(bad_entries); i++) {
		enum sargs_rc rc;

		memset(&err, 0, sizeof(err));
		rc = sargs_audit_append(f->audit, T0 + 1, &bad_entries[i].e, &err);
		if (rc != SARGS_E_INVALID)
			fail_msg("bad entry row %zu (%s): got rc %d", i, bad_entries[i].rule, rc);
		assert_int_equal(err.rc, SARGS_E_INVALID);
		assert_true(strlen(err.msg) > 0);
		if (count(f) != 1)
			fail_msg("bad entry row %zu (%s): something was appended", i,
				 bad_entries[i].rule);
	}
	/* boundaries that are fine: exactly 1 KiB, non-ASCII letters, empty */
	{
		struct sargs_audit_entry ok1 = {"cli:alice", "subject.read", NULL, NULL, NULL,
						NULL, S1024};
		struct sargs_audit_entry ok2 = {"cli:jānis", "subject.read", NULL, NULL, NULL,
						NULL, ""};

		assert_int_equal(sargs_audit_append(f->audit, T0 + 2, &ok1, &err), SARGS_OK);
		assert_int_equal(sargs_audit_append(f->audit, T0 + 3, &ok2, &err), SARGS_OK);
	}
	tx_commit(f);
	assert_true(count(f) == 3);
	/* the refusals did not disturb the chain */
	expect_intact(f->audit, 3);
}

static void test_head_flush(void **state)
{
	struct fixture *f = *state;
	unsigned char *head = NULL;
	size_t head_len = 0;

	tx_begin(f);
	for (int i = 0; i < 3; i++)
		append(f, T0 + i, "subject.read", "s1");
	tx_commit(f);
	expect_intact(f->audit, 3);
	/* the head is durable: still intact after reopening everything */
	sargs_audit_close(f->audit);
	sargs_store_close(f->st);
	f->audit = NULL;
	{
		struct sargs_err err;

		assert_int_equal(sargs_store_open(f->path, 0, &f->st, &err), SARGS_OK);
	}
	assert_int_equal(sargs_audit_open(f->st, f->keys, &f->audit), SARGS_OK);
	expect_intact(f->audit, 3);
	assert_int_equal(sargs_store_meta_get(f->st, HEAD_META_KEY, &head, &head_len), SARGS_OK);
	assert_int_equal(head_len, HEAD_RECORD_BYTES);
	/* big-endian seq of the last entry */
	for (int i = 0; i < 7; i++)
		assert_int_equal(head[i], 0);
	assert_int_equal(head[7], 3);
	free(head);
}

static void test_missing_head_detected(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;

	/* appended and committed without flushing the head */
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	sargs_audit_tx_begin(f->audit);
	append(f, T0, "subject.read", "s1");
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	sargs_audit_tx_end(f->audit);
	expect_tampered(f->audit, SARGS_AUDIT_HEAD_BAD, -1);
}

/* Writes a head record that the key holder would write for (seq, hash). */
static void put_head(struct fixture *f, const struct sargs_keys *keys, int64_t seq,
		     const unsigned char hash[SARGS_HASH_BYTES])
{
	unsigned char rec[HEAD_RECORD_BYTES], msg[5 + 8];

	for (int i = 0; i < 8; i++)
		rec[i] = (unsigned char)((uint64_t)seq >> (56 - 8 * i));
	memcpy(rec + 8, hash, SARGS_HASH_BYTES);
	memcpy(msg, "head:", 5);
	memcpy(msg + 5, rec, 8);
	sargs_chain_hash(keys, hash, msg, sizeof(msg), rec + 8 + SARGS_HASH_BYTES);
	assert_int_equal(sargs_store_meta_put(f->st, HEAD_META_KEY, rec, sizeof(rec)), SARGS_OK);
}

static void test_head_tampering_detected(void **state)
{
	struct fixture *f = *state;
	unsigned char *good = NULL, saved[HEAD_RECORD_BYTES], rec[HEAD_RECORD_BYTES];
	unsigned char last[SARGS_HASH_BYTES];
	size_t len = 0;
	int64_t seq = 0;
	struct sargs_keys *other = NULL;

	tx_begin(f);
	for (int i = 0; i < 4; i++)
		append(f, T0 + i, "subject.read", "s1");
	tx_commit(f);
	expect_intact(f->audit, 4);
	assert_int_equal(sargs_store_meta_get(f->st, HEAD_META_KEY, &good, &len), SARGS_OK);
	assert_int_equal(len, sizeof(saved));
	memcpy(saved, good, sizeof(saved));
	free(good);
	assert_int_equal(sargs_store_audit_last(f->st, &seq, last), SARGS_OK);
	assert_true(seq == 4);

	/* this layout is what the head record holds (checks put_head) */
	put_head(f, f->keys, 4, last);
	expect_intact(f->audit, 4);

	/* a head for more entries than the trail has: entries were cut off */
	put_head(f, f->keys, 6, last);
	expect_tampered(f->audit, SARGS_AUDIT_TRUNCATED, 5);

	/* a forged MAC (any bit of it) */
	memcpy(rec, saved, sizeof(rec));
	rec[HEAD_RECORD_BYTES - 1] ^= 1;
	assert_int_equal(sargs_store_meta_put(f->st, HEAD_META_KEY, rec, sizeof(rec)), SARGS_OK);
	expect_tampered(f->audit, SARGS_AUDIT_HEAD_BAD, -1);

	/* a changed seq without a new MAC */
	memcpy(rec, saved, sizeof(rec));
	rec[7] = 2;
	assert_int_equal(sargs_store_meta_put(f->st, HEAD_META_KEY, rec, sizeof(rec)), SARGS_OK);
	expect_tampered(f->audit, SARGS_AUDIT_HEAD_BAD, -1);

	/* a head MACed with another key */
	assert_int_equal(sargs_keys_from_bytes(master_b, &other), SARGS_OK);
	put_head(f, other, 4, last);
	expect_tampered(f->audit, SARGS_AUDIT_HEAD_BAD, -1);
	sargs_keys_free(other);

	/* damaged: wrong length */
	assert_int_equal(sargs_store_meta_put(f->st, HEAD_META_KEY, saved, sizeof(saved) - 1),
			 SARGS_OK);
	expect_tampered(f->audit, SARGS_AUDIT_HEAD_BAD, -1);
	assert_int_equal(sargs_store_meta_put(f->st, HEAD_META_KEY, "", 0), SARGS_OK);
	expect_tampered(f->audit, SARGS_AUDIT_HEAD_BAD, -1);

	/* the genuine head restores a clean verdict */
	assert_int_equal(sargs_store_meta_put(f->st, HEAD_META_KEY, saved, sizeof(saved)),
			 SARGS_OK);
	expect_intact(f->audit, 4);
}

struct row_hash {
	int64_t want_seq;
	unsigned char hash[SARGS_HASH_BYTES];
	int found;
};

static int grab_hash(void *ctx, const struct sargs_store_audit_row *row)
{
	struct row_hash *r = ctx;

	if (row->seq == r->want_seq) {
		memcpy(r->hash, row->hash, SARGS_HASH_BYTES);
		r->found = 1;
		return 1;
	}
	return 0;
}

static void test_replayed_old_head_detected(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_audit_filter all = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};
	struct row_hash second = {2, {0}, 0};

	tx_begin(f);
	for (int i = 0; i < 4; i++)
		append(f, T0 + i, "subject.read", "s1");
	tx_commit(f);
	assert_int_equal(sargs_store_audit_scan(f->st, &all, grab_hash, &second), SARGS_OK);
	assert_true(second.found);
	/* a genuine, properly MACed head from when the trail had 2 entries */
	put_head(f, f->keys, 2, second.hash);
	expect_tampered(f->audit, SARGS_AUDIT_HEAD_BAD, -1);
}

static void test_forged_row_appended_through_store(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_audit_row r;
	unsigned char last[SARGS_HASH_BYTES];
	int64_t seq = 0;

	tx_begin(f);
	for (int i = 0; i < 3; i++)
		append(f, T0 + i, "subject.read", "s1");
	tx_commit(f);
	assert_int_equal(sargs_store_audit_last(f->st, &seq, last), SARGS_OK);

	/* a row that links correctly but whose hash was made without the key */
	memset(&r, 0, sizeof(r));
	r.time_us = T0 + 100;
	r.actor = "cli:mallory";
	r.action = "subject.read";
	r.subject_id = "s1";
	memcpy(r.prev, last, sizeof(r.prev));
	sargs_hash("whatever", 8, r.hash);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == 4);
	/* the head still ends the chain before it: appended by a forger */
	expect_tampered(f->audit, SARGS_AUDIT_INSERTED, 4);
}

static void test_problem_names(void **state)
{
	static const struct {
		enum sargs_audit_problem p;
		const char *name;
	} names[] = {
		{SARGS_AUDIT_INTACT, "intact"},       {SARGS_AUDIT_MODIFIED, "modified"},
		{SARGS_AUDIT_REMOVED, "removed"},     {SARGS_AUDIT_INSERTED, "inserted"},
		{SARGS_AUDIT_REORDERED, "reordered"}, {SARGS_AUDIT_TRUNCATED, "truncated"},
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(names); i++)
		assert_string_equal(sargs_audit_problem_str(names[i].p), names[i].name);
	assert_non_null(strstr(sargs_audit_problem_str(SARGS_AUDIT_HEAD_BAD), "head"));
	assert_string_equal(sargs_audit_problem_str((enum sargs_audit_problem)99), "unknown");
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_empty_trail_intact),
		T(test_append_in_transaction),
		T(test_hundred_entries),
		T(test_other_master_key_detects),
		T(test_rolled_back_tx_leaves_chain_intact),
		T(test_bad_entries_refused),
		T(test_head_flush),
		T(test_missing_head_detected),
		T(test_head_tampering_detected),
		T(test_replayed_old_head_detected),
		T(test_forged_row_appended_through_store),
		cmocka_unit_test(test_problem_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
