/*
 * cli_serve.c — `sargs serve`: the HTTP server (src/server, docs/server.md).
 */
#include "cli/cli.h"
#include "server/server.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char serve_help[] =
	"Usage: sargs [--data DIR] serve [--config FILE] [--listen ADDR] [--port N]\n"
	"                                [--tls-cert PEM --tls-key PEM] [--public-url URL]\n"
	"                                [--set KEY=VALUE]...\n"
	"\n"
	"Serves the staff console, the JSON API (/api/v1/, docs/openapi.yaml) and\n"
	"customers' own pages (unsubscribe, preferences, requests, the collection\n"
	"form) from the register. Listens on 127.0.0.1:8080 by default; with a\n"
	"certificate and key it speaks HTTPS itself, else put it behind a reverse\n"
	"proxy that does (docs/server.md). Also runs the daily retention sweep,\n"
	"scheduled backups and signed audit checkpoints when configured.\n"
	"\n"
	"  --config FILE      an INI file ([server], [schedule], [log]; see\n"
	"                     docs/server.md and examples/sargs.ini)\n"
	"  --listen ADDR      IPv4 or IPv6 address to bind\n"
	"  --port N           TCP port\n"
	"  --tls-cert PEM     certificate chain (PEM) for HTTPS\n"
	"  --tls-key PEM      its private key (PEM)\n"
	"  --public-url URL   how customers reach the server (links in e-mails)\n"
	"  --set KEY=VALUE    any configuration key, e.g. --set backup_dir=/backups\n"
	"\n"
	"Flags override the file; the file overrides the defaults. Staff sign in\n"
	"with accounts made by 'sargs staff add'. Stops cleanly on SIGTERM or\n"
	"SIGINT: running requests finish, the register is closed.\n";

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"listen", required_argument, NULL, 'l'},
		{"port", required_argument, NULL, 'p'},   {"tls-cert", required_argument, NULL, 'C'},
		{"tls-key", required_argument, NULL, 'K'}, {"public-url", required_argument, NULL, 'u'},
		{"set", required_argument, NULL, 's'},    {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct srv_config cfg;
	struct sargs_err err;
	const char *config = NULL;
	struct {
		const char *key;
		char *value;
	} sets[32];
	size_t n_sets = 0, i;
	int ch;

	if (cli_wants_help(argc, argv)) {
		fputs(serve_help, stdout);
		return EXIT_OK;
	}
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *key = NULL;

		switch (ch) {
		case 'c': config = optarg; continue;
		case 'l': key = "listen"; break;
		case 'p': key = "port"; break;
		case 'C': key = "tls_cert"; break;
		case 'K': key = "tls_key"; break;
		case 'u': key = "public_url"; break;
		case 's': {
			char *eq = strchr(optarg, '=');

			if (!eq)
				return cli_usage_error(cli, "--set takes KEY=VALUE");
			*eq = '\0';
			key = optarg;
			optarg = eq + 1;
			break;
		}
		default:
			return cli_usage_error(cli, "unknown option %s (see 'sargs serve --help')",
					       argv[optind - 1]);
		}
		if (n_sets == sizeof(sets) / sizeof(sets[0]))
			return cli_usage_error(cli, "too many settings");
		sets[n_sets].key = key;
		sets[n_sets].value = optarg;
		n_sets++;
	}
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument \"%s\"", argv[optind]);

	srv_config_defaults(&cfg);
	(void)snprintf(cfg.data, sizeof(cfg.data), "%s", cli->data_dir);
	if (config && srv_config_load(&cfg, config, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	/* --data (or SARGS_DATA) given explicitly wins over the file */
	if (cli->data_dir_explicit)
		(void)snprintf(cfg.data, sizeof(cfg.data), "%s", cli->data_dir);
	for (i = 0; i < n_sets; i++)
		if (srv_config_set(&cfg, sets[i].key, sets[i].value, &err) != SARGS_OK)
			return cli_fail(cli, &err);
	if (srv_run(&cfg, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	return EXIT_OK;
}
