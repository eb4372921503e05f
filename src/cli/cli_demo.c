/*
 * cli_demo.c — `sargs demo`: a demo register of a small sign shop (seed 001,
 * SIA "ZĪMES"): its controller profile, its purposes (examples/
 * zimes-purposes.json, built into the binary) and a few hundred synthetic
 * customers. Then prints the register's summary and its record of
 * processing activities.
 */
#include "cli/cli.h"
#include "demo_registry.h" /* generated from examples/zimes-purposes.json */
#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/relation.h"
#include "domain/ropa.h"
#include "domain/subject.h"
#include "util/synth.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
	"Usage: sargs [--data DIR] demo [--customers N]\n"
	"\n"
	"Creates a demo register in the data directory (it must not hold one yet):\n"
	"the sign shop SIA \"ZĪMES\" with its controller profile, seven purposes and N\n"
	"synthetic customers (default 300; names, e-mails, phones and personal\n"
	"codes are made up) with their purchases, consents, withdrawals and\n"
	"objections. Then prints the summary and the record of processing.\n";

/* The text of the newsletter's consent box, as the demo web shop shows it. */
static const char consent_text_hash[] =
	"5d1f0c0b6a9e8c7f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f";

/*
 * A realistic mix for the marketing rules: most customers bought signs
 * (most were offered the chance to refuse offers, a few refused), some
 * bought printing; newsletter subscribers consented through the web shop's
 * form, one in ten of them only through an old pre-ticked box, and a few
 * withdrew or objected since.
 */
static enum sargs_rc add_relationship(struct sargs_reg *reg, long i, const char *id,
				      struct sargs_err *err)
{
	struct sargs_consent_proof proof = {"web_form", "zimes-shop-checkout-v2",
					    consent_text_hash, 0, NULL, NULL, 0};
	int32_t day = sargs_today() - (int32_t)(i % 700);
	enum sargs_rc rc;

	rc = sargs_purchase_record(reg, id, i % 3 == 2 ? "printing" : "signs", day,
				   i % 7 != 0, i % 11 == 0 && i % 7 != 0, NULL, err);
	if (rc == SARGS_OK && i % 10 < 3) {
		proof.preticked = i % 10 == 2;
		rc = sargs_consent_give(reg, id, "newsletter", &proof, NULL, err);
		if (rc == SARGS_E_DENIED && proof.preticked)
			rc = SARGS_OK; /* recorded as the invalid attempt it was */
	}
	proof.preticked = 0;
	proof.channel = "email";
	if (rc == SARGS_OK && i % 10 == 0 && i % 20 == 0)
		rc = sargs_consent_withdraw(reg, id, "newsletter", &proof, NULL, err);
	if (rc == SARGS_OK && i % 50 == 7)
		rc = sargs_consent_object(reg, id, NULL, &proof, NULL, err);
	return rc;
}

static enum sargs_rc add_customers(struct sargs_reg *reg, long n, char *first_email,
				   size_t first_email_size, struct sargs_err *err)
{
	struct sargs_synth g;
	enum sargs_rc rc;

	sargs_synth_init(&g, 20181);
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	for (long i = 0; i < n && rc == SARGS_OK; i++) {
		struct sargs_synth_person p = {0};
		const char *purposes[6];
		struct sargs_kv kv[16];
		struct sargs_subject_input in;
		char id[SARGS_UUID_STR], since[11];
		size_t np = 0, nk = 0;

		sargs_synth_person(&g, (uint64_t)i, &p);
		if (i == 0)
			(void)snprintf(first_email, first_email_size, "%s", p.email);
		purposes[np++] = "service";
		purposes[np++] = "accounting";
		if (i % 2 == 0)
			purposes[np++] = "customer_contact";
		if (i % 5 < 2)
			purposes[np++] = "web_shop";
		if (i % 10 < 3)
			purposes[np++] = "newsletter";
		(void)snprintf(since, sizeof(since), "20%02ld-%02ld-%02ld", 18 + i % 8, 1 + i % 12,
			       1 + i % 28);
		kv[nk++] = (struct sargs_kv){"first_name", p.first_name};
		kv[nk++] = (struct sargs_kv){"last_name", p.last_name};
		kv[nk++] = (struct sargs_kv){"email", p.email};
		kv[nk++] = (struct sargs_kv){"customer_since", since};
		if (i % 3 != 0)
			kv[nk++] = (struct sargs_kv){"phone", p.phone};
		if (i % 4 == 0)
			kv[nk++] = (struct sargs_kv){"postal_address", p.address};
		if (i % 6 == 0)
			kv[nk++] = (struct sargs_kv){"personal_code", p.personal_code};
		if (i % 5 < 2)
			kv[nk++] = (struct sargs_kv){"browser_data", "session cookie only"};
		kv[nk++] = (struct sargs_kv){"order_history", i % 2 ? "door sign; vinyl lettering"
								    : "shop window sticker"};
		memset(&in, 0, sizeof(in));
		in.purposes = purposes;
		in.n_purposes = np;
		in.source = "person";
		in.fields = kv;
		in.n_fields = nk;
		rc = sargs_subject_add(reg, &in, id, err);
		if (rc == SARGS_OK)
			rc = add_relationship(reg, i, id, err);
		if (i % 100 == 99)
			fprintf(stderr, "\radded %ld of %ld customers", i + 1, n);
	}
	if (n >= 100)
		fprintf(stderr, "\n");
	if (rc == SARGS_OK)
		return sargs_reg_commit(reg, err);
	sargs_reg_rollback(reg);
	return rc;
}

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"customers", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct sargs_controller c = {
		.name = "SIA \"ZĪMES\"",
		.registration_number = "40003000000 (demo)",
		.address = "Brīvības iela 1, Rīga, LV-1010 (demo)",
		.email = "info@zimes.example.lv",
		.phone = "+371 67000000",
		.dpo_name = "Data protection contact (demo)",
		.dpo_email = "privatums@zimes.example.lv",
		.owner = NULL};
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	long customers = 300;
	char *md = NULL;
	char email[128] = "";
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;

		if (ch == 'h') {
			fputs(help, stdout);
			return EXIT_OK;
		}
		if (ch != 'n')
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs demo --help'",
					       argv[optind - 1]);
		errno = 0;
		customers = strtol(optarg, &end, 10);
		if (errno != 0 || *end != '\0' || customers < 0 || customers > 10000000)
			return cli_usage_error(cli, "--customers: expected a number from 0 to 10000000");
	}
	if (optind < argc)
		return cli_usage_error(cli, "demo takes no arguments besides --customers");
	sargs_err_clear(&err);
	if (sargs_reg_init(cli->data_dir, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	if (sargs_controller_set(reg, &c, &err) != SARGS_OK ||
	    sargs_registry_load(reg, (const char *)demo_registry, sizeof(demo_registry), NULL,
				&err) != SARGS_OK ||
	    add_customers(reg, customers, email, sizeof(email), &err) != SARGS_OK ||
	    sargs_ropa_build(reg, NULL, &md, &err) != SARGS_OK)
		return cli_close(reg, cli_fail(cli, &err));
	sargs_reg_close(reg);
	printf("Demo register of SIA \"ZĪMES\" created in %s with %ld customers.\n\n", cli->data_dir,
	       customers);
	rc = cmd_status(cli, 1, argv);
	if (rc == EXIT_OK && !cli->json) {
		printf("\n%s", md);
		if (email[0] != '\0')
			printf("\nTry:\n  %s --data %s subject show --email %s --purpose service\n"
			       "  %s --data %s subject show --email %s --purpose accounting\n"
			       "  %s --data %s audit log --limit 20\n"
			       "  %s --data %s audit verify\n",
			       cli->prog, cli->data_dir, email, cli->prog, cli->data_dir, email,
			       cli->prog, cli->data_dir, cli->prog, cli->data_dir);
	}
	free(md);
	return rc;
}
