/*
 * uuid.c — UUIDv7 generation (RFC 9562 §5.7) from the kernel's CSPRNG.
 */
#include "util/uuid.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static int fill_random(unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

void sargs_uuid_from_bytes(const unsigned char b[SARGS_UUID_BYTES], char out[SARGS_UUID_STR])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (int i = 0; i < SARGS_UUID_BYTES; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 15];
	}
	out[o] = '\0';
}

enum sargs_rc sargs_uuid_v7(int64_t now_us, char out[SARGS_UUID_STR])
{
	unsigned char b[SARGS_UUID_BYTES];
	uint64_t ms = (uint64_t)(now_us / 1000);

	if (fill_random(b + 6, 10) != 0)
		return SARGS_E_IO;
	for (int i = 0; i < 6; i++)
		b[i] = (unsigned char)(ms >> (40 - 8 * i));
	b[6] = (unsigned char)(0x70 | (b[6] & 0x0f)); /* version 7 */
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f)); /* RFC 9562 variant */
	sargs_uuid_from_bytes(b, out);
	return SARGS_OK;
}

/* A canonical UUID's parts: 8-4-4-4-12 lower-case hex digits. Each byte
 * is read in order and the first that does not belong ends the look, so a
 * shorter string is never read past its end. Returns 1 and the 16 bytes
 * (out may be NULL) when s is one, else 0. Called several times for every
 * read of a subject (each statement binds its id), hence a table and no
 * strlen. */
static int parse(const char *s, unsigned char *out)
{
	/* a digit's value plus one; 0: not a lower-case hex digit */
	static const unsigned char val1[256] = {
		['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,	['4'] = 5,  ['5'] = 6,
		['6'] = 7,  ['7'] = 8,  ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12,
		['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	};
	size_t i = 0;

	if (s == NULL)
		return 0;
	for (int k = 0; k < SARGS_UUID_BYTES; k++) {
		unsigned hi, lo;

		if (k == 4 || k == 6 || k == 8 || k == 10) {
			if (s[i] != '-')
				return 0;
			i++;
		}
		hi = val1[(unsigned char)s[i]];
		if (hi == 0)
			return 0;
		lo = val1[(unsigned char)s[i + 1]];
		if (lo == 0)
			return 0;
		if (out != NULL)
			out[k] = (unsigned char)((hi - 1) << 4 | (lo - 1));
		i += 2;
	}
	return s[i] == '\0';
}

enum sargs_rc sargs_uuid_to_bytes(const char *s, unsigned char out[SARGS_UUID_BYTES])
{
	unsigned char b[SARGS_UUID_BYTES];

	if (!parse(s, b))
		return SARGS_E_INVALID;
	memcpy(out, b, sizeof(b));
	return SARGS_OK;
}

int sargs_uuid_valid(const char *s)
{
	return parse(s, NULL);
}
