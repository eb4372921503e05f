/*
 * calendar_lv.c — Latvian public holidays, working days and deadlines in
 * months (Reg. 1182/71 Art. 3) for the GDPR Art. 12(3) answer deadline.
 *
 * Sources checked while writing this:
 *  - Law "Par svētku, atceres un atzīmējamām dienām" Art. 1 (consolidated text
 *    with amendments up to 02.10.2014, in force 22.10.2014), listing 1 Jan;
 *    Good Friday, Easter Sunday, Easter Monday; 1 May; 4 May; second Sunday
 *    of May; Whitsunday; 23 and 24 June; the closing day of the General
 *    Latvian Song and Dance Festival; 18 November; 24, 25, 26 December;
 *    31 December; and "if 4 May, the Festival closing day or 18 November falls
 *    on a Saturday or Sunday, the next working day is a day off".
 *  - Original 1990 text (likumi.lv id 72608, version 03.10.1990): no 4 May,
 *    no Easter Monday, no 24 December.
 *  - 4 May a holiday since the amendment of 21.03.2002 (in force 23.04.2002).
 *  - 24 December and the weekend rule for 4 May / 18 November: amendment of
 *    24.05.2007, in force 26.06.2007 (18 Nov 2007, a Sunday, gave 19 Nov).
 *  - Easter is the Western (Gregorian) one: the law names no date; the
 *    Saeima Legal Bureau says it follows the Western church calendar.
 * Not confirmed: the year Easter Monday became a holiday (an amendment
 * between 1995 and 2002); it is applied to every year.
 */
#include "util/calendar_lv.h"

#include "util/fsutil.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

#define DAY_US ((int64_t)86400 * 1000000)
/* Law amendment of 24.05.2007 in force: 24 Dec and the weekend rule. */
#define Y2007_RULES_FROM_M 6
#define Y2007_RULES_FROM_D 26
/* Longest run of non-working days we search through before giving up. */
#define MAX_ROLL_DAYS 366

enum sargs_rc sargs_date_parse(const char *s, int *y, int *m, int *d)
{
	int64_t us;

	if (s == NULL || strlen(s) != 10 || sargs_time_parse(s, &us) != SARGS_OK)
		return SARGS_E_INVALID;
	/* a bare date parses to its midnight, so the division is exact */
	sargs_civil_from_days(us / DAY_US, y, m, d);
	return SARGS_OK;
}

int sargs_weekday(int y, int m, int d)
{
	int64_t days = sargs_days_from_civil(y, m, d);
	int64_t r = ((days % 7) + 7) % 7; /* 0 = Thursday 1970-01-01 */

	return (int)((r + 3) % 7) + 1;
}

const char *sargs_weekday_name(int iso_weekday)
{
	static const char *const names[] = {"Monday", "Tuesday", "Wednesday", "Thursday",
					    "Friday", "Saturday", "Sunday"};

	if (iso_weekday < 1 || iso_weekday > 7)
		return "?";
	return names[iso_weekday - 1];
}

/*
 * Anonymous Gregorian computus (Meeus/Jones/Butcher). The law names Easter
 * without a date; Latvia follows the Western church calendar.
 */
void sargs_easter_gregorian(int y, int *m, int *d)
{
	int a = y % 19;
	int b = y / 100;
	int c = y % 100;
	int dd = b / 4;
	int e = b % 4;
	int f = (b + 8) / 25;
	int g = (b - f + 1) / 3;
	int h = (19 * a + b - dd - g + 15) % 30;
	int i = c / 4;
	int k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int mm = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * mm + 114) / 31;
	int day = ((h + l - 7 * mm + 114) % 31) + 1;

	*m = month;
	*d = day;
}

int sargs_holidays_contains(const struct sargs_holidays *h, int64_t day)
{
	size_t lo = 0, hi;

	if (h == NULL)
		return 0;
	hi = h->count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->days[mid].day == day)
			return 1;
		if (h->days[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

/* ---- statutory holidays ------------------------------------------------ */

static int on_or_after(int y, int m, int d, int fy, int fm, int fd)
{
	return sargs_days_from_civil(y, m, d) >= sargs_days_from_civil(fy, fm, fd);
}

static void add_day(struct sargs_lv_holiday *list, size_t *n, int64_t day, const char *lv,
		    const char *en)
{
	int yy, mm, dd;

	/* SARGS_LV_STATUTORY_MAX is above the most a year can have (17) */
	if (*n >= SARGS_LV_STATUTORY_MAX)
		abort();
	sargs_civil_from_days(day, &yy, &mm, &dd);
	list[*n].month = mm;
	list[*n].day = dd;
	list[*n].name_lv = lv;
	list[*n].name_en = en;
	list[*n].note = NULL;
	list[*n].from_file = 0;
	(*n)++;
}

/*
 * Law "Par svētku, atceres un atzīmējamām dienām" Art. 1: the dated holidays
 * of year y, plus the day off after 4 May / 18 November on a weekend.
 * Unsorted; the caller sorts.
 */
static size_t statutory_list(int y, struct sargs_lv_holiday *list)
{
	size_t n = 0;
	int em, ed, wd;
	int64_t easter, nov18, mothers;
	/* Art. 1 last paragraph, in force 26.06.2007 */
	int weekend_rule_may = on_or_after(y, 5, 4, 2007, Y2007_RULES_FROM_M, Y2007_RULES_FROM_D);
	int weekend_rule_nov =
		on_or_after(y, 11, 18, 2007, Y2007_RULES_FROM_M, Y2007_RULES_FROM_D);

	sargs_easter_gregorian(y, &em, &ed);
	easter = sargs_days_from_civil(y, em, ed);
	add_day(list, &n, sargs_days_from_civil(y, 1, 1), "Jaungada diena", "New Year's Day");
	add_day(list, &n, easter - 2, "Lielā Piektdiena", "Good Friday");
	add_day(list, &n, easter, "Pirmās Lieldienas", "Easter Sunday");
	/* start year not confirmed (between 1995 and 2002): applied to all years */
	add_day(list, &n, easter + 1, "Otrās Lieldienas", "Easter Monday");
	add_day(list, &n, sargs_days_from_civil(y, 5, 1),
		"Darba svētki, Latvijas Republikas Satversmes sapulces sasaukšanas diena",
		"Labour Day, Convocation of the Constituent Assembly");
	/* a holiday since the amendment of 21.03.2002 (in force 23.04.2002) */
	if (y >= 2002) {
		int64_t may4 = sargs_days_from_civil(y, 5, 4);

		add_day(list, &n, may4, "Latvijas Republikas Neatkarības atjaunošanas diena",
			"Restoration of Independence Day");
		wd = sargs_weekday(y, 5, 4);
		/* next working day = the Monday: no other holiday falls on 5-6 May */
		if (weekend_rule_may && wd >= 6)
			add_day(list, &n, may4 + (8 - wd), "brīvdiena par 4. maiju (sestdienā vai svētdienā)",
				"day off for 4 May falling on a weekend");
	}
	/* second Sunday of May: 8-14 May */
	mothers = sargs_days_from_civil(y, 5, 8);
	mothers += (7 - sargs_weekday(y, 5, 8)) % 7;
	add_day(list, &n, mothers, "Mātes diena", "Mother's Day");
	add_day(list, &n, easter + 49, "Vasarsvētki", "Whitsunday");
	add_day(list, &n, sargs_days_from_civil(y, 6, 23), "Līgo diena", "Midsummer Eve");
	add_day(list, &n, sargs_days_from_civil(y, 6, 24), "Jāņu diena", "Midsummer Day");
	nov18 = sargs_days_from_civil(y, 11, 18);
	add_day(list, &n, nov18, "Latvijas Republikas Proklamēšanas diena",
		"Proclamation Day of the Republic of Latvia");
	wd = sargs_weekday(y, 11, 18);
	if (weekend_rule_nov && wd >= 6)
		add_day(list, &n, nov18 + (8 - wd),
			"brīvdiena par 18. novembri (sestdienā vai svētdienā)",
			"day off for 18 November falling on a weekend");
	/* 24 December since the amendment of 24.05.2007 (in force 26.06.2007) */
	if (y >= 2007)
		add_day(list, &n, sargs_days_from_civil(y, 12, 24), "Ziemassvētku vakars",
			"Christmas Eve");
	add_day(list, &n, sargs_days_from_civil(y, 12, 25), "Pirmie Ziemassvētki",
		"Christmas Day");
	add_day(list, &n, sargs_days_from_civil(y, 12, 26), "Otrie Ziemassvētki",
		"Second Day of Christmas");
	add_day(list, &n, sargs_days_from_civil(y, 12, 31), "Vecgada diena", "New Year's Eve");
	return n;
}

static const char extra_lv[] = "papildu svētku diena no brīvdienu faila";
static const char extra_en[] = "extra public holiday listed in the holidays file";

/* Law "Par svētku, atceres un atzīmējamām dienām" Art. 1, plus extra. */
int sargs_lv_holiday_name(int y, int m, int d, const struct sargs_holidays *extra,
			  const char **lv, const char **en)
{
	struct sargs_lv_holiday list[SARGS_LV_STATUTORY_MAX];
	size_t n;

	if (!sargs_date_valid(y, m, d))
		return 0;
	n = statutory_list(y, list);
	for (size_t i = 0; i < n; i++) {
		if (list[i].month == m && list[i].day == d) {
			if (lv != NULL)
				*lv = list[i].name_lv;
			if (en != NULL)
				*en = list[i].name_en;
			return 1;
		}
	}
	if (sargs_holidays_contains(extra, sargs_days_from_civil(y, m, d))) {
		if (lv != NULL)
			*lv = extra_lv;
		if (en != NULL)
			*en = extra_en;
		return 1;
	}
	return 0;
}

int sargs_lv_is_public_holiday(int y, int m, int d, const struct sargs_holidays *extra)
{
	return sargs_lv_holiday_name(y, m, d, extra, NULL, NULL);
}

/* Reg. 1182/71 Art. 2(2): working days are all days other than public
 * holidays, Sundays and Saturdays. */
int sargs_lv_is_working_day(int y, int m, int d, const struct sargs_holidays *extra)
{
	if (!sargs_date_valid(y, m, d))
		return 0;
	return sargs_weekday(y, m, d) <= 5 && !sargs_lv_is_public_holiday(y, m, d, extra);
}

static int cmp_holiday(const void *a, const void *b)
{
	const struct sargs_lv_holiday *x = a, *y = b;

	if (x->month != y->month)
		return x->month < y->month ? -1 : 1;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	/* statutory before file entries on the same day */
	return x->from_file - y->from_file;
}

size_t sargs_lv_holidays_of_year(int y, const struct sargs_holidays *extra,
				 struct sargs_lv_holiday *out, size_t out_cap)
{
	struct sargs_lv_holiday all[SARGS_LV_YEAR_MAX];
	size_t n;

	if (y < 1 || y > 9999)
		return 0;
	n = statutory_list(y, all);
	if (extra != NULL) {
		for (size_t i = 0; i < extra->count && n < SARGS_LV_YEAR_MAX; i++) {
			int yy, mm, dd;

			sargs_civil_from_days(extra->days[i].day, &yy, &mm, &dd);
			if (yy != y)
				continue;
			all[n].month = mm;
			all[n].day = dd;
			all[n].name_lv = extra_lv;
			all[n].name_en = extra_en;
			all[n].note = extra->days[i].note;
			all[n].from_file = 1;
			n++;
		}
	}
	qsort(all, n, sizeof(all[0]), cmp_holiday);
	if (out != NULL)
		memcpy(out, all, (n < out_cap ? n : out_cap) * sizeof(all[0]));
	return n;
}

/* ---- deadlines ----------------------------------------------------------- */

/*
 * Reg. 1182/71 Art. 3(1): the day of the event is not counted; Art. 3(2)(c):
 * a period in months ends on the day of the last month with the same date as
 * the event day, or on the last day of that month when that date does not
 * exist there.
 */
enum sargs_rc sargs_period_months_end(int y, int m, int d, int months, int *out_y,
				      int *out_m, int *out_d)
{
	int64_t index;
	int ey, em, last;

	if (!sargs_date_valid(y, m, d) || months < 1 || months > 1200)
		return SARGS_E_INVALID;
	index = (int64_t)y * 12 + (m - 1) + months;
	ey = (int)(index / 12);
	em = (int)(index % 12) + 1;
	if (ey > 9999)
		return SARGS_E_INVALID;
	last = sargs_days_in_month(ey, em);
	*out_y = ey;
	*out_m = em;
	*out_d = d <= last ? d : last;
	return SARGS_OK;
}

/*
 * GDPR Art. 12(3): answer within one month of receipt, extendable by two
 * further months (months = 3, counted from receipt). Reg. 1182/71
 * Art. 3(2)(c) for the nominal end; Art. 3(4): when the last day is a public
 * holiday, Sunday or Saturday, the period ends on the following working day.
 * (Art. 3(3): holidays and weekends inside the period count; Art. 3(5)'s
 * two-working-day minimum always holds for a period of a month or more.)
 */
enum sargs_rc sargs_deadline_months(int y, int m, int d, int months,
				    const struct sargs_holidays *extra, int *out_y, int *out_m,
				    int *out_d)
{
	int ey, em, ed;
	int64_t day;
	enum sargs_rc rc = sargs_period_months_end(y, m, d, months, &ey, &em, &ed);

	if (rc != SARGS_OK)
		return rc;
	day = sargs_days_from_civil(ey, em, ed);
	for (int i = 0; i <= MAX_ROLL_DAYS; i++) {
		int cy, cm, cd;

		sargs_civil_from_days(day + i, &cy, &cm, &cd);
		if (!sargs_date_valid(cy, cm, cd))
			return SARGS_E_INVALID; /* ran past 9999-12-31 */
		if (sargs_lv_is_working_day(cy, cm, cd, extra)) {
			*out_y = cy;
			*out_m = cm;
			*out_d = cd;
			return SARGS_OK;
		}
	}
	return SARGS_E_INVALID;
}

/* ---- holidays file -------------------------------------------------------- */

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Copies at most out_size - 1 bytes of s[0..len) into out without cutting a
 * UTF-8 sequence. */
static void copy_note(char *out, size_t out_size, const char *s, size_t len)
{
	if (len > out_size - 1) {
		len = out_size - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, s, len);
	out[len] = '\0';
}

/* Inserts (day, note) into h keeping it sorted; duplicates are merged. */
static enum sargs_rc insert_day(struct sargs_holidays *h, int64_t day, const char *note,
				size_t note_len)
{
	size_t pos = h->count;

	if (sargs_holidays_contains(h, day))
		return SARGS_OK;
	if (h->count >= SARGS_HOLIDAYS_MAX)
		return SARGS_E_INVALID;
	while (pos > 0 && h->days[pos - 1].day > day)
		pos--;
	memmove(&h->days[pos + 1], &h->days[pos], (h->count - pos) * sizeof(h->days[0]));
	h->days[pos].day = day;
	copy_note(h->days[pos].note, sizeof(h->days[pos].note), note, note_len);
	h->count++;
	return SARGS_OK;
}

enum sargs_rc sargs_holidays_load(const char *path, struct sargs_holidays *out,
				  struct sargs_err *err)
{
	char *text = NULL;
	size_t len = 0;
	const char *p, *end;
	enum sargs_rc rc;
	int line_no = 0;

	out->count = 0;
	rc = sargs_fs_read(path, SARGS_HOLIDAYS_FILE_MAX, &text, &len, err);
	if (rc != SARGS_OK)
		return rc;
	if (strlen(text) != len) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "holidays file: contains a NUL byte");
		goto fail;
	}
	p = text;
	end = text + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *lend = eol != NULL ? eol : end;
		const char *q = p;
		char date[11];
		int y, m, d;

		line_no++;
		if (lend > p && lend[-1] == '\r')
			lend--;
		while (q < lend && is_blank(*q))
			q++;
		if (q == lend || *q == '#')
			goto next;
		if (lend - q < 10 || (lend - q > 10 && !is_blank(q[10]))) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "holidays file line %d: expected YYYY-MM-DD [comment]",
					   line_no);
			goto fail;
		}
		memcpy(date, q, 10);
		date[10] = '\0';
		if (sargs_date_parse(date, &y, &m, &d) != SARGS_OK) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "holidays file line %d: '%s' is not a real date (YYYY-MM-DD)",
					   line_no, date);
			goto fail;
		}
		q += 10;
		while (q < lend && is_blank(*q))
			q++;
		if (q < lend && *q == '#') {
			q++;
			while (q < lend && is_blank(*q))
				q++;
		}
		if (insert_day(out, sargs_days_from_civil(y, m, d), q, (size_t)(lend - q)) !=
		    SARGS_OK) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "holidays file line %d: more than %d dates", line_no,
					   SARGS_HOLIDAYS_MAX);
			goto fail;
		}
next:
		p = eol != NULL ? eol + 1 : end;
	}
	free(text);
	return SARGS_OK;
fail:
	out->count = 0;
	free(text);
	return rc;
}
