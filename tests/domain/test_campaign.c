/*
 * test_campaign.c — campaigns through the library (domain/campaign.h): who
 * an audience reaches, on which basis, and who not and why; the export with
 * one-click unsubscribe links (RFC 8058); using the links; and the customer
 * relationship the marketing rules rest on (domain/relation.h: purchases,
 * soft opt-in links, contracts and the retention they start). Each test
 * names the legal rule it checks (mission.md §2-§4, §7).
 *
 * The register is a real one on disk with the example registry
 * (examples/zimes-purposes.json: "newsletter" on consent by e-mail,
 * "customer_offers" the soft opt-in for the product line "signs" by e-mail
 * and post) and a fixed clock (TODAY). A mix of subjects is built through
 * the public API, each with the answer the law gives for it; the audience
 * counts are checked against the tally of those answers.
 */
#include "testutil.h"

#include "crypto/token.h"
#include "domain/campaign.h"
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

#define TODAY_Y 2025
#define TODAY_M 6
#define TODAY_D 16
#define DAY_US 86400000000LL
#define NOTICE_HASH "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define BASE_URL "https://zimes.example.lv/"
#define NONE SARGS_R_NOT_LINKED
#define MAX_MEMBERS 40

/* One subject of the mix and the law's answer for it per request. */
struct member {
	char id[SARGS_UUID_STR];
	char email[64];
	const char *role;
	enum sargs_reason nl;      /* newsletter by e-mail */
	enum sargs_reason co;      /* customer_offers by e-mail */
	enum sargs_reason co_post; /* customer_offers by post */
	int signs_customer;        /* bought signs (the purposes' product line) */
	int zone;
	int restricted;
};

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
	struct member m[MAX_MEMBERS];
	size_t n;
};

static int64_t today_us(void)
{
	return sargs_days_from_civil(TODAY_Y, TODAY_M, TODAY_D) * DAY_US + 10LL * 3600 * 1000000;
}

static int32_t today_day(void)
{
	return (int32_t)sargs_days_from_civil(TODAY_Y, TODAY_M, TODAY_D);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	sargs_time_set_fixed(today_us());
	fx->reg = test_reg_example("campaign", fx->dir, sizeof(fx->dir));
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

static struct sargs_consent_proof web_proof(void)
{
	struct sargs_consent_proof p;

	memset(&p, 0, sizeof(p));
	p.channel = "web_form";
	p.form = "shop-signup-v3";
	p.text_hash = NOTICE_HASH;
	return p;
}

static struct sargs_consent_proof channel_proof(const char *channel)
{
	struct sargs_consent_proof p;

	memset(&p, 0, sizeof(p));
	p.channel = channel;
	return p;
}

static void give(struct fixture *fx, const char *id, const char *purpose, int preticked)
{
	struct sargs_consent_proof p = web_proof();
	struct sargs_err err;
	char *receipt = NULL;
	enum sargs_rc rc;

	p.preticked = preticked;
	rc = sargs_consent_give(fx->reg, id, purpose, &p, &receipt, &err);
	if (rc != (preticked ? SARGS_E_DENIED : SARGS_OK))
		fail_msg("consent to %s: %s", purpose, err.msg);
	free(receipt);
}

static void purchase(struct fixture *fx, const char *id, const char *line, int offered,
		     int refused, size_t expect_links)
{
	struct sargs_purchase_result pr;
	struct sargs_err err;

	if (sargs_purchase_record(fx->reg, id, line, today_day() - 10, offered, refused, &pr,
				  &err) != SARGS_OK)
		fail_msg("purchase: %s", err.msg);
	assert_int_equal(pr.n_linked, expect_links);
	if (expect_links == 1)
		assert_string_equal(pr.linked[0], "customer_offers");
}

/* GDPR Art. 18: restriction, set through the store (there is no domain call
 * for it yet) and, as every change that can alter a decision must, with the
 * subject's audience rows refreshed in the same transaction (relation.h). */
static void restrict_subject(struct fixture *fx, const char *id)
{
	struct sargs_store_facts f;
	struct sargs_err err;
	void *owned = NULL;

	assert_int_equal(sargs_reg_begin(fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_store_facts_get(fx->reg->store, id, &f, &owned), SARGS_OK);
	f.restricted = 1;
	assert_int_equal(sargs_store_facts_put(fx->reg->store, id, &f), SARGS_OK);
	free(owned);
	assert_int_equal(sargs_audience_refresh(fx->reg, id), SARGS_OK);
	assert_int_equal(sargs_reg_commit(fx->reg, &err), SARGS_OK);
}

static void set_zone(struct fixture *fx, const char *id, int zone)
{
	struct sargs_err err;

	assert_int_equal(sargs_reg_begin(fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_facts_set_zone(fx->reg, id, zone), SARGS_OK);
	assert_int_equal(sargs_reg_commit(fx->reg, &err), SARGS_OK);
}

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

static int reason_allows(enum sargs_reason r)
{
	return r == SARGS_R_CONSENT_GIVEN || r == SARGS_R_SOFT_OPT_IN ||
	       r == SARGS_R_LEGITIMATE_INTERESTS;
}

static int64_t audit_count(struct fixture *fx)
{
	int64_t n = -1;

	assert_int_equal(sargs_store_audit_count(fx->reg->store, &n), SARGS_OK);
	return n;
}

struct camp_list {
	size_t n;
	int64_t id[16];
	int64_t audience[16];
	int64_t registry_version[16];
	char purpose[16][64];
	char channel[16][16];
	char line[16][64];
	char excluded[16][1024];
};

static int camp_cb(void *ctx, const struct sargs_store_campaign *c)
{
	struct camp_list *l = ctx;

	if (l->n >= 16)
		return 1;
	l->id[l->n] = c->id;
	l->audience[l->n] = c->audience;
	l->registry_version[l->n] = c->registry_version;
	(void)snprintf(l->purpose[l->n], sizeof(l->purpose[0]), "%s", c->purpose);
	(void)snprintf(l->channel[l->n], sizeof(l->channel[0]), "%s", c->channel);
	(void)snprintf(l->line[l->n], sizeof(l->line[0]), "%s",
		       c->product_line ? c->product_line : "");
	(void)snprintf(l->excluded[l->n], sizeof(l->excluded[0]), "%s",
		       c->excluded ? c->excluded : "");
	l->n++;
	return 0;
}

static void campaigns(struct fixture *fx, struct camp_list *l)
{
	memset(l, 0, sizeof(*l));
	assert_int_equal(sargs_store_campaigns(fx->reg->store, camp_cb, l), SARGS_OK);
}

/* ---- the mix ------------------------------------------------------------- */

static struct member *member_new(struct fixture *fx, const char *role, enum sargs_reason nl,
				 enum sargs_reason co, enum sargs_reason co_post)
{
	struct member *m;

	assert_true(fx->n < MAX_MEMBERS);
	m = &fx->m[fx->n];
	memset(m, 0, sizeof(*m));
	m->role = role;
	m->nl = nl;
	m->co = co;
	m->co_post = co_post;
	(void)snprintf(m->email, sizeof(m->email), "member%02zu@example.lv", fx->n);
	fx->n++;
	return m;
}

/* On the newsletter list only (e-mail, first name). */
static struct member *on_list(struct fixture *fx, const char *role, enum sargs_reason nl)
{
	struct member *m = member_new(fx, role, nl, NONE, NONE);
	const struct sargs_kv kv[] = {{"email", m->email}, {"first_name", "Ilze"}};

	add(fx, "newsletter", kv, N_ROWS(kv), m->id);
	return m;
}

/* A customer under the contract; with a postal address when post. */
static struct member *customer(struct fixture *fx, const char *purposes, const char *role,
			       enum sargs_reason co, enum sargs_reason co_post, int post)
{
	struct member *m = member_new(fx, role, NONE, co, co_post);
	const struct sargs_kv kv[] = {{"first_name", "Janis"},
				      {"last_name", "Berzins"},
				      {"email", m->email},
				      {"postal_address", "Brivibas iela 10, Riga"}};

	add(fx, purposes, kv, post ? 4 : 3, m->id);
	return m;
}

/* The personal code DDMMYY-CNNNK of someone born on y-m-d (check digit
 * (1101 - sum(d[i] * w[i])) mod 11 mod 10; century 2 = the 2000s). */
static void personal_code(int y, int m, int d, char out[13])
{
	static const int w[10] = {1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
	char digits[64];
	int sum = 0;

	(void)snprintf(digits, sizeof(digits), "%02d%02d%02d%d%03d", d, m, y % 100,
		       (y - 1800) / 100, 456);
	assert_int_equal(strlen(digits), 10);
	for (int i = 0; i < 10; i++)
		sum += (digits[i] - '0') * w[i];
	memcpy(out, digits, 6);
	out[6] = '-';
	memcpy(out + 7, digits + 6, 4);
	out[11] = (char)('0' + (1101 - sum) % 11 % 10);
	out[12] = '\0';
}

/*
 * Builds the mix: every rule of mission §3-§5 that decides a marketing
 * audience has at least one subject, with the answer the law gives.
 */
static void build_mix(struct fixture *fx)
{
	struct sargs_consent_proof obj = channel_proof("email");
	struct sargs_err err;
	struct member *m;
	char *receipt = NULL;

	/* -- the newsletter (consent, e-mail) -- */
	on_list(fx, "GDPR Art. 6(1)(a) consented", SARGS_R_CONSENT_GIVEN);
	give(fx, fx->m[fx->n - 1].id, "newsletter", 0);
	m = on_list(fx, "003 grey zone: old but proper consent", SARGS_R_CONSENT_GIVEN);
	give(fx, m->id, "newsletter", 0);
	set_zone(fx, m->id, SARGS_ZONE_GREY);
	m->zone = SARGS_ZONE_GREY;
	m = on_list(fx, "003 green zone: consent re-confirmed", SARGS_R_CONSENT_GIVEN);
	give(fx, m->id, "newsletter", 0);
	set_zone(fx, m->id, SARGS_ZONE_GREEN);
	m->zone = SARGS_ZONE_GREEN;
	m = on_list(fx, "GDPR Art. 7(3) withdrawn", SARGS_R_CONSENT_WITHDRAWN);
	give(fx, m->id, "newsletter", 0);
	assert_int_equal(sargs_consent_withdraw(fx->reg, m->id, "newsletter", &obj, &receipt, &err),
			 SARGS_OK);
	free(receipt);
	m = on_list(fx, "003 pre-ticked box is not consent", SARGS_R_CONSENT_PRETICKED);
	give(fx, m->id, "newsletter", 1);
	m = on_list(fx, "GDPR Art. 21(3) objected to direct marketing",
		    SARGS_R_OBJECTED_DIRECT_MARKETING);
	give(fx, m->id, "newsletter", 0);
	assert_int_equal(sargs_consent_object(fx->reg, m->id, NULL, &obj, &receipt, &err),
			 SARGS_OK);
	free(receipt);
	{
		/* 004 §7: 15 years old, consented */
		char date[16];
		const struct sargs_kv kv[] = {{"email", "minor15@example.lv"},
					      {"birth_date", date}};

		m = member_new(fx, "004 §7 under 18 not in marketing", SARGS_R_UNDER_18, NONE,
			       NONE);
		(void)snprintf(m->email, sizeof(m->email), "minor15@example.lv");
		(void)snprintf(date, sizeof(date), "%04d-03-01", TODAY_Y - 15);
		add(fx, "newsletter", kv, N_ROWS(kv), m->id);
		give(fx, m->id, "newsletter", 0);
	}
	m = on_list(fx, "GDPR Art. 18 restricted", SARGS_R_RESTRICTED);
	give(fx, m->id, "newsletter", 0);
	restrict_subject(fx, m->id);
	m->restricted = 1;
	m = on_list(fx, "003 red zone: no marketing", SARGS_R_RED_ZONE);
	give(fx, m->id, "newsletter", 0);
	set_zone(fx, m->id, SARGS_ZONE_RED);
	m->zone = SARGS_ZONE_RED;
	on_list(fx, "GDPR Art. 6(1)(a) never answered: no consent", SARGS_R_NO_CONSENT);

	/* -- customers and the soft opt-in for signs (ePrivacy Art. 13(2)) -- */
	m = customer(fx, "service", "ePrivacy Art. 13(2) soft opt-in, with a postal address",
		     SARGS_R_SOFT_OPT_IN, SARGS_R_LEGITIMATE_INTERESTS, 1);
	purchase(fx, m->id, "signs", 1, 0, 1);
	m->signs_customer = 1;
	m = customer(fx, "service", "ePrivacy Art. 13(2) soft opt-in, no postal address",
		     SARGS_R_SOFT_OPT_IN, SARGS_R_NO_CONTACT, 0);
	purchase(fx, m->id, "signs", 1, 0, 1);
	m->signs_customer = 1;
	m = customer(fx, "service",
		     "ePrivacy Art. 13(2) customer of printing: not linked to offers about signs",
		     NONE, NONE, 1);
	purchase(fx, m->id, "printing", 1, 0, 0);
	m = customer(fx, "service",
		     "ePrivacy Art. 13(2) refused at collection: the contact is not linked", NONE,
		     NONE, 1);
	purchase(fx, m->id, "signs", 1, 1, 0);
	m->signs_customer = 1;
	m = customer(fx, "service,customer_offers",
		     "ePrivacy Art. 13(2) refused at collection: no e-mail and no letters",
		     SARGS_R_REFUSED_AT_COLLECTION, SARGS_R_REFUSED_AT_COLLECTION, 1);
	purchase(fx, m->id, "signs", 1, 1, 0);
	m->signs_customer = 1;
	m = customer(fx, "service,customer_offers",
		     "ePrivacy Art. 13(2); mission §4 not offered the refusal: no e-mail, no post",
		     SARGS_R_OPT_OUT_NOT_OFFERED, SARGS_R_OPT_OUT_NOT_OFFERED, 1);
	purchase(fx, m->id, "signs", 0, 0, 0);
	m->signs_customer = 1;
	m = customer(fx, "service,customer_offers",
		     "ePrivacy Art. 13(2); 000 soft opt-in only for the product line bought",
		     SARGS_R_NO_RELATIONSHIP, SARGS_R_NO_CONTACT, 0);
	purchase(fx, m->id, "printing", 1, 0, 0);
	m = customer(fx, "service", "GDPR Art. 21(2) objected to the offers", SARGS_R_OBJECTED,
		     SARGS_R_OBJECTED, 1);
	purchase(fx, m->id, "signs", 1, 0, 1);
	m->signs_customer = 1;
	assert_int_equal(sargs_consent_object(fx->reg, m->id, "customer_offers", &obj, &receipt,
					      &err),
			 SARGS_OK);
	free(receipt);
	m = customer(fx, "service", "GDPR Art. 21(3) objected to direct marketing (customer)",
		     SARGS_R_OBJECTED_DIRECT_MARKETING, SARGS_R_OBJECTED_DIRECT_MARKETING, 1);
	purchase(fx, m->id, "signs", 1, 0, 1);
	m->signs_customer = 1;
	assert_int_equal(sargs_consent_object(fx->reg, m->id, NULL, &obj, &receipt, &err),
			 SARGS_OK);
	free(receipt);
	{
		/* 004 §7: a 16-year-old customer known by a legacy personal code */
		char code[13];
		const char *pc = code;
		const struct sargs_kv kv[] = {{"first_name", "Maija"},
					      {"last_name", "Kalnina"},
					      {"email", "minor16@example.lv"},
					      {"personal_code", pc}};

		personal_code(TODAY_Y - 16, 2, 14, code);
		m = member_new(fx, "004 §7 under 18 not in marketing (soft opt-in)", NONE,
			       SARGS_R_UNDER_18, SARGS_R_NO_CONTACT);
		(void)snprintf(m->email, sizeof(m->email), "minor16@example.lv");
		add(fx, "service,accounting", kv, N_ROWS(kv), m->id);
		purchase(fx, m->id, "signs", 1, 0, 1);
		m->signs_customer = 1;
	}
	m = customer(fx, "service", "GDPR Art. 18 restricted (customer)", SARGS_R_RESTRICTED,
		     SARGS_R_RESTRICTED, 1);
	purchase(fx, m->id, "signs", 1, 0, 1);
	m->signs_customer = 1;
	restrict_subject(fx, m->id);
	m->restricted = 1;
	m = customer(fx, "service", "003 red zone (customer): no e-mail", SARGS_R_RED_ZONE,
		     SARGS_R_RED_ZONE, 1);
	purchase(fx, m->id, "signs", 1, 0, 1);
	m->signs_customer = 1;
	set_zone(fx, m->id, SARGS_ZONE_RED);
	m->zone = SARGS_ZONE_RED;
	m = customer(fx, "service", "003 grey zone (customer): soft opt-in", SARGS_R_SOFT_OPT_IN,
		     SARGS_R_NO_CONTACT, 0);
	purchase(fx, m->id, "signs", 1, 0, 1);
	m->signs_customer = 1;
	set_zone(fx, m->id, SARGS_ZONE_GREY);
	m->zone = SARGS_ZONE_GREY;
	m = customer(fx, "service", "003 green zone (customer): soft opt-in", SARGS_R_SOFT_OPT_IN,
		     SARGS_R_NO_CONTACT, 0);
	purchase(fx, m->id, "signs", 1, 0, 1);
	m->signs_customer = 1;
	set_zone(fx, m->id, SARGS_ZONE_GREEN);
	m->zone = SARGS_ZONE_GREEN;
	m = customer(fx, "service",
		     "GDPR Art. 6(1)(a) consent to the offers, without buying signs",
		     SARGS_R_CONSENT_GIVEN, SARGS_R_NO_CONTACT, 0);
	give(fx, m->id, "customer_offers", 0);
	/* 002 §2: a customer of the contract alone is on no list */
	customer(fx, "service", "002 §2 contact collected for one purpose not used for another",
		 NONE, NONE, 1);
}

static enum sargs_reason member_reason(const struct member *m, const char *purpose,
				       unsigned channel)
{
	if (strcmp(purpose, "newsletter") == 0)
		return m->nl;
	return channel == SARGS_CH_POST ? m->co_post : m->co;
}

/* Checks an audience against the tally of the mix's answers. */
static void check_audience(struct fixture *fx, const struct sargs_audience_req *req,
			   const char *what)
{
	struct sargs_audience a, want;
	struct sargs_err err;
	int64_t sum;

	memset(&want, 0, sizeof(want));
	if (sargs_campaign_audience(fx->reg, req, 1, &a, &err) != SARGS_OK)
		fail_msg("%s: %s", what, err.msg);
	for (size_t i = 0; i < fx->n; i++) {
		const struct member *m = &fx->m[i];
		enum sargs_reason r = member_reason(m, req->purpose, req->channel);
		int found = 0;

		if (r == NONE) {
			want.excluded[NONE]++;
		} else if ((req->zone != 0 && m->zone != req->zone) ||
			   (req->customers_only && !m->signs_customer)) {
			want.filtered++;
		} else if (reason_allows(r)) {
			want.allowed++;
			want.allowed_by[r]++;
		} else {
			want.excluded[r]++;
		}
		for (size_t k = 0; k < a.n_ids; k++) {
			if (strcmp(a.ids[k], m->id) != 0)
				continue;
			found = 1;
			/* every allowed subject's basis */
			if (a.reasons[k] != r)
				fail_msg("%s: %s allowed on %s, expected %s", what, m->role,
					 sargs_reason_id(a.reasons[k]), sargs_reason_id(r));
		}
		if (found != (reason_allows(r) && r != NONE &&
			      !((req->zone != 0 && m->zone != req->zone) ||
				(req->customers_only && !m->signs_customer))))
			fail_msg("%s: %s is %sin the audience (%s)", what, m->role,
				 found ? "" : "not ", sargs_reason_id(r));
	}
	want.total = (int64_t)fx->n;
	assert_int_equal(a.total, want.total);
	if (a.allowed != want.allowed)
		fail_msg("%s: %lld allowed, expected %lld", what, (long long)a.allowed,
			 (long long)want.allowed);
	assert_int_equal(a.n_ids, (size_t)want.allowed);
	assert_int_equal(a.filtered, want.filtered);
	for (int r = 1; r < SARGS_R__COUNT; r++) {
		if (a.allowed_by[r] != want.allowed_by[r] || a.excluded[r] != want.excluded[r])
			fail_msg("%s: reason %s: allowed %lld excluded %lld, expected %lld and %lld",
				 what, sargs_reason_id((enum sargs_reason)r),
				 (long long)a.allowed_by[r], (long long)a.excluded[r],
				 (long long)want.allowed_by[r], (long long)want.excluded[r]);
	}
	/* nobody is lost: total = allowed + excluded + filtered */
	sum = a.allowed + a.filtered;
	for (int r = 0; r < SARGS_R__COUNT; r++)
		sum += a.excluded[r];
	assert_int_equal(sum, a.total);
	assert_int_equal(a.registry_version, fx->reg->registry_version);
	sargs_audience_free(&a);
}

static const struct member *member_by_email(const struct fixture *fx, const char *email)
{
	for (size_t i = 0; i < fx->n; i++)
		if (strcmp(fx->m[i].email, email) == 0)
			return &fx->m[i];
	return NULL;
}

static const struct member *member_by_role(const struct fixture *fx, const char *prefix)
{
	size_t i = 0;

	while (i < fx->n && strncmp(fx->m[i].role, prefix, strlen(prefix)) != 0)
		i++;
	if (i == fx->n)
		fail_msg("no member \"%s\"", prefix);
	return &fx->m[i < MAX_MEMBERS ? i : 0];
}

static int in_audience(struct fixture *fx, const struct sargs_audience_req *req, const char *id)
{
	struct sargs_audience a;
	struct sargs_err err;
	int found = 0;

	assert_int_equal(sargs_campaign_audience(fx->reg, req, 1, &a, &err), SARGS_OK);
	for (size_t k = 0; k < a.n_ids; k++)
		found |= strcmp(a.ids[k], id) == 0;
	sargs_audience_free(&a);
	return found;
}

/* ---- audiences ----------------------------------------------------------- */

/* The answer for one subject alone: a restricted subject is refused as
 * restricted first (GDPR Art. 18), whatever else is true; an audience counts
 * only the subjects linked to its purpose, so there the others are "not
 * collected for the purpose". */
static enum sargs_reason single(const struct member *m, enum sargs_reason r)
{
	return m->restricted ? SARGS_R_RESTRICTED : r;
}

/* The engine's answer for each subject, one at a time, is the law's (this
 * checks the mix itself before the audiences rest on it) */
static void test_mix_single_checks(void **state)
{
	struct fixture *fx = *state;

	build_mix(fx);
	for (size_t i = 0; i < fx->n; i++) {
		const struct member *m = &fx->m[i];

		expect(fx, m->role, m->id, "newsletter", SARGS_CH_EMAIL, reason_allows(m->nl),
		       single(m, m->nl));
		expect(fx, m->role, m->id, "customer_offers", SARGS_CH_EMAIL, reason_allows(m->co),
		       single(m, m->co));
		expect(fx, m->role, m->id, "customer_offers", SARGS_CH_POST,
		       reason_allows(m->co_post), single(m, m->co_post));
	}
}

/* mission §4: for every campaign the system answers who may be contacted, on
 * what basis, and who not and why; nobody is lost from the counts */
static void test_audience_counts_by_reason(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req nl = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
	struct sargs_audience_req co = {"customer_offers", SARGS_CH_EMAIL, NULL, 0, 0};
	struct sargs_audience_req post = {"customer_offers", SARGS_CH_POST, NULL, 0, 0};
	struct sargs_audience_req named = {"customer_offers", SARGS_CH_EMAIL, "signs", 0, 0};

	build_mix(fx);
	check_audience(fx, &nl, "newsletter by e-mail");
	check_audience(fx, &co, "offers about signs by e-mail");
	check_audience(fx, &post, "offers about signs by post");
	check_audience(fx, &named, "offers, product line named");
}

/* ePrivacy Art. 13(2): --customers-only leaves out (as filtered) those who
 * did not buy from the line; legacy zone filters (003) */
static void test_audience_filters(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req;
	static const int zones[] = {SARGS_ZONE_RED, SARGS_ZONE_GREY, SARGS_ZONE_GREEN};

	build_mix(fx);
	req = (struct sargs_audience_req){"customer_offers", SARGS_CH_EMAIL, NULL, 1, 0};
	check_audience(fx, &req, "offers, customers only");
	req = (struct sargs_audience_req){"newsletter", SARGS_CH_EMAIL, NULL, 1, 0};
	check_audience(fx, &req, "newsletter, customers only");
	for (size_t i = 0; i < N_ROWS(zones); i++) {
		char what[64];

		(void)snprintf(what, sizeof(what), "zone %d", zones[i]);
		req = (struct sargs_audience_req){"newsletter", SARGS_CH_EMAIL, NULL, 0, zones[i]};
		check_audience(fx, &req, what);
		req = (struct sargs_audience_req){"customer_offers", SARGS_CH_EMAIL, NULL, 0,
						  zones[i]};
		check_audience(fx, &req, what);
	}
	req = (struct sargs_audience_req){"customer_offers", SARGS_CH_POST, NULL, 1,
					  SARGS_ZONE_GREY};
	check_audience(fx, &req, "post, customers only, grey");
}

/* 004 §7: the audience is decided on the day it is resolved: the minor who
 * consented at 15 (valid: 13 or older, GDPR Art. 8) is left out until the
 * 18th birthday and in from that day; a withdrawal's "until objection"
 * retention (001 §10) is over the day after */
static void test_audience_on_the_day(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
	const struct member *minor, *withdrawn;
	int64_t birthday18 = sargs_days_from_civil(TODAY_Y + 3, 3, 1) * DAY_US;
	struct sargs_audience a;
	struct sargs_err err;

	build_mix(fx);
	minor = member_by_role(fx, "004 §7 under 18 not in marketing");
	withdrawn = member_by_role(fx, "GDPR Art. 7(3) withdrawn");
	sargs_time_set_fixed(birthday18 - 1);
	assert_false(in_audience(fx, &req, minor->id));
	expect(fx, "004 §7 the last moment of 17", minor->id, "newsletter", SARGS_CH_EMAIL, 0,
	       SARGS_R_UNDER_18);
	sargs_time_set_fixed(birthday18);
	assert_true(in_audience(fx, &req, minor->id));
	expect(fx, "004 §7 18 today", minor->id, "newsletter", SARGS_CH_EMAIL, 1,
	       SARGS_R_CONSENT_GIVEN);
	expect(fx, "GDPR Art. 5(1)(e); 001 §10 kept until the withdrawal, not after",
	       withdrawn->id, "newsletter", 0, 0, SARGS_R_RETENTION_OVER);
	assert_int_equal(sargs_campaign_audience(fx->reg, &req, 0, &a, &err), SARGS_OK);
	assert_int_equal(a.allowed, 4);
	assert_true(a.excluded[SARGS_R_RETENTION_OVER] >= 2);
	sargs_audience_free(&a);
}

/* The audience reads no personal data and is audited with its counts */
static void test_audience_audited(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
	struct sargs_audience a;
	struct sargs_err err;
	int64_t before;

	build_mix(fx);
	before = audit_count(fx);
	assert_int_equal(sargs_campaign_audience(fx->reg, &req, 0, &a, &err), SARGS_OK);
	assert_null(a.ids);
	assert_int_equal(a.n_ids, 0);
	assert_int_equal(a.allowed, 3);
	sargs_audience_free(&a);
	assert_int_equal(audit_count(fx), before + 1);
}

struct req_row {
	const char *rule;
	struct sargs_audience_req req;
	enum sargs_rc expect;
	const char *message;
};

static const struct req_row req_rows[] = {
	{"ePrivacy Art. 13(2) soft opt-in only for the product line bought: offers about signs"
	 " are not for printing",
	 {"customer_offers", SARGS_CH_EMAIL, "printing", 0, 0}, SARGS_E_DENIED, "similar goods"},
	{"000: the newsletter is about signs, not another line",
	 {"newsletter", SARGS_CH_EMAIL, "printing", 1, 0}, SARGS_E_DENIED, "\"signs\""},
	{"GDPR Art. 5(1)(b): a contract purpose is not direct marketing",
	 {"service", SARGS_CH_EMAIL, NULL, 0, 0}, SARGS_E_DENIED, "not direct marketing"},
	{"GDPR Art. 5(1)(b): debt collection is not direct marketing",
	 {"debt_collection", SARGS_CH_POST, NULL, 0, 0}, SARGS_E_DENIED, "not direct marketing"},
	{"mission §4: the newsletter does not use post",
	 {"newsletter", SARGS_CH_POST, NULL, 0, 0}, SARGS_E_DENIED, "does not use the channel"},
	{"mission §4: offers are not sent by SMS",
	 {"customer_offers", SARGS_CH_SMS, NULL, 0, 0}, SARGS_E_DENIED,
	 "does not use the channel"},
	{"one channel at a time", {"customer_offers", SARGS_CH_EMAIL | SARGS_CH_POST, NULL, 0, 0},
	 SARGS_E_INVALID, "one channel"},
	{"a channel must be named", {"customer_offers", 0, NULL, 0, 0}, SARGS_E_INVALID,
	 "one channel"},
	{"an unknown zone", {"newsletter", SARGS_CH_EMAIL, NULL, 0, 7}, SARGS_E_INVALID, "zone"},
	{"an unknown purpose", {"everything", SARGS_CH_EMAIL, NULL, 0, 0}, SARGS_E_NOTFOUND,
	 "no purpose"},
	{"no purpose", {NULL, SARGS_CH_EMAIL, NULL, 0, 0}, SARGS_E_NOTFOUND, "no purpose"},
};

/* Requests the law does not allow are refused before anything is read, for
 * the audience and the export alike, and nothing is recorded */
static void test_request_refusals(void **state)
{
	struct fixture *fx = *state;
	struct sargs_export_opts opts = {BASE_URL, 0, 0, NULL, 0};
	struct camp_list cl;

	build_mix(fx);
	for (size_t i = 0; i < N_ROWS(req_rows); i++) {
		const struct req_row *r = &req_rows[i];
		struct sargs_audience a;
		struct sargs_err err;
		int64_t before = audit_count(fx), cid = -1;
		FILE *out = tmpfile();
		enum sargs_rc rc;

		assert_non_null(out);
		rc = sargs_campaign_audience(fx->reg, &r->req, 1, &a, &err);
		if (rc != r->expect || strstr(err.msg, r->message) == NULL)
			fail_msg("row %zu (%s): audience rc %d (%s), expected %d with \"%s\"", i,
				 r->rule, rc, err.msg, r->expect, r->message);
		assert_null(a.ids);
		rc = sargs_campaign_export(fx->reg, &r->req, &opts, out, &a, &cid, &err);
		if (rc != r->expect || strstr(err.msg, r->message) == NULL)
			fail_msg("row %zu (%s): export rc %d (%s), expected %d with \"%s\"", i,
				 r->rule, rc, err.msg, r->expect, r->message);
		assert_int_equal(cid, 0);
		assert_int_equal(ftell(out), 0);
		fclose(out);
		assert_int_equal(audit_count(fx), before);
	}
	campaigns(fx, &cl);
	assert_int_equal(cl.n, 0);
}

/* ---- export -------------------------------------------------------------- */

/* A parsed CSV export (RFC 4180 quoting). */
#define CSV_ROWS 64
#define CSV_COLS 16

struct csv {
	size_t n_rows;
	size_t n_cols[CSV_ROWS];
	char *cell[CSV_ROWS][CSV_COLS];
	char *text;
};

static void csv_free(struct csv *c)
{
	for (size_t r = 0; r < c->n_rows; r++)
		for (size_t k = 0; k < c->n_cols[r]; k++)
			free(c->cell[r][k]);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

static char *read_all(FILE *f)
{
	long n;
	char *buf;

	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	return buf;
}

static void csv_parse(FILE *f, struct csv *c)
{
	const char *s;
	char cell[1024];
	size_t len = 0;

	memset(c, 0, sizeof(*c));
	c->text = read_all(f);
	s = c->text;
	while (*s != '\0') {
		size_t row = c->n_rows;

		assert_true(row < CSV_ROWS);
		for (;;) {
			len = 0;
			if (*s == '"') {
				for (s++;; s++) {
					assert_true(*s != '\0');
					if (*s == '"' && s[1] == '"') {
						s++;
					} else if (*s == '"') {
						s++;
						break;
					}
					assert_true(len < sizeof(cell) - 1);
					cell[len++] = *s;
				}
			} else {
				while (*s != ',' && *s != '\r' && *s != '\n' && *s != '\0') {
					assert_true(len < sizeof(cell) - 1);
					cell[len++] = *s++;
				}
			}
			cell[len] = '\0';
			assert_true(c->n_cols[row] < CSV_COLS);
			c->cell[row][c->n_cols[row]] = strdup(cell);
			assert_non_null(c->cell[row][c->n_cols[row]]);
			c->n_cols[row]++;
			if (*s == ',') {
				s++;
				continue;
			}
			/* records end with CRLF (RFC 4180 §2) */
			assert_true(s[0] == '\r' && s[1] == '\n');
			s += 2;
			break;
		}
		c->n_rows++;
	}
}

/* Exports req with extra fields; parses the CSV into c. */
static int64_t export_csv(struct fixture *fx, const struct sargs_audience_req *req,
			  const char *const *fields, size_t n_fields, int link_days, struct csv *c,
			  struct sargs_audience *summary)
{
	struct sargs_export_opts opts = {BASE_URL, link_days, 0, fields, n_fields};
	struct sargs_err err;
	int64_t cid = 0;
	FILE *out = tmpfile();

	assert_non_null(out);
	if (sargs_campaign_export(fx->reg, req, &opts, out, summary, &cid, &err) != SARGS_OK)
		fail_msg("export: %s", err.msg);
	csv_parse(out, c);
	fclose(out);
	return cid;
}

/* The token of a row's unsubscribe URL (BASE/u/TOKEN). */
static const char *row_token(const struct csv *c, size_t row, size_t url_col)
{
	const char *url = c->cell[row][url_col];

	assert_int_equal(strncmp(url, "https://zimes.example.lv/u/", 27), 0);
	return url + 27;
}

/* The newsletter export row of a member (its token), or NULL. */
static const char *token_of(const struct csv *c, const char *email)
{
	for (size_t r = 1; r < c->n_rows; r++)
		if (strcmp(c->cell[r][0], email) == 0)
			return row_token(c, r, c->n_cols[r] - 3);
	return NULL;
}

struct audit_scan {
	const char *subject;
	int export_entries;
	int bad_fields;
	int value_hits;
	int run_entries;
	char detail[64];
	const char *values[4];
};

static int export_audit_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct audit_scan *a = ctx;
	const char *parts[] = {r->actor, r->action, r->subject_id, r->fields, r->purpose,
			       r->channel, r->detail};

	for (size_t i = 0; i < N_ROWS(parts); i++)
		for (size_t k = 0; k < N_ROWS(a->values) && a->values[k] != NULL; k++)
			if (parts[i] != NULL && strstr(parts[i], a->values[k]) != NULL)
				a->value_hits++;
	if (strcmp(r->action, "campaign.run") == 0)
		a->run_entries++;
	if (strcmp(r->action, "campaign.export") != 0 || r->subject_id == NULL ||
	    strcmp(r->subject_id, a->subject) != 0)
		return 0;
	a->export_entries++;
	(void)snprintf(a->detail, sizeof(a->detail), "%s", r->detail ? r->detail : "");
	/* only the exported fields are named */
	if (r->fields == NULL || (strcmp(r->fields, "email,first_name") != 0 &&
				  strcmp(r->fields, "first_name,email") != 0))
		a->bad_fields++;
	if (r->purpose == NULL || strcmp(r->purpose, "newsletter") != 0)
		a->bad_fields++;
	return 0;
}

/*
 * RFC 8058; GDPR Art. 5(1)(c): the export holds, per recipient, only the
 * channel's field and the requested fields the purpose lists, the basis, a
 * personal HTTPS unsubscribe link and the List-Unsubscribe /
 * List-Unsubscribe-Post header values; the run is recorded with its audience
 * size and registry version, and each recipient's read is audited naming
 * only the exported fields
 */
static void test_export_csv(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
	static const char *const fields[] = {"first_name"};
	static const char *const header[] = {"email",           "first_name",
					     "basis",           "unsubscribe_url",
					     "list_unsubscribe", "list_unsubscribe_post"};
	struct sargs_audience sum;
	struct camp_list cl;
	struct csv c;
	int64_t cid;
	char want_detail[64];

	build_mix(fx);
	cid = export_csv(fx, &req, fields, 1, 0, &c, &sum);
	assert_true(cid > 0);
	assert_int_equal(sum.allowed, 3);
	assert_int_equal(c.n_rows, 1 + 3);
	assert_int_equal(c.n_cols[0], N_ROWS(header));
	for (size_t k = 0; k < N_ROWS(header); k++)
		assert_string_equal(c.cell[0][k], header[k]);
	for (size_t r = 1; r < c.n_rows; r++) {
		const struct member *m = member_by_email(fx, c.cell[r][0]);
		char lu[512];

		assert_int_equal(c.n_cols[r], N_ROWS(header));
		assert_non_null(m);
		assert_int_equal(m->nl, SARGS_R_CONSENT_GIVEN);
		assert_string_equal(c.cell[r][1], "Ilze");
		assert_string_equal(c.cell[r][2], "consent_given");
		/* one slash: the base URL's trailing slash is not doubled */
		assert_true(strlen(row_token(&c, r, 3)) > 40);
		(void)snprintf(lu, sizeof(lu), "<%s>", c.cell[r][3]);
		assert_string_equal(c.cell[r][4], lu);
		assert_string_equal(c.cell[r][5], "List-Unsubscribe=One-Click");
		/* tokens are personal: no two rows share one */
		for (size_t q = 1; q < r; q++)
			assert_string_not_equal(c.cell[q][3], c.cell[r][3]);
		/* the token reveals nothing about whom it is for */
		assert_null(strstr(c.cell[r][3], m->id));
	}
	/* nobody excluded is in the file */
	for (size_t i = 0; i < fx->n; i++)
		if (!reason_allows(fx->m[i].nl))
			assert_null(strstr(c.text, fx->m[i].email));
	/* the run is recorded */
	campaigns(fx, &cl);
	assert_int_equal(cl.n, 1);
	assert_int_equal(cl.id[0], cid);
	assert_int_equal(cl.audience[0], 3);
	assert_int_equal(cl.registry_version[0], fx->reg->registry_version);
	assert_true(cl.registry_version[0] >= 1);
	assert_string_equal(cl.purpose[0], "newsletter");
	assert_string_equal(cl.channel[0], "email");
	assert_string_equal(cl.line[0], "signs");
	{
		json_error_t jerr;
		json_t *ex = json_loads(cl.excluded[0], 0, &jerr);

		assert_non_null(ex);
		assert_int_equal(json_integer_value(json_object_get(ex, "consent_withdrawn")), 1);
		assert_int_equal(json_integer_value(json_object_get(ex, "consent_preticked")), 1);
		assert_int_equal(json_integer_value(json_object_get(ex, "under_18")), 1);
		assert_int_equal(json_integer_value(json_object_get(ex, "red_zone")), 1);
		assert_int_equal(json_integer_value(json_object_get(ex, "restricted")), 1);
		assert_int_equal(
			json_integer_value(json_object_get(ex, "objected_direct_marketing")), 1);
		assert_int_equal(json_integer_value(json_object_get(ex, "no_consent")), 1);
		json_decref(ex);
	}
	/* each recipient's read is audited, naming only the exported fields */
	(void)snprintf(want_detail, sizeof(want_detail), "campaign:%lld", (long long)cid);
	for (size_t i = 0; i < fx->n; i++) {
		struct audit_scan a;
		struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};

		memset(&a, 0, sizeof(a));
		a.subject = fx->m[i].id;
		a.values[0] = fx->m[i].email;
		a.values[1] = "Ilze";
		a.values[2] = "Berzins";
		assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, export_audit_cb, &a),
				 SARGS_OK);
		assert_int_equal(a.export_entries, reason_allows(fx->m[i].nl) ? 1 : 0);
		assert_int_equal(a.bad_fields, 0);
		assert_int_equal(a.value_hits, 0);
		assert_int_equal(a.run_entries, 1);
		if (a.export_entries)
			assert_string_equal(a.detail, want_detail);
	}
	sargs_audience_free(&sum);
	csv_free(&c);
}

/* GDPR Art. 5(1)(c): the letter export has the postal address (the channel's
 * field) and the basis legitimate interests (existing customers who could
 * refuse, mission §4) */
static void test_export_post(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req = {"customer_offers", SARGS_CH_POST, NULL, 0, 0};
	struct sargs_audience sum;
	struct csv c;
	size_t expected = 0;

	build_mix(fx);
	for (size_t i = 0; i < fx->n; i++)
		expected += reason_allows(fx->m[i].co_post);
	assert_true(expected >= 1);
	assert_true(export_csv(fx, &req, NULL, 0, 0, &c, &sum) > 0);
	assert_int_equal(c.n_rows, 1 + expected);
	assert_string_equal(c.cell[0][0], "postal_address");
	assert_string_equal(c.cell[0][1], "basis");
	for (size_t r = 1; r < c.n_rows; r++) {
		assert_string_equal(c.cell[r][0], "Brivibas iela 10, Riga");
		assert_string_equal(c.cell[r][1], "legitimate_interests");
	}
	/* no e-mail leaves with the letters */
	assert_null(strstr(c.text, "@example.lv"));
	sargs_audience_free(&sum);
	csv_free(&c);
}

/* The JSON-lines export carries the same: the field, the basis and the
 * RFC 8058 values */
static void test_export_json_lines(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req = {"customer_offers", SARGS_CH_EMAIL, NULL, 0, 0};
	struct sargs_export_opts opts = {"https://zimes.example.lv", 30, 1, NULL, 0};
	struct sargs_audience sum;
	struct sargs_err err;
	int64_t cid = 0;
	FILE *out = tmpfile();
	char *text, *line, *save = NULL;
	size_t lines = 0;

	assert_non_null(out);
	build_mix(fx);
	assert_int_equal(sargs_campaign_export(fx->reg, &req, &opts, out, &sum, &cid, &err),
			 SARGS_OK);
	text = read_all(out);
	fclose(out);
	for (line = strtok_r(text, "\n", &save); line != NULL; line = strtok_r(NULL, "\n", &save)) {
		json_error_t jerr;
		json_t *o = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
		const char *url, *basis;
		char lu[512];

		if (o == NULL)
			fail_msg("not JSON: %s", jerr.text);
		assert_int_equal(json_object_size(o), 5);
		assert_non_null(member_by_email(fx, json_string_value(json_object_get(o, "email"))));
		basis = json_string_value(json_object_get(o, "basis"));
		assert_true(strcmp(basis, "soft_opt_in") == 0 ||
			    strcmp(basis, "consent_given") == 0);
		url = json_string_value(json_object_get(o, "unsubscribe_url"));
		assert_int_equal(strncmp(url, "https://zimes.example.lv/u/", 27), 0);
		(void)snprintf(lu, sizeof(lu), "<%s>", url);
		assert_string_equal(json_string_value(json_object_get(o, "list_unsubscribe")), lu);
		assert_string_equal(json_string_value(json_object_get(o, "list_unsubscribe_post")),
				    "List-Unsubscribe=One-Click");
		json_decref(o);
		lines++;
	}
	assert_int_equal(lines, (size_t)sum.allowed);
	free(text);
	sargs_audience_free(&sum);
}

struct export_row {
	const char *rule;
	const char *base_url;
	const char *field;
	int link_days;
	enum sargs_rc expect;
	const char *message;
};

static const struct export_row export_rows[] = {
	{"GDPR Art. 5(1)(c): a field the purpose does not list is refused", BASE_URL, "phone", 0,
	 SARGS_E_DENIED, "does not use field \"phone\""},
	{"GDPR Art. 5(1)(c): the personal code never leaves with a mailing", BASE_URL,
	 "personal_code", 0, SARGS_E_DENIED, "does not use field"},
	{"RFC 8058: the unsubscribe link is HTTPS", "http://zimes.example.lv", NULL, 0,
	 SARGS_E_INVALID, "https://"},
	{"RFC 8058: no base URL", NULL, NULL, 0, SARGS_E_INVALID, "https://"},
	{"RFC 8058: a base URL with a space cannot be a header value",
	 "https://zimes.example.lv/a b", NULL, 0, SARGS_E_INVALID, "https://"},
	{"RFC 8058: a base URL with '>' would break the List-Unsubscribe value",
	 "https://zimes.example.lv/>", NULL, 0, SARGS_E_INVALID, "https://"},
	{"link validity is bounded", BASE_URL, NULL, 4000, SARGS_E_INVALID, "validity"},
	{"link validity cannot be negative", BASE_URL, NULL, -1, SARGS_E_INVALID, "validity"},
};

/* Export options the law or RFC 8058 do not allow are refused and nothing is
 * recorded or written */
static void test_export_refusals(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
	struct camp_list cl;

	build_mix(fx);
	for (size_t i = 0; i < N_ROWS(export_rows); i++) {
		const struct export_row *r = &export_rows[i];
		const char *fields[1] = {r->field};
		struct sargs_export_opts opts = {r->base_url, r->link_days, 0, fields,
						 r->field ? 1 : 0};
		struct sargs_audience sum;
		struct sargs_err err;
		int64_t before = audit_count(fx), cid = -1;
		FILE *out = tmpfile();
		enum sargs_rc rc;

		assert_non_null(out);
		rc = sargs_campaign_export(fx->reg, &req, &opts, out, &sum, &cid, &err);
		if (rc != r->expect || strstr(err.msg, r->message) == NULL)
			fail_msg("row %zu (%s): rc %d (%s), expected %d with \"%s\"", i, r->rule, rc,
				 err.msg, r->expect, r->message);
		assert_int_equal(ftell(out), 0);
		fclose(out);
		assert_int_equal(cid, 0);
		assert_int_equal(audit_count(fx), before);
	}
	campaigns(fx, &cl);
	assert_int_equal(cl.n, 0);
}

/* ---- unsubscribe (RFC 8058; GDPR Art. 7(3), 21(3)) ----------------------- */

static void unsubscribe_ok(struct fixture *fx, const char *token, const char *id,
			   const char *purpose, int changed, const char *what)
{
	struct sargs_unsub_result u;
	struct sargs_err err;

	if (sargs_unsubscribe(fx->reg, token, &u, &err) != SARGS_OK)
		fail_msg("unsubscribe: %s", err.msg);
	assert_string_equal(u.subject_id, id);
	assert_string_equal(u.purpose, purpose);
	assert_int_equal(u.changed, changed);
	assert_string_equal(u.what, what);
}

struct event_count {
	int withdrawn_by_link;
	int n;
};

static int event_cb(void *ctx, int64_t seq, const char *purpose, const char *event,
		    int64_t time_us, const char *receipt)
{
	struct event_count *e = ctx;

	(void)seq;
	(void)purpose;
	(void)time_us;
	e->n++;
	{
		/* parsed, not matched as text: the stored layout is not the point */
		json_t *doc = json_loads(receipt, 0, NULL);
		const char *how = json_string_value(
			json_object_get(json_object_get(doc, "receipt"), "collectionMethod"));

		if (how != NULL && strcmp(how, "unsubscribe_link") == 0)
			e->withdrawn_by_link += strcmp(event, "consent.withdrawn") == 0 ||
						strcmp(event, "objection") == 0;
		json_decref(doc);
	}
	return 0;
}

/* RFC 8058 one-click unsubscribe; GDPR Art. 7(3): a row's link withdraws the
 * consent at once, without a login; the person leaves the audience; a second
 * click is idempotent */
static void test_unsubscribe_consent_purpose(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
	static const char *const fields[] = {"first_name"};
	const struct member *m;
	struct sargs_audience sum;
	struct event_count ev = {0, 0};
	struct sargs_err err;
	struct csv c;
	const char *tok;
	int64_t before;

	build_mix(fx);
	m = member_by_role(fx, "GDPR Art. 6(1)(a) consented");
	assert_true(export_csv(fx, &req, fields, 1, 0, &c, &sum) > 0);
	tok = token_of(&c, m->email);
	assert_non_null(tok);
	assert_true(in_audience(fx, &req, m->id));
	unsubscribe_ok(fx, tok, m->id, "newsletter", 1, "consent withdrawn");
	expect(fx, "RFC 8058 + GDPR Art. 7(3) withdrawn at once", m->id, "newsletter",
	       SARGS_CH_EMAIL, 0, SARGS_R_CONSENT_WITHDRAWN);
	assert_false(in_audience(fx, &req, m->id));
	assert_int_equal(sargs_consent_history(fx->reg, m->id, event_cb, &ev, &err), SARGS_OK);
	assert_int_equal(ev.withdrawn_by_link, 1);
	/* idempotent: nothing changes the second time */
	before = audit_count(fx);
	unsubscribe_ok(fx, tok, m->id, "newsletter", 0, "consent withdrawn");
	assert_int_equal(audit_count(fx), before);
	ev = (struct event_count){0, 0};
	assert_int_equal(sargs_consent_history(fx->reg, m->id, event_cb, &ev, &err), SARGS_OK);
	assert_int_equal(ev.withdrawn_by_link, 1);
	/* the others on the list are untouched */
	for (size_t r = 1; r < c.n_rows; r++) {
		const struct member *o = member_by_email(fx, c.cell[r][0]);

		if (o != m)
			assert_true(in_audience(fx, &req, o->id));
	}
	sargs_audience_free(&sum);
	csv_free(&c);
}

/* RFC 8058; GDPR Art. 21(2)-(3): on a legitimate-interest purpose (soft
 * opt-in) the link records an objection, which stops e-mail and post */
static void test_unsubscribe_li_purpose(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req = {"customer_offers", SARGS_CH_EMAIL, NULL, 0, 0};
	struct sargs_audience_req post = {"customer_offers", SARGS_CH_POST, NULL, 0, 0};
	const struct member *m;
	struct sargs_audience sum;
	struct csv c;
	const char *tok;

	build_mix(fx);
	m = member_by_role(fx, "ePrivacy Art. 13(2) soft opt-in, with a postal address");
	assert_true(export_csv(fx, &req, NULL, 0, 0, &c, &sum) > 0);
	tok = token_of(&c, m->email);
	assert_non_null(tok);
	assert_true(in_audience(fx, &post, m->id));
	unsubscribe_ok(fx, tok, m->id, "customer_offers", 1, "objection recorded");
	expect(fx, "GDPR Art. 21(3) objection by the link: e-mail", m->id, "customer_offers",
	       SARGS_CH_EMAIL, 0, SARGS_R_OBJECTED);
	expect(fx, "GDPR Art. 21(3) objection by the link: post", m->id, "customer_offers",
	       SARGS_CH_POST, 0, SARGS_R_OBJECTED);
	assert_false(in_audience(fx, &req, m->id));
	assert_false(in_audience(fx, &post, m->id));
	expect(fx, "GDPR Art. 21: the contract goes on", m->id, "service", 0, 1,
	       SARGS_R_CONTRACT);
	unsubscribe_ok(fx, tok, m->id, "customer_offers", 0, "objection recorded");
	sargs_audience_free(&sum);
	csv_free(&c);
}

/* The state that an unsubscribe must not change: the decisions and the trail. */
struct snapshot {
	int64_t audit;
	int allowed_nl, allowed_co;
};

static struct snapshot snap(struct fixture *fx, const char *id)
{
	struct sargs_policy_decision d;
	struct sargs_err err;
	struct snapshot s;

	s.audit = audit_count(fx);
	assert_int_equal(sargs_policy_check(fx->reg, id, "newsletter", SARGS_CH_EMAIL, &d, &err),
			 SARGS_OK);
	s.allowed_nl = d.allowed;
	assert_int_equal(
		sargs_policy_check(fx->reg, id, "customer_offers", SARGS_CH_EMAIL, &d, &err),
		SARGS_OK);
	s.allowed_co = d.allowed;
	return s;
}

static void unchanged(struct fixture *fx, const char *id, const struct snapshot *before,
		      const char *what)
{
	struct snapshot now = snap(fx, id);

	if (now.audit != before->audit || now.allowed_nl != before->allowed_nl ||
	    now.allowed_co != before->allowed_co)
		fail_msg("%s changed the register", what);
}

static void unsubscribe_refused(struct fixture *fx, const char *token, const char *id,
				enum sargs_rc expect_rc, const char *what)
{
	struct snapshot before = snap(fx, id);
	struct sargs_unsub_result u;
	struct sargs_err err;
	enum sargs_rc rc;

	sargs_err_clear(&err);
	rc = sargs_unsubscribe(fx->reg, token, &u, &err);
	if (rc != expect_rc)
		fail_msg("%s: rc %d (%s), expected %d", what, rc, err.msg, expect_rc);
	assert_int_equal(u.changed, 0);
	unchanged(fx, id, &before, what);
}

/* RFC 8058 one-click unsubscribe: idempotent, forged/altered/expired token
 * changes nothing: each of the first 20 characters altered in turn, a token
 * of another kind, a made-up one, an empty one; and a link past its validity
 * (SARGS_E_DENIED), while one just before still works */
static void test_unsubscribe_forged_altered_expired(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
	const struct member *grey, *green;
	struct sargs_audience sum;
	struct csv c;
	char tok[SARGS_TOKEN_MAX], alt[SARGS_TOKEN_MAX + 8], other[SARGS_TOKEN_MAX];
	unsigned char payload[SARGS_TOKEN_PAYLOAD_MAX];
	const char *green_tok;

	build_mix(fx);
	grey = member_by_role(fx, "003 grey zone: old but proper consent");
	green = member_by_role(fx, "003 green zone: consent re-confirmed");
	assert_true(export_csv(fx, &req, NULL, 0, 30, &c, &sum) > 0);
	assert_non_null(token_of(&c, grey->email));
	(void)snprintf(tok, sizeof(tok), "%s", token_of(&c, grey->email));
	green_tok = token_of(&c, green->email);
	assert_non_null(green_tok);
	assert_true(strlen(tok) > 20);
	for (size_t i = 0; i < 20; i++) {
		char what[64];

		(void)snprintf(alt, sizeof(alt), "%s", tok);
		alt[i] = alt[i] == 'A' ? 'B' : 'A';
		(void)snprintf(what, sizeof(what), "RFC 8058: character %zu altered", i);
		unsubscribe_refused(fx, alt, grey->id, SARGS_E_INVALID, what);
	}
	/* cut short, lengthened */
	(void)snprintf(alt, sizeof(alt), "%.*s", (int)strlen(tok) - 1, tok);
	unsubscribe_refused(fx, alt, grey->id, SARGS_E_INVALID, "RFC 8058: token cut short");
	(void)snprintf(alt, sizeof(alt), "%sAA", tok);
	unsubscribe_refused(fx, alt, grey->id, SARGS_E_INVALID, "RFC 8058: token lengthened");
	/* the same payload as another kind of link (a preferences link) */
	assert_int_equal(sargs_uuid_to_bytes(grey->id, payload), SARGS_OK);
	memcpy(payload + SARGS_UUID_BYTES, "newsletter", 10);
	assert_int_equal(sargs_token_make(fx->reg->keys, "prefs", payload, SARGS_UUID_BYTES + 10,
					  today_us() + 30 * DAY_US, other),
			 SARGS_OK);
	unsubscribe_refused(fx, other, grey->id, SARGS_E_INVALID,
			    "RFC 8058: a token of another kind");
	/* made up */
	memset(alt, 'Q', 100);
	alt[100] = '\0';
	unsubscribe_refused(fx, alt, grey->id, SARGS_E_INVALID, "RFC 8058: a forged token");
	unsubscribe_refused(fx, "", grey->id, SARGS_E_INVALID, "RFC 8058: an empty token");
	unsubscribe_refused(fx, "../../etc/passwd", grey->id, SARGS_E_INVALID,
			    "RFC 8058: not a token");
	assert_true(in_audience(fx, &req, grey->id));
	/* validity: 30 days; the last moment still works */
	sargs_time_set_fixed(today_us() + 30 * DAY_US);
	unsubscribe_ok(fx, green_tok, green->id, "newsletter", 1, "consent withdrawn");
	sargs_time_set_fixed(today_us() + 30 * DAY_US + 1);
	unsubscribe_refused(fx, tok, grey->id, SARGS_E_DENIED, "RFC 8058: an expired token");
	{
		struct sargs_unsub_result u;
		struct sargs_err err;

		assert_int_equal(sargs_unsubscribe(fx->reg, tok, &u, &err), SARGS_E_DENIED);
		assert_non_null(strstr(err.msg, "expired"));
	}
	expect(fx, "an expired link changes nothing", grey->id, "newsletter", SARGS_CH_EMAIL, 1,
	       SARGS_R_CONSENT_GIVEN);
	sargs_audience_free(&sum);
	csv_free(&c);
}

/* GDPR Art. 17: a link in an old mail of a person erased since: OK, says the
 * person is no longer in the register, changes nothing */
static void test_unsubscribe_erased_subject(void **state)
{
	struct fixture *fx = *state;
	struct sargs_audience_req req = {"newsletter", SARGS_CH_EMAIL, NULL, 0, 0};
	const struct member *m;
	struct sargs_audience sum;
	struct sargs_unsub_result u;
	struct sargs_err err;
	struct csv c;
	int64_t before;

	build_mix(fx);
	m = member_by_role(fx, "GDPR Art. 6(1)(a) consented");
	assert_true(export_csv(fx, &req, NULL, 0, 0, &c, &sum) > 0);
	assert_non_null(token_of(&c, m->email));
	assert_int_equal(sargs_subject_erase(fx->reg, m->id, "request", &err), SARGS_OK);
	before = audit_count(fx);
	assert_int_equal(sargs_unsubscribe(fx->reg, token_of(&c, m->email), &u, &err), SARGS_OK);
	assert_string_equal(u.what, "no longer in the register");
	assert_int_equal(u.changed, 0);
	assert_int_equal(audit_count(fx), before);
	/* a token made for a subject, then erased, the LI purpose */
	{
		const struct member *cust =
			member_by_role(fx, "ePrivacy Art. 13(2) soft opt-in, no postal address");
		char tok[SARGS_TOKEN_MAX];

		assert_int_equal(sargs_unsub_token(fx->reg, cust->id, "customer_offers", 10, tok,
						   sizeof(tok)),
				 SARGS_OK);
		assert_int_equal(sargs_subject_erase(fx->reg, cust->id, "request", &err), SARGS_OK);
		assert_int_equal(sargs_unsubscribe(fx->reg, tok, &u, &err), SARGS_OK);
		assert_string_equal(u.what, "no longer in the register");
		assert_int_equal(u.changed, 0);
	}
	sargs_audience_free(&sum);
	csv_free(&c);
}

/* ---- relation.h: purchases and contracts --------------------------------- */

static int line_count_cb(void *ctx, const struct sargs_store_line *l)
{
	(void)l;
	(*(int *)ctx)++;
	return 0;
}

static int lines_of(struct fixture *fx, const char *id)
{
	int n = 0;

	assert_int_equal(sargs_store_lines(fx->reg->store, id, line_count_cb, &n), SARGS_OK);
	return n;
}

/* ePrivacy Art. 13(2): a purchase records whether the person could refuse;
 * refusing without having been offered the choice is not possible, a
 * purchase cannot be in the future, and an erased person buys nothing */
static void test_purchase_refusals(void **state)
{
	struct fixture *fx = *state;
	struct sargs_purchase_result pr;
	struct sargs_err err;
	struct member *m;
	int64_t before;

	m = customer(fx, "service", "a customer", NONE, NONE, 0);
	before = audit_count(fx);
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "signs", today_day(), 0, 1, &pr,
					       &err),
			 SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "offered"));
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "signs", today_day() + 2, 1, 0, &pr,
					       &err),
			 SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "future"));
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "Signs!", today_day(), 1, 0, &pr,
					       &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, NULL, today_day(), 1, 0, &pr, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_purchase_record(fx->reg, "not-a-uuid", "signs", today_day(), 1, 0,
					       &pr, &err),
			 SARGS_E_INVALID);
	assert_int_equal(pr.n_linked, 0);
	assert_int_equal(lines_of(fx, m->id), 0);
	assert_int_equal(audit_count(fx), before);
	expect(fx, "nothing recorded: not linked to offers", m->id, "customer_offers",
	       SARGS_CH_EMAIL, 0, SARGS_R_NOT_LINKED);
	/* today is fine */
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "signs", today_day(), 1, 0, &pr,
					       &err),
			 SARGS_OK);
	assert_int_equal(lines_of(fx, m->id), 1);
	/* erased */
	assert_int_equal(sargs_subject_erase(fx->reg, m->id, "request", &err), SARGS_OK);
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "signs", today_day(), 1, 0, &pr,
					       &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(lines_of(fx, m->id), 0);
}

/* ePrivacy Art. 13(2) soft opt-in only for the product line bought, only if
 * offered the refusal and not refused; 002 §2 a contact is linked only when
 * the purpose's required field (the e-mail) was collected */
static void test_purchase_soft_opt_in_links(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv no_mail[] = {{"first_name", "Peteris"}, {"last_name", "Lacis"}};
	struct sargs_purchase_result pr;
	struct sargs_err err;
	struct member *m;
	char id[SARGS_UUID_STR];

	m = customer(fx, "service", "buys printing, then signs", NONE, NONE, 0);
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "printing", today_day(), 1, 0, &pr,
					       &err),
			 SARGS_OK);
	assert_int_equal(pr.n_linked, 0);
	expect(fx, "ePrivacy Art. 13(2) soft opt-in only for the product line bought", m->id,
	       "customer_offers", SARGS_CH_EMAIL, 0, SARGS_R_NOT_LINKED);
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "signs", today_day(), 0, 0, &pr,
					       &err),
			 SARGS_OK);
	assert_int_equal(pr.n_linked, 0);
	expect(fx, "ePrivacy Art. 13(2) only if offered the refusal", m->id, "customer_offers",
	       SARGS_CH_EMAIL, 0, SARGS_R_NOT_LINKED);
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "signs", today_day(), 1, 1, &pr,
					       &err),
			 SARGS_OK);
	assert_int_equal(pr.n_linked, 0);
	expect(fx, "ePrivacy Art. 13(2) not if refused", m->id, "customer_offers", SARGS_CH_EMAIL,
	       0, SARGS_R_NOT_LINKED);

	m = customer(fx, "service", "buys signs, could refuse, did not", NONE, NONE, 0);
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "signs", today_day() - 1, 1, 0, &pr,
					       &err),
			 SARGS_OK);
	assert_int_equal(pr.n_linked, 1);
	assert_string_equal(pr.linked[0], "customer_offers");
	expect(fx, "ePrivacy Art. 13(2) soft opt-in", m->id, "customer_offers", SARGS_CH_EMAIL, 1,
	       SARGS_R_SOFT_OPT_IN);
	/* a second purchase links nothing new */
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "signs", today_day(), 1, 0, &pr,
					       &err),
			 SARGS_OK);
	assert_int_equal(pr.n_linked, 0);
	/* GDPR Art. 21(2): refusing at a later sale stops the offers */
	assert_int_equal(sargs_purchase_record(fx->reg, m->id, "signs", today_day(), 1, 1, &pr,
					       &err),
			 SARGS_OK);
	expect(fx, "GDPR Art. 21(2) refused at a later sale", m->id, "customer_offers",
	       SARGS_CH_EMAIL, 0, SARGS_R_REFUSED_AT_COLLECTION);

	/* no e-mail collected: nothing to link (the purpose requires it) */
	add(fx, "accounting", no_mail, N_ROWS(no_mail), id);
	assert_int_equal(sargs_purchase_record(fx->reg, id, "signs", today_day(), 1, 0, &pr, &err),
			 SARGS_OK);
	assert_int_equal(pr.n_linked, 0);
	expect(fx, "002 §2 no e-mail was collected: no soft opt-in", id, "customer_offers",
	       SARGS_CH_EMAIL, 0, SARGS_R_NOT_LINKED);
}

/*
 * GDPR Art. 5(1)(e); 001 §10; 004 §4.5-4.6: contract data is kept until the
 * contract ends, then for the claims period: "service" keeps it P3Y from the
 * contract's end (the same date three years on, Reg. 1182/71 Art. 3(2)(c)):
 * allowed on the last day, refused the day after; accounting (P5Y) goes on.
 */
static void test_contract_retention(void **state)
{
	struct fixture *fx = *state;
	const struct sargs_kv kv[] = {{"first_name", "Anna"},
				      {"last_name", "Ozola"},
				      {"email", "anna@example.lv"}};
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	int64_t no = 0, no2 = 0;
	int32_t start = (int32_t)sargs_days_from_civil(2020, 1, 10);
	int32_t end = (int32_t)sargs_days_from_civil(2022, 6, 20);
	int64_t last_day = sargs_days_from_civil(2025, 6, 20) * DAY_US;

	add(fx, "service,accounting", kv, N_ROWS(kv), id);
	assert_int_equal(sargs_contract_start(fx->reg, id, "signs", start, &no, &err), SARGS_OK);
	assert_true(no > 0);
	expect(fx, "GDPR Art. 6(1)(b) a running contract", id, "service", 0, 1, SARGS_R_CONTRACT);
	/* the end cannot come before the start */
	assert_int_equal(sargs_contract_finish(fx->reg, id, no, start - 1, &err), SARGS_E_INVALID);
	assert_int_equal(sargs_contract_finish(fx->reg, id, no + 100, end, &err),
			 SARGS_E_NOTFOUND);
	assert_int_equal(sargs_contract_finish(fx->reg, id, no, end, &err), SARGS_OK);
	/* ending twice */
	assert_int_equal(sargs_contract_finish(fx->reg, id, no, end + 1, &err), SARGS_E_EXISTS);
	assert_non_null(strstr(err.msg, "already ended"));
	expect(fx, "004 §4.6 within the claims period after the contract: kept, not used", id,
	       "service", 0, 0, SARGS_R_CONTRACT_ENDED);
	sargs_time_set_fixed(last_day + 23LL * 3600 * 1000000);
	expect(fx, "GDPR Art. 5(1)(e) the last day of P3Y from the contract's end: still kept",
	       id, "service", 0, 0, SARGS_R_CONTRACT_ENDED);
	sargs_time_set_fixed(last_day + DAY_US);
	expect(fx, "GDPR Art. 5(1)(e) the day after: retention over", id, "service", 0, 0,
	       SARGS_R_RETENTION_OVER);
	expect(fx, "Accounting Law: P5Y from the contract's end goes on", id, "accounting", 0, 1,
	       SARGS_R_LEGAL_OBLIGATION);
	/* a new contract: the data is needed again while it runs, and retention
	 * counts from the latest end */
	assert_int_equal(sargs_contract_start(fx->reg, id, NULL, sargs_today(), &no2, &err),
			 SARGS_OK);
	assert_true(no2 != no);
	expect(fx, "GDPR Art. 6(1)(b) a new running contract", id, "service", 0, 1,
	       SARGS_R_CONTRACT);
	assert_int_equal(sargs_contract_finish(fx->reg, id, no2, sargs_today(), &err), SARGS_OK);
	expect(fx, "retention counts from the latest end", id, "service", 0, 1, SARGS_R_CONTRACT);
	/* bad input, erased */
	assert_int_equal(sargs_contract_start(fx->reg, id, "Signs!", start, &no, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_subject_erase(fx->reg, id, "request", &err), SARGS_OK);
	assert_int_equal(sargs_contract_start(fx->reg, id, "signs", start, &no, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
	assert_int_equal(sargs_contract_finish(fx->reg, id, no2, today_day(), &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "erased"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_mix_single_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audience_counts_by_reason, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audience_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audience_on_the_day, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audience_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_request_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_post, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_json_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsubscribe_consent_purpose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsubscribe_li_purpose, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsubscribe_forged_altered_expired, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unsubscribe_erased_subject, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purchase_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purchase_soft_opt_in_links, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contract_retention, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
