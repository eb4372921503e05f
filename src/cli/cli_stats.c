/*
 * cli_stats.c — `sargs stats`: the anonymised counts, small cells
 * suppressed (domain/stats.h).
 */
#include "cli/cli.h"
#include "domain/stats.h"

#include <getopt.h>
#include <string.h>

static const char stats_help[] =
	"Usage: sargs stats [--month YYYY-MM] [--purpose ID]\n"
	"\n"
	"Anonymised statistics: counts by month, purpose, product line and measure\n"
	"(subjects_added, subjects_erased, consents_given, consents_withdrawn,\n"
	"objections, purchases, campaign_recipients). They hold no subject ids and\n"
	"survive erasure (004 §20.2). No person can be singled out: a count of 1 to\n"
	"4 is shown as \"<5\" (null in JSON); when only one cell of a month and\n"
	"measure is that small, the next smallest is hidden too, so it cannot be\n"
	"had by subtraction; a month's total is shown only when none of its cells\n"
	"is hidden, or when it is 5 or more and at least two are. Counts of 0 are\n"
	"not listed. Purchases belong to no purpose (shown as \"-\"; select them\n"
	"with --purpose -). With --purpose, totals are left out. The read is\n"
	"audited.\n";

struct print_ctx {
	json_t *rows, *totals;
};

static int row_cb(void *ctx, const struct sargs_stats_row *r)
{
	struct print_ctx *c = ctx;
	json_t *count = r->count == SARGS_STATS_SUPPRESSED ? json_null()
							     : json_integer((json_int_t)r->count);

	if (r->total)
		(void)json_array_append_new(c->totals,
					    json_pack("{s:s, s:s, s:o}", "month", r->month,
						      "measure", r->measure, "count", count));
	else
		(void)json_array_append_new(
			c->rows, json_pack("{s:s, s:s, s:s, s:s, s:o, s:b}", "month", r->month,
					   "measure", r->measure, "purpose", r->purpose,
					   "product_line", r->product_line, "count", count,
					   "suppressed", r->count == SARGS_STATS_SUPPRESSED));
	return 0;
}

static void print_table(json_t *rows, json_t *totals)
{
	size_t i, k = 0;
	json_t *e;

	printf("%-8s %-20s %-20s %-14s %8s\n", "MONTH", "MEASURE", "PURPOSE", "PRODUCT LINE",
	       "COUNT");
	json_array_foreach(rows, i, e) {
		const char *month = json_string_value(json_object_get(e, "month"));
		const char *measure = json_string_value(json_object_get(e, "measure"));
		const char *purpose = json_string_value(json_object_get(e, "purpose"));
		const char *line = json_string_value(json_object_get(e, "product_line"));
		json_t *n = json_object_get(e, "count");
		json_t *next = json_array_get(rows, i + 1);

		if (json_is_null(n))
			printf("%-8s %-20s %-20s %-14s %8s\n", month, measure,
			       purpose[0] ? purpose : "-", line[0] ? line : "-", "<5");
		else
			printf("%-8s %-20s %-20s %-14s %8lld\n", month, measure,
			       purpose[0] ? purpose : "-", line[0] ? line : "-",
			       (long long)json_integer_value(n));
		/* the group's total after its last cell */
		if (next == NULL ||
		    strcmp(json_string_value(json_object_get(next, "month")), month) != 0 ||
		    strcmp(json_string_value(json_object_get(next, "measure")), measure) != 0) {
			json_t *t = json_array_get(totals, k);

			if (t != NULL &&
			    strcmp(json_string_value(json_object_get(t, "month")), month) == 0 &&
			    strcmp(json_string_value(json_object_get(t, "measure")), measure) == 0) {
				printf("%-8s %-20s %-20s %-14s %8lld\n", month, measure, "(total)", "",
				       (long long)json_integer_value(json_object_get(t, "count")));
				k++;
			}
		}
	}
	if (json_array_size(rows) == 0)
		printf("(no counts)\n");
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"month", required_argument, NULL, 'm'},
		{"purpose", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct sargs_stats_filter f = {NULL, NULL};
	struct print_ctx c;
	struct sargs_reg *reg;
	struct sargs_err err;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h': fputs(stats_help, stdout); return EXIT_OK;
		case 'm': f.month = optarg; break;
		case 'P': f.purpose = strcmp(optarg, "-") == 0 ? "" : optarg; break;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs stats --help'",
					       argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	c.rows = json_array();
	c.totals = json_array();
	sargs_err_clear(&err);
	if (c.rows == NULL || c.totals == NULL) {
		(void)sargs_err_set(&err, SARGS_E_NOMEM, "out of memory");
		rc = cli_fail(cli, &err);
	} else if (sargs_stats_report(reg, &f, row_cb, &c, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:i, s:O, s:O}", "min_cell", SARGS_STATS_MIN_CELL,
					      "rows", c.rows, "totals", c.totals));
	} else {
		print_table(c.rows, c.totals);
	}
	json_decref(c.rows);
	json_decref(c.totals);
	sargs_reg_close(reg);
	return rc;
}
