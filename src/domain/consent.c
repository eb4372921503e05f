/*
 * consent.c — consent, withdrawal, objection, guardian consent and signed
 * Kantara v1.1 consent receipts (see consent.h).
 */
#include "domain/consent.h"

#include "crypto/sign.h"
#include "domain/controller.h"
#include "domain/notice.h"
#include "domain/policy.h"
#include "domain/registry.h"
#include "domain/relation.h"
#include "domain/stats.h"
#include "domain/subject.h"
#include "store/store_rel.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const channels[] = {"web_form", "paper", "phone", "in_person", "email",
				       "sms", "self_service", "import", "unsubscribe_link",
				       "cli", "api", NULL};
static const char *const guardian_checks[] = {"id_document", "eparaksts", "bank_link",
					      "in_person", "birth_certificate", NULL};
static const char *const outcomes[] = {"upheld", "overridden_compelling_grounds",
				       "overridden_legal_claims", NULL};

static int in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

int sargs_consent_channel_valid(const char *channel)
{
	return in_list(channels, channel);
}

static int hex64(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static enum sargs_rc store_err(struct sargs_reg *reg, enum sargs_rc rc, struct sargs_err *err)
{
	return sargs_err_set(err, rc, "cannot record it: %s", sargs_store_errmsg(reg->store));
}

/* ---- receipts */

void sargs_receipt_public_key(struct sargs_reg *reg, char out[64])
{
	unsigned char pk[SARGS_SIGN_PK_BYTES];

	sargs_sign_public_key(reg->keys, pk);
	sargs_b64url_encode(pk, sizeof(pk), out);
}

static json_t *controller_json(struct sargs_reg *reg)
{
	struct sargs_controller c;
	json_t *o;

	if (sargs_controller_get(reg, &c, NULL) != SARGS_OK)
		return json_pack("{s:s, s:b}", "piiController", "(controller profile not set)",
				 "onBehalf", 0);
	o = json_pack("{s:s, s:b, s:s, s:s, s:s, s:s}", "piiController", c.name, "onBehalf", 0,
		      "contact", c.dpo_name ? c.dpo_name : c.name, "address",
		      c.address ? c.address : "", "email",
		      c.dpo_email ? c.dpo_email : (c.email ? c.email : ""), "phone",
		      c.dpo_phone ? c.dpo_phone : (c.phone ? c.phone : ""));
	sargs_controller_release(&c);
	return o;
}

static json_t *str_array(const char **items, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		(void)json_array_append_new(a, json_string(items[i]));
	return a;
}

/* The Kantara v1.1 "services" entry for one purpose. */
static json_t *service_json(const struct sargs_registry *r, const struct sargs_purpose *p,
			    const char *consent_type)
{
	char term[160];
	json_t *pu, *svc, *spi;
	int sensitive = 0;

	sargs_retention_describe(&p->retention, term, sizeof(term));
	spi = json_array();
	for (size_t i = 0; i < p->n_categories; i++) {
		const struct sargs_category *c = sargs_registry_category(r, p->categories[i]);

		if (c != NULL && c->special) {
			sensitive = 1;
			(void)json_array_append_new(spi, json_string(c->id));
		}
	}
	pu = json_pack("{s:s, s:[s], s:s, s:o, s:b, s:s, s:b}", "purpose", p->description,
		       "purposeCategory", p->id, "consentType", consent_type, "piiCategory",
		       str_array(p->categories, p->n_categories), "primaryPurpose", 0,
		       "termination", term, "thirdPartyDisclosure", p->n_recipients > 0);
	if (pu != NULL && p->n_recipients > 0)
		(void)json_object_set_new(pu, "thirdPartyName", json_string(p->recipients[0].name));
	svc = json_pack("{s:s, s:[o]}", "service", p->name, "purposes", pu);
	return json_pack("{s:o, s:b, s:o}", "service", svc, "sensitive", sensitive, "spiCat", spi);
}

/* The signed receipt: {"receipt": the signed text, "signature": ...}. */
#define SIGNED_FMT                                                                     \
	"{\"receipt\":%s,\"signature\":{\"alg\":\"Ed25519\",\"publicKey\":\"%s\","    \
	"\"value\":\"%s\"}}"

/*
 * Builds, signs and stores the receipt of an event; *out (if not NULL)
 * gets the signed JSON text.
 */
static enum sargs_rc receipt_make(struct sargs_reg *reg, const char *id,
				  const struct sargs_purpose *p, const char *event,
				  const char *consent_type, const struct sargs_consent_proof *proof,
				  int64_t now, char **out, struct sargs_err *err)
{
	const struct sargs_registry *r;
	char rid[SARGS_UUID_STR], pk[64], sig64[128];
	unsigned char sig[SARGS_SIG_BYTES];
	json_t *rec = NULL, *ext, *svc;
	char *canon = NULL, *text = NULL;
	size_t tlen;
	enum sargs_rc rc;

	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_uuid_v7(now, rid)) != SARGS_OK)
		return sargs_err_set(err, rc, "cannot make a receipt id");
	sargs_receipt_public_key(reg, pk);
	ext = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:I}", "event", event, "purpose",
			p ? p->id : "direct_marketing", "legalBasis",
			p ? sargs_basis_id(p->basis) : "legitimate_interests", "legalBasisArticle",
			p ? sargs_basis_article(p->basis) : "GDPR Art. 21(2)-(3)", "legalBasisDpv",
			p ? sargs_basis_dpv(p->basis) : "dpv:LegitimateInterest", "channel",
			proof->channel, "boxUntickedByDefault", !proof->preticked, "recordedBy",
			reg->actor, "registryVersion", (json_int_t)reg->registry_version);
	if (ext != NULL && proof->form != NULL)
		(void)json_object_set_new(ext, "form", json_string(proof->form));
	if (ext != NULL && proof->text_hash != NULL)
		(void)json_object_set_new(ext, "noticeTextHash", json_string(proof->text_hash));
	if (ext != NULL && proof->notice_version > 0)
		(void)json_object_set_new(ext, "noticeVersion",
					  json_integer((json_int_t)proof->notice_version));
	if (ext != NULL && proof->guardian_check != NULL)
		(void)json_object_set_new(ext, "guardianCheck", json_string(proof->guardian_check));
	if (ext != NULL && proof->outcome != NULL)
		(void)json_object_set_new(ext, "objectionOutcome", json_string(proof->outcome));
	svc = p ? service_json(r, p, consent_type) : NULL;
	rec = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:[o], s:s, s:o}", "version",
			SARGS_RECEIPT_VERSION, "jurisdiction", "LV", "consentTimestamp",
			(json_int_t)(now / 1000000), "collectionMethod", proof->channel,
			"consentReceiptID", rid, "publicKey", pk, "language", "en",
			"piiPrincipalId", id, "piiControllers", controller_json(reg), "policyUrl",
			proof->text_hash ? "urn:sargs:notice-text" : "urn:sargs:record-of-processing",
			"sargs", ext);
	if (rec == NULL) {
		json_decref(svc);
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	if (svc != NULL) {
		(void)json_object_set_new(rec, "services",
					  json_pack("[O]", json_object_get(svc, "service")));
		(void)json_object_set(rec, "sensitive", json_object_get(svc, "sensitive"));
		(void)json_object_set(rec, "spiCat", json_object_get(svc, "spiCat"));
		json_decref(svc);
	} else {
		(void)json_object_set_new(rec, "services", json_array());
		(void)json_object_set_new(rec, "sensitive", json_false());
		(void)json_object_set_new(rec, "spiCat", json_array());
	}
	canon = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	if (canon == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = sargs_sign(reg->keys, canon, strlen(canon), sig)) != SARGS_OK) {
		(void)sargs_err_set(err, rc, "cannot sign the receipt");
		goto out;
	}
	sargs_b64url_encode(sig, sizeof(sig), sig64);
	/* the signed document, compact with sorted keys: "receipt" (the text
	 * just signed) before "signature" (alg, publicKey, value), so it is
	 * written out as it stands rather than dumped again (a withdrawal's
	 * largest cost on the worker); the key and the signature are base64url
	 * and need no escaping. The CLI indents it for people. */
	tlen = strlen(canon) + strlen(pk) + strlen(sig64) + sizeof(SIGNED_FMT);
	text = malloc(tlen);
	if (text == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	(void)snprintf(text, tlen, SIGNED_FMT, canon, pk, sig64);
	rc = sargs_store_consent_event_add(reg->store, id, p ? p->id : "direct_marketing", event,
					   now, text);
	if (rc != SARGS_OK) {
		rc = store_err(reg, rc, err);
		goto out;
	}
	if (out != NULL) {
		*out = text;
		text = NULL;
	}
out:
	free(canon);
	free(text);
	json_decref(rec);
	return rc;
}

enum sargs_rc sargs_receipt_verify(struct sargs_reg *reg, const char *json, size_t len,
				   const char *pk_b64, struct sargs_receipt_info *out,
				   struct sargs_err *err)
{
	json_error_t jerr;
	json_t *doc, *rec, *sig;
	const char *alg = NULL, *pk_s = NULL, *val = NULL;
	unsigned char pk[64], sg[96];
	size_t pkl = 0, sgl = 0;
	char own[64] = "";
	char *canon = NULL;
	enum sargs_rc rc = SARGS_OK;

	memset(out, 0, sizeof(*out));
	doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "not a receipt: invalid JSON at line %d, column %d", jerr.line,
				     jerr.column);
	rec = json_object_get(doc, "receipt");
	sig = json_object_get(doc, "signature");
	if (!json_is_object(rec) || !json_is_object(sig) ||
	    json_unpack(sig, "{s:s, s:s, s:s}", "alg", &alg, "publicKey", &pk_s, "value", &val) !=
		    0 ||
	    strcmp(alg, "Ed25519") != 0) {
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "not a signed Sargs receipt: expected {\"receipt\": {...},"
				   " \"signature\": {\"alg\": \"Ed25519\", \"publicKey\", \"value\"}}");
		goto out;
	}
	if (reg != NULL)
		sargs_receipt_public_key(reg, own);
	if (pk_b64 == NULL)
		pk_b64 = reg != NULL ? own : pk_s;
	if (sargs_b64url_decode(pk_b64, pk, sizeof(pk), &pkl) != SARGS_OK ||
	    pkl != SARGS_SIGN_PK_BYTES) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "the public key is not a base64url Ed25519"
							 " key");
		goto out;
	}
	if (sargs_b64url_decode(val, sg, sizeof(sg), &sgl) != SARGS_OK || sgl != SARGS_SIG_BYTES) {
		rc = sargs_err_set(err, SARGS_E_TAMPERED, "the signature is malformed");
		goto out;
	}
	canon = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	if (canon == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	if (sargs_sign_verify(pk, canon, strlen(canon), sg) != 0) {
		rc = sargs_err_set(err, SARGS_E_TAMPERED,
				   strcmp(pk_s, pk_b64) != 0
					   ? "the receipt was not signed by this key (it names another"
					     " signer)"
					   : "the signature does not match: the receipt was altered"
					     " after it was signed, or forged");
		goto out;
	}
	{
		json_t *ext = json_object_get(rec, "sargs");
		const char *s;

		if ((s = json_string_value(json_object_get(rec, "consentReceiptID"))) != NULL)
			(void)snprintf(out->receipt_id, sizeof(out->receipt_id), "%s", s);
		if ((s = json_string_value(json_object_get(rec, "piiPrincipalId"))) != NULL)
			(void)snprintf(out->subject_id, sizeof(out->subject_id), "%s", s);
		if ((s = json_string_value(json_object_get(ext, "event"))) != NULL)
			(void)snprintf(out->event, sizeof(out->event), "%s", s);
		if ((s = json_string_value(json_object_get(ext, "purpose"))) != NULL)
			(void)snprintf(out->purpose, sizeof(out->purpose), "%s", s);
		out->timestamp = (int64_t)json_integer_value(json_object_get(rec, "consentTimestamp"));
		out->this_register = own[0] != '\0' && strcmp(own, pk_b64) == 0;
	}
out:
	free(canon);
	json_decref(doc);
	return rc;
}

/* ---- events */

/* Stores a purpose's consent state and refreshes the audience rows. */
static enum sargs_rc put_state(struct sargs_reg *reg, const char *id, const char *purpose,
			       const struct sargs_store_consent *c)
{
	enum sargs_rc rc = sargs_store_consent_put(reg->store, id, purpose, c);

	return rc == SARGS_OK ? sargs_audience_refresh(reg, id) : rc;
}

static enum sargs_rc check_common(struct sargs_reg *reg, const char *id, const char *purpose,
				  const struct sargs_consent_proof *proof,
				  const struct sargs_purpose **p, struct sargs_err *err)
{
	const struct sargs_registry *r;
	enum sargs_rc rc;

	*p = NULL;
	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID, "not a subject id (expected a UUID)");
	if (proof == NULL || !sargs_consent_channel_valid(proof->channel))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "say through which channel: web_form, paper, phone, in_person,"
				     " email, sms, self_service, import or unsubscribe_link");
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if (purpose != NULL) {
		*p = sargs_registry_purpose(r, purpose);
		if (*p == NULL)
			return sargs_err_set(err, SARGS_E_NOTFOUND,
					     "no purpose \"%.64s\" in the registry",
					     sargs_ident_valid(purpose) ? purpose : "?");
	}
	return SARGS_OK;
}

struct linked_q {
	const char *purpose;
	int found;
};

static int linked_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct linked_q *q = ctx;

	(void)linked_us;
	if (strcmp(purpose, q->purpose) == 0)
		q->found = 1;
	return q->found;
}

enum sargs_rc sargs_consent_give(struct sargs_reg *reg, const char *id, const char *purpose,
				 const struct sargs_consent_proof *proof, char **receipt,
				 struct sargs_err *err)
{
	struct sargs_consent_proof local;
	char notice_hash[65];
	const struct sargs_purpose *p;
	struct sargs_store_consent c;
	struct linked_q lq;
	int64_t now = sargs_time_now_us();
	char detail[160];
	enum sargs_rc rc;

	if (receipt != NULL)
		*receipt = NULL;
	if ((rc = check_common(reg, id, purpose, proof, &p, err)) != SARGS_OK)
		return rc;
	if (p == NULL)
		return sargs_err_set(err, SARGS_E_INVALID, "name the purpose consented to: consent"
							   " is given one purpose at a time");
	if (p->basis != SARGS_BASIS_CONSENT && !p->marketing.enabled)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "purpose \"%s\" rests on %s, not on consent: asking for consent"
				     " would mislead the person (GDPR Art. 6(1); 004 §5.1a)",
				     p->id, sargs_basis_id(p->basis));
	if (proof->form == NULL || proof->form[0] == '\0' || strlen(proof->form) > 128)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "name the form the consent was given through (at most 128"
				     " characters): consent must be provable (GDPR Art. 7(1))");
	for (const char *s = proof->form; *s; s++)
		if ((unsigned char)*s < 0x20)
			return sargs_err_set(err, SARGS_E_INVALID, "the form name has control"
								   " characters");
	if (proof->notice_version != 0) {
		/* the consent names the notice version the person saw (004 §13.2) */
		if ((rc = sargs_notice_version_hash(reg, proof->notice_version, notice_hash,
						    sizeof(notice_hash), err)) != SARGS_OK)
			return rc;
		if (proof->text_hash != NULL && strcmp(proof->text_hash, notice_hash) != 0)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "the text hash is not that of notice version %lld",
					     (long long)proof->notice_version);
		local = *proof;
		local.text_hash = notice_hash;
		proof = &local;
	}
	if (!hex64(proof->text_hash))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "give the hash of the consent text the person saw (64 lower-case"
				     " hex digits, e.g. from `sha256sum`): consent must be informed"
				     " and provable (GDPR Art. 7(1))");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_subject_must_exist(reg, id, err)) != SARGS_OK)
		goto out;
	rc = sargs_store_consent_get(reg->store, id, p->id, &c);
	if (rc == SARGS_E_NOTFOUND)
		memset(&c, 0, sizeof(c));
	else if (rc != SARGS_OK) {
		rc = store_err(reg, rc, err);
		goto out;
	}
	if (proof->preticked) {
		/* 003; Planet49: a pre-ticked box is not consent. Record the
		 * attempt; an earlier valid consent stands. */
		/* only a person who never answered becomes "pre-ticked": an earlier
		 * valid consent stands, and an earlier withdrawal (an objection to
		 * marketing) is not undone by a box someone else ticked */
		if (c.state == SARGS_CONSENT_NONE) {
			c.state = SARGS_CONSENT_PRETICKED;
			c.since_us = now;
		}
		(void)snprintf(detail, sizeof(detail), "preticked channel:%s", proof->channel);
		if ((rc = put_state(reg, id, p->id, &c)) != SARGS_OK ||
		    (rc = receipt_make(reg, id, p, "consent.preticked", "NOT VALID: pre-ticked box",
				       proof, now, NULL, err)) != SARGS_OK ||
		    (rc = sargs_reg_audit(reg, "consent.preticked", id, NULL, p->id, detail, err)) !=
			    SARGS_OK)
			goto out;
		rc = sargs_reg_end(reg, SARGS_OK, err);
		if (rc != SARGS_OK)
			return rc;
		return sargs_err_set(err, SARGS_E_DENIED,
				     "a pre-ticked box is not consent (003; GDPR Art. 4(11)): the"
				     " attempt was recorded and the person is treated as not having"
				     " consented; ask again with an unticked box");
	}
	lq.purpose = p->id;
	lq.found = 0;
	if ((rc = sargs_store_links(reg->store, id, linked_cb, &lq)) != SARGS_OK) {
		rc = store_err(reg, rc, err);
		goto out;
	}
	if (!lq.found) {
		/* consent to a purpose is collection for it: link (needs its
		 * required fields) */
		struct sargs_subject_change ch;
		const char *link[1] = {p->id};

		memset(&ch, 0, sizeof(ch));
		ch.link = link;
		ch.n_link = 1;
		if ((rc = sargs_subject_edit(reg, id, &ch, err)) != SARGS_OK)
			goto out;
	}
	c.state = SARGS_CONSENT_GIVEN;
	c.since_us = now;
	c.given_us = now;
	c.objected_us = 0;
	(void)snprintf(detail, sizeof(detail), "channel:%s", proof->channel);
	if ((rc = put_state(reg, id, p->id, &c)) != SARGS_OK ||
	    (rc = sargs_stats_count(reg, p->id, NULL, "consents_given", 1)) != SARGS_OK) {
		rc = store_err(reg, rc, err);
		goto out;
	}
	if ((rc = receipt_make(reg, id, p, "consent.given", "EXPLICIT", proof, now, receipt,
			       err)) != SARGS_OK ||
	    (rc = sargs_reg_audit(reg, "consent.give", id, NULL, p->id, detail, err)) != SARGS_OK)
		goto out;
out:
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK && receipt != NULL) {
		free(*receipt);
		*receipt = NULL;
	}
	return rc;
}

struct given_list {
	char ids[64][64];
	size_t n;
};

static int given_cb(void *ctx, const char *purpose, const struct sargs_store_consent *c)
{
	struct given_list *g = ctx;

	if (c->state == SARGS_CONSENT_GIVEN && g->n < 64)
		(void)snprintf(g->ids[g->n++], 64, "%s", purpose);
	return 0;
}

static enum sargs_rc withdraw_one(struct sargs_reg *reg, const char *id,
				  const struct sargs_purpose *p,
				  const struct sargs_consent_proof *proof, int64_t now,
				  char **receipt, int *changed, struct sargs_err *err)
{
	struct sargs_store_consent c;
	char detail[96];
	enum sargs_rc rc = sargs_store_consent_get(reg->store, id, p->id, &c);

	if (rc == SARGS_E_NOTFOUND || (rc == SARGS_OK && c.state != SARGS_CONSENT_GIVEN))
		return SARGS_OK; /* nothing to withdraw: idempotent */
	if (rc != SARGS_OK)
		return store_err(reg, rc, err);
	c.state = SARGS_CONSENT_WITHDRAWN;
	c.since_us = now;
	(void)snprintf(detail, sizeof(detail), "channel:%s", proof->channel);
	if ((rc = put_state(reg, id, p->id, &c)) != SARGS_OK ||
	    (rc = sargs_stats_count(reg, p->id, NULL, "consents_withdrawn", 1)) != SARGS_OK)
		return store_err(reg, rc, err);
	if ((rc = receipt_make(reg, id, p, "consent.withdrawn", "WITHDRAWN", proof, now, receipt,
			       err)) != SARGS_OK ||
	    (rc = sargs_reg_audit(reg, "consent.withdraw", id, NULL, p->id, detail, err)) !=
		    SARGS_OK)
		return rc;
	(*changed)++;
	return SARGS_OK;
}

enum sargs_rc sargs_consent_withdraw(struct sargs_reg *reg, const char *id, const char *purpose,
				     const struct sargs_consent_proof *proof, char **receipt,
				     struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	int64_t now = sargs_time_now_us();
	int changed = 0;
	enum sargs_rc rc;

	if (receipt != NULL)
		*receipt = NULL;
	if ((rc = check_common(reg, id, purpose, proof, &p, err)) != SARGS_OK ||
	    (rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_subject_must_exist(reg, id, err)) != SARGS_OK)
		goto out;
	if (p != NULL && p->marketing.enabled && p->basis != SARGS_BASIS_CONSENT) {
		/* "stop sending me offers" about a legitimate-interest marketing
		 * purpose the person never consented to is an objection to it
		 * (GDPR Art. 21(2)-(3)): record it as one */
		struct sargs_store_consent c;
		enum sargs_rc g = sargs_store_consent_get(reg->store, id, p->id, &c);

		if (g == SARGS_E_NOTFOUND || (g == SARGS_OK && c.state != SARGS_CONSENT_GIVEN))
			rc = sargs_consent_object(reg, id, p->id, proof, receipt, err);
		else if (g != SARGS_OK)
			rc = store_err(reg, g, err);
		else
			rc = withdraw_one(reg, id, p, proof, now, receipt, &changed, err);
	} else if (p != NULL) {
		rc = withdraw_one(reg, id, p, proof, now, receipt, &changed, err);
	} else {
		struct given_list *g = calloc(1, sizeof(*g));

		if (g == NULL) {
			rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
			goto out;
		}
		rc = sargs_store_consents(reg->store, id, given_cb, g);
		if (rc != SARGS_OK)
			rc = store_err(reg, rc, err);
		for (size_t i = 0; i < g->n && rc == SARGS_OK; i++) {
			const struct sargs_purpose *q = sargs_registry_purpose(r, g->ids[i]);
			char *one = NULL;

			if (q == NULL)
				continue;
			rc = withdraw_one(reg, id, q, proof, now, receipt ? &one : NULL, &changed,
					  err);
			if (receipt != NULL && one != NULL) {
				free(*receipt);
				*receipt = one; /* the last; all are in the history */
			}
		}
		free(g);
	}
out:
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK && receipt != NULL) {
		free(*receipt);
		*receipt = NULL;
	}
	return rc;
}

enum sargs_rc sargs_consent_object(struct sargs_reg *reg, const char *id, const char *purpose,
				   const struct sargs_consent_proof *proof, char **receipt,
				   struct sargs_err *err)
{
	const struct sargs_purpose *p;
	int64_t now = sargs_time_now_us();
	char detail[128];
	const char *outcome;
	enum sargs_rc rc;

	if (receipt != NULL)
		*receipt = NULL;
	if ((rc = check_common(reg, id, purpose, proof, &p, err)) != SARGS_OK)
		return rc;
	outcome = proof->outcome ? proof->outcome : "upheld";
	if (!in_list(outcomes, outcome))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the outcome is upheld, overridden_compelling_grounds or"
				     " overridden_legal_claims");
	if (p != NULL && p->basis != SARGS_BASIS_LEGITIMATE_INTERESTS &&
	    p->basis != SARGS_BASIS_PUBLIC_TASK && !p->marketing.enabled)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "purpose \"%s\" rests on %s: the right to object covers"
				     " legitimate interests, public tasks and direct marketing (GDPR"
				     " Art. 21)%s",
				     p->id, sargs_basis_id(p->basis),
				     p->basis == SARGS_BASIS_CONSENT ? "; withdraw the consent instead"
								     : "");
	if ((p == NULL || p->marketing.enabled) && strcmp(outcome, "upheld") != 0)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "an objection to direct marketing cannot be overridden: it takes"
				     " effect at once (GDPR Art. 21(3))");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_subject_must_exist(reg, id, err)) != SARGS_OK)
		goto out;
	(void)snprintf(detail, sizeof(detail), "channel:%s outcome:%s", proof->channel, outcome);
	if (p == NULL) {
		struct sargs_store_facts f;
		void *owned = NULL;

		if ((rc = sargs_store_facts_get(reg->store, id, &f, &owned)) != SARGS_OK) {
			rc = store_err(reg, rc, err);
			goto out;
		}
		if (f.dm_objected_us != 0) { /* already objected: idempotent */
			free(owned);
			goto out;
		}
		f.dm_objected_us = now;
		rc = sargs_store_facts_put(reg->store, id, &f);
		free(owned);
		if (rc == SARGS_OK)
			rc = sargs_audience_refresh(reg, id);
		if (rc != SARGS_OK) {
			rc = store_err(reg, rc, err);
			goto out;
		}
	} else {
		struct sargs_store_consent c;

		rc = sargs_store_consent_get(reg->store, id, p->id, &c);
		if (rc == SARGS_E_NOTFOUND) {
			memset(&c, 0, sizeof(c));
			c.since_us = now;
		} else if (rc != SARGS_OK) {
			rc = store_err(reg, rc, err);
			goto out;
		}
		if (c.objected_us != 0) { /* already objected: idempotent */
			rc = SARGS_OK;
			goto out;
		}
		if (strcmp(outcome, "upheld") == 0)
			c.objected_us = now;
		if ((rc = put_state(reg, id, p->id, &c)) != SARGS_OK) {
			rc = store_err(reg, rc, err);
			goto out;
		}
	}
	if ((rc = sargs_stats_count(reg, p ? p->id : "direct_marketing", NULL, "objections", 1)) !=
	    SARGS_OK) {
		rc = store_err(reg, rc, err);
		goto out;
	}
	if ((rc = receipt_make(reg, id, p, "objection", "OBJECTION", proof, now, receipt, err)) !=
		    SARGS_OK ||
	    (rc = sargs_reg_audit(reg, "consent.object", id, NULL,
				  p ? p->id : "direct_marketing", detail, err)) != SARGS_OK)
		goto out;
out:
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK && receipt != NULL) {
		free(*receipt);
		*receipt = NULL;
	}
	return rc;
}

enum sargs_rc sargs_consent_guardian(struct sargs_reg *reg, const char *id, const char *purpose,
				     const struct sargs_consent_proof *proof, char **receipt,
				     struct sargs_err *err)
{
	const struct sargs_purpose *p;
	struct sargs_store_consent c;
	int64_t now = sargs_time_now_us();
	char detail[128];
	enum sargs_rc rc;

	if (receipt != NULL)
		*receipt = NULL;
	if ((rc = check_common(reg, id, purpose, proof, &p, err)) != SARGS_OK)
		return rc;
	if (p == NULL)
		return sargs_err_set(err, SARGS_E_INVALID, "name the purpose");
	if (p->basis != SARGS_BASIS_CONSENT && !p->marketing.enabled)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "purpose \"%s\" rests on %s, not on consent: there is no consent"
				     " for the holder of parental responsibility to give (GDPR Art. 8)",
				     p->id, sargs_basis_id(p->basis));
	if (!in_list(guardian_checks, proof->guardian_check))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "say how parental responsibility was checked (GDPR Art. 8(2)):"
				     " id_document, eparaksts, bank_link, in_person or"
				     " birth_certificate");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_subject_must_exist(reg, id, err)) != SARGS_OK)
		goto out;
	rc = sargs_store_consent_get(reg->store, id, p->id, &c);
	if (rc == SARGS_E_NOTFOUND) {
		memset(&c, 0, sizeof(c));
		c.since_us = now;
	} else if (rc != SARGS_OK) {
		rc = store_err(reg, rc, err);
		goto out;
	}
	c.guardian = 1;
	(void)snprintf(detail, sizeof(detail), "channel:%s check:%s", proof->channel,
		       proof->guardian_check);
	if ((rc = put_state(reg, id, p->id, &c)) != SARGS_OK) {
		rc = store_err(reg, rc, err);
		goto out;
	}
	if ((rc = receipt_make(reg, id, p, "guardian.consent", "EXPLICIT (holder of parental"
							       " responsibility)",
			       proof, now, receipt, err)) != SARGS_OK ||
	    (rc = sargs_reg_audit(reg, "consent.guardian", id, NULL, p->id, detail, err)) !=
		    SARGS_OK)
		goto out;
out:
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK && receipt != NULL) {
		free(*receipt);
		*receipt = NULL;
	}
	return rc;
}

enum sargs_rc sargs_consent_history(struct sargs_reg *reg, const char *id,
				    int (*cb)(void *ctx, int64_t seq, const char *purpose,
					      const char *event, int64_t time_us,
					      const char *receipt),
				    void *ctx, struct sargs_err *err)
{
	enum sargs_rc rc;

	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID, "not a subject id (expected a UUID)");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_subject_must_exist(reg, id, err)) != SARGS_OK)
		goto out;
	/* the read is durable before the history leaves the process: the
	 * caller prints after this returns (cb collects) */
	if ((rc = sargs_reg_audit(reg, "consent.history", id, NULL, NULL, NULL, err)) != SARGS_OK)
		goto out;
	rc = sargs_store_consent_events(reg->store, id, cb, ctx);
	if (rc != SARGS_OK)
		rc = store_err(reg, rc, err);
out:
	return sargs_reg_end(reg, rc, err);
}
