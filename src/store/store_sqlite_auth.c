/*
 * store_sqlite_auth.c — the SQLite engine's part of store_auth.h: roles,
 * staff accounts, sessions and API tokens. Prepared statements only.
 */
#include "store/store_sqlite_int.h"

#include <stdio.h>
#include <string.h>

enum auth_stmt {
	A_ROLE_PUT, A_ROLE_GET, A_ROLE_SCAN,
	A_STAFF_ADD, A_STAFF_UPDATE, A_STAFF_GET, A_STAFF_SCAN,
	A_SESS_ADD, A_SESS_GET, A_SESS_TOUCH, A_SESS_DEL, A_SESS_DEL_STAFF, A_SESS_EXPIRE,
	A_TOK_ADD, A_TOK_GET_HASH, A_TOK_SCAN, A_TOK_REVOKED, A_TOK_REVOKE,
	A__COUNT
};

_Static_assert(A__COUNT <= SQ_AUTH_STMT_MAX, "raise SQ_AUTH_STMT_MAX");

#define STAFF_COLS                                                                     \
	"name, role, lang, pwhash, disabled, failed, locked_until_us, created_us,"      \
	" last_login_us"
#define TOKEN_COLS "name, hash, actions, purposes, created_us, expires_us, revoked_us"

static const char *const auth_sql[A__COUNT] = {
	/* an upsert, not REPLACE: replacing would delete a role staff refer to */
	[A_ROLE_PUT] = "INSERT INTO roles(name, actions, purposes) VALUES(?1, ?2, ?3)"
		       " ON CONFLICT(name) DO UPDATE SET actions = excluded.actions,"
		       " purposes = excluded.purposes",
	[A_ROLE_GET] = "SELECT name, actions, purposes FROM roles WHERE name = ?1",
	[A_ROLE_SCAN] = "SELECT name, actions, purposes FROM roles ORDER BY name",
	[A_STAFF_ADD] = "INSERT INTO staff(" STAFF_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7,"
			" ?8, ?9)",
	[A_STAFF_UPDATE] = "UPDATE staff SET role = ?2, lang = ?3, pwhash = ?4, disabled = ?5,"
			   " failed = ?6, locked_until_us = ?7, last_login_us = ?8"
			   " WHERE name = ?1",
	[A_STAFF_GET] = "SELECT " STAFF_COLS " FROM staff WHERE name = ?1",
	[A_STAFF_SCAN] = "SELECT " STAFF_COLS " FROM staff ORDER BY name",
	[A_SESS_ADD] = "INSERT INTO staff_sessions(hash, staff, csrf, created_us, last_used_us)"
		       " VALUES(?1, ?2, ?3, ?4, ?5)",
	[A_SESS_GET] = "SELECT hash, staff, csrf, created_us, last_used_us FROM staff_sessions"
		       " WHERE hash = ?1",
	[A_SESS_TOUCH] = "UPDATE staff_sessions SET last_used_us = ?2 WHERE hash = ?1",
	[A_SESS_DEL] = "DELETE FROM staff_sessions WHERE hash = ?1",
	[A_SESS_DEL_STAFF] = "DELETE FROM staff_sessions WHERE staff = ?1",
	[A_SESS_EXPIRE] = "DELETE FROM staff_sessions WHERE last_used_us < ?1 OR created_us < ?2",
	[A_TOK_ADD] = "INSERT INTO api_tokens(" TOKEN_COLS ") VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[A_TOK_GET_HASH] = "SELECT " TOKEN_COLS " FROM api_tokens WHERE hash = ?1",
	[A_TOK_SCAN] = "SELECT " TOKEN_COLS " FROM api_tokens ORDER BY name",
	[A_TOK_REVOKED] = "SELECT revoked_us FROM api_tokens WHERE name = ?1",
	[A_TOK_REVOKE] = "UPDATE api_tokens SET revoked_us = ?2 WHERE name = ?1 AND revoked_us = 0",
};

#define APREP(s, p, id) SQ_PREP((s), (p), &(s)->auth_stmt[id], auth_sql[id])

/* Copies a text column into out (size bytes); -1 when it does not fit. */
static int col_copy(sqlite3_stmt *p, int i, char *out, size_t size)
{
	const char *t = sq_col_text(p, i);
	size_t n = strlen(t);

	if (n >= size) {
		out[0] = '\0';
		return -1;
	}
	memcpy(out, t, n + 1);
	return 0;
}

/* Copies a hash column; -1 when it is not SARGS_STORE_AUTH_HASH bytes. */
static int col_hash(sqlite3_stmt *p, int i, unsigned char out[SARGS_STORE_AUTH_HASH])
{
	const void *b = sqlite3_column_blob(p, i);

	if (b == NULL || sqlite3_column_bytes(p, i) != SARGS_STORE_AUTH_HASH)
		return -1;
	memcpy(out, b, SARGS_STORE_AUTH_HASH);
	return 0;
}

static void bind_hash(sqlite3_stmt *p, int i, const unsigned char *hash)
{
	(void)sqlite3_bind_blob(p, i, hash, SARGS_STORE_AUTH_HASH, SQLITE_STATIC);
}

static void bind_text(sqlite3_stmt *p, int i, const char *v)
{
	(void)sqlite3_bind_text(p, i, v, -1, SQLITE_STATIC);
}

static enum sargs_rc damaged(struct sq_store *s, sqlite3_stmt *p, const char *table)
{
	(void)sqlite3_reset(p);
	(void)snprintf(s->base.errmsg, sizeof(s->base.errmsg),
		       "a row of %s holds a value longer than allowed", table);
	return SARGS_E_SCHEMA;
}

/*
 * Ends a one-row read: resets p; bad is what the col_* function returned.
 * A row that did not fit leaves *out zeroed (out_size bytes), so no part of
 * it (a password hash, a CSRF secret) stays behind in the caller's buffer.
 */
static enum sargs_rc row_read(struct sq_store *s, sqlite3_stmt *p, int bad, void *out,
			      size_t out_size, const char *table)
{
	if (bad == 0) {
		(void)sqlite3_reset(p);
		return SARGS_OK;
	}
	memset(out, 0, out_size);
	return damaged(s, p, table);
}

/* ---- roles */

static int col_role(sqlite3_stmt *p, struct sargs_store_role *r)
{
	memset(r, 0, sizeof(*r));
	return col_copy(p, 0, r->name, sizeof(r->name)) | col_copy(p, 1, r->actions, sizeof(r->actions)) |
	       col_copy(p, 2, r->purposes, sizeof(r->purposes));
}

static enum sargs_rc sq_role_put(struct sargs_store *st, const struct sargs_store_role *r)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	APREP(s, p, A_ROLE_PUT);
	bind_text(p, 1, r->name);
	bind_text(p, 2, r->actions);
	bind_text(p, 3, r->purposes);
	return sq_run(s, p);
}

static enum sargs_rc sq_role_get(struct sargs_store *st, const char *name,
				 struct sargs_store_role *out)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	APREP(s, p, A_ROLE_GET);
	bind_text(p, 1, name);
	if ((rc = sq_step_row(s, p)) != SARGS_OK)
		return rc;
	return row_read(s, p, col_role(p, out), out, sizeof(*out), "roles");
}

static enum sargs_rc sq_role_scan(struct sargs_store *st,
				  int (*cb)(void *ctx, const struct sargs_store_role *r), void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	APREP(s, p, A_ROLE_SCAN);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_role role;

		if (col_role(p, &role) != 0)
			return damaged(s, p, "roles");
		if (cb(ctx, &role) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

/* ---- staff */

static int col_staff(sqlite3_stmt *p, struct sargs_store_staff *o)
{
	memset(o, 0, sizeof(*o));
	o->disabled = sqlite3_column_int(p, 4);
	o->failed = sqlite3_column_int(p, 5);
	o->locked_until_us = sqlite3_column_int64(p, 6);
	o->created_us = sqlite3_column_int64(p, 7);
	o->last_login_us = sqlite3_column_int64(p, 8);
	return col_copy(p, 0, o->name, sizeof(o->name)) | col_copy(p, 1, o->role, sizeof(o->role)) |
	       col_copy(p, 2, o->lang, sizeof(o->lang)) |
	       col_copy(p, 3, o->pwhash, sizeof(o->pwhash));
}

static enum sargs_rc sq_staff_add(struct sargs_store *st, const struct sargs_store_staff *o)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	APREP(s, p, A_STAFF_ADD);
	bind_text(p, 1, o->name);
	bind_text(p, 2, o->role);
	bind_text(p, 3, o->lang);
	bind_text(p, 4, o->pwhash);
	(void)sqlite3_bind_int(p, 5, o->disabled);
	(void)sqlite3_bind_int(p, 6, o->failed);
	(void)sqlite3_bind_int64(p, 7, o->locked_until_us);
	(void)sqlite3_bind_int64(p, 8, o->created_us);
	(void)sqlite3_bind_int64(p, 9, o->last_login_us);
	return sq_run(s, p);
}

static enum sargs_rc sq_staff_update(struct sargs_store *st, const struct sargs_store_staff *o)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	APREP(s, p, A_STAFF_UPDATE);
	bind_text(p, 1, o->name);
	bind_text(p, 2, o->role);
	bind_text(p, 3, o->lang);
	bind_text(p, 4, o->pwhash);
	(void)sqlite3_bind_int(p, 5, o->disabled);
	(void)sqlite3_bind_int(p, 6, o->failed);
	(void)sqlite3_bind_int64(p, 7, o->locked_until_us);
	(void)sqlite3_bind_int64(p, 8, o->last_login_us);
	rc = sq_run(s, p);
	if (rc == SARGS_OK && sqlite3_changes(s->db) == 0)
		return SARGS_E_NOTFOUND;
	return rc;
}

static enum sargs_rc sq_staff_get(struct sargs_store *st, const char *name,
				  struct sargs_store_staff *out)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	APREP(s, p, A_STAFF_GET);
	bind_text(p, 1, name);
	if ((rc = sq_step_row(s, p)) != SARGS_OK)
		return rc;
	return row_read(s, p, col_staff(p, out), out, sizeof(*out), "staff");
}

static enum sargs_rc sq_staff_scan(struct sargs_store *st,
				   int (*cb)(void *ctx, const struct sargs_store_staff *o),
				   void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	APREP(s, p, A_STAFF_SCAN);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_staff o;

		if (col_staff(p, &o) != 0) {
			memset(o.pwhash, 0, sizeof(o.pwhash));
			return damaged(s, p, "staff");
		}
		r = cb(ctx, &o);
		memset(o.pwhash, 0, sizeof(o.pwhash));
		if (r != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

/* ---- sessions */

static enum sargs_rc sq_session_add(struct sargs_store *st, const struct sargs_store_session *o)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	APREP(s, p, A_SESS_ADD);
	bind_hash(p, 1, o->hash);
	bind_text(p, 2, o->staff);
	bind_text(p, 3, o->csrf);
	(void)sqlite3_bind_int64(p, 4, o->created_us);
	(void)sqlite3_bind_int64(p, 5, o->last_used_us);
	return sq_run(s, p);
}

static enum sargs_rc sq_session_get(struct sargs_store *st, const unsigned char *hash,
				    struct sargs_store_session *out)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	APREP(s, p, A_SESS_GET);
	bind_hash(p, 1, hash);
	if ((rc = sq_step_row(s, p)) != SARGS_OK)
		return rc;
	out->created_us = sqlite3_column_int64(p, 3);
	out->last_used_us = sqlite3_column_int64(p, 4);
	return row_read(s, p,
			col_hash(p, 0, out->hash) | col_copy(p, 1, out->staff, sizeof(out->staff)) |
				col_copy(p, 2, out->csrf, sizeof(out->csrf)),
			out, sizeof(*out), "staff_sessions");
}

static enum sargs_rc sq_session_touch(struct sargs_store *st, const unsigned char *hash,
				      int64_t last_used_us)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	APREP(s, p, A_SESS_TOUCH);
	bind_hash(p, 1, hash);
	(void)sqlite3_bind_int64(p, 2, last_used_us);
	return sq_run(s, p);
}

static enum sargs_rc sq_session_delete(struct sargs_store *st, const unsigned char *hash)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	APREP(s, p, A_SESS_DEL);
	bind_hash(p, 1, hash);
	return sq_run(s, p);
}

static enum sargs_rc sq_session_delete_staff(struct sargs_store *st, const char *staff,
					     int64_t *n)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	APREP(s, p, A_SESS_DEL_STAFF);
	bind_text(p, 1, staff);
	rc = sq_run(s, p);
	if (rc == SARGS_OK && n != NULL)
		*n = sqlite3_changes(s->db);
	return rc;
}

static enum sargs_rc sq_session_expire(struct sargs_store *st, int64_t idle_before_us,
				       int64_t created_before_us)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	APREP(s, p, A_SESS_EXPIRE);
	(void)sqlite3_bind_int64(p, 1, idle_before_us);
	(void)sqlite3_bind_int64(p, 2, created_before_us);
	return sq_run(s, p);
}

/* ---- API tokens */

static int col_token(sqlite3_stmt *p, struct sargs_store_token *t)
{
	memset(t, 0, sizeof(*t));
	t->created_us = sqlite3_column_int64(p, 4);
	t->expires_us = sqlite3_column_int64(p, 5);
	t->revoked_us = sqlite3_column_int64(p, 6);
	return col_copy(p, 0, t->name, sizeof(t->name)) | col_hash(p, 1, t->hash) |
	       col_copy(p, 2, t->actions, sizeof(t->actions)) |
	       col_copy(p, 3, t->purposes, sizeof(t->purposes));
}

static enum sargs_rc sq_token_add(struct sargs_store *st, const struct sargs_store_token *t)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;

	s->token_memo_ok = 0;
	APREP(s, p, A_TOK_ADD);
	bind_text(p, 1, t->name);
	bind_hash(p, 2, t->hash);
	bind_text(p, 3, t->actions);
	bind_text(p, 4, t->purposes);
	(void)sqlite3_bind_int64(p, 5, t->created_us);
	(void)sqlite3_bind_int64(p, 6, t->expires_us);
	(void)sqlite3_bind_int64(p, 7, t->revoked_us);
	return sq_run(s, p);
}

static enum sargs_rc sq_token_get_hash(struct sargs_store *st, const unsigned char *hash,
				       struct sargs_store_token *out)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	enum sargs_rc rc;

	int64_t version = -1;

	memset(out, 0, sizeof(*out));
	/* Every request with a token asks for it, and the server's readers
	 * run one read-only transaction per request. The memo is used and
	 * filled only in such a transaction: its snapshot's data version moves
	 * with every commit of another connection (a revocation by the CLI or
	 * the server's worker included), so an equal version means the token's
	 * row is as it was. This connection's own token writes drop the memo
	 * (sq_token_add, sq_token_revoke). */
	if (st->depth > 0) {
		version = sq_snapshot_version(s);
		if (sqlite3_txn_state(s->db, "main") != SQLITE_TXN_READ)
			version = -1;
	}
	if (version >= 0 && s->token_memo_ok && s->token_memo_version == version &&
	    memcmp(s->token_memo.hash, hash, sizeof(s->token_memo.hash)) == 0) {
		*out = s->token_memo;
		st->token_memo_hits++;
		return SARGS_OK;
	}
	APREP(s, p, A_TOK_GET_HASH);
	bind_hash(p, 1, hash);
	if ((rc = sq_step_row(s, p)) != SARGS_OK)
		return rc;
	rc = row_read(s, p, col_token(p, out), out, sizeof(*out), "api_tokens");
	if (rc == SARGS_OK && version >= 0) {
		s->token_memo = *out;
		s->token_memo_version = version;
		s->token_memo_ok = 1;
	}
	return rc;
}

static enum sargs_rc sq_token_scan(struct sargs_store *st,
				   int (*cb)(void *ctx, const struct sargs_store_token *t),
				   void *ctx)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int r;

	APREP(s, p, A_TOK_SCAN);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		struct sargs_store_token t;

		if (col_token(p, &t) != 0)
			return damaged(s, p, "api_tokens");
		if (cb(ctx, &t) != 0) {
			r = SQLITE_DONE;
			break;
		}
	}
	return sq_step_done(s, p, r);
}

static enum sargs_rc sq_token_revoke(struct sargs_store *st, const char *name,
				     int64_t revoked_us, int *was)
{
	struct sq_store *s = SQ(st);
	sqlite3_stmt *p;
	int64_t before;
	enum sargs_rc rc;

	if (was != NULL)
		*was = 0;
	s->token_memo_ok = 0;
	APREP(s, p, A_TOK_REVOKED);
	bind_text(p, 1, name);
	if ((rc = sq_step_row(s, p)) != SARGS_OK)
		return rc;
	before = sqlite3_column_int64(p, 0);
	(void)sqlite3_reset(p);
	if (before != 0) {
		if (was != NULL)
			*was = 1;
		return SARGS_OK;
	}
	APREP(s, p, A_TOK_REVOKE);
	bind_text(p, 1, name);
	(void)sqlite3_bind_int64(p, 2, revoked_us);
	return sq_run(s, p);
}

const struct sargs_store_auth_ops sq_auth_ops = {
	.role_put = sq_role_put,
	.role_get = sq_role_get,
	.role_scan = sq_role_scan,
	.staff_add = sq_staff_add,
	.staff_update = sq_staff_update,
	.staff_get = sq_staff_get,
	.staff_scan = sq_staff_scan,
	.session_add = sq_session_add,
	.session_get = sq_session_get,
	.session_touch = sq_session_touch,
	.session_delete = sq_session_delete,
	.session_delete_staff = sq_session_delete_staff,
	.session_expire = sq_session_expire,
	.token_add = sq_token_add,
	.token_get_hash = sq_token_get_hash,
	.token_scan = sq_token_scan,
	.token_revoke = sq_token_revoke,
};
