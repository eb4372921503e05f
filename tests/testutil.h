/*
 * testutil.h — helpers shared by the unit tests: fresh temporary directories,
 * a fresh register with the example registry, and cmocka glue.
 */
#ifndef SARGS_TESTUTIL_H
#define SARGS_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

struct sargs_reg;
struct sargs_kv;

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

/*
 * A new register in a fresh test_tmpdir(tag) (its path written to dir), with
 * the example purpose registry loaded; the caller closes it with
 * sargs_reg_close and removes dir with test_rmtree. Fails the test on any
 * error.
 */
struct sargs_reg *test_reg_example(const char *tag, char *dir, size_t dir_size);
/* The same with the purpose registry given as JSON text. */
struct sargs_reg *test_reg_with(const char *tag, const char *registry, char *dir,
			       size_t dir_size);

/* Sets the example controller ("Zimes SIA", with a DPO). Fails the test on
 * error. */
void test_controller_example(struct sargs_reg *reg);

/*
 * Adds a subject linked to the comma-separated purposes_csv (at most 8),
 * collected from source ("person", or another with source_name) with the n
 * fields kv; writes the new id. Fails the test on error.
 */
void test_subject_add(struct sargs_reg *reg, const char *purposes_csv, const char *source,
		      const char *source_name, const struct sargs_kv *kv, size_t n,
		      char *id);

#endif
