/*
 * ckpt.c — the audit checkpoint signing key (see ckpt.h).
 */
#include "crypto/ckpt.h"

#include "crypto/keys.h"
#include "crypto/keys_int.h"
#include "util/fsutil.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HEADER "sargs-checkpoint-key-v1\n"

struct sargs_ckpt_key {
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];
	unsigned char sk[crypto_sign_SECRETKEYBYTES];
};

enum sargs_rc sargs_ckpt_key_create(const char *path, struct sargs_err *err)
{
	if (sargs_crypto_init() != SARGS_OK)
		return sargs_err_set(err, SARGS_E_CRYPTO, "cannot initialise libsodium");
	return sargs_keyfile_create(path, HEADER, crypto_sign_SEEDBYTES, err);
}

enum sargs_rc sargs_ckpt_key_load(const char *path, struct sargs_ckpt_key **out,
				  struct sargs_err *err)
{
	size_t hl = sizeof(HEADER) - 1, len = 0;
	unsigned char seed[crypto_sign_SEEDBYTES];
	struct sargs_ckpt_key *k = NULL;
	char *text = NULL;
	struct stat st;
	enum sargs_rc rc;

	*out = NULL;
	if (sargs_crypto_init() != SARGS_OK)
		return sargs_err_set(err, SARGS_E_CRYPTO, "cannot initialise libsodium");
	if (stat(path, &st) != 0)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no checkpoint key file %s", path);
	if ((st.st_mode & 077) != 0)
		return sargs_err_set(err, SARGS_E_CRYPTO,
				     "the checkpoint key file %s may be read by others: chmod 600 it",
				     path);
	if ((rc = sargs_fs_read(path, 4096, &text, &len, err)) != SARGS_OK)
		return rc;
	if (len < hl + 2 * crypto_sign_SEEDBYTES || memcmp(text, HEADER, hl) != 0 ||
	    sodium_hex2bin(seed, sizeof(seed), text + hl, 2 * crypto_sign_SEEDBYTES, NULL, NULL,
			   NULL) != 0) {
		rc = sargs_err_set(err, SARGS_E_CRYPTO,
				   "%s is not a checkpoint key file (sargs audit checkpoint-key)",
				   path);
		goto out;
	}
	k = sodium_malloc(sizeof(*k));
	if (k == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	if (crypto_sign_seed_keypair(k->pk, k->sk, seed) != 0) {
		sodium_free(k);
		rc = sargs_err_set(err, SARGS_E_CRYPTO, "cannot derive the checkpoint key");
		goto out;
	}
	*out = k;
	rc = SARGS_OK;
out:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(text, len);
	free(text);
	return rc;
}

void sargs_ckpt_key_free(struct sargs_ckpt_key *k)
{
	if (k != NULL)
		sodium_free(k); /* wipes */
}

void sargs_ckpt_public_key(const struct sargs_ckpt_key *k, unsigned char pk[SARGS_SIGN_PK_BYTES])
{
	memcpy(pk, k->pk, SARGS_SIGN_PK_BYTES);
}

enum sargs_rc sargs_ckpt_sign(const struct sargs_ckpt_key *k, const void *msg, size_t len,
			      unsigned char sig[SARGS_SIG_BYTES])
{
	return crypto_sign_detached(sig, NULL, msg, len, k->sk) == 0 ? SARGS_OK : SARGS_E_CRYPTO;
}
