/*
 * register.c — creating and opening a register; transactions that keep the
 * store and the audit trail's head in step.
 */
#include "domain/register.h"
#include "domain/subject.h"
#include "crypto/field.h"
#include "domain/registry.h"
#include "util/fsutil.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define META_KEY_CHECK "key_check"
#define META_CREATED "created_us"

static enum sargs_rc paths(const char *dir, char *db, size_t dbn, char *key, size_t keyn,
			   struct sargs_err *err)
{
	if (sargs_fs_join(db, dbn, dir, SARGS_DB_FILE) != SARGS_OK ||
	    sargs_fs_join(key, keyn, dir, SARGS_KEY_FILE) != SARGS_OK)
		return sargs_err_set(err, SARGS_E_INVALID, "data directory path is too long");
	return SARGS_OK;
}

static void default_actor(struct sargs_reg *reg)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw != NULL ? pw->pw_name : "unknown";

	(void)snprintf(reg->actor, sizeof(reg->actor), "cli:%s", name);
	(void)snprintf(reg->channel, sizeof(reg->channel), "cli");
}

enum sargs_rc sargs_reg_init(const char *dir, struct sargs_err *err)
{
	char db[1100], keyp[1100];
	struct sargs_reg *reg = NULL;
	struct sargs_store *st = NULL;
	struct sargs_keys *keys = NULL;
	unsigned char kcv[SARGS_KEY_CHECK_BYTES];
	int64_t now = sargs_time_now_us();
	const char *env_key;
	int key_created = 0;
	enum sargs_rc rc;

	if ((rc = paths(dir, db, sizeof(db), keyp, sizeof(keyp), err)) != SARGS_OK)
		return rc;
	if (sargs_fs_exists(db))
		return sargs_err_set(err, SARGS_E_EXISTS,
				     "%s already holds a register; nothing was changed", dir);
	if ((rc = sargs_fs_mkdirs(dir, 0700, err)) != SARGS_OK)
		return rc;
	{
		struct stat dst;

		if (stat(dir, &dst) != 0 || !S_ISDIR(dst.st_mode))
			return sargs_err_set(err, SARGS_E_IO, "%s is not a directory", dir);
	}
	env_key = getenv(SARGS_MASTER_KEY_ENV);
	if (env_key == NULL || env_key[0] == '\0') {
		if (sargs_fs_exists(keyp))
			return sargs_err_set(err, SARGS_E_EXISTS,
					     "%s exists but there is no register beside it; move the"
					     " old key away (it may be needed to read a backup)",
					     keyp);
		if ((rc = sargs_keys_create_file(keyp, err)) != SARGS_OK)
			return rc;
		key_created = 1;
	}
	if ((rc = sargs_keys_load(keyp, &keys, err)) != SARGS_OK)
		goto fail;
	if ((rc = sargs_store_open(db, 1, &st, err)) != SARGS_OK)
		goto fail;
	sargs_keys_check_value(keys, kcv);
	if ((rc = sargs_store_begin(st, err)) != SARGS_OK)
		goto fail;
	{
		char created[24];
		int n = snprintf(created, sizeof(created), "%lld", (long long)now);

		struct sargs_audit *a = NULL;

		rc = sargs_store_meta_put(st, META_KEY_CHECK, kcv, sizeof(kcv));
		if (rc == SARGS_OK)
			rc = sargs_store_meta_put(st, META_CREATED, created, (size_t)n);
		/* every subject of a new register has its name keys from its
		 * add on (subject.h, sargs_subject_index_names) */
		if (rc == SARGS_OK)
			rc = sargs_store_meta_put(st, SARGS_META_NAME_INDEX, "1", 1);
		/* the trail's head exists from the start: a register without one
		 * has had its trail emptied */
		if (rc == SARGS_OK)
			rc = sargs_audit_open(st, keys, &a);
		if (rc == SARGS_OK)
			rc = sargs_audit_init_head(a);
		sargs_audit_close(a);
	}
	if (rc != SARGS_OK) {
		sargs_store_rollback(st);
		(void)sargs_err_set(err, rc, "cannot write the new register: %s",
				    sargs_store_errmsg(st));
		goto fail;
	}
	if ((rc = sargs_store_commit(st, err)) != SARGS_OK)
		goto fail;
	sargs_store_close(st);
	st = NULL;
	sargs_keys_free(keys);
	keys = NULL;

	/* the first audit entry records the register's creation */
	if ((rc = sargs_reg_open(dir, &reg, err)) != SARGS_OK || reg == NULL)
		goto fail;
	rc = sargs_reg_audit(reg, "register.init", NULL, NULL, NULL, "schema 1", err);
	sargs_reg_close(reg);
	if (rc != SARGS_OK)
		goto fail;
	return SARGS_OK;
fail:
	sargs_store_close(st);
	sargs_keys_free(keys);
	/* leave nothing half-made behind */
	(void)unlink(db);
	{
		char side[1200];

		(void)snprintf(side, sizeof(side), "%s-wal", db);
		(void)unlink(side);
		(void)snprintf(side, sizeof(side), "%s-shm", db);
		(void)unlink(side);
	}
	if (key_created)
		(void)unlink(keyp);
	return rc;
}

int sargs_reg_schema_behind(const char *dir, int *from, int *to)
{
	char db[1100], keyp[1100];
	int v = 0;

	*from = *to = SARGS_SCHEMA_VERSION;
	/* no key, no opening (and no migration) to announce */
	if (paths(dir, db, sizeof(db), keyp, sizeof(keyp), NULL) != SARGS_OK ||
	    !sargs_fs_exists(keyp) || sargs_store_schema_at(db, &v) != SARGS_OK || v <= 0 ||
	    v >= SARGS_SCHEMA_VERSION)
		return 0;
	*from = v;
	return 1;
}

enum sargs_rc sargs_reg_open(const char *dir, struct sargs_reg **out, struct sargs_err *err)
{
	char db[1100], keyp[1100];
	struct sargs_reg *reg;
	unsigned char kcv[SARGS_KEY_CHECK_BYTES];
	unsigned char *stored = NULL;
	size_t stored_len = 0;
	enum sargs_rc rc;

	if ((rc = paths(dir, db, sizeof(db), keyp, sizeof(keyp), err)) != SARGS_OK)
		return rc;
	if (!sargs_fs_exists(db))
		return sargs_err_set(err, SARGS_E_NOTFOUND,
				     "there is no register in %s; create one with 'sargs init'"
				     " or point --data (or %s) at an existing one",
				     dir, SARGS_DATA_ENV);
	{
		char marker[1100];

		/* a restore that did not finish may not have re-applied every
		 * erasure: people erased since the backup could be in it */
		if (sargs_fs_join(marker, sizeof(marker), dir, SARGS_RESTORE_MARKER) != SARGS_OK ||
		    sargs_fs_exists(marker))
			return sargs_err_set(err, SARGS_E_STORE,
					     "the register in %s is an unfinished restore (%s is"
					     " there): erasures may not have been re-applied, so it"
					     " must not be used; remove the directory and run"
					     " 'sargs backup restore' again",
					     dir, SARGS_RESTORE_MARKER);
	}
	reg = calloc(1, sizeof(*reg));
	if (reg == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	(void)snprintf(reg->dir, sizeof(reg->dir), "%s", dir);
	default_actor(reg);
	if ((rc = sargs_keys_load(keyp, &reg->keys, err)) != SARGS_OK)
		goto fail;
	if ((rc = sargs_store_open(db, 0, &reg->store, err)) != SARGS_OK)
		goto fail;
	rc = sargs_store_meta_get(reg->store, META_KEY_CHECK, &stored, &stored_len);
	if (rc != SARGS_OK) {
		rc = sargs_err_set(err, SARGS_E_SCHEMA, "the register in %s is damaged: no key check",
				   dir);
		goto fail;
	}
	sargs_keys_check_value(reg->keys, kcv);
	if (stored_len != sizeof(kcv) || sargs_secret_cmp(stored, kcv, sizeof(kcv)) != 0) {
		rc = sargs_err_set(err, SARGS_E_CRYPTO,
				   "the master key does not belong to the register in %s; use the"
				   " key file made with it (or the right %s)",
				   dir, SARGS_MASTER_KEY_ENV);
		goto fail;
	}
	free(stored);
	stored = NULL;
	if ((rc = sargs_audit_open(reg->store, reg->keys, &reg->audit)) != SARGS_OK) {
		(void)sargs_err_set(err, rc, "out of memory");
		goto fail;
	}
	*out = reg;
	return SARGS_OK;
fail:
	free(stored);
	sargs_reg_close(reg);
	return rc;
}

void sargs_reg_close(struct sargs_reg *reg)
{
	if (reg == NULL)
		return;
	while (reg->store != NULL && sargs_store_depth(reg->store) > 0)
		sargs_reg_rollback(reg);
	/* a log truncation that could not run after an erasure gets one more
	 * try; failing that, SQLite's next checkpoint overwrites the log */
	if (reg->store != NULL && reg->compact_pending)
		(void)sargs_store_compact_log(reg->store);
	sargs_audit_close(reg->audit);
	sargs_store_close(reg->store);
	sargs_keys_free(reg->keys);
	sargs_registry_free(reg->registry);
	free(reg);
}

enum sargs_rc sargs_reg_set_actor(struct sargs_reg *reg, const char *actor, const char *channel)
{
	if (actor == NULL || actor[0] == '\0' || strlen(actor) >= sizeof(reg->actor) ||
	    (channel != NULL && strlen(channel) >= sizeof(reg->channel)))
		return SARGS_E_INVALID;
	(void)sargs_str_copy(reg->actor, sizeof(reg->actor), actor);
	if (channel != NULL)
		(void)sargs_str_copy(reg->channel, sizeof(reg->channel), channel);
	return SARGS_OK;
}

enum sargs_rc sargs_reg_begin(struct sargs_reg *reg, struct sargs_err *err)
{
	enum sargs_rc rc;

	if (reg->poisoned)
		return sargs_err_set(err, SARGS_E_STORE,
				     "an earlier step of this batch failed; the batch must be rolled"
				     " back");
	rc = reg->reader ? sargs_store_begin_read(reg->store, err)
			 : sargs_store_begin(reg->store, err);

	if (rc == SARGS_OK)
		sargs_audit_tx_begin(reg->audit);
	return rc;
}

int sargs_reg_refresh(struct sargs_reg *reg)
{
	if (sargs_store_depth(reg->store) != 0 || !sargs_store_changed_elsewhere(reg->store))
		return 0;
	sargs_reg_forget_registry(reg);
	return 1;
}

void sargs_reg_forget_registry(struct sargs_reg *reg)
{
	if (sargs_store_depth(reg->store) != 0)
		return;
	sargs_registry_free(reg->registry);
	reg->registry = NULL;
}

void sargs_reg_poison(struct sargs_reg *reg)
{
	reg->poisoned = 1;
}

void sargs_reg_want_compaction(struct sargs_reg *reg)
{
	reg->compact_pending = 1;
}

enum sargs_rc sargs_reg_commit(struct sargs_reg *reg, struct sargs_err *err)
{
	enum sargs_rc rc = SARGS_OK;

	if (sargs_store_depth(reg->store) == 1 && reg->poisoned) {
		sargs_reg_rollback(reg);
		return sargs_err_set(err, SARGS_E_STORE,
				     "a step of this batch failed after it had started writing;"
				     " the whole batch was undone and nothing was changed");
	}
	if (sargs_store_depth(reg->store) == 1) {
		rc = sargs_audit_flush_head(reg->audit);
		if (rc != SARGS_OK) {
			sargs_reg_rollback(reg);
			return sargs_err_set(err, rc, "cannot record the audit head: %s",
					     sargs_store_errmsg(reg->store));
		}
	}
	rc = sargs_store_commit(reg->store, err);
	if (rc != SARGS_OK) {
		/* the store has rolled back this level already */
		sargs_audit_tx_rollback(reg->audit);
		return rc;
	}
	sargs_audit_tx_end(reg->audit);
	if (sargs_store_depth(reg->store) == 0 && reg->compact_pending &&
	    sargs_store_compact_log(reg->store) == SARGS_OK)
		reg->compact_pending = 0;
	return SARGS_OK;
}

void sargs_reg_rollback(struct sargs_reg *reg)
{
	if (sargs_store_depth(reg->store) == 0)
		return;
	sargs_store_rollback(reg->store);
	sargs_audit_tx_rollback(reg->audit);
	if (sargs_store_depth(reg->store) == 0 && !reg->reader) {
		reg->poisoned = 0;
		/* a registry loaded inside the undone transaction is undone too:
		 * read it again from the store when next needed (a reader writes
		 * nothing, so its registry stands) */
		sargs_registry_free(reg->registry);
		reg->registry = NULL;
	}
}

enum sargs_rc sargs_reg_end(struct sargs_reg *reg, enum sargs_rc rc, struct sargs_err *err)
{
	if (rc == SARGS_OK)
		return sargs_reg_commit(reg, err);
	sargs_reg_rollback(reg);
	return rc;
}

static char *dup_opt(const char *s, int *bad)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*bad = 1;
	return d;
}

static void deferred_free(struct sargs_deferred_audit *d)
{
	free(d->action);
	free(d->subject_id);
	free(d->fields);
	free(d->purpose);
	free(d->detail);
	memset(d, 0, sizeof(*d));
}

static enum sargs_rc defer_audit(struct sargs_reg *reg, const struct sargs_audit_entry *e,
				 struct sargs_err *err)
{
	struct sargs_audit_batch *b = reg->reader;
	struct sargs_deferred_audit *d;
	int bad = 0;

	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 4;
		struct sargs_deferred_audit *ne = realloc(b->e, cap * sizeof(*ne));

		if (ne == NULL) {
			b->failed = 1;
			return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		}
		b->e = ne;
		b->cap = cap;
	}
	d = &b->e[b->n];
	memset(d, 0, sizeof(*d));
	(void)sargs_str_copy(d->actor, sizeof(d->actor), e->actor);
	(void)sargs_str_copy(d->channel, sizeof(d->channel), e->channel ? e->channel : "");
	d->action = dup_opt(e->action, &bad);
	d->subject_id = dup_opt(e->subject_id, &bad);
	d->fields = dup_opt(e->fields, &bad);
	d->purpose = dup_opt(e->purpose, &bad);
	d->detail = dup_opt(e->detail, &bad);
	if (bad) {
		deferred_free(d);
		b->failed = 1;
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	b->n++;
	return SARGS_OK;
}

void sargs_reg_set_reader(struct sargs_reg *reg, struct sargs_audit_batch *batch)
{
	reg->reader = batch;
}

void sargs_audit_batch_free(struct sargs_audit_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		deferred_free(&b->e[i]);
	free(b->e);
	memset(b, 0, sizeof(*b));
}

enum sargs_rc sargs_reg_audit_apply(struct sargs_reg *reg, const struct sargs_audit_batch *b,
				    struct sargs_err *err)
{
	int own = sargs_store_depth(reg->store) == 0;
	enum sargs_rc rc;
	size_t i;

	if (b->failed)
		return sargs_err_set(err, SARGS_E_NOMEM, "an audit entry of the read was lost");
	/* inside a transaction the caller's level holds the entries: a level
	 * of its own would cost a savepoint per read on the server's worker,
	 * which runs each job in one already (and undoes it on failure) */
	if (own && (rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = SARGS_OK;
	for (i = 0; i < b->n && rc == SARGS_OK; i++) {
		const struct sargs_deferred_audit *d = &b->e[i];
		struct sargs_audit_entry e = {d->actor, d->action, d->subject_id, d->fields,
					      d->purpose, d->channel[0] ? d->channel : NULL,
					      d->detail};

		rc = sargs_audit_append(reg->audit, sargs_time_now_us(), &e, err);
	}
	return own ? sargs_reg_end(reg, rc, err) : rc;
}

enum sargs_rc sargs_reg_audit(struct sargs_reg *reg, const char *action, const char *subject_id,
			      const char *fields, const char *purpose, const char *detail,
			      struct sargs_err *err)
{
	struct sargs_audit_entry e = {reg->actor, action, subject_id, fields, purpose,
				      reg->channel, detail};
	int own = sargs_store_depth(reg->store) == 0;
	enum sargs_rc rc;

	if (reg->reader)
		return defer_audit(reg, &e, err);

	if (own && (rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_audit_append(reg->audit, sargs_time_now_us(), &e, err);
	if (own) {
		if (rc == SARGS_OK)
			rc = sargs_reg_commit(reg, err);
		else
			sargs_reg_rollback(reg);
	}
	return rc;
}

enum sargs_rc sargs_reg_registry(struct sargs_reg *reg, const struct sargs_registry **out,
				 struct sargs_err *err)
{
	char *doc = NULL;
	int64_t version = 0;
	enum sargs_rc rc;

	if (reg->registry == NULL) {
		rc = sargs_store_registry_current(reg->store, &doc, &version, NULL);
		if (rc == SARGS_E_NOTFOUND)
			return sargs_err_set(err, rc,
					     "no purposes are defined yet; load them with 'sargs purpose"
					     " load FILE'");
		if (rc != SARGS_OK)
			return sargs_err_set(err, rc, "cannot read the purpose registry: %s",
					     sargs_store_errmsg(reg->store));
		rc = sargs_registry_parse(doc, strlen(doc), &reg->registry, err);
		free(doc);
		if (rc != SARGS_OK)
			return rc;
		reg->registry_version = version;
	}
	*out = reg->registry;
	return SARGS_OK;
}

enum sargs_rc sargs_reg_summary(struct sargs_reg *reg, struct sargs_reg_summary *out,
				struct sargs_err *err)
{
	enum sargs_rc rc;
	const struct sargs_registry *r;

	memset(out, 0, sizeof(*out));
	if ((rc = sargs_store_subject_count(reg->store, &out->subjects)) != SARGS_OK ||
	    (rc = sargs_store_ledger_count(reg->store, &out->erased)) != SARGS_OK ||
	    (rc = sargs_store_audit_count(reg->store, &out->audit_entries)) != SARGS_OK)
		return sargs_err_set(err, rc, "cannot read the register: %s",
				     sargs_store_errmsg(reg->store));
	if (sargs_reg_registry(reg, &r, NULL) == SARGS_OK)
		out->registry_version = reg->registry_version;
	out->schema_version = sargs_store_schema_version(reg->store);
	out->engine = sargs_store_engine(reg->store);
	return SARGS_OK;
}
