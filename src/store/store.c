/*
 * store.c — the engine-neutral face of the storage layer: picks the engine
 * and forwards each call to it.
 */
#include "store/store_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum sargs_rc sargs_store_open(const char *path, int create, struct sargs_store **out,
			       struct sargs_err *err)
{
	if (strncmp(path, "postgres://", 11) == 0 || strncmp(path, "postgresql://", 13) == 0)
		return sargs_err_set(err, SARGS_E_USAGE,
				     "the PostgreSQL engine is not part of this build yet");
	return sargs_store_sqlite_open(path, create, out, err);
}

enum sargs_rc sargs_store_schema_at(const char *path, int *version)
{
	*version = 0;
	if (strncmp(path, "postgres://", 11) == 0 || strncmp(path, "postgresql://", 13) == 0)
		return SARGS_E_USAGE;
	return sargs_store_sqlite_schema_at(path, version);
}

void sargs_store_close(struct sargs_store *st)
{
	if (st != NULL)
		st->ops->close(st);
}

int sargs_store_schema_version(const struct sargs_store *st) { return st->schema_version; }
const char *sargs_store_engine(const struct sargs_store *st) { return st->ops->name; }
int sargs_store_depth(const struct sargs_store *st) { return st->depth; }
const char *sargs_store_errmsg(const struct sargs_store *st) { return st->errmsg; }

int sargs_store_changed_elsewhere(struct sargs_store *st)
{
	return st->ops->changed_elsewhere ? st->ops->changed_elsewhere(st) : 1;
}

enum sargs_rc sargs_store_begin(struct sargs_store *st, struct sargs_err *err)
{
	return st->ops->begin(st, err);
}

enum sargs_rc sargs_store_begin_read(struct sargs_store *st, struct sargs_err *err)
{
	return st->ops->begin_read(st, err);
}

enum sargs_rc sargs_store_commit(struct sargs_store *st, struct sargs_err *err)
{
	return st->ops->commit(st, err);
}

void sargs_store_rollback(struct sargs_store *st) { st->ops->rollback(st); }

enum sargs_rc sargs_store_meta_get(struct sargs_store *st, const char *key,
				   unsigned char **out, size_t *out_len)
{
	return st->ops->meta_get(st, key, out, out_len);
}

enum sargs_rc sargs_store_meta_put(struct sargs_store *st, const char *key,
				   const void *value, size_t len)
{
	return st->ops->meta_put(st, key, value, len);
}

enum sargs_rc sargs_store_registry_put(struct sargs_store *st, int64_t loaded_us,
				       const char *hash_hex, const char *document,
				       int64_t *out_version)
{
	return st->ops->registry_put(st, loaded_us, hash_hex, document, out_version);
}

enum sargs_rc sargs_store_registry_current(struct sargs_store *st, char **document,
					   int64_t *version, int64_t *loaded_us)
{
	return st->ops->registry_current(st, document, version, loaded_us);
}

enum sargs_rc sargs_store_subject_insert(struct sargs_store *st,
					 const struct sargs_store_subject *s)
{
	return st->ops->subject_insert(st, s);
}

enum sargs_rc sargs_store_subject_get(struct sargs_store *st, const char *id,
				      struct sargs_store_subject *out, void **owned)
{
	return st->ops->subject_get(st, id, out, owned);
}

enum sargs_rc sargs_store_subject_update(struct sargs_store *st,
					 const struct sargs_store_subject *s)
{
	return st->ops->subject_update(st, s);
}

enum sargs_rc sargs_store_subject_erase(struct sargs_store *st, const char *id,
					int64_t erased_us)
{
	return st->ops->subject_erase(st, id, erased_us);
}

enum sargs_rc sargs_store_subject_count(struct sargs_store *st, int64_t *out)
{
	return st->ops->subject_count(st, out);
}

enum sargs_rc sargs_store_subject_ids(struct sargs_store *st,
				      int (*cb)(void *ctx, const char *id), void *ctx)
{
	return st->ops->subject_ids(st, cb, ctx);
}

enum sargs_rc sargs_store_link_add(struct sargs_store *st, const char *subject_id,
				   const char *purpose, int64_t linked_us)
{
	return st->ops->link_add(st, subject_id, purpose, linked_us);
}

enum sargs_rc sargs_store_link_remove(struct sargs_store *st, const char *subject_id,
				      const char *purpose)
{
	return st->ops->link_remove(st, subject_id, purpose);
}

enum sargs_rc sargs_store_links(struct sargs_store *st, const char *subject_id,
				int (*cb)(void *ctx, const char *purpose, int64_t linked_us),
				void *ctx)
{
	return st->ops->links(st, subject_id, cb, ctx);
}

enum sargs_rc sargs_store_link_counts(struct sargs_store *st,
				      int (*cb)(void *ctx, const char *purpose, int64_t n),
				      void *ctx)
{
	return st->ops->link_counts(st, cb, ctx);
}

enum sargs_rc sargs_store_index_add(struct sargs_store *st, const unsigned char *hash,
				    size_t hash_len, const char *subject_id)
{
	return st->ops->index_add(st, hash, hash_len, subject_id);
}

enum sargs_rc sargs_store_index_remove(struct sargs_store *st, const unsigned char *hash,
				       size_t hash_len, const char *subject_id)
{
	return st->ops->index_remove(st, hash, hash_len, subject_id);
}

enum sargs_rc sargs_store_index_find(struct sargs_store *st, const unsigned char *hash,
				     size_t hash_len,
				     int (*cb)(void *ctx, const char *subject_id), void *ctx)
{
	return st->ops->index_find(st, hash, hash_len, cb, ctx);
}

enum sargs_rc sargs_store_ledger_get(struct sargs_store *st, const char *id, int64_t *out_us)
{
	return st->ops->ledger_get(st, id, out_us);
}

enum sargs_rc sargs_store_ledger_count(struct sargs_store *st, int64_t *out)
{
	return st->ops->ledger_count(st, out);
}

enum sargs_rc sargs_store_audit_append(struct sargs_store *st,
				       struct sargs_store_audit_row *row)
{
	return st->ops->audit_append(st, row);
}

enum sargs_rc sargs_store_audit_last(struct sargs_store *st, int64_t *seq,
				     unsigned char hash[SARGS_AUDIT_HASH_BYTES])
{
	return st->ops->audit_last(st, seq, hash);
}

enum sargs_rc sargs_store_audit_scan(struct sargs_store *st,
				     const struct sargs_store_audit_filter *f,
				     int (*cb)(void *ctx, const struct sargs_store_audit_row *row),
				     void *ctx)
{
	return st->ops->audit_scan(st, f, cb, ctx);
}

enum sargs_rc sargs_store_audit_find_hash(struct sargs_store *st,
					  const unsigned char hash[SARGS_AUDIT_HASH_BYTES],
					  int64_t exclude_seq, int64_t *seq)
{
	return st->ops->audit_find_hash(st, hash, exclude_seq, seq);
}

enum sargs_rc sargs_store_audit_count(struct sargs_store *st, int64_t *out)
{
	return st->ops->audit_count(st, out);
}

enum sargs_rc sargs_store_audit_index_check(struct sargs_store *st, int64_t *bad,
					    int64_t *first_seq)
{
	return st->ops->audit_index_check(st, bad, first_seq);
}

enum sargs_rc sargs_store_audit_index_repair(struct sargs_store *st, int64_t *cursor,
					     int *changed, int *done)
{
	return st->ops->audit_index_repair(st, cursor, changed, done);
}

enum sargs_rc sargs_store_checkpoint(struct sargs_store *st, int *log_frames, int *left)
{
	int lf, l;
	enum sargs_rc rc = st->ops->checkpoint(st, &lf, &l);

	if (log_frames)
		*log_frames = lf;
	if (left)
		*left = l;
	return rc;
}

void sargs_store_tune_server(struct sargs_store *st, int writer)
{
	st->ops->tune_server(st, writer);
}

enum sargs_rc sargs_store_log_restart(struct sargs_store *st, int *restarted)
{
	return st->ops->log_restart(st, restarted);
}

enum sargs_rc sargs_store_log_sync_open(struct sargs_store *st, struct sargs_log_sync **out,
					struct sargs_err *err)
{
	return st->ops->log_sync_open(st, out, err);
}

enum sargs_rc sargs_store_log_sync(struct sargs_log_sync *ls, struct sargs_err *err)
{
	return ls->ops->log_sync(ls, err);
}

/* process-wide: the kernel's report of a failed write-back is per open
 * file, and each connection has its own */
static atomic_int sync_failed;

void sargs_store_sync_fail(void)
{
	atomic_store(&sync_failed, 1);
}

int sargs_store_sync_failed(void)
{
	return atomic_load(&sync_failed);
}

enum sargs_rc sargs_store_log_flush(struct sargs_store *st)
{
	return st->ops->log_flush(st);
}

void sargs_store_log_sync_close(struct sargs_log_sync *ls)
{
	if (ls)
		ls->ops->log_sync_close(ls);
}

enum sargs_rc sargs_store_compact_log(struct sargs_store *st)
{
	return st->ops->compact_log(st);
}

enum sargs_rc sargs_store_ledger_scan(struct sargs_store *st,
				      int (*cb)(void *ctx, const char *id, int64_t erased_us),
				      void *ctx)
{
	return st->ops->backup->ledger_scan(st, cb, ctx);
}

enum sargs_rc sargs_store_ledger_add(struct sargs_store *st, const char *id, int64_t erased_us)
{
	return st->ops->backup->ledger_add(st, id, erased_us);
}

enum sargs_rc sargs_store_backup_to(struct sargs_store *st, const char *path)
{
	return st->ops->backup->backup_to(st, path);
}

enum sargs_rc sargs_store_integrity_check(struct sargs_store *st, int *ok, char *msg,
					  size_t msg_size)
{
	return st->ops->backup->integrity_check(st, ok, msg, msg_size);
}
