/*
 * token.c — link tokens: XChaCha20-Poly1305 under the link sub-key, the
 * kind as authenticated data, base64url text.
 */
#include "crypto/token.h"
#include "crypto/sign.h"
#include "util/timeutil.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_VERSION 1
#define AD_LABEL "sargs-token-v1"
#define NONCE_BYTES crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_BYTES crypto_aead_xchacha20poly1305_ietf_ABYTES
#define EXPIRY_BYTES 8
#define PLAIN_MAX (EXPIRY_BYTES + SARGS_TOKEN_PAYLOAD_MAX)
#define RAW_MIN (1 + NONCE_BYTES + EXPIRY_BYTES + TAG_BYTES)
#define RAW_MAX (RAW_MIN + SARGS_TOKEN_PAYLOAD_MAX)
#define AD_MAX (sizeof(AD_LABEL) + SARGS_TOKEN_KIND_MAX)
#define INVALID_MSG "the link is not valid: it was altered, forged or is not a %s link"

/* unpadded base64 of the longest token, and its NUL, fit the text buffer */
_Static_assert((RAW_MAX * 4 + 2) / 3 + 1 <= SARGS_TOKEN_MAX, "a token fits SARGS_TOKEN_MAX");

/*
 * The authenticated data "sargs-token-v1" || 0 || kind. A kind that is not
 * a short printable label is a programmer error (kinds are fixed in code).
 */
static size_t build_ad(unsigned char ad[AD_MAX], const char *kind)
{
	size_t kind_len;

	if (kind == NULL)
		abort();
	kind_len = strnlen(kind, SARGS_TOKEN_KIND_MAX + 1);
	if (kind_len == 0 || kind_len > SARGS_TOKEN_KIND_MAX)
		abort();
	for (size_t i = 0; i < kind_len; i++) {
		if (kind[i] <= ' ' || kind[i] > '~')
			abort();
	}
	memcpy(ad, AD_LABEL, sizeof(AD_LABEL)); /* with its NUL */
	memcpy(ad + sizeof(AD_LABEL), kind, kind_len);
	return sizeof(AD_LABEL) + kind_len;
}

enum sargs_rc sargs_token_make(struct sargs_keys *keys, const char *kind, const void *payload,
			       size_t len, int64_t expires_us, char out[SARGS_TOKEN_MAX])
{
	unsigned char ad[AD_MAX], plain[PLAIN_MAX], raw[RAW_MAX];
	size_t adlen = build_ad(ad, kind);
	uint64_t expiry;

	out[0] = '\0';
	if (len > SARGS_TOKEN_PAYLOAD_MAX || expires_us < 0)
		return SARGS_E_INVALID;
	expiry = (uint64_t)expires_us;
	for (int i = EXPIRY_BYTES - 1; i >= 0; i--) {
		plain[i] = (unsigned char)(expiry & 0xff);
		expiry >>= 8;
	}
	if (len > 0)
		memcpy(plain + EXPIRY_BYTES, payload, len);
	raw[0] = TOKEN_VERSION;
	sargs_keys_random(keys, raw + 1, NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(raw + 1 + NONCE_BYTES, NULL, plain,
						   EXPIRY_BYTES + len, ad, adlen, NULL, raw + 1,
						   sargs_keys_sub(keys, SARGS_SUBKEY_LINK));
	sodium_memzero(plain, sizeof(plain));
	sargs_b64url_encode(raw, RAW_MIN + len, out);
	return SARGS_OK;
}

enum sargs_rc sargs_token_open(const struct sargs_keys *keys, const char *kind, const char *token,
			       int64_t now_us, unsigned char payload[SARGS_TOKEN_PAYLOAD_MAX],
			       size_t *len, int64_t *expires_us, struct sargs_err *err)
{
	unsigned char ad[AD_MAX], plain[PLAIN_MAX], raw[RAW_MAX];
	size_t adlen = build_ad(ad, kind);
	size_t raw_len = 0;
	unsigned long long plain_len = 0;
	uint64_t expiry = 0;
	enum sargs_rc rc = SARGS_E_INVALID;

	*len = 0;
	/* bounded scan first: the string comes from the internet */
	if (token == NULL || strnlen(token, SARGS_TOKEN_MAX) >= SARGS_TOKEN_MAX)
		goto out;
	if (sargs_b64url_decode(token, raw, sizeof(raw), &raw_len) != SARGS_OK ||
	    raw_len < RAW_MIN || raw[0] != TOKEN_VERSION)
		goto out;
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(
		    plain, &plain_len, NULL, raw + 1 + NONCE_BYTES, raw_len - 1 - NONCE_BYTES, ad,
		    adlen, raw + 1, sargs_keys_sub(keys, SARGS_SUBKEY_LINK)) != 0)
		goto out;
	/* authentic from here on */
	for (int i = 0; i < EXPIRY_BYTES; i++)
		expiry = expiry << 8 | plain[i];
	if (expiry > (uint64_t)INT64_MAX)
		goto out; /* never made by sargs_token_make */
	*expires_us = (int64_t)expiry;
	if (now_us > (int64_t)expiry) {
		char date[SARGS_DATE_STR];

		sargs_time_format_date((int64_t)expiry, date, sizeof(date));
		rc = sargs_err_set(err, SARGS_E_DENIED, "the link expired on %s", date);
		goto out;
	}
	*len = (size_t)plain_len - EXPIRY_BYTES;
	if (*len > 0)
		memcpy(payload, plain + EXPIRY_BYTES, *len);
	rc = SARGS_OK;
out:
	sodium_memzero(plain, sizeof(plain));
	if (rc == SARGS_E_INVALID)
		(void)sargs_err_set(err, rc, INVALID_MSG, kind);
	return rc;
}
