/*
 * self.h — customers' own pages, reached without an account
 * (docs/selfservice.md):
 *
 *   /u/{token}          RFC 8058 one-click unsubscribe (routes_self.c)
 *   /p/{token}          preferences: consents, objections, a copy or
 *                       erasure, reached through a signed, expiring link
 *                       (self_prefs.c)
 *   /request            asking for a copy of one's data or for erasure
 *                       (self_request.c)
 *   /form               the collection form a web shop embeds or links
 *                       (self_form.c)
 *   /privacy            the full privacy notice and its versions
 *
 * The shared pieces (self_common.c): preference links, the signed form
 * token that carries the privacy notice version shown, and the notice's
 * version line with what changed (004 §13.2-13.3).
 */
#ifndef SARGS_SERVER_SELF_H
#define SARGS_SERVER_SELF_H

#include "crypto/token.h"
#include "domain/notice.h"
#include "server/http.h"
#include "server/server.h"
#include "util/uuid.h"

#include <stddef.h>
#include <stdint.h>

#define SELF_PREFS_KIND "prefs"   /* token kind of preference links */
#define SELF_FORM_KIND "form"     /* token kind of the pages' form tokens */
#define SELF_FORM_HOURS 24        /* a form token's validity */

/*
 * Writes the preference link of a subject to out: cfg->public_url (or
 * nothing: a path from the root when it is empty) + "/p/" + a "prefs"
 * token carrying the subject id, valid cfg->link_days days. SARGS_E_INVALID
 * when subject_id is not an id or out is too small (out is then "").
 * Checks nothing in the register: a link for an erased subject opens a
 * page saying there is nothing to show.
 */
enum sargs_rc self_prefs_link(struct sargs_reg *reg, const struct srv_config *cfg,
			      const char *subject_id, char *out, size_t out_size) SARGS_WUR;

/* Makes the token of a preference link (no URL) for subject_id, valid days. */
enum sargs_rc self_prefs_token(struct sargs_reg *reg, const char *subject_id, int days,
			       char out[SARGS_TOKEN_MAX]) SARGS_WUR;

/*
 * Opens a preference token: *subject_id gets the subject. On failure the
 * page saying why (forged, of another kind, expired; nothing changed) is
 * written to c with its status, and the result is not SARGS_OK.
 */
enum sargs_rc self_prefs_open(struct http_ctx *c, const char *token,
			      char subject_id[SARGS_UUID_STR]) SARGS_WUR;

/*
 * The privacy notice as customers see it: publishes the current notice
 * when it differs from the latest version (so what a page shows is always a
 * published version a consent can name), then fills *v with it.
 */
enum sargs_rc self_notice_current(struct http_ctx *c, struct sargs_notice_version *v,
				  struct sargs_err *err) SARGS_WUR;

/* Writes the version line ("Privacy notice, version N of DATE") and, when
 * it changed from an earlier version, the list of what changed. */
void self_notice_line(struct http_ctx *c, const struct sargs_notice_version *v);

/* A hidden field "ft": a signed token of kind "form" naming which form
 * (one letter) and the notice version shown, valid SELF_FORM_HOURS. */
void self_form_token_field(struct http_ctx *c, char form, int64_t notice_version);

/* Checks the posted "ft" for form; *notice_version gets the version shown.
 * Not SARGS_OK when missing, forged, of another form or expired. */
enum sargs_rc self_form_token_check(struct http_ctx *c, char form, int64_t *notice_version,
				    struct sargs_err *err) SARGS_WUR;

/* Starts a customer's page: html_begin and the page's own stylesheet. */
void self_begin(struct http_ctx *c, const char *title);

/* Opens a request of kind (access, erasure, ...) that waits for the person
 * to be identified (state "verifying"); subject_id may be NULL. */
enum sargs_rc self_request_open(struct http_ctx *c, const char *kind, const char *channel,
				const char *subject_id, const char *name, const char *contact,
				int64_t *id, struct sargs_err *err) SARGS_WUR;

/* The handlers (route table in routes_self.c). */
void self_prefs_get(struct http_ctx *c);
void self_prefs_post(struct http_ctx *c);
void self_request_get(struct http_ctx *c);
void self_request_post(struct http_ctx *c);
void self_form_get(struct http_ctx *c);
void self_form_post(struct http_ctx *c);
void self_privacy_get(struct http_ctx *c);

#endif
