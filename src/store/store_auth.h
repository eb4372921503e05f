/*
 * store_auth.h — what the store keeps for staff sign-in (domain/staff.h):
 * roles, staff accounts with their Argon2id password hashes, server-side
 * sessions and API tokens.
 *
 * Sessions and tokens are found by the keyed hash of their secret (opaque
 * bytes here); the secrets themselves never reach the store. Rows are
 * copied into fixed-size structs: a stored text longer than its field is
 * reported as SARGS_E_SCHEMA (a damaged register), never cut short.
 */
#ifndef SARGS_STORE_AUTH_H
#define SARGS_STORE_AUTH_H

#include "store/store.h"

#define SARGS_STORE_AUTH_NAME 65     /* user, role, token names, with the NUL */
#define SARGS_STORE_AUTH_LIST 1024   /* comma-separated actions or purposes */
#define SARGS_STORE_AUTH_PWHASH 128  /* an Argon2id hash string, with the NUL */
#define SARGS_STORE_AUTH_CSRF 64     /* a CSRF secret, with the NUL */
#define SARGS_STORE_AUTH_HASH 32     /* keyed hash of a session or token secret */

struct sargs_store_role {
	char name[SARGS_STORE_AUTH_NAME];
	char actions[SARGS_STORE_AUTH_LIST];
	char purposes[SARGS_STORE_AUTH_LIST];
};

struct sargs_store_staff {
	char name[SARGS_STORE_AUTH_NAME];
	char role[SARGS_STORE_AUTH_NAME];
	char lang[3];
	char pwhash[SARGS_STORE_AUTH_PWHASH];
	int disabled;
	int failed;
	int64_t locked_until_us;
	int64_t created_us;
	int64_t last_login_us;
};

struct sargs_store_session {
	unsigned char hash[SARGS_STORE_AUTH_HASH];
	char staff[SARGS_STORE_AUTH_NAME];
	char csrf[SARGS_STORE_AUTH_CSRF];
	int64_t created_us;
	int64_t last_used_us;
};

struct sargs_store_token {
	char name[SARGS_STORE_AUTH_NAME];
	unsigned char hash[SARGS_STORE_AUTH_HASH];
	char actions[SARGS_STORE_AUTH_LIST];
	char purposes[SARGS_STORE_AUTH_LIST];
	int64_t created_us;
	int64_t expires_us;  /* 0: does not expire */
	int64_t revoked_us;  /* 0: not revoked */
};

/* ---- roles */
/* Creates or replaces the role r->name. */
enum sargs_rc sargs_store_role_put(struct sargs_store *st, const struct sargs_store_role *r)
	SARGS_WUR;
/* NOTFOUND when absent. */
enum sargs_rc sargs_store_role_get(struct sargs_store *st, const char *name,
				   struct sargs_store_role *out) SARGS_WUR;
/* Every role by name; cb returns non-zero to stop. */
enum sargs_rc sargs_store_role_scan(struct sargs_store *st,
				    int (*cb)(void *ctx, const struct sargs_store_role *r),
				    void *ctx) SARGS_WUR;

/* ---- staff */
/* EXISTS when the name is taken. */
enum sargs_rc sargs_store_staff_add(struct sargs_store *st, const struct sargs_store_staff *s)
	SARGS_WUR;
/* Replaces everything but name and created_us; NOTFOUND when absent. */
enum sargs_rc sargs_store_staff_update(struct sargs_store *st,
				       const struct sargs_store_staff *s) SARGS_WUR;
enum sargs_rc sargs_store_staff_get(struct sargs_store *st, const char *name,
				    struct sargs_store_staff *out) SARGS_WUR;
enum sargs_rc sargs_store_staff_scan(struct sargs_store *st,
				     int (*cb)(void *ctx, const struct sargs_store_staff *s),
				     void *ctx) SARGS_WUR;

/* ---- sessions */
enum sargs_rc sargs_store_session_add(struct sargs_store *st,
				      const struct sargs_store_session *s) SARGS_WUR;
/* NOTFOUND when no session has this hash. */
enum sargs_rc sargs_store_session_get(struct sargs_store *st,
				      const unsigned char hash[SARGS_STORE_AUTH_HASH],
				      struct sargs_store_session *out) SARGS_WUR;
enum sargs_rc sargs_store_session_touch(struct sargs_store *st,
					const unsigned char hash[SARGS_STORE_AUTH_HASH],
					int64_t last_used_us) SARGS_WUR;
/* Deleting a session that does not exist is fine. */
enum sargs_rc sargs_store_session_delete(struct sargs_store *st,
					 const unsigned char hash[SARGS_STORE_AUTH_HASH])
	SARGS_WUR;
/* Ends every session of a staff member; *n (may be NULL) gets how many. */
enum sargs_rc sargs_store_session_delete_staff(struct sargs_store *st, const char *staff,
					       int64_t *n) SARGS_WUR;
/* Deletes sessions last used before idle_before_us or created before
 * created_before_us (expired ones). */
enum sargs_rc sargs_store_session_expire(struct sargs_store *st, int64_t idle_before_us,
					 int64_t created_before_us) SARGS_WUR;

/* ---- API tokens */
/* EXISTS when the name (or, impossibly, the hash) is taken. */
enum sargs_rc sargs_store_token_add(struct sargs_store *st, const struct sargs_store_token *t)
	SARGS_WUR;
/* NOTFOUND when no token has this hash. Inside a read-only transaction
 * the engine may answer from its memo of the last token found, as long as
 * nothing was committed since (a revocation by any connection shows at
 * once). */
enum sargs_rc sargs_store_token_get_hash(struct sargs_store *st,
					 const unsigned char hash[SARGS_STORE_AUTH_HASH],
					 struct sargs_store_token *out) SARGS_WUR;
/* Every token by name (hash included); cb returns non-zero to stop. */
enum sargs_rc sargs_store_token_scan(struct sargs_store *st,
				     int (*cb)(void *ctx, const struct sargs_store_token *t),
				     void *ctx) SARGS_WUR;
/* Marks the token revoked at revoked_us; NOTFOUND when absent, *was (may be
 * NULL) 1 when it had been revoked before (then nothing changes). */
enum sargs_rc sargs_store_token_revoke(struct sargs_store *st, const char *name,
				       int64_t revoked_us, int *was) SARGS_WUR;
/* Lookups sargs_store_token_get_hash answered from the memo on this handle
 * (tests). */
unsigned long long sargs_store_token_memo_hits(const struct sargs_store *st);

#endif
