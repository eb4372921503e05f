/*
 * cli_breach.c — `sargs breach record|list|show|update|affected|notified|
 * draft|contacts`: the breach register and its 72-hour clock (GDPR
 * Art. 33-34; domain/breach.h).
 */
#include "cli/cli.h"
#include "domain/breach.h"
#include "util/timeutil.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char breach_help[] =
	"Usage: sargs [--json] breach COMMAND [OPTIONS]\n"
	"\n"
	"The breach register (GDPR Art. 33-34; 004 §21-23). Every personal data\n"
	"breach is recorded, whether it is notified or not (Art. 33(5)). The Data\n"
	"State Inspectorate (DVI) is notified within 72 hours of becoming aware,\n"
	"unless the breach is unlikely to result in a risk to people; the people\n"
	"are told when the risk to them is high (Art. 34(1)). 'show' and 'list'\n"
	"give the time left of the 72 hours, or the delay; 'draft' writes the\n"
	"notifications in Latvian or English.\n"
	"\n"
	"The texts (what happened, consequences, measures) are kept as written\n"
	"and never put in the audit trail. Do not write customers' names or\n"
	"other personal data in them: link the affected people with 'affected'.\n";

#define MAX_CATEGORIES SARGS_BREACH_CATEGORIES_MAX

struct bopts {
	struct sargs_breach_input in;
	struct sargs_breach_change ch;
	const char *cats[MAX_CATEGORIES];
	char catbuf[1024];
	const char **subjects;
	size_t n_subjects;
	const char *purpose;
	int all_linked;
	const char *to;
	const char *lang;
	int64_t at_us;
	int dvi, people_flag;
	int64_t id;
};

static int parse_count(struct cli *cli, const char *opt, const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > SARGS_BREACH_COUNT_MAX)
		return cli_usage_error(cli, "%s is an approximate number (0 or more)", opt);
	*out = (int64_t)v;
	return EXIT_OK;
}

/* Splits "c1,c2" into o->cats (pointing into o->catbuf). */
static int parse_categories(struct cli *cli, const char *s, struct bopts *o, size_t *n)
{
	char *save = NULL;
	size_t len = strlen(s);

	*n = 0;
	if (len >= sizeof(o->catbuf))
		return cli_usage_error(cli, "--categories is too long");
	memcpy(o->catbuf, s, len + 1);
	for (char *t = strtok_r(o->catbuf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		if (*n >= MAX_CATEGORIES)
			return cli_usage_error(cli, "at most %d categories", MAX_CATEGORIES);
		o->cats[(*n)++] = t;
	}
	if (*n == 0)
		return cli_usage_error(cli, "--categories names data categories (c1,c2)");
	return EXIT_OK;
}

static const struct option text_options[] = {
	{"aware", required_argument, NULL, 'a'},
	{"what", required_argument, NULL, 'w'},
	{"categories", required_argument, NULL, 'c'},
	{"people", required_argument, NULL, 'p'},
	{"records", required_argument, NULL, 'r'},
	{"consequences", required_argument, NULL, 'C'},
	{"measures", required_argument, NULL, 'm'},
	{"risk", required_argument, NULL, 'R'},
	{"contact", required_argument, NULL, 'k'},
	{"delay-reason", required_argument, NULL, 'D'},
	{"close", no_argument, NULL, 'X'},
	{"subject", required_argument, NULL, 's'},
	{"purpose", required_argument, NULL, 'P'},
	{"all-linked", no_argument, NULL, 'A'},
	{"to", required_argument, NULL, 'T'},
	{"lang", required_argument, NULL, 'L'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}};

static const struct option notified_options[] = {
	{"dvi", no_argument, NULL, 'v'},
	{"people", no_argument, NULL, 'e'},
	{"at", required_argument, NULL, 't'},
	{"delay-reason", required_argument, NULL, 'D'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0}};

/*
 * Parses the options in allowed (their short letters) and, when want_id,
 * the one breach number. *done is set when help was printed.
 */
static int parse(struct cli *cli, int argc, char **argv, const struct option *table,
		 const char *allowed, const char *help, int want_id, struct bopts *o, int *done)
{
	int ch, rc;

	memset(o, 0, sizeof(*o));
	o->in.people = o->in.records = -1;
	o->ch.people = o->ch.records = -1;
	o->lang = "en";
	*done = 0;
	o->subjects = calloc((size_t)argc + 1, sizeof(*o->subjects));
	if (o->subjects == NULL) {
		fprintf(stderr, "sargs: out of memory\n");
		return EXIT_STORE;
	}
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", table, NULL)) != -1) {
		if (ch == 'h') {
			fputs(help, stdout);
			*done = 1;
			return EXIT_OK;
		}
		if (ch == '?' || strchr(allowed, ch) == NULL)
			return cli_usage_error(cli, "unknown option or missing value '%s'; see"
						    " 'sargs breach %s --help'",
					       argv[optind - 1], argv[0]);
		switch (ch) {
		case 'a':
			if (sargs_time_parse(optarg, &o->in.aware_us) != SARGS_OK)
				return cli_usage_error(cli, "--aware is a UTC time YYYY-MM-DDTHH:MMZ");
			break;
		case 'w': o->in.what = o->ch.what = optarg; break;
		case 'c':
			if ((rc = parse_categories(cli, optarg, o, &o->in.n_categories)) != EXIT_OK)
				return rc;
			o->in.categories = o->ch.categories = o->cats;
			o->ch.n_categories = o->in.n_categories;
			break;
		case 'p':
			if ((rc = parse_count(cli, "--people", optarg, &o->in.people)) != EXIT_OK)
				return rc;
			o->ch.people = o->in.people;
			break;
		case 'r':
			if ((rc = parse_count(cli, "--records", optarg, &o->in.records)) != EXIT_OK)
				return rc;
			o->ch.records = o->in.records;
			break;
		case 'C': o->in.consequences = o->ch.consequences = optarg; break;
		case 'm': o->in.measures = o->ch.measures = optarg; break;
		case 'R':
			if (sargs_breach_risk_parse(optarg) == 0)
				return cli_usage_error(cli, "--risk is unlikely, risk or high");
			o->in.risk = o->ch.risk = optarg;
			break;
		case 'k': o->in.contact = o->ch.contact = optarg; break;
		case 'D': o->ch.delay_reason = optarg; break;
		case 'X': o->ch.close = 1; break;
		case 's': o->subjects[o->n_subjects++] = optarg; break;
		case 'P': o->purpose = optarg; break;
		case 'A': o->all_linked = 1; break;
		case 'T':
			if (strcmp(optarg, "dvi") != 0 && strcmp(optarg, "people") != 0)
				return cli_usage_error(cli, "--to is dvi or people");
			o->to = optarg;
			break;
		case 'L':
			if (strcmp(optarg, "lv") != 0 && strcmp(optarg, "en") != 0)
				return cli_usage_error(cli, "--lang is lv or en");
			o->lang = optarg;
			break;
		case 'v': o->dvi = 1; break;
		case 'e': o->people_flag = 1; break;
		case 't':
			if (sargs_time_parse(optarg, &o->at_us) != SARGS_OK)
				return cli_usage_error(cli, "--at is a UTC time YYYY-MM-DDTHH:MMZ");
			break;
		default: break;
		}
	}
	if (!want_id) {
		if (optind != argc)
			return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
		return EXIT_OK;
	}
	if (argc - optind != 1)
		return cli_usage_error(cli, "give the breach number; see 'sargs breach %s --help'",
				       argv[0]);
	return cli_parse_id(cli, "breach", argv[optind], &o->id);
}

static int finish(struct bopts *o, struct sargs_reg *reg, int rc)
{
	free(o->subjects);
	o->subjects = NULL;
	sargs_reg_close(reg);
	return rc;
}

static json_t *opt_string(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *breach_json(const struct sargs_breach *b, int64_t now, int texts)
{
	struct sargs_breach_clock c;
	char text[256];
	json_t *o, *cats = json_array();

	sargs_breach_clock(b, now, &c);
	sargs_breach_clock_text(b, &c, text, sizeof(text));
	for (size_t i = 0; i < b->n_categories; i++)
		(void)json_array_append_new(cats, json_string(b->categories[i]));
	o = json_pack("{s:I, s:o, s:o, s:s, s:o, s:I, s:I, s:I, s:o, s:o, s:o}", "id",
		      (json_int_t)b->id, "aware", cli_json_time(b->aware_us), "recorded",
		      cli_json_time(b->recorded_us), "risk", sargs_breach_risk_id(b->risk),
		      "categories", cats, "people", (json_int_t)b->people, "records",
		      (json_int_t)b->records, "affected", (json_int_t)b->affected,
		      "notified_dvi", cli_json_time(b->notified_dvi_us), "notified_people",
		      cli_json_time(b->notified_people_us), "closed", cli_json_time(b->closed_us));
	if (o == NULL)
		return NULL;
	if (texts) {
		(void)json_object_set_new(o, "what", json_string(b->what));
		(void)json_object_set_new(o, "consequences", json_string(b->consequences));
		(void)json_object_set_new(o, "measures", json_string(b->measures));
		(void)json_object_set_new(o, "contact", opt_string(b->contact));
		(void)json_object_set_new(o, "delay_reason", opt_string(b->delay_reason));
	}
	(void)json_object_set_new(
		o, "clock",
		json_pack("{s:b, s:b, s:o, s:b, s:b, s:I, s:I, s:I, s:I, s:b, s:s}", "dvi_required",
			  c.dvi_required, "people_required", c.people_required, "deadline",
			  cli_json_time(c.deadline_us), "notified", c.notified, "overdue", c.overdue,
			  "minutes_left", (json_int_t)c.minutes_left, "hours_left",
			  (json_int_t)(c.minutes_left / 60), "minutes_late",
			  (json_int_t)c.minutes_late, "hours_late",
			  (json_int_t)((c.minutes_late + 59) / 60), "delay_reason_given",
			  c.delay_reason_given, "text", text));
	return o;
}

/* ---- record */

static const char record_help[] =
	"Usage: sargs breach record --aware YYYY-MM-DDTHH:MMZ --what TEXT\n"
	"                           --categories C1,C2 --people N --records N\n"
	"                           --consequences TEXT --measures TEXT\n"
	"                           --risk unlikely|risk|high [--contact TEXT]\n"
	"\n"
	"Records a personal data breach (GDPR Art. 33(5): every breach is\n"
	"documented, notified or not) and starts its 72-hour clock from --aware,\n"
	"the time (UTC) the business became aware of it; it may lie in the past,\n"
	"not in the future, and cannot be changed later.\n"
	"\n"
	"  --what          what happened: the nature of the breach (Art. 33(3)(a))\n"
	"  --categories    the data categories concerned (ids from the registry,\n"
	"                  'sargs purpose list')\n"
	"  --people        approximate number of people concerned\n"
	"  --records       approximate number of personal data records concerned\n"
	"  --consequences  likely consequences for the people (Art. 33(3)(c))\n"
	"  --measures      measures taken or proposed (Art. 33(3)(d))\n"
	"  --risk          unlikely: no notification needed, still documented;\n"
	"                  risk: notify DVI; high: notify DVI and the people\n"
	"  --contact       the contact point, when not the controller's DPO\n"
	"\n"
	"Do not write customers' names or other personal data in the texts: they\n"
	"describe the incident; link the people with 'sargs breach affected'.\n";

static int breach_record(struct cli *cli, int argc, char **argv)
{
	struct bopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	int64_t id;
	int done, rc = parse(cli, argc, argv, text_options, "awcprCmRk", record_help, 0, &o, &done);

	if (rc != EXIT_OK || done)
		return finish(&o, NULL, rc);
	if (o.in.aware_us == 0 || o.in.what == NULL || o.in.n_categories == 0 ||
	    o.in.people < 0 || o.in.records < 0 || o.in.consequences == NULL ||
	    o.in.measures == NULL || o.in.risk == NULL)
		return finish(&o, NULL,
			      cli_usage_error(cli, "give --aware, --what, --categories, --people,"
						   " --records, --consequences, --measures and"
						   " --risk; see 'sargs breach record --help'"));
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return finish(&o, NULL, rc);
	sargs_err_clear(&err);
	if (sargs_breach_record(reg, &o.in, &id, &err) != SARGS_OK)
		return finish(&o, reg, cli_fail(cli, &err));
	if (cli->json) {
		struct sargs_breach b;

		if (sargs_breach_get(reg, id, &b, &err) != SARGS_OK)
			return finish(&o, reg, cli_fail(cli, &err));
		rc = cli_print_json(breach_json(&b, sargs_time_now_us(), 0));
		sargs_breach_free(&b);
	} else {
		printf("recorded breach %" PRId64 "\n", id);
	}
	return finish(&o, reg, rc);
}

/* ---- list, show */

static const char list_help[] =
	"Usage: sargs breach list\n"
	"\n"
	"Lists every breach with its risk, the people linked to it and its\n"
	"72-hour clock (GDPR Art. 33(1)); the texts are shown by 'show'.\n";

static int breach_list(struct cli *cli, int argc, char **argv)
{
	struct bopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	struct sargs_breach *items = NULL;
	size_t n = 0;
	int64_t now = sargs_time_now_us();
	int done, rc = parse(cli, argc, argv, text_options, "", list_help, 0, &o, &done);

	if (rc != EXIT_OK || done)
		return finish(&o, NULL, rc);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return finish(&o, NULL, rc);
	sargs_err_clear(&err);
	if (sargs_breach_list(reg, &items, &n, &err) != SARGS_OK)
		return finish(&o, reg, cli_fail(cli, &err));
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < n; i++)
			(void)json_array_append_new(a, breach_json(&items[i], now, 0));
		rc = cli_print_json(a);
	} else {
		if (n == 0)
			printf("no breaches recorded\n");
		for (size_t i = 0; i < n; i++) {
			struct sargs_breach_clock c;
			char aware[SARGS_TIME_STR], text[256];

			sargs_breach_clock(&items[i], now, &c);
			sargs_breach_clock_text(&items[i], &c, text, sizeof(text));
			sargs_time_format(items[i].aware_us, aware, sizeof(aware));
			printf("%" PRId64 "  aware %.16sZ  risk %-8s  people %" PRId64
			       "  linked %" PRId64 "%s\n    %s\n",
			       items[i].id, aware, sargs_breach_risk_id(items[i].risk),
			       items[i].people, items[i].affected,
			       items[i].closed_us ? "  closed" : "", text);
		}
	}
	for (size_t i = 0; i < n; i++)
		sargs_breach_free(&items[i]);
	free(items);
	return finish(&o, reg, rc);
}

static const char show_help[] =
	"Usage: sargs breach show N\n"
	"\n"
	"Shows a breach: what happened, the categories and approximate numbers of\n"
	"people and records, consequences, measures, the risk, the notifications\n"
	"and the 72-hour clock: the time left to notify DVI, or, after the 72\n"
	"hours, the delay and whether its reasons are recorded (GDPR Art. 33(1)).\n";

static void print_text(const char *label, const char *text)
{
	printf("%s:\n", label);
	for (const char *p = text; p != NULL && *p;) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		printf("  %.*s\n", len, p);
		p = nl ? nl + 1 : NULL;
	}
}

static int breach_show(struct cli *cli, int argc, char **argv)
{
	struct bopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	struct sargs_breach b;
	struct sargs_breach_clock c;
	int64_t now = sargs_time_now_us();
	char t[SARGS_TIME_STR], text[256];
	int done, rc = parse(cli, argc, argv, text_options, "", show_help, 1, &o, &done);

	if (rc != EXIT_OK || done)
		return finish(&o, NULL, rc);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return finish(&o, NULL, rc);
	sargs_err_clear(&err);
	if (sargs_breach_get(reg, o.id, &b, &err) != SARGS_OK)
		return finish(&o, reg, cli_fail(cli, &err));
	if (cli->json) {
		rc = cli_print_json(breach_json(&b, now, 1));
		sargs_breach_free(&b);
		return finish(&o, reg, rc);
	}
	sargs_breach_clock(&b, now, &c);
	sargs_breach_clock_text(&b, &c, text, sizeof(text));
	printf("breach %" PRId64 "%s\n", b.id, b.closed_us ? " (closed)" : "");
	sargs_time_format(b.aware_us, t, sizeof(t));
	printf("aware:         %s\n", t);
	sargs_time_format(b.recorded_us, t, sizeof(t));
	printf("recorded:      %s\n", t);
	printf("risk:          %s\n", sargs_breach_risk_id(b.risk));
	printf("categories:    ");
	for (size_t i = 0; i < b.n_categories; i++)
		printf("%s%s", i ? "," : "", b.categories[i]);
	printf("\npeople:        about %" PRId64 "\nrecords:       about %" PRId64
	       "\nlinked people: %" PRId64 "\n",
	       b.people, b.records, b.affected);
	if (b.notified_dvi_us) {
		sargs_time_format(b.notified_dvi_us, t, sizeof(t));
		printf("notified DVI:  %s\n", t);
	}
	if (b.notified_people_us) {
		sargs_time_format(b.notified_people_us, t, sizeof(t));
		printf("notified people: %s\n", t);
	} else if (c.people_required) {
		printf("people:        to be told: the risk is high (GDPR Art. 34(1))\n");
	}
	printf("clock:         %s\n", text);
	print_text("what happened", b.what);
	print_text("likely consequences", b.consequences);
	print_text("measures", b.measures);
	if (b.contact != NULL)
		print_text("contact point", b.contact);
	if (b.delay_reason != NULL)
		print_text("reasons for the delay", b.delay_reason);
	sargs_breach_free(&b);
	return finish(&o, reg, EXIT_OK);
}

/* ---- update, notified, affected */

static const char update_help[] =
	"Usage: sargs breach update N [--what TEXT] [--categories C1,C2] [--people N]\n"
	"                             [--records N] [--consequences TEXT]\n"
	"                             [--measures TEXT] [--risk unlikely|risk|high]\n"
	"                             [--contact TEXT] [--delay-reason TEXT] [--close]\n"
	"\n"
	"Updates what the investigation found: texts, numbers, the risk\n"
	"assessment, the reasons for a late notification (GDPR Art. 33(1)), and\n"
	"closes the breach. The awareness time never changes. Audited with the\n"
	"names of the items changed, never their text. --contact \"\" goes back to\n"
	"the controller's DPO.\n";

static int breach_update(struct cli *cli, int argc, char **argv)
{
	struct bopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	int done, rc = parse(cli, argc, argv, text_options, "wcprCmRkDX", update_help, 1, &o, &done);

	if (rc != EXIT_OK || done)
		return finish(&o, NULL, rc);
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return finish(&o, NULL, rc);
	sargs_err_clear(&err);
	if (sargs_breach_update(reg, o.id, &o.ch, &err) != SARGS_OK)
		return finish(&o, reg, cli_fail(cli, &err));
	if (cli->json)
		rc = cli_print_json(json_pack("{s:b, s:I}", "ok", 1, "breach", (json_int_t)o.id));
	else
		printf("updated breach %" PRId64 "\n", o.id);
	return finish(&o, reg, rc);
}

static const char notified_help[] =
	"Usage: sargs breach notified N --dvi|--people [--at YYYY-MM-DDTHH:MMZ]\n"
	"                               [--delay-reason TEXT]\n"
	"\n"
	"Records that the Data State Inspectorate (--dvi) or the affected people\n"
	"(--people) were notified, now or at --at. A notification to DVI after the\n"
	"72 hours needs the reasons for the delay (GDPR Art. 33(1)): give them\n"
	"with --delay-reason, or record them first with 'update'.\n";

static int breach_notified(struct cli *cli, int argc, char **argv)
{
	struct bopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	int done, rc = parse(cli, argc, argv, notified_options, "vetD", notified_help, 1, &o, &done);

	if (rc != EXIT_OK || done)
		return finish(&o, NULL, rc);
	if (o.dvi == o.people_flag)
		return finish(&o, NULL, cli_usage_error(cli, "give --dvi or --people"));
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return finish(&o, NULL, rc);
	sargs_err_clear(&err);
	if (sargs_breach_notified(reg, o.id, o.dvi ? "dvi" : "people", o.at_us, o.ch.delay_reason,
				  &err) != SARGS_OK)
		return finish(&o, reg, cli_fail(cli, &err));
	if (cli->json)
		rc = cli_print_json(json_pack("{s:b, s:I, s:s}", "ok", 1, "breach", (json_int_t)o.id,
					      "notified", o.dvi ? "dvi" : "people"));
	else
		printf("breach %" PRId64 ": notification to %s recorded\n", o.id,
		       o.dvi ? "DVI" : "the people");
	return finish(&o, reg, rc);
}

static const char affected_help[] =
	"Usage: sargs breach affected N --subject ID [--subject ID...]\n"
	"       sargs breach affected N --purpose P --all-linked\n"
	"\n"
	"Links the people a breach affected, by subject id, or everyone linked to\n"
	"purpose P. Only ids are kept; an erased subject's links go with it.\n"
	"Their contacts for the notice come from 'sargs breach contacts'.\n";

static int breach_affected(struct cli *cli, int argc, char **argv)
{
	struct bopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	int64_t added;
	int done, rc = parse(cli, argc, argv, text_options, "sPA", affected_help, 1, &o, &done);

	if (rc != EXIT_OK || done)
		return finish(&o, NULL, rc);
	if ((o.n_subjects > 0) == (o.purpose != NULL) || (o.purpose != NULL) != o.all_linked)
		return finish(&o, NULL,
			      cli_usage_error(cli, "give --subject ID..., or --purpose P"
						   " --all-linked"));
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return finish(&o, NULL, rc);
	sargs_err_clear(&err);
	if (sargs_breach_affect(reg, o.id, o.subjects, o.n_subjects, o.purpose, &added, &err) !=
	    SARGS_OK)
		return finish(&o, reg, cli_fail(cli, &err));
	if (cli->json)
		rc = cli_print_json(json_pack("{s:I, s:I}", "breach", (json_int_t)o.id, "added",
					      (json_int_t)added));
	else
		printf("breach %" PRId64 ": %" PRId64 " newly linked\n", o.id, added);
	return finish(&o, reg, rc);
}

/* ---- draft, contacts */

static const char draft_help[] =
	"Usage: sargs breach draft N --to dvi|people [--lang lv|en]\n"
	"\n"
	"Drafts a notification from what is recorded:\n"
	"  --to dvi     to the Data State Inspectorate, with the contents of GDPR\n"
	"               Art. 33(3)(a)-(d): the nature of the breach with the\n"
	"               categories and approximate numbers of people and records,\n"
	"               the DPO or contact point (controller profile), the likely\n"
	"               consequences, the measures; after 72 hours the reasons for\n"
	"               the delay (Art. 33(1)).\n"
	"  --to people  the plain-language notice to the people affected (Art. 34),\n"
	"               only when the risk is high (Art. 34(1)).\n"
	"The texts recorded are inserted as written. Default language: en.\n";

static int breach_draft(struct cli *cli, int argc, char **argv)
{
	struct bopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	char *text = NULL;
	int done, rc = parse(cli, argc, argv, text_options, "TL", draft_help, 1, &o, &done);

	if (rc != EXIT_OK || done)
		return finish(&o, NULL, rc);
	if (o.to == NULL)
		return finish(&o, NULL, cli_usage_error(cli, "give --to dvi or --to people"));
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return finish(&o, NULL, rc);
	sargs_err_clear(&err);
	if (sargs_breach_draft(reg, o.id, o.to, o.lang, &text, &err) != SARGS_OK)
		return finish(&o, reg, cli_fail(cli, &err));
	if (cli->json)
		rc = cli_print_json(json_pack("{s:I, s:s, s:s, s:s}", "breach", (json_int_t)o.id,
					      "to", o.to, "lang", o.lang, "text", text));
	else
		fputs(text, stdout);
	free(text);
	return finish(&o, reg, rc);
}

static const char contacts_help[] =
	"Usage: sargs breach contacts N --purpose P\n"
	"\n"
	"Lists the contacts (e-mail, phone, postal address) of the people linked\n"
	"to breach N, for the notice of GDPR Art. 34: read for purpose P, only\n"
	"the contact fields it lists and only for people linked to it; each read\n"
	"is audited as \"breach.contacts\". People not linked to P are counted,\n"
	"not read.\n";

static int breach_contacts(struct cli *cli, int argc, char **argv)
{
	struct bopts o;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	struct sargs_breach_contacts c;
	int done, rc = parse(cli, argc, argv, text_options, "P", contacts_help, 1, &o, &done);

	if (rc != EXIT_OK || done)
		return finish(&o, NULL, rc);
	if (o.purpose == NULL)
		return finish(&o, NULL, cli_usage_error(cli, "give --purpose P"));
	if ((rc = cli_open(cli, &reg)) != EXIT_OK)
		return finish(&o, NULL, rc);
	sargs_err_clear(&err);
	if (sargs_breach_contacts(reg, o.id, o.purpose, &c, &err) != SARGS_OK)
		return finish(&o, reg, cli_fail(cli, &err));
	if (cli->json) {
		json_t *a = json_array();

		for (size_t i = 0; i < c.n; i++) {
			json_t *f = json_object();

			for (size_t k = 0; k < c.views[i].n_fields; k++)
				(void)json_object_set_new(f, c.views[i].fields[k].name,
							  json_string(c.views[i].fields[k].value));
			(void)json_array_append_new(a, json_pack("{s:s, s:o}", "id", c.views[i].id,
								 "contacts", f));
		}
		rc = cli_print_json(json_pack("{s:I, s:s, s:o, s:I, s:I}", "breach",
					      (json_int_t)o.id, "purpose", o.purpose, "people", a,
					      "not_linked_to_purpose", (json_int_t)c.not_linked,
					      "refused", (json_int_t)c.refused));
	} else {
		for (size_t i = 0; i < c.n; i++) {
			printf("%s", c.views[i].id);
			for (size_t k = 0; k < c.views[i].n_fields; k++)
				printf("  %s=%s", c.views[i].fields[k].name,
				       c.views[i].fields[k].value);
			printf("\n");
		}
		fprintf(stderr, "%zu read for purpose %s; %" PRId64 " not linked to it (not read)"
				"; %" PRId64 " refused\n",
			c.n, o.purpose, c.not_linked, c.refused);
	}
	sargs_breach_contacts_free(&c);
	return finish(&o, reg, rc);
}

static const struct cli_cmd table[] = {
	{"record", breach_record, "record a breach and start its 72-hour clock"},
	{"list", breach_list, "every breach with its clock"},
	{"show", breach_show, "a breach, its texts and its clock"},
	{"update", breach_update, "record what the investigation found, the delay reason, close"},
	{"affected", breach_affected, "link the affected people (by id or purpose)"},
	{"notified", breach_notified, "record the notification to DVI or to the people"},
	{"draft", breach_draft, "draft the notification to DVI or the people (lv, en)"},
	{"contacts", breach_contacts, "the affected people's contacts, purpose-bound"},
	{NULL, NULL, NULL},
};

int cmd_breach(struct cli *cli, int argc, char **argv)
{
	return cli_dispatch(cli, "breach", breach_help, table, argc, argv);
}
