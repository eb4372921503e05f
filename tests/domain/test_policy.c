/*
 * test_policy.c — table-driven tests of the policy engine (domain/policy.h):
 * one row per case, each naming the legal rule it checks (mission.md §2-§5,
 * §7). The purposes are built here directly, no registry file; each row's
 * facts start from one default ("an adult customer, linked, with e-mail,
 * consent none") and name only what differs.
 *
 * Expectations come from the law, not from the code under test. Where the
 * engine answers otherwise, the row keeps the legally right expectation and
 * carries an ENGINE_DIFFERS note saying why; such a row fails until
 * src/domain/policy.c is changed (and then the note should go).
 */
#include "testutil.h"

#include "domain/policy.h"
#include "domain/registry.h"
#include "util/timeutil.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

#define READ NULL                /* processing that contacts nobody (channel 0) */
#define TODAY "2025-06-16"       /* the default day of a row */
#define ADULT_BIRTH "1990-05-20" /* the default subject's birthday */
#define LINKED_DAY "2024-01-10"  /* when the default subject's data was collected */

/* ---- notes of the rows where the engine disagrees ----------------------- */


/* ---- the purposes ---------------------------------------------------------- */

/* A newsletter on consent, sent by e-mail or SMS from the web shop. */
static const struct sargs_purpose newsletter = {
	.id = "newsletter",
	.name = "Newsletter",
	.basis = SARGS_BASIS_CONSENT,
	.retention = {.until_objection = 1},
	.online_service = 1,
	.marketing = {.enabled = 1, .channels = SARGS_CH_EMAIL | SARGS_CH_SMS},
};

/* The bakery's offers of new bread to its customers (000): soft opt-in. */
static const struct sargs_purpose bread_offers = {
	.id = "bread_offers",
	.name = "Offers of new bread",
	.basis = SARGS_BASIS_LEGITIMATE_INTERESTS,
	.balancing_test = "customers expect news of what they buy; unsubscribe in every e-mail",
	.retention = {.years = 2, .from = SARGS_RET_LAST_PURCHASE},
	.product_line = "bread",
	.marketing = {.enabled = 1, .channels = SARGS_CH_EMAIL | SARGS_CH_POST, .soft_opt_in = 1},
};

/* The butcher's shop next door (000): another product line, e-mail, SMS, calls. */
static const struct sargs_purpose meat_offers = {
	.id = "meat_offers",
	.name = "Offers of the butcher's shop",
	.basis = SARGS_BASIS_LEGITIMATE_INTERESTS,
	.balancing_test = "customers of the butcher's shop expect its offers",
	.retention = {.until_objection = 1},
	.product_line = "meat",
	.marketing = {.enabled = 1,
		      .channels = SARGS_CH_EMAIL | SARGS_CH_SMS | SARGS_CH_PHONE,
		      .soft_opt_in = 1},
};

/* A children's club on-line: consent, and it may reach minors (004 §7). */
static const struct sargs_purpose kids_club = {
	.id = "kids_club",
	.name = "Children's baking club",
	.basis = SARGS_BASIS_CONSENT,
	.retention = {.until_objection = 1},
	.online_service = 1,
	.marketing = {.enabled = 1, .channels = SARGS_CH_EMAIL, .minors = 1},
};

/* Web-shop orders: contract, kept 3 years after the contract ends (claims). */
static const struct sargs_purpose orders = {
	.id = "orders",
	.name = "Web-shop orders",
	.basis = SARGS_BASIS_CONTRACT,
	.retention = {.years = 3, .from = SARGS_RET_CONTRACT_END},
};

/* Accounting: legal obligation, 5 years after the contract ends. */
static const struct sargs_purpose accounting = {
	.id = "accounting",
	.name = "Accounting",
	.basis = SARGS_BASIS_LEGAL_OBLIGATION,
	.basis_detail = "Accounting Law",
	.retention = {.years = 5, .from = SARGS_RET_CONTRACT_END},
};

/* Fraud checks of web-shop orders: legitimate interests, not marketing. */
static const struct sargs_purpose fraud_checks = {
	.id = "fraud_checks",
	.name = "Fraud checks",
	.basis = SARGS_BASIS_LEGITIMATE_INTERESTS,
	.balancing_test = "preventing card fraud; checks are minimal and kept one year",
	.retention = {.years = 1, .from = SARGS_RET_COLLECTION},
};

static const struct sargs_purpose emergency_contact = {
	.id = "emergency_contact",
	.name = "Emergency contact at club events",
	.basis = SARGS_BASIS_VITAL_INTERESTS,
	.retention = {.until_objection = 1},
};

static const struct sargs_purpose public_register = {
	.id = "public_register",
	.name = "Public register of licence holders",
	.basis = SARGS_BASIS_PUBLIC_TASK,
	.retention = {.until_objection = 1},
};

/* ---- facts: zero everywhere means the default subject ---------------------- */

struct facts {
	int erased;
	int unlinked;
	const char *linked_day;    /* NULL: LINKED_DAY */
	const char *contacts;      /* "email,post"; "" none; NULL: "email" */
	const char *birth;         /* "YYYY-MM-DD" or "unknown"; NULL: ADULT_BIRTH */
	enum sargs_zone zone;
	int restricted;
	int dm_objected;
	int objected;
	enum sargs_consent_state consent;
	const char *consent_day;   /* NULL: unknown */
	int guardian;
	int line_customer;
	int opt_out_offered;
	int opt_out_refused;
	const char *last_purchase; /* NULL: unknown */
	const char *contract_end;  /* NULL: unknown (none, or still running) */
	const char *withdrawn;     /* NULL: unknown */
};

#define GIVEN_ON(d) .consent = SARGS_CONSENT_GIVEN, .consent_day = (d)
#define SOFT_OK .line_customer = 1, .opt_out_offered = 1
#define DEFAULTS {0}

/* "YYYY-MM-DD" or "unknown" to days since 1970-01-01. */
static int32_t day_of(const char *s)
{
	long part[3];
	const char *p = s;
	char *end;
	int i;

	if (strcmp(s, "unknown") == 0)
		return SARGS_DAY_UNKNOWN;
	for (i = 0; i < 3; i++) {
		part[i] = strtol(p, &end, 10);
		if (end == p || (i < 2 && *end != '-') || (i == 2 && *end != '\0'))
			fail_msg("bad date in the test table: \"%s\"", s);
		p = end + 1;
	}
	if (!sargs_date_valid((int)part[0], (int)part[1], (int)part[2]))
		fail_msg("no such date in the test table: \"%s\"", s);
	return (int32_t)sargs_days_from_civil((int)part[0], (int)part[1], (int)part[2]);
}

static int32_t day_or(const char *s, const char *dflt)
{
	return day_of(s != NULL ? s : dflt);
}

/* "email,sms" to channel bits. */
static unsigned channels_of(const char *list)
{
	unsigned bits = 0;

	while (*list != '\0') {
		char name[16];
		size_t n = strcspn(list, ",");
		unsigned ch;

		if (n == 0 || n >= sizeof(name))
			fail_msg("bad channel list in the test table: \"%s\"", list);
		memcpy(name, list, n);
		name[n] = '\0';
		ch = sargs_channel_parse(name);
		if (ch == 0)
			fail_msg("unknown channel in the test table: \"%s\"", name);
		bits |= ch;
		list += n;
		if (*list == ',')
			list++;
	}
	return bits;
}

static void build_facts(const struct facts *o, struct sargs_policy_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->exists = !o->erased;
	f->linked = !o->unlinked;
	f->linked_day = day_or(o->linked_day, LINKED_DAY);
	f->contacts = channels_of(o->contacts != NULL ? o->contacts : "email");
	f->birth_day = day_or(o->birth, ADULT_BIRTH);
	f->zone = o->zone;
	f->restricted = o->restricted;
	f->dm_objected = o->dm_objected;
	f->objected = o->objected;
	f->consent = o->consent;
	f->consent_day = day_or(o->consent_day, "unknown");
	f->guardian_consent = o->guardian;
	f->line_customer = o->line_customer;
	f->opt_out_offered = o->opt_out_offered;
	f->opt_out_refused = o->opt_out_refused;
	f->last_purchase_day = day_or(o->last_purchase, "unknown");
	f->contract_end_day = day_or(o->contract_end, "unknown");
	f->withdrawn_day = day_or(o->withdrawn, "unknown");
}

/* ---- sargs_policy_decide ---------------------------------------------------- */

struct row {
	const char *rule;
	const struct sargs_purpose *purpose;
	const char *channel;        /* READ, or "email", "sms", "phone", "post" */
	const char *today;          /* NULL: TODAY */
	struct facts facts;
	int allowed;
	enum sargs_basis basis;     /* checked when allowed */
	enum sargs_reason reason;
	const char *engine_differs; /* why the engine's answer is wrong, or NULL */
};

#define ALLOW(b, r) .allowed = 1, .basis = (b), .reason = (r)
#define REFUSE(r) .allowed = 0, .reason = (r)

static const struct row rows[] = {
	/* -- consent (mission §3), on the consent newsletter -- */
	{"GDPR Art. 6(1)(a); 004 §5.1a: valid consent allows the newsletter by e-mail",
	 &newsletter, "email", NULL, {GIVEN_ON("2024-01-10")},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},
	{"000 §4; 002 §1: without consent, no newsletter",
	 &newsletter, "email", NULL, DEFAULTS, REFUSE(SARGS_R_NO_CONSENT)},
	{"003: pre-ticked box is not consent",
	 &newsletter, "email", NULL,
	 {.consent = SARGS_CONSENT_PRETICKED, .consent_day = "2024-01-10"},
	 REFUSE(SARGS_R_CONSENT_PRETICKED)},
	{"GDPR Art. 7(3): withdrawn consent stops marketing at once",
	 &newsletter, "email", NULL,
	 {.consent = SARGS_CONSENT_WITHDRAWN, .consent_day = "2024-01-10", .withdrawn = TODAY},
	 REFUSE(SARGS_R_CONSENT_WITHDRAWN)},
	{"GDPR Art. 21(3): objection to direct marketing is absolute, even with consent",
	 &newsletter, "email", NULL, {GIVEN_ON("2024-01-10"), .dm_objected = 1},
	 REFUSE(SARGS_R_OBJECTED_DIRECT_MARKETING)},
	{"ePrivacy Art. 13(1): SMS newsletter with consent",
	 &newsletter, "sms", NULL, {GIVEN_ON("2024-01-10"), .contacts = "email,sms"},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},

	/* -- legacy zones (mission §5) -- */
	{"003: red zone never in a marketing audience",
	 &newsletter, "email", NULL, {.zone = SARGS_ZONE_RED},
	 REFUSE(SARGS_R_RED_ZONE)},
	{"003: grey zone: old but properly obtained consent stays usable",
	 &newsletter, "email", NULL, {.zone = SARGS_ZONE_GREY, GIVEN_ON("2016-09-01")},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},
	{"003: green zone: re-confirmed consent",
	 &newsletter, "email", NULL, {.zone = SARGS_ZONE_GREEN, GIVEN_ON("2025-04-01")},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},

	/* -- channels and purpose limitation (mission §2) -- */
	{"002 §2: no phone number was collected for the newsletter: no SMS",
	 &newsletter, "sms", NULL, {GIVEN_ON("2024-01-10")},
	 REFUSE(SARGS_R_NO_CONTACT)},
	{"channel not covered: the newsletter does not use post",
	 &newsletter, "post", NULL, {GIVEN_ON("2024-01-10"), .contacts = "email,post"},
	 REFUSE(SARGS_R_CHANNEL_NOT_COVERED)},
	{"002 §2: contact collected for one purpose not used for another",
	 &newsletter, "email", NULL, {GIVEN_ON("2024-01-10"), .unlinked = 1},
	 REFUSE(SARGS_R_NOT_LINKED)},
	{"GDPR Art. 18: restricted: no marketing even with consent",
	 &newsletter, "email", NULL, {GIVEN_ON("2024-01-10"), .restricted = 1},
	 REFUSE(SARGS_R_RESTRICTED)},
	{"GDPR Art. 17: erased subject",
	 &newsletter, "email", NULL, {GIVEN_ON("2024-01-10"), .erased = 1},
	 REFUSE(SARGS_R_ERASED)},

	/* -- minors (mission §3; 004 §7) -- */
	{"004 §7: under 18 left out of marketing unless the purpose allows minors",
	 &newsletter, "email", NULL, {GIVEN_ON("2024-01-10"), .birth = "2008-01-01"},
	 REFUSE(SARGS_R_UNDER_18)},
	{"004 §7: the day a person turns 18 the offers may start",
	 &newsletter, "email", "2025-06-16", {GIVEN_ON("2024-01-10"), .birth = "2007-06-16"},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},
	{"004 §7: the day before the 18th birthday, still a minor",
	 &newsletter, "email", "2025-06-16", {GIVEN_ON("2024-01-10"), .birth = "2007-06-17"},
	 REFUSE(SARGS_R_UNDER_18)},
	{"004 §7: born 29 February: still 17 on 28 February of a common year",
	 &newsletter, "email", "2022-02-28",
	 {GIVEN_ON("2021-06-01"), .linked_day = "2021-06-01", .birth = "2004-02-29"},
	 REFUSE(SARGS_R_UNDER_18)},
	{"004 §7: born 29 February: 18 on 1 March of a common year",
	 &newsletter, "email", "2022-03-01",
	 {GIVEN_ON("2021-06-01"), .linked_day = "2021-06-01", .birth = "2004-02-29"},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},
	{"GDPR Art. 8 / PDPL Art. 33: consent given at 12 to an online service without the"
	 " guardian never became valid, not even at 25",
	 &newsletter, "email", NULL, {GIVEN_ON("2012-08-01"), .birth = "2000-03-01"},
	 REFUSE(SARGS_R_CHILD_NO_GUARDIAN)},
	{"GDPR Art. 8 / PDPL Art. 33: consent given at 12 with the guardian's consent is valid",
	 &newsletter, "email", NULL,
	 {GIVEN_ON("2012-08-01"), .birth = "2000-03-01", .guardian = 1},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},

	/* -- a purpose that allows minors, online (GDPR Art. 8) -- */
	{"004 §7: a purpose that allows minors may reach a 15-year-old who consented",
	 &kids_club, "email", NULL, {GIVEN_ON("2024-01-10"), .birth = "2010-02-01"},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},
	{"GDPR Art. 8 / PDPL Art. 33: under 13 needs guardian consent for an online service",
	 &kids_club, "email", NULL, {GIVEN_ON("2025-01-10"), .birth = "2014-05-01"},
	 REFUSE(SARGS_R_CHILD_NO_GUARDIAN)},
	{"GDPR Art. 8 / PDPL Art. 33: under 13 with guardian consent allowed",
	 &kids_club, "email", NULL,
	 {GIVEN_ON("2025-01-10"), .birth = "2014-05-01", .guardian = 1},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},
	{"GDPR Art. 8 / PDPL Art. 33: consent given at 12 without guardian refused even after"
	 " the 13th birthday",
	 &kids_club, "email", NULL, {GIVEN_ON("2025-01-10"), .birth = "2012-03-01"},
	 REFUSE(SARGS_R_CHILD_NO_GUARDIAN)},
	{"GDPR Art. 8 / PDPL Art. 33: consent given on the 13th birthday needs no guardian",
	 &kids_club, "email", NULL, {GIVEN_ON("2025-03-01"), .birth = "2012-03-01"},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},
	{"GDPR Art. 8 / PDPL Art. 33: consent given the day before the 13th birthday needs"
	 " the guardian",
	 &kids_club, "email", NULL, {GIVEN_ON("2025-02-28"), .birth = "2012-03-01"},
	 REFUSE(SARGS_R_CHILD_NO_GUARDIAN)},
	{"GDPR Art. 8 / PDPL Art. 33: a child under 13 today consented under 13, even when the"
	 " day of the consent is unknown",
	 &kids_club, "email", NULL,
	 {.consent = SARGS_CONSENT_GIVEN, .birth = "2015-06-01"},
	 REFUSE(SARGS_R_CHILD_NO_GUARDIAN), NULL},

	/* -- soft opt-in and legitimate interests (mission §4), bakery -- */
	{"ePrivacy Art. 13(2); 000: soft opt-in: a bread customer who could refuse and did not"
	 " gets e-mail about bread",
	 &bread_offers, "email", NULL, {SOFT_OK, .last_purchase = "2025-05-02"},
	 ALLOW(SARGS_BASIS_LEGITIMATE_INTERESTS, SARGS_R_SOFT_OPT_IN)},
	{"ePrivacy Art. 13(2): soft opt-in only for the product line bought",
	 &bread_offers, "email", NULL, {.opt_out_offered = 1},
	 REFUSE(SARGS_R_NO_RELATIONSHIP)},
	{"ePrivacy Art. 13(2); 004 §5.1f: soft opt-in needs a chance to refuse at collection",
	 &bread_offers, "email", NULL, {.line_customer = 1},
	 REFUSE(SARGS_R_OPT_OUT_NOT_OFFERED)},
	{"ePrivacy Art. 13(2): who refused at collection gets no e-mail",
	 &bread_offers, "email", NULL, {SOFT_OK, .opt_out_refused = 1},
	 REFUSE(SARGS_R_REFUSED_AT_COLLECTION)},
	{"003: pre-ticked box gives no consent, and without a bread purchase no soft opt-in",
	 &bread_offers, "email", NULL,
	 {.consent = SARGS_CONSENT_PRETICKED, .consent_day = "2024-01-10", .opt_out_offered = 1},
	 REFUSE(SARGS_R_NO_RELATIONSHIP)},
	{"GDPR Art. 6(1)(a): consent given to a LI marketing purpose allowed with basis consent,"
	 " beyond the product line bought",
	 &bread_offers, "email", NULL, {GIVEN_ON("2024-01-10")},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},
	{"GDPR Art. 7(3): withdrawn consent on a LI purpose is not overridden by soft opt-in",
	 &bread_offers, "email", NULL,
	 {SOFT_OK, .consent = SARGS_CONSENT_WITHDRAWN, .consent_day = "2024-01-10",
	  .withdrawn = "2025-06-01"},
	 REFUSE(SARGS_R_CONSENT_WITHDRAWN)},
	{"GDPR Art. 7(3), 21(3): withdrawn consent on a LI purpose stops post as well",
	 &bread_offers, "post", NULL,
	 {.contacts = "email,post", .consent = SARGS_CONSENT_WITHDRAWN,
	  .consent_day = "2024-01-10", .withdrawn = "2025-06-01"},
	 REFUSE(SARGS_R_CONSENT_WITHDRAWN)},
	{"GDPR Art. 6(1)(f), 21(2): post to an existing customer who could refuse, under"
	 " legitimate interests",
	 &bread_offers, "post", NULL, {.contacts = "email,post", SOFT_OK},
	 ALLOW(SARGS_BASIS_LEGITIMATE_INTERESTS, SARGS_R_LEGITIMATE_INTERESTS)},
	{"mission §4: anyone else gets marketing only with consent, post included",
	 &bread_offers, "post", NULL, {.contacts = "email,post"}, REFUSE(SARGS_R_NO_RELATIONSHIP)},
	{"GDPR Art. 21(3): objection to direct marketing is absolute: no soft opt-in",
	 &bread_offers, "email", NULL, {SOFT_OK, .dm_objected = 1},
	 REFUSE(SARGS_R_OBJECTED_DIRECT_MARKETING)},
	{"GDPR Art. 21(3): objection to direct marketing is absolute: no post",
	 &bread_offers, "post", NULL, {.contacts = "email,post", .dm_objected = 1},
	 REFUSE(SARGS_R_OBJECTED_DIRECT_MARKETING)},
	{"GDPR Art. 21(1): LI marketing purpose with an upheld objection refused",
	 &bread_offers, "post", NULL, {.contacts = "email,post", .objected = 1},
	 REFUSE(SARGS_R_OBJECTED)},
	{"003: red zone never in a marketing audience, not even by post under LI",
	 &bread_offers, "post", NULL, {.contacts = "email,post", .zone = SARGS_ZONE_RED},
	 REFUSE(SARGS_R_RED_ZONE)},
	{"004 §7: under 18 left out of soft opt-in (purpose does not allow minors)",
	 &bread_offers, "email", NULL, {SOFT_OK, .birth = "2009-01-01"},
	 REFUSE(SARGS_R_UNDER_18)},
	{"002 §2: no postal address collected: no letters",
	 &bread_offers, "post", NULL, DEFAULTS, REFUSE(SARGS_R_NO_CONTACT)},
	{"GDPR Art. 5(1)(e): soft opt-in ends with the retention after the last purchase",
	 &bread_offers, "email", NULL, {SOFT_OK, .last_purchase = "2023-01-10"},
	 REFUSE(SARGS_R_RETENTION_OVER)},
	{"GDPR Art. 21(2)-(3); mission §4: who refused marketing at collection gets no post"
	 " either",
	 &bread_offers, "post", NULL,
	 {.contacts = "email,post", SOFT_OK, .opt_out_refused = 1},
	 REFUSE(SARGS_R_REFUSED_AT_COLLECTION), NULL},

	/* -- the butcher's shop next door (000) -- */
	{"000: a bakery customer does not hear about the butcher's shop next door",
	 &meat_offers, "email", NULL, {.opt_out_offered = 1},
	 REFUSE(SARGS_R_NO_RELATIONSHIP)},
	{"ePrivacy Art. 13(2): soft opt-in for the butcher's own customers by e-mail",
	 &meat_offers, "email", NULL, {SOFT_OK},
	 ALLOW(SARGS_BASIS_LEGITIMATE_INTERESTS, SARGS_R_SOFT_OPT_IN)},
	{"ePrivacy Art. 13(2): SMS under soft opt-in needs consent",
	 &meat_offers, "sms", NULL, {SOFT_OK, .contacts = "email,sms"},
	 REFUSE(SARGS_R_CONSENT_NEEDED_CHANNEL)},
	{"ePrivacy Art. 13(2)-(3): marketing calls are not covered by soft opt-in",
	 &meat_offers, "phone", NULL, {SOFT_OK, .contacts = "phone"},
	 REFUSE(SARGS_R_CONSENT_NEEDED_CHANNEL)},
	{"GDPR Art. 6(1)(a): consent given to a LI marketing purpose allows SMS, basis consent",
	 &meat_offers, "sms", NULL, {GIVEN_ON("2024-01-10"), .contacts = "email,sms"},
	 ALLOW(SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN)},

	/* -- contract and legal obligation (reads), retention (mission §7) -- */
	{"GDPR Art. 6(1)(b): contract basis allows reads (channel 0)",
	 &orders, READ, NULL, DEFAULTS, ALLOW(SARGS_BASIS_CONTRACT, SARGS_R_CONTRACT)},
	{"004 §5.1a: withdrawing consent or objecting to marketing has no adverse effect: the"
	 " contract goes on",
	 &orders, READ, NULL,
	 {.consent = SARGS_CONSENT_WITHDRAWN, .withdrawn = "2025-06-01", .dm_objected = 1},
	 ALLOW(SARGS_BASIS_CONTRACT, SARGS_R_CONTRACT)},
	{"003: the red zone concerns marketing only",
	 &orders, READ, NULL, {.zone = SARGS_ZONE_RED},
	 ALLOW(SARGS_BASIS_CONTRACT, SARGS_R_CONTRACT)},
	{"not a marketing purpose: no offers from the order data",
	 &orders, "email", NULL, DEFAULTS, REFUSE(SARGS_R_NOT_MARKETING)},
	{"004 §4.6: after the contract ends, data is kept to defend claims and used for nothing"
	 " else",
	 &orders, READ, NULL, {.contract_end = "2024-03-15"}, REFUSE(SARGS_R_CONTRACT_ENDED)},
	{"004 §4.6: on the day the contract ends it still runs",
	 &orders, READ, "2024-03-15", {.contract_end = "2024-03-15"},
	 ALLOW(SARGS_BASIS_CONTRACT, SARGS_R_CONTRACT)},
	{"GDPR Art. 5(1)(e); 004 §4.6: P3Y after a contract ended 15 March 2020: 14 March 2023"
	 " kept, not used",
	 &orders, READ, "2023-03-14", {.linked_day = "2019-01-10", .contract_end = "2020-03-15"},
	 REFUSE(SARGS_R_CONTRACT_ENDED)},
	{"GDPR Art. 5(1)(e); Reg. 1182/71 Art. 3(2)(c): retention last day (15 March 2023)"
	 " still kept",
	 &orders, READ, "2023-03-15", {.linked_day = "2019-01-10", .contract_end = "2020-03-15"},
	 REFUSE(SARGS_R_CONTRACT_ENDED), NULL},
	{"GDPR Art. 5(1)(e): retention over the next day (16 March 2023)",
	 &orders, READ, "2023-03-16", {.linked_day = "2019-01-10", .contract_end = "2020-03-15"},
	 REFUSE(SARGS_R_RETENTION_OVER)},
	{"GDPR Art. 5(1)(e): while the contract runs the retention has no end yet",
	 &orders, READ, "2040-01-01", DEFAULTS, ALLOW(SARGS_BASIS_CONTRACT, SARGS_R_CONTRACT)},
	{"GDPR Art. 18: restricted",
	 &orders, READ, NULL, {.restricted = 1}, REFUSE(SARGS_R_RESTRICTED)},
	{"GDPR Art. 17: erased subject",
	 &orders, READ, NULL, {.erased = 1}, REFUSE(SARGS_R_ERASED)},
	{"GDPR Art. 5(1)(b): data not collected for the orders is not used for them",
	 &orders, READ, NULL, {.unlinked = 1}, REFUSE(SARGS_R_NOT_LINKED)},
	{"GDPR Art. 6(1)(c): legal obligation allows reads (channel 0)",
	 &accounting, READ, NULL, DEFAULTS,
	 ALLOW(SARGS_BASIS_LEGAL_OBLIGATION, SARGS_R_LEGAL_OBLIGATION)},
	{"GDPR Art. 21(1): an objection does not reach a legal obligation",
	 &accounting, READ, NULL, {.objected = 1, .dm_objected = 1},
	 ALLOW(SARGS_BASIS_LEGAL_OBLIGATION, SARGS_R_LEGAL_OBLIGATION)},
	{"GDPR Art. 5(1)(e): retention over: 5 years after the contract ended",
	 &accounting, READ, NULL, {.linked_day = "2015-01-10", .contract_end = "2019-01-15"},
	 REFUSE(SARGS_R_RETENTION_OVER)},

	/* -- legitimate interests that are not marketing -- */
	{"GDPR Art. 6(1)(f): LI purpose allowed on its balancing test",
	 &fraud_checks, READ, NULL, {.linked_day = "2025-01-10"},
	 ALLOW(SARGS_BASIS_LEGITIMATE_INTERESTS, SARGS_R_LEGITIMATE_INTERESTS)},
	{"GDPR Art. 21(1): LI purpose with an upheld objection refused",
	 &fraud_checks, READ, NULL, {.linked_day = "2025-01-10", .objected = 1},
	 REFUSE(SARGS_R_OBJECTED)},
	{"GDPR Art. 21(2)-(3) reach direct marketing only: the fraud checks go on",
	 &fraud_checks, READ, NULL, {.linked_day = "2025-01-10", .dm_objected = 1},
	 ALLOW(SARGS_BASIS_LEGITIMATE_INTERESTS, SARGS_R_LEGITIMATE_INTERESTS)},
	{"not a marketing purpose: no SMS from the fraud checks",
	 &fraud_checks, "sms", NULL, {.linked_day = "2025-01-10", .contacts = "email,sms"},
	 REFUSE(SARGS_R_NOT_MARKETING)},
	{"GDPR Art. 5(1)(e): retention over: one year from collection",
	 &fraud_checks, READ, NULL, {.linked_day = "2024-01-10"},
	 REFUSE(SARGS_R_RETENTION_OVER)},

	/* -- the other bases -- */
	{"GDPR Art. 6(1)(d): vital interests",
	 &emergency_contact, READ, NULL, DEFAULTS,
	 ALLOW(SARGS_BASIS_VITAL_INTERESTS, SARGS_R_VITAL_INTERESTS)},
	{"GDPR Art. 6(1)(e): public task",
	 &public_register, READ, NULL, DEFAULTS,
	 ALLOW(SARGS_BASIS_PUBLIC_TASK, SARGS_R_PUBLIC_TASK)},
	{"GDPR Art. 21(1): public-task purpose with an upheld objection refused",
	 &public_register, READ, NULL, {.objected = 1},
	 REFUSE(SARGS_R_OBJECTED), NULL},
};

static const char *verdict(int allowed)
{
	return allowed ? "allowed" : "refused";
}

static void test_decide(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		const struct row *r = &rows[i];
		struct sargs_policy_facts f;
		struct sargs_policy_decision d;
		int ok;

		build_facts(&r->facts, &f);
		memset(&d, 0, sizeof(d));
		sargs_policy_decide(r->purpose, r->channel != NULL ? channels_of(r->channel) : 0,
				    day_or(r->today, TODAY), &f, &d);
		ok = d.allowed == r->allowed && d.reason == r->reason &&
		     (!r->allowed || d.basis == r->basis);
		if (ok && r->engine_differs != NULL) {
			print_message("row %zu (%s): now agrees with the law; drop its"
				      " ENGINE_DIFFERS note\n", i, r->rule);
		}
		if (ok)
			continue;
		failed++;
		print_error("row %zu FAILED: %s\n"
			    "  purpose %s, channel %s: expected %s (%s%s%s), got %s (%s, basis %s)\n",
			    i, r->rule, r->purpose->id, r->channel != NULL ? r->channel : "none (read)",
			    verdict(r->allowed),
			    sargs_reason_id(r->reason), r->allowed ? ", basis " : "",
			    r->allowed ? sargs_basis_id(r->basis) : "", verdict(d.allowed),
			    sargs_reason_id(d.reason), sargs_basis_id(d.basis));
		if (r->engine_differs != NULL)
			print_error("  ENGINE DIFFERS FROM THE LAW (known): %s\n", r->engine_differs);
	}
	if (failed > 0)
		fail_msg("%zu of %zu policy rows failed", failed, N_ROWS(rows));
}

/* ---- sargs_policy_age ------------------------------------------------------- */

struct age_row {
	const char *rule;
	const char *birth; /* or "unknown" */
	const char *day;
	int age;
};

static const struct age_row age_rows[] = {
	{"born today: 0", "2000-01-01", "2000-01-01", 0},
	{"the day before birth: unknown (-1)", "2000-01-01", "1999-12-31", -1},
	{"birth unknown: -1", "unknown", "2025-06-16", -1},
	{"the day before the 18th birthday: 17", "2007-06-16", "2025-06-15", 17},
	{"the 18th birthday: 18", "2007-06-16", "2025-06-16", 18},
	{"the day after the 18th birthday: 18", "2007-06-16", "2025-06-17", 18},
	{"the day before the 13th birthday: 12", "2012-03-01", "2025-02-28", 12},
	{"the 13th birthday: 13", "2012-03-01", "2025-03-01", 13},
	{"the day after the 13th birthday: 13", "2012-03-01", "2025-03-02", 13},
	{"style.md: 12 years 364 days old is 12", "2012-06-17", "2025-06-16", 12},
	{"born 29 February: 17 on 28 February 2022 (common year)", "2004-02-29", "2022-02-28", 17},
	{"born 29 February: 18 on 1 March 2022 (common year)", "2004-02-29", "2022-03-01", 18},
	{"born 29 February: 19 on 28 February 2024 (leap year)", "2004-02-29", "2024-02-28", 19},
	{"born 29 February: 20 on 29 February 2024 (leap year)", "2004-02-29", "2024-02-29", 20},
	{"born 29 February: 0 on 28 February of the next year", "2004-02-29", "2005-02-28", 0},
	{"born 29 February: 1 on 1 March of the next year", "2004-02-29", "2005-03-01", 1},
	{"born 31 December: 34 on 30 December", "1990-12-31", "2025-12-30", 34},
	{"born 31 December: 35 on 31 December", "1990-12-31", "2025-12-31", 35},
	{"born 1 January: 35 on 1 January", "1990-01-01", "2025-01-01", 35},
	{"born before 1970: 80 on the 80th birthday", "1945-05-09", "2025-05-09", 80},
};

static void test_age(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < N_ROWS(age_rows); i++) {
		const struct age_row *r = &age_rows[i];
		int age = sargs_policy_age(day_of(r->birth), day_of(r->day));

		if (age == r->age)
			continue;
		failed++;
		print_error("age row %zu FAILED: %s\n  born %s, on %s: expected %d, got %d\n", i,
			    r->rule, r->birth, r->day, r->age, age);
	}
	if (failed > 0)
		fail_msg("%zu of %zu age rows failed", failed, N_ROWS(age_rows));
}

/* ---- sargs_policy_retention_end -------------------------------------------- */

struct retention_row {
	const char *rule;
	struct sargs_retention retention;
	struct facts facts;
	const char *last_day;       /* NULL: no end yet (INT32_MAX) */
	int at_most;                /* last_day is an upper bound, not exact */
	const char *engine_differs;
};

static const struct retention_row retention_rows[] = {
	{"004 §4.5; Reg. 1182/71 Art. 3(2)(c): P3Y from a contract end on 15 March 2020 ends"
	 " 15 March 2023",
	 {.years = 3, .from = SARGS_RET_CONTRACT_END}, {.contract_end = "2020-03-15"},
	 "2023-03-15", 0, NULL},
	{"Reg. 1182/71 Art. 3(2)(c): 31 January + 1 month ends 28 February (common year)",
	 {.months = 1, .from = SARGS_RET_COLLECTION}, {.linked_day = "2025-01-31"},
	 "2025-02-28", 0, NULL},
	{"Reg. 1182/71 Art. 3(2)(c): 31 January + 1 month ends 29 February (leap year)",
	 {.months = 1, .from = SARGS_RET_COLLECTION}, {.linked_day = "2024-01-31"},
	 "2024-02-29", 0, NULL},
	{"Reg. 1182/71 Art. 3(2)(c): 29 February + 1 year ends 28 February",
	 {.years = 1, .from = SARGS_RET_COLLECTION}, {.linked_day = "2024-02-29"},
	 "2025-02-28", 0, NULL},
	{"Reg. 1182/71 Art. 3(1), 3(2)(b): 30 days from 1 June end on 1 July",
	 {.days = 30, .from = SARGS_RET_COLLECTION}, {.linked_day = "2025-06-01"},
	 "2025-07-01", 0, NULL},
	{"001 §10: P6M from the last purchase on 30 November 2024 ends 30 May 2025",
	 {.months = 6, .from = SARGS_RET_LAST_PURCHASE}, {.last_purchase = "2024-11-30"},
	 "2025-05-30", 0, NULL},
	{"001 §10: no purchase recorded: the period runs from collection",
	 {.years = 2, .from = SARGS_RET_LAST_PURCHASE}, {.linked_day = "2023-05-10"},
	 "2025-05-10", 0, NULL},
	{"unknown event: the contract still runs, no end yet",
	 {.years = 3, .from = SARGS_RET_CONTRACT_END}, DEFAULTS, NULL, 0, NULL},
	{"unknown event: consent not withdrawn, no end yet",
	 {.years = 1, .from = SARGS_RET_CONSENT_WITHDRAWAL}, DEFAULTS, NULL, 0, NULL},
	{"unknown event: no objection, no end yet",
	 {.months = 6, .from = SARGS_RET_OBJECTION}, DEFAULTS, NULL, 0, NULL},
	{"001 §10: marketing contacts kept until the person objects: no objection, no end",
	 {.until_objection = 1}, DEFAULTS, NULL, 0, NULL},
	{"001 §10; mission §7: kept until the person objects: after the objection of"
	 " 3 March 2025, no longer",
	 {.until_objection = 1}, {.dm_objected = 1, .withdrawn = "2025-03-03"},
	 "2025-03-03", 1, NULL},
};

static void date_text(int32_t day, char *out, size_t out_size)
{
	int y, m, d;

	if (day == INT32_MAX) {
		(void)snprintf(out, out_size, "no end");
		return;
	}
	sargs_civil_from_days(day, &y, &m, &d);
	(void)snprintf(out, out_size, "%04d-%02d-%02d", y, m, d);
}

static void test_retention_end(void **state)
{
	size_t failed = 0;

	(void)state;
	for (size_t i = 0; i < N_ROWS(retention_rows); i++) {
		const struct retention_row *r = &retention_rows[i];
		struct sargs_purpose p;
		struct sargs_policy_facts f;
		int32_t want, got;
		char want_text[SARGS_DATE_STR + 8], got_text[SARGS_DATE_STR + 8];
		int ok;

		memset(&p, 0, sizeof(p));
		p.id = "retention_case";
		p.basis = SARGS_BASIS_CONTRACT;
		p.retention = r->retention;
		build_facts(&r->facts, &f);
		want = r->last_day != NULL ? day_of(r->last_day) : INT32_MAX;
		got = sargs_policy_retention_end(&p, &f);
		ok = r->at_most ? got <= want : got == want;
		if (ok && r->engine_differs != NULL)
			print_message("retention row %zu (%s): now agrees with the law; drop its"
				      " ENGINE_DIFFERS note\n", i, r->rule);
		if (ok)
			continue;
		failed++;
		date_text(want, want_text, sizeof(want_text));
		date_text(got, got_text, sizeof(got_text));
		print_error("retention row %zu FAILED: %s\n  expected last day %s%s, got %s\n", i,
			    r->rule, r->at_most ? "at most " : "", want_text, got_text);
		if (r->engine_differs != NULL)
			print_error("  ENGINE DIFFERS FROM THE LAW (known): %s\n", r->engine_differs);
	}
	if (failed > 0)
		fail_msg("%zu of %zu retention rows failed", failed, N_ROWS(retention_rows));
}

/* ---- reasons ------------------------------------------------------------------ */

static void test_reasons(void **state)
{
	(void)state;
	for (int a = 1; a < SARGS_R__COUNT; a++) {
		const char *id = sargs_reason_id((enum sargs_reason)a);
		const char *text = sargs_reason_text((enum sargs_reason)a);

		assert_non_null(id);
		assert_non_null(text);
		if (strcmp(id, "unknown") == 0 || !sargs_ident_valid(id))
			fail_msg("reason %d has no proper id (\"%s\")", a, id);
		if (strcmp(text, "unknown") == 0 || strlen(text) < 10)
			fail_msg("reason %d (%s) has no text", a, id);
		for (int b = 1; b < a; b++)
			if (strcmp(id, sargs_reason_id((enum sargs_reason)b)) == 0)
				fail_msg("reasons %d and %d share the id \"%s\"", b, a, id);
	}
	assert_string_equal(sargs_reason_id((enum sargs_reason)0), "unknown");
	assert_string_equal(sargs_reason_id(SARGS_R__COUNT), "unknown");
	assert_string_equal(sargs_reason_text(SARGS_R__COUNT), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_age),
		cmocka_unit_test(test_retention_end),
		cmocka_unit_test(test_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
