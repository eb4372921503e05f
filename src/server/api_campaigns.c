/*
 * api_campaigns.c — /api/v1/campaigns: who a campaign may reach and why
 * not the others (decided by the policy engine without decrypting anyone),
 * the export for a mailing tool (only the contact and the fields asked
 * for, each with its one-click unsubscribe link), and the recorded runs.
 */
#include "server/api.h"

#include "crypto/keys.h"
#include "domain/campaign.h"
#include "domain/registry.h"
#include "store/store_rel.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_EXPORT_FIELDS_MAX 15

static int zone_of(const char *s, int *out)
{
	if (!s || !*s)
		*out = 0;
	else if (strcmp(s, "red") == 0)
		*out = SARGS_ZONE_RED;
	else if (strcmp(s, "grey") == 0 || strcmp(s, "gray") == 0)
		*out = SARGS_ZONE_GREY;
	else if (strcmp(s, "green") == 0)
		*out = SARGS_ZONE_GREEN;
	else
		return 0;
	return 1;
}

/* Fills req from purpose, channel, product_line, customers_only, zone. */
static int audience_req(struct http_ctx *c, const char *action, const char *purpose,
			const char *channel, const char *line, int customers_only,
			const char *zone, struct sargs_audience_req *req)
{
	memset(req, 0, sizeof(*req));
	if (!purpose || !*purpose || !channel || !*channel) {
		http_json_error(c->rs, 400, "field_missing",
				"name the campaign's purpose and channel (email, sms, phone, post)");
		return 0;
	}
	if (!api_may_purpose(c, action, purpose))
		return 0;
	req->channel = sargs_channel_parse(channel);
	if (!req->channel) {
		http_json_error(c->rs, 400, "field_invalid",
				"the channel is one of email, sms, phone, post");
		return 0;
	}
	if (!zone_of(zone, &req->zone)) {
		http_json_error(c->rs, 400, "field_invalid", "the zone is red, grey or green");
		return 0;
	}
	req->purpose = purpose;
	req->product_line = line && *line ? line : NULL;
	req->customers_only = customers_only;
	return 1;
}

static json_t *summary_json(const struct sargs_audience *a)
{
	json_t *ex = json_object(), *by = json_object();
	int k;

	for (k = 1; k < SARGS_R__COUNT; k++) {
		if (a->excluded[k])
			json_object_set_new(ex, sargs_reason_id((enum sargs_reason)k),
					    json_integer(a->excluded[k]));
		if (a->allowed_by[k])
			json_object_set_new(by, sargs_reason_id((enum sargs_reason)k),
					    json_integer(a->allowed_by[k]));
	}
	if (a->filtered)
		json_object_set_new(ex, "filtered", json_integer(a->filtered));
	return json_pack("{s:I,s:I,s:o,s:o,s:I}", "subjects", (json_int_t)a->total, "allowed",
			 (json_int_t)a->allowed, "allowed_by_basis", by, "left_out", ex,
			 "registry_version", (json_int_t)a->registry_version);
}

/* GET /api/v1/campaigns/audience?purpose=&channel=[&product_line=&customers_only=1&zone=] */
void api_campaign_audience(struct http_ctx *c)
{
	const char *co = http_query(c->rq, "customers_only");
	struct sargs_audience_req req;
	struct sargs_audience a;
	struct sargs_err err;
	json_t *o;

	if (co && strcmp(co, "0") != 0 && strcmp(co, "1") != 0) {
		http_json_error(c->rs, 400, "query_invalid", "?customers_only= is 0 or 1");
		return;
	}
	if (!audience_req(c, SARGS_ACT_CAMPAIGN_READ, http_query(c->rq, "purpose"),
			  http_query(c->rq, "channel"), http_query(c->rq, "product_line"),
			  co && co[0] == '1', http_query(c->rq, "zone"), &req))
		return;
	memset(&a, 0, sizeof(a));
	sargs_err_clear(&err);
	if (sargs_campaign_audience(c->reg, &req, 0, &a, &err) != SARGS_OK) {
		api_fail(c, &err);
		return;
	}
	o = summary_json(&a);
	if (o) {
		json_object_set_new(o, "purpose", json_string(req.purpose));
		json_object_set_new(o, "channel", json_string(sargs_channel_id(req.channel)));
	}
	sargs_audience_free(&a);
	http_json(c->rs, 200, o);
}

/* The base of the unsubscribe links: the body's, the configured public
 * URL, or the address the caller used. */
static void base_url(struct http_ctx *c, const char *given, char *out, size_t size)
{
	const char *host = http_header(c->rq, "Host");

	if (given)
		(void)snprintf(out, size, "%s", given);
	else if (c->srv && c->srv->cfg.public_url[0])
		(void)snprintf(out, size, "%s", c->srv->cfg.public_url);
	else
		(void)snprintf(out, size, "%s://%s", c->rq->https ? "https" : "http",
			       host && !strpbrk(host, " \"<>\\") ? host : "localhost");
}

/* POST /api/v1/campaigns/export */
void api_campaign_export(struct http_ctx *c)
{
	static const char *const keys[] = {"purpose",	 "channel",   "product_line",
					   "customers_only", "zone",	     "fields",
					   "format",	     "base_url",  "link_days", NULL};
	const char *purpose, *channel, *line = NULL, *zone = NULL, *format = NULL, *base = NULL;
	const char *fields[API_EXPORT_FIELDS_MAX];
	struct sargs_audience_req req;
	struct sargs_export_opts ex;
	struct sargs_audience a;
	struct sargs_err err;
	char url[512], hdr[32];
	char *text = NULL;
	size_t len = 0;
	json_int_t days = SARGS_UNSUB_DAYS_DEFAULT;
	int64_t id = 0;
	int customers_only = 0;
	FILE *out;
	enum sargs_rc rc;
	json_t *b = http_json_body(c, keys);

	if (!b)
		return;
	memset(&ex, 0, sizeof(ex));
	memset(&a, 0, sizeof(a));
	if (!api_req_str(c, b, "purpose", &purpose) || !api_req_str(c, b, "channel", &channel) ||
	    !api_opt_str(c, b, "product_line", &line) ||
	    !api_opt_bool(c, b, "customers_only", &customers_only) ||
	    !api_opt_str(c, b, "zone", &zone) ||
	    !api_str_array(c, b, "fields", fields, API_EXPORT_FIELDS_MAX, &ex.n_fields) ||
	    !api_opt_str(c, b, "format", &format) || !api_opt_str(c, b, "base_url", &base) ||
	    !api_opt_int(c, b, "link_days", &days))
		goto out;
	if (!audience_req(c, SARGS_ACT_CAMPAIGN_EXPORT, purpose, channel, line, customers_only,
			  zone, &req))
		goto out;
	/* special categories (GDPR Art. 9) only for those given them */
	if (!http_may(c, SARGS_ACT_SUBJECT_READ_SPECIAL, purpose)) {
		const struct sargs_registry *r;
		struct sargs_err rerr;
		size_t k;

		if (sargs_reg_registry(c->reg, &r, &rerr) != SARGS_OK) {
			http_json_err(c->rs, &rerr);
			goto out;
		}
		for (k = 0; k < ex.n_fields; k++) {
			if (sargs_field_special(r, fields[k])) {
				http_json_error(c->rs, 403, "forbidden",
						"field \"%s\" is of a special category of data"
						" (GDPR Art. 9): exporting it needs the action"
						" subject.read_special",
						fields[k]);
				goto out;
			}
		}
	}
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "jsonl") != 0) {
		http_json_error(c->rs, 400, "field_invalid", "\"format\" is csv or jsonl");
		goto out;
	}
	if (days < 1 || days > 3660) {
		http_json_error(c->rs, 400, "field_invalid", "\"link_days\" is 1 to 3660");
		goto out;
	}
	base_url(c, base, url, sizeof(url));
	ex.base_url = url;
	ex.link_days = (int)days;
	ex.json = format && strcmp(format, "jsonl") == 0;
	ex.fields = fields;
	out = open_memstream(&text, &len);
	if (!out) {
		http_json_error(c->rs, 500, "out_of_memory", "cannot build the export");
		goto out;
	}
	sargs_err_clear(&err);
	rc = sargs_campaign_export(c->reg, &req, &ex, out, &a, &id, &err);
	if (fclose(out) != 0 && rc == SARGS_OK)
		rc = sargs_err_set(&err, SARGS_E_NOMEM, "cannot build the export");
	if (rc != SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	sargs_strbuf_reset(&c->rs->body);
	http_set_status(c->rs, 200,
			ex.json ? "application/x-ndjson; charset=utf-8" : "text/csv; charset=utf-8");
	http_outn(c->rs, text ? text : "", len);
	(void)snprintf(hdr, sizeof(hdr), "%lld", (long long)id);
	http_add_header(c->rs, "X-Sargs-Campaign", hdr);
	(void)snprintf(hdr, sizeof(hdr), "%lld", (long long)a.exported);
	http_add_header(c->rs, "X-Sargs-Exported", hdr);
out:
	if (text) {
		sargs_wipe(text, len);
		free(text);
	}
	sargs_audience_free(&a);
	json_decref(b);
}

struct list_ctx {
	struct http_ctx *c;
	json_t *arr;
};

static int camp_cb(void *ctx, const struct sargs_store_campaign *k)
{
	struct list_ctx *l = ctx;
	char t[SARGS_TIME_STR];
	json_error_t jerr;
	json_t *ex;

	if (!http_may(l->c, SARGS_ACT_CAMPAIGN_READ, k->purpose))
		return 0; /* runs of purposes the caller may not see */
	ex = k->excluded ? json_loads(k->excluded, 0, &jerr) : NULL;
	sargs_time_format(k->time_us, t, sizeof(t));
	json_array_append_new(
		l->arr, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s?,s:I,s:I,s:o}", "id", (json_int_t)k->id,
				  "time", t, "actor", k->actor, "purpose", k->purpose, "channel",
				  k->channel, "product_line", k->product_line, "registry_version",
				  (json_int_t)k->registry_version, "audience", (json_int_t)k->audience,
				  "left_out", ex ? ex : json_object()));
	return 0;
}

/* GET /api/v1/campaigns */
void api_campaigns_list(struct http_ctx *c)
{
	struct list_ctx l = {c, json_array()};

	if (!l.arr || sargs_store_campaigns(c->reg->store, camp_cb, &l) != SARGS_OK) {
		json_decref(l.arr);
		http_json_error(c->rs, 500, "store_error", "cannot read the campaign runs");
		return;
	}
	http_json(c->rs, 200, json_pack("{s:o}", "campaigns", l.arr));
}
