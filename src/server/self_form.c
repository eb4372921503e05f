/*
 * self_form.c — the collection form a business embeds in its web shop (an
 * <iframe>) or links to: /form, and the full privacy notice: /privacy.
 *
 * The form asks consent one purpose at a time through boxes that are never
 * ticked by us (003; CJEU C-673/17 Planet49), shows each field's purpose,
 * marks the optional ones with why they are asked (mission §2), and shows
 * the short notice (who, why, how long, the rights; GDPR Art. 13; 004
 * §13.1-13.2) before the button. Only the fields the ticked purposes use
 * are stored (Art. 5(1)(c)). Consent records the channel "web_form", the
 * form "sargs-collection-form" and the privacy notice version the page
 * showed, carried by the signed form token (GDPR Art. 7(1): provable).
 *
 * Only this form may be framed by another site (server.c reads the
 * X-Sargs-Embeddable header); every other page forbids it.
 */
#include "server/self.h"

#include "domain/consent.h"
#include "domain/registry.h"
#include "domain/subject.h"
#include "server/html.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COLLECT_FORM 'c'
#define COLLECT_FORM_ID "sargs-collection-form"
#define MAX_PURPOSES 32
#define MAX_FIELDS 48

struct shown {
	const struct sargs_purpose *p[MAX_PURPOSES];
	size_t n_p;
	const char *field[MAX_FIELDS];
	size_t n_field;
};

static int is_offered(const struct sargs_purpose *p)
{
	return p->basis == SARGS_BASIS_CONSENT;
}

static void add_field(struct shown *s, const struct sargs_registry *r, const char *name)
{
	const struct sargs_field_def *d = sargs_registry_field(r, name);
	size_t i;

	if (!d || d->derived) /* recorded by the business, never asked */
		return;
	for (i = 0; i < s->n_field; i++)
		if (strcmp(s->field[i], name) == 0)
			return;
	if (s->n_field < MAX_FIELDS)
		s->field[s->n_field++] = name;
}

/* The purposes the form offers (only= one of them) and their fields. */
static void shown_fill(struct shown *s, const struct sargs_registry *r, const char *only)
{
	size_t i, j;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < r->n_purposes && s->n_p < MAX_PURPOSES; i++) {
		const struct sargs_purpose *p = &r->purposes[i];

		if (!is_offered(p) || (only && only[0] && strcmp(only, p->id) != 0))
			continue;
		s->p[s->n_p++] = p;
		for (j = 0; j < p->n_fields; j++)
			add_field(s, r, p->fields[j].field);
	}
}

/* 1 when the posted form ticked purpose id. */
static int ticked(const struct http_req *rq, const char *id)
{
	size_t i;

	for (i = 0; i < rq->n_form; i++)
		if (strcmp(rq->form[i].name, "consent") == 0 && strcmp(rq->form[i].value, id) == 0)
			return 1;
	return 0;
}

static const char *posted_field(const struct http_req *rq, const char *field)
{
	char name[80];

	(void)snprintf(name, sizeof(name), "f_%s", field);
	return http_form(rq, name);
}

static const char *input_type(enum sargs_field_type t)
{
	switch (t) {
	case SARGS_FT_EMAIL: return "email";
	case SARGS_FT_PHONE: return "tel";
	case SARGS_FT_DATE: return "date";
	default: return "text";
	}
}

static void field_input(struct http_ctx *c, const struct sargs_registry *r, const struct shown *s,
			const char *field)
{
	const struct sargs_field_def *d = sargs_registry_field(r, field);
	const char *v = c->rq->n_form ? posted_field(c->rq, field) : NULL;
	const char *why = NULL;
	int needed_by = 0;
	size_t i;

	http_outf(c->rs, "<label class=\"field\">");
	http_esc(c->rs, d->label ? d->label : field);
	http_outf(c->rs, " <input type=\"%s\" name=\"f_", input_type(d->type));
	http_esc(c->rs, field);
	http_out(c->rs, "\" value=\"");
	http_esc(c->rs, v ? v : "");
	http_out(c->rs, "\">");
	for (i = 0; i < s->n_p; i++) {
		const struct sargs_purpose_field *pf = sargs_purpose_field(s->p[i], field);

		if (!pf)
			continue;
		if (pf->required) {
			http_out(c->rs, needed_by++ ? ", " : "<span class=\"need\">");
			if (needed_by == 1)
				http_esc(c->rs, L(c, "vajadzīgs: ", "needed for: "));
			http_esc(c->rs, s->p[i]->name);
		} else if (!why && pf->why) {
			why = pf->why;
		}
	}
	if (needed_by)
		http_out(c->rs, "</span>");
	if (!needed_by || why) {
		http_outf(c->rs, "<span class=\"why\">%s ", L(c, "Nav obligāts.", "Optional."));
		if (why)
			http_esc(c->rs, why);
		http_out(c->rs, "</span>");
	}
	http_out(c->rs, "</label>\n");
}

static void short_notices(struct http_ctx *c, const struct shown *s)
{
	size_t i;

	http_outf(c->rs, "<section class=\"short-notice\" id=\"notice\"><h2>%s</h2>\n",
		  L(c, "Pirms nosūtāt", "Before you send"));
	for (i = 0; i < s->n_p; i++) {
		struct sargs_err err;
		char *text = NULL;

		if (sargs_notice_short(c->reg, s->p[i]->id, c->rq->lang[0] == 'e' ? "en" : "lv",
				       SARGS_NOTICE_HTML, &text, &err) != SARGS_OK)
			continue;
		http_out(c->rs, "<div class=\"purpose-notice\">");
		http_out(c->rs, text); /* cmark: business text escaped, no raw HTML */
		http_out(c->rs, "</div>\n");
		free(text);
	}
	http_outf(c->rs, "<p>%s</p></section>\n",
		  L(c, "Piekrišanu var atsaukt jebkurā brīdī, tikpat vienkārši kā to dot: katrā mūsu "
		       "ziņā ir saite. Atsaukšana neietekmē iepriekš notikušo apstrādi.",
		    "You may withdraw consent at any time, as easily as you gave it: every message "
		    "from us has a link. Withdrawal does not affect processing before it."));
}

static void form_page(struct http_ctx *c, const char *note_kind, const char *note)
{
	const struct sargs_registry *r = NULL;
	struct sargs_notice_version nv;
	struct sargs_err err;
	struct shown s;
	const char *only = c->rq->n_form ? http_form(c->rq, "only") : http_query(c->rq, "purpose");
	size_t i;

	http_add_header(c->rs, "X-Sargs-Embeddable", "1");
	if (sargs_reg_registry(c->reg, &r, &err) != SARGS_OK) {
		c->rs->status = 503;
		self_begin(c, L(c, "Pieteikšanās", "Sign up"));
		html_note(c, "error", L(c, "Veidlapa vēl nav gatava.", "The form is not ready yet."));
		html_end(c);
		return;
	}
	shown_fill(&s, r, only);
	if (self_notice_current(c, &nv, &err) != SARGS_OK)
		memset(&nv, 0, sizeof(nv));
	self_begin(c, L(c, "Pieteikšanās", "Sign up"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Pieteikšanās", "Sign up"));
	if (note)
		html_note(c, note_kind, note);
	if (s.n_p == 0) {
		html_note(c, "warn", L(c, "Šobrīd nav nekā, kam pieteikties.",
				       "There is nothing to sign up for now."));
		html_end(c);
		return;
	}
	http_out(c->rs, "<form method=\"post\" action=\"/form\" class=\"stack collect\">\n");
	self_form_token_field(c, COLLECT_FORM, nv.version);
	if (only && only[0]) {
		http_out(c->rs, "<input type=\"hidden\" name=\"only\" value=\"");
		http_esc(c->rs, only);
		http_out(c->rs, "\">");
	}
	http_outf(c->rs, "<fieldset><legend>%s</legend>\n",
		  L(c, "Kam jūs piekrītat (katrs atsevišķi)", "What you agree to (each on its own)"));
	for (i = 0; i < s.n_p; i++) {
		const struct sargs_purpose *p = s.p[i];

		/* 003; Planet49: never ticked by us (only the person's own tick
		 * survives a re-display) */
		http_out(c->rs, "<label class=\"check\"><input type=\"checkbox\" name=\"consent\" value=\"");
		http_esc(c->rs, p->id);
		http_outf(c->rs, "\"%s> <span><strong>", c->rq->n_form && ticked(c->rq, p->id) ? " checked" : "");
		http_esc(c->rs, p->name);
		http_out(c->rs, "</strong>");
		if (p->description) {
			http_out(c->rs, "<br><span class=\"why\">");
			http_esc(c->rs, p->description);
			http_out(c->rs, "</span>");
		}
		http_out(c->rs, "</span></label>\n");
	}
	http_outf(c->rs, "</fieldset>\n<fieldset><legend>%s</legend>\n",
		  L(c, "Jūsu dati", "Your details"));
	for (i = 0; i < s.n_field; i++)
		field_input(c, r, &s, s.field[i]);
	http_out(c->rs, "</fieldset>\n");
	short_notices(c, &s);
	self_notice_line(c, &nv);
	http_outf(c->rs, "<button type=\"submit\">%s</button>\n</form>\n",
		  L(c, "Nosūtīt", "Send"));
	html_end(c);
}

void self_form_get(struct http_ctx *c)
{
	form_page(c, NULL, NULL);
}

static void refuse(struct http_ctx *c, const char *msg)
{
	c->rs->status = 400;
	form_page(c, "error", msg);
}

void self_form_post(struct http_ctx *c)
{
	static const char *const lookup[][2] = {
		{"email", "email"}, {"phone", "phone"}, {"personal_code", "personal_code"}};
	const struct sargs_registry *r = NULL;
	const char *purposes[MAX_PURPOSES];
	struct sargs_kv kv[MAX_FIELDS];
	struct sargs_subject_input in;
	struct sargs_consent_proof proof;
	struct sargs_err err;
	struct shown all;
	char id[SARGS_UUID_STR], msg[SARGS_ERR_BYTES + 200];
	size_t i, j, n_p = 0, n_kv = 0;
	int64_t version = 0;
	int exists = 0;
	enum sargs_rc rc;

	if (self_form_token_check(c, COLLECT_FORM, &version, &err) != SARGS_OK) {
		refuse(c, L(c, "Veidlapa ir novecojusi vai bojāta. Nekas netika saglabāts; "
			       "mēģiniet vēlreiz.",
			    "The form is too old or damaged. Nothing was stored; please try again."));
		return;
	}
	if (sargs_reg_registry(c->reg, &r, &err) != SARGS_OK) {
		refuse(c, err.msg);
		return;
	}
	shown_fill(&all, r, NULL);
	for (i = 0; i < c->rq->n_form; i++) {
		const struct sargs_purpose *p;

		if (strcmp(c->rq->form[i].name, "consent") != 0)
			continue;
		p = sargs_registry_purpose(r, c->rq->form[i].value);
		if (!p || !is_offered(p)) {
			refuse(c, L(c, "Nezināms nolūks. Nekas netika saglabāts.",
				    "Unknown purpose. Nothing was stored."));
			return;
		}
		for (j = 0; j < n_p && strcmp(purposes[j], p->id) != 0; j++)
			;
		if (j == n_p && n_p < MAX_PURPOSES)
			purposes[n_p++] = p->id;
	}
	if (n_p == 0) {
		refuse(c, L(c, "Jūs neko neatzīmējāt, tāpēc nekas netika saglabāts.",
			    "You ticked nothing, so nothing was stored."));
		return;
	}
	/* the fields of the ticked purposes only; required ones must be there */
	for (i = 0; i < all.n_field; i++) {
		const char *f = all.field[i], *v = posted_field(c->rq, f);
		int used = 0;

		for (j = 0; j < n_p; j++) {
			const struct sargs_purpose_field *pf =
				sargs_purpose_field(sargs_registry_purpose(r, purposes[j]), f);

			if (!pf)
				continue;
			used = 1;
			if (pf->required && (!v || !v[0])) {
				const struct sargs_field_def *d = sargs_registry_field(r, f);

				(void)snprintf(msg, sizeof(msg), "%s \"%s\". %s",
					       L(c, "Trūkst lauka", "Missing the field"),
					       d && d->label ? d->label : f,
					       L(c, "Nekas netika saglabāts.", "Nothing was stored."));
				refuse(c, msg);
				return;
			}
		}
		if (used && v && v[0] && n_kv < MAX_FIELDS) {
			kv[n_kv].name = f;
			kv[n_kv].value = v;
			n_kv++;
		}
	}
	/* one person, one record (mission §6): a known contact changes nothing
	 * here, and the answer does not tell whether it was known */
	for (i = 0; i < n_kv && !exists; i++)
		for (j = 0; j < sizeof(lookup) / sizeof(lookup[0]); j++) {
			const struct sargs_field_def *d = sargs_registry_field(r, kv[i].name);
			int found = 0;

			if (!d || strcmp(kv[i].name, lookup[j][0]) != 0)
				continue;
			if (sargs_subject_exists_by(c->reg, lookup[j][1], kv[i].value, id, &found,
						    &err) == SARGS_OK &&
			    found)
				exists = 1;
		}
	if (!exists) {
		memset(&in, 0, sizeof(in));
		in.purposes = purposes;
		in.n_purposes = n_p;
		in.source = "person";
		in.fields = kv;
		in.n_fields = n_kv;
		memset(&proof, 0, sizeof(proof));
		proof.channel = "web_form";
		proof.form = COLLECT_FORM_ID;
		proof.notice_version = version;
		rc = sargs_reg_begin(c->reg, &err);
		if (rc == SARGS_OK) {
			rc = sargs_subject_add(c->reg, &in, id, &err);
			for (i = 0; rc == SARGS_OK && i < n_p; i++)
				rc = sargs_consent_give(c->reg, id, purposes[i], &proof, NULL, &err);
			rc = sargs_reg_end(c->reg, rc, &err);
		}
		if (rc != SARGS_OK) {
			if (http_status_for(err.rc) >= 500) {
				c->rs->status = 500;
				self_begin(c, L(c, "Kļūda", "Error"));
				html_note(c, "error", L(c, "Neizdevās saglabāt; nekas netika saglabāts.",
							"It could not be saved; nothing was stored."));
				html_end(c);
				return;
			}
			(void)snprintf(msg, sizeof(msg), "%s %s",
				       L(c, "Nekas netika saglabāts:", "Nothing was stored:"), err.msg);
			refuse(c, msg);
			return;
		}
	}
	http_add_header(c->rs, "X-Sargs-Embeddable", "1");
	self_begin(c, L(c, "Paldies", "Thank you"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Paldies", "Thank you"));
	html_note(c, "ok", L(c, "Jūsu izvēle ir saņemta.", "Your choice has been received."));
	http_outf(c->rs, "<p>%s</p>\n",
		  L(c, "Piekrišanu varat atsaukt jebkurā brīdī: katrā mūsu ziņā ir saite uz jūsu "
		       "izvēlēm. Ja jau bijāt mūsu klients, šeit nekas netika mainīts; izmantojiet "
		       "saiti mūsu ziņās.",
		    "You may withdraw consent at any time: every message from us has a link to "
		    "your choices. If you were already our customer, nothing was changed here; use "
		    "the link in our messages."));
	html_end(c);
}

static int version_row(void *ctx, const struct sargs_notice_version *v)
{
	struct http_ctx *c = ctx;
	char date[SARGS_DATE_STR];

	sargs_time_format_date(v->published_us, date, sizeof(date));
	http_outf(c->rs, "<tr><td>%lld</td><td>%s</td><td>", (long long)v->version, date);
	http_esc(c->rs, v->changes);
	http_out(c->rs, "</td></tr>\n");
	return 0;
}

void self_privacy_get(struct http_ctx *c)
{
	struct sargs_notice_version nv;
	struct sargs_err err;
	char *text = NULL;

	if (self_notice_current(c, &nv, &err) != SARGS_OK)
		memset(&nv, 0, sizeof(nv));
	if (sargs_notice_render(c->reg, c->rq->lang[0] == 'e' ? "en" : "lv", SARGS_NOTICE_HTML,
				&text, &err) != SARGS_OK) {
		c->rs->status = http_status_for(err.rc) >= 500 ? 503 : http_status_for(err.rc);
		self_begin(c, L(c, "Privātuma paziņojums", "Privacy notice"));
		html_note(c, "error", L(c, "Privātuma paziņojums vēl nav sagatavots.",
					"The privacy notice is not ready yet."));
		html_end(c);
		return;
	}
	self_begin(c, L(c, "Privātuma paziņojums", "Privacy notice"));
	self_notice_line(c, &nv);
	http_out(c->rs, "<article class=\"privacy\">\n");
	http_out(c->rs, text); /* cmark: business text escaped, no raw HTML */
	http_out(c->rs, "</article>\n");
	free(text);
	http_outf(c->rs, "<h2>%s</h2>\n<table class=\"versions\"><tr><th>%s</th><th>%s</th><th>%s</th></tr>\n",
		  L(c, "Versijas", "Versions"), L(c, "Versija", "Version"), L(c, "Datums", "Date"),
		  L(c, "Kas mainījās", "What changed"));
	if (sargs_notice_versions(c->reg, version_row, c, &err) != SARGS_OK)
		http_out(c->rs, "<tr><td colspan=\"3\">-</td></tr>\n");
	http_out(c->rs, "</table>\n");
	html_end(c);
}
