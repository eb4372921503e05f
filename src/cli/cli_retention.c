/*
 * cli_retention.c — `sargs retention sweep [--dry-run]`: ends processing
 * when a purpose's retention period is over.
 */
#include "cli/cli.h"
#include "domain/rights.h"

#include <getopt.h>
#include <string.h>

static const char sweep_help[] =
	"Usage: sargs retention sweep [--dry-run]\n"
	"\n"
	"Applies every purpose's retention rule as of today (GDPR Art. 5(1)(e);\n"
	"004 §4.4-4.6): a purpose whose period is over is unlinked from the person\n"
	"and the fields no remaining purpose needs are erased with it; a person left\n"
	"with no purpose is erased (crypto-shredding, reason \"retention\").\n"
	"Periods count as Regulation 1182/71 Art. 3 counts them, from the event the\n"
	"purpose names (collection, contract end, last purchase, withdrawal,\n"
	"objection). A person whose processing is restricted is held as is (GDPR\n"
	"Art. 18). --dry-run lists what would happen and why, and changes\n"
	"nothing. Each action is one line: ACTION SUBJECT PURPOSE (ended DATE)\n"
	"[fields ...]; the summary goes to standard error.\n";

struct sweep_print {
	int json;
	json_t *items;
};

static void sweep_cb(void *ctx, const struct sargs_sweep_item *it)
{
	struct sweep_print *sp = ctx;

	if (sp->json) {
		(void)json_array_append_new(sp->items,
					    json_pack("{s:s, s:s, s:s, s:s, s:s}", "action",
						      it->action, "subject", it->subject_id,
						      "purpose", it->purpose, "period_ended",
						      it->until, "fields", it->fields));
		return;
	}
	printf("%-7s %s %s (ended %s)%s%s\n", it->action, it->subject_id, it->purpose, it->until,
	       it->fields[0] ? " fields " : "", it->fields);
}

static int retention_sweep(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"dry-run", no_argument, NULL, 'n'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct sweep_print sp = {cli->json, NULL};
	struct sargs_sweep_summary sum;
	struct sargs_reg *reg;
	struct sargs_err err;
	int dry = 0, ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(sweep_help, stdout);
			return EXIT_OK;
		}
		if (ch != 'n')
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs retention sweep"
						    " --help'",
					       argv[optind - 1]);
		dry = 1;
	}
	if (optind != argc)
		return cli_usage_error(cli, "sweep takes no arguments");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sp.items = json_array();
	sargs_err_clear(&err);
	if (sargs_retention_sweep(reg, dry, sweep_cb, &sp, &sum, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
		json_decref(sp.items);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:o}", "dry_run", dry,
					      "links_checked", (json_int_t)sum.links_checked,
					      "subjects_erased", (json_int_t)sum.subjects_erased,
					      "purposes_ended", (json_int_t)sum.purposes_ended,
					      "fields_erased", (json_int_t)sum.fields_erased,
					      "held_restricted", (json_int_t)sum.held_restricted,
					      "actions", sp.items));
	} else {
		json_decref(sp.items);
		fprintf(stderr,
			"%s: %lld purpose links checked; %lld people %s, %lld purposes %s, %lld"
			" fields %s; %lld people held (processing restricted)\n",
			dry ? "dry run" : "retention sweep", (long long)sum.links_checked,
			(long long)sum.subjects_erased, dry ? "would be erased" : "erased",
			(long long)sum.purposes_ended, dry ? "would end" : "ended",
			(long long)sum.fields_erased, dry ? "would be erased" : "erased",
			(long long)sum.held_restricted);
	}
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd table[] = {
	{"sweep", retention_sweep, "end processing whose retention period is over"},
	{NULL, NULL, NULL}};

int cmd_retention(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "retention",
			    "Usage: sargs retention COMMAND\n\nRetention: data is kept only as long as"
			    " its purpose needs it.\n",
			    table, argc, argv);
}
