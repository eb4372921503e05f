/*
 * pseudo.c — the pseudonym key file and keyed pseudonyms (see pseudo.h).
 *
 * The key file is written and read the way keys.c handles the master key
 * file: created atomically with mode 0600 and never overwritten; read with
 * one open and an fstat of that descriptor, so there is no window between
 * the permission check and the read; the text and the key sit in guarded
 * memory and are wiped on every path.
 */
#include "crypto/pseudo.h"

#include "crypto/keys_int.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_BYTES 32
#define KEYFILE_HEADER SARGS_PSEUDO_KEY_HEADER "\n"
#define KEYFILE_MAX 256
#define DOMAIN_LABEL "pseudonym-v1"

_Static_assert(KEY_BYTES >= crypto_generichash_KEYBYTES_MIN &&
		       KEY_BYTES <= crypto_generichash_KEYBYTES_MAX,
	       "the pseudonym key is a BLAKE2b key");
_Static_assert(SARGS_PSEUDONYM_BYTES >= crypto_generichash_BYTES_MIN, "BLAKE2b-128");
_Static_assert(SARGS_PSEUDONYM_LEN == (SARGS_PSEUDONYM_BYTES * 8 + 4) / 5, "base32 length");

struct sargs_pseudo_key {
	unsigned char key[KEY_BYTES];
};

static const char b32[] = "abcdefghijklmnopqrstuvwxyz234567";

enum sargs_rc sargs_pseudo_key_create(const char *path, struct sargs_err *err)
{
	if (sodium_init() < 0)
		return sargs_err_set(err, SARGS_E_CRYPTO, "cannot initialise libsodium");
	return sargs_keyfile_create(path, KEYFILE_HEADER, KEY_BYTES, err);
}

enum sargs_rc sargs_pseudo_key_from_bytes(const unsigned char key[32],
					  struct sargs_pseudo_key **out)
{
	struct sargs_pseudo_key *k;

	if (sodium_init() < 0)
		return SARGS_E_CRYPTO;
	k = sodium_malloc(sizeof(*k));
	if (k == NULL)
		return SARGS_E_NOMEM;
	memcpy(k->key, key, KEY_BYTES);
	*out = k;
	return SARGS_OK;
}

void sargs_pseudo_key_free(struct sargs_pseudo_key *key)
{
	if (key != NULL)
		sodium_free(key); /* wipes before unmapping */
}

enum sargs_rc sargs_pseudo_key_load(const char *path, struct sargs_pseudo_key **out,
				    struct sargs_err *err)
{
	struct sargs_pseudo_key *k = NULL;
	char *text = NULL;
	size_t len = 0, hlen = sizeof(KEYFILE_HEADER) - 1;
	struct stat st;
	ssize_t got;
	int fd;
	enum sargs_rc rc;

	*out = NULL;
	if (sodium_init() < 0)
		return sargs_err_set(err, SARGS_E_CRYPTO, "cannot initialise libsodium");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return sargs_err_set(err, errno == ENOENT ? SARGS_E_NOTFOUND : SARGS_E_IO,
				     "cannot open the pseudonym key file %s: %s", path,
				     strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		rc = sargs_err_set(err, SARGS_E_IO, "%s is not a regular file", path);
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		rc = sargs_err_set(err, SARGS_E_DENIED,
				   "the pseudonym key file %s is open to others (mode %03o); only"
				   " those allowed to re-identify may read it (004 §19.2): run"
				   " chmod 600 %s",
				   path, (unsigned)(st.st_mode & 0777), path);
		goto out;
	}
	text = sodium_malloc(KEYFILE_MAX);
	k = sodium_malloc(sizeof(*k));
	if (text == NULL || k == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	while (len < KEYFILE_MAX && (got = read(fd, text + len, KEYFILE_MAX - len)) > 0)
		len += (size_t)got;
	if (len >= KEYFILE_MAX || len < hlen || memcmp(text, KEYFILE_HEADER, hlen) != 0 ||
	    sargs_keyfile_parse_hex(text + hlen, len - hlen, k->key, KEY_BYTES) != SARGS_OK) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "%s is not a Sargs pseudonym key file",
				   path);
		goto out;
	}
	*out = k;
	k = NULL;
	rc = SARGS_OK;
out:
	(void)close(fd);
	if (text != NULL)
		sodium_free(text); /* wipes */
	if (k != NULL)
		sodium_free(k);
	return rc;
}

void sargs_pseudonym(const struct sargs_pseudo_key *key, const char *purpose,
		     const char *subject_id, char out[SARGS_PSEUDONYM_STR])
{
	static const unsigned char zero = 0;
	crypto_generichash_state st;
	unsigned char h[SARGS_PSEUDONYM_BYTES];
	unsigned buf = 0;
	int bits = 0;
	size_t o = 0;

	/* NUL separators: no two (purpose, subject) pairs share an encoding */
	crypto_generichash_init(&st, key->key, KEY_BYTES, SARGS_PSEUDONYM_BYTES);
	crypto_generichash_update(&st, (const unsigned char *)DOMAIN_LABEL,
				  sizeof(DOMAIN_LABEL) - 1);
	crypto_generichash_update(&st, &zero, 1);
	crypto_generichash_update(&st, (const unsigned char *)purpose, strlen(purpose));
	crypto_generichash_update(&st, &zero, 1);
	crypto_generichash_update(&st, (const unsigned char *)subject_id, strlen(subject_id));
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_memzero(&st, sizeof(st));
	for (size_t i = 0; i < sizeof(h); i++) {
		buf = (buf << 8) | h[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = b32[(buf >> (bits - 5)) & 31u];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = b32[(buf << (5 - bits)) & 31u];
	out[o] = '\0';
	sodium_memzero(h, sizeof(h));
}

int sargs_pseudonym_valid(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n] != '\0'; n++)
		if (n >= SARGS_PSEUDONYM_LEN || strchr(b32, s[n]) == NULL)
			return 0;
	return n == SARGS_PSEUDONYM_LEN;
}

int sargs_pseudonym_equal(const char a[SARGS_PSEUDONYM_STR], const char b[SARGS_PSEUDONYM_STR])
{
	return sodium_memcmp(a, b, SARGS_PSEUDONYM_LEN) == 0;
}
