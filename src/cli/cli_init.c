/*
 * cli_init.c — `sargs init` and `sargs status`.
 */
#include "cli/cli.h"
#include "domain/controller.h"
#include "domain/registry.h"

#include <string.h>

static const char init_help[] =
	"Usage: sargs [--data DIR] init\n"
	"\n"
	"Creates a new register in the data directory: the database (SQLite, WAL)\n"
	"and a master key file master.key (mode 0600) beside it. Keep a copy of\n"
	"the key file somewhere safe and apart from backups of the database:\n"
	"without it the data cannot be read. When SARGS_MASTER_KEY is set (64 hex\n"
	"digits), no key file is written and that key is used.\n";

int cmd_init(struct cli *cli, int argc, char **argv)
{
	struct sargs_err err;

	if (cli_wants_help(argc, argv)) {
		fputs(init_help, stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_usage_error(cli, "init takes no arguments (use --data DIR)");
	sargs_err_clear(&err);
	if (sargs_reg_init(cli->data_dir, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	if (cli->json)
		return cli_print_json(json_pack("{s:b,s:s}", "ok", 1, "data", cli->data_dir));
	printf("Created a new register in %s.\n", cli->data_dir);
	printf("Keep a copy of %s/master.key in a safe place apart from backups.\n",
	       cli->data_dir);
	printf("Next: 'sargs controller set --name ...' and 'sargs purpose load FILE'.\n");
	return EXIT_OK;
}

static const char status_help[] =
	"Usage: sargs [--data DIR] [--json] status\n"
	"\n"
	"Prints a summary of the register: the controller, the purposes, how many\n"
	"subjects are held and erased, the audit trail's length.\n";

int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg = NULL;
	struct sargs_reg_summary s;
	struct sargs_controller c;
	const struct sargs_registry *r = NULL;
	struct sargs_err err;
	int rc, have_ctl;

	if (cli_wants_help(argc, argv)) {
		fputs(status_help, stdout);
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_usage_error(cli, "status takes no arguments");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_reg_summary(reg, &s, &err) != SARGS_OK)
		return cli_close(reg, cli_fail(cli, &err));
	have_ctl = sargs_controller_get(reg, &c, NULL) == SARGS_OK;
	if (sargs_reg_registry(reg, &r, NULL) != SARGS_OK)
		r = NULL;
	if (cli->json) {
		json_t *o = json_object(), *ps = json_array();

		json_object_set_new(o, "data", json_string(cli->data_dir));
		json_object_set_new(o, "engine", json_string(s.engine));
		json_object_set_new(o, "schema_version", json_integer(s.schema_version));
		json_object_set_new(o, "controller", have_ctl ? json_string(c.name) : json_null());
		json_object_set_new(o, "registry_version", json_integer(s.registry_version));
		for (size_t i = 0; r != NULL && i < r->n_purposes; i++)
			json_array_append_new(ps, json_string(r->purposes[i].id));
		json_object_set_new(o, "purposes", ps);
		json_object_set_new(o, "subjects", json_integer(s.subjects));
		json_object_set_new(o, "erased", json_integer(s.erased));
		json_object_set_new(o, "audit_entries", json_integer(s.audit_entries));
		rc = cli_print_json(o);
	} else {
		printf("Register:        %s (%s, schema %d)\n", cli->data_dir, s.engine,
		       s.schema_version);
		printf("Controller:      %s\n", have_ctl ? c.name : "(not set: sargs controller set)");
		if (r != NULL) {
			printf("Purposes:        %zu (registry version %lld):", r->n_purposes,
			       (long long)s.registry_version);
			for (size_t i = 0; i < r->n_purposes; i++)
				printf(" %s", r->purposes[i].id);
			printf("\n");
		} else {
			printf("Purposes:        none (sargs purpose load FILE)\n");
		}
		printf("Subjects:        %lld\n", (long long)s.subjects);
		printf("Erased:          %lld (in the erasure ledger)\n", (long long)s.erased);
		printf("Audit entries:   %lld\n", (long long)s.audit_entries);
		rc = EXIT_OK;
	}
	if (have_ctl)
		sargs_controller_release(&c);
	sargs_reg_close(reg);
	return rc;
}
