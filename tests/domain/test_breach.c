/*
 * test_breach.c — the breach register through the library (domain/breach.h).
 * Each table row names the rule it checks (mission.md §11; GDPR Art. 33-34;
 * 004 §21-23): the 72-hour clock and its boundaries, documentation of every
 * breach, the people's notice only for a high risk, the contents of the
 * DVI notification in both languages, the reasons for a delay, contacts
 * only through the purpose-bound read, and no incident text in the audit
 * trail.
 *
 * The register is a real one on disk with the example registry and a fixed
 * clock (NOW).
 */
#include "testutil.h"

#include "domain/breach.h"
#include "domain/controller.h"
#include "domain/register.h"
#include "domain/subject.h"
#include "store/store.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))
#define MIN_US 60000000LL
#define HOUR_US (60 * MIN_US)

/* Markers in the staff's texts: none may reach the audit trail. */
#define WHAT "WHAT-Laptop-with-the-customer-list-stolen"
#define CONSEQUENCES "CONSEQ-Phishing-e-mails-are-likely"
#define MEASURES "MEASURES-Passwords-reset-and-disk-encryption"
#define DELAY "DELAY-The-laptop-was-missed-over-the-holidays"

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
};

static int64_t now_us(void)
{
	return sargs_days_from_civil(2025, 6, 16) * 86400000000LL + 10 * HOUR_US;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sargs_controller c;
	struct sargs_err err;
	char *doc = test_read_example();

	assert_non_null(fx);
	sargs_time_set_fixed(now_us());
	test_tmpdir("breach", fx->dir, sizeof(fx->dir));
	assert_int_equal(sargs_reg_init(fx->dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(fx->dir, &fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(fx->reg, doc, strlen(doc), NULL, &err), SARGS_OK);
	free(doc);
	memset(&c, 0, sizeof(c));
	c.name = "SIA Zimes";
	c.registration_number = "40003000000";
	c.address = "Riga";
	c.dpo_name = "Datu Speciālists";
	c.dpo_email = "dpo@example.lv";
	assert_int_equal(sargs_controller_set(fx->reg, &c, &err), SARGS_OK);
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

static const char *const CATS[] = {"name", "contact"};

static struct sargs_breach_input input(int64_t aware_us, const char *risk)
{
	struct sargs_breach_input in;

	memset(&in, 0, sizeof(in));
	in.aware_us = aware_us;
	in.what = WHAT;
	in.categories = CATS;
	in.n_categories = N_ROWS(CATS);
	in.people = 120;
	in.records = 345;
	in.consequences = CONSEQUENCES;
	in.measures = MEASURES;
	in.risk = risk;
	return in;
}

static int64_t record(struct fixture *fx, int64_t aware_us, const char *risk)
{
	struct sargs_breach_input in = input(aware_us, risk);
	struct sargs_err err;
	int64_t id = 0;

	if (sargs_breach_record(fx->reg, &in, &id, &err) != SARGS_OK)
		fail_msg("cannot record a breach: %s", err.msg);
	return id;
}

/* ---- the clock (pure) ---------------------------------------------------- */

static void test_clock_table(void **state)
{
	static const struct {
		const char *rule;
		enum sargs_breach_risk risk;
		int64_t since_aware;     /* now - awareness */
		int64_t notified_after;  /* notification - awareness; 0: none */
		int delay_reason;
		int dvi_required, people_required, overdue;
		int64_t minutes_left, minutes_late;
	} rows[] = {
		{"Art. 33(1): 71:59 after awareness, 1 minute of the 72 hours left",
		 SARGS_BREACH_RISK, 71 * HOUR_US + 59 * MIN_US, 0, 0, 1, 0, 0, 1, 0},
		{"Art. 33(1): at 72:00 exactly still within the 72 hours", SARGS_BREACH_RISK,
		 72 * HOUR_US, 0, 0, 1, 0, 0, 0, 0},
		{"Art. 33(1): 72:01 after awareness, not notified: late by 1 minute",
		 SARGS_BREACH_HIGH, 72 * HOUR_US + MIN_US, 0, 0, 1, 1, 1, 0, 1},
		{"Art. 33(1): 72 h and 1 s counts as a minute late", SARGS_BREACH_RISK,
		 72 * HOUR_US + 1000000, 0, 0, 1, 0, 1, 0, 1},
		{"Art. 33(1): just recorded, the full 72 hours left", SARGS_BREACH_RISK, 0, 0, 0, 1,
		 0, 0, 72 * 60, 0},
		{"Art. 33(1): notified at 71 h is on time, whatever the time now",
		 SARGS_BREACH_RISK, 200 * HOUR_US, 71 * HOUR_US, 0, 1, 0, 0, 0, 0},
		{"Art. 33(1) second sentence: notified at 80 h is 8 h late, reason recorded",
		 SARGS_BREACH_RISK, 90 * HOUR_US, 80 * HOUR_US, 1, 1, 0, 1, 0, 8 * 60},
		{"Art. 33(1): a breach unlikely to result in a risk is never overdue",
		 SARGS_BREACH_UNLIKELY, 500 * HOUR_US, 0, 0, 0, 0, 0, 0, 0},
		{"Art. 34(1): a high risk means the people are told", SARGS_BREACH_HIGH,
		 HOUR_US, 0, 0, 1, 1, 0, 71 * 60, 0},
	};

	(void)state;
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		struct sargs_breach b;
		struct sargs_breach_clock c;
		char text[256];
		int64_t now = now_us();

		memset(&b, 0, sizeof(b));
		b.risk = rows[i].risk;
		b.aware_us = now - rows[i].since_aware;
		if (rows[i].notified_after)
			b.notified_dvi_us = b.aware_us + rows[i].notified_after;
		b.delay_reason = rows[i].delay_reason ? (char *)(uintptr_t)DELAY : NULL;
		sargs_breach_clock(&b, now, &c);
		sargs_breach_clock_text(&b, &c, text, sizeof(text));
		if (c.dvi_required != rows[i].dvi_required ||
		    c.people_required != rows[i].people_required || c.overdue != rows[i].overdue ||
		    (!rows[i].overdue && rows[i].minutes_left && c.minutes_left != rows[i].minutes_left) ||
		    c.minutes_late != rows[i].minutes_late)
			fail_msg("%s: dvi %d people %d overdue %d left %lld late %lld (%s)",
				 rows[i].rule, c.dvi_required, c.people_required, c.overdue,
				 (long long)c.minutes_left, (long long)c.minutes_late, text);
		if (rows[i].overdue && strstr(text, "late by") == NULL)
			fail_msg("%s: the text does not say late: %s", rows[i].rule, text);
		if (!rows[i].dvi_required && strstr(text, "Art. 33(5)") == NULL)
			fail_msg("%s: the text does not say documented: %s", rows[i].rule, text);
	}
}

/* ---- recording ----------------------------------------------------------- */

enum change { OK_AS_IS, FUTURE, NO_WHAT, BAD_CATEGORY, NO_CATEGORY, BAD_RISK, NEGATIVE,
	      CONTROL_CHAR, TOO_LONG, UNLIKELY };

static void test_record_table(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *rule;
		enum change change;
		enum sargs_rc want;
	} rows[] = {
		{"Art. 33(5): a breach is documented", OK_AS_IS, SARGS_OK},
		{"Art. 33(5): documented even when unlikely to result in a risk", UNLIKELY,
		 SARGS_OK},
		{"Art. 33(1): the clock runs from awareness; no awareness in the future", FUTURE,
		 SARGS_E_INVALID},
		{"Art. 33(3)(a): the nature of the breach is required", NO_WHAT, SARGS_E_INVALID},
		{"Art. 33(3)(a): categories come from the registry", BAD_CATEGORY, SARGS_E_INVALID},
		{"Art. 33(3)(a): at least one category", NO_CATEGORY, SARGS_E_INVALID},
		{"risk is unlikely, risk or high", BAD_RISK, SARGS_E_INVALID},
		{"Art. 33(3)(a): approximate numbers are not negative", NEGATIVE, SARGS_E_INVALID},
		{"texts hold no control characters", CONTROL_CHAR, SARGS_E_INVALID},
		{"texts are capped", TOO_LONG, SARGS_E_INVALID},
	};
	static const char *const bad_cats[] = {"contact", "astrology"};
	char *longtext = malloc(SARGS_BREACH_TEXT_MAX + 2);
	size_t documented = 0;
	struct sargs_breach *items = NULL;
	size_t n = 0;
	struct sargs_err err;

	assert_non_null(longtext);
	memset(longtext, 'x', SARGS_BREACH_TEXT_MAX + 1);
	longtext[SARGS_BREACH_TEXT_MAX + 1] = '\0';
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		struct sargs_breach_input in = input(now_us() - HOUR_US, "risk");
		int64_t id = 0;
		enum sargs_rc rc;

		switch (rows[i].change) {
		case FUTURE: in.aware_us = now_us() + MIN_US; break;
		case NO_WHAT: in.what = ""; break;
		case BAD_CATEGORY: in.categories = bad_cats; in.n_categories = 2; break;
		case NO_CATEGORY: in.n_categories = 0; break;
		case BAD_RISK: in.risk = "medium"; break;
		case NEGATIVE: in.people = -1; break;
		case CONTROL_CHAR: in.measures = "reset\x1b[2J"; break;
		case TOO_LONG: in.consequences = longtext; break;
		case UNLIKELY: in.risk = "unlikely"; break;
		default: break;
		}
		sargs_err_clear(&err);
		rc = sargs_breach_record(fx->reg, &in, &id, &err);
		if (rc != rows[i].want)
			fail_msg("%s: rc %d, expected %d (%s)", rows[i].rule, rc, rows[i].want, err.msg);
		if (rc == SARGS_OK)
			documented++;
		/* messages name the item, never the text */
		if (rc != SARGS_OK && strstr(err.msg, "xxxx") != NULL)
			fail_msg("%s: the message holds the text", rows[i].rule);
	}
	free(longtext);
	assert_int_equal(sargs_breach_list(fx->reg, &items, &n, &err), SARGS_OK);
	assert_int_equal(n, documented);
	assert_int_equal(items[1].risk, SARGS_BREACH_UNLIKELY);
	assert_string_equal(items[0].what, WHAT);
	assert_int_equal(items[0].people, 120);
	assert_int_equal(items[0].records, 345);
	for (size_t i = 0; i < n; i++)
		sargs_breach_free(&items[i]);
	free(items);
}

/* ---- drafts -------------------------------------------------------------- */

static void test_dvi_draft_contents(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *rule;
		const char *lang;
		const char *want;
	} rows[] = {
		{"Art. 33(3)(a) nature (en)", "en", WHAT},
		{"Art. 33(3)(a) categories (en)", "en", "Contact details"},
		{"Art. 33(3)(a) approximate number of people (en)", "en",
		 "Approximate number of data subjects concerned: 120"},
		{"Art. 33(3)(a) approximate number of records (en)", "en",
		 "Approximate number of personal data records concerned: 345"},
		{"Art. 33(3)(b) the DPO from the controller profile (en)", "en", "dpo@example.lv"},
		{"Art. 33(3)(b) heading (en)", "en", "(b) Data protection officer"},
		{"Art. 33(3)(c) likely consequences (en)", "en", CONSEQUENCES},
		{"Art. 33(3)(d) measures (en)", "en", MEASURES},
		{"Art. 33(3)(a) nature (lv)", "lv", WHAT},
		{"Art. 33(3)(a) categories (lv)", "lv", "Kontaktinformācija"},
		{"Art. 33(3)(a) approximate number of people (lv)", "lv",
		 "Aptuvenais attiecīgo datu subjektu skaits: 120"},
		{"Art. 33(3)(a) approximate number of records (lv)", "lv",
		 "Aptuvenais attiecīgo personas datu ierakstu skaits: 345"},
		{"Art. 33(3)(b) the DPO from the controller profile (lv)", "lv", "dpo@example.lv"},
		{"Art. 33(3)(b) heading (lv)", "lv", "b) Datu aizsardzības speciālists"},
		{"Art. 33(3)(c) likely consequences (lv)", "lv", CONSEQUENCES},
		{"Art. 33(3)(d) measures (lv)", "lv", MEASURES},
		{"the controller is named (lv)", "lv", "Pārzinis: SIA Zimes"},
		{"addressed to DVI (lv)", "lv", "Datu valsts inspekcija"},
	};
	int64_t id = record(fx, now_us() - 2 * HOUR_US, "risk");
	struct sargs_err err;

	for (size_t i = 0; i < N_ROWS(rows); i++) {
		char *text = NULL;

		if (sargs_breach_draft(fx->reg, id, "dvi", rows[i].lang, &text, &err) != SARGS_OK)
			fail_msg("%s: %s", rows[i].rule, err.msg);
		if (strstr(text, rows[i].want) == NULL)
			fail_msg("%s: \"%s\" missing from\n%s", rows[i].rule, rows[i].want, text);
		/* within the 72 hours there is no delay to explain */
		if (strstr(text, "72") != NULL && (strstr(text, "Reasons for the delay") != NULL ||
						   strstr(text, "Kavēšanās iemesli") != NULL))
			fail_msg("%s: a delay section within the 72 hours", rows[i].rule);
		free(text);
	}
}

static void test_people_notice_only_high(void **state)
{
	struct fixture *fx = *state;
	static const struct {
		const char *rule;
		const char *risk;
		const char *lang;
		enum sargs_rc want;
		const char *marker;
	} rows[] = {
		{"Art. 34(1): no notice to people when the risk is unlikely", "unlikely", "en",
		 SARGS_E_DENIED, NULL},
		{"Art. 34(1): no notice to people when the risk is not high", "risk", "lv",
		 SARGS_E_DENIED, NULL},
		{"Art. 34(1)-(2): a high risk: the notice with (c) consequences (en)", "high", "en",
		 SARGS_OK, CONSEQUENCES},
		{"Art. 34(2): (d) measures (en)", "high", "en", SARGS_OK, MEASURES},
		{"Art. 34(2): (b) contact point (en)", "high", "en", SARGS_OK, "dpo@example.lv"},
		{"Art. 34(2): plain language (en)", "high", "en", SARGS_OK, "What this may mean for you"},
		{"Art. 34(2): (c) consequences (lv)", "high", "lv", SARGS_OK, CONSEQUENCES},
		{"Art. 34(2): (d) measures (lv)", "high", "lv", SARGS_OK, MEASURES},
		{"Art. 34(2): (b) contact point (lv)", "high", "lv", SARGS_OK, "dpo@example.lv"},
		{"Art. 34(2): plain language (lv)", "high", "lv", SARGS_OK, "Ko tas jums var nozīmēt"},
	};

	for (size_t i = 0; i < N_ROWS(rows); i++) {
		int64_t id = record(fx, now_us() - HOUR_US, rows[i].risk);
		struct sargs_err err;
		char *text = NULL;
		enum sargs_rc rc;

		sargs_err_clear(&err);
		rc = sargs_breach_draft(fx->reg, id, "people", rows[i].lang, &text, &err);
		if (rc != rows[i].want)
			fail_msg("%s: rc %d (%s)", rows[i].rule, rc, err.msg);
		if (rc != SARGS_OK && strstr(err.msg, "Art. 34(1)") == NULL)
			fail_msg("%s: the refusal gives no reason: %s", rows[i].rule, err.msg);
		if (rows[i].marker != NULL && strstr(text, rows[i].marker) == NULL)
			fail_msg("%s: \"%s\" missing from\n%s", rows[i].rule, rows[i].marker, text);
		free(text);
	}
}

/* ---- the reasons for a delay --------------------------------------------- */

static void test_delay_reason(void **state)
{
	struct fixture *fx = *state;
	struct sargs_breach b;
	struct sargs_breach_clock c;
	struct sargs_breach_change ch;
	struct sargs_err err;
	char *text = NULL;
	char clock[256];
	int64_t late = record(fx, now_us() - 80 * HOUR_US, "high");
	int64_t in_time = record(fx, now_us() - 10 * HOUR_US, "risk");

	/* Art. 33(1): within 72 hours no reason is needed */
	assert_int_equal(sargs_breach_notified(fx->reg, in_time, "dvi", 0, NULL, &err), SARGS_OK);
	/* Art. 33(1) second sentence: after 72 hours the reasons must accompany it */
	assert_int_equal(sargs_breach_notified(fx->reg, late, "dvi", 0, NULL, &err),
			 SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "Art. 33(1)"));
	/* the draft says the reasons are missing */
	assert_int_equal(sargs_breach_draft(fx->reg, late, "dvi", "en", &text, &err), SARGS_OK);
	assert_non_null(strstr(text, "Reasons for the delay"));
	assert_non_null(strstr(text, "NOT RECORDED"));
	free(text);
	memset(&ch, 0, sizeof(ch));
	ch.people = ch.records = -1;
	ch.delay_reason = DELAY;
	assert_int_equal(sargs_breach_update(fx->reg, late, &ch, &err), SARGS_OK);
	assert_int_equal(sargs_breach_draft(fx->reg, late, "dvi", "lv", &text, &err), SARGS_OK);
	assert_non_null(strstr(text, "Kavēšanās iemesli"));
	assert_non_null(strstr(text, DELAY));
	free(text);
	assert_int_equal(sargs_breach_notified(fx->reg, late, "dvi", 0, NULL, &err), SARGS_OK);
	/* once only */
	assert_int_equal(sargs_breach_notified(fx->reg, late, "dvi", 0, NULL, &err),
			 SARGS_E_EXISTS);
	assert_int_equal(sargs_breach_get(fx->reg, late, &b, &err), SARGS_OK);
	sargs_breach_clock(&b, now_us(), &c);
	sargs_breach_clock_text(&b, &c, clock, sizeof(clock));
	assert_true(c.notified && c.overdue && c.delay_reason_given);
	assert_int_equal(c.minutes_late, 8 * 60);
	assert_non_null(strstr(clock, "late by 8 h 00 min; delay reason recorded"));
	sargs_breach_free(&b);
	/* a notification time before awareness or in the future is refused */
	assert_int_equal(sargs_breach_notified(fx->reg, in_time, "people",
					       now_us() - 11 * HOUR_US, NULL, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_breach_notified(fx->reg, in_time, "people", now_us() + MIN_US,
					       NULL, &err),
			 SARGS_E_INVALID);
}

/* ---- contacts and the audit trail ---------------------------------------- */

struct audit_scan {
	int contacts_reads;
	int denied;
	int texts;
	int breach_entries;
	char first_contact_subject[40];
};

static int has_marker(const char *s)
{
	return s != NULL && (strstr(s, "WHAT-") || strstr(s, "CONSEQ-") || strstr(s, "MEASURES-") ||
			     strstr(s, "DELAY-"));
}

static int audit_cb(void *ctx, const struct sargs_store_audit_row *row)
{
	struct audit_scan *a = ctx;

	if (strncmp(row->action, "breach.", 7) == 0)
		a->breach_entries++;
	if (strcmp(row->action, "breach.contacts") == 0) {
		if (a->contacts_reads++ == 0 && row->subject_id != NULL)
			(void)snprintf(a->first_contact_subject, sizeof(a->first_contact_subject), "%s",
				       row->subject_id);
	}
	if (strcmp(row->action, "subject.read.denied") == 0)
		a->denied++;
	if (has_marker(row->detail) || has_marker(row->fields) || has_marker(row->purpose) ||
	    has_marker(row->channel) || has_marker(row->actor))
		a->texts++;
	return 0;
}

static void add_subject(struct fixture *fx, const char *purpose, const char *email,
			char id[SARGS_UUID_STR])
{
	const char *p[1] = {purpose};
	struct sargs_kv kv[3] = {{"first_name", "Anna"}, {"last_name", "Ozola"}, {"email", email}};
	struct sargs_subject_input in;
	struct sargs_err err;

	memset(&in, 0, sizeof(in));
	in.purposes = p;
	in.n_purposes = 1;
	in.source = "person";
	in.fields = kv;
	in.n_fields = strcmp(purpose, "service") == 0 ? 3 : 1;
	if (in.n_fields == 1)
		in.fields = &kv[2];
	if (sargs_subject_add(fx->reg, &in, id, &err) != SARGS_OK)
		fail_msg("cannot add a subject: %s", err.msg);
}

static void test_contacts_purpose_bound_and_audit_clean(void **state)
{
	struct fixture *fx = *state;
	char a[SARGS_UUID_STR], b[SARGS_UUID_STR], c[SARGS_UUID_STR];
	const char *ids[2];
	struct sargs_breach_contacts con;
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};
	struct audit_scan scan;
	struct sargs_breach_change ch;
	struct sargs_err err;
	struct sargs_breach br;
	int64_t added = 0, id = record(fx, now_us() - HOUR_US, "high");
	char *text = NULL;

	add_subject(fx, "service", "anna@example.lv", a);
	add_subject(fx, "newsletter", "liga@example.lv", b);
	add_subject(fx, "newsletter", "janis@example.lv", c);
	ids[0] = a;
	ids[1] = b;
	assert_int_equal(sargs_breach_affect(fx->reg, id, ids, 2, NULL, &added, &err), SARGS_OK);
	assert_int_equal(added, 2);
	/* linking again adds nobody; an unknown id is refused, all or nothing */
	assert_int_equal(sargs_breach_affect(fx->reg, id, ids, 1, NULL, &added, &err), SARGS_OK);
	assert_int_equal(added, 0);
	ids[1] = "01900000-0000-7000-8000-000000000000";
	assert_int_equal(sargs_breach_affect(fx->reg, id, ids, 2, NULL, &added, &err),
			 SARGS_E_NOTFOUND);
	/* everyone linked to a purpose */
	assert_int_equal(sargs_breach_affect(fx->reg, id, NULL, 0, "newsletter", &added, &err),
			 SARGS_OK);
	assert_int_equal(added, 1);

	/* GDPR Art. 5(1)(b), Art. 34: contacts read only for the purpose, only
	 * for the people linked to it, audited as breach.contacts */
	assert_int_equal(sargs_breach_contacts(fx->reg, id, "service", &con, &err), SARGS_OK);
	assert_int_equal(con.n, 1);
	assert_int_equal(con.not_linked, 2);
	assert_string_equal(con.views[0].id, a);
	for (size_t k = 0; k < con.views[0].n_fields; k++)
		if (strcmp(con.views[0].fields[k].name, "first_name") == 0 ||
		    strcmp(con.views[0].fields[k].name, "last_name") == 0)
			fail_msg("contacts returned a non-contact field");
	assert_int_equal(con.views[0].n_fields, 1);
	assert_string_equal(con.views[0].fields[0].value, "anna@example.lv");
	sargs_breach_contacts_free(&con);
	assert_int_equal(sargs_breach_contacts(fx->reg, id, "newsletter", &con, &err), SARGS_OK);
	assert_int_equal(con.n, 2);
	assert_int_equal(con.not_linked, 1);
	sargs_breach_contacts_free(&con);
	/* a purpose without a contact field gives nothing */
	assert_int_equal(sargs_breach_contacts(fx->reg, id, "accounting", &con, &err),
			 SARGS_E_DENIED);

	/* every other step, so the scan sees them all */
	assert_int_equal(sargs_breach_draft(fx->reg, id, "people", "lv", &text, &err), SARGS_OK);
	free(text);
	memset(&ch, 0, sizeof(ch));
	ch.people = ch.records = -1;
	ch.measures = MEASURES "-more";
	ch.delay_reason = DELAY;
	ch.close = 1;
	assert_int_equal(sargs_breach_update(fx->reg, id, &ch, &err), SARGS_OK);
	assert_int_equal(sargs_breach_notified(fx->reg, id, "dvi", 0, NULL, &err), SARGS_OK);
	assert_int_equal(sargs_breach_notified(fx->reg, id, "people", 0, NULL, &err), SARGS_OK);

	memset(&scan, 0, sizeof(scan));
	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, audit_cb, &scan), SARGS_OK);
	assert_int_equal(scan.contacts_reads, 3);
	assert_string_equal(scan.first_contact_subject, a);
	assert_int_equal(scan.denied, 0);
	/* record, 2 affected by id, 1 by purpose, 3 contacts, draft, update, 2 notify */
	assert_int_equal(scan.breach_entries, 1 + 2 + 1 + 3 + 1 + 1 + 2);
	/* no incident text in any audit entry */
	assert_int_equal(scan.texts, 0);

	/* erasure removes the subject's link to the breach */
	assert_int_equal(sargs_subject_erase(fx->reg, a, "request", &err), SARGS_OK);
	assert_int_equal(sargs_breach_get(fx->reg, id, &br, &err), SARGS_OK);
	assert_int_equal(br.affected, 2);
	assert_true(br.closed_us != 0);
	assert_string_equal(br.measures, MEASURES "-more");
	sargs_breach_free(&br);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_table),
		cmocka_unit_test_setup_teardown(test_record_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dvi_draft_contents, setup, teardown),
		cmocka_unit_test_setup_teardown(test_people_notice_only_high, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delay_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contacts_purpose_bound_and_audit_clean, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
