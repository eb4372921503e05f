/*
 * policy.c — the policy engine (see policy.h). Pure: no I/O, no state.
 *
 * The order of the checks is the order of precedence: an erased or
 * restricted subject is refused whatever else is true; data not collected
 * for the purpose is never used for it; retention ends everything; then
 * the purpose's own basis decides, and for direct marketing the absolute
 * rules (objection, red zone, minors) come before any basis.
 */
#include "domain/policy.h"

#include "util/timeutil.h"

#include <limits.h>

static const char *const reason_ids[SARGS_R__COUNT] = {
	[SARGS_R_CONSENT_GIVEN] = "consent_given",
	[SARGS_R_SOFT_OPT_IN] = "soft_opt_in",
	[SARGS_R_LEGITIMATE_INTERESTS] = "legitimate_interests",
	[SARGS_R_CONTRACT] = "contract",
	[SARGS_R_LEGAL_OBLIGATION] = "legal_obligation",
	[SARGS_R_VITAL_INTERESTS] = "vital_interests",
	[SARGS_R_PUBLIC_TASK] = "public_task",
	[SARGS_R_ERASED] = "erased",
	[SARGS_R_RESTRICTED] = "restricted",
	[SARGS_R_NOT_LINKED] = "not_collected_for_purpose",
	[SARGS_R_RETENTION_OVER] = "retention_over",
	[SARGS_R_NOT_MARKETING] = "not_a_marketing_purpose",
	[SARGS_R_CHANNEL_NOT_COVERED] = "channel_not_covered",
	[SARGS_R_NO_CONTACT] = "no_contact_for_channel",
	[SARGS_R_RED_ZONE] = "red_zone",
	[SARGS_R_OBJECTED_DIRECT_MARKETING] = "objected_direct_marketing",
	[SARGS_R_OBJECTED] = "objected",
	[SARGS_R_UNDER_18] = "under_18",
	[SARGS_R_CHILD_NO_GUARDIAN] = "child_without_guardian_consent",
	[SARGS_R_NO_CONSENT] = "no_consent",
	[SARGS_R_CONSENT_WITHDRAWN] = "consent_withdrawn",
	[SARGS_R_CONSENT_PRETICKED] = "consent_preticked",
	[SARGS_R_NO_RELATIONSHIP] = "no_relationship_with_product_line",
	[SARGS_R_OPT_OUT_NOT_OFFERED] = "opt_out_not_offered",
	[SARGS_R_REFUSED_AT_COLLECTION] = "refused_at_collection",
	[SARGS_R_CONSENT_NEEDED_CHANNEL] = "consent_needed_for_channel",
	[SARGS_R_CONTRACT_ENDED] = "contract_ended_kept_for_claims",
};

static const char *const reason_texts[SARGS_R__COUNT] = {
	[SARGS_R_CONSENT_GIVEN] = "the person consented to this purpose (GDPR Art. 6(1)(a))",
	[SARGS_R_SOFT_OPT_IN] =
		"existing customer of this product line who could refuse and did not"
		" (ePrivacy Art. 13(2); Information Society Services Law Art. 9(2))",
	[SARGS_R_LEGITIMATE_INTERESTS] = "legitimate interests (GDPR Art. 6(1)(f))",
	[SARGS_R_CONTRACT] = "performance of a contract (GDPR Art. 6(1)(b))",
	[SARGS_R_LEGAL_OBLIGATION] = "legal obligation (GDPR Art. 6(1)(c))",
	[SARGS_R_VITAL_INTERESTS] = "vital interests (GDPR Art. 6(1)(d))",
	[SARGS_R_PUBLIC_TASK] = "public task (GDPR Art. 6(1)(e))",
	[SARGS_R_ERASED] = "the person's data was erased",
	[SARGS_R_RESTRICTED] = "processing is restricted (GDPR Art. 18)",
	[SARGS_R_NOT_LINKED] =
		"the data was not collected for this purpose (GDPR Art. 5(1)(b))",
	[SARGS_R_RETENTION_OVER] = "the purpose's retention period is over (GDPR Art. 5(1)(e))",
	[SARGS_R_NOT_MARKETING] = "the purpose is not direct marketing",
	[SARGS_R_CHANNEL_NOT_COVERED] = "the purpose does not use this channel",
	[SARGS_R_NO_CONTACT] = "no contact for this channel was collected for the purpose",
	[SARGS_R_RED_ZONE] =
		"legacy record in the red zone: no valid consent, no marketing (003)",
	[SARGS_R_OBJECTED_DIRECT_MARKETING] =
		"the person objected to direct marketing (GDPR Art. 21(2)-(3))",
	[SARGS_R_OBJECTED] = "the person objected to this purpose (GDPR Art. 21(1))",
	[SARGS_R_UNDER_18] = "under 18: offers to minors are restricted (004 §7)",
	[SARGS_R_CHILD_NO_GUARDIAN] =
		"under 13 without the consent of the holder of parental responsibility"
		" (GDPR Art. 8; Personal Data Processing Law Art. 33)",
	[SARGS_R_NO_CONSENT] = "no consent to this purpose",
	[SARGS_R_CONSENT_WITHDRAWN] = "consent was withdrawn (GDPR Art. 7(3))",
	[SARGS_R_CONSENT_PRETICKED] = "only a pre-ticked box: that is not consent (003)",
	[SARGS_R_NO_RELATIONSHIP] =
		"not a customer of this product line: soft opt-in covers only similar goods (000)",
	[SARGS_R_OPT_OUT_NOT_OFFERED] =
		"was not offered the chance to refuse when the contact was collected",
	[SARGS_R_REFUSED_AT_COLLECTION] = "refused marketing when the contact was collected",
	[SARGS_R_CONSENT_NEEDED_CHANNEL] =
		"this channel needs consent: soft opt-in covers e-mail only",
	[SARGS_R_CONTRACT_ENDED] =
		"the contract has ended: the data is kept only to defend claims until its"
		" period ends, and used for nothing else (004 §4.6)",
};

const char *sargs_reason_id(enum sargs_reason r)
{
	return r > 0 && r < SARGS_R__COUNT ? reason_ids[r] : "unknown";
}

const char *sargs_reason_text(enum sargs_reason r)
{
	return r > 0 && r < SARGS_R__COUNT ? reason_texts[r] : "unknown";
}

int sargs_policy_age(int32_t birth_day, int32_t day)
{
	int by, bm, bd, y, m, d, age;

	if (birth_day == SARGS_DAY_UNKNOWN || day < birth_day)
		return -1;
	sargs_civil_from_days(birth_day, &by, &bm, &bd);
	sargs_civil_from_days(day, &y, &m, &d);
	age = y - by;
	/* a birthday on 29 February counts as passed on 1 March */
	if (m < bm || (m == bm && d < bd))
		age--;
	return age;
}

/* day plus years, months and days; the end of the month when the date does
 * not exist (31 January + 1 month = 28/29 February). */
static int32_t add_period(int32_t day, const struct sargs_retention *r)
{
	int y, m, d, dim;
	int64_t months, out;

	sargs_civil_from_days(day, &y, &m, &d);
	months = (int64_t)y * 12 + (m - 1) + (int64_t)r->years * 12 + r->months;
	y = (int)(months / 12);
	m = (int)(months % 12) + 1;
	dim = sargs_days_in_month(y, m);
	if (d > dim)
		d = dim;
	out = sargs_days_from_civil(y, m, d) + r->days;
	return out > INT32_MAX - 1 ? INT32_MAX - 1 : (int32_t)out;
}

int32_t sargs_policy_retention_end(const struct sargs_purpose *p,
				   const struct sargs_policy_facts *f)
{
	const struct sargs_retention *r = &p->retention;
	int32_t from;

	/* 001 §10: marketing contacts are kept until the person objects or
	 * withdraws; from then on only what another purpose needs stays */
	if (r->until_objection)
		return f->withdrawn_day != SARGS_DAY_UNKNOWN ? f->withdrawn_day : INT32_MAX;
	switch (r->from) {
	case SARGS_RET_COLLECTION:
		from = f->linked_day;
		break;
	case SARGS_RET_CONTRACT_END:
		from = f->contract_end_day;
		break;
	case SARGS_RET_LAST_PURCHASE:
		from = f->last_purchase_day != SARGS_DAY_UNKNOWN ? f->last_purchase_day
								  : f->linked_day;
		break;
	case SARGS_RET_CONSENT_WITHDRAWAL:
	case SARGS_RET_OBJECTION:
		from = f->withdrawn_day;
		break;
	default:
		return INT32_MAX;
	}
	if (from == SARGS_DAY_UNKNOWN)
		return INT32_MAX;
	/* Reg. 1182/71 Art. 3(2)(c): a period in months or years ends with
	 * the day that falls on the same date as the event's (the last day of
	 * the month when there is none); in days, N days after the event */
	return add_period(from, r);
}

static void decide(struct sargs_policy_decision *out, int allowed, enum sargs_basis basis,
		   enum sargs_reason reason)
{
	out->allowed = allowed;
	out->basis = basis;
	out->reason = reason;
}

static enum sargs_reason basis_reason(enum sargs_basis b)
{
	switch (b) {
	case SARGS_BASIS_CONTRACT:
		return SARGS_R_CONTRACT;
	case SARGS_BASIS_LEGAL_OBLIGATION:
		return SARGS_R_LEGAL_OBLIGATION;
	case SARGS_BASIS_VITAL_INTERESTS:
		return SARGS_R_VITAL_INTERESTS;
	case SARGS_BASIS_PUBLIC_TASK:
		return SARGS_R_PUBLIC_TASK;
	case SARGS_BASIS_LEGITIMATE_INTERESTS:
		return SARGS_R_LEGITIMATE_INTERESTS;
	default:
		return SARGS_R_CONSENT_GIVEN;
	}
}

/* Consent as the basis: valid, given by the right person, not withdrawn. */
static void consent_route(const struct sargs_purpose *p, const struct sargs_policy_facts *f,
			  int32_t today, struct sargs_policy_decision *out)
{
	int age_then;

	switch (f->consent) {
	case SARGS_CONSENT_GIVEN:
		break;
	case SARGS_CONSENT_WITHDRAWN:
		decide(out, 0, SARGS_BASIS_CONSENT, SARGS_R_CONSENT_WITHDRAWN);
		return;
	case SARGS_CONSENT_PRETICKED:
		decide(out, 0, SARGS_BASIS_CONSENT, SARGS_R_CONSENT_PRETICKED);
		return;
	default:
		decide(out, 0, SARGS_BASIS_CONSENT, SARGS_R_NO_CONSENT);
		return;
	}
	/* GDPR Art. 8: a child's consent to an online service is valid from
	 * 13 (Latvia); below, the holder of parental responsibility gives it */
	/* the age when consent was given; a child under 13 today was under 13
	 * then, whenever it was */
	age_then = f->consent_day != SARGS_DAY_UNKNOWN ? sargs_policy_age(f->birth_day, f->consent_day)
						       : -1;
	if (age_then < 0)
		age_then = sargs_policy_age(f->birth_day, today);
	if (p->online_service && age_then >= 0 && age_then < SARGS_DIGITAL_CONSENT_AGE &&
	    !f->guardian_consent) {
		decide(out, 0, SARGS_BASIS_CONSENT, SARGS_R_CHILD_NO_GUARDIAN);
		return;
	}
	decide(out, 1, SARGS_BASIS_CONSENT, SARGS_R_CONSENT_GIVEN);
}

void sargs_policy_decide(const struct sargs_purpose *p, unsigned channel, int32_t today,
			 const struct sargs_policy_facts *f, struct sargs_policy_decision *out)
{
	int age;

	decide(out, 0, p->basis, SARGS_R_ERASED);
	if (!f->exists)
		return;
	/* Art. 18(2): restricted data is stored, and used only for legal
	 * claims (or with consent, or for another's rights: not modelled) */
	if (f->restricted && !(p->legal_claims && channel == 0)) {
		decide(out, 0, p->basis, SARGS_R_RESTRICTED);
		return;
	}
	/* 002 §2: a contact given for one purpose is not used for another */
	if (!f->linked) {
		decide(out, 0, p->basis, SARGS_R_NOT_LINKED);
		return;
	}
	if (today > sargs_policy_retention_end(p, f)) {
		decide(out, 0, p->basis, SARGS_R_RETENTION_OVER);
		return;
	}
	/* 004 §4.6: once the contract has ended, what was kept for it waits out
	 * the claims period and is used for nothing else (a purpose serving
	 * legal claims may still use it) */
	if (p->basis == SARGS_BASIS_CONTRACT && !p->retention.until_objection &&
	    p->retention.from == SARGS_RET_CONTRACT_END && f->contract_end_day != SARGS_DAY_UNKNOWN &&
	    today > f->contract_end_day && !p->legal_claims) {
		decide(out, 0, p->basis, SARGS_R_CONTRACT_ENDED);
		return;
	}
	if (channel != 0) {
		if (!p->marketing.enabled) {
			decide(out, 0, p->basis, SARGS_R_NOT_MARKETING);
			return;
		}
		if ((p->marketing.channels & channel) == 0) {
			decide(out, 0, p->basis, SARGS_R_CHANNEL_NOT_COVERED);
			return;
		}
		if ((f->contacts & channel) == 0) {
			decide(out, 0, p->basis, SARGS_R_NO_CONTACT);
			return;
		}
	}
	if (!p->marketing.enabled) {
		if (p->basis == SARGS_BASIS_CONSENT) {
			consent_route(p, f, today, out);
			return;
		}
		/* Art. 21(1): objection to processing on Art. 6(1)(e) or (f) */
		if ((p->basis == SARGS_BASIS_LEGITIMATE_INTERESTS ||
		     p->basis == SARGS_BASIS_PUBLIC_TASK) &&
		    f->objected) {
			decide(out, 0, p->basis, SARGS_R_OBJECTED);
			return;
		}
		decide(out, 1, p->basis, basis_reason(p->basis));
		return;
	}

	/* direct marketing: the absolute rules first */
	if (f->dm_objected) {                  /* Art. 21(3): absolute, at once */
		decide(out, 0, p->basis, SARGS_R_OBJECTED_DIRECT_MARKETING);
		return;
	}
	if (f->objected) {
		decide(out, 0, p->basis, SARGS_R_OBJECTED);
		return;
	}
	if (f->zone == SARGS_ZONE_RED) {        /* 003 */
		decide(out, 0, p->basis, SARGS_R_RED_ZONE);
		return;
	}
	/* 004 §7: offers are not addressed to minors; keeping a minor's
	 * subscription (channel 0) is a matter of the consent route below */
	age = sargs_policy_age(f->birth_day, today);
	if (channel != 0 && age >= 0 && age < SARGS_ADULT_AGE && !p->marketing.minors) {
		decide(out, 0, p->basis, SARGS_R_UNDER_18);
		return;
	}
	if (p->basis == SARGS_BASIS_CONSENT || f->consent != SARGS_CONSENT_NONE) {
		/* consent given to a legitimate-interest marketing purpose counts
		 * as consent; withdrawing it is also an objection */
		consent_route(p, f, today, out);
		if (out->allowed || p->basis == SARGS_BASIS_CONSENT ||
		    f->consent == SARGS_CONSENT_WITHDRAWN)
			return;
	}
	/* refused marketing when the contact was collected: that is an
	 * objection, whatever the channel (Art. 21(2)) */
	if (f->opt_out_refused && f->line_customer) {
		decide(out, 0, p->basis, SARGS_R_REFUSED_AT_COLLECTION);
		return;
	}
	/* legitimate interests: only existing customers of the purpose's
	 * product line who could refuse and did not (mission §4): e-mail under
	 * soft opt-in, post on the interest itself; calls and SMS need consent */
	if (channel != 0 && channel != SARGS_CH_EMAIL && channel != SARGS_CH_POST) {
		decide(out, 0, p->basis, SARGS_R_CONSENT_NEEDED_CHANNEL);
		return;
	}
	if (!p->marketing.soft_opt_in) {
		decide(out, 0, p->basis,
		       f->consent == SARGS_CONSENT_PRETICKED ? SARGS_R_CONSENT_PRETICKED
							      : SARGS_R_NO_CONSENT);
		return;
	}
	if (!f->line_customer) {
		decide(out, 0, p->basis, SARGS_R_NO_RELATIONSHIP);
		return;
	}
	if (f->opt_out_refused) {
		decide(out, 0, p->basis, SARGS_R_REFUSED_AT_COLLECTION);
		return;
	}
	if (!f->opt_out_offered) {
		decide(out, 0, p->basis, SARGS_R_OPT_OUT_NOT_OFFERED);
		return;
	}
	if (channel == SARGS_CH_POST) {
		decide(out, 1, SARGS_BASIS_LEGITIMATE_INTERESTS, SARGS_R_LEGITIMATE_INTERESTS);
		return;
	}
	decide(out, 1, SARGS_BASIS_LEGITIMATE_INTERESTS, SARGS_R_SOFT_OPT_IN);
}
