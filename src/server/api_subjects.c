/*
 * api_subjects.c — /api/v1/subjects: find (purpose-bound), add, edit. The
 * purpose-bound read of one subject is in routes_api.c.
 *
 * Every read names a purpose the caller may read for, and goes through
 * sargs_read_for_purpose: only the fields that purpose lists, only for
 * subjects for whom the policy engine allows it today, audited with the
 * purpose.
 */
#include "server/api.h"

#include "domain/access.h"
#include "domain/registry.h"
#include "util/namefold.h"

#include <stdlib.h>
#include <string.h>

#define API_FIELDS_MAX 64
#define API_PURPOSES_MAX 32

#define API_NAME_FOUND_MAX 50  /* people a name search answers, at most */
#define API_NAME_READS_MAX 500 /* names a search reads (and audits), at most */

struct name_found {
	struct http_ctx *c;
	const char *purpose;
	json_t *arr;
	struct sargs_err err;
	enum sargs_rc rc;
};

/* A name that matched: the person read for the purpose (all it allows,
 * audited as any read) into the answer. */
static int name_found(void *ctx, const char *id, const struct sargs_subject_view *names)
{
	struct name_found *nf = ctx;
	struct sargs_subject_view v;
	struct sargs_policy_decision d;

	(void)names;
	nf->rc = sargs_read_for_purpose(nf->c->reg, id, nf->purpose,
					http_may(nf->c, SARGS_ACT_SUBJECT_READ_SPECIAL, nf->purpose),
					&v, &d, &nf->err);
	if (nf->rc == SARGS_E_DENIED || nf->rc == SARGS_E_NOTFOUND) {
		nf->rc = SARGS_OK; /* no longer lawful: left out (audited) */
		return 0;
	}
	if (nf->rc != SARGS_OK)
		return 1;
	(void)json_array_append_new(nf->arr, api_view_json(&v, &d));
	sargs_subject_view_free(&v);
	return 0;
}

/* GET /api/v1/subjects?purpose=P&name=Q: people whose first or last name
 * has a word beginning with each word of Q (sargs_find_by_name). */
static void find_by_name(struct http_ctx *c, const char *purpose, const char *q)
{
	struct name_found nf = {c, purpose, NULL, {0}, SARGS_OK};
	struct sargs_err err;
	size_t n = 0;
	int more = 0;
	enum sargs_rc rc;

	if (sargs_name_keyed_words(q) == 0) {
		http_json_error(c->rs, 400, "query_invalid",
				"type at least three letters of a first or last name");
		return;
	}
	if ((nf.arr = json_array()) == NULL) {
		http_json_error(c->rs, 500, "oom", "out of memory");
		return;
	}
	sargs_err_clear(&err);
	rc = sargs_find_by_name(c->reg, q, purpose, API_NAME_FOUND_MAX, API_NAME_READS_MAX,
				name_found, &nf, &n, &more, &err);
	if (rc == SARGS_OK && nf.rc != SARGS_OK) {
		rc = nf.rc;
		err = nf.err;
	}
	if (rc == SARGS_E_INVALID) {
		json_decref(nf.arr);
		http_json_error(c->rs, 400, "query_invalid", "%s", err.msg);
		return;
	}
	if (rc != SARGS_OK) {
		json_decref(nf.arr);
		api_fail(c, &err);
		return;
	}
	http_json(c->rs, 200, json_pack("{s:s,s:o*,s:b}", "purpose", purpose, "subjects", nf.arr,
					 "more", more));
}

/* GET /api/v1/subjects?purpose=P&email=|phone=|personal_code=|name= */
void api_subjects_find(struct http_ctx *c)
{
	static const char *const kinds[] = {"email", "phone", "personal_code", NULL};
	const char *purpose = http_query(c->rq, "purpose");
	const char *kind = NULL, *value = NULL;
	char (*ids)[SARGS_UUID_STR] = NULL;
	struct sargs_err err;
	json_t *arr;
	size_t i, n = 0;

	if (!purpose || !*purpose) {
		http_json_error(c->rs, 400, "purpose_missing",
				"name the purpose of the search: ?purpose=ID (GET /api/v1/purposes)");
		return;
	}
	if (!api_may_purpose(c, SARGS_ACT_SUBJECT_READ, purpose))
		return;
	for (i = 0; kinds[i]; i++) {
		const char *v = http_query(c->rq, kinds[i]);

		if (!v)
			continue;
		if (kind) {
			http_json_error(c->rs, 400, "query_invalid",
					"search by one of email, phone or personal_code at a time");
			return;
		}
		kind = kinds[i];
		value = v;
	}
	if (http_query(c->rq, "name")) {
		if (kind) {
			http_json_error(c->rs, 400, "query_invalid",
					"search by one of email, phone, personal_code or name at a"
					" time");
			return;
		}
		find_by_name(c, purpose, http_query(c->rq, "name"));
		return;
	}
	if (!kind) {
		http_json_error(c->rs, 400, "query_missing",
				"search by ?email=, ?phone=, ?personal_code= or ?name=");
		return;
	}
	sargs_err_clear(&err);
	if (sargs_subject_find(c->reg, kind, value, &ids, &n, &err) != SARGS_OK) {
		api_fail(c, &err);
		return;
	}
	arr = json_array();
	for (i = 0; arr && i < n; i++) {
		struct sargs_subject_view v;
		struct sargs_policy_decision d;
		enum sargs_rc rc;

		sargs_err_clear(&err);
		rc = sargs_read_for_purpose(c->reg, ids[i], purpose,
					    http_may(c, SARGS_ACT_SUBJECT_READ_SPECIAL, purpose), &v,
					    &d, &err);
		if (rc == SARGS_E_DENIED || rc == SARGS_E_NOTFOUND)
			continue; /* not lawful for this purpose now: left out (audited) */
		if (rc != SARGS_OK) {
			free(ids);
			json_decref(arr);
			api_fail(c, &err);
			return;
		}
		json_array_append_new(arr, api_view_json(&v, &d));
		sargs_subject_view_free(&v);
	}
	free(ids);
	http_json(c->rs, 200, json_pack("{s:s,s:o*}", "purpose", purpose, "subjects", arr));
}

/* POST /api/v1/subjects {purposes, fields, source, source_name} */
void api_subjects_add(struct http_ctx *c)
{
	static const char *const keys[] = {"purposes", "fields", "source", "source_name", NULL};
	const char *purposes[API_PURPOSES_MAX];
	struct sargs_kv fields[API_FIELDS_MAX];
	struct sargs_subject_input in;
	char id[SARGS_UUID_STR];
	struct sargs_err err;
	json_t *b = http_json_body(c, keys);
	size_t i;

	if (!b)
		return;
	memset(&in, 0, sizeof(in));
	if (!api_str_array(c, b, "purposes", purposes, API_PURPOSES_MAX, &in.n_purposes) ||
	    !api_kv_object(c, b, "fields", fields, API_FIELDS_MAX, &in.n_fields) ||
	    !api_opt_str(c, b, "source", &in.source) ||
	    !api_opt_str(c, b, "source_name", &in.source_name))
		goto out;
	if (in.n_purposes == 0) {
		http_json_error(c->rs, 400, "field_missing",
				"name the purposes the data is collected for: \"purposes\": [...]");
		goto out;
	}
	for (i = 0; i < in.n_purposes; i++)
		if (!api_may_purpose(c, SARGS_ACT_SUBJECT_WRITE, purposes[i]))
			goto out;
	if (!in.source)
		in.source = in.source_name ? "third_party" : "person";
	in.purposes = purposes;
	in.fields = fields;
	sargs_err_clear(&err);
	if (sargs_subject_add(c->reg, &in, id, &err) != SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	{
		char loc[64 + SARGS_UUID_STR];

		(void)snprintf(loc, sizeof(loc), "/api/v1/subjects/%s", id);
		http_json(c->rs, 201, json_pack("{s:s}", "id", id));
		http_add_header(c->rs, "Location", loc);
	}
out:
	api_body_free(b);
}

/* 1 when some purpose of the registry the caller may write for lists field. */
static int may_write_field(struct http_ctx *c, const struct sargs_registry *r, const char *field)
{
	size_t i;

	for (i = 0; i < r->n_purposes; i++)
		if (sargs_purpose_field(&r->purposes[i], field) &&
		    http_may(c, SARGS_ACT_SUBJECT_WRITE, r->purposes[i].id))
			return 1;
	return 0;
}

/* PATCH /api/v1/subjects/{id} {set, unset, link, unlink} */
void api_subject_edit(struct http_ctx *c)
{
	static const char *const keys[] = {"set", "unset", "link", "unlink", NULL};
	struct sargs_kv set[API_FIELDS_MAX];
	const char *unset[API_FIELDS_MAX], *link[API_PURPOSES_MAX], *unlink[API_PURPOSES_MAX];
	struct sargs_subject_change ch;
	const struct sargs_registry *r;
	struct sargs_err err;
	const char *id = c->rq->params[0];
	json_t *b = http_json_body(c, keys);
	size_t i;

	if (!b)
		return;
	memset(&ch, 0, sizeof(ch));
	if (!api_kv_object(c, b, "set", set, API_FIELDS_MAX, &ch.n_set) ||
	    !api_str_array(c, b, "unset", unset, API_FIELDS_MAX, &ch.n_unset) ||
	    !api_str_array(c, b, "link", link, API_PURPOSES_MAX, &ch.n_link) ||
	    !api_str_array(c, b, "unlink", unlink, API_PURPOSES_MAX, &ch.n_unlink))
		goto out;
	if (ch.n_set + ch.n_unset + ch.n_link + ch.n_unlink == 0) {
		http_json_error(c->rs, 400, "field_missing",
				"say what to change: \"set\", \"unset\", \"link\" or \"unlink\"");
		goto out;
	}
	sargs_err_clear(&err);
	if (sargs_reg_registry(c->reg, &r, &err) != SARGS_OK) {
		http_json_err(c->rs, &err);
		goto out;
	}
	for (i = 0; i < ch.n_link; i++)
		if (!api_may_purpose(c, SARGS_ACT_SUBJECT_WRITE, link[i]))
			goto out;
	for (i = 0; i < ch.n_unlink; i++)
		if (!api_may_purpose(c, SARGS_ACT_SUBJECT_WRITE, unlink[i]))
			goto out;
	for (i = 0; i < ch.n_set + ch.n_unset; i++) {
		const char *f = i < ch.n_set ? set[i].name : unset[i - ch.n_set];

		if (!may_write_field(c, r, f)) {
			http_json_error(c->rs, 403, "forbidden",
					"no purpose you may write for asks for the field \"%.64s\"", f);
			goto out;
		}
	}
	if (!api_subject_exists(c, id))
		goto out;
	ch.set = set;
	ch.unset = unset;
	ch.link = link;
	ch.unlink = unlink;
	if (sargs_subject_edit(c->reg, id, &ch, &err) != SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	http_json(c->rs, 200, json_pack("{s:s,s:b}", "id", id, "changed", 1));
out:
	api_body_free(b);
}
