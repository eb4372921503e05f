/*
 * cli_controller.c — `sargs controller set|show`.
 */
#include "cli/cli.h"
#include "domain/controller.h"

#include <getopt.h>
#include <string.h>

static const char set_help[] =
	"Usage: sargs controller set [OPTIONS]\n"
	"\n"
	"Sets the controller's profile (GDPR Art. 13(1)(a)-(b), Art. 30(1)(a)).\n"
	"Options not given keep their stored value; an empty value clears one.\n"
	"  --name TEXT                 the business's name (required the first time)\n"
	"  --registration-number TEXT  company registration number\n"
	"  --address TEXT              legal address\n"
	"  --email ADDRESS             the business's contact e-mail\n"
	"  --phone NUMBER              the business's contact phone\n"
	"  --dpo-name TEXT             data protection officer or contact person\n"
	"  --dpo-email ADDRESS\n"
	"  --dpo-phone NUMBER\n";

static int controller_set(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"name", required_argument, NULL, 'n'},
		{"registration-number", required_argument, NULL, 'r'},
		{"address", required_argument, NULL, 'a'},
		{"email", required_argument, NULL, 'e'},
		{"phone", required_argument, NULL, 'p'},
		{"dpo-name", required_argument, NULL, 'N'},
		{"dpo-email", required_argument, NULL, 'E'},
		{"dpo-phone", required_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct sargs_controller c;
	struct sargs_reg *reg;
	struct sargs_err err;
	int ch, rc, any = 0;

	memset(&c, 0, sizeof(c));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		any = 1;
		switch (ch) {
		case 'n': c.name = optarg; break;
		case 'r': c.registration_number = optarg; break;
		case 'a': c.address = optarg; break;
		case 'e': c.email = optarg; break;
		case 'p': c.phone = optarg; break;
		case 'N': c.dpo_name = optarg; break;
		case 'E': c.dpo_email = optarg; break;
		case 'P': c.dpo_phone = optarg; break;
		case 'h': fputs(set_help, stdout); return EXIT_OK;
		default:
			return cli_usage_error(cli, "unknown option '%s'; see 'sargs controller set --help'",
					       argv[optind - 1]);
		}
	}
	if (optind < argc || !any)
		return cli_usage_error(cli, "give the profile as options; see 'sargs controller set --help'");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	rc = sargs_controller_set(reg, &c, &err) == SARGS_OK ? EXIT_OK : cli_fail(cli, &err);
	sargs_reg_close(reg);
	if (rc == EXIT_OK && !cli->json)
		printf("Controller profile saved.\n");
	else if (rc == EXIT_OK)
		rc = cli_print_json(json_pack("{s:b}", "ok", 1));
	return rc;
}

static int controller_show(struct cli *cli, int argc, char **argv)
{
	static const char *const labels[] = {"Name", "Registration number", "Legal address",
					     "E-mail", "Phone", "DPO / contact", "DPO e-mail",
					     "DPO phone"};
	static const char *const keys[] = {"name", "registration_number", "address", "email",
					   "phone", "dpo_name", "dpo_email", "dpo_phone"};
	struct sargs_controller c;
	struct sargs_reg *reg;
	struct sargs_err err;
	int rc;

	if (cli_wants_help(argc, argv)) {
		printf("Usage: sargs [--json] controller show\n\nPrints the controller's profile.\n");
		return EXIT_OK;
	}
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_controller_get(reg, &c, &err) != SARGS_OK)
		return cli_close(reg, cli_fail(cli, &err));
	{
		const char *vals[] = {c.name, c.registration_number, c.address, c.email, c.phone,
				      c.dpo_name, c.dpo_email, c.dpo_phone};

		if (cli->json) {
			json_t *o = json_object();

			for (size_t i = 0; i < 8; i++)
				json_object_set_new(o, keys[i], vals[i] ? json_string(vals[i]) : json_null());
			rc = cli_print_json(o);
		} else {
			for (size_t i = 0; i < 8; i++)
				printf("%-20s %s\n", labels[i], vals[i] ? vals[i] : "-");
		}
	}
	sargs_controller_release(&c);
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd table[] = {
	{"set", controller_set, "set the controller's profile"},
	{"show", controller_show, "show the controller's profile"},
	{NULL, NULL, NULL},
};

int cmd_controller(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "controller",
			    "Usage: sargs controller COMMAND\n\nThe controller: who is responsible for"
			    " the processing.\n",
			    table, argc, argv);
}
