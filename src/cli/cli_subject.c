/*
 * cli_subject.c — `sargs subject add|find|show|edit|erase`.
 *
 * Field values can be given as NAME=VALUE arguments or, to keep them out of
 * the process list and shell history, as a JSON object on standard input
 * (--fields-json -).
 */
#include "cli/cli.h"
#include "crypto/keys.h"
#include "domain/subject.h"
#include "util/timeutil.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 256
#define STDIN_LIMIT (4u << 20)

struct kvlist {
	struct sargs_kv kv[MAX_ARGS];
	size_t n;
	json_t *json; /* owns values read from JSON */
};

static int kv_add_arg(struct cli *cli, struct kvlist *l, char *arg)
{
	char *eq = strchr(arg, '=');

	if (eq == NULL || eq == arg)
		return cli_usage_error(cli, "expected FIELD=VALUE, got an argument without '='");
	if (l->n >= MAX_ARGS)
		return cli_usage_error(cli, "too many fields");
	*eq = '\0';
	l->kv[l->n].name = arg;
	l->kv[l->n].value = eq + 1;
	l->n++;
	return EXIT_OK;
}

/* Reads {"field": "value", ...} from stdin, at most STDIN_LIMIT bytes. */
static int kv_from_stdin(struct cli *cli, struct kvlist *l)
{
	json_error_t jerr;
	const char *key;
	json_t *v;
	char *buf = malloc(STDIN_LIMIT + 1);
	size_t n;

	if (buf == NULL)
		return cli_usage_error(cli, "out of memory");
	n = fread(buf, 1, STDIN_LIMIT + 1, stdin);
	if (n > STDIN_LIMIT) {
		sargs_wipe(buf, STDIN_LIMIT + 1);
		free(buf);
		return cli_usage_error(cli, "standard input is larger than %u bytes", STDIN_LIMIT);
	}
	l->json = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &jerr);
	sargs_wipe(buf, n);
	free(buf);
	if (l->json == NULL) {
		int line = jerr.line;

		/* jansson's text quotes the input near the error: personal data */
		sargs_wipe(&jerr, sizeof(jerr));
		return cli_usage_error(cli, "standard input is not valid JSON (line %d)", line);
	}
	if (!json_is_object(l->json))
		return cli_usage_error(cli, "standard input must be a JSON object of field: value");
	json_object_foreach(l->json, key, v) {
		if (!json_is_string(v))
			return cli_usage_error(cli, "field \"%.64s\" must be a JSON string", key);
		if (l->n >= MAX_ARGS)
			return cli_usage_error(cli, "too many fields");
		l->kv[l->n].name = key;
		l->kv[l->n].value = json_string_value(v);
		l->n++;
	}
	return EXIT_OK;
}

static void kv_free(struct kvlist *l)
{
	const char *key;
	json_t *v;

	/* argv strings are not ours; the values read from JSON are wiped */
	json_object_foreach(l->json, key, v) {
		if (json_is_string(v))
			sargs_wipe((char *)json_string_value(v), json_string_length(v));
	}
	json_decref(l->json);
	l->json = NULL;
}

static json_t *view_json(const struct sargs_subject_view *v)
{
	json_t *o = json_object(), *f = json_object(), *links = json_array();
	char t[SARGS_TIME_STR];

	json_object_set_new(o, "id", json_string(v->id));
	json_object_set_new(o, "purpose", json_string(v->purpose));
	sargs_time_format(v->created_us, t, sizeof(t));
	json_object_set_new(o, "created", json_string(t));
	sargs_time_format(v->updated_us, t, sizeof(t));
	json_object_set_new(o, "updated", json_string(t));
	json_object_set_new(o, "source", json_string(v->source));
	json_object_set_new(o, "source_name", v->source_name ? json_string(v->source_name) : json_null());
	for (size_t i = 0; i < v->n_fields; i++)
		json_object_set_new(f, v->fields[i].name, json_string(v->fields[i].value));
	json_object_set_new(o, "fields", f);
	for (size_t i = 0; i < v->n_links; i++) {
		sargs_time_format(v->links[i].linked_us, t, sizeof(t));
		json_array_append_new(links, json_pack("{s:s,s:s}", "purpose", v->links[i].purpose,
						       "since", t));
	}
	json_object_set_new(o, "purposes", links);
	return o;
}

static void view_print(const struct sargs_subject_view *v)
{
	char t[SARGS_TIME_STR];

	printf("Subject   %s\n", v->id);
	printf("Read for  %s\n", v->purpose);
	sargs_time_format(v->created_us, t, sizeof(t));
	printf("Created   %s (source: %s%s%s)\n", t, v->source, v->source_name ? ", " : "",
	       v->source_name ? v->source_name : "");
	printf("Purposes ");
	for (size_t i = 0; i < v->n_links; i++)
		printf(" %s", v->links[i].purpose);
	printf("\n");
	for (size_t i = 0; i < v->n_fields; i++)
		printf("  %-20s %s\n", v->fields[i].name, v->fields[i].value);
}

static const char add_help[] =
	"Usage: sargs subject add --purpose ID [--purpose ID...] [OPTIONS] FIELD=VALUE...\n"
	"\n"
	"Adds a data subject. Every field must be one that a given purpose asks for\n"
	"(data minimisation), and every field a purpose marks required must be\n"
	"given. E-mails, phones (E.164, default +371), Latvian\n"
	"personal codes and dates are checked and normalised; anything invalid is\n"
	"refused and nothing is stored. Prints the new subject's id.\n"
	"\n"
	"  --purpose ID        a purpose the data is collected for (repeatable)\n"
	"  --source KIND       person (default), third_party or public\n"
	"  --source-name TEXT  who supplied the data, when not the person\n"
	"  --fields-json -     read the fields as a JSON object from standard input\n";

static int subject_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"purpose", required_argument, NULL, 'p'},
		{"source", required_argument, NULL, 's'},
		{"source-name", required_argument, NULL, 'S'},
		{"fields-json", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *purposes[64];
	struct sargs_subject_input in;
	struct kvlist kv;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	int ch, rc = EXIT_OK, from_stdin = 0;

	memset(&in, 0, sizeof(in));
	memset(&kv, 0, sizeof(kv));
	in.source = "person";
	in.purposes = purposes;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			if (in.n_purposes >= 64)
				return cli_usage_error(cli, "too many purposes");
			purposes[in.n_purposes++] = optarg;
			break;
		case 's': in.source = optarg; break;
		case 'S': in.source_name = optarg; break;
		case 'j':
			if (strcmp(optarg, "-") != 0)
				return cli_usage_error(cli, "--fields-json takes '-' (standard input)");
			from_stdin = 1;
			break;
		case 'h': fputs(add_help, stdout); return EXIT_OK;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs subject add --help'",
					       argv[optind - 1]);
		}
	}
	if (in.n_purposes == 0)
		return cli_usage_error(cli, "name the purpose the data is collected for: --purpose ID");
	for (int i = optind; i < argc; i++)
		if ((rc = kv_add_arg(cli, &kv, argv[i])) != EXIT_OK)
			return rc;
	if (from_stdin && (rc = kv_from_stdin(cli, &kv)) != EXIT_OK)
		goto out;
	if (kv.n == 0) {
		rc = cli_usage_error(cli, "give the subject's fields as FIELD=VALUE");
		goto out;
	}
	in.fields = kv.kv;
	in.n_fields = kv.n;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		goto out;
	sargs_err_clear(&err);
	if (sargs_subject_add(reg, &in, id, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else if (cli->json)
		rc = cli_print_json(json_pack("{s:b,s:s}", "ok", 1, "id", id));
	else
		printf("%s\n", id);
out:
	sargs_reg_close(reg);
	kv_free(&kv);
	return rc;
}

/* Parses --email/--phone/--personal-code into kind and value. */
static int lookup_opt(int ch, const char **kind)
{
	switch (ch) {
	case 'e': *kind = "email"; return 1;
	case 'p': *kind = "phone"; return 1;
	case 'c': *kind = "personal_code"; return 1;
	default: return 0;
	}
}

static const char find_help[] =
	"Usage: sargs [--json] subject find (--email V | --phone V | --personal-code V)\n"
	"\n"
	"Prints the ids of subjects with this e-mail, phone or personal code (looked\n"
	"up through blind indexes; the value is normalised first). Use 'subject show'\n"
	"with a purpose to read their data.\n";

static int subject_find(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"email", required_argument, NULL, 'e'},
		{"phone", required_argument, NULL, 'p'},
		{"personal-code", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *kind = NULL, *value = NULL;
	char(*ids)[SARGS_UUID_STR] = NULL;
	size_t n = 0;
	struct sargs_reg *reg;
	struct sargs_err err;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(find_help, stdout);
			return EXIT_OK;
		}
		if (!lookup_opt(ch, &kind))
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs subject find --help'",
					       argv[optind - 1]);
		if (value != NULL)
			return cli_usage_error(cli, "give one of --email, --phone, --personal-code");
		value = optarg;
	}
	if (value == NULL || optind < argc)
		return cli_usage_error(cli, "usage: sargs subject find (--email V | --phone V | --personal-code V)");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_subject_find(reg, kind, value, &ids, &n, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_string(ids[i]));
		rc = cli_print_json(json_pack("{s:o}", "ids", a));
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", ids[i]);
		if (n == 0) {
			fprintf(stderr, "sargs: no subject found\n");
			rc = EXIT_NOTFOUND;
		}
	}
	free(ids);
	sargs_reg_close(reg);
	return rc;
}

static const char show_help[] =
	"Usage: sargs [--json] subject show (ID | --email V | --phone V | --personal-code V)\n"
	"                                   --purpose ID\n"
	"\n"
	"Reads a subject for a purpose: only the fields the purpose asks for, and\n"
	"only when the subject is linked to that purpose; a refused read is audited\n"
	"too. The read is recorded in the audit trail before anything is printed.\n";

static int subject_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"purpose", required_argument, NULL, 'P'},
		{"email", required_argument, NULL, 'e'},
		{"phone", required_argument, NULL, 'p'},
		{"personal-code", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *purpose = NULL, *kind = NULL, *value = NULL;
	struct sargs_subject_view one, *views = NULL;
	size_t n = 0;
	struct sargs_reg *reg;
	struct sargs_err err;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(show_help, stdout);
			return EXIT_OK;
		}
		if (ch == 'P') {
			purpose = optarg;
			continue;
		}
		if (!lookup_opt(ch, &kind))
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs subject show --help'",
					       argv[optind - 1]);
		value = optarg;
	}
	if (purpose == NULL)
		return cli_usage_error(cli, "every read names its purpose: --purpose ID");
	if ((value == NULL) == (optind >= argc) || argc - optind > 1)
		return cli_usage_error(cli, "give a subject id or one of --email, --phone, --personal-code");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (value == NULL) {
		if (sargs_subject_show(reg, argv[optind], purpose, &one, &err) != SARGS_OK) {
			rc = cli_fail(cli, &err);
		} else {
			if (cli->json)
				rc = cli_print_json(view_json(&one));
			else
				view_print(&one);
			sargs_subject_view_free(&one);
		}
	} else if (sargs_subject_lookup(reg, kind, value, purpose, &views, &n, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else {
		if (cli->json) {
			json_t *a = json_array();

			for (size_t i = 0; i < n; i++)
				json_array_append_new(a, view_json(&views[i]));
			rc = cli_print_json(json_pack("{s:o}", "subjects", a));
		} else {
			for (size_t i = 0; i < n; i++) {
				if (i)
					printf("\n");
				view_print(&views[i]);
			}
			if (n == 0) {
				fprintf(stderr, "sargs: no subject linked to purpose %s was found\n", purpose);
				rc = EXIT_NOTFOUND;
			}
		}
		for (size_t i = 0; i < n; i++)
			sargs_subject_view_free(&views[i]);
		free(views);
	}
	sargs_reg_close(reg);
	return rc;
}

static const char edit_help[] =
	"Usage: sargs subject edit ID [FIELD=VALUE...] [--unset FIELD] [--link ID]\n"
	"                             [--unlink ID] [--fields-json -]\n"
	"\n"
	"Changes a subject: sets or removes fields, links or unlinks purposes. The\n"
	"result must still satisfy data minimisation and each purpose's required\n"
	"fields; otherwise nothing changes.\n";

static int subject_edit(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"unset", required_argument, NULL, 'u'},
		{"link", required_argument, NULL, 'l'},
		{"unlink", required_argument, NULL, 'U'},
		{"fields-json", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *unset[64], *link[64], *unlink_[64];
	struct sargs_subject_change chg;
	struct kvlist kv;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	const char *id = NULL;
	int ch, rc = EXIT_OK, from_stdin = 0;

	memset(&chg, 0, sizeof(chg));
	memset(&kv, 0, sizeof(kv));
	chg.unset = unset;
	chg.link = link;
	chg.unlink = unlink_;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'u':
			if (chg.n_unset >= 64)
				return cli_usage_error(cli, "too many --unset");
			unset[chg.n_unset++] = optarg;
			break;
		case 'l':
			if (chg.n_link >= 64)
				return cli_usage_error(cli, "too many --link");
			link[chg.n_link++] = optarg;
			break;
		case 'U':
			if (chg.n_unlink >= 64)
				return cli_usage_error(cli, "too many --unlink");
			unlink_[chg.n_unlink++] = optarg;
			break;
		case 'j':
			if (strcmp(optarg, "-") != 0)
				return cli_usage_error(cli, "--fields-json takes '-' (standard input)");
			from_stdin = 1;
			break;
		case 'h': fputs(edit_help, stdout); return EXIT_OK;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs subject edit --help'",
					       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return cli_usage_error(cli, "usage: sargs subject edit ID [FIELD=VALUE...]");
	id = argv[optind++];
	for (int i = optind; i < argc; i++)
		if ((rc = kv_add_arg(cli, &kv, argv[i])) != EXIT_OK)
			return rc;
	if (from_stdin && (rc = kv_from_stdin(cli, &kv)) != EXIT_OK)
		goto out;
	chg.set = kv.kv;
	chg.n_set = kv.n;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		goto out;
	sargs_err_clear(&err);
	if (sargs_subject_edit(reg, id, &chg, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else if (cli->json)
		rc = cli_print_json(json_pack("{s:b,s:s}", "ok", 1, "id", id));
	else
		printf("Subject %s changed.\n", id);
out:
	sargs_reg_close(reg);
	kv_free(&kv);
	return rc;
}

static const char erase_help[] =
	"Usage: sargs subject erase ID --reason REASON\n"
	"\n"
	"Erases a subject by crypto-shredding: the subject's key, encrypted data,\n"
	"look-up entries and purpose links are destroyed in one step, and the id is\n"
	"written to the erasure ledger so a restored backup erases it again.\n"
	"REASON is request, retention, withdrawal, objection or other.\n";

static int subject_erase(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"reason", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *reason = NULL;
	struct sargs_reg *reg;
	struct sargs_err err;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(erase_help, stdout);
			return EXIT_OK;
		}
		if (ch != 'r')
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs subject erase --help'",
					       argv[optind - 1]);
		reason = optarg;
	}
	if (optind != argc - 1)
		return cli_usage_error(cli, "usage: sargs subject erase ID --reason REASON");
	if (reason == NULL)
		return cli_usage_error(cli, "say why: --reason request|retention|withdrawal|objection|other");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_subject_erase(reg, argv[optind], reason, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else if (cli->json)
		rc = cli_print_json(json_pack("{s:b,s:s}", "ok", 1, "erased", argv[optind]));
	else
		printf("Subject %s erased.\n", argv[optind]);
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd table[] = {
	{"add", subject_add, "add a data subject"},
	{"find", subject_find, "find subjects by e-mail, phone or personal code"},
	{"show", subject_show, "read a subject's data for a purpose"},
	{"edit", subject_edit, "change fields or purposes"},
	{"erase", subject_erase, "erase a subject (crypto-shredding)"},
	{NULL, NULL, NULL},
};

int cmd_subject(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "subject",
			    "Usage: sargs subject COMMAND\n\nThe data subjects: the people whose data"
			    " the register holds.\n",
			    table, argc, argv);
}
