/*
 * ropa.c — the record of processing activities, GDPR Art. 30(1)(a)-(g):
 * controller and DPO contact, purposes, categories of data subjects and of
 * personal data, recipients, transfers to third countries with their
 * safeguards, time limits for erasure, and a description of the security
 * measures. One JSON tree is built; the Markdown is rendered from it.
 */
#include "domain/ropa.h"
#include "domain/controller.h"
#include "domain/registry.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Art. 32(1): what Sargs itself does to protect the data it holds. */
static const char *const security_measures[] = {
	"Every personal field is encrypted at rest with a key of its own data subject"
	" (XChaCha20-Poly1305); subject keys are stored only wrapped by a master key kept"
	" outside the database.",
	"Look-ups by e-mail, phone or personal code use keyed blind indexes; no searchable"
	" plaintext is stored.",
	"Every access to personal data names a purpose and returns only the fields that"
	" purpose asks for, and only for people linked to that purpose.",
	"Every read, change, export and erasure is recorded in a tamper-evident, hash-chained"
	" audit trail that the application can only append to.",
	"Erasure destroys the subject's key and data (crypto-shredding) and is recorded in an"
	" erasure ledger that holds no personal data.",
};

static json_t *str_or_null(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *build_purpose(const struct sargs_registry *r, const struct sargs_purpose *p)
{
	json_t *o = json_object(), *cats = json_array(), *flds = json_array(), *rcp = json_array(),
	       *tr = json_array(), *ret = json_object();
	char rtext[160];

	for (size_t i = 0; i < p->n_categories; i++) {
		const struct sargs_category *c = sargs_registry_category(r, p->categories[i]);
		json_t *co = json_object();

		json_object_set_new(co, "id", json_string(c->id));
		json_object_set_new(co, "name", json_string(c->name));
		json_object_set_new(co, "special", json_boolean(c->special));
		json_array_append_new(cats, co);
	}
	for (size_t i = 0; i < p->n_fields; i++) {
		json_t *fo = json_object();

		json_object_set_new(fo, "field", json_string(p->fields[i].field));
		json_object_set_new(fo, "required", json_boolean(p->fields[i].required));
		json_object_set_new(fo, "why", str_or_null(p->fields[i].why));
		json_array_append_new(flds, fo);
	}
	for (size_t i = 0; i < p->n_recipients; i++) {
		json_t *ro = json_object();

		json_object_set_new(ro, "name", json_string(p->recipients[i].name));
		json_object_set_new(ro, "kind", json_string(p->recipients[i].kind));
		json_object_set_new(ro, "dpa", str_or_null(p->recipients[i].dpa));
		json_object_set_new(ro, "condition", str_or_null(p->recipients[i].condition));
		json_array_append_new(rcp, ro);
	}
	for (size_t i = 0; i < p->n_transfers; i++) {
		json_t *to = json_object();

		json_object_set_new(to, "country", json_string(p->transfers[i].country));
		json_object_set_new(to, "recipient", json_string(p->transfers[i].recipient));
		json_object_set_new(to, "safeguard", json_string(p->transfers[i].safeguard));
		json_array_append_new(tr, to);
	}
	sargs_retention_describe(&p->retention, rtext, sizeof(rtext));
	json_object_set_new(ret, "text", json_string(rtext));
	if (p->retention.until_objection) {
		json_object_set_new(ret, "until", json_string("objection"));
	} else {
		char period[48] = "P";
		size_t n = 1;

		if (p->retention.years)
			n += (size_t)snprintf(period + n, sizeof(period) - n, "%dY", p->retention.years);
		if (p->retention.months)
			n += (size_t)snprintf(period + n, sizeof(period) - n, "%dM", p->retention.months);
		if (p->retention.days)
			(void)snprintf(period + n, sizeof(period) - n, "%dD", p->retention.days);
		json_object_set_new(ret, "period", json_string(period));
		json_object_set_new(ret, "from", json_string(sargs_retention_from_id(p->retention.from)));
	}
	json_object_set_new(ret, "note", str_or_null(p->retention.note));
	json_object_set_new(o, "id", json_string(p->id));
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "description", json_string(p->description));
	json_object_set_new(o, "legal_basis", json_string(sargs_basis_id(p->basis)));
	json_object_set_new(o, "legal_basis_article", json_string(sargs_basis_article(p->basis)));
	json_object_set_new(o, "legal_basis_dpv", json_string(sargs_basis_dpv(p->basis)));
	json_object_set_new(o, "basis_detail", str_or_null(p->basis_detail));
	json_object_set_new(o, "balancing_test", str_or_null(p->balancing_test));
	json_object_set_new(o, "data_subjects", json_string("customers"));
	json_object_set_new(o, "data_categories", cats);
	json_object_set_new(o, "fields", flds);
	json_object_set_new(o, "recipients", rcp);
	json_object_set_new(o, "transfers_outside_eu", tr);
	json_object_set_new(o, "retention", ret);
	json_object_set_new(o, "product_line", str_or_null(p->product_line));
	json_object_set_new(o, "profiling", json_boolean(p->profiling));
	return o;
}

static const char *js(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v != NULL ? v : "";
}

static enum sargs_rc render_md(json_t *root, struct sargs_strbuf *sb)
{
	json_t *ctl = json_object_get(root, "controller"), *ps = json_object_get(root, "purposes");
	json_t *p, *sec = json_object_get(root, "security_measures");
	size_t i, j;
	enum sargs_rc rc = SARGS_OK;

#define ADD(...)                                                   \
	do {                                                       \
		if (rc == SARGS_OK)                                \
			rc = sargs_strbuf_addf(sb, __VA_ARGS__);   \
	} while (0)

	ADD("# Record of processing activities\n\n");
	ADD("GDPR Art. 30(1). Generated %s from purpose registry version %lld.\n\n",
	    js(root, "generated"), (long long)json_integer_value(json_object_get(root, "registry_version")));
	ADD("## Controller\n\n");
	ADD("- Name: %s\n", js(ctl, "name"));
	ADD("- Registration number: %s\n", js(ctl, "registration_number"));
	ADD("- Legal address: %s\n", js(ctl, "address"));
	if (js(ctl, "email")[0])
		ADD("- E-mail: %s\n", js(ctl, "email"));
	if (js(ctl, "phone")[0])
		ADD("- Phone: %s\n", js(ctl, "phone"));
	ADD("- Data protection contact: %s %s %s\n\n", js(ctl, "dpo_name"), js(ctl, "dpo_email"),
	    js(ctl, "dpo_phone"));
	ADD("## Processing activities\n\n");
	json_array_foreach(ps, i, p) {
		json_t *x, *ret = json_object_get(p, "retention");

		ADD("### %s (`%s`)\n\n", js(p, "name"), js(p, "id"));
		ADD("%s\n\n", js(p, "description"));
		ADD("- Legal basis: %s (%s)", js(p, "legal_basis"), js(p, "legal_basis_article"));
		if (js(p, "basis_detail")[0])
			ADD(" — %s", js(p, "basis_detail"));
		ADD("\n");
		if (js(p, "balancing_test")[0])
			ADD("- Balancing test: %s\n", js(p, "balancing_test"));
		ADD("- Data subjects: %s\n", js(p, "data_subjects"));
		ADD("- Data categories:");
		json_array_foreach(json_object_get(p, "data_categories"), j, x)
			ADD("%s %s%s", j ? "," : "", js(x, "name"),
			    json_is_true(json_object_get(x, "special")) ? " (special category)" : "");
		ADD("\n- Recipients:");
		if (json_array_size(json_object_get(p, "recipients")) == 0)
			ADD(" none");
		ADD("\n");
		json_array_foreach(json_object_get(p, "recipients"), j, x) {
			ADD("  - %s (%s)", js(x, "name"), js(x, "kind"));
			if (js(x, "dpa")[0])
				ADD(", data processing agreement %s", js(x, "dpa"));
			if (js(x, "condition")[0])
				ADD(", only %s", js(x, "condition"));
			ADD("\n");
		}
		ADD("- Transfers outside the EU/EEA:");
		if (json_array_size(json_object_get(p, "transfers_outside_eu")) == 0)
			ADD(" none");
		ADD("\n");
		json_array_foreach(json_object_get(p, "transfers_outside_eu"), j, x)
			ADD("  - %s to %s, safeguard: %s\n", js(x, "country"), js(x, "recipient"),
			    js(x, "safeguard"));
		ADD("- Retention: %s", js(ret, "text"));
		if (js(ret, "note")[0])
			ADD(" (%s)", js(ret, "note"));
		ADD("\n");
		if (js(p, "product_line")[0])
			ADD("- Product line: %s\n", js(p, "product_line"));
		ADD("- Profiling: %s\n\n", json_is_true(json_object_get(p, "profiling")) ? "yes" : "no");
	}
	ADD("## Technical and organisational security measures (Art. 32(1))\n\n");
	json_array_foreach(sec, i, p)
		ADD("- %s\n", json_string_value(p));
#undef ADD
	return rc;
}

enum sargs_rc sargs_ropa_build(struct sargs_reg *reg, char **json, char **markdown,
			       struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct sargs_controller c;
	json_t *root = NULL, *ctl, *ps, *sec;
	char now[SARGS_TIME_STR];
	enum sargs_rc rc;

	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_controller_get(reg, &c, err)) != SARGS_OK)
		return rc;
	root = json_object();
	ctl = json_object();
	ps = json_array();
	sec = json_array();
	json_object_set_new(ctl, "name", str_or_null(c.name));
	json_object_set_new(ctl, "registration_number", str_or_null(c.registration_number));
	json_object_set_new(ctl, "address", str_or_null(c.address));
	json_object_set_new(ctl, "email", str_or_null(c.email));
	json_object_set_new(ctl, "phone", str_or_null(c.phone));
	json_object_set_new(ctl, "dpo_name", str_or_null(c.dpo_name));
	json_object_set_new(ctl, "dpo_email", str_or_null(c.dpo_email));
	json_object_set_new(ctl, "dpo_phone", str_or_null(c.dpo_phone));
	sargs_controller_release(&c);
	for (size_t i = 0; i < r->n_purposes; i++)
		json_array_append_new(ps, build_purpose(r, &r->purposes[i]));
	for (size_t i = 0; i < sizeof(security_measures) / sizeof(security_measures[0]); i++)
		json_array_append_new(sec, json_string(security_measures[i]));
	sargs_time_format(sargs_time_now_us(), now, sizeof(now));
	json_object_set_new(root, "record", json_string("GDPR Art. 30(1) record of processing activities"));
	json_object_set_new(root, "generated", json_string(now));
	json_object_set_new(root, "registry_version", json_integer(reg->registry_version));
	json_object_set_new(root, "controller", ctl);
	json_object_set_new(root, "purposes", ps);
	json_object_set_new(root, "security_measures", sec);
	if (json != NULL) {
		*json = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (*json == NULL)
			rc = SARGS_E_NOMEM;
	}
	if (rc == SARGS_OK && markdown != NULL) {
		struct sargs_strbuf sb;

		sargs_strbuf_init(&sb, 16u << 20);
		rc = render_md(root, &sb);
		if (rc == SARGS_OK)
			*markdown = sargs_strbuf_take(&sb);
		else
			sargs_strbuf_free(&sb);
		if (rc != SARGS_OK && json != NULL) {
			free(*json);
			*json = NULL;
		}
	}
	json_decref(root);
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "cannot build the record of processing");
	return SARGS_OK;
}
