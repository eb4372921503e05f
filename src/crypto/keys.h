/*
 * keys.h — the master key and the sub-keys derived from it.
 *
 * The master key (32 random bytes) lives outside the database: in a key file
 * (mode 0600) or in the environment variable SARGS_MASTER_KEY (64 hex
 * digits). It never enters the database, a log or a backup. Each job gets its
 * own sub-key through libsodium's KDF (BLAKE2b), so a leak of one sub-key
 * does not expose the others. All keys sit in guarded memory (sodium_malloc)
 * and are wiped when freed.
 *
 * Only the crypto layer includes sodium.h.
 */
#ifndef SARGS_KEYS_H
#define SARGS_KEYS_H

#include "util/rc.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_KEY_BYTES 32
#define SARGS_KEY_CHECK_BYTES 16
#define SARGS_MASTER_KEY_ENV "SARGS_MASTER_KEY"

/* What each derived sub-key is for; the values are KDF sub-key ids. */
enum sargs_subkey {
	SARGS_SUBKEY_WRAP = 1,     /* wraps per-subject data keys */
	SARGS_SUBKEY_BLIND = 2,    /* blind indexes for lookups */
	SARGS_SUBKEY_PSEUDO = 3,   /* pseudonyms */
	SARGS_SUBKEY_AUDIT = 4,    /* audit hash chain */
	SARGS_SUBKEY_LINK = 5,     /* signed link tokens */
	SARGS_SUBKEY_CHECK = 6,    /* key check value stored in the register */
	SARGS_SUBKEY_SIGN = 7,     /* seed of the Ed25519 key signing consent receipts */
	SARGS_SUBKEY_FACTS = 8,    /* seals small policy facts (sargs_fact_seal) */
	SARGS_SUBKEY_BACKUP = 9,   /* encrypts backup files (backup_crypt.h) */
	SARGS_SUBKEY_AUTH = 10,    /* keyed hashes of session and API token secrets (secret.h) */
	SARGS_SUBKEY__COUNT
};

struct sargs_keys;

/* Initialises libsodium; safe to call more than once. */
enum sargs_rc sargs_crypto_init(void) SARGS_WUR;

/*
 * Creates a new key file at path holding a fresh random master key, mode
 * 0600, atomically; refuses to overwrite an existing file.
 */
enum sargs_rc sargs_keys_create_file(const char *path, struct sargs_err *err) SARGS_WUR;

/*
 * Loads the master key: from SARGS_MASTER_KEY when set, else from path.
 * A key file readable by group or others is refused. On success *out holds
 * the keys (free with sargs_keys_free).
 */
enum sargs_rc sargs_keys_load(const char *path, struct sargs_keys **out,
			      struct sargs_err *err) SARGS_WUR;

/* Builds keys from 32 raw bytes (tests, benchmarks). */
enum sargs_rc sargs_keys_from_bytes(const unsigned char master[SARGS_KEY_BYTES],
				    struct sargs_keys **out) SARGS_WUR;

/* Wipes and frees; NULL is fine. */
void sargs_keys_free(struct sargs_keys *keys);

/* The derived sub-key for a job (valid while keys lives). */
const unsigned char *sargs_keys_sub(const struct sargs_keys *keys, enum sargs_subkey which);

/*
 * The receipt-signing Ed25519 secret key (libsodium layout, seed || public
 * key), derived once from the sign sub-key when keys are built and kept in
 * keys' guarded memory (valid while keys lives). For sign.c only: everyone
 * else signs and reads the public key through sign.h.
 */
#define SARGS_SIGN_SECRET_BYTES 64
const unsigned char *sargs_keys_sign_secret(const struct sargs_keys *keys);

/*
 * The key check value: a MAC of a constant under the check sub-key. Stored in
 * the register at init so that opening it with a different master key fails
 * with a clear message instead of undecryptable data.
 */
void sargs_keys_check_value(const struct sargs_keys *keys,
			    unsigned char out[SARGS_KEY_CHECK_BYTES]);

/*
 * Random bytes from the kernel CSPRNG, drawn through a buffer in guarded
 * memory that belongs to keys (one syscall per 4 KiB instead of per nonce).
 * Not thread-safe: one struct sargs_keys per thread.
 */
void sargs_keys_random(struct sargs_keys *keys, void *out, size_t n);

/*
 * Guarded scratch slots of SARGS_KEY_SLOT_BYTES for short-lived secrets
 * (subject data keys), from a region of keys' guarded memory: allocating a
 * fresh sodium_malloc region per subject costs several system calls
 * (mmap, mlock, mprotect), which would dominate bulk work. Returns NULL when
 * all slots are in use (the caller then uses sodium_malloc). A slot is
 * wiped when put back. Not thread-safe, like the rest of struct sargs_keys.
 */
#define SARGS_KEY_SLOT_BYTES 64
void *sargs_keys_slot_get(struct sargs_keys *keys);
void sargs_keys_slot_put(struct sargs_keys *keys, void *slot);

/* Compares secrets in constant time: 0 when equal. */
int sargs_secret_cmp(const void *a, const void *b, size_t n);

/* Wipes memory that held a secret or personal data. */
void sargs_wipe(void *p, size_t n);

#endif
