/*
 * store_sqlite_rel.c — the SQLite engine's part of store_rel.h: policy
 * facts, consent state and history, purchases, contracts, audience scans,
 * campaigns, legacy zones and re-permission. Prepared statements only.
 */
#include "store/store_sqlite_int.h"

#include <stdlib.h>
#include <string.h>

enum rel_stmt {
	R_FACTS_COUNT, R_FACTS_GET, R_FACTS_PUT,
	R_CONSENT_GET, R_CONSENT_PUT, R_CONSENTS,
	R_EVENT_ADD, R_EVENTS,
	R_PURCHASE_ADD, R_LINE_UPSERT, R_LINES, R_PURCHASES,
	R_CONTRACT_ADD, R_CONTRACT_END, R_CONTRACTS,
	R_AUD_PUT, R_AUD_REMOVE, R_AUD_SCAN, R_DEL_AUDIENCE,
	R_CAMPAIGN_ADD, R_CAMPAIGNS,
	R_ZONE_COUNTS, R_ZONE_IDS,
	R_REPERM_GET, R_REPERM_PUT, R_REPERM_SCAN,
	R_DEL_FACTS, R_DEL_CONSENTS, R_DEL_EVENTS, R_DEL_LINES, R_DEL_PURCHASES,
	R_DEL_CONTRACTS, R_DEL_REPERM,
	R__COUNT
};

_Static_assert(R__COUNT <= SQ_REL_STMT_MAX, "raise SQ_REL_STMT_MAX");

static const char *const rel_sql[R__COUNT] = {
	[R_FACTS_COUNT] = "SELECT count(*) FROM subject_facts",
	[R_FACTS_GET] = "SELECT contacts, age_class, birth_sealed, zone, restricted,"
			" dm_objected_us, last_purchase_day, contract_end_day"
			" FROM subject_facts WHERE subject_id = ?1",
	[R_FACTS_PUT] = "INSERT INTO subject_facts(subject_id, contacts, age_class, birth_sealed,"
			" zone, restricted, dm_objected_us, last_purchase_day, contract_end_day)"
			" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT(subject_id) DO UPDATE"
			" SET contacts = excluded.contacts, age_class = excluded.age_class,"
			" birth_sealed = excluded.birth_sealed, zone = excluded.zone,"
			" restricted = excluded.restricted, dm_objected_us = excluded.dm_objected_us,"
			" last_purchase_day = excluded.last_purchase_day,"
			" contract_end_day = excluded.contract_end_day",
	[R_CONSENT_GET] = "SELECT state, since_us, given_us, guardian, objected_us FROM consents"
			  " WHERE subject_id = ?1 AND purpose = ?2",
	[R_CONSENT_PUT] = "INSERT INTO consents(subject_id, purpose, state, since_us, given_us,"
			  " guardian, objected_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"
			  " ON CONFLICT(subject_id, purpose) DO UPDATE SET state = excluded.state,"
			  " since_us = excluded.since_us, given_us = excluded.given_us,"
			  " guardian = excluded.guardian, objected_us = excluded.objected_us",
	[R_CONSENTS] = "SELECT purpose, state, since_us, given_us, guardian, objected_us"
		       " FROM consents WHERE subject_id = ?1 ORDER BY purpose",
	[R_EVENT_ADD] = "INSERT INTO consent_events(subject_id, purpose, event, time_us, receipt)"
			" VALUES(?1, ?2, ?3, ?4, ?5)",
	[R_EVENTS] = "SELECT seq, purpose, event, time_us, receipt FROM consent_events"
		     " WHERE subject_id = ?1 ORDER BY seq",
	[R_PURCHASE_ADD] = "INSERT INTO purchases(subject_id, product_line, day) VALUES(?1, ?2, ?3)",
	[R_LINE_UPSERT] = "INSERT INTO customer_lines(subject_id, product_line, first_day,"
			  " last_day, opt_out_offered, refused) VALUES(?1, ?2, ?3, ?3, ?4, ?5)"
			  " ON CONFLICT(subject_id, product_line) DO UPDATE SET"
			  " first_day = min(first_day, excluded.first_day),"
			  " last_day = max(last_day, excluded.last_day),"
			  " opt_out_offered = max(opt_out_offered, excluded.opt_out_offered),"
			  " refused = max(refused, excluded.refused)",
	[R_LINES] = "SELECT product_line, first_day, last_day, opt_out_offered, refused"
		    " FROM customer_lines WHERE subject_id = ?1 ORDER BY product_line",
	[R_PURCHASES] = "SELECT product_line, day FROM purchases WHERE subject_id = ?1"
			" ORDER BY day, seq",
	[R_CONTRACT_ADD] = "INSERT INTO contracts(subject_id, product_line, start_day)"
			   " VALUES(?1, ?2, ?3)",
	[R_CONTRACT_END] = "UPDATE contracts SET end_day = ?3 WHERE seq = ?2 AND subject_id = ?1",
	[R_CONTRACTS] = "SELECT seq, product_line, start_day, end_day FROM contracts"
			" WHERE subject_id = ?1 ORDER BY seq",
	[R_AUD_PUT] = "INSERT INTO audience(purpose, subject_id, facts) VALUES(?1, ?2, ?3)"
		      " ON CONFLICT(purpose, subject_id) DO UPDATE SET facts = excluded.facts",
	[R_AUD_REMOVE] = "DELETE FROM audience WHERE purpose = ?1 AND subject_id = ?2",
	[R_AUD_SCAN] = "SELECT subject_id, facts FROM audience WHERE purpose = ?1",
	[R_DEL_AUDIENCE] = "DELETE FROM audience WHERE subject_id = ?1 AND purpose IN"
			   " (SELECT purpose FROM subject_purposes WHERE subject_id = ?1)",
	[R_CAMPAIGN_ADD] = "INSERT INTO campaigns(time_us, actor, purpose, channel, product_line,"
			   " registry_version, audience, excluded)"
			   " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
	[R_CAMPAIGNS] = "SELECT id, time_us, actor, purpose, channel, product_line,"
			" registry_version, audience, excluded FROM campaigns ORDER BY id",
	[R_ZONE_COUNTS] = "SELECT zone, count(*) FROM subject_facts WHERE zone != 0 GROUP BY zone",
	[R_ZONE_IDS] = "SELECT subject_id FROM subject_facts WHERE zone = ?1 ORDER BY subject_id",
	[R_REPERM_GET] = "SELECT asked_us, deadline_day, confirmed_us FROM repermission"
			 " WHERE subject_id = ?1",
	[R_REPERM_PUT] = "INSERT INTO repermission(subject_id, asked_us, deadline_day, confirmed_us)"
			 " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(subject_id) DO UPDATE SET"
			 " asked_us = excluded.asked_us, deadline_day = excluded.deadline_day,"
			 " confirmed_us = excluded.confirmed_us",
	[R_REPERM_SCAN] = "SELECT subject_id, asked_us, deadline_day, confirmed_us"
			  " FROM repermission ORDER BY subject_id",
	[R_DEL_FACTS] = "DELETE FROM subject_facts WHERE subject_id = ?1",
	[R_DEL_CONSENTS] = "DELETE FROM consents WHERE subject_id = ?1",
	[R_DEL_EVENTS] = "DELETE FROM consent_events WHERE subject_id = ?1",
	[R_DEL_LINES] = "DELETE FROM customer_lines WHERE subject_id = ?1",
	[R_DEL_PURCHASES] = "DELETE FROM purchases WHERE subject_id = ?1",
	[R_DEL_CONTRACTS] = "DELETE FROM contracts WHERE subject_id = ?1",
	[R_DEL_REPERM] = "DELETE FROM repermission WHERE subject_id = ?1",
};

#define RPREP(s, p, id) SQ_PREP((s), (p), &(s)->rel_stmt[id], rel_sql[id])

/* ---- facts */

static void facts_default(struct sargs_store_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->last_purchase_day = SARGS_STORE_DAY_NONE;
	f->contract_end_day = SARGS_STORE_DAY_NONE;
}

/* Reads facts columns starting at column c0 (same order as R_FACTS_GET). */
static void col_facts(sqlite3_stmt *p, int c0, struct sargs_store_facts *f)
{
	facts_default(f);
	if (sqlite3_column_type(p, c0) == SQLITE_NULL)
		return; /* no facts row (LEFT JOIN) */
	f->contacts = (unsigned)sqlite3_column_int(p, c0);
	f->age_class = sqlite3_column_int(p, c0 + 1);
	f->birth_sealed = sqlite3_column_blob(p, c0 + 2);
	f->birth_sealed_len = (size_t)sqlite3_column_bytes(p, c0 + 2);
	if (f->birth_sealed_len == 0)
		f->birth_sealed = NULL;
	f->zone = sqlite3_column_int(p, c0 + 3);
	f->restricted = sqlite3_column_int(p, c0 + 4);
	f->dm_objected_us = sqlite3_column_int64(p, c0 + 5);
	f->last_purchase_day = sq_col_day(p, c0 + 6);
	f->contract_end_day = sq_col_day(p, c0 + 7);
}

static enum sargs_rc sq_facts_count(struct sargs_store *st, int64_t *out)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	*out = 0;
	RPREP(s, p, R_FACTS_COUNT);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW) {
		*out = sqlite3_column_int64(p, 0);
		r = SQLITE_DONE;
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_facts_get(struct sargs_store *st, const char *id,
				  struct sargs_store_facts *out, void **owned)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	*owned = NULL;
	facts_default(out);
	RPREP(s, p, R_FACTS_GET);
	SQ_BIND_ID(p, 1, id);
	r = sqlite3_step(p);
	if (r == SQLITE_ROW) {
		struct sargs_store_facts f;

		col_facts(p, 0, &f);
		*out = f;
		if (f.birth_sealed != NULL) {
			unsigned char *b = malloc(f.birth_sealed_len);

			if (b == NULL) {
				(void)sqlite3_reset(p);
				return SARGS_E_NOMEM;
			}
			memcpy(b, f.birth_sealed, f.birth_sealed_len);
			out->birth_sealed = b;
			*owned = b;
		}
		r = SQLITE_DONE;
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_facts_put(struct sargs_store *st, const char *id,
				  const struct sargs_store_facts *f)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	RPREP(s, p, R_FACTS_PUT);
	SQ_BIND_ID(p, 1, id);
	(void)sqlite3_bind_int(p, 2, (int)f->contacts);
	(void)sqlite3_bind_int(p, 3, f->age_class);
	if (f->birth_sealed != NULL)
		(void)sqlite3_bind_blob(p, 4, f->birth_sealed, (int)f->birth_sealed_len,
					SQLITE_STATIC);
	(void)sqlite3_bind_int(p, 5, f->zone);
	(void)sqlite3_bind_int(p, 6, f->restricted);
	(void)sqlite3_bind_int64(p, 7, f->dm_objected_us);
	sq_bind_day(p, 8, f->last_purchase_day);
	sq_bind_day(p, 9, f->contract_end_day);
	return sq_run(s, p);
}

/* ---- consent */

static void col_consent(sqlite3_stmt *p, int c0, struct sargs_store_consent *c)
{
	c->state = sqlite3_column_int(p, c0);
	c->since_us = sqlite3_column_int64(p, c0 + 1);
	c->given_us = sqlite3_column_int64(p, c0 + 2);
	c->guardian = sqlite3_column_int(p, c0 + 3);
	c->objected_us = sqlite3_column_int64(p, c0 + 4);
}

static enum sargs_rc sq_consent_get(struct sargs_store *st, const char *id, const char *purpose,
				    struct sargs_store_consent *out)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	RPREP(s, p, R_CONSENT_GET);
	SQ_BIND_ID(p, 1, id);
	(void)sqlite3_bind_text(p, 2, purpose, -1, SQLITE_STATIC);
	if ((rc = sq_step_row(s, p)) != SARGS_OK)
		return rc;
	col_consent(p, 0, out);
	(void)sqlite3_reset(p);
	return SARGS_OK;
}

static enum sargs_rc sq_consent_put(struct sargs_store *st, const char *id, const char *purpose,
				    const struct sargs_store_consent *c)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	RPREP(s, p, R_CONSENT_PUT);
	SQ_BIND_ID(p, 1, id);
	(void)sqlite3_bind_text(p, 2, purpose, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int(p, 3, c->state);
	(void)sqlite3_bind_int64(p, 4, c->since_us);
	(void)sqlite3_bind_int64(p, 5, c->given_us);
	(void)sqlite3_bind_int(p, 6, c->guardian);
	(void)sqlite3_bind_int64(p, 7, c->objected_us);
	return sq_run(s, p);
}

static enum sargs_rc sq_consents(struct sargs_store *st, const char *id,
				 int (*cb)(void *ctx, const char *purpose,
					   const struct sargs_store_consent *c),
				 void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	RPREP(s, p, R_CONSENTS);
	SQ_BIND_ID(p, 1, id);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_consent c;

		col_consent(p, 1, &c);
		if (cb(ctx, sq_col_text(p, 0), &c) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_consent_event_add(struct sargs_store *st, const char *id,
					  const char *purpose, const char *event, int64_t time_us,
					  const char *receipt)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	RPREP(s, p, R_EVENT_ADD);
	SQ_BIND_ID(p, 1, id);
	(void)sqlite3_bind_text(p, 2, purpose, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 3, event, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int64(p, 4, time_us);
	(void)sqlite3_bind_text(p, 5, receipt, -1, SQLITE_STATIC);
	return sq_run(s, p);
}

static enum sargs_rc sq_consent_events(struct sargs_store *st, const char *id,
				       int (*cb)(void *ctx, int64_t seq, const char *purpose,
						 const char *event, int64_t time_us,
						 const char *receipt),
				       void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	RPREP(s, p, R_EVENTS);
	SQ_BIND_ID(p, 1, id);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		if (cb(ctx, sqlite3_column_int64(p, 0), sq_col_text(p, 1), sq_col_text(p, 2),
		       sqlite3_column_int64(p, 3), sq_col_text(p, 4)) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

/* ---- purchases, lines, contracts */

static enum sargs_rc sq_purchase_add(struct sargs_store *st, const char *id,
				     const char *product_line, int32_t day, int opt_out_offered,
				     int refused)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	RPREP(s, p, R_PURCHASE_ADD);
	SQ_BIND_ID(p, 1, id);
	(void)sqlite3_bind_text(p, 2, product_line, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int(p, 3, day);
	if ((rc = sq_run(s, p)) != SARGS_OK)
		return rc;
	RPREP(s, p, R_LINE_UPSERT);
	SQ_BIND_ID(p, 1, id);
	(void)sqlite3_bind_text(p, 2, product_line, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int(p, 3, day);
	(void)sqlite3_bind_int(p, 4, opt_out_offered != 0);
	(void)sqlite3_bind_int(p, 5, refused != 0);
	return sq_run(s, p);
}

static enum sargs_rc sq_lines(struct sargs_store *st, const char *id,
			      int (*cb)(void *ctx, const struct sargs_store_line *l), void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	RPREP(s, p, R_LINES);
	SQ_BIND_ID(p, 1, id);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_line l;

		l.product_line = sq_col_text(p, 0);
		l.first_day = sqlite3_column_int(p, 1);
		l.last_day = sqlite3_column_int(p, 2);
		l.opt_out_offered = sqlite3_column_int(p, 3);
		l.refused = sqlite3_column_int(p, 4);
		if (cb(ctx, &l) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_purchases(struct sargs_store *st, const char *id,
				  int (*cb)(void *ctx, const char *product_line, int32_t day),
				  void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	RPREP(s, p, R_PURCHASES);
	SQ_BIND_ID(p, 1, id);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		if (cb(ctx, sq_col_text(p, 0), sqlite3_column_int(p, 1)) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_contract_add(struct sargs_store *st, const char *id,
				     const char *product_line, int32_t start_day, int64_t *out_no)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	RPREP(s, p, R_CONTRACT_ADD);
	SQ_BIND_ID(p, 1, id);
	sq_bind_opt_text(p, 2, product_line);
	(void)sqlite3_bind_int(p, 3, start_day);
	rc = sq_run(s, p);
	if (rc == SARGS_OK)
		*out_no = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static enum sargs_rc sq_contract_end(struct sargs_store *st, const char *id, int64_t no,
				     int32_t end_day)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	RPREP(s, p, R_CONTRACT_END);
	SQ_BIND_ID(p, 1, id);
	(void)sqlite3_bind_int64(p, 2, no);
	(void)sqlite3_bind_int(p, 3, end_day);
	rc = sq_run(s, p);
	if (rc == SARGS_OK && sqlite3_changes(s->db) == 0)
		return SARGS_E_NOTFOUND;
	return rc;
}

static enum sargs_rc sq_contracts(struct sargs_store *st, const char *id,
				  int (*cb)(void *ctx, int64_t no, const char *product_line,
					    int32_t start_day, int32_t end_day),
				  void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	RPREP(s, p, R_CONTRACTS);
	SQ_BIND_ID(p, 1, id);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		const unsigned char *line = sqlite3_column_text(p, 1);

		if (cb(ctx, sqlite3_column_int64(p, 0), (const char *)line,
		       sqlite3_column_int(p, 2), sq_col_day(p, 3)) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

/* ---- audience */

static enum sargs_rc sq_audience_put(struct sargs_store *st, const char *purpose, const char *id,
				     const void *facts, size_t len)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	RPREP(s, p, R_AUD_PUT);
	(void)sqlite3_bind_text(p, 1, purpose, -1, SQLITE_STATIC);
	SQ_BIND_ID(p, 2, id);
	(void)sqlite3_bind_blob(p, 3, facts, (int)len, SQLITE_STATIC);
	return sq_run(s, p);
}

static enum sargs_rc sq_audience_remove(struct sargs_store *st, const char *purpose,
					const char *id)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	RPREP(s, p, R_AUD_REMOVE);
	(void)sqlite3_bind_text(p, 1, purpose, -1, SQLITE_STATIC);
	SQ_BIND_ID(p, 2, id);
	return sq_run(s, p);
}

static enum sargs_rc sq_audience_scan(struct sargs_store *st, const char *purpose,
				      int (*cb)(void *ctx, const char *id,
						const unsigned char *facts, size_t len),
				      void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	RPREP(s, p, R_AUD_SCAN);
	(void)sqlite3_bind_text(p, 1, purpose, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		char id[SARGS_UUID_STR];

		sq_col_id(p, 0, id);
		if (cb(ctx, id, sqlite3_column_blob(p, 1), (size_t)sqlite3_column_bytes(p, 1)) !=
		    0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

/* ---- campaigns */

static enum sargs_rc sq_campaign_add(struct sargs_store *st, struct sargs_store_campaign *c)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	RPREP(s, p, R_CAMPAIGN_ADD);
	(void)sqlite3_bind_int64(p, 1, c->time_us);
	(void)sqlite3_bind_text(p, 2, c->actor, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 3, c->purpose, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 4, c->channel, -1, SQLITE_STATIC);
	sq_bind_opt_text(p, 5, c->product_line);
	(void)sqlite3_bind_int64(p, 6, c->registry_version);
	(void)sqlite3_bind_int64(p, 7, c->audience);
	(void)sqlite3_bind_text(p, 8, c->excluded, -1, SQLITE_STATIC);
	rc = sq_run(s, p);
	if (rc == SARGS_OK)
		c->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static enum sargs_rc sq_campaigns(struct sargs_store *st,
				  int (*cb)(void *ctx, const struct sargs_store_campaign *c),
				  void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	RPREP(s, p, R_CAMPAIGNS);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_campaign c;

		c.id = sqlite3_column_int64(p, 0);
		c.time_us = sqlite3_column_int64(p, 1);
		c.actor = sq_col_text(p, 2);
		c.purpose = sq_col_text(p, 3);
		c.channel = sq_col_text(p, 4);
		c.product_line = (const char *)sqlite3_column_text(p, 5);
		c.registry_version = sqlite3_column_int64(p, 6);
		c.audience = sqlite3_column_int64(p, 7);
		c.excluded = sq_col_text(p, 8);
		if (cb(ctx, &c) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

/* ---- zones and re-permission */

static enum sargs_rc sq_zone_counts(struct sargs_store *st, int64_t counts[4])
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	memset(counts, 0, 4 * sizeof(counts[0]));
	RPREP(s, p, R_ZONE_COUNTS);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		int z = sqlite3_column_int(p, 0);

		if (z >= 0 && z < 4)
			counts[z] = sqlite3_column_int64(p, 1);
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_zone_ids(struct sargs_store *st, int zone,
				 int (*cb)(void *ctx, const char *id), void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	RPREP(s, p, R_ZONE_IDS);
	(void)sqlite3_bind_int(p, 1, zone);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		char id[SARGS_UUID_STR];

		sq_col_id(p, 0, id);
		if (cb(ctx, id) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_reperm_get(struct sargs_store *st, const char *id,
				   struct sargs_store_reperm *out)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	RPREP(s, p, R_REPERM_GET);
	SQ_BIND_ID(p, 1, id);
	if ((rc = sq_step_row(s, p)) != SARGS_OK)
		return rc;
	out->asked_us = sqlite3_column_int64(p, 0);
	out->deadline_day = sqlite3_column_int(p, 1);
	out->confirmed_us = sqlite3_column_int64(p, 2);
	(void)sqlite3_reset(p);
	return SARGS_OK;
}

static enum sargs_rc sq_reperm_put(struct sargs_store *st, const char *id,
				   const struct sargs_store_reperm *rp)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	RPREP(s, p, R_REPERM_PUT);
	SQ_BIND_ID(p, 1, id);
	(void)sqlite3_bind_int64(p, 2, rp->asked_us);
	(void)sqlite3_bind_int(p, 3, rp->deadline_day);
	(void)sqlite3_bind_int64(p, 4, rp->confirmed_us);
	return sq_run(s, p);
}

static enum sargs_rc sq_reperm_scan(struct sargs_store *st,
				    int (*cb)(void *ctx, const char *id,
					      const struct sargs_store_reperm *r),
				    void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	RPREP(s, p, R_REPERM_SCAN);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_reperm rp;
		char id[SARGS_UUID_STR];

		sq_col_id(p, 0, id);
		rp.asked_us = sqlite3_column_int64(p, 1);
		rp.deadline_day = sqlite3_column_int(p, 2);
		rp.confirmed_us = sqlite3_column_int64(p, 3);
		if (cb(ctx, id, &rp) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

enum sargs_rc sq_rel_erase(struct sq_store *s, const char *id)
{
	static const enum rel_stmt dels[] = {R_DEL_AUDIENCE, R_DEL_FACTS, R_DEL_CONSENTS, R_DEL_EVENTS,
					     R_DEL_LINES, R_DEL_PURCHASES, R_DEL_CONTRACTS,
					     R_DEL_REPERM};
	size_t i;

	for (i = 0; i < sizeof(dels) / sizeof(dels[0]); i++) {
		sqlite3_stmt *p;
		enum sargs_rc rc;

		RPREP(s, p, dels[i]);
		SQ_BIND_ID(p, 1, id);
		if ((rc = sq_run(s, p)) != SARGS_OK)
			return rc;
	}
	return SARGS_OK;
}

const struct sargs_store_rel_ops sq_rel_ops = {
	.facts_count = sq_facts_count,
	.facts_get = sq_facts_get,
	.facts_put = sq_facts_put,
	.consent_get = sq_consent_get,
	.consent_put = sq_consent_put,
	.consents = sq_consents,
	.consent_event_add = sq_consent_event_add,
	.consent_events = sq_consent_events,
	.purchase_add = sq_purchase_add,
	.lines = sq_lines,
	.purchases = sq_purchases,
	.contract_add = sq_contract_add,
	.contract_end = sq_contract_end,
	.contracts = sq_contracts,
	.audience_put = sq_audience_put,
	.audience_remove = sq_audience_remove,
	.audience_scan = sq_audience_scan,
	.campaign_add = sq_campaign_add,
	.campaigns = sq_campaigns,
	.zone_counts = sq_zone_counts,
	.zone_ids = sq_zone_ids,
	.reperm_get = sq_reperm_get,
	.reperm_put = sq_reperm_put,
	.reperm_scan = sq_reperm_scan,
};
