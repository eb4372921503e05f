/*
 * console_subject.c — the customer card and adding a customer.
 *
 * The card is read for one purpose the person's role may act for: it shows
 * only what sargs_read_for_purpose returns, and when the policy engine
 * refuses, says why. Around the fields: the consent history (with a
 * withdraw button for each consent in force), purchases and contracts,
 * requests, disclosures and this person's audit trail.
 *
 * Adding a customer is two short steps: first why the data is kept (the
 * purposes), then a form with only the fields those purposes need, the
 * optional ones with their "why we ask" text, and an unticked box for each
 * purpose that rests on consent (a pre-ticked box is no consent, 003).
 */
#include "server/console.h"

#include "crypto/field.h"
#include "domain/access.h"
#include "domain/consent.h"
#include "domain/disclosure.h"
#include "domain/policy.h"
#include "domain/relation.h"
#include "domain/request.h"
#include "domain/subject.h"
#include "store/store.h"
#include "store/store_rel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ADD_PURPOSES_MAX 32
#define ADD_FIELDS_MAX 48

/* ---- adding a customer */

static int purpose_selected(struct http_ctx *c, const char *id, int from_form)
{
	char name[96];
	const char *v;

	(void)snprintf(name, sizeof(name), "p_%s", id);
	v = from_form ? http_form(c->rq, name) : http_query(c->rq, name);
	return v != NULL && *v != '\0';
}

static int consent_ticked(struct http_ctx *c, const char *id)
{
	char name[96];
	const char *v;

	(void)snprintf(name, sizeof(name), "consent_%s", id);
	v = http_form(c->rq, name);
	return v != NULL && *v != '\0';
}

/* The consent sentence shown beside the box; its hash is the proof of
 * what the person agreed to. */
static void consent_text(struct http_ctx *c, const struct sargs_purpose *p, char *out, size_t n)
{
	(void)snprintf(out, n, "%s: %s%s%s", L(c, "Klients piekrīt", "The customer agrees to"),
		       p->name, p->description ? " — " : "", p->description ? p->description : "");
}

static void hash_hex(const char *text, char out[2 * SARGS_HASH_BYTES + 1])
{
	unsigned char h[SARGS_HASH_BYTES];
	size_t i;

	sargs_hash(text, strlen(text), h);
	for (i = 0; i < SARGS_HASH_BYTES; i++)
		(void)snprintf(out + 2 * i, 3, "%02x", h[i]);
}

struct field_need {
	const char *field;
	int required;            /* by a purpose that does not need consent */
	int required_consent;    /* only by a purpose that needs consent */
	const char *why;
};

/* The fields the selected purposes list, in registry order. */
static size_t fields_needed(const struct sargs_registry *r,
			    const struct sargs_purpose *const *sel, size_t n_sel,
			    struct field_need *out, size_t max)
{
	size_t n = 0, i, j, k;

	for (i = 0; i < n_sel; i++) {
		const struct sargs_purpose *p = sel[i];

		for (j = 0; j < p->n_fields; j++) {
			const struct sargs_purpose_field *pf = &p->fields[j];

			for (k = 0; k < n; k++)
				if (strcmp(out[k].field, pf->field) == 0)
					break;
			if (k == n) {
				if (n == max)
					continue;
				memset(&out[n], 0, sizeof(out[n]));
				out[n].field = pf->field;
				n++;
			}
			if (pf->required) {
				if (p->basis == SARGS_BASIS_CONSENT)
					out[k].required_consent = 1;
				else
					out[k].required = 1;
			} else if (!out[k].why) {
				out[k].why = pf->why;
			}
		}
	}
	(void)r;
	return n;
}

static const char *field_label(const struct sargs_registry *r, const char *field)
{
	const struct sargs_field_def *fd = sargs_registry_field(r, field);

	return fd && fd->label ? fd->label : field;
}

static const char *input_type(const struct sargs_registry *r, const char *field)
{
	const struct sargs_field_def *fd = sargs_registry_field(r, field);

	if (!fd)
		return "text";
	switch (fd->type) {
	case SARGS_FT_EMAIL: return "email";
	case SARGS_FT_PHONE: return "tel";
	case SARGS_FT_DATE: return "date";
	default: return "text";
	}
}

/* Step 1: why is the data kept? */
static void new_step_purposes(struct http_ctx *c, const struct sargs_registry *r)
{
	size_t i;

	http_outf(c->rs, "<form method=\"get\" action=\"/console/subjects/new\" class=\"stack card\">"
			 "<input type=\"hidden\" name=\"step\" value=\"2\">"
			 "<fieldset><legend>%s</legend><p class=\"why\">%s</p>\n",
		  L(c, "1. Kāpēc jūs glabāsiet šī klienta datus?", "1. Why will you keep this customer's data?"),
		  L(c, "Atzīmējiet tikai to, kas tiešām vajadzīgs. Nākamajā solī būs tikai tie lauki, "
		       "kurus šie nolūki prasa.",
		    "Tick only what is really needed. The next step shows only the fields these "
		    "purposes need."));
	for (i = 0; i < r->n_purposes; i++) {
		const struct sargs_purpose *p = &r->purposes[i];

		if (!http_may(c, SARGS_ACT_SUBJECT_WRITE, p->id))
			continue;
		http_out(c->rs, "<label class=\"check\"><input type=\"checkbox\" name=\"p_");
		http_esc(c->rs, p->id);
		http_out(c->rs, "\" value=\"1\"><span><strong>");
		http_esc(c->rs, p->name);
		http_out(c->rs, "</strong> <span class=\"muted\">(");
		http_esc(c->rs, console_basis_text(c, p->basis));
		if (p->basis == SARGS_BASIS_CONSENT)
			http_esc(c->rs, L(c, " — tikai ja klients piekrīt", " — only if the customer agrees"));
		http_out(c->rs, ")</span>");
		if (p->description) {
			http_out(c->rs, "<br><span class=\"why\">");
			http_esc(c->rs, p->description);
			http_out(c->rs, "</span>");
		}
		http_out(c->rs, "</span></label>\n");
	}
	http_outf(c->rs, "</fieldset><button type=\"submit\">%s</button></form>\n",
		  L(c, "Turpināt", "Continue"));
}

/* Step 2: the fields and the consent boxes (values kept after an error). */
static void new_step_fields(struct http_ctx *c, const struct sargs_registry *r,
			    const struct sargs_purpose *const *sel, size_t n_sel, int from_form)
{
	struct field_need need[ADD_FIELDS_MAX];
	size_t n = fields_needed(r, sel, n_sel, need, ADD_FIELDS_MAX), i;
	int any_consent = 0;

	http_out(c->rs, "<form method=\"post\" action=\"/console/subjects\" class=\"stack card\">");
	html_csrf(c);
	for (i = 0; i < n_sel; i++) {
		http_out(c->rs, "<input type=\"hidden\" name=\"p_");
		http_esc(c->rs, sel[i]->id);
		http_out(c->rs, "\" value=\"1\">");
	}
	http_outf(c->rs, "<fieldset><legend>%s</legend><p class=\"muted\">%s ",
		  L(c, "2. Klienta dati", "2. The customer's data"), L(c, "Nolūki:", "Purposes:"));
	for (i = 0; i < n_sel; i++) {
		if (i)
			http_out(c->rs, ", ");
		http_esc(c->rs, sel[i]->name);
	}
	http_outf(c->rs, " (<a href=\"/console/subjects/new\">%s</a>)</p>\n", L(c, "mainīt", "change"));
	for (i = 0; i < n; i++) {
		const char *v;
		char name[96];

		(void)snprintf(name, sizeof(name), "f_%s", need[i].field);
		v = from_form ? http_form(c->rq, name) : NULL;
		http_out(c->rs, "<label>");
		http_esc(c->rs, field_label(r, need[i].field));
		if (need[i].required)
			http_outf(c->rs, " <span class=\"req\">(%s)</span>", L(c, "obligāts", "required"));
		else if (need[i].required_consent)
			http_outf(c->rs, " <span class=\"muted\">(%s)</span>",
				  L(c, "obligāts, ja klients piekrīt", "required if the customer agrees"));
		else
			http_outf(c->rs, " <span class=\"muted\">(%s)</span>", L(c, "nav obligāts", "optional"));
		http_outf(c->rs, " <input type=\"%s\" name=\"", input_type(r, need[i].field));
		http_esc(c->rs, name);
		http_out(c->rs, "\" maxlength=\"1000\" value=\"");
		http_esc(c->rs, v ? v : "");
		http_out(c->rs, "\"");
		if (need[i].required)
			http_out(c->rs, " required");
		http_out(c->rs, ">");
		if (!need[i].required && need[i].why) {
			http_out(c->rs, "<span class=\"why\">");
			http_esc(c->rs, L(c, "Kāpēc jautājam: ", "Why we ask: "));
			http_esc(c->rs, need[i].why);
			http_out(c->rs, "</span>");
		}
		http_out(c->rs, "</label>\n");
	}
	http_out(c->rs, "</fieldset>\n");
	for (i = 0; i < n_sel; i++) {
		char text[1024];

		if (sel[i]->basis != SARGS_BASIS_CONSENT)
			continue;
		if (!any_consent)
			http_outf(c->rs, "<fieldset><legend>%s</legend><p class=\"why\">%s</p>\n",
				  L(c, "Piekrišana", "Consent"),
				  L(c, "Atzīmējiet tikai tad, ja klients pats tagad piekrita. Klients var "
				       "piekrišanu atsaukt jebkurā brīdī.",
				    "Tick only when the customer has just agreed. The customer may "
				    "withdraw consent at any time."));
		any_consent = 1;
		consent_text(c, sel[i], text, sizeof(text));
		/* never pre-ticked, not even after an error (003) */
		http_out(c->rs, "<label class=\"check\"><input type=\"checkbox\" name=\"consent_");
		http_esc(c->rs, sel[i]->id);
		http_out(c->rs, "\" value=\"1\"><span>");
		http_esc(c->rs, text);
		http_out(c->rs, "</span></label>\n");
	}
	if (any_consent)
		http_out(c->rs, "</fieldset>\n");
	http_outf(c->rs, "<button type=\"submit\">%s</button></form>\n",
		  L(c, "Saglabāt klientu", "Save the customer"));
}

/* The purposes chosen in the query (step 1) or the form (step 2). */
static size_t selected_purposes(struct http_ctx *c, const struct sargs_registry *r,
				const struct sargs_purpose **sel, size_t max, int from_form)
{
	size_t i, n = 0;

	for (i = 0; i < r->n_purposes && n < max; i++)
		if (purpose_selected(c, r->purposes[i].id, from_form) &&
		    http_may(c, SARGS_ACT_SUBJECT_WRITE, r->purposes[i].id))
			sel[n++] = &r->purposes[i];
	return n;
}

static void new_page(struct http_ctx *c, const struct sargs_registry *r,
		     const struct sargs_purpose **sel, size_t n_sel, int from_form,
		     const char *error)
{
	html_begin(c, HTML_STAFF, L(c, "Pievienot klientu", "Add a customer"));
	http_outf(c->rs, "<h1>%s</h1>\n", L(c, "Pievienot klientu", "Add a customer"));
	if (error)
		html_note(c, "error", error);
	if (n_sel == 0)
		new_step_purposes(c, r);
	else
		new_step_fields(c, r, sel, n_sel, from_form);
	console_notice_box(c);
	html_end(c);
}

void console_subject_new(struct http_ctx *c)
{
	const struct sargs_registry *r = console_registry(c);
	const struct sargs_purpose *sel[ADD_PURPOSES_MAX];
	size_t n;

	if (!r)
		return;
	n = selected_purposes(c, r, sel, ADD_PURPOSES_MAX, 0);
	if (n == 0 && http_query(c->rq, "step")) {
		c->rs->status = 400;
		new_page(c, r, sel, 0, 0, L(c, "Atzīmējiet vismaz vienu nolūku.", "Tick at least one purpose."));
		return;
	}
	new_page(c, r, sel, n, 0, NULL);
}

static void add_error(struct http_ctx *c, const struct sargs_registry *r,
		      const struct sargs_purpose **sel, size_t n_sel, const char *msg)
{
	http_resp_reset(c->rs);
	c->rs->status = 400;
	new_page(c, r, sel, n_sel, 1, msg);
}

void console_subject_add(struct http_ctx *c)
{
	const struct sargs_registry *r = console_registry(c);
	const struct sargs_purpose *sel[ADD_PURPOSES_MAX];
	const char *purposes[ADD_PURPOSES_MAX];
	struct field_need need[ADD_FIELDS_MAX];
	struct sargs_kv kv[ADD_FIELDS_MAX];
	const struct sargs_purpose *eff[ADD_PURPOSES_MAX];
	struct sargs_subject_input in;
	char id[SARGS_UUID_STR], msg[600], loc[160];
	size_t n_sel, n_eff = 0, n_need, n_kv = 0, i, j;
	struct sargs_err err;
	enum sargs_rc rc;

	if (!r)
		return;
	n_sel = selected_purposes(c, r, sel, ADD_PURPOSES_MAX, 1);
	if (n_sel == 0) {
		add_error(c, r, sel, 0, L(c, "Atzīmējiet vismaz vienu nolūku.", "Tick at least one purpose."));
		return;
	}
	/* the purposes that apply: consent ones only when the box is ticked */
	for (i = 0; i < n_sel; i++)
		if (sel[i]->basis != SARGS_BASIS_CONSENT || consent_ticked(c, sel[i]->id)) {
			eff[n_eff] = sel[i];
			purposes[n_eff++] = sel[i]->id;
		}
	if (n_eff == 0) {
		add_error(c, r, sel, n_sel,
			  L(c, "Klients nav piekritis nevienam nolūkam: bez pamata datus glabāt nedrīkst.",
			    "The customer agreed to no purpose: without a basis the data may not be kept."));
		return;
	}
	n_need = fields_needed(r, eff, n_eff, need, ADD_FIELDS_MAX);
	/* required fields, named, before anything is stored */
	for (i = 0; i < n_need; i++) {
		char name[96];
		const char *v;

		(void)snprintf(name, sizeof(name), "f_%s", need[i].field);
		v = http_form(c->rq, name);
		if ((need[i].required || need[i].required_consent) && (!v || !*v)) {
			(void)snprintf(msg, sizeof(msg), "%s: %s", L(c, "Trūkst obligātā lauka",
								   "A required field is missing"),
				       field_label(r, need[i].field));
			add_error(c, r, sel, n_sel, msg);
			return;
		}
		if (v && *v && n_kv < ADD_FIELDS_MAX)
			kv[n_kv++] = (struct sargs_kv){need[i].field, v};
	}
	/* a value for a field only an unagreed purpose needs is not kept */
	for (i = 0; i < c->rq->n_form; i++) {
		const char *fname = c->rq->form[i].name;

		if (strncmp(fname, "f_", 2) != 0 || !c->rq->form[i].value[0])
			continue;
		for (j = 0; j < n_need; j++)
			if (strcmp(need[j].field, fname + 2) == 0)
				break;
		if (j == n_need) {
			(void)snprintf(msg, sizeof(msg), "%s: %s",
				       L(c, "Šo lauku neviens izvēlētais nolūks neprasa (klients nav piekritis); "
					    "atstājiet to tukšu",
					 "No chosen purpose needs this field (the customer did not agree); "
					 "leave it empty"),
				       field_label(r, fname + 2));
			add_error(c, r, sel, n_sel, msg);
			return;
		}
	}
	memset(&in, 0, sizeof(in));
	in.purposes = purposes;
	in.n_purposes = n_eff;
	in.source = "person";
	in.fields = kv;
	in.n_fields = n_kv;
	if (sargs_reg_begin(c->reg, &err) != SARGS_OK) {
		console_message_page(c, 500, "error", L(c, "Kļūda", "Error"), err.msg);
		return;
	}
	rc = sargs_subject_add(c->reg, &in, id, &err);
	for (i = 0; rc == SARGS_OK && i < n_eff; i++) {
		struct sargs_consent_proof proof;
		char text[1024], hex[2 * SARGS_HASH_BYTES + 1];

		if (eff[i]->basis != SARGS_BASIS_CONSENT)
			continue;
		consent_text(c, eff[i], text, sizeof(text));
		hash_hex(text, hex);
		memset(&proof, 0, sizeof(proof));
		proof.channel = "in_person";
		proof.form = "sargs-console-add";
		proof.text_hash = hex;
		rc = sargs_consent_give(c->reg, id, eff[i]->id, &proof, NULL, &err);
	}
	rc = sargs_reg_end(c->reg, rc, &err);
	if (rc == SARGS_E_INVALID || rc == SARGS_E_DENIED || rc == SARGS_E_EXISTS) {
		(void)snprintf(msg, sizeof(msg), "%s %s", L(c, "Klients netika saglabāts:",
							     "The customer was not saved:"), err.msg);
		add_error(c, r, sel, n_sel, msg);
		return;
	}
	if (rc != SARGS_OK) {
		console_message_page(c, http_status_for(rc) >= 500 ? http_status_for(rc) : 500, "error",
				     L(c, "Kļūda", "Error"), err.msg);
		return;
	}
	(void)snprintf(loc, sizeof(loc), "/console/subjects/%s?purpose=%s&added=1", id, purposes[0]);
	http_redirect(c->rs, loc);
}

/* ---- the card */

struct hist_row {
	char purpose[64];
	char event[40];
	int64_t time_us;
};

struct hist {
	struct hist_row *rows;
	size_t n, cap;
	int oom;
};

static int hist_cb(void *ctx, int64_t seq, const char *purpose, const char *event,
		   int64_t time_us, const char *receipt)
{
	struct hist *h = ctx;

	(void)seq;
	(void)receipt;
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 16;
		void *nv = realloc(h->rows, cap * sizeof(*h->rows));

		if (!nv) {
			h->oom = 1;
			return 1;
		}
		h->rows = nv;
		h->cap = cap;
	}
	(void)snprintf(h->rows[h->n].purpose, sizeof(h->rows[h->n].purpose), "%s", purpose);
	(void)snprintf(h->rows[h->n].event, sizeof(h->rows[h->n].event), "%s", event);
	h->rows[h->n].time_us = time_us;
	h->n++;
	return 0;
}

static const char *event_text(struct http_ctx *c, const char *event)
{
	if (strcmp(event, "consent.given") == 0)
		return L(c, "piekrita", "consent given");
	if (strcmp(event, "consent.withdrawn") == 0)
		return L(c, "atsauca piekrišanu", "consent withdrawn");
	if (strcmp(event, "consent.preticked") == 0)
		return L(c, "iepriekš atzīmēta rūtiņa — nav piekrišana",
			 "pre-ticked box — not consent");
	if (strcmp(event, "objection") == 0)
		return L(c, "iebilda", "objected");
	return event;
}

static int consent_in_force(const struct hist *h, const char *purpose)
{
	size_t i;
	int on = 0;

	for (i = 0; i < h->n; i++) {
		if (strcmp(h->rows[i].purpose, purpose) != 0)
			continue;
		if (strcmp(h->rows[i].event, "consent.given") == 0 ||
		    strstr(h->rows[i].event, "guardian") != NULL)
			on = 1;
		else if (strcmp(h->rows[i].event, "consent.withdrawn") == 0 ||
			 strcmp(h->rows[i].event, "objection") == 0)
			on = 0;
	}
	return on;
}

static void section(struct http_ctx *c, const char *lv, const char *en)
{
	http_out(c->rs, "<h2>");
	http_esc(c->rs, L(c, lv, en));
	http_out(c->rs, "</h2>\n");
}

static void card_consents(struct http_ctx *c, const struct sargs_registry *r, const char *id,
			  const char *view_purpose)
{
	struct hist h = {NULL, 0, 0, 0};
	struct sargs_err err;
	size_t i;
	char done[64][64];
	size_t n_done = 0;

	section(c, "Piekrišanas vēsture", "Consent history");
	if (sargs_consent_history(c->reg, id, hist_cb, &h, &err) != SARGS_OK || h.oom) {
		html_note(c, "error", h.oom ? "out of memory" : err.msg);
		free(h.rows);
		return;
	}
	if (h.n == 0) {
		http_outf(c->rs, "<p class=\"muted\">%s</p>\n",
			  L(c, "Nav ierakstu.", "No entries."));
		free(h.rows);
		return;
	}
	http_outf(c->rs, "<table class=\"consents\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
			 "</tr></thead><tbody>\n",
		  L(c, "Laiks", "When"), L(c, "Nolūks", "Purpose"), L(c, "Notikums", "Event"));
	for (i = 0; i < h.n; i++) {
		const struct sargs_purpose *p = sargs_registry_purpose(r, h.rows[i].purpose);

		http_out(c->rs, "<tr><td>");
		html_time(c, h.rows[i].time_us);
		http_out(c->rs, "</td><td>");
		http_esc(c->rs, p ? p->name : h.rows[i].purpose);
		http_out(c->rs, "</td><td>");
		http_esc(c->rs, event_text(c, h.rows[i].event));
		http_out(c->rs, "</td></tr>\n");
	}
	http_out(c->rs, "</tbody></table>\n");
	/* a withdraw button for each consent in force: as easy as giving it */
	if (http_may(c, SARGS_ACT_CONSENT_WRITE, NULL)) {
		for (i = 0; i < h.n; i++) {
			const char *pid = h.rows[i].purpose;
			const struct sargs_purpose *p = sargs_registry_purpose(r, pid);
			size_t k;

			for (k = 0; k < n_done; k++)
				if (strcmp(done[k], pid) == 0)
					break;
			if (k < n_done || n_done == 64)
				continue;
			(void)snprintf(done[n_done++], sizeof(done[0]), "%s", pid);
			if (!consent_in_force(&h, pid) || !http_may(c, SARGS_ACT_CONSENT_WRITE, pid))
				continue;
			http_out(c->rs, "<form method=\"post\" class=\"withdraw card\" action=\"/console/subjects/");
			http_urlenc(c->rs, id);
			http_out(c->rs, "/withdraw\">");
			html_csrf(c);
			http_out(c->rs, "<input type=\"hidden\" name=\"purpose\" value=\"");
			http_esc(c->rs, pid);
			http_out(c->rs, "\"><input type=\"hidden\" name=\"back\" value=\"");
			http_esc(c->rs, view_purpose);
			http_outf(c->rs, "\"><label>%s <select name=\"channel\">"
					 "<option value=\"in_person\">%s</option>"
					 "<option value=\"phone\">%s</option>"
					 "<option value=\"email\">%s</option>"
					 "<option value=\"sms\">SMS</option>"
					 "<option value=\"paper\">%s</option></select></label> ",
				  L(c, "Kā klients to paziņoja", "How the customer told you"),
				  L(c, "klātienē", "in person"), L(c, "pa tālruni", "by phone"),
				  L(c, "e-pastā", "by e-mail"), L(c, "rakstiski", "on paper"));
			http_outf(c->rs, "<button type=\"submit\" class=\"secondary\">%s: ",
				  L(c, "Atsaukt piekrišanu", "Withdraw consent"));
			http_esc(c->rs, p ? p->name : pid);
			http_out(c->rs, "</button></form>\n");
		}
	}
	free(h.rows);
}

struct rel_ctx {
	struct http_ctx *c;
	int n;
};

static int purchase_cb(void *ctx, const char *line, int32_t day)
{
	struct rel_ctx *rc = ctx;

	if (rc->n++ == 0)
		http_outf(rc->c->rs, "<table><thead><tr><th>%s</th><th>%s</th></tr></thead><tbody>\n",
			  L(rc->c, "Diena", "Day"), L(rc->c, "Produktu līnija", "Product line"));
	http_out(rc->c->rs, "<tr><td>");
	console_day(rc->c, day);
	http_out(rc->c->rs, "</td><td>");
	http_esc(rc->c->rs, line);
	http_out(rc->c->rs, "</td></tr>\n");
	return rc->n >= 200;
}

static int contract_cb(void *ctx, int64_t no, const char *line, int32_t start, int32_t end)
{
	struct rel_ctx *rc = ctx;

	if (rc->n++ == 0)
		http_outf(rc->c->rs, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
				     "</tr></thead><tbody>\n",
			  L(rc->c, "Līgums", "Contract"), L(rc->c, "Produktu līnija", "Product line"),
			  L(rc->c, "Sākums", "Start"), L(rc->c, "Beigas", "End"));
	http_outf(rc->c->rs, "<tr><td>%lld</td><td>", (long long)no);
	http_esc(rc->c->rs, line ? line : "");
	http_out(rc->c->rs, "</td><td>");
	console_day(rc->c, start);
	http_out(rc->c->rs, "</td><td>");
	if (end != SARGS_STORE_DAY_NONE)
		console_day(rc->c, end);
	else
		http_out(rc->c->rs, L(rc->c, "turpinās", "running"));
	http_out(rc->c->rs, "</td></tr>\n");
	return 0;
}

static int card_relation(struct http_ctx *c, const char *id, const char *purpose)
{
	struct rel_ctx rc = {c, 0};
	struct sargs_err err;

	section(c, "Pirkumi un līgumi", "Purchases and contracts");
	/* the relationship is personal data too: its read is recorded */
	if (sargs_reg_audit(c->reg, "subject.relation.read", id, "purchases,contracts", purpose,
			    "console card", &err) != SARGS_OK) {
		console_message_page(c, 500, "error", L(c, "Kļūda", "Error"), err.msg);
		return -1;
	}
	if (sargs_store_purchases(c->reg->store, id, purchase_cb, &rc) != SARGS_OK)
		html_note(c, "error", L(c, "Pirkumus neizdevās nolasīt.", "Could not read the purchases."));
	if (rc.n > 0)
		http_out(c->rs, "</tbody></table>\n");
	else
		http_outf(c->rs, "<p class=\"muted\">%s</p>\n", L(c, "Pirkumu nav.", "No purchases."));
	rc.n = 0;
	if (sargs_store_contracts(c->reg->store, id, contract_cb, &rc) != SARGS_OK)
		html_note(c, "error", L(c, "Līgumus neizdevās nolasīt.", "Could not read the contracts."));
	if (rc.n > 0)
		http_out(c->rs, "</tbody></table>\n");
	return 0;
}

static int request_cb(void *ctx, const struct sargs_request *rq)
{
	struct rel_ctx *rc = ctx;

	if (rc->n++ == 0)
		http_outf(rc->c->rs, "<table><thead><tr><th>#</th><th>%s</th><th>%s</th><th>%s</th>"
				     "</tr></thead><tbody>\n",
			  L(rc->c, "Veids", "Kind"), L(rc->c, "Stāvoklis", "State"),
			  L(rc->c, "Termiņš", "Due"));
	http_outf(rc->c->rs, "<tr><td><a href=\"/console/requests/%lld\">%lld</a></td><td>",
		  (long long)rq->id, (long long)rq->id);
	http_esc(rc->c->rs, rq->kind);
	http_out(rc->c->rs, "</td><td>");
	http_esc(rc->c->rs, rq->state);
	http_out(rc->c->rs, "</td><td>");
	console_day(rc->c, rq->due_day);
	http_out(rc->c->rs, "</td></tr>\n");
	return 0;
}

static void card_requests(struct http_ctx *c, const char *id)
{
	struct rel_ctx rc = {c, 0};
	struct sargs_err err;
	static const char *const kinds[] = {"access", "rectification", "erasure", "restriction",
					    "portability", "objection", "consent_withdrawal",
					    "information", "automated_decision_review"};
	size_t i;

	section(c, "Pieprasījumi", "Requests");
	if (http_may(c, SARGS_ACT_REQUEST_READ, NULL)) {
		if (sargs_request_list(c->reg, 0, id, request_cb, &rc, &err) != SARGS_OK)
			html_note(c, "error", err.msg);
		else if (rc.n > 0)
			http_out(c->rs, "</tbody></table>\n");
		else
			http_outf(c->rs, "<p class=\"muted\">%s</p>\n",
				  L(c, "Pieprasījumu nav.", "No requests."));
	}
	if (!http_may(c, SARGS_ACT_REQUEST_WRITE, NULL))
		return;
	http_out(c->rs, "<form method=\"post\" action=\"/console/requests\" class=\"card inline-form\">");
	html_csrf(c);
	http_out(c->rs, "<input type=\"hidden\" name=\"subject\" value=\"");
	http_esc(c->rs, id);
	http_outf(c->rs, "\"><label>%s <select name=\"kind\">", L(c, "Klients lūdz", "The customer asks for"));
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		http_outf(c->rs, "<option value=\"%s\">", kinds[i]);
		http_esc(c->rs, kinds[i]);
		http_out(c->rs, "</option>");
	}
	http_outf(c->rs, "</select></label> <label>%s <select name=\"channel\">"
			 "<option value=\"in_person\">%s</option><option value=\"email\">%s</option>"
			 "<option value=\"phone\">%s</option><option value=\"post\">%s</option>"
			 "<option value=\"web_form\">%s</option></select></label> "
			 "<button type=\"submit\">%s</button></form>\n",
		  L(c, "Kā saņemts", "Received"), L(c, "klātienē", "in person"),
		  L(c, "e-pastā", "by e-mail"), L(c, "pa tālruni", "by phone"),
		  L(c, "pa pastu", "by post"), L(c, "tīmekļa veidlapā", "web form"),
		  L(c, "Reģistrēt pieprasījumu", "Open a request"));
}

static void card_disclosures(struct http_ctx *c, const char *id)
{
	struct sargs_disclosure_list l;
	struct sargs_err err;
	size_t i;

	section(c, "Izpaušana trešajām personām", "Disclosures");
	memset(&l, 0, sizeof(l));
	if (sargs_disclosure_list(c->reg, id, 0, &l, &err) != SARGS_OK) {
		html_note(c, "error", err.msg);
		return;
	}
	if (l.n == 0)
		http_outf(c->rs, "<p class=\"muted\">%s</p>\n",
			  L(c, "Dati nevienam nav nodoti.", "The data was given to no one."));
	else
		http_outf(c->rs, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
				 "</tr></thead><tbody>\n",
			  L(c, "Laiks", "When"), L(c, "Saņēmējs", "Recipient"),
			  L(c, "Nolūks", "Purpose"), L(c, "Lauki", "Fields"));
	for (i = 0; i < l.n; i++) {
		http_out(c->rs, "<tr><td>");
		html_time(c, l.items[i].time_us);
		http_out(c->rs, "</td><td>");
		http_esc(c->rs, l.items[i].recipient);
		http_out(c->rs, "</td><td>");
		http_esc(c->rs, l.items[i].purpose);
		http_out(c->rs, "</td><td>");
		http_esc(c->rs, l.items[i].fields);
		http_out(c->rs, "</td></tr>\n");
	}
	if (l.n)
		http_out(c->rs, "</tbody></table>\n");
	sargs_disclosure_list_free(&l);
}

#define TRAIL_MAX 50

struct trail {
	struct http_ctx *c;
	int64_t seqs[TRAIL_MAX];
	int64_t n;
};

static int trail_count(void *ctx, const struct sargs_store_audit_row *row)
{
	struct trail *t = ctx;

	t->seqs[t->n % TRAIL_MAX] = row->seq;
	t->n++;
	return 0;
}

static int trail_row(void *ctx, const struct sargs_store_audit_row *row)
{
	struct trail *t = ctx;
	struct http_ctx *c = t->c;

	http_out(c->rs, "<tr><td>");
	html_time(c, row->time_us);
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, row->actor);
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, row->action);
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, row->purpose ? row->purpose : "");
	http_out(c->rs, "</td><td>");
	http_esc(c->rs, row->fields ? row->fields : "");
	http_out(c->rs, "</td></tr>\n");
	return 0;
}

static void card_trail(struct http_ctx *c, const char *id)
{
	struct sargs_store_audit_filter f;
	struct trail t;

	if (!http_may(c, SARGS_ACT_AUDIT_READ, NULL))
		return;
	section(c, "Šīs personas audita ieraksti", "This person's audit trail");
	memset(&t, 0, sizeof(t));
	t.c = c;
	memset(&f, 0, sizeof(f));
	f.subject_id = id;
	f.since_us = INT64_MIN;
	f.until_us = INT64_MAX;
	if (sargs_store_audit_scan(c->reg->store, &f, trail_count, &t) != SARGS_OK) {
		html_note(c, "error", L(c, "Audita žurnālu neizdevās nolasīt.", "Could not read the audit trail."));
		return;
	}
	if (t.n > TRAIL_MAX) {
		f.after_seq = t.seqs[t.n % TRAIL_MAX] - 1; /* the oldest of the last TRAIL_MAX */
		http_outf(c->rs, "<p class=\"muted\">%s %d / %lld</p>\n",
			  L(c, "Pēdējie", "The last"), TRAIL_MAX, (long long)t.n);
	}
	http_outf(c->rs, "<table class=\"trail\"><thead><tr><th>%s</th><th>%s</th><th>%s</th>"
			 "<th>%s</th><th>%s</th></tr></thead><tbody>\n",
		  L(c, "Laiks", "When"), L(c, "Kas", "Who"), L(c, "Darbība", "Action"),
		  L(c, "Nolūks", "Purpose"), L(c, "Lauki", "Fields"));
	if (sargs_store_audit_scan(c->reg->store, &f, trail_row, &t) != SARGS_OK)
		html_note(c, "error", L(c, "Audita žurnālu neizdevās nolasīt.", "Could not read the audit trail."));
	http_out(c->rs, "</tbody></table>\n");
}

static int link_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct rel_ctx *rc = ctx;

	(void)linked_us;
	if (rc->n++)
		http_out(rc->c->rs, ", ");
	http_esc(rc->c->rs, purpose);
	return 0;
}

void console_subject_card(struct http_ctx *c)
{
	const struct sargs_registry *r = console_registry(c);
	const char *id = c->rq->params[0];
	const struct sargs_purpose *p;
	struct sargs_subject_view v;
	struct sargs_policy_decision d;
	struct sargs_err err;
	struct rel_ctx lc = {c, 0};
	const char *fn = NULL, *ln = NULL;
	int refused = 0;
	enum sargs_rc rc;
	size_t i;

	if (!r)
		return;
	if (!sargs_uuid_valid(id) || sargs_subject_must_exist(c->reg, id, &err) != SARGS_OK) {
		console_message_page(c, 404, "error", L(c, "Klients nav atrasts", "Customer not found"),
				     L(c, "Tāda klienta reģistrā nav (vai viņa dati ir dzēsti).",
				       "There is no such customer in the register (or the data was erased)."));
		return;
	}
	p = console_purpose(c, r, http_query(c->rq, "purpose"), SARGS_ACT_SUBJECT_READ, &refused);
	if (!p) {
		console_message_page(c, 403, "error", L(c, "Klienta kartīte", "Customer card"),
				     L(c, "Jūsu lomai nav neviena nolūka, kam lasīt klientu datus.",
				       "Your role may not read customers' data for any purpose."));
		return;
	}
	memset(&v, 0, sizeof(v));
	memset(&d, 0, sizeof(d));
	rc = sargs_read_for_purpose(c->reg, id, p->id,
				    http_may(c, SARGS_ACT_SUBJECT_READ_SPECIAL, p->id), &v, &d, &err);
	if (rc != SARGS_OK && rc != SARGS_E_DENIED && rc != SARGS_E_NOTFOUND) {
		sargs_subject_view_free(&v);
		console_message_page(c, 500, "error", L(c, "Kļūda", "Error"), err.msg);
		return;
	}
	for (i = 0; rc == SARGS_OK && i < v.n_fields; i++) {
		if (strcmp(v.fields[i].name, "first_name") == 0)
			fn = v.fields[i].value;
		else if (strcmp(v.fields[i].name, "last_name") == 0)
			ln = v.fields[i].value;
	}
	html_begin(c, HTML_STAFF, L(c, "Klienta kartīte", "Customer card"));
	http_out(c->rs, "<h1>");
	if (fn || ln) {
		http_esc(c->rs, fn ? fn : "");
		http_out(c->rs, " ");
		http_esc(c->rs, ln ? ln : "");
	} else {
		http_esc(c->rs, L(c, "Klients", "Customer"));
		http_out(c->rs, " <span class=\"muted\">");
		http_esc(c->rs, id);
		http_out(c->rs, "</span>");
	}
	http_out(c->rs, "</h1>\n");
	if (http_query(c->rq, "added"))
		html_note(c, "ok", L(c, "Klients saglabāts.", "The customer was saved."));
	if (http_query(c->rq, "withdrawn"))
		html_note(c, "ok", L(c, "Piekrišana atsaukta. Līgums un citi nolūki turpinās.",
				     "Consent withdrawn. The contract and other purposes go on."));
	if (refused)
		html_note(c, "error", L(c, "Jūsu lomai šis nolūks nav atļauts; izvēlēts cits.",
					"Your role may not act for that purpose; another one is chosen."));
	/* the purpose picker: every read names why */
	http_out(c->rs, "<form method=\"get\" class=\"card inline-form\" data-autosubmit"
			" action=\"/console/subjects/");
	http_urlenc(c->rs, id);
	http_outf(c->rs, "\"><label>%s ", L(c, "Skatīt nolūkam", "View for the purpose"));
	console_purpose_select(c, r, p->id, SARGS_ACT_SUBJECT_READ);
	http_outf(c->rs, "</label> <button type=\"submit\">%s</button></form>\n", L(c, "Rādīt", "Show"));
	section(c, "Dati šim nolūkam", "Data for this purpose");
	if (rc == SARGS_OK) {
		http_out(c->rs, "<table class=\"fields\"><tbody>\n");
		for (i = 0; i < v.n_fields; i++) {
			http_out(c->rs, "<tr><th>");
			http_esc(c->rs, field_label(r, v.fields[i].name));
			http_out(c->rs, "</th><td>");
			http_esc(c->rs, v.fields[i].value ? v.fields[i].value : "");
			http_out(c->rs, "</td></tr>\n");
		}
		if (v.n_fields == 0)
			http_outf(c->rs, "<tr><td class=\"muted\">%s</td></tr>\n",
				  L(c, "Šim nolūkam laukos nav datu.", "No data in the fields of this purpose."));
		http_out(c->rs, "</tbody></table>\n");
		if (v.withheld[0]) {
			/* special categories (GDPR Art. 9): only for roles given
			 * subject.read_special */
			http_outf(c->rs, "<p class=\"muted\">%s ",
				  L(c, "Īpašu kategoriju dati nav rādīti (jūsu lomai nav tiesību"
				       " subject.read_special):",
				    "Special-category data not shown (your role lacks"
				    " subject.read_special):"));
			http_esc(c->rs, v.withheld);
			http_out(c->rs, "</p>\n");
		}
		if (v.source_name) {
			http_outf(c->rs, "<p class=\"muted\">%s ", L(c, "Datu avots:", "Source of the data:"));
			http_esc(c->rs, v.source_name);
			http_out(c->rs, "</p>\n");
		}
	} else {
		char msg[600];

		(void)snprintf(msg, sizeof(msg), "%s %s (%s)",
			       L(c, "Šim nolūkam datus rādīt nedrīkst:",
				 "The data may not be shown for this purpose:"),
			       rc == SARGS_E_DENIED && d.reason ? sargs_reason_text(d.reason) : err.msg,
			       rc == SARGS_E_DENIED && d.reason ? sargs_reason_id(d.reason) : "not found");
		html_note(c, "warn", msg);
	}
	sargs_subject_view_free(&v);
	http_outf(c->rs, "<p class=\"muted\">%s ", L(c, "Nolūki, kam dati glabājas:",
						       "Purposes the data is kept for:"));
	if (sargs_store_links(c->reg->store, id, link_cb, &lc) != SARGS_OK)
		http_out(c->rs, "?");
	http_out(c->rs, "</p>\n");
	card_consents(c, r, id, p->id);
	if (card_relation(c, id, p->id) != 0)
		return;
	card_requests(c, id);
	card_disclosures(c, id);
	card_trail(c, id);
	html_end(c);
}

void console_consent_withdraw(struct http_ctx *c)
{
	const char *id = c->rq->params[0];
	const char *purpose = http_form(c->rq, "purpose");
	const char *channel = http_form(c->rq, "channel");
	const char *back = http_form(c->rq, "back");
	struct sargs_consent_proof proof;
	struct sargs_err err;
	char loc[256];
	enum sargs_rc rc;

	if (!purpose || !*purpose || !channel || !sargs_consent_channel_valid(channel) ||
	    !sargs_uuid_valid(id)) {
		console_message_page(c, 400, "error", L(c, "Atsaukt piekrišanu", "Withdraw consent"),
				     L(c, "Veidlapā trūkst nolūka vai kanāla.",
				       "The form lacks the purpose or the channel."));
		return;
	}
	if (!http_may(c, SARGS_ACT_CONSENT_WRITE, purpose)) {
		console_message_page(c, 403, "error", L(c, "Atsaukt piekrišanu", "Withdraw consent"),
				     L(c, "Jūsu lomai šis nolūks nav atļauts.",
				       "Your role may not act for this purpose."));
		return;
	}
	memset(&proof, 0, sizeof(proof));
	proof.channel = channel;
	rc = sargs_consent_withdraw(c->reg, id, purpose, &proof, NULL, &err);
	if (rc != SARGS_OK) {
		int st = http_status_for(rc);

		console_message_page(c, st, "error", L(c, "Atsaukt piekrišanu", "Withdraw consent"),
				     err.msg);
		return;
	}
	if (!back || !sargs_ident_valid(back))
		back = purpose;
	(void)snprintf(loc, sizeof(loc), "/console/subjects/%s?purpose=%s&withdrawn=1", id, back);
	http_redirect(c->rs, loc);
}
