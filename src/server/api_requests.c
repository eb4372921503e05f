/*
 * api_requests.c — /api/v1/requests: the register of data subjects'
 * requests (GDPR Art. 12, 15-22): open, list, show, the overdue list, and
 * each step (ask, verify, extend, refuse, fee, paid, assign, fulfil). The
 * rules (identity checks, deadlines, allowed steps) are the domain's
 * (request.h); a refused step changes nothing and says which rule.
 *
 * The fulfilment of an access or portability request returns the copy of
 * the person's data in the answer ("export"): that is the one place where
 * every field is read, by the rights module, audited as such.
 */
#include "server/api.h"

#include "crypto/keys.h"
#include "domain/request.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define API_CHECKS_MAX 8
#define API_FIELDS_MAX 64

static json_t *req_json(const struct sargs_request *r)
{
	char recv[SARGS_TIME_STR], day[SARGS_DATE_STR], due[SARGS_DATE_STR], closed[SARGS_TIME_STR];
	json_error_t jerr;
	json_t *data = r->data[0] ? json_loads(r->data, 0, &jerr) : NULL;

	sargs_time_format(r->received_us, recv, sizeof(recv));
	api_day_str(r->received_day, day, sizeof(day));
	api_day_str(r->due_day, due, sizeof(due));
	if (r->closed_us)
		sargs_time_format(r->closed_us, closed, sizeof(closed));
	return json_pack("{s:I,s:s,s:s,s:s,s:s?,s:s?,s:s,s:s,s:s,s:b,s:s?,s:b,s:o}", "id",
			 (json_int_t)r->id, "kind", r->kind, "state", r->state, "channel",
			 r->channel, "subject", r->subject_id[0] ? r->subject_id : NULL, "purpose",
			 r->purpose[0] ? r->purpose : NULL, "received", recv, "received_day", day,
			 "due", due, "extended", r->extended, "closed", r->closed_us ? closed : NULL,
			 "has_requester", r->has_requester, "details",
			 data ? data : json_object());
}

/* Loads the path's request into *r; 0 and an answer when it cannot. */
static int load(struct http_ctx *c, struct sargs_request *r)
{
	struct sargs_err err;
	int64_t id;

	if (!api_id64(c, c->rq->params[0], &id))
		return 0;
	sargs_err_clear(&err);
	if (sargs_request_get(c->reg, id, r, &err) != SARGS_OK) {
		api_fail(c, &err);
		return 0;
	}
	return 1;
}

/* Answers 200 with the request as it is now, plus key:value when given
 * (takes ownership of value). */
static void answer(struct http_ctx *c, int64_t id, int status, const char *key, json_t *value)
{
	struct sargs_request r;
	struct sargs_err err;
	json_t *o;

	sargs_err_clear(&err);
	if (sargs_request_get(c->reg, id, &r, &err) != SARGS_OK) {
		json_decref(value);
		api_fail(c, &err);
		return;
	}
	o = req_json(&r);
	if (o && key)
		json_object_set_new(o, key, value ? value : json_null());
	else
		json_decref(value);
	http_json(c->rs, status, o);
}

static int list_cb(void *ctx, const struct sargs_request *r)
{
	json_array_append_new(ctx, req_json(r));
	return 0;
}

/* GET /api/v1/requests?open=1&subject=ID */
void api_requests_list(struct http_ctx *c)
{
	const char *open = http_query(c->rq, "open");
	const char *subject = http_query(c->rq, "subject");
	json_t *arr = json_array();
	struct sargs_err err;

	if (open && strcmp(open, "0") != 0 && strcmp(open, "1") != 0) {
		json_decref(arr);
		http_json_error(c->rs, 400, "query_invalid", "?open= is 0 or 1");
		return;
	}
	sargs_err_clear(&err);
	if (!arr || sargs_request_list(c->reg, open && open[0] == '1', subject, list_cb, arr, &err) !=
			    SARGS_OK) {
		json_decref(arr);
		api_fail(c, &err);
		return;
	}
	http_json(c->rs, 200, json_pack("{s:o}", "requests", arr));
}

struct overdue_ctx {
	json_t *arr;
};

static int overdue_cb(void *ctx, const struct sargs_request *r, int32_t days_left)
{
	json_t *o = req_json(r);

	if (o)
		json_object_set_new(o, "days_left", json_integer(days_left));
	json_array_append_new(ctx, o);
	return 0;
}

/* GET /api/v1/requests/overdue?days=N */
void api_requests_overdue(struct http_ctx *c)
{
	long long days;
	json_t *arr;
	struct sargs_err err;

	if (!api_query_int(c, "days", 0, 366, 7, &days))
		return;
	arr = json_array();
	sargs_err_clear(&err);
	if (!arr || sargs_request_overdue(c->reg, (int)days, overdue_cb, arr, &err) != SARGS_OK) {
		json_decref(arr);
		api_fail(c, &err);
		return;
	}
	http_json(c->rs, 200, json_pack("{s:I,s:o}", "days", (json_int_t)days, "requests", arr));
}

/* POST /api/v1/requests */
void api_requests_new(struct http_ctx *c)
{
	static const char *const keys[] = {"kind",	     "channel",	      "received",
					   "subject",	     "purpose",	      "requester_name",
					   "requester_contact", NULL};
	struct sargs_request_input in;
	struct sargs_err err;
	int64_t id = 0;
	json_t *b = http_json_body(c, keys);

	if (!b)
		return;
	memset(&in, 0, sizeof(in));
	if (!api_req_str(c, b, "kind", &in.kind) || !api_req_str(c, b, "channel", &in.channel) ||
	    !api_opt_str(c, b, "received", &in.received) ||
	    !api_opt_str(c, b, "subject", &in.subject_id) ||
	    !api_opt_str(c, b, "purpose", &in.purpose) ||
	    !api_opt_str(c, b, "requester_name", &in.requester_name) ||
	    !api_opt_str(c, b, "requester_contact", &in.requester_contact))
		goto out;
	if (in.purpose && !api_may_purpose(c, SARGS_ACT_REQUEST_WRITE, in.purpose))
		goto out;
	if (in.subject_id && !api_subject_exists(c, in.subject_id))
		goto out;
	sargs_err_clear(&err);
	if (sargs_request_new(c->reg, &in, &id, &err) != SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	answer(c, id, 201, NULL, NULL);
	{
		char loc[64];

		(void)snprintf(loc, sizeof(loc), "/api/v1/requests/%lld", (long long)id);
		http_add_header(c->rs, "Location", loc);
	}
out:
	api_body_free(b);
}

static int event_cb(void *ctx, int64_t time_us, const char *actor, const char *event,
		    const char *detail)
{
	char t[SARGS_TIME_STR];

	sargs_time_format(time_us, t, sizeof(t));
	json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:s?}", "time", t, "actor", actor,
					     "event", event, "detail", detail));
	return 0;
}

/* GET /api/v1/requests/{id}[?requester=1] */
void api_request_get(struct http_ctx *c)
{
	const char *want = http_query(c->rq, "requester");
	struct sargs_request r;
	struct sargs_err err;
	json_t *o, *events;

	if (!load(c, &r))
		return;
	events = json_array();
	sargs_err_clear(&err);
	if (!events || sargs_request_events(c->reg, r.id, event_cb, events, &err) != SARGS_OK) {
		json_decref(events);
		api_fail(c, &err);
		return;
	}
	o = req_json(&r);
	if (o)
		json_object_set_new(o, "events", events);
	else
		json_decref(events);
	if (o && want && strcmp(want, "1") == 0 && r.has_requester) {
		char *name = NULL, *contact = NULL;

		/* decrypting who asked is a read of personal data: audited */
		if (sargs_request_requester(c->reg, r.id, &name, &contact, &err) != SARGS_OK) {
			json_decref(o);
			api_fail(c, &err);
			return;
		}
		json_object_set_new(o, "requester",
				    json_pack("{s:s?,s:s?}", "name", name, "contact", contact));
		if (name)
			sargs_wipe(name, strlen(name));
		if (contact)
			sargs_wipe(contact, strlen(contact));
		free(name);
		free(contact);
	}
	http_json(c->rs, 200, o);
}

/* Reads {subject, checks, no_data} into ident; 0 with an answer on error. */
static int read_identity(struct http_ctx *c, json_t *b, struct sargs_identity *ident,
			 const char **checks)
{
	memset(ident, 0, sizeof(*ident));
	if (!api_opt_str(c, b, "subject", &ident->subject_id) ||
	    !api_str_array(c, b, "checks", checks, API_CHECKS_MAX, &ident->n_checks) ||
	    !api_opt_bool(c, b, "no_data", &ident->no_data))
		return 0;
	ident->checks = checks;
	if (ident->subject_id && !api_subject_exists(c, ident->subject_id))
		return 0;
	return 1;
}

/* POST /api/v1/requests/{id}/verify {subject?, checks, no_data?} */
void api_request_verify(struct http_ctx *c)
{
	static const char *const keys[] = {"subject", "checks", "no_data", NULL};
	const char *checks[API_CHECKS_MAX];
	struct sargs_identity ident;
	struct sargs_request r;
	struct sargs_err err;
	json_t *b;

	if (!load(c, &r) || !(b = http_json_body(c, keys)))
		return;
	if (read_identity(c, b, &ident, checks)) {
		sargs_err_clear(&err);
		if (sargs_request_verify(c->reg, r.id, &ident, &err) != SARGS_OK)
			api_fail(c, &err);
		else
			answer(c, r.id, 200, NULL, NULL);
	}
	json_decref(b);
}

/* POST /api/v1/requests/{id}/paid {subject?, checks?, no_data?} */
void api_request_paid(struct http_ctx *c)
{
	static const char *const keys[] = {"subject", "checks", "no_data", NULL};
	const char *checks[API_CHECKS_MAX];
	struct sargs_identity ident;
	struct sargs_request r;
	struct sargs_err err;
	json_t *b = NULL;
	int ok = 1;

	if (!load(c, &r))
		return;
	memset(&ident, 0, sizeof(ident));
	if (c->rq->body && c->rq->body_len > 0)
		ok = (b = http_json_body(c, keys)) != NULL && read_identity(c, b, &ident, checks);
	if (ok) {
		sargs_err_clear(&err);
		if (sargs_request_paid(c->reg, r.id, ident.n_checks || ident.subject_id ? &ident : NULL,
				       &err) != SARGS_OK)
			api_fail(c, &err);
		else
			answer(c, r.id, 200, NULL, NULL);
	}
	json_decref(b);
}

/* POST /api/v1/requests/{id}/ask {needs} */
void api_request_ask(struct http_ctx *c)
{
	static const char *const keys[] = {"needs", NULL};
	const char *needs[API_CHECKS_MAX];
	struct sargs_request r;
	struct sargs_err err;
	size_t n = 0;
	json_t *b;

	if (!load(c, &r) || !(b = http_json_body(c, keys)))
		return;
	if (api_str_array(c, b, "needs", needs, API_CHECKS_MAX, &n)) {
		sargs_err_clear(&err);
		if (sargs_request_ask(c->reg, r.id, needs, n, &err) != SARGS_OK)
			api_fail(c, &err);
		else
			answer(c, r.id, 200, NULL, NULL);
	}
	json_decref(b);
}

/* POST /api/v1/requests/{id}/extend|refuse {reason, lang?} */
static void reasoned(struct http_ctx *c, int refuse)
{
	static const char *const keys[] = {"reason", "lang", NULL};
	const char *reason, *lang = NULL;
	struct sargs_request r;
	struct sargs_err err;
	char *text = NULL;
	enum sargs_rc rc;
	json_t *b;

	if (!load(c, &r) || !(b = http_json_body(c, keys)))
		return;
	if (api_req_str(c, b, "reason", &reason) && api_opt_str(c, b, "lang", &lang)) {
		if (!lang)
			lang = c->rq->lang;
		sargs_err_clear(&err);
		rc = refuse ? sargs_request_refuse(c->reg, r.id, reason, lang, &text, &err)
			    : sargs_request_extend(c->reg, r.id, reason, lang, &text, &err);
		if (rc != SARGS_OK)
			api_fail(c, &err);
		else
			answer(c, r.id, 200, refuse ? "answer" : "notice",
			       text ? json_string(text) : NULL);
	}
	free(text);
	json_decref(b);
}

void api_request_extend(struct http_ctx *c)
{
	reasoned(c, 0);
}

void api_request_refuse(struct http_ctx *c)
{
	reasoned(c, 1);
}

/* POST /api/v1/requests/{id}/fee {amount_cents, reason} */
void api_request_fee(struct http_ctx *c)
{
	static const char *const keys[] = {"amount_cents", "reason", NULL};
	const char *reason;
	json_int_t amount = 0;
	struct sargs_request r;
	struct sargs_err err;
	json_t *b;

	if (!load(c, &r) || !(b = http_json_body(c, keys)))
		return;
	if (api_opt_int(c, b, "amount_cents", &amount) && api_req_str(c, b, "reason", &reason)) {
		sargs_err_clear(&err);
		if (sargs_request_fee(c->reg, r.id, (int64_t)amount, reason, &err) != SARGS_OK)
			api_fail(c, &err);
		else
			answer(c, r.id, 200, NULL, NULL);
	}
	json_decref(b);
}

/* POST /api/v1/requests/{id}/assign {staff?} (default: the caller) */
void api_request_assign(struct http_ctx *c)
{
	static const char *const keys[] = {"staff", NULL};
	const char *staff = NULL;
	struct sargs_request r;
	struct sargs_err err;
	json_t *b = NULL;

	if (!load(c, &r))
		return;
	if (c->rq->body && c->rq->body_len > 0) {
		if (!(b = http_json_body(c, keys)) || !api_opt_str(c, b, "staff", &staff))
			goto out;
	}
	if (!staff)
		staff = c->rq->who.name;
	sargs_err_clear(&err);
	if (sargs_request_assign(c->reg, r.id, staff, &err) != SARGS_OK)
		api_fail(c, &err);
	else
		answer(c, r.id, 200, NULL, NULL);
out:
	json_decref(b);
}

/* POST /api/v1/requests/{id}/fulfil {lang?, with_disclosures?, set?, outcome?} */
void api_request_fulfil(struct http_ctx *c)
{
	static const char *const keys[] = {"lang", "with_disclosures", "set", "outcome", NULL};
	struct sargs_kv set[API_FIELDS_MAX];
	struct sargs_request_fulfil_opts o;
	struct sargs_request_result res;
	struct sargs_request r;
	struct sargs_err err;
	json_t *b = NULL, *extra;

	if (!load(c, &r))
		return;
	memset(&o, 0, sizeof(o));
	memset(&res, 0, sizeof(res));
	if (c->rq->body && c->rq->body_len > 0) {
		if (!(b = http_json_body(c, keys)) || !api_opt_str(c, b, "lang", &o.lang) ||
		    !api_opt_bool(c, b, "with_disclosures", &o.with_disclosures) ||
		    !api_kv_object(c, b, "set", set, API_FIELDS_MAX, &o.n_set) ||
		    !api_opt_str(c, b, "outcome", &o.outcome))
			goto out;
	}
	if (r.purpose[0] && !api_may_purpose(c, SARGS_ACT_REQUEST_WRITE, r.purpose))
		goto out;
	o.set = set;
	o.format = SARGS_EXPORT_JSON;
	if (!o.lang)
		o.lang = c->rq->lang;
	sargs_err_clear(&err);
	if (sargs_request_fulfil(c->reg, r.id, &o, &res, &err) != SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	extra = json_object();
	if (extra) {
		json_object_set_new(extra, "answer", res.answer ? json_string(res.answer) : json_null());
		if (res.export) {
			json_error_t jerr;
			json_t *ex = json_loadb(res.export, res.export_len, 0, &jerr);

			json_object_set_new(extra, "export", ex ? ex : json_string(res.export));
		}
		if (strcmp(r.kind, "erasure") == 0) {
			json_t *kept = json_array();
			size_t i;

			for (i = 0; kept && i < res.erasure.n_kept; i++)
				json_array_append_new(
					kept, json_pack("{s:s,s:s,s:s,s:s}", "purpose",
							res.erasure.kept[i].purpose, "basis_detail",
							res.erasure.kept[i].basis_detail, "until",
							res.erasure.kept[i].until, "fields",
							res.erasure.kept[i].fields));
			json_object_set_new(extra, "erasure",
					    json_pack("{s:b,s:o*}", "erased", res.erasure.erased,
						      "kept", kept));
		}
	}
	answer(c, r.id, 200, "result", extra);
	if (c->rs->status != 200)
		c->rs->status = 500; /* the answer could not be built: undo the fulfilment */
out:
	sargs_request_result_free(&res);
	api_body_free(b);
}
