/*
 * secret.h — the secrets of staff sign-in (domain/staff.h): password hashes
 * (Argon2id, libsodium crypto_pwhash_str at the interactive limits), random
 * secrets for sessions, CSRF forms and API tokens as base64url text, and
 * the keyed hashes under which the register keeps those secrets (BLAKE2b
 * keyed with the auth sub-key, SARGS_SUBKEY_AUTH): a copy of the database
 * alone lets nobody sign in or call the API.
 *
 * Callers wipe the passwords and secrets they hold (sargs_wipe) once done;
 * the functions here wipe what they copy.
 */
#ifndef SARGS_SECRET_H
#define SARGS_SECRET_H

#include "crypto/keys.h"
#include "util/rc.h"

#include <stddef.h>

#define SARGS_PWHASH_STR 128        /* crypto_pwhash_STRBYTES, with the NUL */
#define SARGS_SECRET_HASH_BYTES 32  /* a keyed hash of a secret */
#define SARGS_SECRET_BYTES 32       /* random bytes in a secret: 43 base64url characters */

/* What a keyed hash is of: the kind is hashed in, so a session's hash is
 * never a token's. */
enum sargs_secret_kind {
	SARGS_SECRET_SESSION = 1,
	SARGS_SECRET_TOKEN = 2,
};

/*
 * Hashes a password (len bytes) with Argon2id and a random salt into out,
 * a NUL-terminated string that names the algorithm and its limits.
 * SARGS_E_NOMEM when the memory Argon2id needs cannot be had.
 */
enum sargs_rc sargs_secret_pwhash(const char *password, size_t len,
				  char out[SARGS_PWHASH_STR]) SARGS_WUR;

/* 0 when password matches hash (in constant time), -1 otherwise (also for a
 * malformed hash). */
int sargs_secret_pwverify(const char *hash, const char *password, size_t len) SARGS_WUR;

/*
 * Verifies password against a fixed hash of an unknown random password, at
 * the same cost as sargs_secret_pwverify: called for an unknown user name so
 * that the time taken does not tell which names exist. Always fails.
 */
void sargs_secret_pwverify_dummy(const char *password, size_t len);

/*
 * Writes prefix followed by SARGS_SECRET_BYTES random bytes as base64url
 * (43 characters) and a NUL into out (out_size bytes; aborts when too small:
 * a programmer error).
 */
void sargs_secret_random(const char *prefix, char *out, size_t out_size);

/* The keyed hash of the NUL-terminated secret of kind under the auth sub-key. */
void sargs_secret_hash(const struct sargs_keys *keys, enum sargs_secret_kind kind,
		       const char *secret, unsigned char out[SARGS_SECRET_HASH_BYTES]);

/* Compares n bytes in constant time: 1 when equal. */
int sargs_secret_equal(const void *a, const void *b, size_t n);

#endif
