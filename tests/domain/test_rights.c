/*
 * test_rights.c — the data subject's rights through the library
 * (domain/rights.h): the copy of the data (GDPR Art. 15; 004 §15) as JSON
 * and as an HTML report in Latvian and English, portability (Art. 20),
 * erasure that keeps what a legal obligation still requires (Art. 17(3)(b);
 * 004 §15.6), restriction (Art. 18) and the retention sweep that ends a
 * purpose when its period is over (Art. 5(1)(e); 004 §4.4-4.6). Each test
 * names the legal rule it checks (mission.md §7-§8).
 *
 * The register is a real one on disk with the example registry
 * (examples/zimes-purposes.json: "service" contract P3Y from the contract's
 * end, "accounting" legal obligation P5Y from the contract's end,
 * "web_shop" contract P1Y from the last purchase, "newsletter" consent
 * until objection, "debt_collection" legitimate interests serving legal
 * claims) and a fixed clock (TODAY) that the tests move to cross a period's
 * last day.
 */
#include "testutil.h"

#include "audit/audit.h"
#include "domain/campaign.h"
#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/policy.h"
#include "domain/register.h"
#include "domain/registry.h"
#include "domain/relation.h"
#include "domain/rights.h"
#include "domain/subject.h"
#include "store/store.h"
#include "store/store_rights.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

#define TODAY_Y 2025
#define TODAY_M 6
#define TODAY_D 16
#define DAY_US 86400000000LL
#define HOUR_US 3600000000LL
#define NOTICE_HASH "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define ACCOUNTING_LAW "Accounting Law of the Republic of Latvia (Grāmatvedības likums)"
#define LEGACY_CODE "121282-11210" /* born 1982-12-12: a birth date is derived */
#define HOSTILE "<script>alert(1)</script> & \"quotes\" 'apostrophe'"
#define HOSTILE_ESCAPED                                                                  \
	"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;apostrophe&#39;"
#define MAX_NAMES 64

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
};

/* ---- the clock ------------------------------------------------------------ */

static int32_t day_of(int y, int m, int d)
{
	return (int32_t)sargs_days_from_civil(y, m, d);
}

static int32_t today_day(void)
{
	return day_of(TODAY_Y, TODAY_M, TODAY_D);
}

/* Moves the clock to 10:00 UTC of day. */
static void clock_day(int32_t day)
{
	sargs_time_set_fixed((int64_t)day * DAY_US + 10 * HOUR_US);
}

static void date_text(int32_t day, char out[SARGS_DATE_STR])
{
	sargs_time_format_date((int64_t)day * DAY_US, out, SARGS_DATE_STR);
}

/* ---- setup ------------------------------------------------------------------ */

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	clock_day(today_day());
	fx->reg = test_reg_example("rights", fx->dir, sizeof(fx->dir));
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

/*
 * The example registry has no transfer outside the EU and no profiling;
 * a new version gives "web_shop" both, so the copy can be checked to name
 * them (GDPR Art. 15(1)(h), 15(2)).
 */
static void load_registry_with_transfer(struct fixture *fx)
{
	char *text = test_read_example();
	json_error_t jerr;
	json_t *doc = json_loads(text, 0, &jerr), *p;
	struct sargs_err err;
	char *out;
	size_t i;

	free(text);
	assert_non_null(doc);
	json_array_foreach(json_object_get(doc, "purposes"), i, p) {
		if (strcmp(json_string_value(json_object_get(p, "id")), "web_shop") != 0)
			continue;
		assert_int_equal(json_object_set_new(p, "profiling", json_true()), 0);
		assert_int_equal(
			json_object_set_new(p, "transfers",
					    json_pack("[{s:s, s:s, s:s}]", "country", "US",
						      "recipient", "Mailcloud Inc.", "safeguard",
						      "standard contractual clauses (2021/914)")),
			0);
	}
	out = json_dumps(doc, 0);
	assert_non_null(out);
	json_decref(doc);
	if (sargs_registry_load(fx->reg, out, strlen(out), NULL, &err) != SARGS_OK)
		fail_msg("cannot load the registry variant: %s", err.msg);
	free(out);
}

/* ---- building subjects --------------------------------------------------- */

static void add_from(struct fixture *fx, const char *purposes_csv, const char *source,
		     const char *source_name, const struct sargs_kv *kv, size_t n,
		     char id[SARGS_UUID_STR])
{
	test_subject_add(fx->reg, purposes_csv, source, source_name, kv, n, id);
}

static void add(struct fixture *fx, const char *purposes_csv, const struct sargs_kv *kv,
		size_t n, char id[SARGS_UUID_STR])
{
	add_from(fx, purposes_csv, "person", NULL, kv, n, id);
}

static void give(struct fixture *fx, const char *id, const char *purpose)
{
	struct sargs_consent_proof p;
	struct sargs_err err;
	char *receipt = NULL;

	memset(&p, 0, sizeof(p));
	p.channel = "web_form";
	p.form = "shop-signup-v3";
	p.text_hash = NOTICE_HASH;
	if (sargs_consent_give(fx->reg, id, purpose, &p, &receipt, &err) != SARGS_OK)
		fail_msg("consent to %s: %s", purpose, err.msg);
	free(receipt);
}

static void withdraw(struct fixture *fx, const char *id, const char *purpose)
{
	struct sargs_consent_proof p;
	struct sargs_err err;
	char *receipt = NULL;

	memset(&p, 0, sizeof(p));
	p.channel = "email";
	if (sargs_consent_withdraw(fx->reg, id, purpose, &p, &receipt, &err) != SARGS_OK)
		fail_msg("withdrawal of %s: %s", purpose, err.msg);
	free(receipt);
}

/* GDPR Art. 21(3): an objection to direct marketing as a whole. */
static void object_to_marketing(struct fixture *fx, const char *id)
{
	struct sargs_consent_proof p;
	struct sargs_err err;
	char *receipt = NULL;

	memset(&p, 0, sizeof(p));
	p.channel = "unsubscribe_link";
	if (sargs_consent_object(fx->reg, id, NULL, &p, &receipt, &err) != SARGS_OK)
		fail_msg("objection: %s", err.msg);
	free(receipt);
}

/* A contract from start to end (end 0: still running). */
static int64_t contract(struct fixture *fx, const char *id, int32_t start, int32_t end)
{
	struct sargs_err err;
	int64_t no = 0;

	if (sargs_contract_start(fx->reg, id, "signs", start, &no, &err) != SARGS_OK)
		fail_msg("contract start: %s", err.msg);
	if (end != 0 && sargs_contract_finish(fx->reg, id, no, end, &err) != SARGS_OK)
		fail_msg("contract end: %s", err.msg);
	return no;
}

/* A purchase from a product line no marketing purpose belongs to, with no
 * chance to refuse offered: it starts no soft opt-in link. */
static void purchase(struct fixture *fx, const char *id, int32_t day)
{
	struct sargs_purchase_result pr;
	struct sargs_err err;

	if (sargs_purchase_record(fx->reg, id, "printing", day, 0, 0, &pr, &err) != SARGS_OK)
		fail_msg("purchase: %s", err.msg);
	assert_int_equal(pr.n_linked, 0);
}

static void disclose(struct fixture *fx, const char *id, int64_t time_us, const char *recipient,
		     const char *purpose, const char *fields, const char *reference)
{
	struct sargs_store_disclosure d = {time_us, recipient, purpose, fields, reference};
	struct sargs_err err;

	assert_int_equal(sargs_reg_begin(fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_store_disclosure_add(fx->reg->store, id, &d), SARGS_OK);
	assert_int_equal(sargs_reg_commit(fx->reg, &err), SARGS_OK);
}

/* ---- looking at a subject ------------------------------------------------- */

static int cmp_name(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

struct linklist {
	char ids[16][64];
	size_t n;
};

static int link_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct linklist *l = ctx;

	(void)linked_us;
	if (l->n < N_ROWS(l->ids))
		(void)snprintf(l->ids[l->n++], sizeof(l->ids[0]), "%s", purpose);
	return 0;
}

/* The subject's purposes, sorted, comma-separated. */
static void links_of(struct fixture *fx, const char *id, char *out, size_t size)
{
	struct linklist l;
	size_t off = 0;

	memset(&l, 0, sizeof(l));
	assert_int_equal(sargs_store_links(fx->reg->store, id, link_cb, &l), SARGS_OK);
	qsort(l.ids, l.n, sizeof(l.ids[0]), cmp_name);
	out[0] = '\0';
	for (size_t i = 0; i < l.n && off < size; i++) {
		int w = snprintf(out + off, size - off, "%s%s", i ? "," : "", l.ids[i]);

		assert_true(w > 0 && (size_t)w < size - off);
		off += (size_t)w;
	}
}

/* The subject's field names, sorted, comma-separated (no values read). */
static void fields_of(struct fixture *fx, const char *id, char *out, size_t size)
{
	char names[MAX_NAMES][64];
	size_t n = 0, off = 0;
	struct sargs_err err;

	if (sargs_subject_field_names(fx->reg, id, names, MAX_NAMES, &n, &err) != SARGS_OK)
		fail_msg("field names: %s", err.msg);
	qsort(names, n, sizeof(names[0]), cmp_name);
	out[0] = '\0';
	for (size_t i = 0; i < n && off < size; i++) {
		int w = snprintf(out + off, size - off, "%s%s", i ? "," : "", names[i]);

		assert_true(w > 0 && (size_t)w < size - off);
		off += (size_t)w;
	}
}

/* a and b name the same set of comma-separated items. */
static int same_set(const char *a, const char *b)
{
	char x[1024], y[1024], items[2][MAX_NAMES][64];
	size_t n[2] = {0, 0};
	char *save = NULL;

	(void)snprintf(x, sizeof(x), "%s", a);
	(void)snprintf(y, sizeof(y), "%s", b);
	for (int k = 0; k < 2; k++) {
		for (char *t = strtok_r(k ? y : x, ",", &save); t != NULL && n[k] < MAX_NAMES;
		     t = strtok_r(NULL, ",", &save))
			(void)snprintf(items[k][n[k]++], 64, "%s", t);
		qsort(items[k], n[k], sizeof(items[k][0]), cmp_name);
	}
	if (n[0] != n[1])
		return 0;
	for (size_t i = 0; i < n[0]; i++)
		if (strcmp(items[0][i], items[1][i]) != 0)
			return 0;
	return 1;
}

static void expect_fields(struct fixture *fx, const char *rule, const char *id,
			  const char *expected)
{
	char got[1024];

	fields_of(fx, id, got, sizeof(got));
	if (!same_set(got, expected))
		fail_msg("%s: fields are {%s}, expected {%s}", rule, got, expected);
}

static void expect_links(struct fixture *fx, const char *rule, const char *id,
			 const char *expected)
{
	char got[1024];

	links_of(fx, id, got, sizeof(got));
	if (!same_set(got, expected))
		fail_msg("%s: purposes are {%s}, expected {%s}", rule, got, expected);
}

static void expect_decision(struct fixture *fx, const char *rule, const char *id,
			    const char *purpose, unsigned channel, int allowed,
			    enum sargs_reason reason)
{
	struct sargs_policy_decision d;
	struct sargs_err err;

	memset(&d, 0, sizeof(d));
	if (sargs_policy_check(fx->reg, id, purpose, channel, &d, &err) != SARGS_OK)
		fail_msg("%s: policy check failed: %s", rule, err.msg);
	if (d.allowed != allowed || d.reason != reason)
		fail_msg("%s: %s on channel %u: %s (%s), expected %s (%s)", rule, purpose, channel,
			 d.allowed ? "allowed" : "refused", sargs_reason_id(d.reason),
			 allowed ? "allowed" : "refused", sargs_reason_id(reason));
}

static void expect_erased(struct fixture *fx, const char *rule, const char *id)
{
	char names[4][64];
	size_t n = 9;
	int64_t when = 0;
	struct sargs_err err;

	if (sargs_store_ledger_get(fx->reg->store, id, &when) != SARGS_OK || when == 0)
		fail_msg("%s: %s is not in the erasure ledger", rule, id);
	if (sargs_subject_field_names(fx->reg, id, names, 4, &n, &err) != SARGS_E_NOTFOUND)
		fail_msg("%s: %s still has a record after erasure", rule, id);
	assert_int_equal(n, 0);
}

static int64_t audit_count(struct fixture *fx)
{
	int64_t n = -1;

	assert_int_equal(sargs_store_audit_count(fx->reg->store, &n), SARGS_OK);
	return n;
}

static void audit_intact(struct fixture *fx)
{
	struct sargs_audit_report rep;

	memset(&rep, 0, sizeof(rep));
	if (sargs_audit_verify(fx->reg->audit, &rep) != SARGS_OK)
		fail_msg("the audit trail does not verify: %s", rep.message);
}

/* Audit entries: the last one of an action (optionally of a subject), and
 * a search for personal values that must never be in the trail. */
struct audit_find {
	const char *action;
	const char *subject;
	const char *values[8];
	int found;
	int value_hits;
	char fields[1024];
	char detail[256];
	char last_action[64];
};

static int audit_find_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct audit_find *a = ctx;
	const char *parts[] = {r->actor, r->action, r->subject_id, r->fields, r->purpose,
			       r->channel, r->detail};

	for (size_t i = 0; i < N_ROWS(parts); i++)
		for (size_t k = 0; k < N_ROWS(a->values) && a->values[k] != NULL; k++)
			if (parts[i] != NULL && strstr(parts[i], a->values[k]) != NULL)
				a->value_hits++;
	(void)snprintf(a->last_action, sizeof(a->last_action), "%s", r->action);
	if (a->action == NULL || strcmp(r->action, a->action) != 0)
		return 0;
	if (a->subject != NULL && (r->subject_id == NULL || strcmp(r->subject_id, a->subject) != 0))
		return 0;
	a->found++;
	(void)snprintf(a->fields, sizeof(a->fields), "%s", r->fields ? r->fields : "");
	(void)snprintf(a->detail, sizeof(a->detail), "%s", r->detail ? r->detail : "");
	return 0;
}

static void audit_scan(struct fixture *fx, struct audit_find *a)
{
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};

	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, audit_find_cb, a), SARGS_OK);
}

/* ---- exports --------------------------------------------------------------- */

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

	if (doc == NULL)
		fail_msg("not JSON (line %d): %s", jerr.line, jerr.text);
	return doc;
}

static json_t *access_json(struct fixture *fx, const char *id, int with_disclosures)
{
	struct sargs_access_opts o = {SARGS_EXPORT_JSON, NULL, with_disclosures, 0};
	struct sargs_err err;
	char *text = NULL;
	json_t *doc;

	if (sargs_access_export(fx->reg, id, &o, &text, &err) != SARGS_OK)
		fail_msg("access export: %s", err.msg);
	assert_non_null(text);
	doc = parse(text);
	free(text);
	return doc;
}

static char *access_html(struct fixture *fx, const char *id, const char *lang)
{
	struct sargs_access_opts o = {SARGS_EXPORT_HTML, lang, 1, 0};
	struct sargs_err err;
	char *text = NULL;

	if (sargs_access_export(fx->reg, id, &o, &text, &err) != SARGS_OK)
		fail_msg("access export (%s): %s", lang ? lang : "default", err.msg);
	assert_non_null(text);
	return text;
}

/* The element of arr whose key is value, or NULL. */
static json_t *find_by(json_t *arr, const char *key, const char *value)
{
	json_t *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		const char *s = json_string_value(json_object_get(e, key));

		if (s != NULL && strcmp(s, value) == 0)
			return e;
	}
	return NULL;
}

static void expect_str(json_t *obj, const char *key, const char *expected, const char *rule)
{
	const char *s = json_string_value(json_object_get(obj, key));

	if (s == NULL || strcmp(s, expected) != 0)
		fail_msg("%s: \"%s\" is \"%s\", expected \"%s\"", rule, key, s ? s : "(absent)",
			 expected);
}

/* key is absent or null: nothing to say. */
static int no_value(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return v == NULL || json_is_null(v);
}

static int array_has_string(json_t *arr, const char *value)
{
	json_t *e;
	size_t i;

	json_array_foreach(arr, i, e) {
		if (json_is_string(e) && strcmp(json_string_value(e), value) == 0)
			return 1;
	}
	return 0;
}

/* ---- the copy of the data: JSON --------------------------------------------- */

/* The subject of the access tests: four purposes, every kind of record. */
struct access_subject {
	char id[SARGS_UUID_STR];
	int64_t contract_no;
};

static const struct sargs_kv access_fields[] = {
	{"first_name", "Līga"},
	{"last_name", "Ozola"},
	{"email", "liga.ozola@example.lv"},
	{"phone", "+37129111222"},
	{"postal_address", "Brīvības iela 10-5, Rīga, LV-1010"},
	{"personal_code", "321282-11218"},
	{"bank_account", "LV80BANK0000435195001"},
	{"order_history", "2024-11: shop sign 120x40"},
	{"browser_data", "cart=7f3a"},
	{"customer_since", "2020-01-15"},
};

static void build_access_subject(struct fixture *fx, struct access_subject *s)
{
	add(fx, "service,accounting,newsletter,web_shop", access_fields, N_ROWS(access_fields),
	    s->id);
	s->contract_no = contract(fx, s->id, day_of(2020, 1, 15), day_of(2023, 3, 31));
	purchase(fx, s->id, day_of(2025, 5, 20));
	give(fx, s->id, "newsletter");
	withdraw(fx, s->id, "newsletter");
}

/*
 * GDPR Art. 15(1), 15(3); 004 §15: the copy holds every field the register
 * has of the person, whatever purpose it was collected for, with its label
 * and category
 */
static void test_access_every_field(void **state)
{
	struct fixture *fx = *state;
	struct access_subject s;
	json_t *doc, *data;
	const char *rule = "GDPR Art. 15(3): a copy of all the data";

	build_access_subject(fx, &s);
	/* a valid new-format code was given: no birth date is derived */
	doc = access_json(fx, s.id, 0);
	assert_int_equal(json_integer_value(json_object_get(doc, "sargs_access_export")), 1);
	expect_str(json_object_get(doc, "subject"), "id", s.id, rule);
	expect_str(json_object_get(doc, "controller"), "name", "Zimes SIA", rule);
	data = json_object_get(doc, "data");
	assert_true(json_is_array(data));
	assert_int_equal(json_array_size(data), N_ROWS(access_fields));
	for (size_t i = 0; i < N_ROWS(access_fields); i++) {
		json_t *e = find_by(data, "field", access_fields[i].name);

		if (e == NULL)
			fail_msg("%s: field %s is missing", rule, access_fields[i].name);
		expect_str(e, "value", access_fields[i].value, rule);
	}
	expect_str(find_by(data, "field", "bank_account"), "label", "Bank account (IBAN)", rule);
	expect_str(find_by(data, "field", "bank_account"), "category", "Bank account number",
		   rule);
	expect_str(find_by(data, "field", "email"), "category",
		   "Contact details (postal address, e-mail, phone)", rule);
	/* data from the person: no source to name */
	expect_str(json_object_get(doc, "subject"), "source", "person", rule);
	assert_true(no_value(json_object_get(doc, "subject"), "source_name"));
	json_decref(doc);
}

/*
 * GDPR Art. 15(1)(a)-(h), 15(2); 004 §15: the copy names, for each purpose
 * the data is kept for, its legal basis and article, the data categories,
 * the recipients with their conditions, transfers outside the EU and their
 * safeguard, the retention and the last day when known, and whether there
 * is profiling
 */
static void test_access_purposes(void **state)
{
	struct fixture *fx = *state;
	struct access_subject s;
	json_t *doc, *purposes, *p, *cats, *rcp, *tr;
	char until[SARGS_DATE_STR];
	const char *rule = "GDPR Art. 15(1)(a)-(h)";

	load_registry_with_transfer(fx);
	build_access_subject(fx, &s);
	doc = access_json(fx, s.id, 0);
	purposes = json_object_get(doc, "purposes");
	assert_int_equal(json_array_size(purposes), 4);

	/* Art. 15(1)(a), (d): the purpose, its basis and how long */
	p = find_by(purposes, "id", "service");
	assert_non_null(p);
	expect_str(p, "name", "Providing services and goods", rule);
	expect_str(p, "legal_basis", "contract", rule);
	expect_str(p, "legal_basis_article", "GDPR Art. 6(1)(b)", rule);
	expect_str(p, "retention", "3 years from the end of the contract", rule);
	expect_str(p, "kept_until", "2026-03-31", "Reg. 1182/71 Art. 3(2)(c): P3Y from 2023-03-31");
	/* 004 §4.6: the contract ended: kept for claims, not in use */
	assert_true(json_is_false(json_object_get(json_object_get(p, "status"), "in_use")));
	expect_str(json_object_get(p, "status"), "reason", "contract_ended_kept_for_claims",
		   "004 §4.6");
	assert_true(json_is_false(json_object_get(p, "profiling")));
	/* Art. 15(1)(c): a processor with no condition */
	rcp = json_object_get(p, "recipients");
	assert_int_equal(json_array_size(rcp), 1);
	expect_str(json_array_get(rcp, 0), "kind", "processor", rule);
	assert_true(no_value(json_array_get(rcp, 0), "condition"));

	/* Art. 6(1)(c) with the law that requires it, the categories by name,
	 * the authority and the condition on which it receives the data */
	p = find_by(purposes, "id", "accounting");
	assert_non_null(p);
	expect_str(p, "legal_basis", "legal_obligation", rule);
	expect_str(p, "legal_basis_article", "GDPR Art. 6(1)(c)", rule);
	expect_str(p, "basis_detail", ACCOUNTING_LAW, rule);
	expect_str(p, "retention", "5 years from the end of the contract", rule);
	expect_str(p, "kept_until", "2028-03-31", "Reg. 1182/71 Art. 3(2)(c): P5Y from 2023-03-31");
	cats = json_object_get(p, "categories");
	assert_int_equal(json_array_size(cats), 4);
	assert_true(array_has_string(cats, "Name and surname"));
	assert_true(array_has_string(cats, "Personal identification code"));
	assert_true(array_has_string(cats, "Purchase history"));
	assert_true(array_has_string(cats, "Bank account number"));
	rcp = json_object_get(p, "recipients");
	assert_int_equal(json_array_size(rcp), 1);
	expect_str(json_array_get(rcp, 0), "name", "State Revenue Service", rule);
	expect_str(json_array_get(rcp, 0), "kind", "authority", rule);
	expect_str(json_array_get(rcp, 0), "condition", "on its lawful request", rule);
	assert_int_equal(json_array_size(json_object_get(p, "transfers_outside_eu")), 0);

	/* consent until objection: withdrawn today, so today is its last day */
	p = find_by(purposes, "id", "newsletter");
	assert_non_null(p);
	expect_str(p, "legal_basis", "consent", rule);
	expect_str(p, "legal_basis_article", "GDPR Art. 6(1)(a)", rule);
	expect_str(p, "retention", "until the person objects", rule);
	date_text(today_day(), until);
	expect_str(p, "kept_until", until, "001 §10: kept until the withdrawal");
	assert_true(json_is_false(json_object_get(json_object_get(p, "status"), "in_use")));
	expect_str(json_object_get(p, "status"), "reason", "consent_withdrawn", rule);
	cats = json_object_get(p, "categories");
	assert_true(array_has_string(cats, "Birthday (for greetings)"));

	/* Art. 15(1)(h), 15(2): profiling and a transfer with its safeguard */
	p = find_by(purposes, "id", "web_shop");
	assert_non_null(p);
	expect_str(p, "retention", "1 year from the last purchase", rule);
	expect_str(p, "kept_until", "2026-05-20", "Reg. 1182/71 Art. 3(2)(c): P1Y from 2025-05-20");
	assert_true(json_is_true(json_object_get(p, "profiling")));
	tr = json_object_get(p, "transfers_outside_eu");
	assert_int_equal(json_array_size(tr), 1);
	expect_str(json_array_get(tr, 0), "country", "US", rule);
	expect_str(json_array_get(tr, 0), "recipient", "Mailcloud Inc.", rule);
	expect_str(json_array_get(tr, 0), "safeguard", "standard contractual clauses (2021/914)",
		   rule);
	assert_true(json_is_true(json_object_get(doc, "profiling")));
	assert_non_null(strstr(json_string_value(json_object_get(doc, "automated_decisions")),
			       "Art. 22"));
	json_decref(doc);
}

/*
 * GDPR Art. 15(1)(h): without profiling the copy says no decision is made
 * by automated means alone; a retention that has not started yet has no
 * last day to name
 */
static void test_access_no_profiling_no_end(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {
		{"first_name", "Jānis"}, {"last_name", "Bērziņš"}, {"email", "janis@example.lv"}};
	char id[SARGS_UUID_STR];
	json_t *doc, *p;

	add(fx, "service", kv, N_ROWS(kv), id);
	(void)contract(fx, id, day_of(2024, 1, 1), 0);
	doc = access_json(fx, id, 0);
	assert_true(json_is_false(json_object_get(doc, "profiling")));
	assert_non_null(strstr(json_string_value(json_object_get(doc, "automated_decisions")),
			       "none"));
	p = find_by(json_object_get(doc, "purposes"), "id", "service");
	assert_non_null(p);
	/* the contract still runs: the claims period has not begun */
	assert_null(json_object_get(p, "kept_until"));
	assert_int_equal(json_array_size(json_object_get(doc, "contracts")), 1);
	assert_true(no_value(json_array_get(json_object_get(doc, "contracts"), 0), "end"));
	json_decref(doc);
}

/*
 * GDPR Art. 7(1), 15(1); 004 §15: the copy shows the consent history
 * (given, withdrawn, through which channel), the purchases and the
 * contracts the retention rules run from
 */
static void test_access_history(void **state)
{
	struct fixture *fx = *state;
	struct access_subject s;
	json_t *doc, *ev, *e, *c;
	const char *rule = "GDPR Art. 7(1): the consent history";

	build_access_subject(fx, &s);
	doc = access_json(fx, s.id, 0);
	ev = json_object_get(doc, "consent_history");
	assert_int_equal(json_array_size(ev), 2);
	e = json_array_get(ev, 0);
	expect_str(e, "purpose", "newsletter", rule);
	expect_str(e, "event", "consent.given", rule);
	expect_str(e, "channel", "web_form", rule);
	e = json_array_get(ev, 1);
	expect_str(e, "purpose", "newsletter", rule);
	expect_str(e, "event", "consent.withdrawn", rule);
	expect_str(e, "channel", "email", rule);
	assert_int_equal(strncmp(json_string_value(json_object_get(e, "time")), "2025-06-16", 10), 0);

	e = json_object_get(doc, "purchases");
	assert_int_equal(json_array_size(e), 1);
	expect_str(json_array_get(e, 0), "date", "2025-05-20", "004 §15: purchases");
	expect_str(json_array_get(e, 0), "product_line", "printing", "004 §15: purchases");

	e = json_object_get(doc, "contracts");
	assert_int_equal(json_array_size(e), 1);
	c = json_array_get(e, 0);
	assert_int_equal(json_integer_value(json_object_get(c, "number")), s.contract_no);
	expect_str(c, "start", "2020-01-15", "004 §15: contracts");
	expect_str(c, "end", "2023-03-31", "004 §15: contracts");
	expect_str(c, "product_line", "signs", "004 §15: contracts");
	json_decref(doc);
}

/*
 * GDPR Art. 14(2)(f), 15(1)(g): when the data did not come from the person,
 * the copy names its source
 */
static void test_access_third_party_source(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {
		{"first_name", "Anna"}, {"last_name", "Liepa"}, {"email", "anna@example.lv"}};
	char id[SARGS_UUID_STR], other[SARGS_UUID_STR];
	json_t *doc, *subj;
	char *html;

	add_from(fx, "service", "third_party", "Lursoft company register", kv, N_ROWS(kv), id);
	doc = access_json(fx, id, 0);
	subj = json_object_get(doc, "subject");
	expect_str(subj, "source", "third_party", "GDPR Art. 14(2)(f)");
	expect_str(subj, "source_name", "Lursoft company register", "GDPR Art. 14(2)(f)");
	/* the source's name is not one of the person's fields */
	assert_null(find_by(json_object_get(doc, "data"), "field", SARGS_SOURCE_FIELD));
	assert_int_equal(json_array_size(json_object_get(doc, "data")), 3);
	json_decref(doc);

	html = access_html(fx, id, "en");
	assert_non_null(
		strstr(html, "<h2>Where the data came from</h2>\n<p>Lursoft company register</p>"));
	free(html);

	{
		const struct sargs_kv kv2[] = {{"first_name", "Ieva"},
					       {"last_name", "Kalna"},
					       {"email", "ieva@example.lv"}};

		add(fx, "service", kv2, N_ROWS(kv2), other);
	}
	html = access_html(fx, other, "en");
	assert_non_null(strstr(html, "<h2>Where the data came from</h2>\n<p>from you</p>"));
	free(html);
	html = access_html(fx, other, "lv");
	assert_non_null(strstr(html, "<p>no jums</p>"));
	free(html);
}

/*
 * 004 §15; GDPR Art. 15(1)(c): the recipients the data was disclosed to in
 * the last two years, only when the person asks for them
 */
static void test_access_disclosures(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"first_name", "Pēteris"},
				      {"last_name", "Kalniņš"},
				      {"personal_code", "321282-11218"}};
	char id[SARGS_UUID_STR];
	json_t *doc, *d, *e;
	const char *rule = "004 §15: disclosures of the last two years on request";
	int64_t noon = 12 * HOUR_US;

	add(fx, "accounting,debt_collection", kv, N_ROWS(kv), id);
	disclose(fx, id, day_of(2022, 3, 1) * DAY_US + noon, "State Revenue Service", "accounting",
		 "first_name,last_name,personal_code", "VID-2022-001");
	disclose(fx, id, day_of(2023, 6, 14) * DAY_US + noon, "Inkasso SIA", "debt_collection",
		 "first_name,last_name", "case-too-old");
	disclose(fx, id, day_of(2023, 6, 17) * DAY_US + noon, "Inkasso SIA", "debt_collection",
		 "first_name,last_name,personal_code", "case-17");
	disclose(fx, id, day_of(2024, 11, 5) * DAY_US + noon, "State Revenue Service",
		 "accounting", "first_name,last_name", NULL);

	/* not asked: not given */
	doc = access_json(fx, id, 0);
	assert_true(json_is_null(json_object_get(doc, "disclosures_last_two_years")));
	json_decref(doc);

	doc = access_json(fx, id, 1);
	d = json_object_get(doc, "disclosures_last_two_years");
	assert_true(json_is_array(d));
	if (json_array_size(d) != 2)
		fail_msg("%s: %zu disclosures, expected the 2 since 2023-06-16", rule,
			 json_array_size(d));
	e = json_array_get(d, 0);
	expect_str(e, "recipient", "Inkasso SIA", rule);
	expect_str(e, "purpose", "debt_collection", rule);
	expect_str(e, "fields", "first_name,last_name,personal_code", rule);
	expect_str(e, "reference", "case-17", rule);
	assert_int_equal(strncmp(json_string_value(json_object_get(e, "time")), "2023-06-17", 10), 0);
	e = json_array_get(d, 1);
	expect_str(e, "recipient", "State Revenue Service", rule);
	expect_str(e, "purpose", "accounting", rule);
	assert_true(no_value(e, "reference"));
	assert_null(find_by(d, "reference", "VID-2022-001"));
	assert_null(find_by(d, "reference", "case-too-old"));
	json_decref(doc);
}

/*
 * GDPR Art. 5(2), 30; 004 §18h: the copy is a read of every field and is
 * audited as "rights.access" naming them (never their values), with the
 * request it answers; the trail still verifies
 */
static void test_access_audited(void **state)
{
	struct fixture *fx = *state;
	struct access_subject s;
	struct sargs_access_opts o = {SARGS_EXPORT_JSON, NULL, 1, 42};
	struct audit_find a;
	struct sargs_err err;
	char *text = NULL;
	int64_t before;

	build_access_subject(fx, &s);
	before = audit_count(fx);
	assert_int_equal(sargs_access_export(fx->reg, s.id, &o, &text, &err), SARGS_OK);
	free(text);
	assert_int_equal(audit_count(fx), before + 1);
	memset(&a, 0, sizeof(a));
	a.action = "rights.access";
	a.subject = s.id;
	a.values[0] = "liga.ozola@example.lv";
	a.values[1] = "321282-11218";
	a.values[2] = "LV80BANK0000435195001";
	a.values[3] = "Ozola";
	a.values[4] = "29111222";
	audit_scan(fx, &a);
	assert_int_equal(a.found, 1);
	assert_int_equal(a.value_hits, 0);
	for (size_t i = 0; i < N_ROWS(access_fields); i++)
		if (strstr(a.fields, access_fields[i].name) == NULL)
			fail_msg("GDPR Art. 5(2): the access entry does not name %s (fields: %s)",
				 access_fields[i].name, a.fields);
	assert_non_null(strstr(a.detail, "42"));

	/* the HTML report is the same read, audited the same way */
	text = access_html(fx, s.id, "en");
	free(text);
	memset(&a, 0, sizeof(a));
	a.action = "rights.access";
	a.subject = s.id;
	audit_scan(fx, &a);
	assert_int_equal(a.found, 2);
	audit_intact(fx);
}

/* ---- the copy of the data: HTML -------------------------------------------- */

/*
 * GDPR Art. 12(1), 77; 004 §16.3: the report is in the person's language
 * (Latvian by default, or English), says what their rights are and that
 * they may complain to the Data State Inspectorate
 */
static void test_access_html_languages(void **state)
{
	struct fixture *fx = *state;
	struct access_subject s;
	char *lv, *en, *dflt;

	build_access_subject(fx, &s);
	lv = access_html(fx, s.id, "lv");
	assert_int_equal(strncmp(lv, "<!DOCTYPE html>", 15), 0);
	assert_non_null(strstr(lv, "<html lang=\"lv\">"));
	assert_non_null(strstr(lv, "<h1>Jūsu personas dati</h1>"));
	assert_non_null(strstr(lv, "<h2>Dati</h2>"));
	assert_non_null(strstr(lv, "<h2>Jūsu tiesības</h2>"));
	assert_non_null(strstr(lv, "Kāpēc mēs tos glabājam un uz kāda pamata"));
	assert_non_null(strstr(lv, "Jums ir tiesības iesniegt sūdzību Datu valsts inspekcijai"));
	assert_non_null(strstr(lv, "www.dvi.gov.lv"));
	assert_non_null(strstr(lv, "līguma izpilde (VDAR 6. panta 1. punkta b) apakšpunkts)"));
	assert_non_null(strstr(lv, "juridisks pienākums (VDAR 6. panta 1. punkta c) apakšpunkts)"));
	assert_non_null(strstr(lv, "Zimes SIA"));
	assert_non_null(strstr(lv, "Ozola"));
	assert_null(strstr(lv, "Your rights"));

	en = access_html(fx, s.id, "en");
	assert_non_null(strstr(en, "<html lang=\"en\">"));
	assert_non_null(strstr(en, "<h1>Your personal data</h1>"));
	assert_non_null(strstr(en, "<h2>Your rights</h2>"));
	assert_non_null(strstr(en, "<h2>Why we keep it and on what basis</h2>"));
	assert_non_null(strstr(en, "<h2>Your consents, withdrawals and objections</h2>"));
	assert_non_null(strstr(en, "<h2>Disclosures in the last two years</h2>"));
	assert_non_null(strstr(en, "You have the right to complain to the Data State Inspectorate"
				   " (Datu valsts inspekcija)"));
	assert_non_null(strstr(en, "GDPR Art. 6(1)(c)"));
	assert_non_null(strstr(en, "3 years from the end of the contract (until 2026-03-31)"));
	assert_non_null(strstr(en, "State Revenue Service (on its lawful request)"));
	assert_non_null(strstr(en, "liga.ozola@example.lv"));
	assert_null(strstr(en, "Jūsu tiesības"));

	/* no language named: Latvian */
	dflt = access_html(fx, s.id, NULL);
	assert_non_null(strstr(dflt, "<html lang=\"lv\">"));
	free(lv);
	free(en);
	free(dflt);
}

/* GDPR Art. 12(1): a report in a language the register cannot write is
 * refused, and nothing is read */
static void test_access_html_unknown_language(void **state)
{
	struct fixture *fx = *state;
	const char *langs[] = {"de", "", "LV", "lv-LV", "en<script>"};
	struct access_subject s;
	struct sargs_err err;
	int64_t before;

	build_access_subject(fx, &s);
	before = audit_count(fx);
	for (size_t i = 0; i < N_ROWS(langs); i++) {
		struct sargs_access_opts o = {SARGS_EXPORT_HTML, langs[i], 0, 0};
		static char sentinel;
		char *text = &sentinel;

		assert_int_equal(sargs_access_export(fx->reg, s.id, &o, &text, &err),
				 SARGS_E_INVALID);
		assert_null(text);
		assert_non_null(strstr(err.msg, "lv or en"));
	}
	assert_int_equal(audit_count(fx), before);
}

/*
 * OWASP XSS prevention: the report escapes everything it did not write
 * itself: a stored value holding markup, quotes and an ampersand appears
 * only escaped, and the JSON copy carries it unchanged
 */
static void test_access_html_escapes(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"first_name", "Mal<b>ory</b>"},
				      {"last_name", "O'Hara & \"Sons\""},
				      {"email", "mallory@example.lv"},
				      {"order_history", HOSTILE}};
	char id[SARGS_UUID_STR];
	const char *langs[] = {"lv", "en"};
	json_t *doc;

	add_from(fx, "service", "third_party", "<img src=x onerror=alert(2)> & Co", kv, N_ROWS(kv),
		 id);
	for (size_t i = 0; i < N_ROWS(langs); i++) {
		char *html = access_html(fx, id, langs[i]);

		assert_non_null(strstr(html, HOSTILE_ESCAPED));
		assert_null(strstr(html, "<script"));
		assert_null(strstr(html, "\"quotes\""));
		assert_null(strstr(html, "'apostrophe'"));
		assert_null(strstr(html, "<b>"));
		assert_null(strstr(html, "<img"));
		assert_non_null(strstr(html, "Mal&lt;b&gt;ory&lt;/b&gt;"));
		assert_non_null(strstr(html, "O&#39;Hara &amp; &quot;Sons&quot;"));
		assert_non_null(strstr(html, "&lt;img src=x onerror=alert(2)&gt; &amp; Co"));
		free(html);
	}
	doc = access_json(fx, id, 0);
	expect_str(find_by(json_object_get(doc, "data"), "field", "order_history"), "value",
		   HOSTILE, "GDPR Art. 15(3): the copy is exact");
	expect_str(json_object_get(doc, "subject"), "source_name",
		   "<img src=x onerror=alert(2)> & Co", "GDPR Art. 14(2)(f)");
	json_decref(doc);
}

/*
 * GDPR Art. 17; 004 §15.6: once a person is erased there is no copy to
 * give: the export says the person was erased; an id that is not one is
 * refused
 */
static void test_access_erased(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"email", "gone@example.lv"}};
	struct sargs_access_opts json_o = {SARGS_EXPORT_JSON, NULL, 0, 0};
	struct sargs_access_opts html_o = {SARGS_EXPORT_HTML, "en", 0, 0};
	struct sargs_erasure_report rep;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *text = NULL;

	add(fx, "newsletter", kv, N_ROWS(kv), id);
	assert_int_equal(sargs_rights_erase(fx->reg, id, "request", &rep, &err), SARGS_OK);
	assert_int_equal(rep.erased, 1);
	assert_int_equal(sargs_access_export(fx->reg, id, &json_o, &text, &err), SARGS_E_NOTFOUND);
	assert_null(text);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(sargs_access_export(fx->reg, id, &html_o, &text, &err), SARGS_E_NOTFOUND);
	assert_null(text);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(sargs_portability_export(fx->reg, id, &text, &err), SARGS_E_NOTFOUND);
	assert_null(text);
	assert_int_equal(sargs_access_export(fx->reg, "not-an-id", &json_o, &text, &err),
			 SARGS_E_INVALID);
	assert_null(text);
	assert_int_equal(sargs_portability_export(fx->reg, "not-an-id", &text, &err),
			 SARGS_E_INVALID);
	assert_null(text);
	audit_intact(fx);
}

/* ---- portability ------------------------------------------------------------ */

/*
 * GDPR Art. 20(1): portability holds only the data the person provided,
 * and only for purposes resting on consent or a contract: not what the
 * business derived or recorded (customer_since, contract_end), not the
 * purposes on a legal obligation or legitimate interests
 */
static void test_portability_provided_only(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"first_name", "Līga"},
				      {"last_name", "Ozola"},
				      {"email", "liga@example.lv"},
				      {"phone", "+37129111222"},
				      {"personal_code", "321282-11218"},
				      {"bank_account", "LV80BANK0000435195001"},
				      {"order_history", "sign 120x40"},
				      {"customer_since", "2020-01-15"},
				      {"contract_end", "2023-03-31"},
				      {"birth_date", "1990-05-05"}};
	char id[SARGS_UUID_STR];
	struct sargs_err err;
	struct audit_find a;
	char *text = NULL;
	json_t *doc, *by, *svc, *nl;
	const char *key;
	json_t *v;
	const char *rule = "GDPR Art. 20(1): portability";

	add(fx, "service,accounting,newsletter,debt_collection", kv, N_ROWS(kv), id);
	give(fx, id, "newsletter");
	assert_int_equal(sargs_portability_export(fx->reg, id, &text, &err), SARGS_OK);
	assert_non_null(text);
	doc = parse(text);
	free(text);
	assert_int_equal(json_integer_value(json_object_get(doc, "sargs_portability_export")), 1);
	expect_str(doc, "subject", id, rule);
	by = json_object_get(doc, "provided_data");
	assert_true(json_is_object(by));
	assert_int_equal(json_object_size(by), 2);
	assert_null(json_object_get(by, "accounting"));
	assert_null(json_object_get(by, "debt_collection"));
	svc = json_object_get(by, "service");
	nl = json_object_get(by, "newsletter");
	assert_non_null(svc);
	assert_non_null(nl);
	expect_str(svc, "first_name", "Līga", rule);
	expect_str(svc, "last_name", "Ozola", rule);
	expect_str(svc, "email", "liga@example.lv", rule);
	expect_str(svc, "phone", "+37129111222", rule);
	expect_str(svc, "order_history", "sign 120x40", rule);
	assert_int_equal(json_object_size(svc), 5);
	expect_str(nl, "email", "liga@example.lv", rule);
	expect_str(nl, "first_name", "Līga", rule);
	expect_str(nl, "birth_date", "1990-05-05", rule);
	assert_int_equal(json_object_size(nl), 3);
	/* derived and legal-obligation-only fields appear nowhere */
	json_object_foreach(by, key, v) {
		assert_null(json_object_get(v, "customer_since"));
		assert_null(json_object_get(v, "contract_end"));
		assert_null(json_object_get(v, "personal_code"));
		assert_null(json_object_get(v, "bank_account"));
	}
	json_decref(doc);

	memset(&a, 0, sizeof(a));
	a.action = "rights.portability";
	a.subject = id;
	a.values[0] = "liga@example.lv";
	a.values[1] = "LV80BANK0000435195001";
	audit_scan(fx, &a);
	assert_int_equal(a.found, 1);
	assert_int_equal(a.value_hits, 0);
	audit_intact(fx);
}

/* GDPR Art. 20(1)(a), 14: data a third party supplied was not provided by
 * the person: nothing to port */
static void test_portability_third_party(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {
		{"first_name", "Anna"}, {"last_name", "Liepa"}, {"email", "anna@example.lv"}};
	char id[SARGS_UUID_STR];
	struct sargs_err err;
	char *text = NULL;
	json_t *doc;

	add_from(fx, "service", "third_party", "Lursoft company register", kv, N_ROWS(kv), id);
	assert_int_equal(sargs_portability_export(fx->reg, id, &text, &err), SARGS_OK);
	doc = parse(text);
	free(text);
	assert_true(json_is_object(json_object_get(doc, "provided_data")));
	assert_int_equal(json_object_size(json_object_get(doc, "provided_data")), 0);
	json_decref(doc);
}

static int64_t newsletter_audience(struct fixture *fx, int64_t *restricted)
{
	struct sargs_audience_req req = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
	struct sargs_audience aud;
	struct sargs_err err;
	int64_t allowed;

	memset(&aud, 0, sizeof(aud));
	if (sargs_campaign_audience(fx->reg, &req, 0, &aud, &err) != SARGS_OK)
		fail_msg("audience: %s", err.msg);
	allowed = aud.allowed;
	*restricted = aud.excluded[SARGS_R_RESTRICTED];
	sargs_audience_free(&aud);
	return allowed;
}

/* ---- erasure ---------------------------------------------------------------- */

static const struct sargs_kv erase_fields[] = {
	{"first_name", "Kārlis"},
	{"last_name", "Zariņš"},
	{"email", "karlis@example.lv"},
	{"phone", "+37129333444"},
	{"personal_code", LEGACY_CODE},
	{"bank_account", "LV80BANK0000435195001"},
	{"order_history", "2022: 3 signs"},
	{"customer_since", "2020-01-15"},
	{"contract_end", "2023-03-31"},
};

#define ACCOUNTING_FIELDS "first_name,last_name,personal_code,bank_account,order_history"

/*
 * GDPR Art. 17(3)(b); 004 §15.6: erasure keeps what a legal obligation
 * still requires, for that purpose only and only the fields it lists, and
 * says what, why and until when (Reg. 1182/71 Art. 3(2)(c): 5 years from
 * the contract's end); the rest is gone, the other purposes unlinked; on
 * the last day of the period a new request still keeps it, the day after
 * it erases the person entirely
 */
static void test_erasure_keeps_legal_obligation(void **state)
{
	struct fixture *fx = *state;
	const char *rule = "GDPR Art. 17(3)(b); 004 §15.6";
	struct sargs_erasure_report rep;
	struct sargs_err err;
	struct audit_find a;
	char id[SARGS_UUID_STR];
	int64_t restricted = 0;
	json_t *doc, *p;

	add(fx, "service,accounting,newsletter", erase_fields, N_ROWS(erase_fields), id);
	(void)contract(fx, id, day_of(2020, 1, 15), day_of(2023, 3, 31));
	give(fx, id, "newsletter");
	/* the legacy code gave a birth date for the newsletter's greeting */
	expect_fields(fx, "setup", id,
		      ACCOUNTING_FIELDS ",email,phone,customer_since,contract_end,birth_date");
	assert_int_equal(newsletter_audience(fx, &restricted), 1);

	assert_int_equal(sargs_rights_erase(fx->reg, id, "request", &rep, &err), SARGS_OK);
	assert_int_equal(rep.erased, 0);
	assert_int_equal(rep.n_kept, 1);
	assert_string_equal(rep.kept[0].purpose, "accounting");
	assert_string_equal(rep.kept[0].basis_detail, ACCOUNTING_LAW);
	assert_string_equal(rep.kept[0].until, "2028-03-31");
	if (!same_set(rep.kept[0].fields, ACCOUNTING_FIELDS))
		fail_msg("%s: the report keeps {%s}, expected {%s}", rule, rep.kept[0].fields,
			 ACCOUNTING_FIELDS);

	expect_fields(fx, rule, id, ACCOUNTING_FIELDS);
	expect_links(fx, rule, id, "accounting");
	expect_decision(fx, rule, id, "accounting", 0, 1, SARGS_R_LEGAL_OBLIGATION);
	expect_decision(fx, rule, id, "service", 0, 0, SARGS_R_NOT_LINKED);
	expect_decision(fx, rule, id, "newsletter", SARGS_CH_EMAIL, 0, SARGS_R_NOT_LINKED);
	/* a campaign no longer reaches the person */
	assert_int_equal(newsletter_audience(fx, &restricted), 0);

	/* the person's copy now shows only what is kept, and why */
	doc = access_json(fx, id, 0);
	assert_int_equal(json_array_size(json_object_get(doc, "data")), 5);
	assert_null(find_by(json_object_get(doc, "data"), "field", "email"));
	assert_int_equal(json_array_size(json_object_get(doc, "purposes")), 1);
	p = find_by(json_object_get(doc, "purposes"), "id", "accounting");
	assert_non_null(p);
	expect_str(p, "kept_until", "2028-03-31", rule);
	json_decref(doc);

	memset(&a, 0, sizeof(a));
	a.action = "rights.erase.partial";
	a.subject = id;
	a.values[0] = "karlis@example.lv";
	a.values[1] = LEGACY_CODE;
	audit_scan(fx, &a);
	assert_int_equal(a.found, 1);
	assert_int_equal(a.value_hits, 0);
	assert_non_null(strstr(a.detail, "reason:request"));
	assert_non_null(strstr(a.detail, "kept:accounting"));

	/* Reg. 1182/71 Art. 3: the last day of the period is still within it */
	clock_day(day_of(2028, 3, 31));
	assert_int_equal(sargs_rights_erase(fx->reg, id, "request", &rep, &err), SARGS_OK);
	assert_int_equal(rep.erased, 0);
	assert_int_equal(rep.n_kept, 1);
	assert_string_equal(rep.kept[0].until, "2028-03-31");
	expect_fields(fx, "Reg. 1182/71 Art. 3: the last day keeps it", id, ACCOUNTING_FIELDS);

	/* ... and the day after it the obligation is over: erased entirely */
	clock_day(day_of(2028, 4, 1));
	assert_int_equal(sargs_rights_erase(fx->reg, id, "request", &rep, &err), SARGS_OK);
	assert_int_equal(rep.erased, 1);
	assert_int_equal(rep.n_kept, 0);
	expect_erased(fx, "GDPR Art. 17(1): the period is over", id);
	audit_intact(fx);
}

/*
 * Reg. 1182/71 Art. 3(2)(c): a period in years ends on the same date that
 * many years later, or on the month's last day when there is no such date;
 * the erasure report names that last day
 */
static void test_erasure_until_dates(void **state)
{
	static const struct {
		const char *rule;
		int y, m, d;
		const char *until;
	} rows[] = {
		{"Reg. 1182/71 Art. 3(2)(c): P5Y ends on the same date", 2023, 3, 31, "2028-03-31"},
		{"Reg. 1182/71 Art. 3(2)(c): from 29 February to 28 February", 2024, 2, 29,
		 "2029-02-28"},
		{"Reg. 1182/71 Art. 3(2)(c): from the last day of a year", 2021, 12, 31,
		 "2026-12-31"},
		{"Reg. 1182/71 Art. 3(2)(c): from the first day of a year", 2023, 1, 1, "2028-01-01"},
		{"Reg. 1182/71 Art. 3(2)(c): ended today, kept five years", TODAY_Y, TODAY_M,
		 TODAY_D, "2030-06-16"},
	};
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {
		{"first_name", "Ilze"}, {"last_name", "Priede"}, {"email", "ilze@example.lv"}};

	for (size_t i = 0; i < N_ROWS(rows); i++) {
		struct sargs_erasure_report rep;
		struct sargs_err err;
		char id[SARGS_UUID_STR];

		add(fx, "service,accounting", kv, N_ROWS(kv), id);
		(void)contract(fx, id, day_of(2019, 1, 1),
			       day_of(rows[i].y, rows[i].m, rows[i].d));
		assert_int_equal(sargs_rights_erase(fx->reg, id, "request", &rep, &err), SARGS_OK);
		if (rep.erased || rep.n_kept != 1 || strcmp(rep.kept[0].until, rows[i].until) != 0)
			fail_msg("%s: erased %d, kept %zu until %s, expected until %s", rows[i].rule,
				 rep.erased, rep.n_kept, rep.n_kept ? rep.kept[0].until : "-",
				 rows[i].until);
		expect_fields(fx, rows[i].rule, id, "first_name,last_name");
	}
}

/*
 * GDPR Art. 17(1), 17(3)(b): with no legal obligation left to keep the
 * data for — none linked, or its period over — the person is erased
 * entirely (crypto-shredding, into the ledger, nothing to read after)
 */
static void test_erasure_whole(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"first_name", "Rūta"},
				      {"last_name", "Egle"},
				      {"email", "ruta@example.lv"},
				      {"birth_date", "1991-07-07"}};
	char plain[SARGS_UUID_STR], expired[SARGS_UUID_STR];
	struct sargs_erasure_report rep;
	struct sargs_err err;
	struct audit_find a;

	add(fx, "service,newsletter", kv, N_ROWS(kv), plain);
	give(fx, plain, "newsletter");
	(void)contract(fx, plain, day_of(2024, 1, 1), day_of(2025, 1, 1));
	assert_int_equal(sargs_rights_erase(fx->reg, plain, "request", &rep, &err), SARGS_OK);
	assert_int_equal(rep.erased, 1);
	assert_int_equal(rep.n_kept, 0);
	expect_erased(fx, "GDPR Art. 17(1): no legal obligation purpose", plain);
	expect_decision(fx, "GDPR Art. 17(1)", plain, "newsletter", SARGS_CH_EMAIL, 0,
			SARGS_R_ERASED);
	memset(&a, 0, sizeof(a));
	a.action = "subject.erase";
	a.subject = plain;
	audit_scan(fx, &a);
	assert_int_equal(a.found, 1);
	assert_string_equal(a.detail, "request");

	/* accounting's five years from a contract that ended in 2019 are over */
	add(fx, "service,accounting", kv, 3, expired);
	(void)contract(fx, expired, day_of(2015, 1, 1), day_of(2019, 6, 1));
	assert_int_equal(sargs_rights_erase(fx->reg, expired, "objection", &rep, &err), SARGS_OK);
	assert_int_equal(rep.erased, 1);
	assert_int_equal(rep.n_kept, 0);
	expect_erased(fx, "GDPR Art. 17(3)(b): the obligation's period is over", expired);

	/* erasing again: nothing left, and the answer says when it was erased */
	assert_int_equal(sargs_rights_erase(fx->reg, expired, "request", &rep, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	audit_intact(fx);
}

/*
 * GDPR Art. 17(3)(b): while a contract still runs, the accounting
 * obligation's period has not even begun: its data is kept with no end
 * date yet
 */
static void test_erasure_running_contract(void **state)
{
	struct fixture *fx = *state;
	char id[SARGS_UUID_STR];
	struct sargs_erasure_report rep;
	struct sargs_err err;

	add(fx, "service,accounting,newsletter", erase_fields, 7, id);
	(void)contract(fx, id, day_of(2024, 1, 1), 0);
	assert_int_equal(sargs_rights_erase(fx->reg, id, "request", &rep, &err), SARGS_OK);
	assert_int_equal(rep.erased, 0);
	assert_int_equal(rep.n_kept, 1);
	assert_string_equal(rep.kept[0].purpose, "accounting");
	assert_string_equal(rep.kept[0].until, "open");
	expect_fields(fx, "GDPR Art. 17(3)(b)", id, ACCOUNTING_FIELDS);
	expect_links(fx, "GDPR Art. 17(3)(b)", id, "accounting");
}

/*
 * 004 §18h; the ledger: the reason of an erasure is one of a closed list
 * (free text could hold personal data); anything else is refused and
 * changes nothing
 */
static void test_erasure_refusals(void **state)
{
	struct fixture *fx = *state;
	const char *bad[] = {"because", "", "Request", "request ", "retention;drop", NULL};
	const char *good[] = {"request", "retention", "withdrawal", "objection", "other"};
	struct sargs_erasure_report rep;
	struct sargs_err err;
	char id[SARGS_UUID_STR], before[1024], unknown[SARGS_UUID_STR];
	int64_t n_audit;

	add(fx, "service,accounting,newsletter", erase_fields, N_ROWS(erase_fields), id);
	fields_of(fx, id, before, sizeof(before));
	n_audit = audit_count(fx);
	for (size_t i = 0; i < N_ROWS(bad); i++) {
		memset(&rep, 0x5a, sizeof(rep));
		assert_int_equal(sargs_rights_erase(fx->reg, id, bad[i], &rep, &err),
				 SARGS_E_INVALID);
		assert_int_equal(rep.erased, 0);
		assert_int_equal(rep.n_kept, 0);
	}
	assert_int_equal(sargs_rights_erase(fx->reg, "x", "request", &rep, &err), SARGS_E_INVALID);
	assert_int_equal(audit_count(fx), n_audit);
	expect_fields(fx, "a refused erasure changes nothing", id, before);
	expect_links(fx, "a refused erasure changes nothing", id, "service,accounting,newsletter");

	/* every reason of the list is accepted */
	for (size_t i = 0; i < N_ROWS(good); i++) {
		char sid[SARGS_UUID_STR];
		const struct sargs_kv kv[] = {{"email", "x@example.lv"}};

		add(fx, "newsletter", kv, N_ROWS(kv), sid);
		if (sargs_rights_erase(fx->reg, sid, good[i], &rep, &err) != SARGS_OK)
			fail_msg("reason %s refused: %s", good[i], err.msg);
		assert_int_equal(rep.erased, 1);
	}

	/* a valid id nobody has */
	assert_int_equal(sargs_uuid_v7(sargs_time_now_us(), unknown), SARGS_OK);
	assert_int_equal(sargs_rights_erase(fx->reg, unknown, "request", &rep, &err),
			 SARGS_E_NOTFOUND);
	assert_int_equal(rep.erased, 0);
}

/* ---- restriction ------------------------------------------------------------ */

/*
 * GDPR Art. 18(1)-(3): restricted data stays stored and is used only for
 * legal claims: every other purpose is refused (a campaign's audience
 * drops the person at once), the one serving legal claims is allowed for
 * processing that contacts nobody; lifting the restriction restores it
 */
static void test_restriction(void **state)
{
	struct fixture *fx = *state;
	const char *rule = "GDPR Art. 18(2): restricted data is used only for legal claims";
	const struct sargs_kv kv[] = {{"first_name", "Māra"},
				      {"last_name", "Vītola"},
				      {"email", "mara@example.lv"},
				      {"postal_address", "Rīga"},
				      {"order_history", "unpaid invoice 17"}};
	const struct sargs_kv kv2[] = {{"email", "other@example.lv"}};
	char id[SARGS_UUID_STR], other[SARGS_UUID_STR], fields_before[1024];
	struct sargs_err err;
	struct audit_find a;
	int64_t restricted = -1;
	json_t *doc;

	add(fx, "service,newsletter,debt_collection", kv, N_ROWS(kv), id);
	give(fx, id, "newsletter");
	(void)contract(fx, id, day_of(2024, 1, 1), 0);
	add(fx, "newsletter", kv2, N_ROWS(kv2), other);
	give(fx, other, "newsletter");
	fields_of(fx, id, fields_before, sizeof(fields_before));

	expect_decision(fx, "before", id, "service", 0, 1, SARGS_R_CONTRACT);
	expect_decision(fx, "before", id, "newsletter", SARGS_CH_EMAIL, 1, SARGS_R_CONSENT_GIVEN);
	expect_decision(fx, "before", id, "debt_collection", 0, 1, SARGS_R_LEGITIMATE_INTERESTS);
	assert_int_equal(newsletter_audience(fx, &restricted), 2);
	assert_int_equal(restricted, 0);

	assert_int_equal(sargs_restrict(fx->reg, id, 1, &err), SARGS_OK);
	expect_decision(fx, rule, id, "service", 0, 0, SARGS_R_RESTRICTED);
	expect_decision(fx, rule, id, "newsletter", 0, 0, SARGS_R_RESTRICTED);
	expect_decision(fx, rule, id, "newsletter", SARGS_CH_EMAIL, 0, SARGS_R_RESTRICTED);
	expect_decision(fx, rule, id, "debt_collection", 0, 1, SARGS_R_LEGITIMATE_INTERESTS);
	/* legal claims cover no marketing contact */
	expect_decision(fx, rule, id, "debt_collection", SARGS_CH_EMAIL, 0, SARGS_R_RESTRICTED);
	/* the others are not touched */
	expect_decision(fx, rule, other, "newsletter", SARGS_CH_EMAIL, 1, SARGS_R_CONSENT_GIVEN);
	assert_int_equal(newsletter_audience(fx, &restricted), 1);
	assert_int_equal(restricted, 1);
	/* Art. 18(2): "with the exception of storage": the data stays */
	expect_fields(fx, "GDPR Art. 18(2): storage goes on", id, fields_before);
	doc = access_json(fx, id, 0);
	expect_str(json_object_get(find_by(json_object_get(doc, "purposes"), "id", "service"),
				   "status"),
		   "reason", "restricted", rule);
	json_decref(doc);
	/* restricting twice is harmless */
	assert_int_equal(sargs_restrict(fx->reg, id, 1, &err), SARGS_OK);
	expect_decision(fx, rule, id, "service", 0, 0, SARGS_R_RESTRICTED);

	/* Art. 18(3): lifted */
	assert_int_equal(sargs_restrict(fx->reg, id, 0, &err), SARGS_OK);
	expect_decision(fx, "GDPR Art. 18(3): lifted", id, "service", 0, 1, SARGS_R_CONTRACT);
	expect_decision(fx, "GDPR Art. 18(3): lifted", id, "newsletter", SARGS_CH_EMAIL, 1,
			SARGS_R_CONSENT_GIVEN);
	assert_int_equal(newsletter_audience(fx, &restricted), 2);
	assert_int_equal(restricted, 0);

	memset(&a, 0, sizeof(a));
	a.action = "rights.restrict";
	a.subject = id;
	audit_scan(fx, &a);
	assert_int_equal(a.found, 2);
	memset(&a, 0, sizeof(a));
	a.action = "rights.unrestrict";
	a.subject = id;
	audit_scan(fx, &a);
	assert_int_equal(a.found, 1);
	audit_intact(fx);
}

/* GDPR Art. 18: only a person the register holds can be restricted */
static void test_restriction_refusals(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"email", "gone@example.lv"}};
	struct sargs_erasure_report rep;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	int64_t n;

	add(fx, "newsletter", kv, N_ROWS(kv), id);
	assert_int_equal(sargs_rights_erase(fx->reg, id, "request", &rep, &err), SARGS_OK);
	n = audit_count(fx);
	assert_int_equal(sargs_restrict(fx->reg, id, 1, &err), SARGS_E_NOTFOUND);
	assert_int_equal(sargs_restrict(fx->reg, "not-a-uuid", 1, &err), SARGS_E_INVALID);
	assert_int_equal(audit_count(fx), n);
}

/* ---- the retention sweep ------------------------------------------------------ */

struct sweep_log {
	size_t n;
	char item[32][512];
};

static void sweep_cb(void *ctx, const struct sargs_sweep_item *it)
{
	struct sweep_log *l = ctx;

	if (l->n < N_ROWS(l->item))
		(void)snprintf(l->item[l->n++], sizeof(l->item[0]), "%s|%s|%s|%s|%s",
			       it->subject_id, it->action, it->purpose, it->until,
			       it->fields ? it->fields : "");
}

static void sweep(struct fixture *fx, int dry_run, struct sweep_log *log,
		  struct sargs_sweep_summary *sum)
{
	struct sargs_err err;

	memset(log, 0, sizeof(*log));
	if (sargs_retention_sweep(fx->reg, dry_run, sweep_cb, log, sum, &err) != SARGS_OK)
		fail_msg("sweep%s: %s", dry_run ? " (dry run)" : "", err.msg);
}

/* The logged action for subject and purpose, or NULL. */
static const char *logged(const struct sweep_log *l, const char *id, const char *purpose)
{
	char prefix[160];
	size_t n = (size_t)snprintf(prefix, sizeof(prefix), "%s|", id);

	for (size_t i = 0; i < l->n; i++) {
		const char *p;

		if (strncmp(l->item[i], prefix, n) != 0)
			continue;
		p = strchr(l->item[i] + n, '|');
		if (p != NULL && strncmp(p + 1, purpose, strlen(purpose)) == 0 &&
		    p[1 + strlen(purpose)] == '|')
			return l->item[i];
	}
	return NULL;
}

static size_t logged_for(const struct sweep_log *l, const char *id)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		n += strncmp(l->item[i], id, strlen(id)) == 0;
	return n;
}

/* One logged item: action, until and the erased fields (as a set). */
static void expect_item(const struct sweep_log *l, const char *rule, const char *id,
			const char *purpose, const char *action, const char *until,
			const char *fields)
{
	const char *it = logged(l, id, purpose);
	char want_head[256], got_fields[512];
	const char *bar;
	size_t head;

	if (it == NULL) {
		fail_msg("%s: the sweep reports nothing for %s", rule, purpose);
		return;
	}
	head = (size_t)snprintf(want_head, sizeof(want_head), "%s|%s|%s|%s|", id, action, purpose,
				until);
	if (strncmp(it, want_head, head) != 0)
		fail_msg("%s: the sweep reports \"%s\", expected \"%s...\"", rule, it, want_head);
	bar = it + head;
	(void)snprintf(got_fields, sizeof(got_fields), "%s", bar);
	if (!same_set(got_fields, fields))
		fail_msg("%s: %s erases {%s}, expected {%s}", rule, purpose, got_fields, fields);
}

/* What the register holds of a subject: its purposes and field names. */
static void snapshot(struct fixture *fx, const char *id, char *out, size_t size)
{
	char l[512], f[1024], names[4][64];
	size_t n = 0;
	struct sargs_err err;

	if (sargs_subject_field_names(fx->reg, id, names, 4, &n, &err) == SARGS_E_NOTFOUND) {
		(void)snprintf(out, size, "erased");
		return;
	}
	links_of(fx, id, l, sizeof(l));
	fields_of(fx, id, f, sizeof(f));
	(void)snprintf(out, size, "%s / %s", l, f);
}

struct sweep_world {
	char shop[SARGS_UUID_STR];      /* web_shop: last purchase 366 days ago */
	char withdrawn[SARGS_UUID_STR]; /* newsletter: withdrawn yesterday */
	char claims[SARGS_UUID_STR];    /* service over, accounting runs */
	char done[SARGS_UUID_STR];      /* every period over */
	char running[SARGS_UUID_STR];   /* contract still running */
	char edge[SARGS_UUID_STR];      /* web_shop: today is its last day */
};

static void build_sweep_world(struct fixture *fx, struct sweep_world *w)
{
	const struct sargs_kv shop[] = {{"first_name", "Oskars"},
					{"last_name", "Ozols"},
					{"email", "oskars@example.lv"},
					{"browser_data", "cart=1"}};
	const struct sargs_kv nl[] = {{"first_name", "Dace"},
				      {"last_name", "Lapa"},
				      {"email", "dace@example.lv"},
				      {"birth_date", "1985-04-04"}};
	const struct sargs_kv edge[] = {{"first_name", "Edgars"},
					{"last_name", "Mala"},
					{"email", "edgars@example.lv"},
					{"browser_data", "cart=2"}};

	add(fx, "web_shop,service", shop, N_ROWS(shop), w->shop);
	purchase(fx, w->shop, today_day() - 366);

	add(fx, "newsletter,service", nl, N_ROWS(nl), w->withdrawn);
	give(fx, w->withdrawn, "newsletter");
	clock_day(today_day() - 1);
	withdraw(fx, w->withdrawn, "newsletter");
	clock_day(today_day());

	add(fx, "service,accounting", erase_fields, N_ROWS(erase_fields), w->claims);
	(void)contract(fx, w->claims, day_of(2019, 1, 1), day_of(2022, 1, 10));

	add(fx, "service,accounting", erase_fields, N_ROWS(erase_fields), w->done);
	(void)contract(fx, w->done, day_of(2015, 1, 1), day_of(2019, 6, 1));

	add(fx, "service,accounting", erase_fields, N_ROWS(erase_fields), w->running);
	(void)contract(fx, w->running, day_of(2019, 1, 1), 0);

	add(fx, "web_shop,service", edge, N_ROWS(edge), w->edge);
	purchase(fx, w->edge, day_of(TODAY_Y - 1, TODAY_M, TODAY_D));
}

/*
 * GDPR Art. 5(1)(e); 004 §4.4-4.6: the sweep ends a purpose when its period
 * is over and erases the fields no remaining purpose needs; a person with
 * no purpose left is erased (reason "retention"); what another purpose's
 * period still covers stays. Reg. 1182/71 Art. 3: the last day of a period
 * is still within it, the next day ends it. The summary counts what was
 * done; a second sweep finds nothing more
 */
static void test_sweep(void **state)
{
	struct fixture *fx = *state;
	struct sweep_world w;
	struct sweep_log log, again;
	struct sargs_sweep_summary sum, sum2;
	struct audit_find a;
	char yesterday[SARGS_DATE_STR];
	const char *claims_erased = "email,phone,customer_since,contract_end";

	build_sweep_world(fx, &w);
	sweep(fx, 0, &log, &sum);

	/* web_shop, P1Y from the last purchase 366 days ago: over yesterday */
	expect_item(&log, "004 §4.4: web_shop's year is over", w.shop, "web_shop", "unlink",
		    "2025-06-15", "browser_data");
	expect_links(fx, "004 §4.4: web_shop ended", w.shop, "service");
	expect_fields(fx, "004 §4.4: web_shop ended", w.shop, "first_name,last_name,email");
	assert_int_equal(logged_for(&log, w.shop), 1);

	/* 001 §10: consent withdrawn yesterday: kept until then, no longer */
	date_text(today_day() - 1, yesterday);
	expect_item(&log, "001 §10: newsletter until withdrawal", w.withdrawn, "newsletter",
		    "unlink", yesterday, "birth_date");
	expect_links(fx, "001 §10: newsletter ended", w.withdrawn, "service");
	expect_fields(fx, "001 §10: newsletter ended", w.withdrawn, "first_name,last_name,email");

	/* 004 §4.6: the service's 3 claims years are over, accounting's 5 run */
	expect_item(&log, "004 §4.6: service over, accounting runs", w.claims, "service", "unlink",
		    "2025-01-10", claims_erased);
	assert_null(logged(&log, w.claims, "accounting"));
	expect_links(fx, "004 §4.6: only accounting stays", w.claims, "accounting");
	expect_fields(fx, "004 §4.6: only accounting's fields stay", w.claims, ACCOUNTING_FIELDS);
	expect_decision(fx, "004 §4.6", w.claims, "accounting", 0, 1, SARGS_R_LEGAL_OBLIGATION);

	/* 004 §4.4: nothing left to keep the person for: erased */
	expect_item(&log, "004 §4.4: every period over", w.done, "service", "erase", "2022-06-01",
		    "");
	expect_item(&log, "004 §4.4: every period over", w.done, "accounting", "erase",
		    "2024-06-01", "");
	expect_erased(fx, "004 §4.4: erased when no purpose is left", w.done);
	memset(&a, 0, sizeof(a));
	a.action = "subject.erase";
	a.subject = w.done;
	audit_scan(fx, &a);
	assert_int_equal(a.found, 1);
	assert_string_equal(a.detail, "retention");

	/* no end known yet / the last day of the period: untouched */
	assert_int_equal(logged_for(&log, w.running), 0);
	expect_links(fx, "no end known yet", w.running, "service,accounting");
	assert_int_equal(logged_for(&log, w.edge), 0);
	expect_links(fx, "Reg. 1182/71 Art. 3: the last day is within", w.edge, "service,web_shop");
	expect_fields(fx, "Reg. 1182/71 Art. 3: the last day is within", w.edge,
		      "first_name,last_name,email,browser_data");

	/* the summary counts what was done */
	assert_int_equal(log.n, 5);
	assert_int_equal(sum.links_checked, 12);
	assert_int_equal(sum.subjects_erased, 1);
	assert_int_equal(sum.purposes_ended, 5);
	assert_int_equal(sum.fields_erased, 1 + 1 + 4);
	memset(&a, 0, sizeof(a));
	a.action = "retention.sweep";
	audit_scan(fx, &a);
	assert_int_equal(a.found, 1);
	assert_string_equal(a.detail, "links:12 erased:1 ended:5 fields:6 held:0");

	/* a second sweep the same day finds nothing more */
	sweep(fx, 0, &again, &sum2);
	assert_int_equal(again.n, 0);
	assert_int_equal(sum2.links_checked, 7);
	assert_int_equal(sum2.subjects_erased, 0);
	assert_int_equal(sum2.purposes_ended, 0);
	assert_int_equal(sum2.fields_erased, 0);

	/* Reg. 1182/71 Art. 3: the day after the last day, the period is over */
	clock_day(today_day() + 1);
	sweep(fx, 0, &again, &sum2);
	assert_int_equal(again.n, 1);
	expect_item(&again, "Reg. 1182/71 Art. 3: the next day ends it", w.edge, "web_shop",
		    "unlink", "2025-06-16", "browser_data");
	expect_links(fx, "the next day ends it", w.edge, "service");
	assert_int_equal(sum2.purposes_ended, 1);
	assert_int_equal(sum2.fields_erased, 1);
	audit_intact(fx);
}

/*
 * 004 §4.4: a dry run reports the same actions and the same counts as the
 * real sweep and changes nothing: no purpose, no field, no audit entry but
 * its own
 */
static void test_sweep_dry_run(void **state)
{
	struct fixture *fx = *state;
	struct sweep_world w;
	struct sweep_log dry, real;
	struct sargs_sweep_summary dsum, rsum;
	struct audit_find a;
	const char *ids[6];
	char before[6][2048], after[2048];
	int64_t n_audit, erased_us = 0;

	build_sweep_world(fx, &w);
	ids[0] = w.shop;
	ids[1] = w.withdrawn;
	ids[2] = w.claims;
	ids[3] = w.done;
	ids[4] = w.running;
	ids[5] = w.edge;
	for (size_t i = 0; i < N_ROWS(ids); i++)
		snapshot(fx, ids[i], before[i], sizeof(before[i]));
	n_audit = audit_count(fx);

	sweep(fx, 1, &dry, &dsum);
	assert_int_equal(audit_count(fx), n_audit + 1);
	memset(&a, 0, sizeof(a));
	a.action = "retention.sweep.dry_run";
	audit_scan(fx, &a);
	assert_int_equal(a.found, 1);
	assert_string_equal(a.last_action, "retention.sweep.dry_run");
	assert_non_null(strstr(a.detail, "dry-run"));
	for (size_t i = 0; i < N_ROWS(ids); i++) {
		snapshot(fx, ids[i], after, sizeof(after));
		if (strcmp(before[i], after) != 0)
			fail_msg("dry run changed %s: {%s} -> {%s}", ids[i], before[i], after);
	}
	assert_int_equal(sargs_store_ledger_get(fx->reg->store, w.done, &erased_us),
			 SARGS_E_NOTFOUND);

	sweep(fx, 0, &real, &rsum);
	assert_int_equal(dry.n, 5);
	assert_int_equal(dry.n, real.n);
	for (size_t i = 0; i < dry.n; i++)
		assert_string_equal(dry.item[i], real.item[i]);
	assert_int_equal(dsum.links_checked, rsum.links_checked);
	assert_int_equal(dsum.subjects_erased, rsum.subjects_erased);
	assert_int_equal(dsum.purposes_ended, rsum.purposes_ended);
	assert_int_equal(dsum.fields_erased, rsum.fields_erased);
	expect_erased(fx, "the real sweep does what the dry run said", w.done);
	audit_intact(fx);
}

/*
 * Reg. 1182/71 Art. 3(2)(c): for each retention rule the last day of the
 * period keeps the purpose and the day after ends it; the copy of the data
 * names the same last day the sweep goes by
 */
static void test_sweep_last_day(void **state)
{
	enum kind { WEB_SHOP, SERVICE, ACCOUNTING, NEWSLETTER, OBJECTION };
	static const struct {
		const char *rule;
		enum kind kind;
		int y, m, d;          /* the event the period runs from */
		int ly, lm, ld;       /* the period's last day */
	} rows[] = {
		{"P1Y from the last purchase ends on the same date", WEB_SHOP, 2024, 6, 16, 2025, 6,
		 16},
		{"P1Y from 29 February ends on 28 February", WEB_SHOP, 2024, 2, 29, 2025, 2, 28},
		{"P3Y from the contract's end, a 31st", SERVICE, 2022, 1, 31, 2025, 1, 31},
		{"P3Y from a contract ending 29 February", SERVICE, 2020, 2, 29, 2023, 2, 28},
		{"P5Y accounting from the contract's end", ACCOUNTING, 2019, 12, 31, 2024, 12, 31},
		{"until objection: the day of withdrawal is the last", NEWSLETTER, 2025, 3, 3, 2025,
		 3, 3},
		{"GDPR Art. 21(3): an objection to direct marketing ends it the same way", OBJECTION,
		 2025, 4, 30, 2025, 4, 30},
	};
	static const char *const purpose[] = {"web_shop", "service", "accounting", "newsletter",
					      "newsletter"};
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"first_name", "Zane"},
				      {"last_name", "Kalēja"},
				      {"email", "zane@example.lv"}};
	char ids[N_ROWS(rows)][SARGS_UUID_STR];

	for (size_t i = 0; i < N_ROWS(rows); i++) {
		int32_t event = day_of(rows[i].y, rows[i].m, rows[i].d);

		clock_day(event);
		switch (rows[i].kind) {
		case WEB_SHOP:
			add(fx, "web_shop,service", kv, N_ROWS(kv), ids[i]);
			purchase(fx, ids[i], event);
			break;
		case SERVICE:
			add(fx, "service,newsletter", kv, N_ROWS(kv), ids[i]);
			give(fx, ids[i], "newsletter");
			(void)contract(fx, ids[i], day_of(2015, 1, 1), event);
			break;
		case ACCOUNTING:
			add(fx, "accounting,newsletter", kv, N_ROWS(kv), ids[i]);
			give(fx, ids[i], "newsletter");
			(void)contract(fx, ids[i], day_of(2015, 1, 1), event);
			break;
		case NEWSLETTER:
			add(fx, "newsletter,service", kv, N_ROWS(kv), ids[i]);
			give(fx, ids[i], "newsletter");
			withdraw(fx, ids[i], "newsletter");
			break;
		case OBJECTION:
			add(fx, "newsletter,service", kv, N_ROWS(kv), ids[i]);
			give(fx, ids[i], "newsletter");
			object_to_marketing(fx, ids[i]);
			break;
		}
	}
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		int32_t last = day_of(rows[i].ly, rows[i].lm, rows[i].ld);
		const char *p = purpose[rows[i].kind];
		struct sweep_log log;
		struct sargs_sweep_summary sum;
		char until[SARGS_DATE_STR], head[320];
		const char *it;
		json_t *doc;

		date_text(last, until);
		clock_day(last);
		doc = access_json(fx, ids[i], 0);
		expect_str(find_by(json_object_get(doc, "purposes"), "id", p), "kept_until", until,
			   rows[i].rule);
		json_decref(doc);
		sweep(fx, 1, &log, &sum);
		if (logged(&log, ids[i], p) != NULL)
			fail_msg("Reg. 1182/71 Art. 3: %s: %s ended on its last day %s",
				 rows[i].rule, p, until);
		clock_day(last + 1);
		sweep(fx, 1, &log, &sum);
		it = logged(&log, ids[i], p);
		if (it == NULL) {
			fail_msg("Reg. 1182/71 Art. 3: %s: %s did not end the day after %s",
				 rows[i].rule, p, until);
			return;
		}
		(void)snprintf(head, sizeof(head), "%s|unlink|%s|%s|", ids[i], p, until);
		if (strncmp(it, head, strlen(head)) != 0)
			fail_msg("%s: the sweep reports \"%s\", expected \"%s...\"", rows[i].rule, it,
				 head);
	}
}

/*
 * GDPR Art. 18(1)(c), 18(2): data whose restriction the person asked for
 * (to establish or defend legal claims) is stored even when the periods
 * are over: erasing it is processing, which a restriction forbids; the
 * sweep leaves it until the restriction is lifted
 */
static void test_sweep_respects_restriction(void **state)
{
	struct fixture *fx = *state;
	char id[SARGS_UUID_STR], before[2048], after[2048];
	struct sweep_log log;
	struct sargs_sweep_summary sum;
	struct sargs_err err;

	add(fx, "service,accounting", erase_fields, N_ROWS(erase_fields), id);
	(void)contract(fx, id, day_of(2015, 1, 1), day_of(2019, 6, 1));
	assert_int_equal(sargs_restrict(fx->reg, id, 1, &err), SARGS_OK);
	snapshot(fx, id, before, sizeof(before));
	sweep(fx, 0, &log, &sum);
	snapshot(fx, id, after, sizeof(after));
	if (strcmp(before, after) != 0)
		fail_msg("GDPR Art. 18(2): the sweep changed restricted data: {%s} -> {%s}", before,
			 after);
	assert_int_equal(sum.subjects_erased, 0);

	/* lifted: the periods are over, so now it goes */
	assert_int_equal(sargs_restrict(fx->reg, id, 0, &err), SARGS_OK);
	sweep(fx, 0, &log, &sum);
	assert_int_equal(sum.subjects_erased, 1);
	expect_erased(fx, "004 §4.4: erased once the restriction is lifted", id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_access_every_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_purposes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_no_profiling_no_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_third_party_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_disclosures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_html_languages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_html_unknown_language, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_html_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_access_erased, setup, teardown),
		cmocka_unit_test_setup_teardown(test_portability_provided_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_portability_third_party, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erasure_keeps_legal_obligation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erasure_until_dates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erasure_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erasure_running_contract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erasure_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restriction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restriction_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_last_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sweep_respects_restriction, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
