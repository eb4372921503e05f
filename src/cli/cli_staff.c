/*
 * cli_staff.c — `sargs staff|role|token`: staff accounts, roles and API
 * tokens (domain/staff.h; docs/staff.md).
 *
 * Passwords are read from the terminal without echo, or with
 * --password-stdin from the first line of standard input; never from the
 * command line, where other users could see them in the process list.
 * They are wiped once used.
 */
#include "cli/cli.h"
#include "crypto/keys.h"
#include "domain/staff.h"
#include "util/timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#define PW_BUF (SARGS_PW_MAX + 2)  /* a line of at most SARGS_PW_MAX bytes, its newline, NUL */
#define DAY_US 86400000000LL
#define DAYS_MAX 3650

/* ---- options */

struct sopts {
	const char *role, *lang, *actions, *purposes;
	int password_stdin;
	long days;
	const char *args[2];
	int n_args;
};

static const struct option options[] = {
	{"role", required_argument, NULL, 'r'},
	{"lang", required_argument, NULL, 'l'},
	{"password-stdin", no_argument, NULL, 'p'},
	{"actions", required_argument, NULL, 'a'},
	{"purposes", required_argument, NULL, 'P'},
	{"days", required_argument, NULL, 'd'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}};

/*
 * Parses the options in allowed (short letters) and exactly want_args
 * positional arguments. *done is set when the help was printed.
 */
static int parse(struct cli *cli, const char *group, int argc, char **argv, const char *allowed,
		 int want_args, const char *help, struct sopts *o, int *done)
{
	int ch;

	memset(o, 0, sizeof(*o));
	*done = 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (ch == 'h') {
			fputs(help, stdout);
			*done = 1;
			return EXIT_OK;
		}
		if (ch == '?' || strchr(allowed, ch) == NULL)
			return cli_usage_error(cli, "unknown option or missing value '%s'; see"
						    " 'sargs %s %s --help'",
					       argv[optind - 1], group, argv[0]);
		switch (ch) {
		case 'r': o->role = optarg; break;
		case 'l':
			if (strcmp(optarg, "lv") != 0 && strcmp(optarg, "en") != 0)
				return cli_usage_error(cli, "--lang is lv or en");
			o->lang = optarg;
			break;
		case 'p': o->password_stdin = 1; break;
		case 'a': o->actions = optarg; break;
		case 'P': o->purposes = optarg; break;
		case 'd': {
			char *end;

			errno = 0;
			o->days = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || o->days < 1 ||
			    o->days > DAYS_MAX)
				return cli_usage_error(cli, "--days is a number of days, 1 to %d",
						       DAYS_MAX);
			break;
		}
		default: break;
		}
	}
	if (argc - optind != want_args)
		return cli_usage_error(cli, "wrong number of arguments; see 'sargs %s %s --help'",
				       group, argv[0]);
	for (int i = 0; i < want_args; i++)
		o->args[o->n_args++] = argv[optind + i];
	return EXIT_OK;
}

/* ---- passwords */

/* Reads one line into buf; 1 when read, 0 at end of input, -1 when too long. */
static int read_line(FILE *in, char *buf, size_t size)
{
	size_t len;

	if (fgets(buf, (int)size, in) == NULL) {
		sargs_wipe(buf, size);  /* a read error may leave part of a line */
		return 0;
	}
	len = strlen(buf);
	if (len > 0 && buf[len - 1] == '\n') {
		buf[--len] = '\0';
	} else if (len == size - 1 && !feof(in)) {
		int c;

		/* too long: drop the rest of the line, say so */
		while ((c = fgetc(in)) != EOF && c != '\n')
			;
		sargs_wipe(buf, size);
		return -1;
	}
	if (len > 0 && buf[len - 1] == '\r')
		buf[--len] = '\0';
	return 1;
}

/* Reads a line from the terminal without echo after printing prompt. */
static int read_hidden(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	int r, restored;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(STDIN_FILENO, &old) != 0)
		return 0;
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0)
		return 0;
	r = read_line(stdin, buf, size);
	restored = tcsetattr(STDIN_FILENO, TCSAFLUSH, &old) == 0;
	return restored ? r : 0;
}

/*
 * Reads the new password of user into buf (PW_BUF bytes): from standard
 * input's first line, or twice from the terminal. Prints the problem and
 * returns its exit status on failure.
 */
static int read_password(struct cli *cli, const char *user, int from_stdin, char *buf)
{
	char again[PW_BUF], prompt[128];
	int r, same;

	/*
	 * Unbuffered, so that no copy of the password stays behind in stdio's
	 * buffer, where it could not be wiped. Nothing reads standard input
	 * before this.
	 */
	(void)setvbuf(stdin, NULL, _IONBF, 0);
	if (from_stdin) {
		r = read_line(stdin, buf, PW_BUF);
		if (r == 0)
			return cli_usage_error(cli, "no password on standard input (--password-stdin"
						    " reads its first line)");
		if (r < 0)
			return cli_usage_error(cli, "the password is longer than %d bytes",
					       SARGS_PW_MAX);
		return EXIT_OK;
	}
	if (!isatty(STDIN_FILENO))
		return cli_usage_error(cli, "standard input is not a terminal: type the password"
					    " at a terminal, or give it on standard input with"
					    " --password-stdin");
	(void)snprintf(prompt, sizeof(prompt), "New password for %s: ", user);
	r = read_hidden(prompt, buf, PW_BUF);
	if (r == 1)
		r = read_hidden("Again: ", again, sizeof(again));
	if (r != 1) {
		sargs_wipe(buf, PW_BUF);
		sargs_wipe(again, sizeof(again));
		return cli_usage_error(cli, r < 0 ? "the password is longer than %d bytes"
						  : "no password read (at most %d bytes)",
				       SARGS_PW_MAX);
	}
	same = strcmp(buf, again) == 0;
	sargs_wipe(again, sizeof(again));
	if (!same) {
		sargs_wipe(buf, PW_BUF);
		fprintf(stderr, "sargs: the two passwords differ; nothing was changed\n");
		return EXIT_INVALID;
	}
	return EXIT_OK;
}

/* ---- JSON helpers */

/* "a,b" as ["a","b"]. */
static json_t *list_json(const char *list)
{
	json_t *a = json_array();
	const char *p = list;

	while (a != NULL && p != NULL && *p != '\0') {
		const char *comma = strchr(p, ',');
		size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);

		(void)json_array_append_new(a, json_stringn(p, len));
		p = comma != NULL ? comma + 1 : NULL;
	}
	return a;
}

/* Prints {"ok": true, ...what} under --json, else the sentence. */
static int done_msg(struct cli *cli, json_t *what, const char *sentence)
{
	if (cli->json) {
		if (what == NULL)
			what = json_object();
		(void)json_object_set_new(what, "ok", json_true());
		return cli_print_json(what);
	}
	json_decref(what);
	printf("%s\n", sentence);
	return EXIT_OK;
}

/* ================= staff */

static const char staff_help[] =
	"Usage: sargs staff COMMAND [OPTIONS]\n"
	"\n"
	"Staff accounts: every person has an own account (seed 002; 004 §18i) with\n"
	"a role ('sargs role list') and a password, kept only as an Argon2id hash.\n"
	"Five wrong passwords in a row lock an account for 15 minutes. See\n"
	"docs/staff.md.\n";

static const char staff_add_help[] =
	"Usage: sargs staff add NAME --role ROLE [--lang lv|en] [--password-stdin]\n"
	"\n"
	"Adds a staff account. NAME is 1-64 characters of a-z, 0-9, '.', '_', '-'.\n"
	"The password is asked for twice at the terminal (not shown), or read from\n"
	"the first line of standard input with --password-stdin. It needs at\n"
	"least 12 characters (a phrase of a few words is easy to remember), and\n"
	"may not be the user name, a common password or a simple pattern.\n"
	"\n"
	"  --role ROLE        what the person may do (owner, dpo, cashier, marketing\n"
	"                     or a role made with 'sargs role set')\n"
	"  --lang lv|en       the console's language (default lv)\n"
	"  --password-stdin   read the password from standard input\n";

/* Refuses an existing account name or an unknown role before asking for a password. */
static int check_new_account(struct cli *cli, struct sargs_reg *reg, const char *name,
			     const char *role)
{
	struct sargs_staff st;
	struct sargs_role r;
	struct sargs_err err;

	sargs_err_clear(&err);
	if (sargs_staff_get(reg, name, &st, &err) == SARGS_OK) {
		(void)sargs_err_set(&err, SARGS_E_EXISTS, "a staff account '%s' exists", name);
		return cli_fail(cli, &err);
	}
	if (sargs_role_get(reg, role, &r, &err) != SARGS_OK) {
		if (err.rc == SARGS_E_NOTFOUND)
			(void)sargs_err_set(&err, SARGS_E_INVALID,
					    "no role '%.64s' (see 'sargs role list')", role);
		return cli_fail(cli, &err);
	}
	return EXIT_OK;
}

static int staff_add(struct cli *cli, int argc, char **argv)
{
	struct sopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	char pw[PW_BUF], msg[256];
	int done, rc = parse(cli, "staff", argc, argv, "rlp", 1, staff_add_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if (o.role == NULL)
		return cli_usage_error(cli, "give --role; see 'sargs role list'");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	/* what can be told before the password is typed, is */
	if ((rc = check_new_account(cli, reg, o.args[0], o.role)) != EXIT_OK ||
	    (rc = read_password(cli, o.args[0], o.password_stdin, pw)) != EXIT_OK)
		return cli_close(reg, rc);
	sargs_err_clear(&err);
	if (sargs_staff_add(reg, o.args[0], o.role, o.lang, pw, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	sargs_wipe(pw, sizeof(pw));
	if (rc == EXIT_OK) {
		(void)snprintf(msg, sizeof(msg), "added staff account %s (role %s)", o.args[0],
			       o.role);
		rc = done_msg(cli, json_pack("{s:s, s:s}", "name", o.args[0], "role", o.role), msg);
	}
	sargs_reg_close(reg);
	return rc;
}

static const char staff_list_help[] =
	"Usage: sargs [--json] staff list\n"
	"\n"
	"Lists the staff accounts: role, language, whether disabled or locked, the\n"
	"failed sign-ins in a row, and the last sign-in.\n";

static int staff_list(struct cli *cli, int argc, char **argv)
{
	struct sopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	struct sargs_staff *items = NULL;
	size_t n = 0;
	int done, rc = parse(cli, "staff", argc, argv, "", 0, staff_list_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_staff_list(reg, &items, &n, &err) != SARGS_OK)
		return cli_close(reg, cli_fail(cli, &err));
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			(void)json_array_append_new(
				a, json_pack("{s:s, s:s, s:s, s:b, s:i, s:o, s:o, s:o}", "name",
					     items[i].name, "role", items[i].role, "lang",
					     items[i].lang, "disabled", items[i].disabled, "failed",
					     items[i].failed, "locked_until",
					     cli_json_time(items[i].locked_until_us), "created",
					     cli_json_time(items[i].created_us), "last_login",
					     cli_json_time(items[i].last_login_us)));
		rc = cli_print_json(a);
	} else {
		if (n == 0)
			printf("no staff accounts; add one with 'sargs staff add'\n");
		for (size_t i = 0; i < n; i++) {
			char last[SARGS_TIME_STR] = "never", locked[SARGS_TIME_STR];

			if (items[i].last_login_us != 0)
				sargs_time_format(items[i].last_login_us, last, sizeof(last));
			if (items[i].locked_until_us != 0)
				sargs_time_format(items[i].locked_until_us, locked, sizeof(locked));
			printf("%-24s role %-12s %s  last sign-in %.16s%s%s%s\n", items[i].name,
			       items[i].role, items[i].lang, last,
			       items[i].disabled ? "  DISABLED" : "",
			       items[i].locked_until_us != 0 ? "  LOCKED until " : "",
			       items[i].locked_until_us != 0 ? locked : "");
		}
	}
	free(items);
	sargs_reg_close(reg);
	return rc;
}

static const char staff_passwd_help[] =
	"Usage: sargs staff passwd NAME [--password-stdin]\n"
	"\n"
	"Sets a new password for an account (the same rules as 'staff add'),\n"
	"opens a lock, and ends the account's sessions everywhere.\n"
	"\n"
	"  --password-stdin   read the password from standard input\n";

static int staff_passwd(struct cli *cli, int argc, char **argv)
{
	struct sopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	struct sargs_staff st;
	char pw[PW_BUF], msg[256];
	int done, rc = parse(cli, "staff", argc, argv, "p", 1, staff_passwd_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	/* no password is asked for an account that does not exist */
	if (sargs_staff_get(reg, o.args[0], &st, &err) != SARGS_OK)
		return cli_close(reg, cli_fail(cli, &err));
	if ((rc = read_password(cli, o.args[0], o.password_stdin, pw)) != EXIT_OK)
		return cli_close(reg, rc);
	if (sargs_staff_passwd(reg, o.args[0], pw, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	sargs_wipe(pw, sizeof(pw));
	if (rc == EXIT_OK) {
		(void)snprintf(msg, sizeof(msg),
			       "new password set for %s; its sessions have ended", o.args[0]);
		rc = done_msg(cli, json_pack("{s:s}", "name", o.args[0]), msg);
	}
	sargs_reg_close(reg);
	return rc;
}

static const char staff_role_help[] =
	"Usage: sargs staff role NAME ROLE\n"
	"\n"
	"Gives an account another role; it applies to its open sessions at once.\n";

static int staff_role(struct cli *cli, int argc, char **argv)
{
	struct sopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	char msg[256];
	int done, rc = parse(cli, "staff", argc, argv, "", 2, staff_role_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_staff_set_role(reg, o.args[0], o.args[1], &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else {
		(void)snprintf(msg, sizeof(msg), "%s now has the role %s", o.args[0], o.args[1]);
		rc = done_msg(cli, json_pack("{s:s, s:s}", "name", o.args[0], "role", o.args[1]),
			      msg);
	}
	sargs_reg_close(reg);
	return rc;
}

static const char staff_disable_help[] =
	"Usage: sargs staff disable NAME\n"
	"\n"
	"Disables an account (when a person leaves): it can no longer sign in and\n"
	"its sessions end at once. The account stays, as the actor of its audit\n"
	"entries; 'staff enable' opens it again.\n";

static const char staff_enable_help[] =
	"Usage: sargs staff enable NAME\n"
	"\n"
	"Enables a disabled account again.\n";

static const char staff_unlock_help[] =
	"Usage: sargs staff unlock NAME\n"
	"\n"
	"Opens an account locked after five wrong passwords in a row, before its\n"
	"15 minutes are over, and clears the count.\n";

/* disable, enable, unlock: one NAME, one call. */
static int staff_simple(struct cli *cli, int argc, char **argv, const char *help, int which)
{
	struct sopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	enum sargs_rc r;
	char msg[256];
	int done, rc = parse(cli, "staff", argc, argv, "", 1, help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	r = which == 2 ? sargs_staff_unlock(reg, o.args[0], &err)
		       : sargs_staff_disable(reg, o.args[0], which, &err);
	if (r != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else {
		(void)snprintf(msg, sizeof(msg), "%s %s", o.args[0],
			       which == 2 ? "unlocked"
			       : which   ? "disabled; its sessions have ended"
					 : "enabled");
		rc = done_msg(cli, json_pack("{s:s}", "name", o.args[0]), msg);
	}
	sargs_reg_close(reg);
	return rc;
}

static int staff_disable(struct cli *cli, int argc, char **argv)
{
	return staff_simple(cli, argc, argv, staff_disable_help, 1);
}

static int staff_enable(struct cli *cli, int argc, char **argv)
{
	return staff_simple(cli, argc, argv, staff_enable_help, 0);
}

static int staff_unlock(struct cli *cli, int argc, char **argv)
{
	return staff_simple(cli, argc, argv, staff_unlock_help, 2);
}

static const struct cli_cmd staff_table[] = {
	{"add", staff_add, "add a staff account"},
	{"list", staff_list, "list the staff accounts"},
	{"passwd", staff_passwd, "set a new password (ends the account's sessions)"},
	{"role", staff_role, "give an account another role"},
	{"disable", staff_disable, "disable an account (ends its sessions)"},
	{"enable", staff_enable, "enable a disabled account"},
	{"unlock", staff_unlock, "open a locked account"},
	{NULL, NULL, NULL},
};

int cmd_staff(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "staff", staff_help, staff_table, argc, argv);
}

/* ================= role */

static const char role_help[] =
	"Usage: sargs role COMMAND [OPTIONS]\n"
	"\n"
	"Roles: which actions a staff member may take, and for which purposes.\n"
	"Every register starts with owner, dpo, cashier and marketing. See\n"
	"docs/staff.md for the actions.\n";

static const char role_list_help[] =
	"Usage: sargs [--json] role list\n"
	"\n"
	"Lists the roles with their actions and purposes ('*': every purpose).\n";

static int role_list(struct cli *cli, int argc, char **argv)
{
	struct sopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	struct sargs_role *items = NULL;
	size_t n = 0;
	int done, rc = parse(cli, "role", argc, argv, "", 0, role_list_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_role_list(reg, &items, &n, &err) != SARGS_OK)
		return cli_close(reg, cli_fail(cli, &err));
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			(void)json_array_append_new(
				a, json_pack("{s:s, s:o, s:o}", "name", items[i].name, "actions",
					     list_json(items[i].actions), "purposes",
					     list_json(items[i].purposes)));
		rc = cli_print_json(a);
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%s\n  actions:  %s\n  purposes: %s\n", items[i].name,
			       items[i].actions, items[i].purposes);
	}
	free(items);
	sargs_reg_close(reg);
	return rc;
}

static const char role_set_help[] =
	"Usage: sargs role set NAME --actions A,B --purposes P,Q|*\n"
	"\n"
	"Creates or changes a role. It applies to every account with the role at\n"
	"once, open sessions too.\n"
	"\n"
	"  --actions A,B     what the role may do: subject.read,\n"
	"                    subject.read_special (also special categories of\n"
	"                    data, GDPR Art. 9; no built-in role has it),\n"
	"                    subject.write, consent.write, purchase.write,\n"
	"                    request.read, request.write, campaign.read,\n"
	"                    campaign.export, import, audit.read, registry.read,\n"
	"                    staff.manage\n"
	"  --purposes P,Q    for which purposes (ids from 'sargs purpose list'),\n"
	"                    or '*' for every purpose\n";

static int role_set(struct cli *cli, int argc, char **argv)
{
	struct sopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	struct sargs_role r;
	char msg[256];
	int done, rc = parse(cli, "role", argc, argv, "aP", 1, role_set_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if (o.actions == NULL || o.purposes == NULL)
		return cli_usage_error(cli, "give --actions and --purposes; see 'sargs role set"
					    " --help'");
	memset(&r, 0, sizeof(r));
	if (strlen(o.args[0]) >= sizeof(r.name) || strlen(o.actions) >= sizeof(r.actions) ||
	    strlen(o.purposes) >= sizeof(r.purposes))
		return cli_usage_error(cli, "the name or a list is too long");
	(void)snprintf(r.name, sizeof(r.name), "%s", o.args[0]);
	(void)snprintf(r.actions, sizeof(r.actions), "%s", o.actions);
	(void)snprintf(r.purposes, sizeof(r.purposes), "%s", o.purposes);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_role_set(reg, &r, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else {
		(void)snprintf(msg, sizeof(msg), "role %s set", r.name);
		rc = done_msg(cli,
			      json_pack("{s:s, s:o, s:o}", "name", r.name, "actions",
					list_json(r.actions), "purposes", list_json(r.purposes)),
			      msg);
	}
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd role_table[] = {
	{"list", role_list, "list the roles"},
	{"set", role_set, "create or change a role"},
	{NULL, NULL, NULL},
};

int cmd_role(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "role", role_help, role_table, argc, argv);
}

/* ================= token */

static const char token_help[] =
	"Usage: sargs token COMMAND [OPTIONS]\n"
	"\n"
	"API tokens for systems (a web shop): each may take only the actions and\n"
	"purposes it was issued for. The register keeps only a keyed hash of a\n"
	"token: it is shown once, when issued. See docs/staff.md.\n";

static const char token_issue_help[] =
	"Usage: sargs token issue NAME --actions A,B --purposes P,Q [--days N]\n"
	"\n"
	"Issues an API token and prints it once (\"sgt_\" and 43 characters): store\n"
	"it in the system that uses it; it cannot be shown again. A token names\n"
	"its purposes ('*' is not allowed).\n"
	"\n"
	"  --actions A,B    what the token may do (see 'sargs role set --help')\n"
	"  --purposes P,Q   for which purposes (ids from 'sargs purpose list')\n"
	"  --days N         expires after N days (1-3650; default: does not expire)\n";

static int token_issue(struct cli *cli, int argc, char **argv)
{
	struct sopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	struct sargs_apitoken t;
	char secret[SARGS_SECRET_STR];
	int done, rc = parse(cli, "token", argc, argv, "aPd", 1, token_issue_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if (o.actions == NULL || o.purposes == NULL)
		return cli_usage_error(cli, "give --actions and --purposes; see 'sargs token issue"
					    " --help'");
	memset(&t, 0, sizeof(t));
	if (strlen(o.args[0]) >= sizeof(t.name) || strlen(o.actions) >= sizeof(t.actions) ||
	    strlen(o.purposes) >= sizeof(t.purposes))
		return cli_usage_error(cli, "the name or a list is too long");
	(void)snprintf(t.name, sizeof(t.name), "%s", o.args[0]);
	(void)snprintf(t.actions, sizeof(t.actions), "%s", o.actions);
	(void)snprintf(t.purposes, sizeof(t.purposes), "%s", o.purposes);
	if (o.days > 0)
		t.expires_us = sargs_time_now_us() + (int64_t)o.days * DAY_US;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_apitoken_issue(reg, &t, secret, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else if (cli->json) {
		rc = cli_print_json(json_pack("{s:b, s:s, s:s, s:o}", "ok", 1, "name", t.name,
					      "token", secret, "expires",
					      cli_json_time(t.expires_us)));
	} else {
		printf("%s\n", secret);
		fprintf(stderr, "issued token %s; it is shown only now: store it in the system"
				" that uses it\n",
			t.name);
	}
	sargs_wipe(secret, sizeof(secret));
	sargs_reg_close(reg);
	return rc;
}

static const char token_list_help[] =
	"Usage: sargs [--json] token list\n"
	"\n"
	"Lists the API tokens (never their secrets): actions, purposes, when\n"
	"issued, when they expire, and whether revoked.\n";

static const char *token_state(const struct sargs_apitoken *t, int64_t now)
{
	if (t->revoked)
		return "revoked";
	if (t->expires_us != 0 && now >= t->expires_us)
		return "expired";
	return "active";
}

static int token_list(struct cli *cli, int argc, char **argv)
{
	struct sopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	struct sargs_apitoken *items = NULL;
	size_t n = 0;
	int64_t now = sargs_time_now_us();
	int done, rc = parse(cli, "token", argc, argv, "", 0, token_list_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_apitoken_list(reg, &items, &n, &err) != SARGS_OK)
		return cli_close(reg, cli_fail(cli, &err));
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			(void)json_array_append_new(
				a, json_pack("{s:s, s:o, s:o, s:o, s:o, s:b, s:s}", "name",
					     items[i].name, "actions", list_json(items[i].actions),
					     "purposes", list_json(items[i].purposes), "created",
					     cli_json_time(items[i].created_us), "expires",
					     cli_json_time(items[i].expires_us), "revoked",
					     items[i].revoked, "state", token_state(&items[i], now)));
		rc = cli_print_json(a);
	} else {
		if (n == 0)
			printf("no API tokens; issue one with 'sargs token issue'\n");
		for (size_t i = 0; i < n; i++) {
			char created[SARGS_TIME_STR], expires[SARGS_TIME_STR] = "never";

			sargs_time_format(items[i].created_us, created, sizeof(created));
			if (items[i].expires_us != 0)
				sargs_time_format(items[i].expires_us, expires, sizeof(expires));
			printf("%-24s %-8s issued %.10s  expires %.10s\n  actions:  %s\n"
			       "  purposes: %s\n",
			       items[i].name, token_state(&items[i], now), created, expires,
			       items[i].actions, items[i].purposes);
		}
	}
	free(items);
	sargs_reg_close(reg);
	return rc;
}

static const char token_revoke_help[] =
	"Usage: sargs token revoke NAME\n"
	"\n"
	"Revokes an API token: it is refused from now on. Its name is kept (and\n"
	"not reused), so the audit entries of its calls still say which it was.\n";

static int token_revoke(struct cli *cli, int argc, char **argv)
{
	struct sopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	char msg[256];
	int done, rc = parse(cli, "token", argc, argv, "", 1, token_revoke_help, &o, &done);

	if (rc != EXIT_OK || done)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_apitoken_revoke(reg, o.args[0], &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
	} else {
		(void)snprintf(msg, sizeof(msg), "token %s revoked", o.args[0]);
		rc = done_msg(cli, json_pack("{s:s}", "name", o.args[0]), msg);
	}
	sargs_reg_close(reg);
	return rc;
}

static const struct cli_cmd token_table[] = {
	{"issue", token_issue, "issue an API token (shown once)"},
	{"list", token_list, "list the API tokens"},
	{"revoke", token_revoke, "revoke an API token"},
	{NULL, NULL, NULL},
};

int cmd_token(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "token", token_help, token_table, argc, argv);
}
