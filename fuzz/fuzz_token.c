/*
 * fuzz_token.c — fuzz target for what arrives from the internet or from a
 * person's hands: unsubscribe link tokens (crypto/token.h) and consent
 * receipts to verify (domain/consent.h). Any bytes are refused with a
 * message, never accepted (no key can have made them), never a crash.
 */
#include "crypto/keys.h"
#include "crypto/token.h"
#include "domain/consent.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int sargs_fuzz_token(const uint8_t *data, size_t size);

int sargs_fuzz_token(const uint8_t *data, size_t size)
{
	static struct sargs_keys *keys;
	static const unsigned char master[SARGS_KEY_BYTES] = {7, 7, 7};
	unsigned char payload[SARGS_TOKEN_PAYLOAD_MAX];
	struct sargs_receipt_info info;
	struct sargs_err err;
	size_t len = 0;
	int64_t exp = 0;
	char *s;

	if (keys == NULL && (sargs_crypto_init() != SARGS_OK ||
			     sargs_keys_from_bytes(master, &keys) != SARGS_OK))
		abort();
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	sargs_err_clear(&err);
	if (sargs_token_open(keys, "unsub", s, 0, payload, &len, &exp, &err) == SARGS_OK)
		abort(); /* a forgery was accepted */
	if (err.msg[0] == '\0')
		abort();
	/* a receipt checked against a key given by hand (no register) */
	sargs_err_clear(&err);
	if (sargs_receipt_verify(NULL, s, size, "IzVe1yQn9P6sCMNAF2lt9H_UElJ3stfwME575pDYrpE", &info,
				 &err) == SARGS_OK)
		abort();
	if (err.msg[0] == '\0')
		abort();
	free(s);
	return 0;
}

#ifdef SARGS_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return sargs_fuzz_token(data, size);
}
#endif
