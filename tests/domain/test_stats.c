/*
 * test_stats.c — anonymised statistics (domain/stats.h): the counters move
 * with the register's changes, hold no ids and survive erasure (004 §20.2),
 * and the report never singles anyone out (GDPR Recital 26): cells of 1-4
 * hidden, complementary suppression, totals only when safe, 0 omitted.
 * Each case names the rule it checks.
 */
#include "testutil.h"

#include "domain/campaign.h"
#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/register.h"
#include "domain/relation.h"
#include "domain/stats.h"
#include "domain/subject.h"
#include "store/store_rights.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_US 86400000000LL
#define NOTICE_HASH "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define MONTH "2025-06"

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
};

static int64_t t0_us(void)
{
	return sargs_days_from_civil(2025, 6, 16) * DAY_US + 10LL * 3600 * 1000000;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sargs_err err;
	char *doc = test_read_example();

	assert_non_null(fx);
	sargs_time_set_fixed(t0_us());
	test_tmpdir("stats", fx->dir, sizeof(fx->dir));
	assert_int_equal(sargs_reg_init(fx->dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(fx->dir, &fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(fx->reg, doc, strlen(doc), NULL, &err), SARGS_OK);
	free(doc);
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

static void add(struct fixture *fx, const char *p1, const char *p2, const char *email,
		char id[SARGS_UUID_STR])
{
	const char *p[2] = {p1, p2};
	const struct sargs_kv kv[] = {{"first_name", "Anna"}, {"last_name", "Liepa"}, {"email", email}};
	struct sargs_subject_input in;
	struct sargs_err err;

	memset(&in, 0, sizeof(in));
	in.purposes = p;
	in.n_purposes = p2 ? 2 : 1;
	in.source = "person";
	in.fields = kv;
	in.n_fields = N_ROWS(kv);
	if (sargs_subject_add(fx->reg, &in, id, &err) != SARGS_OK)
		fail_msg("add: %s", err.msg);
}

/* The raw stored count of one cell (not suppressed: the store's view). */
struct raw_find {
	const char *month, *purpose, *line, *measure;
	int64_t n;
	int uuid_seen;
};

static int raw_cb(void *ctx, const char *month, const char *purpose, const char *line,
		  const char *measure, int64_t n)
{
	struct raw_find *f = ctx;

	if (sargs_uuid_valid(purpose) || sargs_uuid_valid(line) || strchr(purpose, '@'))
		f->uuid_seen = 1;
	if (strcmp(month, f->month) == 0 && strcmp(purpose, f->purpose) == 0 &&
	    strcmp(line, f->line) == 0 && strcmp(measure, f->measure) == 0)
		f->n = n;
	return 0;
}

static int64_t raw(struct fixture *fx, const char *purpose, const char *line, const char *measure)
{
	struct raw_find f = {MONTH, purpose, line, measure, 0, 0};

	assert_int_equal(sargs_store_stats_scan(fx->reg->store, raw_cb, &f), SARGS_OK);
	assert_false(f.uuid_seen);
	return f.n;
}

/* ---- the counters -------------------------------------------------------- */

static void test_counters_move_and_survive_erasure(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof proof;
	struct sargs_purchase_result pr;
	struct sargs_err err;
	char a[SARGS_UUID_STR], b[SARGS_UUID_STR];
	char *receipt = NULL;
	const struct {
		const char *rule, *purpose, *line, *measure;
		int64_t want;
	} *row, after_erase[] = {
		{"004 §20.2: subjects_added survives the erasure", "service", "", "subjects_added", 2},
		{"004 §20.2: newsletter link counted once", "newsletter", "", "subjects_added", 1},
		{"an erasure counts once per purpose linked", "service", "", "subjects_erased", 1},
		{"an erasure counts every purpose linked", "newsletter", "", "subjects_erased", 1},
		{"consent given", "newsletter", "", "consents_given", 1},
		{"consent withdrawn", "newsletter", "", "consents_withdrawn", 1},
		{"objection to direct marketing", "direct_marketing", "", "objections", 1},
		{"purchases by product line, no purpose", "", "signs", "purchases", 2},
		{"purchases of another line apart", "", "printing", "purchases", 1},
	};

	add(fx, "service", NULL, "a@example.lv", a);
	add(fx, "service", "newsletter", "b@example.lv", b);
	assert_int_equal(raw(fx, "service", "", "subjects_added"), 2);
	assert_int_equal(raw(fx, "newsletter", "", "subjects_added"), 1);

	memset(&proof, 0, sizeof(proof));
	proof.channel = "web_form";
	proof.form = "shop-signup-v3";
	proof.text_hash = NOTICE_HASH;
	assert_int_equal(sargs_consent_give(fx->reg, b, "newsletter", &proof, NULL, &err), SARGS_OK);
	assert_int_equal(raw(fx, "newsletter", "", "consents_given"), 1);
	/* 003: a pre-ticked box is not consent, and is not counted as one */
	proof.preticked = 1;
	assert_int_equal(sargs_consent_give(fx->reg, a, "newsletter", &proof, NULL, &err),
			 SARGS_E_DENIED);
	proof.preticked = 0;
	assert_int_equal(raw(fx, "newsletter", "", "consents_given"), 1);
	proof.channel = "email";
	assert_int_equal(sargs_consent_withdraw(fx->reg, b, "newsletter", &proof, &receipt, &err),
			 SARGS_OK);
	free(receipt);
	/* withdrawing again changes nothing, and counts nothing */
	assert_int_equal(sargs_consent_withdraw(fx->reg, b, "newsletter", &proof, NULL, &err),
			 SARGS_OK);
	assert_int_equal(raw(fx, "newsletter", "", "consents_withdrawn"), 1);
	assert_int_equal(sargs_consent_object(fx->reg, a, NULL, &proof, NULL, &err), SARGS_OK);
	assert_int_equal(sargs_consent_object(fx->reg, a, NULL, &proof, NULL, &err), SARGS_OK);
	assert_int_equal(raw(fx, "direct_marketing", "", "objections"), 1);
	assert_int_equal(sargs_purchase_record(fx->reg, a, "signs", sargs_today() - 1, 1, 0, &pr,
					       &err),
			 SARGS_OK);
	assert_int_equal(sargs_purchase_record(fx->reg, b, "signs", sargs_today() - 1, 0, 0, &pr,
					       &err),
			 SARGS_OK);
	assert_int_equal(sargs_purchase_record(fx->reg, b, "printing", sargs_today(), 0, 0, &pr,
					       &err),
			 SARGS_OK);
	/* a refused call counts nothing */
	assert_int_equal(sargs_purchase_record(fx->reg, b, "Bad Line", sargs_today(), 0, 0, &pr,
					       &err),
			 SARGS_E_INVALID);

	/* erase b: its links are counted, the earlier counts stay */
	assert_int_equal(sargs_subject_erase(fx->reg, b, "request", &err), SARGS_OK);
	assert_int_equal(sargs_subject_erase(fx->reg, b, "request", &err), SARGS_E_NOTFOUND);
	for (size_t i = 0; i < N_ROWS(after_erase); i++) {
		int64_t got;

		row = &after_erase[i];
		got = raw(fx, row->purpose, row->line, row->measure);
		if (got != row->want)
			fail_msg("%s: %s/%s/%s is %lld, expected %lld", row->rule, row->purpose,
				 row->line, row->measure, (long long)got, (long long)row->want);
	}
}

static void test_campaign_recipients_counted(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req;
	struct sargs_export_opts opts;
	struct sargs_audience sum;
	struct sargs_purchase_result pr;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	int64_t camp = 0;
	FILE *out = tmpfile();

	assert_non_null(out);
	for (int i = 0; i < 3; i++) {
		char email[64];

		(void)snprintf(email, sizeof(email), "c%d@example.lv", i);
		add(fx, "service", NULL, email, id);
		assert_int_equal(sargs_purchase_record(fx->reg, id, "signs", sargs_today() - 1, 1, 0,
						       &pr, &err),
				 SARGS_OK);
	}
	memset(&req, 0, sizeof(req));
	req.purpose = "customer_offers";
	req.channel = SARGS_CH_EMAIL;
	memset(&opts, 0, sizeof(opts));
	opts.base_url = "https://zimes.example.lv";
	assert_int_equal(sargs_campaign_export(fx->reg, &req, &opts, out, &sum, &camp, &err),
			 SARGS_OK);
	assert_int_equal(sum.allowed, 3);
	sargs_audience_free(&sum);
	fclose(out);
	assert_int_equal(raw(fx, "customer_offers", "signs", "campaign_recipients"), 3);
}

static void test_count_rules(void **state)
{
	struct fixture *fx = *state;
	struct sargs_err err;

	/* delta 0 stores nothing (0 has no row) */
	assert_int_equal(sargs_reg_begin(fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_stats_count(fx->reg, "service", NULL, "purchases", 0), SARGS_OK);
	assert_int_equal(sargs_reg_commit(fx->reg, &err), SARGS_OK);
	assert_int_equal(raw(fx, "service", "", "purchases"), 0);
	/* the month is the clock's UTC month: the last second of June, then July */
	sargs_time_set_fixed(sargs_days_from_civil(2025, 7, 1) * DAY_US - 1000000);
	assert_int_equal(sargs_reg_begin(fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_stats_count(fx->reg, "service", NULL, "subjects_added", 1), SARGS_OK);
	sargs_time_set_fixed(sargs_days_from_civil(2025, 7, 1) * DAY_US);
	assert_int_equal(sargs_stats_count(fx->reg, "service", NULL, "subjects_added", 1), SARGS_OK);
	assert_int_equal(sargs_reg_commit(fx->reg, &err), SARGS_OK);
	assert_int_equal(raw(fx, "service", "", "subjects_added"), 1);
	{
		struct raw_find f = {"2025-07", "service", "", "subjects_added", 0, 0};

		assert_int_equal(sargs_store_stats_scan(fx->reg->store, raw_cb, &f), SARGS_OK);
		assert_int_equal(f.n, 1);
	}
	assert_true(sargs_stats_measure_valid("campaign_recipients"));
	assert_false(sargs_stats_measure_valid("subject_ids"));
	assert_false(sargs_stats_measure_valid(NULL));
}

/* ---- suppression ----------------------------------------------------------- */

struct cellrow {
	const char *month, *purpose, *line, *measure;
	int64_t n;
};

struct expect_row {
	const char *month, *purpose, *measure;  /* purpose NULL: the total */
	int64_t count;                          /* -1: shown as "<5" */
};

struct suppression_case {
	const char *rule;
	struct cellrow cells[6];
	struct sargs_stats_filter filter;
	struct expect_row want[8];  /* in report order, ended by month NULL */
};

static const struct suppression_case cases[] = {
	{"GDPR Recital 26: no small cell, every count and the total shown",
	 {{MONTH, "service", "", "subjects_added", 5}, {MONTH, "web_shop", "", "subjects_added", 7}},
	 {NULL, NULL},
	 {{MONTH, "service", "subjects_added", 5},
	  {MONTH, "web_shop", "subjects_added", 7},
	  {MONTH, NULL, "subjects_added", 12}}},
	{"cells of 1-4 hidden; the only small one pulls the next smallest with it"
	 " (complementary suppression); the total may be shown",
	 {{MONTH, "accounting", "", "subjects_added", 30},
	  {MONTH, "newsletter", "", "subjects_added", 3},
	  {MONTH, "service", "", "subjects_added", 10},
	  {MONTH, "web_shop", "", "subjects_added", 12}},
	 {NULL, NULL},
	 {{MONTH, "accounting", "subjects_added", 30},
	  {MONTH, "newsletter", "subjects_added", -1},
	  {MONTH, "service", "subjects_added", -1},
	  {MONTH, "web_shop", "subjects_added", 12},
	  {MONTH, NULL, "subjects_added", 55}}},
	{"two small cells need no complement: both hidden, the total shown",
	 {{MONTH, "newsletter", "", "consents_given", 2},
	  {MONTH, "customer_offers", "", "consents_given", 4},
	  {MONTH, "service", "", "consents_given", 20}},
	 {NULL, NULL},
	 {{MONTH, "customer_offers", "consents_given", -1},
	  {MONTH, "newsletter", "consents_given", -1},
	  {MONTH, "service", "consents_given", 20},
	  {MONTH, NULL, "consents_given", 26}}},
	{"a single small cell: hidden, and its total (the same person) hidden too",
	 {{MONTH, "newsletter", "", "objections", 1}},
	 {NULL, NULL},
	 {{MONTH, "newsletter", "objections", -1}}},
	{"two small cells summing under 5: both hidden, no total",
	 {{MONTH, "newsletter", "", "objections", 1}, {MONTH, "service", "", "objections", 2}},
	 {NULL, NULL},
	 {{MONTH, "newsletter", "objections", -1}, {MONTH, "service", "objections", -1}}},
	{"a count of 0 has no row",
	 {{MONTH, "service", "", "subjects_erased", 0}, {MONTH, "web_shop", "", "subjects_erased", 9}},
	 {NULL, NULL},
	 {{MONTH, "web_shop", "subjects_erased", 9}, {MONTH, NULL, "subjects_erased", 9}}},
	{"months are separate groups; purchases have no purpose, one cell per product line",
	 {{"2025-05", "", "printing", "purchases", 3},
	  {"2025-05", "", "signs", "purchases", 40},
	  {MONTH, "", "signs", "purchases", 8}},
	 {NULL, NULL},
	 {{"2025-05", "", "purchases", -1},
	  {"2025-05", "", "purchases", -1},
	  {"2025-05", NULL, "purchases", 43},
	  {MONTH, "", "purchases", 8},
	  {MONTH, NULL, "purchases", 8}}},
	{"--month selects one month",
	 {{"2025-05", "service", "", "purchases", 30}, {MONTH, "service", "", "purchases", 8}},
	 {"2025-05", NULL},
	 {{"2025-05", "service", "purchases", 30}, {"2025-05", NULL, "purchases", 30}}},
	{"--purpose picks rows after suppression over all purposes, without totals",
	 {{MONTH, "accounting", "", "subjects_added", 30},
	  {MONTH, "newsletter", "", "subjects_added", 3},
	  {MONTH, "service", "", "subjects_added", 10}},
	 {NULL, "service"},
	 {{MONTH, "service", "subjects_added", -1}}},
};

struct got {
	struct expect_row rows[16];
	char purposes[16][64];
	size_t n;
	int uuid_seen;
};

static int report_cb(void *ctx, const struct sargs_stats_row *r)
{
	struct got *g = ctx;

	if (g->n >= 16)
		return 1;
	if ((r->purpose && sargs_uuid_valid(r->purpose)) ||
	    (r->product_line && sargs_uuid_valid(r->product_line)))
		g->uuid_seen = 1;
	g->rows[g->n].month = NULL; /* the report's strings live only during cb */
	(void)snprintf(g->purposes[g->n], sizeof(g->purposes[0]), "%s",
		       r->total ? "(total)" : r->purpose);
	g->rows[g->n].purpose = NULL;
	g->rows[g->n].measure = NULL;
	g->rows[g->n].count = r->count == SARGS_STATS_SUPPRESSED ? -1 : r->count;
	g->n++;
	return 0;
}

/* Keeps month and measure beside the rows (the report's strings live only
 * during the callback). */
struct got_full {
	struct got g;
	char months[16][16];
	char measures[16][32];
};

static int report_full_cb(void *ctx, const struct sargs_stats_row *r)
{
	struct got_full *f = ctx;
	size_t i = f->g.n;

	if (report_cb(&f->g, r) != 0)
		return 1;
	(void)snprintf(f->months[i], sizeof(f->months[0]), "%s", r->month);
	(void)snprintf(f->measures[i], sizeof(f->measures[0]), "%s", r->measure);
	return 0;
}

static void test_suppression(void **state)
{
	struct fixture *fx;

	for (size_t c = 0; c < N_ROWS(cases); c++) {
		const struct suppression_case *t = &cases[c];
		struct got_full got;
		struct sargs_err err;
		size_t want_n = 0;

		/* a fresh table per case */
		teardown(state);
		setup(state);
		fx = *state;
		assert_int_equal(sargs_reg_begin(fx->reg, &err), SARGS_OK);
		for (size_t i = 0; i < N_ROWS(t->cells) && t->cells[i].month; i++)
			assert_int_equal(sargs_store_stats_add(fx->reg->store, t->cells[i].month,
							       t->cells[i].purpose, t->cells[i].line,
							       t->cells[i].measure, t->cells[i].n),
					 SARGS_OK);
		assert_int_equal(sargs_reg_commit(fx->reg, &err), SARGS_OK);
		memset(&got, 0, sizeof(got));
		if (sargs_stats_report(fx->reg, &t->filter, report_full_cb, &got, &err) != SARGS_OK)
			fail_msg("%s: %s", t->rule, err.msg);
		while (want_n < N_ROWS(t->want) && t->want[want_n].month)
			want_n++;
		if (got.g.n != want_n)
			fail_msg("%s: %zu rows, expected %zu", t->rule, got.g.n, want_n);
		for (size_t i = 0; i < want_n; i++) {
			const struct expect_row *w = &t->want[i];
			const char *wp = w->purpose ? w->purpose : "(total)";

			if (strcmp(got.months[i], w->month) != 0 ||
			    strcmp(got.measures[i], w->measure) != 0 ||
			    strcmp(got.g.purposes[i], wp) != 0 || got.g.rows[i].count != w->count)
				fail_msg("%s: row %zu is %s %s %s %lld, expected %s %s %s %lld", t->rule,
					 i, got.months[i], got.measures[i], got.g.purposes[i],
					 (long long)got.g.rows[i].count, w->month, w->measure, wp,
					 (long long)w->count);
		}
		assert_false(got.g.uuid_seen);
	}
}

static void test_no_ids_and_audited(void **state)
{
	struct fixture *fx = *state;
	struct got_full got;
	struct sargs_err err;
	struct sargs_stats_filter bad_month = {"2025-6", NULL}, bad_purpose = {NULL, "Ser vice"};
	char ids[6][SARGS_UUID_STR];
	int64_t before = 0, after = 0;

	for (int i = 0; i < 6; i++) {
		char email[64];

		(void)snprintf(email, sizeof(email), "p%d@example.lv", i);
		add(fx, "service", i < 2 ? "newsletter" : NULL, email, ids[i]);
	}
	assert_int_equal(sargs_subject_erase(fx->reg, ids[0], "request", &err), SARGS_OK);
	assert_int_equal(sargs_store_audit_count(fx->reg->store, &before), SARGS_OK);
	memset(&got, 0, sizeof(got));
	assert_int_equal(sargs_stats_report(fx->reg, NULL, report_full_cb, &got, &err), SARGS_OK);
	assert_int_equal(sargs_store_audit_count(fx->reg->store, &after), SARGS_OK);
	/* audited once, as "stats.read" */
	assert_int_equal(after, before + 1);
	/* no subject id in any row */
	assert_false(got.g.uuid_seen);
	assert_true(got.g.n > 0);
	for (size_t i = 0; i < got.g.n; i++)
		for (int k = 0; k < 6; k++)
			assert_null(strstr(got.g.purposes[i], ids[k]));
	assert_int_equal(sargs_stats_report(fx->reg, &bad_month, report_full_cb, &got, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_stats_report(fx->reg, &bad_purpose, report_full_cb, &got, &err),
			 SARGS_E_INVALID);
}

struct audit_last {
	char action[64];
	int has_subject;
	char detail[256];
};

static int last_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct audit_last *a = ctx;

	(void)snprintf(a->action, sizeof(a->action), "%s", r->action);
	a->has_subject = r->subject_id != NULL;
	(void)snprintf(a->detail, sizeof(a->detail), "%s", r->detail ? r->detail : "");
	return 0;
}

static void test_read_audit_has_no_subject(void **state)
{
	struct fixture *fx = *state;
	struct sargs_stats_filter f = {MONTH, "service"};
	struct sargs_store_audit_filter af = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};
	struct audit_last a;
	struct got_full got;
	struct sargs_err err;

	memset(&got, 0, sizeof(got));
	assert_int_equal(sargs_stats_report(fx->reg, &f, report_full_cb, &got, &err), SARGS_OK);
	memset(&a, 0, sizeof(a));
	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &af, last_cb, &a), SARGS_OK);
	assert_string_equal(a.action, "stats.read");
	assert_false(a.has_subject);
	assert_string_equal(a.detail, "month:2025-06 purpose:service rows:0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counters_move_and_survive_erasure, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_campaign_recipients_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_suppression, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_ids_and_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_audit_has_no_subject, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
