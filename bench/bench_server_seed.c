/*
 * bench_server_seed.c — builds the register that bench/bench_server.sh
 * serves (see bench/README.md, "The server under wrk").
 *
 * Creates a register of N subjects (default 1,000,000) through the public
 * domain API, with the example purpose registry (examples/zimes-purposes.json):
 * every subject a customer ("service", contract: first and last name,
 * e-mail, phone, postal address) who also consented to the newsletter
 * ("newsletter", consent, with its proof), so that a purpose-bound read for
 * "service" is lawful and a withdrawal of the newsletter consent is a real
 * change. Subjects are added B to a transaction (default 5000).
 *
 * Writes the subject ids, one a line, to IDS (first to IDS.tmp, renamed when
 * the register is complete: a file IDS means a finished seed).
 *
 *   sargs_bench_server_seed --dir DIR --ids FILE --registry JSON [--n N]
 *                           [--batch B] [--seed S]
 *
 * The register's master key is written into DIR (master.key, 0600) unless
 * SARGS_MASTER_KEY is set, as `sargs init` does.
 */
#define _GNU_SOURCE
#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/register.h"
#include "domain/subject.h"
#include "util/synth.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fputc('\n', stderr);
	exit(1);
}

static int64_t now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void check(enum sargs_rc rc, const struct sargs_err *err, const char *what)
{
	if (rc != SARGS_OK)
		die("%s: %s", what, err->msg);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		die("cannot open %s", path);
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		die("cannot read %s", path);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read %s", path);
	buf[n] = '\0';
	(void)fclose(f);
	*len = (size_t)n;
	return buf;
}

static const char usage[] =
	"usage: sargs_bench_server_seed --dir DIR --ids FILE --registry JSON\n"
	"                               [--n N (default 1000000)] [--batch B (default 5000)]\n"
	"                               [--seed S (default 1)]\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},   {"ids", required_argument, NULL, 'i'},
		{"registry", required_argument, NULL, 'r'}, {"n", required_argument, NULL, 'n'},
		{"batch", required_argument, NULL, 'b'}, {"seed", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0}};
	const char *dir = NULL, *ids_path = NULL, *reg_path = NULL;
	long n = 1000000, batch = 5000;
	uint64_t seed = 1;
	char tmp[4096];
	struct sargs_reg *reg;
	struct sargs_err err;
	struct sargs_synth g;
	struct sargs_consent_proof proof = {
		"web_form", "newsletter-signup-v2",
		"5d1f0c0b6a9e8c7f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f", 0, NULL, NULL, 0};
	struct sargs_controller ctl = {"SIA Bench Zīmes", "40000000000", "Rīga",
				       "info@example.lv", NULL, NULL, NULL, NULL, NULL};
	struct stat st;
	char *text;
	size_t text_len;
	int64_t ver, t0;
	FILE *out;
	int ch;

	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'i': ids_path = optarg; break;
		case 'r': reg_path = optarg; break;
		case 'n': n = strtol(optarg, NULL, 10); break;
		case 'b': batch = strtol(optarg, NULL, 10); break;
		case 's': seed = strtoull(optarg, NULL, 10); break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (!dir || !ids_path || !reg_path || n < 1 || n > 20000000 || batch < 1) {
		fputs(usage, stderr);
		return 2;
	}
	if (stat(dir, &st) == 0)
		die("%s exists already: the seed makes a new register (remove it first)", dir);
	text = read_all(reg_path, &text_len);
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", ids_path);
	out = fopen(tmp, "w");
	if (!out)
		die("cannot write %s", tmp);

	check(sargs_reg_init(dir, &err), &err, "init");
	check(sargs_reg_open(dir, &reg, &err), &err, "open");
	if (sargs_reg_set_actor(reg, "cli:bench-seed", "cli") != SARGS_OK)
		die("cannot set the actor");
	check(sargs_controller_set(reg, &ctl, &err), &err, "controller");
	check(sargs_registry_load(reg, text, text_len, &ver, &err), &err, "registry");
	free(text);

	sargs_synth_init(&g, seed);
	t0 = now_ns();
	check(sargs_reg_begin(reg, &err), &err, "begin");
	for (long i = 0; i < n; i++) {
		static const char *const purposes[1] = {"service"};
		struct sargs_synth_person p;
		struct sargs_kv kv[5];
		struct sargs_subject_input in;
		char id[SARGS_UUID_STR];

		sargs_synth_person(&g, (uint64_t)i, &p);
		kv[0] = (struct sargs_kv){"first_name", p.first_name};
		kv[1] = (struct sargs_kv){"last_name", p.last_name};
		kv[2] = (struct sargs_kv){"email", p.email};
		kv[3] = (struct sargs_kv){"phone", p.phone};
		kv[4] = (struct sargs_kv){"postal_address", p.address};
		memset(&in, 0, sizeof(in));
		in.purposes = purposes;
		in.n_purposes = 1;
		in.source = "person";
		in.fields = kv;
		in.n_fields = 5;
		check(sargs_subject_add(reg, &in, id, &err), &err, "add");
		check(sargs_consent_give(reg, id, "newsletter", &proof, NULL, &err), &err,
		      "consent");
		if (fprintf(out, "%s\n", id) < 0)
			die("cannot write %s", tmp);
		if ((i + 1) % batch == 0) {
			check(sargs_reg_commit(reg, &err), &err, "commit");
			check(sargs_reg_begin(reg, &err), &err, "begin");
		}
		if ((i + 1) % 20000 == 0)
			fprintf(stderr, "\rseeding: %ld of %ld (%.0f/s)", i + 1, n,
				(double)(i + 1) * 1e9 / (double)(now_ns() - t0));
	}
	check(sargs_reg_commit(reg, &err), &err, "commit");
	sargs_reg_close(reg);
	if (fclose(out) != 0 || rename(tmp, ids_path) != 0)
		die("cannot write %s", ids_path);
	fprintf(stderr, "\rseeded %ld subjects in %.1f s%30s\n", n, (double)(now_ns() - t0) / 1e9,
		"");
	return 0;
}
