/*
 * sign.h — Ed25519 signatures of consent receipts, and the base64url text
 * form used for signatures, public keys and link tokens.
 *
 * The register signs with one key pair derived from the master key's sign
 * sub-key (crypto_sign_seed_keypair), so the public key is stable for the
 * life of a master key and can be published; anyone holding it can check a
 * receipt without access to the register. The secret key never leaves the
 * guarded memory of struct sargs_keys.
 */
#ifndef SARGS_SIGN_H
#define SARGS_SIGN_H

#include "crypto/keys.h"
#include "util/rc.h"

#include <stddef.h>

#define SARGS_SIGN_PK_BYTES 32
#define SARGS_SIG_BYTES 64

/* The register's receipt-signing public key. */
void sargs_sign_public_key(const struct sargs_keys *keys, unsigned char pk[SARGS_SIGN_PK_BYTES]);

/*
 * Signs len bytes of msg (detached signature) into sig. SARGS_E_CRYPTO only
 * if libsodium fails.
 */
enum sargs_rc sargs_sign(const struct sargs_keys *keys, const void *msg, size_t len,
			 unsigned char sig[SARGS_SIG_BYTES]) SARGS_WUR;

/* 0 when sig is a valid signature of msg under pk, -1 otherwise. */
int sargs_sign_verify(const unsigned char pk[SARGS_SIGN_PK_BYTES], const void *msg, size_t len,
		      const unsigned char sig[SARGS_SIG_BYTES]) SARGS_WUR;

/*
 * base64url (RFC 4648 §5) without padding. sargs_b64url_len is the encoded
 * length of n bytes, without the NUL; sargs_b64url_encode writes it and a NUL
 * to out, which must hold sargs_b64url_len(n) + 1 bytes.
 */
size_t sargs_b64url_len(size_t n);
void sargs_b64url_encode(const unsigned char *in, size_t n, char *out);

/*
 * Decodes the NUL-terminated in into out (room for out_max bytes) and sets
 * *out_len. SARGS_E_INVALID (and *out_len 0) on a character outside the
 * base64url alphabet, padding, an impossible length, non-zero trailing bits
 * (so every byte string has exactly one accepted encoding) or more than
 * out_max bytes.
 */
enum sargs_rc sargs_b64url_decode(const char *in, unsigned char *out, size_t out_max,
				  size_t *out_len) SARGS_WUR;

#endif
