/*
 * store_rel.h — what the store keeps about each subject's relationship with
 * the business, beside the encrypted fields: policy facts, consent state and
 * its history (receipts), purchases and contracts, campaigns, legacy zones
 * and re-permission. None of it holds a name, a contact or a code in the
 * clear: rows are keyed by the random subject id, birth dates of minors are
 * sealed (crypto/fact.h), and all of a subject's rows go when it is erased.
 *
 * Days are days since 1970-01-01; times are µs since the epoch. Subject ids
 * are canonical UUID texts, as in store.h.
 */
#ifndef SARGS_STORE_REL_H
#define SARGS_STORE_REL_H

#include "store/store.h"

#define SARGS_STORE_DAY_NONE INT32_MIN

/* The number of subjects, counted from their (small) facts rows. */
enum sargs_rc sargs_store_facts_count(struct sargs_store *st, int64_t *out) SARGS_WUR;

/* Per-subject facts the policy engine needs. */
struct sargs_store_facts {
	unsigned contacts;                 /* channel bits the subject has a contact for */
	int age_class;                     /* 0 unknown, 1 adult when recorded, 2 minor */
	const unsigned char *birth_sealed; /* sealed birth day of a minor, or NULL */
	size_t birth_sealed_len;
	int zone;                          /* enum sargs_zone */
	int restricted;
	int64_t dm_objected_us;            /* 0: no objection to direct marketing */
	int32_t last_purchase_day;         /* or SARGS_STORE_DAY_NONE */
	int32_t contract_end_day;          /* latest end when no contract runs, or NONE */
};

/* *owned holds what out's pointers point into (free() it); a subject without
 * facts gets zeroed facts (days NONE) and SARGS_OK. */
enum sargs_rc sargs_store_facts_get(struct sargs_store *st, const char *id,
				    struct sargs_store_facts *out, void **owned) SARGS_WUR;
enum sargs_rc sargs_store_facts_put(struct sargs_store *st, const char *id,
				    const struct sargs_store_facts *f) SARGS_WUR;

/* Current consent or objection state for one purpose. */
struct sargs_store_consent {
	int state;            /* enum sargs_consent_state */
	int64_t since_us;     /* when the state began */
	int64_t given_us;     /* when the last valid consent was given, or 0 */
	int guardian;         /* guardian's consent recorded */
	int64_t objected_us;  /* upheld objection to the purpose, or 0 */
};

/* SARGS_E_NOTFOUND when nothing was ever recorded for the pair. */
enum sargs_rc sargs_store_consent_get(struct sargs_store *st, const char *id, const char *purpose,
				      struct sargs_store_consent *out) SARGS_WUR;
enum sargs_rc sargs_store_consent_put(struct sargs_store *st, const char *id, const char *purpose,
				      const struct sargs_store_consent *c) SARGS_WUR;
enum sargs_rc sargs_store_consents(struct sargs_store *st, const char *id,
				   int (*cb)(void *ctx, const char *purpose,
					     const struct sargs_store_consent *c),
				   void *ctx) SARGS_WUR;

/* The consent history: events with their signed receipts (JSON text). */
enum sargs_rc sargs_store_consent_event_add(struct sargs_store *st, const char *id,
					    const char *purpose, const char *event,
					    int64_t time_us, const char *receipt) SARGS_WUR;
enum sargs_rc sargs_store_consent_events(struct sargs_store *st, const char *id,
					 int (*cb)(void *ctx, int64_t seq, const char *purpose,
						   const char *event, int64_t time_us,
						   const char *receipt),
					 void *ctx) SARGS_WUR;

/* Customer relationship with a product line (summary of purchases). */
struct sargs_store_line {
	const char *product_line;
	int32_t first_day, last_day;
	int opt_out_offered;   /* could refuse marketing when the contact was collected */
	int refused;           /* and refused */
};

/* Records a purchase and updates the line's summary: first/last day, and
 * offered/refused, which stick once set. */
enum sargs_rc sargs_store_purchase_add(struct sargs_store *st, const char *id,
				       const char *product_line, int32_t day, int opt_out_offered,
				       int refused) SARGS_WUR;
enum sargs_rc sargs_store_lines(struct sargs_store *st, const char *id,
				int (*cb)(void *ctx, const struct sargs_store_line *l),
				void *ctx) SARGS_WUR;
enum sargs_rc sargs_store_purchases(struct sargs_store *st, const char *id,
				    int (*cb)(void *ctx, const char *product_line, int32_t day),
				    void *ctx) SARGS_WUR;

/* Contracts: start, and end when it ended (NONE while it runs). */
enum sargs_rc sargs_store_contract_add(struct sargs_store *st, const char *id,
				       const char *product_line, int32_t start_day,
				       int64_t *out_no) SARGS_WUR;
/* SARGS_E_NOTFOUND when the subject has no such contract. */
enum sargs_rc sargs_store_contract_end(struct sargs_store *st, const char *id, int64_t no,
				       int32_t end_day) SARGS_WUR;
enum sargs_rc sargs_store_contracts(struct sargs_store *st, const char *id,
				    int (*cb)(void *ctx, int64_t no, const char *product_line,
					      int32_t start_day, int32_t end_day),
				    void *ctx) SARGS_WUR;

/*
 * Audience rows: for every subject linked to a direct-marketing purpose,
 * what the policy engine needs to decide, as an opaque record the domain
 * layer encodes (relation.c), kept per (purpose, subject) so that
 * resolving a campaign's audience is one pass over that purpose's rows.
 */
enum sargs_rc sargs_store_audience_put(struct sargs_store *st, const char *purpose,
				       const char *id, const void *facts, size_t len) SARGS_WUR;
/* Removes the row (absent is fine). */
enum sargs_rc sargs_store_audience_remove(struct sargs_store *st, const char *purpose,
					  const char *id) SARGS_WUR;
/* Calls cb for every row of purpose; the pointers are valid during cb only. */
enum sargs_rc sargs_store_audience_scan(struct sargs_store *st, const char *purpose,
					int (*cb)(void *ctx, const char *id,
						  const unsigned char *facts, size_t len),
					void *ctx) SARGS_WUR;

/* Campaign runs. */
struct sargs_store_campaign {
	int64_t id;
	int64_t time_us;
	const char *actor;
	const char *purpose;
	const char *channel;
	const char *product_line;  /* or NULL */
	int64_t registry_version;
	int64_t audience;
	const char *excluded;      /* JSON object: reason -> count */
};
enum sargs_rc sargs_store_campaign_add(struct sargs_store *st, struct sargs_store_campaign *c)
	SARGS_WUR;
enum sargs_rc sargs_store_campaigns(struct sargs_store *st,
				    int (*cb)(void *ctx, const struct sargs_store_campaign *c),
				    void *ctx) SARGS_WUR;

/* Legacy zones: subjects per zone, and the ids in one zone. */
enum sargs_rc sargs_store_zone_counts(struct sargs_store *st, int64_t counts[4]) SARGS_WUR;
enum sargs_rc sargs_store_zone_ids(struct sargs_store *st, int zone,
				   int (*cb)(void *ctx, const char *id), void *ctx) SARGS_WUR;

/* Re-permission: who was asked when, until when, and who re-confirmed. */
struct sargs_store_reperm {
	int64_t asked_us;
	int32_t deadline_day;
	int64_t confirmed_us;   /* 0: not (yet) */
};
enum sargs_rc sargs_store_reperm_get(struct sargs_store *st, const char *id,
				     struct sargs_store_reperm *out) SARGS_WUR;
enum sargs_rc sargs_store_reperm_put(struct sargs_store *st, const char *id,
				     const struct sargs_store_reperm *r) SARGS_WUR;
enum sargs_rc sargs_store_reperm_scan(struct sargs_store *st,
				      int (*cb)(void *ctx, const char *id,
						const struct sargs_store_reperm *r),
				      void *ctx) SARGS_WUR;

#endif
