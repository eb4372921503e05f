/*
 * cli_import.c — `sargs import` (a legacy customer list into the zones of
 * 003) and `sargs zones [list|ask|confirm|purge]` (the re-permission
 * campaign). The work is done by domain/legacy.h; this file parses options
 * and prints. Refused rows are printed as "line N: reason": never a value
 * from the file.
 */
#include "cli/cli.h"
#include "crypto/field.h"
#include "domain/legacy.h"
#include "domain/relation.h"
#include "util/calendar_lv.h"
#include "util/fsutil.h"
#include "util/timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_PURPOSES 64
#define TEXT_LIMIT (1u << 20)

static const char import_help[] =
	"Usage: sargs [--json] import FILE|- --purpose ID [--purpose ID...]\n"
	"                    (--consent STATUS | --consent-column NAME)\n"
	"                    [--map COLUMN=FIELD...] [--mapping FILE]\n"
	"                    [--consent-value TEXT=STATUS...] [--marketing-purpose ID]\n"
	"                    [--source KIND] [--source-name TEXT] [--delimiter C]\n"
	"                    [--dry-run] [--progress]\n"
	"\n"
	"Imports an existing customer list (CSV, UTF-8, with a header row; the\n"
	"delimiter , ; or TAB is detected) and sorts every record into a zone (003):\n"
	"  red    no consent, or consent through a pre-ticked box: kept, but never\n"
	"         used for marketing until re-confirmed ('sargs zones ask');\n"
	"  grey   old, properly obtained consent, an opt-out offered in every message;\n"
	"  green  consent re-confirmed.\n"
	"Each record is checked and stored like 'sargs subject add' (validation, data\n"
	"minimisation, encryption) and checked against the register and the earlier\n"
	"rows for the same e-mail, phone or personal code: a duplicate is reported,\n"
	"never merged. Bad rows are reported on stderr as 'line N: reason' (never\n"
	"their values) and skipped; the rest are stored in batches of 1000 rows.\n"
	"Exit status 0 when every row was imported, 1 when some were refused.\n"
	"\n"
	"  --purpose ID           a purpose the records are kept for (repeatable;\n"
	"                         usually the marketing purpose and e.g.\n"
	"                         customer_contact)\n"
	"  --marketing-purpose ID the purpose the consent is for (default: the only\n"
	"                         --purpose that is direct marketing)\n"
	"  --consent STATUS       what is known of every record's consent: none,\n"
	"                         preticked, optout_offered or reconfirmed\n"
	"  --consent-column NAME  the column that says it per row; its values, any\n"
	"                         case: '', nē, no, 0 -> none; iepriekš atzīmēts,\n"
	"                         preticked -> preticked; jā, yes, 1, optout_offered\n"
	"                         -> optout_offered; apstiprināts, reconfirmed ->\n"
	"                         reconfirmed\n"
	"  --consent-value TEXT=STATUS  another value of the consent column\n"
	"  --map COLUMN=FIELD     the column with this header goes to a registry field\n"
	"                         (repeatable); without a mapping, columns named after\n"
	"                         a field are taken. Other columns are not imported.\n"
	"  --mapping FILE         the same as JSON: {\"columns\": {\"E-pasts\": \"email\"},\n"
	"                         \"consent_column\": \"Piekrišana\", \"consent_values\":\n"
	"                         {\"jā\": \"optout_offered\"}}\n"
	"  --source KIND          person (default: the business's own old system),\n"
	"                         third_party or public\n"
	"  --source-name TEXT     who supplied the list, when not the people themselves\n"
	"                         (implies --source third_party)\n"
	"  --delimiter C          , ; or tab (default: detected)\n"
	"  --dry-run              check everything and report; store nothing\n"
	"  --progress             progress on stderr every second (always on a terminal)\n";

struct import_cli {
	int progress;
	struct timespec start, last;
	int64_t last_rows;
};

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void on_refused(void *ctx, long line, enum sargs_import_refusal why, const char *msg)
{
	(void)ctx;
	(void)why;
	if (line > 0)
		fprintf(stderr, "line %ld: %s\n", line, msg);
	else
		fprintf(stderr, "line ?: %s\n", msg);
}

static void on_batch(void *ctx, const struct sargs_import_summary *s)
{
	struct import_cli *ic = ctx;
	struct timespec now;
	double dt;

	if (!ic->progress)
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	dt = since(&ic->last, &now);
	if (dt < 1.0)
		return;
	fprintf(stderr, "%s %lld rows (%.0f/s)\n", s->dry_run ? "checked" : "imported",
		(long long)s->imported, (double)(s->imported - ic->last_rows) / dt);
	ic->last = now;
	ic->last_rows = s->imported;
}

/* Splits "LEFT=RIGHT" at the last '=' (a column name may hold '='). */
static int split_pair(char *arg, const char **left, const char **right)
{
	char *eq = strrchr(arg, '=');

	if (eq == NULL || eq == arg || eq[1] == '\0')
		return -1;
	*eq = '\0';
	*left = arg;
	*right = eq + 1;
	return 0;
}

static json_t *summary_json(const struct sargs_import_summary *s)
{
	json_t *by = json_object(), *zones = json_object();
	char delim[4];

	for (int i = 0; i < SARGS_IMPORT_R__COUNT; i++)
		if (i != SARGS_IMPORT_R_DUPLICATE)
			json_object_set_new(by, sargs_import_refusal_id((enum sargs_import_refusal)i),
					    json_integer(s->refused_by[i]));
	for (int z = SARGS_ZONE_RED; z <= SARGS_ZONE_GREEN; z++)
		json_object_set_new(zones, sargs_zone_id((enum sargs_zone)z),
				    json_integer(s->zones[z]));
	(void)snprintf(delim, sizeof(delim), "%c", s->delim ? s->delim : ',');
	return json_pack("{s:b,s:b,s:s,s:s,s:s,s:I,s:I,s:I,s:o,s:I,s:o,s:I,s:b,s:s}", "ok",
			 !s->stopped, "dry_run", s->dry_run, "import", s->import_id, "delimiter",
			 delim, "marketing_purpose", s->marketing_purpose, "rows",
			 (json_int_t)s->rows, "imported", (json_int_t)s->imported, "refused",
			 (json_int_t)s->refused, "refused_by", by, "duplicates",
			 (json_int_t)s->duplicates, "zones", zones, "batches",
			 (json_int_t)s->batches, "stopped", s->stopped, "columns_not_imported",
			 s->ignored);
}

static void summary_print(const struct sargs_import_summary *s)
{
	const char *verb = s->dry_run ? "would be imported" : "imported";
	const char *delim = s->delim == '\t' ? "\\t" : s->delim == ';' ? ";" : ",";
	int any = 0;

	if (s->dry_run)
		printf("Dry run: nothing was stored.\n");
	printf("%lld of %lld rows %s (import %s; delimiter '%s').\n", (long long)s->imported,
	       (long long)s->rows, verb, s->import_id, delim);
	printf("  rows read          %lld\n", (long long)s->rows);
	printf("  marketing purpose  %s\n", s->marketing_purpose);
	printf("  %-17s  %lld (red %lld, grey %lld, green %lld)\n", s->dry_run ? "to import" : "imported",
	       (long long)s->imported, (long long)s->zones[SARGS_ZONE_RED],
	       (long long)s->zones[SARGS_ZONE_GREY], (long long)s->zones[SARGS_ZONE_GREEN]);
	printf("  refused            %lld", (long long)s->refused);
	for (int i = 0; i < SARGS_IMPORT_R__COUNT; i++) {
		if (i == SARGS_IMPORT_R_DUPLICATE || s->refused_by[i] == 0)
			continue;
		printf("%s%s %lld", any ? ", " : " (", sargs_import_refusal_id((enum sargs_import_refusal)i),
		       (long long)s->refused_by[i]);
		any = 1;
	}
	printf("%s\n", any ? ")" : "");
	printf("  duplicates         %lld\n", (long long)s->duplicates);
	if (s->ignored[0] != '\0')
		printf("  not imported       columns %s (no field mapped)\n", s->ignored);
	if (s->zones[SARGS_ZONE_RED] > 0 && !s->dry_run)
		printf("Red records are never used for marketing; ask them to re-confirm with"
		       " 'sargs zones ask'.\n");
}

static int parse_status(struct cli *cli, const char *s, enum sargs_legacy_status *out)
{
	if (sargs_legacy_status_parse(s, out) != SARGS_OK)
		return cli_usage_error(cli, "a consent status is none, preticked, optout_offered or"
					    " reconfirmed");
	return EXIT_OK;
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"purpose", required_argument, NULL, 'p'},
		{"marketing-purpose", required_argument, NULL, 'P'},
		{"consent", required_argument, NULL, 'c'},
		{"consent-column", required_argument, NULL, 'C'},
		{"consent-value", required_argument, NULL, 'v'},
		{"map", required_argument, NULL, 'm'},
		{"mapping", required_argument, NULL, 'M'},
		{"source", required_argument, NULL, 's'},
		{"source-name", required_argument, NULL, 'S'},
		{"delimiter", required_argument, NULL, 'd'},
		{"dry-run", no_argument, NULL, 'n'},
		{"progress", no_argument, NULL, 'g'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *purposes[MAX_PURPOSES];
	struct sargs_import_column cols[SARGS_IMPORT_COLUMNS_MAX];
	struct sargs_import_value vals[SARGS_IMPORT_VALUES_MAX * 2];
	struct sargs_import_opts o;
	struct sargs_import_summary s;
	struct sargs_import_mapping *mf = NULL;
	struct import_cli ic;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	const char *mapping_file = NULL, *path;
	FILE *in = NULL;
	int ch, rc = EXIT_OK, have_consent = 0, progress = 0;
	enum sargs_rc src;

	memset(&o, 0, sizeof(o));
	memset(&ic, 0, sizeof(ic));
	o.purposes = purposes;
	o.columns = cols;
	o.values = vals;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *l, *r;

		switch (ch) {
		case 'p':
			if (o.n_purposes >= MAX_PURPOSES)
				return cli_usage_error(cli, "too many purposes");
			purposes[o.n_purposes++] = optarg;
			break;
		case 'P': o.marketing_purpose = optarg; break;
		case 'c':
			if ((rc = parse_status(cli, optarg, &o.consent)) != EXIT_OK)
				return rc;
			have_consent = 1;
			break;
		case 'C': o.consent_column = optarg; break;
		case 'v':
			if (o.n_values >= SARGS_IMPORT_VALUES_MAX || split_pair(optarg, &l, &r) != 0)
				return cli_usage_error(cli, "--consent-value takes TEXT=STATUS");
			if ((rc = parse_status(cli, r, &vals[o.n_values].status)) != EXIT_OK)
				return rc;
			vals[o.n_values++].value = l;
			break;
		case 'm':
			if (o.n_columns >= SARGS_IMPORT_COLUMNS_MAX || split_pair(optarg, &l, &r) != 0)
				return cli_usage_error(cli, "--map takes COLUMN=FIELD");
			cols[o.n_columns].column = l;
			cols[o.n_columns++].field = r;
			break;
		case 'M': mapping_file = optarg; break;
		case 's': o.source = optarg; break;
		case 'S': o.source_name = optarg; break;
		case 'd':
			if (strcmp(optarg, ",") == 0 || strcmp(optarg, ";") == 0)
				o.delim = optarg[0];
			else if (strcmp(optarg, "tab") == 0 || strcmp(optarg, "\t") == 0 ||
				 strcmp(optarg, "\\t") == 0)
				o.delim = '\t';
			else
				return cli_usage_error(cli, "--delimiter is , ; or tab");
			break;
		case 'n': o.dry_run = 1; break;
		case 'g': progress = 1; break;
		case 'h': fputs(import_help, stdout); return EXIT_OK;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs import --help'",
					       argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(cli, "name one file to import (or - for standard input)");
	path = argv[optind];
	if (o.n_purposes == 0)
		return cli_usage_error(cli, "name the purposes the records are kept for: --purpose ID");
	if (o.source_name != NULL && o.source == NULL)
		o.source = "third_party";
	sargs_err_clear(&err);
	if (mapping_file != NULL) {
		char *text = NULL;
		size_t n = 0;

		if (sargs_fs_read(mapping_file, SARGS_IMPORT_MAPPING_MAX, &text, &n, &err) != SARGS_OK)
			return cli_fail(cli, &err);
		src = sargs_import_mapping_parse(text, n, &mf, &err);
		free(text);
		if (src != SARGS_OK)
			return cli_fail(cli, &err);
		for (size_t i = 0; i < mf->n_columns; i++) {
			if (o.n_columns >= SARGS_IMPORT_COLUMNS_MAX) {
				rc = cli_usage_error(cli, "too many mapped columns");
				goto out;
			}
			cols[o.n_columns++] = mf->columns[i];
		}
		for (size_t i = 0; i < mf->n_values; i++)
			vals[o.n_values++] = mf->values[i]; /* after the command line's */
		if (o.consent_column == NULL)
			o.consent_column = mf->consent_column;
	}
	if (have_consent == (o.consent_column != NULL)) {
		rc = cli_usage_error(cli, "say what is known of the records' consent: --consent none|"
					  "preticked|optout_offered|reconfirmed for the whole file,"
					  " or --consent-column NAME per row");
		goto out;
	}
	if (strcmp(path, "-") == 0) {
		in = stdin;
	} else if ((in = fopen(path, "rb")) == NULL) {
		(void)sargs_err_set(&err, errno == ENOENT ? SARGS_E_NOTFOUND : SARGS_E_IO,
				    "cannot open %s: %s", path, strerror(errno));
		rc = cli_fail(cli, &err);
		goto out;
	}
	/* the reader buffers (and wipes) the text itself: no copy in stdio */
	(void)setvbuf(in, NULL, _IONBF, 0);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		goto out;
	ic.progress = progress || isatty(STDERR_FILENO);
	(void)clock_gettime(CLOCK_MONOTONIC, &ic.start);
	ic.last = ic.start;
	o.on_refused = on_refused;
	o.on_batch = on_batch;
	o.ctx = &ic;
	src = sargs_import_csv(reg, in, &o, &s, &err);
	if (src != SARGS_OK && !s.stopped) {
		rc = cli_fail(cli, &err);
		goto out;
	}
	if (cli->json)
		(void)cli_print_json(summary_json(&s));
	else
		summary_print(&s);
	if (src != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = s.refused + s.duplicates > 0 ? EXIT_INVALID : EXIT_OK;
out:
	if (in != NULL && in != stdin)
		(void)fclose(in);
	sargs_reg_close(reg);
	sargs_import_mapping_free(mf);
	return rc;
}

/* ---- sargs zones */

static int zones_counts(struct cli *cli)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	int64_t c[4];
	int rc;

	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_zones_count(reg, c, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:I,s:I,s:I}", "red", (json_int_t)c[SARGS_ZONE_RED],
					      "grey", (json_int_t)c[SARGS_ZONE_GREY], "green",
					      (json_int_t)c[SARGS_ZONE_GREEN]));
	} else {
		printf("red    %lld  no consent or pre-ticked: no marketing (003)\n",
		       (long long)c[SARGS_ZONE_RED]);
		printf("grey   %lld  old consent, opt-out always offered\n",
		       (long long)c[SARGS_ZONE_GREY]);
		printf("green  %lld  consent re-confirmed\n", (long long)c[SARGS_ZONE_GREEN]);
	}
	sargs_reg_close(reg);
	return rc;
}

static const char list_help[] =
	"Usage: sargs [--json] zones list red|grey|green\n"
	"\n"
	"Prints the ids of the subjects in a zone, one a line. Ids only: no personal\n"
	"data is read.\n";

struct list_ctx {
	json_t *ids;
	int64_t n;
};

static int list_cb(void *ctx, const char *id)
{
	struct list_ctx *l = ctx;

	l->n++;
	if (l->ids != NULL)
		return json_array_append_new(l->ids, json_string(id)) != 0;
	printf("%s\n", id);
	return 0;
}

static int zones_list(struct cli *cli, int argc, char **argv)
{
	struct list_ctx l = {NULL, 0};
	struct sargs_reg *reg;
	struct sargs_err err;
	enum sargs_zone z;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(list_help, stdout);
		return EXIT_OK;
	}
	if (argc != 2 || sargs_zone_parse(argv[1], &z) != SARGS_OK)
		return cli_usage_error(cli, "usage: sargs zones list red|grey|green");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	if (cli->json && (l.ids = json_array()) == NULL) {
		sargs_reg_close(reg);
		return cli_print_json(NULL);
	}
	sargs_err_clear(&err);
	if (sargs_zones_list(reg, z, list_cb, &l, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else if (cli->json)
		rc = cli_print_json(json_pack("{s:s,s:O}", "zone", sargs_zone_id(z), "ids", l.ids));
	json_decref(l.ids);
	sargs_reg_close(reg);
	return rc;
}

static const char ask_help[] =
	"Usage: sargs [--json] zones ask [--deadline YYYY-MM-DD | --days N]\n"
	"                                [--zone red|grey...]\n"
	"\n"
	"Starts a re-permission campaign (003): records, for every subject in the red\n"
	"and grey zones (or the --zone given), that they are asked now for fresh\n"
	"consent to marketing and by when they must answer (default: 30 days from\n"
	"today). Whoever has been asked and has not answered keeps the first\n"
	"deadline; whoever objected to direct marketing is not asked (GDPR\n"
	"Art. 21(3)). Every ask is audited. Send the request itself with 'sargs\n"
	"campaign export' (zone filter), through a channel the law allows; record\n"
	"answers with 'sargs zones confirm'; after the deadline, 'sargs zones purge'.\n";

static int zones_ask(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"deadline", required_argument, NULL, 'd'},
		{"days", required_argument, NULL, 'n'},
		{"zone", required_argument, NULL, 'z'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct sargs_ask_result res;
	struct sargs_reg *reg;
	struct sargs_err err;
	const char *deadline = NULL, *days = NULL;
	char date[SARGS_DATE_STR];
	unsigned mask = 0;
	int32_t day;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		enum sargs_zone z;

		switch (ch) {
		case 'd': deadline = optarg; break;
		case 'n': days = optarg; break;
		case 'z':
			if (sargs_zone_parse(optarg, &z) != SARGS_OK || z == SARGS_ZONE_GREEN)
				return cli_usage_error(cli, "--zone is red or grey");
			mask |= 1u << z;
			break;
		case 'h': fputs(ask_help, stdout); return EXIT_OK;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs zones ask --help'",
					       argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error(cli, "usage: sargs zones ask [--deadline YYYY-MM-DD | --days N]");
	if (deadline != NULL && days != NULL)
		return cli_usage_error(cli, "give --deadline or --days, not both");
	if (mask == 0)
		mask = (1u << SARGS_ZONE_RED) | (1u << SARGS_ZONE_GREY);
	if (deadline != NULL) {
		int y, m, d;

		if (sargs_date_parse(deadline, &y, &m, &d) != SARGS_OK)
			return cli_usage_error(cli, "--deadline is a date YYYY-MM-DD");
		day = (int32_t)sargs_days_from_civil(y, m, d);
	} else {
		char *end = NULL;
		long n = 30;

		if (days != NULL) {
			errno = 0;
			n = strtol(days, &end, 10);
			if (errno != 0 || end == days || *end != '\0' || n < 1 || n > 3660)
				return cli_usage_error(cli, "--days is a number of days from 1 to 3660");
		}
		day = sargs_today() + (int32_t)n;
	}
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	sargs_time_format_date((int64_t)day * 86400000000LL, date, sizeof(date));
	if (sargs_zones_ask(reg, mask, day, &res, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:I,s:I,s:I,s:s}", "asked", (json_int_t)res.asked,
					      "already_asked", (json_int_t)res.already_asked,
					      "objected", (json_int_t)res.objected, "deadline", date));
	} else {
		printf("Asked %lld subjects to re-confirm by %s.\n", (long long)res.asked, date);
		if (res.already_asked)
			printf("%lld were asked before and keep their deadline.\n",
			       (long long)res.already_asked);
		if (res.objected)
			printf("%lld objected to direct marketing and were not asked.\n",
			       (long long)res.objected);
	}
	sargs_reg_close(reg);
	return rc;
}

static const char confirm_help[] =
	"Usage: sargs zones confirm SUBJECT --channel CHANNEL --form FORM\n"
	"                           (--text-hash HEX | --text-file FILE) [--purpose ID]\n"
	"                           [--receipt FILE]\n"
	"\n"
	"Records that a legacy record re-confirmed its consent to marketing: the\n"
	"consent with its proof (the channel: web_form, paper, phone, in_person,\n"
	"email, sms, self_service; the form; the text the person saw) and a signed\n"
	"receipt, and the record moves to the green zone. --purpose: the marketing\n"
	"purpose (default: the only one the subject is linked to). Prints the signed\n"
	"receipt, or writes it to FILE.\n";

static int zones_confirm(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"purpose", required_argument, NULL, 'p'},
		{"channel", required_argument, NULL, 'c'},
		{"form", required_argument, NULL, 'f'},
		{"text-hash", required_argument, NULL, 't'},
		{"text-file", required_argument, NULL, 'T'},
		{"receipt", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct sargs_consent_proof proof;
	struct sargs_reg *reg;
	struct sargs_err err;
	const char *purpose = NULL, *text_file = NULL, *receipt_out = NULL;
	char hash_hex[SARGS_HASH_BYTES * 2 + 1];
	char *receipt = NULL, *pretty;
	enum sargs_rc confirmed;
	int ch, rc;

	memset(&proof, 0, sizeof(proof));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p': purpose = optarg; break;
		case 'c': proof.channel = optarg; break;
		case 'f': proof.form = optarg; break;
		case 't': proof.text_hash = optarg; break;
		case 'T': text_file = optarg; break;
		case 'r': receipt_out = optarg; break;
		case 'h': fputs(confirm_help, stdout); return EXIT_OK;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs zones confirm --help'",
					       argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(cli, "usage: sargs zones confirm SUBJECT --channel C --form F"
					    " --text-hash HEX");
	if (proof.channel == NULL)
		return cli_usage_error(cli, "say through which channel the person re-confirmed:"
					    " --channel CHANNEL");
	sargs_err_clear(&err);
	if (text_file != NULL) {
		unsigned char h[SARGS_HASH_BYTES];
		char *text = NULL;
		size_t n = 0;

		if (proof.text_hash != NULL)
			return cli_usage_error(cli, "give --text-hash or --text-file, not both");
		if (sargs_fs_read(text_file, TEXT_LIMIT, &text, &n, &err) != SARGS_OK)
			return cli_fail(cli, &err);
		sargs_hash(text, n, h);
		free(text);
		sargs_hex(h, sizeof(h), hash_hex);
		proof.text_hash = hash_hex;
	}
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	confirmed = sargs_zones_confirm(reg, argv[optind], purpose, &proof, &receipt, &err);
	if (confirmed == SARGS_OK && (pretty = cli_receipt_pretty(receipt)) != NULL) {
		/* for people: indented (it is stored compact) */
		free(receipt);
		receipt = pretty;
	}
	if (confirmed != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (receipt_out != NULL) {
		if (sargs_fs_write_atomic(receipt_out, receipt, strlen(receipt), 0600, 0, &err) !=
		    SARGS_OK)
			rc = cli_fail(cli, &err);
		else if (cli->json)
			rc = cli_print_json(json_pack("{s:b,s:s,s:s,s:s}", "ok", 1, "id", argv[optind],
						      "zone", "green", "receipt_file", receipt_out));
		else
			printf("Subject %s re-confirmed: now in the green zone; signed receipt"
			       " written to %s\n",
			       argv[optind], receipt_out);
	} else {
		if (!cli->json)
			fprintf(stderr, "Subject %s re-confirmed: now in the green zone; the signed"
					" receipt follows\n",
				argv[optind]);
		printf("%s\n", receipt);
	}
	free(receipt);
	sargs_reg_close(reg);
	return rc;
}

static const char purge_help[] =
	"Usage: sargs [--json] zones purge [--dry-run]\n"
	"\n"
	"Ends the re-permission campaign for everyone asked whose deadline has passed\n"
	"(003): who re-confirmed stays (green); who did not and has no other legal\n"
	"basis is erased (crypto-shredding, reason 'retention'); who did not but is\n"
	"still needed for a purpose on another basis than consent (a contract, a\n"
	"legal obligation) is kept, and their old marketing consent lapses so they\n"
	"drop out of marketing. Who still has time to answer is left alone. Prints\n"
	"each subject's id and what became of it (no personal data).\n"
	"--dry-run: says what would happen and why, changes nothing.\n";

struct purge_ctx {
	struct cli *cli;
	json_t *items;
	int dry_run;
};

static void purge_cb(void *ctx, const struct sargs_purge_item *it)
{
	struct purge_ctx *pc = ctx;
	char date[SARGS_DATE_STR];

	sargs_time_format_date((int64_t)it->deadline_day * 86400000000LL, date, sizeof(date));
	if (pc->items != NULL) {
		(void)json_array_append_new(
			pc->items,
			json_pack("{s:s,s:s,s:s?,s:s}", "id", it->id, "outcome",
				  sargs_purge_outcome_id(it->outcome), "purpose", it->purpose,
				  "deadline", date));
		return;
	}
	switch (it->outcome) {
	case SARGS_PURGE_ERASED:
		printf("%s  %s: not re-confirmed by %s, no other legal basis\n", it->id,
		       pc->dry_run ? "would be erased" : "erased", date);
		break;
	case SARGS_PURGE_KEPT:
		printf("%s  %s: other legal basis (purpose %s); out of marketing\n", it->id,
		       pc->dry_run ? "would be kept" : "kept", it->purpose);
		break;
	case SARGS_PURGE_NOT_DUE:
		printf("%s  left alone: deadline not reached (%s)\n", it->id, date);
		break;
	default:
		printf("%s  re-confirmed\n", it->id);
		break;
	}
}

static int zones_purge(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"dry-run", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct purge_ctx pc = {cli, NULL, 0};
	struct sargs_purge_summary s;
	struct sargs_reg *reg;
	struct sargs_err err;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(purge_help, stdout);
			return EXIT_OK;
		}
		if (ch != 'n')
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs zones purge --help'",
					       argv[optind - 1]);
		pc.dry_run = 1;
	}
	if (optind != argc)
		return cli_usage_error(cli, "usage: sargs zones purge [--dry-run]");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	if (cli->json && (pc.items = json_array()) == NULL) {
		sargs_reg_close(reg);
		return cli_print_json(NULL);
	}
	sargs_err_clear(&err);
	if (sargs_zones_purge(reg, pc.dry_run, purge_cb, &pc, &s, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		rc = cli_print_json(json_pack(
			"{s:b,s:I,s:I,s:I,s:I,s:O}", "dry_run", pc.dry_run, "erased",
			(json_int_t)s.count[SARGS_PURGE_ERASED], "kept",
			(json_int_t)s.count[SARGS_PURGE_KEPT], "not_due",
			(json_int_t)s.count[SARGS_PURGE_NOT_DUE], "confirmed",
			(json_int_t)s.count[SARGS_PURGE_CONFIRMED], "subjects", pc.items));
	} else {
		printf("%s%lld erased, %lld kept (other legal basis), %lld not yet due, %lld"
		       " re-confirmed.\n",
		       pc.dry_run ? "Dry run, nothing changed: " : "",
		       (long long)s.count[SARGS_PURGE_ERASED], (long long)s.count[SARGS_PURGE_KEPT],
		       (long long)s.count[SARGS_PURGE_NOT_DUE],
		       (long long)s.count[SARGS_PURGE_CONFIRMED]);
	}
	json_decref(pc.items);
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd zones_table[] = {
	{"list", zones_list, "the ids of the subjects in a zone"},
	{"ask", zones_ask, "start a re-permission campaign (red and grey)"},
	{"confirm", zones_confirm, "record a re-confirmation (to green)"},
	{"purge", zones_purge, "after the deadline: erase who did not re-confirm"},
	{NULL, NULL, NULL},
};

int cmd_zones(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return zones_counts(cli);
	return cli_dispatch(cli, "zones",
			    "Usage: sargs [--json] zones [COMMAND]\n"
			    "\n"
			    "The zones of records imported from a legacy customer list (003): red\n"
			    "(no consent or a pre-ticked box: no marketing), grey (old consent, an\n"
			    "opt-out always offered) and green (re-confirmed). Without a command,\n"
			    "prints how many subjects each zone holds.\n",
			    zones_table, argc, argv);
}
