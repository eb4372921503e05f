/*
 * jsonw.c — JSON strings written straight into a buffer (jsonw.h).
 */
#include "util/jsonw.h"

#include <stdint.h>

/* The code point at s (length *n) of valid UTF-8, as RFC 3629 has it: no
 * overlong forms, no surrogates, nothing beyond U+10FFFF; -1 otherwise. */
static int32_t utf8_next(const unsigned char *s, int *n)
{
	int32_t cp;
	int len, i;

	if (s[0] < 0x80) {
		*n = 1;
		return s[0];
	}
	if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return -1;
	}
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80) /* the NUL at the end included */
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*n = len;
	return cp;
}

/* \c */
static int put2(char *out, char c)
{
	out[0] = '\\';
	out[1] = c;
	return 2;
}

/* \uXXXX, upper-case hex as jansson writes it */
static int put_u(char *out, uint32_t u)
{
	static const char hex[] = "0123456789ABCDEF";

	out[0] = '\\';
	out[1] = 'u';
	out[2] = hex[(u >> 12) & 0xF];
	out[3] = hex[(u >> 8) & 0xF];
	out[4] = hex[(u >> 4) & 0xF];
	out[5] = hex[u & 0xF];
	return 6;
}

enum sargs_rc sargs_json_str(struct sargs_strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	/* written here first and handed to the buffer in pieces: one call of
	 * sargs_strbuf_add per 256 bytes, not one per run or escape */
	char out[256];
	size_t o = 0;
	enum sargs_rc rc;

	out[o++] = '"';
	while (*p) {
		int n;
		int32_t cp;

		if (o > sizeof(out) - 13) { /* room for the longest escape, 12 */
			if ((rc = sargs_strbuf_add(b, out, o)) != SARGS_OK)
				return rc;
			o = 0;
		}
		if (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
			out[o++] = (char)*p++;
			continue;
		}
		cp = utf8_next(p, &n);
		if (cp < 0)
			return SARGS_E_INVALID;
		p += n;
		switch (cp) {
		case '"': o += (size_t)put2(out + o, '"'); break;
		case '\\': o += (size_t)put2(out + o, '\\'); break;
		case '\b': o += (size_t)put2(out + o, 'b'); break;
		case '\f': o += (size_t)put2(out + o, 'f'); break;
		case '\n': o += (size_t)put2(out + o, 'n'); break;
		case '\r': o += (size_t)put2(out + o, 'r'); break;
		case '\t': o += (size_t)put2(out + o, 't'); break;
		default:
			if (cp < 0x10000) {
				o += (size_t)put_u(out + o, (uint32_t)cp);
			} else {
				uint32_t v = (uint32_t)cp - 0x10000;

				o += (size_t)put_u(out + o, 0xD800 | (v >> 10));
				o += (size_t)put_u(out + o, 0xDC00 | (v & 0x3FF));
			}
		}
	}
	out[o++] = '"'; /* o was at most sizeof(out) - 1 */
	return sargs_strbuf_add(b, out, o);
}
