/*
 * testutil.c — temporary directories for tests.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void test_tmpdir(const char *tag, char *out, size_t out_size)
{
	const char *base = getenv("SARGS_TEST_TMP");
	char tmpl[512];
	int n;

	if (base == NULL || base[0] == '\0')
		base = "/tmp";
	(void)mkdir(base, 0700);
	n = snprintf(tmpl, sizeof(tmpl), "%s/%s-XXXXXX", base, tag);
	assert_true(n > 0 && (size_t)n < sizeof(tmpl));
	assert_non_null(mkdtemp(tmpl));
	assert_true(strlen(tmpl) < out_size);
	memcpy(out, tmpl, strlen(tmpl) + 1);
}

void test_rmtree(const char *path)
{
	char cmd[1024];
	int n = snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", path);

	if (n > 0 && (size_t)n < sizeof(cmd) && strchr(path, '\'') == NULL)
		(void)system(cmd);
}

char *test_read_example(void)
{
	const char *src = getenv("SARGS_SOURCE_DIR");
	char path[1024];
	FILE *f;
	char *buf = malloc(1 << 20);
	size_t n;

	assert_non_null(buf);
	(void)snprintf(path, sizeof(path), "%s/examples/zimes-purposes.json", src ? src : ".");
	f = fopen(path, "rb");
	assert_non_null(f);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}
