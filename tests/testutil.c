/*
 * testutil.c — temporary directories and fresh example registers for tests.
 */
#include "testutil.h"

#include "domain/controller.h"
#include "domain/register.h"
#include "domain/registry.h"
#include "domain/subject.h"

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

struct sargs_reg *test_reg_with(const char *tag, const char *registry, char *dir,
			       size_t dir_size)
{
	struct sargs_reg *reg = NULL;
	struct sargs_err err;

	test_tmpdir(tag, dir, dir_size);
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(dir, &reg, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(reg, registry, strlen(registry), NULL, &err),
			 SARGS_OK);
	return reg;
}

struct sargs_reg *test_reg_example(const char *tag, char *dir, size_t dir_size)
{
	char *doc = test_read_example();
	struct sargs_reg *reg = test_reg_with(tag, doc, dir, dir_size);

	free(doc);
	return reg;
}

void test_controller_example(struct sargs_reg *reg)
{
	struct sargs_controller c = {"Zimes SIA", "40003000001", "Brivibas iela 1, Riga",
				     "info@zimes.example.lv", "+37167000000", "Data Officer",
				     "dpo@zimes.example.lv", "+37167000001", NULL};
	struct sargs_err err;

	assert_int_equal(sargs_controller_set(reg, &c, &err), SARGS_OK);
}

void test_subject_add(struct sargs_reg *reg, const char *purposes_csv, const char *source,
		      const char *source_name, const struct sargs_kv *kv, size_t n,
		      char *id)
{
	char buf[256];
	const char *p[8];
	size_t np = 0;
	struct sargs_subject_input in;
	struct sargs_err err;
	char *save = NULL;

	(void)snprintf(buf, sizeof(buf), "%s", purposes_csv);
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL && np < 8;
	     tok = strtok_r(NULL, ",", &save))
		p[np++] = tok;
	memset(&in, 0, sizeof(in));
	in.purposes = p;
	in.n_purposes = np;
	in.source = source;
	in.source_name = source_name;
	in.fields = kv;
	in.n_fields = n;
	if (sargs_subject_add(reg, &in, id, &err) != SARGS_OK)
		fail_msg("cannot add a subject (%s): %s", purposes_csv, err.msg);
}
