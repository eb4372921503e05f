/*
 * bench_import.c — the legacy import (domain/legacy.h) against the plain
 * SQLite table a user would otherwise load the same CSV into (see
 * bench/README.md, "Legacy import").
 *
 * Writes a realistic customer list of N rows (util/synth.h: Latvian names,
 * e-mails, phones, valid personal codes, birth dates, and a consent column
 * in Latvian) to a CSV file, outside any timed region. Then, on one core:
 *
 *   sargs   sargs_import_csv, the function `sargs import` calls: each row
 *           read by the CSV reader, de-duplicated by e-mail, phone and
 *           personal code (sargs_subject_find), validated, encrypted and
 *           stored (sargs_subject_add), given its zone, consent state and
 *           consent history event, 1000 rows a transaction;
 *   plain   the same file read by the same CSV reader, each row one INSERT
 *           into an unencrypted table indexed on e-mail, phone and personal
 *           code, 1000 rows a transaction, with the register's durability
 *           settings; no validation, no de-duplication, no audit.
 *
 * About <sqlite3.h>: outside src/store/ no Sargs code speaks SQL; the plain
 * side is by definition what a user would build without Sargs, so it talks
 * to SQLite directly. The Sargs side uses only the public domain API.
 */
#define _GNU_SOURCE
#include "domain/controller.h"
#include "domain/legacy.h"
#include "domain/register.h"
#include "util/csv.h"
#include "util/synth.h"

#include <sqlite3.h> /* the plain-table baseline only; see above */

#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TARGET_ROWS_S 50000.0 /* the issue's target for the import */

static const char bench_registry[] =
	"{\"sargs_registry\": 1,"
	" \"categories\": [{\"id\": \"birth\", \"name\": \"Date of birth\"}],"
	" \"fields\": ["
	"  {\"name\": \"first_name\", \"label\": \"First name\", \"category\": \"name\"},"
	"  {\"name\": \"last_name\", \"label\": \"Last name\", \"category\": \"name\"},"
	"  {\"name\": \"email\", \"label\": \"E-mail\", \"category\": \"contact\", \"type\": \"email\"},"
	"  {\"name\": \"phone\", \"label\": \"Phone\", \"category\": \"contact\", \"type\": \"phone\"},"
	"  {\"name\": \"personal_code\", \"label\": \"Personal code\", \"category\": \"personal_code\","
	"   \"type\": \"personal_code\"},"
	"  {\"name\": \"birth_date\", \"label\": \"Date of birth\", \"category\": \"birth\","
	"   \"type\": \"date\"}],"
	" \"purposes\": ["
	"  {\"id\": \"newsletter\", \"name\": \"News\", \"description\": \"News by e-mail.\","
	"   \"legal_basis\": \"consent\", \"categories\": [\"name\", \"contact\"],"
	"   \"fields\": [{\"field\": \"email\", \"required\": true},"
	"              {\"field\": \"first_name\", \"required\": false, \"why\": \"To greet you.\"}],"
	"   \"retention\": {\"until\": \"objection\"},"
	"   \"marketing\": {\"channels\": [\"email\"], \"soft_opt_in\": false, \"minors\": false}},"
	"  {\"id\": \"customer_contact\", \"name\": \"Customers\", \"description\": \"The contract.\","
	"   \"legal_basis\": \"contract\","
	"   \"categories\": [\"name\", \"contact\", \"personal_code\", \"birth\"],"
	"   \"fields\": [{\"field\": \"first_name\", \"required\": true},"
	"              {\"field\": \"last_name\", \"required\": true},"
	"              {\"field\": \"email\", \"required\": true},"
	"              {\"field\": \"phone\", \"required\": false, \"why\": \"To call.\"},"
	"              {\"field\": \"personal_code\", \"required\": false, \"why\": \"Invoices.\"},"
	"              {\"field\": \"birth_date\", \"required\": false, \"why\": \"Age check.\"}],"
	"   \"retention\": {\"period\": \"P3Y\", \"from\": \"contract_end\"}}]}";

static const char csv_header[] =
	"Vārds;Uzvārds;E-pasts;Tālrunis;Personas kods;Dzimšanas datums;Piekrišana\n";

/* ---- helpers */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)fputs("sargs_bench_import: ", stderr);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vfprintf(stderr, fmt, ap);
	(void)fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return 0.0;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* Bytes the process asked to write so far (wchar of /proc/self/io), MB. */
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

/* A phase heading on stderr with a CLOCK_MONOTONIC stamp, to cut a profile
 * taken with perf record -k CLOCK_MONOTONIC by phase. */
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

static double file_mb(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (double)st.st_size / 1e6 : 0.0;
}

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

/* ---- options */

struct opts {
	uint64_t n;
	uint64_t batch;
	uint64_t bad_every;   /* every K-th row gets an invalid e-mail (0: none) */
	const char *dir;
	uint64_t seed;
	int run_sargs, run_plain;
};

static void usage(FILE *f)
{
	(void)fputs("usage: sargs_bench_import [--n N] [--batch B] [--bad-every K] [--dir DIR]\n"
		    "                          [--seed S] [--only sargs|plain]\n"
		    "  --n N          rows of the customer list (default 1000000)\n"
		    "  --batch B      rows per transaction, both sides (default 1000)\n"
		    "  --bad-every K  every K-th row has an invalid e-mail (default 0: none)\n"
		    "  --dir DIR      working directory; must not hold a previous run\n"
		    "                 (default: a fresh /tmp/sargs_bench_import.XXXXXX)\n"
		    "  --seed S       seed of the synthetic people (default 1)\n"
		    "  --only SIDE    run only \"sargs\" or only \"plain\" (for profiling)\n",
		    f);
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->n = 1000000;
	o->batch = 1000;
	o->seed = 1;
	o->run_sargs = o->run_plain = 1;
	for (int i = 1; i < argc; i += 2) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

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
		else if (strcmp(a, "--batch") == 0)
			o->batch = parse_u64(a, v, 1);
		else if (strcmp(a, "--bad-every") == 0)
			o->bad_every = parse_u64(a, v, 0);
		else if (strcmp(a, "--dir") == 0)
			o->dir = v;
		else if (strcmp(a, "--seed") == 0)
			o->seed = parse_u64(a, v, 0);
		else if (strcmp(a, "--only") == 0 && strcmp(v, "sargs") == 0)
			o->run_plain = 0;
		else if (strcmp(a, "--only") == 0 && strcmp(v, "plain") == 0)
			o->run_sargs = 0;
		else {
			usage(stderr);
			die("unknown option %s %s", a, v);
		}
	}
	if (o->n > 10000000)
		die("--n is at most 10000000 (synthetic e-mails, phones and codes are unique"
		    " below that)");
}

/* ---- the customer list */

/* The consent column: 40% jā (grey), 30% nē and 10% pre-ticked (red), 20%
 * re-confirmed (green). */
static const char *consent_cell(uint64_t i)
{
	static const char *const cells[10] = {"jā", "nē", "jā", "iepriekš atzīmēts", "apstiprināts",
					      "nē", "jā", "nē", "apstiprināts", "jā"};

	return cells[i % 10];
}

static void write_csv(const struct opts *o, const char *path)
{
	FILE *f = fopen(path, "w");
	struct sargs_synth g;

	if (f == NULL)
		die("cannot write %s: %s", path, strerror(errno));
	(void)fputs(csv_header, f);
	sargs_synth_init(&g, o->seed);
	for (uint64_t i = 0; i < o->n; i++) {
		struct sargs_synth_person p;
		int bad = o->bad_every != 0 && (i + 1) % o->bad_every == 0;

		sargs_synth_person(&g, i, &p);
		(void)fprintf(f, "%s;%s;%s%s;%s;%s;%s;%s\n", p.first_name, p.last_name,
			      bad ? "@" : "", p.email, p.phone, p.personal_code, p.birth_date,
			      consent_cell(i));
	}
	if (fclose(f) != 0)
		die("cannot write %s: %s", path, strerror(errno));
}

/* ---- results */

struct side {
	double secs, cpu, mb_written, db_mb;
	int64_t rows, imported, refused;
	int64_t zones[4];
};

static void on_batch(void *ctx, const struct sargs_import_summary *s)
{
	int64_t *last = ctx;

	if (s->imported - *last >= 100000) {
		phase("sargs: %" PRId64 " rows imported\n", s->imported);
		*last = s->imported;
	}
}

static void sargs_side(const struct opts *o, const char *dir, const char *csv,
		       struct side *res)
{
	static const char *const purposes[] = {"newsletter", "customer_contact"};
	static const struct sargs_import_column cols[] = {
		{"Vārds", "first_name"},        {"Uzvārds", "last_name"},
		{"E-pasts", "email"},            {"Tālrunis", "phone"},
		{"Personas kods", "personal_code"}, {"Dzimšanas datums", "birth_date"}};
	struct sargs_import_opts io;
	struct sargs_import_summary sum;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	char path[1200];
	int64_t t0, last = 0;
	double c0, w0;
	FILE *in;

	sargs_err_clear(&err);
	if (sargs_reg_init(dir, &err) != SARGS_OK)
		die("cannot create the register in %s: %s", dir, err.msg);
	if (sargs_reg_open(dir, &reg, &err) != SARGS_OK)
		die("cannot open the register in %s: %s", dir, err.msg);
	if (sargs_reg_set_actor(reg, "bench:sargs_bench_import", "api") != SARGS_OK)
		die("cannot set the actor");
	if (sargs_registry_load(reg, bench_registry, strlen(bench_registry), NULL, &err) !=
	    SARGS_OK)
		die("cannot load the bench registry: %s", err.msg);
	memset(&io, 0, sizeof(io));
	io.purposes = purposes;
	io.n_purposes = 2;
	io.columns = cols;
	io.n_columns = sizeof(cols) / sizeof(cols[0]);
	io.consent_column = "Piekrišana";
	io.batch_rows = (size_t)o->batch;
	io.on_batch = on_batch;
	io.ctx = &last;
	in = fopen(csv, "rb");
	if (in == NULL)
		die("cannot read %s: %s", csv, strerror(errno));
	(void)setvbuf(in, NULL, _IONBF, 0);
	phase("sargs: import of %" PRIu64 " rows, %" PRIu64 " a transaction\n", o->n, o->batch);
	c0 = cpu_s();
	w0 = written_mb();
	t0 = now_ns();
	if (sargs_import_csv(reg, in, &io, &sum, &err) != SARGS_OK)
		die("the import failed: %s", err.msg);
	res->secs = (double)(now_ns() - t0) / 1e9;
	res->cpu = cpu_s() - c0;
	res->mb_written = written_mb() - w0;
	phase("sargs: import done\n");
	(void)fclose(in);
	res->rows = sum.rows;
	res->imported = sum.imported;
	res->refused = sum.refused + sum.duplicates;
	memcpy(res->zones, sum.zones, sizeof(res->zones));
	sargs_reg_close(reg);
	(void)snprintf(path, sizeof(path), "%s/%s", dir, SARGS_DB_FILE);
	res->db_mb = file_mb(path);
}

static void exec(sqlite3 *db, const char *sql)
{
	char *emsg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &emsg) != SQLITE_OK)
		die("plain: \"%s\": %s", sql, emsg ? emsg : sqlite3_errmsg(db));
}

static void plain_side(const struct opts *o, const char *path, const char *csv,
		       struct side *res)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	struct sargs_csv *rd = NULL;
	struct sargs_csv_row row;
	struct sargs_err err;
	int64_t t0, in_batch = 0;
	double c0, w0;
	FILE *in;
	enum sargs_rc rc;

	if (sqlite3_open_v2(path, &db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		die("plain: cannot open %s", path);
	(void)chmod(path, 0600);
	/* the register's settings (store_sqlite.c) */
	exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
		 "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;");
	exec(db, "CREATE TABLE people(id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT,"
		 " email TEXT, phone TEXT, personal_code TEXT, birth_date TEXT, consent TEXT);"
		 "CREATE INDEX people_email ON people(email);"
		 "CREATE INDEX people_phone ON people(phone);"
		 "CREATE INDEX people_personal_code ON people(personal_code);");
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO people(first_name, last_name, email, phone,"
			       " personal_code, birth_date, consent) VALUES(?,?,?,?,?,?,?)",
			       -1, &ins, NULL) != SQLITE_OK)
		die("plain: prepare: %s", sqlite3_errmsg(db));
	in = fopen(csv, "rb");
	if (in == NULL)
		die("cannot read %s: %s", csv, strerror(errno));
	(void)setvbuf(in, NULL, _IONBF, 0);
	phase("plain: load of %" PRIu64 " rows, %" PRIu64 " a transaction\n", o->n, o->batch);
	c0 = cpu_s();
	w0 = written_mb();
	t0 = now_ns();
	if (sargs_csv_open(in, 0, &rd) != SARGS_OK)
		die("plain: cannot open the CSV reader");
	if (sargs_csv_next(rd, &row, &err) != SARGS_OK)
		die("plain: no header");
	while ((rc = sargs_csv_next(rd, &row, &err)) != SARGS_E_NOTFOUND) {
		res->rows++;
		if (rc != SARGS_OK || row.n != 7) {
			res->refused++;
			continue;
		}
		if (in_batch == 0)
			exec(db, "BEGIN IMMEDIATE");
		for (int i = 0; i < 7; i++)
			if (sqlite3_bind_text(ins, i + 1, row.fields[i], -1, SQLITE_STATIC) !=
			    SQLITE_OK)
				die("plain: bind: %s", sqlite3_errmsg(db));
		if (sqlite3_step(ins) != SQLITE_DONE)
			die("plain: insert: %s", sqlite3_errmsg(db));
		(void)sqlite3_reset(ins);
		res->imported++;
		if (++in_batch == (int64_t)o->batch) {
			exec(db, "COMMIT");
			in_batch = 0;
		}
	}
	if (in_batch > 0)
		exec(db, "COMMIT");
	res->secs = (double)(now_ns() - t0) / 1e9;
	res->cpu = cpu_s() - c0;
	res->mb_written = written_mb() - w0;
	phase("plain: load done\n");
	sargs_csv_close(rd);
	(void)fclose(in);
	(void)sqlite3_finalize(ins);
	(void)sqlite3_close(db);
	res->db_mb = file_mb(path);
}

static int pin_cpu0(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	return sched_setaffinity(0, sizeof(set), &set) == 0;
}

static double rate(const struct side *s)
{
	return s->secs > 0 ? (double)s->rows / s->secs : 0.0;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct side s, p;
	char dir[1024], regdir[1100], plain[1100], csv[1100];
	double r_s, r_p;
	int64_t t0;
	int pinned;

	parse_opts(argc, argv, &o);
	(void)setvbuf(stdout, NULL, _IOLBF, 0);
	pinned = pin_cpu0();
	if (o.dir == NULL) {
		(void)snprintf(dir, sizeof(dir), "/tmp/sargs_bench_import.XXXXXX");
		if (mkdtemp(dir) == NULL)
			die("cannot make a directory under /tmp: %s", strerror(errno));
	} else {
		(void)snprintf(dir, sizeof(dir), "%s", o.dir);
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			die("cannot make %s: %s", dir, strerror(errno));
	}
	(void)snprintf(regdir, sizeof(regdir), "%s/sargs", dir);
	(void)snprintf(plain, sizeof(plain), "%s/plain.db", dir);
	(void)snprintf(csv, sizeof(csv), "%s/legacy.csv", dir);
	if (access(regdir, F_OK) == 0 || access(plain, F_OK) == 0)
		die("%s holds a previous run; remove it or use another --dir", dir);
	(void)printf("sargs_bench_import:");
	for (int i = 1; i < argc; i++)
		(void)printf(" %s", argv[i]);
	(void)printf("\n%s; SQLite %s; both sides: journal_mode=WAL, synchronous=FULL,"
		     " secure_delete=ON, cache_size=64 MiB; batch %" PRIu64 "\n",
		     pinned ? "pinned to CPU 0" : "not pinned", sqlite3_libversion(), o.batch);
	(void)fprintf(stderr, "sargs_bench_import: working in %s\n", dir);

	phase("writing %" PRIu64 " rows to %s (not timed)\n", o.n, csv);
	t0 = now_ns();
	write_csv(&o, csv);
	(void)printf("customer list: %" PRIu64 " rows, %.1f MB, written in %.1f s (not timed)\n",
		     o.n, file_mb(csv), (double)(now_ns() - t0) / 1e9);

	memset(&s, 0, sizeof(s));
	memset(&p, 0, sizeof(p));
	if (o.run_sargs)
		sargs_side(&o, regdir, csv, &s);
	if (o.run_plain)
		plain_side(&o, plain, csv, &p);
	r_s = rate(&s);
	r_p = rate(&p);

	(void)printf("\n| measure            | unit   |        Sargs | plain SQLite |   ratio |"
		     " target        |      |\n"
		     "|--------------------|--------|--------------|--------------|---------|"
		     "---------------|------|\n");
	(void)printf("| import rate        | rows/s | %12.0f | %12.0f | %6.2fx | >= %6.0f/s   | %s |\n",
		     r_s, r_p, r_p > 0 ? r_s / r_p : 0.0, TARGET_ROWS_S,
		     r_s >= TARGET_ROWS_S ? "PASS" : "MISS");
	(void)printf("| import time        | s      | %12.3f | %12.3f | %6.2fx |               |"
		     "      |\n",
		     s.secs, p.secs, p.secs > 0 ? s.secs / p.secs : 0.0);
	(void)printf("| CPU (user+sys)     | s      | %12.2f | %12.2f | %6.2fx |               |"
		     "      |\n",
		     s.cpu, p.cpu, p.cpu > 0 ? s.cpu / p.cpu : 0.0);
	(void)printf("| written            | MB     | %12.0f | %12.0f | %6.2fx |               |"
		     "      |\n",
		     s.mb_written, p.mb_written, p.mb_written > 0 ? s.mb_written / p.mb_written : 0.0);
	(void)printf("| database size      | MB     | %12.0f | %12.0f | %6.2fx |               |"
		     "      |\n",
		     s.db_mb, p.db_mb, p.db_mb > 0 ? s.db_mb / p.db_mb : 0.0);
	(void)printf("\nSargs: %" PRId64 " rows read, %" PRId64 " imported (red %" PRId64
		     ", grey %" PRId64 ", green %" PRId64 "), %" PRId64 " refused or duplicate\n",
		     s.rows, s.imported, s.zones[1], s.zones[2], s.zones[3], s.refused);
	(void)printf("plain: %" PRId64 " rows read, %" PRId64 " inserted\n", p.rows, p.imported);
	(void)printf("ratio = Sargs / plain (for the rate: Sargs rate / plain rate). The plain side"
		     " validates nothing, de-duplicates nothing, encrypts nothing and audits"
		     " nothing.\n");
	if (!o.run_sargs || !o.run_plain)
		(void)printf("only one side was run: the ratios are meaningless\n");
	(void)printf("files left in %s (remove when done)\n", dir);
	return 0;
}
