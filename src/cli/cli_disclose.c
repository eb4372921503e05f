/*
 * cli_disclose.c — `sargs disclose SUBJECT ...` (hand data to a declared
 * recipient, recorded) and `sargs disclosures SUBJECT` (the log).
 */
#include "cli/cli.h"
#include "domain/disclosure.h"
#include "util/timeutil.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char disclose_help[] =
	"Usage: sargs disclose SUBJECT --recipient NAME --purpose ID --field NAME...\n"
	"                      [--reference REF] [--output FILE]\n"
	"\n"
	"Hands a subject's data to a recipient (a debt collector, a processor, an\n"
	"authority) and records it in the disclosure log, which an access request\n"
	"can show (GDPR Art. 15(1)(c)). Refused, with nothing recorded, when the\n"
	"recipient is not one the purpose declares in the registry (the list is\n"
	"shown; GDPR Art. 13(1)(e), 30(1)(d)), when a field is not one the purpose\n"
	"lists (Art. 5(1)(c)), or when the purpose is not lawful for the subject\n"
	"now (the policy engine's reason is shown, e.g. after consent was\n"
	"withdrawn). The read is audited as \"disclosure\", naming the fields, the\n"
	"purpose and the recipient.\n"
	"\n"
	"  --recipient NAME  a recipient the purpose declares (its name as in\n"
	"                    'sargs purpose show ID')\n"
	"  --purpose ID      the purpose the data is disclosed for\n"
	"  --field NAME      a field to disclose (repeatable)\n"
	"  --reference REF   a case reference (1-64 printable ASCII characters; not\n"
	"                    personal data)\n"
	"  --output FILE     write the data handed over (JSON) to FILE, created\n"
	"                    0600 and never overwritten, instead of standard output\n";

static json_t *disclosed_json(const struct sargs_subject_view *v, const char *recipient,
			      const char *purpose, const char *reference)
{
	json_t *f = json_object();

	for (size_t i = 0; i < v->n_fields; i++)
		(void)json_object_set_new(f, v->fields[i].name, json_string(v->fields[i].value));
	return json_pack("{s:s, s:s, s:s, s:s?, s:o}", "subject", v->id, "recipient", recipient,
			 "purpose", purpose, "reference", reference, "fields", f);
}

/* Opens FILE for the data handed over: new, 0600. */
static int open_output(struct cli *cli, const char *path, FILE **out)
{
	struct sargs_err err;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 || (*out = fdopen(fd, "w")) == NULL) {
		int e = errno;

		if (fd >= 0)
			(void)close(fd);
		(void)sargs_err_set(&err, e == EEXIST ? SARGS_E_EXISTS : SARGS_E_IO,
				    "cannot create %s: %s", path, strerror(e));
		return cli_fail(cli, &err);
	}
	return EXIT_OK;
}

int cmd_disclose(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"recipient", required_argument, NULL, 'r'},
		{"purpose", required_argument, NULL, 'P'},
		{"field", required_argument, NULL, 'f'},
		{"reference", required_argument, NULL, 'R'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *recipient = NULL, *purpose = NULL, *reference = NULL, *output = NULL;
	const char *fields[SARGS_DISCLOSE_FIELDS_MAX];
	struct sargs_subject_view v;
	struct sargs_reg *reg;
	struct sargs_err err;
	FILE *out = NULL;
	size_t n = 0;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h': fputs(disclose_help, stdout); return EXIT_OK;
		case 'r': recipient = optarg; break;
		case 'P': purpose = optarg; break;
		case 'R': reference = optarg; break;
		case 'o': output = optarg; break;
		case 'f':
			if (n >= SARGS_DISCLOSE_FIELDS_MAX)
				return cli_usage_error(cli, "at most %d --field",
						       SARGS_DISCLOSE_FIELDS_MAX);
			fields[n++] = optarg;
			break;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs disclose --help'",
					       argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(cli, "give one SUBJECT id");
	if (recipient == NULL || purpose == NULL || n == 0)
		return cli_usage_error(cli, "name the --recipient, the --purpose and at least one"
					    " --field");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	if (output != NULL && (rc = open_output(cli, output, &out)) != EXIT_OK)
		return cli_close(reg, rc);
	sargs_err_clear(&err);
	if (sargs_disclose(reg, argv[optind], recipient, purpose, fields, n, reference, &v,
			   &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
		if (out != NULL) {
			(void)fclose(out);
			(void)unlink(output);
		}
		sargs_reg_close(reg);
		return rc;
	}
	if (out != NULL) {
		json_t *doc = disclosed_json(&v, recipient, purpose, reference);

		if (doc == NULL || json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0 ||
		    fputc('\n', out) == EOF)
			rc = EXIT_STORE;
		json_decref(doc);
		if (fclose(out) != 0)
			rc = EXIT_STORE;
		if (rc != EXIT_OK) {
			(void)sargs_err_set(&err, SARGS_E_IO,
					    "the disclosure was recorded but %s could not be written",
					    output);
			rc = cli_fail(cli, &err);
		} else if (cli->json) {
			rc = cli_print_json(json_pack("{s:s, s:s, s:s, s:I, s:s}", "subject", v.id,
						      "recipient", recipient, "purpose", purpose,
						      "fields", (json_int_t)v.n_fields, "output",
						      output));
		} else {
			printf("disclosed %zu field(s) of %s to %s for %s; written to %s\n",
			       v.n_fields, v.id, recipient, purpose, output);
		}
	} else if (cli->json) {
		rc = cli_print_json(disclosed_json(&v, recipient, purpose, reference));
	} else {
		printf("Subject    %s\nRecipient  %s\nPurpose    %s\n", v.id, recipient, purpose);
		if (reference != NULL)
			printf("Reference  %s\n", reference);
		for (size_t i = 0; i < v.n_fields; i++)
			printf("  %-20s %s\n", v.fields[i].name, v.fields[i].value);
	}
	sargs_subject_view_free(&v);
	sargs_reg_close(reg);
	return rc;
}

static const char disclosures_help[] =
	"Usage: sargs disclosures SUBJECT [--since YYYY-MM-DD]\n"
	"\n"
	"Lists a subject's disclosures, oldest first: when, to which recipient, for\n"
	"which purpose, which fields (names only) and the case reference. An access\n"
	"request shows those of the last two years (004 §15). The read is audited.\n";

int cmd_disclosures(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"since", required_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct sargs_disclosure_list l;
	struct sargs_reg *reg;
	struct sargs_err err;
	int64_t since = 0;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(disclosures_help, stdout);
			return EXIT_OK;
		}
		if (ch != 's')
			return cli_usage_error(cli,
					       "unknown option '%s'; see 'sargs disclosures --help'",
					       argv[optind - 1]);
		if (strlen(optarg) != 10 || sargs_time_parse(optarg, &since) != SARGS_OK)
			return cli_usage_error(cli, "--since is a date YYYY-MM-DD");
	}
	if (optind + 1 != argc)
		return cli_usage_error(cli, "give one SUBJECT id");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_disclosure_list(reg, argv[optind], since, &l, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		json_t *a = json_array();
		char t[SARGS_TIME_STR];

		for (size_t i = 0; i < l.n; i++) {
			sargs_time_format(l.items[i].time_us, t, sizeof(t));
			(void)json_array_append_new(
				a, json_pack("{s:s, s:s, s:s, s:s, s:s?}", "time", t, "recipient",
					     l.items[i].recipient, "purpose", l.items[i].purpose,
					     "fields", l.items[i].fields, "reference",
					     l.items[i].reference));
		}
		rc = cli_print_json(json_pack("{s:s, s:o}", "subject", argv[optind],
					      "disclosures", a));
	} else {
		char t[SARGS_TIME_STR];

		printf("%-27s %-20s %-30s %-12s %s\n", "TIME", "PURPOSE", "FIELDS", "REFERENCE",
		       "RECIPIENT");
		for (size_t i = 0; i < l.n; i++) {
			sargs_time_format(l.items[i].time_us, t, sizeof(t));
			printf("%-27s %-20s %-30s %-12s %s\n", t, l.items[i].purpose,
			       l.items[i].fields, l.items[i].reference ? l.items[i].reference : "-",
			       l.items[i].recipient);
		}
		if (l.n == 0)
			printf("(no disclosures)\n");
	}
	sargs_disclosure_list_free(&l);
	sargs_reg_close(reg);
	return rc;
}
