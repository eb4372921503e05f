/*
 * field.h — per-subject data keys, field encryption, blind indexes and the
 * keyed hash of the audit chain.
 *
 * Every subject has its own random data key, stored only wrapped (encrypted)
 * under the master key's wrap sub-key. Every personal field is encrypted
 * with the subject's data key using XChaCha20-Poly1305; the subject id and
 * the field name are the authenticated data, so a ciphertext moved to
 * another subject or field fails to decrypt. Lookups use blind indexes: a
 * keyed BLAKE2b of the kind and the normalised value.
 */
#ifndef SARGS_FIELD_H
#define SARGS_FIELD_H

#include "crypto/keys.h"
#include "util/rc.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_NONCE_BYTES 24   /* XChaCha20-Poly1305 */
#define SARGS_TAG_BYTES 16
#define SARGS_WRAPPED_KEY_BYTES (SARGS_NONCE_BYTES + SARGS_KEY_BYTES + SARGS_TAG_BYTES)
#define SARGS_FIELD_OVERHEAD (SARGS_NONCE_BYTES + SARGS_TAG_BYTES)
#define SARGS_BLIND_BYTES 16
#define SARGS_HASH_BYTES 32

/*
 * A subject's data key in guarded memory. sargs_dkey_new draws a fresh one;
 * sargs_dkey_unwrap recovers one from its wrapped form. Free with
 * sargs_dkey_free (wipes).
 */
struct sargs_dkey;

enum sargs_rc sargs_dkey_new(struct sargs_keys *keys, struct sargs_dkey **out) SARGS_WUR;
void sargs_dkey_free(struct sargs_dkey *dk);

/* Wraps dk for subject_id into out (SARGS_WRAPPED_KEY_BYTES). */
void sargs_dkey_wrap(struct sargs_keys *keys, const struct sargs_dkey *dk,
		     const char *subject_id, unsigned char out[SARGS_WRAPPED_KEY_BYTES]);

/*
 * Unwraps a data key. SARGS_E_CRYPTO when the wrapped key does not belong
 * to subject_id under this master key, or was altered.
 */
enum sargs_rc sargs_dkey_unwrap(struct sargs_keys *keys, const char *subject_id,
				const unsigned char *wrapped, size_t wrapped_len,
				struct sargs_dkey **out) SARGS_WUR;

/*
 * Encrypts len bytes of plain for (subject_id, field) into out, which must
 * hold len + SARGS_FIELD_OVERHEAD bytes: nonce || ciphertext || tag.
 */
void sargs_field_encrypt(struct sargs_keys *keys, const struct sargs_dkey *dk,
			 const char *subject_id, const char *field,
			 const void *plain, size_t len, unsigned char *out);

/*
 * Decrypts a field into a new NUL-terminated buffer (caller wipes with
 * sargs_wipe and frees with free()). SARGS_E_CRYPTO when the ciphertext was
 * altered or belongs to another subject or field.
 */
enum sargs_rc sargs_field_decrypt(const struct sargs_dkey *dk, const char *subject_id,
				  const char *field, const unsigned char *in, size_t in_len,
				  char **out, size_t *out_len) SARGS_WUR;

/* Blind index of a normalised value of a kind ("email", "phone", ...). */
void sargs_blind_index(const struct sargs_keys *keys, const char *kind, const char *value,
		       unsigned char out[SARGS_BLIND_BYTES]);

/*
 * The audit chain link: keyed BLAKE2b-256 over the previous entry's hash and
 * this entry's canonical bytes, under the audit sub-key.
 */
void sargs_chain_hash(const struct sargs_keys *keys, const unsigned char prev[SARGS_HASH_BYTES],
		      const void *entry, size_t len, unsigned char out[SARGS_HASH_BYTES]);

/* Unkeyed BLAKE2b-256 (content hashes of documents, not of personal data). */
void sargs_hash(const void *data, size_t len, unsigned char out[SARGS_HASH_BYTES]);

/* Lower-case hex of n bytes into out (2n+1 bytes). */
void sargs_hex(const unsigned char *bin, size_t n, char *out);

#endif
