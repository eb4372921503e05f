/*
 * cli_util.c — error reporting, exit statuses, register opening, dispatch.
 */
#include "cli/cli.h"
#include "util/timeutil.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int cli_exit_for(enum sargs_rc rc)
{
	switch (rc) {
	case SARGS_OK: return EXIT_OK;
	case SARGS_E_INVALID:
	case SARGS_E_DENIED:
	case SARGS_E_EXISTS: return EXIT_INVALID;
	case SARGS_E_USAGE: return EXIT_USAGE;
	case SARGS_E_NOTFOUND: return EXIT_NOTFOUND;
	case SARGS_E_TAMPERED: return EXIT_TAMPERED;
	case SARGS_E_CRYPTO: return EXIT_KEY;
	default: return EXIT_STORE;
	}
}

int cli_fail(struct cli *cli, const struct sargs_err *err)
{
	const char *msg = err->msg[0] ? err->msg : sargs_rc_str(err->rc);

	if (cli->json) {
		json_t *o = json_pack("{s:b,s:s,s:s}", "ok", 0, "error", msg, "code",
				      sargs_rc_str(err->rc));

		if (o != NULL) {
			(void)json_dumpf(o, stderr, JSON_COMPACT);
			fputc('\n', stderr);
			json_decref(o);
		} else {
			/* e.g. a message cut inside a UTF-8 character: say it plainly */
			fprintf(stderr, "sargs: %s\n", msg);
		}
	} else {
		fprintf(stderr, "sargs: %s\n", msg);
	}
	return cli_exit_for(err->rc);
}

int cli_usage_error(struct cli *cli, const char *fmt, ...)
{
	struct sargs_err err;
	va_list ap;

	err.rc = SARGS_E_USAGE;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	return cli_fail(cli, &err);
}

int cli_open(struct cli *cli, struct sargs_reg **out)
{
	struct sargs_err err;
	int from, to, behind = sargs_reg_schema_behind(cli->data_dir, &from, &to);
	int64_t t0 = sargs_time_mono_us();

	sargs_err_clear(&err);
	/* a migration of a large register takes a while: say so, on stderr
	 * (the command's own output stays as it is) */
	if (behind)
		(void)fprintf(stderr,
			      "sargs: updating the register from schema %d to %d, once (a large"
			      " register takes a while)...\n",
			      from, to);
	if (sargs_reg_open(cli->data_dir, out, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	if (behind)
		(void)fprintf(stderr, "sargs: register updated to schema %d in %.1f s\n", to,
			      (double)(sargs_time_mono_us() - t0) / 1e6);
	return EXIT_OK;
}

int cli_close(struct sargs_reg *reg, int rc)
{
	sargs_reg_close(reg);
	return rc;
}

int cli_parse_id(struct cli *cli, const char *what, const char *s, int64_t *id)
{
	char *end;
	long long v;

	*id = 0;
	errno = 0;
	v = s != NULL ? strtoll(s, &end, 10) : 0;
	if (s == NULL || errno != 0 || end == s || *end != '\0' || v < 1)
		return cli_usage_error(cli, "give the %s number N (a positive integer)", what);
	*id = (int64_t)v;
	return EXIT_OK;
}

json_t *cli_json_time(int64_t us)
{
	char t[SARGS_TIME_STR];

	if (us == 0)
		return json_null();
	sargs_time_format(us, t, sizeof(t));
	return json_string(t);
}

int cli_print_json(json_t *v)
{
	if (v == NULL) {
		fprintf(stderr, "sargs: out of memory\n");
		return EXIT_STORE;
	}
	(void)json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', stdout);
	json_decref(v);
	return EXIT_OK;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

int cli_dispatch(struct cli *cli, const char *group, const char *help,
		 const struct cli_cmd *table, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		FILE *o = argc < 2 ? stderr : stdout;

		fprintf(o, "%s", help);
		fprintf(o, "\nCommands:\n");
		for (const struct cli_cmd *c = table; c->name != NULL; c++)
			fprintf(o, "  %-14s %s\n", c->name, c->summary);
		fprintf(o, "\nRun 'sargs %s%sCOMMAND --help' for a command's options.\n", group,
			group[0] ? " " : "");
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	for (const struct cli_cmd *c = table; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0)
			return c->fn(cli, argc - 1, argv + 1);
	return cli_usage_error(cli, "unknown command '%s%s%s'; run 'sargs%s%s --help'", group,
			       group[0] ? " " : "", argv[1], group[0] ? " " : "", group);
}

char *cli_receipt_pretty(const char *stored)
{
	json_t *doc;
	char *out;

	if (stored == NULL)
		return NULL;
	doc = json_loads(stored, 0, NULL);
	out = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENSURE_ASCII) : NULL;
	json_decref(doc);
	return out ? out : strdup(stored);
}
