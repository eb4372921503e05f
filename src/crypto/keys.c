/*
 * keys.c — master key files, sub-key derivation, the buffered CSPRNG.
 */
#include "crypto/keys.h"
#include "crypto/keys_int.h"
#include "util/fsutil.h"

#include <errno.h>
#include <sodium.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define KDF_CONTEXT "sargs-v1"  /* crypto_kdf_CONTEXTBYTES == 8 */
#define RNG_BYTES 4096
#define N_SLOTS 32
#define KEYFILE_HEADER "sargs-master-key-v1\n"
#define KEYFILE_MAX 256

_Static_assert(SARGS_SIGN_SECRET_BYTES == crypto_sign_SECRETKEYBYTES, "Ed25519 secret key size");
_Static_assert(SARGS_KEY_BYTES == crypto_sign_SEEDBYTES, "a sub-key is an Ed25519 seed");

struct sargs_keys {
	unsigned char sub[SARGS_SUBKEY__COUNT][SARGS_KEY_BYTES];
	unsigned char sign_sk[SARGS_SIGN_SECRET_BYTES]; /* from the sign sub-key */
	unsigned char rng[RNG_BYTES];
	size_t rng_used;
	unsigned char slots[N_SLOTS][SARGS_KEY_SLOT_BYTES];
	uint32_t slot_used; /* bit i: slot i is handed out */
};

void *sargs_keys_slot_get(struct sargs_keys *keys)
{
	for (int i = 0; i < N_SLOTS; i++) {
		if (!(keys->slot_used & (1u << i))) {
			keys->slot_used |= 1u << i;
			return keys->slots[i];
		}
	}
	return NULL;
}

void sargs_keys_slot_put(struct sargs_keys *keys, void *slot)
{
	unsigned char *p = slot;
	ptrdiff_t i;

	if (p < keys->slots[0] || p >= keys->slots[0] + sizeof(keys->slots))
		abort(); /* programmer error: not a slot of these keys */
	i = (p - keys->slots[0]) / SARGS_KEY_SLOT_BYTES;
	sodium_memzero(keys->slots[i], SARGS_KEY_SLOT_BYTES);
	keys->slot_used &= ~(1u << i);
}

enum sargs_rc sargs_crypto_init(void)
{
	return sodium_init() < 0 ? SARGS_E_CRYPTO : SARGS_OK;
}

void sargs_wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		sodium_memzero(p, n);
}

int sargs_secret_cmp(const void *a, const void *b, size_t n)
{
	return sodium_memcmp(a, b, n);
}

enum sargs_rc sargs_keys_from_bytes(const unsigned char master[SARGS_KEY_BYTES],
				    struct sargs_keys **out)
{
	struct sargs_keys *k;

	if (sargs_crypto_init() != SARGS_OK)
		return SARGS_E_CRYPTO;
	k = sodium_malloc(sizeof(*k));
	if (k == NULL)
		return SARGS_E_NOMEM;
	memset(k->sub[0], 0, SARGS_KEY_BYTES);
	for (int i = 1; i < SARGS_SUBKEY__COUNT; i++)
		crypto_kdf_derive_from_key(k->sub[i], SARGS_KEY_BYTES, (uint64_t)i, KDF_CONTEXT,
					   master);
	{
		unsigned char pk[crypto_sign_PUBLICKEYBYTES];

		/* once here, not per signature: a scalar multiplication each time
		 * would slow bulk receipt signing */
		if (crypto_sign_seed_keypair(pk, k->sign_sk, k->sub[SARGS_SUBKEY_SIGN]) != 0) {
			sodium_free(k);
			return SARGS_E_CRYPTO;
		}
	}
	/* only the sub-keys are needed from here on */
	k->rng_used = RNG_BYTES;
	k->slot_used = 0;
	*out = k;
	return SARGS_OK;
}

void sargs_keys_free(struct sargs_keys *keys)
{
	if (keys != NULL)
		sodium_free(keys); /* sodium_free wipes before unmapping */
}

const unsigned char *sargs_keys_sub(const struct sargs_keys *keys, enum sargs_subkey which)
{
	if (which <= 0 || which >= SARGS_SUBKEY__COUNT)
		abort(); /* programmer error */
	return keys->sub[which];
}

const unsigned char *sargs_keys_sign_secret(const struct sargs_keys *keys)
{
	return keys->sign_sk;
}

void sargs_keys_check_value(const struct sargs_keys *keys,
			    unsigned char out[SARGS_KEY_CHECK_BYTES])
{
	static const char label[] = "sargs key check value";

	crypto_generichash(out, SARGS_KEY_CHECK_BYTES, (const unsigned char *)label,
			   sizeof(label) - 1, keys->sub[SARGS_SUBKEY_CHECK], SARGS_KEY_BYTES);
}

void sargs_keys_random(struct sargs_keys *keys, void *out, size_t n)
{
	unsigned char *p = out;

	while (n > 0) {
		size_t take;

		if (keys->rng_used == RNG_BYTES) {
			randombytes_buf(keys->rng, RNG_BYTES);
			keys->rng_used = 0;
		}
		take = RNG_BYTES - keys->rng_used;
		if (take > n)
			take = n;
		memcpy(p, keys->rng + keys->rng_used, take);
		/* bytes handed out are never handed out again */
		sodium_memzero(keys->rng + keys->rng_used, take);
		keys->rng_used += take;
		p += take;
		n -= take;
	}
}

enum sargs_rc sargs_keyfile_parse_hex(const char *hex, size_t hex_len, unsigned char *key,
				      size_t n)
{
	size_t bin_len = 0;
	const char *end = NULL;

	while (hex_len > 0 && (hex[hex_len - 1] == '\n' || hex[hex_len - 1] == '\r' ||
			       hex[hex_len - 1] == ' '))
		hex_len--;
	if (hex_len != 2 * n)
		return SARGS_E_INVALID;
	if (sodium_hex2bin(key, n, hex, hex_len, NULL, &bin_len, &end) != 0 || bin_len != n ||
	    end != hex + hex_len)
		return SARGS_E_INVALID;
	return SARGS_OK;
}

enum sargs_rc sargs_keyfile_create(const char *path, const char *header, size_t n,
				   struct sargs_err *err)
{
	unsigned char *key;
	char *text;
	size_t hlen = strlen(header);
	size_t tlen = hlen + 2 * n + 1;
	enum sargs_rc rc;

	key = sodium_malloc(n);
	text = sodium_malloc(tlen + 1);
	if (key == NULL || text == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	randombytes_buf(key, n);
	memcpy(text, header, hlen);
	sodium_bin2hex(text + hlen, 2 * n + 1, key, n);
	text[tlen - 1] = '\n';
	text[tlen] = '\0';
	rc = sargs_fs_write_atomic(path, text, tlen, 0600, 0, err);
out:
	if (key != NULL)
		sodium_free(key); /* wipes */
	if (text != NULL)
		sodium_free(text);
	return rc;
}

enum sargs_rc sargs_keys_create_file(const char *path, struct sargs_err *err)
{
	if (sargs_crypto_init() != SARGS_OK)
		return sargs_err_set(err, SARGS_E_CRYPTO, "cannot initialise libsodium");
	return sargs_keyfile_create(path, KEYFILE_HEADER, SARGS_KEY_BYTES, err);
}

enum sargs_rc sargs_keys_load(const char *path, struct sargs_keys **out,
			      struct sargs_err *err)
{
	unsigned char *key = NULL;
	char *text = NULL;
	size_t len = 0, hlen = sizeof(KEYFILE_HEADER) - 1;
	const char *env = getenv(SARGS_MASTER_KEY_ENV);
	struct stat st;
	enum sargs_rc rc;

	if (sargs_crypto_init() != SARGS_OK)
		return sargs_err_set(err, SARGS_E_CRYPTO, "cannot initialise libsodium");
	key = sodium_malloc(SARGS_KEY_BYTES);
	if (key == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	if (env != NULL && env[0] != '\0') {
		if (sargs_keyfile_parse_hex(env, strlen(env), key, SARGS_KEY_BYTES) != SARGS_OK) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "%s must hold 64 hexadecimal digits", SARGS_MASTER_KEY_ENV);
			goto out;
		}
	} else {
		/* one open, then fstat of that descriptor: no window between the
		 * permission check and the read */
		int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		ssize_t got;

		if (fd < 0) {
			rc = sargs_err_set(err, errno == ENOENT ? SARGS_E_NOTFOUND : SARGS_E_IO,
					   "cannot open the master key file %s: %s (set %s or restore"
					   " the key file)",
					   path, strerror(errno), SARGS_MASTER_KEY_ENV);
			goto out;
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			(void)close(fd);
			rc = sargs_err_set(err, SARGS_E_IO, "%s is not a regular file", path);
			goto out;
		}
		if ((st.st_mode & 077) != 0) {
			(void)close(fd);
			rc = sargs_err_set(err, SARGS_E_DENIED,
					   "the master key file %s is readable by others (mode %03o); run: chmod 600 %s",
					   path, (unsigned)(st.st_mode & 0777), path);
			goto out;
		}
		text = sodium_malloc(KEYFILE_MAX);
		if (text == NULL) {
			(void)close(fd);
			rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
			goto out;
		}
		len = 0;
		while (len < KEYFILE_MAX && (got = read(fd, text + len, KEYFILE_MAX - len)) > 0)
			len += (size_t)got;
		(void)close(fd);
		if (len >= KEYFILE_MAX || len < hlen || memcmp(text, KEYFILE_HEADER, hlen) != 0 ||
		    sargs_keyfile_parse_hex(text + hlen, len - hlen, key, SARGS_KEY_BYTES) != SARGS_OK) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "%s is not a Sargs master key file", path);
			goto out;
		}
	}
	rc = sargs_keys_from_bytes(key, out);
	if (rc != SARGS_OK)
		(void)sargs_err_set(err, rc, "cannot set up keys");
out:
	if (text != NULL)
		sodium_free(text); /* wipes */
	sodium_free(key);
	return rc;
}
