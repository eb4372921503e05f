/*
 * timeutil.h — wall-clock time as microseconds since the Unix epoch (UTC),
 * ISO 8601 formatting and parsing, and civil-date arithmetic.
 */
#ifndef SARGS_TIMEUTIL_H
#define SARGS_TIMEUTIL_H

#include "util/rc.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_TIME_STR 32  /* "2026-11-23T12:00:00.123456Z" + NUL */
#define SARGS_DATE_STR 11  /* "2026-11-23" + NUL */

/* Microseconds since 1970-01-01T00:00:00Z (the real clock: nothing from
 * outside the process can move it, so audit times cannot be backdated). */
int64_t sargs_time_now_us(void);

/* Microseconds of a clock that only moves forward (for measuring waits;
 * not a time of day). */
int64_t sargs_time_mono_us(void);

/* Tests only: fixes the clock at us (0 returns to the real clock). */
void sargs_time_set_fixed(int64_t us);

/* Writes "YYYY-MM-DDTHH:MM:SS.uuuuuuZ" (UTC) into out (SARGS_TIME_STR). */
void sargs_time_format(int64_t us, char *out, size_t out_size);

/* Writes "YYYY-MM-DD" (UTC) into out (SARGS_DATE_STR). */
void sargs_time_format_date(int64_t us, char *out, size_t out_size);

/*
 * Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.ffffff]]Z" (UTC) into
 * microseconds. A date alone means its midnight UTC.
 */
enum sargs_rc sargs_time_parse(const char *s, int64_t *out_us) SARGS_WUR;

/* Days since 1970-01-01 of a proleptic Gregorian civil date. */
int64_t sargs_days_from_civil(int y, int m, int d);
/* Inverse of sargs_days_from_civil. */
void sargs_civil_from_days(int64_t days, int *y, int *m, int *d);
/* 1 when y-m-d is a real calendar date. */
int sargs_date_valid(int y, int m, int d);
/* Days in month m (1-12) of year y. */
int sargs_days_in_month(int y, int m);

#endif
