/*
 * rights.c — access and portability exports, erasure that keeps what a
 * legal obligation requires, restriction, and the retention sweep (see
 * rights.h).
 */
#include "domain/rights.h"

#include "crypto/keys.h"
#include "domain/controller.h"
#include "domain/policy.h"
#include "domain/registry.h"
#include "domain/relation.h"
#include "domain/subject.h"
#include "store/store_rel.h"
#include "store/store_rights.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_US 86400000000LL
#define TWO_YEARS_US (731LL * DAY_US)
#define MAX_NAMES 256

#define RIGHTS_EN                                                                           \
	"You may ask us to correct your data, to erase it, to restrict its use, for a copy in a" \
	" machine-readable form, and object to its use; you may withdraw a consent at any"     \
	" time, which does not affect the lawfulness of what was done before."
#define COMPLAINT_EN                                                                        \
	"You have the right to complain to the Data State Inspectorate (Datu valsts"           \
	" inspekcija), Elijas iela 17, Rīga, LV-1050, www.dvi.gov.lv."

static enum sargs_rc store_err(struct sargs_reg *reg, enum sargs_rc rc, struct sargs_err *err,
			       const char *what)
{
	if (err != NULL && err->rc != SARGS_OK)
		return rc;
	return sargs_err_set(err, rc, "cannot %s: %s", what, sargs_store_errmsg(reg->store));
}

static void day_text(int32_t day, char out[SARGS_DATE_STR])
{
	sargs_time_format_date((int64_t)day * DAY_US, out, SARGS_DATE_STR);
}

/* Wipes a JSON tree's strings (they may be personal data), then frees it. */
static void json_wipe_decref(json_t *v)
{
	const char *key;
	json_t *child;
	size_t i;

	if (v == NULL)
		return;
	if (json_is_string(v)) {
		sargs_wipe((char *)json_string_value(v), json_string_length(v));
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, child) {
			json_wipe_decref(json_incref(child));
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			json_wipe_decref(json_incref(child));
		}
	}
	json_decref(v);
}

/* ---- gathering: links and what the export shows about each purpose */

struct links {
	char ids[64][64];
	int64_t since[64];
	size_t n;
};

static int links_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct links *l = ctx;

	if (l->n < 64) {
		(void)snprintf(l->ids[l->n], sizeof(l->ids[0]), "%s", purpose);
		l->since[l->n++] = linked_us;
	}
	return 0;
}

static json_t *purpose_json(struct sargs_reg *reg, const struct sargs_registry *r,
			    const struct sargs_purpose *p, const char *id, int64_t since_us)
{
	json_t *o, *cats = json_array(), *rcp = json_array(), *tr = json_array(),
		   *fields = json_array();
	struct sargs_policy_facts f;
	struct sargs_policy_decision d;
	char ret[200], t[SARGS_TIME_STR];
	int32_t end;

	sargs_retention_describe(&p->retention, ret, sizeof(ret));
	sargs_time_format(since_us, t, sizeof(t));
	for (size_t i = 0; i < p->n_categories; i++) {
		const struct sargs_category *c = sargs_registry_category(r, p->categories[i]);

		(void)json_array_append_new(cats, json_string(c ? c->name : p->categories[i]));
	}
	for (size_t i = 0; i < p->n_fields; i++)
		(void)json_array_append_new(fields, json_string(p->fields[i].field));
	for (size_t i = 0; i < p->n_recipients; i++)
		(void)json_array_append_new(rcp, json_pack("{s:s, s:s, s:s?}", "name",
							   p->recipients[i].name, "kind",
							   p->recipients[i].kind, "condition",
							   p->recipients[i].condition));
	for (size_t i = 0; i < p->n_transfers; i++)
		(void)json_array_append_new(tr, json_pack("{s:s, s:s, s:s}", "country",
							  p->transfers[i].country, "recipient",
							  p->transfers[i].recipient, "safeguard",
							  p->transfers[i].safeguard));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?, s:s, s:o, s:o, s:o, s:o, s:s, s:b, s:s?}",
		      "id", p->id, "name", p->name, "description", p->description, "legal_basis",
		      sargs_basis_id(p->basis), "legal_basis_article", sargs_basis_article(p->basis),
		      "basis_detail", p->basis_detail, "since", t, "categories", cats, "fields",
		      fields, "recipients", rcp, "transfers_outside_eu", tr, "retention", ret,
		      "profiling", p->profiling, "product_line", p->product_line);
	if (o != NULL && sargs_policy_facts_load(reg, id, p, &f, NULL) == SARGS_OK) {
		sargs_policy_decide(p, 0, sargs_today(), &f, &d);
		(void)json_object_set_new(o, "status", json_pack("{s:b, s:s, s:s}", "in_use",
								 d.allowed, "reason",
								 sargs_reason_id(d.reason), "explanation",
								 sargs_reason_text(d.reason)));
		end = sargs_policy_retention_end(p, &f);
		if (end != INT32_MAX) {
			char e[SARGS_DATE_STR];

			day_text(end, e);
			(void)json_object_set_new(o, "kept_until", json_string(e));
		}
	}
	return o;
}

static int events_cb(void *ctx, int64_t seq, const char *purpose, const char *event,
		     int64_t time_us, const char *receipt)
{
	json_error_t jerr;
	json_t *rec = json_loads(receipt, 0, &jerr);
	json_t *ch = json_object_get(json_object_get(rec, "receipt"), "collectionMethod");
	char t[SARGS_TIME_STR];

	(void)seq;
	if (ch == NULL)
		ch = json_object_get(rec, "status");
	sargs_time_format(time_us, t, sizeof(t));
	(void)json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s?}", "time", t, "purpose",
						   purpose, "event", event, "channel",
						   json_string_value(ch)));
	json_decref(rec);
	return 0;
}

static int purchases_cb(void *ctx, const char *line, int32_t day)
{
	char d[SARGS_DATE_STR];

	day_text(day, d);
	(void)json_array_append_new(ctx, json_pack("{s:s, s:s}", "date", d, "product_line", line));
	return 0;
}

static int contracts_cb(void *ctx, int64_t no, const char *line, int32_t start, int32_t end)
{
	char a[SARGS_DATE_STR], b[SARGS_DATE_STR];

	day_text(start, a);
	if (end != SARGS_STORE_DAY_NONE)
		day_text(end, b);
	(void)json_array_append_new(ctx, json_pack("{s:I, s:s?, s:s, s:s?}", "number",
						   (json_int_t)no, "product_line", line, "start", a,
						   "end", end != SARGS_STORE_DAY_NONE ? b : NULL));
	return 0;
}

static int disclosures_cb(void *ctx, const struct sargs_store_disclosure *d)
{
	char t[SARGS_TIME_STR];

	sargs_time_format(d->time_us, t, sizeof(t));
	(void)json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s?, s:s?}", "time", t,
						   "recipient", d->recipient, "purpose", d->purpose,
						   "fields", d->fields, "reference", d->reference));
	return 0;
}

static json_t *controller_json(struct sargs_reg *reg)
{
	struct sargs_controller c;
	json_t *o;

	if (sargs_controller_get(reg, &c, NULL) != SARGS_OK)
		return json_null();
	o = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "name", c.name,
		      "registration_number", c.registration_number, "address", c.address, "email",
		      c.email, "phone", c.phone, "dpo_name", c.dpo_name, "dpo_email", c.dpo_email);
	sargs_controller_release(&c);
	return o;
}

/* Builds the access document inside the caller's transaction (the read is
 * audited there). */
static enum sargs_rc access_doc(struct sargs_reg *reg, const char *id,
				const struct sargs_access_opts *opts, json_t **out,
				struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct sargs_subject_view v;
	struct links *lk = NULL;
	json_t *doc = NULL, *data, *purposes, *events, *purchases, *contracts, *disc = NULL;
	char t[SARGS_TIME_STR], detail[64];
	int profiling = 0;
	enum sargs_rc rc;

	*out = NULL;
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	(void)snprintf(detail, sizeof(detail), "request:%lld", (long long)opts->request_id);
	rc = sargs_subject_read_all(reg, id, "rights.access", opts->request_id ? detail : NULL, &v,
				    err);
	if (rc != SARGS_OK)
		return rc;
	lk = calloc(1, sizeof(*lk));
	if (lk == NULL) {
		sargs_subject_view_free(&v);
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	data = json_array();
	for (size_t i = 0; i < v.n_fields; i++) {
		const struct sargs_field_def *fd = sargs_registry_field(r, v.fields[i].name);
		const struct sargs_category *c = fd ? sargs_registry_category(r, fd->category) : NULL;

		(void)json_array_append_new(
			data, json_pack("{s:s, s:s, s:s, s:s}", "field", v.fields[i].name, "label",
					fd ? fd->label : v.fields[i].name, "category",
					c ? c->name : v.fields[i].category, "value",
					v.fields[i].value));
	}
	purposes = json_array();
	events = json_array();
	purchases = json_array();
	contracts = json_array();
	rc = sargs_store_links(reg->store, id, links_cb, lk);
	for (size_t i = 0; rc == SARGS_OK && i < lk->n; i++) {
		const struct sargs_purpose *p = sargs_registry_purpose(r, lk->ids[i]);

		if (p == NULL)
			continue;
		profiling |= p->profiling;
		(void)json_array_append_new(purposes, purpose_json(reg, r, p, id, lk->since[i]));
	}
	if (rc == SARGS_OK)
		rc = sargs_store_consent_events(reg->store, id, events_cb, events);
	if (rc == SARGS_OK)
		rc = sargs_store_purchases(reg->store, id, purchases_cb, purchases);
	if (rc == SARGS_OK)
		rc = sargs_store_contracts(reg->store, id, contracts_cb, contracts);
	if (rc == SARGS_OK && opts->with_disclosures) {
		disc = json_array();
		rc = sargs_store_disclosures(reg->store, id, sargs_time_now_us() - TWO_YEARS_US,
					     disclosures_cb, disc);
	}
	sargs_time_format(sargs_time_now_us(), t, sizeof(t));
	doc = json_pack("{s:i, s:s, s:o, s:{s:s, s:s, s:s, s:s?}, s:o, s:o, s:o, s:o, s:o, s:b}",
			"sargs_access_export", 1, "generated", t, "controller",
			controller_json(reg), "subject", "id", v.id, "created",
			"", "source", v.source, "source_name", v.source_name, "data", data,
			"purposes", purposes, "consent_history", events, "purchases", purchases,
			"contracts", contracts, "profiling", profiling);
	if (doc != NULL) {
		char c[SARGS_TIME_STR];

		sargs_time_format(v.created_us, c, sizeof(c));
		(void)json_object_set_new(json_object_get(doc, "subject"), "created", json_string(c));
		if (opts->request_id)
			(void)json_object_set_new(doc, "request", json_integer(opts->request_id));
		(void)json_object_set_new(doc, "disclosures_last_two_years",
					  disc ? disc : json_null());
		disc = NULL;
		(void)json_object_set_new(
			doc, "your_rights",
			json_pack("{s:s, s:s}", "rights", RIGHTS_EN, "complaint", COMPLAINT_EN));
		(void)json_object_set_new(
			doc, "automated_decisions",
			json_string(profiling ? "some purposes involve profiling; you may ask for a"
						" person to review any decision based on it (GDPR"
						" Art. 22)"
					      : "none: no decision about you is made by automated"
						" means alone"));
	}
	json_decref(disc);
	free(lk);
	sargs_subject_view_free(&v);
	if (rc != SARGS_OK) {
		json_wipe_decref(doc);
		return store_err(reg, rc, err, "read the subject's records");
	}
	if (doc == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	*out = doc;
	return SARGS_OK;
}

/* ---- the HTML report */

struct words {
	const char *lang, *title, *intro1, *intro2, *intro3, *data, *field, *value, *category, *why, *basis,
		*categories, *recipients, *transfers, *kept, *profiling, *in_use, *yes, *no,
		*source, *source_person, *consents, *purchases, *contracts, *disclosures,
		*none, *rights, *rights_text, *complaint, *until, *date, *event, *channel,
		*product_line, *start, *end, *recipient, *reference;
};

static const struct words en = {
	"en", "Your personal data",
	"This is a copy of the personal data ", " keeps about you (GDPR Art. 15), prepared on ",
	".",
	"The data", "Field", "Value", "Category", "Why we keep it and on what basis",
	"Legal basis", "Data categories", "Recipients", "Transfers outside the EU",
	"How long we keep it", "Profiling", "In use now", "yes", "no",
	"Where the data came from", "from you", "Your consents, withdrawals and objections",
	"Purchases", "Contracts", "Disclosures in the last two years", "none",
	"Your rights",
	RIGHTS_EN, COMPLAINT_EN,
	"until", "Date", "Event", "Channel", "Product line", "Start", "End", "Recipient",
	"Reference"};

static const struct words lv = {
	"lv", "Jūsu personas dati",
	"Šī ir to personas datu kopija, ko ", " glabā par jums (VDAR 15. pants), sagatavota ",
	".",
	"Dati", "Lauks", "Vērtība", "Kategorija", "Kāpēc mēs tos glabājam un uz kāda pamata",
	"Tiesiskais pamats", "Datu kategorijas", "Saņēmēji", "Nodošana ārpus ES",
	"Cik ilgi glabājam", "Profilēšana", "Pašlaik izmanto", "jā", "nē",
	"No kurienes dati iegūti", "no jums", "Jūsu piekrišanas, to atsaukumi un iebildumi",
	"Pirkumi", "Līgumi", "Datu izpaušana pēdējos divos gados", "nav",
	"Jūsu tiesības",
	"Jūs varat lūgt mums labot savus datus, tos dzēst, ierobežot to apstrādi, saņemt tos"
	" mašīnlasāmā formā un iebilst pret to apstrādi; piekrišanu varat atsaukt jebkurā laikā,"
	" un tas neietekmē iepriekšējās apstrādes likumību.",
	"Jums ir tiesības iesniegt sūdzību Datu valsts inspekcijai, Elijas ielā 17, Rīgā,"
	" LV-1050, www.dvi.gov.lv.",
	"līdz", "Datums", "Notikums", "Kanāls", "Produktu līnija", "Sākums", "Beigas",
	"Saņēmējs", "Atsauce"};

static const char *basis_lv(const char *b)
{
	static const char *const map[][2] = {
		{"consent", "piekrišana (VDAR 6. panta 1. punkta a) apakšpunkts)"},
		{"contract", "līguma izpilde (VDAR 6. panta 1. punkta b) apakšpunkts)"},
		{"legal_obligation", "juridisks pienākums (VDAR 6. panta 1. punkta c) apakšpunkts)"},
		{"vital_interests", "vitāli svarīgas intereses (VDAR 6. panta 1. punkta d)"
				    " apakšpunkts)"},
		{"public_task", "sabiedrības interesēs veicams uzdevums (VDAR 6. panta 1. punkta e)"
				" apakšpunkts)"},
		{"legitimate_interests", "leģitīmās intereses (VDAR 6. panta 1. punkta f)"
					 " apakšpunkts)"}};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(map[i][0], b) == 0)
			return map[i][1];
	return b;
}

/* HTML-escapes s into sb. */
static void esc(struct sargs_strbuf *sb, const char *s, int *bad)
{
	for (; s != NULL && *s; s++) {
		const char *e = NULL;

		switch (*s) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: break;
		}
		if ((e ? sargs_strbuf_adds(sb, e) : sargs_strbuf_add(sb, s, 1)) != SARGS_OK)
			*bad = 1;
	}
}

static void raw(struct sargs_strbuf *sb, const char *s, int *bad)
{
	if (sargs_strbuf_adds(sb, s) != SARGS_OK)
		*bad = 1;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

static void th_row(struct sargs_strbuf *sb, const char *const *cells, size_t n, int *bad)
{
	raw(sb, "<tr>", bad);
	for (size_t i = 0; i < n; i++) {
		raw(sb, "<th>", bad);
		esc(sb, cells[i], bad);
		raw(sb, "</th>", bad);
	}
	raw(sb, "</tr>\n", bad);
}

static void td_row(struct sargs_strbuf *sb, const char *const *cells, size_t n, int *bad)
{
	raw(sb, "<tr>", bad);
	for (size_t i = 0; i < n; i++) {
		raw(sb, "<td>", bad);
		esc(sb, cells[i], bad);
		raw(sb, "</td>", bad);
	}
	raw(sb, "</tr>\n", bad);
}

static enum sargs_rc render_html(json_t *doc, const struct words *w, char **out,
				 struct sargs_err *err)
{
	struct sargs_strbuf sb;
	json_t *ctl = json_object_get(doc, "controller"), *e;
	int bad = 0;
	size_t i, j;

	sargs_strbuf_init(&sb, 64u << 20);
	raw(&sb, "<!DOCTYPE html>\n<html lang=\"", &bad);
	raw(&sb, w->lang, &bad);
	raw(&sb, "\">\n<head><meta charset=\"utf-8\"><title>", &bad);
	esc(&sb, w->title, &bad);
	raw(&sb, "</title>\n<style>body{font-family:sans-serif;max-width:60em;margin:2em auto;"
		 "line-height:1.4}table{border-collapse:collapse;width:100%}th,td{border:1px "
		 "solid #bbb;padding:.3em .5em;text-align:left;vertical-align:top}th{background:"
		 "#eee}</style></head>\n<body>\n<h1>",
	    &bad);
	esc(&sb, w->title, &bad);
	raw(&sb, "</h1>\n<p>", &bad);
	esc(&sb, w->intro1, &bad);
	esc(&sb, json_is_object(ctl) ? jstr(ctl, "name") : "—", &bad);
	esc(&sb, w->intro2, &bad);
	{
		char day[SARGS_DATE_STR];

		(void)snprintf(day, sizeof(day), "%.10s", jstr(doc, "generated"));
		esc(&sb, day, &bad);
	}
	esc(&sb, w->intro3, &bad);
	raw(&sb, "</p>\n<h2>", &bad);
	esc(&sb, w->data, &bad);
	raw(&sb, "</h2>\n<table>\n", &bad);
	{
		const char *h[] = {w->field, w->value, w->category};

		th_row(&sb, h, 3, &bad);
	}
	json_array_foreach(json_object_get(doc, "data"), i, e) {
		const char *c[] = {jstr(e, "label"), jstr(e, "value"), jstr(e, "category")};

		td_row(&sb, c, 3, &bad);
	}
	raw(&sb, "</table>\n<h2>", &bad);
	esc(&sb, w->source, &bad);
	raw(&sb, "</h2>\n<p>", &bad);
	{
		json_t *s = json_object_get(doc, "subject");

		esc(&sb, strcmp(jstr(s, "source"), "person") == 0 ? w->source_person
								   : jstr(s, "source_name"),
		    &bad);
	}
	raw(&sb, "</p>\n<h2>", &bad);
	esc(&sb, w->why, &bad);
	raw(&sb, "</h2>\n", &bad);
	json_array_foreach(json_object_get(doc, "purposes"), i, e) {
		json_t *x, *st = json_object_get(e, "status");
		const char *basis = jstr(e, "legal_basis");
		struct sargs_strbuf list;

		sargs_strbuf_init(&list, 1u << 20);
		raw(&sb, "<h3>", &bad);
		esc(&sb, jstr(e, "name"), &bad);
		raw(&sb, "</h3>\n<p>", &bad);
		esc(&sb, jstr(e, "description"), &bad);
		raw(&sb, "</p>\n<table>\n", &bad);
		{
			const char *c[] = {w->basis, strcmp(w->lang, "lv") == 0
							     ? basis_lv(basis)
							     : jstr(e, "legal_basis_article")};

			td_row(&sb, c, 2, &bad);
		}
		json_array_foreach(json_object_get(e, "categories"), j, x) {
			raw(&list, j ? ", " : "", &bad);
			raw(&list, json_string_value(x), &bad);
		}
		{
			const char *c[] = {w->categories, list.len ? list.data : w->none};

			td_row(&sb, c, 2, &bad);
		}
		sargs_strbuf_reset(&list);
		json_array_foreach(json_object_get(e, "recipients"), j, x) {
			raw(&list, j ? "; " : "", &bad);
			raw(&list, jstr(x, "name"), &bad);
			if (json_object_get(x, "condition") != NULL) {
				raw(&list, " (", &bad);
				raw(&list, jstr(x, "condition"), &bad);
				raw(&list, ")", &bad);
			}
		}
		{
			const char *c[] = {w->recipients, list.len ? list.data : w->none};

			td_row(&sb, c, 2, &bad);
		}
		sargs_strbuf_reset(&list);
		json_array_foreach(json_object_get(e, "transfers_outside_eu"), j, x) {
			raw(&list, j ? "; " : "", &bad);
			raw(&list, jstr(x, "country"), &bad);
			raw(&list, ": ", &bad);
			raw(&list, jstr(x, "recipient"), &bad);
			raw(&list, " (", &bad);
			raw(&list, jstr(x, "safeguard"), &bad);
			raw(&list, ")", &bad);
		}
		{
			const char *c[] = {w->transfers, list.len ? list.data : w->none};

			td_row(&sb, c, 2, &bad);
		}
		sargs_strbuf_reset(&list);
		raw(&list, jstr(e, "retention"), &bad);
		if (json_object_get(e, "kept_until") != NULL) {
			raw(&list, " (", &bad);
			raw(&list, w->until, &bad);
			raw(&list, " ", &bad);
			raw(&list, jstr(e, "kept_until"), &bad);
			raw(&list, ")", &bad);
		}
		{
			const char *c[] = {w->kept, list.data ? list.data : ""};

			td_row(&sb, c, 2, &bad);
		}
		{
			const char *c[] = {w->profiling, json_is_true(json_object_get(e, "profiling"))
								 ? w->yes
								 : w->no};
			const char *c2[] = {w->in_use, json_is_true(json_object_get(st, "in_use"))
							       ? w->yes
							       : w->no};

			td_row(&sb, c, 2, &bad);
			td_row(&sb, c2, 2, &bad);
		}
		raw(&sb, "</table>\n", &bad);
		sargs_strbuf_free(&list);
	}
	{
		static const struct {
			const char *key;
			size_t n;
		} secs[] = {{"consent_history", 4}, {"purchases", 2}, {"contracts", 3},
			    {"disclosures_last_two_years", 5}};
		const char *titles[] = {w->consents, w->purchases, w->contracts, w->disclosures};
		const char *heads[][5] = {{w->date, w->event, w->why, w->channel, NULL},
					  {w->date, w->product_line, NULL, NULL, NULL},
					  {w->start, w->end, w->product_line, NULL, NULL},
					  {w->date, w->recipient, w->why, w->field, w->reference}};
		static const char *const keys[][5] = {{"time", "event", "purpose", "channel", NULL},
						      {"date", "product_line", NULL, NULL, NULL},
						      {"start", "end", "product_line", NULL, NULL},
						      {"time", "recipient", "purpose", "fields",
						       "reference"}};

		for (size_t s = 0; s < 4; s++) {
			json_t *arr = json_object_get(doc, secs[s].key);

			if (!json_is_array(arr))
				continue;
			raw(&sb, "<h2>", &bad);
			esc(&sb, titles[s], &bad);
			raw(&sb, "</h2>\n", &bad);
			if (json_array_size(arr) == 0) {
				raw(&sb, "<p>", &bad);
				esc(&sb, w->none, &bad);
				raw(&sb, "</p>\n", &bad);
				continue;
			}
			raw(&sb, "<table>\n", &bad);
			th_row(&sb, heads[s], secs[s].n, &bad);
			json_array_foreach(arr, i, e) {
				const char *c[5];

				for (size_t k = 0; k < secs[s].n; k++)
					c[k] = jstr(e, keys[s][k]);
				td_row(&sb, c, secs[s].n, &bad);
			}
			raw(&sb, "</table>\n", &bad);
		}
	}
	raw(&sb, "<h2>", &bad);
	esc(&sb, w->rights, &bad);
	raw(&sb, "</h2>\n<p>", &bad);
	esc(&sb, w->rights_text, &bad);
	raw(&sb, "</p>\n<p>", &bad);
	esc(&sb, w->complaint, &bad);
	raw(&sb, "</p>\n</body>\n</html>\n", &bad);
	if (bad) {
		sargs_strbuf_free(&sb);
		return sargs_err_set(err, SARGS_E_NOMEM, "the report is too large");
	}
	*out = sargs_strbuf_take(&sb);
	return *out ? SARGS_OK : sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
}

enum sargs_rc sargs_access_export(struct sargs_reg *reg, const char *id,
				  const struct sargs_access_opts *opts, char **out,
				  struct sargs_err *err)
{
	json_t *doc = NULL;
	enum sargs_rc rc;

	*out = NULL;
	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID, "not a subject id (expected a UUID)");
	if (opts->format == SARGS_EXPORT_HTML && opts->lang != NULL &&
	    strcmp(opts->lang, "lv") != 0 && strcmp(opts->lang, "en") != 0)
		return sargs_err_set(err, SARGS_E_INVALID, "the report's language is lv or en");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = access_doc(reg, id, opts, &doc, err);
	/* the read is durable before the copy leaves the process */
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK) {
		json_wipe_decref(doc);
		return rc;
	}
	if (opts->format == SARGS_EXPORT_HTML) {
		rc = render_html(doc, opts->lang && strcmp(opts->lang, "en") == 0 ? &en : &lv, out,
				 err);
	} else {
		*out = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (*out == NULL)
			rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	json_wipe_decref(doc);
	return rc;
}

enum sargs_rc sargs_portability_export(struct sargs_reg *reg, const char *id, char **out,
				       struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct sargs_subject_view v;
	struct links *lk;
	json_t *doc, *by;
	char t[SARGS_TIME_STR];
	enum sargs_rc rc;

	*out = NULL;
	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID, "not a subject id (expected a UUID)");
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	lk = calloc(1, sizeof(*lk));
	if (lk == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK) {
		free(lk);
		return rc;
	}
	rc = sargs_subject_read_all(reg, id, "rights.portability", NULL, &v, err);
	if (rc == SARGS_OK && (rc = sargs_store_links(reg->store, id, links_cb, lk)) != SARGS_OK)
		(void)store_err(reg, rc, err, "read the subject's purposes");
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK) {
		free(lk);
		return rc;
	}
	by = json_object();
	/* Art. 20(1): data the person provided, processed on consent or a
	 * contract; not what the business recorded or derived itself */
	for (size_t i = 0; i < lk->n && strcmp(v.source, "person") == 0; i++) {
		const struct sargs_purpose *p = sargs_registry_purpose(r, lk->ids[i]);
		json_t *fields;

		if (p == NULL ||
		    (p->basis != SARGS_BASIS_CONSENT && p->basis != SARGS_BASIS_CONTRACT))
			continue;
		fields = json_object();
		for (size_t k = 0; k < v.n_fields; k++) {
			const struct sargs_field_def *fd = sargs_registry_field(r, v.fields[k].name);

			if (fd == NULL || fd->derived || sargs_purpose_field(p, fd->name) == NULL)
				continue;
			(void)json_object_set_new(fields, fd->name, json_string(v.fields[k].value));
		}
		(void)json_object_set_new(by, p->id, fields);
	}
	sargs_time_format(sargs_time_now_us(), t, sizeof(t));
	doc = json_pack("{s:i, s:s, s:s, s:o}", "sargs_portability_export", 1, "subject", id,
			"generated", t, "provided_data", by);
	sargs_subject_view_free(&v);
	free(lk);
	*out = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	json_wipe_decref(doc);
	return *out ? SARGS_OK : sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
}

/* ---- erasure that keeps what the law requires */

/* Joins names with commas into sb; 1 on overflow. */
static int join(struct sargs_strbuf *sb, const char *const *names, size_t n)
{
	int bad = 0;

	for (size_t i = 0; i < n; i++) {
		raw(sb, i ? "," : "", &bad);
		raw(sb, names[i], &bad);
	}
	raw(sb, "", &bad);
	return bad;
}

/*
 * Records a partial erasure (purposes ended, fields erased; names only) in
 * the ledger a restore re-applies, so a backup taken before it does not
 * bring the data back (seed 004 §5.2i).
 */
static enum sargs_rc record_partial(struct sargs_reg *reg, const char *id,
				    const char *const *unlink, size_t n_unlink,
				    const char *const *unset, size_t n_unset, struct sargs_err *err)
{
	struct sargs_strbuf ps, fs;
	enum sargs_rc rc;

	sargs_strbuf_init(&ps, 1u << 16);
	sargs_strbuf_init(&fs, 1u << 16);
	if (join(&ps, unlink, n_unlink) || join(&fs, unset, n_unset))
		rc = sargs_err_set(err, SARGS_E_NOMEM, "too many names");
	else if ((rc = sargs_store_partial_add(reg->store, id, sargs_time_now_us(),
					       ps.data ? ps.data : "", fs.data ? fs.data : "")) !=
		 SARGS_OK)
		rc = store_err(reg, rc, err, "record the erasure in the ledger");
	sargs_strbuf_free(&ps);
	sargs_strbuf_free(&fs);
	return rc;
}

/* The fields of the subject that none of the kept purposes lists. */
static size_t fields_to_unset(const struct sargs_registry *r, char (*names)[64], size_t n,
			      const struct sargs_purpose *const *kept, size_t n_kept,
			      const char **out)
{
	size_t m = 0;

	for (size_t i = 0; i < n; i++) {
		int needed = 0;

		for (size_t k = 0; k < n_kept && !needed; k++)
			needed = sargs_purpose_field(kept[k], names[i]) != NULL;
		if (!needed && sargs_registry_field(r, names[i]) != NULL)
			out[m++] = names[i];
	}
	return m;
}

enum sargs_rc sargs_rights_erase(struct sargs_reg *reg, const char *id, const char *reason,
				 struct sargs_erasure_report *out, struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *kept[64];
	struct links *lk = NULL;
	char (*names)[64] = NULL;
	const char *unset[MAX_NAMES], *unlink[64];
	size_t n_kept = 0, n_names = 0, n_unset, n_unlink = 0;
	int32_t today = sargs_today();
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID, "not a subject id (expected a UUID)");
	if (!sargs_erase_reason_valid(reason))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the reason is request, retention, withdrawal, objection or"
				     " other");
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	lk = calloc(1, sizeof(*lk));
	names = calloc(MAX_NAMES, sizeof(*names));
	if (lk == NULL || names == NULL) {
		free(lk);
		free(names);
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		goto done;
	if ((rc = sargs_store_links(reg->store, id, links_cb, lk)) != SARGS_OK) {
		rc = store_err(reg, rc, err, "read the subject's purposes");
		goto out;
	}
	/* GDPR Art. 17(3)(b); 004 §15.6: what a legal obligation still
	 * requires stays, for that purpose only, until its term ends */
	for (size_t i = 0; i < lk->n; i++) {
		const struct sargs_purpose *p = sargs_registry_purpose(r, lk->ids[i]);
		struct sargs_policy_facts f;
		int32_t end;

		/* Art. 17(3)(b) a legal obligation, (e) legal claims */
		if (p == NULL || (p->basis != SARGS_BASIS_LEGAL_OBLIGATION && !p->legal_claims)) {
			unlink[n_unlink++] = lk->ids[i];
			continue;
		}
		if ((rc = sargs_policy_facts_load(reg, id, p, &f, err)) != SARGS_OK)
			goto out;
		end = sargs_policy_retention_end(p, &f);
		if (today > end) {
			unlink[n_unlink++] = lk->ids[i];
			continue;
		}
		if (n_kept >= 8) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "more than 8 purposes would keep data: not erased; review"
					   " the purposes");
			goto out;
		}
		kept[n_kept] = p;
		(void)snprintf(out->kept[n_kept].purpose, sizeof(out->kept[0].purpose), "%s", p->id);
		(void)snprintf(out->kept[n_kept].basis_detail, sizeof(out->kept[0].basis_detail), "%s",
			       p->basis_detail ? p->basis_detail : sargs_basis_article(p->basis));
		if (end == INT32_MAX)
			(void)snprintf(out->kept[n_kept].until, sizeof(out->kept[0].until), "%s",
				       "open");
		else
			day_text(end, out->kept[n_kept].until);
		n_kept++;
	}
	if (n_kept == 0) {
		rc = sargs_subject_erase(reg, id, reason, err);
		out->erased = rc == SARGS_OK;
		goto out;
	}
	if ((rc = sargs_subject_field_names(reg, id, names, MAX_NAMES, &n_names, err)) !=
	    SARGS_OK)
		goto out;
	n_unset = fields_to_unset(r, names, n_names, kept, n_kept, unset);
	for (size_t k = 0; k < n_kept; k++) {
		struct sargs_strbuf sb;
		int bad = 0;

		sargs_strbuf_init(&sb, sizeof(out->kept[0].fields) - 1);
		for (size_t i = 0; i < n_names; i++) {
			if (sargs_purpose_field(kept[k], names[i]) == NULL)
				continue;
			raw(&sb, sb.len ? "," : "", &bad);
			raw(&sb, names[i], &bad);
		}
		(void)snprintf(out->kept[k].fields, sizeof(out->kept[0].fields), "%s",
			       sb.data ? sb.data : "");
		sargs_strbuf_free(&sb);
	}
	out->n_kept = n_kept;
	if (n_unset + n_unlink > 0) {
		struct sargs_subject_change ch;

		memset(&ch, 0, sizeof(ch));
		ch.unset = unset;
		ch.n_unset = n_unset;
		ch.unlink = unlink;
		ch.n_unlink = n_unlink;
		if ((rc = sargs_subject_edit(reg, id, &ch, err)) != SARGS_OK ||
		    (rc = record_partial(reg, id, unlink, n_unlink, unset, n_unset, err)) !=
			    SARGS_OK)
			goto out;
	}
	{
		char detail[160];

		(void)snprintf(detail, sizeof(detail), "reason:%s kept:%s%s", reason, kept[0]->id,
			       n_kept > 1 ? ",..." : "");
		rc = sargs_reg_audit(reg, "rights.erase.partial", id, NULL, NULL, detail, err);
	}
out:
	rc = sargs_reg_end(reg, rc, err);
done:
	free(lk);
	free(names);
	if (rc != SARGS_OK)
		memset(out, 0, sizeof(*out));
	return rc;
}

/* ---- restriction */

enum sargs_rc sargs_restrict(struct sargs_reg *reg, const char *id, int on,
			     struct sargs_err *err)
{
	struct sargs_store_subject s;
	struct sargs_store_facts f;
	void *owned = NULL, *fo = NULL;
	enum sargs_rc rc;

	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID, "not a subject id (expected a UUID)");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_subject_get(reg->store, id, &s, &owned);
	free(owned);
	if (rc == SARGS_E_NOTFOUND) {
		rc = sargs_err_set(err, rc, "no subject %s (or it was erased)", id);
		goto out;
	}
	if (rc == SARGS_OK)
		rc = sargs_store_facts_get(reg->store, id, &f, &fo);
	if (rc == SARGS_OK) {
		f.restricted = on != 0;
		rc = sargs_store_facts_put(reg->store, id, &f);
	}
	free(fo);
	if (rc == SARGS_OK)
		rc = sargs_audience_refresh(reg, id);
	if (rc != SARGS_OK) {
		rc = store_err(reg, rc, err, "record the restriction");
		goto out;
	}
	rc = sargs_reg_audit(reg, on ? "rights.restrict" : "rights.unrestrict", id, NULL, NULL,
			     NULL, err);
out:
	return sargs_reg_end(reg, rc, err);
}

/* ---- the retention sweep */

struct sweep_link {
	char purpose[64];
	int32_t end;
	int expired;
};

struct sweep_subject {
	char id[SARGS_UUID_STR];
	int restricted;
	struct sweep_link links[64];
	size_t n;
};

struct sweep_ctx {
	const struct sargs_registry *r;
	int32_t today;
	struct sargs_sweep_summary *sum;
	struct sweep_subject cur;
	struct sweep_subject *due;     /* subjects with an expired purpose */
	size_t n_due, cap_due;
	int oom;
};

/* Keeps the subject in cur when one of its purposes expired. */
static void sweep_flush(struct sweep_ctx *c)
{
	int any = 0;

	for (size_t i = 0; i < c->cur.n; i++)
		any |= c->cur.links[i].expired;
	if (any && !c->oom) {
		if (c->n_due == c->cap_due) {
			size_t ncap = c->cap_due ? c->cap_due * 2 : 64;
			struct sweep_subject *d = realloc(c->due, ncap * sizeof(*d));

			if (d == NULL) {
				c->oom = 1;
				return;
			}
			c->due = d;
			c->cap_due = ncap;
		}
		c->due[c->n_due++] = c->cur;
	}
	c->cur.n = 0;
	c->cur.restricted = 0;
	c->cur.id[0] = '\0';
}

static int sweep_cb(void *ctx, const struct sargs_store_link_facts *l)
{
	struct sweep_ctx *c = ctx;
	const struct sargs_purpose *p = sargs_registry_purpose(c->r, l->purpose);
	struct sargs_policy_facts f;
	struct sweep_link *sl;

	c->sum->links_checked++;
	if (strcmp(c->cur.id, l->subject_id) != 0) {
		if (c->cur.id[0] != '\0')
			sweep_flush(c);
		(void)snprintf(c->cur.id, sizeof(c->cur.id), "%s", l->subject_id);
	}
	c->cur.restricted |= l->restricted != 0;
	if (p == NULL)
		return c->oom;
	if (c->cur.n >= 64) {
		c->oom = 1; /* a subject has at most 64 links: never plan on part of them */
		return 1;
	}
	memset(&f, 0, sizeof(f));
	f.exists = 1;
	f.linked = 1;
	f.linked_day = (int32_t)(l->linked_us / DAY_US);
	f.last_purchase_day = l->last_purchase_day == SARGS_STORE_DAY_NONE ? SARGS_DAY_UNKNOWN
									  : l->last_purchase_day;
	f.contract_end_day = l->contract_end_day == SARGS_STORE_DAY_NONE ? SARGS_DAY_UNKNOWN
									: l->contract_end_day;
	f.withdrawn_day = SARGS_DAY_UNKNOWN;
	if (l->consent_state == SARGS_CONSENT_WITHDRAWN)
		f.withdrawn_day = (int32_t)(l->consent_since_us / DAY_US);
	if (l->objected_us != 0)
		f.withdrawn_day = (int32_t)(l->objected_us / DAY_US);
	if (p->marketing.enabled && l->dm_objected_us != 0 && f.withdrawn_day == SARGS_DAY_UNKNOWN)
		f.withdrawn_day = (int32_t)(l->dm_objected_us / DAY_US);
	sl = &c->cur.links[c->cur.n++];
	(void)snprintf(sl->purpose, sizeof(sl->purpose), "%s", p->id);
	sl->end = sargs_policy_retention_end(p, &f);
	sl->expired = c->today > sl->end;
	return c->oom;
}

/* Plans and (unless dry_run) applies the actions for one subject. */
static enum sargs_rc sweep_subject(struct sargs_reg *reg, const struct sargs_registry *r,
				   const struct sweep_subject *s, int dry_run,
				   void (*cb)(void *ctx, const struct sargs_sweep_item *it),
				   void *ctx, struct sargs_sweep_summary *sum,
				   struct sargs_err *err)
{
	const struct sargs_purpose *remain[64];
	const char *unlink[64], *unset[MAX_NAMES];
	char (*names)[64];
	size_t n_remain = 0, n_unlink = 0, n_names = 0, n_unset;
	enum sargs_rc rc = SARGS_OK;

	/* GDPR Art. 18(1)(c), 18(2): restricted data is stored and nothing
	 * more, erasure included, until the restriction is lifted (looked at
	 * again here, in the transaction that would act: it may be new) */
	int restricted = s->restricted;

	if (!restricted && !dry_run) {
		struct sargs_store_facts f;
		void *owned = NULL;

		if (sargs_store_facts_get(reg->store, s->id, &f, &owned) == SARGS_OK)
			restricted = f.restricted;
		free(owned);
	}
	if (restricted) {
		for (size_t i = 0; i < s->n && cb != NULL; i++) {
			char until[SARGS_DATE_STR];
			struct sargs_sweep_item it = {s->id, "hold", s->links[i].purpose, until, ""};

			if (!s->links[i].expired)
				continue;
			day_text(s->links[i].end, until);
			cb(ctx, &it);
		}
		sum->held_restricted++;
		return SARGS_OK;
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->links[i].expired)
			unlink[n_unlink++] = s->links[i].purpose;
		else
			remain[n_remain++] = sargs_registry_purpose(r, s->links[i].purpose);
	}
	if (n_remain == 0) {
		/* no purpose left: the person is erased (004 §4.4) */
		for (size_t i = 0; i < s->n && cb != NULL; i++) {
			char until[SARGS_DATE_STR];
			struct sargs_sweep_item it = {s->id, "erase", s->links[i].purpose, until, ""};

			day_text(s->links[i].end, until);
			cb(ctx, &it);
		}
		sum->subjects_erased++;
		sum->purposes_ended += (int64_t)s->n;
		return dry_run ? SARGS_OK : sargs_subject_erase(reg, s->id, "retention", err);
	}
	names = calloc(MAX_NAMES, sizeof(*names));
	if (names == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	rc = sargs_subject_field_names(reg, s->id, names, MAX_NAMES, &n_names, err);
	if (rc == SARGS_OK) {
		n_unset = fields_to_unset(r, names, n_names, remain, n_remain, unset);
		for (size_t i = 0; i < s->n && cb != NULL; i++) {
			char until[SARGS_DATE_STR], fields[1024] = "";
			size_t off = 0;
			struct sargs_sweep_item it = {s->id, "unlink", s->links[i].purpose, until,
						      fields};

			if (!s->links[i].expired)
				continue;
			for (size_t k = 0; k < n_unset && off < sizeof(fields); k++)
				off += (size_t)snprintf(fields + off, sizeof(fields) - off, "%s%s",
							k ? "," : "", unset[k]);
			day_text(s->links[i].end, until);
			cb(ctx, &it);
		}
		sum->purposes_ended += (int64_t)n_unlink;
		sum->fields_erased += (int64_t)n_unset;
		if (!dry_run) {
			struct sargs_subject_change ch;

			memset(&ch, 0, sizeof(ch));
			ch.unlink = unlink;
			ch.n_unlink = n_unlink;
			ch.unset = unset;
			ch.n_unset = n_unset;
			rc = sargs_subject_edit(reg, s->id, &ch, err);
			if (rc == SARGS_OK)
				rc = record_partial(reg, s->id, unlink, n_unlink, unset, n_unset,
						    err);
		}
	}
	free(names);
	return rc;
}

enum sargs_rc sargs_retention_sweep(struct sargs_reg *reg, int dry_run,
				    void (*cb)(void *ctx, const struct sargs_sweep_item *it),
				    void *ctx, struct sargs_sweep_summary *out,
				    struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct sweep_ctx c;
	char detail[160];
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	memset(&c, 0, sizeof(c));
	c.r = r;
	c.today = sargs_today();
	c.sum = out;
	/* plan in one consistent snapshot */
	if ((rc = sargs_store_begin_read(reg->store, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_link_facts_scan(reg->store, sweep_cb, &c);
	if (c.cur.id[0] != '\0')
		sweep_flush(&c);
	{
		struct sargs_err e2;

		if (sargs_store_commit(reg->store, &e2) != SARGS_OK && rc == SARGS_OK)
			rc = e2.rc;
	}
	if (c.oom)
		rc = SARGS_E_NOMEM;
	if (rc != SARGS_OK) {
		free(c.due);
		return store_err(reg, rc, err, "scan the purposes' retention");
	}
	/* apply in batches: each subject's change is whole, a batch is durable */
	for (size_t i = 0; i < c.n_due && rc == SARGS_OK; i += 500) {
		size_t end = i + 500 < c.n_due ? i + 500 : c.n_due;

		if (!dry_run && (rc = sargs_reg_begin(reg, err)) != SARGS_OK)
			break;
		for (size_t k = i; k < end && rc == SARGS_OK; k++)
			rc = sweep_subject(reg, r, &c.due[k], dry_run, cb, ctx, out, err);
		if (!dry_run)
			rc = sargs_reg_end(reg, rc, err);
	}
	free(c.due);
	if (rc != SARGS_OK)
		return rc;
	(void)snprintf(detail, sizeof(detail),
		       "%slinks:%lld erased:%lld ended:%lld fields:%lld held:%lld",
		       dry_run ? "dry-run " : "", (long long)out->links_checked,
		       (long long)out->subjects_erased, (long long)out->purposes_ended,
		       (long long)out->fields_erased, (long long)out->held_restricted);
	return sargs_reg_audit(reg, dry_run ? "retention.sweep.dry_run" : "retention.sweep", NULL,
			       NULL, NULL, detail, err);
}
