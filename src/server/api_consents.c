/*
 * api_consents.c — /api/v1/subjects/{id}/consents and /objections: give
 * and withdraw consent (as easy as each other: one call, any channel),
 * object, and the consent history with its signed receipts.
 *
 * The text the person saw is kept only as its hash: a client may send the
 * text itself ("text") and the hash is computed here, or the hash
 * ("text_hash"), or the privacy notice version ("notice_version").
 */
#include "server/api.h"

#include "crypto/field.h"
#include "domain/consent.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define API_DEFAULT_CHANNEL "web_form"

/* POST /api/v1/subjects/{id}/consents */
void api_consent_give(struct http_ctx *c)
{
	static const char *const keys[] = {"purpose",	     "channel",	       "form",
					   "text",	     "text_hash",      "notice_version",
					   "preticked",	     "guardian_check", NULL};
	struct sargs_consent_proof proof;
	const char *purpose, *text = NULL;
	char hex[SARGS_HASH_BYTES * 2 + 1];
	char *receipt = NULL;
	json_int_t notice = 0;
	struct sargs_err err;
	enum sargs_rc rc;
	json_t *b = http_json_body(c, keys);

	if (!b)
		return;
	memset(&proof, 0, sizeof(proof));
	if (!api_req_str(c, b, "purpose", &purpose) ||
	    !api_opt_str(c, b, "channel", &proof.channel) ||
	    !api_opt_str(c, b, "form", &proof.form) || !api_opt_str(c, b, "text", &text) ||
	    !api_opt_str(c, b, "text_hash", &proof.text_hash) ||
	    !api_opt_int(c, b, "notice_version", &notice) ||
	    !api_opt_bool(c, b, "preticked", &proof.preticked) ||
	    !api_opt_str(c, b, "guardian_check", &proof.guardian_check))
		goto out;
	if (!api_may_purpose(c, SARGS_ACT_CONSENT_WRITE, purpose))
		goto out;
	if (text && proof.text_hash) {
		http_json_error(c->rs, 400, "field_invalid", "give \"text\" or \"text_hash\", not both");
		goto out;
	}
	if (notice < 0) {
		http_json_error(c->rs, 400, "field_invalid", "\"notice_version\" must be positive");
		goto out;
	}
	if (text) {
		unsigned char h[SARGS_HASH_BYTES];

		sargs_hash(text, strlen(text), h);
		sargs_hex(h, sizeof(h), hex);
		proof.text_hash = hex;
	}
	proof.notice_version = notice;
	if (!proof.channel)
		proof.channel = API_DEFAULT_CHANNEL;
	if (!api_subject_exists(c, c->rq->params[0]))
		goto out;
	sargs_err_clear(&err);
	rc = proof.guardian_check
		     ? sargs_consent_guardian(c->reg, c->rq->params[0], purpose, &proof, &receipt, &err)
		     : sargs_consent_give(c->reg, c->rq->params[0], purpose, &proof, &receipt, &err);
	if (rc == SARGS_E_DENIED && proof.preticked) {
		/* the attempt stays recorded: it is evidence, not consent */
		http_json_error(c->rs, 422, "not_consent", "%s", err.msg);
		goto out;
	}
	if (rc != SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	api_json_receipt(c, 201,
			 json_pack("{s:s,s:s,s:s}", "subject", c->rq->params[0], "purpose", purpose,
				   "event", proof.guardian_check ? "guardian_consent" : "given"),
			 receipt);
out:
	free(receipt);
	api_body_free(b);
}

/* POST /api/v1/subjects/{id}/consents/{purpose}/withdraw [{"channel": ...}] */
void api_consent_withdraw(struct http_ctx *c)
{
	static const char *const keys[] = {"channel", NULL};
	const char *purpose = c->rq->params[1];
	struct sargs_consent_proof proof;
	char *receipt = NULL;
	struct sargs_err err;
	json_t *b = NULL;

	memset(&proof, 0, sizeof(proof));
	if (c->rq->body && c->rq->body_len > 0) {
		if (!(b = http_json_body(c, keys)) || !api_opt_str(c, b, "channel", &proof.channel))
			goto out;
	}
	if (!proof.channel)
		proof.channel = API_DEFAULT_CHANNEL;
	if (!api_may_purpose(c, SARGS_ACT_CONSENT_WRITE, purpose))
		goto out;
	sargs_err_clear(&err);
	if (sargs_consent_withdraw(c->reg, c->rq->params[0], purpose, &proof, &receipt, &err) !=
	    SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	api_json_receipt(c, 200,
			 json_pack("{s:s,s:s,s:s,s:b}", "subject", c->rq->params[0], "purpose", purpose,
				   "event", "withdrawn", "changed", receipt != NULL),
			 receipt);
out:
	free(receipt);
	json_decref(b);
}

/* POST /api/v1/subjects/{id}/objections {purpose?, channel?, outcome?} */
void api_objection_add(struct http_ctx *c)
{
	static const char *const keys[] = {"purpose", "channel", "outcome", NULL};
	struct sargs_consent_proof proof;
	const char *purpose = NULL;
	char *receipt = NULL;
	struct sargs_err err;
	json_t *b = NULL;

	memset(&proof, 0, sizeof(proof));
	if (c->rq->body && c->rq->body_len > 0) {
		if (!(b = http_json_body(c, keys)) || !api_opt_str(c, b, "purpose", &purpose) ||
		    !api_opt_str(c, b, "channel", &proof.channel) ||
		    !api_opt_str(c, b, "outcome", &proof.outcome))
			goto out;
	}
	if (!proof.channel)
		proof.channel = API_DEFAULT_CHANNEL;
	/* an objection to direct marketing as a whole names no purpose: the
	 * action alone (checked by the route) allows it */
	if (purpose && !api_may_purpose(c, SARGS_ACT_CONSENT_WRITE, purpose))
		goto out;
	if (!api_subject_exists(c, c->rq->params[0]))
		goto out;
	sargs_err_clear(&err);
	if (sargs_consent_object(c->reg, c->rq->params[0], purpose, &proof, &receipt, &err) !=
	    SARGS_OK) {
		api_fail(c, &err);
		goto out;
	}
	api_json_receipt(c, 200,
			 json_pack("{s:s,s:s?,s:s,s:b}", "subject", c->rq->params[0], "purpose", purpose,
				   "event", "objected", "changed", receipt != NULL),
			 receipt);
out:
	free(receipt);
	json_decref(b);
}

struct hist_ctx {
	struct http_ctx *c;
	json_t *arr;
};

static int hist_cb(void *ctx, int64_t seq, const char *purpose, const char *event,
		   int64_t time_us, const char *receipt)
{
	struct hist_ctx *h = ctx;
	char t[40];

	/* only the purposes the caller may act for */
	if (purpose && *purpose && !http_may(h->c, SARGS_ACT_SUBJECT_READ, purpose))
		return 0;
	sargs_time_format(time_us, t, sizeof(t));
	json_array_append_new(h->arr, json_pack("{s:I,s:s?,s:s,s:s,s:o}", "seq", (json_int_t)seq,
						"purpose", purpose, "event", event, "time", t,
						"receipt", api_receipt(receipt)));
	return 0;
}

/* GET /api/v1/subjects/{id}/consents */
void api_consent_history(struct http_ctx *c)
{
	struct hist_ctx h = {c, json_array()};
	struct sargs_err err;

	if (!h.arr || !api_subject_exists(c, c->rq->params[0])) {
		json_decref(h.arr);
		return;
	}
	sargs_err_clear(&err);
	if (sargs_consent_history(c->reg, c->rq->params[0], hist_cb, &h, &err) != SARGS_OK) {
		json_decref(h.arr);
		api_fail(c, &err);
		return;
	}
	http_json(c->rs, 200, json_pack("{s:s,s:o}", "subject", c->rq->params[0], "events", h.arr));
}
