/*
 * store_sqlite_sync.c — the log syncer of the SQLite engine (store.h,
 * sargs_store_log_sync_open).
 *
 * With a syncer open, the connection runs with synchronous=NORMAL: in WAL
 * mode a commit then writes its frames to the log and returns without
 * syncing it, and SQLite still syncs the log before it copies frames into
 * the database (a checkpoint) and the database after, so a crash loses
 * whole transactions that were never synced and never corrupts. The syncer
 * holds its own descriptor of the log file and syncs it with fdatasync,
 * which puts on disk whatever any descriptor of the file has written. The
 * log is never locked (SQLite locks the database and its -shm index), so
 * this descriptor changes no lock when it is closed. The log file stays the
 * same file while the connection is open: SQLite removes it only when the
 * last connection closes, and a restart or truncation of the log reuses it.
 */
#define _GNU_SOURCE
#include "store/store_sqlite_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sq_log_sync {
	struct sargs_log_sync base; /* must be first */
	struct sq_store *s;
	int fd;
};

/* The path of the connection's log, NULL when the register is in memory. */
static const char *wal_path(struct sq_store *s)
{
	sqlite3_filename db = sqlite3_db_filename(s->db, "main");

	return db == NULL || *db == '\0' ? NULL : sqlite3_filename_wal(db);
}

/* fdatasync, again after a signal; 0, or the errno of a failure, which is
 * recorded for the process (sargs_store_sync_failed). */
static int sync_fd(int fd)
{
	while (fdatasync(fd) != 0) {
		if (errno != EINTR) {
			int e = errno;

			sargs_store_sync_fail();
			return e;
		}
	}
	return 0;
}

enum sargs_rc sq_log_sync_open(struct sargs_store *st, struct sargs_log_sync **out,
			       struct sargs_err *err)
{
	struct sq_store *s = SQ(st);
	const char *wal = wal_path(s);
	struct sq_log_sync *ls;
	struct stat sb;
	char *emsg = NULL;

	*out = NULL;
	if (wal == NULL)
		return sargs_err_set(err, SARGS_E_STORE,
				     "the register is not in a file, so it has no log to sync");
	ls = calloc(1, sizeof(*ls));
	if (ls == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	ls->base.ops = st->ops;
	ls->s = s;
	ls->fd = open(wal, O_RDWR | O_CLOEXEC);
	if (ls->fd < 0 || fstat(ls->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		int e = errno;

		if (ls->fd >= 0)
			(void)close(ls->fd);
		free(ls);
		return sargs_err_set(err, SARGS_E_IO, "cannot open the register's log %s: %s", wal,
				     strerror(e));
	}
	if (sqlite3_exec(s->db, "PRAGMA synchronous=NORMAL;", NULL, NULL, &emsg) != SQLITE_OK) {
		(void)sargs_err_set(err, SARGS_E_STORE, "cannot defer the log's sync: %s",
				    emsg ? emsg : "unknown error");
		sqlite3_free(emsg);
		(void)close(ls->fd);
		free(ls);
		return err->rc;
	}
	*out = &ls->base;
	return SARGS_OK;
}

enum sargs_rc sq_log_sync(struct sargs_log_sync *base, struct sargs_err *err)
{
	struct sq_log_sync *ls = (struct sq_log_sync *)base;
	int e;

	if (sargs_store_sync_failed())
		return sargs_err_set(err, SARGS_E_IO,
				     "a sync of the register's files failed earlier in this process");
	if ((e = sync_fd(ls->fd)) != 0)
		return sargs_err_set(err, SARGS_E_IO, "cannot put the register's log on disk: %s",
				     strerror(e));
	return SARGS_OK;
}

void sq_log_sync_close(struct sargs_log_sync *base)
{
	struct sq_log_sync *ls = (struct sq_log_sync *)base;

	/* commits of this connection are durable by themselves again; if the
	 * setting fails, the caller's last sync still covered every commit */
	(void)sqlite3_exec(ls->s->db, "PRAGMA synchronous=FULL;", NULL, NULL, NULL);
	(void)close(ls->fd);
	free(ls);
}

enum sargs_rc sq_log_flush(struct sargs_store *st)
{
	const char *wal = wal_path(SQ(st));
	int fd, e;

	if (wal == NULL)
		return SARGS_OK; /* in memory: nothing on disk to sync */
	if (sargs_store_sync_failed()) {
		(void)snprintf(st->errmsg, sizeof(st->errmsg),
			       "a sync of the register's files failed earlier in this process:"
			       " nothing can be vouched for until a restart");
		return SARGS_E_IO;
	}
	fd = open(wal, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return SARGS_OK; /* no log: every commit is in the database */
		(void)snprintf(st->errmsg, sizeof(st->errmsg), "cannot open the register's log: %s",
			       strerror(errno));
		return SARGS_E_IO;
	}
	if ((e = sync_fd(fd)) != 0)
		(void)snprintf(st->errmsg, sizeof(st->errmsg),
			       "cannot put the register's log on disk: %s", strerror(e));
	(void)close(fd);
	return e == 0 ? SARGS_OK : SARGS_E_IO;
}
