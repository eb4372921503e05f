/*
 * staff.h — who may act: staff accounts, roles, sessions and API tokens.
 *
 * Every person has an own account (seed 002; seed 004 §18i): a user name, a
 * role, and a password hashed with Argon2id (libsodium crypto_pwhash_str).
 * A role says which actions a person may take and for which purposes
 * ("*" = every purpose in the registry). API tokens are for systems (a web
 * shop): each is limited to the purposes and actions it was issued for and
 * stored only as a keyed hash. Sessions are server-side: the cookie carries
 * a random secret, the register keeps its hash; signing out deletes it.
 *
 * Nothing here is personal data of customers; staff user names are kept in
 * the clear (they appear as the actor of audit entries: "staff:NAME",
 * "token:NAME").
 *
 * Every function runs in the caller's transaction when one is open
 * (sargs_reg_begin), else in its own.
 */
#ifndef SARGS_STAFF_H
#define SARGS_STAFF_H

#include "domain/register.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_NAME_MAX 64          /* user, role and token names */
#define SARGS_PW_MIN 12            /* characters (UTF-8 code points) */
#define SARGS_PW_MAX 256           /* bytes */
#define SARGS_SECRET_STR 64        /* session / token / CSRF secrets as text, with NUL */
#define SARGS_LOCK_AFTER 5         /* failed sign-ins in a row lock the account... */
#define SARGS_LOCK_SECONDS 900     /* ...for this long (then it opens by itself) */
#define SARGS_SESSION_IDLE_S 1800  /* a session ends after 30 minutes unused... */
#define SARGS_SESSION_MAX_S 43200  /* ...and 12 hours after sign-in in any case */

/*
 * Actions (stable names; a role or token lists the ones it may take).
 */
#define SARGS_ACT_SUBJECT_READ "subject.read"       /* read a customer for a purpose */
/* and see the fields of special categories (GDPR Art. 9) such a read may
 * return; no built-in role has it: minimal access (mission §9) */
#define SARGS_ACT_SUBJECT_READ_SPECIAL "subject.read_special"
#define SARGS_ACT_SUBJECT_WRITE "subject.write"     /* add, edit */
#define SARGS_ACT_CONSENT_WRITE "consent.write"     /* give, withdraw, object */
#define SARGS_ACT_PURCHASE_WRITE "purchase.write"   /* purchases and contracts */
#define SARGS_ACT_REQUEST_READ "request.read"
#define SARGS_ACT_REQUEST_WRITE "request.write"     /* open, verify, fulfil, refuse */
#define SARGS_ACT_CAMPAIGN_READ "campaign.read"     /* audiences, runs */
#define SARGS_ACT_CAMPAIGN_EXPORT "campaign.export"
#define SARGS_ACT_IMPORT "import"                   /* legacy lists and zones */
#define SARGS_ACT_AUDIT_READ "audit.read"
#define SARGS_ACT_REGISTRY_READ "registry.read"
#define SARGS_ACT_STAFF_MANAGE "staff.manage"

/* 1 when name is one of the actions above. */
int sargs_action_valid(const char *name);
/* The list of all actions, NULL-terminated. */
const char *const *sargs_actions_all(void);

/*
 * What an authenticated caller may do. Filled by sargs_session_check or
 * sargs_apitoken_check; purposes/actions are comma-separated lists ("*" in
 * purposes means all).
 */
struct sargs_principal {
	int is_token;                     /* 0: a staff member's session */
	char name[SARGS_NAME_MAX + 1];    /* user name or token name */
	char role[SARGS_NAME_MAX + 1];    /* empty for tokens */
	char lang[3];                     /* "lv" or "en": the console language */
	char actions[1024];
	char purposes[1024];
	char csrf[SARGS_SECRET_STR];      /* sessions only: the form token */
	char actor[SARGS_ACTOR_MAX];      /* "staff:NAME" or "token:NAME" */
};

/* 1 when p may take action (for purpose, unless purpose is NULL). */
int sargs_principal_may(const struct sargs_principal *p, const char *action,
			const char *purpose);

/* ---- roles */

struct sargs_role {
	char name[SARGS_NAME_MAX + 1];
	char actions[1024];   /* comma-separated action names */
	char purposes[1024];  /* comma-separated purpose ids, or "*" */
};

/*
 * Creates or replaces a role. Actions must be known; purposes must exist in
 * the registry (or be "*"). The register starts with four roles (created by
 * schema migration): owner (everything), dpo (requests, audit, reads for every
 * purpose), cashier (add customers, record purchases and consents), marketing
 * (campaigns for marketing purposes).
 */
enum sargs_rc sargs_role_set(struct sargs_reg *reg, const struct sargs_role *role,
			     struct sargs_err *err) SARGS_WUR;
enum sargs_rc sargs_role_get(struct sargs_reg *reg, const char *name, struct sargs_role *out,
			     struct sargs_err *err) SARGS_WUR;
/* All roles, sorted by name; caller frees *out. */
enum sargs_rc sargs_role_list(struct sargs_reg *reg, struct sargs_role **out, size_t *n,
			      struct sargs_err *err) SARGS_WUR;

/* ---- staff accounts */

struct sargs_staff {
	char name[SARGS_NAME_MAX + 1];
	char role[SARGS_NAME_MAX + 1];
	char lang[3];
	int disabled;
	int failed;                 /* failed sign-ins in a row */
	int64_t locked_until_us;    /* 0 when not locked */
	int64_t created_us;
	int64_t last_login_us;      /* 0 when never */
};

/*
 * Checks a new password: at least SARGS_PW_MIN characters, at most
 * SARGS_PW_MAX bytes, valid UTF-8, not the user name, not one of the common
 * passwords (data compiled in) nor one character repeated. Says which rule.
 */
enum sargs_rc sargs_password_check(const char *user, const char *password,
				   struct sargs_err *err) SARGS_WUR;

/* Adds an account (name: 1-64 of [a-z0-9._-]; role must exist; lang lv|en). */
enum sargs_rc sargs_staff_add(struct sargs_reg *reg, const char *name, const char *role,
			      const char *lang, const char *password,
			      struct sargs_err *err) SARGS_WUR;
enum sargs_rc sargs_staff_get(struct sargs_reg *reg, const char *name, struct sargs_staff *out,
			      struct sargs_err *err) SARGS_WUR;
enum sargs_rc sargs_staff_list(struct sargs_reg *reg, struct sargs_staff **out, size_t *n,
			       struct sargs_err *err) SARGS_WUR;
/* Sets a new password (checked), clears the lockout, ends the account's sessions. */
enum sargs_rc sargs_staff_passwd(struct sargs_reg *reg, const char *name, const char *password,
				 struct sargs_err *err) SARGS_WUR;
enum sargs_rc sargs_staff_set_role(struct sargs_reg *reg, const char *name, const char *role,
				   struct sargs_err *err) SARGS_WUR;
/* Disables (ends its sessions) or enables an account. */
enum sargs_rc sargs_staff_disable(struct sargs_reg *reg, const char *name, int disabled,
				  struct sargs_err *err) SARGS_WUR;
enum sargs_rc sargs_staff_unlock(struct sargs_reg *reg, const char *name,
				 struct sargs_err *err) SARGS_WUR;

/*
 * Signs in: checks the password in constant time against the Argon2id hash
 * (a dummy hash is checked for unknown names, so timing does not tell which
 * names exist). A wrong password counts toward the lockout; a locked or
 * disabled account is refused even with the right password. Every attempt
 * is audited ("staff.login" / "staff.login.failed"; no password, no IP).
 * On success creates a session: session_out gets the cookie secret,
 * principal gets what the person may do (and the CSRF token).
 * Wrong name or password: SARGS_E_DENIED "wrong user name or password";
 * locked: SARGS_E_DENIED "account locked until HH:MM".
 */
enum sargs_rc sargs_staff_login(struct sargs_reg *reg, const char *name, const char *password,
				char session_out[SARGS_SECRET_STR],
				struct sargs_principal *principal,
				struct sargs_err *err) SARGS_WUR;

/*
 * The same sign-in in three steps, so that a server can run the slow
 * password check on its own thread and not where it holds the register:
 * fetch the stored hash (a read), verify the password (no register; wipes
 * the hash), finish (the transaction that counts failures, audits and
 * starts the session; it re-reads the account, so a lock or a disabled
 * account set meanwhile still holds).
 */
struct sargs_login_check {
	int known;                  /* the name is an account */
	int pw_ok;                  /* set by sargs_staff_login_verify */
	char pwhash[160];
};
void sargs_staff_login_fetch(struct sargs_reg *reg, const char *name,
			     struct sargs_login_check *out);
void sargs_staff_login_verify(struct sargs_login_check *chk, const char *password);
enum sargs_rc sargs_staff_login_finish(struct sargs_reg *reg, const char *name,
				       const struct sargs_login_check *chk,
				       char session_out[SARGS_SECRET_STR],
				       struct sargs_principal *principal,
				       struct sargs_err *err) SARGS_WUR;

/*
 * Checks a session cookie: exists, not idle longer than SARGS_SESSION_IDLE_S,
 * not older than SARGS_SESSION_MAX_S, account enabled. Touches its last-use
 * time (at most once a minute, to keep reads cheap). SARGS_E_DENIED when not
 * valid.
 */
enum sargs_rc sargs_session_check(struct sargs_reg *reg, const char *session,
				  struct sargs_principal *out, struct sargs_err *err) SARGS_WUR;
/* Ends a session on the server (sign-out). Unknown sessions are fine. */
enum sargs_rc sargs_session_end(struct sargs_reg *reg, const char *session,
				struct sargs_err *err) SARGS_WUR;

/* ---- API tokens */

struct sargs_apitoken {
	char name[SARGS_NAME_MAX + 1];
	char actions[1024];
	char purposes[1024];
	int64_t created_us;
	int64_t expires_us;         /* 0: does not expire */
	int revoked;
};

/*
 * Issues a token for a system: actions and purposes as for roles (purposes
 * may not be "*": a token names its purposes). The secret is returned once
 * (token_out, "sgt_" + 43 base64url characters); only its keyed hash is kept.
 */
enum sargs_rc sargs_apitoken_issue(struct sargs_reg *reg, const struct sargs_apitoken *t,
				   char token_out[SARGS_SECRET_STR],
				   struct sargs_err *err) SARGS_WUR;
enum sargs_rc sargs_apitoken_list(struct sargs_reg *reg, struct sargs_apitoken **out, size_t *n,
				  struct sargs_err *err) SARGS_WUR;
enum sargs_rc sargs_apitoken_revoke(struct sargs_reg *reg, const char *name,
				    struct sargs_err *err) SARGS_WUR;
/* Checks a presented token (revoked or expired: SARGS_E_DENIED). */
enum sargs_rc sargs_apitoken_check(struct sargs_reg *reg, const char *token,
				   struct sargs_principal *out, struct sargs_err *err) SARGS_WUR;

#endif
