/*
 * store_breach.h — what the store keeps for the breach register (GDPR
 * Art. 33-34; 004 §21-23): each incident with its times, its risk and its
 * details, and the people it affected, by id only.
 *
 * The details (what happened, consequences, measures, contact point, the
 * reason for a late notification) are a JSON object of staff-written text
 * and codes; the store treats it as opaque. Affected people are rows
 * (breach, subject id), deleted with the subject's erasure.
 */
#ifndef SARGS_STORE_BREACH_H
#define SARGS_STORE_BREACH_H

#include "store/store.h"

struct sargs_store_breach {
	int64_t id;                  /* assigned by breach_add */
	int64_t aware_us;            /* when the business became aware */
	int64_t recorded_us;
	const char *data;            /* JSON object of the details */
	const char *risk;            /* unlikely | risk | high */
	int64_t notified_dvi_us;     /* 0: not notified */
	int64_t notified_people_us;  /* 0: not notified */
	int64_t closed_us;           /* 0: open */
	int64_t affected;            /* linked subjects (read only: get, scan) */
};

/* Adds a breach; b->id gets its number. */
enum sargs_rc sargs_store_breach_add(struct sargs_store *st, struct sargs_store_breach *b)
	SARGS_WUR;
/* Replaces data, risk, the notification times and closed_us of breach
 * b->id (aware_us and recorded_us never change); NOTFOUND when absent. */
enum sargs_rc sargs_store_breach_update(struct sargs_store *st,
					const struct sargs_store_breach *b) SARGS_WUR;
/* *owned holds what out's pointers point into (free()); NOTFOUND when absent. */
enum sargs_rc sargs_store_breach_get(struct sargs_store *st, int64_t id,
				     struct sargs_store_breach *out, void **owned) SARGS_WUR;
/* Every breach in id order; the row is valid during cb only. */
enum sargs_rc sargs_store_breach_scan(struct sargs_store *st,
				      int (*cb)(void *ctx, const struct sargs_store_breach *b),
				      void *ctx) SARGS_WUR;
/* Links a subject to a breach; *added (may be NULL) is 0 when it already was. */
enum sargs_rc sargs_store_breach_subject_add(struct sargs_store *st, int64_t breach_id,
					     const char *subject_id, int *added) SARGS_WUR;
/* Links every subject linked to purpose; *added gets how many were new. */
enum sargs_rc sargs_store_breach_subject_add_purpose(struct sargs_store *st, int64_t breach_id,
						     const char *purpose, int64_t *added)
	SARGS_WUR;
/* The subjects linked to a breach, in id order; cb returns non-zero to stop. */
enum sargs_rc sargs_store_breach_subjects(struct sargs_store *st, int64_t breach_id,
					  int (*cb)(void *ctx, const char *subject_id),
					  void *ctx) SARGS_WUR;

#endif
