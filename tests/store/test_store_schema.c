/*
 * test_store_schema.c — migrations that reshape a table holding personal
 * data: schema 7 kept subjects in a WITHOUT ROWID table (whole rows in the
 * tree's inner pages), schema 8 in an ordinary table with a unique index on
 * the id (store_sqlite.c, migrations[7]).
 *
 * A register of schema 7 is made from a current one by putting the old
 * table back with SQL (the test needs sqlite3.h, like test_audit_filter.c).
 * Opening it must keep every row byte for byte, in the same order, keep ids
 * unique, and leave nothing of the old table behind; a migration that fails
 * must change nothing.
 */
#include "testutil.h"
#include "sqltest.h"

#include "store/store.h"
#include "util/fsutil.h"
#include "util/rc.h"
#include "util/uuid.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_SUBJECTS 300 /* a few hundred rows of 600 bytes: many pages */
#define FIELDS_BYTES 600
#define ID_LEN SARGS_UUID_STR

struct fixture {
	char dir[512];
	char path[1024];
	struct sargs_store *st;
};

static void subject_id(int i, char out[ID_LEN])
{
	/* not in creation order, so that the copy's order is seen */
	(void)snprintf(out, ID_LEN, "0190a5e2-7b1c-7d3e-8f00-%012d",
		       (i * 7919) % 100000);
}

static void fields_of(int i, unsigned char *out)
{
	for (int k = 0; k < FIELDS_BYTES; k++)
		out[k] = (unsigned char)(i * 31 + k * 7);
}

/* The old table, as migrations[0] made it, with the current rows in it. */
static const char to_schema_7[] =
	"CREATE TABLE subjects_v7(id BLOB PRIMARY KEY, created_us INTEGER NOT NULL,"
	"  updated_us INTEGER NOT NULL, source TEXT NOT NULL, wrapped_key BLOB NOT NULL,"
	"  fields BLOB NOT NULL, index_hashes BLOB NOT NULL) WITHOUT ROWID;"
	"INSERT INTO subjects_v7 SELECT id, created_us, updated_us, source, wrapped_key,"
	"  fields, index_hashes FROM subjects;"
	"DROP TABLE subjects;"
	"ALTER TABLE subjects_v7 RENAME TO subjects;"
	"PRAGMA user_version = 7;";

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct sargs_err err;
	sqlite3 *db = NULL;

	if (f == NULL)
		return -1;
	test_tmpdir("store_schema", f->dir, sizeof(f->dir));
	if (sargs_fs_join(f->path, sizeof(f->path), f->dir, "register.db") != SARGS_OK ||
	    sargs_store_open(f->path, 1, &f->st, &err) != SARGS_OK)
		return -1;
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	for (int i = 0; i < N_SUBJECTS; i++) {
		char id[ID_LEN];
		unsigned char fields[FIELDS_BYTES], key[72], hashes[32];
		struct sargs_store_subject s = {0};

		subject_id(i, id);
		fields_of(i, fields);
		memset(key, i & 0xff, sizeof(key));
		memset(hashes, (i * 3) & 0xff, sizeof(hashes));
		s.id = id;
		s.created_us = 1000 + i;
		s.updated_us = 2000 + i;
		s.source = i % 2 ? "person" : "third_party";
		s.wrapped_key = key;
		s.wrapped_key_len = sizeof(key);
		s.fields = fields;
		s.fields_len = sizeof(fields);
		s.index_hashes = hashes;
		s.index_hashes_len = i % 5 ? sizeof(hashes) : 0;
		assert_int_equal(sargs_store_subject_insert(f->st, &s), SARGS_OK);
	}
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	sargs_store_close(f->st);
	f->st = NULL;
	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sql(db, to_schema_7);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'subjects'"
					" AND sql LIKE '%WITHOUT ROWID%'"),
			 1);
	sqlite3_close(db);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	sargs_store_close(f->st);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

struct ids {
	int n;
	char id[N_SUBJECTS][ID_LEN];
};

static int collect_id(void *ctx, const char *id)
{
	struct ids *ids = ctx;

	if (ids->n < N_SUBJECTS)
		(void)snprintf(ids->id[ids->n], ID_LEN, "%s", id);
	ids->n++;
	return 0;
}

/* Every row as it was, found by its id, in creation order. */
static void check_rows(struct sargs_store *st)
{
	struct ids *ids = calloc(1, sizeof(*ids));
	int64_t n = -1;

	assert_non_null(ids);
	assert_int_equal(sargs_store_subject_count(st, &n), SARGS_OK);
	assert_int_equal(n, N_SUBJECTS);
	assert_int_equal(sargs_store_subject_ids(st, collect_id, ids), SARGS_OK);
	assert_int_equal(ids->n, N_SUBJECTS);
	for (int i = 0; i < N_SUBJECTS; i++) {
		char id[ID_LEN];
		unsigned char fields[FIELDS_BYTES];
		struct sargs_store_subject s;
		void *owned = NULL;

		subject_id(i, id);
		assert_string_equal(ids->id[i], id); /* creation order */
		fields_of(i, fields);
		assert_int_equal(sargs_store_subject_get(st, id, &s, &owned), SARGS_OK);
		assert_string_equal(s.id, id);
		assert_int_equal(s.created_us, 1000 + i);
		assert_int_equal(s.updated_us, 2000 + i);
		assert_string_equal(s.source, i % 2 ? "person" : "third_party");
		assert_int_equal(s.wrapped_key_len, 72);
		assert_int_equal(s.wrapped_key[71], i & 0xff);
		assert_int_equal(s.fields_len, FIELDS_BYTES);
		assert_memory_equal(s.fields, fields, FIELDS_BYTES);
		assert_int_equal(s.index_hashes_len, i % 5 ? 32 : 0);
		free(owned);
	}
	free(ids);
}

/* Opening a register of schema 7 moves its subjects into the new table:
 * every row kept, ids still unique, nothing of the old table left. */
static void test_schema_7_to_8(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;
	sqlite3 *db = NULL;
	char id[ID_LEN];
	unsigned char b[4] = {1, 2, 3, 4};
	struct sargs_store_subject dup = {0};

	assert_int_equal(sargs_store_open(f->path, 0, &f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_schema_version(f->st), SARGS_SCHEMA_VERSION);
	check_rows(f->st);

	/* ids stay unique: a second row with a known id is refused */
	subject_id(17, id);
	dup.id = id;
	dup.source = "person";
	dup.wrapped_key = b;
	dup.wrapped_key_len = sizeof(b);
	dup.fields = b;
	dup.fields_len = sizeof(b);
	dup.index_hashes = b;
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_subject_insert(f->st, &dup), SARGS_E_EXISTS);
	sargs_store_rollback(f->st);

	/* mission §8 (004 §8-16, the right to erasure): erasure still
	 * removes the row from the new table */
	assert_int_equal(sargs_store_begin(f->st, &err), SARGS_OK);
	assert_int_equal(sargs_store_subject_erase(f->st, id, 5000), SARGS_OK);
	assert_int_equal(sargs_store_commit(f->st, &err), SARGS_OK);
	{
		struct sargs_store_subject s;
		void *owned = NULL;

		assert_int_equal(sargs_store_subject_get(f->st, id, &s, &owned),
				 SARGS_E_NOTFOUND);
	}

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(count_rows(db, "PRAGMA user_version"), SARGS_SCHEMA_VERSION);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'subjects'"
					" AND type = 'table' AND sql NOT LIKE '%WITHOUT ROWID%'"),
			 1);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_schema"
					" WHERE name = 'subjects_by_id' AND sql LIKE '%UNIQUE%'"),
			 1);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_schema"
					" WHERE name LIKE 'subjects_v%'"),
			 0);
	/* the rows were copied in the order they came: the new row numbers
	 * follow the creation times */
	{
		sqlite3_stmt *p = NULL;
		int i = 0;

		assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM subjects ORDER BY rowid", -1,
						    &p, NULL),
				 SQLITE_OK);
		while (sqlite3_step(p) == SQLITE_ROW) {
			unsigned char want[SARGS_UUID_BYTES];

			if (i == 17)
				i++; /* erased above */
			subject_id(i, id);
			assert_int_equal(sargs_uuid_to_bytes(id, want), SARGS_OK);
			assert_int_equal(sqlite3_column_bytes(p, 0), SARGS_UUID_BYTES);
			assert_memory_equal(sqlite3_column_blob(p, 0), want, SARGS_UUID_BYTES);
			i++;
		}
		sqlite3_finalize(p);
		assert_int_equal(i, N_SUBJECTS);
	}
	/* a read by id goes through the index, not a scan of the table */
	{
		sqlite3_stmt *p = NULL;
		int by_index = 0;

		assert_int_equal(sqlite3_prepare_v2(db,
						    "EXPLAIN QUERY PLAN SELECT fields FROM subjects"
						    " WHERE id = ?1",
						    -1, &p, NULL),
				 SQLITE_OK);
		while (sqlite3_step(p) == SQLITE_ROW)
			by_index |= strstr((const char *)sqlite3_column_text(p, 3),
					   "subjects_by_id") != NULL;
		sqlite3_finalize(p);
		assert_true(by_index);
	}
	sqlite3_close(db);
	/* SQLite keeps no global memory statistics (a mutex on every
	 * allocation), though its first use in this process was
	 * sargs_store_schema_at (main) */
	assert_int_equal(sqlite3_memory_used(), 0);
}

/* A migration that cannot finish (a stray table in its way) changes
 * nothing: the register stays at schema 7 with its rows, and says why. */
static void test_failed_migration_changes_nothing(void **state)
{
	struct fixture *f = *state;
	struct sargs_err err;
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sql(db, "CREATE TABLE subjects_v8(x);");
	sqlite3_close(db);

	assert_int_not_equal(sargs_store_open(f->path, 0, &f->st, &err), SARGS_OK);
	assert_non_null(strstr(err.msg, "from schema 7 to 8"));
	assert_non_null(strstr(err.msg, "nothing was changed"));

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	assert_int_equal(count_rows(db, "PRAGMA user_version"), 7);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM subjects"), N_SUBJECTS);
	assert_int_equal(count_rows(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'subjects'"
					" AND sql LIKE '%WITHOUT ROWID%'"),
			 1);
	/* once the stray table is gone, the migration goes through */
	sql(db, "DROP TABLE subjects_v8;");
	sqlite3_close(db);
	assert_int_equal(sargs_store_open(f->path, 0, &f->st, &err), SARGS_OK);
	check_rows(f->st);
}

int main(void)
{
	char dir[512], path[1024];
	int v = -1;
	FILE *f;

	/* the process's first use of SQLite: reading a schema version */
	test_tmpdir("store_schema_first", dir, sizeof(dir));
	if (sargs_fs_join(path, sizeof(path), dir, "empty.db") != SARGS_OK ||
	    (f = fopen(path, "w")) == NULL)
		return 1;
	(void)fclose(f);
	if (sargs_store_schema_at(path, &v) != SARGS_OK || v != 0)
		return 1;
	test_rmtree(dir);

	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_7_to_8, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_migration_changes_nothing, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
