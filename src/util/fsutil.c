/*
 * fsutil.c — directories, capped reads, atomic file creation.
 */
#include "util/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum sargs_rc sargs_fs_join(char *out, size_t out_size, const char *dir, const char *name)
{
	int n = snprintf(out, out_size, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= out_size)
		return SARGS_E_INVALID;
	return SARGS_OK;
}

int sargs_fs_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

enum sargs_rc sargs_fs_mkdirs(const char *dir, mode_t mode, struct sargs_err *err)
{
	char buf[4096];
	size_t len = strlen(dir);

	if (len == 0 || len >= sizeof(buf))
		return sargs_err_set(err, SARGS_E_INVALID, "data directory path is empty or too long");
	memcpy(buf, dir, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] == '/' || buf[i] == '\0') {
			char saved = buf[i];

			buf[i] = '\0';
			if (mkdir(buf, mode) != 0 && errno != EEXIST)
				return sargs_err_set(err, SARGS_E_IO, "cannot create directory %s: %s",
						     buf, strerror(errno));
			buf[i] = saved;
		}
	}
	return SARGS_OK;
}

enum sargs_rc sargs_fs_read(const char *path, size_t limit, char **out, size_t *out_len,
			    struct sargs_err *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	enum sargs_rc rc = SARGS_OK;

	if (f == NULL)
		return sargs_err_set(err, errno == ENOENT ? SARGS_E_NOTFOUND : SARGS_E_IO,
				     "cannot open %s: %s", path, strerror(errno));
	for (;;) {
		size_t got;

		if (len + 4096 + 1 > cap) {
			size_t ncap = cap ? cap * 2 : 8192;
			char *nb;

			if (ncap > limit + 4096 + 1)
				ncap = limit + 4096 + 1;
			nb = realloc(buf, ncap);
			if (nb == NULL) {
				rc = SARGS_E_NOMEM;
				goto fail;
			}
			buf = nb;
			cap = ncap;
		}
		got = fread(buf + len, 1, cap - len - 1, f);
		len += got;
		if (len > limit) {
			rc = sargs_err_set(err, SARGS_E_INVALID, "%s is larger than the limit of %zu bytes",
					   path, limit);
			goto fail;
		}
		if (got == 0) {
			if (ferror(f)) {
				rc = sargs_err_set(err, SARGS_E_IO, "cannot read %s: %s", path,
						   strerror(errno));
				goto fail;
			}
			break;
		}
	}
	buf[len] = '\0';
	(void)fclose(f);
	*out = buf;
	if (out_len != NULL)
		*out_len = len;
	return SARGS_OK;
fail:
	free(buf);
	(void)fclose(f);
	return rc;
}

static int fsync_dir_of(const char *path)
{
	char tmp[4096];
	int fd, r;

	if (strlen(path) >= sizeof(tmp))
		return -1;
	memcpy(tmp, path, strlen(path) + 1);
	fd = open(dirname(tmp), O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -1;
	r = fsync(fd);
	(void)close(fd);
	return r;
}

enum sargs_rc sargs_fs_write_atomic(const char *path, const void *data, size_t len,
				    mode_t mode, int replace, struct sargs_err *err)
{
	char tmp[4096];
	const unsigned char *p = data;
	int fd, n;

	if (!replace && sargs_fs_exists(path))
		return sargs_err_set(err, SARGS_E_EXISTS, "%s already exists; refusing to overwrite it", path);
	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return sargs_err_set(err, SARGS_E_INVALID, "path too long: %s", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return sargs_err_set(err, SARGS_E_IO, "cannot create %s: %s", tmp, strerror(errno));
	if (fchmod(fd, mode) != 0)
		goto fail;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (!replace) {
		/* link() fails if path appeared meanwhile: never overwrite */
		if (link(tmp, path) != 0)
			goto fail;
		(void)unlink(tmp);
	} else if (rename(tmp, path) != 0) {
		goto fail;
	}
	(void)fsync_dir_of(path);
	return SARGS_OK;
fail:
	n = errno;
	if (fd >= 0)
		(void)close(fd);
	(void)unlink(tmp);
	return sargs_err_set(err, n == EEXIST ? SARGS_E_EXISTS : SARGS_E_IO,
			     "cannot write %s: %s", path, strerror(n));
}
