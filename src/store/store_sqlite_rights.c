/*
 * store_sqlite_rights.c — the SQLite engine's part of store_rights.h: the
 * request register, the disclosure log, anonymised statistics and the
 * retention sweep's scan. Prepared statements only.
 */
#include "store/store_sqlite_int.h"

#include <stdlib.h>
#include <string.h>

enum rights_stmt {
	G_REQ_ADD, G_REQ_UPDATE, G_REQ_GET, G_REQ_SCAN_ALL, G_REQ_SCAN_OPEN,
	G_REQ_EVENT_ADD, G_REQ_EVENTS,
	G_DISC_ADD, G_DISCS,
	G_STATS_ADD, G_STATS_SCAN,
	G_LINK_FACTS,
	G_DEL_DISCS,
	G_PARTIAL_ADD, G_PARTIAL_SCAN,
	G__COUNT
};

_Static_assert(G__COUNT <= SQ_RIGHTS_STMT_MAX, "raise SQ_RIGHTS_STMT_MAX");

#define REQ_COLS                                                                   \
	"id, subject_id, kind, state, received_us, channel, due_day, extended, purpose," \
	" requester, closed_us, data"

static const char *const rights_sql[G__COUNT] = {
	[G_REQ_ADD] = "INSERT INTO requests(subject_id, kind, state, received_us, channel, due_day,"
		      " extended, purpose, requester, closed_us, data)"
		      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[G_REQ_UPDATE] = "UPDATE requests SET subject_id = ?2, kind = ?3, state = ?4, channel = ?5,"
			 " due_day = ?6, extended = ?7, purpose = ?8, requester = ?9,"
			 " closed_us = ?10, data = ?11 WHERE id = ?1",
	[G_REQ_GET] = "SELECT " REQ_COLS " FROM requests WHERE id = ?1",
	[G_REQ_SCAN_ALL] = "SELECT " REQ_COLS " FROM requests ORDER BY id",
	[G_REQ_SCAN_OPEN] = "SELECT " REQ_COLS " FROM requests WHERE closed_us = 0"
			    " ORDER BY due_day, id",
	[G_REQ_EVENT_ADD] = "INSERT INTO request_events(request_id, time_us, actor, event, detail)"
			    " VALUES(?1, ?2, ?3, ?4, ?5)",
	[G_REQ_EVENTS] = "SELECT time_us, actor, event, detail FROM request_events"
			 " WHERE request_id = ?1 ORDER BY seq",
	[G_DISC_ADD] = "INSERT INTO disclosures(subject_id, time_us, recipient, purpose, fields,"
		       " reference) VALUES(?1, ?2, ?3, ?4, ?5, ?6)",
	[G_DISCS] = "SELECT time_us, recipient, purpose, fields, reference FROM disclosures"
		    " WHERE subject_id = ?1 AND time_us >= ?2 ORDER BY time_us, seq",
	[G_STATS_ADD] = "INSERT INTO stats(month, purpose, product_line, measure, n)"
			" VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(month, purpose, product_line, measure)"
			" DO UPDATE SET n = n + excluded.n",
	[G_STATS_SCAN] = "SELECT month, purpose, product_line, measure, n FROM stats"
			 " ORDER BY month, purpose, product_line, measure",
	/* the links in subject order; facts and consent by primary key */
	[G_LINK_FACTS] = "SELECT l.subject_id, l.purpose, l.linked_us, f.last_purchase_day,"
			 " f.contract_end_day, f.dm_objected_us, f.restricted, c.state, c.since_us,"
			 " c.objected_us FROM subject_purposes l"
			 " LEFT JOIN subject_facts f ON f.subject_id = l.subject_id"
			 " LEFT JOIN consents c ON c.subject_id = l.subject_id AND c.purpose = l.purpose"
			 " ORDER BY l.subject_id, l.purpose",
	[G_DEL_DISCS] = "DELETE FROM disclosures WHERE subject_id = ?1",
	[G_PARTIAL_ADD] = "INSERT INTO partial_erasures(subject_id, time_us, purposes, fields)"
			  " VALUES(?1, ?2, ?3, ?4)",
	[G_PARTIAL_SCAN] = "SELECT subject_id, time_us, purposes, fields FROM partial_erasures"
			   " ORDER BY seq",
};

#define GPREP(s, p, id) SQ_PREP((s), (p), &(s)->rights_stmt[id], rights_sql[id])

/* ---- requests */

/* Binds columns 2-11 of a request (shared by add and update). */
static int bind_request(sqlite3_stmt *p, int first, const struct sargs_store_request *r,
			int with_received)
{
	int i = first;

	if (r->subject_id != NULL && r->subject_id[0] != '\0') {
		if (sq_bind_id(p, i, r->subject_id) != 0)
			return -1;
	} else {
		(void)sqlite3_bind_null(p, i);
	}
	i++;
	(void)sqlite3_bind_text(p, i++, r->kind, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, i++, r->state, -1, SQLITE_STATIC);
	if (with_received)
		(void)sqlite3_bind_int64(p, i++, r->received_us);
	(void)sqlite3_bind_text(p, i++, r->channel, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int(p, i++, r->due_day);
	(void)sqlite3_bind_int(p, i++, r->extended);
	sq_bind_opt_text(p, i++, r->purpose);
	if (r->requester != NULL)
		(void)sqlite3_bind_blob(p, i, r->requester, (int)r->requester_len, SQLITE_STATIC);
	else
		(void)sqlite3_bind_null(p, i);
	i++;
	(void)sqlite3_bind_int64(p, i++, r->closed_us);
	(void)sqlite3_bind_text(p, i, r->data ? r->data : "{}", -1, SQLITE_STATIC);
	return 0;
}

static enum sargs_rc sq_request_add(struct sargs_store *st, struct sargs_store_request *r)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	GPREP(s, p, G_REQ_ADD);
	if (bind_request(p, 1, r, 1) != 0) {
		(void)sqlite3_reset(p);
		return SARGS_E_NOTFOUND;
	}
	rc = sq_run(s, p);
	if (rc == SARGS_OK)
		r->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static enum sargs_rc sq_request_update(struct sargs_store *st,
				       const struct sargs_store_request *r)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	GPREP(s, p, G_REQ_UPDATE);
	(void)sqlite3_bind_int64(p, 1, r->id);
	if (bind_request(p, 2, r, 0) != 0) {
		(void)sqlite3_reset(p);
		return SARGS_E_NOTFOUND;
	}
	rc = sq_run(s, p);
	if (rc == SARGS_OK && sqlite3_changes(s->db) == 0)
		return SARGS_E_NOTFOUND;
	return rc;
}

/* Fills r from a row of REQ_COLS; ids and strings point into the row (or
 * into idbuf for the subject id). */
static void col_request(sqlite3_stmt *p, struct sargs_store_request *r, char *idbuf)
{
	r->id = sqlite3_column_int64(p, 0);
	if (sqlite3_column_type(p, 1) == SQLITE_NULL) {
		r->subject_id = NULL;
	} else {
		sq_col_id(p, 1, idbuf);
		r->subject_id = idbuf;
	}
	r->kind = sq_col_text(p, 2);
	r->state = sq_col_text(p, 3);
	r->received_us = sqlite3_column_int64(p, 4);
	r->channel = sq_col_text(p, 5);
	r->due_day = sqlite3_column_int(p, 6);
	r->extended = sqlite3_column_int(p, 7);
	r->purpose = sq_col_opt_text(p, 8);
	r->requester = sqlite3_column_blob(p, 9);
	r->requester_len = (size_t)sqlite3_column_bytes(p, 9);
	if (r->requester_len == 0)
		r->requester = NULL;
	r->closed_us = sqlite3_column_int64(p, 10);
	r->data = sq_col_text(p, 11);
}

/* Appends a copy of s (may be NULL) to the arena; returns the copy. */
static const char *arena_str(char **at, const char *s)
{
	size_t n;
	char *d;

	if (s == NULL)
		return NULL;
	n = strlen(s) + 1;
	d = *at;
	memcpy(d, s, n);
	*at += n;
	return d;
}

static enum sargs_rc sq_request_get(struct sargs_store *st, int64_t id,
				    struct sargs_store_request *out, void **owned)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	struct sargs_store_request r;
	char idbuf[SARGS_UUID_STR];
	enum sargs_rc rc;

	*owned = NULL;
	memset(out, 0, sizeof(*out));
	GPREP(s, p, G_REQ_GET);
	(void)sqlite3_bind_int64(p, 1, id);
	if ((rc = sq_step_row(s, p)) != SARGS_OK)
		return rc;
	col_request(p, &r, idbuf);
	{
		size_t need = SARGS_UUID_STR + strlen(r.kind) + strlen(r.state) + strlen(r.channel) +
			      (r.purpose ? strlen(r.purpose) : 0) + strlen(r.data) + r.requester_len +
			      8;
		char *buf = malloc(need), *at = buf;

		if (buf == NULL) {
			(void)sqlite3_reset(p);
			return SARGS_E_NOMEM;
		}
		*out = r;
		out->subject_id = arena_str(&at, r.subject_id);
		out->kind = arena_str(&at, r.kind);
		out->state = arena_str(&at, r.state);
		out->channel = arena_str(&at, r.channel);
		out->purpose = arena_str(&at, r.purpose);
		out->data = arena_str(&at, r.data);
		if (r.requester != NULL) {
			memcpy(at, r.requester, r.requester_len);
			out->requester = (const unsigned char *)at;
		}
		*owned = buf;
	}
	(void)sqlite3_reset(p);
	return SARGS_OK;
}

static enum sargs_rc sq_request_scan(struct sargs_store *st, int open_only,
				     int (*cb)(void *ctx, const struct sargs_store_request *r),
				     void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	GPREP(s, p, open_only ? G_REQ_SCAN_OPEN : G_REQ_SCAN_ALL);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_request q;
		char idbuf[SARGS_UUID_STR];

		col_request(p, &q, idbuf);
		if (cb(ctx, &q) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_request_event_add(struct sargs_store *st, int64_t request_id,
					  int64_t time_us, const char *actor, const char *event,
					  const char *detail)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	GPREP(s, p, G_REQ_EVENT_ADD);
	(void)sqlite3_bind_int64(p, 1, request_id);
	(void)sqlite3_bind_int64(p, 2, time_us);
	(void)sqlite3_bind_text(p, 3, actor, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 4, event, -1, SQLITE_STATIC);
	sq_bind_opt_text(p, 5, detail);
	return sq_run(s, p);
}

static enum sargs_rc sq_request_events(struct sargs_store *st, int64_t request_id,
				       int (*cb)(void *ctx, int64_t time_us, const char *actor,
						 const char *event, const char *detail),
				       void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	GPREP(s, p, G_REQ_EVENTS);
	(void)sqlite3_bind_int64(p, 1, request_id);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		if (cb(ctx, sqlite3_column_int64(p, 0), sq_col_text(p, 1), sq_col_text(p, 2),
		       sq_col_opt_text(p, 3)) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

/* ---- disclosures */

static enum sargs_rc sq_disclosure_add(struct sargs_store *st, const char *subject_id,
				       const struct sargs_store_disclosure *d)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	GPREP(s, p, G_DISC_ADD);
	SQ_BIND_ID(p, 1, subject_id);
	(void)sqlite3_bind_int64(p, 2, d->time_us);
	(void)sqlite3_bind_text(p, 3, d->recipient, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 4, d->purpose, -1, SQLITE_STATIC);
	sq_bind_opt_text(p, 5, d->fields);
	sq_bind_opt_text(p, 6, d->reference);
	return sq_run(s, p);
}

static enum sargs_rc sq_disclosures(struct sargs_store *st, const char *subject_id,
				    int64_t since_us,
				    int (*cb)(void *ctx, const struct sargs_store_disclosure *d),
				    void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	GPREP(s, p, G_DISCS);
	SQ_BIND_ID(p, 1, subject_id);
	(void)sqlite3_bind_int64(p, 2, since_us);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_disclosure d;

		d.time_us = sqlite3_column_int64(p, 0);
		d.recipient = sq_col_text(p, 1);
		d.purpose = sq_col_text(p, 2);
		d.fields = sq_col_opt_text(p, 3);
		d.reference = sq_col_opt_text(p, 4);
		if (cb(ctx, &d) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

/* ---- statistics */

static enum sargs_rc sq_stats_add(struct sargs_store *st, const char *month, const char *purpose,
				  const char *product_line, const char *measure, int64_t delta)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	GPREP(s, p, G_STATS_ADD);
	(void)sqlite3_bind_text(p, 1, month, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 2, purpose, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 3, product_line ? product_line : "", -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 4, measure, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int64(p, 5, delta);
	return sq_run(s, p);
}

static enum sargs_rc sq_stats_scan(struct sargs_store *st,
				   int (*cb)(void *ctx, const char *month, const char *purpose,
					     const char *product_line, const char *measure,
					     int64_t n),
				   void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	GPREP(s, p, G_STATS_SCAN);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		if (cb(ctx, sq_col_text(p, 0), sq_col_text(p, 1), sq_col_text(p, 2), sq_col_text(p, 3),
		       sqlite3_column_int64(p, 4)) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

/* ---- the retention sweep's scan */

static enum sargs_rc sq_link_facts_scan(struct sargs_store *st,
					int (*cb)(void *ctx, const struct sargs_store_link_facts *l),
					void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	GPREP(s, p, G_LINK_FACTS);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_link_facts l;
		char id[SARGS_UUID_STR];

		sq_col_id(p, 0, id);
		l.subject_id = id;
		l.purpose = sq_col_text(p, 1);
		l.linked_us = sqlite3_column_int64(p, 2);
		l.last_purchase_day = sq_col_day(p, 3);
		l.contract_end_day = sq_col_day(p, 4);
		l.dm_objected_us = sqlite3_column_int64(p, 5);
		l.restricted = sqlite3_column_int(p, 6);
		l.consent_state = sqlite3_column_int(p, 7);
		l.consent_since_us = sqlite3_column_int64(p, 8);
		l.objected_us = sqlite3_column_int64(p, 9);
		if (cb(ctx, &l) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_partial_add(struct sargs_store *st, const char *subject_id,
				    int64_t time_us, const char *purposes, const char *fields)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	GPREP(s, p, G_PARTIAL_ADD);
	SQ_BIND_ID(p, 1, subject_id);
	(void)sqlite3_bind_int64(p, 2, time_us);
	(void)sqlite3_bind_text(p, 3, purposes, -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 4, fields, -1, SQLITE_STATIC);
	return sq_run(s, p);
}

static enum sargs_rc sq_partial_scan(struct sargs_store *st,
				     int (*cb)(void *ctx, const char *subject_id, int64_t time_us,
					       const char *purposes, const char *fields),
				     void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	GPREP(s, p, G_PARTIAL_SCAN);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		char id[SARGS_UUID_STR];

		sq_col_id(p, 0, id);
		if (cb(ctx, id, sqlite3_column_int64(p, 1), sq_col_text(p, 2), sq_col_text(p, 3)) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

enum sargs_rc sq_rights_erase(struct sq_store *s, const char *id)
{
	sqlite3_stmt *p;

	GPREP(s, p, G_DEL_DISCS);
	SQ_BIND_ID(p, 1, id);
	return sq_run(s, p);
}

const struct sargs_store_rights_ops sq_rights_ops = {
	.request_add = sq_request_add,
	.request_update = sq_request_update,
	.request_get = sq_request_get,
	.request_scan = sq_request_scan,
	.request_event_add = sq_request_event_add,
	.request_events = sq_request_events,
	.disclosure_add = sq_disclosure_add,
	.disclosures = sq_disclosures,
	.stats_add = sq_stats_add,
	.stats_scan = sq_stats_scan,
	.partial_add = sq_partial_add,
	.partial_scan = sq_partial_scan,
	.link_facts_scan = sq_link_facts_scan,
};
