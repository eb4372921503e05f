/*
 * test_server.c — the server's parts that need no socket: the configuration
 * file, and the register worker's group commit (a job's changes are durable
 * before its caller goes on; a failed job's changes are undone; many
 * waiting jobs share one transaction).
 */
#include "testutil.h"

#include "crypto/keys.h"
#include "domain/register.h"
#include "server/api.h"
#include "server/http.h"
#include "server/server.h"
#include "server/worker.h"
#include "store/store.h"
#include "util/timeutil.h"

#include <sqlite3.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_config_file(void **state)
{
	char dir[512], path[600];
	struct srv_config cfg;
	struct sargs_err err;

	(void)state;
	test_tmpdir("cfg", dir, sizeof(dir));
	(void)snprintf(path, sizeof(path), "%s/sargs.ini", dir);
	write_file(path, "# comment\n[server]\nport = 9090\nlisten = ::1\n\n"
			 "[schedule]\nbackup_dir = /b\nbackup_keep = 3\n[log]\nformat = json\n");
	srv_config_defaults(&cfg);
	assert_int_equal(srv_config_load(&cfg, path, &err), SARGS_OK);
	assert_int_equal(cfg.port, 9090);
	assert_string_equal(cfg.listen, "::1");
	assert_string_equal(cfg.backup_dir, "/b");
	assert_int_equal(cfg.backup_keep, 3);
	assert_int_equal(cfg.log_json, 1);
	assert_int_equal(cfg.sweep_hours, 24); /* default kept */

	/* errors name the line and change nothing that came after them */
	write_file(path, "[server]\nport = 80x\n");
	srv_config_defaults(&cfg);
	assert_int_equal(srv_config_load(&cfg, path, &err), SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "line 2"));
	assert_int_equal(cfg.port, 8080);
	write_file(path, "[server]\nprot = 80\n");
	assert_int_equal(srv_config_load(&cfg, path, &err), SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "unknown key \"prot\""));
	write_file(path, "[sever]\n");
	assert_int_equal(srv_config_load(&cfg, path, &err), SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "unknown section"));
	write_file(path, "port = 1\n");
	assert_int_equal(srv_config_load(&cfg, path, &err), SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "before any [section]"));
	write_file(path, "[server]\njust words\n");
	assert_int_equal(srv_config_load(&cfg, path, &err), SARGS_E_INVALID);
	write_file(path, "[server]\nport = 70000\n");
	assert_int_equal(srv_config_load(&cfg, path, &err), SARGS_E_INVALID);
	assert_int_equal(srv_config_set(&cfg, "port", "8443", &err), SARGS_OK);
	assert_int_equal(cfg.port, 8443);
	assert_int_equal(srv_config_set(&cfg, "nonsense", "1", &err), SARGS_E_INVALID);

	/* HTTPS needs both files; checkpoints need their key */
	srv_config_defaults(&cfg);
	(void)snprintf(cfg.data, sizeof(cfg.data), "%s", dir);
	assert_int_equal(srv_config_check(&cfg, &err), SARGS_OK);
	(void)snprintf(cfg.tls_cert, sizeof(cfg.tls_cert), "/x.pem");
	assert_int_equal(srv_config_check(&cfg, &err), SARGS_E_INVALID);
	cfg.tls_cert[0] = '\0';
	(void)snprintf(cfg.checkpoint_dir, sizeof(cfg.checkpoint_dir), "/c");
	assert_int_equal(srv_config_check(&cfg, &err), SARGS_E_INVALID);
	test_rmtree(dir);
}

/* ---- the worker */

struct job_ctx {
	int n;          /* which job */
	int fail;       /* 1: ask for the changes to be undone; 2: poison the
			 * batch on the first run; 3: end the group's transaction */
	int ran;
	int lost;
	pthread_t submitter; /* the thread that submitted it */
	int by_submitter;    /* it ran on that thread */
};

static void job_run(void *arg, struct sargs_reg *reg, int *failed)
{
	struct job_ctx *j = arg;
	struct sargs_err err;
	char detail[32];

	j->by_submitter = pthread_equal(pthread_self(), j->submitter) != 0;
	(void)snprintf(detail, sizeof(detail), "job=%d", j->n);
	assert_int_equal(sargs_reg_audit(reg, "test.job", NULL, NULL, NULL, detail, &err), SARGS_OK);
	if (j->fail == 2) {
		if (__atomic_load_n(&j->ran, __ATOMIC_SEQ_CST) == 0)
			sargs_reg_poison(reg); /* the group's commit fails */
	} else if (j->fail == 3) {
		/* a bug: commits its own level and its group's transaction */
		assert_int_equal(sargs_reg_commit(reg, &err), SARGS_OK);
		assert_int_equal(sargs_reg_commit(reg, &err), SARGS_OK);
	} else if (j->fail)
		*failed = 1;
	(void)__atomic_add_fetch(&j->ran, 1, __ATOMIC_SEQ_CST); /* looked at while others run */
}

static void job_lost(void *arg, const struct sargs_err *err)
{
	(void)err;
	((struct job_ctx *)arg)->lost = 1;
}

struct thread_arg {
	struct worker *w;
	struct job_ctx *jobs;
	int from, to;
};

static void *client(void *p)
{
	struct thread_arg *t = p;
	int i;

	for (i = t->from; i < t->to; i++) {
		struct worker_job job = {.run = job_run, .lost = job_lost, .arg = &t->jobs[i]};

		worker_run(t->w, &job);
	}
	return NULL;
}

static int64_t audit_count(const char *dir)
{
	struct sargs_reg *reg;
	struct sargs_reg_summary sum;
	struct sargs_err err;

	assert_int_equal(sargs_reg_open(dir, &reg, &err), SARGS_OK);
	assert_int_equal(sargs_reg_summary(reg, &sum, &err), SARGS_OK);
	sargs_reg_close(reg);
	return sum.audit_entries;
}

static void test_worker_group_commit(void **state)
{
	enum { THREADS = 8, PER = 50 };
	char dir[512];
	struct sargs_err err;
	struct worker *w;
	struct worker_stats ws;
	struct job_ctx *jobs = calloc(THREADS * PER, sizeof(*jobs));
	pthread_t th[THREADS];
	struct thread_arg ta[THREADS];
	int64_t before;
	int i;

	(void)state;
	assert_non_null(jobs);
	test_tmpdir("worker", dir, sizeof(dir));
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	before = audit_count(dir);
	assert_int_equal(worker_start(dir, 64, &w, &err), SARGS_OK);
	for (i = 0; i < THREADS * PER; i++) {
		jobs[i].n = i;
		jobs[i].fail = (i % 10) == 3; /* one in ten is undone */
	}
	for (i = 0; i < THREADS; i++) {
		ta[i] = (struct thread_arg){w, jobs, i * PER, (i + 1) * PER};
		assert_int_equal(pthread_create(&th[i], NULL, client, &ta[i]), 0);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	worker_get_stats(w, &ws);
	assert_int_equal(ws.jobs, THREADS * PER);
	assert_true(ws.groups <= ws.jobs);
	worker_stop(w);
	for (i = 0; i < THREADS * PER; i++) {
		assert_int_equal(jobs[i].ran, 1);
		assert_int_equal(jobs[i].lost, 0);
	}
	/* every job that did not fail left exactly its entry; failed ones none */
	assert_int_equal(audit_count(dir) - before, THREADS * PER - THREADS * PER / 10);
	{
		struct sargs_reg *reg;
		struct sargs_audit_report rep;

		assert_int_equal(sargs_reg_open(dir, &reg, &err), SARGS_OK);
		assert_int_equal(sargs_audit_verify(reg->audit, &rep), SARGS_OK);
		sargs_reg_close(reg);
	}
	free(jobs);
	test_rmtree(dir);
}

/* The gathering's rules: a group waits for more jobs only under steady load
 * (a job every WORKER_GATHER_GAP_US or oftener), only until
 * WORKER_GATHER_US after its first job came, and never when it is full; a
 * pause makes the load unsteady at once, and some 30 quick jobs steady
 * again. */
static void test_worker_gathering_rules(void **state)
{
	int64_t gap = 8 * 8000;
	int i;

	(void)state;
	/* steady load: the rest of the time from the first job's arrival */
	assert_int_equal(worker_gather_wait(50, 1, 64, 0), WORKER_GATHER_US);
	assert_int_equal(worker_gather_wait(WORKER_GATHER_GAP_US, 10, 64, 400),
			 WORKER_GATHER_US - 400);
	/* a clock that went back counts as no time */
	assert_int_equal(worker_gather_wait(50, 1, 64, -5), WORKER_GATHER_US);
	/* the time is up, the group is full, or jobs come seldom: run now */
	assert_int_equal(worker_gather_wait(50, 10, 64, WORKER_GATHER_US), 0);
	assert_int_equal(worker_gather_wait(50, 10, 64, WORKER_GATHER_US + 1), 0);
	assert_int_equal(worker_gather_wait(50, 64, 64, 0), 0);
	assert_int_equal(worker_gather_wait(50, 70, 64, 0), 0);
	assert_int_equal(worker_gather_wait(WORKER_GATHER_GAP_US + 1, 1, 64, 0), 0);

	/* the mean gap (kept 8 times over): a job every 20 us makes the load
	 * steady within some 30 jobs after a long pause (a gap counts up to
	 * 8 ms) ... */
	gap = worker_gap_update(gap, 5 * 1000 * 1000);
	assert_int_equal(gap, 8 * 8000);
	for (i = 0; i < 100 && worker_gather_wait(gap / 8, 1, 64, 0) == 0; i++)
		gap = worker_gap_update(gap, 20);
	assert_true(i >= 25 && i < 40);
	/* ... and settles on the true mean, not above it */
	for (i = 0; i < 200; i++)
		gap = worker_gap_update(gap, 20);
	assert_int_equal(gap / 8, 20);
	for (i = 0; i < 200; i++)
		gap = worker_gap_update(gap, WORKER_GATHER_GAP_US);
	assert_true(worker_gather_wait(gap / 8, 1, 64, 0) > 0);
	/* ... one pause of 2 ms (a lone request after a lull) ends it */
	gap = worker_gap_update(gap, 2000);
	assert_int_equal(worker_gather_wait(gap / 8, 1, 64, 0), 0);
	/* a clock that went back counts as no gap */
	assert_int_equal(worker_gap_update(800, -7), 700);
}

/* A job with its own transactions (an import in batches) runs outside any
 * group: no transaction is open when it starts, and what it commits stays. */
static void own_tx_run(void *arg, struct sargs_reg *reg, int *failed)
{
	struct sargs_err err;
	int *depth_seen = arg;

	*depth_seen = sargs_store_depth(reg->store);
	assert_int_equal(sargs_reg_begin(reg, &err), SARGS_OK);
	assert_int_equal(sargs_reg_audit(reg, "test.own", NULL, NULL, NULL, NULL, &err), SARGS_OK);
	assert_int_equal(sargs_reg_commit(reg, &err), SARGS_OK);
	*failed = 1; /* ignored for such jobs: it committed itself */
}

static void test_worker_own_tx(void **state)
{
	char dir[512];
	struct sargs_err err;
	struct worker *w;
	int depth = -1;
	int64_t before;
	struct worker_job job = {.run = own_tx_run, .lost = job_lost, .arg = &depth, .own_tx = 1};

	(void)state;
	test_tmpdir("worker-own", dir, sizeof(dir));
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	before = audit_count(dir);
	assert_int_equal(worker_start(dir, 64, &w, &err), SARGS_OK);
	worker_run(w, &job);
	worker_stop(w);
	assert_int_equal(depth, 0);
	assert_int_equal(audit_count(dir) - before, 1);
	test_rmtree(dir);
}

/* Reader mode: a read's audit entries are kept, not written, until the
 * writer applies them, as the actor who read (design.md: every access is
 * recorded; the answer waits for the record). */
static void test_reader_defers_audit(void **state)
{
	char dir[512];
	struct sargs_err err;
	struct sargs_reg *rd, *wr;
	struct sargs_audit_batch batch;
	struct sargs_audit_report rep;
	int64_t before;

	(void)state;
	test_tmpdir("reader", dir, sizeof(dir));
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	before = audit_count(dir);
	assert_int_equal(sargs_reg_open(dir, &rd, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(dir, &wr, &err), SARGS_OK);
	memset(&batch, 0, sizeof(batch));
	assert_int_equal(sargs_reg_set_actor(rd, "token:shop", "api"), SARGS_OK);
	sargs_reg_set_reader(rd, &batch);
	assert_int_equal(sargs_reg_begin(rd, &err), SARGS_OK);
	assert_int_equal(sargs_reg_audit(rd, "subject.read", NULL, "email", "service", NULL, &err),
			 SARGS_OK);
	assert_int_equal(sargs_reg_commit(rd, &err), SARGS_OK);
	assert_int_equal(sargs_reg_audit(rd, "subject.read.denied", NULL, NULL, "newsletter",
					 "reason=consent_withdrawn", &err),
			 SARGS_OK);
	sargs_reg_set_reader(rd, NULL);
	assert_int_equal(batch.n, 2);
	assert_int_equal(audit_count(dir), before); /* nothing written yet */

	assert_int_equal(sargs_reg_set_actor(wr, "cli:other", "cli"), SARGS_OK);
	assert_int_equal(sargs_reg_audit_apply(wr, &batch, &err), SARGS_OK);
	sargs_audit_batch_free(&batch);
	assert_int_equal(audit_count(dir), before + 2);
	assert_int_equal(sargs_audit_verify(wr->audit, &rep), SARGS_OK);

	/* a batch whose second entry cannot be written: alone, nothing of it
	 * is; inside the caller's level (the worker's job), the caller's
	 * rollback leaves nothing either */
	memset(&batch, 0, sizeof(batch));
	sargs_reg_set_reader(rd, &batch);
	assert_int_equal(sargs_reg_audit(rd, "subject.read", NULL, "email", "service", NULL, &err),
			 SARGS_OK);
	assert_int_equal(sargs_reg_audit(rd, "subject.read", NULL, "email", "service", "bad\x01",
					 &err),
			 SARGS_OK);
	sargs_reg_set_reader(rd, NULL);
	assert_int_equal(batch.n, 2);
	assert_int_not_equal(sargs_reg_audit_apply(wr, &batch, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(wr->store), 0);
	assert_int_equal(audit_count(dir), before + 2);
	assert_int_equal(sargs_reg_begin(wr, &err), SARGS_OK);
	assert_int_not_equal(sargs_reg_audit_apply(wr, &batch, &err), SARGS_OK);
	assert_int_equal(sargs_store_depth(wr->store), 1); /* the caller's level, still open */
	sargs_reg_rollback(wr);
	sargs_audit_batch_free(&batch);
	assert_int_equal(audit_count(dir), before + 2);
	assert_int_equal(sargs_audit_verify(wr->audit, &rep), SARGS_OK);
	sargs_reg_close(rd);
	sargs_reg_close(wr);
	test_rmtree(dir);
}

/* worker_submit: the caller goes on at once; each job's complete function
 * runs exactly once, on the worker, when what the job wrote is committed
 * (another connection sees it then). */
struct async_ctx {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int completed;
	int saw_committed;
	int saw_synced; /* completions after at least one sync of the log */
	const char *dir;
	struct worker *w;
};

struct async_job {
	struct worker_job job;
	struct job_ctx ctx;
	struct async_ctx *ac;
	int completions;
};

static void async_complete(struct worker_job *job)
{
	struct async_job *aj = job->complete_arg;
	struct async_ctx *ac = aj->ac;
	int64_t n = audit_count(ac->dir); /* another connection */
	struct worker_stats ws;

	worker_get_stats(ac->w, &ws);
	pthread_mutex_lock(&ac->mu);
	aj->completions++;
	if (n >= (int64_t)aj->ctx.n + 1)
		ac->saw_committed++;
	/* the commit returned before the disk had it: the answer waits for
	 * the sync thread */
	if (ws.syncs >= 1)
		ac->saw_synced++;
	ac->completed++;
	pthread_cond_signal(&ac->cv);
	pthread_mutex_unlock(&ac->mu);
}

/* The purpose-bound read's answer, written straight (api_view_answer), is
 * byte for byte what http_json makes of api_view_json's tree; a stored
 * value that is not UTF-8 is a 500 that shows none of it. */
static void view_answers(const struct sargs_subject_view *v, const struct sargs_policy_decision *d)
{
	struct http_resp a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	api_view_answer(&a, v, d);
	http_json(&b, 200, api_view_json(v, d));
	assert_int_equal(a.status, 200);
	assert_int_equal(a.oom, 0);
	assert_string_equal(a.ctype, b.ctype);
	assert_non_null(a.body.data);
	assert_string_equal(a.body.data, b.body.data);
	http_resp_reset(&a);
	http_resp_reset(&b);
	sargs_strbuf_free(&a.body);
	sargs_strbuf_free(&b.body);
}

/* The log line as srv_log wrote it with snprintf before srv_log_line: the
 * reference the new line must equal byte for byte. */
static size_t log_line_by_snprintf(char *line, size_t cap, int json, const char *ts,
				   const char *level, const char *event, char *rest)
{
	int n;

	for (char *p = rest; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch < 0x20 || ch == 0x7f || ch == '\\' || (json && ch == '"'))
			*p = '?';
	}
	if (json)
		n = snprintf(line, cap, "{\"ts\":\"%s\",\"level\":\"%s\",\"event\":\"%s\",\"detail\":\"%s\"}\n",
			     ts, level, event, rest);
	else
		n = snprintf(line, cap, "ts=%s level=%s event=%s%s%s\n", ts, level, event,
			     rest[0] ? " " : "", rest);
	if ((size_t)n >= cap) {
		n = (int)cap - 1;
		line[n - 1] = '\n';
	}
	return (size_t)n;
}

/* Log lines are put together without snprintf (srv_log_line): the same
 * bytes as before for every length of the values around the cut (the line
 * of 1200 bytes), in text and JSON, with the characters that must not reach
 * a log line (controls, backslashes, quotes in JSON) among them. */
static void test_log_line_as_snprintf(void **state)
{
	static const char mix[] = "route=/api/v1/x method=G\"E\\T\x01\t\x7f ";
	const char *ts = "2026-11-24T23:58:21.969850Z";

	(void)state;
	for (int json = 0; json <= 1; json++) {
		for (size_t len = 0; len <= 1300; len++) {
			char rest_a[1400], rest_b[1400], a[1200], b[1200];
			size_t na, nb;

			for (size_t k = 0; k < len; k++)
				rest_a[k] = mix[k % (sizeof(mix) - 1)];
			rest_a[len] = '\0';
			memcpy(rest_b, rest_a, len + 1);
			na = srv_log_line(a, sizeof(a), json, ts, "info", "http", rest_a);
			nb = log_line_by_snprintf(b, sizeof(b), json, ts, "info", "http", rest_b);
			if (na != nb || memcmp(a, b, na) != 0)
				fail_msg("json %d, %zu bytes of values: %zu against %zu bytes", json,
					 len, na, nb);
			assert_true(na < sizeof(a));
			assert_int_equal(a[na - 1], '\n');
			assert_null(memchr(a, '\n', na - 1)); /* one line */
		}
	}
	/* no values at all */
	{
		char a[1200], b[1200], empty_a[1] = "", empty_b[1] = "";
		size_t na = srv_log_line(a, sizeof(a), 0, ts, "warn", "stop", NULL);
		size_t nb = log_line_by_snprintf(b, sizeof(b), 0, ts, "warn", "stop", empty_b);

		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na);
		na = srv_log_line(a, sizeof(a), 1, ts, "warn", "stop", empty_a);
		nb = log_line_by_snprintf(b, sizeof(b), 1, ts, "warn", "stop", empty_b);
		assert_int_equal(na, nb);
		assert_memory_equal(a, b, na);
	}
}

static void test_view_answer_as_jansson(void **state)
{
	struct sargs_subject_view v;
	struct sargs_view_field f[3];
	struct sargs_policy_decision d = {1, SARGS_BASIS_CONTRACT, SARGS_R_CONTRACT};
	char v0[] = "Anna", v1[] = "Ozola \"O\\\" \xc4\x81\xc5\xa1 \xf0\x9f\x98\x80\n", v2[] = "";
	char src[] = "Veikals \xe2\x80\x9cZ\xc4\xabmes\xe2\x80\x9d", bad[] = "x\xc3(";
	struct http_resp rs;

	(void)state;
	memset(&v, 0, sizeof(v));
	memset(f, 0, sizeof(f));
	(void)snprintf(v.id, sizeof(v.id), "01a20f11-b79c-7051-93fa-abd6c11e8486");
	(void)snprintf(v.purpose, sizeof(v.purpose), "service");
	(void)snprintf(v.source, sizeof(v.source), "person");
	(void)snprintf(f[0].name, sizeof(f[0].name), "first_name");
	(void)snprintf(f[1].name, sizeof(f[1].name), "last_name");
	(void)snprintf(f[2].name, sizeof(f[2].name), "note");
	f[0].value = v0;
	f[1].value = v1;
	f[2].value = v2;
	v.fields = f;
	view_answers(&v, &d);             /* no fields */
	view_answers(&v, NULL);           /* no basis */
	v.n_fields = 3;
	view_answers(&v, &d);
	v.source_name = src;
	(void)snprintf(v.withheld, sizeof(v.withheld), "allergies");
	view_answers(&v, &d);
	(void)snprintf(v.withheld, sizeof(v.withheld), "allergies,,diet,");
	view_answers(&v, &d);

	f[2].value = bad;
	memset(&rs, 0, sizeof(rs));
	api_view_answer(&rs, &v, &d);
	assert_int_equal(rs.status, 500);
	assert_non_null(strstr(rs.body.data, "\"stored_text\""));
	assert_null(strstr(rs.body.data, "Anna"));
	http_resp_reset(&rs);
	sargs_strbuf_free(&rs.body);
}

/* Mission §9 (004 §18h) and design.md: the audit record of an access is
 * durable before what it records leaves the process. Each completion (the
 * answer's release) comes once, after its commit and after a sync. */
static void test_worker_submit_async(void **state)
{
	enum { N = 60 };
	char dir[512];
	struct sargs_err err;
	struct worker *w;
	struct async_ctx ac;
	struct async_job *aj = calloc(N, sizeof(*aj));
	int64_t before;
	int i;

	(void)state;
	assert_non_null(aj);
	test_tmpdir("worker-async", dir, sizeof(dir));
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	before = audit_count(dir);
	memset(&ac, 0, sizeof(ac));
	pthread_mutex_init(&ac.mu, NULL);
	pthread_cond_init(&ac.cv, NULL);
	ac.dir = dir;
	assert_int_equal(worker_start(dir, 16, &w, &err), SARGS_OK);
	ac.w = w;
	for (i = 0; i < N; i++) {
		aj[i].ctx.n = (int)before + i; /* entries there once it is durable */
		aj[i].ac = &ac;
		aj[i].job = (struct worker_job){.run = job_run,
						.lost = job_lost,
						.arg = &aj[i].ctx,
						.complete = async_complete,
						.complete_arg = &aj[i]};
		worker_submit(w, &aj[i].job); /* returns without waiting */
	}
	pthread_mutex_lock(&ac.mu);
	while (ac.completed < N)
		pthread_cond_wait(&ac.cv, &ac.mu);
	pthread_mutex_unlock(&ac.mu);
	assert_int_equal(ac.saw_synced, N);
	worker_stop(w);
	for (i = 0; i < N; i++) {
		assert_int_equal(aj[i].completions, 1);
		assert_int_equal(aj[i].ctx.ran, 1);
		assert_int_equal(aj[i].ctx.lost, 0);
	}
	assert_int_equal(ac.saw_committed, N);
	assert_int_equal(audit_count(dir) - before, N);
	pthread_mutex_destroy(&ac.mu);
	pthread_cond_destroy(&ac.cv);
	free(aj);
	test_rmtree(dir);
}

/* Eager jobs (a read's audit entries): under steady load the group's
 * transaction is open for the second half of its gathering, and each eager
 * job runs in it as it is submitted, on the submitting thread when the
 * connection is free, so that only the commit is left when the group
 * closes. Mission §9 (004 §18h): each job is complete once, only after
 * what it wrote is committed and a sync has ended since it ran. */
struct eager_ctx {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int64_t before;
	int completed, kept_done, saw_committed, saw_synced;
	const char *dir;
	struct worker *w;
};

struct eager_job {
	struct worker_job job;
	struct job_ctx ctx;
	struct eager_ctx *ec;
	unsigned long long syncs_at_run; /* the worker's syncs when it last ran */
	int completions;
};

static void eager_run(void *arg, struct sargs_reg *reg, int *failed)
{
	struct eager_job *ej = arg;
	struct worker_stats ws;

	worker_get_stats(ej->ec->w, &ws);
	ej->syncs_at_run = ws.syncs;
	job_run(&ej->ctx, reg, failed);
}

static void eager_lost(void *arg, const struct sargs_err *err)
{
	job_lost(&((struct eager_job *)arg)->ctx, err);
}

static void eager_complete(struct worker_job *job)
{
	struct eager_job *ej = job->complete_arg;
	struct eager_ctx *ec = ej->ec;
	struct worker_stats ws;
	int64_t n;
	int need;

	pthread_mutex_lock(&ec->mu);
	ej->completions++;
	if (!ej->ctx.fail && !job->was_lost)
		ec->kept_done++;
	need = ec->kept_done;
	pthread_mutex_unlock(&ec->mu);
	/* every kept job complete so far is committed: another connection
	 * sees at least that many entries */
	n = audit_count(ec->dir);
	worker_get_stats(ec->w, &ws);
	pthread_mutex_lock(&ec->mu);
	if (n - ec->before >= need)
		ec->saw_committed++;
	if (ws.syncs > ej->syncs_at_run)
		ec->saw_synced++;
	ec->completed++;
	pthread_cond_signal(&ec->cv);
	pthread_mutex_unlock(&ec->mu);
}

static void eager_setup(struct eager_ctx *ec, struct eager_job *ej, int n, const char *dir)
{
	memset(ec, 0, sizeof(*ec));
	pthread_mutex_init(&ec->mu, NULL);
	pthread_cond_init(&ec->cv, NULL);
	ec->before = audit_count(dir);
	ec->dir = dir;
	for (int i = 0; i < n; i++) {
		ej[i].ctx.n = i;
		ej[i].ctx.submitter = pthread_self();
		ej[i].ec = ec;
		ej[i].job = (struct worker_job){.run = eager_run,
						.lost = eager_lost,
						.arg = &ej[i],
						.eager = 1,
						.complete = eager_complete,
						.complete_arg = &ej[i]};
	}
}

static int completed_now(struct eager_ctx *ec)
{
	int n;

	pthread_mutex_lock(&ec->mu);
	n = ec->completed;
	pthread_mutex_unlock(&ec->mu);
	return n;
}

static void eager_wait(struct eager_ctx *ec, int n)
{
	pthread_mutex_lock(&ec->mu);
	while (ec->completed < n)
		pthread_cond_wait(&ec->cv, &ec->mu);
	pthread_mutex_unlock(&ec->mu);
}

static void eager_done(struct eager_ctx *ec)
{
	pthread_mutex_destroy(&ec->mu);
	pthread_cond_destroy(&ec->cv);
}

/* A register in a fresh directory (name) and its worker, whose groups
 * gather for gather_ms, any load counting as steady (worker_tune), with the
 * n eager jobs ej set up. */
static struct worker *eager_start(const char *name, char *dir, size_t dir_size,
				  struct eager_ctx *ec, struct eager_job *ej, int n, int gather_ms)
{
	struct sargs_err err;
	struct worker *w;

	test_tmpdir(name, dir, dir_size);
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	eager_setup(ec, ej, n, dir);
	assert_int_equal(worker_start(dir, 128, &w, &err), SARGS_OK);
	worker_tune(w, (int64_t)gather_ms * 1000, 1000 * 1000 * 1000);
	ec->w = w;
	return w;
}

static int ran_now(struct job_ctx *c)
{
	return __atomic_load_n(&c->ran, __ATOMIC_SEQ_CST);
}

/* Waits until the job ran (the group's transaction is open then). */
static void wait_ran(struct job_ctx *c)
{
	struct timespec ms = {0, 1000 * 1000};

	for (int i = 0; i < 10000 && !ran_now(c); i++)
		(void)nanosleep(&ms, NULL);
	assert_int_equal(ran_now(c), 1);
}

static void nap_ms(int ms)
{
	struct timespec t = {0, ms * 1000L * 1000L};

	(void)nanosleep(&t, NULL);
}

struct eager_thread {
	struct worker *w;
	struct eager_job *jobs;
	int from, to;
};

static void *eager_client(void *p)
{
	struct eager_thread *t = p;
	/* a job every millisecond or so from each thread, over a few groups:
	 * not more than the worker takes, slow as a sanitizer may make each
	 * job */
	struct timespec gap = {0, 1000 * 1000};

	for (int i = t->from; i < t->to; i++) {
		t->jobs[i].ctx.submitter = pthread_self();
		worker_submit(t->w, &t->jobs[i].job); /* returns without waiting */
		(void)nanosleep(&gap, NULL);
	}
	return NULL;
}

/* Four threads submit eager jobs at a steady pace (groups of 30 ms, any
 * load steady: worker_tune), among them some that are not eager, some that
 * ask to be undone, and one with its own transactions from another thread:
 * every job runs once and is complete once, committed and synced; the
 * submitters run some of the eager jobs, never one that is not eager;
 * undone ones leave nothing, the own job runs with no transaction open,
 * and the trail verifies. */
static void test_worker_eager(void **state)
{
	enum { THREADS = 4, PER = 60, N = THREADS * PER };
	char dir[512];
	struct sargs_err err;
	struct worker *w;
	struct worker_stats ws;
	struct eager_ctx ec;
	struct eager_job *ej = calloc(N, sizeof(*ej));
	struct eager_thread et[THREADS];
	pthread_t th[THREADS];
	int i, by_submitter = 0, failed = 0, depth = -1;
	struct worker_job own = {.run = own_tx_run, .lost = job_lost, .arg = &depth, .own_tx = 1};

	(void)state;
	assert_non_null(ej);
	w = eager_start("worker-eager", dir, sizeof(dir), &ec, ej, N, 30);
	for (i = 0; i < N; i++) {
		ej[i].ctx.fail = (i % 10) == 3; /* one in ten is undone */
		if (ej[i].ctx.fail)
			failed++;
		ej[i].job.eager = (i % 7) != 5; /* some are not eager */
	}
	for (i = 0; i < THREADS; i++) {
		et[i] = (struct eager_thread){w, ej, i * PER, (i + 1) * PER};
		assert_int_equal(pthread_create(&th[i], NULL, eager_client, &et[i]), 0);
	}
	nap_ms(40);
	worker_run(w, &own); /* among them: alone, no transaction open */
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	eager_wait(&ec, N);
	worker_get_stats(w, &ws);
	worker_stop(w);
	assert_int_equal(ec.saw_committed, N);
	assert_int_equal(ec.saw_synced, N);
	assert_int_equal(depth, 0);
	assert_int_equal(ws.jobs, N + 1);
	assert_true(ws.groups < ws.jobs);
	for (i = 0; i < N; i++) {
		assert_int_equal(ej[i].completions, 1);
		assert_int_equal(ej[i].ctx.ran, 1);
		assert_int_equal(ej[i].ctx.lost, 0);
		if (ej[i].ctx.by_submitter) {
			assert_true(ej[i].job.eager); /* a job that is not runs on the worker */
			by_submitter++;
		}
	}
	assert_true(by_submitter > 0);
	/* kept jobs left exactly their entries, undone ones none; and the own
	 * job its one */
	assert_int_equal(audit_count(dir) - ec.before, N - failed + 1);
	{
		struct sargs_reg *reg;
		struct sargs_audit_report rep;

		assert_int_equal(sargs_reg_open(dir, &reg, &err), SARGS_OK);
		assert_int_equal(sargs_audit_verify(reg->audit, &rep), SARGS_OK);
		sargs_reg_close(reg);
	}
	eager_done(&ec);
	free(ej);
	test_rmtree(dir);
}

/* The same, step by step, with a long gathering (worker_tune: 600 ms, any
 * load steady): the first job is queued, and runs on the worker when it
 * opens the group's transaction half way; an eager job submitted while it
 * is open has run when worker_submit returns, on the submitting thread; a
 * job that is not eager waits for the group's end; a job with its own
 * transactions runs after the group is committed, alone, with no
 * transaction open. */
static void test_worker_eager_on_submitter(void **state)
{
	enum { MAX = 40 };
	char dir[512];
	struct sargs_err err;
	struct worker *w;
	struct eager_ctx ec;
	struct eager_job *ej = calloc(MAX + 1, sizeof(*ej));
	struct eager_job *late;
	int i, n = 0, depth = -1, on_submitter = -1;
	struct worker_job own = {.run = own_tx_run, .lost = job_lost, .arg = &depth, .own_tx = 1};

	(void)state;
	assert_non_null(ej);
	w = eager_start("worker-eager-step", dir, sizeof(dir), &ec, ej, MAX + 1, 600);
	/* the first: queued, and run by the worker as it opens the group half
	 * way (300 ms); until then the write lock is free for others */
	worker_submit(w, &ej[n].job);
	nap_ms(100);
	assert_int_equal(ran_now(&ej[n].ctx), 0);
	{
		struct sargs_reg *other;
		int64_t t0 = sargs_time_mono_us();

		assert_int_equal(sargs_reg_open(dir, &other, &err), SARGS_OK);
		assert_int_equal(sargs_reg_begin(other, &err), SARGS_OK); /* BEGIN IMMEDIATE */
		assert_true(sargs_time_mono_us() - t0 < 150 * 1000); /* no busy wait */
		sargs_reg_rollback(other);
		sargs_reg_close(other);
	}
	wait_ran(&ej[n].ctx);
	assert_int_equal(ej[n].ctx.by_submitter, 0);
	/* the next ones, until one finds the connection free (the worker
	 * lets it go a moment after the first job ran) */
	for (n = 1; n < MAX && on_submitter < 0; n++) {
		nap_ms(2);
		worker_submit(w, &ej[n].job);
		if (ran_now(&ej[n].ctx) && ej[n].ctx.by_submitter)
			on_submitter = n;
	}
	assert_true(on_submitter > 0);
	assert_int_equal(completed_now(&ec), 0); /* the group is still open */
	/* one that is not eager waits for the group's end */
	late = &ej[MAX];
	late->job.eager = 0;
	worker_submit(w, &late->job);
	assert_int_equal(ran_now(&late->ctx), 0);
	/* the own job: after the group, alone */
	worker_run(w, &own);
	assert_int_equal(depth, 0);
	assert_int_equal(ran_now(&late->ctx), 1);
	assert_int_equal(late->ctx.by_submitter, 0);
	eager_wait(&ec, n + 1);
	worker_stop(w);
	assert_int_equal(ec.saw_committed, n + 1);
	assert_int_equal(ec.saw_synced, n + 1);
	for (i = 0; i < n; i++) {
		assert_int_equal(ej[i].completions, 1);
		assert_int_equal(ej[i].ctx.ran, 1);
		assert_int_equal(ej[i].ctx.lost, 0);
	}
	assert_int_equal(late->completions, 1);
	assert_int_equal(audit_count(dir) - ec.before, n + 1 + 1);
	eager_done(&ec);
	free(ej);
	test_rmtree(dir);
}

/* worker_stop while a group's transaction is open, with an eager job run
 * in it and others queued: all are committed, synced and complete, none
 * lost. */
static void test_worker_eager_stop(void **state)
{
	char dir[512];
	struct worker *w;
	struct eager_ctx ec;
	struct eager_job ej[3];
	int i;

	(void)state;
	memset(ej, 0, sizeof(ej));
	w = eager_start("worker-eager-stop", dir, sizeof(dir), &ec, ej, 3, 600);
	worker_submit(w, &ej[0].job);
	wait_ran(&ej[0].ctx); /* the group's transaction is open */
	worker_submit(w, &ej[1].job);
	ej[2].job.eager = 0;
	worker_submit(w, &ej[2].job);
	assert_int_equal(completed_now(&ec), 0); /* still gathering */
	worker_stop(w);
	assert_int_equal(ec.completed, 3);
	assert_int_equal(ec.saw_committed, 3);
	assert_int_equal(ec.saw_synced, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ej[i].completions, 1);
		assert_int_equal(ej[i].ctx.ran, 1);
		assert_int_equal(ej[i].ctx.lost, 0);
	}
	assert_int_equal(audit_count(dir) - ec.before, 3);
	eager_done(&ec);
	test_rmtree(dir);
}

/* A group with eager jobs whose commit fails (a job poisons the batch on
 * its first run: later jobs in the group cannot begin, so their lost is
 * called): everything is rolled back and each job runs again alone, the
 * eager ones that had run already included. Only the last run counts: no
 * job is lost in the end, and each left its one entry. */
static void test_worker_eager_retry(void **state)
{
	char dir[512];
	struct sargs_err err;
	struct worker *w;
	struct worker_stats ws;
	struct eager_ctx ec;
	struct eager_job ej[4];
	int i;

	(void)state;
	memset(ej, 0, sizeof(ej));
	w = eager_start("worker-eager-retry", dir, sizeof(dir), &ec, ej, 4, 600);
	worker_submit(w, &ej[0].job);
	wait_ran(&ej[0].ctx);
	ej[1].ctx.fail = 2; /* poisons the batch on its first run */
	worker_submit(w, &ej[1].job);
	worker_submit(w, &ej[2].job);
	ej[3].job.eager = 0;
	worker_submit(w, &ej[3].job);
	eager_wait(&ec, 4);
	worker_get_stats(w, &ws);
	worker_stop(w);
	assert_int_equal(ws.retried, 1);
	for (i = 0; i < 4; i++) {
		assert_int_equal(ej[i].completions, 1);
		assert_int_equal(ej[i].job.was_lost, 0);
	}
	/* the first two ran in the group, then alone; the others could not
	 * begin in the poisoned group (lost), then ran alone */
	assert_int_equal(ej[0].ctx.ran, 2);
	assert_int_equal(ej[1].ctx.ran, 2);
	assert_int_equal(ej[2].ctx.ran, 1);
	assert_int_equal(ej[2].ctx.lost, 1);
	assert_int_equal(ej[3].ctx.ran, 1);
	assert_int_equal(ej[3].ctx.lost, 1);
	assert_int_equal(ec.saw_synced, 4);
	assert_int_equal(audit_count(dir) - ec.before, 4);
	{
		struct sargs_reg *reg;
		struct sargs_audit_report rep;

		assert_int_equal(sargs_reg_open(dir, &reg, &err), SARGS_OK);
		assert_int_equal(sargs_audit_verify(reg->audit, &rep), SARGS_OK);
		sargs_reg_close(reg);
	}
	eager_done(&ec);
	test_rmtree(dir);
}

/* A job that ends its group's transaction (a bug: it commits one level too
 * many) while the group is open: whether its group's work was saved is not
 * known, so it and the eager jobs before it hear so (lost, unsynced 1:
 * "check before trying again"); the job after it is not run in a
 * transaction that is gone, but in the next group, and is saved. */
static void test_worker_eager_ended(void **state)
{
	char dir[512];
	struct worker *w;
	struct eager_ctx ec;
	struct eager_job ej[3];
	int i;

	(void)state;
	memset(ej, 0, sizeof(ej));
	w = eager_start("worker-eager-ended", dir, sizeof(dir), &ec, ej, 3, 600);
	worker_submit(w, &ej[0].job);
	wait_ran(&ej[0].ctx);
	ej[1].ctx.fail = 3;
	worker_submit(w, &ej[1].job);
	wait_ran(&ej[1].ctx);
	worker_submit(w, &ej[2].job);
	eager_wait(&ec, 3);
	worker_stop(w);
	for (i = 0; i < 3; i++) {
		assert_int_equal(ej[i].completions, 1);
		assert_int_equal(ej[i].ctx.ran, 1);
	}
	for (i = 0; i < 2; i++) {
		assert_int_equal(ej[i].job.was_lost, 1);
		assert_int_equal(ej[i].job.unsynced, 1);
	}
	assert_int_equal(ej[2].job.was_lost, 0);
	/* the bug's commit saved the first two; the third, its own group */
	assert_int_equal(audit_count(dir) - ec.before, 3);
	eager_done(&ec);
	test_rmtree(dir);
}

/* The server's writer starts the log over once it is large, but never
 * waits long for a reader that stays: it tries again later. */
static int log_frames(sqlite3 *db)
{
	int log = -1, done = -1;

	assert_int_equal(sqlite3_exec(db, "SELECT count(*) FROM audit;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &done),
			 SQLITE_OK);
	return log;
}

static void write_some(struct sargs_reg *reg, int n)
{
	struct sargs_err err;
	int i;

	for (i = 0; i < n; i++)
		assert_int_equal(sargs_reg_audit(reg, "test.log", NULL, NULL, NULL, NULL, &err),
				 SARGS_OK);
}

/* Mission §9 (004 §18h): after a failed sync no record can be vouched for,
 * so the worker runs nothing more: a job is lost (its
 * answer "not saved") without running, and the worker says it is broken.
 * The failure is recorded by hand; the record lasts for the process, so
 * this test runs last. */
static void test_worker_after_a_failed_sync(void **state)
{
	char dir[512];
	struct sargs_err err;
	struct worker *w;
	struct worker_stats ws;
	struct job_ctx ctx;
	struct worker_job job = {.run = job_run, .lost = job_lost, .arg = &ctx};

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	test_tmpdir("worker-broken", dir, sizeof(dir));
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	assert_int_equal(worker_start(dir, 16, &w, &err), SARGS_OK);
	worker_run(w, &job);
	assert_int_equal(ctx.ran, 1);
	assert_int_equal(ctx.lost, 0);
	worker_get_stats(w, &ws);
	assert_int_equal(ws.broken, 0);

	sargs_store_sync_fail();
	memset(&ctx, 0, sizeof(ctx));
	job = (struct worker_job){.run = job_run, .lost = job_lost, .arg = &ctx};
	worker_run(w, &job);
	assert_int_equal(ctx.ran, 0);
	assert_int_equal(ctx.lost, 1);
	assert_int_equal(job.unsynced, 0); /* not run: nothing was changed */
	worker_get_stats(w, &ws);
	assert_int_equal(ws.broken, 1);
	worker_stop(w);
	test_rmtree(dir);
}

static void test_log_restart(void **state)
{
	char dir[512], path[600];
	struct sargs_err err;
	struct sargs_reg *wr, *bg;
	sqlite3 *rd, *probe;
	int64_t t0;
	int grown, restarted = -1, frames = -1, left = -1;

	(void)state;
	test_tmpdir("logrestart", dir, sizeof(dir));
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(dir, &wr, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(dir, &bg, &err), SARGS_OK);
	sargs_store_tune_server(wr->store, 1);
	(void)snprintf(path, sizeof(path), "%s/sargs.db", dir);
	assert_int_equal(sqlite3_open_v2(path, &rd, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_open_v2(path, &probe, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);

	/* a reader holds the log (it began with frames not yet in the
	 * database): the restart gives up within milliseconds */
	write_some(wr, 30);
	assert_int_equal(sqlite3_exec(rd, "BEGIN; SELECT count(*) FROM audit;", NULL, NULL, NULL),
			 SQLITE_OK);
	write_some(wr, 1);
	t0 = sargs_time_mono_us();
	assert_int_equal(sargs_store_log_restart(wr->store, &restarted), SARGS_OK);
	assert_true(sargs_time_mono_us() - t0 < 1000000); /* not the 5 s of a lock wait */
	assert_int_equal(restarted, 0);
	write_some(wr, 1);
	grown = log_frames(probe);
	assert_true(grown >= 40); /* not started over */

	/* the background checkpoint says how much is not copied yet */
	assert_int_equal(sargs_store_checkpoint(bg->store, &frames, &left), SARGS_OK);
	assert_int_equal(frames, grown);
	assert_true(left > 0); /* the reader keeps the newest frames out */

	/* the reader is gone: the restart succeeds, and the next commit
	 * writes from the log's beginning */
	assert_int_equal(sqlite3_exec(rd, "COMMIT;", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sargs_store_log_restart(wr->store, &restarted), SARGS_OK);
	assert_int_equal(restarted, 1);
	write_some(wr, 1);
	assert_true(log_frames(probe) < 20);
	assert_int_equal(sargs_store_checkpoint(bg->store, &frames, &left), SARGS_OK);
	assert_true(frames < 20);
	assert_int_equal(left, 0);

	/* never inside a transaction */
	assert_int_equal(sargs_reg_begin(wr, &err), SARGS_OK);
	assert_int_not_equal(sargs_store_log_restart(wr->store, &restarted), SARGS_OK);
	assert_int_equal(restarted, 0);
	sargs_reg_rollback(wr);

	sqlite3_close(rd);
	sqlite3_close(probe);
	sargs_reg_close(bg);
	sargs_reg_close(wr);

	{
		struct sargs_reg *reg;
		struct sargs_audit_report rep;

		assert_int_equal(sargs_reg_open(dir, &reg, &err), SARGS_OK);
		assert_int_equal(sargs_audit_verify(reg->audit, &rep), SARGS_OK);
		sargs_reg_close(reg);
	}
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_worker_group_commit),
		cmocka_unit_test(test_worker_own_tx),
		cmocka_unit_test(test_worker_gathering_rules),
		cmocka_unit_test(test_reader_defers_audit),
		cmocka_unit_test(test_worker_submit_async),
		cmocka_unit_test(test_worker_eager),
		cmocka_unit_test(test_worker_eager_on_submitter),
		cmocka_unit_test(test_worker_eager_retry),
		cmocka_unit_test(test_worker_eager_ended),
		cmocka_unit_test(test_worker_eager_stop),
		cmocka_unit_test(test_view_answer_as_jansson),
		cmocka_unit_test(test_log_line_as_snprintf),
		cmocka_unit_test(test_log_restart),
		cmocka_unit_test(test_worker_after_a_failed_sync), /* last: its record lasts */
	};

	if (sargs_crypto_init() != SARGS_OK)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
