/*
 * api_audit.c — /api/v1/audit: reading the audit trail (entries name field
 * names and purposes, never values; the read is itself audited) and
 * verifying its hash chain.
 */
#include "server/api.h"

#include "audit/audit.h"
#include "store/store.h"
#include "util/timeutil.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define API_AUDIT_LIMIT_DEFAULT 100
#define API_AUDIT_LIMIT_MAX 1000

struct log_ctx {
	json_t *arr;
	size_t limit;
	int keep_last;   /* keep the last limit entries (no cursor given) */
	int failed;
};

static json_t *opt(const char *s)
{
	return s ? json_string(s) : json_null();
}

static int log_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct log_ctx *l = ctx;
	char t[SARGS_TIME_STR];
	json_t *o;

	sargs_time_format(r->time_us, t, sizeof(t));
	o = json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}", "seq", (json_int_t)r->seq, "time",
		      t, "actor", r->actor, "action", r->action, "subject", opt(r->subject_id),
		      "fields", opt(r->fields), "purpose", opt(r->purpose), "channel",
		      opt(r->channel), "detail", opt(r->detail));
	if (!o || json_array_append_new(l->arr, o) != 0) {
		l->failed = 1;
		return 1;
	}
	if (l->keep_last && json_array_size(l->arr) > l->limit)
		(void)json_array_remove(l->arr, 0);
	return 0;
}

/* GET /api/v1/audit?subject=&actor=&after=&limit= */
void api_audit_log(struct http_ctx *c)
{
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};
	struct log_ctx l = {NULL, 0, 0, 0};
	long long limit, after;
	struct sargs_err err;
	char detail[64];
	json_t *last;

	if (!api_query_int(c, "limit", 1, API_AUDIT_LIMIT_MAX, API_AUDIT_LIMIT_DEFAULT, &limit) ||
	    !api_query_int(c, "after", 0, INT64_MAX, -1, &after))
		return;
	f.subject_id = http_query(c->rq, "subject");
	f.actor = http_query(c->rq, "actor");
	if (f.subject_id && !*f.subject_id)
		f.subject_id = NULL;
	if (f.actor && !*f.actor)
		f.actor = NULL;
	l.limit = (size_t)limit;
	if (after >= 0) {
		f.after_seq = after;
		f.limit = limit;
	} else if (!f.subject_id && !f.actor) {
		int64_t seq = 0;
		unsigned char h[SARGS_AUDIT_HASH_BYTES];

		/* the newest entries: start limit before the end */
		if (sargs_store_audit_last(c->reg->store, &seq, h) == SARGS_OK && seq > limit)
			f.after_seq = seq - limit;
	} else {
		l.keep_last = 1;
	}
	l.arr = json_array();
	if (!l.arr || sargs_store_audit_scan(c->reg->store, &f, log_cb, &l) != SARGS_OK ||
	    l.failed) {
		json_decref(l.arr);
		http_json_error(c->rs, 500, "store_error", "cannot read the audit trail");
		return;
	}
	/* reading the trail is itself recorded before anything leaves */
	(void)snprintf(detail, sizeof(detail), "%zu entries read", json_array_size(l.arr));
	sargs_err_clear(&err);
	if (sargs_reg_audit(c->reg, "audit.read", f.subject_id, NULL, NULL, detail, &err) !=
	    SARGS_OK) {
		json_decref(l.arr);
		http_json_err(c->rs, &err);
		return;
	}
	last = json_array_get(l.arr, json_array_size(l.arr) - 1);
	http_json(c->rs, 200,
		  json_pack("{s:o,s:I}", "entries", l.arr, "next_after",
			    (json_int_t)(last ? json_integer_value(json_object_get(last, "seq"))
					      : (after >= 0 ? after : 0))));
}

/* GET /api/v1/audit/verify */
void api_audit_verify(struct http_ctx *c)
{
	struct sargs_audit_report rep;
	enum sargs_rc rc;

	memset(&rep, 0, sizeof(rep));
	rc = sargs_audit_verify(c->reg->audit, &rep);
	if (rc != SARGS_OK && rc != SARGS_E_TAMPERED) {
		http_json_error(c->rs, 500, "store_error", "cannot read the audit trail");
		return;
	}
	http_json(c->rs, 200,
		  json_pack("{s:b,s:s,s:I,s:I,s:s}", "intact", rc == SARGS_OK, "problem",
			    sargs_audit_problem_str(rep.problem), "entries", (json_int_t)rep.entries,
			    "first_bad_seq", (json_int_t)rep.first_bad_seq, "message", rep.message));
}
