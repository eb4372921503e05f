/*
 * testutil.h — helpers shared by the unit tests: fresh temporary directories
 * and cmocka glue.
 */
#ifndef SARGS_TESTUTIL_H
#define SARGS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/*
 * Creates a new empty directory under $SARGS_TEST_TMP (or /tmp) named after
 * tag, and writes its path to out. Aborts the test on failure.
 */
void test_tmpdir(const char *tag, char *out, size_t out_size);

/* Removes a directory tree made by test_tmpdir (best effort). */
void test_rmtree(const char *path);

/* The example purpose registry (examples/zimes-purposes.json under
 * $SARGS_SOURCE_DIR), as a new NUL-terminated string; caller frees. */
char *test_read_example(void);

#endif
