/*
 * strbuf.h — a growable byte buffer with a hard cap set at creation
 * (curl's dynbuf "toobig"): input can never grow it without bound.
 */
#ifndef SARGS_STRBUF_H
#define SARGS_STRBUF_H

#include "util/rc.h"

#include <stddef.h>
#include <stdint.h>

struct sargs_strbuf {
	char *data;     /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap;     /* allocated bytes */
	size_t limit;   /* maximum len */
};

/* Initialises an empty buffer that may hold at most limit bytes. */
void sargs_strbuf_init(struct sargs_strbuf *sb, size_t limit);

/* Appends n bytes. SARGS_E_INVALID when the limit would be passed. */
enum sargs_rc sargs_strbuf_add(struct sargs_strbuf *sb, const void *p, size_t n) SARGS_WUR;
enum sargs_rc sargs_strbuf_adds(struct sargs_strbuf *sb, const char *s) SARGS_WUR;
enum sargs_rc sargs_strbuf_addf(struct sargs_strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3))) SARGS_WUR;
/* Appends a 32-bit big-endian length and then the bytes. */
enum sargs_rc sargs_strbuf_add_lv(struct sargs_strbuf *sb, const void *p, size_t n) SARGS_WUR;

/* Wipes (the buffer may have held secrets) and frees; sb may be reused. */
void sargs_strbuf_free(struct sargs_strbuf *sb);

/* Wipes the content and empties sb, keeping its memory for reuse. */
void sargs_strbuf_reset(struct sargs_strbuf *sb);

/* Copies the string src into dst of size bytes, cut to fit and always
 * ended (when size > 0): what snprintf(dst, size, "%s", src) does, at a
 * fraction of its cost. Returns 1 when the whole of src fit, 0 when cut. */
int sargs_str_copy(char *dst, size_t size, const char *src);

/* Hands the data to the caller (caller frees with free()); sb becomes empty. */
char *sargs_strbuf_take(struct sargs_strbuf *sb);

#endif
