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

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

enum sargs_rc sargs_uuid_to_bytes(const char *s, unsigned char out[SARGS_UUID_BYTES])
{
	size_t k = 0;

	if (!sargs_uuid_valid(s))
		return SARGS_E_INVALID;
	for (size_t j = 0; j < 36; j++) {
		if (s[j] == '-')
			continue;
		out[k++] = (unsigned char)((unsigned)hexval(s[j]) << 4 | (unsigned)hexval(s[j + 1]));
		j++;
	}
	return SARGS_OK;
}

int sargs_uuid_valid(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		char c = s[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
			return 0;
		}
	}
	return 1;
}
