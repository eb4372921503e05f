/*
 * cli_purpose.c — `sargs purpose load|list|show` and `sargs ropa`.
 */
#include "cli/cli.h"
#include "domain/controller.h"
#include "domain/registry.h"
#include "domain/ropa.h"
#include "util/fsutil.h"

#include <stdlib.h>
#include <string.h>

#define REGISTRY_FILE_LIMIT (4u << 20)

static int purpose_load(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	char *text = NULL;
	size_t len = 0;
	int64_t version = 0;
	int rc;

	if (cli_wants_help(argc, argv)) {
		printf("Usage: sargs purpose load FILE\n\n"
		       "Loads the purpose registry from a JSON file (format: docs/purposes.md) as a\n"
		       "new version. The whole file is checked first; on any error nothing changes.\n"
		       "A purpose that subjects are linked to cannot be dropped.\n");
		return EXIT_OK;
	}
	if (argc != 2)
		return cli_usage_error(cli, "usage: sargs purpose load FILE");
	sargs_err_clear(&err);
	if (sargs_fs_read(argv[1], REGISTRY_FILE_LIMIT, &text, &len, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK) {
		free(text);
		return rc;
	}
	if (sargs_registry_load(reg, text, len, &version, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:b,s:I,s:I}", "ok", 1, "version", (json_int_t)version,
					      "purposes", (json_int_t)reg->registry->n_purposes));
	} else {
		printf("Loaded %zu purposes from %s as registry version %lld.\n",
		       reg->registry->n_purposes, argv[1], (long long)version);
	}
	free(text);
	sargs_reg_close(reg);
	return rc;
}

static int open_registry(struct cli *cli, struct sargs_reg **reg,
			 const struct sargs_registry **r)
{
	struct sargs_err err;
	int rc = cli_open(cli, reg);

	if (rc != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_reg_registry(*reg, r, &err) != SARGS_OK)
		return cli_close(*reg, cli_fail(cli, &err));
	return EXIT_OK;
}

static int purpose_list(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	const struct sargs_registry *r;
	int rc;

	if (cli_wants_help(argc, argv)) {
		printf("Usage: sargs [--json] purpose list\n\nLists the purposes with their legal"
		       " bases.\n");
		return EXIT_OK;
	}
	if ((rc = open_registry(cli, &reg, &r)) != EXIT_OK)
		return rc;
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < r->n_purposes; i++)
			json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:s?}", "id", r->purposes[i].id,
							   "name", r->purposes[i].name, "legal_basis",
							   sargs_basis_id(r->purposes[i].basis),
							   "product_line", r->purposes[i].product_line));
		rc = cli_print_json(a);
	} else {
		printf("%-22s %-22s %s\n", "PURPOSE", "LEGAL BASIS", "NAME");
		for (size_t i = 0; i < r->n_purposes; i++)
			printf("%-22s %-22s %s\n", r->purposes[i].id, sargs_basis_id(r->purposes[i].basis),
			       r->purposes[i].name);
	}
	sargs_reg_close(reg);
	return rc;
}

static int purpose_show(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	char ret[160];
	int rc;

	if (cli_wants_help(argc, argv)) {
		printf("Usage: sargs [--json] purpose show ID\n\nShows one purpose in full.\n");
		return EXIT_OK;
	}
	if (argc != 2)
		return cli_usage_error(cli, "usage: sargs purpose show ID");
	if ((rc = open_registry(cli, &reg, &r)) != EXIT_OK)
		return rc;
	p = sargs_registry_purpose(r, argv[1]);
	if (p == NULL) {
		struct sargs_err err;

		(void)sargs_err_set(&err, SARGS_E_NOTFOUND, "unknown purpose \"%.64s\"", argv[1]);
		sargs_reg_close(reg);
		return cli_fail(cli, &err);
	}
	sargs_retention_describe(&p->retention, ret, sizeof(ret));
	if (cli->json) {
		json_t *o = json_object(), *cats = json_array(), *flds = json_array(),
		       *rcp = json_array(), *tr = json_array();

		for (size_t i = 0; i < p->n_categories; i++)
			json_array_append_new(cats, json_string(p->categories[i]));
		for (size_t i = 0; i < p->n_fields; i++)
			json_array_append_new(flds, json_pack("{s:s,s:b,s:s?}", "field",
							      p->fields[i].field, "required",
							      p->fields[i].required, "why",
							      p->fields[i].why));
		for (size_t i = 0; i < p->n_recipients; i++)
			json_array_append_new(rcp, json_pack("{s:s,s:s,s:s?,s:s?}", "name",
							     p->recipients[i].name, "kind",
							     p->recipients[i].kind, "dpa",
							     p->recipients[i].dpa, "condition",
							     p->recipients[i].condition));
		for (size_t i = 0; i < p->n_transfers; i++)
			json_array_append_new(tr, json_pack("{s:s,s:s,s:s}", "country",
							    p->transfers[i].country, "recipient",
							    p->transfers[i].recipient, "safeguard",
							    p->transfers[i].safeguard));
		json_object_set_new(o, "id", json_string(p->id));
		json_object_set_new(o, "name", json_string(p->name));
		json_object_set_new(o, "description", json_string(p->description));
		json_object_set_new(o, "legal_basis", json_string(sargs_basis_id(p->basis)));
		json_object_set_new(o, "balancing_test",
				    p->balancing_test ? json_string(p->balancing_test) : json_null());
		json_object_set_new(o, "categories", cats);
		json_object_set_new(o, "fields", flds);
		json_object_set_new(o, "recipients", rcp);
		json_object_set_new(o, "transfers_outside_eu", tr);
		json_object_set_new(o, "retention", json_string(ret));
		json_object_set_new(o, "product_line",
				    p->product_line ? json_string(p->product_line) : json_null());
		json_object_set_new(o, "profiling", json_boolean(p->profiling));
		rc = cli_print_json(o);
	} else {
		printf("%s — %s\n%s\n\n", p->id, p->name, p->description);
		printf("Legal basis:   %s (%s)\n", sargs_basis_id(p->basis), sargs_basis_article(p->basis));
		if (p->balancing_test)
			printf("Balancing test: %s\n", p->balancing_test);
		printf("Categories:   ");
		for (size_t i = 0; i < p->n_categories; i++)
			printf(" %s", p->categories[i]);
		printf("\nFields:\n");
		for (size_t i = 0; i < p->n_fields; i++)
			printf("  %-20s %s%s%s\n", p->fields[i].field,
			       p->fields[i].required ? "required" : "optional",
			       p->fields[i].why ? " — why we ask: " : "",
			       p->fields[i].why ? p->fields[i].why : "");
		printf("Recipients:%s\n", p->n_recipients ? "" : " none");
		for (size_t i = 0; i < p->n_recipients; i++)
			printf("  %s (%s)%s%s%s%s\n", p->recipients[i].name, p->recipients[i].kind,
			       p->recipients[i].dpa ? ", DPA " : "",
			       p->recipients[i].dpa ? p->recipients[i].dpa : "",
			       p->recipients[i].condition ? ", only " : "",
			       p->recipients[i].condition ? p->recipients[i].condition : "");
		printf("Transfers outside the EU:%s\n", p->n_transfers ? "" : " none");
		for (size_t i = 0; i < p->n_transfers; i++)
			printf("  %s to %s (%s)\n", p->transfers[i].country, p->transfers[i].recipient,
			       p->transfers[i].safeguard);
		printf("Retention:     %s\n", ret);
		printf("Product line:  %s\n", p->product_line ? p->product_line : "-");
		printf("Profiling:     %s\n", p->profiling ? "yes" : "no");
	}
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd table[] = {
	{"load", purpose_load, "load the registry from a JSON file"},
	{"list", purpose_list, "list the purposes"},
	{"show", purpose_show, "show one purpose"},
	{NULL, NULL, NULL},
};

int cmd_purpose(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "purpose",
			    "Usage: sargs purpose COMMAND\n\nThe purpose registry: why data is kept,"
			    " on which legal basis, for how long.\n",
			    table, argc, argv);
}

int cmd_ropa(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	char *json = NULL, *md = NULL;
	int rc;

	if (cli_wants_help(argc, argv)) {
		printf("Usage: sargs [--json] ropa\n\n"
		       "Prints the record of processing activities (GDPR Art. 30(1)) built from the\n"
		       "controller profile and the purpose registry: Markdown, or JSON with --json.\n");
		return EXIT_OK;
	}
	if (argc > 1)
		return cli_usage_error(cli, "ropa takes no arguments");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_ropa_build(reg, cli->json ? &json : NULL, cli->json ? NULL : &md, &err) !=
	    SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else {
		fputs(cli->json ? json : md, stdout);
		if (cli->json)
			fputc('\n', stdout);
	}
	free(json);
	free(md);
	sargs_reg_close(reg);
	return rc;
}
