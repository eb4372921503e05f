/*
 * test_calendar.c — table-driven tests of util/calendar_lv: Gregorian Easter,
 * Latvian public holidays (law "Par svētku, atceres un atzīmējamām dienām"
 * Art. 1), working days, deadlines in months (Reg. 1182/71 Art. 3, GDPR
 * Art. 12(3)) and the loader of the extra-holidays file.
 *
 * Every expected date was worked out by hand on a calendar and its weekday
 * checked with `date -d YYYY-MM-DD +%A`; Easter dates are the published
 * Western Easter dates. None comes from the code under test.
 */
#include "testutil.h"

#include "util/calendar_lv.h"
#include "util/rc.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

/* ---- Easter ------------------------------------------------------------- */

struct easter_case {
	int year, month, day;
	const char *rule;
};

static const struct easter_case easter_cases[] = {
	{1818, 3, 22, "earliest possible Easter (22 March)"},
	{1943, 4, 25, "latest possible Easter (25 April)"},
	{2000, 4, 23, "2000, century year divisible by 400"},
	{2008, 3, 23, "2008, early Easter"},
	{2011, 4, 24, "2011, late Easter"},
	{2018, 4, 1, "2018, Easter on 1 April"},
	{2019, 4, 21, "2019"},
	{2023, 4, 9, "2023"},
	{2024, 3, 31, "2024, Easter on 31 March"},
	{2025, 4, 20, "2025"},
	{2026, 4, 5, "2026"},
	{2027, 3, 28, "2027"},
	{2028, 4, 16, "2028"},
	{2038, 4, 25, "2038, latest possible Easter"},
	{2285, 3, 22, "2285, earliest possible Easter"},
};

static void test_easter_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ROWS(easter_cases); i++) {
		const struct easter_case *c = &easter_cases[i];
		int m = 0, d = 0;

		sargs_easter_gregorian(c->year, &m, &d);
		if (m != c->month || d != c->day)
			fail_msg("easter row %zu (%s): expected %d-%02d-%02d, got %02d-%02d", i,
				 c->rule, c->year, c->month, c->day, m, d);
		/* Easter is always a Sunday */
		assert_int_equal(sargs_weekday(c->year, m, d), 7);
	}
}

/* ---- holidays and working days ------------------------------------------- */

struct day_case {
	int y, m, d;
	int holiday;  /* sargs_lv_is_public_holiday, no extra file */
	int working;  /* sargs_lv_is_working_day, no extra file */
	const char *rule;
};

#define LAW "Law on public holidays Art. 1: "

static const struct day_case day_cases[] = {
	/* fixed dates, 2026 */
	{2026, 1, 1, 1, 0, LAW "1 January, New Year's Day (Thursday)"},
	{2026, 5, 1, 1, 0, LAW "1 May, Labour Day (Friday)"},
	{2026, 5, 4, 1, 0, LAW "4 May, Restoration of Independence (Monday)"},
	{2026, 6, 23, 1, 0, LAW "23 June, Līgo Day (Tuesday)"},
	{2026, 6, 24, 1, 0, LAW "24 June, Midsummer Day (Wednesday)"},
	{2026, 11, 18, 1, 0, LAW "18 November, Proclamation Day (Wednesday)"},
	{2026, 12, 24, 1, 0, LAW "24 December, Christmas Eve (Thursday)"},
	{2026, 12, 25, 1, 0, LAW "25 December, Christmas Day (Friday)"},
	{2026, 12, 26, 1, 0, LAW "26 December, Second Day of Christmas (Saturday)"},
	{2026, 12, 31, 1, 0, LAW "31 December, New Year's Eve (Thursday)"},
	/* Easter-based, 2026 (Easter 5 April) and 2024 (Easter 31 March) */
	{2026, 4, 3, 1, 0, LAW "Good Friday 2026"},
	{2026, 4, 5, 1, 0, LAW "Easter Sunday 2026"},
	{2026, 4, 6, 1, 0, LAW "Easter Monday 2026"},
	{2026, 5, 24, 1, 0, LAW "Whitsunday 2026 (Easter + 49, a Sunday)"},
	{2024, 3, 29, 1, 0, LAW "Good Friday 2024 (in March)"},
	{2024, 4, 1, 1, 0, LAW "Easter Monday 2024 (in April)"},
	{2026, 5, 10, 1, 0, LAW "second Sunday of May, Mother's Day 2026"},
	{2024, 5, 12, 1, 0, LAW "second Sunday of May, Mother's Day 2024"},
	/* the day off after 4 May / 18 November on a weekend */
	{2024, 5, 4, 1, 0, LAW "4 May 2024 is a Saturday"},
	{2024, 5, 6, 1, 0, LAW "4 May 2024 on Saturday -> Monday 6 May is a day off"},
	{2024, 5, 7, 0, 1, LAW "Tuesday 7 May 2024 is an ordinary working day"},
	{2025, 5, 5, 1, 0, LAW "4 May 2025 on Sunday -> Monday 5 May is a day off"},
	{2019, 5, 6, 1, 0, LAW "4 May 2019 on Saturday -> Monday 6 May is a day off"},
	{2023, 11, 20, 1, 0, LAW "18 November 2023 on Saturday -> Monday 20 November"},
	{2029, 11, 19, 1, 0, LAW "18 November 2029 on Sunday -> Monday 19 November"},
	{2028, 11, 20, 1, 0, LAW "18 November 2028 on Saturday -> Monday 20 November"},
	{2026, 5, 5, 0, 1, LAW "4 May 2026 is a Monday: no extra day on 5 May"},
	{2026, 11, 19, 0, 1, LAW "18 November 2026 is a Wednesday: 19th is working"},
	/* rules by the year they came into force */
	{2007, 11, 19, 1, 0, "amendment of 24.05.2007 (in force 26.06.2007): 18 Nov 2007 Sunday -> 19th"},
	{2006, 11, 20, 0, 1, "weekend rule not yet in force: 18 Nov 2006 Saturday, 20th working"},
	{2003, 5, 5, 0, 1, "weekend rule not yet in force: 4 May 2003 Sunday, 5th working"},
	{2001, 5, 4, 0, 1, "4 May a holiday only since the 2002 amendment"},
	{2002, 5, 4, 1, 0, "4 May a holiday since the amendment of 21.03.2002"},
	{2005, 12, 23, 0, 1, "ordinary Friday before Christmas 2005"},
	{2006, 12, 24, 0, 0, "24 December a holiday only since 2007 (2006: a Sunday)"},
	{2007, 12, 24, 1, 0, "24 December a holiday since the 2007 amendment (Monday)"},
	/* ordinary days and weekends */
	{2026, 11, 11, 0, 1, "11 November (Lāčplēsis Day) is a commemoration day, not a holiday"},
	{2026, 12, 23, 0, 1, "23 December is working"},
	{2026, 12, 27, 0, 0, "Sunday 27 December 2026: weekend, not a holiday"},
	{2026, 1, 2, 0, 1, "2 January is working"},
	{2026, 2, 28, 0, 0, "Saturday 28 February 2026"},
	{2026, 3, 1, 0, 0, "Sunday 1 March 2026"},
	{2026, 3, 2, 0, 1, "Monday 2 March 2026"},
	{2023, 5, 29, 0, 1, "29 May 2023 (hockey) only from the extra file"},
	/* invalid dates are neither */
	{2026, 2, 30, 0, 0, "invalid date: 30 February"},
	{2026, 13, 1, 0, 0, "invalid date: month 13"},
	{0, 1, 1, 0, 0, "invalid date: year 0"},
};

static void test_holiday_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ROWS(day_cases); i++) {
		const struct day_case *c = &day_cases[i];
		int h = sargs_lv_is_public_holiday(c->y, c->m, c->d, NULL);
		int w = sargs_lv_is_working_day(c->y, c->m, c->d, NULL);

		if (h != c->holiday || w != c->working)
			fail_msg("day row %zu (%s): %d-%02d-%02d expected holiday=%d working=%d, "
				 "got %d %d", i, c->rule, c->y, c->m, c->d, c->holiday, c->working,
				 h, w);
	}
}

struct list_case {
	int year;
	size_t count;
	const char *dates; /* "MM-DD MM-DD ..." in order */
	const char *rule;
};

static const struct list_case list_cases[] = {
	{2026, 15,
	 "01-01 04-03 04-05 04-06 05-01 05-04 05-10 05-24 06-23 06-24 11-18 12-24 12-25 12-26 "
	 "12-31",
	 LAW "2026: no weekend substitute"},
	{2024, 16,
	 "01-01 03-29 03-31 04-01 05-01 05-04 05-06 05-12 05-19 06-23 06-24 11-18 12-24 12-25 "
	 "12-26 12-31",
	 LAW "2024: Easter in March, 4 May on Saturday -> 6 May"},
	{2025, 16,
	 "01-01 04-18 04-20 04-21 05-01 05-04 05-05 05-11 06-08 06-23 06-24 11-18 12-24 12-25 "
	 "12-26 12-31",
	 LAW "2025: 4 May on Sunday -> 5 May"},
	{2023, 16,
	 "01-01 04-07 04-09 04-10 05-01 05-04 05-14 05-28 06-23 06-24 11-18 11-20 12-24 12-25 "
	 "12-26 12-31",
	 LAW "2023: 18 November on Saturday -> 20 November"},
};

static void test_year_list_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ROWS(list_cases); i++) {
		const struct list_case *c = &list_cases[i];
		struct sargs_lv_holiday list[SARGS_LV_YEAR_MAX];
		size_t n = sargs_lv_holidays_of_year(c->year, NULL, list, SARGS_LV_YEAR_MAX);
		char got[256] = "";
		size_t used = 0;

		for (size_t k = 0; k < n && used < sizeof(got); k++) {
			int w = snprintf(got + used, sizeof(got) - used, "%s%02d-%02d", k ? " " : "",
					 list[k].month, list[k].day);

			assert_true(w > 0);
			used += (size_t)w;
			assert_non_null(list[k].name_lv);
			assert_non_null(list[k].name_en);
			assert_int_equal(list[k].from_file, 0);
		}
		if (n != c->count || strcmp(got, c->dates) != 0)
			fail_msg("year row %zu (%s): expected %zu [%s], got %zu [%s]", i, c->rule,
				 c->count, c->dates, n, got);
	}
	assert_int_equal(sargs_lv_holidays_of_year(0, NULL, NULL, 0), 0);
	assert_int_equal(sargs_lv_holidays_of_year(10000, NULL, NULL, 0), 0);
}

static void test_holiday_names(void **state)
{
	const char *lv = NULL, *en = NULL;

	(void)state;
	assert_int_equal(sargs_lv_holiday_name(2026, 11, 18, NULL, &lv, &en), 1);
	assert_string_equal(lv, "Latvijas Republikas Proklamēšanas diena");
	assert_string_equal(en, "Proclamation Day of the Republic of Latvia");
	assert_int_equal(sargs_lv_holiday_name(2024, 5, 6, NULL, &lv, &en), 1);
	assert_non_null(strstr(en, "4 May"));
	assert_int_equal(sargs_lv_holiday_name(2026, 11, 19, NULL, &lv, &en), 0);
	assert_string_equal(sargs_weekday_name(1), "Monday");
	assert_string_equal(sargs_weekday_name(7), "Sunday");
	assert_string_equal(sargs_weekday_name(0), "?");
}

/* ---- deadlines ------------------------------------------------------------ */

struct deadline_case {
	int y, m, d, months;
	int with_extra;          /* use the extra file of test_extra_file_text */
	enum sargs_rc rc;
	int ey, em, ed;          /* expected last day (when rc == SARGS_OK) */
	const char *rule;
};

#define GDPR1 "GDPR Art. 12(3) one month; "
#define GDPR3 "GDPR Art. 12(3) extended, 3 months from receipt; "
#define A32C "Reg. 1182/71 Art. 3(2)(c): "
#define A34 "Reg. 1182/71 Art. 3(4): "
#define OK SARGS_OK
#define BAD SARGS_E_INVALID

static const struct deadline_case deadline_cases[] = {
	/* the end of a month */
	{2026, 1, 31, 1, 0, OK, 2026, 3, 2,
	 GDPR1 A32C "31 Feb does not exist -> Sat 28 Feb 2026; " A34 "-> Mon 2 Mar"},
	{2024, 1, 31, 1, 0, OK, 2024, 2, 29, GDPR1 A32C "31 Feb 2024 -> Thu 29 Feb (leap year)"},
	{2100, 1, 31, 1, 0, OK, 2100, 3, 1,
	 GDPR1 A32C "2100 not a leap year -> Sun 28 Feb; " A34 "-> Mon 1 Mar"},
	{2026, 3, 31, 1, 0, OK, 2026, 4, 30, GDPR1 A32C "31 Apr does not exist -> Thu 30 Apr"},
	{2025, 12, 31, 1, 0, OK, 2026, 2, 2,
	 GDPR1 "same date 31 Jan 2026 is a Saturday; " A34 "-> Mon 2 Feb"},
	{2024, 12, 31, 1, 0, OK, 2025, 1, 31, GDPR1 "year boundary, Fri 31 Jan 2025"},
	{2023, 12, 31, 1, 0, OK, 2024, 1, 31, GDPR1 "year boundary, Wed 31 Jan 2024"},
	{2026, 2, 28, 1, 0, OK, 2026, 3, 30,
	 GDPR1 A32C "same date 28 Mar 2026 (Saturday), " A34 "-> Mon 30 Mar"},
	/* receipt on a holiday: Art. 3(1) — the event day is not counted, no roll */
	{2026, 11, 18, 1, 0, OK, 2026, 12, 18,
	 GDPR1 "receipt on 18 November 2026 itself -> Fri 18 Dec"},
	{2026, 12, 25, 1, 0, OK, 2027, 1, 25, GDPR1 "receipt on Christmas Day -> Mon 25 Jan 2027"},
	/* Midsummer */
	{2026, 5, 23, 1, 0, OK, 2026, 6, 25,
	 GDPR1 A34 "Tue 23 Jun (Līgo), Wed 24 Jun (Jāņi) -> Thu 25 Jun"},
	{2026, 5, 24, 1, 0, OK, 2026, 6, 25, GDPR1 A34 "Wed 24 Jun (Jāņi) -> Thu 25 Jun"},
	{2027, 5, 23, 1, 0, OK, 2027, 6, 25,
	 GDPR1 A34 "Wed 23 Jun, Thu 24 Jun 2027 -> Fri 25 Jun"},
	/* Christmas and New Year */
	{2026, 11, 24, 1, 0, OK, 2026, 12, 28,
	 GDPR1 A34 "Thu 24, Fri 25, Sat 26, Sun 27 Dec 2026 -> Mon 28 Dec"},
	{2026, 11, 25, 1, 0, OK, 2026, 12, 28, GDPR1 A34 "Fri 25 Dec 2026 -> Mon 28 Dec"},
	{2026, 11, 26, 1, 0, OK, 2026, 12, 28, GDPR1 A34 "Sat 26 Dec 2026 -> Mon 28 Dec"},
	{2027, 11, 24, 1, 0, OK, 2027, 12, 27,
	 GDPR1 A34 "Fri 24 Dec 2027, weekend 25-26 -> Mon 27 Dec"},
	{2026, 10, 31, 2, 0, OK, 2027, 1, 4,
	 A34 "two months to Thu 31 Dec 2026, Fri 1 Jan, weekend -> Mon 4 Jan 2027"},
	{2028, 11, 30, 1, 0, OK, 2029, 1, 2,
	 GDPR1 A34 "Sat 30 Dec, Sun 31 Dec (holiday), Mon 1 Jan 2029 -> Tue 2 Jan"},
	{2023, 11, 30, 1, 0, OK, 2024, 1, 2,
	 GDPR1 A34 "Sat 30 Dec 2023, Sun 31, Mon 1 Jan 2024 -> Tue 2 Jan"},
	{2022, 11, 30, 1, 0, OK, 2022, 12, 30, GDPR1 "Fri 30 Dec 2022 is working"},
	{2025, 11, 30, 1, 0, OK, 2025, 12, 30, GDPR1 "Tue 30 Dec 2025 is working"},
	/* Easter */
	{2026, 3, 3, 1, 0, OK, 2026, 4, 7,
	 GDPR1 A34 "Good Friday 3 Apr 2026, weekend, Easter Monday -> Tue 7 Apr"},
	{2026, 3, 6, 1, 0, OK, 2026, 4, 7, GDPR1 A34 "Easter Monday 6 Apr 2026 -> Tue 7 Apr"},
	{2027, 2, 26, 1, 0, OK, 2027, 3, 30,
	 GDPR1 A34 "Good Friday 26 Mar 2027 -> Tue 30 Mar"},
	{2024, 2, 29, 1, 0, OK, 2024, 4, 2,
	 GDPR1 A34 "Fri 29 Mar 2024 is Good Friday -> Tue 2 Apr"},
	/* 4 May and 18 November on a weekend */
	{2024, 4, 4, 1, 0, OK, 2024, 5, 7,
	 GDPR1 A34 "Sat 4 May 2024, Sun, Mon 6 May (day off for 4 May) -> Tue 7 May"},
	{2024, 4, 6, 1, 0, OK, 2024, 5, 7, GDPR1 A34 "Mon 6 May 2024 day off -> Tue 7 May"},
	{2026, 4, 1, 1, 0, OK, 2026, 5, 5,
	 GDPR1 A34 "Fri 1 May 2026, weekend, Mon 4 May -> Tue 5 May"},
	{2023, 10, 20, 1, 0, OK, 2023, 11, 21,
	 GDPR1 A34 "Mon 20 Nov 2023 (day off for 18 Nov) -> Tue 21 Nov"},
	/* extended deadline: 3 months from receipt, not from the first deadline */
	{2026, 1, 31, 3, 0, OK, 2026, 4, 30,
	 GDPR3 A32C "31 Apr does not exist -> Thu 30 Apr (not 2 Jun)"},
	{2026, 3, 24, 3, 0, OK, 2026, 6, 25, GDPR3 A34 "Wed 24 Jun 2026 -> Thu 25 Jun"},
	{2024, 11, 30, 3, 0, OK, 2025, 2, 28, GDPR3 "Fri 28 Feb 2025"},
	{2023, 11, 30, 3, 0, OK, 2024, 2, 29, GDPR3 "Thu 29 Feb 2024"},
	{2025, 1, 18, 3, 0, OK, 2025, 4, 22,
	 GDPR3 A34 "Good Friday 18 Apr 2025, weekend, Easter Monday -> Tue 22 Apr"},
	{2026, 9, 26, 3, 0, OK, 2026, 12, 28,
	 GDPR3 A34 "Sat 26 Dec 2026, Sun 27 -> Mon 28 Dec"},
	/* one-off holidays from the extra file */
	{2023, 4, 29, 1, 0, OK, 2023, 5, 29, GDPR1 "Mon 29 May 2023 without the extra file"},
	{2023, 4, 29, 1, 1, OK, 2023, 5, 30,
	 GDPR1 A34 "29 May 2023 (hockey bronze, extra file) -> Tue 30 May"},
	{2023, 6, 10, 1, 1, OK, 2023, 7, 11,
	 GDPR1 A34 "10 Jul 2023 (after the Song and Dance Festival) -> Tue 11 Jul"},
	{2018, 6, 9, 1, 1, OK, 2018, 7, 10,
	 GDPR1 A34 "9 Jul 2018 (after the Song and Dance Festival) -> Tue 10 Jul"},
	/* invalid input */
	{2026, 2, 30, 1, 0, BAD, 0, 0, 0, "invalid date: 30 February"},
	{2026, 13, 1, 1, 0, BAD, 0, 0, 0, "invalid date: month 13"},
	{2026, 0, 1, 1, 0, BAD, 0, 0, 0, "invalid date: month 0"},
	{2026, 1, 0, 1, 0, BAD, 0, 0, 0, "invalid date: day 0"},
	{2025, 2, 29, 1, 0, BAD, 0, 0, 0, "invalid date: 29 February 2025"},
	{0, 1, 1, 1, 0, BAD, 0, 0, 0, "invalid date: year 0"},
	{2026, 1, 1, 0, 0, BAD, 0, 0, 0, "period of 0 months"},
	{2026, 1, 1, -1, 0, BAD, 0, 0, 0, "negative period"},
	{2026, 1, 1, 1201, 0, BAD, 0, 0, 0, "period over 100 years"},
	{9999, 12, 1, 1, 0, BAD, 0, 0, 0, "end after 9999-12-31"},
	{9999, 11, 24, 1, 0, OK, 9999, 12, 27,
	 GDPR1 A34 "Fri 24 Dec 9999, holidays and weekend -> Mon 27 Dec"},
	{9999, 10, 31, 2, 0, BAD, 0, 0, 0,
	 A34 "Fri 31 Dec 9999 is a holiday: the next working day is past 9999"},
};

static const char test_extra_file_text[] =
	"# one-off days off (test)\n"
	"2023-07-10 day after the Song and Dance Festival closing day\r\n"
	"\n"
	"   \t\n"
	"2023-05-29\t# hockey bronze\n"
	"  # indented comment\n"
	"2018-07-09\n"
	"2023-05-29 duplicate is merged\n";

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

static void load_extra(const char *dir, struct sargs_holidays *h)
{
	char path[600];
	struct sargs_err err;

	(void)snprintf(path, sizeof(path), "%s/extra.txt", dir);
	write_file(path, test_extra_file_text);
	sargs_err_clear(&err);
	if (sargs_holidays_load(path, h, &err) != SARGS_OK)
		fail_msg("loading the test holidays file: %s", err.msg);
}

static void test_deadline_table(void **state)
{
	char dir[512];
	struct sargs_holidays *extra = calloc(1, sizeof(*extra));

	(void)state;
	assert_non_null(extra);
	test_tmpdir("calendar", dir, sizeof(dir));
	load_extra(dir, extra);
	for (size_t i = 0; i < N_ROWS(deadline_cases); i++) {
		const struct deadline_case *c = &deadline_cases[i];
		int y = -1, m = -1, d = -1;
		enum sargs_rc rc = sargs_deadline_months(c->y, c->m, c->d, c->months,
							 c->with_extra ? extra : NULL, &y, &m, &d);

		if (rc != c->rc)
			fail_msg("deadline row %zu (%s): expected rc %d, got %d", i, c->rule,
				 (int)c->rc, (int)rc);
		if (rc == SARGS_OK && (y != c->ey || m != c->em || d != c->ed))
			fail_msg("deadline row %zu (%s): expected %d-%02d-%02d, got %d-%02d-%02d", i,
				 c->rule, c->ey, c->em, c->ed, y, m, d);
	}
	free(extra);
	test_rmtree(dir);
}

static void test_period_end_unmoved(void **state)
{
	int y, m, d;

	(void)state;
	/* Reg. 1182/71 Art. 3(2)(c) alone: the nominal day, before Art. 3(4) */
	assert_int_equal(sargs_period_months_end(2026, 1, 31, 1, &y, &m, &d), SARGS_OK);
	assert_int_equal(y * 10000 + m * 100 + d, 20260228);
	assert_int_equal(sargs_period_months_end(2026, 11, 24, 1, &y, &m, &d), SARGS_OK);
	assert_int_equal(y * 10000 + m * 100 + d, 20261224);
	assert_int_equal(sargs_period_months_end(2026, 11, 30, 14, &y, &m, &d), SARGS_OK);
	assert_int_equal(y * 10000 + m * 100 + d, 20280130);
	assert_int_equal(sargs_period_months_end(2026, 2, 29, 1, &y, &m, &d), SARGS_E_INVALID);
}

/* ---- the holidays file ------------------------------------------------- */

static void test_extra_file_loaded(void **state)
{
	char dir[512];
	struct sargs_holidays *h = calloc(1, sizeof(*h));
	struct sargs_lv_holiday list[SARGS_LV_YEAR_MAX];
	size_t n;
	int found = 0;

	(void)state;
	assert_non_null(h);
	test_tmpdir("calendar", dir, sizeof(dir));
	load_extra(dir, h);
	assert_int_equal(h->count, 3);
	/* sorted, duplicates merged, comments kept without the '#' */
	assert_true(h->days[0].day == sargs_days_from_civil(2018, 7, 9));
	assert_true(h->days[1].day == sargs_days_from_civil(2023, 5, 29));
	assert_true(h->days[2].day == sargs_days_from_civil(2023, 7, 10));
	assert_string_equal(h->days[0].note, "");
	assert_string_equal(h->days[1].note, "hockey bronze");
	assert_string_equal(h->days[2].note,
			    "day after the Song and Dance Festival closing day");
	assert_int_equal(sargs_lv_is_public_holiday(2023, 5, 29, h), 1);
	assert_int_equal(sargs_lv_is_working_day(2023, 5, 29, h), 0);
	assert_int_equal(sargs_lv_is_public_holiday(2023, 5, 30, h), 0);
	assert_int_equal(sargs_lv_is_working_day(2023, 5, 29, NULL), 1);
	n = sargs_lv_holidays_of_year(2023, h, list, SARGS_LV_YEAR_MAX);
	assert_int_equal(n, 18); /* 16 statutory + 29 May + 10 July */
	for (size_t i = 0; i < n; i++) {
		if (list[i].from_file) {
			assert_non_null(list[i].note);
			found++;
		}
		if (i > 0)
			assert_true(list[i - 1].month * 100 + list[i - 1].day <=
				    list[i].month * 100 + list[i].day);
	}
	assert_int_equal(found, 2);
	free(h);
	test_rmtree(dir);
}

struct load_case {
	const char *text;
	enum sargs_rc rc;
	const char *in_message; /* substring of err.msg when rc != OK */
	size_t count;
	const char *rule;
};

static const struct load_case load_cases[] = {
	{"", SARGS_OK, NULL, 0, "empty file"},
	{"# only comments\n\n", SARGS_OK, NULL, 0, "only comments and blank lines"},
	{"2023-05-29", SARGS_OK, NULL, 1, "no final newline"},
	{"2023-05-29\n2023-02-30 x\n", SARGS_E_INVALID, "line 2", 0, "30 February"},
	{"# c\n\ngarbage\n", SARGS_E_INVALID, "line 3", 0, "garbage line"},
	{"2023-5-29\n", SARGS_E_INVALID, "line 1", 0, "month without leading zero"},
	{"2023-05-29x\n", SARGS_E_INVALID, "line 1", 0, "date glued to text"},
	{"2023-13-01\n", SARGS_E_INVALID, "line 1", 0, "month 13"},
	{"2023/05/29\n", SARGS_E_INVALID, "line 1", 0, "slashes"},
	{"2023-05-29\n\n\n\n2023-05-32\n", SARGS_E_INVALID, "line 5", 0, "day 32 after blanks"},
	{"2023-05-29T10:00Z\n", SARGS_E_INVALID, "line 1", 0, "a time, not a date"},
};

static void test_load_table(void **state)
{
	char dir[512], path[600];
	struct sargs_holidays *h = calloc(1, sizeof(*h));

	(void)state;
	assert_non_null(h);
	test_tmpdir("calendar", dir, sizeof(dir));
	(void)snprintf(path, sizeof(path), "%s/h.txt", dir);
	for (size_t i = 0; i < N_ROWS(load_cases); i++) {
		const struct load_case *c = &load_cases[i];
		struct sargs_err err;
		enum sargs_rc rc;

		write_file(path, c->text);
		sargs_err_clear(&err);
		h->count = 7; /* something left from before must not survive */
		rc = sargs_holidays_load(path, h, &err);
		if (rc != c->rc)
			fail_msg("load row %zu (%s): expected rc %d, got %d (%s)", i, c->rule,
				 (int)c->rc, (int)rc, err.msg);
		if (h->count != c->count)
			fail_msg("load row %zu (%s): expected %zu dates, got %zu", i, c->rule,
				 c->count, h->count);
		if (c->in_message != NULL && strstr(err.msg, c->in_message) == NULL)
			fail_msg("load row %zu (%s): message '%s' lacks '%s'", i, c->rule, err.msg,
				 c->in_message);
	}
	free(h);
	test_rmtree(dir);
}

static void test_load_limits(void **state)
{
	char dir[512], path[600];
	struct sargs_holidays *h = calloc(1, sizeof(*h));
	struct sargs_err err;
	char *text;
	size_t used = 0, cap = (SARGS_HOLIDAYS_MAX + 1) * 12 + 1;

	(void)state;
	assert_non_null(h);
	test_tmpdir("calendar", dir, sizeof(dir));
	(void)snprintf(path, sizeof(path), "%s/h.txt", dir);

	/* one date more than the cap: refused, naming the line */
	text = malloc(cap);
	assert_non_null(text);
	for (int i = 0; i <= SARGS_HOLIDAYS_MAX; i++) {
		int y, m, d, w;

		sargs_civil_from_days(sargs_days_from_civil(2030, 1, 1) + i, &y, &m, &d);
		w = snprintf(text + used, cap - used, "%04d-%02d-%02d\n", y, m, d);
		assert_int_equal(w, 11);
		used += (size_t)w;
	}
	write_file(path, text);
	sargs_err_clear(&err);
	assert_int_equal(sargs_holidays_load(path, h, &err), SARGS_E_INVALID);
	assert_int_equal(h->count, 0);
	assert_non_null(strstr(err.msg, "line 257"));
	free(text);

	/* a file over the size cap */
	text = malloc(SARGS_HOLIDAYS_FILE_MAX + 2);
	assert_non_null(text);
	memset(text, '#', SARGS_HOLIDAYS_FILE_MAX + 1);
	text[SARGS_HOLIDAYS_FILE_MAX + 1] = '\0';
	write_file(path, text);
	assert_int_equal(sargs_holidays_load(path, h, &err), SARGS_E_INVALID);
	assert_int_equal(h->count, 0);
	free(text);

	/* a missing file */
	(void)snprintf(path, sizeof(path), "%s/missing.txt", dir);
	assert_int_not_equal(sargs_holidays_load(path, h, &err), SARGS_OK);
	assert_int_equal(h->count, 0);

	/* a long comment is cut, not refused */
	(void)snprintf(path, sizeof(path), "%s/long.txt", dir);
	text = malloc(400);
	assert_non_null(text);
	memcpy(text, "2023-05-29 ", 11);
	memset(text + 11, 'x', 300);
	text[311] = '\0';
	write_file(path, text);
	assert_int_equal(sargs_holidays_load(path, h, &err), SARGS_OK);
	assert_int_equal(h->count, 1);
	assert_int_equal(strlen(h->days[0].note), SARGS_HOLIDAY_NOTE_BYTES - 1);
	free(text);
	free(h);
	test_rmtree(dir);
}

static void test_date_parse(void **state)
{
	int y, m, d;

	(void)state;
	assert_int_equal(sargs_date_parse("2026-01-31", &y, &m, &d), SARGS_OK);
	assert_int_equal(y * 10000 + m * 100 + d, 20260131);
	assert_int_equal(sargs_date_parse("2024-02-29", &y, &m, &d), SARGS_OK);
	assert_int_equal(sargs_date_parse("2026-02-29", &y, &m, &d), SARGS_E_INVALID);
	assert_int_equal(sargs_date_parse("2026-01-31T00:00Z", &y, &m, &d), SARGS_E_INVALID);
	assert_int_equal(sargs_date_parse("26-01-31", &y, &m, &d), SARGS_E_INVALID);
	assert_int_equal(sargs_date_parse("", &y, &m, &d), SARGS_E_INVALID);
	assert_int_equal(sargs_date_parse(NULL, &y, &m, &d), SARGS_E_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_easter_table),
		cmocka_unit_test(test_holiday_table),
		cmocka_unit_test(test_year_list_table),
		cmocka_unit_test(test_holiday_names),
		cmocka_unit_test(test_deadline_table),
		cmocka_unit_test(test_period_end_unmoved),
		cmocka_unit_test(test_extra_file_loaded),
		cmocka_unit_test(test_load_table),
		cmocka_unit_test(test_load_limits),
		cmocka_unit_test(test_date_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
