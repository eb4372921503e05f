/*
 * test_util.c — unit tests of src/util: capped buffers (strbuf), time and
 * civil dates (timeutil), UUIDv7 (uuid), file helpers (fsutil) and the
 * synthetic people generator (synth).
 *
 * Expected calendar values (day numbers of 1900-03-01, 2000-02-29, ...) were
 * computed independently with Python's datetime, not with the code under test.
 */
#include "testutil.h"

#include "util/fsutil.h"
#include "util/jsonw.h"
#include "util/namefold.h"
#include "util/rc.h"
#include "util/strbuf.h"
#include "util/synth.h"
#include "util/timeutil.h"
#include "util/uuid.h"
#include "util/validate.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define US_PER_DAY ((int64_t)86400 * 1000000)

/* ===================================================================== strbuf */

static void test_strbuf_limit_exact(void **state)
{
	struct sargs_strbuf sb;
	char ten[10];

	(void)state;
	memset(ten, 'x', sizeof(ten));
	sargs_strbuf_init(&sb, 10);
	assert_int_equal(sargs_strbuf_add(&sb, ten, 4), SARGS_OK);
	assert_int_equal(sargs_strbuf_add(&sb, ten, 6), SARGS_OK); /* exactly at the cap */
	assert_int_equal(sb.len, 10);
	assert_memory_equal(sb.data, ten, 10);
	assert_int_equal(sb.data[10], '\0');
	/* one byte more is refused and leaves the buffer as it was */
	assert_int_equal(sargs_strbuf_add(&sb, "y", 1), SARGS_E_INVALID);
	assert_int_equal(sb.len, 10);
	assert_memory_equal(sb.data, ten, 10);
	assert_int_equal(sb.data[10], '\0');
	/* adding nothing at the cap is fine */
	assert_int_equal(sargs_strbuf_add(&sb, "", 0), SARGS_OK);
	assert_int_equal(sb.len, 10);
	sargs_strbuf_free(&sb);
	assert_null(sb.data);
	assert_int_equal(sb.len, 0);

	/* a single add over the cap is refused whole, not cut */
	sargs_strbuf_init(&sb, 10);
	assert_int_equal(sargs_strbuf_adds(&sb, "abcdefghijk"), SARGS_E_INVALID);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sargs_strbuf_adds(&sb, "abcdefghij"), SARGS_OK);
	assert_string_equal(sb.data, "abcdefghij");
	sargs_strbuf_free(&sb);

	/* a cap of zero admits only empty adds */
	sargs_strbuf_init(&sb, 0);
	assert_int_equal(sargs_strbuf_add(&sb, "a", 1), SARGS_E_INVALID);
	assert_int_equal(sargs_strbuf_add(&sb, "", 0), SARGS_OK);
	assert_int_equal(sb.len, 0);
	sargs_strbuf_free(&sb);

	/* a huge n cannot overflow the length check */
	sargs_strbuf_init(&sb, 100);
	assert_int_equal(sargs_strbuf_add(&sb, "ab", 2), SARGS_OK);
	assert_int_equal(sargs_strbuf_add(&sb, "ab", SIZE_MAX), SARGS_E_INVALID);
	assert_int_equal(sargs_strbuf_add(&sb, "ab", SIZE_MAX - 1), SARGS_E_INVALID);
	assert_int_equal(sb.len, 2);
	sargs_strbuf_free(&sb);
}

static void test_strbuf_growth(void **state)
{
	struct sargs_strbuf sb;
	size_t i;

	(void)state;
	/* grow well past the first allocation; content must survive each move */
	sargs_strbuf_init(&sb, 100000);
	for (i = 0; i < 10000; i++) {
		char c = (char)('a' + i % 26);

		assert_int_equal(sargs_strbuf_add(&sb, &c, 1), SARGS_OK);
	}
	assert_int_equal(sb.len, 10000);
	assert_true(sb.cap > sb.len);
	for (i = 0; i < 10000; i++)
		assert_int_equal(sb.data[i], (char)('a' + i % 26));
	assert_int_equal(sb.data[10000], '\0');
	sargs_strbuf_free(&sb);
	/* the buffer may be reused after free */
	assert_int_equal(sargs_strbuf_adds(&sb, "again"), SARGS_OK);
	assert_string_equal(sb.data, "again");
	sargs_strbuf_free(&sb);
	sargs_strbuf_free(&sb); /* twice is harmless */
}

static void test_strbuf_addf(void **state)
{
	struct sargs_strbuf sb;

	(void)state;
	sargs_strbuf_init(&sb, 16);
	assert_int_equal(sargs_strbuf_addf(&sb, "%d-%s", 42, "ab"), SARGS_OK);
	assert_string_equal(sb.data, "42-ab");
	assert_int_equal(sb.len, 5);
	assert_int_equal(sargs_strbuf_addf(&sb, "%s", ""), SARGS_OK);
	assert_int_equal(sb.len, 5);
	/* 5 + 11 = 16: exactly at the cap */
	assert_int_equal(sargs_strbuf_addf(&sb, "%011d", 7), SARGS_OK);
	assert_string_equal(sb.data, "42-ab00000000007");
	assert_int_equal(sb.len, 16);
	/* one more character is refused and changes nothing */
	assert_int_equal(sargs_strbuf_addf(&sb, "%c", 'z'), SARGS_E_INVALID);
	assert_int_equal(sb.len, 16);
	assert_string_equal(sb.data, "42-ab00000000007");
	sargs_strbuf_free(&sb);

	/* a formatted string longer than the cap is refused whole */
	sargs_strbuf_init(&sb, 8);
	assert_int_equal(sargs_strbuf_addf(&sb, "%s", "123456789"), SARGS_E_INVALID);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sargs_strbuf_addf(&sb, "%s", "12345678"), SARGS_OK);
	assert_string_equal(sb.data, "12345678");
	sargs_strbuf_free(&sb);
}

static void test_strbuf_add_lv(void **state)
{
	struct sargs_strbuf sb;
	static const unsigned char expect_abc[] = {0, 0, 0, 3, 'a', 'b', 'c'};
	static const unsigned char expect_empty[] = {0, 0, 0, 0};
	unsigned char *big;
	size_t big_n = 0x010203;

	(void)state;
	sargs_strbuf_init(&sb, 100);
	assert_int_equal(sargs_strbuf_add_lv(&sb, "abc", 3), SARGS_OK);
	assert_int_equal(sb.len, sizeof(expect_abc));
	assert_memory_equal(sb.data, expect_abc, sizeof(expect_abc));
	sargs_strbuf_free(&sb);

	sargs_strbuf_init(&sb, 100);
	assert_int_equal(sargs_strbuf_add_lv(&sb, "", 0), SARGS_OK);
	assert_int_equal(sb.len, 4);
	assert_memory_equal(sb.data, expect_empty, 4);
	sargs_strbuf_free(&sb);

	/* big-endian with every length byte distinct */
	big = calloc(1, big_n);
	assert_non_null(big);
	sargs_strbuf_init(&sb, big_n + 4);
	assert_int_equal(sargs_strbuf_add_lv(&sb, big, big_n), SARGS_OK);
	assert_int_equal(sb.len, big_n + 4);
	assert_int_equal((unsigned char)sb.data[0], 0x00);
	assert_int_equal((unsigned char)sb.data[1], 0x01);
	assert_int_equal((unsigned char)sb.data[2], 0x02);
	assert_int_equal((unsigned char)sb.data[3], 0x03);
	sargs_strbuf_free(&sb);
	free(big);

	/* the limit counts the 4 length bytes too */
	sargs_strbuf_init(&sb, 6);
	assert_int_equal(sargs_strbuf_add_lv(&sb, "abc", 3), SARGS_E_INVALID);
	sargs_strbuf_free(&sb);
	sargs_strbuf_init(&sb, 7);
	assert_int_equal(sargs_strbuf_add_lv(&sb, "abc", 3), SARGS_OK);
	sargs_strbuf_free(&sb);
}

/* sargs_str_copy copies as snprintf(dst, size, "%s", src) does */
static void test_str_copy(void **state)
{
	static const char *const src[] = {"", "a", "abcd", "abcde", "abcdefghij"};
	char a[5], b[5];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		int fit = sargs_str_copy(a, sizeof(a), src[i]);

		(void)snprintf(b, sizeof(b), "%s", src[i]);
		assert_string_equal(a, b);
		assert_int_equal(fit, strlen(src[i]) < sizeof(a));
	}
	assert_int_equal(sargs_str_copy(a, 0, ""), 1);
	assert_int_equal(sargs_str_copy(a, 0, "x"), 0);
	assert_int_equal(sargs_str_copy(a, 1, "x"), 0);
	assert_string_equal(a, "");
}

/* sargs_json_str writes s as jansson's json_dumps writes it with
 * JSON_COMPACT | JSON_ENSURE_ASCII, byte for byte (s is valid UTF-8) */
static void expect_json_str_as_jansson(const char *s)
{
	struct sargs_strbuf b;
	json_t *j = json_string(s);
	char *want;

	assert_non_null(j);
	want = json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);
	assert_non_null(want);
	sargs_strbuf_init(&b, 1 << 16);
	assert_int_equal(sargs_json_str(&b, s), SARGS_OK);
	assert_string_equal(b.data, want);
	sargs_strbuf_free(&b);
	free(want);
	json_decref(j);
}

/* sargs_json_str writes what jansson's json_dumps writes with
 * JSON_COMPACT | JSON_ENSURE_ASCII, byte for byte, and refuses what
 * json_string refuses (text that is not UTF-8). */
static void test_json_str_as_jansson(void **state)
{
	static const char *const good[] = {
		"", "plain", "Anna Ozola", "say \"hi\"", "back\\slash", "a/b",
		"\b\f\n\r\t", "\x01\x1f\x7f", "Valdem\xc4\x81ra iela 117, Ventspils",
		"Kalni\xc5\x86\x61 \xc5\xa0\xc4\xb7\xc4\x93rsti\xc5\x86\xc5\xa1",
		"\xc3\x9f\xe2\x82\xac\xef\xbf\xbf", "\xf0\x9f\x98\x80 smile", "\xf4\x8f\xbf\xbf",
		"mixed \xd0\x96\" \\ \n end",
	};
	static const char *const bad[] = {
		"\x80", "a\xc3", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
		"\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "ok \xe2\x82",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		expect_json_str_as_jansson(good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sargs_strbuf b;

		assert_null(json_string(bad[i]));
		sargs_strbuf_init(&b, 4096);
		assert_int_equal(sargs_json_str(&b, bad[i]), SARGS_E_INVALID);
		sargs_strbuf_free(&b);
	}
	/* strings longer than the writer's own 256-byte steps, escapes
	 * falling across a step's end */
	{
		char longer[1200];
		size_t k;

		for (k = 0; k + 3 < sizeof(longer); k += 3) {
			/* a quote, a Latvian letter, control characters, in turn */
			static const char *const piece[] = {"ab\"", "\xc4\x81x", "c\n\t"};

			memcpy(longer + k, piece[(k / 3) % 3], 3);
		}
		longer[k] = '\0';
		for (size_t cut = 250; cut < 270; cut++) {
			char part[1200];
			json_t *probe;

			memcpy(part, longer, cut);
			part[cut] = '\0';
			probe = json_string(part);
			if (probe == NULL)
				continue; /* cut inside a letter: not UTF-8 */
			json_decref(probe);
			expect_json_str_as_jansson(part);
		}
		expect_json_str_as_jansson(longer);
	}
	/* the buffer's cap still holds */
	{
		struct sargs_strbuf b;

		sargs_strbuf_init(&b, 8);
		assert_int_not_equal(sargs_json_str(&b, "longer than eight"), SARGS_OK);
		assert_true(b.len <= 8);
		sargs_strbuf_free(&b);
	}
}

static void test_strbuf_take(void **state)
{
	struct sargs_strbuf sb;
	char *p;

	(void)state;
	sargs_strbuf_init(&sb, 100);
	assert_int_equal(sargs_strbuf_adds(&sb, "hello"), SARGS_OK);
	p = sargs_strbuf_take(&sb);
	assert_non_null(p);
	assert_string_equal(p, "hello");
	assert_null(sb.data);
	assert_int_equal(sb.len, 0);
	assert_int_equal(sb.cap, 0);
	free(p);
	/* sb is empty and reusable, the limit kept */
	assert_int_equal(sb.limit, 100);
	assert_int_equal(sargs_strbuf_adds(&sb, "x"), SARGS_OK);
	assert_string_equal(sb.data, "x");
	sargs_strbuf_free(&sb);

	/* taking from an empty buffer gives an empty string, not NULL */
	sargs_strbuf_init(&sb, 10);
	p = sargs_strbuf_take(&sb);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);
	sargs_strbuf_free(&sb);
}

/* =================================================================== timeutil */

struct civil_case {
	int y, m, d;
	int64_t days;
	const char *rule;
};

static const struct civil_case civil_cases[] = {
	{1970, 1, 1, 0, "epoch"},
	{1969, 12, 31, -1, "day before the epoch is negative"},
	{1900, 2, 28, -25509, "1900 is not a leap year: 28 Feb"},
	{1900, 3, 1, -25508, "1900 is not a leap year: 1 Mar follows 28 Feb"},
	{2000, 2, 29, 11016, "2000 is a leap year (divisible by 400)"},
	{2000, 3, 1, 11017, "day after 29 Feb 2000"},
	{2024, 2, 29, 19782, "2024 is a leap year"},
	{1600, 2, 29, -135081, "1600 is a leap year (negative era)"},
	{1, 1, 1, -719162, "first day of year 1"},
	{9999, 12, 31, 2932896, "last day of year 9999"},
};

static void test_civil_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(civil_cases); i++) {
		const struct civil_case *c = &civil_cases[i];
		int y = 0, m = 0, d = 0;

		if (sargs_days_from_civil(c->y, c->m, c->d) != c->days)
			fail_msg("civil row %zu (%s): days_from_civil gave %lld", i, c->rule,
				 (long long)sargs_days_from_civil(c->y, c->m, c->d));
		sargs_civil_from_days(c->days, &y, &m, &d);
		if (y != c->y || m != c->m || d != c->d)
			fail_msg("civil row %zu (%s): civil_from_days gave %d-%d-%d", i, c->rule,
				 y, m, d);
	}
}

static void test_civil_range(void **state)
{
	int64_t first = sargs_days_from_civil(1, 1, 1);
	int64_t last = sargs_days_from_civil(9999, 12, 31);
	int py, pm, pd;

	(void)state;
	sargs_civil_from_days(first, &py, &pm, &pd);
	assert_int_equal(py, 1);
	assert_int_equal(pm, 1);
	assert_int_equal(pd, 1);
	/* every day from year 1 to 9999: a valid date, the successor of the
	 * previous day, and mapping back to the same day number */
	for (int64_t z = first + 1; z <= last; z++) {
		int y, m, d;

		sargs_civil_from_days(z, &y, &m, &d);
		if (!sargs_date_valid(y, m, d))
			fail_msg("day %lld maps to invalid date %d-%d-%d", (long long)z, y, m, d);
		if (sargs_days_from_civil(y, m, d) != z)
			fail_msg("day %lld does not round-trip", (long long)z);
		if (d == 1) {
			/* a new month: previous day was the last of the previous month */
			int em = m == 1 ? 12 : m - 1, ey = m == 1 ? y - 1 : y;

			if (py != ey || pm != em || pd != sargs_days_in_month(ey, em))
				fail_msg("day %lld: %d-%d-%d does not follow %d-%d-%d",
					 (long long)z, y, m, d, py, pm, pd);
		} else if (py != y || pm != m || pd != d - 1) {
			fail_msg("day %lld: %d-%d-%d does not follow %d-%d-%d", (long long)z, y, m,
				 d, py, pm, pd);
		}
		py = y;
		pm = m;
		pd = d;
	}
}

struct dim_case {
	int y, m, days;
	const char *rule;
};

static const struct dim_case dim_cases[] = {
	{2023, 2, 28, "2023 not a leap year"},
	{2024, 2, 29, "2024 divisible by 4"},
	{1900, 2, 28, "1900 divisible by 100, not by 400"},
	{2000, 2, 29, "2000 divisible by 400"},
	{2100, 2, 28, "2100 divisible by 100, not by 400"},
	{2024, 1, 31, "January"},
	{2024, 4, 30, "April"},
	{2024, 12, 31, "December"},
	{2024, 0, 0, "month 0 does not exist"},
	{2024, 13, 0, "month 13 does not exist"},
};

static void test_days_in_month(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(dim_cases); i++) {
		const struct dim_case *c = &dim_cases[i];

		if (sargs_days_in_month(c->y, c->m) != c->days)
			fail_msg("days-in-month row %zu (%s): got %d", i, c->rule,
				 sargs_days_in_month(c->y, c->m));
	}
}

struct valid_case {
	int y, m, d, valid;
	const char *rule;
};

static const struct valid_case valid_cases[] = {
	{2024, 2, 29, 1, "29 Feb 2024 exists (leap year)"},
	{2023, 2, 29, 0, "29 Feb 2023 does not exist"},
	{1900, 2, 29, 0, "29 Feb 1900 does not exist"},
	{2000, 2, 29, 1, "29 Feb 2000 exists"},
	{2024, 4, 31, 0, "31 April does not exist"},
	{2024, 12, 31, 1, "31 December exists"},
	{2024, 1, 0, 0, "day 0"},
	{2024, 0, 1, 0, "month 0"},
	{2024, 13, 1, 0, "month 13"},
	{0, 1, 1, 0, "year 0 is out of range"},
	{1, 1, 1, 1, "year 1 is the first"},
	{9999, 12, 31, 1, "year 9999 is the last"},
	{10000, 1, 1, 0, "year 10000 is out of range"},
};

static void test_date_valid(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(valid_cases); i++) {
		const struct valid_case *c = &valid_cases[i];

		if (sargs_date_valid(c->y, c->m, c->d) != c->valid)
			fail_msg("date-valid row %zu (%s): got %d", i, c->rule,
				 sargs_date_valid(c->y, c->m, c->d));
	}
}

struct parse_case {
	const char *in;
	int ok;
	int64_t us;
	const char *rule;
};

#define DAY(z) ((int64_t)(z) * US_PER_DAY)

static const struct parse_case parse_cases[] = {
	{"1970-01-01", 1, 0, "epoch date alone is midnight"},
	{"1970-01-01T00:00:00Z", 1, 0, "epoch with seconds"},
	{"1970-01-01T00:00Z", 1, 0, "minutes precision"},
	{"1970-01-01T00:00:00.000001Z", 1, 1, "one microsecond"},
	{"1970-01-01T00:00:00.5Z", 1, 500000, "short fraction is scaled"},
	{"1969-12-31T23:59:59.999999Z", 1, -1, "one microsecond before the epoch"},
	{"2024-02-29", 1, DAY(19782), "29 Feb 2024 valid"},
	{"2024-02-29T23:59:59.999999Z", 1, DAY(19783) - 1, "last microsecond of 29 Feb 2024"},
	{"2000-02-29T12:00:00Z", 1, DAY(11016) + (int64_t)12 * 3600 * 1000000, "2000 leap"},
	{"1900-03-01", 1, DAY(-25508), "1900-03-01 before the epoch"},
	{"2023-02-29", 0, 0, "29 Feb 2023 invalid"},
	{"1900-02-29", 0, 0, "29 Feb 1900 invalid"},
	{"2024-02-30", 0, 0, "30 Feb invalid"},
	{"2024-13-01", 0, 0, "month 13"},
	{"2024-00-10", 0, 0, "month 0"},
	{"2024-01-00", 0, 0, "day 0"},
	{"2024-01-01T24:00:00Z", 0, 0, "hour 24 refused"},
	{"2024-01-01T23:60:00Z", 0, 0, "minute 60 refused"},
	{"2024-01-01T23:59:61Z", 0, 0, "second 61 refused"},
	{"", 0, 0, "empty string"},
	{"garbage", 0, 0, "garbage"},
	{"2024", 0, 0, "year only"},
	{"2024-1-01", 0, 0, "one-digit month"},
	{"2024-01-1", 0, 0, "one-digit day"},
	{"24-01-01", 0, 0, "two-digit year"},
	{"2024/01/01", 0, 0, "slashes"},
	{"2024-01-01x", 0, 0, "trailing character after a date"},
	{"2024-01-01 ", 0, 0, "trailing space after a date"},
	{"2024-01-01T12:00:00Zx", 0, 0, "trailing character after Z"},
	{"2024-01-01T12:00:00ZZ", 0, 0, "two Zs"},
	{"2024-01-01T12:00:00.Z", 0, 0, "fraction without digits"},
	{"2024-01-01T12Z", 0, 0, "hour without minutes"},
	{"2024-01-01T1:00Z", 0, 0, "one-digit hour"},
	{"2024-01-01T12:00:00+02:00", 0, 0, "offsets are not UTC"},
	{" 2024-01-01", 0, 0, "leading space"},
	{"-2024-01-01", 0, 0, "sign"},
	{"0000-01-01", 0, 0, "year 0"},
};

static void test_time_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		int64_t us = 12345;
		enum sargs_rc rc = sargs_time_parse(c->in, &us);

		if (c->ok) {
			if (rc != SARGS_OK)
				fail_msg("parse row %zu (%s): refused (rc %d)", i, c->rule, rc);
			if (us != c->us)
				fail_msg("parse row %zu (%s): got %lld, want %lld", i, c->rule,
					 (long long)us, (long long)c->us);
		} else {
			if (rc != SARGS_E_INVALID)
				fail_msg("parse row %zu (%s): accepted (rc %d, %lld)", i, c->rule,
					 rc, (long long)us);
			if (us != 12345)
				fail_msg("parse row %zu (%s): output written on failure", i,
					 c->rule);
		}
	}
}

static void test_time_format(void **state)
{
	char buf[SARGS_TIME_STR], date[SARGS_DATE_STR];

	(void)state;
	sargs_time_format(0, buf, sizeof(buf));
	assert_string_equal(buf, "1970-01-01T00:00:00.000000Z");
	sargs_time_format(-1, buf, sizeof(buf));
	assert_string_equal(buf, "1969-12-31T23:59:59.999999Z");
	sargs_time_format(DAY(19783) - 1, buf, sizeof(buf));
	assert_string_equal(buf, "2024-02-29T23:59:59.999999Z");
	sargs_time_format(DAY(-25508), buf, sizeof(buf));
	assert_string_equal(buf, "1900-03-01T00:00:00.000000Z");
	sargs_time_format(DAY(2932897) - 1, buf, sizeof(buf));
	assert_string_equal(buf, "9999-12-31T23:59:59.999999Z");
	assert_int_equal(strlen(buf) + 1, 28);
	{
		/* a short buffer is cut as snprintf cuts, a year past 9999 is
		 * written whole (both left to snprintf) */
		char small[11];

		sargs_time_format(DAY(19783) - 1, small, sizeof(small));
		assert_string_equal(small, "2024-02-29");
		sargs_time_format(DAY(sargs_days_from_civil(10000, 1, 1)), buf, sizeof(buf));
		assert_string_equal(buf, "10000-01-01T00:00:00.000000Z");
	}

	sargs_time_format_date(DAY(11016) + 5, date, sizeof(date));
	assert_string_equal(date, "2000-02-29");
	sargs_time_format_date(-1, date, sizeof(date));
	assert_string_equal(date, "1969-12-31");
	sargs_time_format_date(DAY(-25508) - 1, date, sizeof(date));
	assert_string_equal(date, "1900-02-28");
}

static void test_time_round_trip(void **state)
{
	int64_t lo = DAY(sargs_days_from_civil(1, 1, 1));
	int64_t hi = DAY(sargs_days_from_civil(9999, 12, 31) + 1) - 1;
	static const int64_t fixed[] = {0, 1, -1, 999999, 1000000, -1000000, -1000001,
					DAY(11016), DAY(-25508) - 1, DAY(19782) + 1};
	uint64_t x = 0x243f6a8885a308d3ULL;
	char buf[SARGS_TIME_STR], date[SARGS_DATE_STR];
	int64_t back;

	(void)state;
	for (size_t i = 0; i < N_ELEMS(fixed); i++) {
		sargs_time_format(fixed[i], buf, sizeof(buf));
		assert_int_equal(sargs_time_parse(buf, &back), SARGS_OK);
		if (back != fixed[i])
			fail_msg("%lld -> %s -> %lld", (long long)fixed[i], buf, (long long)back);
	}
	/* the extremes and 20000 spread over the whole supported range */
	sargs_time_format(lo, buf, sizeof(buf));
	assert_string_equal(buf, "0001-01-01T00:00:00.000000Z");
	assert_int_equal(sargs_time_parse(buf, &back), SARGS_OK);
	assert_true(back == lo);
	sargs_time_format(hi, buf, sizeof(buf));
	assert_int_equal(sargs_time_parse(buf, &back), SARGS_OK);
	assert_true(back == hi);
	for (int i = 0; i < 20000; i++) {
		int64_t us;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		us = lo + (int64_t)(x % (uint64_t)(hi - lo + 1));
		sargs_time_format(us, buf, sizeof(buf));
		assert_int_equal(strlen(buf), 27);
		if (sargs_time_parse(buf, &back) != SARGS_OK || back != us)
			fail_msg("%lld -> %s does not round-trip", (long long)us, buf);
		/* the date alone parses to that day's midnight */
		sargs_time_format_date(us, date, sizeof(date));
		assert_int_equal(sargs_time_parse(date, &back), SARGS_OK);
		assert_true(back <= us && us - back < US_PER_DAY);
	}
}

static void test_time_now_env(void **state)
{
	int64_t now, t0;

	(void)state;
	/* a fixed clock is for tests only, set from inside the process */
	sargs_time_set_fixed(DAY(19782) + ((int64_t)12 * 3600 + 34 * 60 + 56) * 1000000 + 789000);
	now = sargs_time_now_us();
	assert_true(now == DAY(19782) + ((int64_t)12 * 3600 + 34 * 60 + 56) * 1000000 + 789000);
	/* the environment cannot move the clock (audit times cannot be backdated) */
	assert_int_equal(setenv("SARGS_NOW", "2000-01-01", 1), 0);
	sargs_time_set_fixed(0);
	now = sargs_time_now_us();
	assert_true(now > DAY(sargs_days_from_civil(2024, 1, 1)));
	assert_int_equal(unsetenv("SARGS_NOW"), 0);
	t0 = sargs_time_now_us();
	assert_true(t0 > DAY(sargs_days_from_civil(2024, 1, 1)));
	assert_true(sargs_time_now_us() >= t0);
}

/* ======================================================================= uuid */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void test_uuid_v7_format(void **state)
{
	int64_t t = DAY(19782) + 123456789;
	uint64_t ms = (uint64_t)(t / 1000);
	char id[SARGS_UUID_STR], other[SARGS_UUID_STR];

	(void)state;
	for (int n = 0; n < 200; n++) {
		assert_int_equal(sargs_uuid_v7(t, id), SARGS_OK);
		assert_int_equal(strlen(id), 36);
		assert_true(sargs_uuid_valid(id));
		for (int i = 0; i < 36; i++) {
			if (i == 8 || i == 13 || i == 18 || i == 23)
				assert_int_equal(id[i], '-');
			else if (hexval(id[i]) < 0)
				fail_msg("%s: position %d is not lower-case hex", id, i);
		}
		assert_int_equal(id[14], '7');                 /* version nibble */
		assert_true((hexval(id[19]) & 0xc) == 0x8);    /* variant 10xx */
		/* the first 48 bits are the millisecond time stamp */
		uint64_t got_ms = 0;

		for (int i = 0; i < 13; i++) {
			if (i == 8)
				continue;
			got_ms = got_ms << 4 | (uint64_t)hexval(id[i]);
		}
		assert_true(got_ms == ms);
	}
	/* random part: two ids at the same instant differ */
	assert_int_equal(sargs_uuid_v7(t, other), SARGS_OK);
	assert_string_not_equal(id, other);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

static void test_uuid_v7_time_order(void **state)
{
	enum { COUNT = 500 };
	char (*ids)[SARGS_UUID_STR] = calloc(COUNT, SARGS_UUID_STR);
	char (*sorted)[SARGS_UUID_STR] = calloc(COUNT, SARGS_UUID_STR);
	int64_t t = DAY(19000);

	(void)state;
	assert_non_null(ids);
	assert_non_null(sorted);
	for (int i = 0; i < COUNT; i++) {
		/* steps of 1 ms up to ~1 year apart */
		t += 1000 * (int64_t)(1 + (i * 7919) % 3000);
		if (i == COUNT - 1)
			t = DAY(2932896); /* far future still in 48 bits */
		assert_int_equal(sargs_uuid_v7(t, ids[i]), SARGS_OK);
	}
	memcpy(sorted, ids, (size_t)COUNT * SARGS_UUID_STR);
	qsort(sorted, COUNT, SARGS_UUID_STR, cmp_str);
	for (int i = 0; i < COUNT; i++)
		if (strcmp(sorted[i], ids[i]) != 0)
			fail_msg("id %d (%s) is out of time order", i, ids[i]);
	free(ids);
	free(sorted);
}

struct uuid_case {
	const char *s;
	int valid;
	const char *rule;
};

static const struct uuid_case uuid_cases[] = {
	{"01890a5d-ac96-774b-bcce-b302099a8057", 1, "RFC 9562 style v7 id"},
	{"00000000-0000-0000-0000-000000000000", 1, "nil shape is canonical text"},
	{"01890A5D-AC96-774B-BCCE-B302099A8057", 0, "upper case refused"},
	{"01890a5d-ac96-774b-bcce-b302099a805F", 0, "one upper-case digit refused"},
	{"01890a5dac96-774b-bcce-b302099a8057-", 0, "dash in the wrong place"},
	{"01890a5d-ac96-774b-bcceb302099a8057", 0, "missing dash, 35 chars"},
	{"01890a5d_ac96_774b_bcce_b302099a8057", 0, "underscores instead of dashes"},
	{"01890a5dac96774bbcceb302099a8057", 0, "no dashes (32 hex)"},
	{"01890a5d-ac96-774b-bcce-b302099a805", 0, "35 characters"},
	{"01890a5d-ac96-774b-bcce-b302099a80577", 0, "37 characters"},
	{"01890a5d-ac96-774b-bcce-b302099a805g", 0, "non-hex letter"},
	{"{01890a5d-ac96-774b-bcce-b302099a80}", 0, "braces"},
	{"", 0, "empty"},
};

static void test_uuid_valid_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_ELEMS(uuid_cases); i++)
		if (sargs_uuid_valid(uuid_cases[i].s) != uuid_cases[i].valid)
			fail_msg("uuid row %zu (%s): wrong answer", i, uuid_cases[i].rule);
	assert_int_equal(sargs_uuid_valid(NULL), 0);
}

/* The text and the 16 bytes, both ways: every valid row parses, every
 * invalid one is refused by sargs_uuid_to_bytes too, random bytes come
 * back as they went, and a string cut short anywhere is refused without
 * a read past its end (each cut is its own allocation, for the sanitizer). */
static void test_uuid_bytes(void **state)
{
	unsigned char b[SARGS_UUID_BYTES], back[SARGS_UUID_BYTES];
	char text[SARGS_UUID_STR];
	const char *good = "01890a5d-ac96-774b-bcce-b302099a8057";

	(void)state;
	for (size_t i = 0; i < N_ELEMS(uuid_cases); i++)
		if ((sargs_uuid_to_bytes(uuid_cases[i].s, b) == SARGS_OK) != uuid_cases[i].valid)
			fail_msg("uuid row %zu (%s): to_bytes disagrees", i, uuid_cases[i].rule);
	assert_int_equal(sargs_uuid_to_bytes(NULL, b), SARGS_E_INVALID);
	assert_int_equal(sargs_uuid_to_bytes(good, b), SARGS_OK);
	assert_int_equal(b[0], 0x01);
	assert_int_equal(b[15], 0x57);
	assert_int_equal(b[6], 0x77);
	srand(7);
	for (int r = 0; r < 1000; r++) {
		for (int k = 0; k < SARGS_UUID_BYTES; k++)
			b[k] = (unsigned char)(rand() & 0xff);
		sargs_uuid_from_bytes(b, text);
		assert_true(sargs_uuid_valid(text));
		assert_int_equal(sargs_uuid_to_bytes(text, back), SARGS_OK);
		assert_memory_equal(b, back, sizeof(b));
	}
	for (size_t cut = 0; cut < 36; cut++) {
		char *p = malloc(cut + 1);

		assert_non_null(p);
		memcpy(p, good, cut);
		p[cut] = '\0';
		assert_false(sargs_uuid_valid(p));
		assert_int_equal(sargs_uuid_to_bytes(p, b), SARGS_E_INVALID);
		free(p);
	}
}

/* ===================================================================== fsutil */

static mode_t file_mode(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_mode & 07777;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	(void)closedir(d);
	return n;
}

static void test_fs_mkdirs(void **state)
{
	char dir[512], path[1024];
	struct sargs_err err;
	struct stat st;

	(void)state;
	test_tmpdir("util-mkdirs", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "a/b/c/d"), SARGS_OK);
	assert_int_equal(sargs_fs_mkdirs(path, 0700, &err), SARGS_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* again: existing directories are fine */
	assert_int_equal(sargs_fs_mkdirs(path, 0700, &err), SARGS_OK);
	/* a trailing slash is fine */
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "x/y/"), SARGS_OK);
	assert_int_equal(sargs_fs_mkdirs(path, 0700, &err), SARGS_OK);
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "x/y"), SARGS_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* empty path refused */
	assert_int_equal(sargs_fs_mkdirs("", 0700, &err), SARGS_E_INVALID);
	/* a file in the way */
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "file"), SARGS_OK);
	assert_int_equal(sargs_fs_write_atomic(path, "x", 1, 0600, 0, &err), SARGS_OK);
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "file/sub"), SARGS_OK);
	assert_int_equal(sargs_fs_mkdirs(path, 0700, &err), SARGS_E_IO);
	assert_true(strlen(err.msg) > 0);
	test_rmtree(dir);
}

static void test_fs_join(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(sargs_fs_join(out, sizeof(out), "ab", "cdef"), SARGS_OK); /* 7 + NUL */
	assert_string_equal(out, "ab/cdef");
	assert_int_equal(sargs_fs_join(out, sizeof(out), "ab", "cdefg"), SARGS_E_INVALID);
}

static void test_fs_write_atomic(void **state)
{
	char dir[512], path[1024];
	struct sargs_err err;
	char *data = NULL;
	size_t len = 0;
	mode_t old;

	(void)state;
	test_tmpdir("util-write", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "key"), SARGS_OK);
	assert_false(sargs_fs_exists(path));

	/* exact mode, whatever the umask */
	old = umask(0);
	assert_int_equal(sargs_fs_write_atomic(path, "secret\n", 7, 0600, 0, &err), SARGS_OK);
	(void)umask(old);
	assert_true(sargs_fs_exists(path));
	assert_int_equal(file_mode(path), 0600);
	assert_int_equal(sargs_fs_read(path, 100, &data, &len, &err), SARGS_OK);
	assert_int_equal(len, 7);
	assert_string_equal(data, "secret\n");
	free(data);
	data = NULL;

	/* no overwrite without replace; the original is left intact */
	memset(&err, 0, sizeof(err));
	assert_int_equal(sargs_fs_write_atomic(path, "other", 5, 0600, 0, &err), SARGS_E_EXISTS);
	assert_int_equal(err.rc, SARGS_E_EXISTS);
	assert_true(strlen(err.msg) > 0);
	assert_int_equal(sargs_fs_read(path, 100, &data, &len, &err), SARGS_OK);
	assert_string_equal(data, "secret\n");
	free(data);
	data = NULL;
	assert_int_equal(file_mode(path), 0600);

	/* with replace, the content and mode are replaced */
	old = umask(077);
	assert_int_equal(sargs_fs_write_atomic(path, "new", 3, 0640, 1, &err), SARGS_OK);
	(void)umask(old);
	assert_int_equal(file_mode(path), 0640);
	assert_int_equal(sargs_fs_read(path, 100, &data, &len, &err), SARGS_OK);
	assert_int_equal(len, 3);
	assert_string_equal(data, "new");
	free(data);
	data = NULL;

	/* an empty file */
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "empty"), SARGS_OK);
	assert_int_equal(sargs_fs_write_atomic(path, "", 0, 0600, 0, &err), SARGS_OK);
	assert_int_equal(sargs_fs_read(path, 0, &data, &len, &err), SARGS_OK);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	free(data);

	/* no temporary files are left behind */
	assert_int_equal(count_entries(dir), 2);

	/* a missing directory is an error, not a crash */
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "nodir/file"), SARGS_OK);
	assert_int_equal(sargs_fs_write_atomic(path, "x", 1, 0600, 0, &err), SARGS_E_IO);
	test_rmtree(dir);
}

static void test_fs_read_limit(void **state)
{
	char dir[512], path[1024];
	struct sargs_err err;
	char *data = NULL, *big;
	size_t len = 0, big_n = 3 * 65536 + 17;

	(void)state;
	test_tmpdir("util-read", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "ten"), SARGS_OK);
	assert_int_equal(sargs_fs_write_atomic(path, "0123456789", 10, 0600, 0, &err), SARGS_OK);
	/* exactly at the limit: accepted */
	assert_int_equal(sargs_fs_read(path, 10, &data, &len, &err), SARGS_OK);
	assert_int_equal(len, 10);
	assert_string_equal(data, "0123456789");
	free(data);
	data = NULL;
	/* one byte under the size: refused, nothing returned */
	memset(&err, 0, sizeof(err));
	assert_int_equal(sargs_fs_read(path, 9, &data, &len, &err), SARGS_E_INVALID);
	assert_null(data);
	assert_true(strlen(err.msg) > 0);
	assert_int_equal(sargs_fs_read(path, 0, &data, &len, &err), SARGS_E_INVALID);
	assert_null(data);
	/* out_len may be NULL */
	assert_int_equal(sargs_fs_read(path, 100, &data, NULL, &err), SARGS_OK);
	assert_string_equal(data, "0123456789");
	free(data);
	data = NULL;

	/* a file larger than several internal buffers */
	big = malloc(big_n);
	assert_non_null(big);
	for (size_t i = 0; i < big_n; i++)
		big[i] = (char)('a' + i % 23);
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "big"), SARGS_OK);
	assert_int_equal(sargs_fs_write_atomic(path, big, big_n, 0600, 0, &err), SARGS_OK);
	assert_int_equal(sargs_fs_read(path, big_n, &data, &len, &err), SARGS_OK);
	assert_int_equal(len, big_n);
	assert_memory_equal(data, big, big_n);
	assert_int_equal(data[big_n], '\0');
	free(data);
	data = NULL;
	assert_int_equal(sargs_fs_read(path, big_n - 1, &data, &len, &err), SARGS_E_INVALID);
	assert_null(data);
	assert_int_equal(sargs_fs_read(path, 4096, &data, &len, &err), SARGS_E_INVALID);
	assert_null(data);
	free(big);

	/* a missing file */
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "missing"), SARGS_OK);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sargs_fs_read(path, 100, &data, &len, &err), SARGS_E_NOTFOUND);
	assert_int_equal(err.rc, SARGS_E_NOTFOUND);
	assert_null(data);
	assert_false(sargs_fs_exists(path));
	test_rmtree(dir);
}

/* ====================================================================== synth */

static void test_synth_people_valid(void **state)
{
	struct sargs_synth g;
	struct sargs_synth_person p;
	struct sargs_err err;
	int modern = 0, legacy = 0;

	(void)state;
	sargs_synth_init(&g, 42);
	for (uint64_t i = 0; i < 1000; i++) {
		struct sargs_personal_code pc;
		char email[SARGS_EMAIL_MAX], phone[SARGS_PHONE_MAX];

		sargs_synth_person(&g, i, &p);
		assert_true(strlen(p.first_name) > 0);
		assert_true(strlen(p.last_name) > 0);
		assert_true(strlen(p.address) > 0);
		if (sargs_validate_email(p.email, email, sizeof(email), &err) != SARGS_OK)
			fail_msg("person %llu: e-mail refused: %s", (unsigned long long)i, err.msg);
		assert_string_equal(email, p.email);
		assert_non_null(strstr(p.email, "@example."));
		if (sargs_validate_phone(p.phone, "371", phone, sizeof(phone), &err) != SARGS_OK)
			fail_msg("person %llu: phone refused: %s", (unsigned long long)i, err.msg);
		assert_string_equal(phone, p.phone); /* already normalised */
		/* legacy and modern ("32...") codes both carry a valid check digit */
		if (sargs_validate_personal_code(p.personal_code, &pc, &err) != SARGS_OK)
			fail_msg("person %llu: personal code %s refused: %s",
				 (unsigned long long)i, p.personal_code, err.msg);
		assert_string_equal(pc.normalised, p.personal_code);
		if (pc.format == SARGS_PC_LEGACY) {
			char bd[SARGS_DATE_STR];

			legacy++;
			(void)snprintf(bd, sizeof(bd), "%04d-%02d-%02d", pc.birth_year,
				       pc.birth_month, pc.birth_day);
			assert_string_equal(bd, p.birth_date);
		} else {
			modern++;
			assert_string_equal(p.birth_date, "");
		}
	}
	assert_true(legacy > 0);
	assert_true(modern > 0);
}

static void test_synth_unique(void **state)
{
	enum { COUNT = 10000 };
	char (*emails)[96] = calloc(COUNT, 96);
	char (*phones)[16] = calloc(COUNT, 16);
	struct sargs_synth g;
	struct sargs_synth_person p;

	(void)state;
	assert_non_null(emails);
	assert_non_null(phones);
	sargs_synth_init(&g, 7);
	for (uint64_t i = 0; i < COUNT; i++) {
		sargs_synth_person(&g, i, &p);
		memcpy(emails[i], p.email, sizeof(p.email));
		memcpy(phones[i], p.phone, sizeof(p.phone));
	}
	qsort(emails, COUNT, 96, cmp_str);
	qsort(phones, COUNT, 16, cmp_str);
	for (int i = 1; i < COUNT; i++) {
		if (strcmp(emails[i - 1], emails[i]) == 0)
			fail_msg("duplicate e-mail %s", emails[i]);
		if (strcmp(phones[i - 1], phones[i]) == 0)
			fail_msg("duplicate phone %s", phones[i]);
	}
	free(emails);
	free(phones);
}

/*
 * synth.h promises a unique personal code for every index below 10^7; a
 * legacy code is (birth date, 3-digit serial), so this checks that no two
 * indexes share both. Checked over the first 100000 indexes of one seed.
 */
static void test_synth_unique_personal_codes(void **state)
{
	enum { COUNT = 100000 };
	char (*codes)[13] = calloc(COUNT, 13);
	struct sargs_synth g;
	struct sargs_synth_person p;
	int dups = 0;

	(void)state;
	assert_non_null(codes);
	sargs_synth_init(&g, 7);
	for (uint64_t i = 0; i < COUNT; i++) {
		sargs_synth_person(&g, i, &p);
		memcpy(codes[i], p.personal_code, sizeof(p.personal_code));
	}
	qsort(codes, COUNT, 13, cmp_str);
	for (int i = 1; i < COUNT; i++)
		if (strcmp(codes[i - 1], codes[i]) == 0)
			dups++;
	free(codes);
	if (dups != 0)
		fail_msg("%d duplicate personal codes among %d people", dups, COUNT);
}

static void test_synth_deterministic(void **state)
{
	struct sargs_synth g1, g2, g3;
	struct sargs_synth_person a, b, c;
	int differ = 0;

	(void)state;
	sargs_synth_init(&g1, 2024);
	sargs_synth_init(&g2, 2024);
	sargs_synth_init(&g3, 2025);
	for (uint64_t i = 0; i < 500; i++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		memset(&c, 0, sizeof(c));
		sargs_synth_person(&g1, i, &a);
		sargs_synth_person(&g2, i, &b);
		sargs_synth_person(&g3, i, &c);
		assert_string_equal(a.first_name, b.first_name);
		assert_string_equal(a.last_name, b.last_name);
		assert_string_equal(a.email, b.email);
		assert_string_equal(a.phone, b.phone);
		assert_string_equal(a.personal_code, b.personal_code);
		assert_string_equal(a.birth_date, b.birth_date);
		assert_string_equal(a.address, b.address);
		if (strcmp(a.email, c.email) != 0 || strcmp(a.address, c.address) != 0 ||
		    strcmp(a.birth_date, c.birth_date) != 0)
			differ++;
	}
	/* another seed gives other people */
	assert_true(differ > 400);
}

/* ---- names folded for search (namefold.h) */

struct folded {
	char all[512];
};

static int join_word(void *ctx, const char *word)
{
	struct folded *f = ctx;
	size_t l = strlen(f->all);

	(void)snprintf(f->all + l, sizeof(f->all) - l, "%s%s", l ? "|" : "", word);
	return 0;
}

static const struct {
	const char *name, *words;
} fold_rows[] = {
	{"Bērziņa", "berzina"},
	{"E\xcc\x84" "rika Be\xcc\x84" "rzin\xcc\xa7" "a", "erika|berzina"}, /* decomposed */
	{"ĀBOLIŅŠ Ēriks", "abolins|eriks"},
	{"Ģirts Ķīsis-Ļaudupe", "girts|kisis|laudupe"},
	{"Anna-Marija  O'Brien", "anna|marija|obrien"},
	{"O\u2019Neil J. R.", "oneil|j|r"},
	{"Jürgen Weiß Łukasz Øster Æsa", "jurgen|weis|lukasz|oster|asa"},
	{"Иван ПЕТРОВ Ёлкин", "иван|петров|елкин"},
	{"  \t-- ", ""},
	{"a b c d e f g h i j", "a|b|c|d|e|f|g|h"}, /* SARGS_NAME_WORDS_MAX words */
	{"bad\xff\xfe" "byte", "bad|byte"},
	{"over\xc0\xaflong", "over|long"}, /* an overlong '/' is not a letter */
};

static void test_name_fold(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fold_rows) / sizeof(fold_rows[0]); i++) {
		struct folded f;

		f.all[0] = '\0';
		(void)sargs_name_words(fold_rows[i].name, join_word, &f);
		if (strcmp(f.all, fold_rows[i].words) != 0)
			fail_msg("\"%s\" folds to \"%s\", expected \"%s\"", fold_rows[i].name, f.all,
				 fold_rows[i].words);
	}
}

static void test_name_key_and_match(void **state)
{
	char key[SARGS_NAME_KEY_MAX], longword[200];
	struct folded f;

	(void)state;
	sargs_name_key("berzina", SARGS_NAME_KEY_SHORT, key);
	assert_string_equal(key, "ber");
	sargs_name_key("berzina", SARGS_NAME_KEY_LONG, key);
	assert_string_equal(key, "berzi");
	sargs_name_key("li", SARGS_NAME_KEY_SHORT, key);
	assert_string_equal(key, "li");
	sargs_name_key("иван", SARGS_NAME_KEY_SHORT, key); /* three letters, six bytes */
	assert_string_equal(key, "ива");
	assert_int_equal(sargs_name_letters("иван"), 4);
	/* five four-byte letters still fit a key */
	sargs_name_key("\xf0\x90\x90\xb7\xf0\x90\x90\xb7\xf0\x90\x90\xb7\xf0\x90\x90\xb7"
		       "\xf0\x90\x90\xb7\xf0\x90\x90\xb7",
		       SARGS_NAME_KEY_LONG, key);
	assert_int_equal(strlen(key), 20);
	/* a word longer than the limit is cut at a letter: 31 two-byte ones */
	memset(longword, 0, sizeof(longword));
	for (int i = 0; i < 40; i++)
		memcpy(longword + 2 * i, "Ж", 2);
	f.all[0] = '\0';
	(void)sargs_name_words(longword, join_word, &f);
	assert_int_equal(strlen(f.all), SARGS_NAME_WORD_MAX - 2);
	assert_int_equal(sargs_name_letters(f.all), (SARGS_NAME_WORD_MAX - 2) / 2);

	{
		const char *liga[] = {"Līga", "Bērziņa"};
		const char *anna[] = {"Anna-Marija", "O'Brien"};
		const char *nine[] = {"A B C D E F G H", "Ozola"}; /* eight words, then the last name */
		const char *none[] = {NULL, "Ozola"};

		assert_true(sargs_name_matches(liga, 2, "berz"));
		assert_true(sargs_name_matches(liga, 2, "BĒRZIŅA līga"));
		assert_true(sargs_name_matches(anna, 2, "mar obr"));
		assert_false(sargs_name_matches(liga, 2, "erz")); /* a beginning, not any part */
		assert_false(sargs_name_matches(liga, 2, "liga ozola"));
		assert_false(sargs_name_matches(liga, 2, " - "));
		assert_int_equal(sargs_name_keyed_words("l berz"), 1);
		assert_int_equal(sargs_name_keyed_words("be li"), 0);
		assert_int_equal(sargs_name_keyed_words("Иван Пе ozola"), 2);
		/* each name as it was indexed: the last name counts in full */
		assert_true(sargs_name_matches(nine, 2, "ozo h"));
		assert_true(sargs_name_matches(none, 2, "ozola"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_fold),
		cmocka_unit_test(test_name_key_and_match),
		cmocka_unit_test(test_strbuf_limit_exact),
		cmocka_unit_test(test_strbuf_growth),
		cmocka_unit_test(test_strbuf_addf),
		cmocka_unit_test(test_strbuf_add_lv),
		cmocka_unit_test(test_strbuf_take),
		cmocka_unit_test(test_json_str_as_jansson),
		cmocka_unit_test(test_str_copy),
		cmocka_unit_test(test_civil_table),
		cmocka_unit_test(test_civil_range),
		cmocka_unit_test(test_days_in_month),
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_time_parse_table),
		cmocka_unit_test(test_time_format),
		cmocka_unit_test(test_time_round_trip),
		cmocka_unit_test(test_time_now_env),
		cmocka_unit_test(test_uuid_v7_format),
		cmocka_unit_test(test_uuid_v7_time_order),
		cmocka_unit_test(test_uuid_valid_table),
		cmocka_unit_test(test_uuid_bytes),
		cmocka_unit_test(test_fs_mkdirs),
		cmocka_unit_test(test_fs_join),
		cmocka_unit_test(test_fs_write_atomic),
		cmocka_unit_test(test_fs_read_limit),
		cmocka_unit_test(test_synth_people_valid),
		cmocka_unit_test(test_synth_unique),
		cmocka_unit_test(test_synth_unique_personal_codes),
		cmocka_unit_test(test_synth_deterministic),
	};

	(void)unsetenv("SARGS_NOW");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
