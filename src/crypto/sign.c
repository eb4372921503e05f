/*
 * sign.c — Ed25519 receipt signatures (libsodium crypto_sign) and base64url.
 */
#include "crypto/sign.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define B64URL sodium_base64_VARIANT_URLSAFE_NO_PADDING

_Static_assert(SARGS_SIGN_PK_BYTES == crypto_sign_PUBLICKEYBYTES, "Ed25519 public key size");
_Static_assert(SARGS_SIG_BYTES == crypto_sign_BYTES, "Ed25519 signature size");

void sargs_sign_public_key(const struct sargs_keys *keys, unsigned char pk[SARGS_SIGN_PK_BYTES])
{
	/* the second half of libsodium's secret key is the public key */
	if (crypto_sign_ed25519_sk_to_pk(pk, sargs_keys_sign_secret(keys)) != 0)
		abort(); /* cannot fail: a copy */
}

enum sargs_rc sargs_sign(const struct sargs_keys *keys, const void *msg, size_t len,
			 unsigned char sig[SARGS_SIG_BYTES])
{
	if (crypto_sign_detached(sig, NULL, msg, len, sargs_keys_sign_secret(keys)) != 0)
		return SARGS_E_CRYPTO;
	return SARGS_OK;
}

int sargs_sign_verify(const unsigned char pk[SARGS_SIGN_PK_BYTES], const void *msg, size_t len,
		      const unsigned char sig[SARGS_SIG_BYTES])
{
	return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? 0 : -1;
}

size_t sargs_b64url_len(size_t n)
{
	/* sodium_base64_encoded_len counts the NUL; it aborts on overflow */
	return sodium_base64_encoded_len(n, B64URL) - 1;
}

void sargs_b64url_encode(const unsigned char *in, size_t n, char *out)
{
	(void)sodium_bin2base64(out, sargs_b64url_len(n) + 1, in, n, B64URL);
}

enum sargs_rc sargs_b64url_decode(const char *in, unsigned char *out, size_t out_max,
				  size_t *out_len)
{
	size_t bin_len = 0;

	*out_len = 0;
	/* no end pointer: libsodium then refuses anything it did not consume,
	 * and it refuses non-zero trailing bits itself */
	if (sodium_base642bin(out, out_max, in, strlen(in), NULL, &bin_len, NULL, B64URL) != 0)
		return SARGS_E_INVALID;
	*out_len = bin_len;
	return SARGS_OK;
}
