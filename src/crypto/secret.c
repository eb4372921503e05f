/*
 * secret.c — password hashes, random secrets and their keyed hashes
 * (secret.h). The only place with sodium.h for staff sign-in.
 */
#include "crypto/secret.h"
#include "crypto/sign.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(SARGS_PWHASH_STR == crypto_pwhash_STRBYTES, "password hash string size");
_Static_assert(SARGS_SECRET_HASH_BYTES >= crypto_generichash_BYTES_MIN &&
		       SARGS_SECRET_HASH_BYTES <= crypto_generichash_BYTES_MAX,
	       "keyed hash size");

/*
 * An Argon2id hash (interactive limits: t=2, 64 MiB) of a random password
 * nobody knows, made once with crypto_pwhash_str. Verifying against it
 * costs what verifying a real account's hash costs.
 */
static const char dummy_hash[SARGS_PWHASH_STR] =
	"$argon2id$v=19$m=65536,t=2,p=1$Q/fZ7oFy2/pwrR/11Pm5+w"
	"$fMEzfqt/AwxLIic5yRzHokfl1AEgGjl/ReLvpfAEy3w";

enum sargs_rc sargs_secret_pwhash(const char *password, size_t len, char out[SARGS_PWHASH_STR])
{
	if (crypto_pwhash_str(out, password, (unsigned long long)len,
			      crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		sodium_memzero(out, SARGS_PWHASH_STR);
		return SARGS_E_NOMEM;
	}
	return SARGS_OK;
}

int sargs_secret_pwverify(const char *hash, const char *password, size_t len)
{
	if (hash == NULL || memchr(hash, '\0', SARGS_PWHASH_STR) == NULL)
		return -1;
	return crypto_pwhash_str_verify(hash, password, (unsigned long long)len) == 0 ? 0 : -1;
}

void sargs_secret_pwverify_dummy(const char *password, size_t len)
{
	/* nobody knows the password: the result is a mismatch, only the time
	 * spent matters */
	volatile int r = crypto_pwhash_str_verify(dummy_hash, password, (unsigned long long)len);

	(void)r;
}

void sargs_secret_random(const char *prefix, char *out, size_t out_size)
{
	unsigned char raw[SARGS_SECRET_BYTES];
	size_t plen = prefix != NULL ? strlen(prefix) : 0;

	if (out_size < plen + sargs_b64url_len(sizeof(raw)) + 1)
		abort(); /* programmer error: the buffer is too small */
	randombytes_buf(raw, sizeof(raw));
	if (plen > 0)
		memcpy(out, prefix, plen);
	sargs_b64url_encode(raw, sizeof(raw), out + plen);
	sodium_memzero(raw, sizeof(raw));
}

void sargs_secret_hash(const struct sargs_keys *keys, enum sargs_secret_kind kind,
		       const char *secret, unsigned char out[SARGS_SECRET_HASH_BYTES])
{
	crypto_generichash_state st;
	unsigned char tag[2] = {(unsigned char)kind, 0};

	(void)crypto_generichash_init(&st, sargs_keys_sub(keys, SARGS_SUBKEY_AUTH),
				      SARGS_KEY_BYTES, SARGS_SECRET_HASH_BYTES);
	(void)crypto_generichash_update(&st, tag, sizeof(tag));
	(void)crypto_generichash_update(&st, (const unsigned char *)secret, strlen(secret));
	(void)crypto_generichash_final(&st, out, SARGS_SECRET_HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
}

int sargs_secret_equal(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n) == 0;
}
