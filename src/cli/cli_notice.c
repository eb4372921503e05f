/*
 * cli_notice.c — `sargs notice show|short|publish|versions`: the privacy
 * notice generated from the controller profile and the purposes.
 */
#include "cli/cli.h"
#include "domain/notice.h"
#include "util/fsutil.h"
#include "util/timeutil.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct nopts {
	const char *lang, *purpose, *output;
	enum sargs_notice_format format;
	int64_t version;
};

static int parse_nopts(struct cli *cli, int argc, char **argv, const char *help,
		       struct nopts *o, int *done)
{
	static const struct option opts[] = {{"lang", required_argument, NULL, 'l'},
					     {"format", required_argument, NULL, 'f'},
					     {"purpose", required_argument, NULL, 'p'},
					     {"output", required_argument, NULL, 'o'},
					     {"version", required_argument, NULL, 'v'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int ch;

	memset(o, 0, sizeof(*o));
	o->lang = "lv";
	o->format = SARGS_NOTICE_MD;
	*done = 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end = NULL;

		switch (ch) {
		case 'h':
			fputs(help, stdout);
			*done = 1;
			return EXIT_OK;
		case 'l':
			o->lang = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "html") == 0)
				o->format = SARGS_NOTICE_HTML;
			else if (strcmp(optarg, "md") != 0 && strcmp(optarg, "markdown") != 0)
				return cli_usage_error(cli, "--format is md or html");
			break;
		case 'p':
			o->purpose = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'v':
			o->version = strtoll(optarg, &end, 10);
			if (end == optarg || *end != '\0' || o->version <= 0)
				return cli_usage_error(cli, "--version is a version number");
			break;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs notice --help'",
					       argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	return EXIT_OK;
}

/* Prints text, or writes it to o->output (0600, never replacing a file). */
static int emit(struct cli *cli, const struct nopts *o, const char *text)
{
	struct sargs_err err;

	if (o->output == NULL) {
		fputs(text, stdout);
		return EXIT_OK;
	}
	if (sargs_fs_write_atomic(o->output, text, strlen(text), 0644, 0, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	fprintf(stderr, "written to %s\n", o->output);
	return EXIT_OK;
}

static const char show_help[] =
	"Usage: sargs notice show [--lang lv|en] [--format md|html] [--version N]\n"
	"                         [--output FILE]\n"
	"\n"
	"Prints the privacy notice generated from the controller profile and the\n"
	"purpose registry: a summary first, then every item of 004 §13.1 (a)-(k)\n"
	"(GDPR Art. 13): who is responsible, the data protection contact, each\n"
	"purpose with its legal basis, data, retention and whether giving the data\n"
	"is required; recipients; transfers outside the EU; the rights; consent\n"
	"withdrawal; the right to complain to the Data State Inspectorate; automated\n"
	"decisions and profiling. Latvian (default) or English; Markdown or HTML\n"
	"(rendered with cmark). --version N prints a published version instead.\n";

static int notice_show(struct cli *cli, int argc, char **argv)
{
	struct nopts o;
	struct sargs_reg *reg;
	struct sargs_err err;
	char *text = NULL;
	int done, rc = parse_nopts(cli, argc, argv, show_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (o.version > 0 && o.format == SARGS_NOTICE_HTML)
		rc = cli_usage_error(cli, "a published version is printed as Markdown");
	else if ((o.version > 0 ? sargs_notice_get(reg, o.version, o.lang, &text, &err)
				: sargs_notice_render(reg, o.lang, o.format, &text, &err)) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = emit(cli, &o, text);
	free(text);
	sargs_reg_close(reg);
	return rc;
}

static const char short_help[] =
	"Usage: sargs notice short --purpose ID [--lang lv|en] [--format md|html]\n"
	"\n"
	"Prints the short notice to show before collecting data for a purpose: who\n"
	"collects, for what and on which basis, how long it is kept, and the\n"
	"rights (mission §2; 004 §13). It comes from the same source as the full\n"
	"notice.\n";

static int notice_short(struct cli *cli, int argc, char **argv)
{
	struct nopts o;
	struct sargs_reg *reg;
	struct sargs_err err;
	char *text = NULL;
	int done, rc = parse_nopts(cli, argc, argv, short_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if (o.purpose == NULL)
		return cli_usage_error(cli, "name the --purpose the data is collected for");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_notice_short(reg, o.purpose, o.lang, o.format, &text, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = emit(cli, &o, text);
	free(text);
	sargs_reg_close(reg);
	return rc;
}

static const char publish_help[] =
	"Usage: sargs notice publish\n"
	"\n"
	"Stores the current notice (both languages) as a new version when it differs\n"
	"from the last one, with its date, hash and a short list of what changed\n"
	"(004 §13.2-13.3); publish it on the web site with that date. Consents can\n"
	"name the version the person saw by its hash (consent give --text-hash).\n";

static void version_print(const struct sargs_notice_version *v)
{
	char t[SARGS_DATE_STR];

	sargs_time_format_date(v->published_us, t, sizeof(t));
	printf("%-4lld %s %.16s  %s\n", (long long)v->version, t, v->hash, v->changes);
}

static json_t *version_json(const struct sargs_notice_version *v)
{
	char t[SARGS_TIME_STR];

	sargs_time_format(v->published_us, t, sizeof(t));
	return json_pack("{s:I, s:s, s:s, s:s}", "version", (json_int_t)v->version, "published", t,
			 "hash", v->hash, "changes", v->changes);
}

static int notice_publish(struct cli *cli, int argc, char **argv)
{
	struct sargs_notice_version v;
	struct sargs_reg *reg;
	struct sargs_err err;
	int created = 0, rc;

	if (cli_wants_help(argc, argv)) {
		fputs(publish_help, stdout);
		return EXIT_OK;
	}
	if (argc != 1)
		return cli_usage_error(cli, "publish takes no arguments");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_notice_publish(reg, &v, &created, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		json_t *j = version_json(&v);

		(void)json_object_set_new(j, "created", json_boolean(created));
		rc = cli_print_json(j);
	} else {
		printf("%s\n", created ? "published:" : "unchanged; the current version is:");
		version_print(&v);
	}
	sargs_reg_close(reg);
	return rc;
}

static int versions_cb(void *ctx, const struct sargs_notice_version *v)
{
	if (ctx != NULL)
		(void)json_array_append_new(ctx, version_json(v));
	else
		version_print(v);
	return 0;
}

static const char versions_help[] =
	"Usage: sargs notice versions\n\nLists the published versions: number, date,"
	" hash and what changed.\n";

static int notice_versions(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	json_t *a = NULL;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(versions_help, stdout);
		return EXIT_OK;
	}
	if (argc != 1)
		return cli_usage_error(cli, "versions takes no arguments");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	if (cli->json)
		a = json_array();
	sargs_err_clear(&err);
	if (sargs_notice_versions(reg, versions_cb, a, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
		json_decref(a);
	} else if (a != NULL) {
		rc = cli_print_json(json_pack("{s:o}", "versions", a));
	}
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd table[] = {
	{"show", notice_show, "the privacy notice (Markdown or HTML, lv or en)"},
	{"short", notice_short, "the short notice shown at collection"},
	{"publish", notice_publish, "store the current notice as a new version"},
	{"versions", notice_versions, "the published versions and what changed"},
	{NULL, NULL, NULL}};

int cmd_notice(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "notice",
			    "Usage: sargs notice COMMAND\n\nThe privacy notice, generated from the"
			    " controller profile and the purposes.\n",
			    table, argc, argv);
}
