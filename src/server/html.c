/*
 * html.c — page frames (html.h).
 */
#include "server/html.h"

#include "crypto/keys.h"

#include "domain/registry.h"
#include "server/server.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

static void nav_link(struct http_ctx *c, const char *href, const char *lv, const char *en,
		     const char *action)
{
	if (action && !http_may(c, action, NULL))
		return;
	http_out(c->rs, "<a href=\"");
	http_out(c->rs, href);
	http_out(c->rs, "\">");
	http_esc(c->rs, L(c, lv, en));
	http_out(c->rs, "</a> ");
}

void html_begin(struct http_ctx *c, enum html_frame frame, const char *title)
{
	const char *lang = c->rq->lang[0] == 'e' ? "en" : "lv";

	if (c->rs->status == 0)
		c->rs->status = 200;
	c->rs->ctype = "text/html; charset=utf-8";
	http_outf(c->rs, "<!doctype html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
			 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
			 "<title>", lang);
	http_esc(c->rs, title);
	http_out(c->rs, " · Sargs</title><link rel=\"stylesheet\" href=\"/static/sargs.css\">"
			"<script src=\"/static/sargs.js\" defer></script></head><body>\n");
	if (frame == HTML_STAFF && c->rq->authed && !c->rq->who.is_token) {
		struct srv_status st;

		http_out(c->rs, "<header class=\"top\"><a class=\"brand\" href=\"/\">Sargs</a><nav>");
		nav_link(c, "/console/search", "Meklēt", "Search", SARGS_ACT_SUBJECT_READ);
		nav_link(c, "/console/subjects/new", "Pievienot klientu", "Add customer",
			 SARGS_ACT_SUBJECT_WRITE);
		nav_link(c, "/console/requests", "Pieprasījumi", "Requests", SARGS_ACT_REQUEST_READ);
		nav_link(c, "/console/campaigns", "Kampaņas", "Campaigns", SARGS_ACT_CAMPAIGN_READ);
		nav_link(c, "/console/zones", "Vecie saraksti", "Legacy lists", SARGS_ACT_IMPORT);
		nav_link(c, "/console/audit", "Audita žurnāls", "Audit trail", SARGS_ACT_AUDIT_READ);
		http_out(c->rs, "</nav><span class=\"who\">");
		http_esc(c->rs, c->rq->who.name);
		http_out(c->rs, " (");
		http_esc(c->rs, c->rq->who.role);
		http_out(c->rs, ")</span><form method=\"post\" action=\"/logout\" class=\"inline\">");
		html_csrf(c);
		http_outf(c->rs, "<button type=\"submit\">%s</button></form></header>\n",
			  L(c, "Iziet", "Sign out"));
		srv_status_get(c->srv, &st);
		if (st.backup_error[0] && http_may(c, SARGS_ACT_AUDIT_READ, NULL)) {
			char msg[SARGS_ERR_BYTES + 128];

			(void)snprintf(msg, sizeof(msg), "%s %s",
				       L(c, "Ieplānotā rezerves kopija neizdevās:",
					 "The scheduled backup failed:"),
				       st.backup_error);
			html_note(c, "error", msg);
		}
	} else {
		http_out(c->rs, "<header class=\"top public\"><span class=\"brand\">Sargs</span></header>\n");
	}
	http_out(c->rs, "<main>\n");
}

void html_end(struct http_ctx *c)
{
	const char *other = c->rq->lang[0] == 'e' ? "lv" : "en";

	http_outf(c->rs, "</main>\n<footer><a href=\"?lang=%s\" hreflang=\"%s\">%s</a></footer>"
			 "</body></html>\n",
		  other, other, c->rq->lang[0] == 'e' ? "Latviski" : "English");
}

void html_csrf(struct http_ctx *c)
{
	if (!c->rq->authed || c->rq->who.is_token)
		return;
	http_out(c->rs, "<input type=\"hidden\" name=\"csrf\" value=\"");
	http_esc(c->rs, c->rq->who.csrf);
	http_out(c->rs, "\">");
}

void html_note(struct http_ctx *c, const char *kind, const char *text)
{
	http_outf(c->rs, "<p class=\"note %s\" role=\"%s\">", kind,
		  strcmp(kind, "error") == 0 ? "alert" : "status");
	http_esc(c->rs, text);
	http_out(c->rs, "</p>\n");
}

void html_session_cookie(struct http_ctx *c, const char *secret)
{
	char v[256];

	(void)snprintf(v, sizeof(v), "sargs_session=%s; Path=/; HttpOnly; SameSite=Strict%s%s",
		       secret, c->rq->https ? "; Secure" : "",
		       secret[0] ? "" : "; Max-Age=0");
	http_add_header(c->rs, "Set-Cookie", v);
	sargs_wipe(v, sizeof(v));
}

void html_time(struct http_ctx *c, int64_t us)
{
	char t[40];

	sargs_time_format(us, t, sizeof(t));
	http_esc(c->rs, t);
}

/* One item of the notice's change list, in the page's language. */
static void change_item(struct http_ctx *c, const char *item, size_t n)
{
	static const struct {
		const char *en, *lv;
	} prefix[] = {
		{"purposes added: ", "pievienoti nolūki: "},
		{"purposes changed: ", "mainīti nolūki: "},
		{"purposes removed: ", "izņemti nolūki: "},
		{"controller or contact changed", "mainīts pārzinis vai tā kontaktinformācija"},
		{"first version", "pirmā versija"},
		{"wording", "mainīts formulējums"},
	};
	const struct sargs_registry *r = NULL;
	struct sargs_err err;
	size_t i;

	if (sargs_reg_registry(c->reg, &r, &err) != SARGS_OK)
		r = NULL;
	http_out(c->rs, "<li>");
	for (i = 0; i < sizeof(prefix) / sizeof(prefix[0]); i++) {
		size_t pl = strlen(prefix[i].en);
		const char *p, *end = item + n;

		if (n < pl || memcmp(item, prefix[i].en, pl) != 0)
			continue;
		http_esc(c->rs, L(c, prefix[i].lv, prefix[i].en));
		/* the purposes by name where the registry still has them */
		for (p = item + pl; p < end;) {
			const char *q = p;
			char id[64];
			const struct sargs_purpose *pp;

			while (q < end && *q != ',')
				q++;
			(void)snprintf(id, sizeof(id), "%.*s", (int)(q - p), p);
			pp = r ? sargs_registry_purpose(r, id) : NULL;
			http_esc(c->rs, pp ? pp->name : id);
			if (q < end)
				http_out(c->rs, ", ");
			p = q < end ? q + 2 : end;
		}
		http_out(c->rs, "</li>\n");
		return;
	}
	{
		char buf[1024];

		(void)snprintf(buf, sizeof(buf), "%.*s", (int)n, item);
		http_esc(c->rs, buf);
	}
	http_out(c->rs, "</li>\n");
}

void html_notice_changes(struct http_ctx *c, const char *changes)
{
	const char *p, *end;

	http_out(c->rs, "<ul class=\"changes\">\n");
	for (p = changes, end = p + strlen(p); p < end;) {
		const char *q = strstr(p, "; ");

		if (!q)
			q = end;
		change_item(c, p, (size_t)(q - p));
		p = q < end ? q + 2 : end;
	}
	http_out(c->rs, "</ul>\n");
}
