/*
 * register.h — an open register: its data directory, store, keys, audit
 * trail and purpose registry, and the actor on whose behalf calls are made.
 *
 * A data directory holds:
 *   sargs.db     the register database (SQLite, WAL)
 *   master.key   the master key file (0600), unless SARGS_MASTER_KEY is set
 *   RESTORE_INCOMPLETE  only while a restore runs (or after one broke off)
 * The master key is never written into the database.
 *
 * Transactions: every domain function that changes the register, or reads
 * personal data (and therefore writes an audit entry), runs inside
 * sargs_reg_begin/commit. When the caller has not begun one, the function
 * opens and commits its own; when it has, the function joins it. So bulk
 * work (an import, a benchmark) can batch thousands of operations into one
 * durable commit. Inside a batch, a call refused by a rule (invalid input,
 * minimisation) changes nothing and the batch goes on; a call that fails
 * after it started writing (a full disk) poisons the batch: its commit then
 * undoes the whole batch and says so. Nothing is ever left half-done.
 * Reads inside a caller's batch are audited in it: the caller commits
 * before the data leaves the process.
 */
#ifndef SARGS_REGISTER_H
#define SARGS_REGISTER_H

#include "audit/audit.h"
#include "crypto/keys.h"
#include "store/store.h"
#include "util/rc.h"

#include <stdint.h>

#define SARGS_DB_FILE "sargs.db"
#define SARGS_KEY_FILE "master.key"
/* Present while a restore is re-applying erasures (domain/backup.h): a
 * directory holding it is not opened. */
#define SARGS_RESTORE_MARKER "RESTORE_INCOMPLETE"
#define SARGS_DATA_ENV "SARGS_DATA"
#define SARGS_ACTOR_MAX 128

struct sargs_registry;

/* 1 when the register in dir was made by an older schema than this build's
 * (opening it migrates it, which for a large register takes a while:
 * docs/architecture.md, "Schema"), with the two versions; 0 otherwise (a
 * current or newer register, or none: sargs_reg_open says what is wrong). */
int sargs_reg_schema_behind(const char *dir, int *from, int *to);

/*
 * Reader mode (the server's read pool): transactions are read snapshots and
 * audit entries are kept here instead of being written; the caller hands
 * them to sargs_reg_audit_apply on the writing handle, and lets no data
 * leave before that transaction is durable.
 */
struct sargs_deferred_audit {
	char actor[SARGS_ACTOR_MAX];
	char channel[32];
	char *action, *subject_id, *fields, *purpose, *detail; /* owned, or NULL */
};
struct sargs_audit_batch {
	struct sargs_deferred_audit *e;
	size_t n, cap;
	int failed;                      /* an entry could not be kept (memory) */
};

struct sargs_reg {
	char dir[1024];
	struct sargs_store *store;
	struct sargs_keys *keys;
	struct sargs_audit *audit;
	struct sargs_registry *registry; /* NULL until a registry is loaded */
	int64_t registry_version;
	char actor[SARGS_ACTOR_MAX];     /* "cli:USER" by default */
	char channel[32];                /* "cli", "api", ... */
	int poisoned;                    /* a step of the open batch failed half-way */
	int compact_pending;             /* erased or replaced data may sit in the log */
	struct sargs_audit_batch *reader; /* reader mode when not NULL */
};

/*
 * Creates a new register in dir: the directory (0700), a master key file
 * (unless SARGS_MASTER_KEY is set) and the database at the newest schema.
 * Refuses when dir already holds a register. Writes the first audit entry.
 */
enum sargs_rc sargs_reg_init(const char *dir, struct sargs_err *err) SARGS_WUR;

/* Opens the register in dir (caller closes). */
enum sargs_rc sargs_reg_open(const char *dir, struct sargs_reg **out,
			     struct sargs_err *err) SARGS_WUR;
void sargs_reg_close(struct sargs_reg *reg);

/* Sets who acts and through which channel (copied; checked for length). */
enum sargs_rc sargs_reg_set_actor(struct sargs_reg *reg, const char *actor,
				  const char *channel) SARGS_WUR;

enum sargs_rc sargs_reg_begin(struct sargs_reg *reg, struct sargs_err *err) SARGS_WUR;
enum sargs_rc sargs_reg_commit(struct sargs_reg *reg, struct sargs_err *err) SARGS_WUR;
void sargs_reg_rollback(struct sargs_reg *reg);

/* Ends what sargs_reg_begin started: commits when rc is SARGS_OK (returning
 * the commit's result), else rolls back and returns rc. */
enum sargs_rc sargs_reg_end(struct sargs_reg *reg, enum sargs_rc rc,
			    struct sargs_err *err) SARGS_WUR;

/*
 * For long-lived handles (the server's): drops the cached purpose registry
 * when another connection has committed since the last call (a registry
 * loaded by the command line takes effect); returns 1 when it did. Only
 * between transactions, and only where nobody holds a pointer from
 * sargs_reg_registry. sargs_reg_forget_registry drops it unconditionally.
 */
int sargs_reg_refresh(struct sargs_reg *reg);
void sargs_reg_forget_registry(struct sargs_reg *reg);

/* Marks the open batch as failed half-way (see above). */
void sargs_reg_poison(struct sargs_reg *reg);

/*
 * Asks for the write-ahead log to be truncated after the outermost commit,
 * so that erased or replaced ciphertexts do not linger in it. A truncation
 * that cannot run now (a reader holds the log) is retried after the next
 * commit.
 */
void sargs_reg_want_compaction(struct sargs_reg *reg);

/* Enters reader mode with batch (see struct sargs_audit_batch), or leaves
 * it (NULL). Only between transactions. */
void sargs_reg_set_reader(struct sargs_reg *reg, struct sargs_audit_batch *batch);
/* Writes the deferred entries of b, in order, as the actors and channels
 * that made them. Outside a transaction it opens one (all or nothing);
 * inside one it writes in the caller's level, which the caller must roll
 * back when this fails (some entries may be written). */
enum sargs_rc sargs_reg_audit_apply(struct sargs_reg *reg, const struct sargs_audit_batch *b,
				    struct sargs_err *err) SARGS_WUR;
void sargs_audit_batch_free(struct sargs_audit_batch *b);

/* Appends an audit entry as the register's actor and channel. */
enum sargs_rc sargs_reg_audit(struct sargs_reg *reg, const char *action, const char *subject_id,
			      const char *fields, const char *purpose, const char *detail,
			      struct sargs_err *err) SARGS_WUR;

/* The current purpose registry; SARGS_E_NOTFOUND with a message when none. */
enum sargs_rc sargs_reg_registry(struct sargs_reg *reg, const struct sargs_registry **out,
				 struct sargs_err *err) SARGS_WUR;

/* Counts for the summary. */
struct sargs_reg_summary {
	int64_t subjects;
	int64_t erased;
	int64_t audit_entries;
	int64_t registry_version;
	int schema_version;
	const char *engine;
};
enum sargs_rc sargs_reg_summary(struct sargs_reg *reg, struct sargs_reg_summary *out,
				struct sargs_err *err) SARGS_WUR;

#endif
