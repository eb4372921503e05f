/*
 * cli_relation.c — `sargs purchase add|list` and `sargs contract
 * start|end|list`: the customer relationship marketing rules depend on.
 */
#include "cli/cli.h"
#include "domain/relation.h"
#include "store/store_rel.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

/* "YYYY-MM-DD" to days since 1970-01-01; -1 on a bad date (checked by caller). */
static int parse_day(const char *s, int32_t *out)
{
	int64_t us;

	if (s == NULL || strlen(s) != 10 || sargs_time_parse(s, &us) != SARGS_OK)
		return -1;
	*out = (int32_t)(us / 86400000000LL);
	return 0;
}

/* Ends a read's transaction: commits when r is SARGS_OK (a failed commit
 * leaves its reason in err), else rolls back. */
static void tx_finish(struct sargs_reg *reg, enum sargs_rc r, struct sargs_err *err)
{
	if (r != SARGS_OK) {
		sargs_reg_rollback(reg);
		return;
	}
	if (sargs_reg_commit(reg, err) == SARGS_OK)
		return;
}

static void day_str(int32_t day, char out[SARGS_DATE_STR])
{
	sargs_time_format_date((int64_t)day * 86400000000LL, out, SARGS_DATE_STR);
}

static const char add_help[] =
	"Usage: sargs purchase add SUBJECT --line PRODUCT_LINE [--date YYYY-MM-DD]\n"
	"                          [--opt-out-offered] [--refused]\n"
	"\n"
	"Records a purchase from a product line (default date: today).\n"
	"--opt-out-offered: when the contact was collected the person was offered the\n"
	"chance to refuse marketing; --refused: and refused. A customer who was\n"
	"offered the choice and did not refuse may get e-mail offers about the same\n"
	"product line until they object (soft opt-in: ePrivacy Art. 13(2); Information\n"
	"Society Services Law Art. 9(2)); the subject is then linked to the registry's\n"
	"soft-opt-in purposes of that line.\n";

static int purchase_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"line", required_argument, NULL, 'l'},
					     {"date", required_argument, NULL, 'd'},
					     {"opt-out-offered", no_argument, NULL, 'o'},
					     {"refused", no_argument, NULL, 'r'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *line = NULL;
	int32_t day = sargs_today();
	int offered = 0, refused = 0, ch, rc;
	struct sargs_purchase_result res;
	struct sargs_reg *reg;
	struct sargs_err err;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			fputs(add_help, stdout);
			return EXIT_OK;
		case 'l':
			line = optarg;
			break;
		case 'd':
			if (parse_day(optarg, &day) != 0)
				return cli_usage_error(cli, "--date must be a date YYYY-MM-DD");
			break;
		case 'o':
			offered = 1;
			break;
		case 'r':
			refused = 1;
			break;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs purchase add"
						    " --help'",
					       argv[optind - 1]);
		}
	}
	if (line == NULL || argc - optind != 1)
		return cli_usage_error(cli, "give SUBJECT and --line PRODUCT_LINE");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_purchase_record(reg, argv[optind], line, day, offered, refused, &res, &err) !=
	    SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		json_t *l = json_array();

		for (size_t i = 0; i < res.n_linked; i++)
			(void)json_array_append_new(l, json_string(res.linked[i]));
		rc = cli_print_json(json_pack("{s:s, s:o}", "result", "purchase recorded",
					      "linked_soft_opt_in", l));
	} else {
		printf("purchase recorded");
		for (size_t i = 0; i < res.n_linked; i++)
			printf("%s%s", i ? ", " : "; linked for soft opt-in: ", res.linked[i]);
		printf("\n");
	}
	sargs_reg_close(reg);
	return rc;
}

struct plist {
	json_t *purchases, *lines;
};

static int purchase_cb(void *ctx, const char *product_line, int32_t day)
{
	struct plist *p = ctx;
	char d[SARGS_DATE_STR];

	day_str(day, d);
	(void)json_array_append_new(p->purchases,
				    json_pack("{s:s, s:s}", "date", d, "line", product_line));
	return 0;
}

static int line_cb(void *ctx, const struct sargs_store_line *l)
{
	struct plist *p = ctx;
	char a[SARGS_DATE_STR], b[SARGS_DATE_STR];

	day_str(l->first_day, a);
	day_str(l->last_day, b);
	(void)json_array_append_new(p->lines,
				    json_pack("{s:s, s:s, s:s, s:b, s:b}", "line", l->product_line,
					      "first", a, "last", b, "opt_out_offered",
					      l->opt_out_offered, "refused", l->refused));
	return 0;
}

static const char list_help[] =
	"Usage: sargs purchase list SUBJECT\n"
	"\n"
	"Lists a person's purchases and, per product line, the first and last\n"
	"purchase and whether marketing was offered to be refused, and refused.\n";

/* Reads purchases and lines inside an audited transaction. */
static int purchase_list(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	struct plist p;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(list_help, stdout);
		return EXIT_OK;
	}
	if (argc != 2)
		return cli_usage_error(cli, "give SUBJECT");
	if (!sargs_uuid_valid(argv[1]))
		return cli_usage_error(cli, "SUBJECT must be a subject id (a UUID)");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	p.purchases = json_array();
	p.lines = json_array();
	sargs_err_clear(&err);
	if (sargs_reg_begin(reg, &err) == SARGS_OK) {
		enum sargs_rc r = sargs_store_purchases(reg->store, argv[1], purchase_cb, &p);

		if (r == SARGS_OK)
			r = sargs_store_lines(reg->store, argv[1], line_cb, &p);
		if (r != SARGS_OK)
			(void)sargs_err_set(&err, r, "cannot read the purchases");
		else
			r = sargs_reg_audit(reg, "purchase.list", argv[1], NULL, NULL, NULL, &err);
		tx_finish(reg, r, &err);
	}
	if (err.rc != SARGS_OK) {
		rc = cli_fail(cli, &err);
		json_decref(p.purchases);
		json_decref(p.lines);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:o, s:o}", "purchases", p.purchases, "lines",
					      p.lines));
	} else {
		size_t i;
		json_t *e;

		printf("%-12s %s\n", "DATE", "PRODUCT LINE");
		json_array_foreach(p.purchases, i, e) {
			printf("%-12s %s\n", json_string_value(json_object_get(e, "date")),
			       json_string_value(json_object_get(e, "line")));
		}
		json_array_foreach(p.lines, i, e) {
			printf("line %s: customer %s to %s; marketing refusal %s%s\n",
			       json_string_value(json_object_get(e, "line")),
			       json_string_value(json_object_get(e, "first")),
			       json_string_value(json_object_get(e, "last")),
			       json_is_true(json_object_get(e, "opt_out_offered")) ? "offered"
										 : "not offered",
			       json_is_true(json_object_get(e, "refused")) ? ", refused" : "");
		}
		json_decref(p.purchases);
		json_decref(p.lines);
	}
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd purchase_table[] = {
	{"add", purchase_add, "record a purchase from a product line"},
	{"list", purchase_list, "a person's purchases and product lines"},
	{NULL, NULL, NULL}};

int cmd_purchase(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "purchase",
			    "Usage: sargs purchase COMMAND\n\nPurchases by product line: whom soft"
			    " opt-in marketing may reach.\n",
			    purchase_table, argc, argv);
}

/* ---- contracts */

static const char start_help[] =
	"Usage: sargs contract start SUBJECT [--line PRODUCT_LINE] [--date YYYY-MM-DD]\n"
	"\n"
	"Records the start of a contract (default date: today) and prints its\n"
	"number. Retention periods that run from the contract's end start when\n"
	"every contract of the person has ended.\n";

static const char end_help[] =
	"Usage: sargs contract end SUBJECT NUMBER [--date YYYY-MM-DD]\n"
	"\n"
	"Records the end of a contract (default date: today). From then on data kept\n"
	"for it may serve only its retention period (claims) (004 §4.6).\n";

static int contract_start_end(struct cli *cli, int argc, char **argv, int start)
{
	static const struct option opts[] = {{"line", required_argument, NULL, 'l'},
					     {"date", required_argument, NULL, 'd'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *line = NULL;
	int32_t day = sargs_today();
	int64_t no = 0;
	struct sargs_reg *reg;
	struct sargs_err err;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(start ? start_help : end_help, stdout);
			return EXIT_OK;
		}
		if (ch == 'l' && start) {
			line = optarg;
		} else if (ch == 'd') {
			if (parse_day(optarg, &day) != 0)
				return cli_usage_error(cli, "--date must be a date YYYY-MM-DD");
		} else {
			return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != (start ? 1 : 2))
		return cli_usage_error(cli, start ? "give SUBJECT" : "give SUBJECT and NUMBER");
	if (!start) {
		char *end = NULL;

		no = strtoll(argv[optind + 1], &end, 10);
		if (end == argv[optind + 1] || *end != '\0' || no <= 0)
			return cli_usage_error(cli, "NUMBER is the contract's number");
	}
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if ((start ? sargs_contract_start(reg, argv[optind], line, day, &no, &err)
		   : sargs_contract_finish(reg, argv[optind], no, day, &err)) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else if (cli->json)
		rc = cli_print_json(json_pack("{s:s, s:I}", "result",
					      start ? "contract started" : "contract ended", "number",
					      (json_int_t)no));
	else
		printf("contract %lld %s\n", (long long)no, start ? "started" : "ended");
	sargs_reg_close(reg);
	return rc;
}

static int contract_start(struct cli *cli, int argc, char **argv)
{
	return contract_start_end(cli, argc, argv, 1);
}

static int contract_end(struct cli *cli, int argc, char **argv)
{
	return contract_start_end(cli, argc, argv, 0);
}

static int contract_cb(void *ctx, int64_t no, const char *product_line, int32_t start_day,
		       int32_t end_day)
{
	char a[SARGS_DATE_STR], b[SARGS_DATE_STR];

	day_str(start_day, a);
	if (end_day != SARGS_STORE_DAY_NONE)
		day_str(end_day, b);
	(void)json_array_append_new(ctx, json_pack("{s:I, s:s?, s:s, s:s?}", "number",
						   (json_int_t)no, "line", product_line, "start",
						   a, "end",
						   end_day != SARGS_STORE_DAY_NONE ? b : NULL));
	return 0;
}

static const char clist_help[] =
	"Usage: sargs contract list SUBJECT\n\nLists a person's contracts.\n";

static int contract_list(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	json_t *a;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(clist_help, stdout);
		return EXIT_OK;
	}
	if (argc != 2)
		return cli_usage_error(cli, "give SUBJECT");
	if (!sargs_uuid_valid(argv[1]))
		return cli_usage_error(cli, "SUBJECT must be a subject id (a UUID)");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	a = json_array();
	sargs_err_clear(&err);
	if (sargs_reg_begin(reg, &err) == SARGS_OK) {
		enum sargs_rc r = sargs_store_contracts(reg->store, argv[1], contract_cb, a);

		if (r != SARGS_OK)
			(void)sargs_err_set(&err, r, "cannot read the contracts");
		else
			r = sargs_reg_audit(reg, "contract.list", argv[1], NULL, NULL, NULL, &err);
		tx_finish(reg, r, &err);
	}
	if (err.rc != SARGS_OK) {
		rc = cli_fail(cli, &err);
		json_decref(a);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:o}", "contracts", a));
	} else {
		size_t i;
		json_t *e;

		printf("%-8s %-12s %-12s %s\n", "NUMBER", "START", "END", "LINE");
		json_array_foreach(a, i, e) {
			const char *end = json_string_value(json_object_get(e, "end"));
			const char *ln = json_string_value(json_object_get(e, "line"));

			printf("%-8lld %-12s %-12s %s\n",
			       (long long)json_integer_value(json_object_get(e, "number")),
			       json_string_value(json_object_get(e, "start")), end ? end : "running",
			       ln ? ln : "-");
		}
		json_decref(a);
	}
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd contract_table[] = {
	{"start", contract_start, "record the start of a contract"},
	{"end", contract_end, "record the end of a contract"},
	{"list", contract_list, "a person's contracts"},
	{NULL, NULL, NULL}};

int cmd_contract(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "contract",
			    "Usage: sargs contract COMMAND\n\nContracts: while one runs, its purposes"
			    " are lawful; its end starts retention periods.\n",
			    contract_table, argc, argv);
}
