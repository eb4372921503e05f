/*
 * cli_consent.c — `sargs consent give|withdraw|object|guardian|history|
 * verify-receipt|public-key` and `sargs policy check`.
 */
#include "cli/cli.h"
#include "crypto/field.h"
#include "domain/consent.h"
#include "domain/policy.h"
#include "domain/registry.h"
#include "domain/relation.h"
#include "util/fsutil.h"
#include "util/timeutil.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_LIMIT (1u << 20)
#define RECEIPT_LIMIT (1u << 20)

struct copts {
	struct sargs_consent_proof proof;
	const char *receipt_out;     /* --receipt FILE */
	const char *text_file;
	char text_hash[SARGS_HASH_BYTES * 2 + 1];
	int all;                     /* --all (withdraw) */
	int direct_marketing;        /* --direct-marketing (object) */
};

static const struct option common_opts[] = {
	{"channel", required_argument, NULL, 'c'},
	{"form", required_argument, NULL, 'f'},
	{"text-hash", required_argument, NULL, 't'},
	{"text-file", required_argument, NULL, 'T'},
	{"preticked", no_argument, NULL, 'p'},
	{"check", required_argument, NULL, 'k'},
	{"outcome", required_argument, NULL, 'o'},
	{"receipt", required_argument, NULL, 'r'},
	{"all", no_argument, NULL, 'a'},
	{"direct-marketing", no_argument, NULL, 'd'},
	{"notice-version", required_argument, NULL, 'n'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}};

/* Parses the common options; *help set when --help was given. */
static int parse_common(struct cli *cli, int argc, char **argv, const char *allowed,
			struct copts *o, int *help)
{
	int ch;

	memset(o, 0, sizeof(*o));
	*help = 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", common_opts, NULL)) != -1) {
		if (ch == 'h') {
			*help = 1;
			return EXIT_OK;
		}
		if (ch == '?' || strchr(allowed, ch) == NULL)
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs consent %s --help'",
					       argv[optind - 1], argv[0]);
		switch (ch) {
		case 'c': o->proof.channel = optarg; break;
		case 'f': o->proof.form = optarg; break;
		case 't': o->proof.text_hash = optarg; break;
		case 'T': o->text_file = optarg; break;
		case 'p': o->proof.preticked = 1; break;
		case 'k': o->proof.guardian_check = optarg; break;
		case 'o': o->proof.outcome = optarg; break;
		case 'r': o->receipt_out = optarg; break;
		case 'a': o->all = 1; break;
		case 'd': o->direct_marketing = 1; break;
		case 'n': {
			char *end = NULL;

			o->proof.notice_version = strtoll(optarg, &end, 10);
			if (end == optarg || *end != '\0' || o->proof.notice_version <= 0)
				return cli_usage_error(cli, "--notice-version is a published version"
							    " number");
			break;
		}
		default: break;
		}
	}
	if (o->proof.channel == NULL)
		o->proof.channel = "cli";
	if (o->text_file != NULL) {
		char *text = NULL;
		size_t n = 0;
		unsigned char h[SARGS_HASH_BYTES];
		struct sargs_err e;

		if (o->proof.text_hash != NULL)
			return cli_usage_error(cli, "give --text-hash or --text-file, not both");
		if (sargs_fs_read(o->text_file, TEXT_LIMIT, &text, &n, &e) != SARGS_OK)
			return cli_fail(cli, &e);
		sargs_hash(text, n, h);
		free(text);
		sargs_hex(h, sizeof(h), o->text_hash);
		o->proof.text_hash = o->text_hash;
	}
	return EXIT_OK;
}

/* emit_receipt's output of the text. */
static int emit_text(struct cli *cli, const struct copts *o, const char *what,
		     const char *receipt)
{
	struct sargs_err e;

	if (receipt == NULL) {
		if (cli->json)
			return cli_print_json(json_pack("{s:s, s:b}", "result", what, "changed", 0));
		printf("%s (nothing changed: it had already been recorded)\n", what);
		return EXIT_OK;
	}
	if (o->receipt_out != NULL) {
		if (sargs_fs_write_atomic(o->receipt_out, receipt, strlen(receipt), 0600, 0, &e) !=
		    SARGS_OK)
			return cli_fail(cli, &e);
		if (!cli->json)
			printf("%s; signed receipt written to %s\n", what, o->receipt_out);
		else
			return cli_print_json(json_pack("{s:s, s:b, s:s}", "result", what, "changed",
							1, "receipt_file", o->receipt_out));
		return EXIT_OK;
	}
	if (!cli->json)
		fprintf(stderr, "%s; the signed receipt follows\n", what);
	printf("%s\n", receipt);
	return EXIT_OK;
}

/* Prints or saves a receipt, indented for people; returns the exit
 * status. */
static int emit_receipt(struct cli *cli, const struct copts *o, const char *what,
			const char *stored)
{
	char *pretty = cli_receipt_pretty(stored);
	int rc = emit_text(cli, o, what, pretty ? pretty : stored);

	free(pretty);
	return rc;
}

static const char give_help[] =
	"Usage: sargs consent give SUBJECT PURPOSE --channel CHANNEL --form FORM\n"
	"                          (--text-hash HEX | --text-file FILE |\n"
	"                           --notice-version N) [--preticked] [--receipt FILE]\n"
	"\n"
	"Records the person's consent to one purpose, with its proof: the channel\n"
	"(web_form, paper, phone, in_person, email, sms, self_service), the form, and\n"
	"the text the person saw (its hash, the file to hash, or the published privacy\n"
	"notice version shown: 'sargs notice publish'). Prints the signed\n"
	"consent receipt (Kantara Consent Receipt v1.1 fields), or writes it to FILE.\n"
	"--preticked: the box was ticked before the person acted. That is not consent\n"
	"(003): the attempt is recorded, the person counts as not having consented,\n"
	"and the command exits 1.\n";

typedef enum sargs_rc (*consent_step_fn)(struct sargs_reg *reg, const char *id,
					 const char *purpose,
					 const struct sargs_consent_proof *proof, char **receipt,
					 struct sargs_err *err);

/*
 * give, withdraw, object, guardian: SUBJECT and PURPOSE (only SUBJECT with
 * --all or --direct-marketing), one step, its receipt printed as "what".
 */
static int consent_step(struct cli *cli, int argc, char **argv, const char *allowed,
			const char *help, const char *args_usage, consent_step_fn step,
			const char *what)
{
	struct copts o;
	struct sargs_reg *reg;
	struct sargs_err err;
	char *receipt = NULL;
	int shown, no_purpose, rc = parse_common(cli, argc, argv, allowed, &o, &shown);

	if (rc != EXIT_OK || shown) {
		if (shown)
			fputs(help, stdout);
		return rc;
	}
	no_purpose = o.all || o.direct_marketing;
	if (argc - optind != (no_purpose ? 1 : 2))
		return cli_usage_error(cli, "%s", args_usage);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (step(reg, argv[optind], no_purpose ? NULL : argv[optind + 1], &o.proof, &receipt,
		 &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = emit_receipt(cli, &o, what, receipt);
	free(receipt);
	sargs_reg_close(reg);
	return rc;
}

static int consent_give(struct cli *cli, int argc, char **argv)
{
	return consent_step(cli, argc, argv, "cftTprn", give_help, "give SUBJECT and PURPOSE",
			    sargs_consent_give, "consent recorded");
}

static const char withdraw_help[] =
	"Usage: sargs consent withdraw SUBJECT (PURPOSE | --all) [--channel CHANNEL]\n"
	"                              [--receipt FILE]\n"
	"\n"
	"Withdraws consent to one purpose, or to every purpose the person consented\n"
	"to (--all), through whatever channel it came (email, sms, phone, paper,\n"
	"in_person, self_service...). It takes effect at once, keeps the history\n"
	"(earlier processing stays lawful, GDPR Art. 7(3)) and ends nothing else:\n"
	"the person's contract and its purposes go on. Withdrawing again changes\n"
	"nothing.\n";

static int consent_withdraw(struct cli *cli, int argc, char **argv)
{
	return consent_step(cli, argc, argv, "car", withdraw_help,
			    "give SUBJECT and PURPOSE, or SUBJECT and --all", sargs_consent_withdraw,
			    "consent withdrawn");
}

static const char object_help[] =
	"Usage: sargs consent object SUBJECT (PURPOSE | --direct-marketing)\n"
	"                            [--channel CHANNEL] [--outcome OUTCOME]\n"
	"                            [--receipt FILE]\n"
	"\n"
	"Records an objection. --direct-marketing: to all direct marketing; absolute\n"
	"and at once (GDPR Art. 21(2)-(3)). PURPOSE: to one purpose resting on\n"
	"legitimate interests or a public task (Art. 21(1)), with the outcome of the\n"
	"review: upheld (default; processing for it stops),\n"
	"overridden_compelling_grounds or overridden_legal_claims. An objection to a\n"
	"marketing purpose is always upheld.\n";

static int consent_object(struct cli *cli, int argc, char **argv)
{
	return consent_step(cli, argc, argv, "cdor", object_help,
			    "give SUBJECT and PURPOSE, or SUBJECT and --direct-marketing",
			    sargs_consent_object, "objection recorded");
}

static const char guardian_help[] =
	"Usage: sargs consent guardian SUBJECT PURPOSE --check METHOD\n"
	"                              [--channel CHANNEL] [--receipt FILE]\n"
	"\n"
	"Records the consent of the holder of parental responsibility for a child\n"
	"under 13 to a purpose of an online service (GDPR Art. 8; Personal Data\n"
	"Processing Law Art. 33), with how it was checked: id_document, eparaksts,\n"
	"bank_link, in_person or birth_certificate. Without it the purpose is not\n"
	"lawful for the child.\n";

static int consent_guardian(struct cli *cli, int argc, char **argv)
{
	return consent_step(cli, argc, argv, "ckr", guardian_help, "give SUBJECT and PURPOSE",
			    sargs_consent_guardian, "guardian's consent recorded");
}

static const char history_help[] =
	"Usage: sargs consent history SUBJECT\n"
	"\n"
	"Lists every consent, withdrawal, objection and guardian consent of a\n"
	"person, oldest first (with --json: with each signed receipt).\n";

static int hist_cb(void *ctx, int64_t seq, const char *purpose, const char *event,
		   int64_t time_us, const char *receipt)
{
	json_t *a = ctx;
	char t[SARGS_TIME_STR];
	json_error_t jerr;
	json_t *r = json_loads(receipt, 0, &jerr);

	sargs_time_format(time_us, t, sizeof(t));
	(void)json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:o}", "seq",
						 (json_int_t)seq, "time", t, "purpose", purpose,
						 "event", event, "receipt",
						 r ? r : json_null()));
	return 0;
}

static int consent_history(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	json_t *a;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(history_help, stdout);
		return EXIT_OK;
	}
	if (argc != 2)
		return cli_usage_error(cli, "give SUBJECT");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	a = json_array();
	sargs_err_clear(&err);
	if (sargs_consent_history(reg, argv[1], hist_cb, a, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
		json_decref(a);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:s, s:o}", "subject", argv[1], "events", a));
	} else {
		size_t i;
		json_t *e;

		printf("%-27s %-22s %-18s %s\n", "TIME", "EVENT", "PURPOSE", "CHANNEL");
		json_array_foreach(a, i, e) {
			json_t *ch = json_object_get(json_object_get(json_object_get(e, "receipt"),
								     "receipt"),
						     "collectionMethod");

			printf("%-27s %-22s %-18s %s\n", json_string_value(json_object_get(e, "time")),
			       json_string_value(json_object_get(e, "event")),
			       json_string_value(json_object_get(e, "purpose")),
			       ch ? json_string_value(ch) : "-");
		}
		json_decref(a);
	}
	sargs_reg_close(reg);
	return rc;
}

static const char verify_help[] =
	"Usage: sargs consent verify-receipt FILE [--public-key KEY]\n"
	"\n"
	"Checks a signed consent receipt (FILE, or - for standard input): the\n"
	"Ed25519 signature must match the receipt exactly as it is. By default the\n"
	"signer must be this register (its key: 'sargs consent public-key'); with\n"
	"--public-key, the given key (base64url), so a receipt can be checked\n"
	"without the register. Exit 0: valid; 4: altered or forged; 1: not a receipt.\n";

static int consent_verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"public-key", required_argument, NULL, 'k'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *pk = NULL;
	struct sargs_reg *reg = NULL;
	struct sargs_receipt_info info;
	struct sargs_err err;
	char *text = NULL;
	size_t n = 0;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(verify_help, stdout);
			return EXIT_OK;
		}
		if (ch != 'k')
			return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
		pk = optarg;
	}
	if (argc - optind != 1)
		return cli_usage_error(cli, "give the receipt FILE (or - for standard input)");
	sargs_err_clear(&err);
	if (strcmp(argv[optind], "-") == 0) {
		text = malloc(RECEIPT_LIMIT + 1);
		if (text == NULL)
			return cli_usage_error(cli, "out of memory");
		n = fread(text, 1, RECEIPT_LIMIT + 1, stdin);
		if (n > RECEIPT_LIMIT) {
			free(text);
			return cli_usage_error(cli, "the receipt is larger than 1 MiB");
		}
	} else if (sargs_fs_read(argv[optind], RECEIPT_LIMIT, &text, &n, &err) != SARGS_OK) {
		return cli_fail(cli, &err);
	}
	if (pk == NULL && (rc = cli_open(cli, &reg)) != EXIT_OK) {
		free(text);
		return rc;
	}
	if (sargs_receipt_verify(reg, text, n, pk, &info, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:b, s:s, s:s, s:s, s:s, s:I}", "valid", 1,
					      "receipt_id", info.receipt_id, "subject",
					      info.subject_id, "event", info.event, "purpose",
					      info.purpose, "timestamp", (json_int_t)info.timestamp));
	} else {
		char t[SARGS_TIME_STR];

		sargs_time_format(info.timestamp * 1000000, t, sizeof(t));
		printf("valid: receipt %s, %s, purpose %s, subject %s, %s, signed by %s\n",
		       info.receipt_id, info.event, info.purpose, info.subject_id, t,
		       pk ? "the given key" : "this register");
		rc = EXIT_OK;
	}
	free(text);
	sargs_reg_close(reg);
	return rc;
}

static const char pk_help[] =
	"Usage: sargs consent public-key\n"
	"\n"
	"Prints the register's receipt-signing public key (Ed25519, base64url), to\n"
	"publish or hand to whoever must check receipts without the register.\n";

static int consent_public_key(struct cli *cli, int argc, char **argv)
{
	struct sargs_reg *reg;
	char pk[64];
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(pk_help, stdout);
		return EXIT_OK;
	}
	if (argc != 1)
		return cli_usage_error(cli, "public-key takes no arguments");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_receipt_public_key(reg, pk);
	sargs_reg_close(reg);
	if (cli->json)
		return cli_print_json(json_pack("{s:s, s:s}", "alg", "Ed25519", "public_key", pk));
	printf("%s\n", pk);
	return EXIT_OK;
}

static const struct cli_cmd table[] = {
	{"give", consent_give, "record consent to a purpose, with its proof"},
	{"withdraw", consent_withdraw, "withdraw consent (one purpose or all)"},
	{"object", consent_object, "record an objection (direct marketing or a purpose)"},
	{"guardian", consent_guardian, "record a guardian's consent for a child"},
	{"history", consent_history, "a person's consent history with receipts"},
	{"verify-receipt", consent_verify, "check a signed consent receipt"},
	{"public-key", consent_public_key, "the receipt-signing public key"},
	{NULL, NULL, NULL}};

int cmd_consent(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "consent",
			    "Usage: sargs consent COMMAND\n\nConsent, its withdrawal and objections,"
			    " each with a signed receipt.\n",
			    table, argc, argv);
}

/* ---- sargs policy check */

static const char check_help[] =
	"Usage: sargs policy check SUBJECT PURPOSE [--channel email|sms|phone|post]\n"
	"\n"
	"Asks the policy engine whether processing SUBJECT's data for PURPOSE (and,\n"
	"with --channel, contacting them on that channel) is lawful today, on which\n"
	"legal basis, and why. Reads no personal data. Exit 0: allowed; 1: not.\n";

static int policy_check(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"channel", required_argument, NULL, 'c'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	unsigned channel = 0;
	struct sargs_policy_decision d;
	struct sargs_reg *reg;
	struct sargs_err err;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(check_help, stdout);
			return EXIT_OK;
		}
		if (ch != 'c')
			return cli_usage_error(cli, "unknown option '%s'", argv[optind - 1]);
		channel = sargs_channel_parse(optarg);
		if (channel == 0)
			return cli_usage_error(cli, "--channel is email, sms, phone or post");
	}
	if (argc - optind != 2)
		return cli_usage_error(cli, "give SUBJECT and PURPOSE");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_policy_check(reg, argv[optind], argv[optind + 1], channel, &d, &err) !=
	    SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else {
		if (cli->json)
			(void)cli_print_json(json_pack(
				"{s:b, s:s, s:s, s:s}", "allowed", d.allowed, "basis",
				sargs_basis_id(d.basis), "reason", sargs_reason_id(d.reason), "text",
				sargs_reason_text(d.reason)));
		else
			printf("%s: %s (%s)\n", d.allowed ? "allowed" : "not allowed",
			       sargs_reason_text(d.reason), sargs_reason_id(d.reason));
		rc = d.allowed ? EXIT_OK : EXIT_INVALID;
	}
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd policy_table[] = {
	{"check", policy_check, "is a purpose (and channel) lawful for a subject now"},
	{NULL, NULL, NULL}};

int cmd_policy(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "policy",
			    "Usage: sargs policy COMMAND\n\nThe policy engine: what is lawful for whom,"
			    " now.\n",
			    policy_table, argc, argv);
}
