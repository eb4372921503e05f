/*
 * bench_audience.c — how long resolving a campaign audience takes at
 * scale, against a plain SQL query over a plain table with a single
 * "may market" flag, in the same run (see bench/README.md).
 *
 * Builds a register of N subjects (default 1,000,000) with a realistic
 * mix, through the library's public domain API: everyone is a customer
 * ("service"); purchases across three product lines (signs, printing,
 * bakery) with the chance to refuse marketing offered to most and taken by
 * a few (soft opt-in links follow); two in five subscribed to the consent
 * newsletter, of whom some withdrew since and some only ticked a pre-ticked
 * box; minors (birth date under 18), objections to direct marketing, and
 * legacy zones red/grey/green. Then it times, best of R runs each:
 *
 *   audience  sargs_campaign_audience for the soft-opt-in purpose and for
 *             the consent newsletter, e-mail channel: every linked subject
 *             decided by the policy engine, counts by reason;
 *   baseline  SELECT id FROM plain WHERE may_market = 1 over a plain table
 *             of the same N rows (id, may_market), counting the rows;
 *
 * and prints the ratios. Targets (issue 3): within 3x of the baseline and
 * under 1 s at 1,000,000 subjects.
 *
 * <sqlite3.h> is used only for the baseline, as in bench_register.c.
 */
#define _GNU_SOURCE
#include "domain/campaign.h"
#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/register.h"
#include "domain/relation.h"
#include "domain/subject.h"
#include "util/synth.h"

#include <sqlite3.h> /* the plain-table baseline only */

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char registry[] =
	"{\"sargs_registry\": 1,"
	" \"fields\": ["
	"  {\"name\": \"first_name\", \"category\": \"name\"},"
	"  {\"name\": \"last_name\", \"category\": \"name\"},"
	"  {\"name\": \"email\", \"category\": \"contact\", \"type\": \"email\"},"
	"  {\"name\": \"birth_date\", \"category\": \"relationship_dates\", \"type\": \"date\"}],"
	" \"purposes\": ["
	"  {\"id\": \"service\", \"name\": \"Service\", \"description\": \"Contracts.\","
	"   \"legal_basis\": \"contract\", \"categories\": [\"name\", \"contact\", \"relationship_dates\"],"
	"   \"fields\": [{\"field\": \"first_name\", \"required\": true},"
	"    {\"field\": \"last_name\", \"required\": true}, {\"field\": \"email\", \"required\": true},"
	"    {\"field\": \"birth_date\", \"required\": false, \"why\": \"age checks\"}],"
	"   \"retention\": {\"period\": \"P3Y\", \"from\": \"contract_end\"}},"
	"  {\"id\": \"newsletter\", \"name\": \"News\", \"description\": \"News by e-mail.\","
	"   \"legal_basis\": \"consent\", \"categories\": [\"name\", \"contact\"],"
	"   \"fields\": [{\"field\": \"email\", \"required\": true},"
	"    {\"field\": \"first_name\", \"required\": false, \"why\": \"greeting\"}],"
	"   \"retention\": {\"until\": \"objection\"}, \"online_service\": true,"
	"   \"marketing\": {\"channels\": [\"email\"]}},"
	"  {\"id\": \"signs_offers\", \"name\": \"Offers\", \"description\": \"Soft opt-in.\","
	"   \"legal_basis\": \"legitimate_interests\", \"balancing_test\": \"weighed\","
	"   \"categories\": [\"name\", \"contact\"], \"product_line\": \"signs\","
	"   \"fields\": [{\"field\": \"email\", \"required\": true},"
	"    {\"field\": \"first_name\", \"required\": false, \"why\": \"greeting\"}],"
	"   \"retention\": {\"until\": \"objection\"},"
	"   \"marketing\": {\"channels\": [\"email\"], \"soft_opt_in\": true}}]}";

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

static double now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void check(enum sargs_rc rc, const struct sargs_err *err, const char *what)
{
	if (rc != SARGS_OK)
		die("%s: %s", what, err->msg);
}

/* Builds the register; *may_market gets, per subject, the flag the plain
 * table will hold (whether the soft-opt-in campaign may reach them). */
static void build(const char *dir, long n, unsigned char *may_market)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	struct sargs_synth g;
	struct sargs_consent_proof proof = {
		"web_form", "shop-v3",
		"5d1f0c0b6a9e8c7f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f", 0, NULL, NULL, 0};
	static const char *const lines[] = {"signs", "printing", "bakery"};
	int32_t today = sargs_today();
	double t0 = now_s();
	int64_t ver;
	long i;

	check(sargs_reg_init(dir, &err), &err, "init");
	check(sargs_reg_open(dir, &reg, &err), &err, "open");
	check(sargs_registry_load(reg, registry, strlen(registry), &ver, &err), &err, "registry");
	sargs_synth_init(&g, 7);
	check(sargs_reg_begin(reg, &err), &err, "begin");
	for (i = 0; i < n; i++) {
		struct sargs_synth_person p;
		const char *purposes[1] = {"service"};
		struct sargs_kv kv[4];
		struct sargs_subject_input in;
		char id[SARGS_UUID_STR], birth[16];
		size_t nk = 0;
		long r = (long)((uint64_t)i * 2654435761u % 1000);
		int minor = r < 50;
		int line = (int)(i % 3), offered = r % 10 != 0, refused = r % 37 == 0;
		enum sargs_rc rc;

		sargs_synth_person(&g, (uint64_t)i, &p);
		kv[nk++] = (struct sargs_kv){"first_name", p.first_name};
		kv[nk++] = (struct sargs_kv){"last_name", p.last_name};
		kv[nk++] = (struct sargs_kv){"email", p.email};
		if (minor || r % 3 == 0) {
			(void)snprintf(birth, sizeof(birth), "%04d-05-17",
				       minor ? 2012 + (int)(r % 10) : 1950 + (int)(r % 50));
			kv[nk++] = (struct sargs_kv){"birth_date", birth};
		}
		memset(&in, 0, sizeof(in));
		in.purposes = purposes;
		in.n_purposes = 1;
		in.source = "person";
		in.fields = kv;
		in.n_fields = nk;
		check(sargs_subject_add(reg, &in, id, &err), &err, "add");
		if (r < 800)
			check(sargs_purchase_record(reg, id, lines[line], today - (int32_t)(r % 600),
						    offered, refused && offered, NULL, &err),
			      &err, "purchase");
		if (r % 5 < 2) {
			proof.preticked = r % 20 == 1;
			rc = sargs_consent_give(reg, id, "newsletter", &proof, NULL, &err);
			if (rc != SARGS_OK && !(rc == SARGS_E_DENIED && proof.preticked))
				die("consent: %s", err.msg);
			proof.preticked = 0;
			if (r % 25 == 3)
				check(sargs_consent_withdraw(reg, id, "newsletter", &proof, NULL, &err),
				      &err, "withdraw");
		}
		if (r % 50 == 11)
			check(sargs_consent_object(reg, id, NULL, &proof, NULL, &err), &err, "object");
		if (r % 100 < 6)
			check(sargs_facts_set_zone(reg, id, 1 + (int)(r % 3)) == SARGS_OK
				      ? SARGS_OK : SARGS_E_STORE,
			      &err, "zone");
		/* the flag the plain side keeps: what the engine will decide for
		 * the soft-opt-in purpose (computed the simple way) */
		may_market[i] = r < 800 && line == 0 && offered && !(refused && offered) && !minor &&
				r % 50 != 11 && !(r % 100 < 6 && r % 3 == 0);
		if ((i + 1) % 1000 == 0) {
			check(sargs_reg_commit(reg, &err), &err, "commit");
			check(sargs_reg_begin(reg, &err), &err, "begin");
		}
		if ((i + 1) % 50000 == 0)
			fprintf(stderr, "\rbuilding: %ld of %ld subjects (%.0f/s)", i + 1, n,
				(double)(i + 1) / (now_s() - t0));
	}
	check(sargs_reg_commit(reg, &err), &err, "commit");
	fprintf(stderr, "\rbuilt %ld subjects in %.1f s%30s\n", n, now_s() - t0, "");
	sargs_reg_close(reg);
}

static double time_audience(const char *dir, const char *purpose, int runs, int64_t *allowed)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	double best = 1e9;

	check(sargs_reg_open(dir, &reg, &err), &err, "open");
	for (int k = 0; k < runs; k++) {
		struct sargs_audience_req req = {purpose, SARGS_CH_EMAIL, NULL, 0, 0};
		struct sargs_audience a;
		double t = now_s();

		check(sargs_campaign_audience(reg, &req, 1, &a, &err), &err, "audience");
		t = now_s() - t;
		if (t < best)
			best = t;
		*allowed = a.allowed;
		sargs_audience_free(&a);
	}
	sargs_reg_close(reg);
	return best;
}

static double time_plain(const char *path, long n, const unsigned char *flags, int runs,
			 int64_t *allowed)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	double best = 1e9;

	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;"
			 "CREATE TABLE plain(id BLOB PRIMARY KEY, may_market INTEGER NOT NULL)"
			 " WITHOUT ROWID; BEGIN",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO plain VALUES(?1, ?2)", -1, &st, NULL) != SQLITE_OK)
		die("plain: %s", sqlite3_errmsg(db));
	for (long i = 0; i < n; i++) {
		unsigned char id[16] = {0};

		memcpy(id, &i, sizeof(i));
		id[15] = 0x5a;
		(void)sqlite3_bind_blob(st, 1, id, 16, SQLITE_TRANSIENT);
		(void)sqlite3_bind_int(st, 2, flags[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			die("plain insert: %s", sqlite3_errmsg(db));
		(void)sqlite3_reset(st);
	}
	(void)sqlite3_finalize(st);
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT id FROM plain WHERE may_market = 1", -1, &st, NULL) !=
		    SQLITE_OK)
		die("plain: %s", sqlite3_errmsg(db));
	for (int k = 0; k < runs; k++) {
		double t = now_s();
		int64_t c = 0;

		while (sqlite3_step(st) == SQLITE_ROW)
			c += sqlite3_column_bytes(st, 0) == 16;
		(void)sqlite3_reset(st);
		t = now_s() - t;
		if (t < best)
			best = t;
		*allowed = c;
	}
	(void)sqlite3_finalize(st);
	(void)sqlite3_close(db);
	return best;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	int runs = 5;
	char dir[256], plain[300];
	unsigned char *flags;
	int64_t a_soft = 0, a_news = 0, a_plain = 0;
	double t_soft, t_news, t_plain;

	if (n < 1000 || n > 50000000)
		die("usage: sargs_bench_audience [SUBJECTS (1000..50000000, default 1000000)]\n"
		    "  env SARGS_BENCH_DIR: where to build (default /tmp)");
	(void)snprintf(dir, sizeof(dir), "%s/sargs-bench-audience-%d",
		       getenv("SARGS_BENCH_DIR") ? getenv("SARGS_BENCH_DIR") : "/tmp", (int)getpid());
	(void)snprintf(plain, sizeof(plain), "%s-plain.db", dir);
	flags = calloc((size_t)n, 1);
	if (flags == NULL)
		die("out of memory");
	setenv("SARGS_MASTER_KEY", "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", 1);
	build(dir, n, flags);
	t_soft = time_audience(dir, "signs_offers", runs, &a_soft);
	t_news = time_audience(dir, "newsletter", runs, &a_news);
	t_plain = time_plain(plain, n, flags, runs, &a_plain);
	printf("audience resolution at %ld subjects (best of %d runs)\n", n, runs);
	printf("  %-44s %10s %10s %8s\n", "", "seconds", "allowed", "ratio");
	printf("  %-44s %10.3f %10lld %8s\n", "plain: SELECT ... WHERE may_market = 1", t_plain,
	       (long long)a_plain, "1.00");
	printf("  %-44s %10.3f %10lld %8.2f\n", "sargs: soft opt-in purpose, e-mail", t_soft,
	       (long long)a_soft, t_soft / t_plain);
	printf("  %-44s %10.3f %10lld %8.2f\n", "sargs: consent newsletter, e-mail", t_news,
	       (long long)a_news, t_news / t_plain);
	printf("targets: ratio <= 3, time < 1 s: soft opt-in %s, newsletter %s\n",
	       t_soft / t_plain <= 3 && t_soft < 1 ? "met" : "MISSED",
	       t_news / t_plain <= 3 && t_news < 1 ? "met" : "MISSED");
	if (a_soft != a_plain)
		printf("note: the plain flag's simple rule counts %lld, the engine %lld (the engine"
		       " also applies retention, zones and consent state)\n",
		       (long long)a_plain, (long long)a_soft);
	free(flags);
	if (getenv("SARGS_BENCH_KEEP") == NULL) {
		char cmd[1400];

		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s' '%s-wal' '%s-shm'", dir, plain,
			       plain, plain);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return 0;
}
