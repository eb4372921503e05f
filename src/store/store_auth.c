/*
 * store_auth.c — the engine-neutral face of store_auth.h: forwards each
 * call to the open engine.
 */
#include "store/store_int.h"

enum sargs_rc sargs_store_role_put(struct sargs_store *st, const struct sargs_store_role *r)
{
	return st->ops->auth->role_put(st, r);
}

enum sargs_rc sargs_store_role_get(struct sargs_store *st, const char *name,
				   struct sargs_store_role *out)
{
	return st->ops->auth->role_get(st, name, out);
}

enum sargs_rc sargs_store_role_scan(struct sargs_store *st,
				    int (*cb)(void *ctx, const struct sargs_store_role *r),
				    void *ctx)
{
	return st->ops->auth->role_scan(st, cb, ctx);
}

enum sargs_rc sargs_store_staff_add(struct sargs_store *st, const struct sargs_store_staff *s)
{
	return st->ops->auth->staff_add(st, s);
}

enum sargs_rc sargs_store_staff_update(struct sargs_store *st,
				       const struct sargs_store_staff *s)
{
	return st->ops->auth->staff_update(st, s);
}

enum sargs_rc sargs_store_staff_get(struct sargs_store *st, const char *name,
				    struct sargs_store_staff *out)
{
	return st->ops->auth->staff_get(st, name, out);
}

enum sargs_rc sargs_store_staff_scan(struct sargs_store *st,
				     int (*cb)(void *ctx, const struct sargs_store_staff *s),
				     void *ctx)
{
	return st->ops->auth->staff_scan(st, cb, ctx);
}

enum sargs_rc sargs_store_session_add(struct sargs_store *st,
				      const struct sargs_store_session *s)
{
	return st->ops->auth->session_add(st, s);
}

enum sargs_rc sargs_store_session_get(struct sargs_store *st,
				      const unsigned char hash[SARGS_STORE_AUTH_HASH],
				      struct sargs_store_session *out)
{
	return st->ops->auth->session_get(st, hash, out);
}

enum sargs_rc sargs_store_session_touch(struct sargs_store *st,
					const unsigned char hash[SARGS_STORE_AUTH_HASH],
					int64_t last_used_us)
{
	return st->ops->auth->session_touch(st, hash, last_used_us);
}

enum sargs_rc sargs_store_session_delete(struct sargs_store *st,
					 const unsigned char hash[SARGS_STORE_AUTH_HASH])
{
	return st->ops->auth->session_delete(st, hash);
}

enum sargs_rc sargs_store_session_delete_staff(struct sargs_store *st, const char *staff,
					       int64_t *n)
{
	return st->ops->auth->session_delete_staff(st, staff, n);
}

enum sargs_rc sargs_store_session_expire(struct sargs_store *st, int64_t idle_before_us,
					 int64_t created_before_us)
{
	return st->ops->auth->session_expire(st, idle_before_us, created_before_us);
}

enum sargs_rc sargs_store_token_add(struct sargs_store *st, const struct sargs_store_token *t)
{
	return st->ops->auth->token_add(st, t);
}

enum sargs_rc sargs_store_token_get_hash(struct sargs_store *st,
					 const unsigned char hash[SARGS_STORE_AUTH_HASH],
					 struct sargs_store_token *out)
{
	return st->ops->auth->token_get_hash(st, hash, out);
}

enum sargs_rc sargs_store_token_scan(struct sargs_store *st,
				     int (*cb)(void *ctx, const struct sargs_store_token *t),
				     void *ctx)
{
	return st->ops->auth->token_scan(st, cb, ctx);
}

enum sargs_rc sargs_store_token_revoke(struct sargs_store *st, const char *name,
				       int64_t revoked_us, int *was)
{
	return st->ops->auth->token_revoke(st, name, revoked_us, was);
}

unsigned long long sargs_store_token_memo_hits(const struct sargs_store *st)
{
	return st->token_memo_hits;
}
