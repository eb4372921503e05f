/*
 * cli_calendar.c — `sargs calendar due|holidays`: the GDPR Art. 12(3) answer
 * deadline for a request received on a date, counted per Reg. 1182/71 Art. 3
 * with Latvian public holidays, and the public holidays of a year. Needs no
 * register.
 *
 * Entry point (to be declared in cli.h and listed in main.c):
 *   int cmd_calendar(struct cli *cli, int argc, char **argv);
 *
 * Extra one-off holidays come from --holidays FILE, else from
 * $SARGS_DATA/holidays.txt when it exists (format: data/lv-holidays-extra.txt).
 */
#include "cli/cli.h"
#include "util/calendar_lv.h"
#include "util/fsutil.h"
#include "util/timeutil.h"

#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

int cmd_calendar(struct cli *cli, int argc, char **argv);

#define HOLIDAYS_DEFAULT_NAME "holidays.txt"

static const char calendar_help[] =
	"Usage: sargs [--json] calendar COMMAND [OPTIONS]\n"
	"\n"
	"Deadlines and Latvian public holidays. Needs no register.\n"
	"One-off holidays declared by law are read from --holidays FILE, else from\n"
	"$SARGS_DATA/holidays.txt when it exists (one YYYY-MM-DD [comment] a line).\n";

static const char due_help[] =
	"Usage: sargs [--json] calendar due --received YYYY-MM-DD [--extended]\n"
	"                                  [--holidays FILE]\n"
	"\n"
	"Prints the last day to answer a data subject's request received on the date:\n"
	"one month from receipt (GDPR Art. 12(3)), or three months with --extended\n"
	"(the two-month extension, still counted from receipt). Counted per\n"
	"Reg. 1182/71 Art. 3: the day of receipt is not counted; a missing date\n"
	"(31 February) means the month's last day; a Saturday, Sunday or Latvian\n"
	"public holiday moves the deadline to the next working day.\n"
	"Exit status: 0 done, 1 invalid date or holidays file, 2 usage error.\n";

static const char holidays_help[] =
	"Usage: sargs [--json] calendar holidays --year YYYY [--holidays FILE]\n"
	"\n"
	"Lists the Latvian public holidays of the year (law \"Par svētku, atceres un\n"
	"atzīmējamām dienām\" Art. 1), including the day off after 4 May or\n"
	"18 November on a weekend and the one-off days from the holidays file.\n"
	"Exit status: 0 done, 1 invalid holidays file, 2 usage error.\n";

enum { OPT_RECEIVED = 'r', OPT_EXTENDED = 'e', OPT_HOLIDAYS = 'H', OPT_YEAR = 'y' };

/*
 * Loads the extra holidays into h: from path when given, else from
 * $SARGS_DATA/holidays.txt when it exists, else none. The file used (or "")
 * goes to used. Prints the error and returns its exit status on failure.
 */
static int load_holidays(struct cli *cli, const char *path, struct sargs_holidays *h,
			 char *used, size_t used_size)
{
	char def[1024];
	struct sargs_err err;

	h->count = 0;
	used[0] = '\0';
	sargs_err_clear(&err);
	if (path == NULL && cli->data_dir != NULL &&
	    sargs_fs_join(def, sizeof(def), cli->data_dir, HOLIDAYS_DEFAULT_NAME) == SARGS_OK &&
	    sargs_fs_exists(def))
		path = def;
	if (path == NULL)
		return EXIT_OK;
	if (sargs_holidays_load(path, h, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	(void)snprintf(used, used_size, "%s", path);
	return EXIT_OK;
}

/* Appends printf-style text to buf (cut when full). */
static void append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t len = strlen(buf);
	va_list ap;

	if (len + 1 >= size)
		return;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vsnprintf(buf + len, size - len, fmt, ap);
	va_end(ap);
}

static json_t *json_str_or_null(const char *s)
{
	json_t *v = s != NULL && s[0] != '\0' ? json_string(s) : NULL;

	/* NULL also for text that is not valid UTF-8 */
	return v != NULL ? v : json_null();
}

static void fmt_date(char *out, size_t size, int y, int m, int d)
{
	(void)snprintf(out, size, "%04d-%02d-%02d", y, m, d);
}

static int calendar_due(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"received", required_argument, NULL, OPT_RECEIVED},
		{"extended", no_argument, NULL, OPT_EXTENDED},
		{"holidays", required_argument, NULL, OPT_HOLIDAYS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *received = NULL, *holidays_path = NULL;
	char used[1024];
	struct sargs_holidays *extra;
	struct sargs_err err;
	int extended = 0, months, ch, rc;
	int ry, rm, rd, ny, nm, nd, dy, dm, dd;
	char rs[SARGS_DATE_STR], ns[SARGS_DATE_STR], ds[SARGS_DATE_STR];
	char reason[512];
	const char *hol_lv = NULL, *hol_en = NULL;
	int moved, clipped;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_RECEIVED: received = optarg; break;
		case OPT_EXTENDED: extended = 1; break;
		case OPT_HOLIDAYS: holidays_path = optarg; break;
		case 'h': fputs(due_help, stdout); return EXIT_OK;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs calendar due --help'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument; see 'sargs calendar due --help'");
	if (received == NULL)
		return cli_usage_error(cli, "calendar due needs --received YYYY-MM-DD");
	sargs_err_clear(&err);
	if (sargs_date_parse(received, &ry, &rm, &rd) != SARGS_OK) {
		(void)sargs_err_set(&err, SARGS_E_INVALID,
				    "--received: not a real date in the form YYYY-MM-DD");
		return cli_fail(cli, &err);
	}
	extra = calloc(1, sizeof(*extra));
	if (extra == NULL) {
		(void)sargs_err_set(&err, SARGS_E_NOMEM, "out of memory");
		return cli_fail(cli, &err);
	}
	if ((rc = load_holidays(cli, holidays_path, extra, used, sizeof(used))) != EXIT_OK)
		goto done;
	/* GDPR Art. 12(3): one month, or one plus two further months, from receipt */
	months = extended ? 3 : 1;
	if (sargs_period_months_end(ry, rm, rd, months, &ny, &nm, &nd) != SARGS_OK ||
	    sargs_deadline_months(ry, rm, rd, months, extra, &dy, &dm, &dd) != SARGS_OK) {
		(void)sargs_err_set(&err, SARGS_E_INVALID,
				    "no deadline can be computed for a request received on %s",
				    received);
		rc = cli_fail(cli, &err);
		goto done;
	}
	fmt_date(rs, sizeof(rs), ry, rm, rd);
	fmt_date(ns, sizeof(ns), ny, nm, nd);
	fmt_date(ds, sizeof(ds), dy, dm, dd);
	moved = strcmp(ns, ds) != 0;
	clipped = nd != rd;
	if (moved)
		(void)sargs_lv_holiday_name(ny, nm, nd, extra, &hol_lv, &hol_en);
	reason[0] = '\0';
	append(reason, sizeof(reason), "%s from receipt %s per GDPR Art. 12(3)",
	       extended ? "three months (one month extended by two further months)" : "one month",
	       rs);
	if (moved) {
		append(reason, sizeof(reason), ", moved from %s %s",
		       sargs_weekday_name(sargs_weekday(ny, nm, nd)), ns);
		if (hol_en != NULL)
			append(reason, sizeof(reason), " (%s)", hol_en);
		append(reason, sizeof(reason),
		       " to the next working day (Reg. 1182/71 Art. 3(4))");
	}
	if (clipped)
		append(reason, sizeof(reason),
		       "; %04d-%02d-%02d does not exist, so the period ends on the last day of"
		       " that month (Reg. 1182/71 Art. 3(2)(c))",
		       ny, nm, rd);
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "received", json_string(rs));
		json_object_set_new(o, "due", json_string(ds));
		json_object_set_new(o, "weekday", json_string(sargs_weekday_name(sargs_weekday(dy, dm, dd))));
		json_object_set_new(o, "extended", json_boolean(extended));
		json_object_set_new(o, "moved_from", moved ? json_string(ns) : json_null());
		json_object_set_new(o, "reason", json_string(reason));
		json_object_set_new(o, "holidays_file", json_str_or_null(used));
		rc = cli_print_json(o);
	} else {
		printf("due %s (%s): %s\n", ds, sargs_weekday_name(sargs_weekday(dy, dm, dd)), reason);
		rc = EXIT_OK;
	}
done:
	free(extra);
	return rc;
}

static int calendar_holidays(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"year", required_argument, NULL, OPT_YEAR},
		{"holidays", required_argument, NULL, OPT_HOLIDAYS},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *holidays_path = NULL;
	char used[1024];
	struct sargs_holidays *extra;
	struct sargs_lv_holiday *list;
	long year = 0;
	int have_year = 0, ch, rc;
	size_t n;
	json_t *arr = NULL;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;

		switch (ch) {
		case OPT_YEAR:
			errno = 0;
			year = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || year < 1 || year > 9999)
				return cli_usage_error(cli, "--year: expected a year 1-9999");
			have_year = 1;
			break;
		case OPT_HOLIDAYS: holidays_path = optarg; break;
		case 'h': fputs(holidays_help, stdout); return EXIT_OK;
		default:
			return cli_usage_error(cli,
					       "unknown option '%s'; see 'sargs calendar holidays --help'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument; see 'sargs calendar holidays --help'");
	if (!have_year)
		return cli_usage_error(cli, "calendar holidays needs --year YYYY");
	extra = calloc(1, sizeof(*extra));
	list = calloc(SARGS_LV_YEAR_MAX, sizeof(*list));
	if (extra == NULL || list == NULL) {
		struct sargs_err err;

		(void)sargs_err_set(&err, SARGS_E_NOMEM, "out of memory");
		rc = cli_fail(cli, &err);
		goto done;
	}
	if ((rc = load_holidays(cli, holidays_path, extra, used, sizeof(used))) != EXIT_OK)
		goto done;
	n = sargs_lv_holidays_of_year((int)year, extra, list, SARGS_LV_YEAR_MAX);
	if (cli->json)
		arr = json_array();
	for (size_t i = 0; i < n && i < SARGS_LV_YEAR_MAX; i++) {
		const struct sargs_lv_holiday *h = &list[i];
		const char *wd = sargs_weekday_name(sargs_weekday((int)year, h->month, h->day));
		char ds[SARGS_DATE_STR];

		fmt_date(ds, sizeof(ds), (int)year, h->month, h->day);
		if (arr != NULL) {
			json_t *o = json_object();
			json_object_set_new(o, "date", json_string(ds));
			json_object_set_new(o, "weekday", json_string(wd));
			json_object_set_new(o, "name_lv", json_string(h->name_lv));
			json_object_set_new(o, "name_en", json_string(h->name_en));
			json_object_set_new(o, "source", json_string(h->from_file ? "file" : "law"));
			json_object_set_new(o, "note", json_str_or_null(h->note));
			json_array_append_new(arr, o);
		} else {
			printf("%s %-9s %s / %s%s%s\n", ds, wd, h->name_lv, h->name_en,
			       h->note != NULL && h->note[0] ? ": " : "",
			       h->note != NULL ? h->note : "");
		}
	}
	if (arr != NULL) {
		rc = cli_print_json(json_pack("{s:i,s:o,s:o}", "year", (int)year, "holidays", arr,
					      "holidays_file",
					      json_str_or_null(used)));
	} else {
		rc = EXIT_OK;
	}
done:
	free(list);
	free(extra);
	return rc;
}

static const struct cli_cmd calendar_cmds[] = {
	{"due", calendar_due, "the GDPR Art. 12(3) answer deadline for a request"},
	{"holidays", calendar_holidays, "the Latvian public holidays of a year"},
	{NULL, NULL, NULL},
};

int cmd_calendar(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "calendar", calendar_help, calendar_cmds, argc, argv);
}
