/*
 * fact.c — sealed facts: XChaCha20-Poly1305 under the facts sub-key, bound
 * to the subject and the fact's name.
 */
#include "crypto/fact.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define AD_LABEL "fact"
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define AD_MAX (sizeof(AD_LABEL) + SARGS_FACT_ID_MAX + 1 + SARGS_FACT_NAME_MAX)

_Static_assert(SARGS_FACT_OVERHEAD ==
		       NONCE_BYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "fact overhead is nonce and tag");

/*
 * The authenticated data "fact" || 0 || subject_id || 0 || name: the NUL
 * separators keep ("ab", "c") and ("a", "bc") apart. 0 when an id or a name
 * is too long.
 */
static size_t build_ad(unsigned char ad[AD_MAX], const char *subject_id, const char *name)
{
	size_t id_len = strnlen(subject_id, SARGS_FACT_ID_MAX + 1);
	size_t name_len = strnlen(name, SARGS_FACT_NAME_MAX + 1);
	size_t n = sizeof(AD_LABEL);

	if (id_len > SARGS_FACT_ID_MAX || name_len > SARGS_FACT_NAME_MAX)
		return 0;
	memcpy(ad, AD_LABEL, sizeof(AD_LABEL)); /* with its NUL */
	memcpy(ad + n, subject_id, id_len + 1);
	n += id_len + 1;
	memcpy(ad + n, name, name_len);
	return n + name_len;
}

void sargs_fact_seal(struct sargs_keys *keys, const char *subject_id, const char *name,
		     const void *in, size_t len, unsigned char *out)
{
	unsigned char ad[AD_MAX];
	size_t adlen = build_ad(ad, subject_id, name);

	if (adlen == 0 || len > SARGS_FACT_MAX)
		abort(); /* programmer error: facts, ids and names are short */
	sargs_keys_random(keys, out, NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(out + NONCE_BYTES, NULL, in, len, ad, adlen,
						   NULL, out,
						   sargs_keys_sub(keys, SARGS_SUBKEY_FACTS));
}

enum sargs_rc sargs_fact_open(const struct sargs_keys *keys, const char *subject_id,
			      const char *name, const unsigned char *in, size_t len,
			      unsigned char *out, size_t *out_len)
{
	unsigned char ad[AD_MAX];
	size_t adlen = build_ad(ad, subject_id, name);

	*out_len = 0;
	if (adlen == 0 || len < SARGS_FACT_OVERHEAD || len > SARGS_FACT_MAX + SARGS_FACT_OVERHEAD)
		return SARGS_E_CRYPTO;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    out, NULL, NULL, in + NONCE_BYTES, len - NONCE_BYTES, ad, adlen, in,
		    sargs_keys_sub(keys, SARGS_SUBKEY_FACTS)) != 0)
		return SARGS_E_CRYPTO;
	*out_len = len - SARGS_FACT_OVERHEAD;
	return SARGS_OK;
}
