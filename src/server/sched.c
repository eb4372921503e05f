/*
 * sched.c — scheduled work of the server (sched.h).
 */
#include "server/sched.h"

#include "audit/checkpoint.h"
#include "crypto/ckpt.h"
#include "domain/backup.h"
#include "domain/request.h"
#include "domain/rights.h"
#include "server/server.h"
#include "store/store.h"
#include "util/fsutil.h"
#include "util/timeutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BACKUP_PREFIX "sargs-backup-"
#define BACKUP_SUFFIX ".sbk"
#define TICK_S 20

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the backups in dir, sorted oldest first (the names sort by time). */
static size_t list_backups(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0, cap = 0;

	*out = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);

		if (strncmp(e->d_name, BACKUP_PREFIX, strlen(BACKUP_PREFIX)) != 0 ||
		    len < strlen(BACKUP_SUFFIX) ||
		    strcmp(e->d_name + len - strlen(BACKUP_SUFFIX), BACKUP_SUFFIX) != 0)
			continue;
		if (n == cap) {
			char **nv = realloc(v, (cap ? cap * 2 : 16) * sizeof(*v));

			if (!nv)
				break;
			v = nv;
			cap = cap ? cap * 2 : 16;
		}
		v[n] = strdup(e->d_name);
		if (v[n])
			n++;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	*out = v;
	return n;
}

static void free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Keeps the newest keep backups in dir. */
static void prune(struct srv *s, const char *dir, int keep)
{
	char **v;
	size_t n = list_backups(dir, &v), i;

	for (i = 0; v != NULL && i + (size_t)keep < n; i++) {
		char path[SRV_PATH_MAX + 64];

		if (sargs_fs_join(path, sizeof(path), dir, v[i]) == SARGS_OK && unlink(path) == 0)
			srv_log(s, "info", "backup_pruned", "file=%s", v[i]);
	}
	free_list(v, n);
}

/* When the newest backup in dir was made (its file time), or 0. */
static int64_t newest_backup_us(const char *dir)
{
	char **v;
	size_t n = list_backups(dir, &v);
	int64_t t = 0;
	char path[SRV_PATH_MAX + 64];
	struct stat st;

	if (n && sargs_fs_join(path, sizeof(path), dir, v[n - 1]) == SARGS_OK &&
	    stat(path, &st) == 0)
		t = (int64_t)st.st_mtime * 1000000;
	free_list(v, n);
	return t;
}

static void do_backup(struct srv *s, struct sargs_reg *reg)
{
	char name[96], p1[SRV_PATH_MAX + 96], p2[SRV_PATH_MAX + 96];
	const char *paths[2];
	size_t np = 0;
	struct sargs_backup_manifest man;
	struct sargs_err err;
	enum sargs_rc rc;
	int64_t now = sargs_time_now_us();
	time_t t = (time_t)(now / 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	(void)snprintf(name, sizeof(name), BACKUP_PREFIX "%04d%02d%02dT%02d%02d%02dZ" BACKUP_SUFFIX,
		       tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		       tm.tm_sec);
	rc = sargs_fs_mkdirs(s->cfg.backup_dir, 0700, &err);
	if (rc == SARGS_OK)
		rc = sargs_fs_join(p1, sizeof(p1), s->cfg.backup_dir, name);
	if (rc == SARGS_OK) {
		paths[np++] = p1;
		if (s->cfg.backup_copy_dir[0]) {
			rc = sargs_fs_mkdirs(s->cfg.backup_copy_dir, 0700, &err);
			if (rc == SARGS_OK)
				rc = sargs_fs_join(p2, sizeof(p2), s->cfg.backup_copy_dir, name);
			if (rc == SARGS_OK)
				paths[np++] = p2;
		}
	}
	if (rc == SARGS_OK)
		rc = sargs_reg_set_actor(reg, "server:schedule", "server");
	if (rc == SARGS_OK)
		rc = sargs_backup_create(reg, paths, np, &man, &err);
	else if (err.msg[0] == '\0')
		(void)sargs_err_set(&err, rc, "backup path too long");
	pthread_mutex_lock(&s->mu);
	s->status.last_backup_try_us = now;
	if (rc == SARGS_OK) {
		s->status.last_backup_us = now;
		s->status.backup_error[0] = '\0';
	} else {
		s->status.backup_failures++;
		(void)snprintf(s->status.backup_error, sizeof(s->status.backup_error), "%s",
			       err.msg);
	}
	pthread_mutex_unlock(&s->mu);
	if (rc != SARGS_OK) {
		srv_log(s, "error", "backup_failed", "msg=\"%s\"", err.msg);
		return;
	}
	srv_log(s, "info", "backup", "file=%s copies=%zu subjects=%lld", name, np,
		(long long)man.subjects);
	prune(s, s->cfg.backup_dir, s->cfg.backup_keep);
	if (s->cfg.backup_copy_dir[0])
		prune(s, s->cfg.backup_copy_dir, s->cfg.backup_keep);
}

static void do_checkpoint(struct srv *s, struct sargs_reg *reg)
{
	struct sargs_ckpt_key *k = NULL;
	struct sargs_err err;
	enum sargs_rc rc = sargs_ckpt_key_load(s->cfg.checkpoint_key, &k, &err);
	const char *dirs[2] = {s->cfg.checkpoint_dir, s->cfg.checkpoint_copy_dir};
	int i;
	int64_t seq = 0;

	for (i = 0; i < 2 && rc == SARGS_OK; i++) {
		char file[SRV_PATH_MAX + 64];

		if (!dirs[i][0])
			continue;
		rc = sargs_audit_checkpoint(reg->store, k, dirs[i], sargs_time_now_us(), file,
					    sizeof(file), &seq, &err);
	}
	sargs_ckpt_key_free(k);
	pthread_mutex_lock(&s->mu);
	if (rc == SARGS_OK) {
		s->status.last_checkpoint_us = sargs_time_now_us();
		s->status.checkpoint_error[0] = '\0';
	} else {
		(void)snprintf(s->status.checkpoint_error, sizeof(s->status.checkpoint_error), "%s",
			       err.msg);
	}
	pthread_mutex_unlock(&s->mu);
	if (rc == SARGS_OK)
		srv_log(s, "info", "checkpoint", "seq=%lld", (long long)seq);
	else
		srv_log(s, "error", "checkpoint_failed", "msg=\"%s\"", err.msg);
}

static void do_sweep(struct srv *s, struct sargs_reg *reg)
{
	struct sargs_sweep_summary sum;
	struct sargs_err err;
	enum sargs_rc rc = sargs_reg_set_actor(reg, "server:schedule", "server");

	memset(&sum, 0, sizeof(sum));
	if (rc == SARGS_OK)
		rc = sargs_retention_sweep(reg, 0, NULL, NULL, &sum, &err);
	else
		(void)sargs_err_set(&err, rc, "cannot set the actor");
	pthread_mutex_lock(&s->mu);
	s->status.last_sweep_us = sargs_time_now_us();
	if (rc == SARGS_OK)
		s->status.sweep_error[0] = '\0';
	else
		(void)snprintf(s->status.sweep_error, sizeof(s->status.sweep_error), "%s", err.msg);
	pthread_mutex_unlock(&s->mu);
	if (rc == SARGS_OK)
		srv_log(s, "info", "retention_sweep",
			"links=%lld erased=%lld purposes_ended=%lld held=%lld",
			(long long)sum.links_checked, (long long)sum.subjects_erased,
			(long long)sum.purposes_ended, (long long)sum.held_restricted);
	else
		srv_log(s, "error", "retention_sweep_failed", "msg=\"%s\"", err.msg);
}


static int count_overdue(void *ctx, const struct sargs_request *r, int32_t days_left)
{
	(void)r;
	if (days_left < 0)
		(*(int64_t *)ctx)++;
	return 0;
}

/* Counts for /metrics and the console, made on the scheduler's own
 * connection. Counting the subjects reads the
 * whole table (seconds at a million people, holding a snapshot that keeps
 * the log from being copied): returns when to count next, so that counting
 * takes at most 1 % of the time, and is never more often than every TICK_S.
 * The audit trail is append-only and numbered from 1 without gaps: its
 * last number is its size, found without reading it (the backup's and the
 * integrity check's counts still count the rows). */
static int64_t do_counts(struct srv *s, struct sargs_reg *reg)
{
	struct sargs_err err;
	int64_t overdue = 0, subjects = 0, last_seq = 0;
	int64_t t0 = sargs_time_now_us(), took;
	unsigned char hash[SARGS_AUDIT_HASH_BYTES];
	enum sargs_rc rc = sargs_store_subject_count(reg->store, &subjects);

	if (rc == SARGS_OK) {
		rc = sargs_store_audit_last(reg->store, &last_seq, hash);
		if (rc == SARGS_E_NOTFOUND) {
			last_seq = 0;
			rc = SARGS_OK;
		}
	}
	if (rc != SARGS_OK) {
		srv_log(s, "warn", "count_failed", "msg=\"%s\"", sargs_store_errmsg(reg->store));
		return t0 + TICK_S * 1000000LL;
	}
	if (sargs_request_overdue(reg, 0, count_overdue, &overdue, &err) != SARGS_OK) {
		srv_log(s, "warn", "count_failed", "msg=\"%s\"", err.msg);
		return t0 + TICK_S * 1000000LL;
	}
	pthread_mutex_lock(&s->mu);
	s->status.counted_us = sargs_time_now_us();
	s->status.subjects = subjects;
	s->status.audit_entries = last_seq;
	s->status.overdue_requests = overdue;
	pthread_mutex_unlock(&s->mu);
	took = sargs_time_now_us() - t0;
	return t0 + (took * 100 > TICK_S * 1000000LL ? took * 100 : TICK_S * 1000000LL);
}

static void *sched_main(void *arg)
{
	struct srv *s = arg;
	struct sargs_reg *reg = NULL;
	struct sargs_err err;
	int64_t next_sweep, next_backup, next_ckpt, next_count, now;

	if (sargs_reg_open(s->cfg.data, &reg, &err) != SARGS_OK) {
		srv_log(s, "error", "schedule_failed", "msg=\"%s\"", err.msg);
		return NULL;
	}
	now = sargs_time_now_us();
	/* the first sweep a minute after start; a backup at once when the
	 * newest one is older than the interval; a checkpoint at once */
	next_sweep = now + 60 * 1000000LL;
	next_backup = 0;
	if (s->cfg.backup_dir[0]) {
		int64_t last = newest_backup_us(s->cfg.backup_dir);

		pthread_mutex_lock(&s->mu);
		s->status.last_backup_us = last;
		pthread_mutex_unlock(&s->mu);
		next_backup = last + (int64_t)s->cfg.backup_hours * 3600 * 1000000LL;
	}
	next_ckpt = now;
	next_count = do_counts(s, reg);
	pthread_mutex_lock(&s->sched_mu);
	while (!s->stopping) {
		struct timespec ts;
		int kick;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += TICK_S;
		if (!s->sched_kicked)
			(void)pthread_cond_timedwait(&s->sched_cv, &s->sched_mu, &ts);
		if (s->stopping)
			break;
		kick = s->sched_kicked;
		s->sched_kicked = 0;
		pthread_mutex_unlock(&s->sched_mu);
		now = sargs_time_now_us();
		sargs_reg_refresh(reg);
		if (s->cfg.sweep_hours > 0 && (kick || now >= next_sweep)) {
			do_sweep(s, reg);
			next_sweep = now + (int64_t)s->cfg.sweep_hours * 3600 * 1000000LL;
		}
		if (s->cfg.backup_dir[0] && (kick || now >= next_backup)) {
			do_backup(s, reg);
			next_backup = now + (int64_t)s->cfg.backup_hours * 3600 * 1000000LL;
		}
		if (s->cfg.checkpoint_dir[0] && (kick || now >= next_ckpt)) {
			do_checkpoint(s, reg);
			next_ckpt = now + (int64_t)s->cfg.checkpoint_minutes * 60 * 1000000LL;
		}
		if (kick || now >= next_count)
			next_count = do_counts(s, reg);
		pthread_mutex_lock(&s->sched_mu);
	}
	pthread_mutex_unlock(&s->sched_mu);
	sargs_reg_close(reg);
	return NULL;
}

void srv_sched_kick(struct srv *s)
{
	pthread_mutex_lock(&s->sched_mu);
	if (s->sched_running)
		s->sched_kicked = 1;
	pthread_cond_signal(&s->sched_cv);
	pthread_mutex_unlock(&s->sched_mu);
}

enum sargs_rc sched_start(struct srv *s, struct sargs_err *err)
{
	/* sched_mu and sched_cv are made by srv_run before anything can kick */
	if (pthread_create(&s->sched, NULL, sched_main, s) != 0) {
		return sargs_err_set(err, SARGS_E_NOMEM, "cannot start the scheduler thread");
	}
	s->sched_running = 1;
	return SARGS_OK;
}

void sched_stop(struct srv *s)
{
	if (!s->sched_running)
		return;
	pthread_mutex_lock(&s->sched_mu);
	s->stopping = 1;
	pthread_cond_signal(&s->sched_cv);
	pthread_mutex_unlock(&s->sched_mu);
	pthread_join(s->sched, NULL);
	s->sched_running = 0;
}
