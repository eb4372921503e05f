/*
 * pseudo.h — the pseudonym key and keyed pseudonyms (004 §19; GDPR
 * Art. 4(5), 25(1), 32(1)(a)).
 *
 * A pseudonym stands for one person within one purpose: the same person and
 * purpose always give the same pseudonym, different purposes give
 * pseudonyms nobody can link without the key, and nothing about the person
 * can be computed from a pseudonym without the key.
 *
 * The pseudonym key is a separate random 32-byte key in its own file, not
 * derived from the master key: whoever holds the register (and its master
 * key) cannot re-identify a pseudonymised export, and whoever holds a
 * pseudonymised export and the pseudonym key still needs the register. The
 * file is meant to live apart from the data directory, with the few people
 * allowed to re-identify (004 §19.2). Its format is that of the master key
 * file: a header line "sargs-pseudonym-key-v1" and 64 hex digits, mode
 * 0600; a file readable by group or others is refused.
 *
 * Only the crypto layer includes sodium.h.
 */
#ifndef SARGS_CRYPTO_PSEUDO_H
#define SARGS_CRYPTO_PSEUDO_H

#include "util/rc.h"

#include <stddef.h>

#define SARGS_PSEUDO_KEY_HEADER "sargs-pseudonym-key-v1"
#define SARGS_PSEUDONYM_BYTES 16  /* BLAKE2b-128 */
#define SARGS_PSEUDONYM_LEN 26    /* base32 (RFC 4648, lower case, no padding) */
#define SARGS_PSEUDONYM_STR (SARGS_PSEUDONYM_LEN + 1)

struct sargs_pseudo_key;

/*
 * Creates a new pseudonym key file at path holding a fresh random key, mode
 * 0600, atomically; refuses to overwrite an existing file (SARGS_E_EXISTS).
 */
enum sargs_rc sargs_pseudo_key_create(const char *path, struct sargs_err *err) SARGS_WUR;

/*
 * Loads a pseudonym key file. Refused when the file is readable or writable
 * by group or others (SARGS_E_DENIED), is not a regular file, or is not a
 * pseudonym key file (SARGS_E_INVALID; a master key file is not one). On
 * success *out is the key in guarded memory (free with
 * sargs_pseudo_key_free).
 */
enum sargs_rc sargs_pseudo_key_load(const char *path, struct sargs_pseudo_key **out,
				    struct sargs_err *err) SARGS_WUR;

/* Builds a key from 32 raw bytes (tests). */
enum sargs_rc sargs_pseudo_key_from_bytes(const unsigned char key[32],
					  struct sargs_pseudo_key **out) SARGS_WUR;

/* Wipes and frees; NULL is fine. */
void sargs_pseudo_key_free(struct sargs_pseudo_key *key);

/*
 * The pseudonym of subject_id for purpose: keyed BLAKE2b-128 over
 * "pseudonym-v1" 0 purpose 0 subject_id, written in base32 (26 characters
 * of a-z and 2-7) with a terminating NUL.
 */
void sargs_pseudonym(const struct sargs_pseudo_key *key, const char *purpose,
		     const char *subject_id, char out[SARGS_PSEUDONYM_STR]);

/* 1 when s has the form of a pseudonym (26 characters of a-z, 2-7). */
int sargs_pseudonym_valid(const char *s);

/* Compares two pseudonyms in constant time: 1 when equal. */
int sargs_pseudonym_equal(const char a[SARGS_PSEUDONYM_STR], const char b[SARGS_PSEUDONYM_STR]);

#endif
