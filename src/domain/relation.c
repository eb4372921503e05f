/*
 * relation.c — purchases, contracts, the policy facts kept beside the
 * encrypted fields, and the policy check for one subject (see relation.h).
 */
#include "domain/relation.h"

#include "crypto/fact.h"
#include "domain/registry.h"
#include "domain/stats.h"
#include "domain/subject.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BIRTH_FACT "birth_day"

int32_t sargs_today(void)
{
	int64_t us = sargs_time_now_us();
	int64_t day = us / 86400000000LL;

	if (us < 0 && us % 86400000000LL != 0)
		day--;
	return (int32_t)day;
}

static enum sargs_rc store_err(struct sargs_reg *reg, enum sargs_rc rc, struct sargs_err *err,
			       const char *what)
{
	if (err != NULL && err->rc != SARGS_OK)
		return rc; /* already explained */
	return sargs_err_set(err, rc, "cannot %s: %s", what, sargs_store_errmsg(reg->store));
}

/* ---- facts */

enum sargs_rc sargs_facts_set_fields(struct sargs_reg *reg, const char *id, unsigned contacts,
				     int birth_known, int32_t birth_day)
{
	struct sargs_store_facts f;
	unsigned char sealed[8 + SARGS_FACT_OVERHEAD];
	void *owned = NULL;
	enum sargs_rc rc;

	rc = sargs_store_facts_get(reg->store, id, &f, &owned);
	if (rc != SARGS_OK)
		return rc;
	f.contacts = contacts;
	if (birth_known) {
		int age = sargs_policy_age(birth_day, sargs_today());

		f.birth_sealed = NULL;
		f.birth_sealed_len = 0;
		if (age >= SARGS_ADULT_AGE) {
			f.age_class = 1;
		} else {
			unsigned char b[4];
			uint32_t v = (uint32_t)birth_day;

			b[0] = (unsigned char)(v >> 24);
			b[1] = (unsigned char)(v >> 16);
			b[2] = (unsigned char)(v >> 8);
			b[3] = (unsigned char)v;
			sargs_fact_seal(reg->keys, id, BIRTH_FACT, b, sizeof(b), sealed);
			sargs_wipe(b, sizeof(b));
			f.age_class = 2;
			f.birth_sealed = sealed;
			f.birth_sealed_len = sizeof(b) + SARGS_FACT_OVERHEAD;
		}
	}
	rc = sargs_store_facts_put(reg->store, id, &f);
	free(owned);
	return rc;
}

enum sargs_rc sargs_facts_set_zone(struct sargs_reg *reg, const char *id, int zone)
{
	struct sargs_store_facts f;
	void *owned = NULL;
	enum sargs_rc rc = sargs_store_facts_get(reg->store, id, &f, &owned);

	if (rc == SARGS_OK) {
		f.zone = zone;
		rc = sargs_store_facts_put(reg->store, id, &f);
	}
	free(owned);
	if (rc == SARGS_OK)
		rc = sargs_audience_refresh(reg, id);
	return rc;
}

/* The birth day kept for a minor, or SARGS_DAY_UNKNOWN (adult or unknown). */
static int32_t open_birth(struct sargs_reg *reg, const char *id,
			  const struct sargs_store_facts *f)
{
	unsigned char b[SARGS_FACT_MAX];
	size_t n = 0;
	int32_t day;

	if (f->age_class != 2 || f->birth_sealed == NULL)
		return SARGS_DAY_UNKNOWN;
	if (sargs_fact_open(reg->keys, id, BIRTH_FACT, f->birth_sealed, f->birth_sealed_len, b,
			    &n) != SARGS_OK ||
	    n != 4)
		return sargs_today(); /* damaged: treat as a child (the safe side) */
	day = (int32_t)(((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) |
			(uint32_t)b[3]);
	sargs_wipe(b, sizeof(b));
	return day;
}

static int32_t us_to_day(int64_t us)
{
	return us == 0 ? SARGS_DAY_UNKNOWN : (int32_t)(us / 86400000000LL);
}

static void facts_fill(struct sargs_reg *reg, const char *id, int64_t linked_us,
		       const struct sargs_store_facts *sf, int has_consent,
		       const struct sargs_store_consent *c, int has_line, int offered, int refused,
		       struct sargs_policy_facts *out)
{
	memset(out, 0, sizeof(*out));
	out->exists = 1;
	out->linked = linked_us != 0;
	out->linked_day = us_to_day(linked_us);
	out->contacts = sf->contacts;
	out->birth_day = open_birth(reg, id, sf);
	out->zone = (enum sargs_zone)sf->zone;
	out->restricted = sf->restricted;
	out->dm_objected = sf->dm_objected_us != 0;
	out->last_purchase_day = sf->last_purchase_day;
	out->contract_end_day = sf->contract_end_day;
	out->consent = SARGS_CONSENT_NONE;
	out->consent_day = SARGS_DAY_UNKNOWN;
	out->withdrawn_day = SARGS_DAY_UNKNOWN;
	if (has_consent) {
		out->consent = (enum sargs_consent_state)c->state;
		out->consent_day = us_to_day(c->given_us);
		out->guardian_consent = c->guardian;
		out->objected = c->objected_us != 0;
		if (c->state == SARGS_CONSENT_WITHDRAWN)
			out->withdrawn_day = us_to_day(c->since_us);
		if (c->objected_us != 0)
			out->withdrawn_day = us_to_day(c->objected_us);
	}
	if (sf->dm_objected_us != 0 && out->withdrawn_day == SARGS_DAY_UNKNOWN)
		out->withdrawn_day = us_to_day(sf->dm_objected_us);
	out->line_customer = has_line;
	out->opt_out_offered = offered;
	out->opt_out_refused = refused;
}

struct link_find {
	const char *purpose;
	int64_t linked_us;
};

static int link_find_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct link_find *lf = ctx;

	if (strcmp(purpose, lf->purpose) == 0) {
		lf->linked_us = linked_us;
		return 1;
	}
	return 0;
}

struct line_find {
	const char *line;
	int found, offered, refused;
};

static int line_find_cb(void *ctx, const struct sargs_store_line *l)
{
	struct line_find *lf = ctx;

	if (lf->line != NULL && strcmp(l->product_line, lf->line) == 0) {
		lf->found = 1;
		lf->offered = l->opt_out_offered;
		lf->refused = l->refused;
		return 1;
	}
	return 0;
}

enum sargs_rc sargs_policy_facts_load(struct sargs_reg *reg, const char *id,
				      const struct sargs_purpose *p,
				      struct sargs_policy_facts *out, struct sargs_err *err)
{
	struct sargs_store_subject s;
	struct link_find lk = {p->id, 0};
	void *owned = NULL;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	out->birth_day = SARGS_DAY_UNKNOWN;
	rc = sargs_store_subject_get(reg->store, id, &s, &owned);
	free(owned);
	if (rc == SARGS_E_NOTFOUND)
		return SARGS_OK; /* exists = 0 */
	if (rc != SARGS_OK)
		return store_err(reg, rc, err, "read the subject");
	if ((rc = sargs_store_links(reg->store, id, link_find_cb, &lk)) != SARGS_OK)
		return store_err(reg, rc, err, "read the subject's relationship");
	return sargs_policy_facts_load_linked(reg, id, p, lk.linked_us, out, err);
}

enum sargs_rc sargs_policy_facts_load_linked(struct sargs_reg *reg, const char *id,
					     const struct sargs_purpose *p, int64_t linked_us,
					     struct sargs_policy_facts *out,
					     struct sargs_err *err)
{
	struct sargs_store_facts sf;
	struct sargs_store_consent c;
	struct line_find ln = {p->product_line, 0, 0, 0};
	void *owned = NULL;
	enum sargs_rc rc;
	int has_consent;

	memset(out, 0, sizeof(*out));
	out->birth_day = SARGS_DAY_UNKNOWN;
	if ((rc = sargs_store_lines(reg->store, id, line_find_cb, &ln)) != SARGS_OK)
		return store_err(reg, rc, err, "read the subject's relationship");
	rc = sargs_store_consent_get(reg->store, id, p->id, &c);
	if (rc != SARGS_OK && rc != SARGS_E_NOTFOUND)
		return store_err(reg, rc, err, "read the consent state");
	has_consent = rc == SARGS_OK;
	if ((rc = sargs_store_facts_get(reg->store, id, &sf, &owned)) != SARGS_OK)
		return store_err(reg, rc, err, "read the policy facts");
	facts_fill(reg, id, linked_us, &sf, has_consent, &c, ln.found, ln.offered, ln.refused, out);
	free(owned);
	return SARGS_OK;
}

enum sargs_rc sargs_policy_check(struct sargs_reg *reg, const char *id, const char *purpose,
				 unsigned channel, struct sargs_policy_decision *out,
				 struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	struct sargs_policy_facts f;
	enum sargs_rc rc;

	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	p = sargs_registry_purpose(r, purpose);
	if (p == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no purpose \"%.64s\" in the registry",
				     sargs_ident_valid(purpose) ? purpose : "?");
	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID, "not a subject id (expected a UUID)");
	if ((rc = sargs_store_begin_read(reg->store, err)) != SARGS_OK)
		return rc;
	rc = sargs_policy_facts_load(reg, id, p, &f, err);
	{
		struct sargs_err e2;

		if (sargs_store_commit(reg->store, &e2) != SARGS_OK && rc == SARGS_OK)
			rc = sargs_err_set(err, e2.rc, "%s", e2.msg);
	}
	if (rc == SARGS_OK)
		sargs_policy_decide(p, channel, sargs_today(), &f, out);
	return rc;
}

/* ---- audience rows */

#define AUD_VERSION 1
#define AUD_FIXED 63 /* bytes before the sealed birth day */

static void put64(unsigned char *b, int64_t v)
{
	uint64_t u = (uint64_t)v;

	for (int i = 7; i >= 0; i--) {
		b[i] = (unsigned char)u;
		u >>= 8;
	}
}

static int64_t get64(const unsigned char *b)
{
	uint64_t u = 0;

	for (int i = 0; i < 8; i++)
		u = (u << 8) | b[i];
	return (int64_t)u;
}

static void put32(unsigned char *b, int32_t v)
{
	uint32_t u = (uint32_t)v;

	b[0] = (unsigned char)(u >> 24);
	b[1] = (unsigned char)(u >> 16);
	b[2] = (unsigned char)(u >> 8);
	b[3] = (unsigned char)u;
}

static int32_t get32(const unsigned char *b)
{
	return (int32_t)(((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) |
			 (uint32_t)b[3]);
}

/* Encodes one purpose's facts; returns the length (out has room for
 * AUD_FIXED + the sealed birth day). */
static size_t aud_encode(int64_t linked_us, const struct sargs_store_facts *f, int has_consent,
			 const struct sargs_store_consent *c, int has_line, int offered,
			 int refused, unsigned char *out)
{
	size_t bl = f->birth_sealed != NULL ? f->birth_sealed_len : 0;

	out[0] = AUD_VERSION;
	put64(out + 1, linked_us);
	out[9] = (unsigned char)f->contacts;
	out[10] = (unsigned char)f->age_class;
	out[11] = (unsigned char)f->zone;
	out[12] = (unsigned char)(f->restricted != 0);
	put64(out + 13, f->dm_objected_us);
	put32(out + 21, f->last_purchase_day);
	put32(out + 25, f->contract_end_day);
	out[29] = (unsigned char)(has_consent != 0);
	out[30] = (unsigned char)(has_consent ? c->state : 0);
	put64(out + 31, has_consent ? c->since_us : 0);
	put64(out + 39, has_consent ? c->given_us : 0);
	out[47] = (unsigned char)(has_consent && c->guardian);
	put64(out + 48, has_consent ? c->objected_us : 0);
	out[56] = (unsigned char)(has_line != 0);
	out[57] = (unsigned char)(offered != 0);
	out[58] = (unsigned char)(refused != 0);
	put32(out + 59, (int32_t)bl);
	if (bl > 0)
		memcpy(out + AUD_FIXED, f->birth_sealed, bl);
	return AUD_FIXED + bl;
}

int sargs_audience_decode(struct sargs_reg *reg, const char *id, const unsigned char *b,
			  size_t len, struct sargs_policy_facts *out)
{
	struct sargs_store_facts f;
	struct sargs_store_consent c;
	int32_t bl;

	if (len < AUD_FIXED || b[0] != AUD_VERSION)
		return -1;
	bl = get32(b + 59);
	if (bl < 0 || (size_t)bl != len - AUD_FIXED)
		return -1;
	memset(&f, 0, sizeof(f));
	f.contacts = b[9];
	f.age_class = b[10];
	f.zone = b[11];
	f.restricted = b[12];
	f.dm_objected_us = get64(b + 13);
	f.last_purchase_day = get32(b + 21);
	f.contract_end_day = get32(b + 25);
	f.birth_sealed = bl > 0 ? b + AUD_FIXED : NULL;
	f.birth_sealed_len = (size_t)bl;
	c.state = b[30];
	c.since_us = get64(b + 31);
	c.given_us = get64(b + 39);
	c.guardian = b[47];
	c.objected_us = get64(b + 48);
	facts_fill(reg, id, get64(b + 1), &f, b[29], &c, b[56], b[57], b[58], out);
	return 0;
}

struct gather_links {
	char ids[64][64];
	int64_t since[64];
	size_t n;
};

static int gather_link_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct gather_links *g = ctx;

	if (g->n < 64) {
		(void)snprintf(g->ids[g->n], sizeof(g->ids[0]), "%s", purpose);
		g->since[g->n++] = linked_us;
	}
	return 0;
}

enum sargs_rc sargs_audience_refresh(struct sargs_reg *reg, const char *id)
{
	const struct sargs_registry *r;
	struct gather_links *gl;
	struct sargs_store_facts f;
	void *owned = NULL;
	unsigned char buf[AUD_FIXED + 128];
	enum sargs_rc rc;
	size_t i, k;

	if ((rc = sargs_reg_registry(reg, &r, NULL)) != SARGS_OK)
		return rc == SARGS_E_NOTFOUND ? SARGS_OK : rc;
	gl = calloc(1, sizeof(*gl));
	if (gl == NULL)
		return SARGS_E_NOMEM;
	rc = sargs_store_links(reg->store, id, gather_link_cb, gl);
	if (rc == SARGS_OK)
		rc = sargs_store_facts_get(reg->store, id, &f, &owned);
	for (i = 0; i < r->n_purposes && rc == SARGS_OK; i++) {
		const struct sargs_purpose *p = &r->purposes[i];
		struct sargs_store_consent c;
		struct line_find ln = {p->product_line, 0, 0, 0};
		int has_consent;

		if (!p->marketing.enabled)
			continue;
		for (k = 0; k < gl->n && strcmp(gl->ids[k], p->id) != 0; k++)
			;
		if (k == gl->n) {
			rc = sargs_store_audience_remove(reg->store, p->id, id);
			continue;
		}
		rc = sargs_store_consent_get(reg->store, id, p->id, &c);
		has_consent = rc == SARGS_OK;
		if (rc == SARGS_E_NOTFOUND)
			rc = SARGS_OK;
		if (rc == SARGS_OK && p->product_line != NULL)
			rc = sargs_store_lines(reg->store, id, line_find_cb, &ln);
		if (rc == SARGS_OK && f.birth_sealed_len > 128)
			rc = SARGS_E_CRYPTO;
		if (rc == SARGS_OK) {
			size_t n = aud_encode(gl->since[k], &f, has_consent, &c, ln.found, ln.offered,
					      ln.refused, buf);

			rc = sargs_store_audience_put(reg->store, p->id, id, buf, n);
		}
	}
	free(owned);
	free(gl);
	return rc;
}

struct rebuild_ctx {
	struct sargs_reg *reg;
	enum sargs_rc rc;
};

static int rebuild_cb(void *ctx, const char *id)
{
	struct rebuild_ctx *c = ctx;

	c->rc = sargs_audience_refresh(c->reg, id);
	return c->rc != SARGS_OK;
}

enum sargs_rc sargs_audience_rebuild(struct sargs_reg *reg, struct sargs_err *err)
{
	struct rebuild_ctx c = {reg, SARGS_OK};
	enum sargs_rc rc;

	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_subject_ids(reg->store, rebuild_cb, &c);
	if (rc == SARGS_OK)
		rc = c.rc;
	if (rc != SARGS_OK)
		(void)sargs_err_set(err, rc, "cannot rebuild the audience rows: %s",
				    sargs_store_errmsg(reg->store));
	else
		rc = sargs_reg_audit(reg, "audience.rebuild", NULL, NULL, NULL, NULL, err);
	return sargs_reg_end(reg, rc, err);
}

/* ---- purchases and contracts */

static int line_valid(const char *line)
{
	return line != NULL && sargs_ident_valid(line);
}

/* Links the subject to the soft-opt-in marketing purposes of line. */
static enum sargs_rc soft_opt_in_link(struct sargs_reg *reg, const char *id, const char *line,
				      struct sargs_purchase_result *out)
{
	const struct sargs_registry *r;
	size_t i;
	enum sargs_rc rc = sargs_reg_registry(reg, &r, NULL);

	if (rc != SARGS_OK)
		return SARGS_OK;
	for (i = 0; i < r->n_purposes; i++) {
		const struct sargs_purpose *p = &r->purposes[i];
		struct link_find lk = {p->id, 0};
		struct sargs_subject_change ch;
		const char *link[1];
		struct sargs_err e;

		if (!p->marketing.enabled || !p->marketing.soft_opt_in || p->product_line == NULL ||
		    strcmp(p->product_line, line) != 0)
			continue;
		if ((rc = sargs_store_links(reg->store, id, link_find_cb, &lk)) != SARGS_OK)
			return rc;
		if (lk.linked_us != 0)
			continue;
		memset(&ch, 0, sizeof(ch));
		link[0] = p->id;
		ch.link = link;
		ch.n_link = 1;
		rc = sargs_subject_edit(reg, id, &ch, &e);
		if (rc == SARGS_E_DENIED || rc == SARGS_E_INVALID)
			continue; /* lacks a required field (no e-mail): nothing to link */
		if (rc != SARGS_OK)
			return rc;
		if (out != NULL && out->n_linked < 8)
			(void)snprintf(out->linked[out->n_linked++], 64, "%s", p->id);
	}
	return SARGS_OK;
}

enum sargs_rc sargs_purchase_record(struct sargs_reg *reg, const char *id,
				    const char *product_line, int32_t day, int offered,
				    int refused, struct sargs_purchase_result *out,
				    struct sargs_err *err)
{
	struct sargs_store_facts f;
	void *owned = NULL;
	char detail[96];
	enum sargs_rc rc;

	if (out != NULL)
		memset(out, 0, sizeof(*out));
	if (!line_valid(product_line))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "a product line is lower-case letters, digits and '_'");
	if (day > sargs_today() + 1)
		return sargs_err_set(err, SARGS_E_INVALID, "a purchase cannot be in the future");
	if (refused && !offered)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "a person can refuse only when they were offered the choice");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_subject_must_exist(reg, id, err)) != SARGS_OK)
		goto out;
	if ((rc = sargs_store_purchase_add(reg->store, id, product_line, day, offered, refused)) !=
		    SARGS_OK ||
	    (rc = sargs_store_facts_get(reg->store, id, &f, &owned)) != SARGS_OK) {
		rc = store_err(reg, rc, err, "record the purchase");
		goto out;
	}
	if (f.last_purchase_day == SARGS_STORE_DAY_NONE || day > f.last_purchase_day)
		f.last_purchase_day = day;
	if ((rc = sargs_store_facts_put(reg->store, id, &f)) != SARGS_OK ||
	    (rc = sargs_stats_count(reg, "", product_line, "purchases", 1)) != SARGS_OK) {
		rc = store_err(reg, rc, err, "record the purchase");
		goto out;
	}
	(void)snprintf(detail, sizeof(detail), "line:%s offered:%d refused:%d", product_line,
		       offered != 0, refused != 0);
	if ((rc = sargs_reg_audit(reg, "purchase.add", id, NULL, NULL, detail, err)) != SARGS_OK)
		goto out;
	if (offered && !refused && (rc = soft_opt_in_link(reg, id, product_line, out)) != SARGS_OK)
		rc = store_err(reg, rc, err, "link the soft opt-in purposes");
	if (rc == SARGS_OK && (rc = sargs_audience_refresh(reg, id)) != SARGS_OK)
		rc = store_err(reg, rc, err, "record the purchase");
out:
	free(owned);
	return sargs_reg_end(reg, rc, err);
}

struct contract_scan {
	int64_t no;
	int found;
	int32_t start_day, end_day;
	int running;
	int32_t latest_end;
};

static int contract_cb(void *ctx, int64_t no, const char *line, int32_t start_day,
		       int32_t end_day)
{
	struct contract_scan *cs = ctx;

	(void)line;
	if (no == cs->no) {
		cs->found = 1;
		cs->start_day = start_day;
		cs->end_day = end_day;
	}
	if (end_day == SARGS_STORE_DAY_NONE)
		cs->running = 1;
	else if (cs->latest_end == SARGS_STORE_DAY_NONE || end_day > cs->latest_end)
		cs->latest_end = end_day;
	return 0;
}

/* Recomputes contract_end_day: the latest end when no contract runs. */
static enum sargs_rc contract_facts(struct sargs_reg *reg, const char *id)
{
	struct contract_scan cs = {-1, 0, 0, 0, 0, SARGS_STORE_DAY_NONE};
	struct sargs_store_facts f;
	void *owned = NULL;
	enum sargs_rc rc = sargs_store_contracts(reg->store, id, contract_cb, &cs);

	if (rc == SARGS_OK)
		rc = sargs_store_facts_get(reg->store, id, &f, &owned);
	if (rc == SARGS_OK) {
		f.contract_end_day = cs.running ? SARGS_STORE_DAY_NONE : cs.latest_end;
		rc = sargs_store_facts_put(reg->store, id, &f);
	}
	free(owned);
	if (rc == SARGS_OK)
		rc = sargs_audience_refresh(reg, id);
	return rc;
}

enum sargs_rc sargs_contract_start(struct sargs_reg *reg, const char *id,
				   const char *product_line, int32_t start_day, int64_t *no,
				   struct sargs_err *err)
{
	char detail[96];
	enum sargs_rc rc;

	if (product_line != NULL && !line_valid(product_line))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "a product line is lower-case letters, digits and '_'");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_subject_must_exist(reg, id, err)) != SARGS_OK)
		goto out;
	if ((rc = sargs_store_contract_add(reg->store, id, product_line, start_day, no)) !=
		    SARGS_OK ||
	    (rc = contract_facts(reg, id)) != SARGS_OK) {
		rc = store_err(reg, rc, err, "record the contract");
		goto out;
	}
	(void)snprintf(detail, sizeof(detail), "contract:%lld line:%s", (long long)*no,
		       product_line ? product_line : "-");
	rc = sargs_reg_audit(reg, "contract.start", id, NULL, NULL, detail, err);
out:
	return sargs_reg_end(reg, rc, err);
}

enum sargs_rc sargs_contract_finish(struct sargs_reg *reg, const char *id, int64_t no,
				    int32_t end_day, struct sargs_err *err)
{
	struct contract_scan cs = {no, 0, 0, 0, 0, SARGS_STORE_DAY_NONE};
	char detail[64];
	enum sargs_rc rc;

	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_subject_must_exist(reg, id, err)) != SARGS_OK)
		goto out;
	if ((rc = sargs_store_contracts(reg->store, id, contract_cb, &cs)) != SARGS_OK) {
		rc = store_err(reg, rc, err, "read the contracts");
		goto out;
	}
	if (!cs.found) {
		rc = sargs_err_set(err, SARGS_E_NOTFOUND, "the subject has no contract %lld",
				   (long long)no);
		goto out;
	}
	if (cs.end_day != SARGS_STORE_DAY_NONE) {
		rc = sargs_err_set(err, SARGS_E_EXISTS, "contract %lld has already ended",
				   (long long)no);
		goto out;
	}
	if (end_day < cs.start_day) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "a contract cannot end before it starts");
		goto out;
	}
	if ((rc = sargs_store_contract_end(reg->store, id, no, end_day)) != SARGS_OK ||
	    (rc = contract_facts(reg, id)) != SARGS_OK) {
		rc = store_err(reg, rc, err, "end the contract");
		goto out;
	}
	(void)snprintf(detail, sizeof(detail), "contract:%lld", (long long)no);
	rc = sargs_reg_audit(reg, "contract.end", id, NULL, NULL, detail, err);
out:
	return sargs_reg_end(reg, rc, err);
}
