/*
 * store_sqlite_breach.c — the SQLite engine's part of store_breach.h: the
 * breach register and the people each breach affected. Prepared statements
 * only.
 */
#include "store/store_sqlite_int.h"

#include <stdlib.h>
#include <string.h>

enum breach_stmt {
	B_ADD, B_UPDATE, B_GET, B_SCAN,
	B_SUBJ_ADD, B_SUBJ_ADD_PURPOSE, B_SUBJS,
	B_DEL_SUBJECT,
	B__COUNT
};

_Static_assert(B__COUNT <= SQ_BREACH_STMT_MAX, "raise SQ_BREACH_STMT_MAX");

#define BREACH_COLS                                                                   \
	"b.id, b.aware_us, b.recorded_us, b.data, b.risk, b.notified_dvi_us,"          \
	" b.notified_people_us, b.closed_us,"                                          \
	" (SELECT count(*) FROM breach_subjects s WHERE s.breach_id = b.id)"

static const char *const breach_sql[B__COUNT] = {
	[B_ADD] = "INSERT INTO breaches(aware_us, recorded_us, data, risk, notified_dvi_us,"
		  " notified_people_us, closed_us) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[B_UPDATE] = "UPDATE breaches SET data = ?2, risk = ?3, notified_dvi_us = ?4,"
		     " notified_people_us = ?5, closed_us = ?6 WHERE id = ?1",
	[B_GET] = "SELECT " BREACH_COLS " FROM breaches b WHERE b.id = ?1",
	[B_SCAN] = "SELECT " BREACH_COLS " FROM breaches b ORDER BY b.id",
	[B_SUBJ_ADD] = "INSERT OR IGNORE INTO breach_subjects(breach_id, subject_id) VALUES(?1, ?2)",
	[B_SUBJ_ADD_PURPOSE] = "INSERT OR IGNORE INTO breach_subjects(breach_id, subject_id)"
			       " SELECT ?1, subject_id FROM subject_purposes WHERE purpose = ?2",
	[B_SUBJS] = "SELECT subject_id FROM breach_subjects WHERE breach_id = ?1"
		    " ORDER BY subject_id",
	[B_DEL_SUBJECT] = "DELETE FROM breach_subjects WHERE subject_id = ?1",
};

#define BPREP(s, p, id) SQ_PREP((s), (p), &(s)->breach_stmt[id], breach_sql[id])

/* Fills b from a row of BREACH_COLS; the strings point into the row. */
static void col_breach(sqlite3_stmt *p, struct sargs_store_breach *b)
{
	b->id = sqlite3_column_int64(p, 0);
	b->aware_us = sqlite3_column_int64(p, 1);
	b->recorded_us = sqlite3_column_int64(p, 2);
	b->data = sq_col_text(p, 3);
	b->risk = sq_col_text(p, 4);
	b->notified_dvi_us = sqlite3_column_int64(p, 5);
	b->notified_people_us = sqlite3_column_int64(p, 6);
	b->closed_us = sqlite3_column_int64(p, 7);
	b->affected = sqlite3_column_int64(p, 8);
}

static enum sargs_rc sq_breach_add(struct sargs_store *st, struct sargs_store_breach *b)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	BPREP(s, p, B_ADD);
	(void)sqlite3_bind_int64(p, 1, b->aware_us);
	(void)sqlite3_bind_int64(p, 2, b->recorded_us);
	(void)sqlite3_bind_text(p, 3, b->data ? b->data : "{}", -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 4, b->risk, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int64(p, 5, b->notified_dvi_us);
	(void)sqlite3_bind_int64(p, 6, b->notified_people_us);
	(void)sqlite3_bind_int64(p, 7, b->closed_us);
	rc = sq_run(s, p);
	if (rc == SARGS_OK)
		b->id = sqlite3_last_insert_rowid(s->db);
	return rc;
}

static enum sargs_rc sq_breach_update(struct sargs_store *st, const struct sargs_store_breach *b)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	BPREP(s, p, B_UPDATE);
	(void)sqlite3_bind_int64(p, 1, b->id);
	(void)sqlite3_bind_text(p, 2, b->data ? b->data : "{}", -1, SQLITE_STATIC);
	(void)sqlite3_bind_text(p, 3, b->risk, -1, SQLITE_STATIC);
	(void)sqlite3_bind_int64(p, 4, b->notified_dvi_us);
	(void)sqlite3_bind_int64(p, 5, b->notified_people_us);
	(void)sqlite3_bind_int64(p, 6, b->closed_us);
	rc = sq_run(s, p);
	if (rc == SARGS_OK && sqlite3_changes(s->db) == 0)
		return SARGS_E_NOTFOUND;
	return rc;
}

static enum sargs_rc sq_breach_get(struct sargs_store *st, int64_t id,
				   struct sargs_store_breach *out, void **owned)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	struct sargs_store_breach b;
	size_t data_len, risk_len;
	char *buf;
	enum sargs_rc rc;

	*owned = NULL;
	memset(out, 0, sizeof(*out));
	BPREP(s, p, B_GET);
	(void)sqlite3_bind_int64(p, 1, id);
	if ((rc = sq_step_row(s, p)) != SARGS_OK)
		return rc;
	col_breach(p, &b);
	data_len = strlen(b.data) + 1;
	risk_len = strlen(b.risk) + 1;
	buf = malloc(data_len + risk_len);
	if (buf == NULL) {
		(void)sqlite3_reset(p);
		return SARGS_E_NOMEM;
	}
	memcpy(buf, b.data, data_len);
	memcpy(buf + data_len, b.risk, risk_len);
	*out = b;
	out->data = buf;
	out->risk = buf + data_len;
	*owned = buf;
	(void)sqlite3_reset(p);
	return SARGS_OK;
}

static enum sargs_rc sq_breach_scan(struct sargs_store *st,
				    int (*cb)(void *ctx, const struct sargs_store_breach *b),
				    void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	BPREP(s, p, B_SCAN);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_breach b;

		col_breach(p, &b);
		if (cb(ctx, &b) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_breach_subject_add(struct sargs_store *st, int64_t breach_id,
					   const char *subject_id, int *added)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	BPREP(s, p, B_SUBJ_ADD);
	(void)sqlite3_bind_int64(p, 1, breach_id);
	SQ_BIND_ID(p, 2, subject_id);
	rc = sq_run(s, p);
	if (rc == SARGS_OK && added != NULL)
		*added = sqlite3_changes(s->db) > 0;
	return rc;
}

static enum sargs_rc sq_breach_subject_add_purpose(struct sargs_store *st, int64_t breach_id,
						   const char *purpose, int64_t *added)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	BPREP(s, p, B_SUBJ_ADD_PURPOSE);
	(void)sqlite3_bind_int64(p, 1, breach_id);
	(void)sqlite3_bind_text(p, 2, purpose, -1, SQLITE_STATIC);
	rc = sq_run(s, p);
	if (rc == SARGS_OK && added != NULL)
		*added = sqlite3_changes(s->db);
	return rc;
}

static enum sargs_rc sq_breach_subjects(struct sargs_store *st, int64_t breach_id,
					int (*cb)(void *ctx, const char *subject_id), void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	BPREP(s, p, B_SUBJS);
	(void)sqlite3_bind_int64(p, 1, breach_id);
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

enum sargs_rc sq_breach_erase(struct sq_store *s, const char *id)
{
	sqlite3_stmt *p;

	BPREP(s, p, B_DEL_SUBJECT);
	SQ_BIND_ID(p, 1, id);
	return sq_run(s, p);
}

const struct sargs_store_breach_ops sq_breach_ops = {
	.breach_add = sq_breach_add,
	.breach_update = sq_breach_update,
	.breach_get = sq_breach_get,
	.breach_scan = sq_breach_scan,
	.subject_add = sq_breach_subject_add,
	.subject_add_purpose = sq_breach_subject_add_purpose,
	.subjects = sq_breach_subjects,
};
