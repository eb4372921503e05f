/*
 * field.c — XChaCha20-Poly1305 field encryption with per-subject keys,
 * key wrapping, blind indexes, audit chain hashing.
 */
#include "crypto/field.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct sargs_dkey {
	unsigned char key[SARGS_KEY_BYTES];
	struct sargs_keys *pool; /* the keys whose slot this is, or NULL */
};

_Static_assert(sizeof(struct sargs_dkey) <= SARGS_KEY_SLOT_BYTES, "a data key fits a slot");

static struct sargs_dkey *dkey_alloc(struct sargs_keys *keys)
{
	struct sargs_dkey *dk = sargs_keys_slot_get(keys);

	if (dk != NULL) {
		dk->pool = keys;
		return dk;
	}
	dk = sodium_malloc(sizeof(*dk));
	if (dk != NULL)
		dk->pool = NULL;
	return dk;
}

enum sargs_rc sargs_dkey_new(struct sargs_keys *keys, struct sargs_dkey **out)
{
	struct sargs_dkey *dk = dkey_alloc(keys);

	if (dk == NULL)
		return SARGS_E_NOMEM;
	sargs_keys_random(keys, dk->key, SARGS_KEY_BYTES);
	*out = dk;
	return SARGS_OK;
}

void sargs_dkey_free(struct sargs_dkey *dk)
{
	if (dk == NULL)
		return;
	if (dk->pool != NULL)
		sargs_keys_slot_put(dk->pool, dk); /* wipes */
	else
		sodium_free(dk); /* wipes */
}

/* Authenticated data: a domain label, the subject id and, for fields, the
 * field name, separated by NUL bytes so no two tuples share an encoding. */
static size_t build_ad(unsigned char *ad, size_t cap, const char *label,
		       const char *subject_id, const char *field)
{
	size_t n = 0, l;

	l = strlen(label) + 1;
	if (n + l > cap)
		abort();
	memcpy(ad + n, label, l);
	n += l;
	l = strlen(subject_id) + 1;
	if (n + l > cap)
		abort();
	memcpy(ad + n, subject_id, l);
	n += l;
	if (field != NULL) {
		l = strlen(field) + 1;
		if (n + l > cap)
			abort(); /* field names are checked to be short at load */
		memcpy(ad + n, field, l);
		n += l;
	}
	return n;
}

void sargs_dkey_wrap(struct sargs_keys *keys, const struct sargs_dkey *dk,
		     const char *subject_id, unsigned char out[SARGS_WRAPPED_KEY_BYTES])
{
	unsigned char ad[256];
	size_t adlen = build_ad(ad, sizeof(ad), "wrap", subject_id, NULL);

	sargs_keys_random(keys, out, SARGS_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + SARGS_NONCE_BYTES, NULL, dk->key,
						   SARGS_KEY_BYTES, ad, adlen, NULL, out,
						   sargs_keys_sub(keys, SARGS_SUBKEY_WRAP));
}

enum sargs_rc sargs_dkey_unwrap(struct sargs_keys *keys, const char *subject_id,
				const unsigned char *wrapped, size_t wrapped_len,
				struct sargs_dkey **out)
{
	unsigned char ad[256];
	size_t adlen;
	struct sargs_dkey *dk;

	if (wrapped_len != SARGS_WRAPPED_KEY_BYTES || strlen(subject_id) > 128)
		return SARGS_E_CRYPTO;
	adlen = build_ad(ad, sizeof(ad), "wrap", subject_id, NULL);
	dk = dkey_alloc(keys);
	if (dk == NULL)
		return SARGS_E_NOMEM;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    dk->key, NULL, NULL, wrapped + SARGS_NONCE_BYTES,
		    SARGS_KEY_BYTES + SARGS_TAG_BYTES, ad, adlen, wrapped,
		    sargs_keys_sub(keys, SARGS_SUBKEY_WRAP)) != 0) {
		sargs_dkey_free(dk);
		return SARGS_E_CRYPTO;
	}
	*out = dk;
	return SARGS_OK;
}

void sargs_field_encrypt(struct sargs_keys *keys, const struct sargs_dkey *dk,
			 const char *subject_id, const char *field,
			 const void *plain, size_t len, unsigned char *out)
{
	unsigned char ad[512];
	size_t adlen = build_ad(ad, sizeof(ad), "field", subject_id, field);

	sargs_keys_random(keys, out, SARGS_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + SARGS_NONCE_BYTES, NULL, plain, len,
						   ad, adlen, NULL, out, dk->key);
}

enum sargs_rc sargs_field_decrypt(const struct sargs_dkey *dk, const char *subject_id,
				  const char *field, const unsigned char *in, size_t in_len,
				  char **out, size_t *out_len)
{
	unsigned char ad[512];
	size_t adlen, plen;
	char *plain;

	if (in_len < SARGS_FIELD_OVERHEAD || strlen(subject_id) > 128 || strlen(field) > 128)
		return SARGS_E_CRYPTO;
	adlen = build_ad(ad, sizeof(ad), "field", subject_id, field);
	plen = in_len - SARGS_FIELD_OVERHEAD;
	plain = malloc(plen + 1);
	if (plain == NULL)
		return SARGS_E_NOMEM;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt((unsigned char *)plain, NULL, NULL,
						       in + SARGS_NONCE_BYTES,
						       in_len - SARGS_NONCE_BYTES, ad, adlen, in,
						       dk->key) != 0) {
		free(plain);
		return SARGS_E_CRYPTO;
	}
	plain[plen] = '\0';
	*out = plain;
	if (out_len != NULL)
		*out_len = plen;
	return SARGS_OK;
}

void sargs_blind_index(const struct sargs_keys *keys, const char *kind, const char *value,
		       unsigned char out[SARGS_BLIND_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, sargs_keys_sub(keys, SARGS_SUBKEY_BLIND), SARGS_KEY_BYTES,
				SARGS_BLIND_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)kind, strlen(kind) + 1);
	crypto_generichash_update(&st, (const unsigned char *)value, strlen(value));
	crypto_generichash_final(&st, out, SARGS_BLIND_BYTES);
	sodium_memzero(&st, sizeof(st));
}

void sargs_chain_hash(const struct sargs_keys *keys, const unsigned char prev[SARGS_HASH_BYTES],
		      const void *entry, size_t len, unsigned char out[SARGS_HASH_BYTES])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, sargs_keys_sub(keys, SARGS_SUBKEY_AUDIT), SARGS_KEY_BYTES,
				SARGS_HASH_BYTES);
	crypto_generichash_update(&st, prev, SARGS_HASH_BYTES);
	crypto_generichash_update(&st, entry, len);
	crypto_generichash_final(&st, out, SARGS_HASH_BYTES);
	sodium_memzero(&st, sizeof(st)); /* the state holds the keyed block */
}

void sargs_hash(const void *data, size_t len, unsigned char out[SARGS_HASH_BYTES])
{
	crypto_generichash(out, SARGS_HASH_BYTES, data, len, NULL, 0);
}

void sargs_hex(const unsigned char *bin, size_t n, char *out)
{
	sodium_bin2hex(out, 2 * n + 1, bin, n);
}
