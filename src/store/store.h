/*
 * store.h — the storage interface. Everything the register keeps goes
 * through these functions; which engine runs (SQLite now, PostgreSQL later)
 * is known only inside src/store/. No SQL exists outside this layer.
 *
 * The store holds only what the layers above hand it: ciphertexts, wrapped
 * keys and keyed hashes are opaque bytes here. It never sees a key or a
 * personal value in the clear.
 *
 * Subject ids are canonical UUID texts (util/uuid.h); the engine may store
 * them in binary. A call given anything else finds nothing
 * (SARGS_E_NOTFOUND).
 *
 * Transactions nest: the outermost sargs_store_begin starts a write
 * transaction that holds the register's write lock; inner ones are
 * savepoints (which undo only themselves when rolled back).
 */
#ifndef SARGS_STORE_H
#define SARGS_STORE_H

#include "util/rc.h"

#include <stddef.h>
#include <stdint.h>

/* The newest schema this build knows; see store_sqlite.c's migrations. */
#define SARGS_SCHEMA_VERSION 8

struct sargs_store;

/*
 * Opens (create != 0: creates) the register database at path, applying any
 * pending forward migrations, each in its own transaction. A database made
 * by a newer schema is refused with SARGS_E_SCHEMA.
 */
enum sargs_rc sargs_store_open(const char *path, int create, struct sargs_store **out,
			       struct sargs_err *err) SARGS_WUR;
/* Closes; NULL is fine. A transaction still open is rolled back. */
void sargs_store_close(struct sargs_store *st);
/* The schema version of the register database at path, read without
 * opening it as a register (nothing is migrated or changed): so that a
 * caller can say a migration is coming before sargs_store_open runs it.
 * NOTFOUND when there is no such file; *version 0 for a database that is
 * not a register. */
enum sargs_rc sargs_store_schema_at(const char *path, int *version) SARGS_WUR;

/* The schema version of the open database. */
int sargs_store_schema_version(const struct sargs_store *st);
/* The engine's name ("sqlite"). */
const char *sargs_store_engine(const struct sargs_store *st);

enum sargs_rc sargs_store_begin(struct sargs_store *st, struct sargs_err *err) SARGS_WUR;
/* Starts a read-only transaction (or a savepoint inside one): a consistent
 * snapshot that does not block writers. End it with sargs_store_commit. */
enum sargs_rc sargs_store_begin_read(struct sargs_store *st, struct sargs_err *err) SARGS_WUR;
enum sargs_rc sargs_store_commit(struct sargs_store *st, struct sargs_err *err) SARGS_WUR;
void sargs_store_rollback(struct sargs_store *st);
/* Nesting depth: 0 outside any transaction. */
int sargs_store_depth(const struct sargs_store *st);
/* 1 when another connection (the command line, the server's scheduler) has
 * committed since the last call: cached things must be read again. */
int sargs_store_changed_elsewhere(struct sargs_store *st);

/* ---- meta: small named values (schema facts, key check, controller) */
/* *out is a new buffer (caller frees), NUL-terminated for convenience. */
enum sargs_rc sargs_store_meta_get(struct sargs_store *st, const char *key,
				   unsigned char **out, size_t *out_len) SARGS_WUR;
enum sargs_rc sargs_store_meta_put(struct sargs_store *st, const char *key,
				   const void *value, size_t len) SARGS_WUR;

/* ---- the purpose registry: versioned documents */
enum sargs_rc sargs_store_registry_put(struct sargs_store *st, int64_t loaded_us,
				       const char *hash_hex, const char *document,
				       int64_t *out_version) SARGS_WUR;
/* The current document (caller frees); SARGS_E_NOTFOUND when none loaded. */
enum sargs_rc sargs_store_registry_current(struct sargs_store *st, char **document,
					   int64_t *version, int64_t *loaded_us) SARGS_WUR;

/* ---- subjects */
struct sargs_store_subject {
	const char *id;
	int64_t created_us;
	int64_t updated_us;
	const char *source;                 /* person | third_party | public */
	const unsigned char *wrapped_key;
	size_t wrapped_key_len;
	const unsigned char *fields;        /* opaque packed ciphertexts */
	size_t fields_len;
	const unsigned char *index_hashes;  /* the subject's blind index keys */
	size_t index_hashes_len;
};

enum sargs_rc sargs_store_subject_insert(struct sargs_store *st,
					 const struct sargs_store_subject *s) SARGS_WUR;
/*
 * Loads a subject; the pointers in *out point into *owned (one allocation,
 * caller frees with free()). SARGS_E_NOTFOUND when absent.
 */
enum sargs_rc sargs_store_subject_get(struct sargs_store *st, const char *id,
				      struct sargs_store_subject *out, void **owned) SARGS_WUR;
/* Replaces fields, index hashes and updated_us of an existing subject. */
enum sargs_rc sargs_store_subject_update(struct sargs_store *st,
					 const struct sargs_store_subject *s) SARGS_WUR;
/*
 * Removes a subject with everything that refers to it (links, blind index
 * rows) and adds its id to the erasure ledger, with the time. Deleted
 * content is overwritten in the database file (secure delete).
 */
enum sargs_rc sargs_store_subject_erase(struct sargs_store *st, const char *id,
					int64_t erased_us) SARGS_WUR;
enum sargs_rc sargs_store_subject_count(struct sargs_store *st, int64_t *out) SARGS_WUR;
/* Calls cb for every subject id, in creation order; cb returns non-zero to stop. */
enum sargs_rc sargs_store_subject_ids(struct sargs_store *st,
				      int (*cb)(void *ctx, const char *id), void *ctx) SARGS_WUR;

/* ---- purpose links */
enum sargs_rc sargs_store_link_add(struct sargs_store *st, const char *subject_id,
				   const char *purpose, int64_t linked_us) SARGS_WUR;
enum sargs_rc sargs_store_link_remove(struct sargs_store *st, const char *subject_id,
				      const char *purpose) SARGS_WUR;
enum sargs_rc sargs_store_links(struct sargs_store *st, const char *subject_id,
				int (*cb)(void *ctx, const char *purpose, int64_t linked_us),
				void *ctx) SARGS_WUR;
/* Number of subjects linked to each purpose: cb(purpose, count). */
enum sargs_rc sargs_store_link_counts(struct sargs_store *st,
				      int (*cb)(void *ctx, const char *purpose, int64_t n),
				      void *ctx) SARGS_WUR;

/* ---- blind index */
enum sargs_rc sargs_store_index_add(struct sargs_store *st, const unsigned char *hash,
				    size_t hash_len, const char *subject_id) SARGS_WUR;
enum sargs_rc sargs_store_index_remove(struct sargs_store *st, const unsigned char *hash,
				       size_t hash_len, const char *subject_id) SARGS_WUR;
enum sargs_rc sargs_store_index_find(struct sargs_store *st, const unsigned char *hash,
				     size_t hash_len,
				     int (*cb)(void *ctx, const char *subject_id),
				     void *ctx) SARGS_WUR;

/* ---- erasure ledger */
/* *out_us = when erased; SARGS_E_NOTFOUND when id was never erased. */
enum sargs_rc sargs_store_ledger_get(struct sargs_store *st, const char *id,
				     int64_t *out_us) SARGS_WUR;
enum sargs_rc sargs_store_ledger_count(struct sargs_store *st, int64_t *out) SARGS_WUR;
/* Calls cb for every ledger entry (id, when erased), oldest first; cb
 * returns non-zero to stop. cb must not change the store. */
enum sargs_rc sargs_store_ledger_scan(struct sargs_store *st,
				      int (*cb)(void *ctx, const char *id, int64_t erased_us),
				      void *ctx) SARGS_WUR;
/* Adds id to the ledger (a restore carrying over erasures made elsewhere);
 * an id already there keeps its time. */
enum sargs_rc sargs_store_ledger_add(struct sargs_store *st, const char *id,
				     int64_t erased_us) SARGS_WUR;

/* ---- backups */
/*
 * Copies the whole database, as one consistent snapshot, into a new
 * database file at path (created 0600 when missing; it must not hold a
 * database yet, an empty file is fine). Other connections may read and write meanwhile. Inside a read
 * transaction of st, the copy is exactly that transaction's snapshot.
 */
enum sargs_rc sargs_store_backup_to(struct sargs_store *st, const char *path) SARGS_WUR;
/* The engine's own structural check of the database file: *ok = 1 when
 * sound, else 0 with the first problem in msg. */
enum sargs_rc sargs_store_integrity_check(struct sargs_store *st, int *ok, char *msg,
					  size_t msg_size) SARGS_WUR;

/* ---- audit trail: append and read only; there is no update or delete */
#define SARGS_AUDIT_HASH_BYTES 32

struct sargs_store_audit_row {
	int64_t seq;
	int64_t time_us;
	const char *actor;
	const char *action;
	const char *subject_id; /* NULL when the entry concerns no subject */
	const char *fields;     /* comma-separated field names, or NULL */
	const char *purpose;    /* or NULL */
	const char *channel;    /* or NULL */
	const char *detail;     /* non-personal detail (counts, ids), or NULL */
	unsigned char prev[SARGS_AUDIT_HASH_BYTES];
	unsigned char hash[SARGS_AUDIT_HASH_BYTES];
};

struct sargs_store_audit_filter {
	const char *subject_id; /* NULL: any */
	const char *actor;      /* NULL: any */
	int64_t since_us;       /* INT64_MIN: no bound */
	int64_t until_us;       /* INT64_MAX: no bound */
	int64_t after_seq;      /* 0: from the start */
	int64_t limit;          /* 0: no limit */
};

/* Appends a row; row->seq is assigned by the store and written back. */
enum sargs_rc sargs_store_audit_append(struct sargs_store *st,
				       struct sargs_store_audit_row *row) SARGS_WUR;
/* The last row by seq; SARGS_E_NOTFOUND when the trail is empty. */
enum sargs_rc sargs_store_audit_last(struct sargs_store *st, int64_t *seq,
				     unsigned char hash[SARGS_AUDIT_HASH_BYTES]) SARGS_WUR;
/* Rows in seq order matching f; the row is valid during cb only. */
enum sargs_rc sargs_store_audit_scan(struct sargs_store *st,
				     const struct sargs_store_audit_filter *f,
				     int (*cb)(void *ctx, const struct sargs_store_audit_row *row),
				     void *ctx) SARGS_WUR;
/* The lowest seq other than exclude_seq (0: none excluded) of a row whose
 * hash equals hash; SARGS_E_NOTFOUND when none. */
enum sargs_rc sargs_store_audit_find_hash(struct sargs_store *st,
					  const unsigned char hash[SARGS_AUDIT_HASH_BYTES],
					  int64_t exclude_seq, int64_t *seq) SARGS_WUR;
enum sargs_rc sargs_store_audit_count(struct sargs_store *st, int64_t *out) SARGS_WUR;
/*
 * The trail's search index (which subjects each part of the trail concerns,
 * derived from the entries and outside the hash chain), checked against the
 * entries in the current transaction's snapshot: *bad counts the parts whose
 * index is missing, differs from what their entries make, or names no
 * finished part; *first_seq is the first entry of the first of them (0 when
 * none). A damaged index can make a search for one person miss entries.
 */
enum sargs_rc sargs_store_audit_index_check(struct sargs_store *st, int64_t *bad,
					    int64_t *first_seq) SARGS_WUR;
/*
 * Makes the index anew from the entries, one part per call, each call inside
 * its own write transaction (the caller's): *cursor starts at 0 and moves on;
 * *changed is 1 when that call rewrote something; *done is 1 after the last
 * call (which removes index rows of no finished part).
 */
enum sargs_rc sargs_store_audit_index_repair(struct sargs_store *st, int64_t *cursor,
					     int *changed, int *done) SARGS_WUR;

/*
 * Moves committed changes into the main database file and truncates the
 * write-ahead log, so that erased content does not linger in the log.
 */
enum sargs_rc sargs_store_compact_log(struct sargs_store *st);
/* Copies what the log holds into the database as far as readers allow,
 * without waiting for anyone (the server's background checkpoint). When
 * not NULL, *log_frames is what the log holds and *left what of it is not
 * in the database yet (pages of 4 KiB); both 0 when there is no log. */
enum sargs_rc sargs_store_checkpoint(struct sargs_store *st, int *log_frames, int *left);
/* Settings for a long-lived server connection: a larger cache, and waits
 * for a lock in steps of a tenth of a millisecond (not SQLite's default of
 * 1, 2, 5, 10 ... 100 ms); writer: the log is not checkpointed in its
 * commits (a background thread does it with sargs_store_checkpoint, so no
 * commit waits for a checkpoint); a reader (writer 0) takes the database's
 * pages from a map of the whole file (store/sqlite_map.h) and writes
 * nothing: a write is refused (SQLite's query_only; copying the log into
 * the database, sargs_store_checkpoint, still works), and its nested
 * transaction levels are counted, not savepoints. */
void sargs_store_tune_server(struct sargs_store *st, int writer);
/*
 * Durability handed to the caller (the server's register worker). While a
 * connection has a log syncer open, its commits return once the log is
 * written, before it is on disk; sargs_store_log_sync puts all that was
 * written so far on disk. A commit not yet synced can be lost in a crash
 * (whole, never half of it), so nothing that depends on a commit may leave
 * the process before a sync that began after the commit has returned
 * SARGS_OK. That lets a commit be written while the one before it is being
 * synced. sargs_store_log_sync may run on another thread, at the same time
 * as the connection's own work. Closing the syncer makes the connection's
 * commits durable by themselves again; close accepts NULL.
 */
struct sargs_log_sync;
/* Puts on disk every commit in the register's log so far, whoever made it
 * (the server's worker syncs on its own thread, a moment after it
 * commits). Call after reading a snapshot and before anything taken from
 * it leaves the process: a backup file, a signed audit checkpoint. */
enum sargs_rc sargs_store_log_flush(struct sargs_store *st) SARGS_WUR;
/* 1 once a sync of a register's log or database file failed in this
 * process: the kernel reports such a failure once per open file, so from
 * then on no sync can vouch for anything; the log is kept as it is (no
 * copy, restart or truncation) and flushes fail. Cleared only by a
 * restart of the process. */
int sargs_store_sync_failed(void);
/* Records such a failure (the engines call it on each; tests, to see the
 * rest of the process react). */
void sargs_store_sync_fail(void);
enum sargs_rc sargs_store_log_sync_open(struct sargs_store *st, struct sargs_log_sync **out,
					struct sargs_err *err) SARGS_WUR;
enum sargs_rc sargs_store_log_sync(struct sargs_log_sync *ls, struct sargs_err *err) SARGS_WUR;
void sargs_store_log_sync_close(struct sargs_log_sync *ls);
/*
 * The writer's part of the log's upkeep, called between transactions (the
 * server's register worker, when the background checkpoint asks for it).
 * Under constant reads the log never starts over by itself: some reader
 * always uses it, so it grows without end. This copies what the background
 * checkpoint has not yet (little, when asked at the right time: the writer
 * waits for that copy), then waits at most 2 ms until no reader uses the
 * log, so that the next commit writes it from its beginning. *restarted is
 * 0 when a reader stayed longer (try again later). Only on a connection
 * tuned by sargs_store_tune_server and outside a transaction (else an
 * error).
 */
enum sargs_rc sargs_store_log_restart(struct sargs_store *st, int *restarted);

/* Last engine error message (for diagnostics; holds no personal data). */
const char *sargs_store_errmsg(const struct sargs_store *st);

#endif
