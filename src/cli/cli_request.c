/*
 * cli_request.c — `sargs request new|list|show|ask|verify|extend|refuse|fee|
 * paid|assign|fulfil|overdue`: the register of data subjects' requests
 * (domain/request.h).
 *
 * Who asked (name and contact) is read as JSON from standard input
 * (--requester-json -), and corrected fields likewise (--fields-json -), so
 * that personal data stays out of the process list and shell history.
 */
#include "cli/cli.h"
#include "crypto/keys.h"
#include "domain/request.h"
#include "util/timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define STDIN_LIMIT (64u * 1024u)
#define MAX_CODES 16
#define MAX_SET 256

static const char request_help[] =
	"Usage: sargs [--json] request COMMAND [OPTIONS]\n"
	"\n"
	"The register of data subjects' requests (GDPR Art. 12-22; 004 §8-17): how\n"
	"and when each arrived, who asked (encrypted), the identity checks, the\n"
	"deadline (one month from receipt, Latvian working days), and the answer.\n"
	"States: received, verifying, verified, extended, fee_requested, then\n"
	"fulfilled or refused.\n";

/* ---- helpers */

/* The one positional argument N after the options. */
static int take_id(struct cli *cli, int argc, char **argv, const char *cmd, int64_t *id)
{
	*id = 0;
	if (argc - optind != 1)
		return cli_usage_error(cli, "give the request number; see 'sargs request %s --help'",
				       cmd);
	return cli_parse_id(cli, "request", argv[optind], id);
}

static int unknown_option(struct cli *cli, char **argv, const char *cmd)
{
	return cli_usage_error(cli, "unknown option or missing value '%s'; see 'sargs request %s"
				    " --help'",
			       argv[optind - 1], cmd);
}

static int lang_ok(const char *lang)
{
	return strcmp(lang, "lv") == 0 || strcmp(lang, "en") == 0;
}

/* Reads standard input (at most STDIN_LIMIT bytes) as a JSON object. */
static int json_from_stdin(struct cli *cli, json_t **out)
{
	json_error_t jerr;
	char *buf = malloc(STDIN_LIMIT + 1);
	size_t n;

	*out = NULL;
	if (buf == NULL)
		return cli_usage_error(cli, "out of memory");
	n = fread(buf, 1, STDIN_LIMIT + 1, stdin);
	if (n > STDIN_LIMIT) {
		sargs_wipe(buf, STDIN_LIMIT + 1);
		free(buf);
		return cli_usage_error(cli, "standard input is larger than %u bytes", STDIN_LIMIT);
	}
	*out = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &jerr);
	sargs_wipe(buf, n);
	free(buf);
	if (*out == NULL) {
		int line = jerr.line;

		/* jansson's text quotes the input near the error: personal data */
		sargs_wipe(&jerr, sizeof(jerr));
		return cli_usage_error(cli, "standard input is not valid JSON (line %d)", line);
	}
	if (!json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return cli_usage_error(cli, "standard input must be a JSON object");
	}
	return EXIT_OK;
}

/* Wipes a JSON object's string values (personal data), then frees it. */
static void json_wipe_free(json_t *o)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v) {
		if (json_is_string(v))
			sargs_wipe((char *)json_string_value(v), json_string_length(v));
	}
	json_decref(o);
}

static void wipe_free(char *s)
{
	if (s != NULL) {
		sargs_wipe(s, strlen(s));
		free(s);
	}
}

static void day_str(int32_t day, char *out, size_t size)
{
	sargs_request_day_str(day, out, size);
}

static json_t *request_json(const struct sargs_request *r)
{
	char rs[SARGS_DATE_STR], ds[SARGS_DATE_STR], t[SARGS_TIME_STR];
	json_error_t jerr;
	json_t *o = json_object(), *details = json_loads(r->data, 0, &jerr);

	day_str(r->received_day, rs, sizeof(rs));
	day_str(r->due_day, ds, sizeof(ds));
	json_object_set_new(o, "id", json_integer((json_int_t)r->id));
	json_object_set_new(o, "kind", json_string(r->kind));
	json_object_set_new(o, "state", json_string(r->state));
	json_object_set_new(o, "channel", json_string(r->channel));
	json_object_set_new(o, "received", json_string(rs));
	sargs_time_format(r->received_us, t, sizeof(t));
	json_object_set_new(o, "received_at", json_string(t));
	json_object_set_new(o, "due", json_string(ds));
	json_object_set_new(o, "extended", json_boolean(r->extended));
	json_object_set_new(o, "subject", r->subject_id[0] ? json_string(r->subject_id) : json_null());
	json_object_set_new(o, "purpose", r->purpose[0] ? json_string(r->purpose) : json_null());
	if (r->closed_us != 0) {
		sargs_time_format(r->closed_us, t, sizeof(t));
		json_object_set_new(o, "closed", json_string(t));
	} else {
		json_object_set_new(o, "closed", json_null());
	}
	json_object_set_new(o, "details", details != NULL ? details : json_object());
	return o;
}

/* Prints the request's state after a step (text or JSON). */
static int print_state(struct cli *cli, struct sargs_reg *reg, int64_t id, const char *what,
		       const char *text)
{
	struct sargs_request r;
	struct sargs_err err;
	char ds[SARGS_DATE_STR];

	sargs_err_clear(&err);
	if (sargs_request_get(reg, id, &r, &err) != SARGS_OK)
		return cli_fail(cli, &err);
	if (cli->json) {
		json_t *o = request_json(&r);

		if (text != NULL)
			json_object_set_new(o, "text", json_string(text));
		return cli_print_json(o);
	}
	day_str(r.due_day, ds, sizeof(ds));
	if (text != NULL)
		printf("%s", text);
	else
		printf("request %" PRId64 " %s: %s, due %s\n", r.id, what, r.state, ds);
	if (text != NULL)
		fprintf(stderr, "request %" PRId64 " %s: %s, due %s\n", r.id, what, r.state, ds);
	return EXIT_OK;
}

/* ---- new */

static const char new_help[] =
	"Usage: sargs [--json] request new --kind KIND --channel CHANNEL\n"
	"                 [--received YYYY-MM-DD] [--subject ID] [--purpose PURPOSE]\n"
	"                 [--requester-json -]\n"
	"\n"
	"Records a request as received and prints its number and deadline: one month\n"
	"from receipt (GDPR Art. 12(3)), counted per Reg. 1182/71 Art. 3; a deadline\n"
	"on a Saturday, Sunday or Latvian public holiday (with the one-off days of\n"
	"DIR/holidays.txt) moves to the next working day. The deadline is computed,\n"
	"never typed.\n"
	"\n"
	"  --kind KIND         information, access, rectification, erasure, restriction,\n"
	"                      portability, objection, automated_decision_review,\n"
	"                      consent_withdrawal\n"
	"  --channel CHANNEL   email, post, in_person, phone, web_form, self_service\n"
	"  --received DATE     the day it arrived (default today; not in the future)\n"
	"  --subject ID        who it seems to be (confirmed by 'request verify')\n"
	"  --purpose PURPOSE   objection: the purpose objected to (none: direct\n"
	"                      marketing); consent_withdrawal: the purpose (none: all)\n"
	"  --requester-json -  who asked, from standard input, kept encrypted:\n"
	"                      {\"name\": \"...\", \"contact\": \"...\"}\n";

static int request_new(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{"kind", required_argument, NULL, 'k'},
		{"channel", required_argument, NULL, 'c'},
		{"received", required_argument, NULL, 'r'},
		{"subject", required_argument, NULL, 's'},
		{"purpose", required_argument, NULL, 'p'},
		{"requester-json", required_argument, NULL, 'j'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct sargs_request_input in;
	struct sargs_reg *reg;
	struct sargs_err err;
	json_t *who = NULL;
	int64_t id = 0;
	int ch, rc, from_stdin = 0;

	memset(&in, 0, sizeof(in));
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'k': in.kind = optarg; break;
		case 'c': in.channel = optarg; break;
		case 'r': in.received = optarg; break;
		case 's': in.subject_id = optarg; break;
		case 'p': in.purpose = optarg; break;
		case 'j':
			if (strcmp(optarg, "-") != 0)
				return cli_usage_error(cli, "--requester-json takes '-' (standard input)");
			from_stdin = 1;
			break;
		case 'h': fputs(new_help, stdout); return EXIT_OK;
		default: return unknown_option(cli, argv, "new");
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument; see 'sargs request new --help'");
	if (in.kind == NULL || in.channel == NULL)
		return cli_usage_error(cli, "request new needs --kind and --channel");
	if (from_stdin) {
		const char *key;
		json_t *v;

		if ((rc = json_from_stdin(cli, &who)) != EXIT_OK)
			return rc;
		json_object_foreach(who, key, v) {
			if ((strcmp(key, "name") != 0 && strcmp(key, "contact") != 0) ||
			    !json_is_string(v)) {
				json_wipe_free(who);
				return cli_usage_error(cli, "the requester is {\"name\": string,"
							    " \"contact\": string}");
			}
		}
		in.requester_name = json_string_value(json_object_get(who, "name"));
		in.requester_contact = json_string_value(json_object_get(who, "contact"));
	}
	if ((rc = cli_open(cli, &reg)) != EXIT_OK) {
		json_wipe_free(who);
		return rc;
	}
	sargs_err_clear(&err);
	if (sargs_request_new(reg, &in, &id, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = print_state(cli, reg, id, "recorded", NULL);
	json_wipe_free(who);
	return cli_close(reg, rc);
}

/* ---- list */

static const char list_help[] =
	"Usage: sargs [--json] request list [--open] [--subject ID]\n"
	"\n"
	"Lists requests in order of number: kind, state, channel, date of receipt,\n"
	"deadline and subject. --open: only those not yet fulfilled or refused.\n"
	"Shows nothing of who asked (see 'request show').\n";

struct list_out {
	json_t *arr;
};

static int list_cb(void *ctx, const struct sargs_request *r)
{
	struct list_out *o = ctx;

	if (o->arr != NULL) {
		json_array_append_new(o->arr, request_json(r));
	} else {
		char rs[SARGS_DATE_STR], ds[SARGS_DATE_STR];

		day_str(r->received_day, rs, sizeof(rs));
		day_str(r->due_day, ds, sizeof(ds));
		printf("%-6" PRId64 " %-26s %-14s %-12s %s %s%s %s\n", r->id, r->kind, r->state,
		       r->channel, rs, ds, r->extended ? "*" : " ",
		       r->subject_id[0] ? r->subject_id : "-");
	}
	return 0;
}

static int request_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"open", no_argument, NULL, 'o'},
					     {"subject", required_argument, NULL, 's'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *subject = NULL;
	struct list_out o = {NULL};
	struct sargs_reg *reg;
	struct sargs_err err;
	int ch, rc, open_only = 0;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o': open_only = 1; break;
		case 's': subject = optarg; break;
		case 'h': fputs(list_help, stdout); return EXIT_OK;
		default: return unknown_option(cli, argv, "list");
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument; see 'sargs request list --help'");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	if (cli->json)
		o.arr = json_array();
	else
		printf("%-6s %-26s %-14s %-12s %-10s %-11s %s\n", "N", "KIND", "STATE", "CHANNEL",
		       "RECEIVED", "DUE", "SUBJECT");
	sargs_err_clear(&err);
	if (sargs_request_list(reg, open_only, subject, list_cb, &o, &err) != SARGS_OK) {
		json_decref(o.arr);
		rc = cli_fail(cli, &err);
	} else if (o.arr != NULL) {
		rc = cli_print_json(json_pack("{s:o}", "requests", o.arr));
	}
	return cli_close(reg, rc);
}

/* ---- show */

static const char show_help[] =
	"Usage: sargs [--json] request show N\n"
	"\n"
	"Shows a request with its history and who asked (decrypted; the reading is\n"
	"recorded in the audit trail).\n";

static int event_cb(void *ctx, int64_t time_us, const char *actor, const char *event,
		    const char *detail)
{
	json_t *arr = ctx;
	char t[SARGS_TIME_STR];

	sargs_time_format(time_us, t, sizeof(t));
	json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s}", "time", t, "actor", actor,
					     "event", event, "detail", detail ? detail : ""));
	return 0;
}

static int request_show(struct cli *cli, int argc, char **argv)
{
	struct sargs_request r;
	struct sargs_reg *reg;
	struct sargs_err err;
	char *name = NULL, *contact = NULL;
	json_t *events;
	int64_t id;
	int rc;

	if (cli_wants_help(argc, argv)) {
		fputs(show_help, stdout);
		return EXIT_OK;
	}
	optind = 1;
	if (argc != 2)
		return cli_usage_error(cli, "give the request number; see 'sargs request show --help'");
	if ((rc = cli_parse_id(cli, "request", argv[1], &id)) != EXIT_OK)
		return rc;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	events = json_array();
	if (sargs_request_get(reg, id, &r, &err) != SARGS_OK ||
	    sargs_request_events(reg, id, event_cb, events, &err) != SARGS_OK ||
	    sargs_request_requester(reg, id, &name, &contact, &err) != SARGS_OK) {
		json_decref(events);
		return cli_close(reg, cli_fail(cli, &err));
	}
	if (cli->json) {
		json_t *o = request_json(&r);

		json_object_set_new(o, "requester",
				    r.has_requester
					    ? json_pack("{s:o, s:o}", "name",
							name ? json_string(name) : json_null(),
							"contact",
							contact ? json_string(contact) : json_null())
					    : json_null());
		json_object_set_new(o, "events", events);
		rc = cli_print_json(o);
	} else {
		char rs[SARGS_DATE_STR], ds[SARGS_DATE_STR];
		size_t i;
		json_t *e;

		day_str(r.received_day, rs, sizeof(rs));
		day_str(r.due_day, ds, sizeof(ds));
		printf("Request   %" PRId64 "\n", r.id);
		printf("Kind      %s\n", r.kind);
		printf("State     %s\n", r.state);
		printf("Channel   %s\n", r.channel);
		printf("Received  %s\n", rs);
		printf("Due       %s%s\n", ds, r.extended ? " (extended)" : "");
		printf("Subject   %s\n", r.subject_id[0] ? r.subject_id : "-");
		if (r.purpose[0])
			printf("Purpose   %s\n", r.purpose);
		printf("Requester %s%s%s\n", name ? name : "-", contact ? ", " : "",
		       contact ? contact : "");
		printf("Details   %s\n", r.data);
		printf("History\n");
		json_array_foreach(events, i, e) {
			printf("  %s %-14s %s (%s)\n", json_string_value(json_object_get(e, "time")),
			       json_string_value(json_object_get(e, "event")),
			       json_string_value(json_object_get(e, "detail")),
			       json_string_value(json_object_get(e, "actor")));
		}
		json_decref(events);
		rc = EXIT_OK;
	}
	wipe_free(name);
	wipe_free(contact);
	return cli_close(reg, rc);
}

/* ---- ask, verify, paid */

static const char ask_help[] =
	"Usage: sargs [--json] request ask N --need PROOF [--need PROOF...]\n"
	"\n"
	"In doubt about who asked, asks the person for more and records what was\n"
	"asked (GDPR Art. 12(6); 004 §16.9): id_document, eparaksts, bank_link,\n"
	"in_person, email_confirmation, knowledge_of_account. The request becomes\n"
	"verifying.\n";

static const char verify_help[] =
	"Usage: sargs [--json] request verify N [--subject ID | --no-data]\n"
	"                                       --check CHECK [--check CHECK...]\n"
	"\n"
	"Records that the person was identified without doubt (GDPR Art. 12(6);\n"
	"004 §15.4, §16.9), as which subject, and by which checks: one strong\n"
	"(id_document, eparaksts, bank_link, in_person) or two weak ones\n"
	"(email_confirmation, knowledge_of_account). Only the codes are kept, never\n"
	"what was seen. Nothing is released or changed before this.\n"
	"--subject may be left out when the request names the subject already, or\n"
	"for an information request. --no-data: the person was identified and the\n"
	"register was searched: it holds no data about them; fulfilling the request\n"
	"then answers so (GDPR Art. 15(1)) and changes nothing.\n";

static const char paid_help[] =
	"Usage: sargs [--json] request paid N [--subject ID --check CHECK...]\n"
	"\n"
	"Records that the fee asked was paid; the request becomes verified. When the\n"
	"fee was asked before the person was identified, give the subject and the\n"
	"identity checks now (as for 'request verify').\n";

struct idopts {
	int no_data;
	const char *subject;
	const char *codes[MAX_CODES];
	size_t n;
};

/* Parses --subject/--check/--need for ask, verify and paid. */
static int parse_identity(struct cli *cli, int argc, char **argv, const char *cmd,
			  const char *help, struct idopts *o, int *help_shown)
{
	static const struct option opts[] = {{"subject", required_argument, NULL, 's'},
					     {"check", required_argument, NULL, 'c'},
					     {"need", required_argument, NULL, 'n'},
					     {"no-data", no_argument, NULL, 'N'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	int ch, want_need = strcmp(cmd, "ask") == 0;

	memset(o, 0, sizeof(*o));
	*help_shown = 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(help, stdout);
			*help_shown = 1;
			return EXIT_OK;
		}
		if ((ch == 'n' && !want_need) || ((ch == 'c' || ch == 's') && want_need) ||
		    (ch == 'N' && strcmp(cmd, "verify") != 0) ||
		    (ch != 'n' && ch != 'c' && ch != 's' && ch != 'N'))
			return unknown_option(cli, argv, cmd);
		if (ch == 'N') {
			o->no_data = 1;
		} else if (ch == 's') {
			o->subject = optarg;
		} else {
			if (o->n >= MAX_CODES)
				return cli_usage_error(cli, "too many codes");
			o->codes[o->n++] = optarg;
		}
	}
	return EXIT_OK;
}

static int request_ask(struct cli *cli, int argc, char **argv)
{
	struct idopts o;
	struct sargs_reg *reg;
	struct sargs_err err;
	int64_t id;
	int shown, rc = parse_identity(cli, argc, argv, "ask", ask_help, &o, &shown);

	if (rc != EXIT_OK || shown)
		return rc;
	if ((rc = take_id(cli, argc, argv, "ask", &id)) != EXIT_OK)
		return rc;
	if (o.n == 0)
		return cli_usage_error(cli, "say what the person is asked for (--need)");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_request_ask(reg, id, o.codes, o.n, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = print_state(cli, reg, id, "asked for more", NULL);
	return cli_close(reg, rc);
}

static int request_verify(struct cli *cli, int argc, char **argv)
{
	struct idopts o;
	struct sargs_identity ident;
	struct sargs_reg *reg;
	struct sargs_err err;
	int64_t id;
	int shown, rc = parse_identity(cli, argc, argv, "verify", verify_help, &o, &shown);

	if (rc != EXIT_OK || shown)
		return rc;
	if ((rc = take_id(cli, argc, argv, "verify", &id)) != EXIT_OK)
		return rc;
	if (o.n == 0)
		return cli_usage_error(cli, "name the identity checks made (--check)");
	ident.subject_id = o.subject;
	ident.checks = o.codes;
	ident.n_checks = o.n;
	ident.no_data = o.no_data;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_request_verify(reg, id, &ident, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = print_state(cli, reg, id, "identity verified", NULL);
	return cli_close(reg, rc);
}

static int request_paid(struct cli *cli, int argc, char **argv)
{
	struct idopts o;
	struct sargs_identity ident;
	struct sargs_reg *reg;
	struct sargs_err err;
	int64_t id;
	int shown, rc = parse_identity(cli, argc, argv, "paid", paid_help, &o, &shown);

	if (rc != EXIT_OK || shown)
		return rc;
	if ((rc = take_id(cli, argc, argv, "paid", &id)) != EXIT_OK)
		return rc;
	if (o.subject != NULL && o.n == 0)
		return cli_usage_error(cli, "give the identity checks (--check) with --subject");
	ident.subject_id = o.subject;
	ident.checks = o.codes;
	ident.n_checks = o.n;
	ident.no_data = 0;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_request_paid(reg, id, o.n > 0 ? &ident : NULL, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = print_state(cli, reg, id, "fee paid", NULL);
	return cli_close(reg, rc);
}

/* ---- extend, refuse, fee, assign */

static const char extend_help[] =
	"Usage: sargs [--json] request extend N --reason REASON [--lang lv|en]\n"
	"\n"
	"Extends the deadline by two further months (three months from receipt,\n"
	"counted like the first) and prints the notice that tells the person why\n"
	"(GDPR Art. 12(3); 004 §16.2). Allowed once, only while the first month\n"
	"runs, for a request received, verifying or verified. REASON is a code:\n"
	"complexity or number_of_requests (no free text: it could hold personal\n"
	"data). The notice is in Latvian (default) or English.\n";

static const char refuse_help[] =
	"Usage: sargs [--json] request refuse N --reason REASON [--lang lv|en]\n"
	"\n"
	"Refuses a request, closing it, and prints the answer to the person: the\n"
	"reason and the right to complain to the Data State Inspectorate (Datu valsts\n"
	"inspekcija, Elijas iela 17, Rīga, LV-1050, www.dvi.gov.lv) and to a court\n"
	"(GDPR Art. 12(4); 004 §16.3). REASON: manifestly_unfounded, excessive,\n"
	"identity_not_confirmed, not_the_data_subject, legal_exception.\n";

static const char fee_help[] =
	"Usage: sargs [--json] request fee N --amount EUR --reason REASON\n"
	"\n"
	"Asks a reasonable fee, based on the administrative costs, before the request\n"
	"is carried out (GDPR Art. 12(5), 15(3); 004 §15.2, §16.5-16.7). Answers are\n"
	"free of charge otherwise. REASON: manifestly_unfounded, excessive, or\n"
	"additional_copy (access requests only). EUR like 12.50.\n";

static const char assign_help[] =
	"Usage: sargs [--json] request assign N --to STAFF\n"
	"\n"
	"Records the member of staff (a login name) who handles the request. An\n"
	"objection to a purpose resting on legitimate interests and the review of an\n"
	"automated decision are decided by a person (GDPR Art. 21(1), 22(3);\n"
	"004 §17.3): they must be assigned before they are fulfilled.\n";

static int parse_reason_lang(struct cli *cli, int argc, char **argv, const char *cmd,
			     const char *help, const char **reason, const char **lang,
			     const char **amount, int *shown)
{
	static const struct option opts[] = {{"reason", required_argument, NULL, 'r'},
					     {"lang", required_argument, NULL, 'l'},
					     {"amount", required_argument, NULL, 'a'},
					     {"to", required_argument, NULL, 't'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	const char *allowed = strcmp(cmd, "fee") == 0	 ? "ra"
			      : strcmp(cmd, "assign") == 0 ? "t"
							   : "rl";
	int ch;

	*shown = 0;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (ch == 'h') {
			fputs(help, stdout);
			*shown = 1;
			return EXIT_OK;
		}
		if (ch == '?' || strchr(allowed, ch) == NULL)
			return unknown_option(cli, argv, cmd);
		switch (ch) {
		case 'r': *reason = optarg; break;
		case 'l': *lang = optarg; break;
		case 'a': *amount = optarg; break;
		case 't': *reason = optarg; break;
		default: break;
		}
	}
	if (*lang != NULL && !lang_ok(*lang))
		return cli_usage_error(cli, "--lang is lv or en");
	return EXIT_OK;
}

typedef enum sargs_rc (*reason_step_fn)(struct sargs_reg *reg, int64_t id, const char *reason,
					const char *lang, char **text, struct sargs_err *err);

/* extend, refuse: N --reason [--lang], one step that writes a text to the person. */
static int reason_step(struct cli *cli, int argc, char **argv, const char *cmd, const char *help,
		       const char *reason_usage, reason_step_fn step, const char *what)
{
	const char *reason = NULL, *lang = NULL, *amount = NULL;
	struct sargs_reg *reg;
	struct sargs_err err;
	char *text = NULL;
	int64_t id;
	int shown, rc = parse_reason_lang(cli, argc, argv, cmd, help, &reason, &lang, &amount,
					  &shown);

	if (rc != EXIT_OK || shown)
		return rc;
	if ((rc = take_id(cli, argc, argv, cmd, &id)) != EXIT_OK)
		return rc;
	if (reason == NULL)
		return cli_usage_error(cli, "%s", reason_usage);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (step(reg, id, reason, lang, &text, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = print_state(cli, reg, id, what, text);
	free(text);
	return cli_close(reg, rc);
}

static int request_extend(struct cli *cli, int argc, char **argv)
{
	return reason_step(cli, argc, argv, "extend", extend_help,
			   "give --reason complexity|number_of_requests", sargs_request_extend,
			   "extended");
}

static int request_refuse(struct cli *cli, int argc, char **argv)
{
	return reason_step(cli, argc, argv, "refuse", refuse_help,
			   "give --reason (see 'sargs request refuse --help')", sargs_request_refuse,
			   "refused");
}

/* Parses "12", "12.5" or "12.50" euro into cents. -1 when malformed. */
static int64_t parse_eur(const char *s)
{
	int64_t euros = 0, cents = 0;
	size_t i = 0, digits = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++, digits++) {
		if (euros > INT64_MAX / 1000)
			return -1;
		euros = euros * 10 + (s[i] - '0');
	}
	if (digits == 0)
		return -1;
	if (s[i] == '.' || s[i] == ',') {
		size_t frac = 0;

		for (i++; s[i] >= '0' && s[i] <= '9' && frac < 2; i++, frac++)
			cents = cents * 10 + (s[i] - '0');
		if (frac == 0)
			return -1;
		if (frac == 1)
			cents *= 10;
	}
	if (s[i] != '\0')
		return -1;
	return euros * 100 + cents;
}

static int request_fee(struct cli *cli, int argc, char **argv)
{
	const char *reason = NULL, *lang = NULL, *amount = NULL;
	struct sargs_reg *reg;
	struct sargs_err err;
	int64_t id, cents;
	int shown, rc = parse_reason_lang(cli, argc, argv, "fee", fee_help, &reason, &lang, &amount,
					  &shown);

	if (rc != EXIT_OK || shown)
		return rc;
	if ((rc = take_id(cli, argc, argv, "fee", &id)) != EXIT_OK)
		return rc;
	if (reason == NULL || amount == NULL)
		return cli_usage_error(cli, "request fee needs --amount EUR and --reason");
	cents = parse_eur(amount);
	if (cents < 0)
		return cli_usage_error(cli, "--amount: euro like 12 or 12.50");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_request_fee(reg, id, cents, reason, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = print_state(cli, reg, id, "fee requested", NULL);
	return cli_close(reg, rc);
}

static int request_assign(struct cli *cli, int argc, char **argv)
{
	const char *staff = NULL, *lang = NULL, *amount = NULL;
	struct sargs_reg *reg;
	struct sargs_err err;
	int64_t id;
	int shown, rc = parse_reason_lang(cli, argc, argv, "assign", assign_help, &staff, &lang,
					  &amount, &shown);

	if (rc != EXIT_OK || shown)
		return rc;
	if ((rc = take_id(cli, argc, argv, "assign", &id)) != EXIT_OK)
		return rc;
	if (staff == NULL)
		return cli_usage_error(cli, "request assign needs --to STAFF");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	sargs_err_clear(&err);
	if (sargs_request_assign(reg, id, staff, &err) != SARGS_OK)
		rc = cli_fail(cli, &err);
	else
		rc = print_state(cli, reg, id, "assigned", NULL);
	return cli_close(reg, rc);
}

/* ---- fulfil */

static const char fulfil_help[] =
	"Usage: sargs [--json] request fulfil N [--output FILE] [--format json|html]\n"
	"                 [--lang lv|en] [--disclosures] [--set FIELD=VALUE...]\n"
	"                 [--fields-json -] [--outcome OUTCOME]\n"
	"\n"
	"Carries a verified request out, closes it and prints the answer to the person:\n"
	"  access          the copy of the data (GDPR Art. 15) to --output FILE\n"
	"                  (created 0600, never replaced; else standard output), JSON\n"
	"                  or an HTML report (--format, --lang); --disclosures adds\n"
	"                  the disclosures of the last two years\n"
	"  portability     the data the person provided, JSON (Art. 20), likewise\n"
	"  erasure         erases; the answer says what the law keeps, why and until\n"
	"                  when (Art. 17(3)(b))\n"
	"  restriction     restricts processing (Art. 18)\n"
	"  rectification   corrects fields: --set FIELD=VALUE or --fields-json -\n"
	"                  (a JSON object on standard input) (Art. 16)\n"
	"  objection       records the objection (Art. 21); to a purpose that is not\n"
	"                  direct marketing, after 'request assign', with --outcome\n"
	"                  upheld, overridden_compelling_grounds or\n"
	"                  overridden_legal_claims\n"
	"  automated_decision_review  after 'request assign', with --outcome\n"
	"                  decision_changed or decision_confirmed (Art. 22(3))\n"
	"  consent_withdrawal  withdraws the consent (Art. 7(3))\n"
	"  information     points to the privacy notice (Art. 13-14)\n"
	"Nothing is released or changed before the person's identity is verified\n"
	"(GDPR Art. 12(6)). An answer that does not do what the person asked tells\n"
	"them about the right to complain to the Data State Inspectorate.\n";

static int request_fulfil(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
					     {"format", required_argument, NULL, 'f'},
					     {"lang", required_argument, NULL, 'l'},
					     {"disclosures", no_argument, NULL, 'd'},
					     {"set", required_argument, NULL, 's'},
					     {"fields-json", required_argument, NULL, 'j'},
					     {"outcome", required_argument, NULL, 'u'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct sargs_request_fulfil_opts o;
	struct sargs_request_result res;
	struct sargs_kv *set;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	json_t *fields = NULL;
	size_t n_set = 0;
	int64_t id;
	int ch, rc = EXIT_OK, from_stdin = 0;

	memset(&o, 0, sizeof(o));
	set = calloc(MAX_SET, sizeof(*set));
	if (set == NULL)
		return cli_usage_error(cli, "out of memory");
	optind = 1;
	opterr = 0;
	while (rc == EXIT_OK && (ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *eq;

		switch (ch) {
		case 'o': o.output = optarg; break;
		case 'f':
			if (strcmp(optarg, "json") == 0)
				o.format = SARGS_EXPORT_JSON;
			else if (strcmp(optarg, "html") == 0)
				o.format = SARGS_EXPORT_HTML;
			else
				rc = cli_usage_error(cli, "--format is json or html");
			break;
		case 'l':
			o.lang = optarg;
			if (!lang_ok(optarg))
				rc = cli_usage_error(cli, "--lang is lv or en");
			break;
		case 'd': o.with_disclosures = 1; break;
		case 's':
			eq = strchr(optarg, '=');
			if (eq == NULL || eq == optarg)
				rc = cli_usage_error(cli, "--set takes FIELD=VALUE");
			else if (n_set >= MAX_SET)
				rc = cli_usage_error(cli, "too many fields");
			else {
				*eq = '\0';
				set[n_set].name = optarg;
				set[n_set].value = eq + 1;
				n_set++;
			}
			break;
		case 'j':
			if (strcmp(optarg, "-") != 0)
				rc = cli_usage_error(cli, "--fields-json takes '-' (standard input)");
			from_stdin = 1;
			break;
		case 'u': o.outcome = optarg; break;
		case 'h':
			fputs(fulfil_help, stdout);
			free(set);
			return EXIT_OK;
		default: rc = unknown_option(cli, argv, "fulfil"); break;
		}
	}
	if (rc == EXIT_OK)
		rc = take_id(cli, argc, argv, "fulfil", &id);
	if (rc == EXIT_OK && from_stdin) {
		const char *key;
		json_t *v;

		if ((rc = json_from_stdin(cli, &fields)) == EXIT_OK) {
			json_object_foreach(fields, key, v) {
				if (!json_is_string(v)) {
					rc = cli_usage_error(cli, "field \"%.64s\" must be a JSON string",
							     key);
					break;
				}
				if (n_set >= MAX_SET) {
					rc = cli_usage_error(cli, "too many fields");
					break;
				}
				set[n_set].name = key;
				set[n_set].value = json_string_value(v);
				n_set++;
			}
		}
	}
	if (rc != EXIT_OK)
		goto done;
	o.set = set;
	o.n_set = n_set;
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		goto done;
	sargs_err_clear(&err);
	if (sargs_request_fulfil(reg, id, &o, &res, &err) != SARGS_OK) {
		rc = cli_fail(cli, &err);
		goto done;
	}
	if (cli->json) {
		json_t *out = json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)id, "state",
					"fulfilled", "answer", res.answer ? res.answer : "",
					"output", o.output ? json_string(o.output) : json_null());

		if (out != NULL && res.export != NULL)
			json_object_set_new(out, "export", json_string(res.export));
		rc = cli_print_json(out);
	} else if (res.export != NULL) {
		/* the copy itself on standard output, the answer beside it */
		fwrite(res.export, 1, res.export_len, stdout);
		fprintf(stderr, "request %" PRId64 " fulfilled; the answer:\n%s", id,
			res.answer ? res.answer : "");
		rc = EXIT_OK;
	} else {
		printf("%s", res.answer ? res.answer : "");
		if (o.output != NULL)
			fprintf(stderr, "request %" PRId64 " fulfilled; the copy is in %s\n", id,
				o.output);
		else
			fprintf(stderr, "request %" PRId64 " fulfilled\n", id);
		rc = EXIT_OK;
	}
	sargs_request_result_free(&res);
done:
	if (fields != NULL)
		json_wipe_free(fields);
	free(set);
	if (reg != NULL)
		sargs_reg_close(reg);
	return rc;
}

/* ---- overdue */

static const char overdue_help[] =
	"Usage: sargs [--json] request overdue [--days N]\n"
	"\n"
	"Lists open requests past their deadline and those due within N days\n"
	"(default 7), most urgent first, with the days left (negative: late).\n"
	"Exit status 0 also when some are late; read the list.\n";

struct overdue_out {
	json_t *arr;
	int n;
};

static int overdue_cb(void *ctx, const struct sargs_request *r, int32_t days_left)
{
	struct overdue_out *o = ctx;

	o->n++;
	if (o->arr != NULL) {
		json_t *j = request_json(r);

		json_object_set_new(j, "days_left", json_integer(days_left));
		json_object_set_new(j, "late", json_boolean(days_left < 0));
		json_array_append_new(o->arr, j);
	} else {
		char ds[SARGS_DATE_STR];

		day_str(r->due_day, ds, sizeof(ds));
		printf("%-6" PRId64 " %-26s %-14s %s %5d %s\n", r->id, r->kind, r->state, ds,
		       (int)days_left, days_left < 0 ? "LATE" : (days_left == 0 ? "due today" : ""));
	}
	return 0;
}

static int request_overdue(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {{"days", required_argument, NULL, 'd'},
					     {"help", no_argument, NULL, 'h'},
					     {NULL, 0, NULL, 0}};
	struct overdue_out o = {NULL, 0};
	struct sargs_reg *reg;
	struct sargs_err err;
	long days = 7;
	int ch, rc;

	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		char *end;

		switch (ch) {
		case 'd':
			errno = 0;
			days = strtol(optarg, &end, 10);
			if (errno != 0 || end == optarg || *end != '\0' || days < 0 || days > 366)
				return cli_usage_error(cli, "--days: 0-366");
			break;
		case 'h': fputs(overdue_help, stdout); return EXIT_OK;
		default: return unknown_option(cli, argv, "overdue");
		}
	}
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument; see 'sargs request overdue --help'");
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return rc;
	if (cli->json)
		o.arr = json_array();
	else
		printf("%-6s %-26s %-14s %-10s %5s\n", "N", "KIND", "STATE", "DUE", "DAYS");
	sargs_err_clear(&err);
	if (sargs_request_overdue(reg, (int)days, overdue_cb, &o, &err) != SARGS_OK) {
		json_decref(o.arr);
		rc = cli_fail(cli, &err);
	} else if (o.arr != NULL) {
		rc = cli_print_json(json_pack("{s:i, s:o}", "days", (int)days, "requests", o.arr));
	}
	return cli_close(reg, rc);
}

static const struct cli_cmd table[] = {
	{"new", request_new, "record a request as received, with its deadline"},
	{"list", request_list, "list requests (all, open, or a subject's)"},
	{"show", request_show, "a request, its history and who asked"},
	{"ask", request_ask, "ask the person for more to confirm identity"},
	{"verify", request_verify, "record the identity checks and the subject"},
	{"extend", request_extend, "extend the deadline by two months, with the notice"},
	{"refuse", request_refuse, "refuse, with the answer and the right to complain"},
	{"fee", request_fee, "ask a reasonable fee (unfounded, excessive, copies)"},
	{"paid", request_paid, "record that the fee was paid"},
	{"assign", request_assign, "record who handles the request"},
	{"fulfil", request_fulfil, "carry the request out and print the answer"},
	{"overdue", request_overdue, "late and soon-due requests, most urgent first"},
	{NULL, NULL, NULL}};

int cmd_request(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "request", request_help, table, argc, argv);
}
