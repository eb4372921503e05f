/*
 * store_sqlite_backup.c — the SQLite engine's part of backups: an online
 * copy through SQLite's backup API, the integrity check, and the erasure
 * ledger read and extended as a whole (a restore re-applies it).
 *
 * These run rarely (once per backup or restore), so their statements are
 * prepared per call rather than cached.
 */
#include "store/store_sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * The copy runs in one step: it holds a read snapshot of the source for its
 * length, which in WAL mode blocks no writer, and so cannot see a half-made
 * transaction or restart because of one.
 */
static enum sargs_rc sq_backup_to(struct sargs_store *st, const char *path)
{
	struct sq_store *s = SQ(st);
	sqlite3 *dst = NULL;
	sqlite3_backup *b;
	enum sargs_rc rc = SARGS_OK;
	int r, fd;

	if (s->broken)
		return sq_broken_fail(s);
	/* made 0600 before SQLite sees it: the copy is nobody else's business */
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		(void)snprintf(s->base.errmsg, sizeof(s->base.errmsg),
			       "cannot create the backup copy: %s", strerror(errno));
		return SARGS_E_IO;
	}
	(void)close(fd);
	sq_global_init();
	r = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (r != SQLITE_OK) {
		(void)snprintf(s->base.errmsg, sizeof(s->base.errmsg),
			       "cannot open the backup copy: %s",
			       dst ? sqlite3_errmsg(dst) : "out of memory");
		(void)sqlite3_close(dst);
		return r == SQLITE_NOMEM ? SARGS_E_NOMEM : SARGS_E_IO;
	}
	(void)sqlite3_busy_timeout(dst, 5000);
	b = sqlite3_backup_init(dst, "main", s->db, "main");
	if (b == NULL) {
		(void)snprintf(s->base.errmsg, sizeof(s->base.errmsg), "cannot start the copy: %s",
			       sqlite3_errmsg(dst));
		(void)sqlite3_close(dst);
		return SARGS_E_STORE;
	}
	do {
		r = sqlite3_backup_step(b, -1);
		if (r == SQLITE_BUSY || r == SQLITE_LOCKED)
			sqlite3_sleep(50);
	} while (r == SQLITE_OK || r == SQLITE_BUSY || r == SQLITE_LOCKED);
	(void)sqlite3_backup_finish(b);
	if (r != SQLITE_DONE) {
		(void)snprintf(s->base.errmsg, sizeof(s->base.errmsg), "the copy failed: %s",
			       sqlite3_errstr(r));
		rc = (r & 0xff) == SQLITE_FULL || (r & 0xff) == SQLITE_IOERR ? SARGS_E_IO
									     : SARGS_E_STORE;
	}
	if (sqlite3_close(dst) != SQLITE_OK && rc == SARGS_OK)
		rc = SARGS_E_IO;
	/* the copy may hold commits of the server not yet on disk here: the
	 * copy must not outlive them */
	if (rc == SARGS_OK)
		rc = sq_log_flush(st);
	return rc;
}

static enum sargs_rc sq_integrity_check(struct sargs_store *st, int *ok, char *msg,
					size_t msg_size)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	*ok = 0;
	if (msg_size > 0)
		msg[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "PRAGMA integrity_check(1)", -1, &p, NULL) != SQLITE_OK)
		return sq_fail(s, sqlite3_errcode(s->db));
	r = sqlite3_step(p);
	if (r == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(p, 0);

		*ok = t != NULL && strcmp(t, "ok") == 0;
		if (msg_size > 0)
			(void)snprintf(msg, msg_size, "%s", t != NULL ? t : "no answer");
		r = SQLITE_DONE;
	} else if (r == SQLITE_CORRUPT || r == SQLITE_NOTADB) {
		/* too damaged to check: a failed check, not a failed call */
		if (msg_size > 0)
			(void)snprintf(msg, msg_size, "%s", sqlite3_errmsg(s->db));
		r = SQLITE_DONE;
	}
	if (r != SQLITE_DONE) {
		enum sargs_rc rc = sq_fail(s, r);

		(void)sqlite3_finalize(p);
		return rc;
	}
	(void)sqlite3_finalize(p);
	return SARGS_OK;
}

static enum sargs_rc sq_ledger_scan(struct sargs_store *st,
				    int (*cb)(void *ctx, const char *id, int64_t erased_us),
				    void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	if (s->broken)
		return sq_broken_fail(s);
	if (sqlite3_prepare_v2(s->db,
			       "SELECT subject_id, erased_us FROM erasure_ledger"
			       " ORDER BY erased_us, subject_id",
			       -1, &p, NULL) != SQLITE_OK)
		return sq_fail(s, sqlite3_errcode(s->db));
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		char id[SARGS_UUID_STR];

		sq_col_id(p, 0, id);
		if (id[0] == '\0')
			continue;
		if (cb(ctx, id, sqlite3_column_int64(p, 1)) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	if (r != SQLITE_DONE) {
		enum sargs_rc rc = sq_fail(s, r);

		(void)sqlite3_finalize(p);
		return rc;
	}
	(void)sqlite3_finalize(p);
	return SARGS_OK;
}

static enum sargs_rc sq_ledger_add(struct sargs_store *st, const char *id, int64_t erased_us)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	if (s->broken)
		return sq_broken_fail(s);
	if (sqlite3_prepare_v2(s->db,
			       "INSERT INTO erasure_ledger(subject_id, erased_us) VALUES(?1, ?2)"
			       " ON CONFLICT DO NOTHING",
			       -1, &p, NULL) != SQLITE_OK)
		return sq_fail(s, sqlite3_errcode(s->db));
	if (sq_bind_id(p, 1, id) != 0) {
		(void)sqlite3_finalize(p);
		return SARGS_E_NOTFOUND;
	}
	(void)sqlite3_bind_int64(p, 2, erased_us);
	rc = sq_run(s, p);
	(void)sqlite3_finalize(p);
	return rc;
}

const struct sargs_store_backup_ops sq_backup_ops = {
	.backup_to = sq_backup_to,
	.integrity_check = sq_integrity_check,
	.ledger_scan = sq_ledger_scan,
	.ledger_add = sq_ledger_add,
};
