/*
 * cli_pseudo.c — `sargs pseudonym init|export|reidentify`: the separate
 * pseudonym key, pseudonymised exports, and re-identification by whoever
 * holds the key (domain/pseudo.h).
 */
#include "cli/cli.h"
#include "domain/pseudo.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Warns when the key file path lies inside the data directory: the key
 * belongs apart from the register (004 §19.2). */
static void warn_if_inside(const struct cli *cli, const char *key_path)
{
	char dir[PATH_MAX], real_dir[PATH_MAX], real_data[PATH_MAX];
	const char *slash = strrchr(key_path, '/');
	size_t n;

	if (slash == NULL)
		(void)snprintf(dir, sizeof(dir), ".");
	else if (slash == key_path)
		(void)snprintf(dir, sizeof(dir), "/");
	else
		(void)snprintf(dir, sizeof(dir), "%.*s", (int)(slash - key_path), key_path);
	if (realpath(dir, real_dir) == NULL || realpath(cli->data_dir, real_data) == NULL)
		return;
	n = strlen(real_data);
	if (strncmp(real_dir, real_data, n) == 0 && (real_dir[n] == '\0' || real_dir[n] == '/' ||
						     strcmp(real_data, "/") == 0))
		fprintf(stderr,
			"sargs: warning: the pseudonym key file is inside the data directory %s;"
			" keep it apart from the register, with those allowed to re-identify"
			" (004 §19.2)\n",
			cli->data_dir);
}

static int load_key(struct cli *cli, const char *path, struct sargs_pseudo_key **key)
{
	struct sargs_err err;

	sargs_err_clear(&err);
	if (sargs_pseudo_key_load(path, key, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	warn_if_inside(cli, path);
	return EXIT_OK;
}

static const char init_help[] =
	"Usage: sargs pseudonym init --key FILE\n"
	"\n"
	"Creates a new pseudonym key: 32 random bytes in FILE (mode 0600, never\n"
	"overwritten), separate from the master key. Keep FILE apart from the data\n"
	"directory, with the few people allowed to re-identify (004 §19.2): the\n"
	"register alone cannot re-identify a pseudonymised export. A warning is\n"
	"printed when FILE is inside the data directory. Losing the key makes the\n"
	"pseudonyms of earlier exports unmatchable; a new key gives new pseudonyms.\n";

static int pseudo_init(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *path = NULL;
	struct sargs_err err;
	int ch;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(init_help, stdout);
			return EXIT_OK;
		}
		if (ch != 'k')
			return cli_usage_error(cli,
					       "unknown option '%s'; see 'sargs pseudonym init --help'",
					       argv[optind - 1]);
		path = optarg;
	}
	if (path == NULL || optind != argc)
		return cli_usage_error(cli, "give the key file: --key FILE");
	sargs_err_clear(&err);
	if (sargs_pseudo_key_create(path, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	warn_if_inside(cli, path);
	if (cli->json)
		return cli_print_json(json_pack("{s:s, s:s}", "key_file", path, "result", "created"));
	printf("pseudonym key created in %s (mode 0600); keep it apart from the register\n", path);
	return EXIT_OK;
}

static const char export_help[] =
	"Usage: sargs pseudonym export --key FILE --purpose ID --field NAME...\n"
	"                              [--output FILE]\n"
	"\n"
	"Writes a pseudonymised export for analysis (CSV): for every subject linked\n"
	"to the purpose for whom it is lawful now, a row of the person's pseudonym\n"
	"for this purpose (stable across exports with the same key; different for\n"
	"another purpose) and the --field columns. A field must be listed by the\n"
	"purpose and must not identify the person (e-mail, phone, personal code,\n"
	"names, contact details, bank account are refused). The export is audited\n"
	"as one entry with the purpose, fields and row count, naming no one. It is\n"
	"still personal data (004 §19.3). The export goes to FILE (created 0600,\n"
	"never overwritten) or standard output; the row count to standard error.\n";

static const char reid_help[] =
	"Usage: sargs pseudonym reidentify --key FILE --purpose ID PSEUDONYM\n"
	"\n"
	"Finds the subject behind a pseudonym of the purpose, with the pseudonym\n"
	"key (privileged: only its holder can). Prints the subject id. Audited with\n"
	"the subject id and the purpose; a failed attempt is audited too. With\n"
	"another key, or when the person was erased or unlinked since, nothing\n"
	"matches (exit 3).\n";

struct pseudo_opts {
	const char *key, *purpose, *output;
	const char *fields[SARGS_PSEUDO_FIELDS_MAX];
	size_t n_fields;
};

static int parse_opts(struct cli *cli, int argc, char **argv, const char *help, int fields,
		      struct pseudo_opts *o, int *done)
{
	static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
					     {"purpose", required_argument, NULL, 'P'},
					     {"field", required_argument, NULL, 'f'},
					     {"output", required_argument, NULL, 'o'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int ch;

	memset(o, 0, sizeof(*o));
	*done = 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(help, stdout);
			*done = 1;
			return EXIT_OK;
		}
		if (ch == 'k') {
			o->key = optarg;
		} else if (ch == 'P') {
			o->purpose = optarg;
		} else if (ch == 'f' && fields) {
			if (o->n_fields >= SARGS_PSEUDO_FIELDS_MAX) {
				(void)cli_usage_error(cli, "at most %d --field",
						      SARGS_PSEUDO_FIELDS_MAX);
				return EXIT_USAGE;
			}
			o->fields[o->n_fields++] = optarg;
		} else if (ch == 'o' && fields) {
			o->output = optarg;
		} else {
			(void)cli_usage_error(cli, "unknown option '%s'; see 'sargs pseudonym %s --help'",
					      argv[optind - 1], argv[0]);
			return EXIT_USAGE;
		}
	}
	if (o->key == NULL || o->purpose == NULL) {
		(void)cli_usage_error(cli, "give the pseudonym key (--key FILE) and the --purpose");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int pseudo_export(struct cli *cli, int argc, char **argv)
{
	struct pseudo_opts o;
	struct sargs_pseudo_key *key = NULL;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	FILE *out = stdout;
	int64_t rows = 0;
	int done, rc = parse_opts(cli, argc, argv, export_help, 1, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if (optind != argc)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	if (o.n_fields == 0)
		return cli_usage_error(cli, "name the fields to export: --field NAME");
	if ((rc = load_key(cli, o.key, &key)) != EXIT_OK)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK) {
		sargs_pseudo_key_free(key);
		return rc;
	}
	sargs_err_clear(&err);
	if (o.output != NULL) {
		int fd = open(o.output, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd < 0 || (out = fdopen(fd, "w")) == NULL) {
			int e = errno;

			if (fd >= 0)
				(void)close(fd);
			(void)sargs_err_set(&err, e == EEXIST ? SARGS_E_EXISTS : SARGS_E_IO,
					    "cannot create %s: %s", o.output, strerror(e));
			rc = cli_fail(cli, &err);
			goto out;
		}
	}
	if (sargs_pseudo_export(reg, key, o.purpose, o.fields, o.n_fields, out, &rows, &err) !=
	    SARGS_OK) {
		rc = cli_fail(cli, &err);
		if (out != stdout) {
			(void)fclose(out);
			(void)unlink(o.output);
		}
		goto out;
	}
	if (out != stdout) {
		if (fclose(out) != 0) {
			(void)sargs_err_set(&err, SARGS_E_IO, "cannot write %s", o.output);
			rc = cli_fail(cli, &err);
			goto out;
		}
	}
	if (cli->json && o.output != NULL)
		rc = cli_print_json(json_pack("{s:s, s:I, s:s}", "purpose", o.purpose, "rows",
					      (json_int_t)rows, "output", o.output));
	else
		fprintf(stderr, "pseudonymised export for %s: %lld row(s)\n", o.purpose,
			(long long)rows);
out:
	sargs_reg_close(reg);
	sargs_pseudo_key_free(key);
	return rc;
}

static int pseudo_reidentify(struct cli *cli, int argc, char **argv)
{
	struct pseudo_opts o;
	struct sargs_pseudo_key *key = NULL;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	int done, rc = parse_opts(cli, argc, argv, reid_help, 0, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if (optind + 1 != argc)
		return cli_usage_error(cli, "give one PSEUDONYM");
	if ((rc = load_key(cli, o.key, &key)) != EXIT_OK)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK) {
		sargs_pseudo_key_free(key);
		return rc;
	}
	sargs_err_clear(&err);
	if (sargs_pseudo_reidentify(reg, key, o.purpose, argv[optind], id, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else if (cli->json)
		rc = cli_print_json(json_pack("{s:s, s:s}", "subject", id, "purpose", o.purpose));
	else
		printf("%s\n", id);
	sargs_reg_close(reg);
	sargs_pseudo_key_free(key);
	return rc;
}

static const struct cli_cmd table[] = {
	{"init", pseudo_init, "create a separate pseudonym key file"},
	{"export", pseudo_export, "pseudonymised export of a purpose for analysis"},
	{"reidentify", pseudo_reidentify, "find the subject behind a pseudonym (with the key)"},
	{NULL, NULL, NULL}};

int cmd_pseudonym(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "pseudonym",
			    "Usage: sargs pseudonym COMMAND\n\nPseudonymised exports for analysis"
			    " under a separate pseudonym key,\nand re-identification by its holder"
			    " (004 §19).\n",
			    table, argc, argv);
}
