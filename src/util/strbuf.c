/*
 * strbuf.c — capped growable buffers.
 */
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sargs_strbuf_init(struct sargs_strbuf *sb, size_t limit)
{
	sb->data = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->limit = limit;
}

static enum sargs_rc reserve(struct sargs_strbuf *sb, size_t extra)
{
	size_t need, ncap;
	char *p;

	if (extra > sb->limit || sb->len > sb->limit - extra)
		return SARGS_E_INVALID;
	need = sb->len + extra + 1;
	if (need <= sb->cap)
		return SARGS_OK;
	ncap = sb->cap ? sb->cap : 64;
	while (ncap < need)
		ncap *= 2;
	p = malloc(ncap);
	if (p == NULL)
		return SARGS_E_NOMEM;
	if (sb->data != NULL) {
		memcpy(p, sb->data, sb->len + 1);
		/* the old block may have held secrets: wipe before freeing */
		memset(sb->data, 0, sb->cap);
		__asm__ __volatile__("" : : "r"(sb->data) : "memory");
		free(sb->data);
	}
	sb->data = p;
	sb->cap = ncap;
	return SARGS_OK;
}

enum sargs_rc sargs_strbuf_add(struct sargs_strbuf *sb, const void *p, size_t n)
{
	enum sargs_rc rc = reserve(sb, n);

	if (rc != SARGS_OK)
		return rc;
	if (n > 0)
		memcpy(sb->data + sb->len, p, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
	return SARGS_OK;
}

enum sargs_rc sargs_strbuf_adds(struct sargs_strbuf *sb, const char *s)
{
	return sargs_strbuf_add(sb, s, strlen(s));
}

enum sargs_rc sargs_strbuf_addf(struct sargs_strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;
	enum sargs_rc rc;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return SARGS_E_INVALID;
	rc = reserve(sb, (size_t)n);
	if (rc != SARGS_OK)
		return rc;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
	return SARGS_OK;
}

enum sargs_rc sargs_strbuf_add_lv(struct sargs_strbuf *sb, const void *p, size_t n)
{
	unsigned char len[4];
	enum sargs_rc rc;

	if (n > UINT32_MAX)
		return SARGS_E_INVALID;
	len[0] = (unsigned char)(n >> 24);
	len[1] = (unsigned char)(n >> 16);
	len[2] = (unsigned char)(n >> 8);
	len[3] = (unsigned char)n;
	rc = sargs_strbuf_add(sb, len, 4);
	if (rc != SARGS_OK)
		return rc;
	return sargs_strbuf_add(sb, p, n);
}

void sargs_strbuf_free(struct sargs_strbuf *sb)
{
	if (sb->data != NULL) {
		memset(sb->data, 0, sb->cap);
		__asm__ __volatile__("" : : "r"(sb->data) : "memory");
		free(sb->data);
	}
	sb->data = NULL;
	sb->len = 0;
	sb->cap = 0;
}

char *sargs_strbuf_take(struct sargs_strbuf *sb)
{
	char *p = sb->data;

	if (p == NULL) {
		p = malloc(1);
		if (p != NULL)
			p[0] = '\0';
	}
	sb->data = NULL;
	sb->len = 0;
	sb->cap = 0;
	return p;
}

void sargs_strbuf_reset(struct sargs_strbuf *sb)
{
	if (sb->data != NULL) {
		memset(sb->data, 0, sb->len);
		__asm__ __volatile__("" : : "r"(sb->data) : "memory");
		sb->data[0] = '\0';
	}
	sb->len = 0;
}

int sargs_str_copy(char *dst, size_t size, const char *src)
{
	size_t n;

	if (size == 0)
		return *src == '\0';
	n = strnlen(src, size);
	if (n == size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return 0;
	}
	memcpy(dst, src, n + 1);
	return 1;
}
