/*
 * policy.h — the policy engine: one pure function that answers, for a
 * subject, a purpose, a channel and a day, whether processing is allowed,
 * on which legal basis, and why (a stable reason code).
 *
 * It does no I/O and keeps no state: the caller gathers the facts (links,
 * consent state, objections, purchases, age, zone, restriction) and the
 * engine applies the rules of mission.md §2-§5 and §7 to them. The same
 * facts on the same day always give the same answer, so every rule is
 * tested table-driven in tests/domain/test_policy.c.
 */
#ifndef SARGS_POLICY_H
#define SARGS_POLICY_H

#include "domain/registry.h"

#include <stdint.h>

#define SARGS_DAY_UNKNOWN INT32_MIN

enum sargs_consent_state {
	SARGS_CONSENT_NONE = 0,     /* never asked, or no answer */
	SARGS_CONSENT_GIVEN,        /* valid consent: specific, informed, unticked box */
	SARGS_CONSENT_WITHDRAWN,    /* withdrawn (earlier processing stays lawful) */
	SARGS_CONSENT_PRETICKED     /* an attempt through a pre-ticked box: not consent */
};

enum sargs_zone {                   /* legacy records (003) */
	SARGS_ZONE_NONE = 0,        /* not imported from a legacy list */
	SARGS_ZONE_RED,             /* no consent or pre-ticked: no marketing */
	SARGS_ZONE_GREY,            /* old but proper consent, opt-out always offered */
	SARGS_ZONE_GREEN            /* consent re-confirmed */
};

enum sargs_reason {
	SARGS_R_CONSENT_GIVEN = 1,
	SARGS_R_SOFT_OPT_IN,
	SARGS_R_LEGITIMATE_INTERESTS,
	SARGS_R_CONTRACT,
	SARGS_R_LEGAL_OBLIGATION,
	SARGS_R_VITAL_INTERESTS,
	SARGS_R_PUBLIC_TASK,
	/* refusals */
	SARGS_R_ERASED,
	SARGS_R_RESTRICTED,
	SARGS_R_NOT_LINKED,              /* data not collected for this purpose */
	SARGS_R_RETENTION_OVER,
	SARGS_R_NOT_MARKETING,           /* a channel asked of a purpose that is not marketing */
	SARGS_R_CHANNEL_NOT_COVERED,     /* the purpose does not use this channel */
	SARGS_R_NO_CONTACT,              /* no contact for the channel was collected */
	SARGS_R_RED_ZONE,
	SARGS_R_OBJECTED_DIRECT_MARKETING,
	SARGS_R_OBJECTED,                /* objection to this purpose upheld */
	SARGS_R_UNDER_18,
	SARGS_R_CHILD_NO_GUARDIAN,
	SARGS_R_NO_CONSENT,
	SARGS_R_CONSENT_WITHDRAWN,
	SARGS_R_CONSENT_PRETICKED,
	SARGS_R_NO_RELATIONSHIP,         /* not a customer of this product line */
	SARGS_R_OPT_OUT_NOT_OFFERED,     /* could not refuse when the contact was collected */
	SARGS_R_REFUSED_AT_COLLECTION,
	SARGS_R_CONSENT_NEEDED_CHANNEL,  /* soft opt-in covers e-mail only */
	SARGS_R_CONTRACT_ENDED,          /* kept only to defend claims (004 §4.6) */
	SARGS_R__COUNT
};

/* What is known of one subject with respect to one purpose. */
struct sargs_policy_facts {
	int exists;                      /* 0: erased or unknown */
	int linked;                      /* data was collected for this purpose */
	int32_t linked_day;              /* days since 1970-01-01 */
	unsigned contacts;               /* SARGS_CH_* the subject has a contact for */
	int32_t birth_day;               /* or SARGS_DAY_UNKNOWN */
	enum sargs_zone zone;
	int restricted;                  /* processing restricted (Art. 18) */
	int dm_objected;                 /* objected to direct marketing (Art. 21(2)-(3)) */
	int objected;                    /* objection to this purpose upheld (Art. 21(1)) */
	enum sargs_consent_state consent;
	int32_t consent_day;             /* when consent was given, or unknown */
	int guardian_consent;            /* the holder of parental responsibility consented */
	int line_customer;               /* bought from the purpose's product line */
	int opt_out_offered;             /* could refuse when the contact was collected */
	int opt_out_refused;             /* and did */
	int32_t last_purchase_day;       /* any line; or unknown */
	int32_t contract_end_day;        /* or unknown (none, or still running) */
	int32_t withdrawn_day;           /* consent withdrawn / objection, or unknown */
};

struct sargs_policy_decision {
	int allowed;
	enum sargs_basis basis;          /* the basis relied on (when allowed) */
	enum sargs_reason reason;
};

/*
 * Decides. channel is 0 for processing that contacts nobody (a read, a
 * disclosure), or one SARGS_CH_* bit for a marketing contact. today is in
 * days since 1970-01-01.
 */
void sargs_policy_decide(const struct sargs_purpose *p, unsigned channel, int32_t today,
			 const struct sargs_policy_facts *f, struct sargs_policy_decision *out);

/* The last day (inclusive) the purpose may keep the data, from its retention
 * rule and the facts; INT32_MAX when no end is known yet. */
int32_t sargs_policy_retention_end(const struct sargs_purpose *p,
				   const struct sargs_policy_facts *f);

/* Completed years of age on day, or -1 when the birth day is unknown. */
int sargs_policy_age(int32_t birth_day, int32_t day);

const char *sargs_reason_id(enum sargs_reason r);    /* "consent_given" ... */
const char *sargs_reason_text(enum sargs_reason r);  /* a sentence, English */

#define SARGS_ADULT_AGE 18       /* offers to minors are restricted (004 §7) */
#define SARGS_DIGITAL_CONSENT_AGE 13 /* Personal Data Processing Law Art. 33 */

#endif
