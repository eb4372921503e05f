/*
 * test_request.c — the register of data subjects' requests (domain/
 * request.h): the state table row by row, identity checks, deadlines
 * counted per Reg. 1182/71 with Latvian holidays, the extension window,
 * refusals with the complaint right, fees, the overdue list, the sealed
 * requester, fulfilment of every kind, and the audit trail. Each row names
 * the rule it checks (mission.md §8; 004 §8-17).
 *
 * The register is a real one on disk with the example registry and a fixed
 * clock. Expectations come from the law, not from the code under test.
 */
#include "testutil.h"

#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/policy.h"
#include "domain/register.h"
#include "domain/registry.h"
#include "domain/request.h"
#include "domain/subject.h"
#include "store/store.h"
#include "store/store_rel.h"
#include "store/store_rights.h"
#include "util/calendar_lv.h"
#include "util/fsutil.h"
#include "util/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_US 86400000000LL
#define HOUR_US 3600000000LL

/* Personal values: none may appear in the audit trail or the file bytes. */
#define ANNA_FIRST "Annele"
#define ANNA_LAST "Ozolina"
#define ANNA_EMAIL "annele.ozolina@example.lv"
#define REQ_NAME "Zigfrids Pardaugavietis"
#define REQ_CONTACT "zigfrids.pardaugavietis@example.lv"

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
};

static int32_t day_of(const char *date)
{
	int y, m, d;

	if (sargs_date_parse(date, &y, &m, &d) != SARGS_OK)
		fail_msg("bad date in a test: %s", date);
	return (int32_t)sargs_days_from_civil(y, m, d);
}

/* Moves the clock to 10:00 UTC (12:00 in Riga in winter) of date. */
static void clock_at(const char *date)
{
	sargs_time_set_fixed((int64_t)day_of(date) * DAY_US + 10 * HOUR_US);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	clock_at("2026-02-10");
	fx->reg = test_reg_example("request", fx->dir, sizeof(fx->dir));
	test_controller_example(fx->reg);
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

/* ---- helpers ------------------------------------------------------------- */

static void add_anna(struct fixture *fx, char id[SARGS_UUID_STR])
{
	const struct sargs_kv kv[] = {
		{"first_name", ANNA_FIRST}, {"last_name", ANNA_LAST}, {"email", ANNA_EMAIL}};
	const char *purposes[] = {"service"};
	struct sargs_subject_input in;
	struct sargs_err err;

	memset(&in, 0, sizeof(in));
	in.purposes = purposes;
	in.n_purposes = 1;
	in.source = "person";
	in.fields = kv;
	in.n_fields = N_ROWS(kv);
	if (sargs_subject_add(fx->reg, &in, id, &err) != SARGS_OK)
		fail_msg("cannot add Anna: %s", err.msg);
}

static int64_t new_request(struct fixture *fx, const char *kind, const char *received,
			   const char *subject, const char *purpose)
{
	struct sargs_request_input in;
	struct sargs_err err;
	int64_t id = 0;

	memset(&in, 0, sizeof(in));
	in.kind = kind;
	in.channel = "email";
	in.received = received;
	in.subject_id = subject;
	in.purpose = purpose;
	in.requester_name = REQ_NAME;
	in.requester_contact = REQ_CONTACT;
	if (sargs_request_new(fx->reg, &in, &id, &err) != SARGS_OK)
		fail_msg("cannot record a %s request: %s", kind, err.msg);
	assert_true(id > 0);
	return id;
}

static struct sargs_request get(struct fixture *fx, int64_t id)
{
	struct sargs_request r;
	struct sargs_err err;

	if (sargs_request_get(fx->reg, id, &r, &err) != SARGS_OK)
		fail_msg("request %" PRId64 ": %s", id, err.msg);
	return r;
}

static void verify(struct fixture *fx, int64_t id, const char *subject, const char *check)
{
	const char *checks[] = {check};
	struct sargs_identity ident = {subject, checks, 1, 0};
	struct sargs_err err;

	if (sargs_request_verify(fx->reg, id, &ident, &err) != SARGS_OK)
		fail_msg("verify %" PRId64 ": %s", id, err.msg);
}

static void day_text(int32_t day, char *out)
{
	sargs_request_day_str(day, out, SARGS_DATE_STR);
}

static void expect_due(const char *rule, int32_t got, const char *want)
{
	char gs[SARGS_DATE_STR];

	day_text(got, gs);
	if (strcmp(gs, want) != 0)
		fail_msg("%s: due %s, expected %s", rule, gs, want);
}

/* ---- the state table ----------------------------------------------------- */

static const char *const all_states[] = {"received", "verifying", "verified", "extended",
					 "fulfilled", "refused", "fee_requested"};

struct transition_row {
	const char *rule;
	const char *kind;
	const char *from, *to;
	int allowed;
	const char *rule_mentions; /* text the rule given must contain */
};

static const struct transition_row transition_rows[] = {
	{"GDPR Art. 12(6): in doubt, ask for more", "access", "received", "verifying", 1, "12(6)"},
	{"GDPR Art. 12(6): identity checked at once", "access", "received", "verified", 1, "12(6)"},
	{"GDPR Art. 12(4): refusal at receipt", "access", "received", "refused", 1, "12(4)"},
	{"GDPR Art. 12(5): fee at receipt", "access", "received", "fee_requested", 1, "12(5)"},
	{"GDPR Art. 12(6): nothing released before identity is verified", "access", "received",
	 "fulfilled", 0, "12(6)"},
	{"GDPR Art. 12(6): no erasure before identity is verified", "erasure", "received",
	 "fulfilled", 0, "12(6)"},
	{"GDPR Art. 13-14: information is the public privacy notice", "information", "received",
	 "fulfilled", 1, "13-14"},
	{"GDPR Art. 12(3): an unverified request is not 'extended' (flag only)", "access",
	 "received", "extended", 0, "12(3)"},
	{"GDPR Art. 12(6): further information identified the person", "access", "verifying",
	 "verified", 1, "12(6)"},
	{"GDPR Art. 11(2), 12(4): could not identify, refused", "access", "verifying", "refused", 1,
	 "12(4)"},
	{"GDPR Art. 12(6): nothing released while verifying", "access", "verifying", "fulfilled", 0,
	 "12(6)"},
	{"no fee while identity is being verified", "access", "verifying", "fee_requested", 0, NULL},
	{"GDPR Art. 12(3): answered in time", "access", "verified", "fulfilled", 1, "12(3)"},
	{"GDPR Art. 12(3): extended within the first month", "access", "verified", "extended", 1,
	 "12(3)"},
	{"GDPR Art. 12(4): refused after verification", "access", "verified", "refused", 1,
	 "12(4)"},
	{"GDPR Art. 15(3): fee for further copies after verification", "access", "verified",
	 "fee_requested", 1, "12(5)"},
	{"identity is checked once", "access", "verified", "verifying", 0, "12(6)"},
	{"GDPR Art. 12(3): answered within the extension", "access", "extended", "fulfilled", 1,
	 "12(3)"},
	{"GDPR Art. 12(4): refused after extension", "access", "extended", "refused", 1, "12(4)"},
	{"GDPR Art. 12(3): extended once only", "access", "extended", "extended", 0, "once"},
	{"no fee after extension", "access", "extended", "fee_requested", 0, NULL},
	{"004 §16.7: fee paid", "access", "fee_requested", "verified", 1, "paid"},
	{"GDPR Art. 12(5)(b): refused instead of a fee", "access", "fee_requested", "refused", 1,
	 "12(5)"},
	{"004 §16.7: the fee is paid before anything is done", "access", "fee_requested",
	 "fulfilled", 0, "fee"},
	{"a fulfilled request is closed", "access", "fulfilled", "refused", 0, "closed"},
	{"a refused request is closed", "access", "refused", "verified", 0, "closed"},
	{"a closed request is not reopened", "erasure", "fulfilled", "received", 0, "closed"},
	{"a request is received once", "access", "verifying", "received", 0, "received once"},
	{"not a state", "access", "received", "approved", 0, "not a request state"},
};

static void test_transition_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ROWS(transition_rows); i++) {
		const struct transition_row *t = &transition_rows[i];
		const char *rule = NULL;
		int got = sargs_request_transition(t->kind, t->from, t->to, &rule);

		if (got != t->allowed)
			fail_msg("%s: %s -> %s (%s) %s, expected %s", t->rule, t->from, t->to, t->kind,
				 got ? "allowed" : "refused", t->allowed ? "allowed" : "refused");
		assert_non_null(rule);
		if (t->rule_mentions != NULL && strstr(rule, t->rule_mentions) == NULL)
			fail_msg("%s: the rule given (\"%s\") does not name \"%s\"", t->rule, rule,
				 t->rule_mentions);
	}
}

/* Every pair of states for every kind against the table of request.h,
 * written out here independently. */
static void test_transition_matrix(void **state)
{
	static const char *const kinds[] = {"information", "access", "rectification", "erasure",
					    "restriction", "portability", "objection",
					    "automated_decision_review", "consent_withdrawal"};
	static const char *const allowed[][2] = {
		{"received", "verifying"}, {"received", "verified"},   {"received", "refused"},
		{"received", "fee_requested"}, {"verifying", "verified"}, {"verifying", "refused"},
		{"verifying", "verifying"},
		{"verified", "fulfilled"}, {"verified", "extended"},   {"verified", "refused"},
		{"verified", "fee_requested"}, {"extended", "fulfilled"}, {"extended", "refused"},
		{"fee_requested", "verified"}, {"fee_requested", "refused"}};

	(void)state;
	for (size_t k = 0; k < N_ROWS(kinds); k++)
		for (size_t a = 0; a < N_ROWS(all_states); a++)
			for (size_t b = 0; b < N_ROWS(all_states); b++) {
				int want = 0;

				for (size_t i = 0; i < N_ROWS(allowed); i++)
					if (strcmp(allowed[i][0], all_states[a]) == 0 &&
					    strcmp(allowed[i][1], all_states[b]) == 0)
						want = 1;
				/* GDPR Art. 13-14: information needs no identification */
				if (strcmp(kinds[k], "information") == 0 &&
				    strcmp(all_states[a], "received") == 0 &&
				    strcmp(all_states[b], "fulfilled") == 0)
					want = 1;
				if (sargs_request_transition(kinds[k], all_states[a], all_states[b],
							     NULL) != want)
					fail_msg("state table: %s: %s -> %s should be %s", kinds[k],
						 all_states[a], all_states[b],
						 want ? "allowed" : "refused");
			}
}

/* ---- identity checks ----------------------------------------------------- */

struct checks_row {
	const char *rule;
	const char *checks[3];
	size_t n;
	int sufficient;
};

static const struct checks_row checks_rows[] = {
	{"004 §16.4, §16.9: no check, no identification", {NULL}, 0, 0},
	{"004 §15.4: an identity document is enough", {"id_document"}, 1, 1},
	{"004 §15.4: eParaksts is enough", {"eparaksts"}, 1, 1},
	{"004 §15.4: a bank link is enough", {"bank_link"}, 1, 1},
	{"004 §15.4: seen in person is enough", {"in_person"}, 1, 1},
	{"004 §16.9: an e-mail confirmation alone is in doubt", {"email_confirmation"}, 1, 0},
	{"004 §16.9: knowledge of the account alone is in doubt", {"knowledge_of_account"}, 1, 0},
	{"004 §16.9: two weak checks together", {"email_confirmation", "knowledge_of_account"}, 2,
	 1},
	{"004 §16.9: the same weak check twice is one check",
	 {"email_confirmation", "email_confirmation"}, 2, 0},
	{"an unknown code counts as nothing", {"looked_trustworthy"}, 1, 0},
	{"an unknown code does not make a weak check strong",
	 {"looked_trustworthy", "email_confirmation"}, 2, 0},
};

static void test_identity_checks(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ROWS(checks_rows); i++) {
		const struct checks_row *r = &checks_rows[i];

		if (sargs_request_checks_sufficient(r->checks, r->n) != r->sufficient)
			fail_msg("%s: expected %s", r->rule,
				 r->sufficient ? "sufficient" : "not sufficient");
	}
}

/* ---- deadlines ----------------------------------------------------------- */

struct deadline_row {
	const char *rule;
	const char *received;
	int months;
	const char *extra_holiday; /* a one-off day off from the holidays file, or NULL */
	const char *due;
};

static const struct deadline_row deadline_rows[] = {
	{"GDPR Art. 12(3): one month, same date", "2026-03-10", 1, NULL, "2026-04-10"},
	{"Reg. 1182/71 Art. 3(2)(c): no 31 February, so 28 February, a Saturday; Art. 3(4):"
	 " Monday",
	 "2026-01-31", 1, NULL, "2026-03-02"},
	{"Reg. 1182/71 Art. 3(4): a Sunday moves to Monday", "2026-01-15", 1, NULL, "2026-02-16"},
	{"Reg. 1182/71 Art. 3(4): 4 May (Restoration of Independence) moves", "2026-04-04", 1,
	 NULL, "2026-05-05"},
	{"Reg. 1182/71 Art. 3(4): Līgo and Jāņi (23-24 June) move", "2026-05-23", 1, NULL,
	 "2026-06-25"},
	{"Reg. 1182/71 Art. 3(4): a year's end on a Saturday moves", "2025-12-31", 1, NULL,
	 "2026-02-02"},
	{"Reg. 1182/71 Art. 3(4): a one-off day off from the holidays file moves", "2026-01-31", 1,
	 "2026-03-02", "2026-03-03"},
	{"GDPR Art. 12(3): the extension runs three months from receipt", "2026-01-31", 3, NULL,
	 "2026-04-30"},
};

static void test_deadline_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ROWS(deadline_rows); i++) {
		const struct deadline_row *r = &deadline_rows[i];
		struct sargs_holidays *h = calloc(1, sizeof(*h));
		int32_t due = 0;

		assert_non_null(h);
		if (r->extra_holiday != NULL) {
			h->count = 1;
			h->days[0].day = day_of(r->extra_holiday);
		}
		if (sargs_request_deadline(day_of(r->received), r->months, h, &due) != SARGS_OK)
			fail_msg("%s: no deadline", r->rule);
		expect_due(r->rule, due, r->due);
		free(h);
	}
}

struct local_row {
	const char *rule;
	const char *utc;     /* an instant in UTC */
	const char *riga;    /* its civil date in Riga */
};

static const struct local_row local_rows[] = {
	{"winter: UTC+2, 22:30 UTC is after midnight in Riga", "2026-01-14T22:30:00Z",
	 "2026-01-15"},
	{"winter: 21:59 UTC is still the same day", "2026-01-14T21:59:00Z", "2026-01-14"},
	{"summer: UTC+3, 21:30 UTC is the next day", "2026-06-30T21:30:00Z", "2026-07-01"},
	{"summer: 20:59 UTC is still the same day", "2026-06-30T20:59:00Z", "2026-06-30"},
	{"Directive 2000/84/EC: summer time starts 01:00 UTC on the last Sunday of March",
	 "2026-03-29T21:30:00Z", "2026-03-30"},
	{"the night before it starts is still UTC+2", "2026-03-28T21:30:00Z", "2026-03-28"},
	{"Directive 2000/84/EC: summer time ends 01:00 UTC on the last Sunday of October",
	 "2026-10-25T21:30:00Z", "2026-10-25"},
	{"a request at new year's midnight in Riga belongs to the new year",
	 "2026-12-31T22:00:00Z", "2027-01-01"},
};

static void test_local_day(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ROWS(local_rows); i++) {
		int64_t us = 0;

		assert_int_equal(sargs_time_parse(local_rows[i].utc, &us), SARGS_OK);
		expect_due(local_rows[i].rule, sargs_request_local_day(us), local_rows[i].riga);
	}
}

/* The deadline is computed when the request is recorded, with the holidays
 * file of the register's directory. */
static void test_deadline_recorded(void **state)
{
	struct fixture *fx = *state;
	char path[700];
	FILE *f;
	int64_t a, b;

	a = new_request(fx, "access", "2026-01-31", NULL, NULL);
	expect_due("GDPR Art. 12(3): recorded deadline", get(fx, a).due_day, "2026-03-02");
	(void)snprintf(path, sizeof(path), "%s/holidays.txt", fx->dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("# one-off day off\n2026-03-02 test day off\n", f);
	fclose(f);
	b = new_request(fx, "access", "2026-01-31", NULL, NULL);
	expect_due("Reg. 1182/71 Art. 3(4): the holidays file's day off counts", get(fx, b).due_day,
		   "2026-03-03");
	expect_due("a deadline once computed stays", get(fx, a).due_day, "2026-03-02");
}

static void test_new_refusals(void **state)
{
	struct fixture *fx = *state;
	struct {
		const char *rule;
		struct sargs_request_input in;
		enum sargs_rc rc;
	} rows[] = {
		{"unknown kind", {"complaint", "email", NULL, NULL, NULL, NULL, NULL},
		 SARGS_E_INVALID},
		{"unknown channel", {"access", "pigeon", NULL, NULL, NULL, NULL, NULL},
		 SARGS_E_INVALID},
		{"GDPR Art. 12(3): the date of receipt is not in the future",
		 {"access", "email", "2026-02-11", NULL, NULL, NULL, NULL}, SARGS_E_INVALID},
		{"not a real date", {"access", "email", "2026-02-30", NULL, NULL, NULL, NULL},
		 SARGS_E_INVALID},
		{"a purpose only for objection or withdrawal",
		 {"access", "email", NULL, NULL, "newsletter", NULL, NULL}, SARGS_E_INVALID},
		{"GDPR Art. 21: no objection to a contract purpose",
		 {"objection", "email", NULL, NULL, "service", NULL, NULL}, SARGS_E_DENIED},
		{"GDPR Art. 7(3): no consent to withdraw for a legal obligation",
		 {"consent_withdrawal", "email", NULL, NULL, "accounting", NULL, NULL},
		 SARGS_E_DENIED},
		{"no such purpose", {"objection", "email", NULL, NULL, "nosuch", NULL, NULL},
		 SARGS_E_NOTFOUND},
		{"no such subject",
		 {"access", "email", NULL, "01890000-0000-7000-8000-000000000000", NULL, NULL, NULL},
		 SARGS_E_NOTFOUND},
		{"the requester's name has no control characters",
		 {"access", "email", NULL, NULL, NULL, "Anna\nBerzina", NULL}, SARGS_E_INVALID},
	};
	int64_t before = 0, after = 0;

	assert_int_equal(sargs_store_audit_count(fx->reg->store, &before), SARGS_OK);
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		struct sargs_err err;
		int64_t id = 7;
		enum sargs_rc rc = sargs_request_new(fx->reg, &rows[i].in, &id, &err);

		if (rc != rows[i].rc)
			fail_msg("%s: got %s, expected %s", rows[i].rule, sargs_rc_str(rc),
				 sargs_rc_str(rows[i].rc));
		assert_int_equal(id, 0);
	}
	assert_int_equal(sargs_store_audit_count(fx->reg->store, &after), SARGS_OK);
	assert_int_equal(after, before);
}

/* ---- extension ----------------------------------------------------------- */

struct may_extend_row {
	const char *rule;
	const char *state;
	const char *today;
	int extended;
	int allowed;
};

static const struct may_extend_row may_extend_rows[] = {
	{"GDPR Art. 12(3); 004 §16.2: extended within the first month", "verified", "2026-02-10", 0, 1},
	{"GDPR Art. 12(3): on the last day of the first month", "verified", "2026-03-02", 0, 1},
	{"GDPR Art. 12(3): not the day after", "verified", "2026-03-03", 0, 0},
	{"GDPR Art. 12(3): once only", "extended", "2026-02-10", 1, 0},
	{"GDPR Art. 12(3): a received request may be extended", "received", "2026-02-10", 0, 1},
	{"GDPR Art. 12(3): while identity is verified", "verifying", "2026-02-10", 0, 1},
	{"a request waiting for its fee is not extended", "fee_requested", "2026-02-10", 0, 0},
	{"a closed request is not extended", "fulfilled", "2026-02-10", 0, 0},
};

static void test_may_extend_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ROWS(may_extend_rows); i++) {
		const struct may_extend_row *r = &may_extend_rows[i];
		const char *why = NULL;

		if (sargs_request_may_extend(r->state, r->extended, day_of(r->today),
					     day_of("2026-03-02"), &why) != r->allowed)
			fail_msg("%s: expected %s", r->rule, r->allowed ? "allowed" : "refused");
		assert_non_null(why);
	}
}

static void test_extension_window(void **state)
{
	struct fixture *fx = *state;
	char id_anna[SARGS_UUID_STR];
	struct sargs_request r;
	struct sargs_err err;
	char *notice = NULL;
	int64_t a, b;

	add_anna(fx, id_anna);
	a = new_request(fx, "access", "2026-01-31", id_anna, NULL);
	b = new_request(fx, "access", "2026-01-31", id_anna, NULL);
	verify(fx, a, NULL, "eparaksts");
	/* free text is not a reason: it could hold personal data */
	assert_int_equal(sargs_request_extend(fx->reg, a, "Anna is slow", "en", &notice, &err),
			 SARGS_E_INVALID);
	assert_null(notice);

	clock_at("2026-03-02");
	assert_int_equal(sargs_request_extend(fx->reg, a, "complexity", "en", &notice, &err),
			 SARGS_OK);
	r = get(fx, a);
	assert_string_equal(r.state, "extended");
	assert_int_equal(r.extended, 1);
	expect_due("GDPR Art. 12(3): extension sets the 3-month deadline", r.due_day, "2026-04-30");
	assert_non_null(notice);
	assert_non_null(strstr(notice, "2026-03-02"));
	assert_non_null(strstr(notice, "2026-04-30"));
	assert_non_null(strstr(notice, "complexity"));
	assert_non_null(strstr(notice, "12(3)"));
	free(notice);
	notice = NULL;
	assert_int_equal(sargs_request_extend(fx->reg, a, "complexity", "en", &notice, &err),
			 SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "once"));

	clock_at("2026-03-03");
	assert_int_equal(sargs_request_extend(fx->reg, b, "number_of_requests", "lv", &notice,
					      &err),
			 SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "first month"));
	assert_null(notice);
	r = get(fx, b);
	assert_int_equal(r.extended, 0);
	expect_due("a refused extension changes nothing", r.due_day, "2026-03-02");
}

static void test_extension_before_verification(void **state)
{
	struct fixture *fx = *state;
	char id_anna[SARGS_UUID_STR];
	struct sargs_request r;
	struct sargs_err err;
	char *notice = NULL;
	int64_t a;

	add_anna(fx, id_anna);
	a = new_request(fx, "access", "2026-02-01", id_anna, NULL);
	assert_int_equal(sargs_request_extend(fx->reg, a, "number_of_requests", "lv", &notice,
					      &err),
			 SARGS_OK);
	r = get(fx, a);
	assert_string_equal(r.state, "received");
	assert_int_equal(r.extended, 1);
	/* 1 May (Labour Day), a weekend, 4 May (Restoration of Independence) */
	expect_due("GDPR Art. 12(3); Reg. 1182/71 Art. 3(4): three months from receipt",
		   r.due_day, "2026-05-05");
	assert_non_null(strstr(notice, "pagarināts"));
	assert_non_null(strstr(notice, "pieprasījumu lielā skaita"));
	free(notice);
	/* then verified: the state becomes verified, the deadline stays */
	verify(fx, a, NULL, "bank_link");
	r = get(fx, a);
	assert_string_equal(r.state, "verified");
	expect_due("the extended deadline stays", r.due_day, "2026-05-05");
	assert_int_equal(sargs_request_extend(fx->reg, a, "complexity", "lv", NULL, &err),
			 SARGS_E_DENIED);
}

/* ---- refusal ------------------------------------------------------------- */

static void test_refusal_text_complaint_right(void **state)
{
	static const char *const reasons[] = {"manifestly_unfounded", "excessive",
					      "identity_not_confirmed", "not_the_data_subject",
					      "legal_exception"};
	static const struct {
		const char *lang;
		const char *must[6];
	} langs[] = {
		{"lv", {"Datu valsts inspekcij", "Elijas iela 17", "LV-1050", "www.dvi.gov.lv",
			"tiesā", "neizpildīsim"}},
		{"en", {"Data State Inspectorate", "Elijas iela 17", "LV-1050", "www.dvi.gov.lv",
			"court", "will not carry out"}},
	};
	struct sargs_request r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.id = 12;
	snprintf(r.kind, sizeof(r.kind), "%s", "access");
	r.received_day = day_of("2026-02-01");
	for (size_t i = 0; i < N_ROWS(reasons); i++)
		for (size_t l = 0; l < N_ROWS(langs); l++) {
			char *text = NULL;

			assert_int_equal(sargs_request_refusal_answer(&r, reasons[i], langs[l].lang,
								      &text),
					 SARGS_OK);
			for (size_t k = 0; k < N_ROWS(langs[l].must); k++)
				if (strstr(text, langs[l].must[k]) == NULL)
					fail_msg("GDPR Art. 12(4), 77; 004 §16.3: the %s refusal (%s)"
						 " lacks \"%s\"",
						 langs[l].lang, reasons[i], langs[l].must[k]);
			assert_non_null(strstr(text, "2026-02-01"));
			free(text);
		}
	/* a reason must be one of the codes */
	{
		char *text = NULL;

		assert_int_equal(sargs_request_refusal_answer(&r, "we do not like it", "en", &text),
				 SARGS_E_INVALID);
		assert_null(text);
	}
}

static void test_refuse_closes(void **state)
{
	struct fixture *fx = *state;
	struct sargs_request r;
	struct sargs_err err;
	char *answer = NULL;
	int64_t a = new_request(fx, "erasure", NULL, NULL, NULL);

	assert_int_equal(sargs_request_refuse(fx->reg, a, "because", "en", &answer, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_request_refuse(fx->reg, a, "identity_not_confirmed", "en", &answer,
					      &err),
			 SARGS_OK);
	assert_non_null(strstr(answer, "Data State Inspectorate"));
	free(answer);
	r = get(fx, a);
	assert_string_equal(r.state, "refused");
	assert_true(r.closed_us != 0);
	assert_non_null(strstr(r.data, "\"refusal_reason\":\"identity_not_confirmed\""));
	assert_int_equal(sargs_request_refuse(fx->reg, a, "excessive", "en", NULL, &err),
			 SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "closed"));
}

/* ---- fee ----------------------------------------------------------------- */

struct fee_row {
	const char *rule;
	const char *kind, *reason;
	int allowed;
};

static const struct fee_row fee_rows[] = {
	{"GDPR Art. 12(5)(a); 004 §16.5: manifestly unfounded", "access", "manifestly_unfounded", 1},
	{"GDPR Art. 12(5)(a): excessive", "erasure", "excessive", 1},
	{"GDPR Art. 15(3); 004 §15.2: further copies", "access", "additional_copy", 1},
	{"GDPR Art. 15(3): copies are an access matter", "erasure", "additional_copy", 0},
	{"GDPR Art. 12(5); 004 §16.5: free of charge otherwise", "access", "complexity", 0},
	{"GDPR Art. 12(5): no fee without a reason", "access", NULL, 0},
	{"GDPR Art. 12(5): identity checks are not charged", "access", "identity_not_confirmed", 0},
};

static void test_fee_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ROWS(fee_rows); i++) {
		const char *why = NULL;

		if (sargs_request_fee_allowed(fee_rows[i].kind, fee_rows[i].reason, &why) !=
		    fee_rows[i].allowed)
			fail_msg("%s: expected %s", fee_rows[i].rule,
				 fee_rows[i].allowed ? "allowed" : "refused");
		assert_non_null(why);
	}
}

static void test_fee_then_paid(void **state)
{
	struct fixture *fx = *state;
	char id_anna[SARGS_UUID_STR];
	const char *checks[] = {"id_document"};
	struct sargs_identity ident = {NULL, checks, 1, 0};
	struct sargs_request r;
	struct sargs_err err;
	int64_t a, b;

	add_anna(fx, id_anna);
	a = new_request(fx, "access", NULL, id_anna, NULL);
	assert_int_equal(sargs_request_fee(fx->reg, a, 0, "excessive", &err), SARGS_E_INVALID);
	assert_int_equal(sargs_request_fee(fx->reg, a, 1250, "complexity", &err), SARGS_E_DENIED);
	assert_int_equal(sargs_request_fee(fx->reg, a, 1250, "excessive", &err), SARGS_OK);
	r = get(fx, a);
	assert_string_equal(r.state, "fee_requested");
	assert_non_null(strstr(r.data, "\"fee_cents\":1250"));
	/* 004 §16.7: nothing done before the fee is paid */
	{
		struct sargs_request_result res;

		assert_int_equal(sargs_request_fulfil(fx->reg, a, NULL, &res, &err), SARGS_E_DENIED);
	}
	/* GDPR Art. 12(6): the payment does not identify the person */
	assert_int_equal(sargs_request_paid(fx->reg, a, NULL, &err), SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "12(6)"));
	assert_int_equal(sargs_request_verify(fx->reg, a, &ident, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_request_paid(fx->reg, a, &ident, &err), SARGS_OK);
	r = get(fx, a);
	assert_string_equal(r.state, "verified");
	assert_non_null(strstr(r.data, "\"fee_paid\":true"));

	/* a fee for a further copy after verification; paid without checks again */
	b = new_request(fx, "access", NULL, id_anna, NULL);
	verify(fx, b, NULL, "in_person");
	assert_int_equal(sargs_request_fee(fx->reg, b, 500, "additional_copy", &err), SARGS_OK);
	assert_int_equal(sargs_request_paid(fx->reg, b, NULL, &err), SARGS_OK);
	assert_string_equal(get(fx, b).state, "verified");
	assert_int_equal(sargs_request_paid(fx->reg, b, NULL, &err), SARGS_E_DENIED);
}

/* GDPR Art. 15(1): a person the register holds nothing about is told so,
 * after being identified; nothing is changed and nobody's data released */
static void test_no_data_held(void **state)
{
	struct fixture *fx = *state;
	char id_anna[SARGS_UUID_STR];
	const char *checks[] = {"eparaksts"};
	struct sargs_identity nodata = {NULL, checks, 1, 1};
	struct sargs_identity both = {NULL, checks, 1, 1};
	struct sargs_identity weak = {NULL, NULL, 0, 1};
	struct sargs_request_result res;
	struct sargs_err err;
	int64_t a, b, before, after;

	add_anna(fx, id_anna);
	a = new_request(fx, "access", NULL, NULL, NULL);
	/* not identified: no answer at all */
	assert_int_equal(sargs_request_fulfil(fx->reg, a, NULL, &res, &err), SARGS_E_DENIED);
	assert_int_not_equal(sargs_request_verify(fx->reg, a, &weak, &err), SARGS_OK);
	assert_int_equal(sargs_request_verify(fx->reg, a, &nodata, &err), SARGS_OK);
	assert_int_equal(sargs_store_subject_count(fx->reg->store, &before), SARGS_OK);
	assert_int_equal(sargs_request_fulfil(fx->reg, a, NULL, &res, &err), SARGS_OK);
	assert_non_null(res.answer);
	assert_non_null(strstr(res.answer, "neglabājam par jums nekādus personas datus"));
	assert_null(res.export);
	sargs_request_result_free(&res);
	assert_int_equal(sargs_store_subject_count(fx->reg->store, &after), SARGS_OK);
	assert_int_equal(before, after);
	assert_string_equal(get(fx, a).state, "fulfilled");
	/* a request that names a subject cannot also say "no data" */
	b = new_request(fx, "erasure", NULL, id_anna, NULL);
	both.subject_id = NULL;
	assert_int_equal(sargs_request_verify(fx->reg, b, &both, &err), SARGS_E_INVALID);
	assert_string_equal(get(fx, b).state, "received");
}

/* ---- overdue ------------------------------------------------------------- */

struct overdue_seen {
	int64_t ids[16];
	int32_t left[16];
	size_t n;
};

static int overdue_cb(void *ctx, const struct sargs_request *r, int32_t days_left)
{
	struct overdue_seen *s = ctx;

	if (s->n < 16) {
		s->ids[s->n] = r->id;
		s->left[s->n] = days_left;
		s->n++;
	}
	return 0;
}

static void test_overdue(void **state)
{
	struct fixture *fx = *state;
	struct overdue_seen seen;
	struct sargs_err err;
	char *answer = NULL;
	int64_t late, today, soon, later, closed;

	clock_at("2026-03-20");
	/* received -> due: 01-10 -> 02-10 (late 38 days); 02-20 -> 03-20 (due
	 * today); 02-25 -> 03-25 (5 days); 03-10 -> 04-10 (21 days) */
	later = new_request(fx, "erasure", "2026-03-10", NULL, NULL);
	soon = new_request(fx, "access", "2026-02-25", NULL, NULL);
	today = new_request(fx, "restriction", "2026-02-20", NULL, NULL);
	late = new_request(fx, "rectification", "2026-01-10", NULL, NULL);
	closed = new_request(fx, "access", "2026-01-05", NULL, NULL);
	assert_int_equal(sargs_request_refuse(fx->reg, closed, "excessive", "en", &answer, &err),
			 SARGS_OK);
	free(answer);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(sargs_request_overdue(fx->reg, 7, overdue_cb, &seen, &err), SARGS_OK);
	/* most urgent first; closed ones and those beyond the window left out */
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.ids[0], late);
	assert_int_equal(seen.left[0], -38);
	assert_int_equal(seen.ids[1], today);
	assert_int_equal(seen.left[1], 0);
	assert_int_equal(seen.ids[2], soon);
	assert_int_equal(seen.left[2], 5);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(sargs_request_overdue(fx->reg, 0, overdue_cb, &seen, &err), SARGS_OK);
	assert_int_equal(seen.n, 2);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(sargs_request_overdue(fx->reg, 30, overdue_cb, &seen, &err), SARGS_OK);
	assert_int_equal(seen.n, 4);
	assert_int_equal(seen.ids[3], later);

	assert_int_equal(sargs_request_overdue(fx->reg, -1, overdue_cb, &seen, &err),
			 SARGS_E_INVALID);
}

/* ---- the sealed requester ------------------------------------------------ */

static int file_contains(const char *path, const char *needle)
{
	char *buf = NULL;
	size_t n = 0, k = strlen(needle);
	int found = 0;
	struct sargs_err err;

	if (!sargs_fs_exists(path))
		return 0;
	if (sargs_fs_read(path, 64u << 20, &buf, &n, &err) != SARGS_OK)
		fail_msg("cannot read %s", path);
	for (size_t i = 0; i + k <= n && !found; i++)
		found = memcmp(buf + i, needle, k) == 0;
	free(buf);
	return found;
}

struct audit_scan {
	const char *values[6];
	int value_hits;
	int entries;
	char actions[64][32];
	char fields[64][32];
};

static int audit_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct audit_scan *a = ctx;
	const char *parts[] = {r->actor, r->action, r->subject_id, r->fields, r->purpose,
			       r->channel, r->detail};

	for (size_t i = 0; i < N_ROWS(parts); i++)
		for (size_t k = 0; k < N_ROWS(a->values) && a->values[k] != NULL; k++)
			if (parts[i] != NULL && strstr(parts[i], a->values[k]) != NULL)
				a->value_hits++;
	if (strncmp(r->action, "request.", 8) == 0 && a->entries < 64) {
		(void)snprintf(a->actions[a->entries], sizeof(a->actions[0]), "%s", r->action);
		(void)snprintf(a->fields[a->entries], sizeof(a->fields[0]), "%s",
			       r->fields ? r->fields : "");
		a->entries++;
	}
	return 0;
}

static void audit_all(struct fixture *fx, struct audit_scan *a)
{
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};

	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, audit_cb, a), SARGS_OK);
}

static int audit_has(const struct audit_scan *a, const char *action)
{
	int n = 0;

	for (int i = 0; i < a->entries && i < 64; i++)
		if (strcmp(a->actions[i], action) == 0)
			n++;
	return n;
}

static void test_requester_sealed(void **state)
{
	struct fixture *fx = *state;
	struct audit_scan a = {{REQ_NAME, REQ_CONTACT, NULL}, 0, 0, {{0}}, {{0}}};
	char db[700], wal[720];
	char *name = NULL, *contact = NULL;
	struct sargs_err err;
	int64_t id = new_request(fx, "access", NULL, NULL, NULL);

	assert_true(get(fx, id).has_requester);
	(void)snprintf(db, sizeof(db), "%s/sargs.db", fx->dir);
	(void)snprintf(wal, sizeof(wal), "%s/sargs.db-wal", fx->dir);
	/* GDPR Art. 32: who asked is personal data, encrypted at rest */
	assert_false(file_contains(db, REQ_NAME));
	assert_false(file_contains(wal, REQ_NAME));
	assert_false(file_contains(db, REQ_CONTACT));
	assert_false(file_contains(wal, REQ_CONTACT));
	assert_false(file_contains(wal, "Pardaugav"));

	assert_int_equal(sargs_request_requester(fx->reg, id, &name, &contact, &err), SARGS_OK);
	assert_string_equal(name, REQ_NAME);
	assert_string_equal(contact, REQ_CONTACT);
	free(name);
	free(contact);
	audit_all(fx, &a);
	assert_int_equal(a.value_hits, 0);
	assert_int_equal(audit_has(&a, "request.show"), 1);
	assert_string_equal(a.fields[a.entries - 1], "requester");
}

/* A blob moved to another request does not decrypt there ("request:<id>"
 * is authenticated). */
static void test_requester_bound_to_request(void **state)
{
	struct fixture *fx = *state;
	struct sargs_store_request s;
	void *owned = NULL;
	char *name = NULL, *contact = NULL;
	struct sargs_err err;
	int64_t a = new_request(fx, "access", NULL, NULL, NULL);
	int64_t b = new_request(fx, "erasure", NULL, NULL, NULL);
	unsigned char *copy;
	size_t len;

	assert_int_equal(sargs_store_request_get(fx->reg->store, a, &s, &owned), SARGS_OK);
	len = s.requester_len;
	copy = malloc(len);
	assert_non_null(copy);
	memcpy(copy, s.requester, len);
	free(owned);
	assert_int_equal(sargs_store_request_get(fx->reg->store, b, &s, &owned), SARGS_OK);
	s.requester = copy;
	s.requester_len = len;
	assert_int_equal(sargs_store_request_update(fx->reg->store, &s), SARGS_OK);
	free(owned);
	free(copy);
	assert_int_equal(sargs_request_requester(fx->reg, b, &name, &contact, &err),
			 SARGS_E_CRYPTO);
	assert_null(name);
	assert_null(contact);
}

/* ---- fulfilment ---------------------------------------------------------- */

static void test_nothing_released_before_verified(void **state)
{
	struct fixture *fx = *state;
	char id_anna[SARGS_UUID_STR], out[700], out2[700];
	const char *needs[] = {"id_document"};
	const char *weak1[] = {"email_confirmation"};
	const char *weak2[] = {"email_confirmation", "knowledge_of_account"};
	struct sargs_identity one_weak = {NULL, weak1, 1, 0};
	struct sargs_identity two_weak = {NULL, weak2, 2, 0};
	struct sargs_request_fulfil_opts o;
	struct sargs_request_result res;
	struct sargs_err err;
	struct stat st;
	int64_t id, again;

	add_anna(fx, id_anna);
	(void)snprintf(out, sizeof(out), "%s/copy.json", fx->dir);
	(void)snprintf(out2, sizeof(out2), "%s/copy2.json", fx->dir);
	memset(&o, 0, sizeof(o));
	o.output = out;
	o.lang = "en";
	id = new_request(fx, "access", NULL, id_anna, NULL);
	/* GDPR Art. 12(6): the subject named at receipt is not an identification */
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "12(6)"));
	assert_false(sargs_fs_exists(out));
	assert_int_equal(sargs_request_ask(fx->reg, id, needs, 1, &err), SARGS_OK);
	assert_string_equal(get(fx, id).state, "verifying");
	assert_non_null(strstr(get(fx, id).data, "\"asked\":[\"id_document\"]"));
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_E_DENIED);
	assert_false(sargs_fs_exists(out));
	/* 004 §16.9: one weak check leaves doubt */
	assert_int_equal(sargs_request_verify(fx->reg, id, &one_weak, &err), SARGS_E_DENIED);
	assert_string_equal(get(fx, id).state, "verifying");
	assert_int_equal(sargs_request_verify(fx->reg, id, &two_weak, &err), SARGS_OK);
	assert_non_null(strstr(get(fx, id).data,
			       "\"checks\":[\"email_confirmation\",\"knowledge_of_account\"]"));

	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_OK);
	assert_non_null(res.answer);
	assert_non_null(strstr(res.answer, "Art. 15"));
	assert_null(res.export);
	sargs_request_result_free(&res);
	assert_int_equal(stat(out, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_true(file_contains(out, ANNA_EMAIL));
	assert_string_equal(get(fx, id).state, "fulfilled");
	assert_true(get(fx, id).closed_us != 0);
	/* a closed request is not carried out twice */
	o.output = out2;
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_E_DENIED);
	assert_false(sargs_fs_exists(out2));

	/* the copy never replaces a file; the request stays verified */
	again = new_request(fx, "access", NULL, id_anna, NULL);
	verify(fx, again, NULL, "eparaksts");
	o.output = out;
	assert_int_equal(sargs_request_fulfil(fx->reg, again, &o, &res, &err), SARGS_E_EXISTS);
	assert_string_equal(get(fx, again).state, "verified");
	/* without a file the copy comes back to the caller */
	o.output = NULL;
	o.format = SARGS_EXPORT_HTML;
	assert_int_equal(sargs_request_fulfil(fx->reg, again, &o, &res, &err), SARGS_OK);
	assert_non_null(res.export);
	assert_non_null(strstr(res.export, ANNA_EMAIL));
	assert_int_equal(res.export_len, strlen(res.export));
	sargs_request_result_free(&res);
}

static void test_fulfil_each_kind(void **state)
{
	struct fixture *fx = *state;
	char id_anna[SARGS_UUID_STR];
	const struct sargs_kv fix[] = {{"last_name", "Ozolina-Kalnina"}};
	struct sargs_request_fulfil_opts o;
	struct sargs_request_result res;
	struct sargs_subject_view v;
	struct sargs_err err;
	int64_t id;

	add_anna(fx, id_anna);
	memset(&o, 0, sizeof(o));
	o.lang = "en";

	/* GDPR Art. 16: rectification needs the corrected fields */
	id = new_request(fx, "rectification", NULL, id_anna, NULL);
	verify(fx, id, NULL, "id_document");
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_E_INVALID);
	o.set = fix;
	o.n_set = 1;
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_OK);
	assert_non_null(strstr(res.answer, "last_name"));
	assert_null(strstr(res.answer, "Ozolina-Kalnina"));
	sargs_request_result_free(&res);
	assert_int_equal(sargs_subject_show(fx->reg, id_anna, "service", &v, &err), SARGS_OK);
	for (size_t i = 0; i < v.n_fields; i++)
		if (strcmp(v.fields[i].name, "last_name") == 0)
			assert_string_equal(v.fields[i].value, "Ozolina-Kalnina");
	sargs_subject_view_free(&v);
	o.set = NULL;
	o.n_set = 0;

	/* GDPR Art. 18: restriction */
	id = new_request(fx, "restriction", NULL, id_anna, NULL);
	verify(fx, id, NULL, "bank_link");
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_OK);
	assert_non_null(strstr(res.answer, "Art. 18"));
	sargs_request_result_free(&res);

	/* GDPR Art. 21(3): an objection to direct marketing: at once, no review */
	id = new_request(fx, "objection", NULL, id_anna, NULL);
	verify(fx, id, NULL, "bank_link");
	assert_false(sargs_request_routed(fx->reg, "objection", NULL));
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_OK);
	assert_non_null(strstr(res.answer, "direct marketing"));
	assert_null(strstr(res.answer, "Inspectorate"));
	sargs_request_result_free(&res);
	assert_non_null(strstr(get(fx, id).data, "\"outcome\":\"upheld\""));

	/* GDPR Art. 21(1): an objection to a legitimate-interest purpose is
	 * reviewed by a person, assigned, and answered with the outcome */
	id = new_request(fx, "objection", NULL, id_anna, "debt_collection");
	assert_true(sargs_request_routed(fx->reg, "objection", "debt_collection"));
	verify(fx, id, NULL, "eparaksts");
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "assign"));
	assert_int_equal(sargs_request_assign(fx->reg, id, "Anna Kalnina", &err), SARGS_E_INVALID);
	assert_int_equal(sargs_request_assign(fx->reg, id, "dpo.ilze", &err), SARGS_OK);
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_E_INVALID);
	o.outcome = "overridden_compelling_grounds";
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_OK);
	assert_non_null(strstr(res.answer, "compelling legitimate grounds"));
	assert_non_null(strstr(res.answer, "Data State Inspectorate"));
	sargs_request_result_free(&res);
	assert_non_null(strstr(get(fx, id).data, "\"assignee\":\"dpo.ilze\""));

	/* GDPR Art. 22(3); 004 §17.3: review of an automated decision */
	id = new_request(fx, "automated_decision_review", NULL, id_anna, NULL);
	verify(fx, id, NULL, "in_person");
	o.outcome = "upheld";
	assert_int_equal(sargs_request_assign(fx->reg, id, "cli:janis", &err), SARGS_OK);
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_E_INVALID);
	o.outcome = "decision_confirmed";
	o.lang = "lv";
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_OK);
	assert_non_null(strstr(res.answer, "22. panta 3. punkts"));
	assert_non_null(strstr(res.answer, "Datu valsts inspekcijai"));
	sargs_request_result_free(&res);
	o.outcome = NULL;
	o.lang = "en";

	/* an outcome is not invented for a request nobody reviews */
	id = new_request(fx, "restriction", NULL, id_anna, NULL);
	verify(fx, id, NULL, "in_person");
	o.outcome = "upheld";
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_E_INVALID);
	o.outcome = NULL;
	assert_int_equal(sargs_request_refuse(fx->reg, id, "excessive", "en", NULL, &err),
			 SARGS_OK);

	/* GDPR Art. 13-14: information needs no identification */
	id = new_request(fx, "information", NULL, NULL, NULL);
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_OK);
	assert_non_null(strstr(res.answer, "privacy notice"));
	assert_non_null(strstr(res.answer, "dpo@zimes.example.lv"));
	sargs_request_result_free(&res);

	/* GDPR Art. 17: erasure, last: Anna is gone afterwards */
	id = new_request(fx, "erasure", NULL, NULL, NULL);
	verify(fx, id, id_anna, "id_document");
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_OK);
	assert_non_null(strstr(res.answer, "erased"));
	assert_int_equal(res.erasure.n_kept, 0);
	sargs_request_result_free(&res);
	assert_int_equal(sargs_subject_show(fx->reg, id_anna, "service", &v, &err),
			 SARGS_E_NOTFOUND);
	/* the erased person cannot be named by a new request */
	{
		const char *checks[] = {"id_document"};
		struct sargs_identity ident = {id_anna, checks, 1, 0};
		int64_t late = new_request(fx, "access", NULL, NULL, NULL);

		assert_int_equal(sargs_request_verify(fx->reg, late, &ident, &err),
				 SARGS_E_NOTFOUND);
		assert_non_null(strstr(err.msg, "erased"));
	}
}

static void test_withdrawal_through_request(void **state)
{
	struct fixture *fx = *state;
	char id_anna[SARGS_UUID_STR];
	struct sargs_consent_proof p;
	struct sargs_request_fulfil_opts o;
	struct sargs_request_result res;
	struct sargs_store_consent c;
	struct sargs_err err;
	char *receipt = NULL;
	int64_t id;

	add_anna(fx, id_anna);
	memset(&p, 0, sizeof(p));
	p.channel = "web_form";
	p.form = "shop-signup-v3";
	p.text_hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	assert_int_equal(sargs_consent_give(fx->reg, id_anna, "newsletter", &p, &receipt, &err),
			 SARGS_OK);
	free(receipt);
	id = new_request(fx, "consent_withdrawal", NULL, id_anna, "newsletter");
	{
		const char *one[] = {"email_confirmation"};
		struct sargs_identity weak = {NULL, one, 1, 0};

		assert_int_equal(sargs_request_verify(fx->reg, id, &weak, &err), SARGS_E_DENIED);
		assert_string_equal(get(fx, id).state, "received");
	}
	{
		const char *two[] = {"email_confirmation", "knowledge_of_account"};
		struct sargs_identity ident = {NULL, two, 2, 0};

		assert_int_equal(sargs_request_verify(fx->reg, id, &ident, &err), SARGS_OK);
	}
	memset(&o, 0, sizeof(o));
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_OK);
	assert_non_null(strstr(res.answer, "7. panta 3. punkts"));
	sargs_request_result_free(&res);
	/* GDPR Art. 7(3): the withdrawal took effect */
	assert_int_equal(sargs_store_consent_get(fx->reg->store, id_anna, "newsletter", &c),
			 SARGS_OK);
	assert_int_equal(c.state, SARGS_CONSENT_WITHDRAWN);
}

/* ---- the trail ----------------------------------------------------------- */

struct event_seen {
	char events[16][24];
	size_t n;
	int bad_detail;
};

static int event_cb(void *ctx, int64_t time_us, const char *actor, const char *event,
		    const char *detail)
{
	struct event_seen *s = ctx;

	(void)time_us;
	(void)actor;
	if (s->n < 16)
		(void)snprintf(s->events[s->n++], sizeof(s->events[0]), "%s", event);
	if (detail == NULL || strncmp(detail, "request:", 8) != 0 ||
	    strstr(detail, REQ_NAME) != NULL || strstr(detail, ANNA_EMAIL) != NULL)
		s->bad_detail++;
	return 0;
}

static void test_every_step_audited_without_values(void **state)
{
	struct fixture *fx = *state;
	struct audit_scan a = {{REQ_NAME, REQ_CONTACT, ANNA_FIRST, ANNA_LAST, ANNA_EMAIL, NULL},
			       0, 0, {{0}}, {{0}}};
	static const char *const want_events[] = {"received", "verifying", "verified", "extended",
						  "assigned", "fulfilled"};
	static const char *const want_actions[] = {"request.new", "request.ask", "request.verify",
						   "request.extend", "request.assign",
						   "request.fulfil", "request.fee", "request.paid",
						   "request.refuse"};
	const char *needs[] = {"id_document"};
	char id_anna[SARGS_UUID_STR], out[700];
	struct sargs_request_fulfil_opts o;
	struct sargs_request_result res;
	struct event_seen ev;
	struct sargs_err err;
	char *text = NULL;
	int64_t id, other;

	add_anna(fx, id_anna);
	id = new_request(fx, "access", NULL, id_anna, NULL);
	assert_int_equal(sargs_request_ask(fx->reg, id, needs, 1, &err), SARGS_OK);
	verify(fx, id, NULL, "id_document");
	assert_int_equal(sargs_request_extend(fx->reg, id, "complexity", "lv", &text, &err),
			 SARGS_OK);
	free(text);
	assert_int_equal(sargs_request_assign(fx->reg, id, "ilze", &err), SARGS_OK);
	(void)snprintf(out, sizeof(out), "%s/copy.json", fx->dir);
	memset(&o, 0, sizeof(o));
	o.output = out;
	assert_int_equal(sargs_request_fulfil(fx->reg, id, &o, &res, &err), SARGS_OK);
	sargs_request_result_free(&res);
	other = new_request(fx, "erasure", NULL, NULL, NULL);
	assert_int_equal(sargs_request_fee(fx->reg, other, 2000, "manifestly_unfounded", &err),
			 SARGS_OK);
	assert_int_equal(sargs_request_refuse(fx->reg, other, "manifestly_unfounded", "en", &text,
					      &err),
			 SARGS_OK);
	free(text);
	{
		int64_t third = new_request(fx, "access", NULL, id_anna, NULL);

		verify(fx, third, NULL, "eparaksts");
		assert_int_equal(sargs_request_fee(fx->reg, third, 300, "additional_copy", &err),
				 SARGS_OK);
		assert_int_equal(sargs_request_paid(fx->reg, third, NULL, &err), SARGS_OK);
	}

	memset(&ev, 0, sizeof(ev));
	assert_int_equal(sargs_request_events(fx->reg, id, event_cb, &ev, &err), SARGS_OK);
	assert_int_equal(ev.n, N_ROWS(want_events));
	for (size_t i = 0; i < N_ROWS(want_events); i++)
		assert_string_equal(ev.events[i], want_events[i]);
	assert_int_equal(ev.bad_detail, 0);

	audit_all(fx, &a);
	for (size_t i = 0; i < N_ROWS(want_actions); i++)
		if (audit_has(&a, want_actions[i]) == 0)
			fail_msg("no audit entry %s", want_actions[i]);
	/* no name, contact or e-mail in any entry; the copy's read is there */
	assert_int_equal(a.value_hits, 0);
	assert_true(audit_has(&a, "request.new") == 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transition_rows),
		cmocka_unit_test(test_transition_matrix),
		cmocka_unit_test(test_identity_checks),
		cmocka_unit_test(test_deadline_rows),
		cmocka_unit_test(test_local_day),
		cmocka_unit_test(test_may_extend_rows),
		cmocka_unit_test(test_refusal_text_complaint_right),
		cmocka_unit_test(test_fee_rows),
		cmocka_unit_test_setup_teardown(test_deadline_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extension_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_extension_before_verification, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_closes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fee_then_paid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overdue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requester_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requester_bound_to_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_released_before_verified, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fulfil_each_kind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdrawal_through_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_data_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_step_audited_without_values, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
