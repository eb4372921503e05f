/*
 * sqltest.h — SQL for the store's tests that must look under the store
 * (turn a register back into an older schema, count rows the store's
 * interface does not show). Only tests under tests/store/ include it; they
 * link SQLite themselves (CMakeLists.txt).
 */
#ifndef SARGS_TESTS_STORE_SQLTEST_H
#define SARGS_TESTS_STORE_SQLTEST_H

#include "testutil.h"

#include <sqlite3.h>
#include <stdint.h>

/* Runs q (one or more statements); a failure fails the test. */
static inline void sql(sqlite3 *db, const char *q)
{
	char *msg = NULL;

	if (sqlite3_exec(db, q, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", q, msg ? msg : "?");
}

/* The first column of q's first row as an integer; -1 when no row. */
static inline int64_t count_rows(sqlite3 *db, const char *q)
{
	sqlite3_stmt *p = NULL;
	int64_t n = -1;

	assert_int_equal(sqlite3_prepare_v2(db, q, -1, &p, NULL), SQLITE_OK);
	if (sqlite3_step(p) == SQLITE_ROW)
		n = sqlite3_column_int64(p, 0);
	sqlite3_finalize(p);
	return n;
}

#endif
