/*
 * test_legacy.c — a legacy customer list into the zones of 003, and the
 * re-permission campaign: zone rules (one row per rule), bad rows reported
 * by line with nothing stored, duplicates in the file and against the
 * register, whole-import refusals before anything is stored, a failure
 * half-way that undoes its batch and keeps the committed ones, red never in
 * a marketing audience, ask / confirm / purge with the clock moved, and dry
 * runs that change nothing.
 */
#include "testutil.h"

#include "domain/campaign.h"
#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/legacy.h"
#include "domain/register.h"
#include "domain/relation.h"
#include "domain/subject.h"
#include "store/store_rel.h"
#include "util/timeutil.h"

#include <sqlite3.h> /* only to simulate a storage failure (a full disk) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A small registry: a consent newsletter (direct marketing, e-mail), a
 * second marketing purpose on legitimate interests, and a contract purpose
 * (another legal basis, for the purge). */
static const char registry[] =
	"{\"sargs_registry\": 1,"
	" \"fields\": ["
	"  {\"name\": \"first_name\", \"label\": \"First name\", \"category\": \"name\"},"
	"  {\"name\": \"email\", \"label\": \"E-mail\", \"category\": \"contact\", \"type\": \"email\"},"
	"  {\"name\": \"phone\", \"label\": \"Phone\", \"category\": \"contact\", \"type\": \"phone\"},"
	"  {\"name\": \"personal_code\", \"label\": \"Personal code\", \"category\": \"personal_code\","
	"   \"type\": \"personal_code\"}],"
	" \"purposes\": ["
	"  {\"id\": \"newsletter\", \"name\": \"News\", \"description\": \"News by e-mail.\","
	"   \"legal_basis\": \"consent\", \"categories\": [\"name\", \"contact\"],"
	"   \"fields\": [{\"field\": \"email\", \"required\": true},"
	"              {\"field\": \"first_name\", \"required\": false, \"why\": \"To greet you.\"}],"
	"   \"retention\": {\"until\": \"objection\"},"
	"   \"marketing\": {\"channels\": [\"email\"], \"soft_opt_in\": false, \"minors\": false}},"
	"  {\"id\": \"offers\", \"name\": \"Offers\", \"description\": \"Offers to customers.\","
	"   \"legal_basis\": \"legitimate_interests\", \"balancing_test\": \"Customers expect it.\","
	"   \"categories\": [\"contact\"], \"fields\": [{\"field\": \"email\", \"required\": true}],"
	"   \"retention\": {\"until\": \"objection\"}, \"product_line\": \"signs\","
	"   \"marketing\": {\"channels\": [\"email\"], \"soft_opt_in\": true, \"minors\": false}},"
	"  {\"id\": \"service\", \"name\": \"Service\", \"description\": \"The contract.\","
	"   \"legal_basis\": \"contract\", \"categories\": [\"name\", \"contact\", \"personal_code\"],"
	"   \"fields\": [{\"field\": \"email\", \"required\": true},"
	"              {\"field\": \"phone\", \"required\": false, \"why\": \"To call about orders.\"},"
	"              {\"field\": \"personal_code\", \"required\": false, \"why\": \"For invoices.\"}],"
	"   \"retention\": {\"period\": \"P3Y\", \"from\": \"contract_end\"}}]}";

#define T0 1793491200000000LL /* 2026-11-01T00:00:00Z */
#define DAY 86400000000LL

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sargs_err err;

	assert_non_null(fx);
	sargs_time_set_fixed(T0);
	test_tmpdir("legacy", fx->dir, sizeof(fx->dir));
	assert_int_equal(sargs_reg_init(fx->dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(fx->dir, &fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(fx->reg, registry, strlen(registry), NULL, &err),
			 SARGS_OK);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	sargs_reg_close(fx->reg);
	test_rmtree(fx->dir);
	free(fx);
	sargs_time_set_fixed(0);
	return 0;
}

/* ---- helpers */

#define MAX_REPORTS 32

struct reports {
	long line[MAX_REPORTS];
	enum sargs_import_refusal why[MAX_REPORTS];
	char msg[MAX_REPORTS][SARGS_ERR_BYTES];
	size_t n;
	int batches;
};

static void on_refused(void *ctx, long line, enum sargs_import_refusal why, const char *msg)
{
	struct reports *r = ctx;

	assert_true(r->n < MAX_REPORTS);
	r->line[r->n] = line;
	r->why[r->n] = why;
	(void)snprintf(r->msg[r->n], sizeof(r->msg[0]), "%s", msg);
	r->n++;
}

static void on_batch(void *ctx, const struct sargs_import_summary *s)
{
	struct reports *r = ctx;

	(void)s;
	r->batches++;
}

static const char *const news_only[] = {"newsletter"};
static const char *const news_service[] = {"newsletter", "service"};

/* Options for a file with a consent column "Consent" and columns named
 * after the fields. */
static void opts_init(struct sargs_import_opts *o, struct reports *r)
{
	memset(o, 0, sizeof(*o));
	memset(r, 0, sizeof(*r));
	o->purposes = news_only;
	o->n_purposes = 1;
	o->consent_column = "Consent";
	o->on_refused = on_refused;
	o->on_batch = on_batch;
	o->ctx = r;
}

static enum sargs_rc import_text(struct sargs_reg *reg, const char *csv,
				 const struct sargs_import_opts *o, struct sargs_import_summary *s,
				 struct sargs_err *err)
{
	FILE *f = fmemopen((void *)(uintptr_t)csv, strlen(csv), "r");
	enum sargs_rc rc;

	assert_non_null(f);
	sargs_err_clear(err);
	rc = sargs_import_csv(reg, f, o, s, err);
	fclose(f);
	return rc;
}

static int64_t subjects(struct sargs_reg *reg)
{
	int64_t n = -1;

	assert_int_equal(sargs_store_subject_count(reg->store, &n), SARGS_OK);
	return n;
}

static int64_t audit_entries(struct sargs_reg *reg)
{
	int64_t n = -1;

	assert_int_equal(sargs_store_audit_count(reg->store, &n), SARGS_OK);
	return n;
}

/* The id of the one subject with this e-mail. */
static void id_of(struct sargs_reg *reg, const char *email, char id[SARGS_UUID_STR])
{
	char(*ids)[SARGS_UUID_STR] = NULL;
	size_t n = 0;
	struct sargs_err err;

	assert_int_equal(sargs_subject_find(reg, "email", email, &ids, &n, &err), SARGS_OK);
	assert_int_equal(n, 1);
	memcpy(id, ids[0], SARGS_UUID_STR);
	free(ids);
}

static int zone_of(struct sargs_reg *reg, const char *id)
{
	struct sargs_store_facts f;
	void *owned = NULL;

	assert_int_equal(sargs_store_facts_get(reg->store, id, &f, &owned), SARGS_OK);
	free(owned);
	return f.zone;
}

static struct sargs_policy_decision email_check(struct sargs_reg *reg, const char *id)
{
	struct sargs_policy_decision d;
	struct sargs_err err;

	assert_int_equal(sargs_policy_check(reg, id, "newsletter", SARGS_CH_EMAIL, &d, &err),
			 SARGS_OK);
	return d;
}

/* ---- 003: the zone of each status, one row per rule */

struct zone_row {
	const char *rule;
	enum sargs_legacy_status status;
	enum sargs_zone zone;
	enum sargs_consent_state consent;
};

static const struct zone_row zone_rows[] = {
	{"003 red: no consent -> no marketing", SARGS_LEGACY_NONE, SARGS_ZONE_RED,
	 SARGS_CONSENT_NONE},
	{"003 red; GDPR Art. 4(11), Planet49: a pre-ticked box is not consent",
	 SARGS_LEGACY_PRETICKED, SARGS_ZONE_RED, SARGS_CONSENT_PRETICKED},
	{"003 grey: old consent, properly obtained, opt-out offered in every message",
	 SARGS_LEGACY_OPTOUT_OFFERED, SARGS_ZONE_GREY, SARGS_CONSENT_GIVEN},
	{"003 green: consent re-confirmed", SARGS_LEGACY_RECONFIRMED, SARGS_ZONE_GREEN,
	 SARGS_CONSENT_GIVEN},
};

static void test_zone_rules(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(zone_rows) / sizeof(zone_rows[0]); i++) {
		const struct zone_row *r = &zone_rows[i];
		enum sargs_legacy_status back;

		if (sargs_legacy_zone(r->status) != r->zone ||
		    sargs_legacy_consent(r->status) != r->consent)
			fail_msg("rule failed: %s", r->rule);
		assert_int_equal(sargs_legacy_status_parse(sargs_legacy_status_id(r->status), &back),
				 SARGS_OK);
		assert_int_equal(back, r->status);
	}
}

struct value_row {
	const char *rule;
	const char *cell;
	enum sargs_rc rc;
	enum sargs_legacy_status status;
};

static const struct value_row value_rows[] = {
	{"an empty cell: nothing known, red", "", SARGS_OK, SARGS_LEGACY_NONE},
	{"nē", "nē", SARGS_OK, SARGS_LEGACY_NONE},
	{"no, any case", "NO", SARGS_OK, SARGS_LEGACY_NONE},
	{"0", " 0 ", SARGS_OK, SARGS_LEGACY_NONE},
	{"jā", "jā", SARGS_OK, SARGS_LEGACY_OPTOUT_OFFERED},
	{"JĀ: Latvian letters fold too", "JĀ", SARGS_OK, SARGS_LEGACY_OPTOUT_OFFERED},
	{"yes, trimmed", "  Yes\t", SARGS_OK, SARGS_LEGACY_OPTOUT_OFFERED},
	{"1", "1", SARGS_OK, SARGS_LEGACY_OPTOUT_OFFERED},
	{"iepriekš atzīmēts: pre-ticked (003)", "Iepriekš Atzīmēts", SARGS_OK,
	 SARGS_LEGACY_PRETICKED},
	{"apstiprināts", "APSTIPRINĀTS", SARGS_OK, SARGS_LEGACY_RECONFIRMED},
	{"canonical ids", "optout_offered", SARGS_OK, SARGS_LEGACY_OPTOUT_OFFERED},
	{"an extra value from the mapping", "ŅEMTS NO LĪGUMA", SARGS_OK,
	 SARGS_LEGACY_RECONFIRMED},
	{"an extra value overrides a default", "1", SARGS_OK, SARGS_LEGACY_OPTOUT_OFFERED},
	{"unknown values are refused, not guessed", "varbūt", SARGS_E_INVALID, SARGS_LEGACY_NONE},
	{"a prefix is not a match", "jāā", SARGS_E_INVALID, SARGS_LEGACY_NONE},
};

static void test_consent_values(void **state)
{
	static const struct sargs_import_value extra[] = {
		{"ņemts no līguma", SARGS_LEGACY_RECONFIRMED},
		{"1", SARGS_LEGACY_OPTOUT_OFFERED},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(value_rows) / sizeof(value_rows[0]); i++) {
		const struct value_row *r = &value_rows[i];
		enum sargs_legacy_status st = SARGS_LEGACY_NONE;

		if (sargs_legacy_value_status(extra, 2, r->cell, &st) != r->rc ||
		    (r->rc == SARGS_OK && st != r->status))
			fail_msg("rule failed: %s", r->rule);
	}
}

/* ---- importing */

static const char four_rows[] =
	"first_name,email,Consent\n"
	"Anna,anna@example.lv,nē\n"
	"Līga,liga@example.lv,iepriekš atzīmēts\n"
	"Jānis,janis@example.lv,jā\n"
	"Edgars,edgars@example.lv,apstiprināts\n";

struct events {
	int n;
	char event[32];
	char receipt[512];
};

static int event_cb(void *ctx, int64_t seq, const char *purpose, const char *event,
		    int64_t time_us, const char *receipt)
{
	struct events *e = ctx;

	(void)seq;
	(void)purpose;
	(void)time_us;
	e->n++;
	(void)snprintf(e->event, sizeof(e->event), "%s", event);
	(void)snprintf(e->receipt, sizeof(e->receipt), "%s", receipt);
	return 0;
}

static void test_import_zones(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *email;
		enum sargs_zone zone;
		enum sargs_consent_state consent;
		int allowed;
		enum sargs_reason reason;
	} want[] = {
		{"anna@example.lv", SARGS_ZONE_RED, SARGS_CONSENT_NONE, 0, SARGS_R_RED_ZONE},
		{"liga@example.lv", SARGS_ZONE_RED, SARGS_CONSENT_PRETICKED, 0, SARGS_R_RED_ZONE},
		{"janis@example.lv", SARGS_ZONE_GREY, SARGS_CONSENT_GIVEN, 1, SARGS_R_CONSENT_GIVEN},
		{"edgars@example.lv", SARGS_ZONE_GREEN, SARGS_CONSENT_GIVEN, 1,
		 SARGS_R_CONSENT_GIVEN},
	};
	struct sargs_import_opts o;
	struct sargs_import_summary s;
	struct reports rep;
	struct sargs_err err;
	int64_t counts[4];

	opts_init(&o, &rep);
	assert_int_equal(import_text(fx->reg, four_rows, &o, &s, &err), SARGS_OK);
	assert_int_equal(s.rows, 4);
	assert_int_equal(s.imported, 4);
	assert_int_equal(s.refused + s.duplicates, 0);
	assert_int_equal(s.zones[SARGS_ZONE_RED], 2);
	assert_int_equal(s.zones[SARGS_ZONE_GREY], 1);
	assert_int_equal(s.zones[SARGS_ZONE_GREEN], 1);
	assert_string_equal(s.marketing_purpose, "newsletter");
	assert_int_equal(s.delim, ',');
	assert_int_equal(rep.batches, 1);
	assert_int_equal(sargs_zones_count(fx->reg, counts, &err), SARGS_OK);
	assert_int_equal(counts[SARGS_ZONE_RED], 2);
	assert_int_equal(counts[SARGS_ZONE_GREY], 1);
	assert_int_equal(counts[SARGS_ZONE_GREEN], 1);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct sargs_store_consent c;
		struct sargs_policy_decision d;
		struct events ev;
		char id[SARGS_UUID_STR];

		id_of(fx->reg, want[i].email, id);
		assert_int_equal(zone_of(fx->reg, id), want[i].zone);
		assert_int_equal(sargs_store_consent_get(fx->reg->store, id, "newsletter", &c),
				 SARGS_OK);
		assert_int_equal(c.state, want[i].consent);
		assert_true(c.since_us == T0);
		assert_true(c.given_us == (want[i].consent == SARGS_CONSENT_GIVEN ? T0 : 0));
		/* one history event, naming the line and the import, no value */
		memset(&ev, 0, sizeof(ev));
		assert_int_equal(sargs_store_consent_events(fx->reg->store, id, event_cb, &ev),
				 SARGS_OK);
		assert_int_equal(ev.n, 1);
		assert_string_equal(ev.event, "legacy.import");
		assert_non_null(strstr(ev.receipt, "\"zone\":\""));
		assert_non_null(strstr(ev.receipt, s.import_id));
		assert_null(strstr(ev.receipt, "@"));
		assert_null(strchr(ev.receipt, '\n'));
		/* 003: red is never in a marketing audience; grey and green are */
		d = email_check(fx->reg, id);
		if (d.allowed != want[i].allowed || d.reason != want[i].reason)
			fail_msg("%s: allowed %d reason %s", want[i].email, d.allowed,
				 sargs_reason_id(d.reason));
	}
	/* a campaign's audience: grey and green in, red out for the red zone */
	{
		struct sargs_audience_req req = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
		struct sargs_audience aud;

		assert_int_equal(sargs_campaign_audience(fx->reg, &req, 0, &aud, &err), SARGS_OK);
		assert_int_equal(aud.allowed, 2);
		assert_int_equal(aud.excluded[SARGS_R_RED_ZONE], 2);
		sargs_audience_free(&aud);
	}
}

/* Bad rows are reported by line, with nothing stored for them and none of
 * their values in the message; the other rows go in. */
static void test_bad_rows(void **state)
{
	struct fixture *fx = *state;
	static const char csv[] =
		"first_name;email;Consent\n"                 /* 1 */
		"Anna;anna@example.lv;jā\n"                  /* 2 ok */
		"Ilze;ilze@@example.lv;jā\n"                 /* 3 invalid e-mail */
		"Mārtiņš;;jā\n"                              /* 4 e-mail missing */
		"Dace;dace@example.lv\n"                     /* 5 too few fields */
		"Pēteris;pet\"eris@example.lv;jā\n"          /* 6 stray quote */
		"Gints;gints@example.lv;varbūt\n"            /* 7 unknown consent */
		"\"Rūta\nPētersone\";ruta@example.lv;nē\n"   /* 8-9 ok, two lines */
		"Zane;zane@example.lv;1\n";                  /* 10 ok */
	static const struct {
		long line;
		enum sargs_import_refusal why;
		const char *msg;
	} want[] = {
		{3, SARGS_IMPORT_R_INVALID, "field \"email\""},
		{4, SARGS_IMPORT_R_MISSING, "purpose \"newsletter\" requires field \"email\""},
		{5, SARGS_IMPORT_R_COLUMNS, "2 fields, but the header has 3"},
		{6, SARGS_IMPORT_R_CSV, "quote"},
		{7, SARGS_IMPORT_R_CONSENT, "consent column \"Consent\""},
	};
	static const char *const secrets[] = {"ilze", "Mārtiņš", "dace", "eris", "varbūt",
					      "Gints"};
	struct sargs_import_opts o;
	struct sargs_import_summary s;
	struct reports rep;
	struct sargs_err err;
	int64_t before = subjects(fx->reg);

	opts_init(&o, &rep);
	assert_int_equal(import_text(fx->reg, csv, &o, &s, &err), SARGS_OK);
	assert_int_equal(s.rows, 8);
	assert_int_equal(s.imported, 3);
	assert_int_equal(s.refused, 5);
	assert_int_equal(s.refused_by[SARGS_IMPORT_R_INVALID], 1);
	assert_int_equal(s.refused_by[SARGS_IMPORT_R_MISSING], 1);
	assert_int_equal(s.refused_by[SARGS_IMPORT_R_COLUMNS], 1);
	assert_int_equal(s.refused_by[SARGS_IMPORT_R_CSV], 1);
	assert_int_equal(s.refused_by[SARGS_IMPORT_R_CONSENT], 1);
	assert_int_equal(subjects(fx->reg), before + 3);
	assert_int_equal(rep.n, 5);
	for (size_t i = 0; i < rep.n; i++) {
		assert_int_equal(rep.line[i], want[i].line);
		assert_int_equal(rep.why[i], want[i].why);
		if (strstr(rep.msg[i], want[i].msg) == NULL)
			fail_msg("line %ld: \"%s\" lacks \"%s\"", rep.line[i], rep.msg[i], want[i].msg);
		for (size_t k = 0; k < sizeof(secrets) / sizeof(secrets[0]); k++)
			if (strstr(rep.msg[i], secrets[k]) != NULL)
				fail_msg("line %ld: the message shows a value: %s", rep.line[i],
					 rep.msg[i]);
	}
	/* nothing of the refused rows is in the register */
	{
		char(*ids)[SARGS_UUID_STR] = NULL;
		size_t n = 9;

		assert_int_equal(sargs_subject_find(fx->reg, "email", "gints@example.lv", &ids, &n,
						    &err),
				 SARGS_OK);
		assert_int_equal(n, 0);
		free(ids);
		assert_int_equal(sargs_subject_find(fx->reg, "email", "dace@example.lv", &ids, &n,
						    &err),
				 SARGS_OK);
		assert_int_equal(n, 0);
		free(ids);
	}
}

/* 002: one register, no duplicates; a duplicate is reported, never merged */
static void test_duplicates(void **state)
{
	struct fixture *fx = *state;
	static const char csv[] =
		"email,phone,personal_code,Consent\n"
		"anna@example.lv,20000001,,jā\n"                       /* 2 ok */
		"ANNA@Example.LV,,,jā\n"                               /* 3 dup of 2 (e-mail) */
		"other@example.lv,+371 2000 0001,,jā\n"                /* 4 dup of 2 (phone) */
		"old@example.lv,,,nē\n"                                /* 5 dup of register */
		"third@example.lv,,120380-12348,nē\n"                  /* 6 ok */
		"fourth@example.lv,,12038012348,nē\n"                  /* 7 dup of 6 (code) */
		"fifth@example.lv,20000002,,nē\n";                     /* 8 dup of register (phone) */
	static const struct {
		long line;
		const char *msg;
	} want[] = {
		{3, "duplicate of line 2 (same e-mail)"},
		{4, "duplicate of line 2 (same phone)"},
		{5, "duplicate of an existing subject (same e-mail)"},
		{7, "duplicate of line 6 (same personal code)"},
		{8, "duplicate of an existing subject (same phone)"},
	};
	static const char *const both[] = {"newsletter", "service"};
	struct sargs_kv kv_old[] = {{"email", "old@example.lv"}};
	struct sargs_kv kv_ph[] = {{"email", "phone.owner@example.lv"}, {"phone", "+37120000002"}};
	struct sargs_subject_input in;
	struct sargs_import_opts o;
	struct sargs_import_summary s;
	struct reports rep;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	int64_t before;

	memset(&in, 0, sizeof(in));
	in.purposes = both;
	in.n_purposes = 2;
	in.source = "person";
	in.fields = kv_old;
	in.n_fields = 1;
	assert_int_equal(sargs_subject_add(fx->reg, &in, id, &err), SARGS_OK);
	in.fields = kv_ph;
	in.n_fields = 2;
	assert_int_equal(sargs_subject_add(fx->reg, &in, id, &err), SARGS_OK);
	before = subjects(fx->reg);
	opts_init(&o, &rep);
	o.purposes = news_service;
	o.n_purposes = 2;
	assert_int_equal(import_text(fx->reg, csv, &o, &s, &err), SARGS_OK);
	assert_int_equal(s.imported, 2);
	assert_int_equal(s.duplicates, 5);
	assert_int_equal(s.refused, 0);
	assert_int_equal(subjects(fx->reg), before + 2);
	assert_int_equal(rep.n, 5);
	for (size_t i = 0; i < rep.n; i++) {
		assert_int_equal(rep.line[i], want[i].line);
		assert_int_equal(rep.why[i], SARGS_IMPORT_R_DUPLICATE);
		assert_string_equal(rep.msg[i], want[i].msg);
	}
	/* the register's subject is untouched: still one with that e-mail */
	id_of(fx->reg, "old@example.lv", id);
	assert_int_equal(zone_of(fx->reg, id), SARGS_ZONE_NONE);
	/* importing the same file again: every row is a duplicate */
	opts_init(&o, &rep);
	o.purposes = news_service;
	o.n_purposes = 2;
	assert_int_equal(import_text(fx->reg, csv, &o, &s, &err), SARGS_OK);
	assert_int_equal(s.imported, 0);
	assert_int_equal(s.duplicates, 7);
}

/* What would refuse every row refuses the import before anything is stored */
struct whole_row {
	const char *rule;
	const char *const *purposes;
	size_t n_purposes;
	const char *marketing;
	struct sargs_import_column map[2];
	const char *consent_column;
	enum sargs_rc rc;
	const char *msg;
};

static const char *const unknown_p[] = {"newsletter", "loyalty"};
static const char *const service_only[] = {"service"};
static const char *const two_marketing[] = {"newsletter", "offers"};

static const struct whole_row whole_rows[] = {
	{"an unknown purpose: the registry lacks it", unknown_p, 2, NULL, {{NULL, NULL}},
	 "Consent", SARGS_E_NOTFOUND, "no purpose \"loyalty\""},
	{"the zones are about marketing: a marketing purpose is needed", service_only, 1, NULL,
	 {{NULL, NULL}}, "Consent", SARGS_E_INVALID, "none of the purposes is direct marketing"},
	{"two marketing purposes: say which the consent is for", two_marketing, 2, NULL,
	 {{NULL, NULL}}, "Consent", SARGS_E_INVALID, "--marketing-purpose"},
	{"the marketing purpose must be one of the purposes", news_only, 1, "offers",
	 {{NULL, NULL}}, "Consent", SARGS_E_INVALID, "must be one of the purposes"},
	{"GDPR Art. 5(1)(c): a column no purpose needs is refused", news_only, 1, NULL,
	 {{"email", "email"}, {"phone", "phone"}}, "Consent", SARGS_E_DENIED,
	 "data minimisation"},
	{"a mapped column must be in the header", news_only, 1, NULL, {{"E-pasts", "email"}},
	 "Consent", SARGS_E_INVALID, "column \"E-pasts\" is not in the file's header"},
	{"a field that is not in the registry", news_only, 1, NULL, {{"email", "e_mail"}},
	 "Consent", SARGS_E_INVALID, "not a field of the registry"},
	{"a required field must be mapped", news_only, 1, NULL, {{"first_name", "first_name"}},
	 "Consent", SARGS_E_INVALID, "requires field \"email\", and no column"},
	{"the consent column must be in the header", news_only, 1, NULL, {{NULL, NULL}},
	 "Piekrišana", SARGS_E_INVALID, "consent column \"Piekrišana\" is not"},
};

static void test_refused_whole(void **state)
{
	struct fixture *fx = *state;
	static const char csv[] = "first_name,email,phone,Consent\nAnna,anna@example.lv,20000001,jā\n";
	int64_t before = subjects(fx->reg), audit_before = audit_entries(fx->reg);

	for (size_t i = 0; i < sizeof(whole_rows) / sizeof(whole_rows[0]); i++) {
		const struct whole_row *w = &whole_rows[i];
		struct sargs_import_opts o;
		struct sargs_import_summary s;
		struct reports rep;
		struct sargs_err err;
		size_t nm = 0;
		enum sargs_rc rc;

		opts_init(&o, &rep);
		o.purposes = w->purposes;
		o.n_purposes = w->n_purposes;
		o.marketing_purpose = w->marketing;
		o.consent_column = w->consent_column;
		while (nm < 2 && w->map[nm].column != NULL)
			nm++;
		o.columns = w->map;
		o.n_columns = nm;
		rc = import_text(fx->reg, csv, &o, &s, &err);
		if (rc != w->rc || strstr(err.msg, w->msg) == NULL)
			fail_msg("rule failed: %s (rc %d: %s)", w->rule, rc, err.msg);
		assert_int_equal(s.imported, 0);
		assert_int_equal(subjects(fx->reg), before);
		assert_int_equal(audit_entries(fx->reg), audit_before);
	}
}

static void test_empty_and_bom(void **state)
{
	struct fixture *fx = *state;
	static const char bom_crlf[] = "\xef\xbb\xbf"
				       "First_Name;EMAIL;consent\r\n"
				       "Anna;anna@example.lv;jā\r\n";
	struct sargs_import_opts o;
	struct sargs_import_summary s;
	struct reports rep;
	struct sargs_err err;

	opts_init(&o, &rep);
	assert_int_equal(import_text(fx->reg, "", &o, &s, &err), SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "no header row"));
	assert_int_equal(import_text(fx->reg, "first_name,email,Consent\n", &o, &s, &err),
			 SARGS_OK);
	assert_int_equal(s.rows, 0);
	assert_int_equal(s.batches, 0);
	/* a BOM and CRLF from a spreadsheet; headers in any case */
	assert_int_equal(import_text(fx->reg, bom_crlf, &o, &s, &err), SARGS_OK);
	assert_int_equal(s.imported, 1);
	assert_int_equal(s.delim, ';');
}

/* Batches of 2: a failure half-way through a row (the disk fills after the
 * fourth consent event) undoes its batch whole and keeps the two committed
 * batches; no half row remains. */
static void test_batch_failure(void **state)
{
	struct fixture *fx = *state;
	static const char csv[] = "email,Consent\n"
				  "a1@example.lv,jā\n"
				  "a2@example.lv,jā\n"
				  "a3@example.lv,nē\n"
				  "a4@example.lv,nē\n"
				  "a5@example.lv,jā\n"
				  "a6@example.lv,jā\n";
	struct sargs_import_opts o;
	struct sargs_import_summary s;
	struct sargs_audit_report ar;
	struct reports rep;
	struct sargs_err err;
	char path[1024];
	sqlite3 *db = NULL;
	int64_t counts[4];

	(void)snprintf(path, sizeof(path), "%s/sargs.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TRIGGER simulated_full_disk BEFORE INSERT ON"
				      " consent_events WHEN (SELECT count(*) FROM consent_events) >= 4"
				      " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	opts_init(&o, &rep);
	o.batch_rows = 2;
	assert_int_equal(import_text(fx->reg, csv, &o, &s, &err), SARGS_E_STORE);
	assert_true(s.stopped);
	assert_int_equal(s.imported, 4);
	assert_int_equal(s.batches, 2);
	assert_int_equal(rep.batches, 2);
	assert_non_null(strstr(err.msg, "the import stopped at line 6"));
	assert_non_null(strstr(err.msg, "4 rows were committed before it"));
	assert_int_equal(subjects(fx->reg), 4);
	assert_int_equal(sargs_zones_count(fx->reg, counts, &err), SARGS_OK);
	assert_int_equal(counts[SARGS_ZONE_RED] + counts[SARGS_ZONE_GREY], 4);
	assert_int_equal(sargs_audit_verify(fx->reg->audit, &ar), SARGS_OK);
	{
		char(*ids)[SARGS_UUID_STR] = NULL;
		size_t n = 9;

		assert_int_equal(sargs_subject_find(fx->reg, "email", "a5@example.lv", &ids, &n,
						    &err),
				 SARGS_OK);
		assert_int_equal(n, 0);
		free(ids);
	}
}

/* The end of a batch fails (its audit entry cannot be written, as on a full
 * disk): that batch is undone whole, the committed ones stay, and the
 * message says how far the import got. */
static void test_batch_commit_failure(void **state)
{
	struct fixture *fx = *state;
	static const char csv[] = "email,Consent\n"
				  "b1@example.lv,jā\n"
				  "b2@example.lv,jā\n"
				  "b3@example.lv,nē\n"
				  "b4@example.lv,nē\n"
				  "b5@example.lv,jā\n";
	struct sargs_import_opts o;
	struct sargs_import_summary s;
	struct sargs_audit_report ar;
	struct reports rep;
	struct sargs_err err;
	char path[1024];
	sqlite3 *db = NULL;

	(void)snprintf(path, sizeof(path), "%s/sargs.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TRIGGER simulated_full_disk BEFORE INSERT ON audit"
				      " WHEN NEW.action = 'import.batch' AND (SELECT count(*) FROM"
				      " audit WHERE action = 'import.batch') >= 1"
				      " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	opts_init(&o, &rep);
	o.batch_rows = 2;
	assert_int_not_equal(import_text(fx->reg, csv, &o, &s, &err), SARGS_OK);
	assert_true(s.stopped);
	assert_int_equal(s.imported, 2);
	assert_int_equal(s.batches, 1);
	assert_non_null(strstr(err.msg, "the batch of lines 4-5 could not be committed"));
	assert_non_null(strstr(err.msg, "2 rows were committed before it (up to line 3)"));
	assert_int_equal(subjects(fx->reg), 2);
	assert_int_equal(sargs_audit_verify(fx->reg->audit, &ar), SARGS_OK);
}

/* A dry run does everything, reports it, and leaves nothing behind */
static void test_dry_run(void **state)
{
	struct fixture *fx = *state;
	static const char csv[] = "email,Consent\n"
				  "d1@example.lv,jā\n"
				  "D1@example.lv,jā\n"
				  "d2@@example.lv,jā\n"
				  "d3@example.lv,nē\n";
	struct sargs_import_opts o;
	struct sargs_import_summary s;
	struct reports rep;
	struct sargs_err err;
	int64_t before = subjects(fx->reg), audit_before = audit_entries(fx->reg), counts[4];

	opts_init(&o, &rep);
	o.dry_run = 1;
	o.batch_rows = 2;
	assert_int_equal(import_text(fx->reg, csv, &o, &s, &err), SARGS_OK);
	assert_true(s.dry_run);
	assert_int_equal(s.imported, 2);
	assert_int_equal(s.duplicates, 1);
	assert_int_equal(s.refused, 1);
	assert_int_equal(s.zones[SARGS_ZONE_GREY], 1);
	assert_int_equal(s.zones[SARGS_ZONE_RED], 1);
	assert_int_equal(rep.n, 2);
	assert_string_equal(rep.msg[0], "duplicate of line 2 (same e-mail)");
	assert_int_equal(subjects(fx->reg), before);
	assert_int_equal(audit_entries(fx->reg), audit_before);
	assert_int_equal(sargs_zones_count(fx->reg, counts, &err), SARGS_OK);
	assert_int_equal(counts[SARGS_ZONE_RED] + counts[SARGS_ZONE_GREY], 0);
	/* and the real run afterwards is not disturbed by it */
	o.dry_run = 0;
	assert_int_equal(import_text(fx->reg, csv, &o, &s, &err), SARGS_OK);
	assert_int_equal(s.imported, 2);
}

/* ---- re-permission (003): ask, confirm, purge */

struct purge_log {
	char id[8][SARGS_UUID_STR];
	enum sargs_purge_outcome outcome[8];
	char purpose[8][64];
	size_t n;
};

static void purge_cb(void *ctx, const struct sargs_purge_item *it)
{
	struct purge_log *l = ctx;

	assert_true(l->n < 8);
	(void)snprintf(l->id[l->n], SARGS_UUID_STR, "%s", it->id);
	l->outcome[l->n] = it->outcome;
	(void)snprintf(l->purpose[l->n], 64, "%s", it->purpose ? it->purpose : "");
	l->n++;
}

static enum sargs_purge_outcome outcome_of(const struct purge_log *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->id[i], id) == 0)
			return l->outcome[i];
	fail_msg("subject %s not reported", id);
	return SARGS_PURGE__COUNT;
}

static const char hash64[] = "3f2a9c0d1e5b7a6c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e";

static void test_repermission(void **state)
{
	struct fixture *fx = *state;
	/* red: no other basis (erased); grey: no other basis (erased); red,
	 * re-confirmed (green); grey, consent given after the ask (confirmed) */
	static const char news_csv[] = "email,Consent\n"
				       "red@example.lv,nē\n"
				       "grey@example.lv,jā\n"
				       "confirm@example.lv,iepriekš atzīmēts\n"
				       "late@example.lv,jā\n";
	/* grey, also a customer under contract: kept, out of marketing */
	static const char service_csv[] = "email,Consent\ncustomer@example.lv,jā\n";
	struct sargs_consent_proof proof = {"email", "reconfirm-2026-11", hash64, 0, NULL, NULL, 0};
	struct sargs_receipt_info info;
	struct sargs_import_opts o;
	struct sargs_import_summary s;
	struct sargs_ask_result ask;
	struct sargs_purge_summary ps;
	struct purge_log log;
	struct sargs_store_consent c;
	struct sargs_policy_decision d;
	struct reports rep;
	struct sargs_err err;
	char red[SARGS_UUID_STR], grey[SARGS_UUID_STR], confirm[SARGS_UUID_STR],
		late[SARGS_UUID_STR], customer[SARGS_UUID_STR];
	char *receipt = NULL;
	int64_t before, audit_before, erased_us;
	int32_t deadline;

	opts_init(&o, &rep);
	assert_int_equal(import_text(fx->reg, news_csv, &o, &s, &err), SARGS_OK);
	o.purposes = news_service;
	o.n_purposes = 2;
	assert_int_equal(import_text(fx->reg, service_csv, &o, &s, &err), SARGS_OK);
	id_of(fx->reg, "red@example.lv", red);
	id_of(fx->reg, "grey@example.lv", grey);
	id_of(fx->reg, "confirm@example.lv", confirm);
	id_of(fx->reg, "late@example.lv", late);
	id_of(fx->reg, "customer@example.lv", customer);

	/* ask, with a deadline in 30 days; the deadline must be after today */
	deadline = sargs_today() + 30;
	assert_int_equal(sargs_zones_ask(fx->reg, 1u << SARGS_ZONE_RED, sargs_today(), &ask, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_zones_ask(fx->reg, (1u << SARGS_ZONE_RED) | (1u << SARGS_ZONE_GREY),
					 deadline, &ask, &err),
			 SARGS_OK);
	assert_int_equal(ask.asked, 5);
	/* asking again keeps the first deadline */
	assert_int_equal(sargs_zones_ask(fx->reg, 1u << SARGS_ZONE_RED, deadline + 10, &ask, &err),
			 SARGS_OK);
	assert_int_equal(ask.asked, 0);
	assert_int_equal(ask.already_asked, 2);

	/* a re-confirmation: consent with a signed receipt, the zone green */
	sargs_time_set_fixed(T0 + 3 * DAY);
	proof.preticked = 1;
	assert_int_equal(sargs_zones_confirm(fx->reg, confirm, NULL, &proof, &receipt, &err),
			 SARGS_E_DENIED);
	proof.preticked = 0;
	assert_int_equal(sargs_zones_confirm(fx->reg, confirm, NULL, &proof, &receipt, &err),
			 SARGS_OK);
	assert_non_null(receipt);
	assert_int_equal(sargs_receipt_verify(fx->reg, receipt, strlen(receipt), NULL, &info, &err),
			 SARGS_OK);
	assert_string_equal(info.subject_id, confirm);
	assert_string_equal(info.purpose, "newsletter");
	free(receipt);
	assert_int_equal(zone_of(fx->reg, confirm), SARGS_ZONE_GREEN);
	assert_int_equal(sargs_store_consent_get(fx->reg->store, confirm, "newsletter", &c),
			 SARGS_OK);
	assert_int_equal(c.state, SARGS_CONSENT_GIVEN);
	d = email_check(fx->reg, confirm);
	assert_true(d.allowed);
	/* the other one consents through the ordinary consent call */
	assert_int_equal(sargs_consent_give(fx->reg, late, "newsletter", &proof, NULL, &err),
			 SARGS_OK);

	/* before the deadline nothing is erased */
	sargs_time_set_fixed(T0 + 30 * DAY);
	memset(&log, 0, sizeof(log));
	before = subjects(fx->reg);
	assert_int_equal(sargs_zones_purge(fx->reg, 0, purge_cb, &log, &ps, &err), SARGS_OK);
	assert_int_equal(ps.count[SARGS_PURGE_ERASED], 0);
	assert_int_equal(ps.count[SARGS_PURGE_NOT_DUE], 3);
	assert_int_equal(outcome_of(&log, red), SARGS_PURGE_NOT_DUE);
	assert_int_equal(subjects(fx->reg), before);
	/* a consent given after the ask counts as re-confirmation at once */
	assert_int_equal(outcome_of(&log, late), SARGS_PURGE_CONFIRMED);
	assert_int_equal(zone_of(fx->reg, late), SARGS_ZONE_GREEN);

	/* after it: a dry run says what would happen and changes nothing */
	sargs_time_set_fixed(T0 + 31 * DAY);
	memset(&log, 0, sizeof(log));
	audit_before = audit_entries(fx->reg);
	assert_int_equal(sargs_zones_purge(fx->reg, 1, purge_cb, &log, &ps, &err), SARGS_OK);
	assert_true(ps.dry_run);
	assert_int_equal(outcome_of(&log, red), SARGS_PURGE_ERASED);
	assert_int_equal(outcome_of(&log, grey), SARGS_PURGE_ERASED);
	assert_int_equal(outcome_of(&log, customer), SARGS_PURGE_KEPT);
	assert_int_equal(outcome_of(&log, confirm), SARGS_PURGE_CONFIRMED);
	assert_int_equal(outcome_of(&log, late), SARGS_PURGE_CONFIRMED);
	assert_int_equal(subjects(fx->reg), before);
	assert_int_equal(audit_entries(fx->reg), audit_before);
	assert_int_equal(zone_of(fx->reg, red), SARGS_ZONE_RED);

	/* the purge: erased, kept (contract), re-confirmed */
	memset(&log, 0, sizeof(log));
	assert_int_equal(sargs_zones_purge(fx->reg, 0, purge_cb, &log, &ps, &err), SARGS_OK);
	assert_int_equal(ps.count[SARGS_PURGE_ERASED], 2);
	assert_int_equal(ps.count[SARGS_PURGE_KEPT], 1);
	assert_int_equal(ps.count[SARGS_PURGE_CONFIRMED], 2);
	for (size_t i = 0; i < log.n; i++)
		if (strcmp(log.id[i], customer) == 0)
			assert_string_equal(log.purpose[i], "service");
	assert_int_equal(subjects(fx->reg), before - 2);
	assert_int_equal(sargs_store_ledger_get(fx->reg->store, red, &erased_us), SARGS_OK);
	assert_int_equal(sargs_store_ledger_get(fx->reg->store, grey, &erased_us), SARGS_OK);
	/* kept: zone stays grey, but the old consent lapsed: no marketing */
	assert_int_equal(zone_of(fx->reg, customer), SARGS_ZONE_GREY);
	d = email_check(fx->reg, customer);
	assert_false(d.allowed);
	assert_int_equal(d.reason, SARGS_R_NO_CONSENT);
	assert_true(email_check(fx->reg, late).allowed);
	assert_true(email_check(fx->reg, confirm).allowed);
	/* and a campaign's audience agrees: only the re-confirmed two */
	{
		struct sargs_audience_req req = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
		struct sargs_audience aud;
		int seen = 0;

		assert_int_equal(sargs_campaign_audience(fx->reg, &req, 1, &aud, &err), SARGS_OK);
		assert_int_equal(aud.allowed, 2);
		for (size_t i = 0; i < aud.n_ids; i++)
			seen += strcmp(aud.ids[i], confirm) == 0 || strcmp(aud.ids[i], late) == 0;
		assert_int_equal(seen, 2);
		assert_int_equal(aud.excluded[SARGS_R_NO_CONSENT], 1);
		sargs_audience_free(&aud);
	}
	/* a second purge erases nobody more */
	assert_int_equal(sargs_zones_purge(fx->reg, 0, NULL, NULL, &ps, &err), SARGS_OK);
	assert_int_equal(ps.count[SARGS_PURGE_ERASED], 0);
	assert_int_equal(subjects(fx->reg), before - 2);
	{
		struct sargs_audit_report ar;

		assert_int_equal(sargs_audit_verify(fx->reg->audit, &ar), SARGS_OK);
	}
}

static void test_confirm_refusals(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof proof = {"email", "form", hash64, 0, NULL, NULL, 0};
	struct sargs_kv kv[] = {{"email", "plain@example.lv"}};
	struct sargs_subject_input in;
	struct sargs_ask_result ask;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;

	memset(&in, 0, sizeof(in));
	in.purposes = news_only;
	in.n_purposes = 1;
	in.source = "person";
	in.fields = kv;
	in.n_fields = 1;
	assert_int_equal(sargs_subject_add(fx->reg, &in, id, &err), SARGS_OK);
	assert_int_equal(sargs_zones_confirm(fx->reg, id, NULL, &proof, &receipt, &err),
			 SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "not a legacy record"));
	assert_null(receipt);
	assert_int_equal(sargs_zones_confirm(fx->reg, "0190a5e2-7b1c-7d3e-8f00-123456789abc", NULL,
					     &proof, &receipt, &err),
			 SARGS_E_NOTFOUND);
	assert_int_equal(sargs_zones_ask(fx->reg, 1u << SARGS_ZONE_GREEN, sargs_today() + 5, &ask,
					 &err),
			 SARGS_E_INVALID);
}

static void test_mapping_file(void **state)
{
	static const char good[] = "{\"columns\": {\"E-pasts\": \"email\", \"Vārds\": \"first_name\"},"
				   " \"consent_column\": \"Piekrišana\","
				   " \"consent_values\": {\"ir\": \"optout_offered\"}}";
	static const char *const bad[] = {
		"[]", "{\"columns\": {}}", "{\"columns\": {\"a\": 1}}",
		"{\"columns\": {\"a\": \"email\"}, \"x\": 1}",
		"{\"columns\": {\"a\": \"email\"}, \"consent_values\": {\"ir\": \"maybe\"}}", "{"};
	struct sargs_import_mapping *m = NULL;
	struct sargs_err err;

	(void)state;
	assert_int_equal(sargs_import_mapping_parse(good, strlen(good), &m, &err), SARGS_OK);
	assert_int_equal(m->n_columns, 2);
	assert_string_equal(m->consent_column, "Piekrišana");
	assert_int_equal(m->n_values, 1);
	assert_int_equal(m->values[0].status, SARGS_LEGACY_OPTOUT_OFFERED);
	sargs_import_mapping_free(m);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = NULL;
		assert_int_equal(sargs_import_mapping_parse(bad[i], strlen(bad[i]), &m, &err),
				 SARGS_E_INVALID);
		assert_null(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zone_rules),
		cmocka_unit_test(test_consent_values),
		cmocka_unit_test(test_mapping_file),
		cmocka_unit_test_setup_teardown(test_import_zones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_and_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_commit_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repermission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_confirm_refusals, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
