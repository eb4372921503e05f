/*
 * audit.h — the append-only, hash-chained audit trail.
 *
 * Every read, write, export, disclosure and erasure of personal data appends
 * an entry: time, actor, action, subject id, field names, purpose, channel —
 * never field values. Each entry's hash is a keyed BLAKE2b over the previous
 * entry's hash and this entry's canonical bytes (audit sub-key), so someone
 * without the master key cannot rebuild a consistent chain after changing,
 * removing, inserting or reordering entries. The chain's head (last seq and
 * hash, with a MAC) is kept beside the trail, so that cutting entries off the
 * end is caught too.
 *
 * Appends happen inside the caller's store transaction: an entry becomes
 * durable in the same commit as the action it records, and for reads the
 * caller commits before the data leaves the process.
 */
#ifndef SARGS_AUDIT_H
#define SARGS_AUDIT_H

#include "crypto/keys.h"
#include "store/store.h"
#include "util/rc.h"

#include <stdint.h>

struct sargs_audit;

struct sargs_audit_entry {
	const char *actor;      /* who: "cli:alice", "system" */
	const char *action;     /* what: "subject.add", "subject.read", ... */
	const char *subject_id; /* or NULL */
	const char *fields;     /* comma-separated field names, or NULL */
	const char *purpose;    /* or NULL */
	const char *channel;    /* "cli", "api", ... or NULL */
	const char *detail;     /* non-personal detail, or NULL */
};

/* keys and st must outlive the handle. */
enum sargs_rc sargs_audit_open(struct sargs_store *st, const struct sargs_keys *keys,
			       struct sargs_audit **out) SARGS_WUR;
void sargs_audit_close(struct sargs_audit *a);

/*
 * Appends an entry at time now_us. Must be called inside a store transaction
 * (abort otherwise: programmer error). Strings are checked to hold no control
 * characters and to be at most 1 KiB. Refused with SARGS_E_TAMPERED when the
 * trail does not end where its head record says (cut off or emptied).
 */
enum sargs_rc sargs_audit_append(struct sargs_audit *a, int64_t now_us,
				 const struct sargs_audit_entry *e, struct sargs_err *err) SARGS_WUR;

/*
 * Transaction hooks, called by the register around store transactions:
 * begin saves the in-memory head, rollback restores it, and commit-prepare
 * writes the head record before the outermost commit.
 */
void sargs_audit_tx_begin(struct sargs_audit *a);
void sargs_audit_tx_rollback(struct sargs_audit *a);
void sargs_audit_tx_end(struct sargs_audit *a);
enum sargs_rc sargs_audit_flush_head(struct sargs_audit *a) SARGS_WUR;

/*
 * Writes the head record of an empty trail; called once, inside the
 * transaction that creates the register. From then on a missing head means
 * the trail was emptied, and appending is refused.
 */
enum sargs_rc sargs_audit_init_head(struct sargs_audit *a) SARGS_WUR;

enum sargs_audit_problem {
	SARGS_AUDIT_INTACT = 0,
	SARGS_AUDIT_MODIFIED,   /* an entry's content or hash was changed */
	SARGS_AUDIT_REMOVED,    /* entries are missing before this one */
	SARGS_AUDIT_INSERTED,   /* an entry that was never appended */
	SARGS_AUDIT_REORDERED,  /* entries are out of their original order */
	SARGS_AUDIT_TRUNCATED,  /* entries were cut off the end */
	SARGS_AUDIT_HEAD_BAD,   /* the head record is missing or forged */
	SARGS_AUDIT_INDEX_BAD   /* the entries are intact, but the search index
				 * of who they concern is not: a search for one
				 * person could miss entries (sargs_audit_reindex) */
};

struct sargs_audit_report {
	enum sargs_audit_problem problem;
	int64_t entries;        /* entries checked */
	int64_t first_bad_seq;  /* seq of the first bad entry (0 if intact) */
	char message[256];      /* a sentence naming what was found */
};

/* Walks the whole trail in one read snapshot. Returns SARGS_OK when intact,
 * SARGS_E_TAMPERED when not (report says where and how), or a store error. */
enum sargs_rc sargs_audit_verify(struct sargs_audit *a, struct sargs_audit_report *rep) SARGS_WUR;

/*
 * Makes the trail's search index anew from the entries (after
 * SARGS_AUDIT_INDEX_BAD), one part per write transaction so that others
 * writing meanwhile wait only briefly. *parts counts the parts checked,
 * *repaired those rewritten. Appends no entry itself: the caller records
 * the repair.
 */
enum sargs_rc sargs_audit_reindex(struct sargs_audit *a, int64_t *parts, int64_t *repaired,
				  struct sargs_err *err) SARGS_WUR;

/* Human name of a problem ("modified", ...). */
const char *sargs_audit_problem_str(enum sargs_audit_problem p);

#endif
