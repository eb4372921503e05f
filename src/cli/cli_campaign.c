/*
 * cli_campaign.c — `sargs campaign audience|export|list` and
 * `sargs unsubscribe TOKEN`.
 */
#include "cli/cli.h"
#include "domain/campaign.h"
#include "domain/registry.h"
#include "domain/relation.h"
#include "store/store_rel.h"
#include "util/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct camp_opts {
	struct sargs_audience_req req;
	struct sargs_export_opts ex;
	const char *fields[16];
	const char *output;
	int show_ids;
};

static const struct option camp_options[] = {
	{"purpose", required_argument, NULL, 'P'},
	{"channel", required_argument, NULL, 'c'},
	{"line", required_argument, NULL, 'l'},
	{"customers-only", no_argument, NULL, 'C'},
	{"zone", required_argument, NULL, 'z'},
	{"base-url", required_argument, NULL, 'b'},
	{"link-days", required_argument, NULL, 'd'},
	{"field", required_argument, NULL, 'f'},
	{"output", required_argument, NULL, 'o'},
	{"format", required_argument, NULL, 'F'},
	{"ids", no_argument, NULL, 'i'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}};

static int zone_parse(const char *s)
{
	if (strcmp(s, "red") == 0)
		return 1;
	if (strcmp(s, "grey") == 0 || strcmp(s, "gray") == 0)
		return 2;
	if (strcmp(s, "green") == 0)
		return 3;
	return -1;
}

static int parse_camp(struct cli *cli, int argc, char **argv, const char *allowed,
		      const char *help, struct camp_opts *o, int *done)
{
	int ch;

	memset(o, 0, sizeof(*o));
	o->ex.fields = o->fields;
	*done = 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", camp_options, NULL)) != -1) {
		char *end = NULL;

		if (ch == 'h') {
			fputs(help, stdout);
			*done = 1;
			return EXIT_OK;
		}
		if (ch == '?' || strchr(allowed, ch) == NULL)
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs campaign %s --help'",
					       argv[optind - 1], argv[0]);
		switch (ch) {
		case 'P': o->req.purpose = optarg; break;
		case 'c':
			o->req.channel = sargs_channel_parse(optarg);
			if (o->req.channel == 0)
				return cli_usage_error(cli, "--channel is email, sms, phone or post");
			break;
		case 'l': o->req.product_line = optarg; break;
		case 'C': o->req.customers_only = 1; break;
		case 'z':
			o->req.zone = zone_parse(optarg);
			if (o->req.zone < 0)
				return cli_usage_error(cli, "--zone is red, grey or green");
			break;
		case 'b': o->ex.base_url = optarg; break;
		case 'd':
		{
			long days = strtol(optarg, &end, 10);

			if (end == optarg || *end != '\0' || days <= 0 || days > 3660)
				return cli_usage_error(cli, "--link-days is 1 to 3660 days");
			o->ex.link_days = (int)days;
		}
			if (o->ex.link_days <= 0)
				return cli_usage_error(cli, "--link-days is a number of days");
			break;
		case 'f':
			if (o->ex.n_fields >= 15)
				return cli_usage_error(cli, "at most 15 --field");
			o->fields[o->ex.n_fields++] = optarg;
			break;
		case 'o': o->output = optarg; break;
		case 'F':
			if (strcmp(optarg, "json") == 0)
				o->ex.json = 1;
			else if (strcmp(optarg, "csv") != 0)
				return cli_usage_error(cli, "--format is csv or json");
			break;
		case 'i': o->show_ids = 1; break;
		default: break;
		}
	}
	if (o->req.purpose == NULL || o->req.channel == 0)
		return cli_usage_error(cli, "name the campaign's --purpose and --channel");
	if (optind != argc)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

static json_t *summary_json(const struct sargs_audience *a)
{
	json_t *ex = json_object(), *by = json_object();

	for (int k = 1; k < SARGS_R__COUNT; k++) {
		if (a->excluded[k])
			(void)json_object_set_new(ex, sargs_reason_id((enum sargs_reason)k),
						  json_integer(a->excluded[k]));
		if (a->allowed_by[k])
			(void)json_object_set_new(by, sargs_reason_id((enum sargs_reason)k),
						  json_integer(a->allowed_by[k]));
	}
	if (a->filtered)
		(void)json_object_set_new(ex, "filtered", json_integer(a->filtered));
	return json_pack("{s:I, s:I, s:o, s:o, s:I}", "subjects", (json_int_t)a->total,
			 "allowed", (json_int_t)a->allowed, "allowed_by_basis", by, "left_out", ex,
			 "registry_version", (json_int_t)a->registry_version);
}

static void summary_print(FILE *f, const struct sargs_audience *a)
{
	fprintf(f, "may be contacted: %lld of %lld subjects\n", (long long)a->allowed,
		(long long)a->total);
	for (int k = 1; k < SARGS_R__COUNT; k++)
		if (a->allowed_by[k])
			fprintf(f, "  %8lld  %s\n", (long long)a->allowed_by[k],
				sargs_reason_text((enum sargs_reason)k));
	fprintf(f, "left out:\n");
	for (int k = 1; k < SARGS_R__COUNT; k++)
		if (a->excluded[k])
			fprintf(f, "  %8lld  %s (%s)\n", (long long)a->excluded[k],
				sargs_reason_text((enum sargs_reason)k),
				sargs_reason_id((enum sargs_reason)k));
	if (a->filtered)
		fprintf(f, "  %8lld  not matching the campaign's filters\n", (long long)a->filtered);
}

static const char audience_help[] =
	"Usage: sargs campaign audience --purpose ID --channel email|sms|phone|post\n"
	"                               [--line PRODUCT_LINE] [--customers-only]\n"
	"                               [--zone red|grey|green] [--ids]\n"
	"\n"
	"Resolves who a campaign of a marketing purpose may reach on a channel, on\n"
	"which basis (consent, or soft opt-in for customers of the purpose's product\n"
	"line), and counts who is left out and why (no consent, withdrawn, objected,\n"
	"under 18, red zone, not a customer of this line...). Decrypts nothing.\n"
	"--ids also lists the subject ids that may be contacted.\n";

static int campaign_audience(struct cli *cli, int argc, char **argv)
{
	struct camp_opts o;
	struct sargs_audience a;
	struct sargs_reg *reg;
	struct sargs_err err;
	int done, rc = parse_camp(cli, argc, argv, "PclCzi", audience_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_campaign_audience(reg, &o.req, o.show_ids, &a, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else {
		if (cli->json) {
			json_t *s = summary_json(&a);

			if (o.show_ids) {
				json_t *ids = json_array();

				for (size_t i = 0; i < a.n_ids; i++)
					(void)json_array_append_new(
						ids, json_pack("{s:s, s:s}", "id", a.ids[i], "basis",
							       sargs_reason_id(a.reasons[i])));
				(void)json_object_set_new(s, "recipients", ids);
			}
			rc = cli_print_json(s);
		} else {
			summary_print(stdout, &a);
			for (size_t i = 0; o.show_ids && i < a.n_ids; i++)
				printf("%s %s\n", a.ids[i], sargs_reason_id(a.reasons[i]));
		}
		sargs_audience_free(&a);
	}
	sargs_reg_close(reg);
	return rc;
}

static const char export_help[] =
	"Usage: sargs campaign export --purpose ID --channel email|sms|phone|post\n"
	"                             --base-url https://... [--field NAME]...\n"
	"                             [--line PRODUCT_LINE] [--customers-only]\n"
	"                             [--zone red|grey|green] [--link-days N]\n"
	"                             [--format csv|json] [--output FILE]\n"
	"\n"
	"Runs a campaign: resolves the audience and writes, for each person who may\n"
	"be contacted, only the channel's contact and the --field columns the\n"
	"purpose lists (e.g. first_name), the basis, a personal one-click\n"
	"unsubscribe URL (BASE-URL/u/TOKEN: an opaque, signed token that expires\n"
	"after N days, default 400) and the List-Unsubscribe and\n"
	"List-Unsubscribe-Post header values (RFC 8058). The run is recorded (who,\n"
	"when, purpose, audience, registry version) and every recipient's read is\n"
	"audited. The summary goes to standard error; the export to FILE (created\n"
	"0600, never overwritten) or standard output.\n";

static int campaign_export(struct cli *cli, int argc, char **argv)
{
	struct camp_opts o;
	struct sargs_audience a;
	struct sargs_reg *reg;
	struct sargs_err err;
	FILE *out = stdout;
	int64_t id = 0;
	int done, rc = parse_camp(cli, argc, argv, "PclCzbdfoF", export_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if (o.ex.base_url == NULL)
		return cli_usage_error(cli, "give --base-url https://...: where the unsubscribe"
					    " links are served");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	if (o.output != NULL) {
		int fd = open(o.output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
			if (fd >= 0)
				(void)close(fd);
			sargs_reg_close(reg);
			(void)sargs_err_set(&err, errno == EEXIST ? SARGS_E_EXISTS : SARGS_E_IO,
					    "cannot create %s: %s", o.output, strerror(errno));
			return cli_fail(cli, &err);
		}
	}
	sargs_err_clear(&err);
	if (sargs_campaign_export(reg, &o.req, &o.ex, out, &a, &id, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
		if (out != stdout && id == 0)
			(void)unlink(o.output);
	} else {
		if (cli->json && out != stdout) {
			json_t *s = summary_json(&a);

			(void)json_object_set_new(s, "campaign", json_integer(id));
			(void)json_object_set_new(s, "exported", json_integer(a.exported));
			(void)json_object_set_new(s, "left_out_since",
						  json_integer(a.left_out_since));
			rc = cli_print_json(s);
		} else {
			fprintf(stderr, "campaign %lld recorded\n", (long long)id);
			summary_print(stderr, &a);
			fprintf(stderr, "exported: %lld", (long long)a.exported);
			if (a.left_out_since)
				fprintf(stderr, " (%lld left out: they objected, withdrew or were"
						" erased since the audience was resolved)",
					(long long)a.left_out_since);
			fprintf(stderr, "\n");
		}
	}
	sargs_audience_free(&a);
	if (out != stdout && fclose(out) != 0 && rc == EXIT_OK) {
		(void)sargs_err_set(&err, SARGS_E_IO, "cannot write %s", o.output);
		rc = cli_fail(cli, &err);
	}
	sargs_reg_close(reg);
	return rc;
}

static int camp_cb(void *ctx, const struct sargs_store_campaign *c)
{
	char t[SARGS_TIME_STR];
	json_error_t jerr;
	json_t *ex = json_loads(c->excluded, 0, &jerr);

	sargs_time_format(c->time_us, t, sizeof(t));
	(void)json_array_append_new(
		ctx, json_pack("{s:I, s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:o}", "id",
			       (json_int_t)c->id, "time", t, "actor", c->actor, "purpose",
			       c->purpose, "channel", c->channel, "product_line", c->product_line,
			       "registry_version", (json_int_t)c->registry_version, "audience",
			       (json_int_t)c->audience, "left_out", ex ? ex : json_object()));
	return 0;
}

static const char list_help[] =
	"Usage: sargs campaign list\n\nLists the campaign runs: who, when, purpose,"
	" channel, audience size,\nwho was left out, and the registry version.\n";

static int campaign_list(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	json_t *a;
	enum sargs_rc r;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(list_help, stdout);
		return EXIT_OK;
	}
	if (argc != 1)
		return cli_usage_error(cli, "list takes no arguments");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	a = json_array();
	r = sargs_store_campaigns(reg->store, camp_cb, a);
	if (r != SARGS_OK) {
		struct sargs_err err;

		(void)sargs_err_set(&err, r, "cannot read the campaigns");
		rc = cli_fail(cli, &err);
		json_decref(a);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:o}", "campaigns", a));
	} else {
		size_t i;
		json_t *e;

		printf("%-5s %-27s %-20s %-7s %9s  %s\n", "ID", "TIME", "PURPOSE", "CHANNEL",
		       "AUDIENCE", "BY");
		json_array_foreach(a, i, e) {
			printf("%-5lld %-27s %-20s %-7s %9lld  %s\n",
			       (long long)json_integer_value(json_object_get(e, "id")),
			       json_string_value(json_object_get(e, "time")),
			       json_string_value(json_object_get(e, "purpose")),
			       json_string_value(json_object_get(e, "channel")),
			       (long long)json_integer_value(json_object_get(e, "audience")),
			       json_string_value(json_object_get(e, "actor")));
		}
		json_decref(a);
	}
	sargs_reg_close(reg);
	return rc;
}

static const char rebuild_help[] =
	"Usage: sargs campaign rebuild\n"
	"\n"
	"Recomputes every subject's audience records (what the policy engine needs\n"
	"for each marketing purpose) from the consents, objections, purchases,\n"
	"contracts and facts they summarise. Needed only if a record was damaged;\n"
	"loading a purpose registry that changes the marketing purposes does it\n"
	"by itself. Decrypts nothing.\n";

static int campaign_rebuild(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(rebuild_help, stdout);
		return EXIT_OK;
	}
	if (argc != 1)
		return cli_usage_error(cli, "rebuild takes no arguments");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_audience_rebuild(reg, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else if (cli->json)
		rc = cli_print_json(json_pack("{s:s}", "result", "audience records rebuilt"));
	else
		printf("audience records rebuilt\n");
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd table[] = {
	{"audience", campaign_audience, "who may be contacted, and who not and why"},
	{"export", campaign_export, "run a campaign: export with unsubscribe links"},
	{"list", campaign_list, "the recorded campaign runs"},
	{"rebuild", campaign_rebuild, "recompute the audience records"},
	{NULL, NULL, NULL}};

int cmd_campaign(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "campaign",
			    "Usage: sargs campaign COMMAND\n\nMarketing campaigns that reach only those"
			    " they lawfully may.\n",
			    table, argc, argv);
}

static const char unsub_help[] =
	"Usage: sargs unsubscribe TOKEN\n"
	"\n"
	"Uses the token of a one-click unsubscribe link (the part after /u/), as\n"
	"the server's endpoint will: withdraws consent to the link's purpose, or\n"
	"records an objection to it, at once and without any login. Using it again\n"
	"changes nothing. A forged, altered or expired token changes nothing and\n"
	"says so (exit 1).\n";

int cmd_unsubscribe(struct cli *cli, int argc, char **argv)
{
	struct sargs_unsub_result res;
	struct sargs_reg *reg;
	struct sargs_err err;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(unsub_help, stdout);
		return EXIT_OK;
	}
	if (argc != 2)
		return cli_usage_error(cli, "give the TOKEN");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_unsubscribe(reg, argv[1], &res, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else if (cli->json)
		rc = cli_print_json(json_pack("{s:s, s:s, s:b}", "purpose", res.purpose, "result",
					      res.what, "changed", res.changed));
	else
		printf("unsubscribed from %s: %s%s\n", res.purpose, res.what,
		       res.changed ? "" : " (already)");
	sargs_reg_close(reg);
	return rc;
}
