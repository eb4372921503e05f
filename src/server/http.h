/*
 * http.h — the server's request and response, the route table, and the
 * helpers every page and API handler uses.
 *
 * Threads: libmicrohttpd runs a few listener threads, each serving many
 * connections. A handler that touches the register does not run there: the
 * listener suspends the connection and hands the handler to the register
 * worker (worker.h), which runs the handlers that are waiting together in
 * one transaction (group commit) and releases their responses only after
 * that transaction is durable. So every audit entry of a read is on disk
 * before the data leaves the process, and the cost of the commit is shared
 * by all requests in the group. A token read (ROUTE_READ) runs on the
 * listener with a read-only connection, and only its audit entries go to
 * the worker; a handler that blocks (ROUTE_BLOCKS) runs on an offload
 * thread (offload.h).
 *
 * A handler fills the response and never sends anything itself. It must be
 * re-runnable: when the group's commit fails, the worker rolls back and runs
 * each handler of the group again in a transaction of its own (the response
 * is reset first).
 */
#ifndef SARGS_SERVER_HTTP_H
#define SARGS_SERVER_HTTP_H

#include "domain/register.h"
#include "domain/staff.h"
#include "util/rc.h"
#include "util/strbuf.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct MHD_Connection;
struct srv;

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_FORM 64
#define HTTP_MAX_HEADERS 8
#define HTTP_BODY_LIMIT_DEFAULT (1024 * 1024)  /* bytes of a request body */
#define HTTP_BODY_LIMIT_IMPORT (16 * 1024 * 1024)

struct http_kv {
	char *name;
	char *value;
};

struct http_req {
	struct MHD_Connection *conn;
	const char *method;          /* "GET", "POST", ... */
	const char *path;            /* without the query string */
	const char *route;           /* the matched pattern, for logs and metrics */
	char *params[HTTP_MAX_PARAMS]; /* the {..} parts of the pattern, decoded */
	size_t n_params;
	char *body;                  /* NUL-terminated; NULL when none */
	size_t body_len;
	size_t body_limit;
	int body_too_big;
	struct http_kv form[HTTP_MAX_FORM]; /* an urlencoded body, parsed */
	size_t n_form;
	int form_bad;                /* the body was not a valid form */
	char ip[64];
	int https;
	int64_t start_us;
	/* who asks (filled by http_auth_*) */
	int authed;
	struct sargs_principal who;
	char session[SARGS_SECRET_STR];  /* the session cookie, when any */
	char lang[3];                /* "lv" or "en" */
};

struct http_resp {
	int status;
	const char *ctype;           /* static string */
	struct sargs_strbuf body;
	struct http_kv headers[HTTP_MAX_HEADERS];
	size_t n_headers;
	int oom;                     /* an append failed: the worker answers 500 */
};

/* What a handler gets. reg is NULL for handlers that do not use the register. */
struct http_ctx {
	struct srv *srv;
	struct sargs_reg *reg;
	struct http_req *rq;
	struct http_resp *rs;
};

typedef void (*http_handler)(struct http_ctx *c);

enum {
	ROUTE_REG = 1,        /* runs on the register worker */
	ROUTE_PUBLIC = 2,     /* no session or token needed */
	ROUTE_NO_CSRF = 4,    /* a state-changing route that is safe without the
			       * CSRF token (sign-in, the RFC 8058 POST, pages
			       * whose form carries a signed link token) */
	ROUTE_BIG_BODY = 8,   /* body limit HTTP_BODY_LIMIT_IMPORT */
	ROUTE_OWN_TX = 16,    /* the handler makes its own transactions (an
			       * import in batches): it runs alone on the
			       * worker, outside any group (worker.h) */
	ROUTE_LIMITED = 32,   /* a public form post: at most
			       * public_posts_per_minute per client address */
	ROUTE_READ = 64,      /* a read that writes nothing but audit entries:
			       * with an API token it runs on a reader
			       * connection in parallel; its audit entries are
			       * then written by the worker, and the answer
			       * leaves only after they are durable */
	ROUTE_BLOCKS = 128    /* not on the worker, but slow (a password
			       * check): runs on an offload thread, never on
			       * a listener thread that serves many
			       * connections (offload.h) */
};

struct http_route {
	const char *method;
	const char *pattern;  /* "/api/v1/subjects/{id}"; "{}" matches one segment */
	http_handler fn;
	unsigned flags;
	const char *action;   /* the action a principal needs (staff.h), or NULL */
};

/* The route tables (each file that serves pages or API routes has one). */
extern const struct http_route http_routes_ops[];
extern const struct http_route http_routes_api[];
extern const struct http_route http_routes_staff[];
extern const struct http_route http_routes_self[];

/* ---- request helpers */

/* A query-string argument, or NULL. */
const char *http_query(const struct http_req *rq, const char *name);
/* A request header, or NULL. */
const char *http_header(const struct http_req *rq, const char *name);
/* A field of an urlencoded form body, or NULL. */
const char *http_form(const struct http_req *rq, const char *name);
/* Parses the body as a JSON object (NULL and a 400 answer in rs when it is
 * not one, or holds a key not in allowed (NULL-terminated list)). */
json_t *http_json_body(struct http_ctx *c, const char *const *allowed);

/* ---- response helpers (append; failures set rs->oom) */

void http_set_status(struct http_resp *rs, int status, const char *ctype);
void http_add_header(struct http_resp *rs, const char *name, const char *value);
void http_out(struct http_resp *rs, const char *s);
void http_outn(struct http_resp *rs, const char *s, size_t n);
void http_outf(struct http_resp *rs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s escaped for HTML text and attribute values. */
void http_esc(struct http_resp *rs, const char *s);
/* Appends s percent-encoded for a URL component. */
void http_urlenc(struct http_resp *rs, const char *s);

/* Answers with a JSON value (takes ownership). */
void http_json(struct http_resp *rs, int status, json_t *v);
/* Answers {"error":{"code":code,"message":msg}} with status. */
void http_json_error(struct http_resp *rs, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* The HTTP status and stable code for a library error. */
int http_status_for(enum sargs_rc rc);
const char *http_code_for(enum sargs_rc rc);
/* Answers a library error as JSON (status and code from rc, message from err). */
void http_json_err(struct http_resp *rs, const struct sargs_err *err);
/* Answers 303 See Other to location. */
void http_redirect(struct http_resp *rs, const char *location);

/* Picks "lv" or "en" for text: the principal's language, ?lang=, the "lang"
 * cookie, Accept-Language; Latvian by default. */
const char *http_lang(const struct http_req *rq);
/* Latvian or English text by the request's language. */
#define L(c, lv, en) ((c)->rq->lang[0] == 'e' ? (en) : (lv))

/* 1 when the caller is authenticated and may take action (for purpose). */
int http_may(const struct http_ctx *c, const char *action, const char *purpose);

/* Sets the actor of c->reg from the principal (or "web:public"). */
enum sargs_rc http_set_actor(struct http_ctx *c);

/* Fills rq->form from an urlencoded body (done by the server for POSTs). */
void http_parse_form(struct http_req *rq);
/* Percent-decodes s in place (+ as space); 0 on malformed input or a NUL. */
int http_urldecode(char *s);

void http_resp_reset(struct http_resp *rs);
void http_resp_free(struct http_resp *rs);

#endif
