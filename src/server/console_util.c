/*
 * console_util.c — helpers the console's pages share (console.h).
 */
#include "server/console.h"

#include "domain/notice.h"
#include "domain/request.h"
#include "util/timeutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const struct sargs_registry *console_registry(struct http_ctx *c)
{
	const struct sargs_registry *r;
	struct sargs_err err;

	if (sargs_reg_registry(c->reg, &r, &err) != SARGS_OK) {
		console_message_page(c, 409, "error", L(c, "Nav nolūku", "No purposes"),
				     L(c, "Reģistrā vēl nav ielādēti nolūki (sargs purpose load).",
				       "No purposes are loaded in the register yet (sargs purpose load)."));
		return NULL;
	}
	return r;
}

const struct sargs_purpose *console_purpose(struct http_ctx *c, const struct sargs_registry *r,
					    const char *asked, const char *action,
					    int *refused)
{
	size_t i;

	if (refused)
		*refused = 0;
	if (asked && *asked) {
		const struct sargs_purpose *p = sargs_registry_purpose(r, asked);

		if (p && http_may(c, action, p->id))
			return p;
		if (refused)
			*refused = 1;
	}
	for (i = 0; i < r->n_purposes; i++)
		if (http_may(c, action, r->purposes[i].id))
			return &r->purposes[i];
	return NULL;
}

void console_purpose_select(struct http_ctx *c, const struct sargs_registry *r,
			    const char *selected, const char *action)
{
	size_t i;

	http_out(c->rs, "<select name=\"purpose\" id=\"purpose\">");
	for (i = 0; i < r->n_purposes; i++) {
		const struct sargs_purpose *p = &r->purposes[i];

		if (!http_may(c, action, p->id))
			continue;
		http_out(c->rs, "<option value=\"");
		http_esc(c->rs, p->id);
		http_out(c->rs, "\"");
		if (selected && strcmp(selected, p->id) == 0)
			http_out(c->rs, " selected");
		http_out(c->rs, ">");
		http_esc(c->rs, p->name);
		http_out(c->rs, "</option>");
	}
	http_out(c->rs, "</select>");
}

void console_message_page(struct http_ctx *c, int status, const char *kind, const char *title,
			  const char *text)
{
	http_resp_reset(c->rs);
	c->rs->status = status;
	html_begin(c, HTML_STAFF, title);
	http_out(c->rs, "<h1>");
	http_esc(c->rs, title);
	http_out(c->rs, "</h1>\n");
	html_note(c, kind, text);
	http_outf(c->rs, "<p><a href=\"/console\">%s</a></p>\n", L(c, "Uz sākumu", "Home"));
	html_end(c);
}

const char *console_basis_text(struct http_ctx *c, enum sargs_basis b)
{
	switch (b) {
	case SARGS_BASIS_CONSENT: return L(c, "piekrišana", "consent");
	case SARGS_BASIS_CONTRACT: return L(c, "līgums", "contract");
	case SARGS_BASIS_LEGAL_OBLIGATION: return L(c, "juridisks pienākums", "legal obligation");
	case SARGS_BASIS_VITAL_INTERESTS: return L(c, "vitālas intereses", "vital interests");
	case SARGS_BASIS_PUBLIC_TASK: return L(c, "sabiedrības intereses", "public task");
	case SARGS_BASIS_LEGITIMATE_INTERESTS:
		return L(c, "leģitīmās intereses", "legitimate interests");
	}
	return "?";
}

void console_day(struct http_ctx *c, int32_t day)
{
	char s[SARGS_DATE_STR + 8];

	sargs_request_day_str(day, s, sizeof(s));
	http_esc(c->rs, s);
}

struct last_notice {
	struct sargs_notice_version v;
	int found;
};

static int last_cb(void *ctx, const struct sargs_notice_version *v)
{
	struct last_notice *ln = ctx;

	ln->v = *v;
	ln->found = 1;
	return 0;
}

void console_notice_box(struct http_ctx *c)
{
	struct last_notice ln;
	struct sargs_err err;
	char day[40];

	memset(&ln, 0, sizeof(ln));
	if (sargs_notice_versions(c->reg, last_cb, &ln, &err) != SARGS_OK || !ln.found) {
		http_outf(c->rs, "<p class=\"muted\">%s</p>\n",
			  L(c, "Privātuma paziņojums vēl nav publicēts (sargs notice publish).",
			    "The privacy notice has not been published yet (sargs notice publish)."));
		return;
	}
	sargs_time_format_date(ln.v.published_us, day, sizeof(day));
	http_out(c->rs, "<div class=\"card notice\"><strong>");
	http_esc(c->rs, L(c, "Privātuma paziņojums", "Privacy notice"));
	http_outf(c->rs, "</strong> %s %lld, %s ", L(c, "versija", "version"),
		  (long long)ln.v.version, L(c, "mainīts", "changed on"));
	http_esc(c->rs, day);
	if (ln.v.changes[0])
		html_notice_changes(c, ln.v.changes);
	http_out(c->rs, "</div>\n");
}

int console_parse_id(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (!s || *s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v <= 0)
		return 0;
	*out = v;
	return 1;
}
