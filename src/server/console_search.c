/*
 * console_search.c — finding a customer by e-mail, phone, personal code
 * (through the blind index: nothing is decrypted to find them) or by name
 * (the blind index holds the first letters of each name word, util/namefold.h:
 * the names of the few people whose keys match, and whom the chosen purpose
 * may be used for, are read, each read audited as "subject.search", and
 * compared). Every search names a purpose, and
 * the results show only what that purpose may see.
 */
#include "server/console.h"

#include "domain/access.h"
#include "domain/relation.h"
#include "domain/subject.h"
#include "store/store.h"
#include "util/namefold.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_SHOW_MAX 50        /* results shown */
#define SEARCH_NAME_READS 500         /* names a search reads (and audits) at most */

/* What kind of value q is: "email", "personal_code", "phone" or "name". */
static const char *query_kind(const char *q)
{
	size_t digits = 0, other = 0, i;

	if (strchr(q, '@'))
		return "email";
	for (i = 0; q[i]; i++) {
		if (isdigit((unsigned char)q[i]))
			digits++;
		else if (!strchr(" +-()", q[i]))
			other++;
	}
	if (other > 0 || digits == 0)
		return "name";
	/* a Latvian personal code: 11 digits, "DDMMYY-NNNNN" or "32NNNN-NNNNN" */
	if (digits == 11 && q[0] != '+' && (strlen(q) == 11 || (strlen(q) == 12 && q[6] == '-')))
		return "personal_code";
	return "phone";
}

static void kind_text(struct http_ctx *c, const char *kind)
{
	if (strcmp(kind, "email") == 0)
		http_out(c->rs, L(c, "e-pasta", "e-mail"));
	else if (strcmp(kind, "phone") == 0)
		http_out(c->rs, L(c, "tālruņa", "phone"));
	else if (strcmp(kind, "personal_code") == 0)
		http_out(c->rs, L(c, "personas koda", "personal code"));
	else
		http_out(c->rs, L(c, "vārda", "name"));
}

static void result_head(struct http_ctx *c)
{
	http_outf(c->rs, "<table class=\"results\"><thead><tr><th>%s</th><th>%s</th><th></th></tr>"
			 "</thead><tbody>\n",
		  L(c, "Vārds", "Name"), L(c, "Kontakti", "Contact"));
}

/* One row: the name and contact the purpose may see, and a link to the card. */
static void result_row(struct http_ctx *c, const char *id, const char *purpose,
		       const struct sargs_subject_view *v, const char *refusal)
{
	const char *fn = v ? sargs_subject_view_field(v, "first_name") : NULL;
	const char *ln = v ? sargs_subject_view_field(v, "last_name") : NULL;
	const char *em = v ? sargs_subject_view_field(v, "email") : NULL;
	const char *ph = v ? sargs_subject_view_field(v, "phone") : NULL;

	http_out(c->rs, "<tr><td>");
	if (fn || ln) {
		http_esc(c->rs, fn ? fn : "");
		http_out(c->rs, " ");
		http_esc(c->rs, ln ? ln : "");
	} else if (refusal) {
		http_out(c->rs, "<span class=\"muted\">");
		http_esc(c->rs, refusal);
		http_out(c->rs, "</span>");
	} else {
		http_out(c->rs, "<span class=\"muted\">—</span>");
	}
	http_out(c->rs, "</td><td>");
	if (em)
		http_esc(c->rs, em);
	if (em && ph)
		http_out(c->rs, "<br>");
	if (ph)
		http_esc(c->rs, ph);
	http_out(c->rs, "</td><td><a href=\"/console/subjects/");
	http_urlenc(c->rs, id);
	http_out(c->rs, "?purpose=");
	http_urlenc(c->rs, purpose);
	http_outf(c->rs, "\">%s</a></td></tr>\n", L(c, "Atvērt kartīti", "Open card"));
}

/* By e-mail, phone or personal code: the blind index, then a purpose-bound
 * read of each match. */
static int search_typed(struct http_ctx *c, const char *kind, const char *q,
			const struct sargs_purpose *p)
{
	char(*ids)[SARGS_UUID_STR] = NULL;
	size_t n = 0, i;
	struct sargs_err err;
	enum sargs_rc rc;

	rc = sargs_subject_find(c->reg, kind, q, &ids, &n, &err);
	if (rc == SARGS_E_INVALID) {
		html_note(c, "error", err.msg);
		return 0;
	}
	if (rc != SARGS_OK) {
		http_resp_reset(c->rs);
		console_message_page(c, 500, "error", L(c, "Kļūda", "Error"), err.msg);
		return -1;
	}
	if (n > 0)
		result_head(c);
	for (i = 0; i < n && i < SEARCH_SHOW_MAX; i++) {
		struct sargs_subject_view v;
		struct sargs_policy_decision d;

		memset(&v, 0, sizeof(v));
		memset(&d, 0, sizeof(d));
		rc = sargs_read_for_purpose(c->reg, ids[i], p->id,
					    http_may(c, SARGS_ACT_SUBJECT_READ_SPECIAL, p->id), &v,
					    &d, &err);
		if (rc == SARGS_OK) {
			result_row(c, ids[i], p->id, &v, NULL);
		} else if (rc == SARGS_E_DENIED || rc == SARGS_E_NOTFOUND) {
			result_row(c, ids[i], p->id, NULL,
				   L(c, "šim nolūkam nav pieejams", "not available for this purpose"));
		} else {
			sargs_subject_view_free(&v);
			free(ids);
			console_message_page(c, 500, "error", L(c, "Kļūda", "Error"), err.msg);
			return -1;
		}
		sargs_subject_view_free(&v);
	}
	if (n > 0)
		http_out(c->rs, "</tbody></table>\n");
	free(ids);
	return (int)n;
}

/* By name: the people whose name keys match (the blind index, nothing
 * decrypted to find them), then, of those the purpose is lawful for now,
 * the name fields the purpose lists are read (audited) and compared. */
struct name_rows {
	struct http_ctx *c;
	const struct sargs_purpose *p;
	size_t shown;
};

static int name_row(void *ctx, const char *id, const struct sargs_subject_view *v)
{
	struct name_rows *nr = ctx;

	if (nr->shown++ == 0)
		result_head(nr->c);
	result_row(nr->c, id, nr->p->id, v, NULL);
	return 0;
}

static int search_name(struct http_ctx *c, const char *q, const struct sargs_purpose *p)
{
	struct name_rows nr = {c, p, 0};
	struct sargs_err err;
	size_t n = 0;
	int more = 0;
	enum sargs_rc rc;

	if (!sargs_purpose_field(p, "first_name") && !sargs_purpose_field(p, "last_name")) {
		html_note(c, "warn", L(c, "Šim nolūkam vārds netiek glabāts. Meklējiet pēc e-pasta, "
					  "tālruņa vai personas koda, vai izvēlieties citu nolūku.",
				       "This purpose keeps no names. Search by e-mail, phone or "
				       "personal code, or choose another purpose."));
		return 0;
	}
	if (strlen(q) < 2) {
		html_note(c, "warn", L(c, "Ievadiet vismaz divus burtus.",
				       "Type at least two letters."));
		return 0;
	}
	rc = sargs_find_by_name(c->reg, q, p->id, SEARCH_SHOW_MAX, SEARCH_NAME_READS, name_row, &nr,
				&n, &more, &err);
	if (rc == SARGS_E_INVALID) {
		html_note(c, "warn", L(c, "Ievadiet vārdu vai uzvārdu (vai to sākumu).",
				       "Type a first or last name (or how it begins)."));
		return 0;
	}
	if (rc != SARGS_OK) {
		console_message_page(c, 500, "error", L(c, "Kļūda", "Error"), err.msg);
		return -1;
	}
	if (nr.shown > 0)
		http_out(c->rs, "</tbody></table>\n");
	if (nr.shown == 0 && sargs_name_keyed_words(q) == 0)
		html_note(c, "info", L(c, "Ievadiet vismaz trīs vārda vai uzvārda burtus.",
				       "Type at least three letters of a first or last name."));
	if (more)
		html_note(c, "info", L(c, "Atrasti ne visi: ierakstiet vairāk burtu vai arī uzvārdu.",
				       "Not all are shown: type more letters, or the last name too."));
	return (int)nr.shown;
}

void console_search(struct http_ctx *c)
{
	const struct sargs_registry *r = console_registry(c);
	const char *q = http_query(c->rq, "q");
	const struct sargs_purpose *p;
	int refused = 0, found = 0;
	const char *kind;

	if (!r)
		return;
	p = console_purpose(c, r, http_query(c->rq, "purpose"), SARGS_ACT_SUBJECT_READ, &refused);
	if (!p) {
		console_message_page(c, 403, "error", L(c, "Meklēt", "Search"),
				     L(c, "Jūsu lomai nav neviena nolūka, kam lasīt klientu datus.",
				       "Your role may not read customers' data for any purpose."));
		return;
	}
	html_begin(c, HTML_STAFF, L(c, "Meklēt klientu", "Find a customer"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Meklēt klientu", "Find a customer"));
	if (refused)
		html_note(c, "error", L(c, "Jūsu lomai šis nolūks nav atļauts; izvēlēts cits.",
					"Your role may not act for that purpose; another one is chosen."));
	http_outf(c->rs, "<form method=\"get\" action=\"/console/search\" class=\"card search\">"
			 "<label>%s <input name=\"q\" required maxlength=\"200\" value=\"",
		  L(c, "Vārds, e-pasts, tālrunis vai personas kods",
		    "Name, e-mail, phone or personal code"));
	http_esc(c->rs, q ? q : "");
	http_outf(c->rs, "\"></label><label>%s <span class=\"why\">%s</span> ",
		  L(c, "Nolūks", "Purpose"),
		  L(c, "— kāpēc jūs skatāties šos datus (tiek ierakstīts auditā)",
		    "— why you are looking (recorded in the audit trail)"));
	console_purpose_select(c, r, p->id, SARGS_ACT_SUBJECT_READ);
	http_outf(c->rs, "</label><button type=\"submit\">%s</button></form>\n", L(c, "Meklēt", "Search"));
	if (q && *q) {
		if (strlen(q) > 200) {
			html_note(c, "error", L(c, "Meklējamais teksts ir par garu.", "The search text is too long."));
		} else {
			kind = query_kind(q);
			http_outf(c->rs, "<p class=\"muted\">%s ", L(c, "Meklēts pēc", "Searched by"));
			kind_text(c, kind);
			http_outf(c->rs, "; %s: ", L(c, "nolūks", "purpose"));
			http_esc(c->rs, p->name);
			http_out(c->rs, "</p>\n");
			if (strcmp(kind, "name") == 0)
				found = search_name(c, q, p);
			else
				found = search_typed(c, kind, q, p);
			if (found < 0)
				return;
			if (found == 0)
				html_note(c, "warn", L(c, "Neviens klients netika atrasts.", "No customer was found."));
		}
	}
	html_end(c);
}
