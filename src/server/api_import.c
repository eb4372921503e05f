/*
 * api_import.c — /api/v1/import: a legacy customer list (CSV text in a
 * JSON body, up to HTTP_BODY_LIMIT_IMPORT) brought into the register row by
 * row through the same validation, minimisation and encryption as any
 * subject, each record sorted into its zone (003); and /api/v1/zones, the
 * count per zone. Refused rows are reported by line and reason, never by
 * value.
 */
#include "server/api.h"

#include "crypto/keys.h"
#include "domain/legacy.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_IMPORT_PURPOSES_MAX 16
#define API_IMPORT_REFUSALS_MAX 1000

struct refusals {
	json_t *arr;
	long more;    /* refusals beyond the list's cap */
};

static void on_refused(void *ctx, long line, enum sargs_import_refusal why, const char *msg)
{
	struct refusals *r = ctx;

	if (json_array_size(r->arr) >= API_IMPORT_REFUSALS_MAX) {
		r->more++;
		return;
	}
	json_array_append_new(r->arr, json_pack("{s:I,s:s,s:s}", "line", (json_int_t)line,
						"reason", sargs_import_refusal_id(why), "message",
						msg ? msg : ""));
}

static json_t *summary_json(const struct sargs_import_summary *s)
{
	json_t *by = json_object();
	char delim[3] = {s->delim ? s->delim : ',', 0, 0};
	int k;

	if (s->delim == '\t')
		memcpy(delim, "\\t", 3);
	for (k = 0; k < SARGS_IMPORT_R__COUNT; k++)
		if (s->refused_by[k])
			json_object_set_new(by, sargs_import_refusal_id((enum sargs_import_refusal)k),
					    json_integer(s->refused_by[k]));
	return json_pack("{s:s,s:s,s:s,s:b,s:I,s:I,s:I,s:o,s:I,s:{s:I,s:I,s:I},s:I,s:b,s:s}",
			 "import", s->import_id, "marketing_purpose", s->marketing_purpose,
			 "delimiter", delim, "dry_run", s->dry_run, "rows", (json_int_t)s->rows,
			 "imported", (json_int_t)s->imported, "refused", (json_int_t)s->refused,
			 "refused_by", by, "duplicates", (json_int_t)s->duplicates, "zones", "red",
			 (json_int_t)s->zones[SARGS_ZONE_RED], "grey",
			 (json_int_t)s->zones[SARGS_ZONE_GREY], "green",
			 (json_int_t)s->zones[SARGS_ZONE_GREEN], "batches", (json_int_t)s->batches,
			 "stopped", s->stopped, "ignored_columns", s->ignored);
}

/* POST /api/v1/import */
void api_import(struct http_ctx *c)
{
	static const char *const keys[] = {"csv",     "purposes",	  "marketing_purpose",
					   "source",  "source_name",  "mapping",
					   "consent", "delimiter",    "dry_run",
					   NULL};
	const char *purposes[API_IMPORT_PURPOSES_MAX];
	const char *csv, *consent = NULL, *delim = NULL;
	struct sargs_import_mapping *map = NULL;
	struct sargs_import_opts o;
	struct sargs_import_summary s;
	struct refusals ref = {NULL, 0};
	struct sargs_err err;
	FILE *in = NULL;
	enum sargs_rc rc;
	json_t *b = http_json_body(c, keys), *m, *sum;
	size_t i;

	if (!b)
		return;
	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	if (!api_req_str(c, b, "csv", &csv) ||
	    !api_str_array(c, b, "purposes", purposes, API_IMPORT_PURPOSES_MAX, &o.n_purposes) ||
	    !api_opt_str(c, b, "marketing_purpose", &o.marketing_purpose) ||
	    !api_opt_str(c, b, "source", &o.source) ||
	    !api_opt_str(c, b, "source_name", &o.source_name) ||
	    !api_opt_str(c, b, "consent", &consent) || !api_opt_str(c, b, "delimiter", &delim) ||
	    !api_opt_bool(c, b, "dry_run", &o.dry_run))
		goto out;
	if (o.n_purposes == 0) {
		http_json_error(c->rs, 400, "field_missing",
				"name the purposes the records are kept for: \"purposes\": [...]");
		goto out;
	}
	for (i = 0; i < o.n_purposes; i++)
		if (!api_may_purpose(c, SARGS_ACT_IMPORT, purposes[i]))
			goto out;
	o.purposes = purposes;
	if (o.source_name && !o.source)
		o.source = "third_party";
	if (delim) {
		if (strcmp(delim, ",") == 0 || strcmp(delim, ";") == 0)
			o.delim = delim[0];
		else if (strcmp(delim, "\t") == 0 || strcmp(delim, "\\t") == 0)
			o.delim = '\t';
		else {
			http_json_error(c->rs, 400, "field_invalid",
					"\"delimiter\" is \",\", \";\" or a tab");
			goto out;
		}
	}
	sargs_err_clear(&err);
	m = json_object_get(b, "mapping");
	if (m && !json_is_null(m)) {
		char *text;

		if (!json_is_object(m)) {
			http_json_error(c->rs, 400, "field_invalid",
					"\"mapping\" is an object: {\"columns\": {...}, ...}");
			goto out;
		}
		text = json_dumps(m, JSON_COMPACT);
		if (!text) {
			http_json_error(c->rs, 500, "out_of_memory", "cannot read the mapping");
			goto out;
		}
		rc = sargs_import_mapping_parse(text, strlen(text), &map, &err);
		free(text);
		if (rc != SARGS_OK) {
			http_json_error(c->rs, 400, "mapping_invalid", "%s", err.msg);
			goto out;
		}
		o.columns = map->columns;
		o.n_columns = map->n_columns;
		o.consent_column = map->consent_column;
		o.values = map->values;
		o.n_values = map->n_values;
	}
	if ((consent != NULL) == (o.consent_column != NULL)) {
		http_json_error(c->rs, 400, "field_invalid",
				"say what is known of the records' consent: \"consent\" (none, "
				"preticked, optout_offered, reconfirmed) for the whole list, or a "
				"\"consent_column\" in the mapping, not both");
		goto out;
	}
	if (consent) {
		enum sargs_legacy_status st;

		if (sargs_legacy_status_parse(consent, &st) != SARGS_OK) {
			http_json_error(c->rs, 400, "field_invalid",
					"\"consent\" is none, preticked, optout_offered or reconfirmed");
			goto out;
		}
		o.consent = st;
	}
	ref.arr = json_array();
	in = fmemopen((void *)csv, strlen(csv), "rb");
	if (!ref.arr || !in) {
		http_json_error(c->rs, 500, "out_of_memory", "cannot read the list");
		goto out;
	}
	o.on_refused = on_refused;
	o.ctx = &ref;
	rc = sargs_import_csv(c->reg, in, &o, &s, &err);
	if (rc != SARGS_OK) {
		/* a batch that could not be saved is undone whole; the
		 * batches before it stay (the message says how many rows) */
		if (s.stopped)
			http_json_error(c->rs, 503, "not_saved", "the import stopped: %s", err.msg);
		else
			api_fail(c, &err);
		goto out;
	}
	sum = summary_json(&s);
	if (sum) {
		json_object_set_new(sum, "refusals", ref.arr);
		ref.arr = NULL;
		if (ref.more)
			json_object_set_new(sum, "refusals_not_listed", json_integer(ref.more));
	}
	http_json(c->rs, o.dry_run ? 200 : 201, sum);
out:
	if (in)
		(void)fclose(in);
	json_decref(ref.arr);
	sargs_import_mapping_free(map);
	api_body_free(b);
}

/* GET /api/v1/zones */
void api_zones(struct http_ctx *c)
{
	int64_t counts[4] = {0, 0, 0, 0};
	struct sargs_err err;

	sargs_err_clear(&err);
	if (sargs_zones_count(c->reg, counts, &err) != SARGS_OK) {
		api_fail(c, &err);
		return;
	}
	http_json(c->rs, 200,
		  json_pack("{s:{s:I,s:I,s:I}}", "zones", "red", (json_int_t)counts[SARGS_ZONE_RED],
			    "grey", (json_int_t)counts[SARGS_ZONE_GREY], "green",
			    (json_int_t)counts[SARGS_ZONE_GREEN]));
}
