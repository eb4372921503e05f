/*
 * bench_register.c — the register's throughput and latency against the
 * plain SQLite table a user would otherwise build (see bench/README.md).
 *
 * Generates N realistic synthetic subjects (util/synth.h: Latvian names,
 * e-mails, phones, valid personal codes) and measures, on one core:
 *
 *   ingest   N subjects added in transactions of B (encryption with a fresh
 *            data key per subject, blind indexes, purpose link, audit entry);
 *   lookup   K finds by e-mail with decryption for a purpose, each call its
 *            own transaction with its own durable audit entry;
 *   erase    K erasures (crypto-shredding), each its own transaction.
 *
 * In the same run it does the same operations on a plain, unencrypted
 * SQLite table of the same values, indexed on e-mail, phone and personal
 * code, with the same durability settings, and prints each ratio.
 *
 * The generation of synthetic people is not timed on either side: people
 * are generated a batch at a time outside the timed region, then the batch
 * is stored inside it, so both sides are timed on storing identical values.
 *
 * About <sqlite3.h>: outside src/store/ no code of Sargs may speak SQL. This
 * file is the one exception, and only for the baseline: the plain table is
 * by definition "what a user would build without Sargs", so it talks to
 * SQLite directly. The Sargs side below uses only the library's public
 * domain API (register, registry, subject). The sargs target links sqlite3
 * publicly, so no extra build wiring is needed.
 */
#define _GNU_SOURCE
#include "domain/controller.h"
#include "domain/register.h"
#include "domain/subject.h"
#include "util/synth.h"

#include <sqlite3.h> /* the plain-table baseline only; see above */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* ---- the purpose registry the bench loads */

static const char bench_registry[] =
	"{\n"
	"  \"sargs_registry\": 1,\n"
	"  \"categories\": [\n"
	"    {\"id\": \"birth\", \"name\": \"Date of birth\"}\n"
	"  ],\n"
	"  \"fields\": [\n"
	"    {\"name\": \"first_name\", \"label\": \"First name\", \"category\": \"name\"},\n"
	"    {\"name\": \"last_name\", \"label\": \"Last name\", \"category\": \"name\"},\n"
	"    {\"name\": \"email\", \"label\": \"E-mail\", \"category\": \"contact\","
	" \"type\": \"email\"},\n"
	"    {\"name\": \"phone\", \"label\": \"Phone\", \"category\": \"contact\","
	" \"type\": \"phone\"},\n"
	"    {\"name\": \"personal_code\", \"label\": \"Personal code\","
	" \"category\": \"personal_code\", \"type\": \"personal_code\"},\n"
	"    {\"name\": \"birth_date\", \"label\": \"Date of birth\", \"category\": \"birth\","
	" \"type\": \"date\"}\n"
	"  ],\n"
	"  \"purposes\": [\n"
	"    {\n"
	"      \"id\": \"service\",\n"
	"      \"name\": \"Providing the service\",\n"
	"      \"description\": \"Concluding and performing the customer contract.\",\n"
	"      \"legal_basis\": \"contract\",\n"
	"      \"categories\": [\"name\", \"contact\", \"personal_code\", \"birth\"],\n"
	"      \"fields\": [\n"
	"        {\"field\": \"first_name\", \"required\": true},\n"
	"        {\"field\": \"last_name\", \"required\": true},\n"
	"        {\"field\": \"email\", \"required\": true},\n"
	"        {\"field\": \"phone\", \"required\": false,"
	" \"why\": \"To call about the order.\"},\n"
	"        {\"field\": \"personal_code\", \"required\": false,"
	" \"why\": \"To identify the customer in the contract.\"},\n"
	"        {\"field\": \"birth_date\", \"required\": false,"
	" \"why\": \"To check the customer is of age.\"}\n"
	"      ],\n"
	"      \"retention\": {\"period\": \"P3Y\", \"from\": \"contract_end\"}\n"
	"    }\n"
	"  ]\n"
	"}\n";

/* ---- small helpers */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)fputs("sargs_bench: ", stderr);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vfprintf(stderr, fmt, ap);
	(void)fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* CPU time (user + system) of the process so far, in seconds. */
static double cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0.0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Bytes the process has asked to write (wchar in /proc/self/io): the
 * volume of WAL, checkpoint and log traffic, before the page cache. */
static double written_mb(void)
{
	FILE *f = fopen("/proc/self/io", "r");
	char line[128];
	unsigned long long v = 0;

	if (f == NULL)
		return 0.0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "wchar: %llu", &v) == 1)
			break;
	(void)fclose(f);
	return (double)v / 1e6;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* splitmix64 for choosing samples (independent of the people generator) */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t z = (rnd_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n)
{
	/* n is at most a few million: the modulo bias is far below noise */
	return rnd() % n;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

struct lat {
	int64_t *ns;
	size_t n;
	double p50_ms, p99_ms, max_ms, mean_ms;
};

/* Nearest-rank percentile of sorted values. */
static double pct_ms(const int64_t *v, size_t n, double p)
{
	size_t rank;

	if (n == 0)
		return 0.0;
	rank = (size_t)(p * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return (double)v[rank - 1] / 1e6;
}

static void lat_finish(struct lat *l)
{
	double sum = 0;

	if (l->n == 0)
		return;
	qsort(l->ns, l->n, sizeof(l->ns[0]), cmp_i64);
	for (size_t i = 0; i < l->n; i++)
		sum += (double)l->ns[i];
	l->p50_ms = pct_ms(l->ns, l->n, 0.50);
	l->p99_ms = pct_ms(l->ns, l->n, 0.99);
	l->max_ms = l->n ? (double)l->ns[l->n - 1] / 1e6 : 0.0;
	l->mean_ms = l->n ? sum / (double)l->n / 1e6 : 0.0;
}

/* A phase's heading on stderr, stamped with CLOCK_MONOTONIC seconds so a
 * profile taken with perf record -k CLOCK_MONOTONIC can be cut by phase
 * (perf report --time START,END). */
static void phase(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void phase(const char *fmt, ...)
{
	va_list ap;

	(void)fprintf(stderr, "[%.6f] ", (double)now_ns() / 1e9);
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vfprintf(stderr, fmt, ap);
	va_end(ap);
	(void)fflush(stderr);
}

static void progress(const char *what, uint64_t done, uint64_t total, int64_t t0)
{
	double s = (double)(now_ns() - t0) / 1e9;

	static const char *last_what;
	static uint64_t last_tenth;
	int tty = isatty(STDERR_FILENO);
	uint64_t tenth = total ? done * 10 / total : 10;

	if (what != last_what) {
		last_what = what;
		last_tenth = 0;
	}
	if (!tty && tenth == last_tenth && done != total)
		return; /* to a file: a line per tenth */
	last_tenth = tenth;
	(void)fprintf(stderr, "%s  %-14s %10" PRIu64 " / %" PRIu64 "  (%5.1f%%, %7.1f s)",
		      tty ? "\r" : "", what, done, total,
		      total ? 100.0 * (double)done / (double)total : 100.0, s);
	if (done == total || !tty)
		(void)fputc('\n', stderr);
	(void)fflush(stderr);
}

/* ---- options */

struct opts {
	uint64_t n;
	uint64_t lookups;
	uint64_t erases;
	uint64_t batch;
	const char *dir;
	uint64_t seed;
	int run_sargs, run_plain; /* --only sargs|plain (for profiling one side) */
	const char *latencies;    /* --latencies FILE: every timed operation, in order */
};

static uint64_t parse_u64(const char *opt, const char *s, uint64_t min)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v < min)
		die("%s wants a whole number of at least %" PRIu64 ", not \"%s\"", opt, min, s);
	return (uint64_t)v;
}

static void usage(FILE *f)
{
	(void)fputs("usage: sargs_bench [--n N] [--lookups K] [--erases K] [--batch B]\n"
		    "                   [--dir DIR] [--seed S] [--only sargs|plain]\n"
		    "                   [--latencies FILE]\n"
		    "  --n N        subjects to ingest (default 1000000)\n"
		    "  --lookups K  lookups by e-mail to time (default 10000)\n"
		    "  --erases K   erasures to time (default 10000)\n"
		    "  --batch B    subjects per ingest transaction (default 1000)\n"
		    "  --dir DIR    working directory, created if missing; must not hold a\n"
		    "               previous run (default: a fresh /tmp/sargs_bench.XXXXXX)\n"
		    "  --seed S     seed of the synthetic people and the samples (default 1)\n"
		    "  --only SIDE  run only \"sargs\" or only \"plain\" (for profiling)\n"
		    "  --latencies FILE  write every lookup's and erasure's time, in the order\n"
		    "               run, as CSV (side,op,i,ns), to study the tail\n",
		    f);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	o->n = 1000000;
	o->lookups = 10000;
	o->erases = 10000;
	o->batch = 1000;
	o->dir = NULL;
	o->seed = 1;
	o->run_sargs = o->run_plain = 1;
	o->latencies = NULL;
	for (int i = 1; i < argc; i += 2) { /* every option takes a value */
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		}
		if (v == NULL) {
			usage(stderr);
			die("unknown option or missing value: %s", a);
		}
		if (strcmp(a, "--n") == 0)
			o->n = parse_u64(a, v, 1);
		else if (strcmp(a, "--lookups") == 0)
			o->lookups = parse_u64(a, v, 0);
		else if (strcmp(a, "--erases") == 0)
			o->erases = parse_u64(a, v, 0);
		else if (strcmp(a, "--batch") == 0)
			o->batch = parse_u64(a, v, 1);
		else if (strcmp(a, "--dir") == 0)
			o->dir = v;
		else if (strcmp(a, "--seed") == 0)
			o->seed = parse_u64(a, v, 0);
		else if (strcmp(a, "--only") == 0 && strcmp(v, "sargs") == 0)
			o->run_plain = 0;
		else if (strcmp(a, "--only") == 0 && strcmp(v, "plain") == 0)
			o->run_sargs = 0;
		else if (strcmp(a, "--latencies") == 0)
			o->latencies = v;
		else if (strcmp(a, "--only") == 0)
			die("--only wants sargs or plain, not \"%s\"", v);
		else {
			usage(stderr);
			die("unknown option %s", a);
		}
	}
	if (o->n > 10000000)
		die("--n is at most 10000000 (synthetic e-mails, phones and codes are unique"
		    " below that)");
	if (o->lookups + o->erases > o->n)
		die("--lookups + --erases (%" PRIu64 ") must not exceed --n (%" PRIu64
		    "): lookups and erasures use distinct subjects",
		    o->lookups + o->erases, o->n);
}

/* ---- machine */

static const char *fs_name(const char *dir)
{
	struct statfs s;

	if (statfs(dir, &s) != 0)
		return "unknown";
	switch ((unsigned long)s.f_type) {
	case 0xEF53UL: return "ext2/3/4";
	case 0x01021994UL: return "tmpfs (fsync is free: durability figures are not real)";
	case 0x58465342UL: return "xfs";
	case 0x9123683EUL: return "btrfs";
	case 0x794c7630UL: return "overlayfs";
	case 0x2FC12FC1UL: return "zfs";
	case 0x6969UL: return "nfs";
	default: return "other";
	}
}

static void machine_info(const char *dir, int pinned)
{
	char model[256] = "unknown";
	FILE *f = fopen("/proc/cpuinfo", "r");
	struct utsname u;

	if (f != NULL) {
		char line[512];

		while (fgets(line, sizeof(line), f) != NULL) {
			if (strncmp(line, "model name", 10) == 0) {
				char *p = strchr(line, ':');

				if (p != NULL) {
					p++;
					while (*p == ' ' || *p == '\t')
						p++;
					p[strcspn(p, "\n")] = '\0';
					(void)snprintf(model, sizeof(model), "%s", p);
				}
				break;
			}
		}
		(void)fclose(f);
	}
	if (uname(&u) != 0)
		(void)snprintf(u.release, sizeof(u.release), "unknown");
	(void)printf("machine: %ld CPUs online, %s; Linux %s; SQLite %s; %s; dir %s on %s\n",
		     sysconf(_SC_NPROCESSORS_ONLN), model, u.release, sqlite3_libversion(),
		     pinned ? "pinned to CPU 0" : "not pinned (sched_setaffinity failed)", dir,
		     fs_name(dir));
}

/* ---- samples: which subjects are looked up and which erased */

struct sample {
	int32_t *slot_of;      /* per index: -1, or lookup slot, or lookups + erase slot */
	uint64_t *lookup_idx;  /* lookup order */
	char (*lookup_email)[96];
	uint64_t *erase_idx;   /* erase order */
	char (*erase_id)[SARGS_UUID_STR];
};

static void sample_make(const struct opts *o, struct sample *s)
{
	uint64_t k = o->lookups + o->erases;
	uint32_t *perm = malloc(o->n * sizeof(*perm));

	s->slot_of = malloc(o->n * sizeof(*s->slot_of));
	s->lookup_idx = calloc(o->lookups ? o->lookups : 1, sizeof(*s->lookup_idx));
	s->lookup_email = calloc(o->lookups ? o->lookups : 1, sizeof(*s->lookup_email));
	s->erase_idx = calloc(o->erases ? o->erases : 1, sizeof(*s->erase_idx));
	s->erase_id = calloc(o->erases ? o->erases : 1, sizeof(*s->erase_id));
	if (perm == NULL || s->slot_of == NULL || s->lookup_idx == NULL ||
	    s->lookup_email == NULL || s->erase_idx == NULL || s->erase_id == NULL)
		die("out of memory");
	for (uint64_t i = 0; i < o->n; i++) {
		perm[i] = (uint32_t)i;
		s->slot_of[i] = -1;
	}
	/* partial Fisher-Yates: the first k of a random permutation, in random order */
	for (uint64_t i = 0; i < k; i++) {
		uint64_t j = i + rnd_below(o->n - i);
		uint32_t t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
		s->slot_of[perm[i]] = (int32_t)i;
		if (i < o->lookups)
			s->lookup_idx[i] = perm[i];
		else
			s->erase_idx[i - o->lookups] = perm[i];
	}
	free(perm);
}

static void sample_free(struct sample *s)
{
	free(s->slot_of);
	free(s->lookup_idx);
	free(s->lookup_email);
	free(s->erase_idx);
	free(s->erase_id);
}

/* ---- results */

struct side {
	double ingest_s;
	struct lat lookup, erase;
	/* CPU time of each phase, generation of people included (for ingest) */
	double cpu_ingest_s, cpu_lookup_s, cpu_erase_s;
	double wall_lookup_s, wall_erase_s;
	double mb_ingest, mb_lookup, mb_erase; /* MB written by each phase */
	double db_mb;                          /* database (and log) size at the end */
};

/* Size of path plus its -wal file, in MB. */
static double db_size_mb(const char *path)
{
	char wal[1200];
	struct stat st;
	double mb = 0;

	if (stat(path, &st) == 0)
		mb += (double)st.st_size / 1e6;
	if (snprintf(wal, sizeof(wal), "%s-wal", path) < (int)sizeof(wal) && stat(wal, &st) == 0)
		mb += (double)st.st_size / 1e6;
	return mb;
}

/* ---- the Sargs side */

static void sargs_side(const struct opts *o, const char *dir, struct sample *smp, struct side *res)
{
	static const char *const purposes[] = {"service"};
	struct sargs_err err;
	struct sargs_reg *reg = NULL;
	struct sargs_synth g;
	struct sargs_synth_person *people = malloc(o->batch * sizeof(*people));
	int64_t t_all, timed = 0;
	double c0, w0;
	struct sargs_reg_summary sum;

	if (people == NULL)
		die("out of memory");
	sargs_err_clear(&err);
	if (sargs_reg_init(dir, &err) != SARGS_OK)
		die("cannot create the register in %s: %s", dir, err.msg);
	if (sargs_reg_open(dir, &reg, &err) != SARGS_OK)
		die("cannot open the register in %s: %s", dir, err.msg);
	if (sargs_reg_set_actor(reg, "bench:sargs_bench", "api") != SARGS_OK)
		die("cannot set the actor");
	if (sargs_registry_load(reg, bench_registry, strlen(bench_registry), NULL, &err) !=
	    SARGS_OK)
		die("cannot load the bench registry: %s", err.msg);

	/* ingest */
	phase("sargs: ingest of %" PRIu64 " subjects, %" PRIu64 " a transaction\n", o->n,
	      o->batch);
	sargs_synth_init(&g, o->seed);
	t_all = now_ns();
	c0 = cpu_s();
	w0 = written_mb();
	for (uint64_t base = 0; base < o->n; base += o->batch) {
		uint64_t m = o->n - base < o->batch ? o->n - base : o->batch;
		int64_t t0;

		for (uint64_t j = 0; j < m; j++) /* not timed */
			sargs_synth_person(&g, base + j, &people[j]);
		t0 = now_ns();
		if (sargs_reg_begin(reg, &err) != SARGS_OK)
			die("begin: %s", err.msg);
		for (uint64_t j = 0; j < m; j++) {
			const struct sargs_synth_person *p = &people[j];
			struct sargs_kv f[6] = {
				{"first_name", p->first_name}, {"last_name", p->last_name},
				{"email", p->email},           {"phone", p->phone},
				{"personal_code", p->personal_code}, {"birth_date", p->birth_date}};
			struct sargs_subject_input in = {purposes, 1, "person", NULL, f,
							 p->birth_date[0] ? 6 : 5, 0};
			char id[SARGS_UUID_STR];
			int32_t slot;

			if (sargs_subject_add(reg, &in, id, &err) != SARGS_OK)
				die("subject %" PRIu64 " was refused: %s", base + j, err.msg);
			slot = smp->slot_of[base + j];
			if (slot >= 0 && (uint64_t)slot < o->lookups)
				(void)snprintf(smp->lookup_email[slot], sizeof(smp->lookup_email[0]),
					       "%s", p->email);
			else if (slot >= 0)
				memcpy(smp->erase_id[(uint64_t)slot - o->lookups], id,
				       SARGS_UUID_STR);
		}
		if (sargs_reg_commit(reg, &err) != SARGS_OK)
			die("commit: %s", err.msg);
		timed += now_ns() - t0;
		if ((base / o->batch) % 50 == 0 || base + m == o->n)
			progress("sargs ingest", base + m, o->n, t_all);
	}
	res->ingest_s = (double)timed / 1e9;
	res->cpu_ingest_s = cpu_s() - c0;
	res->mb_ingest = written_mb() - w0;

	/* lookup by e-mail and decrypt, each with its own durable audit entry */
	phase("sargs: %" PRIu64 " lookups by e-mail\n", o->lookups);
	res->lookup.n = o->lookups;
	res->lookup.ns = calloc(o->lookups ? o->lookups : 1, sizeof(int64_t));
	if (res->lookup.ns == NULL)
		die("out of memory");
	t_all = now_ns();
	c0 = cpu_s();
	w0 = written_mb();
	for (uint64_t i = 0; i < o->lookups; i++) {
		struct sargs_subject_view *v = NULL;
		size_t nv = 0;
		const char *email = smp->lookup_email[i];
		int64_t t0 = now_ns(), t1;
		int ok = 0;

		if (sargs_subject_lookup(reg, "email", email, "service", &v, &nv, &err) != SARGS_OK)
			die("lookup %" PRIu64 " failed: %s", i, err.msg);
		if (nv == 1)
			for (size_t k = 0; k < v[0].n_fields; k++)
				if (strcmp(v[0].fields[k].name, "email") == 0 &&
				    strcmp(v[0].fields[k].value, email) == 0)
					ok = 1;
		for (size_t k = 0; k < nv; k++)
			sargs_subject_view_free(&v[k]);
		free(v);
		t1 = now_ns();
		res->lookup.ns[i] = t1 - t0;
		if (!ok)
			die("lookup %" PRIu64 " (subject %" PRIu64 ") found %zu subjects, not the one"
			    " with that e-mail",
			    i, smp->lookup_idx[i], nv);
		if (i % 1000 == 999 || i + 1 == o->lookups)
			progress("sargs lookup", i + 1, o->lookups, t_all);
	}

	/* erase, each its own transaction */
	res->wall_lookup_s = (double)(now_ns() - t_all) / 1e9;
	res->cpu_lookup_s = cpu_s() - c0;
	res->mb_lookup = written_mb() - w0;
	phase("sargs: %" PRIu64 " erasures\n", o->erases);
	res->erase.n = o->erases;
	res->erase.ns = calloc(o->erases ? o->erases : 1, sizeof(int64_t));
	if (res->erase.ns == NULL)
		die("out of memory");
	t_all = now_ns();
	c0 = cpu_s();
	w0 = written_mb();
	for (uint64_t i = 0; i < o->erases; i++) {
		int64_t t0 = now_ns();

		if (sargs_subject_erase(reg, smp->erase_id[i], "request", &err) != SARGS_OK)
			die("erase %" PRIu64 " failed: %s", i, err.msg);
		res->erase.ns[i] = now_ns() - t0;
		if (i % 1000 == 999 || i + 1 == o->erases)
			progress("sargs erase", i + 1, o->erases, t_all);
	}
	res->wall_erase_s = (double)(now_ns() - t_all) / 1e9;
	res->cpu_erase_s = cpu_s() - c0;
	res->mb_erase = written_mb() - w0;

	if (sargs_reg_summary(reg, &sum, &err) != SARGS_OK)
		die("summary: %s", err.msg);
	if ((uint64_t)sum.subjects != o->n - o->erases || (uint64_t)sum.erased != o->erases)
		die("the register holds %" PRId64 " subjects and %" PRId64 " erased; expected %" PRIu64
		    " and %" PRIu64,
		    sum.subjects, sum.erased, o->n - o->erases, o->erases);
	phase("sargs: %" PRId64 " subjects, %" PRId64 " erased, %" PRId64 " audit entries\n",
	      sum.subjects, sum.erased, sum.audit_entries);
	sargs_reg_close(reg);
	{
		char db[1200];
		int k = snprintf(db, sizeof(db), "%s/%s", dir, SARGS_DB_FILE);

		res->db_mb = k > 0 && (size_t)k < sizeof(db) ? db_size_mb(db) : 0.0;
	}
	free(people);
}

/* ---- the plain-table side: what a user would build without Sargs */

static sqlite3_stmt *prep(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		die("plain: cannot prepare \"%s\": %s", sql, sqlite3_errmsg(db));
	return st;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *emsg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &emsg) != SQLITE_OK)
		die("plain: \"%s\": %s", sql, emsg ? emsg : sqlite3_errmsg(db));
}

static void bind_text(sqlite3 *db, sqlite3_stmt *st, int i, const char *v)
{
	int r = v[0] ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);

	if (r != SQLITE_OK)
		die("plain: bind: %s", sqlite3_errmsg(db));
}

static void plain_side(const struct opts *o, const char *path, const struct sample *smp,
		       struct side *res)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins, *sel, *del, *begin, *commit;
	struct sargs_synth g;
	struct sargs_synth_person *people = malloc(o->batch * sizeof(*people));
	int64_t t_all, timed = 0;
	double c0, w0;

	if (people == NULL)
		die("out of memory");
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
					       SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		die("plain: cannot open %s: %s", path, db ? sqlite3_errmsg(db) : "out of memory");
	(void)chmod(path, 0600);
	/* the register's settings (store_sqlite.c), so durability and the
	 * overwriting of deleted content are the same on both sides */
	exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
		 "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;");
	exec(db, "CREATE TABLE people(id INTEGER PRIMARY KEY, first_name TEXT NOT NULL,"
		 " last_name TEXT NOT NULL, email TEXT NOT NULL, phone TEXT, personal_code TEXT,"
		 " birth_date TEXT);"
		 "CREATE INDEX people_email ON people(email);"
		 "CREATE INDEX people_phone ON people(phone);"
		 "CREATE INDEX people_personal_code ON people(personal_code);");
	ins = prep(db, "INSERT INTO people(id, first_name, last_name, email, phone, personal_code,"
		       " birth_date) VALUES(?,?,?,?,?,?,?)");
	sel = prep(db, "SELECT id, first_name, last_name, email, phone, personal_code, birth_date"
		       " FROM people WHERE email = ?");
	del = prep(db, "DELETE FROM people WHERE id = ?");
	begin = prep(db, "BEGIN IMMEDIATE");
	commit = prep(db, "COMMIT");

	/* ingest */
	phase("plain: ingest of %" PRIu64 " rows, %" PRIu64 " a transaction\n", o->n,
	      o->batch);
	sargs_synth_init(&g, o->seed);
	t_all = now_ns();
	c0 = cpu_s();
	w0 = written_mb();
	for (uint64_t base = 0; base < o->n; base += o->batch) {
		uint64_t m = o->n - base < o->batch ? o->n - base : o->batch;
		int64_t t0;

		for (uint64_t j = 0; j < m; j++) /* not timed */
			sargs_synth_person(&g, base + j, &people[j]);
		t0 = now_ns();
		if (sqlite3_step(begin) != SQLITE_DONE)
			die("plain: begin: %s", sqlite3_errmsg(db));
		(void)sqlite3_reset(begin);
		for (uint64_t j = 0; j < m; j++) {
			const struct sargs_synth_person *p = &people[j];

			if (sqlite3_bind_int64(ins, 1, (sqlite3_int64)(base + j + 1)) != SQLITE_OK)
				die("plain: bind: %s", sqlite3_errmsg(db));
			bind_text(db, ins, 2, p->first_name);
			bind_text(db, ins, 3, p->last_name);
			bind_text(db, ins, 4, p->email);
			bind_text(db, ins, 5, p->phone);
			bind_text(db, ins, 6, p->personal_code);
			bind_text(db, ins, 7, p->birth_date);
			if (sqlite3_step(ins) != SQLITE_DONE)
				die("plain: insert: %s", sqlite3_errmsg(db));
			(void)sqlite3_reset(ins);
		}
		if (sqlite3_step(commit) != SQLITE_DONE)
			die("plain: commit: %s", sqlite3_errmsg(db));
		(void)sqlite3_reset(commit);
		timed += now_ns() - t0;
		if ((base / o->batch) % 50 == 0 || base + m == o->n)
			progress("plain ingest", base + m, o->n, t_all);
	}
	res->ingest_s = (double)timed / 1e9;
	res->cpu_ingest_s = cpu_s() - c0;
	res->mb_ingest = written_mb() - w0;

	/* lookup by e-mail: one autocommit read each; no audit (a plain table has none) */
	phase("plain: %" PRIu64 " lookups by e-mail\n", o->lookups);
	res->lookup.n = o->lookups;
	res->lookup.ns = calloc(o->lookups ? o->lookups : 1, sizeof(int64_t));
	if (res->lookup.ns == NULL)
		die("out of memory");
	t_all = now_ns();
	c0 = cpu_s();
	w0 = written_mb();
	for (uint64_t i = 0; i < o->lookups; i++) {
		const char *email = smp->lookup_email[i];
		char got[7][96];
		int rows = 0, ok = 0, r;
		int64_t t0 = now_ns();

		if (sqlite3_bind_text(sel, 1, email, -1, SQLITE_STATIC) != SQLITE_OK)
			die("plain: bind: %s", sqlite3_errmsg(db));
		while ((r = sqlite3_step(sel)) == SQLITE_ROW) {
			/* copy the values out, as a caller would */
			for (int c = 0; c < 7; c++) {
				const unsigned char *t = sqlite3_column_text(sel, c);

				(void)snprintf(got[c], sizeof(got[c]), "%s", t ? (const char *)t : "");
			}
			rows++;
		}
		if (r != SQLITE_DONE)
			die("plain: select: %s", sqlite3_errmsg(db));
		(void)sqlite3_reset(sel);
		res->lookup.ns[i] = now_ns() - t0;
		ok = rows == 1 && strcmp(got[3], email) == 0;
		if (!ok)
			die("plain: lookup %" PRIu64 " found %d rows, not the one with that e-mail", i,
			    rows);
		if (i % 1000 == 999 || i + 1 == o->lookups)
			progress("plain lookup", i + 1, o->lookups, t_all);
	}

	/* erase = DELETE by id, each its own (autocommit) transaction */
	res->wall_lookup_s = (double)(now_ns() - t_all) / 1e9;
	res->cpu_lookup_s = cpu_s() - c0;
	res->mb_lookup = written_mb() - w0;
	phase("plain: %" PRIu64 " deletions\n", o->erases);
	res->erase.n = o->erases;
	res->erase.ns = calloc(o->erases ? o->erases : 1, sizeof(int64_t));
	if (res->erase.ns == NULL)
		die("out of memory");
	t_all = now_ns();
	c0 = cpu_s();
	w0 = written_mb();
	for (uint64_t i = 0; i < o->erases; i++) {
		int64_t t0 = now_ns();

		if (sqlite3_bind_int64(del, 1, (sqlite3_int64)(smp->erase_idx[i] + 1)) != SQLITE_OK)
			die("plain: bind: %s", sqlite3_errmsg(db));
		if (sqlite3_step(del) != SQLITE_DONE)
			die("plain: delete: %s", sqlite3_errmsg(db));
		(void)sqlite3_reset(del);
		res->erase.ns[i] = now_ns() - t0;
		if (sqlite3_changes(db) != 1)
			die("plain: delete %" PRIu64 " removed %d rows", i, sqlite3_changes(db));
		if (i % 1000 == 999 || i + 1 == o->erases)
			progress("plain erase", i + 1, o->erases, t_all);
	}
	res->wall_erase_s = (double)(now_ns() - t_all) / 1e9;
	res->cpu_erase_s = cpu_s() - c0;
	res->mb_erase = written_mb() - w0;

	{
		sqlite3_stmt *cnt = prep(db, "SELECT count(*) FROM people");

		if (sqlite3_step(cnt) != SQLITE_ROW ||
		    (uint64_t)sqlite3_column_int64(cnt, 0) != o->n - o->erases)
			die("plain: the table does not hold %" PRIu64 " rows", o->n - o->erases);
		(void)sqlite3_finalize(cnt);
	}
	(void)sqlite3_finalize(ins);
	(void)sqlite3_finalize(sel);
	(void)sqlite3_finalize(del);
	(void)sqlite3_finalize(begin);
	(void)sqlite3_finalize(commit);
	if (sqlite3_close(db) != SQLITE_OK)
		die("plain: close: %s", sqlite3_errmsg(db));
	res->db_mb = db_size_mb(path);
	free(people);
}

/* ---- report */

static double ratio(double a, double b)
{
	return b > 0 ? a / b : 0.0;
}

static void row(const char *measure, const char *unit, double s, double p, const char *target,
		int verdict)
{
	char sv[32], pv[32], rv[32];

	(void)snprintf(sv, sizeof(sv), "%.3f", s);
	(void)snprintf(pv, sizeof(pv), "%.3f", p);
	(void)snprintf(rv, sizeof(rv), "%.2fx", ratio(s, p));
	(void)printf("| %-26s | %-10s | %12s | %12s | %8s | %-22s | %-4s |\n", measure, unit, sv, pv,
		     rv, target, verdict < 0 ? "" : verdict ? "PASS" : "MISS");
}

static void report(const struct opts *o, const struct side *s, const struct side *p)
{
	double s_rate = s->ingest_s > 0 ? (double)o->n / s->ingest_s : 0;
	double p_rate = p->ingest_s > 0 ? (double)o->n / p->ingest_s : 0;
	double tr = ratio(s->ingest_s, p->ingest_s);
	char rate_s[32], rate_p[32], rate_r[32];

	(void)printf("\nN = %" PRIu64 ", batch = %" PRIu64 ", lookups = %" PRIu64
		     ", erases = %" PRIu64 ", seed = %" PRIu64 "\n\n",
		     o->n, o->batch, o->lookups, o->erases, o->seed);
	(void)printf("| %-26s | %-10s | %12s | %12s | %8s | %-22s | %-4s |\n", "measure", "unit",
		     "Sargs", "plain SQLite", "ratio", "target", "");
	(void)printf("|%.28s|%.12s|%.14s|%.14s|%.10s|%.24s|%.6s|\n",
		     "------------------------------------", "------------------------------------",
		     "------------------------------------", "------------------------------------",
		     "------------------------------------", "------------------------------------",
		     "------------------------------------");
	(void)snprintf(rate_s, sizeof(rate_s), "%.0f", s_rate);
	(void)snprintf(rate_p, sizeof(rate_p), "%.0f", p_rate);
	(void)snprintf(rate_r, sizeof(rate_r), "%.2fx", ratio(s_rate, p_rate));
	(void)printf("| %-26s | %-10s | %12s | %12s | %8s | %-22s | %-4s |\n", "ingest rate",
		     "subjects/s", rate_s, rate_p, rate_r, ">= 100000/s",
		     s_rate >= 100000 ? "PASS" : "MISS");
	row("ingest time", "s", s->ingest_s, p->ingest_s, "<= 3x plain", tr <= 3.0);
	row("lookup+decrypt+audit p50", "ms", s->lookup.p50_ms, p->lookup.p50_ms, "", -1);
	row("lookup+decrypt+audit p99", "ms", s->lookup.p99_ms, p->lookup.p99_ms, "<= 1 ms",
	    o->lookups == 0 ? -1 : s->lookup.p99_ms <= 1.0);
	row("lookup+decrypt+audit max", "ms", s->lookup.max_ms, p->lookup.max_ms, "", -1);
	row("lookup mean", "ms", s->lookup.mean_ms, p->lookup.mean_ms, "", -1);
	row("erase p50", "ms", s->erase.p50_ms, p->erase.p50_ms, "", -1);
	row("erase p99", "ms", s->erase.p99_ms, p->erase.p99_ms, "<= 5 ms",
	    o->erases == 0 ? -1 : s->erase.p99_ms <= 5.0);
	row("erase max", "ms", s->erase.max_ms, p->erase.max_ms, "", -1);
	row("erase mean", "ms", s->erase.mean_ms, p->erase.mean_ms, "", -1);
	(void)printf("\nCPU time (user+sys) / wall time of each phase, s (ingest CPU includes"
		     " generating the people; its wall time above does not):\n");
	(void)printf("  Sargs: ingest %.2f, lookups %.2f / %.2f, erasures %.2f / %.2f\n",
		     s->cpu_ingest_s, s->cpu_lookup_s, s->wall_lookup_s, s->cpu_erase_s,
		     s->wall_erase_s);
	(void)printf("  plain: ingest %.2f, lookups %.2f / %.2f, erasures %.2f / %.2f\n",
		     p->cpu_ingest_s, p->cpu_lookup_s, p->wall_lookup_s, p->cpu_erase_s,
		     p->wall_erase_s);
	(void)printf("\nMB written (write calls: WAL, checkpoints, log truncation) by each phase;"
		     " per subject, per lookup, per erasure in KB:\n");
	(void)printf("  Sargs: ingest %.0f MB (%.1f KB), lookups %.0f MB (%.1f KB),"
		     " erasures %.0f MB (%.1f KB)\n",
		     s->mb_ingest, o->n ? s->mb_ingest * 1e3 / (double)o->n : 0, s->mb_lookup,
		     o->lookups ? s->mb_lookup * 1e3 / (double)o->lookups : 0, s->mb_erase,
		     o->erases ? s->mb_erase * 1e3 / (double)o->erases : 0);
	(void)printf("  plain: ingest %.0f MB (%.1f KB), lookups %.0f MB (%.1f KB),"
		     " erasures %.0f MB (%.1f KB)\n",
		     p->mb_ingest, o->n ? p->mb_ingest * 1e3 / (double)o->n : 0, p->mb_lookup,
		     o->lookups ? p->mb_lookup * 1e3 / (double)o->lookups : 0, p->mb_erase,
		     o->erases ? p->mb_erase * 1e3 / (double)o->erases : 0);
	(void)printf("\ndatabase size at the end: Sargs %.0f MB, plain %.0f MB\n", s->db_mb,
		     p->db_mb);
	(void)printf("\nratio = Sargs / plain (for the rate: Sargs rate / plain rate). The plain"
		     " lookup has no decryption and no audit entry; the plain erase is a DELETE"
		     " (with secure_delete) and no log truncation.\n");
}

/* ---- main */

static int pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct sample smp;
	struct side s, p;
	char dir[1024], regdir[1100], plain[1100];
	int pinned;

	parse_opts(argc, argv, &o);
	(void)setvbuf(stdout, NULL, _IOLBF, 0);
	pinned = pin_cpu0();
	if (o.dir == NULL) {
		(void)snprintf(dir, sizeof(dir), "/tmp/sargs_bench.XXXXXX");
		if (mkdtemp(dir) == NULL)
			die("cannot make a directory under /tmp: %s", strerror(errno));
	} else {
		(void)snprintf(dir, sizeof(dir), "%s", o.dir);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			die("cannot make %s: %s", dir, strerror(errno));
	}
	(void)snprintf(regdir, sizeof(regdir), "%s/sargs", dir);
	(void)snprintf(plain, sizeof(plain), "%s/plain.db", dir);
	if (access(regdir, F_OK) == 0 || access(plain, F_OK) == 0)
		die("%s holds a previous run (sargs/ or plain.db); remove it or use another --dir",
		    dir);

	(void)printf("sargs_bench:");
	for (int i = 1; i < argc; i++)
		(void)printf(" %s", argv[i]);
	(void)printf("\n");
	machine_info(dir, pinned);
	(void)printf("durability (both sides): journal_mode=WAL, synchronous=FULL,"
		     " secure_delete=ON, cache_size=-65536 (64 MiB), temp_store=MEMORY\n");
	(void)fprintf(stderr, "sargs_bench: working in %s\n", dir);

	rnd_state = o.seed ^ 0x5a5a5a5a5a5a5a5aULL;
	memset(&smp, 0, sizeof(smp));
	sample_make(&o, &smp);
	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));

	if (o.run_sargs)
		sargs_side(&o, regdir, &smp, &s);
	if (o.run_plain) {
		if (!o.run_sargs) {
			/* the lookup sample's e-mails come from the ingest; without
			 * the Sargs side, regenerate them */
			struct sargs_synth g;
			struct sargs_synth_person per;

			sargs_synth_init(&g, o.seed);
			for (uint64_t i = 0; i < o.n; i++) {
				int32_t slot = smp.slot_of[i];

				sargs_synth_person(&g, i, &per);
				if (slot >= 0 && (uint64_t)slot < o.lookups)
					(void)snprintf(smp.lookup_email[slot],
						       sizeof(smp.lookup_email[0]), "%s", per.email);
			}
		}
		plain_side(&o, plain, &smp, &p);
	}

	if (o.latencies != NULL) {
		FILE *f = fopen(o.latencies, "w");
		const struct {
			const char *side, *op;
			const struct lat *l;
		} all[4] = {{"sargs", "lookup", &s.lookup}, {"sargs", "erase", &s.erase},
			    {"plain", "lookup", &p.lookup}, {"plain", "erase", &p.erase}};

		if (f == NULL)
			die("cannot write %s: %s", o.latencies, strerror(errno));
		(void)fprintf(f, "side,op,i,ns\n");
		for (int k = 0; k < 4; k++)
			for (size_t i = 0; i < all[k].l->n; i++)
				(void)fprintf(f, "%s,%s,%zu,%" PRId64 "\n", all[k].side, all[k].op, i,
					      all[k].l->ns[i]);
		if (fclose(f) != 0)
			die("cannot write %s: %s", o.latencies, strerror(errno));
	}
	lat_finish(&s.lookup);
	lat_finish(&s.erase);
	lat_finish(&p.lookup);
	lat_finish(&p.erase);
	report(&o, &s, &p);
	if (!o.run_sargs || !o.run_plain)
		(void)printf("\nonly one side was run: the other side's figures are zero, and the"
			     " ratios and verdicts are meaningless\n");
	(void)printf("files left in %s (remove when done)\n", dir);

	free(s.lookup.ns);
	free(s.erase.ns);
	free(p.lookup.ns);
	free(p.erase.ns);
	sample_free(&smp);
	return 0;
}
