/*
 * cli_check.c — `sargs check personal-code|email|phone VALUE`: says whether a
 * value is valid and why not, and prints its normalised form. Exit status 0
 * when valid, 1 when not. Needs no register.
 */
#include "cli/cli.h"
#include "util/validate.h"

#include <string.h>

static const char help[] =
	"Usage: sargs [--json] check personal-code|email|phone VALUE\n"
	"\n"
	"Says whether VALUE is valid and why not, and prints its normalised form:\n"
	"  personal-code  Latvian personal code, old DDMMYY-CNNNN format (date,\n"
	"                 century digit, check digit) or the format issued since\n"
	"                 1 July 2017 (begins with 32); prints the birth date when\n"
	"                 the format carries one\n"
	"  email          e-mail address; normalised to lower case\n"
	"  phone          phone number; normalised to E.164 (default country +371)\n"
	"Exit status: 0 valid, 1 not valid, 2 usage error. Needs no register.\n";

int cmd_check(struct cli *cli, int argc, char **argv)
{
	struct sargs_err err;
	char out[SARGS_EMAIL_MAX];
	struct sargs_personal_code pc;
	enum sargs_rc rc;
	const char *what;

	if (cli_wants_help(argc, argv)) {
		fputs(help, stdout);
		return EXIT_OK;
	}
	if (argc != 3)
		return cli_usage_error(cli, "usage: sargs check personal-code|email|phone VALUE");
	what = argv[1];
	sargs_err_clear(&err);
	memset(&pc, 0, sizeof(pc));
	if (strcmp(what, "personal-code") == 0) {
		rc = sargs_validate_personal_code(argv[2], &pc, &err);
		if (rc == SARGS_OK)
			(void)snprintf(out, sizeof(out), "%s", pc.normalised);
	} else if (strcmp(what, "email") == 0) {
		rc = sargs_validate_email(argv[2], out, sizeof(out), &err);
	} else if (strcmp(what, "phone") == 0) {
		rc = sargs_validate_phone(argv[2], "371", out, sizeof(out), &err);
	} else {
		return cli_usage_error(cli, "can check personal-code, email or phone, not '%.32s'", what);
	}
	if (cli->json) {
		json_t *o = json_object();

		json_object_set_new(o, "kind", json_string(what));
		json_object_set_new(o, "valid", json_boolean(rc == SARGS_OK));
		if (rc == SARGS_OK) {
			json_object_set_new(o, "normalised", json_string(out));
			if (strcmp(what, "personal-code") == 0) {
				char bd[16];

				json_object_set_new(o, "format", json_string(pc.format == SARGS_PC_LEGACY
										 ? "legacy" : "modern"));
				if (pc.has_birth_date) {
					(void)snprintf(bd, sizeof(bd), "%04d-%02d-%02d", pc.birth_year,
						       pc.birth_month, pc.birth_day);
					json_object_set_new(o, "birth_date", json_string(bd));
				} else {
					json_object_set_new(o, "birth_date", json_null());
				}
			}
		} else {
			json_object_set_new(o, "reason", json_string(err.msg));
		}
		(void)cli_print_json(o);
	} else if (rc == SARGS_OK) {
		printf("valid: %s\n", out);
		if (strcmp(what, "personal-code") == 0) {
			if (pc.has_birth_date)
				printf("format: DDMMYY-CNNNN (before July 2017)\nbirth date: %04d-%02d-%02d\n",
				       pc.birth_year, pc.birth_month, pc.birth_day);
			else
				printf("format: 32NNNN-NNNNN (since July 2017; carries no birth date)\n");
		}
	} else {
		printf("not valid: %s\n", err.msg);
	}
	return rc == SARGS_OK ? EXIT_OK : EXIT_INVALID;
}
