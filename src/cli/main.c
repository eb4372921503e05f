/*
 * main.c — the `sargs` command: global options and the top-level commands.
 *
 * Global options may stand anywhere on the line:
 *   --data DIR   the register's data directory (default: $SARGS_DATA, else
 *                ./sargs-data)
 *   --json       machine-readable output on every command that prints data
 */
#include "cli/cli.h"
#include "crypto/keys.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static const char top_help[] =
	"Usage: sargs [--data DIR] [--json] COMMAND [ARGS]\n"
	"\n"
	"Sargs keeps a business's customer personal data under the GDPR: why each\n"
	"piece of data is kept, encrypted per person, read only for a purpose, with\n"
	"every access in a tamper-evident audit trail.\n"
	"\n"
	"Global options (anywhere on the line):\n"
	"  --data DIR   the register's data directory (default: $SARGS_DATA,\n"
	"               else ./sargs-data)\n"
	"  --json       machine-readable output\n"
	"  -h, --help   help for sargs or for any command\n";

static const struct cli_cmd top[] = {
	{"init", cmd_init, "create a new register in the data directory"},
	{"status", cmd_status, "summary of the register"},
	{"controller", cmd_controller, "the controller's profile (set, show)"},
	{"purpose", cmd_purpose, "the purpose registry (load, list, show)"},
	{"ropa", cmd_ropa, "print the record of processing activities (GDPR Art. 30)"},
	{"subject", cmd_subject, "data subjects (add, find, show, edit, erase)"},
	{"consent", cmd_consent, "consent, withdrawal, objections, signed receipts"},
	{"policy", cmd_policy, "ask the policy engine what is lawful (check)"},
	{"purchase", cmd_purchase, "purchases by product line (add, list)"},
	{"contract", cmd_contract, "contracts (start, end, list)"},
	{"campaign", cmd_campaign, "marketing audiences and exports (audience, export, list)"},
	{"unsubscribe", cmd_unsubscribe, "use a one-click unsubscribe link's token"},
	{"disclose", cmd_disclose, "hand data to a declared recipient, recorded"},
	{"disclosures", cmd_disclosures, "a subject's disclosure log"},
	{"stats", cmd_stats, "anonymised statistics, small cells suppressed"},
	{"pseudonym", cmd_pseudonym, "pseudonymised exports and re-identification (init, export, reidentify)"},
	{"request", cmd_request, "data subjects' requests and their deadlines"},
	{"retention", cmd_retention, "end processing whose retention period is over (sweep)"},
	{"breach", cmd_breach, "the breach register and its 72-hour clock (GDPR Art. 33-34)"},
	{"notice", cmd_notice, "the privacy notice from the purposes (show, short, publish)"},
	{"backup", cmd_backup, "encrypted backups that keep erasures (create, verify, restore)"},
	{"import", cmd_import, "import a legacy customer list (CSV) into zones"},
	{"zones", cmd_zones, "legacy zones and re-permission (list, ask, confirm, purge)"},
	{"staff", cmd_staff, "staff accounts (add, list, passwd, role, disable, enable, unlock)"},
	{"role", cmd_role, "roles: what staff may do, for which purposes (list, set)"},
	{"token", cmd_token, "API tokens for systems (issue, list, revoke)"},
	{"check", cmd_check, "check a personal code, e-mail or phone number"},
	{"audit", cmd_audit, "the audit trail (log, verify)"},
	{"calendar", cmd_calendar, "deadlines and Latvian public holidays (due, holidays)"},
	{"serve", cmd_serve, "run the server: staff console, JSON API, customers' pages"},
	{"demo", cmd_demo, "create a demo register of a small sign shop"},
	{NULL, NULL, NULL},
};

/*
 * jansson's buffers hold personal data (access copies, exports, fields read
 * from standard input): every block jansson frees is wiped first, across
 * its whole usable size. Blocks stay plain malloc blocks, so a string that
 * json_dumps returned may still be released with free().
 */
static void json_wiping_free(void *p)
{
	if (p == NULL)
		return;
	sargs_wipe(p, malloc_usable_size(p));
	free(p);
}

int main(int argc, char **argv)
{
	struct cli cli = {NULL, 0, 0, "sargs"};
	char **args;
	int n = 0, rc;

	/* before anything is allocated through jansson */
	json_set_alloc_funcs(malloc, json_wiping_free);
	args = calloc((size_t)argc + 1, sizeof(*args));

	if (args == NULL)
		return EXIT_STORE;
	if (sargs_crypto_init() != SARGS_OK) {
		fprintf(stderr, "sargs: cannot initialise libsodium\n");
		free(args);
		return EXIT_KEY;
	}
	cli.prog = argv[0] != NULL ? argv[0] : "sargs";
	cli.data_dir = getenv(SARGS_DATA_ENV);
	args[n++] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			while (i < argc)
				args[n++] = argv[i++];
			break;
		}
		if (strcmp(argv[i], "--json") == 0) {
			cli.json = 1;
		} else if (strcmp(argv[i], "--data") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "sargs: --data needs a directory\n");
				free(args);
				return EXIT_USAGE;
			}
			cli.data_dir = argv[++i];
		} else if (strncmp(argv[i], "--data=", 7) == 0) {
			cli.data_dir = argv[i] + 7;
		} else {
			args[n++] = argv[i];
		}
	}
	args[n] = NULL;
	cli.data_dir_explicit = cli.data_dir != NULL && cli.data_dir[0] != '\0';
	if (!cli.data_dir_explicit)
		cli.data_dir = "sargs-data";
	if (n >= 2 && strcmp(args[1], "--version") == 0) {
		printf("sargs 0.1.0\n");
		free(args);
		return EXIT_OK;
	}
	/* "sargs" alone is a usage error; "sargs --help" is not */
	args[0] = (char *)"sargs";
	rc = cli_dispatch(&cli, "", top_help, top, n, args);
	free(args);
	return rc;
}
