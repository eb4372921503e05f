/*
 * bench_rights.c — the data subject's copy and the retention sweep at
 * scale, against a plain SQLite table in the same run (see bench/README.md).
 *
 * Builds a register of N subjects (default 1,000,000) through the public
 * domain API: every subject a customer of the shop ("shop": contract, kept
 * one year from the last purchase) with first and last name, e-mail and
 * phone; a purchase for each, within the last year for 98 % and older for
 * 2 % (whose shop purpose has ended); one in five also consented to the
 * newsletter. Then it times:
 *
 *   access  K access exports (GDPR Art. 15, JSON: every field decrypted,
 *           purposes with basis, recipients and retention, consent history,
 *           purchases, contracts), each its own transaction with its durable
 *           audit entry; against the plain side's SELECT of the same
 *           person's row by id, each in its own read transaction;
 *   sweep   the retention sweep as a dry run (planning only) and for real
 *           (the 2 % erased by crypto-shredding); against the plain side's
 *           DELETE of the rows whose last purchase is over a year old.
 *
 * Targets (issue 4): access p99 under 5 ms, sweep under 10 s at 1,000,000.
 * <sqlite3.h> is used only for the plain baseline, as in bench_register.c.
 */
#define _GNU_SOURCE
#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/register.h"
#include "domain/relation.h"
#include "domain/rights.h"
#include "domain/subject.h"
#include "util/synth.h"

#include <sqlite3.h> /* the plain-table baseline only */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char registry[] =
	"{\"sargs_registry\": 1,"
	" \"fields\": ["
	"  {\"name\": \"first_name\", \"category\": \"name\"},"
	"  {\"name\": \"last_name\", \"category\": \"name\"},"
	"  {\"name\": \"email\", \"category\": \"contact\", \"type\": \"email\"},"
	"  {\"name\": \"phone\", \"category\": \"contact\", \"type\": \"phone\"}],"
	" \"purposes\": ["
	"  {\"id\": \"shop\", \"name\": \"Shop\", \"description\": \"Orders and delivery.\","
	"   \"legal_basis\": \"contract\", \"categories\": [\"name\", \"contact\"],"
	"   \"fields\": [{\"field\": \"first_name\", \"required\": true},"
	"    {\"field\": \"last_name\", \"required\": true}, {\"field\": \"email\", \"required\": true},"
	"    {\"field\": \"phone\", \"required\": false, \"why\": \"delivery calls\"}],"
	"   \"recipients\": [{\"name\": \"Courier\", \"kind\": \"processor\", \"dpa\": \"DPA 2024\"}],"
	"   \"retention\": {\"period\": \"P1Y\", \"from\": \"last_purchase\"}},"
	"  {\"id\": \"newsletter\", \"name\": \"News\", \"description\": \"News by e-mail.\","
	"   \"legal_basis\": \"consent\", \"categories\": [\"contact\"],"
	"   \"fields\": [{\"field\": \"email\", \"required\": true}],"
	"   \"retention\": {\"until\": \"objection\"}, \"marketing\": {\"channels\": [\"email\"]}}]}";

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

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static double pct_ms(int64_t *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);

	return (double)v[i] / 1e6;
}

struct plain_row {
	int32_t last_day;
};

/* Builds the register; ids (n) receive the subject ids; days their last
 * purchase day. */
static void build(const char *dir, long n, char (*ids)[SARGS_UUID_STR], int32_t *days)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	struct sargs_synth g;
	struct sargs_consent_proof proof = {
		"web_form", "shop-v3",
		"5d1f0c0b6a9e8c7f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f", 0, NULL, NULL, 0};
	struct sargs_controller ctl = {"SIA Bench", NULL, "Rīga", "info@example.lv", NULL, NULL,
				       NULL, NULL, NULL};
	int32_t today = sargs_today();
	int64_t t0 = now_ns(), ver;

	check(sargs_reg_init(dir, &err), &err, "init");
	check(sargs_reg_open(dir, &reg, &err), &err, "open");
	check(sargs_controller_set(reg, &ctl, &err), &err, "controller");
	check(sargs_registry_load(reg, registry, strlen(registry), &ver, &err), &err, "registry");
	sargs_synth_init(&g, 11);
	check(sargs_reg_begin(reg, &err), &err, "begin");
	for (long i = 0; i < n; i++) {
		struct sargs_synth_person p;
		const char *purposes[1] = {"shop"};
		struct sargs_kv kv[4];
		struct sargs_subject_input in;
		long r = (long)((uint64_t)i * 2654435761u % 1000);

		sargs_synth_person(&g, (uint64_t)i, &p);
		kv[0] = (struct sargs_kv){"first_name", p.first_name};
		kv[1] = (struct sargs_kv){"last_name", p.last_name};
		kv[2] = (struct sargs_kv){"email", p.email};
		kv[3] = (struct sargs_kv){"phone", p.phone};
		memset(&in, 0, sizeof(in));
		in.purposes = purposes;
		in.n_purposes = 1;
		in.source = "person";
		in.fields = kv;
		in.n_fields = 4;
		check(sargs_subject_add(reg, &in, ids[i], &err), &err, "add");
		days[i] = r < 20 ? today - 400 - (int32_t)(r % 300) : today - (int32_t)(r % 360);
		check(sargs_purchase_record(reg, ids[i], "goods", days[i], 1, 0, NULL, &err), &err,
		      "purchase");
		if (r % 5 == 1)
			check(sargs_consent_give(reg, ids[i], "newsletter", &proof, NULL, &err), &err,
			      "consent");
		if ((i + 1) % 1000 == 0) {
			check(sargs_reg_commit(reg, &err), &err, "commit");
			check(sargs_reg_begin(reg, &err), &err, "begin");
		}
		if ((i + 1) % 50000 == 0)
			fprintf(stderr, "\rbuilding: %ld of %ld (%.0f/s)", i + 1, n,
				(double)(i + 1) * 1e9 / (double)(now_ns() - t0));
	}
	check(sargs_reg_commit(reg, &err), &err, "commit");
	fprintf(stderr, "\rbuilt %ld subjects in %.1f s%30s\n", n, (double)(now_ns() - t0) / 1e9,
		"");
	sargs_reg_close(reg);
}

static void plain_build(sqlite3 *db, long n, const int32_t *days)
{
	sqlite3_stmt *st;

	if (sqlite3_exec(db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;"
			 "CREATE TABLE plain(id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT,"
			 " email TEXT, phone TEXT, last_purchase_day INTEGER, newsletter INTEGER);"
			 "CREATE INDEX plain_by_day ON plain(last_purchase_day); BEGIN",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO plain VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &st,
			       NULL) != SQLITE_OK)
		die("plain: %s", sqlite3_errmsg(db));
	for (long i = 0; i < n; i++) {
		(void)sqlite3_bind_int64(st, 1, i);
		(void)sqlite3_bind_text(st, 2, "Anna", -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 3, "Bērziņa", -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 4, "anna.berzina@example.lv", -1, SQLITE_STATIC);
		(void)sqlite3_bind_text(st, 5, "+37126123456", -1, SQLITE_STATIC);
		(void)sqlite3_bind_int(st, 6, days[i]);
		(void)sqlite3_bind_int(st, 7, (int)(i % 5 == 1));
		if (sqlite3_step(st) != SQLITE_DONE)
			die("plain insert: %s", sqlite3_errmsg(db));
		(void)sqlite3_reset(st);
	}
	(void)sqlite3_finalize(st);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		die("plain: %s", sqlite3_errmsg(db));
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	long k = 10000;
	char dir[256], plain[300];
	char (*ids)[SARGS_UUID_STR];
	int32_t *days;
	int64_t *lat_s, *lat_p;
	struct sargs_reg *reg;
	struct sargs_err err;
	struct sargs_sweep_summary sum;
	sqlite3 *db;
	sqlite3_stmt *sel, *del;
	int64_t t, t_dry, t_sweep, t_plain_del;
	uint64_t seed = 88172645463325252ULL;
	size_t bytes = 0;

	if (n < 1000 || n > 20000000)
		die("usage: sargs_bench_rights [SUBJECTS (1000..20000000, default 1000000)]\n"
		    "  env SARGS_BENCH_DIR: where to build (default /tmp)");
	if (k > n)
		k = n;
	(void)snprintf(dir, sizeof(dir), "%s/sargs-bench-rights-%d",
		       getenv("SARGS_BENCH_DIR") ? getenv("SARGS_BENCH_DIR") : "/tmp", (int)getpid());
	(void)snprintf(plain, sizeof(plain), "%s-plain.db", dir);
	ids = calloc((size_t)n, sizeof(*ids));
	days = calloc((size_t)n, sizeof(*days));
	lat_s = calloc((size_t)k, sizeof(*lat_s));
	lat_p = calloc((size_t)k, sizeof(*lat_p));
	if (ids == NULL || days == NULL || lat_s == NULL || lat_p == NULL)
		die("out of memory");
	setenv("SARGS_MASTER_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
	build(dir, n, ids, days);
	if (sqlite3_open(plain, &db) != SQLITE_OK)
		die("plain: cannot open");
	plain_build(db, n, days);

	/* access: the same K people on both sides */
	check(sargs_reg_open(dir, &reg, &err), &err, "open");
	if (sqlite3_prepare_v2(db, "SELECT * FROM plain WHERE id = ?1", -1, &sel, NULL) != SQLITE_OK)
		die("plain: %s", sqlite3_errmsg(db));
	for (long i = 0; i < k; i++) {
		struct sargs_access_opts o = {SARGS_EXPORT_JSON, NULL, 0, 0};
		long j;
		char *doc = NULL;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		j = (long)(seed % (uint64_t)n);
		t = now_ns();
		check(sargs_access_export(reg, ids[j], &o, &doc, &err), &err, "access");
		lat_s[i] = now_ns() - t;
		bytes += strlen(doc);
		free(doc);
		t = now_ns();
		if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
			die("plain begin");
		(void)sqlite3_bind_int64(sel, 1, j);
		while (sqlite3_step(sel) == SQLITE_ROW)
			bytes += (size_t)sqlite3_column_bytes(sel, 3);
		(void)sqlite3_reset(sel);
		if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			die("plain commit");
		lat_p[i] = now_ns() - t;
	}
	(void)sqlite3_finalize(sel);
	qsort(lat_s, (size_t)k, sizeof(*lat_s), cmp64);
	qsort(lat_p, (size_t)k, sizeof(*lat_p), cmp64);

	/* the sweep */
	t = now_ns();
	check(sargs_retention_sweep(reg, 1, NULL, NULL, &sum, &err), &err, "dry run");
	t_dry = now_ns() - t;
	t = now_ns();
	check(sargs_retention_sweep(reg, 0, NULL, NULL, &sum, &err), &err, "sweep");
	t_sweep = now_ns() - t;
	sargs_reg_close(reg);
	if (sqlite3_prepare_v2(db, "DELETE FROM plain WHERE last_purchase_day < ?1", -1, &del,
			       NULL) != SQLITE_OK)
		die("plain: %s", sqlite3_errmsg(db));
	(void)sqlite3_bind_int(del, 1, sargs_today() - 366);
	t = now_ns();
	if (sqlite3_step(del) != SQLITE_DONE)
		die("plain delete: %s", sqlite3_errmsg(db));
	t_plain_del = now_ns() - t;
	(void)sqlite3_finalize(del);
	(void)sqlite3_close(db);

	printf("rights at %ld subjects (%ld access exports; %zu bytes read)\n", n, k, bytes);
	printf("  %-38s %10s %10s %8s\n", "", "sargs", "plain", "ratio");
	printf("  %-38s %10.3f %10.3f %8.1f\n", "access export p50 (ms)", pct_ms(lat_s, (size_t)k, .5),
	       pct_ms(lat_p, (size_t)k, .5), pct_ms(lat_s, (size_t)k, .5) / pct_ms(lat_p, (size_t)k, .5));
	printf("  %-38s %10.3f %10.3f %8.1f\n", "access export p99 (ms)",
	       pct_ms(lat_s, (size_t)k, .99), pct_ms(lat_p, (size_t)k, .99),
	       pct_ms(lat_s, (size_t)k, .99) / pct_ms(lat_p, (size_t)k, .99));
	printf("  %-38s %10.3f %10s %8s\n", "retention sweep, dry run (s)", (double)t_dry / 1e9, "-",
	       "");
	printf("  %-38s %10.3f %10.3f %8.1f\n", "retention sweep (s)", (double)t_sweep / 1e9,
	       (double)t_plain_del / 1e9, (double)t_sweep / (double)t_plain_del);
	printf("  sweep: %lld links checked, %lld people erased, %lld purposes ended\n",
	       (long long)sum.links_checked, (long long)sum.subjects_erased,
	       (long long)sum.purposes_ended);
	printf("targets: access p99 < 5 ms: %s; sweep < 10 s: %s\n",
	       pct_ms(lat_s, (size_t)k, .99) < 5 ? "met" : "MISSED",
	       (double)t_sweep / 1e9 < 10 ? "met" : "MISSED");
	free(ids);
	free(days);
	free(lat_s);
	free(lat_p);
	if (getenv("SARGS_BENCH_KEEP") == NULL) {
		char cmd[1400];

		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s-wal' '%s-shm'", dir, plain,
			       plain, plain);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return 0;
}
