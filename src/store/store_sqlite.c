/*
 * store_sqlite.c — the embedded engine: one SQLite database file in WAL mode.
 *
 * Durability: journal_mode=WAL with synchronous=FULL, so a committed
 * transaction (and the audit entry inside it) survives a crash or power cut.
 * The server's worker hands the sync to a thread of its own
 * (sargs_store_log_sync_open, store_sqlite_sync.c) and answers only after
 * it; whatever publishes a snapshot (a backup, a signed checkpoint) first
 * puts the log on disk (sargs_store_log_flush).
 * The log is checkpointed every 8192 pages (32 MiB) rather than SQLite's
 * default 1000: a bulk batch of a thousand subjects dirties some 3000
 * random blind-index pages, and checkpointing after every batch would copy
 * and sync each of them twice.
 * secure_delete=ON overwrites deleted content, and erasure truncates the log
 * (sargs_store_compact_log), so crypto-shredded rows do not linger in free
 * pages. Statements are prepared once and cached; no SQL text is ever built
 * from input.
 *
 * The audit table refuses UPDATE and DELETE through triggers: the
 * application has no code path that changes an entry, and the triggers stop
 * accidents through other tools (an attacker who drops them is caught by the
 * hash chain, see audit.c).
 */
#include "store/sqlite_map.h"
#include "store/store_sqlite_int.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Forward-only migrations: migrations[i] takes schema i to i+1. */
static const char *const migrations[SARGS_SCHEMA_VERSION] = {
	/* 0 -> 1: the register's core */
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE registry(version INTEGER PRIMARY KEY, loaded_us INTEGER NOT NULL,"
	"  hash TEXT NOT NULL, document TEXT NOT NULL);"
	"CREATE TABLE subjects(id BLOB PRIMARY KEY, created_us INTEGER NOT NULL,"
	"  updated_us INTEGER NOT NULL, source TEXT NOT NULL, wrapped_key BLOB NOT NULL,"
	"  fields BLOB NOT NULL, index_hashes BLOB NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE subject_purposes(subject_id BLOB NOT NULL, purpose TEXT NOT NULL,"
	"  linked_us INTEGER NOT NULL, PRIMARY KEY(subject_id, purpose)) WITHOUT ROWID;"
	"CREATE TABLE blind_index(hash BLOB NOT NULL, subject_id BLOB NOT NULL,"
	"  PRIMARY KEY(hash, subject_id)) WITHOUT ROWID;"
	"CREATE TABLE erasure_ledger(subject_id BLOB PRIMARY KEY, erased_us INTEGER NOT NULL)"
	"  WITHOUT ROWID;"
	"CREATE TABLE audit(seq INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, action TEXT NOT NULL, subject_id TEXT, fields TEXT,"
	"  purpose TEXT, channel TEXT, detail TEXT, prev BLOB NOT NULL, hash BLOB NOT NULL);"
	"CREATE INDEX audit_by_subject ON audit(subject_id) WHERE subject_id IS NOT NULL;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit"
	"  BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
	"CREATE TRIGGER ledger_no_delete BEFORE DELETE ON erasure_ledger"
	"  BEGIN SELECT RAISE(ABORT, 'the erasure ledger is append-only'); END;",
	/* 1 -> 2: consent, relationships, campaigns, legacy zones (store_rel.h) */
	"CREATE TABLE audience(purpose TEXT NOT NULL, subject_id BLOB NOT NULL,"
	"  facts BLOB NOT NULL, PRIMARY KEY(purpose, subject_id)) WITHOUT ROWID;"
	"CREATE TABLE subject_facts(subject_id BLOB PRIMARY KEY,"
	"  contacts INTEGER NOT NULL, age_class INTEGER NOT NULL, birth_sealed BLOB,"
	"  zone INTEGER NOT NULL, restricted INTEGER NOT NULL, dm_objected_us INTEGER NOT NULL,"
	"  last_purchase_day INTEGER, contract_end_day INTEGER) WITHOUT ROWID;"
	/* every subject has a facts row (what the policy engine knows of it) */
	"INSERT INTO subject_facts SELECT id, 0, 0, NULL, 0, 0, 0, NULL, NULL FROM subjects;"
	"CREATE INDEX facts_by_zone ON subject_facts(zone) WHERE zone != 0;"
	"CREATE TABLE consents(subject_id BLOB NOT NULL, purpose TEXT NOT NULL,"
	"  state INTEGER NOT NULL, since_us INTEGER NOT NULL, given_us INTEGER NOT NULL,"
	"  guardian INTEGER NOT NULL, objected_us INTEGER NOT NULL,"
	"  PRIMARY KEY(subject_id, purpose)) WITHOUT ROWID;"
	"CREATE TABLE consent_events(seq INTEGER PRIMARY KEY, subject_id BLOB NOT NULL,"
	"  purpose TEXT NOT NULL, event TEXT NOT NULL, time_us INTEGER NOT NULL,"
	"  receipt TEXT NOT NULL);"
	"CREATE INDEX consent_events_by_subject ON consent_events(subject_id, seq);"
	"CREATE TABLE customer_lines(subject_id BLOB NOT NULL, product_line TEXT NOT NULL,"
	"  first_day INTEGER NOT NULL, last_day INTEGER NOT NULL,"
	"  opt_out_offered INTEGER NOT NULL, refused INTEGER NOT NULL,"
	"  PRIMARY KEY(subject_id, product_line)) WITHOUT ROWID;"
	"CREATE TABLE purchases(seq INTEGER PRIMARY KEY, subject_id BLOB NOT NULL,"
	"  product_line TEXT NOT NULL, day INTEGER NOT NULL);"
	"CREATE INDEX purchases_by_subject ON purchases(subject_id);"
	"CREATE TABLE contracts(seq INTEGER PRIMARY KEY, subject_id BLOB NOT NULL,"
	"  product_line TEXT, start_day INTEGER NOT NULL, end_day INTEGER);"
	"CREATE INDEX contracts_by_subject ON contracts(subject_id);"
	"CREATE TABLE campaigns(id INTEGER PRIMARY KEY, time_us INTEGER NOT NULL,"
	"  actor TEXT NOT NULL, purpose TEXT NOT NULL, channel TEXT NOT NULL, product_line TEXT,"
	"  registry_version INTEGER NOT NULL, audience INTEGER NOT NULL, excluded TEXT NOT NULL);"
	"CREATE TABLE repermission(subject_id BLOB PRIMARY KEY, asked_us INTEGER NOT NULL,"
	"  deadline_day INTEGER NOT NULL, confirmed_us INTEGER NOT NULL) WITHOUT ROWID;",
	/* 2 -> 3: requests, disclosures, statistics (store_rights.h) */
	"CREATE TABLE requests(id INTEGER PRIMARY KEY, subject_id BLOB, kind TEXT NOT NULL,"
	"  state TEXT NOT NULL, received_us INTEGER NOT NULL, channel TEXT NOT NULL,"
	"  due_day INTEGER NOT NULL, extended INTEGER NOT NULL, purpose TEXT, requester BLOB,"
	"  closed_us INTEGER NOT NULL, data TEXT NOT NULL);"
	"CREATE INDEX requests_open ON requests(due_day) WHERE closed_us = 0;"
	"CREATE INDEX requests_by_subject ON requests(subject_id) WHERE subject_id IS NOT NULL;"
	"CREATE TABLE request_events(seq INTEGER PRIMARY KEY, request_id INTEGER NOT NULL,"
	"  time_us INTEGER NOT NULL, actor TEXT NOT NULL, event TEXT NOT NULL, detail TEXT);"
	"CREATE INDEX request_events_by_request ON request_events(request_id, seq);"
	"CREATE TABLE disclosures(seq INTEGER PRIMARY KEY, subject_id BLOB NOT NULL,"
	"  time_us INTEGER NOT NULL, recipient TEXT NOT NULL, purpose TEXT NOT NULL,"
	"  fields TEXT, reference TEXT);"
	"CREATE INDEX disclosures_by_subject ON disclosures(subject_id, time_us);"
	"CREATE TABLE stats(month TEXT NOT NULL, purpose TEXT NOT NULL, product_line TEXT NOT NULL,"
	"  measure TEXT NOT NULL, n INTEGER NOT NULL,"
	"  PRIMARY KEY(month, purpose, product_line, measure)) WITHOUT ROWID;",
	/* 3 -> 4: the breach register (store_breach.h) */
	"CREATE TABLE breaches(id INTEGER PRIMARY KEY, aware_us INTEGER NOT NULL,"
	"  recorded_us INTEGER NOT NULL, data TEXT NOT NULL, risk TEXT NOT NULL,"
	"  notified_dvi_us INTEGER NOT NULL, notified_people_us INTEGER NOT NULL,"
	"  closed_us INTEGER NOT NULL);"
	"CREATE TABLE breach_subjects(breach_id INTEGER NOT NULL, subject_id BLOB NOT NULL,"
	"  PRIMARY KEY(breach_id, subject_id)) WITHOUT ROWID;"
	"CREATE INDEX breach_subjects_by_subject ON breach_subjects(subject_id);",
	/* 4 -> 5: the ledger of partial erasures (purposes ended, fields erased),
	 * re-applied on restore like the erasure ledger */
	"CREATE TABLE partial_erasures(seq INTEGER PRIMARY KEY, subject_id BLOB NOT NULL,"
	"  time_us INTEGER NOT NULL, purposes TEXT NOT NULL, fields TEXT NOT NULL);"
	"CREATE TRIGGER partial_erasures_no_delete BEFORE DELETE ON partial_erasures"
	"  BEGIN SELECT RAISE(ABORT, 'the erasure ledger is append-only'); END;"
	"CREATE TRIGGER partial_erasures_no_update BEFORE UPDATE ON partial_erasures"
	"  BEGIN SELECT RAISE(ABORT, 'the erasure ledger is append-only'); END;",
	/* 5 -> 6: staff accounts, roles, sessions and API tokens (store_auth.h);
	 * the four roles every register starts with (domain/staff.h) */
	"CREATE TABLE roles(name TEXT PRIMARY KEY, actions TEXT NOT NULL, purposes TEXT NOT NULL)"
	"  WITHOUT ROWID;"
	"CREATE TABLE staff(name TEXT PRIMARY KEY, role TEXT NOT NULL REFERENCES roles(name),"
	"  lang TEXT NOT NULL, pwhash TEXT NOT NULL, disabled INTEGER NOT NULL,"
	"  failed INTEGER NOT NULL, locked_until_us INTEGER NOT NULL, created_us INTEGER NOT NULL,"
	"  last_login_us INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE staff_sessions(hash BLOB PRIMARY KEY,"
	"  staff TEXT NOT NULL REFERENCES staff(name), csrf TEXT NOT NULL,"
	"  created_us INTEGER NOT NULL, last_used_us INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX staff_sessions_by_staff ON staff_sessions(staff);"
	"CREATE TABLE api_tokens(name TEXT PRIMARY KEY, hash BLOB NOT NULL UNIQUE,"
	"  actions TEXT NOT NULL, purposes TEXT NOT NULL, created_us INTEGER NOT NULL,"
	"  expires_us INTEGER NOT NULL, revoked_us INTEGER NOT NULL);"
	"INSERT INTO roles(name, actions, purposes) VALUES"
	"  ('owner', 'subject.read,subject.write,consent.write,purchase.write,request.read,"
	"request.write,campaign.read,campaign.export,import,audit.read,registry.read,"
	"staff.manage', '*'),"
	"  ('dpo', 'subject.read,request.read,request.write,audit.read,registry.read,"
	"consent.write', '*'),"
	"  ('cashier', 'subject.read,subject.write,consent.write,purchase.write,registry.read',"
	"  '*'),"
	"  ('marketing', 'campaign.read,campaign.export,registry.read,subject.read', '*');",
	/* 6 -> 7: a person's audit entries found through per-block filters
	 * instead of an index that took a random page per entry
	 * (store_sqlite_audit.c); the filters of the blocks already full are
	 * made by migration_steps[6] */
	"DROP INDEX IF EXISTS audit_by_subject;"
	"CREATE TABLE audit_bloom(slice INTEGER NOT NULL, block INTEGER NOT NULL,"
	"  bits BLOB NOT NULL, PRIMARY KEY(slice, block)) WITHOUT ROWID;",
	/* 7 -> 8: subjects in an ordinary table found through an index of
	 * their ids. WITHOUT ROWID kept whole rows (the sealed fields, 500-700
	 * bytes) in the tree's inner pages too: six to a page, eight levels at
	 * a million people, 86 MB of inner pages that no cache held, so most
	 * levels of every read missed it. Now the inner pages hold ids and
	 * row numbers only (a few hundred to a page, three levels each, few
	 * enough to stay in memory), and a read fetches two leaves. The rows
	 * are copied in the order they came (the new row numbers follow it);
	 * the index is built once, after the copy. */
	"CREATE TABLE subjects_v8(id BLOB NOT NULL, created_us INTEGER NOT NULL,"
	"  updated_us INTEGER NOT NULL, source TEXT NOT NULL, wrapped_key BLOB NOT NULL,"
	"  fields BLOB NOT NULL, index_hashes BLOB NOT NULL);"
	"INSERT INTO subjects_v8(id, created_us, updated_us, source, wrapped_key, fields,"
	"  index_hashes) SELECT id, created_us, updated_us, source, wrapped_key, fields,"
	"  index_hashes FROM subjects ORDER BY created_us, id;"
	"DROP TABLE subjects;"
	"ALTER TABLE subjects_v8 RENAME TO subjects;"
	"CREATE UNIQUE INDEX subjects_by_id ON subjects(id);",
};

/* What a migration needs beyond SQL, run after migrations[i] in its
 * transaction; returns an SQLite code. */
static int (*const migration_steps[SARGS_SCHEMA_VERSION])(sqlite3 *db) = {
	[6] = sq_audit_bloom_all,
};

enum stmt_id {
	S_BEGIN, S_BEGIN_READ, S_COMMIT, S_ROLLBACK,
	S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
	S_META_GET, S_META_PUT,
	S_REG_PUT, S_REG_CUR,
	S_SUBJ_INSERT, S_SUBJ_GET, S_SUBJ_UPDATE, S_SUBJ_DELETE, S_SUBJ_COUNT, S_SUBJ_IDS,
	S_SUBJ_HASHES,
	S_LINK_ADD, S_LINK_REMOVE, S_LINKS, S_LINKS_DELETE, S_LINK_COUNTS,
	S_IDX_ADD, S_IDX_REMOVE, S_IDX_DELETE_SUBJECT, S_IDX_FIND,
	S_LEDGER_ADD, S_LEDGER_GET, S_LEDGER_COUNT,
	S_AUDIT_APPEND, S_AUDIT_LAST, S_AUDIT_FIND, S_AUDIT_COUNT,
	S_DATA_VERSION,
	S__COUNT
};

static const char *const stmt_sql[S__COUNT] = {
	[S_BEGIN] = "BEGIN IMMEDIATE",
	[S_BEGIN_READ] = "BEGIN DEFERRED",
	[S_COMMIT] = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_SAVEPOINT] = "SAVEPOINT sargs_sp",
	[S_RELEASE] = "RELEASE sargs_sp",
	[S_ROLLBACK_TO] = "ROLLBACK TO sargs_sp",
	[S_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[S_META_PUT] = "INSERT INTO meta(key, value) VALUES(?1, ?2)"
		       " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
	[S_REG_PUT] = "INSERT INTO registry(loaded_us, hash, document) VALUES(?1, ?2, ?3)",
	[S_REG_CUR] = "SELECT version, loaded_us, document FROM registry"
		      " ORDER BY version DESC LIMIT 1",
	[S_SUBJ_INSERT] = "INSERT INTO subjects(id, created_us, updated_us, source, wrapped_key,"
			  " fields, index_hashes) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_SUBJ_GET] = "SELECT created_us, updated_us, source, wrapped_key, fields, index_hashes"
		       " FROM subjects WHERE id = ?1",
	[S_SUBJ_UPDATE] = "UPDATE subjects SET updated_us = ?2, fields = ?3, index_hashes = ?4"
			  " WHERE id = ?1",
	[S_SUBJ_DELETE] = "DELETE FROM subjects WHERE id = ?1",
	[S_SUBJ_COUNT] = "SELECT count(*) FROM subjects",
	[S_SUBJ_IDS] = "SELECT id FROM subjects ORDER BY created_us, id",
	[S_SUBJ_HASHES] = "SELECT index_hashes FROM subjects WHERE id = ?1",
	[S_LINK_ADD] = "INSERT INTO subject_purposes(subject_id, purpose, linked_us)"
		       " VALUES(?1, ?2, ?3) ON CONFLICT DO NOTHING",
	[S_LINK_REMOVE] = "DELETE FROM subject_purposes WHERE subject_id = ?1 AND purpose = ?2",
	[S_LINKS] = "SELECT purpose, linked_us FROM subject_purposes WHERE subject_id = ?1"
		    " ORDER BY purpose",
	[S_LINKS_DELETE] = "DELETE FROM subject_purposes WHERE subject_id = ?1",
	[S_LINK_COUNTS] = "SELECT purpose, count(*) FROM subject_purposes GROUP BY purpose"
			  " ORDER BY purpose",
	[S_IDX_ADD] = "INSERT INTO blind_index(hash, subject_id) VALUES(?1, ?2)"
		      " ON CONFLICT DO NOTHING",
	[S_IDX_REMOVE] = "DELETE FROM blind_index WHERE hash = ?1 AND subject_id = ?2",
	[S_IDX_DELETE_SUBJECT] = "DELETE FROM blind_index WHERE subject_id = ?1",
	[S_IDX_FIND] = "SELECT subject_id FROM blind_index WHERE hash = ?1 ORDER BY subject_id",
	[S_LEDGER_ADD] = "INSERT INTO erasure_ledger(subject_id, erased_us) VALUES(?1, ?2)"
			 " ON CONFLICT DO NOTHING",
	[S_LEDGER_GET] = "SELECT erased_us FROM erasure_ledger WHERE subject_id = ?1",
	[S_LEDGER_COUNT] = "SELECT count(*) FROM erasure_ledger",
	[S_AUDIT_APPEND] = "INSERT INTO audit(time_us, actor, action, subject_id, fields,"
			   " purpose, channel, detail, prev, hash)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_AUDIT_LAST] = "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
	[S_AUDIT_FIND] = "SELECT seq FROM audit WHERE hash = ?1 AND seq != ?2 ORDER BY seq LIMIT 1",
	[S_AUDIT_COUNT] = "SELECT count(*) FROM audit",
	[S_DATA_VERSION] = "PRAGMA data_version",
};

_Static_assert(S__COUNT <= SQ_STMT_MAX, "raise SQ_STMT_MAX");

enum sargs_rc sq_fail(struct sq_store *s, int code)
{
	(void)snprintf(s->base.errmsg, sizeof(s->base.errmsg), "%s", sqlite3_errmsg(s->db));
	switch (code & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return SARGS_E_BUSY;
	case SQLITE_NOMEM:
		return SARGS_E_NOMEM;
	case SQLITE_FULL:
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
		return SARGS_E_IO;
	case SQLITE_CONSTRAINT: {
		int x = sqlite3_extended_errcode(s->db);

		return x == SQLITE_CONSTRAINT_PRIMARYKEY || x == SQLITE_CONSTRAINT_UNIQUE
			       ? SARGS_E_EXISTS : SARGS_E_STORE;
	}
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return SARGS_E_SCHEMA;
	default:
		return SARGS_E_STORE;
	}
}

/* Returns the cached statement id, reset and with bindings cleared. */
static sqlite3_stmt *stmt(struct sq_store *s, enum stmt_id id)
{
	return sq_cached(s, &s->stmt[id], stmt_sql[id]);
}

/* Notes a transaction SQLite has rolled back on its own. */
static void check_broken(struct sq_store *s)
{
	if (s->base.depth > 0 && sqlite3_get_autocommit(s->db))
		s->broken = 1;
}

/* Runs a statement that returns no rows. */
static enum sargs_rc run(struct sq_store *s, sqlite3_stmt *p)
{
	int r = sqlite3_step(p);
	enum sargs_rc rc = SARGS_OK;

	if (r != SQLITE_DONE && r != SQLITE_ROW) {
		rc = sq_fail(s, r);
		check_broken(s);
	}
	(void)sqlite3_reset(p);
	return rc;
}

static enum sargs_rc broken_fail(struct sq_store *s)
{
	(void)snprintf(s->base.errmsg, sizeof(s->base.errmsg),
		       "the transaction was rolled back by the storage engine after an error");
	return SARGS_E_STORE;
}

static enum sargs_rc run_id(struct sq_store *s, enum stmt_id id)
{
	sqlite3_stmt *p = stmt(s, id);

	if (p == NULL)
		return sq_fail(s, sqlite3_errcode(s->db));
	return run(s, p);
}

#define PREP(s, p, id) SQ_PREP((s), (p), &(s)->stmt[id], stmt_sql[id])


/*
 * Subject ids are stored as their 16 bytes rather than 36 characters of
 * text: every subject row, link, blind index entry and ledger entry carries
 * one, and smaller keys mean fewer pages to write at millions of subjects.
 * The audit trail keeps the text form, readable with any tool.
 */
/* Binds the 16 bytes of a canonical UUID text; -1 when id is not one. */
static int bind_id(sqlite3_stmt *p, int i, const char *id)
{
	unsigned char b[SARGS_UUID_BYTES];

	if (sargs_uuid_to_bytes(id, b) != SARGS_OK)
		return -1;
	return sqlite3_bind_blob(p, i, b, SARGS_UUID_BYTES, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : -1;
}

/* Reads a 16-byte id column as canonical UUID text into out. */
static void col_id(sqlite3_stmt *p, int i, char out[SARGS_UUID_STR])
{
	const unsigned char *b = sqlite3_column_blob(p, i);

	if (b == NULL || sqlite3_column_bytes(p, i) != SARGS_UUID_BYTES)
		out[0] = '\0';
	else
		sargs_uuid_from_bytes(b, out);
}

/* ---- helpers shared with the engine's other files (store_sqlite_int.h) */

enum sargs_rc sq_run(struct sq_store *s, sqlite3_stmt *p) { return run(s, p); }
enum sargs_rc sq_broken_fail(struct sq_store *s) { return broken_fail(s); }
int sq_bind_id(sqlite3_stmt *p, int i, const char *id) { return bind_id(p, i, id); }
void sq_col_id(sqlite3_stmt *p, int i, char out[SARGS_UUID_STR]) { col_id(p, i, out); }

sqlite3_stmt *sq_cached(struct sq_store *s, sqlite3_stmt **slot, const char *sql)
{
	if (*slot == NULL) {
		if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, slot, NULL) !=
		    SQLITE_OK)
			return NULL;
	} else {
		(void)sqlite3_reset(*slot);
		(void)sqlite3_clear_bindings(*slot);
	}
	return *slot;
}

static void sq_close(struct sargs_store *st)
{
	struct sq_store *s = SQ(st);

	if (s->base.depth > 0) {
		(void)run_id(s, S_ROLLBACK);
		s->base.depth = 0;
	}
	for (int i = 0; i < S__COUNT; i++)
		(void)sqlite3_finalize(s->stmt[i]);
	for (int i = 0; i < SQ_REL_STMT_MAX; i++)
		(void)sqlite3_finalize(s->rel_stmt[i]);
	for (int i = 0; i < SQ_RIGHTS_STMT_MAX; i++)
		(void)sqlite3_finalize(s->rights_stmt[i]);
	for (int i = 0; i < SQ_BREACH_STMT_MAX; i++)
		(void)sqlite3_finalize(s->breach_stmt[i]);
	for (int i = 0; i < SQ_AUTH_STMT_MAX; i++)
		(void)sqlite3_finalize(s->auth_stmt[i]);
	(void)sqlite3_close(s->db);
	free(s);
}

static enum sargs_rc sq_begin_kind(struct sargs_store *st, enum stmt_id outer,
				   struct sargs_err *err)
{
	struct sq_store *s = SQ(st);
	enum sargs_rc rc;

	if (s->reads_only && st->depth > 0 && !s->broken) {
		st->depth++; /* nothing can be written, so nothing to undo */
		return SARGS_OK;
	}
	if (st->depth == 0)
		s->audit_last_ok = 0; /* another process may have appended since */
	rc = s->broken ? broken_fail(s) : run_id(s, st->depth == 0 ? outer : S_SAVEPOINT);

	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, rc == SARGS_E_BUSY
					      ? "the register is locked by another process; try again"
					      : "cannot start a transaction: %s", st->errmsg);
	st->depth++;
	return SARGS_OK;
}

int64_t sq_snapshot_version(struct sq_store *s)
{
	/* cached: the server's writer asks before every group of jobs, a
	 * reader before every token lookup */
	sqlite3_stmt *p = stmt(s, S_DATA_VERSION);
	int64_t v = -1;

	if (p != NULL) {
		if (sqlite3_step(p) == SQLITE_ROW)
			v = sqlite3_column_int64(p, 0);
		(void)sqlite3_reset(p);
	}
	return v;
}

static int sq_changed_elsewhere(struct sargs_store *st)
{
	struct sq_store *s = SQ(st);
	int64_t v = sq_snapshot_version(s);

	if (v >= 0 && v == s->data_version)
		return 0;
	s->data_version = v;
	return 1;
}

static enum sargs_rc sq_begin(struct sargs_store *st, struct sargs_err *err)
{
	return sq_begin_kind(st, S_BEGIN, err);
}

static enum sargs_rc sq_begin_read(struct sargs_store *st, struct sargs_err *err)
{
	return sq_begin_kind(st, S_BEGIN_READ, err);
}

static enum sargs_rc sq_commit(struct sargs_store *st, struct sargs_err *err)
{
	struct sq_store *s = SQ(st);
	enum sargs_rc rc;

	if (st->depth <= 0)
		abort(); /* programmer error: commit without begin */
	if (s->reads_only && st->depth > 1 && !s->broken) {
		st->depth--;
		return SARGS_OK;
	}
	rc = s->broken ? broken_fail(s) : run_id(s, st->depth == 1 ? S_COMMIT : S_RELEASE);
	if (rc != SARGS_OK) {
		sargs_store_rollback(st);
		return sargs_err_set(err, rc, "cannot commit (nothing was changed): %s",
				     st->errmsg);
	}
	if (--st->depth == 0)
		s->audit_last_ok = 0;
	return SARGS_OK;
}

static void sq_rollback(struct sargs_store *st)
{
	struct sq_store *s = SQ(st);

	if (st->depth <= 0)
		return;
	s->audit_last_ok = 0; /* the undone level may have held appends */
	if (s->broken) {
		/* already rolled back by SQLite: unwind the levels only */
		if (--st->depth == 0)
			s->broken = 0;
		return;
	}
	if (st->depth == 1) {
		(void)run_id(s, S_ROLLBACK);
	} else if (s->reads_only) {
		/* a counted level: nothing was written in it */
	} else {
		(void)run_id(s, S_ROLLBACK_TO);
		(void)run_id(s, S_RELEASE);
	}
	st->depth--;
}

static unsigned char *dup_blob(const void *p, int n)
{
	unsigned char *b = malloc((size_t)n + 1);

	if (b == NULL)
		return NULL;
	if (n > 0)
		memcpy(b, p, (size_t)n);
	b[n] = '\0';
	return b;
}

static enum sargs_rc sq_meta_get(struct sargs_store *st, const char *key,
				 unsigned char **out, size_t *out_len)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc = SARGS_OK;
	int r;

	PREP(s, p, S_META_GET);
	sqlite3_bind_text(p, 1, key, -1, SQLITE_STATIC);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW) {
		int n = sqlite3_column_bytes(p, 0);

		*out = dup_blob(sqlite3_column_blob(p, 0), n);
		if (*out == NULL)
			rc = SARGS_E_NOMEM;
		else if (out_len != NULL)
			*out_len = (size_t)n;
	} else {
		rc = r == SQLITE_DONE ? SARGS_E_NOTFOUND : sq_fail(s, r);
	}
	(void)sqlite3_reset(p);
	return rc;
}

static enum sargs_rc sq_meta_put(struct sargs_store *st, const char *key, const void *value,
				 size_t len)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	PREP(s, p, S_META_PUT);
	sqlite3_bind_text(p, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_blob(p, 2, value, (int)len, SQLITE_STATIC);
	return run(s, p);
}

static enum sargs_rc sq_registry_put(struct sargs_store *st, int64_t loaded_us,
				     const char *hash_hex, const char *document,
				     int64_t *out_version)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	PREP(s, p, S_REG_PUT);
	sqlite3_bind_int64(p, 1, loaded_us);
	sqlite3_bind_text(p, 2, hash_hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 3, document, -1, SQLITE_STATIC);
	rc = run(s, p);
	if (rc == SARGS_OK && out_version != NULL)
		*out_version = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static enum sargs_rc sq_registry_current(struct sargs_store *st, char **document,
					 int64_t *version, int64_t *loaded_us)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc = SARGS_OK;
	int r;

	PREP(s, p, S_REG_CUR);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW) {
		if (version != NULL)
			*version = sqlite3_column_int64(p, 0);
		if (loaded_us != NULL)
			*loaded_us = sqlite3_column_int64(p, 1);
		*document = (char *)dup_blob(sqlite3_column_text(p, 2), sqlite3_column_bytes(p, 2));
		if (*document == NULL)
			rc = SARGS_E_NOMEM;
	} else {
		rc = r == SQLITE_DONE ? SARGS_E_NOTFOUND : sq_fail(s, r);
	}
	(void)sqlite3_reset(p);
	return rc;
}

static enum sargs_rc sq_subject_insert(struct sargs_store *st,
				       const struct sargs_store_subject *sub)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	PREP(s, p, S_SUBJ_INSERT);
	SQ_BIND_ID(p, 1, sub->id);
	sqlite3_bind_int64(p, 2, sub->created_us);
	sqlite3_bind_int64(p, 3, sub->updated_us);
	sqlite3_bind_text(p, 4, sub->source, -1, SQLITE_STATIC);
	sqlite3_bind_blob(p, 5, sub->wrapped_key, (int)sub->wrapped_key_len, SQLITE_STATIC);
	sqlite3_bind_blob(p, 6, sub->fields, (int)sub->fields_len, SQLITE_STATIC);
	sqlite3_bind_blob(p, 7, sub->index_hashes ? sub->index_hashes : (const unsigned char *)"",
			  (int)sub->index_hashes_len, SQLITE_STATIC);
	return run(s, p);
}

static enum sargs_rc sq_subject_get(struct sargs_store *st, const char *id,
				    struct sargs_store_subject *out, void **owned)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc = SARGS_OK;
	int r;

	PREP(s, p, S_SUBJ_GET);
	SQ_BIND_ID(p, 1, id);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW) {
		size_t idl = strlen(id) + 1;
		size_t srcl = (size_t)sqlite3_column_bytes(p, 2) + 1;
		size_t wl = (size_t)sqlite3_column_bytes(p, 3);
		size_t fl = (size_t)sqlite3_column_bytes(p, 4);
		size_t hl = (size_t)sqlite3_column_bytes(p, 5);
		unsigned char *buf = malloc(idl + srcl + wl + fl + hl + 1);

		if (buf == NULL) {
			rc = SARGS_E_NOMEM;
		} else {
			unsigned char *q = buf;

			memcpy(q, id, idl);
			out->id = (const char *)q;
			q += idl;
			memcpy(q, sqlite3_column_text(p, 2), srcl - 1);
			q[srcl - 1] = '\0';
			out->source = (const char *)q;
			q += srcl;
			if (wl)
				memcpy(q, sqlite3_column_blob(p, 3), wl);
			out->wrapped_key = q;
			out->wrapped_key_len = wl;
			q += wl;
			if (fl)
				memcpy(q, sqlite3_column_blob(p, 4), fl);
			out->fields = q;
			out->fields_len = fl;
			q += fl;
			if (hl)
				memcpy(q, sqlite3_column_blob(p, 5), hl);
			out->index_hashes = q;
			out->index_hashes_len = hl;
			out->created_us = sqlite3_column_int64(p, 0);
			out->updated_us = sqlite3_column_int64(p, 1);
			*owned = buf;
		}
	} else {
		rc = r == SQLITE_DONE ? SARGS_E_NOTFOUND : sq_fail(s, r);
	}
	(void)sqlite3_reset(p);
	return rc;
}

static enum sargs_rc sq_subject_update(struct sargs_store *st,
				       const struct sargs_store_subject *sub)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	PREP(s, p, S_SUBJ_UPDATE);
	SQ_BIND_ID(p, 1, sub->id);
	sqlite3_bind_int64(p, 2, sub->updated_us);
	sqlite3_bind_blob(p, 3, sub->fields, (int)sub->fields_len, SQLITE_STATIC);
	sqlite3_bind_blob(p, 4, sub->index_hashes ? sub->index_hashes : (const unsigned char *)"",
			  (int)sub->index_hashes_len, SQLITE_STATIC);
	rc = run(s, p);
	if (rc == SARGS_OK && sqlite3_changes(s->db) == 0)
		rc = SARGS_E_NOTFOUND;
	return rc;
}

static enum sargs_rc sq_index_remove(struct sargs_store *st, const unsigned char *hash,
				     size_t hash_len, const char *subject_id);

static enum sargs_rc sq_subject_erase(struct sargs_store *st, const char *id, int64_t erased_us)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc = SARGS_OK;
	unsigned char *hashes = NULL;
	size_t hl = 0;
	int r, damaged = 0;

	PREP(s, p, S_SUBJ_HASHES);
	SQ_BIND_ID(p, 1, id);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW) {
		hl = (size_t)sqlite3_column_bytes(p, 0);
		hashes = dup_blob(sqlite3_column_blob(p, 0), (int)hl);
		if (hashes == NULL)
			rc = SARGS_E_NOMEM;
	} else {
		rc = r == SQLITE_DONE ? SARGS_E_NOTFOUND : sq_fail(s, r);
	}
	(void)sqlite3_reset(p);
	if (rc != SARGS_OK)
		return rc;
	/* index_hashes is a sequence of (1-byte length, hash) records, written
	 * by the domain layer; deleting exactly those rows is fast */
	for (size_t off = 0; off < hl && rc == SARGS_OK;) {
		size_t n = hashes[off];

		if (off + 1 + n > hl) {
			damaged = 1;
			break;
		}
		rc = sq_index_remove(st, hashes + off + 1, n, id);
		off += 1 + n;
	}
	free(hashes);
	if (rc != SARGS_OK)
		return rc;
	if (damaged) {
		/* an erasure must succeed even so: find the rows by scanning */
		PREP(s, p, S_IDX_DELETE_SUBJECT);
		SQ_BIND_ID(p, 1, id);
		if ((rc = run(s, p)) != SARGS_OK)
			return rc;
	}
	/* relationship rows first: the audience rows are found through the
	 * subject's purpose links */
	if ((rc = sq_rel_erase(s, id)) != SARGS_OK || (rc = sq_rights_erase(s, id)) != SARGS_OK ||
	    (rc = sq_breach_erase(s, id)) != SARGS_OK)
		return rc;
	PREP(s, p, S_LINKS_DELETE);
	SQ_BIND_ID(p, 1, id);
	if ((rc = run(s, p)) != SARGS_OK)
		return rc;
	PREP(s, p, S_SUBJ_DELETE);
	SQ_BIND_ID(p, 1, id);
	if ((rc = run(s, p)) != SARGS_OK)
		return rc;
	PREP(s, p, S_LEDGER_ADD);
	SQ_BIND_ID(p, 1, id);
	sqlite3_bind_int64(p, 2, erased_us);
	return run(s, p);
}

static enum sargs_rc count_of(struct sq_store *s, enum stmt_id id, int64_t *out)
{
	sqlite3_stmt *p;
	int r;
	enum sargs_rc rc = SARGS_OK;

	PREP(s, p, id);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW)
		*out = sqlite3_column_int64(p, 0);
	else
		rc = sq_fail(s, r);
	(void)sqlite3_reset(p);
	return rc;
}

static enum sargs_rc sq_subject_count(struct sargs_store *st, int64_t *out)
{
	return count_of(SQ(st), S_SUBJ_COUNT, out);
}

static enum sargs_rc sq_subject_ids(struct sargs_store *st,
				    int (*cb)(void *ctx, const char *id), void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	PREP(s, p, S_SUBJ_IDS);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		char idtext[37];

		col_id(p, 0, idtext);
		if (cb(ctx, idtext) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	(void)sqlite3_reset(p);
	return r == SQLITE_DONE ? SARGS_OK : sq_fail(s, r);
}

static enum sargs_rc sq_link_add(struct sargs_store *st, const char *subject_id,
				 const char *purpose, int64_t linked_us)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	PREP(s, p, S_LINK_ADD);
	SQ_BIND_ID(p, 1, subject_id);
	sqlite3_bind_text(p, 2, purpose, -1, SQLITE_STATIC);
	sqlite3_bind_int64(p, 3, linked_us);
	return run(s, p);
}

static enum sargs_rc sq_link_remove(struct sargs_store *st, const char *subject_id,
				    const char *purpose)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	PREP(s, p, S_LINK_REMOVE);
	SQ_BIND_ID(p, 1, subject_id);
	sqlite3_bind_text(p, 2, purpose, -1, SQLITE_STATIC);
	return run(s, p);
}

static enum sargs_rc sq_links(struct sargs_store *st, const char *subject_id,
			      int (*cb)(void *ctx, const char *purpose, int64_t linked_us),
			      void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	PREP(s, p, S_LINKS);
	SQ_BIND_ID(p, 1, subject_id);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		if (cb(ctx, (const char *)sqlite3_column_text(p, 0),
		       sqlite3_column_int64(p, 1)) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	(void)sqlite3_reset(p);
	return r == SQLITE_DONE ? SARGS_OK : sq_fail(s, r);
}

static enum sargs_rc sq_link_counts(struct sargs_store *st,
				    int (*cb)(void *ctx, const char *purpose, int64_t n),
				    void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	PREP(s, p, S_LINK_COUNTS);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		if (cb(ctx, (const char *)sqlite3_column_text(p, 0),
		       sqlite3_column_int64(p, 1)) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	(void)sqlite3_reset(p);
	return r == SQLITE_DONE ? SARGS_OK : sq_fail(s, r);
}

static enum sargs_rc sq_index_add(struct sargs_store *st, const unsigned char *hash,
				  size_t hash_len, const char *subject_id)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	PREP(s, p, S_IDX_ADD);
	sqlite3_bind_blob(p, 1, hash, (int)hash_len, SQLITE_STATIC);
	SQ_BIND_ID(p, 2, subject_id);
	return run(s, p);
}

static enum sargs_rc sq_index_remove(struct sargs_store *st, const unsigned char *hash,
				     size_t hash_len, const char *subject_id)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	PREP(s, p, S_IDX_REMOVE);
	sqlite3_bind_blob(p, 1, hash, (int)hash_len, SQLITE_STATIC);
	SQ_BIND_ID(p, 2, subject_id);
	return run(s, p);
}

static enum sargs_rc sq_index_find(struct sargs_store *st, const unsigned char *hash,
				   size_t hash_len, int (*cb)(void *ctx, const char *subject_id),
				   void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	PREP(s, p, S_IDX_FIND);
	sqlite3_bind_blob(p, 1, hash, (int)hash_len, SQLITE_STATIC);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		char idtext[37];

		col_id(p, 0, idtext);
		if (cb(ctx, idtext) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	(void)sqlite3_reset(p);
	return r == SQLITE_DONE ? SARGS_OK : sq_fail(s, r);
}

static enum sargs_rc sq_ledger_get(struct sargs_store *st, const char *id, int64_t *out_us)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc = SARGS_OK;
	int r;

	PREP(s, p, S_LEDGER_GET);
	SQ_BIND_ID(p, 1, id);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW) {
		if (out_us != NULL)
			*out_us = sqlite3_column_int64(p, 0);
	} else {
		rc = r == SQLITE_DONE ? SARGS_E_NOTFOUND : sq_fail(s, r);
	}
	(void)sqlite3_reset(p);
	return rc;
}

static enum sargs_rc sq_ledger_count(struct sargs_store *st, int64_t *out)
{
	return count_of(SQ(st), S_LEDGER_COUNT, out);
}

static void bind_opt_text(sqlite3_stmt *p, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(p, i);
	else
		sqlite3_bind_text(p, i, v, -1, SQLITE_STATIC);
}

static enum sargs_rc sq_audit_append(struct sargs_store *st, struct sargs_store_audit_row *row)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;
	int64_t last = 0;
	int ends_block, r;

	/* the new entry's seq is the last one's plus one (INTEGER PRIMARY
	 * KEY, and nothing is ever deleted); after an append of its own in
	 * this transaction the connection knows it (the server's worker
	 * appends a group's entries in one), else it asks */
	if (s->audit_last_ok && st->depth > 0 && !sqlite3_get_autocommit(s->db)) {
		last = s->audit_last;
	} else {
		PREP(s, p, S_AUDIT_LAST);
		rc = sq_step_row(s, p);
		if (rc == SARGS_OK) {
			last = sqlite3_column_int64(p, 0);
			sqlite3_reset(p);
		} else if (rc != SARGS_E_NOTFOUND) {
			return rc;
		}
	}
	s->audit_last_ok = 0; /* until this append is in */
	ends_block = sq_audit_ends_block(last + 1);
	PREP(s, p, S_AUDIT_APPEND);
	sqlite3_bind_int64(p, 1, row->time_us);
	sqlite3_bind_text(p, 2, row->actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(p, 3, row->action, -1, SQLITE_STATIC);
	bind_opt_text(p, 4, row->subject_id);
	bind_opt_text(p, 5, row->fields);
	bind_opt_text(p, 6, row->purpose);
	bind_opt_text(p, 7, row->channel);
	bind_opt_text(p, 8, row->detail);
	sqlite3_bind_blob(p, 9, row->prev, SARGS_AUDIT_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_blob(p, 10, row->hash, SARGS_AUDIT_HASH_BYTES, SQLITE_STATIC);
	if (!ends_block) {
		rc = run(s, p);
		if (rc != SARGS_OK)
			return rc;
		row->seq = sqlite3_last_insert_rowid(s->db);
		s->audit_last = row->seq;
		s->audit_last_ok = st->depth > 0 && row->seq == last + 1;
		/* not the seq foreseen (cannot happen while the remembered one
		 * is right): a block it ends still gets its filter */
		if (row->seq != last + 1 && sq_audit_ends_block(row->seq) &&
		    (r = sq_audit_after_append(s, row->seq)) != SQLITE_OK) {
			rc = sq_fail(s, r);
			check_broken(s);
		}
		return rc;
	}
	/* the last entry of a block, and its filter: both or neither */
	if ((r = sqlite3_exec(s->db, "SAVEPOINT audit_block", NULL, NULL, NULL)) != SQLITE_OK) {
		sqlite3_reset(p);
		rc = sq_fail(s, r);
		check_broken(s);
		return rc;
	}
	rc = run(s, p);
	if (rc == SARGS_OK) {
		row->seq = sqlite3_last_insert_rowid(s->db);
		if ((r = sq_audit_after_append(s, row->seq)) != SQLITE_OK) {
			rc = sq_fail(s, r);
			check_broken(s);
		}
	}
	/* SQLite may have rolled the whole transaction back by itself (a full
	 * disk): then there is no savepoint left to undo or release */
	if (!s->broken) {
		if (rc != SARGS_OK)
			(void)sqlite3_exec(s->db, "ROLLBACK TO audit_block", NULL, NULL, NULL);
		(void)sqlite3_exec(s->db, "RELEASE audit_block", NULL, NULL, NULL);
	}
	if (rc == SARGS_OK) {
		s->audit_last = row->seq;
		s->audit_last_ok = st->depth > 0 && row->seq == last + 1;
	}
	return rc;
}

static enum sargs_rc sq_audit_last(struct sargs_store *st, int64_t *seq, unsigned char *hash)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc = SARGS_OK;
	int r;

	PREP(s, p, S_AUDIT_LAST);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW) {
		*seq = sqlite3_column_int64(p, 0);
		sq_col_hash(hash, p, 1);
	} else {
		rc = r == SQLITE_DONE ? SARGS_E_NOTFOUND : sq_fail(s, r);
	}
	(void)sqlite3_reset(p);
	return rc;
}

static enum sargs_rc sq_audit_find_hash(struct sargs_store *st, const unsigned char *hash,
					int64_t exclude_seq, int64_t *seq)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc = SARGS_OK;
	int r;

	PREP(s, p, S_AUDIT_FIND);
	sqlite3_bind_blob(p, 1, hash, SARGS_AUDIT_HASH_BYTES, SQLITE_STATIC);
	sqlite3_bind_int64(p, 2, exclude_seq);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW)
		*seq = sqlite3_column_int64(p, 0);
	else
		rc = r == SQLITE_DONE ? SARGS_E_NOTFOUND : sq_fail(s, r);
	(void)sqlite3_reset(p);
	return rc;
}

static enum sargs_rc sq_audit_count(struct sargs_store *st, int64_t *out)
{
	return count_of(SQ(st), S_AUDIT_COUNT, out);
}

/* The log must stay as it is once a sync failed (sargs_store_sync_failed). */
static enum sargs_rc sync_failed(struct sargs_store *st)
{
	(void)snprintf(st->errmsg, sizeof(st->errmsg),
		       "a sync of the register's files failed earlier in this process: the log"
		       " is kept as it is (nothing copied from it, started over or truncated);"
		       " restart once the disk is sound");
	return SARGS_E_IO;
}

static enum sargs_rc sq_checkpoint(struct sargs_store *st, int *log_frames, int *left)
{
	struct sq_store *s = SQ(st);
	int frames = 0, done = 0;
	int r;

	*log_frames = *left = 0;
	if (sargs_store_sync_failed())
		return sync_failed(st);
	r = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, &frames, &done);

	/* the log starts over in the writer (sargs_store_log_restart): a
	 * RESTART here would take the write lock and hold the writer up for
	 * as long as it copies and waits for readers */
	*log_frames = frames > 0 ? frames : 0;
	*left = frames > done && done >= 0 ? frames - done : 0;
	if (r == SQLITE_OK && done > 0 && done != s->ckpt_synced) {
		sqlite3_file *fp = NULL;

		/* SQLite syncs the database after a copy only when the copy
		 * reached the log's end, which under constant reads it never
		 * does: the copied pages would pile up unflushed until the
		 * writer's restart synced them all, with every request
		 * waiting. Flushed here, on this thread, they do not. */
		if (sqlite3_file_control(s->db, "main", SQLITE_FCNTL_FILE_POINTER, &fp) ==
			    SQLITE_OK &&
		    fp != NULL && fp->pMethods != NULL &&
		    fp->pMethods->xSync(fp, SQLITE_SYNC_NORMAL) != SQLITE_OK) {
			/* the kernel reports a failed write-back once per open
			 * file: a later sync would pass, SQLite would count the
			 * copy done and the log would start over without it.
			 * Nothing copies, restarts or truncates the log now. */
			sargs_store_sync_fail();
			return sync_failed(st);
		}
		s->ckpt_synced = done;
	}
	return r == SQLITE_OK || r == SQLITE_BUSY ? SARGS_OK : sq_fail(s, r);
}

#define BUSY_US_DEFAULT 5000000 /* 5 s, as the busy timeout elsewhere */
#define BUSY_US_RESTART 2000    /* 2 ms for the readers to leave the log */

/* Waits for a lock at most s->busy_us in all, looking again every 0.1 ms
 * (a sleep on a busy machine can take far longer than asked: the limit is
 * on the clock, not on the number of looks). */
static int busy_wait(void *arg, int n)
{
	struct sq_store *s = arg;
	struct timespec step = {0, 100000};
	int64_t now = sargs_time_mono_us();

	if (n == 0)
		s->busy_since = now;
	else if (now - s->busy_since >= s->busy_us)
		return 0;
	/* a short wait (the log's restart) looks again at once: asleep, this
	 * thread would wait for a core far longer than the reads it waits for */
	if (s->busy_us > BUSY_US_RESTART)
		(void)nanosleep(&step, NULL);
	return 1;
}

static void sq_tune_server(struct sargs_store *st, int writer)
{
	struct sq_store *s = SQ(st);

	/* settings only: a failure leaves the defaults, which work */
	(void)sqlite3_exec(s->db, "PRAGMA cache_size=-131072;", NULL,
			   NULL, NULL);
	s->busy_us = BUSY_US_DEFAULT;
	(void)sqlite3_busy_handler(s->db, busy_wait, s);
	if (writer)
		(void)sqlite3_exec(s->db, "PRAGMA wal_autocheckpoint=0;", NULL, NULL, NULL);
	else {
		/* a reader takes pages from the whole-file map (sqlite_map.h);
		 * any size above 0 turns that on, the value itself is capped */
		(void)sqlite3_exec(s->db, "PRAGMA mmap_size=2147418112;", NULL, NULL, NULL);
		/* and writes nothing: a statement that would is refused, so
		 * its nested levels need no savepoints */
		s->reads_only = sqlite3_exec(s->db, "PRAGMA query_only=1;", NULL, NULL, NULL) ==
				SQLITE_OK;
	}
}

static enum sargs_rc sq_log_restart(struct sargs_store *st, int *restarted)
{
	struct sq_store *s = SQ(st);
	int r;
	int64_t limit = s->busy_us;

	*restarted = 0;
	if (sargs_store_sync_failed())
		return sync_failed(st);
	if (limit == 0 || !sqlite3_get_autocommit(s->db)) {
		(void)snprintf(st->errmsg, sizeof(st->errmsg),
			       "the log starts over only on a server connection"
			       " (sargs_store_tune_server), between transactions");
		return SARGS_E_STORE;
	}
	s->busy_us = BUSY_US_RESTART;
	/* the copy (and the flush) first, with no waiting: SQLite counts the
	 * busy handler's calls across one whole checkpoint, so a wait before
	 * the copy would use up the time of the wait after it */
	r = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	if (r == SQLITE_OK)
		r = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
	s->busy_us = limit;
	if (r == SQLITE_OK)
		*restarted = 1; /* the next commit writes from the start */
	/* BUSY: a reader stayed (a long export or backup); again later */
	return r == SQLITE_OK || r == SQLITE_BUSY ? SARGS_OK : sq_fail(s, r);
}

static enum sargs_rc sq_compact_log(struct sargs_store *st)
{
	struct sq_store *s = SQ(st);
	int r;

	if (sargs_store_sync_failed())
		return sync_failed(st);
	r = sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);

	/* BUSY: another connection reads the log; the caller retries later */
	return r == SQLITE_OK ? SARGS_OK : sq_fail(s, r);
}

static const struct sargs_store_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.begin = sq_begin,
	.changed_elsewhere = sq_changed_elsewhere,
	.begin_read = sq_begin_read,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.meta_get = sq_meta_get,
	.meta_put = sq_meta_put,
	.registry_put = sq_registry_put,
	.registry_current = sq_registry_current,
	.subject_insert = sq_subject_insert,
	.subject_get = sq_subject_get,
	.subject_update = sq_subject_update,
	.subject_erase = sq_subject_erase,
	.subject_count = sq_subject_count,
	.subject_ids = sq_subject_ids,
	.link_add = sq_link_add,
	.link_remove = sq_link_remove,
	.links = sq_links,
	.link_counts = sq_link_counts,
	.index_add = sq_index_add,
	.index_remove = sq_index_remove,
	.index_find = sq_index_find,
	.ledger_get = sq_ledger_get,
	.ledger_count = sq_ledger_count,
	.audit_append = sq_audit_append,
	.audit_last = sq_audit_last,
	.audit_scan = sq_audit_scan,
	.audit_find_hash = sq_audit_find_hash,
	.audit_count = sq_audit_count,
	.audit_index_check = sq_audit_index_check,
	.audit_index_repair = sq_audit_index_repair,
	.compact_log = sq_compact_log,
	.checkpoint = sq_checkpoint,
	.tune_server = sq_tune_server,
	.log_restart = sq_log_restart,
	.log_sync_open = sq_log_sync_open,
	.log_sync = sq_log_sync,
	.log_sync_close = sq_log_sync_close,
	.log_flush = sq_log_flush,
	.rel = &sq_rel_ops,
	.rights = &sq_rights_ops,
	.breach = &sq_breach_ops,
	.backup = &sq_backup_ops,
	.auth = &sq_auth_ops,
};

static int user_version(sqlite3 *db, int *out)
{
	sqlite3_stmt *p;
	int r;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &p, NULL) != SQLITE_OK)
		return -1;
	r = sqlite3_step(p);
	if (r == SQLITE_ROW)
		*out = sqlite3_column_int(p, 0);
	(void)sqlite3_finalize(p);
	return r == SQLITE_ROW ? 0 : -1;
}

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	/* no global memory statistics: they take a mutex on every allocation
	 * and free (some 45 of each a read). sqlite3_config works only before
	 * SQLite initialises itself, which its first open does: every way in
	 * to SQLite in this process goes through here first. */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

void sq_global_init(void)
{
	(void)pthread_once(&global_once, global_init);
}

enum sargs_rc sargs_store_sqlite_schema_at(const char *path, int *version)
{
	sqlite3 *db = NULL;
	struct stat sb;
	int r;

	*version = 0;
	sq_global_init();
	if (stat(path, &sb) != 0)
		return errno == ENOENT ? SARGS_E_NOTFOUND : SARGS_E_IO;
	r = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (r == SQLITE_OK) {
		/* another process may hold it a moment (a log's recovery) */
		(void)sqlite3_busy_timeout(db, 1000);
		r = user_version(db, version) == 0 ? SQLITE_OK : SQLITE_ERROR;
	}
	(void)sqlite3_close(db);
	return r == SQLITE_OK ? SARGS_OK : SARGS_E_STORE;
}

/* Applies migrations from version from to SARGS_SCHEMA_VERSION, each atomically. */
static enum sargs_rc migrate(struct sq_store *s, int from, struct sargs_err *err)
{
	for (int v = from; v < SARGS_SCHEMA_VERSION; v++) {
		char *emsg = NULL;
		char setv[64];
		int r;

		(void)snprintf(setv, sizeof(setv), "PRAGMA user_version = %d", v + 1);
		r = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, &emsg);
		if (r == SQLITE_OK)
			r = sqlite3_exec(s->db, migrations[v], NULL, NULL, &emsg);
		if (r == SQLITE_OK && migration_steps[v] != NULL &&
		    (r = migration_steps[v](s->db)) != SQLITE_OK)
			emsg = sqlite3_mprintf("%s", sqlite3_errmsg(s->db));
		if (r == SQLITE_OK)
			r = sqlite3_exec(s->db, setv, NULL, NULL, &emsg);
		if (r == SQLITE_OK)
			r = sqlite3_exec(s->db, "COMMIT", NULL, NULL, &emsg);
		if (r != SQLITE_OK) {
			(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			(void)sargs_err_set(err, sq_fail(s, r),
					    "migration of the register from schema %d to %d failed"
					    " (nothing was changed): %s",
					    v, v + 1, emsg ? emsg : "unknown error");
			sqlite3_free(emsg);
			return err ? err->rc : SARGS_E_STORE;
		}
	}
	return SARGS_OK;
}

enum sargs_rc sargs_store_sqlite_open(const char *path, int create, struct sargs_store **out,
				      struct sargs_err *err)
{
	struct sq_store *s = calloc(1, sizeof(*s));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
	int version = 0, r;
	enum sargs_rc rc;
	char *emsg = NULL;

	if (s == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	sq_global_init();
	s->base.ops = &sqlite_ops;
	r = sqlite3_open_v2(path, &s->db, flags, sq_map_vfs());
	if (r != SQLITE_OK) {
		rc = sargs_err_set(err, r == SQLITE_CANTOPEN ? SARGS_E_NOTFOUND : SARGS_E_IO,
				   "cannot open the register database %s: %s", path,
				   s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	/* the register is nobody else's business, ciphertext or not */
	if (create)
		(void)chmod(path, 0600);
	(void)sqlite3_extended_result_codes(s->db, 0);
	(void)sqlite3_busy_timeout(s->db, 5000);
	r = sqlite3_exec(s->db,
			 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 "PRAGMA secure_delete=ON; PRAGMA foreign_keys=ON;"
			 "PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;"
			 "PRAGMA trusted_schema=OFF; PRAGMA wal_autocheckpoint=8192;",
			 NULL, NULL, &emsg);
	if (r != SQLITE_OK) {
		rc = sargs_err_set(err, r == SQLITE_NOTADB ? SARGS_E_SCHEMA : SARGS_E_IO,
				   "cannot use %s as a register database: %s", path,
				   emsg ? emsg : sqlite3_errmsg(s->db));
		sqlite3_free(emsg);
		goto fail;
	}
	if (user_version(s->db, &version) != 0) {
		rc = sargs_err_set(err, SARGS_E_SCHEMA, "cannot read the schema version of %s: %s",
				   path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (version > SARGS_SCHEMA_VERSION) {
		rc = sargs_err_set(err, SARGS_E_SCHEMA,
				   "this register was made by a newer version of Sargs (schema %d;"
				   " this build knows schemas up to %d); upgrade Sargs to open it",
				   version, SARGS_SCHEMA_VERSION);
		goto fail;
	}
	if (version == 0 && !create) {
		rc = sargs_err_set(err, SARGS_E_SCHEMA,
				   "%s is not a Sargs register (no schema); run 'sargs init'", path);
		goto fail;
	}
	rc = migrate(s, version, err);
	if (rc != SARGS_OK)
		goto fail;
	s->base.schema_version = SARGS_SCHEMA_VERSION;
	*out = &s->base;
	return SARGS_OK;
fail:
	(void)sqlite3_close(s->db);
	free(s);
	return rc;
}
