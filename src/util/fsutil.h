/*
 * fsutil.h — small file-system helpers: directories, whole-file reads with a
 * size cap, and crash-safe file creation (write to a temporary name, fsync,
 * rename, fsync the directory).
 */
#ifndef SARGS_FSUTIL_H
#define SARGS_FSUTIL_H

#include "util/rc.h"

#include <stddef.h>
#include <sys/types.h>

/* Creates dir (and parents) with mode if missing. */
enum sargs_rc sargs_fs_mkdirs(const char *dir, mode_t mode, struct sargs_err *err) SARGS_WUR;

/*
 * Reads a whole file of at most limit bytes into a new NUL-terminated buffer
 * (caller frees). SARGS_E_INVALID when larger than limit.
 */
enum sargs_rc sargs_fs_read(const char *path, size_t limit, char **out, size_t *out_len,
			    struct sargs_err *err) SARGS_WUR;

/*
 * Creates path with exactly these bytes and mode, atomically: it either
 * appears complete or not at all. Refuses to replace an existing file
 * (SARGS_E_EXISTS) unless replace is non-zero.
 */
enum sargs_rc sargs_fs_write_atomic(const char *path, const void *data, size_t len,
				    mode_t mode, int replace, struct sargs_err *err) SARGS_WUR;

/* 1 when path exists. */
int sargs_fs_exists(const char *path);

/* Joins dir and name into out; SARGS_E_INVALID when it does not fit. */
enum sargs_rc sargs_fs_join(char *out, size_t out_size, const char *dir, const char *name) SARGS_WUR;

#endif
