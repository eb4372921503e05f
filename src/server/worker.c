/*
 * worker.c — the register worker with group commit (worker.h).
 */
#include "server/worker.h"

#include "store/store.h"
#include "util/timeutil.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct worker {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t has_work;   /* signalled to the worker */
	struct worker_job *head, *tail; /* queued, linked by next */
	int queued;                     /* how many */
	int gathering; /* the worker waits for its next group to grow */
	int64_t last_submit_us;         /* when the last job came */
	int64_t gap8;                   /* 8 x the mean gap between jobs (moving) */
	int timed;                      /* has_work waits on the monotonic clock */
	int stopping;
	int max_group;
	struct sargs_reg *reg;
	/* the group's transaction, opened while it gathers so that its eager
	 * jobs run as they come (worker_job.eager), by whoever submits them
	 * when the register's connection is free: conn_busy says it is not
	 * (the worker or a submitter runs on it); tx_open that the group's
	 * transaction is open, holding the jobs open_head.. (open_n) already
	 * run in it; closing that the worker waits to commit it, so no one
	 * runs more jobs meanwhile; open_failed/open_err that it could not
	 * be begun, so the jobs gathered meanwhile are lost with that error;
	 * open_ended that a job ended it (a bug), so its jobs were told that
	 * what they did may or may not be there, and nothing joins them */
	int conn_busy, tx_open, closing, open_failed, open_ended;
	struct sargs_err open_err;
	struct worker_job *open_head, *open_tail;
	int open_n;
	int64_t gather_us, steady_gap_us; /* WORKER_GATHER_US, _GAP_US (worker_tune) */
	struct worker_stats stats;
	unsigned long registry_gen; /* under mu */
	/* the sync thread (NULL ls: none, each commit syncs by itself) */
	struct sargs_log_sync *ls;
	pthread_t sync_thread;
	pthread_cond_t has_sync;             /* signalled to the sync thread */
	struct worker_job *sync_head, *sync_tail; /* committed, not yet synced */
	/* worker_settle's: released by the next sync, which covers every
	 * commit made before they came */
	struct worker_job *settle_head, *settle_tail;
	int syncing;                         /* a sync is under way */
	/* jobs taken into a group whose sync has not returned yet: what a
	 * reader sees may come from their commits (worker_unsynced) */
	unsigned long unsynced;
	int sync_stopping;
	int broken;                 /* a sync failed: nothing more is run */
	struct sargs_err broken_err;
};

/* Appends the jobs first..last (linked by next, last->next NULL) to the
 * list *head..*tail. */
static void append(struct worker_job **head, struct worker_job **tail, struct worker_job *first,
		   struct worker_job *last)
{
	if (*tail)
		(*tail)->next = first;
	else
		*head = first;
	*tail = last;
}

/* Tells a job its work is lost, once per run (unsynced: committed, but
 * perhaps not on disk). */
static void job_lost_as(struct worker_job *j, const struct sargs_err *err, int unsynced)
{
	if (!j->was_lost) {
		j->was_lost = 1;
		j->unsynced = unsynced;
		j->lost(j->arg, err);
	}
}

static void job_lost(struct worker_job *j, const struct sargs_err *err)
{
	job_lost_as(j, err, 0);
}

/* Undoes what a job left open: a begin without its end (a bug in the job)
 * would otherwise make the group's commit release the wrong level. Returns
 * 1 when something was left open. */
static int close_leftovers(struct worker *w, int depth)
{
	int left = 0;

	while (sargs_store_depth(w->reg->store) > depth) {
		sargs_reg_rollback(w->reg);
		left = 1;
	}
	return left;
}

/* Runs one job in a savepoint of the open transaction. */
static void run_one(struct worker *w, struct worker_job *j)
{
	struct sargs_err err;
	int failed = 0;
	int depth = sargs_store_depth(w->reg->store);

	j->was_lost = 0; /* a job may run twice: what counts is its last run */
	j->undone = 0;
	if (sargs_reg_begin(w->reg, &err) != SARGS_OK) {
		job_lost(j, &err);
		return;
	}
	j->run(j->arg, w->reg, &failed);
	if (sargs_store_depth(w->reg->store) > depth + 1) {
		/* too many begins: undo the job */
		(void)close_leftovers(w, depth);
		(void)sargs_err_set(&err, SARGS_E_STORE, "a request left its transaction unbalanced");
		job_lost(j, &err);
		return;
	}
	if (sargs_store_depth(w->reg->store) <= depth) {
		/* too many commits or rollbacks: the job ended its own level and
		 * its group's transaction, committed or not; the group's jobs
		 * hear so (ended_by_a_job), this one first */
		(void)sargs_err_set(&err, SARGS_E_STORE,
				    "a request ended its group's transaction, so whether it was saved"
				    " is not known");
		job_lost_as(j, &err, 1);
		return;
	}
	if (failed) {
		sargs_reg_rollback(w->reg);
		j->undone = 1; /* its own answer says nothing changed */
	}
	else if (sargs_reg_commit(w->reg, &err) != SARGS_OK)
		job_lost(j, &err); /* the savepoint could not be released */
}

/* Runs a job that makes its own transactions, alone and outside any. */
static void run_alone(struct worker *w, struct worker_job *j)
{
	int ignored = 0;

	j->was_lost = 0;
	j->run(j->arg, w->reg, &ignored);
	if (close_leftovers(w, 0)) {
		struct sargs_err err;

		(void)sargs_err_set(&err, SARGS_E_STORE, "a request left a transaction open");
		job_lost(j, &err);
	}
}

/* A job ended its group's transaction (a bug): whether by a commit or a
 * rollback is not known, so each job of the group is told that what it did
 * may or may not be there (as after a failed sync). */
static void ended_by_a_job(struct worker_job *first)
{
	struct sargs_err err;

	(void)sargs_err_set(&err, SARGS_E_STORE,
			    "a request ended its group's transaction, so whether this one was"
			    " saved is not known");
	for (struct worker_job *j = first; j; j = j->next)
		job_lost_as(j, &err, 1);
}

/* Runs a group: one transaction, or each alone when its commit fails. The
 * jobs before fresh already ran in the transaction, open when begun. */
static void run_group(struct worker *w, struct worker_job *first, struct worker_job *fresh,
		      int begun)
{
	struct sargs_err err;
	struct worker_job *j;
	int ok = 0;

	if (!begun && sargs_reg_begin(w->reg, &err) != SARGS_OK) {
		/* the register is locked elsewhere past the busy timeout (or
		 * broken): trying each job again would wait that long per job */
		for (j = first; j; j = j->next)
			job_lost(j, &err);
		return;
	}
	for (j = fresh; j; j = j->next)
		run_one(w, j);
	if (sargs_store_depth(w->reg->store) == 0) {
		ended_by_a_job(first);
		return;
	}
	ok = sargs_reg_commit(w->reg, &err) == SARGS_OK;
	if (ok)
		return;
	sargs_reg_rollback(w->reg);
	w->stats.retried++;
	for (j = first; j; j = j->next) {
		if (sargs_reg_begin(w->reg, &err) != SARGS_OK) {
			job_lost(j, &err);
			continue;
		}
		run_one(w, j);
		if (sargs_store_depth(w->reg->store) == 0)
			continue;
		if (sargs_reg_commit(w->reg, &err) != SARGS_OK) {
			sargs_reg_rollback(w->reg);
			job_lost(j, &err);
		}
	}
}

/* Calls each job's complete function; complete may free the job, so next
 * is read first. */
static void complete_all(struct worker_job *j)
{
	while (j) {
		struct worker_job *nx = j->next;

		j->complete(j);
		j = nx;
	}
}

/* The sync thread: puts on disk what the worker's groups committed, then
 * releases their requests. One sync covers every group committed before it
 * began, so while it runs the worker goes on with the next groups. */
static void *sync_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct worker_job *list, *settle;
		struct sargs_err err;
		enum sargs_rc rc;
		int64_t t;

		while (!w->sync_head && !w->settle_head && !w->sync_stopping)
			pthread_cond_wait(&w->has_sync, &w->mu);
		if (!w->sync_head && !w->settle_head)
			break; /* stopping and nothing left to sync */
		list = w->sync_head;
		w->sync_head = w->sync_tail = NULL;
		settle = w->settle_head;
		w->settle_head = w->settle_tail = NULL;
		w->syncing = 1;
		pthread_mutex_unlock(&w->mu);

		t = sargs_time_mono_us();
		rc = sargs_store_log_sync(w->ls, &err);
		t = sargs_time_mono_us() - t;

		pthread_mutex_lock(&w->mu);
		w->syncing = 0;
		for (struct worker_job *j = list; j; j = j->next)
			w->unsynced--;
		if (w->gathering)
			pthread_cond_signal(&w->has_work);
		w->stats.syncs++;
		w->stats.sync_us += (unsigned long long)t;
		if (rc != SARGS_OK && !w->broken) {
			/* after a failed sync the kernel may have dropped what it
			 * could not write, and the next sync of the file would
			 * not say so: nothing committed from now on is vouched
			 * for (groups still under way when this one failed
			 * included) */
			w->broken = 1;
			w->broken_err = err;
		}
		if (w->broken) {
			rc = SARGS_E_IO;
			err = w->broken_err;
		}
		pthread_mutex_unlock(&w->mu);
		if (rc != SARGS_OK) {
			for (struct worker_job *j = list; j; j = j->next)
				if (!j->undone)
					job_lost_as(j, &err, 1);
			for (struct worker_job *j = settle; j; j = j->next)
				job_lost_as(j, &err, 1);
		}
		complete_all(list);
		complete_all(settle);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static int64_t gather_wait(int64_t gap_us, int queued, int max_group, int64_t age_us,
			   int64_t gather_us, int64_t steady_gap_us)
{
	if (queued >= max_group || gap_us > steady_gap_us || age_us >= gather_us)
		return 0;
	return gather_us - (age_us < 0 ? 0 : age_us);
}

int64_t worker_gather_wait(int64_t gap_us, int queued, int max_group, int64_t age_us)
{
	return gather_wait(gap_us, queued, max_group, age_us, WORKER_GATHER_US,
			   WORKER_GATHER_GAP_US);
}

int64_t worker_gap_update(int64_t gap8, int64_t since_last_us)
{
	int64_t g = since_last_us < 0 ? 0 : since_last_us > 8000 ? 8000 : since_last_us;

	return gap8 - gap8 / 8 + g;
}

/* mu held. 1 when nothing committed is vouched for any more: a sync of the
 * log failed, or the background copy's flush of the database did; *err
 * says which. */
static int broken_now(struct worker *w, struct sargs_err *err)
{
	if (w->broken) {
		*err = w->broken_err;
		return 1;
	}
	if (sargs_store_sync_failed()) {
		(void)sargs_err_set(err, SARGS_E_IO,
				    "a sync of the register's files failed; restart the"
				    " server once the disk is sound");
		return 1;
	}
	return 0;
}

/* mu held: takes the first queued eager job out of the queue, passing
 * others by (they join the same group when it closes) but none that runs
 * alone (the group closes before it). NULL when there is none. */
static struct worker_job *take_eager(struct worker *w)
{
	struct worker_job *j, *prev = NULL;

	for (j = w->head; j && !j->own_tx; prev = j, j = j->next) {
		if (!j->eager)
			continue;
		if (prev)
			prev->next = j->next;
		else
			w->head = j->next;
		if (w->tail == j)
			w->tail = prev;
		j->next = NULL;
		w->queued--;
		return j;
	}
	return NULL;
}

/* mu held, the connection taken (conn_busy) by the caller: runs the
 * queued eager jobs in the open group's transaction while it has room and
 * the worker does not wait to commit it. mu is let go while a job runs. */
static void run_eager(struct worker *w)
{
	struct worker_job *j;

	while (w->tx_open && !w->closing && !w->stopping && w->open_n < w->max_group &&
	       (j = take_eager(w)) != NULL) {
		int64_t t = sargs_time_mono_us();
		int depth;

		pthread_mutex_unlock(&w->mu);
		run_one(w, j);
		depth = sargs_store_depth(w->reg->store);
		t = sargs_time_mono_us() - t;
		pthread_mutex_lock(&w->mu);
		w->stats.busy_us += (unsigned long long)t;
		append(&w->open_head, &w->open_tail, j, j);
		w->open_n++;
		if (depth == 0) {
			/* the job ended the group's transaction (a bug); the
			 * list is this thread's while it holds the connection */
			w->tx_open = 0;
			w->open_ended = 1;
			pthread_mutex_unlock(&w->mu);
			ended_by_a_job(w->open_head);
			pthread_mutex_lock(&w->mu);
		}
	}
}

/* mu held, called by the worker while it gathers: begins the group's
 * transaction when its first job is eager, and runs the eager jobs queued
 * so far in it (later ones run as they come, worker_submit). Returns 1
 * when it let mu go (the caller looks at the queue again). */
static int open_group(struct worker *w)
{
	struct sargs_err err;
	int refreshed, ok;

	if (w->tx_open || w->open_failed || w->open_ended || w->conn_busy || !w->head ||
	    !w->head->eager || broken_now(w, &err))
		return 0;
	w->conn_busy = 1;
	pthread_mutex_unlock(&w->mu);
	refreshed = sargs_reg_refresh(w->reg); /* no handler holds the registry now */
	ok = sargs_reg_begin(w->reg, &err) == SARGS_OK;
	pthread_mutex_lock(&w->mu);
	if (refreshed)
		w->registry_gen++;
	if (ok) {
		w->tx_open = 1;
		run_eager(w);
	} else {
		/* locked elsewhere past the busy timeout, or broken: the
		 * group's jobs are lost with this error when it closes (a
		 * second try would wait as long again) */
		w->open_failed = 1;
		w->open_err = err;
	}
	w->conn_busy = 0;
	return 1;
}

/* Waits, mu held, for the group to grow before it is committed. While the
 * log is being synced, a commit made now would wait for the next sync
 * anyway, so the jobs that come meanwhile join this group. Under steady
 * load it also waits up to gather_us from the first job's arrival (fewer,
 * larger commits and syncs, each of which costs about the same for one job
 * or many). A full group goes at once; when jobs come seldom, none waits
 * for the clock.
 *
 * Under steady load, half way through the time it waits for the clock, the
 * group's transaction is opened and the eager jobs gathered so far run in
 * it; those that come later run as they come (worker_submit), so that
 * little is left to do when the group closes. Not earlier, and never while
 * it waits for a sync: the transaction holds the register's write lock, and
 * the first half of each wait leaves it free for other processes (the CLI,
 * the scheduler's sweep), whose busy waits look again only now and then. */
static void gather(struct worker *w)
{
	int64_t start_us = sargs_time_mono_us();
	int64_t first_us = w->head ? w->head->queued_us : start_us;

	while (!w->stopping) {
		int64_t now = sargs_time_mono_us(), wait;
		struct timespec until;
		int n = w->open_n + w->queued;

		w->gathering = 1;
		if (w->head && w->head->own_tx)
			break; /* runs alone: nothing can join it */
		if (w->syncing && n < w->max_group) {
			pthread_cond_wait(&w->has_work, &w->mu);
			start_us = sargs_time_mono_us(); /* the clock's wait starts now */
			continue;
		}
		if (!w->timed)
			break;
		wait = gather_wait(w->gap8 / 8, n, w->max_group, now - first_us, w->gather_us,
				   w->steady_gap_us);
		if (wait == 0)
			break;
		if (!w->tx_open) {
			/* half way from the start of the wait to its end */
			int64_t to_open = (first_us + w->gather_us - start_us) / 2 - (now - start_us);

			if (to_open <= 0) {
				if (open_group(w))
					continue; /* mu was let go: look again */
			} else if (to_open < wait)
				wait = to_open;
		}
		until.tv_sec = (time_t)((now + wait) / 1000000);
		until.tv_nsec = (long)((now + wait) % 1000000) * 1000;
		(void)pthread_cond_timedwait(&w->has_work, &w->mu, &until); /* then look again */
	}
	w->gathering = 0;
}

/* Calls job_lost for each job of a list. */
static void lose_all(struct worker_job *first, const struct sargs_err *err)
{
	for (struct worker_job *j = first; j; j = j->next)
		job_lost(j, err);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		struct worker_job *first = NULL, *last = NULL, *group, *group_last;
		struct sargs_err broken_err, open_err;
		int64_t t;
		int n = 0, n_open, begun, open_failed, open_ended, broken;

		/* no group is open here: one opens only while gathering */
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->has_work, &w->mu);
		if (!w->head)
			break; /* stopping and nothing queued */
		gather(w);
		/* the connection back from whoever runs eager jobs on it */
		w->closing = 1;
		while (w->conn_busy)
			pthread_cond_wait(&w->has_work, &w->mu);
		w->closing = 0;
		w->conn_busy = 1;
		group = w->open_head;
		group_last = w->open_tail;
		n_open = w->open_n;
		begun = w->tx_open;
		open_failed = w->open_failed;
		open_err = w->open_err;
		open_ended = w->open_ended;
		w->open_head = w->open_tail = NULL;
		w->open_n = w->tx_open = w->open_failed = w->open_ended = 0;
		/* from the commit on, readers may see what they wrote before it
		 * is synced (not earlier: uncommitted, it is invisible, and a
		 * read that waits for a sync must not wait for this one) */
		w->unsynced += (unsigned long)n_open;
		/* the queued jobs that join it: a job with its own transactions
		 * runs alone, and a group stops before one; none joins a group
		 * whose transaction a job ended */
		if (open_ended || !w->head)
			first = NULL;
		else if (w->head->own_tx) {
			if (!group && !begun) {
				first = last = w->head;
				n = 1;
			}
		} else if (n_open < w->max_group) {
			first = last = w->head;
			n = 1;
			while (last->next && !last->next->own_tx && n_open + n < w->max_group) {
				last = last->next;
				n++;
			}
		}
		if (first) {
			w->head = last->next;
			if (!w->head)
				w->tail = NULL;
			last->next = NULL;
			w->queued -= n;
			w->unsynced += (unsigned long)n;
			append(&group, &group_last, first, last);
		}
		broken = broken_now(w, &broken_err);
		pthread_mutex_unlock(&w->mu);

		if (!begun && sargs_reg_refresh(w->reg)) { /* no handler holds the registry now */
			pthread_mutex_lock(&w->mu);
			w->registry_gen++;
			pthread_mutex_unlock(&w->mu);
		}
		t = sargs_time_mono_us();
		if (broken) {
			(void)close_leftovers(w, 0); /* the open group's transaction */
			lose_all(group, &broken_err);
		} else if (open_failed)
			lose_all(group, &open_err);
		else if (first && first->own_tx)
			run_alone(w, first);
		else if (group && !open_ended) /* (if ended, its jobs were told) */
			run_group(w, group, first, begun); /* the eager ones ran already */
		else if (begun)
			(void)close_leftovers(w, 0); /* an empty transaction */
		t = sargs_time_mono_us() - t;

		pthread_mutex_lock(&w->mu);
		w->conn_busy = 0;
		n += n_open;
		w->stats.jobs += (unsigned long long)n;
		w->stats.busy_us += (unsigned long long)t;
		if (!group)
			continue; /* mu held */
		w->stats.groups++;
		if (w->ls && !broken) {
			/* committed, not yet on disk: the sync thread releases
			 * the group's requests once it is */
			append(&w->sync_head, &w->sync_tail, group, group_last);
			pthread_cond_signal(&w->has_sync);
			continue; /* mu held */
		}
		w->unsynced -= (unsigned long)n;
		pthread_mutex_unlock(&w->mu);
		/* durable (each commit synced itself) or lost: release the
		 * group's requests, and only them */
		complete_all(group);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Syncs and releases what is left, then stops the sync thread. */
static void stop_sync(struct worker *w)
{
	if (!w->ls)
		return;
	pthread_mutex_lock(&w->mu);
	w->sync_stopping = 1;
	pthread_cond_signal(&w->has_sync);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->sync_thread, NULL);
	sargs_store_log_sync_close(w->ls);
	w->ls = NULL;
}

enum sargs_rc worker_start(const char *dir, int max_group, struct worker **out,
			   struct sargs_err *err)
{
	struct worker *w = calloc(1, sizeof(*w));
	struct sargs_err sync_err;
	enum sargs_rc rc;

	*out = NULL;
	if (!w)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	rc = sargs_reg_open(dir, &w->reg, err);
	if (rc != SARGS_OK) {
		free(w);
		return rc;
	}
	/* the worker's commits do not checkpoint the log: the server does it
	 * in the background (sargs_store_checkpoint) */
	sargs_store_tune_server(w->reg->store, 1);
	w->max_group = max_group > 0 ? max_group : 128;
	w->gather_us = WORKER_GATHER_US;
	w->steady_gap_us = WORKER_GATHER_GAP_US;
	pthread_mutex_init(&w->mu, NULL);
	w->gap8 = 8 * 8000; /* no steady load yet */
	/* the gathering's timed wait is on the monotonic clock; without one,
	 * groups gather only while the log is synced */
	{
		pthread_condattr_t ca;

		w->timed = pthread_condattr_init(&ca) == 0 &&
			   pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
			   pthread_cond_init(&w->has_work, &ca) == 0;
		if (!w->timed)
			pthread_cond_init(&w->has_work, NULL);
		(void)pthread_condattr_destroy(&ca);
	}
	pthread_cond_init(&w->has_sync, NULL);
	/* the log synced on a thread of its own, so that the next group is
	 * written while the last one is synced; when that cannot be set up,
	 * each commit syncs by itself (slower, just as safe) */
	if (sargs_store_log_sync_open(w->reg->store, &w->ls, &sync_err) != SARGS_OK)
		w->ls = NULL;
	if (w->ls && pthread_create(&w->sync_thread, NULL, sync_main, w) != 0) {
		sargs_store_log_sync_close(w->ls);
		w->ls = NULL;
	}
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
		stop_sync(w);
		sargs_reg_close(w->reg);
		pthread_mutex_destroy(&w->mu);
		pthread_cond_destroy(&w->has_work);
		pthread_cond_destroy(&w->has_sync);
		free(w);
		return sargs_err_set(err, SARGS_E_NOMEM, "cannot start the register worker thread");
	}
	*out = w;
	return SARGS_OK;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->has_work);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	stop_sync(w); /* after the worker: its last groups are synced too */
	sargs_reg_close(w->reg);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->has_work);
	pthread_cond_destroy(&w->has_sync);
	free(w);
}

void worker_submit(struct worker *w, struct worker_job *job)
{
	int64_t now;

	job->next = NULL;
	pthread_mutex_lock(&w->mu);
	now = sargs_time_mono_us(); /* under mu: the jobs' times are in order */
	job->queued_us = now;
	w->gap8 = worker_gap_update(w->gap8, now - w->last_submit_us);
	w->last_submit_us = now;
	append(&w->head, &w->tail, job, job);
	w->queued++;
	if (job->eager && w->tx_open && !w->conn_busy && !w->closing && !w->stopping) {
		/* the group's transaction is open and no one runs on the
		 * connection: this thread runs the job (and any other eager
		 * one queued) in it now, not the worker at the group's end */
		w->conn_busy = 1;
		run_eager(w);
		w->conn_busy = 0;
		if (w->closing || w->open_n + w->queued >= w->max_group)
			pthread_cond_signal(&w->has_work);
	}
	/* a worker gathering a group wakes when the sync ends, its time is up
	 * or the group is full, not at every job */
	else if (!w->gathering || w->open_n + w->queued >= w->max_group)
		pthread_cond_signal(&w->has_work);
	pthread_mutex_unlock(&w->mu);
}

static void run_complete(struct worker_job *job)
{
	(void)sem_post(job->complete_arg);
}

void worker_run(struct worker *w, struct worker_job *job)
{
	sem_t done;

	(void)sem_init(&done, 0, 0);
	job->complete = run_complete;
	// cppcheck-suppress autoVariables
	job->complete_arg = &done; /* worker_run returns only after the post */
	worker_submit(w, job);
	while (sem_wait(&done) != 0 && errno == EINTR)
		;
	(void)sem_destroy(&done);
}

void worker_tune(struct worker *w, int64_t gather_us, int64_t steady_gap_us)
{
	pthread_mutex_lock(&w->mu);
	w->gather_us = gather_us;
	w->steady_gap_us = steady_gap_us;
	pthread_mutex_unlock(&w->mu);
}

unsigned long worker_registry_gen(struct worker *w)
{
	unsigned long g;

	pthread_mutex_lock(&w->mu);
	g = w->registry_gen;
	pthread_mutex_unlock(&w->mu);
	return g;
}

/* mu held */
static int settle_needed(struct worker *w)
{
	/* without a sync thread, a commit is on disk before anyone sees it;
	 * after a failed sync, nothing is vouched for */
	struct sargs_err ignored;

	return broken_now(w, &ignored) || (w->ls && w->unsynced > 0);
}

int worker_unsynced(struct worker *w)
{
	int n;

	pthread_mutex_lock(&w->mu);
	n = settle_needed(w);
	pthread_mutex_unlock(&w->mu);
	return n;
}

void worker_settle(struct worker *w, struct worker_job *job)
{
	struct sargs_err err;
	int broken, wait;

	job->next = NULL;
	job->was_lost = 0;
	job->undone = 0;
	job->unsynced = 0;
	pthread_mutex_lock(&w->mu);
	broken = broken_now(w, &err);
	wait = !broken && settle_needed(w);
	if (wait) {
		append(&w->settle_head, &w->settle_tail, job, job);
		pthread_cond_signal(&w->has_sync);
	}
	pthread_mutex_unlock(&w->mu);
	if (broken)
		job_lost_as(job, &err, 1);
	if (!wait)
		job->complete(job);
}

void worker_get_stats(struct worker *w, struct worker_stats *out)
{
	pthread_mutex_lock(&w->mu);
	*out = w->stats;
	out->broken = w->broken || sargs_store_sync_failed();
	pthread_mutex_unlock(&w->mu);
}
