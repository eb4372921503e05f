/*
 * test_store_map.c — the server's read path through the store: pages of the
 * database file served from the whole-file map (store/sqlite_map.h) on a
 * connection tuned as a server reader, and the log syncer
 * (sargs_store_log_sync_open) that lets the server's writer commit without
 * waiting for the disk.
 *
 * A reader must see exactly what a writer committed: values written before
 * the map was made, values written after the file grew past it, and values
 * overwritten in place. The map's page counter shows the pages really came
 * from the map (a test that passed through SQLite's ordinary reads would
 * prove nothing).
 */
#include "testutil.h"

#include "store/sqlite_map.h"
#include "store/store.h"
#include "store/store_auth.h"
#include "util/fsutil.h"
#include "util/rc.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define VALUE_BYTES 1500 /* a little over a third of a page: many pages */

struct fixture {
	char dir[512];
	char path[1024];
	struct sargs_store *writer;
	struct sargs_store *reader;
};

static int open_fixture(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sargs_err err;

	if (f == NULL)
		return -1;
	test_tmpdir("store_map", f->dir, sizeof(f->dir));
	if (sargs_fs_join(f->path, sizeof(f->path), f->dir, "register.db") != SARGS_OK ||
	    sargs_store_open(f->path, 1, &f->writer, &err) != SARGS_OK ||
	    sargs_store_open(f->path, 0, &f->reader, &err) != SARGS_OK) {
		free(f);
		return -1;
	}
	sargs_store_tune_server(f->writer, 1);
	sargs_store_tune_server(f->reader, 0);
	*state = f;
	return 0;
}

static int close_fixture(void **state)
{
	struct fixture *f = *state;

	sargs_store_close(f->reader);
	sargs_store_close(f->writer);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

static void value_of(int i, int version, char *out)
{
	int n = snprintf(out, VALUE_BYTES, "value %d version %d ", i, version);

	for (int k = n; k < VALUE_BYTES - 1; k++)
		out[k] = (char)('a' + (i * 7 + k + version) % 26);
	out[VALUE_BYTES - 1] = '\0';
}

/* Writes values from..to-1 (their given version) in one transaction. */
static void put_values(struct sargs_store *st, int from, int to, int version)
{
	struct sargs_err err;
	char key[32], v[VALUE_BYTES];

	assert_int_equal(sargs_store_begin(st, &err), SARGS_OK);
	for (int i = from; i < to; i++) {
		(void)snprintf(key, sizeof(key), "k%06d", i);
		value_of(i, version, v);
		assert_int_equal(sargs_store_meta_put(st, key, v, strlen(v)), SARGS_OK);
	}
	assert_int_equal(sargs_store_commit(st, &err), SARGS_OK);
}

/* Copies the log into the database file: only pages there come from the map
 * (pages still in the log are read from the log). */
static void to_database(struct sargs_store *st)
{
	int frames = 0, left = 0;

	assert_int_equal(sargs_store_checkpoint(st, &frames, &left), SARGS_OK);
	assert_int_equal(left, 0);
}

/* Reads values from..to-1 on st in one snapshot; each must be its version. */
static void expect_values(struct sargs_store *st, int from, int to, int version)
{
	struct sargs_err err;
	char key[32], v[VALUE_BYTES];

	assert_int_equal(sargs_store_begin_read(st, &err), SARGS_OK);
	for (int i = from; i < to; i++) {
		unsigned char *got = NULL;
		size_t n = 0;

		(void)snprintf(key, sizeof(key), "k%06d", i);
		value_of(i, version, v);
		assert_int_equal(sargs_store_meta_get(st, key, &got, &n), SARGS_OK);
		assert_int_equal(n, strlen(v));
		assert_memory_equal(got, v, n);
		free(got);
	}
	assert_int_equal(sargs_store_commit(st, &err), SARGS_OK);
}

static void test_reader_pages_come_from_the_map(void **state)
{
	struct fixture *f = *state;
	uint64_t before;

	put_values(f->writer, 0, 2000, 1);
	to_database(f->writer);
	before = sq_map_pages();
	expect_values(f->reader, 0, 2000, 1);
	/* some 1000 pages of values: nearly all of them from the map */
	assert_true(sq_map_pages() - before > 500);
}

static void test_reader_sees_the_file_grow(void **state)
{
	struct fixture *f = *state;
	uint64_t before;

	put_values(f->writer, 0, 500, 1);
	to_database(f->writer);
	expect_values(f->reader, 0, 500, 1); /* the map is made, its size seen */
	/* the file grows well past what the reader saw */
	for (int b = 500; b < 4500; b += 500) {
		put_values(f->writer, b, b + 500, 1);
		to_database(f->writer);
	}
	before = sq_map_pages();
	expect_values(f->reader, 0, 4500, 1);
	assert_true(sq_map_pages() - before > 1000);
}

static void test_reader_sees_overwrites(void **state)
{
	struct fixture *f = *state;

	put_values(f->writer, 0, 1000, 1);
	to_database(f->writer);
	expect_values(f->reader, 0, 1000, 1);
	put_values(f->writer, 0, 1000, 2);
	/* still in the log: read from there */
	expect_values(f->reader, 0, 1000, 2);
	to_database(f->writer);
	/* in the database file now: from the map, the new content */
	expect_values(f->reader, 0, 1000, 2);
}

/* Two readers share the file's one mapping; when one closes, the other
 * still reads from it (the mapping goes with its last user only). */
static void test_readers_share_the_map(void **state)
{
	struct fixture *f = *state;
	struct sargs_store *second = NULL;
	struct sargs_err err;
	uint64_t before;

	put_values(f->writer, 0, 1500, 1);
	to_database(f->writer);
	assert_int_equal(sargs_store_open(f->path, 0, &second, &err), SARGS_OK);
	sargs_store_tune_server(second, 0);
	expect_values(second, 0, 1500, 1);
	expect_values(f->reader, 0, 1500, 1);
	sargs_store_close(second);
	put_values(f->writer, 0, 1500, 2);
	to_database(f->writer);
	before = sq_map_pages();
	expect_values(f->reader, 0, 1500, 2);
	assert_true(sq_map_pages() - before > 500);
}

/* The database file shrinks under a reader that mapped it (most rows
 * deleted, VACUUM, the log copied back: the file is cut): the reader reads
 * what is left from the map, without touching the cut-off part (which
 * would stop the process), and sees the file grow again. */
static void test_reader_after_the_file_shrinks(void **state)
{
	struct fixture *f = *state;
	struct stat big, small, regrown;
	sqlite3 *db = NULL;
	uint64_t before;

	put_values(f->writer, 0, 4000, 1);
	to_database(f->writer);
	expect_values(f->reader, 0, 4000, 1); /* mapped, its size seen */
	assert_int_equal(stat(f->path, &big), 0);

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "DELETE FROM meta WHERE key >= 'k000500'; VACUUM;", NULL,
				      NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(sargs_store_compact_log(f->writer), SARGS_OK);
	assert_int_equal(stat(f->path, &small), 0);
	assert_true(small.st_size < big.st_size / 4);

	before = sq_map_pages();
	expect_values(f->reader, 0, 500, 1);
	assert_true(sq_map_pages() - before > 100);

	put_values(f->writer, 500, 4000, 2);
	to_database(f->writer);
	assert_int_equal(stat(f->path, &regrown), 0);
	assert_true(regrown.st_size > small.st_size * 4);
	before = sq_map_pages();
	expect_values(f->reader, 0, 500, 1);
	expect_values(f->reader, 500, 4000, 2);
	assert_true(sq_map_pages() - before > 1000);
}

static void test_writer_does_not_use_the_map(void **state)
{
	struct fixture *f = *state;
	uint64_t before;

	put_values(f->writer, 0, 1000, 1);
	to_database(f->writer);
	before = sq_map_pages();
	expect_values(f->writer, 0, 1000, 1);
	assert_true(sq_map_pages() == before);
}

struct syncer_arg {
	struct sargs_log_sync *ls;
	int rounds;
	int failures;
};

static void *sync_loop(void *arg)
{
	struct syncer_arg *a = arg;
	struct sargs_err err;

	for (int i = 0; i < a->rounds; i++)
		if (sargs_store_log_sync(a->ls, &err) != SARGS_OK)
			a->failures++;
	return NULL;
}

/* The syncer runs on another thread while the writer commits; every commit
 * is there for a reader and after a reopen. */
static void test_log_sync_alongside_commits(void **state)
{
	struct fixture *f = *state;
	struct syncer_arg a = {NULL, 200, 0};
	struct sargs_err err;
	pthread_t t;

	assert_int_equal(sargs_store_log_sync_open(f->writer, &a.ls, &err), SARGS_OK);
	assert_int_equal(pthread_create(&t, NULL, sync_loop, &a), 0);
	for (int b = 0; b < 2000; b += 100)
		put_values(f->writer, b, b + 100, 3);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_int_equal(a.failures, 0);
	assert_int_equal(sargs_store_log_sync(a.ls, &err), SARGS_OK);
	sargs_store_log_sync_close(a.ls);
	sargs_store_log_sync_close(NULL); /* accepts NULL */
	expect_values(f->reader, 0, 2000, 3);

	sargs_store_close(f->writer);
	f->writer = NULL;
	assert_int_equal(sargs_store_open(f->path, 0, &f->writer, &err), SARGS_OK);
	expect_values(f->writer, 0, 2000, 3);
}

/* A syncer can be opened again after it was closed (the server restarts its
 * worker on the same connection only through close and open). */
static void test_log_sync_reopen(void **state)
{
	struct fixture *f = *state;
	struct sargs_log_sync *ls = NULL;
	struct sargs_err err;

	for (int i = 0; i < 3; i++) {
		assert_int_equal(sargs_store_log_sync_open(f->writer, &ls, &err), SARGS_OK);
		put_values(f->writer, i * 10, i * 10 + 10, 1);
		assert_int_equal(sargs_store_log_sync(ls, &err), SARGS_OK);
		sargs_store_log_sync_close(ls);
	}
	expect_values(f->reader, 0, 30, 1);
}

/* ---- the token memo (sargs_store_token_get_hash in a read-only
 * transaction): a request's token is found without a query while nothing
 * was committed, and never outlives a change */

static struct sargs_store_token a_token(const char *name, unsigned char h)
{
	struct sargs_store_token t;

	memset(&t, 0, sizeof(t));
	(void)snprintf(t.name, sizeof(t.name), "%s", name);
	memset(t.hash, h, sizeof(t.hash));
	(void)snprintf(t.actions, sizeof(t.actions), "subject.read");
	(void)snprintf(t.purposes, sizeof(t.purposes), "service");
	t.created_us = 1000;
	return t;
}

/* Looks the hash up on st in a read-only transaction of its own, as the
 * server's readers do; returns the lookup's code, the row in *out. */
static enum sargs_rc read_token(struct sargs_store *st, unsigned char h,
				struct sargs_store_token *out)
{
	unsigned char hash[SARGS_STORE_AUTH_HASH];
	struct sargs_err err;
	enum sargs_rc rc;

	memset(hash, h, sizeof(hash));
	assert_int_equal(sargs_store_begin_read(st, &err), SARGS_OK);
	rc = sargs_store_token_get_hash(st, hash, out);
	assert_int_equal(sargs_store_commit(st, &err), SARGS_OK);
	return rc;
}

static void add_token(struct sargs_store *st, const char *name, unsigned char h)
{
	struct sargs_store_token t = a_token(name, h);
	struct sargs_err err;

	assert_int_equal(sargs_store_begin(st, &err), SARGS_OK);
	assert_int_equal(sargs_store_token_add(st, &t), SARGS_OK);
	assert_int_equal(sargs_store_commit(st, &err), SARGS_OK);
}

static void revoke_token(struct sargs_store *st, const char *name)
{
	struct sargs_err err;

	assert_int_equal(sargs_store_begin(st, &err), SARGS_OK);
	assert_int_equal(sargs_store_token_revoke(st, name, 5000, NULL), SARGS_OK);
	assert_int_equal(sargs_store_commit(st, &err), SARGS_OK);
}

static void test_token_memo_serves_repeats(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_token got;
	unsigned long long hits;

	add_token(f->writer, "shop", 0x11);
	add_token(f->writer, "crm", 0x22);
	hits = sargs_store_token_memo_hits(f->reader);
	assert_int_equal(read_token(f->reader, 0x11, &got), SARGS_OK);
	assert_int_equal(sargs_store_token_memo_hits(f->reader), hits); /* the first: a query */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(read_token(f->reader, 0x11, &got), SARGS_OK);
		assert_string_equal(got.name, "shop");
		assert_string_equal(got.actions, "subject.read");
		assert_int_equal(got.revoked_us, 0);
	}
	assert_int_equal(sargs_store_token_memo_hits(f->reader), hits + 3);
	/* another hash is looked up, and a hash no token has is never remembered */
	assert_int_equal(read_token(f->reader, 0x22, &got), SARGS_OK);
	assert_string_equal(got.name, "crm");
	assert_int_equal(read_token(f->reader, 0x33, &got), SARGS_E_NOTFOUND);
	assert_int_equal(read_token(f->reader, 0x33, &got), SARGS_E_NOTFOUND);
	assert_int_equal(sargs_store_token_memo_hits(f->reader), hits + 3);
	/* outside a transaction: always a query */
	{
		unsigned char hash[SARGS_STORE_AUTH_HASH];

		memset(hash, 0x22, sizeof(hash));
		assert_int_equal(sargs_store_token_get_hash(f->reader, hash, &got), SARGS_OK);
		assert_int_equal(sargs_store_token_get_hash(f->reader, hash, &got), SARGS_OK);
		assert_int_equal(sargs_store_token_memo_hits(f->reader), hits + 3);
	}
}

/* Mission §3 (004 §18i): a revoked token stops working at once, for a
 * server's reader too: a revocation committed by another connection (the
 * CLI, the server's worker) ends the memo, and so does a commit of anything
 * else (the memo is then read again, not trusted). */
static void test_token_memo_ends_with_a_revocation_elsewhere(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_token got;
	unsigned long long hits;

	add_token(f->writer, "shop", 0x11);
	assert_int_equal(read_token(f->reader, 0x11, &got), SARGS_OK);
	assert_int_equal(read_token(f->reader, 0x11, &got), SARGS_OK);
	hits = sargs_store_token_memo_hits(f->reader);
	assert_true(hits > 0);
	revoke_token(f->writer, "shop");
	assert_int_equal(read_token(f->reader, 0x11, &got), SARGS_OK);
	assert_int_equal(got.revoked_us, 5000);
	assert_int_equal(sargs_store_token_memo_hits(f->reader), hits);
	/* any other commit ends it too */
	put_values(f->writer, 0, 1, 1);
	assert_int_equal(read_token(f->reader, 0x11, &got), SARGS_OK);
	assert_int_equal(sargs_store_token_memo_hits(f->reader), hits);
	assert_int_equal(got.revoked_us, 5000);
}

/* A token changed through the same connection (whose own commits leave its
 * data version alone) is read again too. */
static void test_token_memo_ends_with_an_own_change(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_token got;
	struct sargs_store *own = NULL;
	struct sargs_err err;
	unsigned long long hits;

	/* a connection that both reads and writes (not a server reader,
	 * which cannot write) */
	assert_int_equal(sargs_store_open(f->path, 0, &own, &err), SARGS_OK);
	add_token(own, "shop", 0x11);
	assert_int_equal(read_token(own, 0x11, &got), SARGS_OK);
	assert_int_equal(read_token(own, 0x11, &got), SARGS_OK);
	assert_int_equal(got.revoked_us, 0);
	hits = sargs_store_token_memo_hits(own);
	assert_true(hits > 0);
	revoke_token(own, "shop");
	assert_int_equal(read_token(own, 0x11, &got), SARGS_OK);
	assert_int_equal(got.revoked_us, 5000);
	assert_int_equal(sargs_store_token_memo_hits(own), hits);
	/* a token added and looked up in a write transaction that is then
	 * rolled back is not remembered */
	{
		struct sargs_store_token t = a_token("gone", 0x44);
		unsigned char hash[SARGS_STORE_AUTH_HASH];

		memset(hash, 0x44, sizeof(hash));
		assert_int_equal(sargs_store_begin(own, &err), SARGS_OK);
		assert_int_equal(sargs_store_token_add(own, &t), SARGS_OK);
		assert_int_equal(sargs_store_token_get_hash(own, hash, &got), SARGS_OK);
		sargs_store_rollback(own);
		assert_int_equal(read_token(own, 0x44, &got), SARGS_E_NOTFOUND);
	}
	sargs_store_close(own);
}

/* A server reader writes nothing: a write is refused and changes nothing,
 * its nested levels (counted, not savepoints) balance whichever way they
 * end, and it can still copy the log into the database (the server's
 * background checkpoint runs on such a connection). */
static void test_reader_writes_nothing(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;
	unsigned char *got = NULL;
	size_t n = 0;
	int frames = -1, left = -1;

	put_values(f->writer, 0, 50, 1);
	assert_int_equal(sargs_store_begin_read(f->reader, &err), SARGS_OK);
	assert_int_equal(sargs_store_begin_read(f->reader, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(f->reader), 2);
	assert_int_not_equal(sargs_store_meta_put(f->reader, "k000001", "x", 1), SARGS_OK);
	sargs_store_rollback(f->reader);
	assert_int_equal(sargs_store_depth(f->reader), 1);
	assert_int_equal(sargs_store_begin_read(f->reader, &err), SARGS_OK);
	assert_int_equal(sargs_store_meta_get(f->reader, "k000002", &got, &n), SARGS_OK);
	free(got);
	assert_int_equal(sargs_store_commit(f->reader, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(f->reader), 1);
	assert_int_equal(sargs_store_commit(f->reader, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(f->reader), 0);
	/* a write transaction cannot even begin */
	assert_int_not_equal(sargs_store_begin(f->reader, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(f->reader), 0);
	expect_values(f->reader, 0, 50, 1);
	assert_int_equal(sargs_store_checkpoint(f->reader, &frames, &left), SARGS_OK);
	assert_true(frames > 0);
	assert_int_equal(left, 0);
}

/* After a failed sync (recorded by the engine; here by hand) nothing may
 * vouch for durability or shorten the log: flushes, syncs, the background
 * copy, the log's restart and its truncation all refuse, and say why. The
 * record lasts for the process, so this test runs last. */
static void test_after_a_failed_sync(void **state)
{
	struct fixture *f = *state;
	struct sargs_log_sync *ls = NULL;
	struct sargs_err err;
	int frames = 0, left = 0, restarted = 1;

	put_values(f->writer, 0, 100, 1);
	assert_int_equal(sargs_store_log_sync_open(f->writer, &ls, &err), SARGS_OK);
	assert_int_equal(sargs_store_log_sync(ls, &err), SARGS_OK);
	assert_int_equal(sargs_store_log_flush(f->reader), SARGS_OK);
	assert_false(sargs_store_sync_failed());

	sargs_store_sync_fail();
	assert_true(sargs_store_sync_failed());
	assert_int_equal(sargs_store_log_sync(ls, &err), SARGS_E_IO);
	assert_non_null(strstr(err.msg, "failed earlier"));
	assert_int_equal(sargs_store_log_flush(f->reader), SARGS_E_IO);
	assert_int_equal(sargs_store_checkpoint(f->writer, &frames, &left), SARGS_E_IO);
	assert_non_null(strstr(sargs_store_errmsg(f->writer), "the log is kept"));
	assert_int_equal(sargs_store_log_restart(f->writer, &restarted), SARGS_E_IO);
	assert_int_equal(restarted, 0);
	assert_int_equal(sargs_store_compact_log(f->writer), SARGS_E_IO);
	sargs_store_log_sync_close(ls);
	/* what was committed is still there to read */
	expect_values(f->reader, 0, 100, 1);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, open_fixture, close_fixture)
	const struct CMUnitTest tests[] = {
		T(test_reader_pages_come_from_the_map),
		T(test_reader_sees_the_file_grow),
		T(test_reader_sees_overwrites),
		T(test_readers_share_the_map),
		T(test_reader_after_the_file_shrinks),
		T(test_writer_does_not_use_the_map),
		T(test_log_sync_alongside_commits),
		T(test_log_sync_reopen),
		T(test_token_memo_serves_repeats),
		T(test_token_memo_ends_with_a_revocation_elsewhere),
		T(test_token_memo_ends_with_an_own_change),
		T(test_reader_writes_nothing),
		T(test_after_a_failed_sync), /* last: its record lasts */
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
