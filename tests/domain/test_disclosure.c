/*
 * test_disclosure.c — disclosures to recipients and the disclosure log
 * (domain/disclosure.h). Each case names the rule it checks: only to a
 * recipient the purpose declares (GDPR Art. 13(1)(e), 30(1)(d)), only while
 * the purpose is lawful for the person (the policy engine), only fields the
 * purpose lists (Art. 5(1)(c)); recorded so an access request can show it
 * (Art. 15(1)(c); 004 §15), and audited naming the fields, never values.
 *
 * The register has the example registry, with one change: the consent
 * purpose "newsletter" declares a mailing processor, so a disclosure can
 * become unlawful by a withdrawal of consent.
 */
#include "testutil.h"

#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/disclosure.h"
#include "domain/register.h"
#include "domain/subject.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_US 86400000000LL
#define COLLECTOR "Debt collection company"
#define MAILER "Mailing processor SIA"
#define NOTICE_HASH "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
	char debtor[SARGS_UUID_STR];      /* debt_collection, service */
	char subscriber[SARGS_UUID_STR];  /* newsletter with consent */
};

static int64_t t0_us(void)
{
	return sargs_days_from_civil(2025, 6, 16) * DAY_US + 10LL * 3600 * 1000000;
}

/* The example registry with a processor declared for the newsletter. */
static char *registry_doc(void)
{
	char *text = test_read_example(), *out;
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr), *purposes, *p;
	size_t i;

	assert_non_null(doc);
	free(text);
	purposes = json_object_get(doc, "purposes");
	json_array_foreach(purposes, i, p) {
		if (strcmp(json_string_value(json_object_get(p, "id")), "newsletter") == 0)
			assert_int_equal(json_object_set_new(p, "recipients",
							     json_pack("[{s:s, s:s, s:s}]", "name",
								       MAILER, "kind", "processor",
								       "dpa", "DPA-2025-01")),
					 0);
	}
	out = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	assert_non_null(out);
	return out;
}

static void add(struct fixture *fx, const char *purpose, const struct sargs_kv *kv, size_t n,
		char id[SARGS_UUID_STR])
{
	const char *p[1] = {purpose};
	struct sargs_subject_input in;
	struct sargs_err err;

	memset(&in, 0, sizeof(in));
	in.purposes = p;
	in.n_purposes = 1;
	in.source = "person";
	in.fields = kv;
	in.n_fields = n;
	if (sargs_subject_add(fx->reg, &in, id, &err) != SARGS_OK)
		fail_msg("cannot add a subject: %s", err.msg);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sargs_err err;
	struct sargs_consent_proof proof;
	char *doc = registry_doc();
	const struct sargs_kv debtor[] = {{"first_name", "Janis"},
					  {"last_name", "Berzins"},
					  {"postal_address", "Brivibas iela 10, Riga"},
					  {"order_history", "door sign"}};
	const struct sargs_kv subscriber[] = {{"email", "ilze@example.lv"},
					      {"first_name", "Ilze"}};

	assert_non_null(fx);
	sargs_time_set_fixed(t0_us());
	test_tmpdir("disclosure", fx->dir, sizeof(fx->dir));
	assert_int_equal(sargs_reg_init(fx->dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(fx->dir, &fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(fx->reg, doc, strlen(doc), NULL, &err), SARGS_OK);
	free(doc);
	add(fx, "debt_collection", debtor, N_ROWS(debtor), fx->debtor);
	add(fx, "newsletter", subscriber, N_ROWS(subscriber), fx->subscriber);
	memset(&proof, 0, sizeof(proof));
	proof.channel = "web_form";
	proof.form = "shop-signup-v3";
	proof.text_hash = NOTICE_HASH;
	assert_int_equal(sargs_consent_give(fx->reg, fx->subscriber, "newsletter", &proof, NULL,
					    &err),
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

static size_t log_size(struct fixture *fx, const char *id, int64_t since)
{
	struct sargs_disclosure_list l;
	struct sargs_err err;
	size_t n;

	if (sargs_disclosure_list(fx->reg, id, since, &l, &err) != SARGS_OK)
		fail_msg("disclosure list: %s", err.msg);
	n = l.n;
	sargs_disclosure_list_free(&l);
	return n;
}

static int64_t audit_count(struct fixture *fx)
{
	int64_t n = -1;

	assert_int_equal(sargs_store_audit_count(fx->reg->store, &n), SARGS_OK);
	return n;
}

/* The audit entries with one action, as "subject|fields|purpose|detail". */
struct audit_find {
	const char *action;
	char found[8][512];
	size_t n;
	int values_seen;   /* a personal value appeared in some entry */
};

static int audit_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct audit_find *a = ctx;
	const char *vals[] = {"Berzins", "Janis", "Brivibas", "ilze@example.lv", "Ilze"};

	for (size_t i = 0; i < N_ROWS(vals); i++)
		if ((r->detail && strstr(r->detail, vals[i])) ||
		    (r->fields && strstr(r->fields, vals[i])))
			a->values_seen = 1;
	if (strcmp(r->action, a->action) == 0 && a->n < 8)
		(void)snprintf(a->found[a->n++], sizeof(a->found[0]), "%s|%s|%s|%s",
			       r->subject_id ? r->subject_id : "", r->fields ? r->fields : "",
			       r->purpose ? r->purpose : "", r->detail ? r->detail : "");
	return 0;
}

static void audit_find(struct fixture *fx, const char *action, struct audit_find *a)
{
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};

	memset(a, 0, sizeof(*a));
	a->action = action;
	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, audit_cb, a), SARGS_OK);
}

/* ---- refusals: nothing recorded, nothing read --------------------------- */

struct refusal {
	const char *rule;
	const char *recipient;
	const char *purpose;
	const char *fields[3];
	size_t n;
	const char *reference;
	enum sargs_rc rc;
	const char *says;
};

static const struct refusal refusals[] = {
	{"GDPR Art. 13(1)(e): a recipient the purpose does not declare is refused",
	 "Some other agency", "debt_collection", {"first_name"}, 1, NULL, SARGS_E_DENIED,
	 "declared: \"" COLLECTOR "\""},
	{"GDPR Art. 30(1)(d): a recipient of another purpose is refused", MAILER,
	 "debt_collection", {"first_name"}, 1, NULL, SARGS_E_DENIED, "not declared"},
	{"GDPR Art. 13(1)(e): a purpose that declares no recipients discloses to no one",
	 COLLECTOR, "customer_contact", {"first_name"}, 1, NULL, SARGS_E_DENIED,
	 "declares no recipients"},
	{"GDPR Art. 5(1)(c): a field the purpose does not list is refused", COLLECTOR,
	 "debt_collection", {"first_name", "email"}, 2, NULL, SARGS_E_DENIED,
	 "does not use field \"email\""},
	{"GDPR Art. 5(1)(c): an unknown field is refused", COLLECTOR, "debt_collection",
	 {"shoe_size"}, 1, NULL, SARGS_E_DENIED, "does not use field"},
	{"a disclosure names its fields", COLLECTOR, "debt_collection", {NULL}, 0, NULL,
	 SARGS_E_INVALID, "name the fields"},
	{"a field named twice is refused", COLLECTOR, "debt_collection",
	 {"first_name", "first_name"}, 2, NULL, SARGS_E_INVALID, "twice"},
	{"the reference is printable ASCII (no personal free text)", COLLECTOR,
	 "debt_collection", {"first_name"}, 1, "CASE\n17", SARGS_E_INVALID, "printable ASCII"},
	{"the reference is at most 64 characters", COLLECTOR, "debt_collection", {"first_name"},
	 1, "C-12345678901234567890123456789012345678901234567890123456789012345",
	 SARGS_E_INVALID, "1 to 64"},
	{"the reference is not empty", COLLECTOR, "debt_collection", {"first_name"}, 1, "",
	 SARGS_E_INVALID, "1 to 64"},
	{"an unknown purpose is refused", COLLECTOR, "debts", {"first_name"}, 1, NULL,
	 SARGS_E_NOTFOUND, "no purpose"},
};

static void test_refusals(void **state)
{
	struct fixture *fx = *state;
	int64_t before = audit_count(fx);

	for (size_t i = 0; i < N_ROWS(refusals); i++) {
		const struct refusal *t = &refusals[i];
		struct sargs_subject_view v;
		struct sargs_err err;
		enum sargs_rc rc;

		sargs_err_clear(&err);
		rc = sargs_disclose(fx->reg, fx->debtor, t->recipient, t->purpose, t->fields, t->n,
				    t->reference, &v, &err);
		if (rc != t->rc || strstr(err.msg, t->says) == NULL)
			fail_msg("%s: rc %d (%s), expected %d with \"%s\"", t->rule, rc, err.msg,
				 t->rc, t->says);
		if (strstr(err.msg, "Some other agency") != NULL)
			fail_msg("%s: the message repeats free text", t->rule);
		assert_int_equal(v.n_fields, 0);
	}
	/* nothing was read or recorded */
	assert_int_equal(audit_count(fx), before);
	assert_int_equal(log_size(fx, fx->debtor, 0), 0);
}

/* ---- lawfulness now ------------------------------------------------------ */

static void test_unlawful_now_refused(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof proof;
	struct sargs_subject_view v;
	struct audit_find a;
	struct sargs_err err;
	const char *email[] = {"email"};
	char *receipt = NULL;

	/* lawful while consent stands */
	assert_int_equal(sargs_disclose(fx->reg, fx->subscriber, MAILER, "newsletter", email, 1,
					"MAIL-1", &v, &err),
			 SARGS_OK);
	assert_int_equal(v.n_fields, 1);
	assert_string_equal(v.fields[0].value, "ilze@example.lv");
	sargs_subject_view_free(&v);
	/* GDPR Art. 7(3): after withdrawal the processing for it stops at once */
	memset(&proof, 0, sizeof(proof));
	proof.channel = "email";
	assert_int_equal(sargs_consent_withdraw(fx->reg, fx->subscriber, "newsletter", &proof,
						&receipt, &err),
			 SARGS_OK);
	free(receipt);
	sargs_err_clear(&err);
	assert_int_equal(sargs_disclose(fx->reg, fx->subscriber, MAILER, "newsletter", email, 1,
					"MAIL-2", &v, &err),
			 SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "not lawful"));
	assert_non_null(strstr(err.msg, "consent_withdrawn"));
	assert_int_equal(v.n_fields, 0);
	assert_int_equal(log_size(fx, fx->subscriber, 0), 1);
	/* the refusal is audited, naming no field */
	audit_find(fx, "disclosure.denied", &a);
	assert_int_equal(a.n, 1);
	assert_non_null(strstr(a.found[0], fx->subscriber));
	assert_non_null(strstr(a.found[0], "reason:consent_withdrawn"));
	assert_non_null(strstr(a.found[0], "||newsletter|"));

	/* GDPR Art. 21(1): an upheld objection to the legitimate interest */
	memset(&proof, 0, sizeof(proof));
	proof.channel = "paper";
	assert_int_equal(sargs_consent_object(fx->reg, fx->debtor, "debt_collection", &proof,
					      &receipt, &err),
			 SARGS_OK);
	free(receipt);
	{
		const char *f[] = {"first_name"};

		assert_int_equal(sargs_disclose(fx->reg, fx->debtor, COLLECTOR, "debt_collection", f,
						1, NULL, &v, &err),
				 SARGS_E_DENIED);
		assert_non_null(strstr(err.msg, "objected"));
	}
	/* GDPR Art. 5(1)(b): not collected for the purpose */
	{
		const char *f[] = {"first_name"};

		assert_int_equal(sargs_disclose(fx->reg, fx->subscriber, COLLECTOR, "debt_collection",
						f, 1, NULL, &v, &err),
				 SARGS_E_DENIED);
		assert_non_null(strstr(err.msg, "not_collected_for_purpose"));
	}
}

/* ---- recorded, listed, audited ------------------------------------------ */

static void test_recorded_listed_audited(void **state)
{
	struct fixture *fx = *state;
	const char *fields[] = {"first_name", "last_name", "postal_address"};
	struct sargs_disclosure_list l;
	struct sargs_subject_view v;
	struct audit_find a;
	struct sargs_err err;

	assert_int_equal(sargs_disclose(fx->reg, fx->debtor, COLLECTOR, "debt_collection", fields,
					N_ROWS(fields), "CASE-2025-17", &v, &err),
			 SARGS_OK);
	/* the data handed over: exactly the fields named */
	assert_int_equal(v.n_fields, 3);
	assert_string_equal(v.fields[0].name, "first_name");
	assert_string_equal(v.fields[0].value, "Janis");
	assert_string_equal(v.fields[2].value, "Brivibas iela 10, Riga");
	sargs_subject_view_free(&v);
	/* a second one ten days later, without a reference */
	sargs_time_set_fixed(t0_us() + 10 * DAY_US);
	assert_int_equal(sargs_disclose(fx->reg, fx->debtor, COLLECTOR, "debt_collection", fields,
					1, NULL, &v, &err),
			 SARGS_OK);
	sargs_subject_view_free(&v);

	/* GDPR Art. 15(1)(c): the log shows recipient, purpose, fields, reference */
	assert_int_equal(sargs_disclosure_list(fx->reg, fx->debtor, 0, &l, &err), SARGS_OK);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].recipient, COLLECTOR);
	assert_string_equal(l.items[0].purpose, "debt_collection");
	assert_string_equal(l.items[0].fields, "first_name,last_name,postal_address");
	assert_string_equal(l.items[0].reference, "CASE-2025-17");
	assert_true(l.items[0].time_us == t0_us());
	assert_string_equal(l.items[1].fields, "first_name");
	assert_null(l.items[1].reference);
	sargs_disclosure_list_free(&l);
	/* --since: only those from that day on */
	assert_int_equal(log_size(fx, fx->debtor, t0_us() + 5 * DAY_US), 1);
	assert_int_equal(log_size(fx, fx->debtor, t0_us() + 11 * DAY_US), 0);
	assert_int_equal(log_size(fx, fx->subscriber, 0), 0);

	/* the audit names the fields, purpose and recipient, never a value */
	audit_find(fx, "disclosure", &a);
	assert_int_equal(a.n, 2);
	assert_non_null(strstr(a.found[0], fx->debtor));
	assert_non_null(strstr(a.found[0], "|first_name,last_name,postal_address|debt_collection|"));
	assert_non_null(strstr(a.found[0], "recipient:" COLLECTOR));
	assert_non_null(strstr(a.found[0], "reference:CASE-2025-17"));
	assert_false(a.values_seen);
	/* reading the log is audited too */
	audit_find(fx, "disclosure.list", &a);
	assert_true(a.n >= 4);
	assert_non_null(strstr(a.found[0], fx->debtor));
	assert_non_null(strstr(a.found[0], "count:2"));
}

static void test_missing_fields_and_erased(void **state)
{
	struct fixture *fx = *state;
	const char *code[] = {"personal_code"};
	const char *name[] = {"first_name"};
	struct sargs_subject_view v;
	struct sargs_err err;

	/* nothing to hand over: refused, not recorded */
	assert_int_equal(sargs_disclose(fx->reg, fx->debtor, COLLECTOR, "debt_collection", code, 1,
					NULL, &v, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "none of these fields"));
	assert_int_equal(log_size(fx, fx->debtor, 0), 0);
	/* an erased subject has nothing left to disclose, nor a log */
	assert_int_equal(sargs_subject_erase(fx->reg, fx->debtor, "request", &err), SARGS_OK);
	assert_int_equal(sargs_disclose(fx->reg, fx->debtor, COLLECTOR, "debt_collection", name, 1,
					NULL, &v, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	{
		struct sargs_disclosure_list l;

		assert_int_equal(sargs_disclosure_list(fx->reg, fx->debtor, 0, &l, &err),
				 SARGS_E_NOTFOUND);
		assert_int_equal(sargs_disclosure_list(fx->reg, "not-an-id", 0, &l, &err),
				 SARGS_E_INVALID);
	}
	assert_int_equal(sargs_disclose(fx->reg, "not-an-id", COLLECTOR, "debt_collection", name, 1,
					NULL, &v, &err),
			 SARGS_E_INVALID);
}

static void test_reference_rule(void **state)
{
	struct {
		const char *ref;
		int valid;
	} rows[] = {{"CASE-2025-17", 1}, {"a", 1}, {"", 0}, {"tab\there", 0},
		    {"Ā-not-ascii", 0},  {"x", 1}, {NULL, 0}};

	(void)state;
	for (size_t i = 0; i < N_ROWS(rows); i++)
		if (sargs_reference_valid(rows[i].ref) != rows[i].valid)
			fail_msg("reference rule, row %zu", i);
	{
		char ref[80];

		memset(ref, 'R', sizeof(ref));
		ref[64] = '\0';
		assert_true(sargs_reference_valid(ref)); /* 64: the boundary */
		ref[64] = 'R';
		ref[65] = '\0';
		assert_false(sargs_reference_valid(ref));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unlawful_now_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recorded_listed_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_fields_and_erased, setup, teardown),
		cmocka_unit_test(test_reference_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
