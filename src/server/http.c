/*
 * http.c — request and response helpers for handlers (http.h).
 */
#include "server/http.h"

#include "crypto/keys.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define RESP_LIMIT (64u * 1024u * 1024u)

const char *http_query(const struct http_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(const struct http_req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *http_form(const struct http_req *rq, const char *name)
{
	size_t i;

	for (i = 0; i < rq->n_form; i++)
		if (strcmp(rq->form[i].name, name) == 0)
			return rq->form[i].value;
	return NULL;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int http_urldecode(char *s)
{
	char *r = s, *w = s;

	while (*r) {
		if (*r == '+') {
			*w++ = ' ';
			r++;
		} else if (*r == '%') {
			int h = hexval((unsigned char)r[1]), l;

			if (h < 0)
				return 0;
			l = hexval((unsigned char)r[2]);
			if (l < 0 || (h == 0 && l == 0))
				return 0;
			*w++ = (char)(h * 16 + l);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return 1;
}

void http_parse_form(struct http_req *rq)
{
	char *p, *save = NULL, *tok;
	char *copy;

	if (!rq->body || rq->n_form)
		return;
	copy = strdup(rq->body);
	if (!copy) {
		rq->form_bad = 1;
		return;
	}
	p = copy;
	for (tok = strtok_r(p, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');
		char *name, *value;

		if (rq->n_form >= HTTP_MAX_FORM) {
			rq->form_bad = 1;
			break;
		}
		if (eq)
			*eq = '\0';
		name = strdup(tok);
		value = strdup(eq ? eq + 1 : "");
		if (!name || !value || !http_urldecode(name) || !http_urldecode(value)) {
			if (value)
				sargs_wipe(value, strlen(value));
			free(name);
			free(value);
			rq->form_bad = 1;
			break;
		}
		rq->form[rq->n_form].name = name;
		rq->form[rq->n_form].value = value;
		rq->n_form++;
	}
	sargs_wipe(copy, rq->body_len);
	free(copy);
}

json_t *http_json_body(struct http_ctx *c, const char *const *allowed)
{
	json_error_t jerr;
	json_t *v;
	const char *key;
	json_t *val;

	if (!c->rq->body || c->rq->body_len == 0) {
		http_json_error(c->rs, 400, "body_missing", "the request needs a JSON object as its body");
		return NULL;
	}
	v = json_loadb(c->rq->body, c->rq->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v || !json_is_object(v)) {
		if (v)
			json_decref(v);
		http_json_error(c->rs, 400, "json_invalid",
				"the body is not a JSON object (line %d, column %d: %s)", jerr.line,
				jerr.column, v ? "not an object" : jerr.text);
		return NULL;
	}
	if (allowed) {
		json_object_foreach(v, key, val) {
			size_t i;
			int ok = 0;

			for (i = 0; allowed[i]; i++) {
				if (strcmp(allowed[i], key) == 0) {
					ok = 1;
					break;
				}
			}
			if (!ok) {
				http_json_error(c->rs, 400, "field_unknown",
						"unknown field \"%.64s\" in the body", key);
				json_decref(v);
				return NULL;
			}
		}
	}
	return v;
}

void http_set_status(struct http_resp *rs, int status, const char *ctype)
{
	rs->status = status;
	rs->ctype = ctype;
}

void http_add_header(struct http_resp *rs, const char *name, const char *value)
{
	char *n, *v;

	if (rs->n_headers >= HTTP_MAX_HEADERS) {
		rs->oom = 1;
		return;
	}
	n = strdup(name);
	v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		rs->oom = 1;
		return;
	}
	rs->headers[rs->n_headers].name = n;
	rs->headers[rs->n_headers].value = v;
	rs->n_headers++;
}

void http_outn(struct http_resp *rs, const char *s, size_t n)
{
	if (rs->body.limit == 0)
		sargs_strbuf_init(&rs->body, RESP_LIMIT);
	if (sargs_strbuf_add(&rs->body, s, n) != SARGS_OK)
		rs->oom = 1;
}

void http_out(struct http_resp *rs, const char *s)
{
	if (s)
		http_outn(rs, s, strlen(s));
}

void http_outf(struct http_resp *rs, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		sargs_wipe(buf, sizeof(buf));
		rs->oom = 1;
		return;
	}
	http_outn(rs, buf, (size_t)n);
	sargs_wipe(buf, (size_t)n); /* it may have held personal data */
}

void http_esc(struct http_resp *rs, const char *s)
{
	const char *run = s;

	if (!s)
		return;
	for (; *s; s++) {
		const char *rep = NULL;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: break;
		}
		if (rep) {
			http_outn(rs, run, (size_t)(s - run));
			http_out(rs, rep);
			run = s + 1;
		}
	}
	http_outn(rs, run, (size_t)(s - run));
}

void http_urlenc(struct http_resp *rs, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~') {
			http_outn(rs, (const char *)&ch, 1);
		} else {
			char e[3] = {'%', hex[ch >> 4], hex[ch & 15]};

			http_outn(rs, e, 3);
		}
	}
}

void http_json(struct http_resp *rs, int status, json_t *v)
{
	char *text;

	sargs_strbuf_reset(&rs->body);
	rs->status = status;
	rs->ctype = "application/json; charset=utf-8";
	if (!v) {
		rs->oom = 1;
		return;
	}
	text = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(v);
	if (!text) {
		rs->oom = 1;
		return;
	}
	http_out(rs, text);
	http_out(rs, "\n");
	sargs_wipe(text, strlen(text));
	free(text);
}

void http_json_error(struct http_resp *rs, int status, const char *code, const char *fmt, ...)
{
	char msg[SARGS_ERR_BYTES];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_json(rs, status, json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", msg));
}

int http_status_for(enum sargs_rc rc)
{
	switch (rc) {
	case SARGS_OK: return 200;
	case SARGS_E_INVALID:
	case SARGS_E_USAGE: return 400;
	case SARGS_E_NOTFOUND: return 404;
	case SARGS_E_EXISTS: return 409;
	case SARGS_E_DENIED: return 403;
	case SARGS_E_BUSY: return 503;
	default: return 500;
	}
}

const char *http_code_for(enum sargs_rc rc)
{
	switch (rc) {
	case SARGS_OK: return "ok";
	case SARGS_E_NOMEM: return "out_of_memory";
	case SARGS_E_INVALID: return "invalid";
	case SARGS_E_NOTFOUND: return "not_found";
	case SARGS_E_EXISTS: return "exists";
	case SARGS_E_DENIED: return "denied";
	case SARGS_E_IO: return "io_error";
	case SARGS_E_STORE: return "store_error";
	case SARGS_E_CRYPTO: return "crypto_error";
	case SARGS_E_SCHEMA: return "schema_error";
	case SARGS_E_BUSY: return "busy";
	case SARGS_E_TAMPERED: return "tampered";
	case SARGS_E_USAGE: return "invalid";
	default: return "error";
	}
}

void http_json_err(struct http_resp *rs, const struct sargs_err *err)
{
	http_json_error(rs, http_status_for(err->rc), http_code_for(err->rc), "%s",
			err->msg[0] ? err->msg : sargs_rc_str(err->rc));
}

void http_redirect(struct http_resp *rs, const char *location)
{
	sargs_strbuf_reset(&rs->body);
	rs->status = 303;
	rs->ctype = "text/plain; charset=utf-8";
	http_add_header(rs, "Location", location);
}

static int lang_ok(const char *s)
{
	return s && (strcmp(s, "lv") == 0 || strcmp(s, "en") == 0);
}

const char *http_lang(const struct http_req *rq)
{
	const char *q = http_query(rq, "lang");
	const char *al;

	if (lang_ok(q))
		return strcmp(q, "en") == 0 ? "en" : "lv";
	if (rq->authed && !rq->who.is_token && lang_ok(rq->who.lang))
		return rq->who.lang[0] == 'e' ? "en" : "lv";
	q = MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, "lang");
	if (lang_ok(q))
		return strcmp(q, "en") == 0 ? "en" : "lv";
	al = http_header(rq, "Accept-Language");
	if (al) {
		const char *lv = strstr(al, "lv"), *en = strstr(al, "en");

		if (en && (!lv || en < lv))
			return "en";
	}
	return "lv";
}

int http_may(const struct http_ctx *c, const char *action, const char *purpose)
{
	return c->rq->authed && sargs_principal_may(&c->rq->who, action, purpose);
}

enum sargs_rc http_set_actor(struct http_ctx *c)
{
	if (!c->reg)
		return SARGS_OK;
	if (c->rq->authed)
		return sargs_reg_set_actor(c->reg, c->rq->who.actor,
					   c->rq->who.is_token ? "api" : "web");
	return sargs_reg_set_actor(c->reg, "web:public", "web");
}

void http_resp_reset(struct http_resp *rs)
{
	size_t i;

	for (i = 0; i < rs->n_headers; i++) {
		/* a Set-Cookie value is a session secret */
		sargs_wipe(rs->headers[i].value, strlen(rs->headers[i].value));
		free(rs->headers[i].name);
		free(rs->headers[i].value);
	}
	rs->n_headers = 0;
	sargs_strbuf_reset(&rs->body);
	rs->status = 200;
	rs->ctype = "text/html; charset=utf-8";
	rs->oom = 0;
}

void http_resp_free(struct http_resp *rs)
{
	http_resp_reset(rs);
	sargs_strbuf_free(&rs->body);
}
