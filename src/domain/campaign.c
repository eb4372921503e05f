/*
 * campaign.c — audiences, exports with one-click unsubscribe links, and
 * using the links (see campaign.h).
 */
#include "domain/campaign.h"

#include "crypto/token.h"
#include "domain/consent.h"
#include "domain/registry.h"
#include "domain/relation.h"
#include "domain/stats.h"
#include "domain/subject.h"
#include "store/store_rel.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <stdlib.h>
#include <string.h>

#define EXPORT_BATCH 1000
#define URL_MAX 512

void sargs_audience_free(struct sargs_audience *a)
{
	free(a->ids);
	free(a->reasons);
	a->ids = NULL;
	a->reasons = NULL;
	a->n_ids = 0;
}

struct aud_ctx {
	struct sargs_reg *reg;
	const struct sargs_purpose *p;
	const struct sargs_audience_req *req;
	unsigned channel;
	int32_t today;
	struct sargs_audience *out;
	int collect;
	size_t cap;
	int64_t linked;
	enum sargs_rc rc;
};

static int aud_cb(void *ctx, const char *id, const unsigned char *b, size_t len)
{
	struct aud_ctx *c = ctx;
	struct sargs_policy_facts f;
	struct sargs_policy_decision d;

	c->linked++;
	if (sargs_audience_decode(c->reg, id, b, len, &f) != 0) {
		c->rc = SARGS_E_SCHEMA;
		return 1;
	}
	if ((c->req->zone != 0 && (int)f.zone != c->req->zone) ||
	    (c->req->customers_only && !f.line_customer)) {
		c->out->filtered++;
		return 0;
	}
	sargs_policy_decide(c->p, c->channel, c->today, &f, &d);
	if (!d.allowed) {
		c->out->excluded[d.reason]++;
		return 0;
	}
	c->out->allowed++;
	c->out->allowed_by[d.reason]++;
	if (c->collect) {
		if (c->out->n_ids == c->cap) {
			size_t ncap = c->cap ? c->cap * 2 : 1024;
			char(*ids)[40] = realloc(c->out->ids, ncap * sizeof(*ids));
			enum sargs_reason *rs;

			if (ids == NULL) {
				c->rc = SARGS_E_NOMEM;
				return 1;
			}
			c->out->ids = ids;
			rs = realloc(c->out->reasons, ncap * sizeof(*rs));
			if (rs == NULL) {
				c->rc = SARGS_E_NOMEM;
				return 1;
			}
			c->out->reasons = rs;
			c->cap = ncap;
		}
		memcpy(c->out->ids[c->out->n_ids], id, SARGS_UUID_STR);
		c->out->reasons[c->out->n_ids] = d.reason;
		c->out->n_ids++;
	}
	return 0;
}

/* Checks the request against the registry; *p gets the purpose. */
static enum sargs_rc check_req(struct sargs_reg *reg, const struct sargs_audience_req *req,
			       const struct sargs_purpose **p, const char **line,
			       struct sargs_err *err)
{
	const struct sargs_registry *r;
	enum sargs_rc rc;

	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	*p = req->purpose ? sargs_registry_purpose(r, req->purpose) : NULL;
	if (*p == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no purpose \"%.64s\" in the registry",
				     req->purpose && sargs_ident_valid(req->purpose) ? req->purpose
										     : "?");
	if (!(*p)->marketing.enabled)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "purpose \"%s\" is not direct marketing: it has no \"marketing\""
				     " section in the registry, so no campaign may use it",
				     (*p)->id);
	if (req->channel == 0 || (req->channel & (req->channel - 1)) != 0 ||
	    (req->channel & SARGS_CH_ALL) != req->channel)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "name one channel: email, sms, phone or post");
	if (((*p)->marketing.channels & req->channel) == 0)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "purpose \"%s\" does not use the channel %s", (*p)->id,
				     sargs_channel_id(req->channel));
	*line = req->product_line ? req->product_line : (*p)->product_line;
	if (req->product_line != NULL && (*p)->product_line != NULL &&
	    strcmp(req->product_line, (*p)->product_line) != 0)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "purpose \"%s\" is about the product line \"%s\": its customers"
				     " may hear only about similar goods (000; ePrivacy Art. 13(2))",
				     (*p)->id, (*p)->product_line);
	if (req->product_line != NULL && !sargs_ident_valid(req->product_line))
		return sargs_err_set(err, SARGS_E_INVALID, "not a product line identifier");
	if (req->product_line != NULL && (*p)->product_line == NULL)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "purpose \"%s\" names no product line: a campaign about one"
				     " product line uses a purpose about that line",
				     (*p)->id);
	if (req->customers_only && *line == NULL)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "--customers-only needs a purpose about a product line");
	if (req->zone < 0 || req->zone > 3)
		return sargs_err_set(err, SARGS_E_INVALID, "unknown zone");
	return SARGS_OK;
}

/* Resolves inside the caller's transaction. */
static enum sargs_rc resolve(struct sargs_reg *reg, const struct sargs_audience_req *req,
			     const struct sargs_purpose *p, const char *line, int collect,
			     struct sargs_audience *out, struct sargs_err *err)
{
	struct aud_ctx c;
	enum sargs_rc rc;

	memset(&c, 0, sizeof(c));
	c.reg = reg;
	c.p = p;
	c.req = req;
	c.channel = req->channel;
	c.today = sargs_today();
	c.out = out;
	c.collect = collect;
	c.rc = SARGS_OK;
	if ((rc = sargs_store_facts_count(reg->store, &out->total)) != SARGS_OK ||
	    (rc = sargs_store_audience_scan(reg->store, p->id, aud_cb, &c)) != SARGS_OK)
		return sargs_err_set(err, rc, "cannot resolve the audience: %s",
				     sargs_store_errmsg(reg->store));
	if (c.rc != SARGS_OK)
		return sargs_err_set(err, c.rc, c.rc == SARGS_E_NOMEM
						     ? "out of memory"
						     : "an audience record is damaged; run 'sargs"
						       " campaign rebuild'");
	/* 002 §2: the others' contacts were not collected for this purpose */
	out->excluded[SARGS_R_NOT_LINKED] += out->total - c.linked;
	out->registry_version = reg->registry_version;
	return SARGS_OK;
}

static void counts_detail(const struct sargs_audience *a, char *out, size_t n)
{
	int64_t ex = a->filtered;

	for (int i = 0; i < SARGS_R__COUNT; i++)
		ex += a->excluded[i];
	(void)snprintf(out, n, "allowed:%lld excluded:%lld", (long long)a->allowed, (long long)ex);
}

enum sargs_rc sargs_campaign_audience(struct sargs_reg *reg, const struct sargs_audience_req *req,
				      int collect, struct sargs_audience *out,
				      struct sargs_err *err)
{
	const struct sargs_purpose *p;
	const char *line = NULL;
	char detail[96];
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = check_req(reg, req, &p, &line, err)) != SARGS_OK)
		return rc;
	if (p == NULL)
		return SARGS_E_NOTFOUND; /* (check_req said so) */
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = resolve(reg, req, p, line, collect, out, err);
	if (rc == SARGS_OK) {
		counts_detail(out, detail, sizeof(detail));
		rc = sargs_reg_audit(reg, "campaign.audience", NULL, NULL, p->id, detail, err);
	}
	if (rc == SARGS_OK)
		rc = sargs_reg_commit(reg, err);
	else
		sargs_reg_rollback(reg);
	if (rc != SARGS_OK)
		sargs_audience_free(out);
	return rc;
}

/* ---- tokens */

enum sargs_rc sargs_unsub_token(struct sargs_reg *reg, const char *id, const char *purpose,
				int days, char *out, size_t out_size)
{
	unsigned char payload[SARGS_TOKEN_PAYLOAD_MAX];
	size_t pl = strlen(purpose);
	char tok[SARGS_TOKEN_MAX];
	int64_t exp = sargs_time_now_us() + (int64_t)days * 86400000000LL;
	enum sargs_rc rc;

	if (pl > SARGS_TOKEN_PAYLOAD_MAX - SARGS_UUID_BYTES || days <= 0 || out_size < sizeof(tok))
		return SARGS_E_INVALID;
	if ((rc = sargs_uuid_to_bytes(id, payload)) != SARGS_OK)
		return rc;
	memcpy(payload + SARGS_UUID_BYTES, purpose, pl);
	rc = sargs_token_make(reg->keys, SARGS_UNSUB_KIND, payload, SARGS_UUID_BYTES + pl, exp, tok);
	if (rc == SARGS_OK)
		(void)snprintf(out, out_size, "%s", tok);
	return rc;
}

enum sargs_rc sargs_unsubscribe(struct sargs_reg *reg, const char *token,
				struct sargs_unsub_result *out, struct sargs_err *err)
{
	unsigned char payload[SARGS_TOKEN_PAYLOAD_MAX];
	size_t len = 0;
	int64_t exp = 0;
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	struct sargs_consent_proof proof;
	char *receipt = NULL;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	rc = sargs_token_open(reg->keys, SARGS_UNSUB_KIND, token, sargs_time_now_us(), payload,
			      &len, &exp, err);
	if (rc != SARGS_OK)
		return rc;
	if (len <= SARGS_UUID_BYTES || len - SARGS_UUID_BYTES >= sizeof(out->purpose))
		return sargs_err_set(err, SARGS_E_INVALID, "the link is not valid");
	sargs_uuid_from_bytes(payload, out->subject_id);
	memcpy(out->purpose, payload + SARGS_UUID_BYTES, len - SARGS_UUID_BYTES);
	out->purpose[len - SARGS_UUID_BYTES] = '\0';
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	p = sargs_registry_purpose(r, out->purpose);
	memset(&proof, 0, sizeof(proof));
	proof.channel = "unsubscribe_link";
	if (p == NULL || !p->marketing.enabled) {
		/* the purpose is gone from the registry: nothing is sent for it;
		 * object to direct marketing as a whole, which is what the person
		 * asked for */
		rc = sargs_consent_object(reg, out->subject_id, NULL, &proof, &receipt, err);
		(void)snprintf(out->what, sizeof(out->what), "objection recorded");
	} else if (p->basis == SARGS_BASIS_CONSENT) {
		rc = sargs_consent_withdraw(reg, out->subject_id, p->id, &proof, &receipt, err);
		(void)snprintf(out->what, sizeof(out->what), "consent withdrawn");
	} else {
		rc = sargs_consent_object(reg, out->subject_id, p->id, &proof, &receipt, err);
		(void)snprintf(out->what, sizeof(out->what), "objection recorded");
	}
	if (rc == SARGS_E_NOTFOUND) {
		/* erased since the mail was sent: nobody is left to contact */
		(void)snprintf(out->what, sizeof(out->what), "no longer in the register");
		sargs_err_clear(err);
		rc = SARGS_OK;
	}
	out->changed = receipt != NULL;
	free(receipt);
	return rc;
}

/* ---- export */

/* Appends to sb; a failure (the buffer's limit) is remembered in *bad. */
static void put(struct sargs_strbuf *sb, const void *p, size_t n, int *bad)
{
	if (sargs_strbuf_add(sb, p, n) != SARGS_OK)
		*bad = 1;
}

static void puts_(struct sargs_strbuf *sb, const char *s, int *bad)
{
	put(sb, s, strlen(s), bad);
}

/* One CSV cell (RFC 4180 quoting), then a comma or the line end. */
static void csv_cell(struct sargs_strbuf *sb, const char *v, int last, int *bad)
{
	if (strpbrk(v, ",\"\r\n") != NULL) {
		put(sb, "\"", 1, bad);
		for (const char *s = v; *s; s++) {
			if (*s == '"')
				put(sb, "\"", 1, bad);
			put(sb, s, 1, bad);
		}
		put(sb, "\"", 1, bad);
	} else {
		puts_(sb, v, bad);
	}
	put(sb, last ? "\r\n" : ",", last ? 2 : 1, bad);
}

static void json_str(struct sargs_strbuf *sb, const char *v, int *bad)
{
	put(sb, "\"", 1, bad);
	for (const unsigned char *s = (const unsigned char *)v; *s; s++) {
		if (*s == '"' || *s == '\\') {
			put(sb, "\\", 1, bad);
			put(sb, s, 1, bad);
		} else if (*s < 0x20) {
			char esc[8];

			(void)snprintf(esc, sizeof(esc), "\\u%04x", *s);
			puts_(sb, esc, bad);
		} else {
			put(sb, s, 1, bad);
		}
	}
	put(sb, "\"", 1, bad);
}

/* The purpose's field that carries channel. */
static const char *channel_field(const struct sargs_registry *r, const struct sargs_purpose *p,
				 unsigned ch)
{
	for (size_t i = 0; i < p->n_fields; i++) {
		const struct sargs_field_def *f = sargs_registry_field(r, p->fields[i].field);

		if (f != NULL && (sargs_field_channels(f) & ch) != 0)
			return f->name;
	}
	return NULL;
}

static const char *view_value(const struct sargs_subject_view *v, const char *name)
{
	for (size_t i = 0; i < v->n_fields; i++)
		if (strcmp(v->fields[i].name, name) == 0)
			return v->fields[i].value;
	return "";
}

static int url_ok(const char *u)
{
	size_t n;

	if (u == NULL || strncmp(u, "https://", 8) != 0)
		return 0;
	n = strlen(u);
	if (n < 9 || n > 256)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == '"' || u[i] == '<' || u[i] == '>' ||
		    u[i] == ',' || (unsigned char)u[i] >= 0x7f)
			return 0;
	return 1;
}

struct export_state {
	struct sargs_reg *reg;
	const struct sargs_purpose *p;
	unsigned channel;
	int32_t today;
	int64_t exported, skipped;
	const struct sargs_export_opts *opts;
	const char *cols[16];
	size_t n_cols;
	struct sargs_strbuf buf;
	char detail[64];
};

/* One recipient: reads the columns (audited), adds the line to buf. */
static enum sargs_rc export_one(struct export_state *st, const char *id,
				enum sargs_reason basis, struct sargs_err *err)
{
	struct sargs_subject_view v;
	char tok[SARGS_TOKEN_MAX], url[URL_MAX], lu[URL_MAX + 2];
	const char *base = st->opts->base_url;
	size_t bl = strlen(base);
	int bad = 0;
	enum sargs_rc rc;

	/* decided again in the transaction that reads: an objection, a
	 * withdrawal or an erasure since the audience was resolved takes
	 * effect at once (GDPR Art. 21(3); mission §4) */
	{
		struct sargs_policy_facts f;
		struct sargs_policy_decision d;

		if ((rc = sargs_policy_facts_load(st->reg, id, st->p, &f, err)) != SARGS_OK)
			return rc;
		sargs_policy_decide(st->p, st->channel, st->today, &f, &d);
		if (!d.allowed) {
			st->skipped++;
			return SARGS_OK;
		}
		basis = d.reason;
	}
	rc = sargs_subject_read_fields(st->reg, id, st->p->id, st->cols, st->n_cols,
				       "campaign.export", st->detail, &v, err);
	if (rc != SARGS_OK)
		return rc;
	st->exported++;
	rc = sargs_unsub_token(st->reg, id, st->p->id,
			       st->opts->link_days > 0 ? st->opts->link_days
						       : SARGS_UNSUB_DAYS_DEFAULT,
			       tok, sizeof(tok));
	if (rc != SARGS_OK) {
		sargs_subject_view_free(&v);
		return sargs_err_set(err, rc, "cannot make the unsubscribe link");
	}
	(void)snprintf(url, sizeof(url), "%.*s/u/%s", (int)(bl && base[bl - 1] == '/' ? bl - 1 : bl),
		       base, tok);
	(void)snprintf(lu, sizeof(lu), "<%s>", url);
	if (st->opts->json) {
		char tail[3 * URL_MAX];

		put(&st->buf, "{", 1, &bad);
		for (size_t i = 0; i < st->n_cols; i++) {
			json_str(&st->buf, st->cols[i], &bad);
			put(&st->buf, ":", 1, &bad);
			json_str(&st->buf, view_value(&v, st->cols[i]), &bad);
			put(&st->buf, ",", 1, &bad);
		}
		(void)snprintf(tail, sizeof(tail),
			       "\"basis\":\"%s\",\"unsubscribe_url\":\"%s\","
			       "\"list_unsubscribe\":\"%s\","
			       "\"list_unsubscribe_post\":\"List-Unsubscribe=One-Click\"}\n",
			       sargs_reason_id(basis), url, lu);
		puts_(&st->buf, tail, &bad);
	} else {
		for (size_t i = 0; i < st->n_cols; i++) {
			const char *val = view_value(&v, st->cols[i]);

			/* a spreadsheet would run a cell starting with = + - @ as a
			 * formula: such text (a name) is written with a leading ' ;
			 * the contact column (a validated address) is left exact */
			if (i > 0 && strchr("=+-@", val[0]) != NULL && val[0] != '\0') {
				struct sargs_strbuf q;

				sargs_strbuf_init(&q, SARGS_FIELD_VALUE_MAX + 2);
				if (sargs_strbuf_add(&q, "'", 1) != SARGS_OK ||
				    sargs_strbuf_adds(&q, val) != SARGS_OK)
					bad = 1;
				csv_cell(&st->buf, q.data ? q.data : "", 0, &bad);
				sargs_strbuf_free(&q);
				continue;
			}
			csv_cell(&st->buf, val, 0, &bad);
		}
		csv_cell(&st->buf, sargs_reason_id(basis), 0, &bad);
		csv_cell(&st->buf, url, 0, &bad);
		csv_cell(&st->buf, lu, 0, &bad);
		csv_cell(&st->buf, "List-Unsubscribe=One-Click", 1, &bad);
	}
	if (bad) {
		sargs_subject_view_free(&v);
		return sargs_err_set(err, SARGS_E_NOMEM, "the export batch is too large");
	}
	sargs_subject_view_free(&v);
	return SARGS_OK;
}

/* Writes buf to out and wipes it. */
static enum sargs_rc flush_buf(struct sargs_strbuf *buf, FILE *out, struct sargs_err *err)
{
	size_t n = buf->len;
	enum sargs_rc rc = SARGS_OK;

	if (n > 0 && fwrite(buf->data, 1, n, out) != n)
		rc = sargs_err_set(err, SARGS_E_IO, "cannot write the export");
	sargs_strbuf_reset(buf);
	return rc;
}

enum sargs_rc sargs_campaign_export(struct sargs_reg *reg, const struct sargs_audience_req *req,
				    const struct sargs_export_opts *opts, FILE *out,
				    struct sargs_audience *summary, int64_t *campaign_id,
				    struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	const char *line = NULL, *chf;
	struct export_state st;
	struct sargs_store_campaign camp;
	struct sargs_strbuf ex;
	char detail[96];
	size_t i;
	enum sargs_rc rc;

	memset(summary, 0, sizeof(*summary));
	*campaign_id = 0;
	if ((rc = check_req(reg, req, &p, &line, err)) != SARGS_OK ||
	    (rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if (p == NULL)
		return SARGS_E_NOTFOUND; /* (check_req said so) */
	if (!url_ok(opts->base_url))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "--base-url must be an https:// address (at most 256 characters,"
				     " no spaces): unsubscribe links are HTTPS (RFC 8058)");
	if (opts->link_days < 0 || opts->link_days > 3660)
		return sargs_err_set(err, SARGS_E_INVALID, "link validity is 1 to 3660 days");
	memset(&st, 0, sizeof(st));
	st.reg = reg;
	st.p = p;
	st.opts = opts;
	st.channel = req->channel;
	st.today = sargs_today();
	chf = channel_field(r, p, req->channel);
	if (chf == NULL)
		return sargs_err_set(err, SARGS_E_DENIED, "purpose \"%s\" has no field for %s",
				     p->id, sargs_channel_id(req->channel));
	st.cols[st.n_cols++] = chf;
	if (opts->n_fields > 15)
		return sargs_err_set(err, SARGS_E_INVALID, "at most 15 extra fields");
	for (i = 0; i < opts->n_fields; i++) {
		if (sargs_purpose_field(p, opts->fields[i]) == NULL)
			return sargs_err_set(err, SARGS_E_DENIED,
					     "purpose \"%s\" does not use field \"%.64s\": the export"
					     " holds only what the purpose allows",
					     p->id,
					     sargs_ident_valid(opts->fields[i]) ? opts->fields[i]
										: "?");
		if (strcmp(opts->fields[i], chf) != 0)
			st.cols[st.n_cols++] = opts->fields[i];
	}
	/* resolve and record the run in one transaction */
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = resolve(reg, req, p, line, 1, summary, err);
	sargs_strbuf_init(&ex, 8192);
	if (rc == SARGS_OK) {
		int first = 1, bad = 0;
		char item[96];

		put(&ex, "{", 1, &bad);
		for (int k = 1; k < SARGS_R__COUNT; k++) {
			if (summary->excluded[k] == 0)
				continue;
			(void)snprintf(item, sizeof(item), "%s\"%s\":%lld", first ? "" : ",",
				       sargs_reason_id((enum sargs_reason)k),
				       (long long)summary->excluded[k]);
			puts_(&ex, item, &bad);
			first = 0;
		}
		if (summary->filtered) {
			(void)snprintf(item, sizeof(item), "%s\"filtered\":%lld", first ? "" : ",",
				       (long long)summary->filtered);
			puts_(&ex, item, &bad);
		}
		put(&ex, "}", 1, &bad);
		if (bad)
			rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	if (rc == SARGS_OK) {
		memset(&camp, 0, sizeof(camp));
		camp.time_us = sargs_time_now_us();
		camp.actor = reg->actor;
		camp.purpose = p->id;
		camp.channel = sargs_channel_id(req->channel);
		camp.product_line = line;
		camp.registry_version = reg->registry_version;
		camp.audience = summary->allowed;
		camp.excluded = ex.data;
		rc = sargs_store_campaign_add(reg->store, &camp);
		if (rc == SARGS_OK)
			rc = sargs_stats_count(reg, p->id, line, "campaign_recipients",
					       summary->allowed);
		if (rc != SARGS_OK)
			rc = sargs_err_set(err, rc, "cannot record the campaign: %s",
					   sargs_store_errmsg(reg->store));
	}
	if (rc == SARGS_OK) {
		*campaign_id = camp.id;
		(void)snprintf(detail, sizeof(detail), "campaign:%lld allowed:%lld channel:%s",
			       (long long)camp.id, (long long)summary->allowed, camp.channel);
		rc = sargs_reg_audit(reg, "campaign.run", NULL, NULL, p->id, detail, err);
	}
	sargs_strbuf_free(&ex);
	if (rc == SARGS_OK)
		rc = sargs_reg_commit(reg, err);
	else
		sargs_reg_rollback(reg);
	if (rc != SARGS_OK) {
		sargs_audience_free(summary);
		return rc;
	}
	(void)snprintf(st.detail, sizeof(st.detail), "campaign:%lld", (long long)camp.id);
	sargs_strbuf_init(&st.buf, 64u * 1024 * 1024);
	rc = SARGS_OK;
	if (!opts->json) {
		int bad = 0;

		for (i = 0; i < st.n_cols; i++)
			csv_cell(&st.buf, st.cols[i], 0, &bad);
		csv_cell(&st.buf, "basis", 0, &bad);
		csv_cell(&st.buf, "unsubscribe_url", 0, &bad);
		csv_cell(&st.buf, "list_unsubscribe", 0, &bad);
		csv_cell(&st.buf, "list_unsubscribe_post", 1, &bad);
		rc = bad ? sargs_err_set(err, SARGS_E_NOMEM, "out of memory")
			 : flush_buf(&st.buf, out, err);
	}
	/* batches: each batch's reads are audited and committed before its
	 * lines leave the process */
	for (i = 0; i < summary->n_ids && rc == SARGS_OK; i += EXPORT_BATCH) {
		size_t end = i + EXPORT_BATCH < summary->n_ids ? i + EXPORT_BATCH : summary->n_ids;

		if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
			break;
		for (size_t k = i; k < end && rc == SARGS_OK; k++)
			rc = export_one(&st, summary->ids[k], summary->reasons[k], err);
		if (rc == SARGS_OK)
			rc = sargs_reg_commit(reg, err);
		else
			sargs_reg_rollback(reg);
		if (rc == SARGS_OK)
			rc = flush_buf(&st.buf, out, err);
	}
	sargs_strbuf_reset(&st.buf);
	sargs_strbuf_free(&st.buf);
	if (rc == SARGS_OK && fflush(out) != 0)
		rc = sargs_err_set(err, SARGS_E_IO, "cannot write the export");
	summary->exported = st.exported;
	summary->left_out_since = st.skipped;
	if (rc == SARGS_OK) {
		char done[96];

		(void)snprintf(done, sizeof(done), "campaign:%lld exported:%lld left_out_since:%lld",
			       (long long)*campaign_id, (long long)st.exported,
			       (long long)st.skipped);
		rc = sargs_reg_audit(reg, "campaign.export.done", NULL, NULL, p->id, done, err);
	}
	return rc;
}
