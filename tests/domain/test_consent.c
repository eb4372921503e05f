/*
 * test_consent.c — consent, withdrawal, objection and the guardian's
 * consent through the library (domain/consent.h), with their signed Kantara
 * v1.1 receipts, the consent history and the audit trail; each test names
 * the legal rule it checks (mission.md §3-§4).
 *
 * The register is a real one on disk with the example registry
 * (examples/zimes-purposes.json) and a fixed clock (TODAY). What is allowed
 * afterwards is asked of the policy engine through sargs_policy_check, as a
 * campaign or a read would ask it.
 *
 * Expectations come from the law, not from the code under test. Where the
 * library answers otherwise the test keeps the legally right expectation and
 * carries an ENGINE_DIFFERS note saying why.
 */
#include "testutil.h"

#include "crypto/sign.h"
#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/policy.h"
#include "domain/register.h"
#include "domain/registry.h"
#include "domain/relation.h"
#include "domain/subject.h"
#include "store/store_rel.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* What an out-parameter holds before a call that must reset it. */
static char sentinel[] = "untouched";

#define TODAY_Y 2025
#define TODAY_M 6
#define TODAY_D 16
#define DAY_US 86400000000LL
#define NOTICE_HASH "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

/* The subject's values: none may appear in a receipt or an audit entry. */
#define ANNA_FIRST "Annele"
#define ANNA_LAST "Ozolina"
#define ANNA_EMAIL "annele.ozolina@example.lv"

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
};

static int64_t today_us(void)
{
	return sargs_days_from_civil(TODAY_Y, TODAY_M, TODAY_D) * DAY_US + 10LL * 3600 * 1000000;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	sargs_time_set_fixed(today_us());
	fx->reg = test_reg_example("consent", fx->dir, sizeof(fx->dir));
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

static void add(struct fixture *fx, const char *purposes_csv, const struct sargs_kv *kv,
		size_t n, char id[SARGS_UUID_STR])
{
	test_subject_add(fx->reg, purposes_csv, "person", NULL, kv, n, id);
}

/* Anna: a customer under the contract ("service"), not yet on any list. */
static void add_anna(struct fixture *fx, char id[SARGS_UUID_STR])
{
	const struct sargs_kv kv[] = {
		{"first_name", ANNA_FIRST}, {"last_name", ANNA_LAST}, {"email", ANNA_EMAIL}};

	add(fx, "service", kv, N_ROWS(kv), id);
}

/* A proof of consent through the web shop's unticked box. */
static struct sargs_consent_proof web_proof(void)
{
	struct sargs_consent_proof p;

	memset(&p, 0, sizeof(p));
	p.channel = "web_form";
	p.form = "shop-signup-v3";
	p.text_hash = NOTICE_HASH;
	return p;
}

/* A proof of a request through one channel (withdrawal, objection). */
static struct sargs_consent_proof channel_proof(const char *channel)
{
	struct sargs_consent_proof p;

	memset(&p, 0, sizeof(p));
	p.channel = channel;
	return p;
}

static void give(struct fixture *fx, const char *id, const char *purpose)
{
	struct sargs_consent_proof p = web_proof();
	struct sargs_err err;
	char *receipt = NULL;

	if (sargs_consent_give(fx->reg, id, purpose, &p, &receipt, &err) != SARGS_OK)
		fail_msg("consent to %s: %s", purpose, err.msg);
	assert_non_null(receipt);
	free(receipt);
}

/* Asks the policy engine and compares with the expectation of a rule. */
static void expect(struct fixture *fx, const char *rule, const char *id, const char *purpose,
		   unsigned channel, int allowed, enum sargs_reason reason)
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

struct link_q {
	const char *purpose;
	int found;
};

static int link_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct link_q *q = ctx;

	(void)linked_us;
	if (strcmp(purpose, q->purpose) == 0)
		q->found = 1;
	return 0;
}

static int linked_to(struct fixture *fx, const char *id, const char *purpose)
{
	struct link_q q = {purpose, 0};

	assert_int_equal(sargs_store_links(fx->reg->store, id, link_cb, &q), SARGS_OK);
	return q.found;
}

/* The consent history, as the history call gives it. */
#define HIST_MAX 32

struct history {
	size_t n;
	int64_t seq[HIST_MAX];
	int64_t time_us[HIST_MAX];
	char purpose[HIST_MAX][64];
	char event[HIST_MAX][32];
	char *receipt[HIST_MAX];
};

static int history_cb(void *ctx, int64_t seq, const char *purpose, const char *event,
		      int64_t time_us, const char *receipt)
{
	struct history *h = ctx;

	if (h->n >= HIST_MAX)
		return 1;
	h->seq[h->n] = seq;
	h->time_us[h->n] = time_us;
	(void)snprintf(h->purpose[h->n], sizeof(h->purpose[0]), "%s", purpose);
	(void)snprintf(h->event[h->n], sizeof(h->event[0]), "%s", event);
	h->receipt[h->n] = strdup(receipt);
	assert_non_null(h->receipt[h->n]);
	h->n++;
	return 0;
}

static void history_get(struct fixture *fx, const char *id, struct history *h)
{
	struct sargs_err err;

	memset(h, 0, sizeof(*h));
	if (sargs_consent_history(fx->reg, id, history_cb, h, &err) != SARGS_OK)
		fail_msg("history: %s", err.msg);
}

static void history_free(struct history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->receipt[i]);
	h->n = 0;
}

static size_t history_count(struct fixture *fx, const char *id)
{
	struct history h;
	size_t n;

	history_get(fx, id, &h);
	n = h.n;
	history_free(&h);
	return n;
}

static int64_t audit_count(struct fixture *fx)
{
	int64_t n = -1;

	assert_int_equal(sargs_store_audit_count(fx->reg->store, &n), SARGS_OK);
	return n;
}

/* Audit entries of one subject: counted by action, and searched for values. */
struct audit_scan {
	const char *values[8];  /* personal values that must never appear */
	int value_hits;
	int entries;
	char actions[64][32];
	char purposes[64][64];
	int has_purpose[64];
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
	if (a->entries < 64) {
		(void)snprintf(a->actions[a->entries], sizeof(a->actions[0]), "%s", r->action);
		(void)snprintf(a->purposes[a->entries], sizeof(a->purposes[0]), "%s",
			       r->purpose ? r->purpose : "");
		a->has_purpose[a->entries] = r->purpose != NULL && r->purpose[0] != '\0';
	}
	a->entries++;
	return 0;
}

static void audit_of(struct fixture *fx, const char *id, struct audit_scan *a)
{
	struct sargs_store_audit_filter f = {id, NULL, INT64_MIN, INT64_MAX, 0, 0};

	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, audit_cb, a), SARGS_OK);
}

/* Number of entries of the subject with action (and purpose, when not NULL). */
static int audit_actions(const struct audit_scan *a, const char *action, const char *purpose)
{
	int n = 0;

	for (int i = 0; i < a->entries && i < 64; i++)
		if (strcmp(a->actions[i], action) == 0 &&
		    (purpose == NULL || strcmp(a->purposes[i], purpose) == 0))
			n++;
	return n;
}

static json_t *parse(const char *text)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);

	if (doc == NULL)
		fail_msg("receipt is not JSON: %s", jerr.text);
	return doc;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL)
		fail_msg("receipt field \"%s\" missing or not a string", key);
	return s;
}

static void verify_ok(struct fixture *fx, const char *receipt, const char *event,
		      const char *purpose, const char *id)
{
	struct sargs_receipt_info info;
	struct sargs_err err;

	if (sargs_receipt_verify(fx->reg, receipt, strlen(receipt), NULL, &info, &err) != SARGS_OK)
		fail_msg("receipt does not verify: %s", err.msg);
	assert_string_equal(info.event, event);
	assert_string_equal(info.purpose, purpose);
	assert_string_equal(info.subject_id, id);
	assert_true(info.this_register);
	assert_true(sargs_uuid_valid(info.receipt_id));
}

/* Latvian legacy personal code DDMMYY-CNNNK of someone born on y-m-d: C is
 * the century (0 the 1800s, 1 the 1900s, 2 the 2000s), K the check digit
 * (1101 - sum(d[i] * w[i])) mod 11 mod 10. */
static void personal_code(int y, int m, int d, int serial, char out[13])
{
	static const int w[10] = {1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	char digits[64];
	int sum = 0;

	(void)snprintf(digits, sizeof(digits), "%02d%02d%02d%d%03d", d, m, y % 100,
		       (y - 1800) / 100, serial % 1000);
	assert_int_equal(strlen(digits), 10);
	for (int i = 0; i < 10; i++)
		sum += (digits[i] - '0') * w[i];
	memcpy(out, digits, 6);
	out[6] = '-';
	memcpy(out + 7, digits + 6, 4);
	out[11] = (char)('0' + (1101 - sum) % 11 % 10);
	out[12] = '\0';
}

/* ---- consent with proof and its receipt ---------------------------------- */

/* GDPR Art. 7(1); 004 §7.5; Kantara Consent Receipt v1.1: consent is
 * provable by a signed receipt with the specification's field names, the
 * legal basis as its DPV term, and the subject named only by its random id */
static void test_give_receipt_kantara_fields(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof proof = web_proof();
	struct sargs_err err;
	char id[SARGS_UUID_STR], pk[64];
	char *receipt = NULL;
	json_t *doc, *rec, *ext, *ctl, *svc, *pu;
	size_t i;

	add_anna(fx, id);
	/* 002 §2: the contact given for the contract is not on the newsletter */
	assert_false(linked_to(fx, id, "newsletter"));
	expect(fx, "002 §2 contact collected for one purpose not used for another", id,
	       "newsletter", SARGS_CH_EMAIL, 0, SARGS_R_NOT_LINKED);
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &proof, &receipt, &err),
			 SARGS_OK);
	assert_non_null(receipt);
	/* consent to a purpose is collection for it: the subject is now linked */
	assert_true(linked_to(fx, id, "newsletter"));
	expect(fx, "GDPR Art. 6(1)(a) consent given", id, "newsletter", SARGS_CH_EMAIL, 1,
	       SARGS_R_CONSENT_GIVEN);
	expect(fx, "GDPR Art. 6(1)(a) consent given (no contact)", id, "newsletter", 0, 1,
	       SARGS_R_CONSENT_GIVEN);

	doc = parse(receipt);
	/* stored as the signed document's canonical text (compact, keys
	 * sorted, ASCII): the hand-joined text is exactly jansson's */
	{
		char *canon = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);

		assert_non_null(canon);
		assert_string_equal(receipt, canon);
		free(canon);
	}
	rec = json_object_get(doc, "receipt");
	assert_true(json_is_object(rec));
	assert_string_equal(jstr(rec, "version"), "KI-CR-v1.1.0");
	assert_string_equal(jstr(rec, "version"), SARGS_RECEIPT_VERSION);
	assert_string_equal(jstr(rec, "jurisdiction"), "LV");
	assert_int_equal(json_integer_value(json_object_get(rec, "consentTimestamp")),
			 today_us() / 1000000);
	assert_true(json_is_integer(json_object_get(rec, "consentTimestamp")));
	assert_string_equal(jstr(rec, "collectionMethod"), "web_form");
	assert_true(sargs_uuid_valid(jstr(rec, "consentReceiptID")));
	sargs_receipt_public_key(fx->reg, pk);
	assert_int_equal(strlen(pk), 43);
	assert_string_equal(jstr(rec, "publicKey"), pk);
	assert_string_equal(jstr(rec, "language"), "en");
	assert_string_equal(jstr(rec, "piiPrincipalId"), id);
	assert_true(strlen(jstr(rec, "policyUrl")) > 0);
	/* piiControllers: the controller's profile */
	assert_true(json_is_array(json_object_get(rec, "piiControllers")));
	assert_int_equal(json_array_size(json_object_get(rec, "piiControllers")), 1);
	ctl = json_array_get(json_object_get(rec, "piiControllers"), 0);
	assert_string_equal(jstr(ctl, "piiController"), "Zimes SIA");
	assert_true(json_is_boolean(json_object_get(ctl, "onBehalf")));
	/* services[].purposes[] */
	assert_int_equal(json_array_size(json_object_get(rec, "services")), 1);
	svc = json_array_get(json_object_get(rec, "services"), 0);
	assert_string_equal(jstr(svc, "service"), "News about signs and printing");
	assert_int_equal(json_array_size(json_object_get(svc, "purposes")), 1);
	pu = json_array_get(json_object_get(svc, "purposes"), 0);
	assert_non_null(strstr(jstr(pu, "purpose"), "sent only with consent"));
	assert_true(json_is_array(json_object_get(pu, "purposeCategory")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(pu, "purposeCategory"),
							     0)),
			    "newsletter");
	assert_string_equal(jstr(pu, "consentType"), "EXPLICIT");
	/* piiCategory: the purpose's data categories */
	{
		const char *want[] = {"name", "contact", "birthday"};
		json_t *cats = json_object_get(pu, "piiCategory");

		assert_int_equal(json_array_size(cats), N_ROWS(want));
		for (i = 0; i < N_ROWS(want); i++)
			assert_string_equal(json_string_value(json_array_get(cats, i)), want[i]);
	}
	assert_true(json_is_boolean(json_object_get(pu, "primaryPurpose")));
	assert_true(strlen(jstr(pu, "termination")) > 0);
	/* the newsletter has no recipients */
	assert_true(json_is_false(json_object_get(pu, "thirdPartyDisclosure")));
	/* no special categories */
	assert_true(json_is_false(json_object_get(rec, "sensitive")));
	assert_true(json_is_array(json_object_get(rec, "spiCat")));
	assert_int_equal(json_array_size(json_object_get(rec, "spiCat")), 0);
	/* the proof and the legal basis (W3C DPV) */
	ext = json_object_get(rec, "sargs");
	assert_true(json_is_object(ext));
	assert_string_equal(jstr(ext, "legalBasisDpv"), "dpv:Consent");
	assert_string_equal(jstr(ext, "legalBasisDpv"), sargs_basis_dpv(SARGS_BASIS_CONSENT));
	assert_string_equal(jstr(ext, "legalBasis"), "consent");
	assert_string_equal(jstr(ext, "event"), "consent.given");
	assert_string_equal(jstr(ext, "purpose"), "newsletter");
	assert_string_equal(jstr(ext, "form"), "shop-signup-v3");
	assert_string_equal(jstr(ext, "noticeTextHash"), NOTICE_HASH);
	assert_true(json_is_true(json_object_get(ext, "boxUntickedByDefault")));
	/* the signature */
	assert_string_equal(jstr(json_object_get(doc, "signature"), "alg"), "Ed25519");
	assert_string_equal(jstr(json_object_get(doc, "signature"), "publicKey"), pk);
	json_decref(doc);

	verify_ok(fx, receipt, "consent.given", "newsletter", id);
	/* receipts name the subject by its random id only */
	assert_null(strstr(receipt, ANNA_EMAIL));
	assert_null(strstr(receipt, "annele"));
	assert_null(strstr(receipt, ANNA_FIRST));
	assert_null(strstr(receipt, ANNA_LAST));
	free(receipt);
}

/* A purpose with a recipient discloses it in the receipt (Kantara
 * thirdPartyDisclosure); consent to a legitimate-interest marketing purpose
 * is allowed (it is direct marketing) and its basis is named as it is */
static void test_receipt_of_li_marketing_purpose(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof proof = web_proof();
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;
	json_t *doc, *pu, *ext;

	add_anna(fx, id);
	assert_int_equal(sargs_consent_give(fx->reg, id, "customer_offers", &proof, &receipt, &err),
			 SARGS_OK);
	doc = parse(receipt);
	pu = json_array_get(
		json_object_get(json_array_get(json_object_get(json_object_get(doc, "receipt"),
								 "services"),
						 0),
				"purposes"),
		0);
	assert_non_null(pu);
	assert_true(json_is_false(json_object_get(pu, "thirdPartyDisclosure")));
	ext = json_object_get(json_object_get(doc, "receipt"), "sargs");
	assert_string_equal(jstr(ext, "legalBasisDpv"), "dpv:LegitimateInterest");
	json_decref(doc);
	free(receipt);
	/* consent given to a LI marketing purpose counts as consent, beyond the
	 * product line bought (Anna bought nothing) */
	expect(fx, "GDPR Art. 6(1)(a) consent to a LI marketing purpose", id, "customer_offers",
	       SARGS_CH_EMAIL, 1, SARGS_R_CONSENT_GIVEN);
}

/* Collects every string node below a JSON value. */
static void collect_strings(json_t *v, json_t **out, size_t *n, size_t max)
{
	const char *key;
	json_t *child;
	size_t i;

	if (json_is_string(v)) {
		if (*n < max)
			out[(*n)++] = v;
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, child) {
			collect_strings(child, out, n, max);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			collect_strings(child, out, n, max);
		}
	}
}

static enum sargs_rc verify_doc(struct fixture *fx, json_t *doc, struct sargs_err *err)
{
	struct sargs_receipt_info info;
	char *text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	enum sargs_rc rc;

	assert_non_null(text);
	rc = sargs_receipt_verify(fx->reg, text, strlen(text), NULL, &info, err);
	free(text);
	return rc;
}

/* 004 §7.5: a receipt proves exactly what was recorded: changing one
 * character of any value of the receipt (each string in turn), a number or a
 * flag, or the signature, makes verification fail with SARGS_E_TAMPERED */
static void test_receipt_tamper_every_value(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof proof = web_proof();
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;
	json_t *doc, *rec, *strings[128], *node;
	size_t n = 0;

	add_anna(fx, id);
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &proof, &receipt, &err),
			 SARGS_OK);
	doc = parse(receipt);
	rec = json_object_get(doc, "receipt");
	/* re-serialised without a change it still verifies: the signature covers
	 * the canonical form, not the layout */
	assert_int_equal(verify_doc(fx, doc, &err), SARGS_OK);
	collect_strings(rec, strings, &n, N_ROWS(strings));
	assert_true(n >= 25);
	for (size_t i = 0; i < n; i++) {
		const char *v = json_string_value(strings[i]);
		char *orig = strdup(v), *alt = strdup(v[0] ? v : "x");
		size_t k = 0;

		assert_non_null(orig);
		assert_non_null(alt);
		if (v[0] == '\0') {
			alt[0] = 'x';
		} else {
			while (alt[k] != '\0' && (unsigned char)alt[k] >= 0x80)
				k++; /* change an ASCII character: stay valid UTF-8 */
			if (alt[k] == '\0')
				alt[0] = 'x';
			else
				alt[k] = alt[k] == 'a' ? 'b' : 'a';
		}
		assert_int_equal(json_string_set(strings[i], alt), 0);
		if (verify_doc(fx, doc, &err) != SARGS_E_TAMPERED)
			fail_msg("string value %zu (\"%s\" -> \"%s\") altered but the receipt still"
				 " verifies",
				 i, orig, alt);
		assert_int_equal(json_string_set(strings[i], orig), 0);
		free(orig);
		free(alt);
	}
	assert_int_equal(verify_doc(fx, doc, &err), SARGS_OK);
	/* the time */
	node = json_object_get(rec, "consentTimestamp");
	assert_int_equal(json_integer_set(node, json_integer_value(node) + 1), 0);
	assert_int_equal(verify_doc(fx, doc, &err), SARGS_E_TAMPERED);
	assert_int_equal(json_integer_set(node, json_integer_value(node) - 1), 0);
	/* 003: turning a pre-ticked attempt into an unticked box (or back) */
	node = json_object_get(rec, "sargs");
	assert_int_equal(json_object_set_new(node, "boxUntickedByDefault", json_false()), 0);
	assert_int_equal(verify_doc(fx, doc, &err), SARGS_E_TAMPERED);
	assert_int_equal(json_object_set_new(node, "boxUntickedByDefault", json_true()), 0);
	/* a field added to the receipt */
	assert_int_equal(json_object_set_new(rec, "extra", json_string("x")), 0);
	assert_int_equal(verify_doc(fx, doc, &err), SARGS_E_TAMPERED);
	assert_int_equal(json_object_del(rec, "extra"), 0);
	/* a field removed */
	node = json_deep_copy(json_object_get(rec, "policyUrl"));
	assert_int_equal(json_object_del(rec, "policyUrl"), 0);
	assert_int_equal(verify_doc(fx, doc, &err), SARGS_E_TAMPERED);
	assert_int_equal(json_object_set_new(rec, "policyUrl", node), 0);
	/* the signature itself */
	node = json_object_get(json_object_get(doc, "signature"), "value");
	{
		char *orig = strdup(json_string_value(node)), *alt = strdup(orig);

		assert_non_null(orig);
		assert_non_null(alt);
		alt[3] = alt[3] == 'a' ? 'b' : 'a';
		assert_int_equal(json_string_set(node, alt), 0);
		assert_int_equal(verify_doc(fx, doc, &err), SARGS_E_TAMPERED);
		assert_int_equal(json_string_set(node, orig), 0);
		free(orig);
		free(alt);
	}
	assert_int_equal(verify_doc(fx, doc, &err), SARGS_OK);
	json_decref(doc);
	/* not a signed receipt at all */
	assert_int_equal(sargs_receipt_verify(fx->reg, "{\"receipt\": {}}", 15, NULL,
					      &(struct sargs_receipt_info){0}, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_receipt_verify(fx->reg, "not json", 8, NULL,
					      &(struct sargs_receipt_info){0}, &err),
			 SARGS_E_INVALID);
	free(receipt);
}

/* 004 §7.5: only the register's key proves a receipt: verifying with another
 * key fails, and a receipt re-signed by someone else is not this register's */
static void test_receipt_other_key(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof proof = web_proof();
	struct sargs_receipt_info info;
	struct sargs_err err;
	unsigned char opk[crypto_sign_PUBLICKEYBYTES], osk[crypto_sign_SECRETKEYBYTES];
	unsigned char sig[crypto_sign_BYTES];
	char id[SARGS_UUID_STR], other[64], own[64], sig64[128];
	char *receipt = NULL, *canon, *forged;
	json_t *doc, *rec;

	assert_true(sodium_init() >= 0);
	crypto_sign_keypair(opk, osk);
	sargs_b64url_encode(opk, sizeof(opk), other);
	sargs_receipt_public_key(fx->reg, own);
	add_anna(fx, id);
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &proof, &receipt, &err),
			 SARGS_OK);
	/* another key */
	assert_int_equal(sargs_receipt_verify(fx->reg, receipt, strlen(receipt), other, &info, &err),
			 SARGS_E_TAMPERED);
	assert_int_equal(sargs_receipt_verify(NULL, receipt, strlen(receipt), other, &info, &err),
			 SARGS_E_TAMPERED);
	/* anyone with the published key can check it without the register */
	assert_int_equal(sargs_receipt_verify(NULL, receipt, strlen(receipt), own, &info, &err),
			 SARGS_OK);
	assert_string_equal(info.subject_id, id);
	assert_false(info.this_register);
	/* a forger changes the purpose and signs with their own key */
	doc = parse(receipt);
	rec = json_object_get(doc, "receipt");
	assert_int_equal(json_object_set_new(json_object_get(rec, "sargs"), "purpose",
					     json_string("customer_offers")),
			 0);
	assert_int_equal(json_object_set_new(rec, "publicKey", json_string(other)), 0);
	canon = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	assert_non_null(canon);
	assert_int_equal(crypto_sign_detached(sig, NULL, (const unsigned char *)canon,
					      strlen(canon), osk),
			 0);
	free(canon);
	sargs_b64url_encode(sig, sizeof(sig), sig64);
	assert_int_equal(json_object_set_new(json_object_get(doc, "signature"), "value",
					     json_string(sig64)),
			 0);
	assert_int_equal(json_object_set_new(json_object_get(doc, "signature"), "publicKey",
					     json_string(other)),
			 0);
	forged = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	assert_non_null(forged);
	json_decref(doc);
	/* the register does not accept it as its own */
	assert_int_equal(sargs_receipt_verify(fx->reg, forged, strlen(forged), NULL, &info, &err),
			 SARGS_E_TAMPERED);
	assert_non_null(strstr(err.msg, "not signed by this key"));
	assert_int_equal(sargs_receipt_verify(fx->reg, forged, strlen(forged), own, &info, &err),
			 SARGS_E_TAMPERED);
	/* it is validly signed by the forger's key, and says it is not ours */
	assert_int_equal(sargs_receipt_verify(fx->reg, forged, strlen(forged), other, &info, &err),
			 SARGS_OK);
	assert_false(info.this_register);
	sodium_memzero(osk, sizeof(osk));
	free(forged);
	free(receipt);
}

/* ---- refusals: nothing recorded ------------------------------------------ */

struct give_row {
	const char *rule;
	const char *purpose;
	const char *channel;
	const char *form;
	const char *text_hash;
	enum sargs_rc expect;
	const char *message;
};

static const struct give_row give_rows[] = {
	{"GDPR Art. 6(1); 004 §5.1a: consent to a contract purpose would mislead: refused",
	 "service", "web_form", "f", NOTICE_HASH, SARGS_E_DENIED, "rests on contract"},
	{"GDPR Art. 6(1): no consent asked for a legal obligation", "accounting", "web_form", "f",
	 NOTICE_HASH, SARGS_E_DENIED, "legal_obligation"},
	{"GDPR Art. 7(1) provable: the form must be named", "newsletter", "web_form", NULL,
	 NOTICE_HASH, SARGS_E_INVALID, "name the form"},
	{"GDPR Art. 7(1) provable: an empty form name is no form", "newsletter", "web_form", "",
	 NOTICE_HASH, SARGS_E_INVALID, "name the form"},
	{"GDPR Art. 7(1) provable: a form name with control characters", "newsletter", "web_form",
	 "form\n2", NOTICE_HASH, SARGS_E_INVALID, "control"},
	{"GDPR Art. 4(11) informed: the text's hash must be given", "newsletter", "web_form", "f",
	 NULL, SARGS_E_INVALID, "hash of the consent text"},
	{"GDPR Art. 4(11) informed: a hash of 63 digits is not a hash", "newsletter", "web_form",
	 "f", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0", SARGS_E_INVALID,
	 "hash of the consent text"},
	{"GDPR Art. 4(11) informed: upper-case hex is refused (one canonical form)", "newsletter",
	 "web_form", "f", "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
	 SARGS_E_INVALID, "hash of the consent text"},
	{"GDPR Art. 4(11) informed: a non-hex hash", "newsletter", "web_form", "f",
	 "zz86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", SARGS_E_INVALID,
	 "hash of the consent text"},
	{"GDPR Art. 7(1) provable: an unknown channel", "newsletter", "carrier_pigeon", "f",
	 NOTICE_HASH, SARGS_E_INVALID, "channel"},
	{"GDPR Art. 7(1) provable: no channel", "newsletter", NULL, "f", NOTICE_HASH,
	 SARGS_E_INVALID, "channel"},
	{"GDPR Art. 7(2) specific: consent is given one purpose at a time", NULL, "web_form", "f",
	 NOTICE_HASH, SARGS_E_INVALID, "one purpose at a time"},
	{"an unknown purpose", "marketing_everything", "web_form", "f", NOTICE_HASH,
	 SARGS_E_NOTFOUND, "no purpose"},
};

/* Missing proof, a purpose that is not consent's, an unknown channel:
 * refused, and nothing is recorded (no consent, no link, no history, no
 * audit entry) */
static void test_give_refusals_record_nothing(void **state)
{
	struct fixture *fx = *state;
	char id[SARGS_UUID_STR];

	add_anna(fx, id);
	for (size_t i = 0; i < N_ROWS(give_rows); i++) {
		const struct give_row *r = &give_rows[i];
		struct sargs_consent_proof p = web_proof();
		struct sargs_err err;
		char *receipt = sentinel;
		int64_t audit_before = audit_count(fx);
		enum sargs_rc rc;

		p.channel = r->channel;
		p.form = r->form;
		p.text_hash = r->text_hash;
		sargs_err_clear(&err);
		rc = sargs_consent_give(fx->reg, id, r->purpose, &p, &receipt, &err);
		if (rc != r->expect)
			fail_msg("row %zu (%s): rc %d, expected %d: %s", i, r->rule, rc, r->expect,
				 err.msg);
		if (strstr(err.msg, r->message) == NULL)
			fail_msg("row %zu (%s): message \"%s\" lacks \"%s\"", i, r->rule, err.msg,
				 r->message);
		assert_null(receipt);
		assert_int_equal(audit_count(fx), audit_before);
		assert_false(linked_to(fx, id, "newsletter"));
		assert_true(linked_to(fx, id, "service"));
	}
	assert_int_equal(history_count(fx, id), 0);
	expect(fx, "nothing was recorded", id, "newsletter", 0, 0, SARGS_R_NOT_LINKED);
	/* not a subject id */
	{
		struct sargs_consent_proof p = web_proof();
		struct sargs_err err;
		char *receipt = NULL;

		assert_int_equal(sargs_consent_give(fx->reg, "not-a-uuid", "newsletter", &p, &receipt,
						    &err),
				 SARGS_E_INVALID);
		assert_int_equal(sargs_consent_give(fx->reg, "0190a0b0-0000-7000-8000-000000000000",
						    "newsletter", &p, &receipt, &err),
				 SARGS_E_NOTFOUND);
		assert_null(receipt);
	}
}

/* GDPR Art. 5(1)(c); 002 §2: consent links the subject to the purpose only
 * when the purpose's required fields are there (the newsletter needs an
 * e-mail); otherwise refused and nothing recorded */
static void test_give_needs_required_fields(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"first_name", "Juris"}, {"last_name", "Berzins"}};
	struct sargs_consent_proof p = web_proof();
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;
	int64_t audit_before;
	enum sargs_rc rc;

	add(fx, "accounting", kv, N_ROWS(kv), id);
	audit_before = audit_count(fx);
	rc = sargs_consent_give(fx->reg, id, "newsletter", &p, &receipt, &err);
	assert_true(rc == SARGS_E_INVALID || rc == SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "email"));
	assert_null(receipt);
	assert_false(linked_to(fx, id, "newsletter"));
	assert_int_equal(audit_count(fx), audit_before);
	assert_int_equal(history_count(fx, id), 0);
}

/* ---- pre-ticked boxes (003; CJEU C-673/17 Planet49) ---------------------- */

/* 003 pre-ticked box is not consent: SARGS_E_DENIED, the attempt is kept in
 * the history with its receipt, and the person is treated as not having
 * consented */
static void test_preticked_is_not_consent(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"email", "pre@example.lv"}};
	struct sargs_consent_proof p = web_proof();
	struct audit_scan a = {{"pre@example.lv", NULL}, 0, 0, {{0}}, {{0}}, {0}};
	struct history h;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = sentinel;
	json_t *doc, *ext;

	add(fx, "newsletter", kv, N_ROWS(kv), id);
	expect(fx, "no answer yet", id, "newsletter", 0, 0, SARGS_R_NO_CONSENT);
	p.preticked = 1;
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "pre-ticked box is not consent"));
	assert_null(receipt);
	expect(fx, "003 pre-ticked box is not consent", id, "newsletter", 0, 0,
	       SARGS_R_CONSENT_PRETICKED);
	expect(fx, "003 pre-ticked box is not consent (e-mail)", id, "newsletter", SARGS_CH_EMAIL,
	       0, SARGS_R_CONSENT_PRETICKED);
	/* the attempt is in the history, with a signed receipt saying so */
	history_get(fx, id, &h);
	assert_int_equal(h.n, 1);
	assert_string_equal(h.event[0], "consent.preticked");
	assert_string_equal(h.purpose[0], "newsletter");
	verify_ok(fx, h.receipt[0], "consent.preticked", "newsletter", id);
	doc = parse(h.receipt[0]);
	ext = json_object_get(json_object_get(doc, "receipt"), "sargs");
	assert_true(json_is_false(json_object_get(ext, "boxUntickedByDefault")));
	assert_null(strstr(h.receipt[0], "pre@example"));
	json_decref(doc);
	history_free(&h);
	audit_of(fx, id, &a);
	assert_int_equal(audit_actions(&a, "consent.preticked", "newsletter"), 1);
	assert_int_equal(audit_actions(&a, "consent.give", NULL), 0);
	assert_int_equal(a.value_hits, 0);
	/* asked again with an unticked box: now it is consent */
	give(fx, id, "newsletter");
	expect(fx, "GDPR Art. 4(11) consent through an unticked box", id, "newsletter",
	       SARGS_CH_EMAIL, 1, SARGS_R_CONSENT_GIVEN);
}

/* 003: a pre-ticked attempt after a valid consent leaves the consent valid
 * (the attempt is recorded, the earlier consent stands) */
static void test_preticked_after_valid_consent(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof p = web_proof();
	struct history h;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;

	add_anna(fx, id);
	give(fx, id, "newsletter");
	p.preticked = 1;
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_E_DENIED);
	assert_null(receipt);
	expect(fx, "003 a pre-ticked attempt does not undo a valid consent", id, "newsletter",
	       SARGS_CH_EMAIL, 1, SARGS_R_CONSENT_GIVEN);
	history_get(fx, id, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.event[0], "consent.given");
	assert_string_equal(h.event[1], "consent.preticked");
	history_free(&h);
}

/* 003: a pre-ticked box gives no link either: the contact was not collected
 * for the purpose */
static void test_preticked_does_not_link(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof p = web_proof();
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;

	add_anna(fx, id);
	p.preticked = 1;
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_E_DENIED);
	assert_false(linked_to(fx, id, "newsletter"));
	expect(fx, "003 + 002 §2: no consent, no link", id, "newsletter", SARGS_CH_EMAIL, 0,
	       SARGS_R_NOT_LINKED);
}

/* ---- withdrawal (GDPR Art. 7(3); 004 §5.1a, §13.1h) ---------------------- */

/* GDPR Art. 7(3) withdrawal at once, history kept; withdrawal ends nothing
 * else: the contract's purpose goes on (004 §5.1a) */
static void test_withdraw_at_once_history_kept(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof p = channel_proof("self_service");
	struct history h;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;
	json_t *doc;

	add_anna(fx, id);
	give(fx, id, "newsletter");
	expect(fx, "before", id, "newsletter", SARGS_CH_EMAIL, 1, SARGS_R_CONSENT_GIVEN);
	/* the clock does not move: it takes effect the same instant */
	assert_int_equal(sargs_consent_withdraw(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_OK);
	assert_non_null(receipt);
	verify_ok(fx, receipt, "consent.withdrawn", "newsletter", id);
	doc = parse(receipt);
	assert_string_equal(jstr(json_array_get(json_object_get(json_array_get(json_object_get(
									    json_object_get(doc, "receipt"),
									    "services"),
								    0),
							"purposes"),
					0),
				 "consentType"),
			    "WITHDRAWN");
	json_decref(doc);
	free(receipt);
	expect(fx, "GDPR Art. 7(3) withdrawal at once", id, "newsletter", SARGS_CH_EMAIL, 0,
	       SARGS_R_CONSENT_WITHDRAWN);
	expect(fx, "GDPR Art. 7(3) withdrawal at once (no contact)", id, "newsletter", 0, 0,
	       SARGS_R_CONSENT_WITHDRAWN);
	expect(fx, "004 §5.1a withdrawal has no adverse effect: the contract goes on", id,
	       "service", 0, 1, SARGS_R_CONTRACT);
	/* 004 §13.1h: the earlier consent stays on record (earlier processing was
	 * lawful) */
	history_get(fx, id, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.event[0], "consent.given");
	assert_string_equal(h.event[1], "consent.withdrawn");
	assert_true(h.seq[0] < h.seq[1]);
	assert_true(h.time_us[0] <= h.time_us[1]);
	verify_ok(fx, h.receipt[0], "consent.given", "newsletter", id);
	verify_ok(fx, h.receipt[1], "consent.withdrawn", "newsletter", id);
	history_free(&h);
	/* the data stays readable for the contract */
	{
		struct sargs_subject_view v;

		assert_int_equal(sargs_subject_show(fx->reg, id, "service", &v, &err), SARGS_OK);
		assert_int_equal(v.n_fields, 3);
		sargs_subject_view_free(&v);
	}
}

/* GDPR Art. 7(3): withdrawing twice is idempotent: OK, no second receipt,
 * nothing new in the history or the audit trail */
static void test_withdraw_twice_idempotent(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof p = channel_proof("email");
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;
	int64_t audit_before;

	add_anna(fx, id);
	/* nothing given: withdrawing changes nothing */
	assert_int_equal(sargs_consent_withdraw(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_OK);
	assert_null(receipt);
	assert_int_equal(history_count(fx, id), 0);
	give(fx, id, "newsletter");
	assert_int_equal(sargs_consent_withdraw(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_OK);
	assert_non_null(receipt);
	free(receipt);
	receipt = NULL;
	audit_before = audit_count(fx);
	assert_int_equal(sargs_consent_withdraw(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_OK);
	assert_null(receipt);
	assert_int_equal(audit_count(fx), audit_before);
	assert_int_equal(history_count(fx, id), 2);
	expect(fx, "GDPR Art. 7(3) still withdrawn", id, "newsletter", SARGS_CH_EMAIL, 0,
	       SARGS_R_CONSENT_WITHDRAWN);
	/* consent may be given again afterwards */
	give(fx, id, "newsletter");
	expect(fx, "GDPR Art. 7 consent given again", id, "newsletter", SARGS_CH_EMAIL, 1,
	       SARGS_R_CONSENT_GIVEN);
}

/* 004 §5.1a: as easy to withdraw as to give, through any channel, and with
 * no form or notice needed */
static void test_withdraw_any_channel(void **state)
{
	struct fixture *fx = *state;
	static const char *const chans[] = {"self_service", "email", "sms", "paper",
					    "in_person", "phone", "unsubscribe_link"};

	for (size_t i = 0; i < N_ROWS(chans); i++) {
		struct sargs_consent_proof p = channel_proof(chans[i]);
		struct sargs_err err;
		char id[SARGS_UUID_STR];
		char *receipt = NULL;
		json_t *doc;

		assert_true(sargs_consent_channel_valid(chans[i]));
		add_anna(fx, id);
		give(fx, id, "newsletter");
		if (sargs_consent_withdraw(fx->reg, id, "newsletter", &p, &receipt, &err) != SARGS_OK)
			fail_msg("004 §5.1a withdrawal through %s: %s", chans[i], err.msg);
		assert_non_null(receipt);
		doc = parse(receipt);
		assert_string_equal(jstr(json_object_get(doc, "receipt"), "collectionMethod"),
				    chans[i]);
		json_decref(doc);
		free(receipt);
		expect(fx, "004 §5.1a withdrawal through any channel", id, "newsletter",
		       SARGS_CH_EMAIL, 0, SARGS_R_CONSENT_WITHDRAWN);
	}
	assert_false(sargs_consent_channel_valid("carrier_pigeon"));
	assert_false(sargs_consent_channel_valid(NULL));
	assert_false(sargs_consent_channel_valid(""));
}

/* GDPR Art. 7(3): withdraw --all (purpose NULL) withdraws every consent the
 * subject gave, and only those; idempotent */
static void test_withdraw_all(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof p = channel_proof("phone");
	struct history h;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;
	int withdrawn_newsletter = 0, withdrawn_offers = 0;

	add_anna(fx, id);
	give(fx, id, "newsletter");
	give(fx, id, "customer_offers");
	assert_int_equal(sargs_consent_withdraw(fx->reg, id, NULL, &p, &receipt, &err), SARGS_OK);
	assert_non_null(receipt);
	free(receipt);
	receipt = NULL;
	expect(fx, "GDPR Art. 7(3) withdraw all: newsletter", id, "newsletter", SARGS_CH_EMAIL, 0,
	       SARGS_R_CONSENT_WITHDRAWN);
	expect(fx, "GDPR Art. 7(3) withdraw all: customer offers", id, "customer_offers",
	       SARGS_CH_EMAIL, 0, SARGS_R_CONSENT_WITHDRAWN);
	expect(fx, "GDPR Art. 7(3), 21(3): withdrawn consent on a LI purpose stops post too", id,
	       "customer_offers", 0, 0, SARGS_R_CONSENT_WITHDRAWN);
	expect(fx, "004 §5.1a the contract goes on", id, "service", 0, 1, SARGS_R_CONTRACT);
	history_get(fx, id, &h);
	assert_int_equal(h.n, 4);
	for (size_t i = 0; i < h.n; i++) {
		if (strcmp(h.event[i], "consent.withdrawn") != 0)
			continue;
		verify_ok(fx, h.receipt[i], "consent.withdrawn", h.purpose[i], id);
		withdrawn_newsletter += strcmp(h.purpose[i], "newsletter") == 0;
		withdrawn_offers += strcmp(h.purpose[i], "customer_offers") == 0;
	}
	assert_int_equal(withdrawn_newsletter, 1);
	assert_int_equal(withdrawn_offers, 1);
	history_free(&h);
	assert_int_equal(sargs_consent_withdraw(fx->reg, id, NULL, &p, &receipt, &err), SARGS_OK);
	assert_null(receipt);
	assert_int_equal(history_count(fx, id), 4);
}

/* ---- objections (GDPR Art. 21) ------------------------------------------- */

/* Anna with a contract, newsletter consent and soft opt-in to offers about
 * signs (she bought signs and could refuse) */
static void anna_marketed(struct fixture *fx, char id[SARGS_UUID_STR])
{
	struct sargs_purchase_result pr;
	struct sargs_err err;
	const struct sargs_kv kv[] = {{"first_name", ANNA_FIRST},
				      {"last_name", ANNA_LAST},
				      {"email", ANNA_EMAIL},
				      {"postal_address", "Brivibas iela 10, Riga"}};

	add(fx, "service", kv, N_ROWS(kv), id);
	give(fx, id, "newsletter");
	assert_int_equal(sargs_purchase_record(fx->reg, id, "signs", sargs_today() - 3, 1, 0, &pr,
					       &err),
			 SARGS_OK);
	assert_int_equal(pr.n_linked, 1);
	assert_string_equal(pr.linked[0], "customer_offers");
}

/* GDPR Art. 21(3) objection to direct marketing absolute: every marketing
 * purpose refused at once, on every channel; the contract is unaffected */
static void test_object_direct_marketing_absolute(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof p = channel_proof("phone");
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;
	json_t *doc, *ext;

	anna_marketed(fx, id);
	expect(fx, "before: consent", id, "newsletter", SARGS_CH_EMAIL, 1, SARGS_R_CONSENT_GIVEN);
	expect(fx, "before: soft opt-in", id, "customer_offers", SARGS_CH_EMAIL, 1,
	       SARGS_R_SOFT_OPT_IN);
	expect(fx, "before: post on LI", id, "customer_offers", SARGS_CH_POST, 1,
	       SARGS_R_LEGITIMATE_INTERESTS);
	assert_int_equal(sargs_consent_object(fx->reg, id, NULL, &p, &receipt, &err), SARGS_OK);
	assert_non_null(receipt);
	verify_ok(fx, receipt, "objection", "direct_marketing", id);
	doc = parse(receipt);
	ext = json_object_get(json_object_get(doc, "receipt"), "sargs");
	assert_string_equal(jstr(ext, "legalBasisArticle"), "GDPR Art. 21(2)-(3)");
	/* the outcome is upheld by default, and cannot be anything else here */
	assert_true(json_object_get(ext, "objectionOutcome") == NULL ||
		    strcmp(jstr(ext, "objectionOutcome"), "upheld") == 0);
	json_decref(doc);
	free(receipt);
	receipt = NULL;
	expect(fx, "GDPR Art. 21(3) objection to direct marketing absolute: consent purpose", id,
	       "newsletter", SARGS_CH_EMAIL, 0, SARGS_R_OBJECTED_DIRECT_MARKETING);
	expect(fx, "GDPR Art. 21(3) objection: no processing for marketing at all", id,
	       "newsletter", 0, 0, SARGS_R_OBJECTED_DIRECT_MARKETING);
	expect(fx, "GDPR Art. 21(3) objection to direct marketing absolute: soft opt-in", id,
	       "customer_offers", SARGS_CH_EMAIL, 0, SARGS_R_OBJECTED_DIRECT_MARKETING);
	expect(fx, "GDPR Art. 21(3) objection to direct marketing absolute: post", id,
	       "customer_offers", SARGS_CH_POST, 0, SARGS_R_OBJECTED_DIRECT_MARKETING);
	expect(fx, "GDPR Art. 21(3) the contract is not marketing", id, "service", 0, 1,
	       SARGS_R_CONTRACT);
	/* idempotent */
	assert_int_equal(sargs_consent_object(fx->reg, id, NULL, &p, &receipt, &err), SARGS_OK);
	assert_null(receipt);
	/* GDPR Art. 21(3): an objection to direct marketing cannot be overridden */
	p.outcome = "overridden_compelling_grounds";
	assert_int_equal(sargs_consent_object(fx->reg, id, NULL, &p, &receipt, &err),
			 SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "cannot be overridden"));
	p.outcome = "overridden_legal_claims";
	assert_int_equal(sargs_consent_object(fx->reg, id, "customer_offers", &p, &receipt, &err),
			 SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "21(3)"));
	assert_null(receipt);
}

/* GDPR Art. 21(2)-(3): an objection to one marketing purpose (the soft
 * opt-in offers) stops that purpose at once on every channel */
static void test_object_one_marketing_purpose(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof p = channel_proof("email");
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;

	anna_marketed(fx, id);
	assert_int_equal(sargs_consent_object(fx->reg, id, "customer_offers", &p, &receipt, &err),
			 SARGS_OK);
	assert_non_null(receipt);
	verify_ok(fx, receipt, "objection", "customer_offers", id);
	free(receipt);
	receipt = NULL;
	expect(fx, "GDPR Art. 21(3) objection to a marketing purpose: e-mail", id,
	       "customer_offers", SARGS_CH_EMAIL, 0, SARGS_R_OBJECTED);
	expect(fx, "GDPR Art. 21(3) objection to a marketing purpose: post", id, "customer_offers",
	       SARGS_CH_POST, 0, SARGS_R_OBJECTED);
	/* the other marketing purpose rests on consent, which stands */
	expect(fx, "GDPR Art. 21: an objection is specific", id, "newsletter", SARGS_CH_EMAIL, 1,
	       SARGS_R_CONSENT_GIVEN);
	assert_int_equal(sargs_consent_object(fx->reg, id, "customer_offers", &p, &receipt, &err),
			 SARGS_OK);
	assert_null(receipt);
}

struct object_row {
	const char *rule;
	const char *outcome;
	enum sargs_rc expect;
	int allowed;
	enum sargs_reason reason;
};

static const struct object_row object_rows[] = {
	{"GDPR Art. 21(1) objection to a LI purpose upheld: processing stops", "upheld", SARGS_OK,
	 0, SARGS_R_OBJECTED},
	{"GDPR Art. 21(1) objection to a LI purpose upheld by default", NULL, SARGS_OK, 0,
	 SARGS_R_OBJECTED},
	{"GDPR Art. 21(1) compelling legitimate grounds override the objection: still allowed",
	 "overridden_compelling_grounds", SARGS_OK, 1, SARGS_R_LEGITIMATE_INTERESTS},
	{"GDPR Art. 21(1) legal claims override the objection: still allowed",
	 "overridden_legal_claims", SARGS_OK, 1, SARGS_R_LEGITIMATE_INTERESTS},
	{"GDPR Art. 21(1) an outcome that is not one of the three is refused", "maybe",
	 SARGS_E_INVALID, 1, SARGS_R_LEGITIMATE_INTERESTS},
};

/* GDPR Art. 21(1): an objection to a legitimate-interest purpose (debt
 * collection) is recorded with the outcome of its review */
static void test_object_li_purpose_outcomes(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"first_name", "Karlis"}, {"last_name", "Liepa"}};

	for (size_t i = 0; i < N_ROWS(object_rows); i++) {
		const struct object_row *r = &object_rows[i];
		struct sargs_consent_proof p = channel_proof("paper");
		struct sargs_err err;
		char id[SARGS_UUID_STR];
		char *receipt = NULL;
		enum sargs_rc rc;

		add(fx, "debt_collection", kv, N_ROWS(kv), id);
		expect(fx, "GDPR Art. 6(1)(f) before the objection", id, "debt_collection", 0, 1,
		       SARGS_R_LEGITIMATE_INTERESTS);
		p.outcome = r->outcome;
		rc = sargs_consent_object(fx->reg, id, "debt_collection", &p, &receipt, &err);
		if (rc != r->expect)
			fail_msg("row %zu (%s): rc %d, expected %d: %s", i, r->rule, rc, r->expect,
				 err.msg);
		if (rc == SARGS_OK) {
			json_t *doc;

			assert_non_null(receipt);
			verify_ok(fx, receipt, "objection", "debt_collection", id);
			doc = parse(receipt);
			/* the outcome of the review is on the receipt (absent: the
			 * default, upheld) */
			{
				json_t *ext = json_object_get(json_object_get(doc, "receipt"),
							      "sargs");

				if (r->outcome != NULL)
					assert_string_equal(jstr(ext, "objectionOutcome"),
							    r->outcome);
				else
					assert_true(json_object_get(ext, "objectionOutcome") ==
							    NULL ||
						    strcmp(jstr(ext, "objectionOutcome"),
							   "upheld") == 0);
			}
			/* debt collection has a recipient: disclosed in the receipt */
			assert_true(json_is_true(json_object_get(
				json_array_get(json_object_get(json_array_get(json_object_get(
									json_object_get(doc, "receipt"),
									"services"),
								0),
							"purposes"),
					       0),
				"thirdPartyDisclosure")));
			json_decref(doc);
			free(receipt);
		} else {
			assert_null(receipt);
			assert_int_equal(history_count(fx, id), 0);
		}
		expect(fx, r->rule, id, "debt_collection", 0, r->allowed, r->reason);
	}
}

struct object_refusal_row {
	const char *rule;
	const char *purpose;
	const char *message;
};

static const struct object_refusal_row object_refusal_rows[] = {
	{"GDPR Art. 21: no objection to a contract (the right does not cover it)", "service",
	 "rests on contract"},
	{"GDPR Art. 21: no objection to a legal obligation", "accounting", "legal_obligation"},
};

/* GDPR Art. 21 covers legitimate interests, public tasks and direct
 * marketing: an objection to a purpose on another basis is refused and
 * records nothing; the newsletter rests on consent but is direct marketing,
 * so Art. 21(2) covers it */
static void test_object_refused_for_other_bases(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof p = channel_proof("email");
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;
	size_t hist;

	anna_marketed(fx, id);
	hist = history_count(fx, id);
	for (size_t i = 0; i < N_ROWS(object_refusal_rows); i++) {
		const struct object_refusal_row *r = &object_refusal_rows[i];
		int64_t audit_before = audit_count(fx);

		receipt = sentinel;
		if (sargs_consent_object(fx->reg, id, r->purpose, &p, &receipt, &err) !=
			    SARGS_E_DENIED ||
		    strstr(err.msg, r->message) == NULL)
			fail_msg("row %zu (%s): %s", i, r->rule, err.msg);
		assert_null(strstr(err.msg, "withdraw"));
		assert_null(receipt);
		assert_int_equal(audit_count(fx), audit_before);
	}
	assert_int_equal(history_count(fx, id), hist);
	expect(fx, "GDPR Art. 21: the contract goes on", id, "service", 0, 1, SARGS_R_CONTRACT);
	/* GDPR Art. 21(2): the newsletter is direct marketing: the objection is
	 * recorded and stops it at once */
	assert_int_equal(sargs_consent_object(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_OK);
	assert_non_null(receipt);
	free(receipt);
	expect(fx, "GDPR Art. 21(2)-(3) objection to a consent-based marketing purpose", id,
	       "newsletter", SARGS_CH_EMAIL, 0, SARGS_R_OBJECTED);
}

/* GDPR Art. 21: the right to object covers consent purposes only through
 * withdrawal: a consent purpose that is not marketing (loaded here) refuses
 * an objection with a hint to withdraw */
static void test_object_consent_purpose_hint(void **state)
{
	struct fixture *fx = *state;
	const char *extra =
		"{\"sargs_registry\": 1,"
		" \"fields\": [{\"name\": \"email\", \"category\": \"contact\", \"type\": \"email\"}],"
		" \"purposes\": [{\"id\": \"survey\", \"name\": \"Customer survey\","
		" \"description\": \"Asking customers about our service, with consent.\","
		" \"legal_basis\": \"consent\", \"categories\": [\"contact\"],"
		" \"fields\": [{\"field\": \"email\", \"required\": true}],"
		" \"retention\": {\"until\": \"objection\"}}]}";
	const struct sargs_kv kv[] = {{"email", "survey@example.lv"}};
	struct sargs_consent_proof p = channel_proof("email");
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;

	assert_int_equal(sargs_registry_load(fx->reg, extra, strlen(extra), NULL, &err), SARGS_OK);
	add(fx, "survey", kv, N_ROWS(kv), id);
	give(fx, id, "survey");
	assert_int_equal(sargs_consent_object(fx->reg, id, "survey", &p, &receipt, &err),
			 SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "withdraw the consent instead"));
	assert_null(receipt);
	expect(fx, "GDPR Art. 7(3) consent stands until withdrawn", id, "survey", 0, 1,
	       SARGS_R_CONSENT_GIVEN);
	assert_int_equal(sargs_consent_withdraw(fx->reg, id, "survey", &p, &receipt, &err),
			 SARGS_OK);
	free(receipt);
	expect(fx, "GDPR Art. 7(3) withdrawn", id, "survey", 0, 0, SARGS_R_CONSENT_WITHDRAWN);
}

/* ---- children (GDPR Art. 8; PDPL Art. 33; 004 §7) ------------------------ */

/* A child born on y-m-d, on the newsletter list (e-mail and birthday). */
static void add_child_birth_date(struct fixture *fx, int y, int m, int d,
				 char id[SARGS_UUID_STR])
{
	char date[16], email[64];
	struct sargs_kv kv[2];

	(void)snprintf(date, sizeof(date), "%04d-%02d-%02d", y, m, d);
	(void)snprintf(email, sizeof(email), "child%04d%02d%02d@example.lv", y, m, d);
	kv[0] = (struct sargs_kv){"email", email};
	kv[1] = (struct sargs_kv){"birth_date", date};
	add(fx, "newsletter", kv, 2, id);
}

/* A child known by a legacy personal code (kept for accounting); the
 * newsletter gets the birth date derived from it. */
static void add_child_personal_code(struct fixture *fx, int y, int m, int d,
				    char id[SARGS_UUID_STR])
{
	char code[13];
	const char *p_code;
	struct sargs_kv kv[4];

	personal_code(y, m, d, 123, code);
	p_code = code;
	kv[0] = (struct sargs_kv){"first_name", "Maija"};
	kv[1] = (struct sargs_kv){"last_name", "Kalnina"};
	kv[2] = (struct sargs_kv){"personal_code", p_code};
	kv[3] = (struct sargs_kv){"email", "maija.k@example.lv"};
	add(fx, "accounting,newsletter", kv, 4, id);
}

static void guardian_ok(struct fixture *fx, const char *id, const char *purpose)
{
	struct sargs_consent_proof p = channel_proof("in_person");
	struct sargs_err err;
	char *receipt = NULL;

	p.guardian_check = "id_document";
	if (sargs_consent_guardian(fx->reg, id, purpose, &p, &receipt, &err) != SARGS_OK)
		fail_msg("guardian consent: %s", err.msg);
	verify_ok(fx, receipt, "guardian.consent", purpose, id);
	free(receipt);
}

/* The personal code helper makes codes the register accepts (check digit),
 * and the check digit of a known code is right */
static void test_personal_code_helper(void **state)
{
	char code[13];

	(void)state;
	personal_code(1982, 12, 12, 121, code);
	assert_string_equal(code, "121282-11210"); /* the code test_subject uses */
}

/*
 * GDPR Art. 8 guardian consent for under-13 in an online service: a child of
 * 10 (by birth date) consents to the newsletter (an online service) alone.
 * Processing that contacts nobody (channel 0) is decided by Art. 8: refused
 * without the guardian, allowed with the guardian's consent. 004 §7.6
 * restricts *addressing* offers to under-18s, which a read does not do.
 *
 * ENGINE_DIFFERS: sargs_policy_decide (src/domain/policy.c) applies the
 * under-18 rule of a marketing purpose before the consent route whatever
 * the channel, so channel 0 answers SARGS_R_UNDER_18 (with or without the
 * guardian) instead of SARGS_R_CHILD_NO_GUARDIAN / allowed.
 */
static void test_guardian_child_online_service_no_contact(void **state)
{
	struct fixture *fx = *state;
	char id[SARGS_UUID_STR];

	add_child_birth_date(fx, TODAY_Y - 10, TODAY_M, TODAY_D, id);
	give(fx, id, "newsletter");
	expect(fx, "GDPR Art. 8 guardian consent for under-13 in an online service", id,
	       "newsletter", 0, 0, SARGS_R_CHILD_NO_GUARDIAN);
	guardian_ok(fx, id, "newsletter");
	expect(fx, "GDPR Art. 8 with the guardian's consent the child's data may be processed",
	       id, "newsletter", 0, 1, SARGS_R_CONSENT_GIVEN);
}

/* GDPR Art. 8, as above, for a child known by a legacy personal code
 * (century digit 2, check digit), 12 years 364 days old.
 * ENGINE_DIFFERS: as above (SARGS_R_UNDER_18 on channel 0). */
static void test_guardian_child_personal_code_no_contact(void **state)
{
	struct fixture *fx = *state;
	char id[SARGS_UUID_STR];

	/* 12 years 364 days old today: still under 13 */
	add_child_personal_code(fx, TODAY_Y - 13, TODAY_M, TODAY_D + 1, id);
	give(fx, id, "newsletter");
	expect(fx, "GDPR Art. 8 under-13 (12 years 364 days, by personal code)", id, "newsletter",
	       0, 0, SARGS_R_CHILD_NO_GUARDIAN);
	guardian_ok(fx, id, "newsletter");
	expect(fx, "GDPR Art. 8 guardian consent recorded", id, "newsletter", 0, 1,
	       SARGS_R_CONSENT_GIVEN);
}

/*
 * 004 §7 under 18 not in marketing: an e-mail to the same child is refused
 * whatever the consent. Both rules apply to the e-mail; by the engine's
 * order (the absolute marketing rules — objection, red zone, minors — before
 * the basis) the under-18 reason wins over the missing guardian consent,
 * and stays after the guardian consented (the purpose does not allow
 * minors).
 */
static void test_child_email_under_18_wins(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof p = channel_proof("in_person");
	struct sargs_err err;
	char id[SARGS_UUID_STR], code_id[SARGS_UUID_STR];
	char *receipt = NULL;

	add_child_birth_date(fx, TODAY_Y - 10, TODAY_M, TODAY_D, id);
	add_child_personal_code(fx, TODAY_Y - 10, 3, 1, code_id);
	give(fx, id, "newsletter");
	give(fx, code_id, "newsletter");
	expect(fx, "004 §7 under 18 not in marketing (wins over GDPR Art. 8)", id, "newsletter",
	       SARGS_CH_EMAIL, 0, SARGS_R_UNDER_18);
	expect(fx, "004 §7 under 18 not in marketing (personal code)", code_id, "newsletter",
	       SARGS_CH_EMAIL, 0, SARGS_R_UNDER_18);
	/* GDPR Art. 8(2): how parental responsibility was checked must be said */
	p.guardian_check = NULL;
	assert_int_equal(sargs_consent_guardian(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_E_INVALID);
	p.guardian_check = "the child said so";
	assert_int_equal(sargs_consent_guardian(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_E_INVALID);
	assert_null(receipt);
	assert_int_equal(history_count(fx, id), 1);
	guardian_ok(fx, id, "newsletter");
	expect(fx, "004 §7 under 18 not in marketing, even with the guardian's consent", id,
	       "newsletter", SARGS_CH_EMAIL, 0, SARGS_R_UNDER_18);
	/* a child of 13 today consents alone to the online service: no guardian
	 * needed, but still no offers (004 §7) */
	{
		char teen[SARGS_UUID_STR];

		add_child_birth_date(fx, TODAY_Y - 13, TODAY_M, TODAY_D, teen);
		give(fx, teen, "newsletter");
		expect(fx, "004 §7 13-year-old: no offers", teen, "newsletter", SARGS_CH_EMAIL, 0,
		       SARGS_R_UNDER_18);
	}
}

/*
 * GDPR Art. 8 applies where consent is the basis (Art. 6(1)(a)): a
 * guardian's "consent" to a purpose resting on a contract would mislead as
 * consent to it does (GDPR Art. 6(1); 004 §5.1a), so it is refused
 * (SARGS_E_DENIED) and nothing is recorded, like sargs_consent_give refuses;
 * a guardian's consent needs a purpose, and a known one.
 *
 * ENGINE_DIFFERS: sargs_consent_guardian (src/domain/consent.c) does not
 * check the purpose's basis: it records the flag and signs a receipt with
 * consentType "EXPLICIT (holder of parental responsibility)" for "service".
 */
static void test_guardian_only_for_consent_purposes(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof p = channel_proof("in_person");
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;
	enum sargs_rc rc;

	p.guardian_check = "birth_certificate";
	add_child_birth_date(fx, TODAY_Y - 10, TODAY_M, TODAY_D, id);
	assert_int_equal(sargs_consent_guardian(fx->reg, id, NULL, &p, &receipt, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_consent_guardian(fx->reg, id, "no_such_purpose", &p, &receipt, &err),
			 SARGS_E_NOTFOUND);
	p.channel = "telepathy";
	assert_int_equal(sargs_consent_guardian(fx->reg, id, "newsletter", &p, &receipt, &err),
			 SARGS_E_INVALID);
	assert_int_equal(history_count(fx, id), 0);
	p.channel = "in_person";
	rc = sargs_consent_guardian(fx->reg, id, "service", &p, &receipt, &err);
	free(receipt);
	if (rc != SARGS_E_DENIED)
		fail_msg("GDPR Art. 6(1), 8: guardian consent to the contract purpose \"service\""
			 " was recorded (rc %d)",
			 rc);
	assert_int_equal(history_count(fx, id), 0);
}

/*
 * GDPR Art. 8: consent a child gave alone at 10 never becomes valid, not even
 * once the child is 18 (the e-mail is then allowed only with the guardian's
 * consent recorded for the time it was given); on the 18th birthday the
 * under-18 rule ends (004 §7).
 */
static void test_child_consent_at_18(void **state)
{
	struct fixture *fx = *state;
	char alone[SARGS_UUID_STR], with_guardian[SARGS_UUID_STR];
	int64_t birthday18 = sargs_days_from_civil(TODAY_Y + 8, TODAY_M, TODAY_D) * DAY_US +
			     12LL * 3600 * 1000000;

	add_child_birth_date(fx, TODAY_Y - 10, TODAY_M, TODAY_D, alone);
	add_child_birth_date(fx, TODAY_Y - 10, TODAY_M, TODAY_D - 1, with_guardian);
	give(fx, alone, "newsletter");
	give(fx, with_guardian, "newsletter");
	guardian_ok(fx, with_guardian, "newsletter");
	sargs_time_set_fixed(birthday18 - DAY_US);
	expect(fx, "004 §7 the day before the 18th birthday, still a minor", alone, "newsletter",
	       SARGS_CH_EMAIL, 0, SARGS_R_UNDER_18);
	sargs_time_set_fixed(birthday18);
	expect(fx, "GDPR Art. 8 consent given alone at 10 never became valid, not even at 18",
	       alone, "newsletter", SARGS_CH_EMAIL, 0, SARGS_R_CHILD_NO_GUARDIAN);
	expect(fx, "GDPR Art. 8 + 004 §7 consent with the guardian's, at 18: offers allowed",
	       with_guardian, "newsletter", SARGS_CH_EMAIL, 1, SARGS_R_CONSENT_GIVEN);
	/* fresh consent at 18 by the person is valid */
	give(fx, alone, "newsletter");
	expect(fx, "GDPR Art. 7, 8 the adult's own consent", alone, "newsletter", SARGS_CH_EMAIL,
	       1, SARGS_R_CONSENT_GIVEN);
}

/* ---- erased subjects, history, audit ------------------------------------- */

/* GDPR Art. 17: after erasure every consent call says the subject was erased
 * (NOTFOUND) and records nothing */
static void test_erased_subject(void **state)
{
	struct fixture *fx = *state;
	struct sargs_consent_proof web = web_proof(), ch = channel_proof("email");
	struct history h = {0};
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;
	int64_t audit_before;

	add_anna(fx, id);
	give(fx, id, "newsletter");
	assert_int_equal(sargs_subject_erase(fx->reg, id, "request", &err), SARGS_OK);
	audit_before = audit_count(fx);
	ch.guardian_check = "id_document";
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &web, &receipt, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(sargs_consent_withdraw(fx->reg, id, "newsletter", &ch, &receipt, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(sargs_consent_withdraw(fx->reg, id, NULL, &ch, &receipt, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(sargs_consent_object(fx->reg, id, NULL, &ch, &receipt, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(sargs_consent_object(fx->reg, id, "customer_offers", &ch, &receipt, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(sargs_consent_guardian(fx->reg, id, "newsletter", &ch, &receipt, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(sargs_consent_history(fx->reg, id, history_cb, &h, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(h.n, 0);
	web.preticked = 1;
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &web, &receipt, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	assert_null(receipt);
	assert_int_equal(audit_count(fx), audit_before);
	expect(fx, "GDPR Art. 17 erased", id, "newsletter", SARGS_CH_EMAIL, 0, SARGS_R_ERASED);
}

/* 004 §18h: reading the history is a read of the subject's record: audited
 * as "consent.history", in oldest-first order */
static void test_history_audited_oldest_first(void **state)
{
	struct fixture *fx = *state;
	struct audit_scan a = {{NULL}, 0, 0, {{0}}, {{0}}, {0}};
	struct history h;
	char id[SARGS_UUID_STR];

	add_anna(fx, id);
	give(fx, id, "newsletter");
	sargs_time_set_fixed(today_us() + 60LL * 1000000);
	give(fx, id, "customer_offers");
	history_get(fx, id, &h);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.purpose[0], "newsletter");
	assert_string_equal(h.purpose[1], "customer_offers");
	assert_true(h.time_us[0] < h.time_us[1]);
	assert_true(h.seq[0] < h.seq[1]);
	history_free(&h);
	audit_of(fx, id, &a);
	assert_int_equal(audit_actions(&a, "consent.history", NULL), 1);
	assert_string_equal(a.actions[a.entries - 1], "consent.history");
	/* not a subject id */
	{
		struct sargs_err err;

		assert_int_equal(sargs_consent_history(fx->reg, "x", history_cb, &h, &err),
				 SARGS_E_INVALID);
	}
}

/* 004 §18h; design.md: every consent event is audited with its purpose and
 * no personal values; the trail stays intact */
static void test_all_events_audited_without_values(void **state)
{
	struct fixture *fx = *state;
	struct audit_scan a = {{ANNA_FIRST, ANNA_LAST, ANNA_EMAIL, "annele", "Brivibas iela 10",
				NULL},
			       0, 0, {{0}}, {{0}}, {0}};
	struct sargs_consent_proof pre = web_proof(), ch = channel_proof("sms");
	struct sargs_audit_report rep;
	struct history h;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	char *receipt = NULL;

	anna_marketed(fx, id);
	pre.preticked = 1;
	assert_int_equal(sargs_consent_give(fx->reg, id, "customer_offers", &pre, &receipt, &err),
			 SARGS_E_DENIED);
	ch.guardian_check = "bank_link";
	assert_int_equal(sargs_consent_guardian(fx->reg, id, "newsletter", &ch, &receipt, &err),
			 SARGS_OK);
	free(receipt);
	assert_int_equal(sargs_consent_withdraw(fx->reg, id, "newsletter", &ch, &receipt, &err),
			 SARGS_OK);
	free(receipt);
	assert_int_equal(sargs_consent_object(fx->reg, id, "customer_offers", &ch, &receipt, &err),
			 SARGS_OK);
	free(receipt);
	assert_int_equal(sargs_consent_object(fx->reg, id, NULL, &ch, &receipt, &err), SARGS_OK);
	free(receipt);
	history_get(fx, id, &h);
	assert_int_equal(h.n, 6);
	for (size_t i = 0; i < h.n; i++) {
		assert_null(strstr(h.receipt[i], ANNA_EMAIL));
		assert_null(strstr(h.receipt[i], ANNA_FIRST));
		assert_null(strstr(h.receipt[i], ANNA_LAST));
		assert_null(strstr(h.receipt[i], "Brivibas iela 10"));
	}
	history_free(&h);
	audit_of(fx, id, &a);
	assert_int_equal(audit_actions(&a, "consent.give", "newsletter"), 1);
	assert_int_equal(audit_actions(&a, "consent.preticked", "customer_offers"), 1);
	assert_int_equal(audit_actions(&a, "consent.guardian", "newsletter"), 1);
	assert_int_equal(audit_actions(&a, "consent.withdraw", "newsletter"), 1);
	assert_int_equal(audit_actions(&a, "consent.object", "customer_offers"), 1);
	assert_int_equal(audit_actions(&a, "consent.object", "direct_marketing"), 1);
	assert_int_equal(audit_actions(&a, "consent.history", NULL), 1);
	assert_int_equal(audit_actions(&a, "purchase.add", NULL), 1);
	for (int i = 0; i < a.entries && i < 64; i++)
		if (strncmp(a.actions[i], "consent.", 8) == 0 &&
		    strcmp(a.actions[i], "consent.history") != 0 && !a.has_purpose[i])
			fail_msg("audit entry %s names no purpose", a.actions[i]);
	assert_int_equal(a.value_hits, 0);
	assert_int_equal(sargs_audit_verify(fx->reg->audit, &rep), SARGS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_personal_code_helper),
		cmocka_unit_test_setup_teardown(test_give_receipt_kantara_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_of_li_marketing_purpose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_tamper_every_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receipt_other_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_give_refusals_record_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_give_needs_required_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preticked_is_not_consent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preticked_after_valid_consent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_preticked_does_not_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdraw_at_once_history_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdraw_twice_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdraw_any_channel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_withdraw_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object_direct_marketing_absolute, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_object_one_marketing_purpose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object_li_purpose_outcomes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object_refused_for_other_bases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_object_consent_purpose_hint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guardian_child_online_service_no_contact, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_guardian_child_personal_code_no_contact, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_child_email_under_18_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_child_consent_at_18, setup, teardown),
		cmocka_unit_test_setup_teardown(test_guardian_only_for_consent_purposes, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_erased_subject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_audited_oldest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_events_audited_without_values, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
