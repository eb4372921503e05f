/*
 * calendar_lv.h — Latvian public holidays, working days and deadlines in
 * months counted per Regulation (EEC, Euratom) No 1182/71, for the GDPR
 * Art. 12(3) answer deadline.
 *
 * Statutory holidays follow the law "Par svētku, atceres un atzīmējamām
 * dienām" (On Public Holidays, Commemoration Days and Days of Celebration),
 * Art. 1. Days that the law does not fix in advance — the closing day of the
 * Song and Dance Festival (its date is set for each festival) and one-off days
 * off declared by amending law — come from a data file the business keeps up
 * to date (data/lv-holidays-extra.txt), loaded into struct sargs_holidays.
 *
 * Everything here is pure except sargs_holidays_load, which reads one file.
 * Dates are proleptic Gregorian civil dates, years 1-9999 (sargs_date_valid).
 */
#ifndef SARGS_CALENDAR_LV_H
#define SARGS_CALENDAR_LV_H

#include "util/rc.h"

#include <stddef.h>
#include <stdint.h>

/* At most this many dates in a holidays file. */
#define SARGS_HOLIDAYS_MAX 256
/* A holidays file larger than this is refused. */
#define SARGS_HOLIDAYS_FILE_MAX (64u * 1024u)
/* Bytes kept of a line's comment (with NUL); longer ones are cut. */
#define SARGS_HOLIDAY_NOTE_BYTES 96
/* Upper bound of entries sargs_lv_holidays_of_year can return. */
#define SARGS_LV_STATUTORY_MAX 20
#define SARGS_LV_YEAR_MAX (SARGS_LV_STATUTORY_MAX + SARGS_HOLIDAYS_MAX)

/* One extra day off from the holidays file. */
struct sargs_holiday_extra {
	int64_t day;                         /* days since 1970-01-01 */
	char note[SARGS_HOLIDAY_NOTE_BYTES]; /* the line's comment, may be "" */
};

/*
 * Extra public holidays: sorted by day, no duplicates, at most
 * SARGS_HOLIDAYS_MAX. A plain value: nothing to free. Zero-initialise (or
 * load) before use; count 0 means none.
 */
struct sargs_holidays {
	size_t count;
	struct sargs_holiday_extra days[SARGS_HOLIDAYS_MAX];
};

/* A holiday of one year, as listed by sargs_lv_holidays_of_year. */
struct sargs_lv_holiday {
	int month, day;
	const char *name_lv;  /* static text */
	const char *name_en;  /* static text */
	const char *note;     /* file comment for extra days (points into the
				 struct sargs_holidays), else NULL */
	int from_file;        /* 1 for a day from struct sargs_holidays */
};

/*
 * Reads a holidays file: one "YYYY-MM-DD [comment]" per line; blank lines and
 * lines starting with '#' are skipped; a comment may start with '#'. Files
 * over SARGS_HOLIDAYS_FILE_MAX or with more than SARGS_HOLIDAYS_MAX dates are
 * refused. On any malformed line: SARGS_E_INVALID with the line number in
 * err, and out is left empty (nothing is loaded). SARGS_E_IO when the file
 * cannot be read. out needs no freeing.
 */
enum sargs_rc sargs_holidays_load(const char *path, struct sargs_holidays *out,
				  struct sargs_err *err) SARGS_WUR;

/* 1 when day (days since 1970-01-01) is in h; h may be NULL. */
int sargs_holidays_contains(const struct sargs_holidays *h, int64_t day);

/*
 * Parses exactly "YYYY-MM-DD" (a real date) into y, m, d. SARGS_E_INVALID
 * otherwise.
 */
enum sargs_rc sargs_date_parse(const char *s, int *y, int *m, int *d) SARGS_WUR;

/* ISO weekday of a valid date: 1 Monday ... 7 Sunday. */
int sargs_weekday(int y, int m, int d);

/* English name of an ISO weekday (1-7); "?" otherwise. */
const char *sargs_weekday_name(int iso_weekday);

/* Western (Gregorian) Easter Sunday of year y (1583-9999) into *m, *d. */
void sargs_easter_gregorian(int y, int *m, int *d);

/*
 * 1 when y-m-d is a Latvian public holiday: a statutory one, the day off
 * after 4 May / 18 November on a weekend, or a day in extra (may be NULL).
 * 0 for invalid dates. When it is one and lv / en are not NULL, they get the
 * holiday's names (static text; for a day from extra, a generic name).
 */
int sargs_lv_holiday_name(int y, int m, int d, const struct sargs_holidays *extra,
			  const char **lv, const char **en);

/* 1 when y-m-d is a Latvian public holiday (see sargs_lv_holiday_name). */
int sargs_lv_is_public_holiday(int y, int m, int d, const struct sargs_holidays *extra);

/* 1 when y-m-d is a valid date that is not a Saturday, Sunday or public
 * holiday. */
int sargs_lv_is_working_day(int y, int m, int d, const struct sargs_holidays *extra);

/*
 * Writes the public holidays of year y, sorted by date, into out (room for
 * out_cap entries; SARGS_LV_YEAR_MAX always suffices) and returns how many
 * there are (more than out_cap means the list was cut). Note pointers stay
 * valid as long as extra does. 0 for a year outside 1-9999.
 */
size_t sargs_lv_holidays_of_year(int y, const struct sargs_holidays *extra,
				 struct sargs_lv_holiday *out, size_t out_cap);

/*
 * The nominal last day of a period of months months (1-1200) from an event
 * on y-m-d, before any move to a working day: the same date in the last
 * month, or that month's last day when the date does not exist there.
 * SARGS_E_INVALID for an invalid date, months out of range or a result
 * after 9999-12-31.
 */
enum sargs_rc sargs_period_months_end(int y, int m, int d, int months, int *out_y,
				      int *out_m, int *out_d) SARGS_WUR;

/*
 * The last day of a period of months months from an event on y-m-d: the
 * nominal end (sargs_period_months_end), moved to the next working day when
 * it is a Saturday, Sunday or public holiday (extra may be NULL).
 * SARGS_E_INVALID for bad input or when no working day follows within a
 * year (an absurd holidays file).
 */
enum sargs_rc sargs_deadline_months(int y, int m, int d, int months,
				    const struct sargs_holidays *extra, int *out_y, int *out_m,
				    int *out_d) SARGS_WUR;

#endif
