/*
 * backup_crypt.c — streaming encryption of backup files (see backup_crypt.h
 * for the layout) and the wiping of plaintext copies.
 */
#include "crypto/backup_crypt.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAGIC_LEN 8
#define PREFIX_LEN (MAGIC_LEN + 4)
#define CIPHER_CHUNK (SARGS_BACKUP_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES)

_Static_assert(sizeof(SARGS_BACKUP_MAGIC) - 1 == MAGIC_LEN, "magic is 8 bytes");
_Static_assert(SARGS_KEY_BYTES == crypto_secretstream_xchacha20poly1305_KEYBYTES, "key size");

void sargs_backup_key_check(const unsigned char key[SARGS_KEY_BYTES],
			    unsigned char out[SARGS_BACKUP_KEY_CHECK_BYTES])
{
	static const char what[] = "sargs backup key check v1";

	(void)crypto_generichash(out, SARGS_BACKUP_KEY_CHECK_BYTES, (const unsigned char *)what,
				 sizeof(what) - 1, key, SARGS_KEY_BYTES);
}

/* Reads up to n bytes (fewer only at end of file); -1 on error. */
static ssize_t read_full(int fd, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static int write_full(int fd, const unsigned char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

int sargs_backup_wipe_file(const char *path)
{
	static const unsigned char zeros[4096];
	struct stat st;
	int fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno == ENOENT ? 0 : (unlink(path) == 0 || errno == ENOENT ? 0 : -1);
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t left = st.st_size;

		while (left > 0) {
			size_t n = left < (off_t)sizeof(zeros) ? (size_t)left : sizeof(zeros);

			if (write_full(fd, zeros, n) != 0)
				break;
			left -= (off_t)n;
		}
		(void)fsync(fd);
	}
	(void)close(fd);
	return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
}

enum sargs_rc sargs_backup_checksum_file(const char *path,
					 unsigned char out[SARGS_BACKUP_SUM_BYTES],
					 struct sargs_err *err)
{
	crypto_generichash_state h;
	unsigned char *buf = malloc(SARGS_BACKUP_CHUNK);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	enum sargs_rc rc = SARGS_OK;
	ssize_t n;

	if (buf == NULL || fd < 0) {
		rc = buf == NULL ? sargs_err_set(err, SARGS_E_NOMEM, "out of memory")
				 : sargs_err_set(err, SARGS_E_IO, "cannot read %s: %s", path,
						 strerror(errno));
		goto done;
	}
	(void)crypto_generichash_init(&h, NULL, 0, SARGS_BACKUP_SUM_BYTES);
	while ((n = read_full(fd, buf, SARGS_BACKUP_CHUNK)) > 0)
		(void)crypto_generichash_update(&h, buf, (unsigned long long)n);
	if (n < 0)
		rc = sargs_err_set(err, SARGS_E_IO, "cannot read %s: %s", path, strerror(errno));
	else
		(void)crypto_generichash_final(&h, out, SARGS_BACKUP_SUM_BYTES);
	sodium_memzero(&h, sizeof(h));
done:
	if (buf != NULL) {
		sodium_memzero(buf, SARGS_BACKUP_CHUNK);
		free(buf);
	}
	if (fd >= 0)
		(void)close(fd);
	return rc;
}

/* fsyncs the directory holding path, so a new name in it is durable. */
static void sync_parent(const char *path)
{
	char copy[4096];
	int fd;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		(void)close(fd);
	}
}

/* Streams in_fd through the encryptor into out_fd; prefix is the first
 * chunk's additional data. */
static enum sargs_rc encrypt_stream(int in_fd, int out_fd, const unsigned char *key,
				    const unsigned char *prefix, size_t prefix_len,
				    struct sargs_err *err)
{
	crypto_secretstream_xchacha20poly1305_state state;
	unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	unsigned char *plain = malloc(SARGS_BACKUP_CHUNK);
	unsigned char *cipher = malloc(CIPHER_CHUNK);
	enum sargs_rc rc = SARGS_OK;
	int first = 1;
	ssize_t n;

	if (plain == NULL || cipher == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto done;
	}
	(void)crypto_secretstream_xchacha20poly1305_init_push(&state, header, key);
	if (write_full(out_fd, prefix, prefix_len) != 0 ||
	    write_full(out_fd, header, sizeof(header)) != 0) {
		rc = sargs_err_set(err, SARGS_E_IO, "cannot write the backup: %s", strerror(errno));
		goto done;
	}
	/* read one chunk ahead, so that the last one is known and tagged FINAL */
	n = read_full(in_fd, plain, SARGS_BACKUP_CHUNK);
	while (n >= 0) {
		unsigned char probe = 0;
		ssize_t next_n = 0;
		unsigned char tag;
		unsigned long long clen = 0;

		if (n == SARGS_BACKUP_CHUNK) {
			/* peek: is there more? */
			next_n = read_full(in_fd, &probe, 1);
			if (next_n < 0) {
				n = -1;
				break;
			}
		}
		tag = next_n == 0 ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
		(void)crypto_secretstream_xchacha20poly1305_push(&state, cipher, &clen, plain,
								 (unsigned long long)n,
								 first ? prefix : NULL,
								 first ? prefix_len : 0, tag);
		first = 0;
		if (write_full(out_fd, cipher, (size_t)clen) != 0) {
			rc = sargs_err_set(err, SARGS_E_IO, "cannot write the backup: %s",
					   strerror(errno));
			goto done;
		}
		if (next_n == 0)
			break;
		plain[0] = probe;
		n = read_full(in_fd, plain + 1, SARGS_BACKUP_CHUNK - 1);
		if (n >= 0)
			n += 1;
	}
	if (n < 0)
		rc = sargs_err_set(err, SARGS_E_IO, "cannot read the database copy: %s",
				   strerror(errno));
done:
	sodium_memzero(&state, sizeof(state));
	if (plain != NULL) {
		sodium_memzero(plain, SARGS_BACKUP_CHUNK);
		free(plain);
	}
	free(cipher);
	return rc;
}

enum sargs_rc sargs_backup_encrypt_file(const char *in_path, const char *out_path,
					const unsigned char key[SARGS_KEY_BYTES],
					const char *manifest, struct sargs_err *err)
{
	size_t mlen = strlen(manifest);
	unsigned char *prefix = NULL;
	char tmp[4096];
	int in_fd = -1, out_fd = -1, made = 0;
	enum sargs_rc rc;

	if (mlen > SARGS_BACKUP_MANIFEST_MAX)
		return sargs_err_set(err, SARGS_E_INVALID, "the backup manifest is too long");
	if (access(out_path, F_OK) == 0)
		return sargs_err_set(err, SARGS_E_EXISTS,
				     "%s exists; a backup never replaces a file", out_path);
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", out_path) >= (int)sizeof(tmp))
		return sargs_err_set(err, SARGS_E_INVALID, "the backup path is too long");
	prefix = malloc(PREFIX_LEN + mlen);
	if (prefix == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	memcpy(prefix, SARGS_BACKUP_MAGIC, MAGIC_LEN);
	prefix[8] = (unsigned char)(mlen >> 24);
	prefix[9] = (unsigned char)(mlen >> 16);
	prefix[10] = (unsigned char)(mlen >> 8);
	prefix[11] = (unsigned char)mlen;
	memcpy(prefix + PREFIX_LEN, manifest, mlen);

	in_fd = open(in_path, O_RDONLY | O_CLOEXEC);
	if (in_fd < 0) {
		rc = sargs_err_set(err, SARGS_E_IO, "cannot read the database copy: %s",
				   strerror(errno));
		goto fail;
	}
	out_fd = mkstemp(tmp); /* mode 0600 */
	if (out_fd < 0) {
		rc = sargs_err_set(err, SARGS_E_IO, "cannot create a file beside %s: %s", out_path,
				   strerror(errno));
		goto fail;
	}
	made = 1;
	if ((rc = encrypt_stream(in_fd, out_fd, key, prefix, PREFIX_LEN + mlen, err)) != SARGS_OK)
		goto fail;
	if (fsync(out_fd) != 0 || close(out_fd) != 0) {
		out_fd = -1;
		rc = sargs_err_set(err, SARGS_E_IO, "cannot write %s: %s", out_path,
				   strerror(errno));
		goto fail;
	}
	out_fd = -1;
	/* link, unlike rename, never replaces a file that appeared meanwhile */
	if (link(tmp, out_path) != 0) {
		rc = errno == EEXIST ? sargs_err_set(err, SARGS_E_EXISTS,
						     "%s exists; a backup never replaces a file",
						     out_path)
				     : sargs_err_set(err, SARGS_E_IO, "cannot create %s: %s",
						     out_path, strerror(errno));
		goto fail;
	}
	(void)unlink(tmp);
	sync_parent(out_path);
	(void)close(in_fd);
	free(prefix);
	return SARGS_OK;
fail:
	if (out_fd >= 0)
		(void)close(out_fd);
	if (made)
		(void)unlink(tmp);
	if (in_fd >= 0)
		(void)close(in_fd);
	free(prefix);
	return rc;
}

/* Reads the clear prefix: *prefix (caller frees) of *prefix_len bytes. */
static enum sargs_rc read_prefix(int fd, const char *path, unsigned char **prefix,
				 size_t *prefix_len, struct sargs_err *err)
{
	unsigned char head[PREFIX_LEN];
	size_t mlen;
	unsigned char *p;

	if (read_full(fd, head, PREFIX_LEN) != PREFIX_LEN ||
	    memcmp(head, SARGS_BACKUP_MAGIC, MAGIC_LEN) != 0)
		return sargs_err_set(err, SARGS_E_INVALID, "%s is not a Sargs backup file", path);
	mlen = ((size_t)head[8] << 24) | ((size_t)head[9] << 16) | ((size_t)head[10] << 8) |
	       (size_t)head[11];
	if (mlen > SARGS_BACKUP_MANIFEST_MAX)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "%s is damaged: its manifest length is impossible", path);
	p = malloc(PREFIX_LEN + mlen + 1);
	if (p == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	memcpy(p, head, PREFIX_LEN);
	if (read_full(fd, p + PREFIX_LEN, mlen) != (ssize_t)mlen) {
		free(p);
		return sargs_err_set(err, SARGS_E_INVALID, "%s is cut short in its manifest", path);
	}
	p[PREFIX_LEN + mlen] = '\0';
	*prefix = p;
	*prefix_len = PREFIX_LEN + mlen;
	return SARGS_OK;
}

enum sargs_rc sargs_backup_read_manifest(const char *path, char **manifest,
					 struct sargs_err *err)
{
	unsigned char *prefix = NULL;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	enum sargs_rc rc;

	if (fd < 0)
		return sargs_err_set(err, errno == ENOENT ? SARGS_E_NOTFOUND : SARGS_E_IO,
				     "cannot read %s: %s", path, strerror(errno));
	rc = read_prefix(fd, path, &prefix, &len, err);
	(void)close(fd);
	if (rc != SARGS_OK)
		return rc;
	if (prefix == NULL || len < PREFIX_LEN)
		abort(); /* read_prefix broke its contract */
	memmove(prefix, prefix + PREFIX_LEN, len - PREFIX_LEN + 1);
	*manifest = (char *)prefix;
	return SARGS_OK;
}

enum sargs_rc sargs_backup_decrypt_file(const char *in_path, const char *out_path,
					const unsigned char key[SARGS_KEY_BYTES],
					unsigned char sum[SARGS_BACKUP_SUM_BYTES],
					struct sargs_err *err)
{
	crypto_secretstream_xchacha20poly1305_state state;
	crypto_generichash_state h;
	unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
	unsigned char *prefix = NULL, *plain = NULL, *cipher = NULL;
	size_t prefix_len = 0;
	int in_fd, out_fd = -1, made = 0, done = 0;
	unsigned long chunk_no = 0;
	enum sargs_rc rc = SARGS_OK;

	in_fd = open(in_path, O_RDONLY | O_CLOEXEC);
	if (in_fd < 0)
		return sargs_err_set(err, errno == ENOENT ? SARGS_E_NOTFOUND : SARGS_E_IO,
				     "cannot read %s: %s", in_path, strerror(errno));
	if ((rc = read_prefix(in_fd, in_path, &prefix, &prefix_len, err)) != SARGS_OK)
		goto out;
	plain = malloc(SARGS_BACKUP_CHUNK);
	cipher = malloc(CIPHER_CHUNK);
	if (plain == NULL || cipher == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	if (read_full(in_fd, header, sizeof(header)) != (ssize_t)sizeof(header) ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&state, header, key) != 0) {
		rc = sargs_err_set(err, SARGS_E_CRYPTO, "%s is cut short before its data", in_path);
		goto out;
	}
	out_fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out_fd < 0) {
		rc = sargs_err_set(err, errno == EEXIST ? SARGS_E_EXISTS : SARGS_E_IO,
				   "cannot create %s: %s", out_path, strerror(errno));
		goto out;
	}
	made = 1;
	(void)crypto_generichash_init(&h, NULL, 0, SARGS_BACKUP_SUM_BYTES);
	while (!done) {
		ssize_t n = read_full(in_fd, cipher, CIPHER_CHUNK);
		unsigned long long plen = 0;
		unsigned char tag = 0;

		if (n < 0) {
			rc = sargs_err_set(err, SARGS_E_IO, "cannot read %s: %s", in_path,
					   strerror(errno));
			break;
		}
		chunk_no++;
		if (n == 0) {
			rc = sargs_err_set(err, SARGS_E_CRYPTO,
					   "%s is cut short: its last chunk is missing", in_path);
			break;
		}
		if (crypto_secretstream_xchacha20poly1305_pull(
			    &state, plain, &plen, &tag, cipher, (unsigned long long)n,
			    chunk_no == 1 ? prefix : NULL, chunk_no == 1 ? prefix_len : 0) != 0) {
			rc = sargs_err_set(err, SARGS_E_CRYPTO,
					   "authentication failed at chunk %lu of %s: the file was"
					   " altered or damaged, or the master key is not the one"
					   " it was made with",
					   chunk_no, in_path);
			break;
		}
		if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
			unsigned char extra;

			done = 1;
			if (read_full(in_fd, &extra, 1) != 0) {
				rc = sargs_err_set(err, SARGS_E_CRYPTO,
						   "%s has data after its last chunk: it was altered",
						   in_path);
				break;
			}
		} else if (n != CIPHER_CHUNK) {
			rc = sargs_err_set(err, SARGS_E_CRYPTO,
					   "%s is cut short: its last chunk is missing", in_path);
			break;
		}
		(void)crypto_generichash_update(&h, plain, plen);
		if (write_full(out_fd, plain, (size_t)plen) != 0) {
			rc = sargs_err_set(err, SARGS_E_IO, "cannot write %s: %s", out_path,
					   strerror(errno));
			break;
		}
	}
	if (rc == SARGS_OK)
		(void)crypto_generichash_final(&h, sum, SARGS_BACKUP_SUM_BYTES);
	sodium_memzero(&h, sizeof(h));
	if (rc == SARGS_OK && fsync(out_fd) != 0)
		rc = sargs_err_set(err, SARGS_E_IO, "cannot write %s: %s", out_path, strerror(errno));
out:
	sodium_memzero(&state, sizeof(state));
	if (out_fd >= 0 && close(out_fd) != 0 && rc == SARGS_OK)
		rc = sargs_err_set(err, SARGS_E_IO, "cannot write %s: %s", out_path, strerror(errno));
	if (rc != SARGS_OK && made)
		(void)sargs_backup_wipe_file(out_path);
	(void)close(in_fd);
	free(prefix);
	if (plain != NULL) {
		sodium_memzero(plain, SARGS_BACKUP_CHUNK);
		free(plain);
	}
	free(cipher);
	return rc;
}
