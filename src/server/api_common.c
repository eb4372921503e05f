/*
 * api_common.c — helpers the JSON API handlers share (api.h): typed body
 * members with errors that name the member (never its value), purpose
 * permission, path ids, and the JSON shape of a purpose-bound view.
 */
#include "server/api.h"

#include "crypto/keys.h"
#include "util/calendar_lv.h"
#include "util/jsonw.h"
#include "util/timeutil.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int bad_type(struct http_ctx *c, const char *key, const char *want)
{
	http_json_error(c->rs, 400, "field_invalid", "\"%.64s\" must be %s", key, want);
	return 0;
}

int api_opt_str(struct http_ctx *c, json_t *o, const char *key, const char **out)
{
	json_t *v = json_object_get(o, key);

	*out = NULL;
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_string(v))
		return bad_type(c, key, "a string");
	if (strlen(json_string_value(v)) != json_string_length(v))
		return bad_type(c, key, "a string without NUL characters");
	*out = json_string_value(v);
	return 1;
}

int api_req_str(struct http_ctx *c, json_t *o, const char *key, const char **out)
{
	if (!api_opt_str(c, o, key, out))
		return 0;
	if (!*out || !**out) {
		http_json_error(c->rs, 400, "field_missing", "the body needs \"%.64s\"", key);
		return 0;
	}
	return 1;
}

int api_opt_bool(struct http_ctx *c, json_t *o, const char *key, int *out)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 1;
	if (!json_is_boolean(v))
		return bad_type(c, key, "true or false");
	*out = json_is_true(v);
	return 1;
}

int api_opt_int(struct http_ctx *c, json_t *o, const char *key, json_int_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 1;
	if (!json_is_integer(v))
		return bad_type(c, key, "a whole number");
	*out = json_integer_value(v);
	return 1;
}

static int parse_day(const char *s, int32_t *out)
{
	int y, m, d;

	if (strlen(s) != 10 || sargs_date_parse(s, &y, &m, &d) != SARGS_OK)
		return 0;
	*out = (int32_t)sargs_days_from_civil(y, m, d);
	return 1;
}

int api_opt_day(struct http_ctx *c, json_t *o, const char *key, int32_t *out)
{
	const char *s;

	if (!api_opt_str(c, o, key, &s))
		return 0;
	if (s && !parse_day(s, out))
		return bad_type(c, key, "a date YYYY-MM-DD");
	return 1;
}

int api_str_array(struct http_ctx *c, json_t *o, const char *key, const char **out, size_t max,
		  size_t *n)
{
	json_t *v = json_object_get(o, key), *e;
	size_t i;

	*n = 0;
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_array(v))
		return bad_type(c, key, "an array of strings");
	if (json_array_size(v) > max) {
		http_json_error(c->rs, 400, "field_invalid", "\"%.64s\" holds more than %zu items",
				key, max);
		return 0;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e))
			return bad_type(c, key, "an array of strings");
		out[(*n)++] = json_string_value(e);
	}
	return 1;
}

int api_kv_object(struct http_ctx *c, json_t *o, const char *key, struct sargs_kv *out,
		  size_t max, size_t *n)
{
	json_t *v = json_object_get(o, key), *e;
	const char *k;

	*n = 0;
	if (!v || json_is_null(v))
		return 1;
	if (!json_is_object(v))
		return bad_type(c, key, "an object of field names and string values");
	if (json_object_size(v) > max) {
		http_json_error(c->rs, 400, "field_invalid", "\"%.64s\" holds more than %zu fields",
				key, max);
		return 0;
	}
	json_object_foreach(v, k, e) {
		if (!json_is_string(e) || strlen(json_string_value(e)) != json_string_length(e)) {
			http_json_error(c->rs, 400, "field_invalid",
					"the value of field \"%.64s\" in \"%.64s\" must be a string", k,
					key);
			return 0;
		}
		out[*n].name = k;
		out[*n].value = json_string_value(e);
		(*n)++;
	}
	return 1;
}

int api_may_purpose(struct http_ctx *c, const char *action, const char *purpose)
{
	if (http_may(c, action, purpose))
		return 1;
	http_json_error(c->rs, 403, "forbidden",
			"you may not take the action \"%s\" for purpose \"%.64s\"", action,
			purpose ? purpose : "");
	return 0;
}

int api_subject_exists(struct http_ctx *c, const char *id)
{
	struct sargs_err err;

	sargs_err_clear(&err);
	if (sargs_subject_must_exist(c->reg, id, &err) == SARGS_OK)
		return 1;
	api_fail(c, &err);
	return 0;
}

int api_id64(struct http_ctx *c, const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = s ? strtoll(s, &end, 10) : 0;
	if (!s || !*s || errno != 0 || *end != '\0' || v <= 0) {
		http_json_error(c->rs, 404, "not_found", "no such number: expected a positive number");
		return 0;
	}
	*out = v;
	return 1;
}

int api_query_int(struct http_ctx *c, const char *name, long long min, long long max,
		  long long def, long long *out)
{
	const char *s = http_query(c->rq, name);
	char *end;
	long long v;

	*out = def;
	if (!s)
		return 1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!*s || errno != 0 || *end != '\0' || v < min || v > max) {
		http_json_error(c->rs, 400, "query_invalid", "?%s= must be a whole number from %lld to %lld",
				name, min, max);
		return 0;
	}
	*out = v;
	return 1;
}

void api_fail(struct http_ctx *c, const struct sargs_err *err)
{
	if (err->rc == SARGS_E_NOTFOUND || (err->rc == SARGS_E_INVALID && c->rq->n_params > 0 &&
					    strstr(err->msg, "not a subject id"))) {
		http_json_error(c->rs, 404, "not_found", "%s", err->msg[0] ? err->msg : "not found");
		return;
	}
	if (err->rc == SARGS_E_DENIED) {
		/* a rule refuses (minimisation, a step the request's state does
		 * not allow, an identity not verified): 403 stays for what the
		 * caller may not do */
		http_json_error(c->rs, 422, "refused", "%s", err->msg);
		return;
	}
	http_json_err(c->rs, err);
}

void api_not_lawful(struct http_ctx *c, const struct sargs_err *err)
{
	http_json_error(c->rs, 403, "not_lawful", "%s", err->msg);
}

void api_day_str(int32_t day, char *out, size_t size)
{
	if (size < SARGS_DATE_STR) {
		if (size)
			out[0] = '\0';
		return;
	}
	sargs_time_format_date((int64_t)day * 86400000000LL, out, size);
}

void api_json_receipt(struct http_ctx *c, int status, json_t *head, const char *receipt)
{
	size_t n;

	if (!json_is_object(head)) {
		json_decref(head);
		c->rs->oom = 1; /* json_pack failed: answered as out of memory */
		return;
	}
	http_json(c->rs, status, head);
	n = c->rs->body.len;
	/* head's text is one object and a newline: "{...}\n" */
	if (c->rs->oom || n < 3 || c->rs->body.data[n - 2] != '}') {
		c->rs->oom = 1;
		return;
	}
	c->rs->body.len = n - 2;
	c->rs->body.data[n - 2] = '\0';
	http_out(c->rs, n > 3 ? ",\"receipt\":" : "\"receipt\":");
	http_out(c->rs, receipt != NULL ? receipt : "null");
	http_out(c->rs, "}\n");
}

json_t *api_receipt(const char *receipt)
{
	json_error_t jerr;
	json_t *v;

	if (!receipt)
		return json_null();
	v = json_loads(receipt, 0, &jerr);
	return v ? v : json_string(receipt);
}

json_t *api_view_json(const struct sargs_subject_view *v, const struct sargs_policy_decision *d)
{
	json_t *o = json_object(), *f = json_object();
	size_t i;

	if (!o || !f) {
		json_decref(o);
		json_decref(f);
		return NULL;
	}
	json_object_set_new(o, "id", json_string(v->id));
	json_object_set_new(o, "purpose", json_string(v->purpose));
	if (d)
		json_object_set_new(o, "basis", json_string(sargs_reason_id(d->reason)));
	json_object_set_new(o, "source", json_string(v->source));
	if (v->source_name)
		json_object_set_new(o, "source_name", json_string(v->source_name));
	for (i = 0; i < v->n_fields; i++)
		json_object_set_new(f, v->fields[i].name, json_string(v->fields[i].value));
	json_object_set_new(o, "fields", f);
	if (v->withheld[0]) {
		/* fields of special categories the reader may not see (GDPR
		 * Art. 9): named, whether the person has them or not */
		json_t *w = json_array();
		char list[sizeof(v->withheld)];
		char *save = NULL, *t;

		memcpy(list, v->withheld, sizeof(list));
		for (t = strtok_r(list, ",", &save); t && w; t = strtok_r(NULL, ",", &save))
			json_array_append_new(w, json_string(t));
		json_object_set_new(o, "withheld", w);
	}
	return o;
}

/* "name":"value" (after a comma unless first) */
static enum sargs_rc view_member(struct sargs_strbuf *b, int first, const char *name,
				 const char *value)
{
	enum sargs_rc rc = first ? SARGS_OK : sargs_strbuf_add(b, ",", 1);

	if (rc == SARGS_OK)
		rc = sargs_json_str(b, name);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_add(b, ":", 1);
	return rc == SARGS_OK ? sargs_json_str(b, value) : rc;
}

static enum sargs_rc view_text(struct sargs_strbuf *b, const struct sargs_subject_view *v,
			       const struct sargs_policy_decision *d)
{
	enum sargs_rc rc = sargs_strbuf_add(b, "{", 1);
	size_t i;

	/* the members in api_view_json's order */
	if (rc == SARGS_OK)
		rc = view_member(b, 1, "id", v->id);
	if (rc == SARGS_OK)
		rc = view_member(b, 0, "purpose", v->purpose);
	if (rc == SARGS_OK && d)
		rc = view_member(b, 0, "basis", sargs_reason_id(d->reason));
	if (rc == SARGS_OK)
		rc = view_member(b, 0, "source", v->source);
	if (rc == SARGS_OK && v->source_name)
		rc = view_member(b, 0, "source_name", v->source_name);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_adds(b, ",\"fields\":{");
	for (i = 0; rc == SARGS_OK && i < v->n_fields; i++)
		rc = view_member(b, i == 0, v->fields[i].name, v->fields[i].value);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_add(b, "}", 1);
	if (rc == SARGS_OK && v->withheld[0]) {
		/* the comma-separated names, empty ones left out as strtok_r
		 * leaves them (api_view_json) */
		const char *t = v->withheld;
		int first = 1;

		rc = sargs_strbuf_adds(b, ",\"withheld\":[");
		while (rc == SARGS_OK && *t) {
			size_t n = strcspn(t, ",");
			char one[sizeof(v->withheld)];

			if (n > 0) {
				memcpy(one, t, n);
				one[n] = '\0';
				if (!first)
					rc = sargs_strbuf_add(b, ",", 1);
				if (rc == SARGS_OK)
					rc = sargs_json_str(b, one);
				first = 0;
			}
			t += n + (t[n] == ',');
		}
		if (rc == SARGS_OK)
			rc = sargs_strbuf_add(b, "]", 1);
	}
	return rc == SARGS_OK ? sargs_strbuf_add(b, "}\n", 2) : rc;
}

void api_view_answer(struct http_resp *rs, const struct sargs_subject_view *v,
		     const struct sargs_policy_decision *d)
{
	struct sargs_strbuf b;
	enum sargs_rc rc;

	/* no cap of its own (the answer's applies below): SARGS_E_INVALID can
	 * only be a value that is not UTF-8 */
	sargs_strbuf_init(&b, SIZE_MAX / 2);
	rc = view_text(&b, v, d);
	sargs_strbuf_reset(&rs->body);
	if (rc == SARGS_E_INVALID) {
		http_json_error(rs, 500, "stored_text",
				"a stored value of this person is not valid text (UTF-8)");
	} else if (rc != SARGS_OK) {
		rs->oom = 1;
	} else {
		rs->status = 200;
		rs->ctype = "application/json; charset=utf-8";
		rs->oom = 0;
		http_outn(rs, b.data, b.len);
	}
	sargs_strbuf_free(&b); /* wiped: personal data */
}

static void wipe_json(json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_string(v)) {
		sargs_wipe((char *)json_string_value(v), json_string_length(v));
	} else if (json_is_object(v)) {
		json_object_foreach(v, k, e) {
			wipe_json(e);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, e) {
			wipe_json(e);
		}
	}
}

void api_body_free(json_t *o)
{
	if (!o)
		return;
	if (o->refcount == 1)
		wipe_json(o);
	json_decref(o);
}
