/*
 * timeutil.c — UTC time stamps and civil dates (Howard Hinnant's
 * days-from-civil algorithm: exact for the proleptic Gregorian calendar).
 */
#include "util/timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t fixed_us; /* 0: the real clock */

void sargs_time_set_fixed(int64_t us)
{
	fixed_us = us;
}

int64_t sargs_time_mono_us(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sargs_time_now_us(void)
{
	struct timespec ts;

	if (fixed_us != 0)
		return fixed_us;
	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t sargs_days_from_civil(int y, int m, int d)
{
	int64_t yy = (int64_t)y - (m <= 2);
	int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

void sargs_civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int sargs_days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (m < 1 || m > 12)
		return 0;
	return days[m - 1] + (m == 2 && leap);
}

int sargs_date_valid(int y, int m, int d)
{
	return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= sargs_days_in_month(y, m);
}

static void split(int64_t us, int64_t *days, int64_t *sod, int64_t *frac)
{
	int64_t secs = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);

	*frac = us - secs * 1000000;
	*days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	*sod = secs - *days * 86400;
}

/* v (0 <= v < 10^n) as n digits with leading zeros; returns the end */
static char *put_digits(char *o, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		o[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return o + n;
}

void sargs_time_format(int64_t us, char *out, size_t out_size)
{
	int64_t days, sod, frac;
	int y, m, d;

	split(us, &days, &sod, &frac);
	sargs_civil_from_days(days, &y, &m, &d);
	if (y >= 0 && y <= 9999 && out_size >= 28) {
		/* digits written by hand: one per log line and audit entry,
		 * where snprintf showed */
		char *o = out;

		o = put_digits(o, y, 4);
		*o++ = '-';
		o = put_digits(o, m, 2);
		*o++ = '-';
		o = put_digits(o, d, 2);
		*o++ = 'T';
		o = put_digits(o, (int)(sod / 3600), 2);
		*o++ = ':';
		o = put_digits(o, (int)(sod / 60 % 60), 2);
		*o++ = ':';
		o = put_digits(o, (int)(sod % 60), 2);
		*o++ = '.';
		o = put_digits(o, (int)frac, 6);
		*o++ = 'Z';
		*o = '\0';
		return;
	}
	(void)snprintf(out, out_size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", y, m, d,
		       (int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60), (int)frac);
}

void sargs_time_format_date(int64_t us, char *out, size_t out_size)
{
	int64_t days, sod, frac;
	int y, m, d;

	split(us, &days, &sod, &frac);
	sargs_civil_from_days(days, &y, &m, &d);
	(void)snprintf(out, out_size, "%04d-%02d-%02d", y, m, d);
}

/* Reads exactly n digits at *p; advances *p. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return 0;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*out = v;
	return 1;
}

enum sargs_rc sargs_time_parse(const char *s, int64_t *out_us)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, se = 0, frac = 0;

	if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
	    !digits(&p, 2, &d))
		return SARGS_E_INVALID;
	if (!sargs_date_valid(y, mo, d))
		return SARGS_E_INVALID;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi))
			return SARGS_E_INVALID;
		if (*p == ':') {
			p++;
			if (!digits(&p, 2, &se))
				return SARGS_E_INVALID;
			if (*p == '.') {
				int n = 0;

				p++;
				while (*p >= '0' && *p <= '9') {
					if (n < 6) {
						frac = frac * 10 + (*p - '0');
						n++;
					}
					p++;
				}
				if (n == 0)
					return SARGS_E_INVALID;
				for (; n < 6; n++)
					frac *= 10;
			}
		}
		if (*p == 'Z')
			p++;
		if (h > 23 || mi > 59 || se > 60)
			return SARGS_E_INVALID;
	}
	if (*p != '\0')
		return SARGS_E_INVALID;
	*out_us = ((sargs_days_from_civil(y, mo, d) * 86400) + h * 3600 + mi * 60 + se) *
			  (int64_t)1000000 + frac;
	return SARGS_OK;
}
