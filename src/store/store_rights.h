/*
 * store_rights.h — what the store keeps for data subjects' rights and the
 * end of processing: the request register with its history, the
 * disclosure log, anonymised statistics, and the scan the retention sweep
 * runs over every purpose link.
 *
 * As everywhere in the store, nothing here is a personal value in the
 * clear: requests name the subject by its random id (or by nobody until the
 * person is identified) and keep the requester's own contact only as an
 * opaque sealed blob; statistics are counts without ids.
 */
#ifndef SARGS_STORE_RIGHTS_H
#define SARGS_STORE_RIGHTS_H

#include "store/store.h"
#include "store/store_rel.h"

/* ---- the request register */

struct sargs_store_request {
	int64_t id;                      /* assigned by request_add */
	const char *subject_id;          /* NULL until the person is identified */
	const char *kind;                /* access, erasure, ... */
	const char *state;               /* received, verifying, verified, ... */
	int64_t received_us;
	const char *channel;             /* how it arrived */
	int32_t due_day;                 /* days since 1970-01-01 */
	int extended;
	const char *purpose;             /* objection / restriction target, or NULL */
	const unsigned char *requester;  /* sealed contact of who asked, or NULL */
	size_t requester_len;
	int64_t closed_us;               /* 0 while open */
	const char *data;                /* JSON object of non-personal details */
};

enum sargs_rc sargs_store_request_add(struct sargs_store *st, struct sargs_store_request *r)
	SARGS_WUR;
/* Replaces every field but id and received_us. */
enum sargs_rc sargs_store_request_update(struct sargs_store *st,
					 const struct sargs_store_request *r) SARGS_WUR;
/* *owned holds what out's pointers point into (free()); NOTFOUND when absent. */
enum sargs_rc sargs_store_request_get(struct sargs_store *st, int64_t id,
				      struct sargs_store_request *out, void **owned) SARGS_WUR;
/* Requests in id order; open_only: only those not closed (by due day). */
enum sargs_rc sargs_store_request_scan(struct sargs_store *st, int open_only,
				       int (*cb)(void *ctx, const struct sargs_store_request *r),
				       void *ctx) SARGS_WUR;
enum sargs_rc sargs_store_request_event_add(struct sargs_store *st, int64_t request_id,
					    int64_t time_us, const char *actor,
					    const char *event, const char *detail) SARGS_WUR;
enum sargs_rc sargs_store_request_events(struct sargs_store *st, int64_t request_id,
					 int (*cb)(void *ctx, int64_t time_us, const char *actor,
						   const char *event, const char *detail),
					 void *ctx) SARGS_WUR;

/* ---- the disclosure log: transfers to recipients */

struct sargs_store_disclosure {
	int64_t time_us;
	const char *recipient;
	const char *purpose;
	const char *fields;     /* comma-separated field names */
	const char *reference;  /* a non-personal reference (case number), or NULL */
};

enum sargs_rc sargs_store_disclosure_add(struct sargs_store *st, const char *subject_id,
					 const struct sargs_store_disclosure *d) SARGS_WUR;
/* A subject's disclosures since since_us, oldest first. */
enum sargs_rc sargs_store_disclosures(struct sargs_store *st, const char *subject_id,
				      int64_t since_us,
				      int (*cb)(void *ctx, const struct sargs_store_disclosure *d),
				      void *ctx) SARGS_WUR;

/* ---- anonymised statistics: counts that survive erasure */

/* Adds delta to the count of (month "YYYY-MM", purpose, product_line or "",
 * measure). */
enum sargs_rc sargs_store_stats_add(struct sargs_store *st, const char *month,
				    const char *purpose, const char *product_line,
				    const char *measure, int64_t delta) SARGS_WUR;
enum sargs_rc sargs_store_stats_scan(struct sargs_store *st,
				     int (*cb)(void *ctx, const char *month, const char *purpose,
					       const char *product_line, const char *measure,
					       int64_t n),
				     void *ctx) SARGS_WUR;

/* ---- the ledger of partial erasures: purposes ended and fields erased
 * while the person stays (names only, no values); append-only, re-applied
 * on restore like the erasure ledger */

enum sargs_rc sargs_store_partial_add(struct sargs_store *st, const char *subject_id,
				      int64_t time_us, const char *purposes,
				      const char *fields) SARGS_WUR;
enum sargs_rc sargs_store_partial_scan(struct sargs_store *st,
				       int (*cb)(void *ctx, const char *subject_id, int64_t time_us,
						 const char *purposes, const char *fields),
				       void *ctx) SARGS_WUR;

/* ---- the retention sweep's scan */

/* One purpose link with what its retention rule may run from. */
struct sargs_store_link_facts {
	const char *subject_id;
	const char *purpose;
	int64_t linked_us;
	int32_t last_purchase_day;   /* SARGS_STORE_DAY_NONE when unknown */
	int32_t contract_end_day;    /* latest end when no contract runs, or NONE */
	int64_t dm_objected_us;      /* 0: none */
	int restricted;
	int consent_state;           /* 0 when nothing was recorded */
	int64_t consent_since_us;
	int64_t objected_us;
};

/* Every purpose link of every subject, grouped by subject. */
enum sargs_rc sargs_store_link_facts_scan(struct sargs_store *st,
					  int (*cb)(void *ctx,
						    const struct sargs_store_link_facts *l),
					  void *ctx) SARGS_WUR;

#endif
