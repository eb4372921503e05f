/*
 * relation.h — the customer relationship the marketing rules depend on
 * (purchases by product line, contracts), the facts kept for the policy
 * engine beside the encrypted fields (which channels a subject has a
 * contact for, a minor's sealed birth day, legacy zone, restriction), and
 * the policy check for one subject.
 *
 * Soft opt-in (ePrivacy Art. 13(2); ISS Law Art. 9(2); 000): a purchase is
 * recorded with whether the person was offered the chance to refuse
 * marketing when the contact was collected and whether they refused. When
 * offered and not refused, the subject is linked to the soft-opt-in
 * marketing purposes of that product line (when it has their required
 * fields), so the contact given at the sale may carry offers about similar
 * goods until the person objects.
 */
#ifndef SARGS_RELATION_H
#define SARGS_RELATION_H

#include "domain/policy.h"
#include "domain/register.h"
#include "store/store_rel.h"

#include <stdint.h>

/* Today in days since 1970-01-01 (UTC). */
int32_t sargs_today(void);

/*
 * Records what the fields say for the policy engine: the channels the
 * subject has a contact for, and (when birth_known) the birth day; a
 * person who is an adult today keeps only "adult", a minor's birth day is
 * sealed. Called by subject add and edit inside their transaction.
 */
enum sargs_rc sargs_facts_set_fields(struct sargs_reg *reg, const char *id, unsigned contacts,
				     int birth_known, int32_t birth_day) SARGS_WUR;

/* Links made by a purchase (soft opt-in), for the caller to show. */
struct sargs_purchase_result {
	char linked[8][64];
	size_t n_linked;
};

/*
 * Records a purchase from product_line on day. offered: the person could
 * refuse marketing when the contact was collected; refused: they did.
 * Audited as "purchase.add".
 */
enum sargs_rc sargs_purchase_record(struct sargs_reg *reg, const char *id,
				    const char *product_line, int32_t day, int offered,
				    int refused, struct sargs_purchase_result *out,
				    struct sargs_err *err) SARGS_WUR;

/* Starts a contract (product_line may be NULL); *no is its number. */
enum sargs_rc sargs_contract_start(struct sargs_reg *reg, const char *id,
				   const char *product_line, int32_t start_day, int64_t *no,
				   struct sargs_err *err) SARGS_WUR;

/* Ends contract no on end_day (not before its start). */
enum sargs_rc sargs_contract_finish(struct sargs_reg *reg, const char *id, int64_t no,
				    int32_t end_day, struct sargs_err *err) SARGS_WUR;

/*
 * Builds the policy engine's facts for one subject and purpose from what
 * the store holds. A subject that does not exist (or was erased) gets
 * facts with exists = 0.
 */
enum sargs_rc sargs_policy_facts_load(struct sargs_reg *reg, const char *id,
				      const struct sargs_purpose *p,
				      struct sargs_policy_facts *out,
				      struct sargs_err *err) SARGS_WUR;
/* The same for a subject the caller has read already (it exists), linked
 * to p since linked_us (0: not linked): the rest of the facts only. */
enum sargs_rc sargs_policy_facts_load_linked(struct sargs_reg *reg, const char *id,
					     const struct sargs_purpose *p, int64_t linked_us,
					     struct sargs_policy_facts *out,
					     struct sargs_err *err) SARGS_WUR;

/*
 * Audience rows (store_rel.h): for each direct-marketing purpose a subject
 * is linked to, a compact record of what the policy engine needs, so a
 * campaign's audience is one pass over the purpose's rows. Every change
 * that can alter a decision (links, contacts, age, consent, objection,
 * purchases, contracts, zone, restriction) calls refresh inside its own
 * transaction; the rows are a cache of the facts, never the truth, and
 * rebuild recomputes them all (after a registry load changes a marketing
 * purpose).
 */
enum sargs_rc sargs_audience_refresh(struct sargs_reg *reg, const char *id) SARGS_WUR;
enum sargs_rc sargs_audience_rebuild(struct sargs_reg *reg, struct sargs_err *err) SARGS_WUR;

/* Decodes an audience row into the engine's facts; -1 when damaged. */
int sargs_audience_decode(struct sargs_reg *reg, const char *id, const unsigned char *b,
			  size_t len, struct sargs_policy_facts *out);

/* Decides whether purpose (on channel, 0 for none) is lawful for the
 * subject today. Reads no personal data; not audited. */
enum sargs_rc sargs_policy_check(struct sargs_reg *reg, const char *id, const char *purpose,
				 unsigned channel, struct sargs_policy_decision *out,
				 struct sargs_err *err) SARGS_WUR;

/* Sets the legacy zone of a subject (import, re-permission). */
enum sargs_rc sargs_facts_set_zone(struct sargs_reg *reg, const char *id, int zone) SARGS_WUR;

#endif
