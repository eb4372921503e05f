/*
 * register.c — creating and opening a register; transactions that keep the
 * store and the audit trail's head in step.
 */
#include "domain/register.h"
#include "crypto/field.h"
#include "domain/registry.h"
#include "util/fsutil.h"
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
	(void)snprintf(reg->actor, sizeof(reg->actor), "%s", actor);
	if (channel != NULL)
		(void)snprintf(reg->channel, sizeof(reg->channel), "%s", channel);
	return SARGS_OK;
}

enum sargs_rc sargs_reg_begin(struct sargs_reg *reg, struct sargs_err *err)
{
	enum sargs_rc rc;

	if (reg->poisoned)
		return sargs_err_set(err, SARGS_E_STORE,
				     "an earlier step of this batch failed; the batch must be rolled"
				     " back");
	rc = sargs_store_begin(reg->store, err);

	if (rc == SARGS_OK)
		sargs_audit_tx_begin(reg->audit);
	return rc;
}

void sargs_reg_refresh(struct sargs_reg *reg)
{
	if (sargs_store_depth(reg->store) == 0 && reg->registry != NULL &&
	    sargs_store_changed_elsewhere(reg->store)) {
		sargs_registry_free(reg->registry);
		reg->registry = NULL;
	}
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
	if (sargs_store_depth(reg->store) == 0) {
		reg->poisoned = 0;
		/* a registry loaded inside the undone transaction is undone too:
		 * read it again from the store when next needed */
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

enum sargs_rc sargs_reg_audit(struct sargs_reg *reg, const char *action, const char *subject_id,
			      const char *fields, const char *purpose, const char *detail,
			      struct sargs_err *err)
{
	struct sargs_audit_entry e = {reg->actor, action, subject_id, fields, purpose,
				      reg->channel, detail};
	int own = sargs_store_depth(reg->store) == 0;
	enum sargs_rc rc;

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
