/*
 * test_sync_failure.c — the disk refuses to sync the register's log while
 * the server's worker runs (worker.c's sync thread, store_sqlite_sync.c).
 *
 * The failure is real as far as the code can tell: this program defines
 * fdatasync itself, and once `failing` is set it fails with EIO as a disk
 * whose write-back failed would; the worker's sync thread, SQLite and the
 * store all call this one. Then:
 *  - every job whose changes were committed but not synced is told they
 *    are "made, but may be lost" (unsynced 1: the server's 503 not_durable),
 *    never that they are done;
 *  - the failure is recorded for the whole process (the kernel reports a
 *    failed write-back once per open file, so a later sync passing proves
 *    nothing): the worker runs nothing more, and a flush of the log, a
 *    background copy of it into the database and its restart all refuse,
 *    also once the disk syncs again.
 * A program of its own, because that record lasts as long as the process.
 *
 * Mission §9 (004 §18h): access to personal data is recorded in audit
 * records, durable before the data leaves; an answer is never sent on the
 * word of a sync that failed.
 */
#include "testutil.h"

#include "crypto/keys.h"
#include "domain/register.h"
#include "server/worker.h"
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int failing;      /* fdatasync fails with EIO */
static volatile int failed_syncs; /* how often it did */
/* holding: fdatasync waits until it is cleared (a slow disk); held: one
 * is waiting */
static pthread_mutex_t hold_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cv = PTHREAD_COND_INITIALIZER;
static int holding, held;

/* Interposes libc's fdatasync for this program (and the SQLite library it
 * loads): the real system call, a slow disk's, or the disk's failure. */
int fdatasync(int fd)
{
	pthread_mutex_lock(&hold_mu);
	while (holding) {
		held = 1;
		pthread_cond_broadcast(&hold_cv);
		pthread_cond_wait(&hold_cv, &hold_mu);
	}
	held = 0;
	pthread_mutex_unlock(&hold_mu);
	if (failing) {
		failed_syncs++;
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fdatasync, fd);
}

struct job {
	struct worker_job wj;
	int n;
	int ran;
	int lost;
	int completions;
	char msg[SARGS_ERR_BYTES];
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int completed;

static void job_run(void *arg, struct sargs_reg *reg, int *failed)
{
	struct job *j = arg;
	struct sargs_err err;
	char detail[32];

	j->ran++;
	(void)snprintf(detail, sizeof(detail), "job=%d", j->n);
	if (sargs_reg_audit(reg, "test.job", NULL, NULL, NULL, detail, &err) != SARGS_OK)
		*failed = 1;
}

static void job_lost(void *arg, const struct sargs_err *err)
{
	struct job *j = arg;

	j->lost++;
	(void)snprintf(j->msg, sizeof(j->msg), "%s", err->msg);
}

static void job_complete(struct worker_job *wj)
{
	struct job *j = wj->complete_arg;

	pthread_mutex_lock(&mu);
	j->completions++;
	completed++;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
}

static void submit_all(struct worker *w, struct job *jobs, int n)
{
	pthread_mutex_lock(&mu);
	completed = 0;
	pthread_mutex_unlock(&mu);
	for (int i = 0; i < n; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].n = i;
		jobs[i].wj = (struct worker_job){.run = job_run,
						 .lost = job_lost,
						 .arg = &jobs[i],
						 .complete = job_complete,
						 .complete_arg = &jobs[i]};
		worker_submit(w, &jobs[i].wj);
	}
	pthread_mutex_lock(&mu);
	while (completed < n)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
}

static int completions_of(struct job *j)
{
	int n;

	pthread_mutex_lock(&mu);
	n = j->completions;
	pthread_mutex_unlock(&mu);
	return n;
}

/* Waits up to 20 s for j's completion; 0 if it did not come. */
static int await_completion(struct job *j)
{
	for (int i = 0; i < 20000; i++) {
		if (completions_of(j) > 0)
			return 1;
		(void)usleep(1000);
	}
	return 0;
}

/* Waits up to 20 s for a sync to be held; 0 if none came. */
static int await_held(void)
{
	for (int i = 0; i < 20000; i++) {
		int h;

		pthread_mutex_lock(&hold_mu);
		h = held;
		pthread_mutex_unlock(&hold_mu);
		if (h)
			return 1;
		(void)usleep(1000);
	}
	return 0;
}

static void set_holding(int on)
{
	pthread_mutex_lock(&hold_mu);
	holding = on;
	pthread_cond_broadcast(&hold_cv);
	pthread_mutex_unlock(&hold_mu);
}

static void job_init(struct job *j, int n)
{
	memset(j, 0, sizeof(*j));
	j->n = n;
	j->wj = (struct worker_job){.run = job_run, .lost = job_lost, .arg = j,
				    .complete = job_complete, .complete_arg = j};
}

/* A commit is visible to every reader as soon as it is made, before the
 * sync that makes it durable: worker_unsynced says so, and worker_settle
 * (the server's wait for a read that recorded nothing) completes only
 * after the sync that covers it; once everything is synced, at once. */
static void test_commits_visible_before_their_sync(void **state)
{
	char dir[512];
	struct sargs_err err;
	struct sargs_reg *bg;
	struct sargs_reg_summary sum;
	struct worker *w;
	struct job a, b, c;
	int64_t before;

	(void)state;
	test_tmpdir("sync-hold", dir, sizeof(dir));
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	assert_int_equal(worker_start(dir, 16, &w, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(dir, &bg, &err), SARGS_OK);
	/* one job first: a new log's first commit syncs its header itself */
	submit_all(w, &a, 1);
	assert_int_equal(a.lost, 0);
	assert_int_equal(sargs_reg_summary(bg, &sum, &err), SARGS_OK);
	before = sum.audit_entries;
	assert_int_equal(worker_unsynced(w), 0);
	/* nothing unsynced: a settle completes at once, on this thread */
	job_init(&c, 2);
	worker_settle(w, &c.wj);
	assert_int_equal(completions_of(&c), 1);
	assert_int_equal(c.lost, 0);

	/* the disk is slow: job a is committed, its sync waits */
	set_holding(1);
	job_init(&a, 0);
	worker_submit(w, &a.wj);
	assert_true(await_held());

	/* another connection already sees it; it is not durable, and a
	 * settle asked for now waits for the sync too */
	assert_int_equal(sargs_reg_summary(bg, &sum, &err), SARGS_OK);
	assert_int_equal(sum.audit_entries, before + 1);
	assert_int_equal(worker_unsynced(w), 1);
	job_init(&b, 1);
	worker_settle(w, &b.wj);
	(void)usleep(50 * 1000);
	assert_int_equal(completions_of(&a), 0);
	assert_int_equal(completions_of(&b), 0);

	/* the disk takes it: both complete, neither lost, nothing unsynced */
	set_holding(0);
	assert_true(await_completion(&a));
	assert_true(await_completion(&b));
	assert_int_equal(a.lost + b.lost, 0);
	assert_int_equal(a.ran, 1);
	assert_int_equal(b.ran, 0); /* a settle runs nothing */
	assert_int_equal(worker_unsynced(w), 0);

	worker_stop(w);
	sargs_reg_close(bg);
	test_rmtree(dir);
}

/* A failed assertion leaves the disk slow no more. */
static int release_hold(void **state)
{
	(void)state;
	set_holding(0);
	return 0;
}

static void test_a_failed_sync_of_the_log(void **state)
{
	enum { N = 40 };
	char dir[512];
	struct sargs_err err;
	struct sargs_reg *bg;
	struct worker *w;
	struct worker_stats ws;
	struct job *jobs = calloc(N, sizeof(*jobs));
	int ran = 0, frames = 0, left = 0, restarted = 0;

	(void)state;
	assert_non_null(jobs);
	test_tmpdir("sync-failure", dir, sizeof(dir));
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	assert_int_equal(worker_start(dir, 16, &w, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(dir, &bg, &err), SARGS_OK);

	/* the disk is sound: every job is done, after a sync */
	submit_all(w, jobs, N);
	for (int i = 0; i < N; i++) {
		assert_int_equal(jobs[i].ran, 1);
		assert_int_equal(jobs[i].lost, 0);
		assert_int_equal(jobs[i].completions, 1);
	}
	worker_get_stats(w, &ws);
	assert_true(ws.syncs >= 1);
	assert_int_equal(ws.broken, 0);

	/* the disk fails: what was committed is reported as maybe lost, and
	 * nothing as done */
	failing = 1;
	submit_all(w, jobs, N);
	assert_true(failed_syncs >= 1);
	for (int i = 0; i < N; i++) {
		assert_int_equal(jobs[i].completions, 1);
		assert_int_equal(jobs[i].lost, 1);
		if (jobs[i].ran) {
			/* committed (jobs after the failure are not run at all) */
			ran++;
			assert_int_equal(jobs[i].wj.unsynced, 1);
		} else {
			assert_int_equal(jobs[i].wj.unsynced, 0);
		}
		/* the sync's own error, or (a job taken between the failure's
		 * record and the sync thread's report) the process's */
		assert_non_null(strstr(jobs[i].msg, "disk"));
	}
	assert_true(ran >= 1); /* the first group was committed before its sync */
	worker_get_stats(w, &ws);
	assert_int_equal(ws.broken, 1);
	assert_true(sargs_store_sync_failed());

	/* the disk syncs again, but nothing vouches for what it may have
	 * dropped: the worker runs nothing, and the log is neither flushed
	 * for a backup, nor copied, nor started over */
	failing = 0;
	submit_all(w, jobs, 1);
	assert_int_equal(jobs[0].ran, 0);
	assert_int_equal(jobs[0].lost, 1);
	assert_int_equal(jobs[0].wj.unsynced, 0);
	/* and a read that recorded nothing is not vouched for either */
	assert_int_equal(worker_unsynced(w), 1);
	job_init(&jobs[0], 0);
	worker_settle(w, &jobs[0].wj);
	assert_int_equal(jobs[0].completions, 1);
	assert_int_equal(jobs[0].lost, 1);
	assert_int_equal(jobs[0].wj.unsynced, 1);
	assert_non_null(strstr(jobs[0].msg, "disk"));
	assert_int_equal(sargs_store_log_flush(bg->store), SARGS_E_IO);
	assert_int_equal(sargs_store_checkpoint(bg->store, &frames, &left), SARGS_E_IO);
	assert_int_equal(sargs_store_log_restart(bg->store, &restarted), SARGS_E_IO);
	assert_int_equal(restarted, 0);
	assert_non_null(strstr(sargs_store_errmsg(bg->store), "restart"));

	worker_stop(w);
	sargs_reg_close(bg);
	free(jobs);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_commits_visible_before_their_sync, release_hold),
		cmocka_unit_test(test_a_failed_sync_of_the_log), /* last: its record lasts */
	};

	if (sargs_crypto_init() != SARGS_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
