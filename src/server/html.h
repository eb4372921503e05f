/*
 * html.h — the frame of every page: head, the staff console's navigation
 * (with the warning when scheduled backups fail), the customers' plain
 * frame, hidden CSRF fields, cookies. Everything shown goes through
 * http_esc.
 */
#ifndef SARGS_SERVER_HTML_H
#define SARGS_SERVER_HTML_H

#include "server/http.h"

enum html_frame {
	HTML_STAFF,     /* the staff console: navigation, sign-out */
	HTML_PUBLIC     /* customers' pages and sign-in: no navigation */
};

/* Starts a page (status 200 unless set before) with an escaped title. */
void html_begin(struct http_ctx *c, enum html_frame frame, const char *title);
void html_end(struct http_ctx *c);

/* <input type=hidden name=csrf value=...> for the signed-in person's forms. */
void html_csrf(struct http_ctx *c);

/* A message box: kind "ok", "error" or "warn"; text escaped. */
void html_note(struct http_ctx *c, const char *kind, const char *text);

/* Sets the session cookie (HttpOnly, SameSite=Strict, Secure on HTTPS);
 * an empty secret clears it. */
void html_session_cookie(struct http_ctx *c, const char *secret);

/* Formats µs since the epoch as "YYYY-MM-DD HH:MM" (Europe/Riga is not
 * assumed: UTC with a "UTC" suffix). */
void html_time(struct http_ctx *c, int64_t us);

/* A notice version's "what changed" ("a; b; c", notice.h) as a list in the
 * page's language, purposes by their names. */
void html_notice_changes(struct http_ctx *c, const char *changes);

#endif
