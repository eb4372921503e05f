/*
 * namefold.c — names folded for search (namefold.h).
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "util/namefold.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* U+00C0..U+017F (Latin-1 letters and Latin Extended-A) without their
 * diacritics, in lower case; ' ' marks the two that are not letters (×, ÷). */
static const char latin_base[] =
	"aaaaaaaceeeeiiiidnooooo ouuuuytsaaaaaaaceeeeiiiidnooooo ouuuuyty"
	"aaaaaaccccccccddddeeeeeeeeeegggggggghhhhiiiiiiiiiiiijjkkkllllllllll"
	"nnnnnnnnnoooooooorrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";
_Static_assert(sizeof(latin_base) == 0x180 - 0xC0 + 1, "one letter per code point");

enum kind { SEP, DROP, KEEP };

/* Decodes one UTF-8 code point at s; *len its bytes (1 for a bad byte,
 * which returns 0xFFFD). */
static uint32_t next_cp(const unsigned char *s, size_t *len)
{
	uint32_t c = s[0];
	size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;

	*len = 1;
	if (n == 1)
		return c;
	if (n == 0)
		return 0xFFFD;
	c &= 0x7Fu >> n;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0xFFFD;
		c = (c << 6) | (s[i] & 0x3Fu);
	}
	/* overlong forms and surrogates are not letters */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
		return 0xFFFD;
	*len = n;
	return c;
}

/* What c is in a name, and its folded form in *out. */
static enum kind fold(uint32_t c, uint32_t *out)
{
	*out = c;
	if (c < 0x80) {
		if (c >= 'A' && c <= 'Z') {
			*out = c + 32;
			return KEEP;
		}
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
			return KEEP;
		return c == '\'' || c == '.' || c == '`' ? DROP : SEP;
	}
	if (c < 0xC0)
		return SEP; /* Latin-1 punctuation, the no-break space */
	if (c <= 0x17F) {
		char b = latin_base[c - 0xC0];

		if (b == ' ')
			return SEP;
		*out = (uint32_t)b;
		return KEEP;
	}
	if (c == 0x2019 || c == 0x02BC)
		return DROP; /* ’ and ʼ, as in O’Brien */
	if (c >= 0x300 && c <= 0x36F)
		return DROP; /* a combining mark: E and U+0304 is Ē, folded to e */
	if ((c >= 0x2000 && c <= 0x206F) || c == 0xFFFD || c == 0xFEFF)
		return SEP;
	if (c == 0x401 || c == 0x451) {
		*out = 0x435; /* Ё, ё: е */
		return KEEP;
	}
	if (c >= 0x410 && c <= 0x42F)
		*out = c + 0x20;
	else if (c >= 0x400 && c <= 0x40F)
		*out = c + 0x50;
	return KEEP;
}

static size_t put_cp(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

size_t sargs_name_words(const char *name, int (*cb)(void *ctx, const char *word), void *ctx)
{
	const unsigned char *s = (const unsigned char *)name;
	char word[SARGS_NAME_WORD_MAX];
	size_t wl = 0, words = 0;

	for (;;) {
		size_t len = 0;
		uint32_t c = 0, f = 0;
		enum kind k = SEP;

		if (*s) {
			c = next_cp(s, &len);
			k = fold(c, &f);
			s += len;
		}
		if (k == KEEP) {
			char enc[4];
			size_t el = put_cp(f, enc);

			if (wl + el < sizeof(word)) { /* a longer word is cut */
				memcpy(word + wl, enc, el);
				wl += el;
			}
			continue;
		}
		if (k == DROP)
			continue;
		if (wl > 0) {
			word[wl] = '\0';
			wl = 0;
			words++;
			if (cb(ctx, word) != 0 || words == SARGS_NAME_WORDS_MAX)
				break;
		}
		if (c == 0)
			break;
	}
	explicit_bzero(word, sizeof(word)); /* a piece of someone's name */
	return words;
}

void sargs_name_key(const char *word, size_t want, char out[SARGS_NAME_KEY_MAX])
{
	size_t o = 0, letters = 0;

	while (word[o] && letters < want) {
		size_t len = 0;

		(void)next_cp((const unsigned char *)word + o, &len);
		if (o + len >= SARGS_NAME_KEY_MAX)
			break;
		o += len;
		letters++;
	}
	memcpy(out, word, o);
	out[o] = '\0';
}

size_t sargs_name_letters(const char *word)
{
	size_t o = 0, letters = 0;

	while (word[o]) {
		size_t len = 0;

		(void)next_cp((const unsigned char *)word + o, &len);
		o += len;
		letters++;
	}
	return letters;
}

static int count_keyed(void *ctx, const char *word)
{
	if (sargs_name_letters(word) >= SARGS_NAME_KEY_SHORT)
		(*(size_t *)ctx)++;
	return 0;
}

size_t sargs_name_keyed_words(const char *query)
{
	size_t n = 0;

	(void)sargs_name_words(query, count_keyed, &n);
	return n;
}

struct words {
	char w[2 * SARGS_NAME_WORDS_MAX][SARGS_NAME_WORD_MAX];
	size_t n;
};

static int keep_word(void *ctx, const char *word)
{
	struct words *ws = ctx;

	if (ws->n < sizeof(ws->w) / sizeof(ws->w[0]))
		(void)snprintf(ws->w[ws->n++], SARGS_NAME_WORD_MAX, "%s", word);
	return 0;
}

struct prefix_check {
	const struct words *name;
	int all; /* every query word begins a name word so far */
};

static int check_word(void *ctx, const char *q)
{
	struct prefix_check *pc = ctx;
	size_t ql = strlen(q);

	for (size_t i = 0; i < pc->name->n; i++)
		if (strncmp(pc->name->w[i], q, ql) == 0)
			return 0;
	pc->all = 0;
	return 1;
}

int sargs_name_matches(const char *const *names, size_t n, const char *query)
{
	struct words ws;
	struct prefix_check pc = {&ws, 1};
	int matches;

	ws.n = 0;
	/* each name apart, as each was indexed: up to SARGS_NAME_WORDS_MAX
	 * words of each */
	for (size_t i = 0; i < n; i++)
		if (names[i] != NULL) {
			struct words one;

			one.n = 0;
			(void)sargs_name_words(names[i], keep_word, &one);
			for (size_t k = 0; k < one.n && ws.n < 2 * SARGS_NAME_WORDS_MAX; k++)
				memcpy(ws.w[ws.n++], one.w[k], SARGS_NAME_WORD_MAX);
			explicit_bzero(&one, sizeof(one));
		}
	matches = sargs_name_words(query, check_word, &pc) > 0 && pc.all;
	explicit_bzero(&ws, sizeof(ws));
	return matches;
}
