/*
 * console.h — the staff console's pages (console_*.c) and the few helpers
 * they share: the purpose picker (every read names a purpose the person's
 * role may act for), error pages, dates, the privacy notice's version.
 *
 * Every page escapes what it shows (http_esc); every form that changes
 * something carries html_csrf. Routes are in routes_staff.c.
 */
#ifndef SARGS_SERVER_CONSOLE_H
#define SARGS_SERVER_CONSOLE_H

#include "domain/registry.h"
#include "server/html.h"

#include <stdint.h>

/* ---- pages (GET) and actions (POST) */
void console_home(struct http_ctx *c);
void console_search(struct http_ctx *c);
void console_subject_new(struct http_ctx *c);
void console_subject_add(struct http_ctx *c);
void console_subject_card(struct http_ctx *c);
void console_consent_withdraw(struct http_ctx *c);
void console_requests(struct http_ctx *c);
void console_request_show(struct http_ctx *c);
void console_request_new(struct http_ctx *c);
void console_request_verify(struct http_ctx *c);
void console_request_fulfil(struct http_ctx *c);
void console_request_refuse(struct http_ctx *c);
void console_campaigns(struct http_ctx *c);
void console_zones(struct http_ctx *c);
void console_audit(struct http_ctx *c);

/* ---- helpers (console_util.c) */

/* The purpose registry, or NULL after writing an error page. */
const struct sargs_registry *console_registry(struct http_ctx *c);

/*
 * The purpose a page acts for: asked when it exists and the role may take
 * action for it, else the first such purpose in the registry (NULL when
 * there is none). *refused (may be NULL) is set when asked was given but
 * not allowed.
 */
const struct sargs_purpose *console_purpose(struct http_ctx *c, const struct sargs_registry *r,
					    const char *asked, const char *action,
					    int *refused);

/* <select name="purpose"> of the purposes the role may take action for. */
void console_purpose_select(struct http_ctx *c, const struct sargs_registry *r,
			    const char *selected, const char *action);

/* A whole page with a title and one message (status as given). */
void console_message_page(struct http_ctx *c, int status, const char *kind, const char *title,
			  const char *text);

/* The legal basis in words. */
const char *console_basis_text(struct http_ctx *c, enum sargs_basis b);

/* Writes a Latvian civil day (days since 1970-01-01) as YYYY-MM-DD. */
void console_day(struct http_ctx *c, int32_t day);

/* A short box with the privacy notice's current version, its date and what
 * changed (nothing when no notice was published). */
void console_notice_box(struct http_ctx *c);

/* 1 when s is a positive decimal number that fits; *out gets it. */
int console_parse_id(const char *s, int64_t *out);

#endif
