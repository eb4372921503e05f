/*
 * store_sqlite_int.h — the SQLite engine's handle and the helpers its
 * source files share (store_sqlite.c: the core tables; store_sqlite_rel.c,
 * _rights.c, _breach.c, _auth.c, _backup.c: one part of the register each).
 * Only src/store/ includes it.
 */
#ifndef SARGS_STORE_SQLITE_INT_H
#define SARGS_STORE_SQLITE_INT_H

#include "store/store_int.h"
#include "util/uuid.h"

#include <sqlite3.h>
#include <string.h>

#define SQ_STMT_MAX 64
#define SQ_REL_STMT_MAX 48
#define SQ_RIGHTS_STMT_MAX 24
#define SQ_BREACH_STMT_MAX 16
#define SQ_AUTH_STMT_MAX 24

struct sq_store {
	struct sargs_store base; /* must be first */
	sqlite3 *db;
	/* SQLite rolled the open transaction back by itself (on a full disk, an
	 * I/O error or out of memory): nothing more may run in it, or it would
	 * run in autocommit mode and commit half a batch */
	int broken;
	sqlite3_stmt *stmt[SQ_STMT_MAX];
	sqlite3_stmt *rel_stmt[SQ_REL_STMT_MAX];
	sqlite3_stmt *rights_stmt[SQ_RIGHTS_STMT_MAX];
	sqlite3_stmt *breach_stmt[SQ_BREACH_STMT_MAX];
	sqlite3_stmt *auth_stmt[SQ_AUTH_STMT_MAX];
	int64_t data_version;    /* PRAGMA data_version at the last look */
	/* a wait for a lock takes at most busy_us (0: not tuned, SQLite's
	 * busy timeout applies); busy_since is when the current one began */
	int64_t busy_us;
	int64_t busy_since;
	int ckpt_synced; /* sargs_store_checkpoint: the log's frames copied at its last sync */
	/* a server reader (sargs_store_tune_server, writer 0): query_only, so
	 * its nested levels are counted, not savepoints (nothing to undo) */
	int reads_only;
	/* the last API token found by its hash in a read-only transaction, and
	 * the data version of that transaction's snapshot: while no commit has
	 * come since (the version is the same), a lookup of the same hash gives
	 * it without a query (store_sqlite_auth.c, sq_token_get_hash) */
	/* the last audit entry's seq, known from this connection's own last
	 * append in the open transaction (sq_audit_append): set after an
	 * append, dropped when the outermost transaction ends and on every
	 * rollback (which may undo appends) */
	int audit_last_ok;
	int64_t audit_last;
	int token_memo_ok;
	int64_t token_memo_version;
	struct sargs_store_token token_memo;
};

/* The engine's handle behind the generic one. */
static inline struct sq_store *SQ(struct sargs_store *st) { return (struct sq_store *)st; }

/* SQLite's settings for the process (no memory statistics), made once
 * before SQLite's first use: call it before any sqlite3_open. */
void sq_global_init(void);
/* Maps an SQLite result code to a sargs code, keeping the message. */
enum sargs_rc sq_fail(struct sq_store *s, int code);
/* Steps a statement that returns no rows, then resets it. */
enum sargs_rc sq_run(struct sq_store *s, sqlite3_stmt *p);
enum sargs_rc sq_broken_fail(struct sq_store *s);
/* Binds a canonical UUID text as 16 bytes; -1 when it is not one. */
int sq_bind_id(sqlite3_stmt *p, int i, const char *id);
void sq_col_id(sqlite3_stmt *p, int i, char out[SARGS_UUID_STR]);
/* PRAGMA data_version of the open transaction's snapshot (starting it
 * when the transaction has read nothing yet): it differs from an earlier
 * snapshot's whenever another connection has committed since; -1 when it
 * cannot be read. Leaves data_version above alone. */
int64_t sq_snapshot_version(struct sq_store *s);
/* Prepares sql into *slot once; later calls reset and clear it. */
sqlite3_stmt *sq_cached(struct sq_store *s, sqlite3_stmt **slot, const char *sql);

/* The audit trail's per-block filters (store_sqlite_audit.c): after an
 * entry is appended (the filter of a block it completes), for the blocks
 * already full when schema 7 came, and the scan (store.h,
 * sargs_store_audit_scan). The first two return SQLite codes. */
int sq_audit_ends_block(int64_t seq);
int sq_audit_after_append(struct sq_store *s, int64_t seq);
int sq_audit_bloom_all(sqlite3 *db);
enum sargs_rc sq_audit_index_check(struct sargs_store *st, int64_t *bad, int64_t *first_seq);
enum sargs_rc sq_audit_index_repair(struct sargs_store *st, int64_t *cursor, int *changed,
				    int *done);
enum sargs_rc sq_audit_scan(struct sargs_store *st, const struct sargs_store_audit_filter *f,
			    int (*cb)(void *ctx, const struct sargs_store_audit_row *row),
			    void *ctx);

/* The log syncer (store_sqlite_sync.c; store.h, sargs_store_log_sync_open). */
enum sargs_rc sq_log_sync_open(struct sargs_store *st, struct sargs_log_sync **out,
			       struct sargs_err *err);
enum sargs_rc sq_log_sync(struct sargs_log_sync *ls, struct sargs_err *err);
void sq_log_sync_close(struct sargs_log_sync *ls);
enum sargs_rc sq_log_flush(struct sargs_store *st);

/* ---- small column helpers shared by the engine's files */

/* A text column, "" when NULL. */
static inline const char *sq_col_text(sqlite3_stmt *p, int i)
{
	const unsigned char *t = sqlite3_column_text(p, i);

	return t ? (const char *)t : "";
}

/* A text column, NULL when NULL. */
static inline const char *sq_col_opt_text(sqlite3_stmt *p, int i)
{
	return (const char *)sqlite3_column_text(p, i);
}

/* An audit hash column into dst, zero-filled when shorter or NULL. */
static inline void sq_col_hash(unsigned char dst[SARGS_AUDIT_HASH_BYTES], sqlite3_stmt *p,
			       int i)
{
	int n = sqlite3_column_bytes(p, i);
	const void *b = sqlite3_column_blob(p, i);

	memset(dst, 0, SARGS_AUDIT_HASH_BYTES);
	if (b != NULL)
		memcpy(dst, b, n < SARGS_AUDIT_HASH_BYTES ? (size_t)n : SARGS_AUDIT_HASH_BYTES);
}

/* A day column (days since 1970-01-01), SARGS_STORE_DAY_NONE when NULL. */
static inline int32_t sq_col_day(sqlite3_stmt *p, int i)
{
	return sqlite3_column_type(p, i) == SQLITE_NULL ? SARGS_STORE_DAY_NONE
							 : (int32_t)sqlite3_column_int(p, i);
}

static inline void sq_bind_day(sqlite3_stmt *p, int i, int32_t day)
{
	if (day == SARGS_STORE_DAY_NONE)
		(void)sqlite3_bind_null(p, i);
	else
		(void)sqlite3_bind_int(p, i, day);
}

/* Binds text, or NULL. The text must outlive the statement's step. */
static inline void sq_bind_opt_text(sqlite3_stmt *p, int i, const char *v)
{
	if (v == NULL)
		(void)sqlite3_bind_null(p, i);
	else
		(void)sqlite3_bind_text(p, i, v, -1, SQLITE_STATIC);
}

/*
 * Steps a statement expected to return one row: SARGS_OK with p on the row
 * (the caller resets it after reading); otherwise p is reset and the result
 * is SARGS_E_NOTFOUND (no row) or the failure.
 */
static inline enum sargs_rc sq_step_row(struct sq_store *s, sqlite3_stmt *p)
{
	int r = sqlite3_step(p);

	if (r == SQLITE_ROW)
		return SARGS_OK;
	(void)sqlite3_reset(p);
	return r == SQLITE_DONE ? SARGS_E_NOTFOUND : sq_fail(s, r);
}

/* Ends a row loop: resets p; SARGS_OK when r is SQLITE_DONE. */
static inline enum sargs_rc sq_step_done(struct sq_store *s, sqlite3_stmt *p, int r)
{
	(void)sqlite3_reset(p);
	return r == SQLITE_DONE ? SARGS_OK : sq_fail(s, r);
}

/* ---- statement macros (they return from the calling function) */

/* p = the statement cached in *slot (prepared from sql on first use);
 * returns the failure when the transaction is broken or sql does not prepare. */
#define SQ_PREP(s, p, slot, sql)                                                \
	do {                                                                    \
		if ((s)->broken)                                                \
			return sq_broken_fail(s);                               \
		(p) = sq_cached((s), (slot), (sql));                            \
		if ((p) == NULL)                                                \
			return sq_fail((s), sqlite3_errcode((s)->db));          \
	} while (0)

/* Binds subject id text as its 16 bytes; a text that is not a canonical id
 * names no subject: resets p and returns SARGS_E_NOTFOUND. */
#define SQ_BIND_ID(p, i, id)                            \
	do {                                            \
		if (sq_bind_id((p), (i), (id)) != 0) {  \
			(void)sqlite3_reset(p);         \
			return SARGS_E_NOTFOUND;        \
		}                                       \
	} while (0)

/* Deletes every relationship row of a subject (part of its erasure). */
enum sargs_rc sq_rel_erase(struct sq_store *s, const char *id);
/* Deletes a subject's disclosure log (part of its erasure). */
enum sargs_rc sq_rights_erase(struct sq_store *s, const char *id);
/* Deletes a subject's rows in the breach register (part of its erasure). */
enum sargs_rc sq_breach_erase(struct sq_store *s, const char *id);

extern const struct sargs_store_rel_ops sq_rel_ops;
extern const struct sargs_store_rights_ops sq_rights_ops;
extern const struct sargs_store_breach_ops sq_breach_ops; /* store_sqlite_breach.c */
extern const struct sargs_store_backup_ops sq_backup_ops; /* store_sqlite_backup.c */
extern const struct sargs_store_auth_ops sq_auth_ops;     /* store_sqlite_auth.c */

#endif
