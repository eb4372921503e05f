/*
 * cli.h — shared parts of the command line: the invocation context, output
 * helpers and the mapping of result codes to documented exit statuses.
 */
#ifndef SARGS_CLI_H
#define SARGS_CLI_H

#include "domain/register.h"
#include "util/rc.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* Exit statuses (docs/cli.md). */
enum {
	EXIT_OK = 0,
	EXIT_INVALID = 1,   /* bad input, refused by a rule, value not valid */
	EXIT_USAGE = 2,     /* wrong command-line usage */
	EXIT_NOTFOUND = 3,  /* no such register, subject, purpose */
	EXIT_TAMPERED = 4,  /* audit trail verification failed */
	EXIT_KEY = 5,       /* wrong or missing master key, undecryptable data */
	EXIT_STORE = 6      /* storage, file system, lock or schema problem */
};

struct cli {
	const char *data_dir;   /* --data or SARGS_DATA or ./sargs-data */
	int json;               /* --json */
	int data_dir_explicit;  /* --data or SARGS_DATA was given */
	const char *prog;
};

typedef int (*cli_cmd_fn)(struct cli *cli, int argc, char **argv);

struct cli_cmd {
	const char *name;
	cli_cmd_fn fn;
	const char *summary;
};

/* Maps a result code to an exit status. */
int cli_exit_for(enum sargs_rc rc);

/* Prints "sargs: MESSAGE" for err to stderr (and as JSON under --json)
 * and returns the exit status for it. */
int cli_fail(struct cli *cli, const struct sargs_err *err);

/* Prints a usage problem and returns EXIT_USAGE. */
int cli_usage_error(struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Opens the register named by cli (prints the error on failure). */
int cli_open(struct cli *cli, struct sargs_reg **out);

/* Closes reg (NULL allowed) and passes the exit status rc on:
 * `return cli_close(reg, cli_fail(cli, &err));` */
int cli_close(struct sargs_reg *reg, int rc);

/* Parses a positive record number s (a request's, a breach's: what names
 * it in the message) into *id; prints the problem and returns EXIT_USAGE. */
int cli_parse_id(struct cli *cli, const char *what, const char *s, int64_t *id);

/* A time as JSON (YYYY-MM-DDTHH:MM:SSZ, as sargs_time_format), or null when
 * us is 0 (never). */
json_t *cli_json_time(int64_t us);

/* Prints a JSON value to stdout (takes ownership) and returns EXIT_OK. */
int cli_print_json(json_t *v);
/* A signed receipt as stored (compact canonical JSON) indented for people,
 * newly allocated; the stored text itself when it is not JSON; NULL for
 * NULL or out of memory. The signature covers the "receipt" object's
 * canonical text, so the indented form verifies just the same. */
char *cli_receipt_pretty(const char *stored);

/* 1 when argv has -h or --help before any "--". */
int cli_wants_help(int argc, char **argv);

/* Runs a subcommand from table (argv[0] is the group name). */
int cli_dispatch(struct cli *cli, const char *group, const char *help,
		 const struct cli_cmd *table, int argc, char **argv);

int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_controller(struct cli *cli, int argc, char **argv);
int cmd_purpose(struct cli *cli, int argc, char **argv);
int cmd_ropa(struct cli *cli, int argc, char **argv);
int cmd_subject(struct cli *cli, int argc, char **argv);
int cmd_check(struct cli *cli, int argc, char **argv);
int cmd_audit(struct cli *cli, int argc, char **argv);
int cmd_demo(struct cli *cli, int argc, char **argv);
int cmd_calendar(struct cli *cli, int argc, char **argv);
int cmd_consent(struct cli *cli, int argc, char **argv);
int cmd_policy(struct cli *cli, int argc, char **argv);
int cmd_purchase(struct cli *cli, int argc, char **argv);
int cmd_contract(struct cli *cli, int argc, char **argv);
int cmd_campaign(struct cli *cli, int argc, char **argv);
int cmd_unsubscribe(struct cli *cli, int argc, char **argv);
int cmd_retention(struct cli *cli, int argc, char **argv);
int cmd_notice(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_zones(struct cli *cli, int argc, char **argv);
int cmd_disclose(struct cli *cli, int argc, char **argv);
int cmd_disclosures(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_pseudonym(struct cli *cli, int argc, char **argv);
int cmd_request(struct cli *cli, int argc, char **argv);
int cmd_breach(struct cli *cli, int argc, char **argv);
int cmd_backup(struct cli *cli, int argc, char **argv);
int cmd_staff(struct cli *cli, int argc, char **argv);
int cmd_role(struct cli *cli, int argc, char **argv);
int cmd_token(struct cli *cli, int argc, char **argv);

#endif
