/*
 * test_audit_filter.c — finding one person's audit entries through the
 * per-block filters (store_sqlite_audit.c) gives exactly what reading the
 * whole trail would: every entry of that person, in order, none of anyone
 * else's, with the filter's other bounds (after a seq, a time window, an
 * actor, a limit) and a callback that stops early. Checked against the
 * whole trail filtered here, over several full blocks and an unfinished
 * one, and after the migration from schema 6 (an index) made the filters
 * of a trail that already had entries. Links SQLite to turn a register back
 * into schema 6, as an older Sargs left it.
 *
 * Mission §9 (004 §18h): access to personal data is recorded in audit
 * records; a person's own trail (the console card, ?subject=) must show
 * every one of them.
 */
#include "testutil.h"
#include "sqltest.h"

#include "store/store.h"
#include "util/fsutil.h"
#include "util/rc.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 4096 /* store_sqlite_audit.c: AUDIT_BLOCK */
#define ENTRIES (3 * BLOCK + 777)
#define SUBJECTS 40

struct fixture {
	char dir[512];
	char path[1024];
	struct sargs_store *st;
};

/* Entry i (seq i + 1): subject, actor and time as a function of i; some
 * entries have no subject, one subject appears once only. */
static void subject_of(int i, char *out, size_t n)
{
	if (i % 7 == 3)
		out[0] = '\0'; /* no subject */
	else if (i == 5000)
		(void)snprintf(out, n, "0190a5e2-7b1c-7d3e-8f00-00000000rare");
	else
		(void)snprintf(out, n, "0190a5e2-7b1c-7d3e-8f00-%012d", (i * 13) % SUBJECTS);
}

static const char *actor_of(int i)
{
	return i % 3 == 0 ? "token:shop" : "staff:anna";
}

static int64_t time_of(int i)
{
	return 1000 + (int64_t)(i % 500); /* not monotonic: seq orders the trail */
}

static void append_all(struct sargs_store *st)
{
	struct sargs_err err;
	char subj[64];

	assert_int_equal(sargs_store_begin(st, &err), SARGS_OK);
	for (int i = 0; i < ENTRIES; i++) {
		struct sargs_store_audit_row r;

		memset(&r, 0, sizeof(r));
		subject_of(i, subj, sizeof(subj));
		r.time_us = time_of(i);
		r.actor = actor_of(i);
		r.action = "subject.read";
		r.subject_id = subj[0] ? subj : NULL;
		memset(r.prev, i & 0xff, sizeof(r.prev));
		memset(r.hash, (i + 1) & 0xff, sizeof(r.hash));
		assert_int_equal(sargs_store_audit_append(st, &r), SARGS_OK);
		assert_true(r.seq == i + 1);
	}
	assert_int_equal(sargs_store_commit(st, &err), SARGS_OK);
}

static int open_fixture(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sargs_err err;

	if (f == NULL)
		return -1;
	test_tmpdir("audit_filter", f->dir, sizeof(f->dir));
	if (sargs_fs_join(f->path, sizeof(f->path), f->dir, "register.db") != SARGS_OK ||
	    sargs_store_open(f->path, 1, &f->st, &err) != SARGS_OK) {
		free(f);
		return -1;
	}
	append_all(f->st);
	*state = f;
	return 0;
}

static int close_fixture(void **state)
{
	struct fixture *f = *state;

	sargs_store_close(f->st);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

struct got {
	int64_t seqs[ENTRIES];
	int n;
	int stop_after; /* 0: never stop */
};

static int collect(void *ctx, const struct sargs_store_audit_row *row)
{
	struct got *g = ctx;

	g->seqs[g->n++] = row->seq;
	return g->stop_after > 0 && g->n >= g->stop_after;
}

/* What the filter must give, worked out from the entries themselves. */
static int expected(const struct sargs_store_audit_filter *f, int64_t *out, int stop_after)
{
	char subj[64];
	int n = 0;

	for (int i = 0; i < ENTRIES; i++) {
		int64_t seq = i + 1;

		subject_of(i, subj, sizeof(subj));
		if (seq <= f->after_seq || time_of(i) < f->since_us || time_of(i) > f->until_us)
			continue;
		if (f->subject_id && strcmp(subj, f->subject_id) != 0)
			continue;
		if (f->actor && strcmp(actor_of(i), f->actor) != 0)
			continue;
		out[n++] = seq;
		if ((f->limit > 0 && n == f->limit) || (stop_after > 0 && n == stop_after))
			break;
	}
	return n;
}

static void check(struct sargs_store *st, const struct sargs_store_audit_filter *f,
		  int stop_after, const char *what)
{
	static struct got g;
	static int64_t want[ENTRIES];
	int n = expected(f, want, stop_after);

	memset(&g, 0, sizeof(g));
	g.stop_after = stop_after;
	assert_int_equal(sargs_store_audit_scan(st, f, collect, &g), SARGS_OK);
	if (g.n != n)
		fail_msg("%s: %d entries, expected %d", what, g.n, n);
	for (int i = 0; i < n; i++)
		if (g.seqs[i] != want[i])
			fail_msg("%s: entry %d is seq %lld, expected %lld", what, i,
				 (long long)g.seqs[i], (long long)want[i]);
}

/* A filter on one subject, no other bound. */
static struct sargs_store_audit_filter subject_filter(const char *id)
{
	struct sargs_store_audit_filter f;

	memset(&f, 0, sizeof(f));
	f.since_us = INT64_MIN;
	f.until_us = INT64_MAX;
	f.subject_id = id;
	return f;
}

static void check_all_filters(struct sargs_store *st)
{
	static const int64_t afters[] = {0, 1, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK + 17,
					 3 * BLOCK, 3 * BLOCK + 700, ENTRIES};
	struct sargs_store_audit_filter f;
	char subj[64], what[160];

	for (int s = 0; s < SUBJECTS; s += 7) {
		(void)snprintf(subj, sizeof(subj), "0190a5e2-7b1c-7d3e-8f00-%012d", s);
		for (size_t a = 0; a < sizeof(afters) / sizeof(afters[0]); a++) {
			f = subject_filter(subj);
			f.after_seq = afters[a];
			(void)snprintf(what, sizeof(what), "subject %d after %lld", s,
				       (long long)afters[a]);
			check(st, &f, 0, what);
			f.limit = 5;
			check(st, &f, 0, what);
			f.limit = 0;
			f.actor = "token:shop";
			check(st, &f, 0, what);
			f.actor = NULL;
			f.since_us = 1100;
			f.until_us = 1180;
			check(st, &f, 0, what);
		}
	}
	f = subject_filter("0190a5e2-7b1c-7d3e-8f00-00000000rare");
	check(st, &f, 0, "a subject with one entry");
	f.subject_id = "0190a5e2-7b1c-7d3e-8f00-0000nobody00";
	check(st, &f, 0, "a subject with none");
	f.subject_id = "0190a5e2-7b1c-7d3e-8f00-000000000007";
	check(st, &f, 3, "the callback stops after 3");
	check(st, &f, 400, "the callback stops after 400 (past a block)");
	f.subject_id = NULL;
	check(st, &f, 0, "everyone");
	f.after_seq = 2 * BLOCK;
	f.limit = 100;
	check(st, &f, 0, "everyone after two blocks, 100");
}

static int bloom_rows(const char *path)
{
	sqlite3 *db;
	int n;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	n = (int)count_rows(db, "SELECT count(*) FROM audit_bloom");
	sqlite3_close(db);
	return n;
}

static void test_subject_scan_matches_the_trail(void **state)
{
	struct fixture *f = *state;

	/* the appends made the filters of the three full blocks themselves */
	assert_int_equal(bloom_rows(f->path), 3 * 64);
	check_all_filters(f->st);
}

/* One more read of subject 3, as the tests below append it again and again. */
static struct sargs_store_audit_row read_entry(void)
{
	struct sargs_store_audit_row r;

	memset(&r, 0, sizeof(r));
	r.time_us = 7000;
	r.actor = "system";
	r.action = "subject.read";
	r.subject_id = "0190a5e2-7b1c-7d3e-8f00-000000000003";
	return r;
}

/* An append that completes a block, undone with its transaction, takes the
 * block's filter with it; appended again, the filter is made again. */
static void test_block_end_rolled_back(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;
	struct sargs_store_audit_row r;
	int need = 4 * BLOCK - ENTRIES;

	r = read_entry();
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	for (int i = 0; i < need - 1; i++)
		assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(bloom_rows(f->path), 3 * 64);

	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == 4 * BLOCK);
	sargs_store_rollback(f->st);
	assert_int_equal(bloom_rows(f->path), 3 * 64);

	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == 4 * BLOCK);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(bloom_rows(f->path), 4 * 64);
}

/* The writer knows the last seq from its own appends in the open
 * transaction (no query each time): it forgets it when a savepoint is
 * rolled back (the undone appends are gone) and when its transaction ends
 * (another connection may append before its next): the block's end is
 * still found at the right entry, and its filter made. */
static void test_last_seq_known_and_forgotten(void **state)
{
	struct fixture *f = *state;
	struct sargs_store *other = NULL;
	struct sargs_err err;
	struct sargs_store_audit_row r;
	const int64_t end = 4 * BLOCK; /* the fourth block's last entry */
	int need = 4 * BLOCK - ENTRIES;

	r = read_entry();
	/* one transaction: up to end - 1, then end and end + 1 undone */
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	for (int i = 0; i < need - 1; i++)
		assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == end - 1);
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == end + 1);
	sargs_store_rollback(f->st);
	/* the next is the block's end again (had the undone two been
	 * remembered, it would have been taken for end + 2, and the block
	 * left without its filter) */
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == end);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(bloom_rows(f->path), 4 * 64);
	/* another connection appends all but the last of the next block */
	assert_int_equal(sargs_store_open(f->path, 0, &other, &err), SARGS_OK);
	assert_int_equal(sargs_store_begin(other, &err), SARGS_OK);
	for (int i = 0; i < BLOCK - 1; i++)
		assert_int_equal(sargs_store_audit_append(other, &r), SARGS_OK);
	assert_true(r.seq == end + BLOCK - 1);
	assert_int_equal(sargs_store_commit(other, &err), SARGS_OK);
	sargs_store_close(other);
	/* the first connection's next ends that block (had it remembered its
	 * own last, the end, it would have taken this for end + 1) */
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == end + BLOCK);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(bloom_rows(f->path), 5 * 64);
	/* an append outside any transaction is not remembered either: the
	 * first connection appends alone, the other fills the next block
	 * but one, and the first's next append (in a transaction) ends it */
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == end + BLOCK + 1);
	assert_int_equal(sargs_store_open(f->path, 0, &other, &err), SARGS_OK);
	assert_int_equal(sargs_store_begin(other, &err), SARGS_OK);
	for (int i = 0; i < BLOCK - 2; i++)
		assert_int_equal(sargs_store_audit_append(other, &r), SARGS_OK);
	assert_int_equal(sargs_store_commit(other, &err), SARGS_OK);
	sargs_store_close(other);
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == end + 2 * BLOCK);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(bloom_rows(f->path), 6 * 64);
	/* the person's entries after the fixture's, found through the new
	 * blocks' filters: every one appended and kept, none undone */
	{
		struct sargs_store_audit_filter flt = subject_filter(r.subject_id);
		struct got *g = calloc(1, sizeof(*g));

		assert_non_null(g);
		flt.after_seq = ENTRIES;
		assert_int_equal(sargs_store_audit_scan(f->st, &flt, collect, g), SARGS_OK);
		assert_int_equal(g->n, need + 2 * BLOCK);
		for (int i = 0; i < g->n; i++)
			assert_true(g->seqs[i] == ENTRIES + 1 + i);
		free(g);
	}
}

/* Entries appended after the filters: a new block fills and gets its own. */
static void test_later_blocks(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;
	struct sargs_store_audit_filter flt;
	struct got *g = calloc(1, sizeof(*g));
	char subj[64];
	int before;

	assert_non_null(g);
	flt = subject_filter("0190a5e2-7b1c-7d3e-8f00-000000000001");
	assert_int_equal(sargs_store_audit_scan(f->st, &flt, collect, g), SARGS_OK);
	before = g->n;
	/* BLOCK more entries for one subject: the unfinished block fills */
	(void)snprintf(subj, sizeof(subj), "%s", flt.subject_id);
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	for (int i = 0; i < BLOCK; i++) {
		struct sargs_store_audit_row r;

		memset(&r, 0, sizeof(r));
		r.time_us = 5000;
		r.actor = "system";
		r.action = "subject.read";
		r.subject_id = subj;
		assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	}
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(bloom_rows(f->path), 4 * 64); /* the fourth block filled */
	memset(g, 0, sizeof(*g));
	assert_int_equal(sargs_store_audit_scan(f->st, &flt, collect, g), SARGS_OK);
	assert_int_equal(g->n, before + BLOCK);
	for (int i = 1; i < g->n; i++)
		assert_true(g->seqs[i] > g->seqs[i - 1]);
	free(g);
}

/* A register of schema 6 (an index on the subject, no filters) with
 * entries in it: opening it makes the filters of its full blocks, and the
 * scan is right. */
static void test_migration_from_schema_6(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;
	sqlite3 *db;

	sargs_store_close(f->st);
	f->st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sql(db, "DROP TABLE audit_bloom;"
		"CREATE INDEX audit_by_subject ON audit(subject_id) WHERE subject_id IS NOT NULL;"
		"PRAGMA user_version = 6;");
	sqlite3_close(db);

	assert_int_equal(sargs_store_open(f->path, 0, &f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_schema_version(f->st), SARGS_SCHEMA_VERSION);
	check_all_filters(f->st);

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	/* three full blocks, 64 slices each; the index is gone */
	assert_int_equal(count_rows(db, "SELECT count(*) FROM audit_bloom"), 3 * 64);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_schema"
					" WHERE name = 'audit_by_subject'"),
			 0);
	sqlite3_close(db);
}

/* Filter rows that went missing (edited by hand) make the scan read those
 * blocks whole: an entry is never skipped on a filter's absence. */
static void test_missing_filters_are_read_whole(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_audit_filter flt;
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sql(db, "DELETE FROM audit_bloom WHERE block = 1;");
	sqlite3_close(db);
	flt = subject_filter("0190a5e2-7b1c-7d3e-8f00-000000000002");
	check(f->st, &flt, 0, "block 1 without filters");
}

/* Index check and repair (sargs_store_audit_index_check/_repair). */
static void index_check(struct sargs_store *st, int64_t want_bad, int64_t want_first)
{
	int64_t bad = -1, first = -1;
	struct sargs_err err;

	assert_int_equal(sargs_store_begin_read(st, &err), SARGS_OK);
	assert_int_equal(sargs_store_audit_index_check(st, &bad, &first), SARGS_OK);
	assert_int_equal(sargs_store_commit(st, &err), SARGS_OK);
	if (bad != want_bad || first != want_first)
		fail_msg("index check: %lld bad from seq %lld, expected %lld from %lld",
			 (long long)bad, (long long)first, (long long)want_bad, (long long)want_first);
}

static int64_t index_repair(struct sargs_store *st, int64_t *parts)
{
	int64_t cursor = 0, repaired = 0;
	int done = 0;
	struct sargs_err err;

	*parts = 0;
	while (!done) {
		int changed = 0;

		assert_int_equal(sargs_store_begin(st, &err), SARGS_OK);
		assert_int_equal(sargs_store_audit_index_repair(st, &cursor, &changed, &done),
				 SARGS_OK);
		assert_int_equal(sargs_store_commit(st, &err), SARGS_OK);
		repaired += changed;
		*parts += !done;
	}
	return repaired;
}

static void forge(const char *path, const char *q)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sql(db, q);
	sqlite3_close(db);
}

/* Mission §9 (004 §18h): a filter that lost a person's bits would hide
 * that person's entries from their trail; the check names the part, the
 * repair makes it anew from the entries, and every search is right again. */
static void test_index_damage_found_and_repaired(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_audit_filter flt = subject_filter("0190a5e2-7b1c-7d3e-8f00-000000000007");
	struct got *g = calloc(1, sizeof(*g));
	int64_t want[ENTRIES], parts = 0;
	int n;

	assert_non_null(g);
	index_check(f->st, 0, 0);
	assert_int_equal(index_repair(f->st, &parts), 0); /* sound: nothing rewritten */
	assert_int_equal(parts, 3);

	/* block 1 forgets everyone: subject 7's entries there go missing */
	forge(f->path, "UPDATE audit_bloom SET bits = zeroblob(128) WHERE block = 1");
	n = expected(&flt, want, 0);
	assert_int_equal(sargs_store_audit_scan(f->st, &flt, collect, g), SARGS_OK);
	assert_true(g->n < n);
	index_check(f->st, 1, BLOCK + 1);
	assert_int_equal(index_repair(f->st, &parts), 1);
	index_check(f->st, 0, 0);
	check_all_filters(f->st);

	/* rows gone, a short row, a row of no slice, one of the unfinished
	 * block (it would end the filtered part there and hide that block) */
	forge(f->path, "DELETE FROM audit_bloom WHERE block = 0 AND slice < 5;"
		       "UPDATE audit_bloom SET bits = x'00' WHERE block = 2 AND slice = 9;"
		       "INSERT INTO audit_bloom VALUES(64, 1, zeroblob(128));"
		       "INSERT INTO audit_bloom VALUES(3, 1.5, zeroblob(128));"
		       "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 63)"
		       " INSERT INTO audit_bloom SELECT i, 3, zeroblob(128) FROM s;");
	memset(g, 0, sizeof(*g));
	assert_int_equal(sargs_store_audit_scan(f->st, &flt, collect, g), SARGS_OK);
	assert_true(g->n < n);
	index_check(f->st, 3, 1);
	assert_int_equal(index_repair(f->st, &parts), 3);
	assert_int_equal(parts, 3);
	index_check(f->st, 0, 0);
	assert_int_equal(bloom_rows(f->path), 3 * 64);
	check_all_filters(f->st);
	free(g);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, open_fixture, close_fixture)
	const struct CMUnitTest tests[] = {
		T(test_subject_scan_matches_the_trail),
		T(test_later_blocks),
		T(test_block_end_rolled_back),
		T(test_last_seq_known_and_forgotten),
		T(test_migration_from_schema_6),
		T(test_missing_filters_are_read_whole),
		T(test_index_damage_found_and_repaired),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
