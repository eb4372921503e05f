/*
 * routes_api.c — the JSON API under /api/v1/: the route table and the
 * purpose registry. The handlers of each area live in api_*.c; every route
 * is documented in docs/openapi.yaml (tests/server checks both ways).
 */
#include "server/api.h"

#include "domain/access.h"
#include "domain/registry.h"

#include <string.h>

static void purposes(struct http_ctx *c)
{
	const struct sargs_registry *r;
	struct sargs_err err;
	json_t *arr;
	size_t i;

	if (sargs_reg_registry(c->reg, &r, &err) != SARGS_OK) {
		http_json_err(c->rs, &err);
		return;
	}
	arr = json_array();
	for (i = 0; arr && i < r->n_purposes; i++) {
		const struct sargs_purpose *p = &r->purposes[i];

		json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:b}", "id", p->id, "name",
						     p->name, "basis", sargs_basis_id(p->basis),
						     "marketing", p->marketing.channels != 0));
	}
	http_json(c->rs, 200, json_pack("{s:o}", "purposes", arr));
}

/* GET /api/v1/subjects/{id}?purpose=P — the purpose-bound read: only the
 * fields the purpose lists, only when the policy engine allows it today;
 * audited with the purpose (a refusal as "subject.read.denied"). */
static void subject_read(struct http_ctx *c)
{
	const char *purpose = http_query(c->rq, "purpose");
	struct sargs_subject_view v;
	struct sargs_policy_decision d;
	struct sargs_err err;

	if (!purpose || !*purpose) {
		http_json_error(c->rs, 400, "purpose_missing",
				"name the purpose of the read: ?purpose=ID (GET /api/v1/purposes)");
		return;
	}
	if (!api_may_purpose(c, SARGS_ACT_SUBJECT_READ, purpose))
		return;
	sargs_err_clear(&err);
	if (sargs_read_for_purpose(c->reg, c->rq->params[0], purpose,
				   http_may(c, SARGS_ACT_SUBJECT_READ_SPECIAL, purpose), &v, &d,
				   &err) != SARGS_OK) {
		if (err.rc == SARGS_E_DENIED)
			api_not_lawful(c, &err);
		else
			api_fail(c, &err);
		return;
	}
	api_view_answer(c->rs, &v, &d);
	sargs_subject_view_free(&v);
}

/* GET /api/v1/purposes/{id} — one purpose as the record of processing shows it. */
static void purpose_show(struct http_ctx *c)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	struct sargs_err err;
	char ret[256];
	json_t *o, *cats, *fields, *recips, *transfers, *channels;
	size_t i;
	unsigned ch;

	if (sargs_reg_registry(c->reg, &r, &err) != SARGS_OK) {
		http_json_err(c->rs, &err);
		return;
	}
	p = sargs_registry_purpose(r, c->rq->params[0]);
	if (!p) {
		http_json_error(c->rs, 404, "not_found", "no purpose \"%.64s\" in the registry",
				c->rq->params[0]);
		return;
	}
	cats = json_array();
	for (i = 0; cats && i < p->n_categories; i++)
		json_array_append_new(cats, json_string(p->categories[i]));
	fields = json_array();
	for (i = 0; fields && i < p->n_fields; i++)
		json_array_append_new(fields, json_pack("{s:s,s:b,s:s?}", "field", p->fields[i].field,
							"required", p->fields[i].required, "why",
							p->fields[i].why));
	recips = json_array();
	for (i = 0; recips && i < p->n_recipients; i++)
		json_array_append_new(recips, json_pack("{s:s,s:s,s:s?,s:s?}", "name",
							p->recipients[i].name, "kind",
							p->recipients[i].kind, "dpa", p->recipients[i].dpa,
							"condition", p->recipients[i].condition));
	transfers = json_array();
	for (i = 0; transfers && i < p->n_transfers; i++)
		json_array_append_new(transfers, json_pack("{s:s,s:s,s:s}", "country",
							   p->transfers[i].country, "recipient",
							   p->transfers[i].recipient, "safeguard",
							   p->transfers[i].safeguard));
	channels = json_array();
	for (ch = 1; channels && ch <= SARGS_CH_POST; ch <<= 1)
		if (p->marketing.channels & ch)
			json_array_append_new(channels, json_string(sargs_channel_id(ch)));
	sargs_retention_describe(&p->retention, ret, sizeof(ret));
	o = json_pack("{s:s,s:s,s:s?,s:s,s:s,s:s?,s:o*,s:o*,s:o*,s:o*,s:s,s:s?,s:b,s:b,s:b,"
		      "s:{s:b,s:o*,s:b,s:b}}",
		      "id", p->id, "name", p->name, "description", p->description, "basis",
		      sargs_basis_id(p->basis), "article", sargs_basis_article(p->basis),
		      "basis_detail", p->basis_detail, "categories", cats, "fields", fields,
		      "recipients", recips, "transfers", transfers, "retention", ret,
		      "product_line", p->product_line, "profiling", p->profiling, "online_service",
		      p->online_service, "legal_claims", p->legal_claims, "marketing", "enabled",
		      p->marketing.enabled, "channels", channels, "soft_opt_in",
		      p->marketing.soft_opt_in, "minors", p->marketing.minors);
	http_json(c->rs, 200, o);
}

/*
 * The routes. Order matters where patterns overlap: a fixed segment
 * ("overdue", "verify") comes before the "{}" that would match it.
 * Every route is in docs/openapi.yaml (tests/server/api_openapi.sh).
 */
const struct http_route http_routes_api[] = {
	/* the purpose registry */
	{"GET", "/api/v1/purposes", purposes, ROUTE_REG, SARGS_ACT_REGISTRY_READ},
	{"GET", "/api/v1/purposes/{id}", purpose_show, ROUTE_REG, SARGS_ACT_REGISTRY_READ},
	/* subjects */
	{"GET", "/api/v1/subjects", api_subjects_find, ROUTE_REG | ROUTE_READ,
	 SARGS_ACT_SUBJECT_READ},
	{"POST", "/api/v1/subjects", api_subjects_add, ROUTE_REG, SARGS_ACT_SUBJECT_WRITE},
	{"GET", "/api/v1/subjects/{id}", subject_read, ROUTE_REG | ROUTE_READ,
	 SARGS_ACT_SUBJECT_READ},
	{"PATCH", "/api/v1/subjects/{id}", api_subject_edit, ROUTE_REG, SARGS_ACT_SUBJECT_WRITE},
	/* consents and objections */
	{"GET", "/api/v1/subjects/{id}/consents", api_consent_history, ROUTE_REG,
	 SARGS_ACT_SUBJECT_READ},
	{"POST", "/api/v1/subjects/{id}/consents", api_consent_give, ROUTE_REG,
	 SARGS_ACT_CONSENT_WRITE},
	{"POST", "/api/v1/subjects/{id}/consents/{purpose}/withdraw", api_consent_withdraw,
	 ROUTE_REG, SARGS_ACT_CONSENT_WRITE},
	{"POST", "/api/v1/subjects/{id}/objections", api_objection_add, ROUTE_REG,
	 SARGS_ACT_CONSENT_WRITE},
	/* purchases and contracts */
	{"POST", "/api/v1/subjects/{id}/purchases", api_purchase_add, ROUTE_REG,
	 SARGS_ACT_PURCHASE_WRITE},
	{"POST", "/api/v1/subjects/{id}/contracts", api_contract_start, ROUTE_REG,
	 SARGS_ACT_PURCHASE_WRITE},
	{"POST", "/api/v1/subjects/{id}/contracts/{no}/end", api_contract_end, ROUTE_REG,
	 SARGS_ACT_PURCHASE_WRITE},
	/* data subjects' requests */
	{"GET", "/api/v1/requests", api_requests_list, ROUTE_REG, SARGS_ACT_REQUEST_READ},
	{"POST", "/api/v1/requests", api_requests_new, ROUTE_REG, SARGS_ACT_REQUEST_WRITE},
	{"GET", "/api/v1/requests/overdue", api_requests_overdue, ROUTE_REG,
	 SARGS_ACT_REQUEST_READ},
	{"GET", "/api/v1/requests/{id}", api_request_get, ROUTE_REG, SARGS_ACT_REQUEST_READ},
	{"POST", "/api/v1/requests/{id}/ask", api_request_ask, ROUTE_REG, SARGS_ACT_REQUEST_WRITE},
	{"POST", "/api/v1/requests/{id}/verify", api_request_verify, ROUTE_REG,
	 SARGS_ACT_REQUEST_WRITE},
	{"POST", "/api/v1/requests/{id}/extend", api_request_extend, ROUTE_REG,
	 SARGS_ACT_REQUEST_WRITE},
	{"POST", "/api/v1/requests/{id}/refuse", api_request_refuse, ROUTE_REG,
	 SARGS_ACT_REQUEST_WRITE},
	{"POST", "/api/v1/requests/{id}/fee", api_request_fee, ROUTE_REG, SARGS_ACT_REQUEST_WRITE},
	{"POST", "/api/v1/requests/{id}/paid", api_request_paid, ROUTE_REG,
	 SARGS_ACT_REQUEST_WRITE},
	{"POST", "/api/v1/requests/{id}/assign", api_request_assign, ROUTE_REG,
	 SARGS_ACT_REQUEST_WRITE},
	{"POST", "/api/v1/requests/{id}/fulfil", api_request_fulfil, ROUTE_REG,
	 SARGS_ACT_REQUEST_WRITE},
	/* campaigns */
	{"GET", "/api/v1/campaigns", api_campaigns_list, ROUTE_REG, SARGS_ACT_CAMPAIGN_READ},
	{"GET", "/api/v1/campaigns/audience", api_campaign_audience, ROUTE_REG,
	 SARGS_ACT_CAMPAIGN_READ},
	{"POST", "/api/v1/campaigns/export", api_campaign_export, ROUTE_REG,
	 SARGS_ACT_CAMPAIGN_EXPORT},
	/* legacy lists */
	{"POST", "/api/v1/import", api_import, ROUTE_REG | ROUTE_BIG_BODY | ROUTE_OWN_TX,
	 SARGS_ACT_IMPORT},
	{"GET", "/api/v1/zones", api_zones, ROUTE_REG, SARGS_ACT_IMPORT},
	/* the audit trail */
	{"GET", "/api/v1/audit", api_audit_log, ROUTE_REG, SARGS_ACT_AUDIT_READ},
	{"GET", "/api/v1/audit/verify", api_audit_verify, ROUTE_REG, SARGS_ACT_AUDIT_READ},
	{NULL, NULL, NULL, 0, NULL},
};
