/*
 * test_store.c — unit tests of src/store through its public interface only
 * (store.h): opening and migrating, nested transactions, meta values, the
 * purpose registry, subjects, purpose links, the blind index, erasure and
 * its ledger, and the append-only audit table.
 *
 * Not covered here: refusing a database whose schema (user_version) is newer
 * than SARGS_SCHEMA_VERSION with SARGS_E_SCHEMA. Setting user_version needs
 * SQL, which this test never writes (no sqlite3.h outside src/store); the
 * CLI test cli_schema.sh covers it with the sqlite3 command-line tool.
 */
#include "testutil.h"

#include "store/store.h"
#include "util/fsutil.h"
#include "util/rc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

struct fixture {
	char dir[512];
	char path[1024];
	struct sargs_store *st;
};

static int open_fixture(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sargs_err err;

	if (f == NULL)
		return -1;
	test_tmpdir("store", f->dir, sizeof(f->dir));
	if (sargs_fs_join(f->path, sizeof(f->path), f->dir, "register.db") != SARGS_OK ||
	    sargs_store_open(f->path, 1, &f->st, &err) != SARGS_OK) {
		free(f);
		return -1;
	}
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

/* Closes and opens the store again (create = 0): what was committed stays. */
static void reopen(struct fixture *f)
{
	struct sargs_err err;

	sargs_store_close(f->st);
	f->st = NULL;
	if (sargs_store_open(f->path, 0, &f->st, &err) != SARGS_OK)
		fail_msg("reopen failed: %s", err.msg);
}

static int has_meta(struct sargs_store *st, const char *key)
{
	unsigned char *v = NULL;
	size_t n = 0;
	enum sargs_rc rc = sargs_store_meta_get(st, key, &v, &n);

	free(v);
	if (rc != SARGS_OK && rc != SARGS_E_NOTFOUND)
		fail_msg("meta_get(%s) failed with rc %d", key, rc);
	return rc == SARGS_OK;
}

/* ---- opening ------------------------------------------------------------ */

static void test_open_create_migrates(void **state)
{
	char dir[512], path[1024];
	struct sargs_store *st = NULL;
	struct sargs_err err;
	struct stat sb;

	(void)state;
	test_tmpdir("store-open", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "new.db"), SARGS_OK);
	assert_int_equal(sargs_store_open(path, 1, &st, &err), SARGS_OK);
	assert_non_null(st);
	assert_int_equal(sargs_store_schema_version(st), SARGS_SCHEMA_VERSION);
	assert_string_equal(sargs_store_engine(st), "sqlite");
	assert_int_equal(sargs_store_depth(st), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0); /* nobody else's business */
	sargs_store_close(st);
	st = NULL;
	/* opening the migrated file without create works and keeps the version */
	assert_int_equal(sargs_store_open(path, 0, &st, &err), SARGS_OK);
	assert_int_equal(sargs_store_schema_version(st), SARGS_SCHEMA_VERSION);
	sargs_store_close(st);
	st = NULL;
	/* and with create again (idempotent) */
	assert_int_equal(sargs_store_open(path, 1, &st, &err), SARGS_OK);
	assert_int_equal(sargs_store_schema_version(st), SARGS_SCHEMA_VERSION);
	sargs_store_close(st);
	sargs_store_close(NULL);
	test_rmtree(dir);
}

static void test_open_missing(void **state)
{
	char dir[512], path[1024];
	struct sargs_store *st = NULL;
	struct sargs_err err;

	(void)state;
	test_tmpdir("store-missing", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "absent.db"), SARGS_OK);
	memset(&err, 0, sizeof(err));
	assert_int_not_equal(sargs_store_open(path, 0, &st, &err), SARGS_OK);
	assert_null(st);
	assert_int_not_equal(err.rc, SARGS_OK);
	assert_true(strlen(err.msg) > 0);
	assert_false(sargs_fs_exists(path)); /* nothing was created */
	/* a directory that does not exist, even with create */
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "nodir/absent.db"), SARGS_OK);
	assert_int_not_equal(sargs_store_open(path, 1, &st, &err), SARGS_OK);
	assert_null(st);
	test_rmtree(dir);
}

static void test_open_not_a_database(void **state)
{
	char dir[512], path[1024];
	unsigned char garbage[8192];
	struct sargs_store *st = NULL;
	struct sargs_err err;

	(void)state;
	test_tmpdir("store-garbage", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "garbage.db"), SARGS_OK);
	for (size_t i = 0; i < sizeof(garbage); i++)
		garbage[i] = (unsigned char)(i * 151 + 7);
	assert_int_equal(sargs_fs_write_atomic(path, garbage, sizeof(garbage), 0600, 0, &err),
			 SARGS_OK);
	for (int create = 0; create <= 1; create++) {
		memset(&err, 0, sizeof(err));
		assert_int_equal(sargs_store_open(path, create, &st, &err), SARGS_E_SCHEMA);
		assert_null(st);
		assert_int_equal(err.rc, SARGS_E_SCHEMA);
		assert_non_null(strstr(err.msg, "register database"));
	}
	/* an empty file has no schema: not a register, unless creating */
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "empty.db"), SARGS_OK);
	assert_int_equal(sargs_fs_write_atomic(path, "", 0, 0600, 0, &err), SARGS_OK);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sargs_store_open(path, 0, &st, &err), SARGS_E_SCHEMA);
	assert_null(st);
	assert_non_null(strstr(err.msg, "not a Sargs register"));
	test_rmtree(dir);
}

/* ---- transactions --------------------------------------------------------- */

static void test_nested_inner_rollback(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;

	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(f->st), 1);
	assert_int_equal(sargs_store_meta_put(f->st, "outer1", "o", 1), SARGS_OK);
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(f->st), 2);
	assert_int_equal(sargs_store_meta_put(f->st, "inner", "i", 1), SARGS_OK);
	assert_true(has_meta(f->st, "inner"));
	sargs_store_rollback(f->st);
	assert_int_equal(sargs_store_depth(f->st), 1);
	assert_false(has_meta(f->st, "inner"));
	assert_true(has_meta(f->st, "outer1"));
	/* the outer transaction goes on after the inner one failed */
	assert_int_equal(sargs_store_meta_put(f->st, "outer2", "o", 1), SARGS_OK);
	/* an inner level that commits is kept with the outer one */
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_meta_put(f->st, "inner_kept", "k", 1), SARGS_OK);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(f->st), 1);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(f->st), 0);

	reopen(f);
	assert_true(has_meta(f->st, "outer1"));
	assert_true(has_meta(f->st, "outer2"));
	assert_true(has_meta(f->st, "inner_kept"));
	assert_false(has_meta(f->st, "inner"));
}

static void test_nested_three_levels(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;

	/* level 3 rolled back, level 2 committed, level 1 committed */
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_meta_put(f->st, "l1", "1", 1), SARGS_OK);
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_meta_put(f->st, "l2", "2", 1), SARGS_OK);
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(f->st), 3);
	assert_int_equal(sargs_store_meta_put(f->st, "l3", "3", 1), SARGS_OK);
	assert_int_equal(sargs_store_meta_put(f->st, "l1", "x", 1), SARGS_OK);
	sargs_store_rollback(f->st);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(f->st), 0);
	reopen(f);
	assert_true(has_meta(f->st, "l1"));
	assert_true(has_meta(f->st, "l2"));
	assert_false(has_meta(f->st, "l3"));
	{
		unsigned char *v = NULL;
		size_t n = 0;

		assert_int_equal(sargs_store_meta_get(f->st, "l1", &v, &n), SARGS_OK);
		assert_int_equal(n, 1);
		assert_int_equal(v[0], '1'); /* the inner overwrite was undone */
		free(v);
	}
}

static void test_outer_rollback_discards_all(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;

	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_meta_put(f->st, "a", "a", 1), SARGS_OK);
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_meta_put(f->st, "b", "b", 1), SARGS_OK);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK); /* inner */
	sargs_store_rollback(f->st);                                  /* outer */
	assert_int_equal(sargs_store_depth(f->st), 0);
	assert_false(has_meta(f->st, "a"));
	assert_false(has_meta(f->st, "b"));
	/* rollback outside a transaction is harmless */
	sargs_store_rollback(f->st);
	assert_int_equal(sargs_store_depth(f->st), 0);
	reopen(f);
	assert_false(has_meta(f->st, "a"));
	assert_false(has_meta(f->st, "b"));
}

static void test_close_rolls_back(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;

	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_meta_put(f->st, "committed", "c", 1), SARGS_OK);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_meta_put(f->st, "open", "o", 1), SARGS_OK);
	reopen(f); /* closes with two levels open */
	assert_true(has_meta(f->st, "committed"));
	assert_false(has_meta(f->st, "open"));
	assert_int_equal(sargs_store_depth(f->st), 0);
}

/* ---- meta ------------------------------------------------------------------ */

static void test_meta(void **state)
{
	struct fixture *f = *state;
	static const unsigned char bin[] = {0x00, 0xff, 0x00, 0x41, 0x00};
	unsigned char *v = NULL;
	size_t n = 99;

	assert_int_equal(sargs_store_meta_get(f->st, "nothing", &v, &n), SARGS_E_NOTFOUND);
	assert_null(v);
	/* binary with NUL bytes, byte-exact */
	assert_int_equal(sargs_store_meta_put(f->st, "bin", bin, sizeof(bin)), SARGS_OK);
	assert_int_equal(sargs_store_meta_get(f->st, "bin", &v, &n), SARGS_OK);
	assert_int_equal(n, sizeof(bin));
	assert_memory_equal(v, bin, sizeof(bin));
	assert_int_equal(v[n], 0); /* NUL-terminated for convenience */
	free(v);
	v = NULL;
	/* overwrite with a longer text value */
	assert_int_equal(sargs_store_meta_put(f->st, "bin", "controller", 10), SARGS_OK);
	assert_int_equal(sargs_store_meta_get(f->st, "bin", &v, &n), SARGS_OK);
	assert_int_equal(n, 10);
	assert_string_equal((char *)v, "controller");
	free(v);
	v = NULL;
	/* an empty value exists and is empty */
	assert_int_equal(sargs_store_meta_put(f->st, "empty", "", 0), SARGS_OK);
	assert_int_equal(sargs_store_meta_get(f->st, "empty", &v, &n), SARGS_OK);
	assert_int_equal(n, 0);
	assert_non_null(v);
	assert_int_equal(v[0], 0);
	free(v);
	v = NULL;
	/* keys are exact: no prefix or case folding */
	assert_int_equal(sargs_store_meta_get(f->st, "bi", &v, &n), SARGS_E_NOTFOUND);
	assert_int_equal(sargs_store_meta_get(f->st, "BIN", &v, &n), SARGS_E_NOTFOUND);
	assert_null(v);
	/* out_len may be NULL */
	assert_int_equal(sargs_store_meta_get(f->st, "bin", &v, NULL), SARGS_OK);
	free(v);
	/* durable after reopen */
	reopen(f);
	assert_true(has_meta(f->st, "bin"));
	assert_true(has_meta(f->st, "empty"));
}

/* ---- purpose registry ------------------------------------------------------ */

static void test_registry(void **state)
{
	struct fixture *f = *state;
	char *doc = NULL;
	int64_t version = -1, loaded = -1, v1 = 0, v2 = 0, v3 = 0;

	assert_int_equal(sargs_store_registry_current(f->st, &doc, &version, &loaded),
			 SARGS_E_NOTFOUND);
	assert_null(doc);
	assert_int_equal(sargs_store_registry_put(f->st, 1000, "aa", "{\"v\":1}", &v1), SARGS_OK);
	assert_int_equal(sargs_store_registry_put(f->st, 2000, "bb", "{\"v\":2}", &v2), SARGS_OK);
	/* newest by version, even when its load time is earlier */
	assert_int_equal(sargs_store_registry_put(f->st, 1500, "cc", "{\"v\":3}", &v3), SARGS_OK);
	assert_true(v1 >= 1);
	assert_true(v2 > v1);
	assert_true(v3 > v2);
	assert_int_equal(sargs_store_registry_current(f->st, &doc, &version, &loaded), SARGS_OK);
	assert_string_equal(doc, "{\"v\":3}");
	assert_true(version == v3);
	assert_true(loaded == 1500);
	free(doc);
	doc = NULL;
	/* version and time are optional outputs; out_version too */
	assert_int_equal(sargs_store_registry_put(f->st, 3000, "dd", "", NULL), SARGS_OK);
	assert_int_equal(sargs_store_registry_current(f->st, &doc, NULL, NULL), SARGS_OK);
	assert_string_equal(doc, "");
	free(doc);
	doc = NULL;
	reopen(f);
	assert_int_equal(sargs_store_registry_current(f->st, &doc, &version, &loaded), SARGS_OK);
	assert_true(version == v3 + 1);
	assert_true(loaded == 3000);
	free(doc);
}

/* ---- subjects -------------------------------------------------------------- */

static const unsigned char wrapped1[] = {1, 2, 3, 0, 5, 6, 7, 8, 0, 0xff};
static const unsigned char fields1[] = {0, 0, 0, 0, 0x10, 0x20, 0x30, 0};
static const unsigned char hashes1[] = {3, 0xaa, 0x00, 0xbb, 2, 0xcc, 0xdd};

static struct sargs_store_subject subject(const char *id, int64_t created)
{
	struct sargs_store_subject s = {
		.id = id,
		.created_us = created,
		.updated_us = created,
		.source = "person",
		.wrapped_key = wrapped1,
		.wrapped_key_len = sizeof(wrapped1),
		.fields = fields1,
		.fields_len = sizeof(fields1),
		.index_hashes = hashes1,
		.index_hashes_len = sizeof(hashes1),
	};

	return s;
}

static void test_subject_insert_get(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_subject in = subject("01900000-0000-7000-8000-000000000001", 111), out;
	void *owned = NULL;
	int64_t n = -1;

	assert_int_equal(sargs_store_subject_count(f->st, &n), SARGS_OK);
	assert_true(n == 0);
	assert_int_equal(sargs_store_subject_get(f->st, "01900000-0000-7000-8000-000000000001", &out, &owned), SARGS_E_NOTFOUND);
	assert_null(owned);
	assert_int_equal(sargs_store_subject_insert(f->st, &in), SARGS_OK);
	assert_int_equal(sargs_store_subject_get(f->st, "01900000-0000-7000-8000-000000000001", &out, &owned), SARGS_OK);
	assert_non_null(owned);
	assert_string_equal(out.id, "01900000-0000-7000-8000-000000000001");
	assert_string_equal(out.source, "person");
	assert_true(out.created_us == 111);
	assert_true(out.updated_us == 111);
	assert_int_equal(out.wrapped_key_len, sizeof(wrapped1));
	assert_memory_equal(out.wrapped_key, wrapped1, sizeof(wrapped1));
	assert_int_equal(out.fields_len, sizeof(fields1));
	assert_memory_equal(out.fields, fields1, sizeof(fields1));
	assert_int_equal(out.index_hashes_len, sizeof(hashes1));
	assert_memory_equal(out.index_hashes, hashes1, sizeof(hashes1));
	free(owned);
	owned = NULL;

	/* a duplicate id is refused and the original kept */
	in = subject("01900000-0000-7000-8000-000000000001", 222);
	in.source = "public";
	assert_int_equal(sargs_store_subject_insert(f->st, &in), SARGS_E_EXISTS);
	assert_int_equal(sargs_store_subject_get(f->st, "01900000-0000-7000-8000-000000000001", &out, &owned), SARGS_OK);
	assert_string_equal(out.source, "person");
	assert_true(out.created_us == 111);
	free(owned);
	owned = NULL;

	/* empty fields and no index hashes */
	in = subject("01900000-0000-7000-8000-000000000002", 333);
	in.source = "third_party";
	in.fields = (const unsigned char *)"";
	in.fields_len = 0;
	in.index_hashes = NULL;
	in.index_hashes_len = 0;
	assert_int_equal(sargs_store_subject_insert(f->st, &in), SARGS_OK);
	assert_int_equal(sargs_store_subject_get(f->st, "01900000-0000-7000-8000-000000000002", &out, &owned), SARGS_OK);
	assert_string_equal(out.source, "third_party");
	assert_int_equal(out.fields_len, 0);
	assert_int_equal(out.index_hashes_len, 0);
	assert_memory_equal(out.wrapped_key, wrapped1, sizeof(wrapped1));
	free(owned);
	owned = NULL;

	assert_int_equal(sargs_store_subject_count(f->st, &n), SARGS_OK);
	assert_true(n == 2);
	/* ids are exact */
	assert_int_equal(sargs_store_subject_get(f->st, "s-", &out, &owned), SARGS_E_NOTFOUND);
	assert_int_equal(sargs_store_subject_get(f->st, "S-1", &out, &owned), SARGS_E_NOTFOUND);
	assert_null(owned);
}

static void test_subject_update(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_subject in = subject("01900000-0000-7000-8000-000000000001", 100), out;
	static const unsigned char fields2[] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0xee};
	static const unsigned char hashes2[] = {1, 0x42};
	void *owned = NULL;

	assert_int_equal(sargs_store_subject_insert(f->st, &in), SARGS_OK);
	in.updated_us = 500;
	in.created_us = 999;   /* not changed by update */
	in.source = "public";  /* not changed by update */
	in.fields = fields2;
	in.fields_len = sizeof(fields2);
	in.index_hashes = hashes2;
	in.index_hashes_len = sizeof(hashes2);
	assert_int_equal(sargs_store_subject_update(f->st, &in), SARGS_OK);
	assert_int_equal(sargs_store_subject_get(f->st, "01900000-0000-7000-8000-000000000001", &out, &owned), SARGS_OK);
	assert_true(out.created_us == 100);
	assert_true(out.updated_us == 500);
	assert_string_equal(out.source, "person");
	assert_memory_equal(out.wrapped_key, wrapped1, sizeof(wrapped1));
	assert_int_equal(out.fields_len, sizeof(fields2));
	assert_memory_equal(out.fields, fields2, sizeof(fields2));
	assert_int_equal(out.index_hashes_len, sizeof(hashes2));
	assert_memory_equal(out.index_hashes, hashes2, sizeof(hashes2));
	free(owned);
	/* updating a missing subject */
	in.id = "01900000-0000-7000-8000-000000000404";
	assert_int_equal(sargs_store_subject_update(f->st, &in), SARGS_E_NOTFOUND);
}

struct id_list {
	char ids[16][64];
	int n;
	int stop_after;
};

static int collect_id(void *ctx, const char *id)
{
	struct id_list *l = ctx;

	if (l->n >= 16)
		return 1; /* never assert inside a store callback */
	(void)snprintf(l->ids[l->n++], sizeof(l->ids[0]), "%s", id);
	return l->stop_after > 0 && l->n >= l->stop_after;
}

static void test_subject_ids_order(void **state)
{
	struct fixture *f = *state;
	/* UUIDv7 ids in time order: creation order is id order */
	static const char *const v7[] = {
		"01890a5d-ac96-774b-bcce-b302099a8057",
		"01890a5d-ac97-7000-8000-000000000000",
		"01890a5e-0000-7fff-bfff-ffffffffffff",
		"0190ffff-ffff-7abc-9abc-000000000001",
	};
	struct id_list l;
	struct sargs_store_subject s;

	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_subject_ids(f->st, collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 0);
	/* inserted in a scrambled order, with created_us in id order */
	static const int order[] = {2, 0, 3, 1};

	for (size_t i = 0; i < N_ELEMS(order); i++) {
		s = subject(v7[order[i]], 1000 + order[i]);
		assert_int_equal(sargs_store_subject_insert(f->st, &s), SARGS_OK);
	}
	assert_int_equal(sargs_store_subject_ids(f->st, collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 4);
	for (int i = 0; i < 4; i++)
		assert_string_equal(l.ids[i], v7[i]);
	/* the callback stops the walk */
	memset(&l, 0, sizeof(l));
	l.stop_after = 2;
	assert_int_equal(sargs_store_subject_ids(f->st, collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 2);
}

/*
 * store.h: subject_ids calls cb "in creation order". Ids created in one
 * millisecond (UUIDv7's random tail) or by another scheme are not in id
 * order, so creation order must come from created_us (or insertion), not
 * from sorting ids.
 */
static void test_subject_ids_creation_order(void **state)
{
	struct fixture *f = *state;
	/* created in this order (created_us increasing), ids descending */
	static const char *const created[] = {
		"01890a5d-ac96-7fff-bfff-fffffffffff3",
		"01890a5d-ac96-7fff-bfff-fffffffffff2",
		"01890a5d-ac96-7000-8000-000000000001",
	};
	struct id_list l;

	for (size_t i = 0; i < N_ELEMS(created); i++) {
		struct sargs_store_subject s = subject(created[i], 5000 + (int64_t)i);

		assert_int_equal(sargs_store_subject_insert(f->st, &s), SARGS_OK);
	}
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_subject_ids(f->st, collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 3);
	/* creation order, as store.h promises, even where ids sort otherwise */
	for (int i = 0; i < 3; i++)
		if (strcmp(l.ids[i], created[i]) != 0)
			fail_msg("subject_ids position %d: got %s, created %s", i, l.ids[i],
				 created[i]);
}

/* ---- purpose links ------------------------------------------------------- */

struct link_list {
	char purpose[8][32];
	int64_t at[8];
	int n;
};

static int collect_link(void *ctx, const char *purpose, int64_t v)
{
	struct link_list *l = ctx;

	if (l->n >= 8)
		return 1;
	(void)snprintf(l->purpose[l->n], sizeof(l->purpose[0]), "%s", purpose);
	l->at[l->n++] = v;
	return 0;
}

static void test_links(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_subject a = subject("01900000-0000-7000-8000-000000000a01", 1), b = subject("01900000-0000-7000-8000-000000000b01", 2);
	struct link_list l;

	assert_int_equal(sargs_store_subject_insert(f->st, &a), SARGS_OK);
	assert_int_equal(sargs_store_subject_insert(f->st, &b), SARGS_OK);
	assert_int_equal(sargs_store_link_add(f->st, "01900000-0000-7000-8000-000000000a01", "marketing", 10), SARGS_OK);
	assert_int_equal(sargs_store_link_add(f->st, "01900000-0000-7000-8000-000000000a01", "billing", 20), SARGS_OK);
	/* idempotent: a second add keeps the first time and adds no row */
	assert_int_equal(sargs_store_link_add(f->st, "01900000-0000-7000-8000-000000000a01", "billing", 99), SARGS_OK);
	assert_int_equal(sargs_store_link_add(f->st, "01900000-0000-7000-8000-000000000b01", "billing", 30), SARGS_OK);

	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_links(f->st, "01900000-0000-7000-8000-000000000a01", collect_link, &l), SARGS_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.purpose[0], "billing");
	assert_true(l.at[0] == 20);
	assert_string_equal(l.purpose[1], "marketing");
	assert_true(l.at[1] == 10);

	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_link_counts(f->st, collect_link, &l), SARGS_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.purpose[0], "billing");
	assert_true(l.at[0] == 2);
	assert_string_equal(l.purpose[1], "marketing");
	assert_true(l.at[1] == 1);

	assert_int_equal(sargs_store_link_remove(f->st, "01900000-0000-7000-8000-000000000a01", "billing"), SARGS_OK);
	/* removing what is not there is not an error */
	assert_int_equal(sargs_store_link_remove(f->st, "01900000-0000-7000-8000-000000000a01", "billing"), SARGS_OK);
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_links(f->st, "01900000-0000-7000-8000-000000000a01", collect_link, &l), SARGS_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.purpose[0], "marketing");
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_link_counts(f->st, collect_link, &l), SARGS_OK);
	assert_int_equal(l.n, 2);
	assert_true(l.at[0] == 1); /* billing: only subj-b */
	/* a subject without links lists nothing */
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_links(f->st, "01900000-0000-7000-8000-000000000e01", collect_link, &l), SARGS_OK);
	assert_int_equal(l.n, 0);
}

/* ---- blind index --------------------------------------------------------- */

static void test_index(void **state)
{
	struct fixture *f = *state;
	static const unsigned char h1[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
	static const unsigned char h2[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 17};
	struct id_list l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_index_find(f->st, h1, sizeof(h1), collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(sargs_store_index_add(f->st, h1, sizeof(h1), "01900000-0000-7000-8000-0000000000b0"), SARGS_OK);
	assert_int_equal(sargs_store_index_add(f->st, h1, sizeof(h1), "01900000-0000-7000-8000-0000000000a0"), SARGS_OK);
	assert_int_equal(sargs_store_index_add(f->st, h1, sizeof(h1), "01900000-0000-7000-8000-0000000000a0"), SARGS_OK); /* again */
	assert_int_equal(sargs_store_index_add(f->st, h2, sizeof(h2), "01900000-0000-7000-8000-0000000000c0"), SARGS_OK);
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_index_find(f->st, h1, sizeof(h1), collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.ids[0], "01900000-0000-7000-8000-0000000000a0");
	assert_string_equal(l.ids[1], "01900000-0000-7000-8000-0000000000b0");
	/* a prefix of a hash is another hash */
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_index_find(f->st, h1, 15, collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 0);
	/* remove one subject under the shared hash */
	assert_int_equal(sargs_store_index_remove(f->st, h1, sizeof(h1), "01900000-0000-7000-8000-0000000000b0"), SARGS_OK);
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_index_find(f->st, h1, sizeof(h1), collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.ids[0], "01900000-0000-7000-8000-0000000000a0");
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_index_find(f->st, h2, sizeof(h2), collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.ids[0], "01900000-0000-7000-8000-0000000000c0");
	/* the callback stops the walk */
	assert_int_equal(sargs_store_index_add(f->st, h1, sizeof(h1), "01900000-0000-7000-8000-0000000000f0"), SARGS_OK);
	memset(&l, 0, sizeof(l));
	l.stop_after = 1;
	assert_int_equal(sargs_store_index_find(f->st, h1, sizeof(h1), collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 1);
}

/* ---- erasure --------------------------------------------------------------- */

static void test_subject_erase(void **state)
{
	struct fixture *f = *state;
	static const unsigned char ha[16] = {0xa0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	static const unsigned char hb[3] = {0xb0, 0x00, 0xb2};
	static const unsigned char shared[16] = {0x5a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	/* index_hashes: repeated [u8 length][hash bytes] */
	unsigned char blob[1 + 16 + 1 + 3 + 1 + 16];
	struct sargs_store_subject victim = subject("01900000-0000-7000-8000-000000000f01", 10), other = subject("01900000-0000-7000-8000-000000000f02", 20), out;
	struct link_list ll;
	struct id_list l;
	void *owned = NULL;
	int64_t n = -1, when = 0;
	size_t o = 0;

	blob[o++] = sizeof(ha);
	memcpy(blob + o, ha, sizeof(ha));
	o += sizeof(ha);
	blob[o++] = sizeof(hb);
	memcpy(blob + o, hb, sizeof(hb));
	o += sizeof(hb);
	blob[o++] = sizeof(shared);
	memcpy(blob + o, shared, sizeof(shared));
	o += sizeof(shared);
	assert_int_equal(o, sizeof(blob));
	victim.index_hashes = blob;
	victim.index_hashes_len = sizeof(blob);

	assert_int_equal(sargs_store_subject_insert(f->st, &victim), SARGS_OK);
	assert_int_equal(sargs_store_subject_insert(f->st, &other), SARGS_OK);
	assert_int_equal(sargs_store_index_add(f->st, ha, sizeof(ha), "01900000-0000-7000-8000-000000000f01"), SARGS_OK);
	assert_int_equal(sargs_store_index_add(f->st, hb, sizeof(hb), "01900000-0000-7000-8000-000000000f01"), SARGS_OK);
	assert_int_equal(sargs_store_index_add(f->st, shared, sizeof(shared), "01900000-0000-7000-8000-000000000f01"), SARGS_OK);
	assert_int_equal(sargs_store_index_add(f->st, shared, sizeof(shared), "01900000-0000-7000-8000-000000000f02"), SARGS_OK);
	assert_int_equal(sargs_store_link_add(f->st, "01900000-0000-7000-8000-000000000f01", "billing", 1), SARGS_OK);
	assert_int_equal(sargs_store_link_add(f->st, "01900000-0000-7000-8000-000000000f01", "marketing", 1), SARGS_OK);
	assert_int_equal(sargs_store_link_add(f->st, "01900000-0000-7000-8000-000000000f02", "billing", 1), SARGS_OK);
	assert_int_equal(sargs_store_ledger_get(f->st, "01900000-0000-7000-8000-000000000f01", &when), SARGS_E_NOTFOUND);
	assert_int_equal(sargs_store_ledger_count(f->st, &n), SARGS_OK);
	assert_true(n == 0);

	assert_int_equal(sargs_store_subject_erase(f->st, "01900000-0000-7000-8000-000000000f01", 1700000000123456), SARGS_OK);

	assert_int_equal(sargs_store_subject_get(f->st, "01900000-0000-7000-8000-000000000f01", &out, &owned), SARGS_E_NOTFOUND);
	assert_null(owned);
	assert_int_equal(sargs_store_subject_count(f->st, &n), SARGS_OK);
	assert_true(n == 1);
	/* links gone; the other subject's link stays */
	memset(&ll, 0, sizeof(ll));
	assert_int_equal(sargs_store_links(f->st, "01900000-0000-7000-8000-000000000f01", collect_link, &ll), SARGS_OK);
	assert_int_equal(ll.n, 0);
	memset(&ll, 0, sizeof(ll));
	assert_int_equal(sargs_store_link_counts(f->st, collect_link, &ll), SARGS_OK);
	assert_int_equal(ll.n, 1);
	assert_string_equal(ll.purpose[0], "billing");
	assert_true(ll.at[0] == 1);
	/* index rows listed in the blob gone; the other subject's row stays */
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_index_find(f->st, ha, sizeof(ha), collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(sargs_store_index_find(f->st, hb, sizeof(hb), collect_id, &l), SARGS_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(sargs_store_index_find(f->st, shared, sizeof(shared), collect_id, &l),
			 SARGS_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.ids[0], "01900000-0000-7000-8000-000000000f02");
	/* the ledger has the id and the time */
	assert_int_equal(sargs_store_ledger_get(f->st, "01900000-0000-7000-8000-000000000f01", &when), SARGS_OK);
	assert_true(when == 1700000000123456);
	assert_int_equal(sargs_store_ledger_get(f->st, "01900000-0000-7000-8000-000000000f01", NULL), SARGS_OK);
	assert_int_equal(sargs_store_ledger_get(f->st, "01900000-0000-7000-8000-000000000f02", &when), SARGS_E_NOTFOUND);
	assert_int_equal(sargs_store_ledger_count(f->st, &n), SARGS_OK);
	assert_true(n == 1);
	/* erasing again, or erasing a never-known id */
	assert_int_equal(sargs_store_subject_erase(f->st, "01900000-0000-7000-8000-000000000f01", 1), SARGS_E_NOTFOUND);
	assert_int_equal(sargs_store_subject_erase(f->st, "ghost", 1), SARGS_E_NOTFOUND);
	assert_int_equal(sargs_store_ledger_get(f->st, "ghost", &when), SARGS_E_NOTFOUND);
	assert_int_equal(sargs_store_ledger_count(f->st, &n), SARGS_OK);
	assert_true(n == 1);
	/* erased content does not linger in the write-ahead log */
	assert_int_equal(sargs_store_compact_log(f->st), SARGS_OK);
	reopen(f);
	assert_int_equal(sargs_store_ledger_get(f->st, "01900000-0000-7000-8000-000000000f01", &when), SARGS_OK);
	assert_true(when == 1700000000123456);
}

static void test_erase_in_rolled_back_tx(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_subject s = subject("01900000-0000-7000-8000-000000000f03", 1), out;
	struct sargs_err err;
	void *owned = NULL;
	int64_t when;

	assert_int_equal(sargs_store_subject_insert(f->st, &s), SARGS_OK);
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_subject_erase(f->st, "01900000-0000-7000-8000-000000000f03", 5), SARGS_OK);
	sargs_store_rollback(f->st);
	assert_int_equal(sargs_store_subject_get(f->st, "01900000-0000-7000-8000-000000000f03", &out, &owned), SARGS_OK);
	free(owned);
	assert_int_equal(sargs_store_ledger_get(f->st, "01900000-0000-7000-8000-000000000f03", &when), SARGS_E_NOTFOUND);
}

/* ---- audit table ----------------------------------------------------------- */

static struct sargs_store_audit_row arow(int64_t t, const char *actor, const char *subj,
					 unsigned char tag)
{
	struct sargs_store_audit_row r;

	memset(&r, 0, sizeof(r));
	r.time_us = t;
	r.actor = actor;
	r.action = "subject.read";
	r.subject_id = subj;
	memset(r.prev, tag, sizeof(r.prev));
	memset(r.hash, (unsigned char)(tag + 1), sizeof(r.hash));
	return r;
}

/*
 * Scan callbacks never assert: a failed assertion would jump out of the scan
 * and leave its statement open. They record what they saw; the test asserts
 * after the scan returns.
 */
struct seq_list {
	int64_t seq[32];
	int n;
	int overflow;
	int content_seen;  /* the row of interest was seen */
	int content_ok;    /* and every value matched */
};

static int collect_seq(void *ctx, const struct sargs_store_audit_row *row)
{
	struct seq_list *l = ctx;

	if (l->n >= 32) {
		l->overflow = 1;
		return 1;
	}
	l->seq[l->n++] = row->seq;
	return 0;
}

static void expect_seqs(struct sargs_store *st, const struct sargs_store_audit_filter *flt,
			const int64_t *want, int n_want, const char *what)
{
	struct seq_list l;

	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_audit_scan(st, flt, collect_seq, &l), SARGS_OK);
	assert_false(l.overflow);
	if (l.n != n_want)
		fail_msg("%s: %d rows, want %d", what, l.n, n_want);
	for (int i = 0; i < n_want; i++)
		if (l.seq[i] != want[i])
			fail_msg("%s: row %d is seq %lld, want %lld", what, i, (long long)l.seq[i],
				 (long long)want[i]);
}

static int str_is(const char *got, const char *want)
{
	return got != NULL && strcmp(got, want) == 0;
}

static int check_full_row(void *ctx, const struct sargs_store_audit_row *row)
{
	struct seq_list *l = ctx;
	unsigned char p[SARGS_AUDIT_HASH_BYTES], h[SARGS_AUDIT_HASH_BYTES];

	if (row->seq != 1)
		return 0;
	memset(p, 0x11, sizeof(p));
	memset(h, 0x12, sizeof(h));
	l->content_seen = 1;
	l->content_ok = row->time_us == 100 && str_is(row->actor, "cli:alice") &&
			str_is(row->action, "subject.add") && str_is(row->subject_id, "s1") &&
			str_is(row->fields, "email,phone") && str_is(row->purpose, "billing") &&
			str_is(row->channel, "cli") && str_is(row->detail, "2 fields") &&
			memcmp(row->prev, p, sizeof(p)) == 0 &&
			memcmp(row->hash, h, sizeof(h)) == 0;
	return 0;
}

static int check_null_row(void *ctx, const struct sargs_store_audit_row *row)
{
	struct seq_list *l = ctx;

	if (row->seq != 2)
		return 0;
	l->content_seen = 1;
	l->content_ok = row->subject_id == NULL && row->fields == NULL && row->purpose == NULL &&
			row->channel == NULL && row->detail == NULL &&
			str_is(row->actor, "system") && str_is(row->action, "subject.read");
	return 0;
}

static int stop_at_first(void *ctx, const struct sargs_store_audit_row *row)
{
	struct seq_list *l = ctx;

	l->seq[l->n++] = row->seq;
	return 1;
}

static void test_audit_table(void **state)
{
	struct fixture *f = *state;
	struct sargs_store_audit_row r;
	struct sargs_store_audit_filter all = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0}, flt;
	struct seq_list l;
	unsigned char hash[SARGS_AUDIT_HASH_BYTES], want[SARGS_AUDIT_HASH_BYTES];
	int64_t seq = -1, n = -1;

	assert_int_equal(sargs_store_audit_last(f->st, &seq, hash), SARGS_E_NOTFOUND);
	assert_int_equal(sargs_store_audit_count(f->st, &n), SARGS_OK);
	assert_true(n == 0);
	expect_seqs(f->st, &all, NULL, 0, "empty trail");

	/* seq 1: every field set */
	r = arow(100, "cli:alice", "s1", 0x11);
	r.action = "subject.add";
	r.fields = "email,phone";
	r.purpose = "billing";
	r.channel = "cli";
	r.detail = "2 fields";
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == 1);
	/* seq 2..6 */
	r = arow(200, "system", NULL, 0x21);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == 2);
	r = arow(300, "cli:alice", "s2", 0x31);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == 3);
	r = arow(300, "cli:bob", "s1", 0x41);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == 4);
	r = arow(400, "cli:bob", "s2", 0x51);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == 5);
	/* time need not increase: seq orders the trail */
	r = arow(50, "cli:alice", "s1", 0x61);
	assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
	assert_true(r.seq == 6);

	assert_int_equal(sargs_store_audit_count(f->st, &n), SARGS_OK);
	assert_true(n == 6);
	assert_int_equal(sargs_store_audit_last(f->st, &seq, hash), SARGS_OK);
	assert_true(seq == 6);
	memset(want, 0x62, sizeof(want));
	assert_memory_equal(hash, want, sizeof(want));

	/* content round trip, with and without optional values */
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_audit_scan(f->st, &all, check_full_row, &l), SARGS_OK);
	assert_true(l.content_seen);
	assert_true(l.content_ok);
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_audit_scan(f->st, &all, check_null_row, &l), SARGS_OK);
	assert_true(l.content_seen);
	assert_true(l.content_ok);

	{
		static const int64_t every[] = {1, 2, 3, 4, 5, 6};
		static const int64_t s1[] = {1, 4, 6};
		static const int64_t alice[] = {1, 3, 6};
		static const int64_t alice_s1[] = {1, 6};
		static const int64_t t300[] = {3, 4};
		static const int64_t from300[] = {3, 4, 5};
		static const int64_t upto200[] = {1, 2, 6};
		static const int64_t after3[] = {4, 5, 6};
		static const int64_t first2[] = {1, 2};
		static const int64_t bob_after4_lim1[] = {5};

		expect_seqs(f->st, &all, every, 6, "no filter");
		flt = all;
		flt.subject_id = "s1";
		expect_seqs(f->st, &flt, s1, 3, "subject s1");
		flt = all;
		flt.subject_id = "nobody";
		expect_seqs(f->st, &flt, NULL, 0, "unknown subject");
		flt = all;
		flt.actor = "cli:alice";
		expect_seqs(f->st, &flt, alice, 3, "actor alice");
		flt.subject_id = "s1";
		expect_seqs(f->st, &flt, alice_s1, 2, "actor alice and subject s1");
		flt = all;
		flt.since_us = 300;
		flt.until_us = 300;
		expect_seqs(f->st, &flt, t300, 2, "since = until = 300 (both inclusive)");
		flt = all;
		flt.since_us = 300;
		expect_seqs(f->st, &flt, from300, 3, "since 300");
		flt = all;
		flt.until_us = 200;
		expect_seqs(f->st, &flt, upto200, 3, "until 200");
		flt = all;
		flt.since_us = 401;
		expect_seqs(f->st, &flt, NULL, 0, "since after the last time");
		flt = all;
		flt.after_seq = 3;
		expect_seqs(f->st, &flt, after3, 3, "after seq 3 (exclusive)");
		flt = all;
		flt.after_seq = 6;
		expect_seqs(f->st, &flt, NULL, 0, "after the last seq");
		flt = all;
		flt.limit = 2;
		expect_seqs(f->st, &flt, first2, 2, "limit 2");
		flt = all;
		flt.limit = 100;
		expect_seqs(f->st, &flt, every, 6, "limit above the count");
		flt = all;
		flt.actor = "cli:bob";
		flt.after_seq = 4;
		flt.limit = 1;
		expect_seqs(f->st, &flt, bob_after4_lim1, 1, "actor, after_seq and limit");
		/* a subject's entries come through the trail's per-block
		 * filters: the other bounds hold there too */
		flt = all;
		flt.subject_id = "s1";
		flt.after_seq = 1;
		expect_seqs(f->st, &flt, s1 + 1, 2, "subject s1 after seq 1");
		flt.limit = 1;
		expect_seqs(f->st, &flt, s1 + 1, 1, "subject s1 after seq 1, limit 1");
		flt = all;
		flt.subject_id = "s1";
		flt.since_us = 300;
		flt.until_us = 400;
		expect_seqs(f->st, &flt, s1 + 1, 1, "subject s1 from 300 to 400");
	}
	/* the callback stops the scan */
	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_audit_scan(f->st, &all, stop_at_first, &l), SARGS_OK);
	assert_int_equal(l.n, 1);

	/* find by hash */
	memset(want, 0x42, sizeof(want));
	assert_int_equal(sargs_store_audit_find_hash(f->st, want, 0, &seq), SARGS_OK);
	assert_true(seq == 4);
	memset(want, 0x12, sizeof(want));
	assert_int_equal(sargs_store_audit_find_hash(f->st, want, 0, &seq), SARGS_OK);
	assert_true(seq == 1);
	memset(want, 0x99, sizeof(want));
	assert_int_equal(sargs_store_audit_find_hash(f->st, want, 0, &seq), SARGS_E_NOTFOUND);

	/* a rolled-back append leaves nothing */
	{
		struct sargs_err err;

		assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
		r = arow(500, "cli:eve", NULL, 0x71);
		assert_int_equal(sargs_store_audit_append(f->st, &r), SARGS_OK);
		assert_true(r.seq == 7);
		sargs_store_rollback(f->st);
		assert_int_equal(sargs_store_audit_count(f->st, &n), SARGS_OK);
		assert_true(n == 6);
		assert_int_equal(sargs_store_audit_last(f->st, &seq, hash), SARGS_OK);
		assert_true(seq == 6);
	}

	assert_int_equal(sargs_store_compact_log(f->st), SARGS_OK);
	reopen(f);
	assert_int_equal(sargs_store_audit_count(f->st, &n), SARGS_OK);
	assert_true(n == 6);
	assert_int_equal(sargs_store_compact_log(f->st), SARGS_OK);
}

static void test_compact_log_in_fresh_store(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(sargs_store_compact_log(f->st), SARGS_OK);
	assert_int_equal(sargs_store_meta_put(f->st, "k", "v", 1), SARGS_OK);
	assert_int_equal(sargs_store_compact_log(f->st), SARGS_OK);
	assert_true(has_meta(f->st, "k"));
}

#define FIXTURE_TEST(fn) cmocka_unit_test_setup_teardown(fn, open_fixture, close_fixture)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_create_migrates),
		cmocka_unit_test(test_open_missing),
		cmocka_unit_test(test_open_not_a_database),
		FIXTURE_TEST(test_nested_inner_rollback),
		FIXTURE_TEST(test_nested_three_levels),
		FIXTURE_TEST(test_outer_rollback_discards_all),
		FIXTURE_TEST(test_close_rolls_back),
		FIXTURE_TEST(test_meta),
		FIXTURE_TEST(test_registry),
		FIXTURE_TEST(test_subject_insert_get),
		FIXTURE_TEST(test_subject_update),
		FIXTURE_TEST(test_subject_ids_order),
		FIXTURE_TEST(test_subject_ids_creation_order),
		FIXTURE_TEST(test_links),
		FIXTURE_TEST(test_index),
		FIXTURE_TEST(test_subject_erase),
		FIXTURE_TEST(test_erase_in_rolled_back_tx),
		FIXTURE_TEST(test_audit_table),
		FIXTURE_TEST(test_compact_log_in_fresh_store),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
