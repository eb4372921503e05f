/*
 * server.c — the listener: libmicrohttpd glue, routing, authentication,
 * CSRF, security headers, logging and metrics (server.h).
 */
#include "server/server.h"

#include "crypto/keys.h"
#include "domain/subject.h"
#include "server/offload.h"
#include "server/sched.h"
#include "util/fsutil.h"
#include "util/timeutil.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SESSION_COOKIE "sargs_session"

/* ---- log
 *
 * One line per request would be one write(2) per request, which under load
 * costs more than the line itself. While the server serves, lines of level
 * info wait in a buffer and are written together: by the main thread's
 * tick (a quarter second at most), when the buffer is half full, or when a
 * line of another level comes (a warning or an error is written at once,
 * after the lines before it). Before the server serves (the start, a long
 * first indexing) and from the stop on, every line is written at once. A
 * crash loses the lines of the last quarter second at most. */

#define LOG_BUF_SIZE 65536

struct srv_logbuf {
	pthread_mutex_t mu;
	int batched;          /* 1 while the server serves (log_batching) */
	size_t len;
	char data[LOG_BUF_SIZE];
};

static void log_write(const char *p, size_t n)
{
	for (size_t off = 0; off < n;) {
		ssize_t w = write(STDERR_FILENO, p + off, n - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* nowhere to log to: the request goes on */
		off += (size_t)w;
	}
}

/* Writes the lines that wait (the main thread's tick, and the stop). */
static void log_flush(const struct srv *s)
{
	struct srv_logbuf *lb = s->logbuf;

	if (lb == NULL)
		return;
	pthread_mutex_lock(&lb->mu);
	log_write(lb->data, lb->len);
	lb->len = 0;
	pthread_mutex_unlock(&lb->mu);
}

/* on: lines of level info wait for the tick from now on; off: what waits
 * is written, and every line from now on at once. */
static void log_batching(const struct srv *s, int on)
{
	struct srv_logbuf *lb = s->logbuf;

	pthread_mutex_lock(&lb->mu);
	log_write(lb->data, lb->len);
	lb->len = 0;
	lb->batched = on;
	pthread_mutex_unlock(&lb->mu);
}

/* A log line being put together: appends what fits, and notes a cut. */
struct logline {
	char *buf;
	size_t cap; /* bytes the line may have, its newline included */
	size_t len;
	int cut;
};

static void ll_add(struct logline *l, const char *t, size_t n)
{
	size_t room = l->cap - 1 - l->len; /* one byte kept for the newline */

	if (n > room) {
		n = room;
		l->cut = 1;
	}
	memcpy(l->buf + l->len, t, n);
	l->len += n;
}

static void ll_adds(struct logline *l, const char *t)
{
	ll_add(l, t, strlen(t));
}

static void ll_int(struct logline *l, long long v)
{
	char d[24];
	size_t i = sizeof(d);
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

	do {
		d[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		d[--i] = '-';
	ll_add(l, d + i, sizeof(d) - i);
}

size_t srv_log_line(char *line, size_t cap, int json, const char *ts, const char *level,
		    const char *event, char *rest)
{
	struct logline l = {line, cap, 0, 0};

	if (rest == NULL)
		rest = (char *)"";
	/* values can come from clients (a method): one line, no control
	 * characters, nothing that ends a JSON string */
	for (char *p = rest; *p; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch < 0x20 || ch == 0x7f || ch == '\\' || (json && ch == '"'))
			*p = '?';
	}
	if (json) {
		ll_adds(&l, "{\"ts\":\"");
		ll_adds(&l, ts);
		ll_adds(&l, "\",\"level\":\"");
		ll_adds(&l, level);
		ll_adds(&l, "\",\"event\":\"");
		ll_adds(&l, event);
		ll_adds(&l, "\",\"detail\":\"");
		ll_adds(&l, rest);
		ll_adds(&l, "\"}");
	} else {
		ll_adds(&l, "ts=");
		ll_adds(&l, ts);
		ll_adds(&l, " level=");
		ll_adds(&l, level);
		ll_adds(&l, " event=");
		ll_adds(&l, event);
		if (rest[0]) {
			ll_add(&l, " ", 1);
			ll_adds(&l, rest);
		}
	}
	/* a line that does not fit whole with its newline (cap - 1 bytes of
	 * text or more) keeps cap - 2 bytes: still one line */
	if (l.cut || l.len == cap - 1)
		l.len = cap - 2;
	line[l.len++] = '\n';
	return l.len;
}

/* Writes one line (srv_log_line) whole with one write(2), or keeps it for
 * the tick: no stdio lock held by one thread while another formats its
 * line, and a line is never split or interleaved with another. */
static void log_emit(const struct srv *s, const char *level, const char *event, char *rest)
{
	char ts[40], line[1200];
	struct srv_logbuf *lb = s ? s->logbuf : NULL;
	size_t n;

	sargs_time_format(sargs_time_now_us(), ts, sizeof(ts));
	n = srv_log_line(line, sizeof(line), s && s->cfg.log_json, ts, level, event, rest);
	if (lb == NULL) {
		log_write(line, n);
		return;
	}
	pthread_mutex_lock(&lb->mu);
	if (lb->len + n > sizeof(lb->data)) {
		log_write(lb->data, lb->len);
		lb->len = 0;
	}
	memcpy(lb->data + lb->len, line, n);
	lb->len += n;
	if (!lb->batched || strcmp(level, "info") != 0 || lb->len >= sizeof(lb->data) / 2) {
		log_write(lb->data, lb->len);
		lb->len = 0;
	}
	pthread_mutex_unlock(&lb->mu);
}

void srv_log(const struct srv *s, const char *level, const char *event, const char *fmt, ...)
{
	char rest[1024] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
		(void)vsnprintf(rest, sizeof(rest), fmt, ap);
		va_end(ap);
	}
	log_emit(s, level, event, rest);
}

/* The line of a request, as srv_log(s, level, "http", "method=%s route=%s
 * status=%d dur_us=%lld", ...) writes it, without a formatting pass (one
 * for every request). */
static void log_request(const struct srv *s, const char *level, const char *method,
			const char *route, int status, long long dur_us)
{
	char rest[1024];
	struct logline l = {rest, sizeof(rest), 0, 0};

	ll_adds(&l, "method=");
	ll_adds(&l, method ? method : "(null)");
	ll_adds(&l, " route=");
	ll_adds(&l, route);
	ll_adds(&l, " status=");
	ll_int(&l, status);
	ll_adds(&l, " dur_us=");
	ll_int(&l, dur_us);
	rest[l.len] = '\0'; /* the byte kept for a newline ends the string */
	log_emit(s, level, "http", rest);
}

/* ---- sign-in rate limit: a fixed table of address buckets per minute */

#define RL_SLOTS 4096

struct rl_slot {
	uint64_t addr_hash;
	int64_t minute;
	int count;
};

struct srv_ratelimit {
	struct rl_slot slot[RL_SLOTS];
};

static uint64_t rl_seed;

/* FNV-1a of the client's address, seeded at start so that colliding
 * addresses cannot be chosen in advance. An IPv6 address counts by its /64
 * (one subscriber's network), where rotating addresses come from. */
static uint64_t addr_key(const char *addr)
{
	uint64_t h = 1469598103934665603ull ^ rl_seed;
	unsigned char a6[16];
	const unsigned char *p = (const unsigned char *)addr;
	size_t n = strlen(addr), i;

	if (strchr(addr, ':') && inet_pton(AF_INET6, addr, a6) == 1) {
		p = a6;
		n = 8;
	}
	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ull;
	}
	return h;
}

static int rate_allowed(struct srv *s, struct srv_ratelimit *rl, const char *addr, int limit)
{
	uint64_t h = addr_key(addr);
	int64_t minute = sargs_time_now_us() / 60000000;
	struct rl_slot *sl;
	int ok;

	pthread_mutex_lock(&s->mu);
	sl = &rl->slot[h % RL_SLOTS];
	if (sl->addr_hash != h || sl->minute != minute) {
		sl->addr_hash = h;
		sl->minute = minute;
		sl->count = 0;
	}
	ok = sl->count < limit;
	if (ok)
		sl->count++;
	pthread_mutex_unlock(&s->mu);
	return ok;
}

int srv_login_allowed(struct srv *s, const char *addr)
{
	return rate_allowed(s, s->logins, addr, s->cfg.login_per_minute);
}

int srv_public_post_allowed(struct srv *s, const char *addr)
{
	return rate_allowed(s, s->public_posts, addr, s->cfg.public_posts_per_minute);
}

void srv_status_get(struct srv *s, struct srv_status *out)
{
	pthread_mutex_lock(&s->mu);
	*out = s->status;
	pthread_mutex_unlock(&s->mu);
}

/* ---- per-request state */

/* Where a request is: its body coming in, its work under way elsewhere
 * (the connection suspended), or its answer ready to queue. */
enum phase { PHASE_RECEIVING, PHASE_WAITING, PHASE_ANSWERED };

struct job_arg {
	struct srv *srv;
	struct conn_state *cs;
};

struct conn_state {
	struct http_req rq;
	struct http_resp rs;
	const struct http_route *route;
	int method_mismatch;
	struct sargs_strbuf body;
	enum phase phase;
	int went_async;                 /* counted in srv.unanswered */
	/* the work of a suspended request (one of them) */
	struct worker_job job;
	struct job_arg ja;
	struct offload_task task;
	struct sargs_audit_batch batch; /* a read's audit entries */
	int apply_failed;               /* they could not be written (apply_run) */
	struct sargs_err apply_err;     /* why they were not, or were lost */
};

static void req_free(struct conn_state *cs)
{
	size_t i;

	for (i = 0; i < cs->rq.n_params; i++) {
		sargs_wipe(cs->rq.params[i], strlen(cs->rq.params[i])); /* link tokens */
		free(cs->rq.params[i]);
	}
	for (i = 0; i < cs->rq.n_form; i++) {
		sargs_wipe(cs->rq.form[i].value, strlen(cs->rq.form[i].value));
		free(cs->rq.form[i].name);
		free(cs->rq.form[i].value);
	}
	sargs_strbuf_free(&cs->body);
	sargs_audit_batch_free(&cs->batch);
	sargs_wipe(cs->rq.session, sizeof(cs->rq.session));
	sargs_wipe(&cs->rq.who, sizeof(cs->rq.who));
	http_resp_free(&cs->rs);
	free(cs);
}

/* Matches path against pattern; fills params. */
static int match(const char *pattern, const char *path, struct http_req *rq)
{
	const char *p = pattern, *u = path;
	size_t np = 0;

	while (*p && *u) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			size_t n = strcspn(u, "/");
			char *v;

			if (!pe || n == 0 || np >= HTTP_MAX_PARAMS)
				goto no;
			/* libmicrohttpd has already percent-decoded the path:
			 * decoding again would let "%252F" become a "/" */
			v = strndup(u, n);
			if (!v)
				goto no;
			rq->params[np++] = v;
			p = pe + 1;
			u += n;
		} else if (*p == *u) {
			p++;
			u++;
		} else {
			goto no;
		}
	}
	if (*p == '\0' && *u == '\0') {
		rq->n_params = np;
		return 1;
	}
no:
	while (np > 0)
		free(rq->params[--np]);
	return 0;
}

static const struct http_route *const tables[] = {
	http_routes_ops, http_routes_api, http_routes_staff, http_routes_self,
};

static const struct http_route *find_route(const char *method, const char *path,
					   struct http_req *rq, int *method_mismatch)
{
	size_t t;
	const char *m = strcmp(method, "HEAD") == 0 ? "GET" : method;

	*method_mismatch = 0;
	for (t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
		const struct http_route *r;

		for (r = tables[t]; r->pattern; r++) {
			if (!match(r->pattern, path, rq))
				continue;
			if (strcmp(r->method, m) == 0)
				return r;
			*method_mismatch = 1;
			while (rq->n_params > 0)
				free(rq->params[--rq->n_params]);
		}
	}
	return NULL;
}

static int is_api(const char *path)
{
	return strncmp(path, "/api/", 5) == 0;
}

/* ---- authentication and CSRF (on the worker) */

static const char *bearer(const struct http_req *rq)
{
	const char *a = http_header(rq, "Authorization");

	if (a && strncasecmp(a, "Bearer ", 7) == 0)
		return a + 7;
	return NULL;
}

static void authenticate(struct http_ctx *c)
{
	struct http_req *rq = c->rq;
	struct sargs_err err;
	const char *tok = bearer(rq);

	rq->authed = 0;
	if (tok) {
		if (sargs_apitoken_check(c->reg, tok, &rq->who, &err) == SARGS_OK)
			rq->authed = 1;
		return;
	}
	if (rq->session[0] && sargs_session_check(c->reg, rq->session, &rq->who, &err) == SARGS_OK)
		rq->authed = 1;
}

static int csrf_ok(const struct http_ctx *c)
{
	const struct http_req *rq = c->rq;
	const char *t;
	size_t n;

	if (strcmp(rq->method, "GET") == 0 || strcmp(rq->method, "HEAD") == 0)
		return 1;
	if (!rq->authed || rq->who.is_token)
		return 1; /* tokens come in a header no browser adds by itself */
	t = http_header(rq, "X-CSRF-Token");
	if (!t)
		t = http_form(rq, "csrf");
	if (!t)
		return 0;
	n = strlen(rq->who.csrf);
	return n > 0 && strlen(t) == n && sargs_secret_cmp(t, rq->who.csrf, n) == 0;
}

static void refuse_unauthenticated(struct http_ctx *c)
{
	if (is_api(c->rq->path)) {
		http_json_error(c->rs, 401, "unauthenticated",
				"sign in or send an API token (Authorization: Bearer ...)");
		http_add_header(c->rs, "WWW-Authenticate", "Bearer realm=\"sargs\"");
		return;
	}
	http_redirect(c->rs, "/login");
}

static void refuse(struct http_ctx *c, const char *code, const char *msg_lv, const char *msg_en)
{
	if (is_api(c->rq->path)) {
		http_json_error(c->rs, 403, code, "%s", msg_en);
		return;
	}
	http_resp_reset(c->rs);
	http_set_status(c->rs, 403, "text/html; charset=utf-8");
	http_out(c->rs, "<!doctype html><meta charset=utf-8><title>403</title><p>");
	http_esc(c->rs, L(c, msg_lv, msg_en));
	http_out(c->rs, "</p><p><a href=\"/\">");
	http_out(c->rs, L(c, "Uz sākumu", "Home"));
	http_out(c->rs, "</a></p>\n");
}

/* Everything a route needs before its handler: who, may they, CSRF. */
static int gate(struct http_ctx *c, const struct http_route *r)
{
	if (c->reg)
		authenticate(c);
	memcpy(c->rq->lang, http_lang(c->rq), 3);
	if (!(r->flags & ROUTE_PUBLIC) && !c->rq->authed) {
		refuse_unauthenticated(c);
		return 0;
	}
	if (r->action && !http_may(c, r->action, NULL)) {
		refuse(c, "forbidden", "Jūsu lomai šī darbība nav atļauta.",
		       "Your role does not allow this action.");
		return 0;
	}
	if (!(r->flags & ROUTE_NO_CSRF) && !csrf_ok(c)) {
		refuse(c, "csrf", "Veidlapa nav derīga (trūkst CSRF žetona). Atveriet lapu no jauna.",
		       "The form is not valid (CSRF token missing). Open the page again.");
		return 0;
	}
	return 1;
}

/* ---- the read pool: read-only connections for ROUTE_READ, one for each
 * listener thread (a thread takes a free one; none waits for another) */

#define READERS_MAX 64

struct srv_readers {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int n;
	struct sargs_reg *reg[READERS_MAX];
	unsigned long gen[READERS_MAX];      /* worker_registry_gen when last seen */
	int busy[READERS_MAX];
};

static enum sargs_rc readers_open(struct srv *s, int n, struct sargs_err *err)
{
	struct srv_readers *r = calloc(1, sizeof(*r));
	int i;

	if (!r)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	r->n = n < 1 ? 1 : n > READERS_MAX ? READERS_MAX : n;
	for (i = 0; i < r->n; i++) {
		enum sargs_rc rc = sargs_reg_open(s->cfg.data, &r->reg[i], err);

		if (rc != SARGS_OK) {
			while (i > 0)
				sargs_reg_close(r->reg[--i]);
			free(r);
			return rc;
		}
		sargs_store_tune_server(r->reg[i]->store, 0);
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	s->readers = r;
	return SARGS_OK;
}

static void readers_close(struct srv *s)
{
	struct srv_readers *r = s->readers;
	int i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++)
		sargs_reg_close(r->reg[i]);
	pthread_mutex_destroy(&r->mu);
	pthread_cond_destroy(&r->cv);
	free(r);
	s->readers = NULL;
}

static int readers_get(struct srv *s)
{
	struct srv_readers *r = s->readers;
	int i;

	pthread_mutex_lock(&r->mu);
	for (;;) {
		for (i = 0; i < r->n; i++) {
			if (!r->busy[i]) {
				r->busy[i] = 1;
				pthread_mutex_unlock(&r->mu);
				return i;
			}
		}
		pthread_cond_wait(&r->cv, &r->mu);
	}
}

static void readers_put(struct srv *s, int i)
{
	struct srv_readers *r = s->readers;

	pthread_mutex_lock(&r->mu);
	r->busy[i] = 0;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void gate_and_run(struct http_ctx *c, const struct http_route *r);

/* ---- work away from the listener's threads; the connection waits
 * suspended and is taken up again when the answer is ready */

/* The work is over (on the worker's or an offload thread): the answer is in
 * cs->rs; the listener queues it when it takes the connection up again.
 * Nothing may touch cs after the resume. */
static void finish_async(struct conn_state *cs)
{
	struct srv *s = cs->ja.srv;

	cs->phase = PHASE_ANSWERED;
	MHD_resume_connection(cs->rq.conn);
	pthread_mutex_lock(&s->mu);
	if (--s->inflight == 0)
		pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->mu);
}

static void job_complete(struct worker_job *job)
{
	finish_async(job->complete_arg);
}

/* Suspends the connection before its work is handed on. Returns 0 when the
 * server is stopping: nothing started, the answer is a 503. */
static int go_async(struct srv *s, struct conn_state *cs)
{
	pthread_mutex_lock(&s->mu);
	if (s->draining) {
		pthread_mutex_unlock(&s->mu);
		http_resp_reset(&cs->rs);
		http_json_error(&cs->rs, 503, "stopping", "the server is stopping");
		return 0;
	}
	s->inflight++;
	s->unanswered++;
	pthread_mutex_unlock(&s->mu);
	cs->went_async = 1;
	cs->phase = PHASE_WAITING;
	cs->ja.srv = s;
	cs->ja.cs = cs;
	/* suspended before the work starts, so the resume cannot come first */
	MHD_suspend_connection(cs->rq.conn);
	return 1;
}

/* A read's audit entries go to the worker (apply_run); when they could
 * not be written (apply_failed) or made durable (the job lost), the read's
 * data must not leave. Only the job's last run counts (a group whose
 * commit failed runs each of its jobs again), so the answer is replaced
 * only when the job is complete (apply_complete). */
static void apply_lost(void *arg, const struct sargs_err *err)
{
	struct job_arg *ja = arg;

	ja->cs->apply_err = *err;
}

static void apply_run(void *arg, struct sargs_reg *reg, int *failed)
{
	struct job_arg *ja = arg;

	ja->cs->apply_failed = 0;
	if (sargs_reg_audit_apply(reg, &ja->cs->batch, &ja->cs->apply_err) != SARGS_OK) {
		ja->cs->apply_failed = 1;
		*failed = 1;
	}
}

static void apply_complete(struct worker_job *job)
{
	struct conn_state *cs = job->complete_arg;

	if (cs->apply_failed || job->was_lost) {
		http_resp_reset(&cs->rs);
		http_json_error(&cs->rs, 503, "not_saved",
				"the read could not be recorded in the audit trail, so it is not"
				" answered: %s", cs->apply_err.msg);
		srv_log(cs->ja.srv, "error", "audit_failed", "route=%s", cs->route->pattern);
	}
	finish_async(cs);
}

/* A read that recorded nothing waits for the next sync of the log, which
 * covers every commit it may have seen (worker_settle); when that sync
 * fails, or one did before, its answer does not leave. */
static void settle_lost(void *arg, const struct sargs_err *err)
{
	struct job_arg *ja = arg;

	http_resp_reset(&ja->cs->rs);
	http_json_error(&ja->cs->rs, 503, "not_durable",
			"the answer rests on changes that could not be put on disk, so it is"
			" not given: %s", err->msg);
	srv_log(ja->srv, "error", "sync_failed", "route=%s", ja->cs->route->pattern);
}

/* A ROUTE_READ request with an API token: the read runs here, on the
 * listener's thread with a read-only connection, in parallel with other
 * reads; its audit entries go to the worker, and the answer waits for their
 * commit. Returns 1 when the answer waits (the connection is suspended). */
static int read_on_reader(struct srv *s, struct conn_state *cs)
{
	int i = readers_get(s);
	struct sargs_reg *reg = s->readers->reg[i];
	unsigned long gen = worker_registry_gen(s->worker);
	struct http_ctx c = {s, reg, &cs->rq, &cs->rs};
	struct sargs_err err;

	memset(&cs->batch, 0, sizeof(cs->batch));
	if (s->readers->gen[i] != gen) {
		sargs_reg_forget_registry(reg); /* loaded elsewhere: read it again */
		s->readers->gen[i] = gen;
	}
	sargs_reg_set_reader(reg, &cs->batch);
	http_resp_reset(&cs->rs);
	/* one snapshot for the whole request (token, policy, fields): each
	 * step's own transaction is then a savepoint of it, with no locking of
	 * the log's index of its own */
	if (sargs_store_begin_read(reg->store, &err) != SARGS_OK) {
		http_json_error(&cs->rs, 503, "store", "the register cannot be read now: %s",
				err.msg);
	} else {
		gate_and_run(&c, cs->route);
		/* a step that left its level open (a bug) is undone the way it
		 * was begun, audit level included; one that closed too many has
		 * ended the snapshot already */
		while (sargs_store_depth(reg->store) > 1)
			sargs_reg_rollback(reg);
		if (sargs_store_depth(reg->store) == 1 &&
		    sargs_store_commit(reg->store, &err) != SARGS_OK)
			sargs_store_rollback(reg->store);
	}
	sargs_reg_set_reader(reg, NULL);
	readers_put(s, i);
	if (!cs->batch.n && !cs->batch.failed) {
		/* nothing to record (nothing found, say): the answer may still
		 * rest on a commit of the worker's that is not on disk yet (an
		 * erasure), and must not leave before it is. A refusal (bad
		 * input, no access) says nothing about the register's data and
		 * goes at once. */
		if ((cs->rs.status >= 400 && cs->rs.status != 404) ||
		    !worker_unsynced(s->worker))
			return 0;
		if (!go_async(s, cs))
			return 0;
		cs->job = (struct worker_job){.lost = settle_lost, .arg = &cs->ja,
					      .complete = job_complete, .complete_arg = cs};
		worker_settle(s->worker, &cs->job);
		return 1;
	}
	if (!go_async(s, cs))
		return 0;
	cs->apply_failed = 0;
	cs->job = (struct worker_job){.run = apply_run, .lost = apply_lost, .arg = &cs->ja,
				      .eager = 1, .complete = apply_complete, .complete_arg = cs};
	worker_submit(s->worker, &cs->job);
	return 1;
}

static void gate_and_run(struct http_ctx *c, const struct http_route *r)
{
	if (!gate(c, r))
		return;
	if (http_set_actor(c) != SARGS_OK) {
		http_json_error(c->rs, 500, "actor", "cannot set the actor");
		return;
	}
	r->fn(c);
}

static void job_run(void *arg, struct sargs_reg *reg, int *failed)
{
	struct job_arg *ja = arg;
	struct http_ctx c = {ja->srv, reg, &ja->cs->rq, &ja->cs->rs};

	http_resp_reset(c.rs);
	gate_and_run(&c, ja->cs->route);
	if (c.rs->status >= 500 || c.rs->oom)
		*failed = 1;
}

static void job_lost(void *arg, const struct sargs_err *err)
{
	struct job_arg *ja = arg;

	http_resp_reset(&ja->cs->rs);
	if (ja->cs->job.unsynced) {
		/* committed, but the disk did not take the log: it may or may
		 * not be there after a crash, so saying "nothing changed" would
		 * invite a retry that makes it twice */
		http_json_error(&ja->cs->rs, 503, "not_durable",
				"the change was made but could not be put on disk, so it may"
				" be lost if the machine stops; check before trying again: %s",
				err->msg);
		srv_log(ja->srv, "error", "sync_failed", "route=%s", ja->cs->route->pattern);
		return;
	}
	http_json_error(&ja->cs->rs, 503, "not_saved",
			"the change could not be saved, nothing was changed: %s", err->msg);
	srv_log(ja->srv, "error", "commit_failed", "route=%s", ja->cs->route->pattern);
}

/* A handler that blocks (ROUTE_BLOCKS), on an offload thread. */
static void task_run(struct offload_task *t)
{
	struct conn_state *cs = (struct conn_state *)(void *)((char *)t -
							       offsetof(struct conn_state, task));
	struct http_ctx c = {cs->ja.srv, NULL, &cs->rq, &cs->rs};

	http_resp_reset(&cs->rs);
	if (gate(&c, cs->route))
		cs->route->fn(&c);
	finish_async(cs);
}

/* ---- responses */

static void wipe_free(void *p)
{
	/* the body may hold personal data: wipe before freeing; the length
	 * is not known here, so the buffer carries it in front */
	size_t *n = (size_t *)p - 1;

	sargs_wipe(p, *n);
	free(n);
}

static enum MHD_Result respond(struct srv *s, struct MHD_Connection *conn, struct conn_state *cs)
{
	struct http_resp *rs = &cs->rs;
	struct MHD_Response *r;
	size_t n = rs->body.len, i;
	size_t *buf;
	enum MHD_Result ret;
	int64_t dur_us;
	int cls;

	if (rs->oom) {
		http_resp_reset(rs);
		if (is_api(cs->rq.path))
			http_json_error(rs, 500, "internal", "the answer could not be built");
		else {
			http_set_status(rs, 500, "text/plain; charset=utf-8");
			http_out(rs, "internal error\n");
		}
		n = rs->body.len;
	}
	buf = malloc(sizeof(size_t) + n + 1);
	if (!buf)
		return MHD_NO;
	buf[0] = n;
	if (n)
		memcpy(buf + 1, rs->body.data, n);
	r = MHD_create_response_from_buffer_with_free_callback(n, buf + 1, wipe_free);
	if (!r) {
		free(buf);
		return MHD_NO;
	}
	(void)MHD_add_response_header(r, "Content-Type",
				      rs->ctype ? rs->ctype : "text/html; charset=utf-8");
	(void)MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	(void)MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	(void)MHD_add_response_header(r, "Cache-Control", "no-store");
	{
		int embeddable = 0;

		for (i = 0; i < rs->n_headers; i++)
			if (strcasecmp(rs->headers[i].name, "X-Sargs-Embeddable") == 0)
				embeddable = 1;
		(void)MHD_add_response_header(
			r, "Content-Security-Policy",
			embeddable ? "default-src 'self'; form-action 'self'; frame-ancestors *"
				   : "default-src 'self'; form-action 'self'; frame-ancestors 'none'");
		if (!embeddable)
			(void)MHD_add_response_header(r, "X-Frame-Options", "DENY");
	}
	if (cs->rq.https)
		(void)MHD_add_response_header(r, "Strict-Transport-Security", "max-age=31536000");
	for (i = 0; i < rs->n_headers; i++)
		if (strcasecmp(rs->headers[i].name, "X-Sargs-Embeddable") != 0)
			(void)MHD_add_response_header(r, rs->headers[i].name, rs->headers[i].value);
	ret = MHD_queue_response(conn, (unsigned)rs->status, r);
	MHD_destroy_response(r);

	dur_us = sargs_time_now_us() - cs->rq.start_us;
	cls = rs->status / 100;
	if (cls < 1 || cls > 5)
		cls = 0;
	pthread_mutex_lock(&s->mu);
	s->metrics.requests[cls]++;
	{
		static const double le_s[SRV_LAT_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
							    0.05, 0.1, 0.25, 0.5, 1.0, 5.0};
		double sec = (double)dur_us / 1e6;
		int b;

		for (b = 0; b < SRV_LAT_BUCKETS; b++)
			if (sec <= le_s[b])
				s->metrics.lat_buckets[b]++;
		s->metrics.lat_sum_s += sec;
		s->metrics.lat_count++;
	}
	pthread_mutex_unlock(&s->mu);
	if (cs->route && !(cs->route->flags & ROUTE_REG) && strcmp(cs->route->pattern, "/bench/static") == 0)
		return ret; /* the benchmark's baseline is not logged */
	log_request(s, rs->status >= 500 ? "error" : "info", cs->rq.method,
		    cs->route ? cs->route->pattern : "-", rs->status, (long long)dur_us);
	return ret;
}

static void not_found(struct conn_state *cs)
{
	http_resp_reset(&cs->rs);
	if (is_api(cs->rq.path)) {
		if (cs->method_mismatch)
			http_json_error(&cs->rs, 405, "method_not_allowed",
					"this route does not take %s", cs->rq.method);
		else
			http_json_error(&cs->rs, 404, "no_route", "no such API route");
		return;
	}
	http_set_status(&cs->rs, cs->method_mismatch ? 405 : 404, "text/html; charset=utf-8");
	http_out(&cs->rs, "<!doctype html><meta charset=utf-8><title>404</title>"
			  "<p>Lapa nav atrasta. / Page not found.</p><p><a href=\"/\">Sargs</a></p>\n");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct srv *s = cls;
	struct conn_state *cs = *con_cls;

	(void)version;
	if (!cs) {
		const union MHD_ConnectionInfo *ci;
		const char *cookie;

		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return MHD_NO;
		cs->rq.conn = conn;
		cs->rq.method = method;
		cs->rq.path = url;
		cs->rq.start_us = sargs_time_now_us();
		cs->rq.https = s->cfg.tls_cert[0] != '\0' || s->cfg.behind_https_proxy;
		cs->route = find_route(method, url, &cs->rq, &cs->method_mismatch);
		cs->rq.route = cs->route ? cs->route->pattern : "-";
		cs->rq.body_limit = cs->route && (cs->route->flags & ROUTE_BIG_BODY)
					    ? HTTP_BODY_LIMIT_IMPORT
					    : HTTP_BODY_LIMIT_DEFAULT;
		sargs_strbuf_init(&cs->body, cs->rq.body_limit);
		cs->rs.status = 200;
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		if (ci && ci->client_addr) {
			const struct sockaddr *sa = ci->client_addr;

			if (sa->sa_family == AF_INET)
				(void)inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
						cs->rq.ip, sizeof(cs->rq.ip));
			else if (sa->sa_family == AF_INET6)
				(void)inet_ntop(AF_INET6,
						&((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
						cs->rq.ip, sizeof(cs->rq.ip));
		}
		if (s->cfg.behind_https_proxy) {
			/* the proxy is trusted: the client is the last address
			 * it appended */
			const char *xff = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								      "X-Forwarded-For");
			const char *last = xff ? strrchr(xff, ',') : NULL;

			last = last ? last + 1 : xff;
			while (last && *last == ' ')
				last++;
			if (last && *last && strlen(last) < sizeof(cs->rq.ip))
				memcpy(cs->rq.ip, last, strlen(last) + 1);
		}
		cookie = MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, SESSION_COOKIE);
		if (cookie && strlen(cookie) < sizeof(cs->rq.session))
			memcpy(cs->rq.session, cookie, strlen(cookie) + 1);
		*con_cls = cs;
		{
			const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
								     "Content-Length");
			char *end;
			unsigned long long n = cl ? strtoull(cl, &end, 10) : 0;

			if (cl && n > cs->rq.body_limit) {
				/* answer before reading the body; libmicrohttpd
				 * then closes the connection */
				cs->rq.body_too_big = 1;
				http_resp_reset(&cs->rs);
				http_json_error(&cs->rs, 413, "body_too_large",
						"the request body is larger than %zu bytes",
						cs->rq.body_limit);
				return respond(s, conn, cs);
			}
		}
		return MHD_YES;
	}
	if (cs->phase == PHASE_ANSWERED)
		return respond(s, conn, cs); /* taken up again after its work */
	if (cs->rq.body_too_big && cs->rs.status == 413 && cs->rs.body.len) {
		*upload_data_size = 0; /* already answered: drop the rest */
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!cs->rq.body_too_big &&
		    sargs_strbuf_add(&cs->body, upload_data, *upload_data_size) != SARGS_OK)
			cs->rq.body_too_big = 1;
		*upload_data_size = 0;
		return MHD_YES;
	}

	/* the whole request is here */
	cs->rq.body = cs->body.data;
	cs->rq.body_len = cs->body.len;
	if (cs->rq.body && memchr(cs->rq.body, '\0', cs->rq.body_len))
		cs->rq.form_bad = 1;
	if (!cs->route) {
		not_found(cs);
		return respond(s, conn, cs);
	}
	if (cs->rq.body_too_big) {
		http_resp_reset(&cs->rs);
		http_json_error(&cs->rs, 413, "body_too_large",
				"the request body is larger than %zu bytes", cs->rq.body_limit);
		return respond(s, conn, cs);
	}
	{
		const char *ct = http_header(&cs->rq, "Content-Type");

		if (cs->rq.body && ct &&
		    strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
		    !cs->rq.form_bad)
			http_parse_form(&cs->rq);
	}
	if ((cs->route->flags & ROUTE_LIMITED) && !srv_public_post_allowed(s, cs->rq.ip)) {
		http_resp_reset(&cs->rs);
		http_set_status(&cs->rs, 429, "text/html; charset=utf-8");
		http_add_header(&cs->rs, "Retry-After", "60");
		http_out(&cs->rs, "<!doctype html><meta charset=utf-8><title>429</title>"
				  "<p>Pārāk daudz pieprasījumu no šīs adreses; mēģiniet pēc minūtes."
				  " / Too many requests from this address; try again in a minute.</p>\n");
		srv_log(s, "warn", "rate_limited", "route=%s", cs->route->pattern);
		return respond(s, conn, cs);
	}
	if ((cs->route->flags & ROUTE_READ) && s->readers && bearer(&cs->rq)) {
		if (read_on_reader(s, cs))
			return MHD_YES;
	} else if (cs->route->flags & ROUTE_REG) {
		if (go_async(s, cs)) {
			cs->job = (struct worker_job){
				.run = job_run,
				.lost = job_lost,
				.arg = &cs->ja,
				.own_tx = (cs->route->flags & ROUTE_OWN_TX) != 0,
				.complete = job_complete,
				.complete_arg = cs};
			worker_submit(s->worker, &cs->job);
			return MHD_YES;
		}
	} else if (cs->route->flags & ROUTE_BLOCKS) {
		if (go_async(s, cs)) {
			cs->task.run = task_run;
			offload_submit(s->offload, &cs->task);
			return MHD_YES;
		}
	} else {
		struct http_ctx c = {s, NULL, &cs->rq, &cs->rs};

		http_resp_reset(&cs->rs);
		if (gate(&c, cs->route))
			cs->route->fn(&c);
	}
	return respond(s, conn, cs);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct srv *s = cls;
	struct conn_state *cs = *con_cls;

	(void)conn;
	(void)toe;
	if (!cs)
		return;
	if (cs->went_async) {
		/* its answer is out (or the client is gone) */
		pthread_mutex_lock(&s->mu);
		if (--s->unanswered == 0)
			pthread_cond_broadcast(&s->idle);
		pthread_mutex_unlock(&s->mu);
	}
	req_free(cs);
	*con_cls = NULL;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	/* libmicrohttpd's own format strings */
	/* NOLINTNEXTLINE(clang-diagnostic-format-nonliteral) */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	srv_log(cls, "warn", "mhd", "msg=\"%s\"", msg);
}

/* ---- run */

#define LOG_RESTART_FRAMES 8192 /* 32 MiB of log: start it over */
#define LOG_RESTART_LEFT 256     /* pages the worker may have to copy itself */

/* The worker's step of the log's upkeep (sargs_store_log_restart). */
struct log_restart {
	int restarted;              /* 1 done, 0 a reader stayed, -1 failed */
	char msg[SARGS_ERR_BYTES];
};

static void log_restart_run(void *arg, struct sargs_reg *reg, int *failed)
{
	struct log_restart *lr = arg;

	(void)failed;
	if (sargs_store_log_restart(reg->store, &lr->restarted) != SARGS_OK) {
		lr->restarted = -1;
		(void)snprintf(lr->msg, sizeof(lr->msg), "%s", sargs_store_errmsg(reg->store));
	}
}

static void log_restart_lost(void *arg, const struct sargs_err *err)
{
	struct log_restart *lr = arg;

	lr->restarted = -1;
	(void)snprintf(lr->msg, sizeof(lr->msg), "%s", err->msg);
}

/* The log's upkeep, every quarter second on the main thread's own connection:
 * copies the log into the database without taking the write lock. Once the
 * log is large it catches up in rounds (each copies what came during the
 * last) until little is left, then asks the worker to start the log over:
 * the copy the worker makes itself, with every request waiting, is then
 * small. */
static void log_upkeep(struct srv *s)
{
	int round, frames = 0, left = 0;

	for (round = 0; round < 20; round++) {
		if (sargs_store_checkpoint(s->ckpt_reg->store, &frames, &left) != SARGS_OK) {
			srv_log(s, "error", "checkpoint_log_failed", "msg=\"%s\"",
				sargs_store_errmsg(s->ckpt_reg->store));
			return;
		}
		if (frames < LOG_RESTART_FRAMES) {
			s->log_restarted_frames = 0;
			return;
		}
		/* started over already: the log's size shows it only once the
		 * next commit writes from its beginning */
		if (frames == s->log_restarted_frames)
			return;
		if (left <= LOG_RESTART_LEFT) {
			/* alone on the worker, between groups; this thread copies
			 * nothing meanwhile, so the worker's flush of the database
			 * holds only the few pages it copies itself */
			struct log_restart lr = {0, ""};
			struct worker_job job = {.run = log_restart_run,
						 .lost = log_restart_lost,
						 .arg = &lr,
						 .own_tx = 1};

			worker_run(s->worker, &job);
			pthread_mutex_lock(&s->mu);
			if (lr.restarted == 1) {
				s->log_restarted_frames = frames;
				s->metrics.log_restarts++;
			}
			else if (lr.restarted == 0)
				s->metrics.log_restart_busy++;
			pthread_mutex_unlock(&s->mu);
			if (lr.restarted < 0)
				srv_log(s, "warn", "log_restart_failed", "msg=\"%s\"", lr.msg);
			return;
		}
	}
}

/* The register's first opening, before the server listens: a register of
 * an older schema is migrated (logged before and after: at a million
 * people it takes half a minute), and one from before the name index gets
 * it once (the console's name search needs it): its subjects' name fields
 * are decrypted and their words' keys added (sargs_subject_index_names). */
static enum sargs_rc index_names(struct srv *s, const char *data, struct sargs_err *err)
{
	struct sargs_reg *reg = NULL;
	int64_t t0 = sargs_time_mono_us(), n = 0;
	int from, to, behind = sargs_reg_schema_behind(data, &from, &to);
	enum sargs_rc rc;

	if (behind)
		srv_log(s, "info", "migrate", "from=%d to=%d msg=\"updating the register, once\"",
			from, to);
	rc = sargs_reg_open(data, &reg, err);
	if (rc != SARGS_OK)
		return rc;
	if (behind)
		srv_log(s, "info", "migrated", "schema=%d ms=%lld", to,
			(long long)((sargs_time_mono_us() - t0) / 1000));
	t0 = sargs_time_mono_us();
	if (!sargs_subject_names_indexed(reg)) {
		srv_log(s, "info", "name_index", "msg=\"indexing the subjects' names, once\"");
		rc = sargs_subject_index_names(reg, &n, err);
		if (rc == SARGS_OK)
			srv_log(s, "info", "name_index", "subjects=%lld ms=%lld", (long long)n,
				(long long)((sargs_time_mono_us() - t0) / 1000));
	}
	sargs_reg_close(reg);
	return rc;
}

/* Stops what srv_run started before the listener, in order (the offload
 * threads use the worker); each part may be missing. */
static void stop_parts(struct srv *s)
{
	offload_stop(s->offload);
	s->offload = NULL;
	readers_close(s);
	worker_stop(s->worker);
	s->worker = NULL;
	if (s->ckpt_reg)
		sargs_reg_close(s->ckpt_reg);
	s->ckpt_reg = NULL;
}

static enum sargs_rc read_pem(const char *path, char **out, struct sargs_err *err)
{
	size_t n;

	return sargs_fs_read(path, 1024 * 1024, out, &n, err);
	return SARGS_OK;
}

enum sargs_rc srv_run(const struct srv_config *cfg, struct sargs_err *err)
{
	struct srv *s;
	enum sargs_rc rc;
	struct sockaddr_in a4;
	struct sockaddr_in6 a6;
	const struct sockaddr *sa;
	/* a few threads, each serving many connections; work that waits (the
	 * worker's commit, a password check) runs elsewhere while its
	 * connection is suspended */
	unsigned flags = MHD_USE_POLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME |
			 MHD_USE_ERROR_LOG;
	unsigned threads;
	char *cert = NULL, *key = NULL;
	struct sigaction sact;
	sigset_t stopset, oldmask;
	int sig = 0;

	(void)pthread_sigmask(SIG_SETMASK, NULL, &oldmask);
	/* what stdio writes to stderr goes out a line at a time, not a piece
	 * at a time (srv_log's own lines are written with write(2)) */
	(void)setvbuf(stderr, NULL, _IOLBF, 0);
	rc = srv_config_check(cfg, err);
	if (rc != SARGS_OK)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	s->logins = calloc(1, sizeof(*s->logins));
	s->public_posts = calloc(1, sizeof(*s->public_posts));
	s->logbuf = calloc(1, sizeof(*s->logbuf));
	if (!s->logins || !s->public_posts || !s->logbuf) {
		free(s->logins);
		free(s->public_posts);
		free(s->logbuf);
		free(s);
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	s->cfg = *cfg;
	if (getrandom(&rl_seed, sizeof(rl_seed), 0) != (ssize_t)sizeof(rl_seed))
		rl_seed = (uint64_t)sargs_time_now_us();
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->logbuf->mu, NULL);
	pthread_mutex_init(&s->sched_mu, NULL);
	pthread_cond_init(&s->sched_cv, NULL);
	pthread_cond_init(&s->idle, NULL);
	threads = (unsigned)cfg->threads;
	if (threads == 0) {
		long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

		threads = ncpu < 1 ? 1U : ncpu > 16 ? 16U : (unsigned)ncpu;
	}
	s->status.started_us = sargs_time_now_us();
	memcpy(s->static_body, "ok\n", 4);

	memset(&a4, 0, sizeof(a4));
	memset(&a6, 0, sizeof(a6));
	if (inet_pton(AF_INET, cfg->listen, &a4.sin_addr) == 1) {
		a4.sin_family = AF_INET;
		a4.sin_port = htons((uint16_t)cfg->port);
		sa = (const struct sockaddr *)&a4;
	} else if (inet_pton(AF_INET6, cfg->listen, &a6.sin6_addr) == 1) {
		a6.sin6_family = AF_INET6;
		a6.sin6_port = htons((uint16_t)cfg->port);
		sa = (const struct sockaddr *)&a6;
		flags |= MHD_USE_IPv6;
	} else {
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "listen address \"%.64s\" is not an IPv4 or IPv6 address",
				   cfg->listen);
		goto out;
	}
	if (cfg->tls_cert[0]) {
		rc = read_pem(cfg->tls_cert, &cert, err);
		if (rc == SARGS_OK)
			rc = read_pem(cfg->tls_key, &key, err);
		if (rc != SARGS_OK)
			goto out;
		flags |= MHD_USE_TLS;
	}

	/* before SIGTERM is held for the shutdown below: a stop during this
	 * step ends the process, each batch of the index is all or nothing,
	 * and the next start does it again */
	rc = index_names(s, cfg->data, err);
	if (rc != SARGS_OK)
		goto out;
	sigemptyset(&stopset);
	sigaddset(&stopset, SIGTERM);
	sigaddset(&stopset, SIGINT);
	(void)pthread_sigmask(SIG_BLOCK, &stopset, &oldmask);
	rc = worker_start(cfg->data, 256, &s->worker, err);
	if (rc != SARGS_OK)
		goto out;
	rc = readers_open(s, (int)threads, err);
	if (rc == SARGS_OK)
		rc = offload_start(2, &s->offload, err);
	if (rc == SARGS_OK)
		rc = sargs_reg_open(cfg->data, &s->ckpt_reg, err);
	if (rc == SARGS_OK)
		sargs_store_tune_server(s->ckpt_reg->store, 0);
	if (rc != SARGS_OK) {
		stop_parts(s);
		goto out;
	}

	/* SIGPIPE is ignored; SIGTERM/SIGINT are blocked in every thread and
	 * taken by sigwait below (the mask was set before the first thread) */
	memset(&sact, 0, sizeof(sact));
	sact.sa_handler = SIG_IGN;
	sigemptyset(&sact.sa_mask);
	(void)sigaction(SIGPIPE, &sact, NULL);

	if (cert)
		s->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, s,
					     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
					     MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_NOTIFY_COMPLETED,
					     on_completed, s, MHD_OPTION_CONNECTION_LIMIT,
					     (unsigned)cfg->max_connections,
					     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
					     MHD_OPTION_THREAD_POOL_SIZE, threads,
					     MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY,
					     key, MHD_OPTION_END);
	else
		s->daemon = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, on_request, s,
					     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
					     MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_NOTIFY_COMPLETED,
					     on_completed, s, MHD_OPTION_CONNECTION_LIMIT,
					     (unsigned)cfg->max_connections,
					     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
					     MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_END);
	if (!s->daemon) {
		rc = sargs_err_set(err, SARGS_E_IO,
				   "cannot listen on %s port %d (in use, or not allowed): %s",
				   cfg->listen, cfg->port, errno ? strerror(errno) : "unknown");
		stop_parts(s);
		goto out;
	}
	rc = sched_start(s, err);
	if (rc != SARGS_OK) {
		MHD_stop_daemon(s->daemon);
		stop_parts(s);
		goto out;
	}
	{
		const union MHD_DaemonInfo *di =
			MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);

		if (di && di->port)
			s->cfg.port = di->port; /* port 0: the one the system chose */
	}
	if (strchr(cfg->listen, ':'))
		printf("Sargs listens on %s://[%s]:%d/\n", cert ? "https" : "http", cfg->listen,
		       s->cfg.port);
	else
		printf("Sargs listens on %s://%s:%d/\n", cert ? "https" : "http", cfg->listen,
		       s->cfg.port);
	fflush(stdout);
	srv_log(s, "info", "start", "listen=%s port=%d tls=%s", cfg->listen, s->cfg.port,
		cert ? "yes" : "no");

	/* wait for SIGTERM/SIGINT; meanwhile write the lines of the server's
	 * log that wait, and copy the register's log into the database every
	 * quarter second (the worker's commits do not: none of them
	 * waits for a checkpoint), so the log stays small */
	log_batching(s, 1);
	for (;;) {
		struct timespec tick = {0, 250000000};

		sig = sigtimedwait(&stopset, NULL, &tick);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		log_flush(s);
		log_upkeep(s);
	}
	log_batching(s, 0);
	srv_log(s, "info", "stop", "signal=%d", sig);
	/* no new connections; requests whose work is under way finish (new
	 * ones get 503), so no connection is suspended when the listener
	 * stops; and their answers go out (a change made but not answered
	 * looks lost to the client, which may send it again) */
	{
		MHD_socket lsock = MHD_quiesce_daemon(s->daemon);
		struct timespec until;

		pthread_mutex_lock(&s->mu);
		s->draining = 1;
		while (s->inflight > 0)
			pthread_cond_wait(&s->idle, &s->mu);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 5; /* a client that does not read gets no more */
		while (s->unanswered > 0 &&
		       pthread_cond_timedwait(&s->idle, &s->mu, &until) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&s->mu);
		MHD_stop_daemon(s->daemon); /* waits for the listener's threads */
		if (lsock != MHD_INVALID_SOCKET)
			(void)close(lsock);
	}
	sched_stop(s);
	(void)sargs_store_checkpoint(s->ckpt_reg->store, NULL, NULL);
	stop_parts(s);
	srv_log(s, "info", "stopped", NULL);
	rc = SARGS_OK;
out:
	if (key) {
		sargs_wipe(key, strlen(key));
		free(key);
	}
	free(cert);
	log_flush(s);
	pthread_mutex_destroy(&s->logbuf->mu);
	free(s->logbuf);
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->sched_mu);
	pthread_cond_destroy(&s->sched_cv);
	pthread_cond_destroy(&s->idle);
	(void)pthread_sigmask(SIG_SETMASK, &oldmask, NULL);
	free(s->logins);
	free(s->public_posts);
	free(s);
	return rc;
}
