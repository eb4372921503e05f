/*
 * backup.c — creating, verifying and restoring encrypted backups, and
 * re-applying the erasure ledger on restore (see backup.h).
 */
#include "domain/backup.h"
#include "crypto/backup_crypt.h"
#include "domain/subject.h"
#include "store/store_rights.h"
#include "util/fsutil.h"
#include "util/uuid.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PATH_BYTES 1100
#define WORK_SUBDIR "restore-work"
#define KEY_FILE_MAX 4096

/* ---- small helpers */

static void hex_of(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		(void)close(fd);
	}
}

/* Wipes every file under dir (one level of subdirectories deep, which is all
 * a restore makes), then removes dir itself when remove_self is set. */
static void wipe_dir(const char *dir, int remove_self, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			char p[PATH_BYTES];
			struct stat st;

			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
			    sargs_fs_join(p, sizeof(p), dir, e->d_name) != SARGS_OK ||
			    lstat(p, &st) != 0)
				continue;
			if (S_ISDIR(st.st_mode)) {
				if (depth < 2)
					wipe_dir(p, 1, depth + 1);
			} else {
				(void)sargs_backup_wipe_file(p);
			}
		}
		(void)closedir(d);
	}
	if (remove_self)
		(void)rmdir(dir);
}

/* Wipes a database file and the side files SQLite may have left beside it. */
static void wipe_db(const char *db)
{
	static const char *const sides[] = {"", "-journal", "-wal", "-shm"};

	for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++) {
		char p[PATH_BYTES + 16];

		if (snprintf(p, sizeof(p), "%s%s", db, sides[i]) < (int)sizeof(p))
			(void)sargs_backup_wipe_file(p);
	}
}

/* Loads the master key of key_dir (or SARGS_MASTER_KEY). */
static enum sargs_rc load_keys(const char *key_dir, struct sargs_keys **keys,
			       struct sargs_err *err)
{
	char kp[PATH_BYTES];

	if (sargs_fs_join(kp, sizeof(kp), key_dir, SARGS_KEY_FILE) != SARGS_OK)
		return sargs_err_set(err, SARGS_E_INVALID, "data directory path is too long");
	return sargs_keys_load(kp, keys, err);
}

static int key_from_env(void)
{
	const char *env = getenv(SARGS_MASTER_KEY_ENV);

	return env != NULL && env[0] != '\0';
}

/* Copies key_dir's key file into dst_dir (0600), unless the key comes from
 * the environment (*copied says which). */
static enum sargs_rc copy_key(const char *key_dir, const char *dst_dir, int *copied,
			      struct sargs_err *err)
{
	char src[PATH_BYTES], dst[PATH_BYTES];
	char *buf = NULL;
	size_t len = 0;
	enum sargs_rc rc;

	*copied = 0;
	if (key_from_env())
		return SARGS_OK;
	if (sargs_fs_join(src, sizeof(src), key_dir, SARGS_KEY_FILE) != SARGS_OK ||
	    sargs_fs_join(dst, sizeof(dst), dst_dir, SARGS_KEY_FILE) != SARGS_OK)
		return sargs_err_set(err, SARGS_E_INVALID, "data directory path is too long");
	if ((rc = sargs_fs_read(src, KEY_FILE_MAX, &buf, &len, err)) != SARGS_OK)
		return rc;
	rc = sargs_fs_write_atomic(dst, buf, len, 0600, 0, err);
	sargs_wipe(buf, len);
	free(buf);
	if (rc == SARGS_OK)
		*copied = 1;
	return rc;
}

/* ---- the manifest */

static json_t *manifest_json(const struct sargs_backup_manifest *m)
{
	return json_pack("{s:s, s:s, s:I, s:i, s:s, s:I, s:I, s:I, s:{s:I, s:s}, s:{s:s}, s:s}",
			 "format", SARGS_BACKUP_FORMAT, "created", m->created,
			 "created_us", (json_int_t)m->created_us, "schema_version",
			 m->schema_version, "engine", "sqlite", "subjects", (json_int_t)m->subjects,
			 "erased", (json_int_t)m->erased, "audit_entries",
			 (json_int_t)m->audit_entries, "audit_head", "seq",
			 (json_int_t)m->audit_seq, "hash", m->audit_hash, "checksum", "blake2b",
			 m->checksum, "key_check", m->key_check);
}

static int copy_str(char *dst, size_t size, const char *src)
{
	if (src == NULL || strlen(src) >= size)
		return -1;
	memcpy(dst, src, strlen(src) + 1);
	return 0;
}

static enum sargs_rc manifest_parse(const char *text, const char *file,
				    struct sargs_backup_manifest *m, struct sargs_err *err)
{
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	const char *format = NULL, *created = NULL, *hash = NULL, *sum = NULL, *kc = NULL;
	json_int_t cus = 0, subjects = 0, erased = 0, entries = 0, seq = 0;
	int schema = 0;
	enum sargs_rc rc = SARGS_OK;

	memset(m, 0, sizeof(*m));
	if (root == NULL ||
	    json_unpack(root, "{s:s, s:s, s:I, s:i, s:I, s:I, s:I, s:{s:I, s:s}, s:{s:s}, s:s}",
			"format", &format, "created", &created, "created_us", &cus,
			"schema_version", &schema, "subjects", &subjects, "erased", &erased,
			"audit_entries", &entries, "audit_head", "seq", &seq, "hash", &hash,
			"checksum", "blake2b", &sum, "key_check", &kc) != 0 ||
	    strcmp(format, SARGS_BACKUP_FORMAT) != 0 ||
	    copy_str(m->created, sizeof(m->created), created) != 0 ||
	    copy_str(m->audit_hash, sizeof(m->audit_hash), hash) != 0 ||
	    copy_str(m->checksum, sizeof(m->checksum), sum) != 0 ||
	    copy_str(m->key_check, sizeof(m->key_check), kc) != 0)
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "%s has a manifest this version of Sargs cannot read", file);
	m->created_us = cus;
	m->schema_version = schema;
	m->subjects = subjects;
	m->erased = erased;
	m->audit_entries = entries;
	m->audit_seq = seq;
	json_decref(root);
	return rc;
}

enum sargs_rc sargs_backup_manifest_read(const char *file, struct sargs_backup_manifest *out,
					 struct sargs_err *err)
{
	char *text = NULL;
	enum sargs_rc rc = sargs_backup_read_manifest(file, &text, err);

	if (rc != SARGS_OK)
		return rc;
	rc = manifest_parse(text, file, out, err);
	free(text);
	return rc;
}

static void key_check_hex(const struct sargs_keys *keys, char out[33])
{
	unsigned char kc[SARGS_BACKUP_KEY_CHECK_BYTES];

	sargs_backup_key_check(sargs_keys_sub(keys, SARGS_SUBKEY_BACKUP), kc);
	hex_of(kc, sizeof(kc), out);
}

/* ---- create */

/* Takes the snapshot into tmp and fills the counts of m from the same
 * snapshot. */
static enum sargs_rc snapshot(struct sargs_reg *reg, const char *tmp,
			      struct sargs_backup_manifest *m, struct sargs_err *err)
{
	struct sargs_store *st = reg->store;
	unsigned char head[SARGS_AUDIT_HASH_BYTES];
	enum sargs_rc rc;

	if ((rc = sargs_store_begin_read(st, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_subject_count(st, &m->subjects);
	if (rc == SARGS_OK)
		rc = sargs_store_ledger_count(st, &m->erased);
	if (rc == SARGS_OK)
		rc = sargs_store_audit_count(st, &m->audit_entries);
	if (rc == SARGS_OK) {
		rc = sargs_store_audit_last(st, &m->audit_seq, head);
		if (rc == SARGS_OK)
			hex_of(head, sizeof(head), m->audit_hash);
		else if (rc == SARGS_E_NOTFOUND)
			rc = SARGS_OK;
	}
	if (rc == SARGS_OK)
		rc = sargs_store_backup_to(st, tmp);
	if (rc != SARGS_OK) {
		(void)sargs_err_set(err, rc, "cannot copy the register: %s", sargs_store_errmsg(st));
		sargs_store_rollback(st);
		return rc;
	}
	m->schema_version = sargs_store_schema_version(st);
	return sargs_store_commit(st, err);
}

enum sargs_rc sargs_backup_create(struct sargs_reg *reg, const char *const *paths,
				  size_t n_paths, struct sargs_backup_manifest *out,
				  struct sargs_err *err)
{
	struct sargs_backup_manifest m;
	unsigned char sum[SARGS_BACKUP_SUM_BYTES];
	char tmp[PATH_BYTES], detail[256];
	char *manifest = NULL;
	json_t *mj = NULL;
	size_t written = 0;
	enum sargs_rc rc;
	int fd;

	if (n_paths == 0 || n_paths > SARGS_BACKUP_COPIES_MAX)
		return sargs_err_set(err, SARGS_E_USAGE, "give one or two backup files");
	if (n_paths == 2 && strcmp(paths[0], paths[1]) == 0)
		return sargs_err_set(err, SARGS_E_USAGE, "the two copies need two different files");
	for (size_t i = 0; i < n_paths; i++)
		if (sargs_fs_exists(paths[i]))
			return sargs_err_set(err, SARGS_E_EXISTS,
					     "%s exists; a backup never replaces a file", paths[i]);
	if (sargs_store_depth(reg->store) != 0)
		return sargs_err_set(err, SARGS_E_USAGE, "a backup cannot run inside a transaction");
	memset(&m, 0, sizeof(m));
	/* the plaintext snapshot stays on the register's own file system, 0600 */
	if (snprintf(tmp, sizeof(tmp), "%s/.backup-XXXXXX", reg->dir) >= (int)sizeof(tmp))
		return sargs_err_set(err, SARGS_E_INVALID, "data directory path is too long");
	fd = mkstemp(tmp);
	if (fd < 0)
		return sargs_err_set(err, SARGS_E_IO, "cannot create a temporary file in %s: %s",
				     reg->dir, strerror(errno));
	(void)close(fd);

	m.created_us = sargs_time_now_us();
	sargs_time_format(m.created_us, m.created, sizeof(m.created));
	if ((rc = snapshot(reg, tmp, &m, err)) != SARGS_OK)
		goto done;
	if ((rc = sargs_backup_checksum_file(tmp, sum, err)) != SARGS_OK)
		goto done;
	hex_of(sum, sizeof(sum), m.checksum);
	key_check_hex(reg->keys, m.key_check);
	mj = manifest_json(&m);
	manifest = mj != NULL ? json_dumps(mj, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	if (manifest == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto done;
	}
	/* recorded before the copy leaves the process (design.md, audit) */
	(void)snprintf(detail, sizeof(detail),
		       "subjects %lld, erased %lld, audit entries %lld, copies %zu, checksum %.16s",
		       (long long)m.subjects, (long long)m.erased, (long long)m.audit_entries,
		       n_paths, m.checksum);
	if ((rc = sargs_reg_audit(reg, "backup.create", NULL, NULL, NULL, detail, err)) !=
	    SARGS_OK)
		goto done;
	for (; written < n_paths; written++) {
		rc = sargs_backup_encrypt_file(tmp, paths[written],
					       sargs_keys_sub(reg->keys, SARGS_SUBKEY_BACKUP),
					       manifest, err);
		if (rc != SARGS_OK)
			break;
	}
	if (rc != SARGS_OK) {
		(void)snprintf(detail, sizeof(detail), "copy %zu of %zu not written: %s",
			       written + 1, n_paths, sargs_rc_str(rc));
		/* best effort: the failure itself is reported to the caller */
		enum sargs_rc arc = sargs_reg_audit(reg, "backup.failed", NULL, NULL, NULL, detail,
						    NULL);

		(void)arc;
		if (written > 0 && err != NULL) {
			char first[SARGS_ERR_BYTES];

			(void)snprintf(first, sizeof(first), "%s", err->msg);
			(void)sargs_err_set(err, rc, "%s (the first copy, %s, is complete)", first,
					    paths[0]);
		}
	}
done:
	wipe_db(tmp);
	free(manifest);
	json_decref(mj);
	if (rc == SARGS_OK && out != NULL)
		*out = m;
	return rc;
}

/* ---- verify */

static struct sargs_backup_check *check_add(struct sargs_backup_report *rep, const char *name,
					    int ok, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct sargs_backup_check *check_add(struct sargs_backup_report *rep, const char *name,
					    int ok, const char *fmt, ...)
{
	struct sargs_backup_check *c;
	va_list ap;

	if (rep->n_checks >= SARGS_BACKUP_CHECKS_MAX)
		abort(); /* programmer error: more checks than slots */
	c = &rep->checks[rep->n_checks++];
	c->name = name;
	c->ok = ok;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	return c;
}

/* Makes a scratch directory beside the data directory (same file system, not
 * a RAM disk), else under $TMPDIR or /tmp. */
static enum sargs_rc scratch_dir(const char *data_dir, char *out, size_t size,
				 struct sargs_err *err)
{
	char copy[PATH_BYTES];
	const char *tmpdir = getenv("TMPDIR");

	if (snprintf(copy, sizeof(copy), "%s", data_dir) < (int)sizeof(copy) &&
	    snprintf(out, size, "%s/.sargs-verify-XXXXXX", dirname(copy)) < (int)size &&
	    mkdtemp(out) != NULL)
		return SARGS_OK;
	if (tmpdir == NULL || tmpdir[0] == '\0')
		tmpdir = "/tmp";
	if (snprintf(out, size, "%s/sargs-verify-XXXXXX", tmpdir) < (int)size &&
	    mkdtemp(out) != NULL)
		return SARGS_OK;
	return sargs_err_set(err, SARGS_E_IO, "cannot make a scratch directory: %s",
			     strerror(errno));
}

struct id_list {
	char (*ids)[SARGS_UUID_STR];
	int64_t *when;
	size_t n, cap, max;
	int failed;
};

static int id_list_add(struct id_list *l, const char *id, int64_t when)
{
	if (l->n >= l->max)
		return 1;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		char(*ids)[SARGS_UUID_STR] = realloc(l->ids, cap * sizeof(*ids));
		int64_t *w;

		if (ids == NULL) {
			l->failed = 1;
			return 1;
		}
		l->ids = ids;
		w = realloc(l->when, cap * sizeof(*w));
		if (w == NULL) {
			l->failed = 1;
			return 1;
		}
		l->when = w;
		l->cap = cap;
	}
	(void)snprintf(l->ids[l->n], SARGS_UUID_STR, "%s", id);
	l->when[l->n++] = when;
	return 0;
}

static int id_cb(void *ctx, const char *id) { return id_list_add(ctx, id, 0); }

static int ledger_cb(void *ctx, const char *id, int64_t erased_us)
{
	return id_list_add(ctx, id, erased_us);
}

static void id_list_free(struct id_list *l)
{
	free(l->ids);
	free(l->when);
	memset(l, 0, sizeof(*l));
}

/* The checks on an opened restored register; returns the first failure. */
static enum sargs_rc check_register(struct sargs_reg *reg, struct sargs_backup_report *rep)
{
	const struct sargs_backup_manifest *m = &rep->manifest;
	struct sargs_audit_report ar;
	struct id_list sample = {NULL, NULL, 0, 0, SARGS_BACKUP_SAMPLE, 0};
	unsigned char head[SARGS_AUDIT_HASH_BYTES];
	char head_hex[65] = "", msg[200];
	int64_t subjects = -1, erased = -1, entries = -1, seq = 0;
	size_t fields = 0, read_ok = 0;
	int ok = 0;
	enum sargs_rc rc, first = SARGS_OK;

	rc = sargs_store_integrity_check(reg->store, &ok, msg, sizeof(msg));
	check_add(rep, "integrity", rc == SARGS_OK && ok, "%s",
		  rc != SARGS_OK ? sargs_rc_str(rc) : ok ? "database structure sound" : msg);
	if (rc != SARGS_OK || !ok)
		return SARGS_E_SCHEMA;

	if (sargs_store_subject_count(reg->store, &subjects) != SARGS_OK ||
	    sargs_store_ledger_count(reg->store, &erased) != SARGS_OK ||
	    sargs_store_audit_count(reg->store, &entries) != SARGS_OK)
		subjects = -1;
	rc = sargs_store_audit_last(reg->store, &seq, head);
	if (rc == SARGS_OK)
		hex_of(head, sizeof(head), head_hex);
	ok = subjects == m->subjects && erased == m->erased && entries == m->audit_entries;
	check_add(rep, "counts", ok, "%lld subjects, %lld erased, %lld audit entries%s",
		  (long long)subjects, (long long)erased, (long long)entries,
		  ok ? ", as the manifest says" : " (the manifest says otherwise)");
	if (!ok && first == SARGS_OK)
		first = SARGS_E_TAMPERED;
	ok = seq == m->audit_seq && strcmp(head_hex, m->audit_hash) == 0;
	check_add(rep, "audit head", ok, "last entry %lld%s", (long long)seq,
		  ok ? ", hash as in the manifest" : ", not the manifest's");
	if (!ok && first == SARGS_OK)
		first = SARGS_E_TAMPERED;

	rc = sargs_audit_verify(reg->audit, &ar);
	check_add(rep, "audit chain", rc == SARGS_OK, "%s",
		  rc == SARGS_OK || ar.message[0] ? ar.message : sargs_rc_str(rc));
	if (rc != SARGS_OK && first == SARGS_OK)
		first = rc;

	/* decrypt a sample: the values are wiped unseen; the reads are audited
	 * in the scratch copy, which is thrown away */
	if (sargs_store_subject_ids(reg->store, id_cb, &sample) != SARGS_OK || sample.failed) {
		check_add(rep, "decryption sample", 0, "cannot list the subjects");
		id_list_free(&sample);
		return first != SARGS_OK ? first : SARGS_E_STORE;
	}
	for (size_t i = 0; i < sample.n; i++) {
		struct sargs_subject_view v;
		struct sargs_err e;

		memset(&v, 0, sizeof(v));
		if (sargs_subject_read_all(reg, sample.ids[i], "backup.verify", NULL, &v, &e) ==
		    SARGS_OK) {
			read_ok++;
			fields += v.n_fields;
		}
		sargs_subject_view_free(&v);
	}
	ok = read_ok == sample.n;
	check_add(rep, "decryption sample", ok, "%zu of %zu subjects read, %zu fields decrypted",
		  read_ok, sample.n, fields);
	if (!ok && first == SARGS_OK)
		first = SARGS_E_CRYPTO;
	id_list_free(&sample);
	return first;
}

enum sargs_rc sargs_backup_verify(const char *file, const char *key_dir,
				  struct sargs_backup_report *rep, struct sargs_err *err)
{
	struct sargs_keys *keys = NULL;
	struct sargs_reg *reg = NULL;
	char scratch[PATH_BYTES] = "", db[PATH_BYTES], kc[33];
	unsigned char sum[SARGS_BACKUP_SUM_BYTES];
	char sum_hex[65];
	int copied = 0;
	enum sargs_rc rc;
	struct sargs_err oe;

	memset(rep, 0, sizeof(*rep));
	if ((rc = sargs_backup_manifest_read(file, &rep->manifest, err)) != SARGS_OK)
		return rc;
	rep->have_manifest = 1;
	if ((rc = load_keys(key_dir, &keys, err)) != SARGS_OK)
		return rc;
	key_check_hex(keys, kc);
	if (strcmp(kc, rep->manifest.key_check) != 0) {
		check_add(rep, "master key", 0,
			  "not the key this backup was made with (or the manifest was altered)");
		rc = SARGS_E_CRYPTO;
		goto done;
	}
	check_add(rep, "master key", 1, "the key this backup was made with");
	if ((rc = scratch_dir(key_dir, scratch, sizeof(scratch), err)) != SARGS_OK)
		goto done;
	if (sargs_fs_join(db, sizeof(db), scratch, SARGS_DB_FILE) != SARGS_OK) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "scratch path is too long");
		goto done;
	}
	rc = sargs_backup_decrypt_file(file, db, sargs_keys_sub(keys, SARGS_SUBKEY_BACKUP), sum,
				       &oe);
	check_add(rep, "decryption", rc == SARGS_OK, "%s",
		  rc == SARGS_OK ? "every chunk and the manifest authenticated" : oe.msg);
	if (rc != SARGS_OK)
		goto done;
	hex_of(sum, sizeof(sum), sum_hex);
	if (strcmp(sum_hex, rep->manifest.checksum) != 0) {
		check_add(rep, "checksum", 0, "BLAKE2b %.16s..., the manifest says %.16s...",
			  sum_hex, rep->manifest.checksum);
		rc = SARGS_E_CRYPTO;
		goto done;
	}
	check_add(rep, "checksum", 1, "BLAKE2b %.16s... as in the manifest", sum_hex);
	if ((rc = copy_key(key_dir, scratch, &copied, err)) != SARGS_OK)
		goto done;
	rc = sargs_reg_open(scratch, &reg, &oe);
	check_add(rep, "open", rc == SARGS_OK, "%s",
		  rc == SARGS_OK ? "the restored register opens with this key" : oe.msg);
	if (rc != SARGS_OK)
		goto done;
	rc = check_register(reg, rep);
done:
	sargs_reg_close(reg);
	if (scratch[0] != '\0')
		wipe_dir(scratch, 1, 0);
	sargs_keys_free(keys);
	return rc;
}

/* ---- restore */

/* 1 when path does not exist or is an empty directory. */
static int usable_target(const char *path, int *exists)
{
	DIR *d;
	struct dirent *e;
	int empty = 1;

	*exists = 0;
	if (!sargs_fs_exists(path))
		return 1;
	*exists = 1;
	d = opendir(path);
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	(void)closedir(d);
	return empty;
}

/* Partial erasures (purposes ended, fields erased), names only. */
struct partial {
	char id[SARGS_UUID_STR];
	int64_t when;
	char *purposes, *fields;
};

struct partial_list {
	struct partial *v;
	size_t n, cap;
	int failed;
};

static int partial_cb(void *ctx, const char *id, int64_t when, const char *purposes,
		      const char *fields)
{
	struct partial_list *l = ctx;

	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		struct partial *v = realloc(l->v, nc * sizeof(*v));

		if (v == NULL) {
			l->failed = 1;
			return 1;
		}
		l->v = v;
		l->cap = nc;
	}
	(void)snprintf(l->v[l->n].id, SARGS_UUID_STR, "%s", id);
	l->v[l->n].when = when;
	l->v[l->n].purposes = strdup(purposes);
	l->v[l->n].fields = strdup(fields);
	if (l->v[l->n].purposes == NULL || l->v[l->n].fields == NULL) {
		free(l->v[l->n].purposes);
		free(l->v[l->n].fields);
		l->failed = 1;
		return 1;
	}
	l->n++;
	return 0;
}

static void partial_list_free(struct partial_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].purposes);
		free(l->v[i].fields);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int partial_known(const struct partial_list *l, const struct partial *p)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].when == p->when && strcmp(l->v[i].id, p->id) == 0)
			return 1;
	return 0;
}

/* Splits a comma list in place into names (at most max). */
static size_t split_names(char *s, const char **out, size_t max)
{
	size_t n = 0;

	for (char *tok = s; tok != NULL && *tok != '\0' && n < max;) {
		char *c = strchr(tok, ',');

		if (c != NULL)
			*c = '\0';
		out[n++] = tok;
		tok = c ? c + 1 : NULL;
	}
	return n;
}

struct link_names {
	char ids[64][64];
	size_t n;
};

static int link_names_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct link_names *l = ctx;

	(void)linked_us;
	if (l->n < 64)
		(void)snprintf(l->ids[l->n++], 64, "%s", purpose);
	return 0;
}

/* Re-applies one partial erasure to a restored subject: ends the purposes
 * still linked and erases the fields still there. */
static enum sargs_rc apply_partial(struct sargs_reg *reg, const struct partial *pe,
				   int64_t *count, struct sargs_err *err)
{
	char *ps = strdup(pe->purposes), *fs = strdup(pe->fields);
	const char *want_p[64], *want_f[256], *unlink[64], *unset[256];
	struct link_names *ln = calloc(1, sizeof(*ln));
	char (*names)[64] = calloc(256, sizeof(*names));
	size_t np, nf, nn = 0, n_unlink = 0, n_unset = 0;
	enum sargs_rc rc = SARGS_OK;

	if (ps == NULL || fs == NULL || ln == NULL || names == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	np = split_names(ps, want_p, 64);
	nf = split_names(fs, want_f, 256);
	if ((rc = sargs_store_links(reg->store, pe->id, link_names_cb, ln)) != SARGS_OK ||
	    (rc = sargs_subject_field_names(reg, pe->id, names, 256, &nn, err)) != SARGS_OK)
		goto out;
	for (size_t i = 0; i < np; i++)
		for (size_t k = 0; k < ln->n; k++)
			if (strcmp(want_p[i], ln->ids[k]) == 0)
				unlink[n_unlink++] = want_p[i];
	for (size_t i = 0; i < nf; i++)
		for (size_t k = 0; k < nn; k++)
			if (strcmp(want_f[i], names[k]) == 0)
				unset[n_unset++] = want_f[i];
	if (n_unlink + n_unset > 0) {
		struct sargs_subject_change ch;

		memset(&ch, 0, sizeof(ch));
		ch.unlink = unlink;
		ch.n_unlink = n_unlink;
		ch.unset = unset;
		ch.n_unset = n_unset;
		if (n_unlink == ln->n) {
			/* nothing would be left: the person goes entirely */
			rc = sargs_subject_erase(reg, pe->id, "restore", err);
		} else {
			rc = sargs_subject_edit(reg, pe->id, &ch, err);
		}
		if (rc == SARGS_OK)
			(*count)++;
	}
out:
	free(ps);
	free(fs);
	free(ln);
	free(names);
	return rc;
}

/* Reads the live register's ledger into live; *used = 0 when live_dir holds
 * no register. */
static enum sargs_rc live_ledger(const char *live_dir, struct id_list *live,
				 struct partial_list *partials, int *used, struct sargs_err *err)
{
	struct sargs_reg *reg = NULL;
	struct sargs_err oe;
	enum sargs_rc rc = sargs_reg_open(live_dir, &reg, &oe);

	*used = 0;
	if (rc == SARGS_E_NOTFOUND)
		return SARGS_OK;
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc,
				     "cannot read the erasure ledger of the register in %s (%s);"
				     " people erased there since the backup would come back, so"
				     " nothing was restored (--no-live-ledger restores with the"
				     " backup's own ledger only)",
				     live_dir, oe.msg);
	rc = sargs_store_ledger_scan(reg->store, ledger_cb, live);
	if (rc == SARGS_OK)
		rc = sargs_store_partial_scan(reg->store, partial_cb, partials);
	if (rc == SARGS_OK && (live->failed || partials->failed))
		rc = SARGS_E_NOMEM;
	if (rc != SARGS_OK)
		(void)sargs_err_set(err, rc, "cannot read the live erasure ledger: %s",
				    sargs_store_errmsg(reg->store));
	else
		*used = 1;
	sargs_reg_close(reg);
	return rc;
}

static int subject_present(struct sargs_reg *reg, const char *id)
{
	struct sargs_store_subject s;
	void *owned = NULL;
	enum sargs_rc rc = sargs_store_subject_get(reg->store, id, &s, &owned);

	free(owned);
	return rc == SARGS_OK;
}

/* Erases id again in the restored register when it is there. */
static enum sargs_rc re_erase(struct sargs_reg *reg, const char *id, int64_t *count,
			      struct sargs_err *err)
{
	enum sargs_rc rc;

	if (!subject_present(reg, id))
		return SARGS_OK;
	rc = sargs_subject_erase(reg, id, "restore", err);
	if (rc == SARGS_OK)
		(*count)++;
	return rc;
}

/* Re-applies the union of the ledgers in the restored register, in one
 * transaction, and audits the restore there. */
static enum sargs_rc reapply(struct sargs_reg *reg, const struct id_list *live,
			     const struct partial_list *partials,
			     struct sargs_backup_restore_result *res, const char *live_note,
			     struct sargs_err *err)
{
	struct partial_list own_p = {NULL, 0, 0, 0};
	struct id_list own = {NULL, NULL, 0, 0, SIZE_MAX, 0};
	struct sargs_audit_report ar;
	char detail[300];
	int ok = 0;
	enum sargs_rc rc;

	if ((rc = sargs_store_integrity_check(reg->store, &ok, detail, sizeof(detail))) !=
		    SARGS_OK ||
	    !ok)
		return sargs_err_set(err, SARGS_E_SCHEMA, "the restored database is damaged: %s",
				     rc != SARGS_OK ? sargs_rc_str(rc) : detail);
	rc = sargs_audit_verify(reg->audit, &ar);
	if (rc == SARGS_E_TAMPERED && ar.problem == SARGS_AUDIT_INDEX_BAD) {
		/* the entries are intact; their search index is derived from
		 * them and is made anew here (and checked again below) */
		int64_t parts = 0, repaired = 0;

		if ((rc = sargs_audit_reindex(reg->audit, &parts, &repaired, err)) != SARGS_OK)
			return rc;
		rc = sargs_audit_verify(reg->audit, &ar);
	}
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "the restored audit trail is not intact: %s",
				     ar.message);
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_ledger_scan(reg->store, ledger_cb, &own);
	if (rc == SARGS_OK && own.failed)
		rc = SARGS_E_NOMEM;
	if (rc != SARGS_OK)
		(void)sargs_err_set(err, rc, "cannot read the restored erasure ledger");
	/* the backup's own ledger: its subjects should be gone already */
	for (size_t i = 0; rc == SARGS_OK && i < own.n; i++)
		rc = re_erase(reg, own.ids[i], &res->re_erased, err);
	for (size_t i = 0; rc == SARGS_OK && i < live->n; i++) {
		const char *id = live->ids[i];

		if (sargs_store_ledger_get(reg->store, id, NULL) == SARGS_OK)
			continue;
		if (subject_present(reg, id)) {
			rc = re_erase(reg, id, &res->re_erased, err);
		} else {
			/* added and erased after the backup: keep the record */
			rc = sargs_store_ledger_add(reg->store, id, live->when[i]);
			if (rc != SARGS_OK)
				(void)sargs_err_set(err, rc, "cannot extend the restored ledger: %s",
						    sargs_store_errmsg(reg->store));
			else
				res->carried++;
		}
	}
	/* purposes ended and fields erased after the backup, re-applied; the
	 * live records join the restored ledger */
	if (rc == SARGS_OK) {
		rc = sargs_store_partial_scan(reg->store, partial_cb, &own_p);
		if (rc == SARGS_OK && own_p.failed)
			rc = SARGS_E_NOMEM;
		if (rc != SARGS_OK)
			(void)sargs_err_set(err, rc, "cannot read the restored erasure ledger");
	}
	for (size_t i = 0; rc == SARGS_OK && i < partials->n; i++) {
		const struct partial *pe = &partials->v[i];

		if (partial_known(&own_p, pe))
			continue;
		if (subject_present(reg, pe->id))
			rc = apply_partial(reg, pe, &res->partials, err);
		if (rc == SARGS_OK &&
		    (rc = sargs_store_partial_add(reg->store, pe->id, pe->when, pe->purposes,
						  pe->fields)) != SARGS_OK)
			(void)sargs_err_set(err, rc, "cannot extend the restored ledger: %s",
					    sargs_store_errmsg(reg->store));
	}
	partial_list_free(&own_p);
	if (rc == SARGS_OK) {
		(void)snprintf(detail, sizeof(detail),
			       "backup of %s, checksum %.16s; re-erased %lld; partial erasures"
			       " re-applied %lld; ledger entries carried over %lld; %s",
			       res->manifest.created, res->manifest.checksum,
			       (long long)res->re_erased, (long long)res->partials,
			       (long long)res->carried, live_note);
		rc = sargs_reg_audit(reg, "backup.restore", NULL, NULL, NULL, detail, err);
	}
	id_list_free(&own);
	if (rc != SARGS_OK) {
		sargs_reg_rollback(reg);
		return rc;
	}
	return sargs_reg_commit(reg, err);
}

/* Moves the finished register from work into into. */
static enum sargs_rc move_in(const char *work, const char *into, struct sargs_err *err)
{
	static const char *const names[] = {SARGS_DB_FILE, SARGS_DB_FILE "-wal",
					    SARGS_DB_FILE "-shm", SARGS_KEY_FILE};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char from[PATH_BYTES], to[PATH_BYTES];

		if (sargs_fs_join(from, sizeof(from), work, names[i]) != SARGS_OK ||
		    sargs_fs_join(to, sizeof(to), into, names[i]) != SARGS_OK)
			return sargs_err_set(err, SARGS_E_INVALID, "path too long");
		if (sargs_fs_exists(from) && rename(from, to) != 0)
			return sargs_err_set(err, SARGS_E_IO, "cannot move %s into %s: %s", names[i],
					     into, strerror(errno));
	}
	if (rmdir(work) != 0)
		return sargs_err_set(err, SARGS_E_IO, "cannot remove %s: %s", work, strerror(errno));
	fsync_dir(into);
	return SARGS_OK;
}

static const char marker_text[] =
	"A Sargs restore into this directory has not finished: people erased since the\n"
	"backup may not have been erased again here. Do not use this register. Remove\n"
	"the directory and run 'sargs backup restore' again.\n";

enum sargs_rc sargs_backup_restore(const char *file, const char *live_dir, int skip_live,
				   const char *into, struct sargs_backup_restore_result *out,
				   struct sargs_err *err)
{
	struct sargs_backup_restore_result res;
	struct id_list live = {NULL, NULL, 0, 0, SIZE_MAX, 0};
	struct partial_list partials = {NULL, 0, 0, 0};
	struct sargs_keys *keys = NULL;
	struct sargs_reg *reg = NULL;
	char work[PATH_BYTES], db[PATH_BYTES], marker[PATH_BYTES], kc[33], sum_hex[65];
	unsigned char sum[SARGS_BACKUP_SUM_BYTES];
	const char *live_note;
	int existed = 0, started = 0, copied = 0;
	enum sargs_rc rc;

	memset(&res, 0, sizeof(res));
	if (sargs_fs_join(work, sizeof(work), into, WORK_SUBDIR) != SARGS_OK ||
	    sargs_fs_join(db, sizeof(db), work, SARGS_DB_FILE) != SARGS_OK ||
	    sargs_fs_join(marker, sizeof(marker), into, SARGS_RESTORE_MARKER) != SARGS_OK)
		return sargs_err_set(err, SARGS_E_INVALID, "the directory path is too long");
	if (!usable_target(into, &existed))
		return sargs_err_set(err, SARGS_E_EXISTS,
				     "%s exists and is not empty; a restore goes into a new"
				     " directory and never over a register",
				     into);
	if ((rc = sargs_backup_manifest_read(file, &res.manifest, err)) != SARGS_OK)
		return rc;
	if ((rc = load_keys(live_dir, &keys, err)) != SARGS_OK)
		return rc;
	key_check_hex(keys, kc);
	if (strcmp(kc, res.manifest.key_check) != 0) {
		rc = sargs_err_set(err, SARGS_E_CRYPTO,
				   "the master key is not the one this backup was made with; use"
				   " that key (its file in --data, or %s)",
				   SARGS_MASTER_KEY_ENV);
		goto fail;
	}
	if (!skip_live && (rc = live_ledger(live_dir, &live, &partials, &res.live_ledger, err)) != SARGS_OK)
		goto fail;
	res.live_entries = (int64_t)live.n;
	live_note = skip_live ? "live ledger skipped (--no-live-ledger)"
		    : res.live_ledger ? "live ledger applied"
				      : "no live register";

	/* from here on the directory says it is not usable until the end */
	started = 1;
	if (!existed && (rc = sargs_fs_mkdirs(into, 0700, err)) != SARGS_OK)
		goto fail;
	if ((rc = sargs_fs_write_atomic(marker, marker_text, sizeof(marker_text) - 1, 0600, 0,
					err)) != SARGS_OK)
		goto fail;
	if (mkdir(work, 0700) != 0) {
		rc = sargs_err_set(err, SARGS_E_IO, "cannot create %s: %s", work, strerror(errno));
		goto fail;
	}
	if ((rc = sargs_backup_decrypt_file(file, db, sargs_keys_sub(keys, SARGS_SUBKEY_BACKUP),
					    sum, err)) != SARGS_OK)
		goto fail;
	hex_of(sum, sizeof(sum), sum_hex);
	if (strcmp(sum_hex, res.manifest.checksum) != 0) {
		rc = sargs_err_set(err, SARGS_E_CRYPTO,
				   "the restored database does not match the manifest's checksum");
		goto fail;
	}
	if ((rc = copy_key(live_dir, work, &copied, err)) != SARGS_OK)
		goto fail;
	res.key_copied = copied;
	if ((rc = sargs_reg_open(work, &reg, err)) != SARGS_OK)
		goto fail;
	if ((rc = reapply(reg, &live, &partials, &res, live_note, err)) != SARGS_OK)
		goto fail;
	sargs_reg_close(reg);
	reg = NULL;
	if ((rc = move_in(work, into, err)) != SARGS_OK)
		goto fail;
	/* last: the register is complete */
	if (unlink(marker) != 0) {
		rc = sargs_err_set(err, SARGS_E_IO, "cannot remove %s: %s", marker, strerror(errno));
		goto fail;
	}
	fsync_dir(into);
	id_list_free(&live);
	partial_list_free(&partials);
	sargs_keys_free(keys);
	if (out != NULL)
		*out = res;
	return SARGS_OK;
fail:
	sargs_reg_close(reg);
	if (started)
		wipe_dir(into, !existed, 0);
	id_list_free(&live);
	partial_list_free(&partials);
	sargs_keys_free(keys);
	return rc;
}
