/*
 * worker.h — the register worker: one thread that owns the open register
 * and runs the jobs of the listener threads in groups, one transaction
 * per group (group commit).
 *
 * worker_submit queues a job and returns at once; the job's complete
 * function is called once the transaction holding it is durable (or rolled
 * back). worker_run does the same and blocks until then. Jobs that arrive
 * while a group runs form the next group, so under load one commit serves
 * many requests, and when idle a job waits for nothing. Under steady load
 * (a job every WORKER_GATHER_GAP_US or oftener, on average) the worker also
 * waits for a group to grow, at most WORKER_GATHER_US after its first job
 * came: each commit and sync costs about the same for one job or many.
 * Half way through that wait the group's transaction is opened, and eager
 * jobs (worker_job.eager: a read's audit entries) run in it as they come,
 * on the submitting thread when the connection is free, so that little is
 * left to do when the group closes; the other half leaves the register's
 * write lock free for other processes.
 *
 * The log is synced on a thread of its own (store.h,
 * sargs_store_log_sync_open): the worker commits a group and goes on with
 * the next while the sync thread puts the last ones on disk, with one sync
 * for all the groups committed before it began, and only then calls their
 * jobs' complete functions. A failed sync loses the groups it was for, and
 * every job after it, until the server is restarted (the kernel may have
 * dropped what it could not write, and a later sync would not say so).
 *
 * Each job runs inside a savepoint of the group's transaction: when the job
 * says so (job->failed) its changes are undone and the group goes on. When
 * the group's commit fails, everything is rolled back and each job of the
 * group is run again alone, in its own transaction; a job whose own commit
 * fails gets the commit's error. Nothing a job produced may leave the
 * process before its complete function has been called (worker_run has
 * returned).
 */
#ifndef SARGS_SERVER_WORKER_H
#define SARGS_SERVER_WORKER_H

#include "domain/register.h"
#include "util/rc.h"

#include <stdint.h>

struct worker;

struct worker_job {
	/* Runs the job on the register. Must start from a clean output (it may
	 * run twice) and set *failed when its changes must be undone. */
	void (*run)(void *arg, struct sargs_reg *reg, int *failed);
	/* Called when the job's changes could not be made durable. */
	void (*lost)(void *arg, const struct sargs_err *err);
	void *arg;
	/* 1: the job makes its own transactions (a long import in batches):
	 * it runs alone, outside any group, and *failed is ignored */
	int own_tx;
	/* 1: a short job that never blocks (an audit append): once a group's
	 * transaction is open (under steady load, half way through its
	 * gathering), the job runs in it as soon as it is submitted, on the
	 * thread of whoever holds the register's connection then (the
	 * submitter, another submitter or the worker; worker_submit), so that
	 * at the group's end only the commit is left; its complete function
	 * is called as any other's, after the sync */
	int eager;
	/* worker_submit: called on the worker's sync thread (the worker's own
	 * when there is none) when the job's group is over (durable, or lost
	 * was called); the job is the worker's no longer and may be freed from
	 * here on */
	void (*complete)(struct worker_job *job);
	void *complete_arg;
	/* set by the worker before it calls lost: 1 when the job's changes
	 * were committed but the log could not be put on disk (they may or may
	 * not survive a crash), 0 when they were undone */
	int unsynced;
	/* 1 when lost was called in the job's last run (a job may run twice:
	 * a lost call from a run before it does not count); for complete to
	 * read */
	int was_lost;
	/* private */
	struct worker_job *next;
	int undone; /* the job asked for its changes to be undone (*failed) */
	int64_t queued_us; /* when worker_submit queued it (monotonic clock) */
};

/* Under load, the longest a group waits for the clock to grow, from its
 * first job's arrival (it also waits for a sync under way to end, however
 * long that takes); and the mean gap between jobs at or below which the load counts
 * as steady (125 us: 8,000 jobs a second or more, where two cores are
 * busy). At 64 connections, groups of reads grew from 4-5 jobs to 16-18,
 * and the server's CPU time per read fell by a fifth (2 ms rather than
 * 1 ms took a third of the log's syncs away, each about 0.2 ms of CPU on
 * the benchmark's virtual disk); at 8 and 16 connections (fewer than 8,000
 * reads a second) nothing changes (bench/README.md). */
#define WORKER_GATHER_US 2000
#define WORKER_GATHER_GAP_US 125

/* The gathering's two rules, apart for the tests. How long a group of
 * queued jobs (at most max_group) whose first came age_us ago waits for
 * more, given the mean gap between jobs: 0 means it runs now. */
int64_t worker_gather_wait(int64_t gap_us, int queued, int max_group, int64_t age_us);
/* 8 times the mean gap after a job that came since_last_us after the one
 * before, given 8 times the mean before (kept scaled so that it settles on
 * the true mean, not up to 7 us off): a moving mean (1/8 weight) in which a
 * gap counts up to 8 ms, so that after a pause some 30 jobs in quick
 * succession count as steady again. */
int64_t worker_gap_update(int64_t gap8, int64_t since_last_us);

/* For the tests: groups gather for gather_us from their first job, when
 * the mean gap between jobs is steady_gap_us or less (WORKER_GATHER_US and
 * WORKER_GATHER_GAP_US unless changed). */
void worker_tune(struct worker *w, int64_t gather_us, int64_t steady_gap_us);

/* Opens the register in dir and starts the worker thread. */
enum sargs_rc worker_start(const char *dir, int max_group, struct worker **out,
			   struct sargs_err *err) SARGS_WUR;
/* Runs what is queued, then stops the thread and closes the register. */
void worker_stop(struct worker *w);
/* Queues job (its complete function set) and returns without waiting for
 * its commit. When the job is eager and a group's transaction is open and
 * free, the caller's thread first runs it, and any other eager job queued,
 * in that transaction (their run and lost functions are called there):
 * the caller must hold no lock a job's functions take. */
void worker_submit(struct worker *w, struct worker_job *job);
/* Runs job on the worker and waits until it is durable or lost (its
 * complete function is the worker's own). */
void worker_run(struct worker *w, struct worker_job *job);

struct worker_stats {
	unsigned long long jobs;
	unsigned long long groups;
	unsigned long long retried;   /* groups whose commit failed */
	unsigned long long busy_us;   /* running groups, their commits included */
	unsigned long long syncs;     /* syncs of the log by the sync thread */
	unsigned long long sync_us;   /* time in them */
	int broken; /* a sync of the register's files failed (restart the server) */
};
void worker_get_stats(struct worker *w, struct worker_stats *out);

/* 1 when a reader may have seen a commit of this worker's that is not on
 * disk yet (its sync has not returned), or when a sync failed and nothing
 * is vouched for; 0 when everything a reader can see is durable. */
int worker_unsynced(struct worker *w);
/* Calls job's complete function once every commit of this worker made
 * before the call is on disk: at once when nothing is waiting for a sync,
 * otherwise after the sync thread's next sync (it starts one if none is
 * under way, also while a long own_tx job runs). Only lost, complete and
 * complete_arg are used; lost is called (with unsynced 1) when that sync
 * fails or an earlier one did. */
void worker_settle(struct worker *w, struct worker_job *job);

/* Grows each time the worker saw another connection commit (a purpose
 * registry may have been loaded): other handles drop theirs when it moved. */
unsigned long worker_registry_gen(struct worker *w);

#endif
