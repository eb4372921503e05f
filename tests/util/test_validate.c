/*
 * test_validate.c — table-driven tests of util/validate: e-mail, phone and
 * the Latvian personal code.
 *
 * Each table row is one input, whether it must be accepted, what it must be
 * normalised to, and the rule the row checks (printed when a row fails).
 * The valid legacy personal codes were built by hand with the check digit
 * formula (weights 1,6,3,7,9,10,5,8,4,2; (1101 - sum) mod 11 mod 10) and
 * cross-checked with a separate script using python-stdnum's equivalent
 * formulation; they are not produced by the code under test.
 */
#include "testutil.h"

#include "util/rc.h"
#include "util/validate.h"

#include <stdio.h>
#include <string.h>

/* ---- building blocks for long e-mail addresses ------------------------- */

#define A10 "aaaaaaaaaa"
#define B10 "bbbbbbbbbb"
#define C10 "cccccccccc"
#define LOCAL64 A10 A10 A10 A10 A10 A10 "aaaa"
#define LABEL63 B10 B10 B10 B10 B10 B10 "bbb"
#define LABEL57 C10 C10 C10 C10 C10 "ccccccc"
/* 64 + 1 + 63 + 1 + 63 + 1 + 57 + 4 = 254 octets */
#define EMAIL254 LOCAL64 "@" LABEL63 "." LABEL63 "." LABEL57 ".com"
/* one octet more */
#define EMAIL255 LOCAL64 "@" LABEL63 "." LABEL63 "." LABEL57 "c.com"

/* ---- personal code ------------------------------------------------------ */

struct pc_case {
	const char *input;
	int valid;
	const char *normalised;      /* NULL when invalid */
	enum sargs_pc_format format; /* 0 when invalid */
	int year, month, day;        /* 0 for modern codes and invalid rows */
	const char *rule;
};

#define PC_OK_LEGACY(in, norm, y, m, d, rule) \
	{ in, 1, norm, SARGS_PC_LEGACY, y, m, d, rule }
#define PC_OK_MODERN(in, norm, rule) \
	{ in, 1, norm, SARGS_PC_MODERN, 0, 0, 0, rule }
#define PC_BAD(in, rule) { in, 0, NULL, 0, 0, 0, 0, rule }

static const struct pc_case pc_cases[] = {
	/* shape */
	PC_OK_LEGACY("161175-19997", "161175-19997", 1975, 11, 16,
		     "legacy code with hyphen (python-stdnum example)"),
	PC_OK_LEGACY("16117519997", "161175-19997", 1975, 11, 16,
		     "legacy code without hyphen gets one"),
	PC_OK_LEGACY("  161175-19997\t\n", "161175-19997", 1975, 11, 16,
		     "surrounding whitespace is trimmed"),
	PC_BAD("", "empty input"),
	PC_BAD("   \t", "whitespace only"),
	PC_BAD("1611751999", "10 digits"),
	PC_BAD("161175-1999", "10 digits with hyphen"),
	PC_BAD("161175199970", "12 digits"),
	PC_BAD("161175-199970", "12 digits with hyphen"),
	PC_BAD("161175-1999A", "letter instead of a digit"),
	PC_BAD("LV161175-19997", "country prefix letters"),
	PC_BAD("16117-519997", "hyphen after the fifth digit"),
	PC_BAD("1611751-9997", "hyphen after the seventh digit"),
	PC_BAD("161175--19997", "two hyphens"),
	PC_BAD("161175-19997-", "trailing hyphen"),
	PC_BAD("161175 19997", "inner space instead of hyphen"),
	PC_BAD("161175\xe2\x80\x93" "19997", "en dash instead of hyphen"),
	PC_BAD("+161175-19997", "sign character"),

	/* check digit */
	PC_BAD("161175-19996", "check digit off by one"),
	PC_BAD("161175-19979", "two digits swapped"),
	PC_OK_LEGACY("010101-10006", "010101-10006", 1901, 1, 1,
		     "Smart-ID demo account code"),
	PC_OK_LEGACY("030303-10012", "030303-10012", 1903, 3, 3,
		     "Smart-ID demo account code"),
	PC_OK_LEGACY("010101-10090", "010101-10090", 1901, 1, 1,
		     "remainder 10 gives check digit 0 (python-stdnum)"),
	PC_BAD("010101-10091", "remainder 10 with check digit 1"),
	PC_OK_LEGACY("010101-10030", "010101-10030", 1901, 1, 1,
		     "remainder 0 gives check digit 0"),
	PC_BAD("010101-10031", "remainder 0 with check digit 1"),

	/* century digit */
	PC_OK_LEGACY("150385-05138", "150385-05138", 1885, 3, 15,
		     "century digit 0 is the 1800s"),
	PC_OK_LEGACY("010100-01230", "010100-01230", 1800, 1, 1,
		     "earliest date, century 0, remainder 10"),
	PC_OK_LEGACY("311299-19993", "311299-19993", 1999, 12, 31,
		     "century digit 1 is the 1900s"),
	PC_OK_LEGACY("010105-20777", "010105-20777", 2005, 1, 1,
		     "century digit 2 is the 2000s"),
	PC_BAD("010101-30007", "century digit 3 (check digit right)"),
	PC_BAD("010101-90000", "century digit 9 (check digit right)"),

	/* calendar */
	PC_OK_LEGACY("290296-10451", "290296-10451", 1996, 2, 29,
		     "29 February in a leap year"),
	PC_OK_LEGACY("290200-21239", "290200-21239", 2000, 2, 29,
		     "29 February 2000 (divisible by 400)"),
	PC_BAD("290299-10454", "29 February 1999, not a leap year"),
	PC_BAD("290200-11233", "29 February 1900, not a leap year"),
	PC_BAD("310485-12340", "31 April"),
	PC_BAD("001085-12340", "day 00"),
	PC_BAD("011385-12346", "month 13"),
	PC_OK_LEGACY("300617-23454", "300617-23454", 2017, 6, 30,
		     "30 June 2017, the last day of legacy codes"),
	PC_BAD("010717-23455", "1 July 2017: legacy codes were no longer issued"),
	PC_BAD("010120-23459", "2020 birth date in legacy format"),

	/* modern format */
	PC_OK_MODERN("328673-00679", "328673-00679",
		     "modern code (python-stdnum example)"),
	PC_OK_MODERN("32867300679", "328673-00679",
		     "modern code without hyphen"),
	PC_OK_MODERN(" 325035-11782 ", "325035-11782",
		     "published modern code, whitespace"),
	PC_OK_MODERN("320000-00008", "320000-00008", "modern code, low"),
	PC_BAD("328673-00677", "modern code with wrong check digit"),
	PC_BAD("32867300678", "modern code with wrong check digit, no hyphen"),
	PC_OK_MODERN("339999-12348", "339999-12348",
		     "modern code with second digit 3 (PMLP: 2-9)"),
	PC_OK_MODERN("390000-00000", "390000-00000",
		     "modern code with second digit 9, remainder 10"),
	PC_BAD("3286730067", "modern code with 10 digits"),
	PC_BAD("311385-12346", "begins with 31: legacy, month 13"),
};

static void test_personal_code_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pc_cases) / sizeof(pc_cases[0]); i++) {
		const struct pc_case *c = &pc_cases[i];
		struct sargs_personal_code pc;
		struct sargs_err err;
		enum sargs_rc rc;

		sargs_err_clear(&err);
		rc = sargs_validate_personal_code(c->input, &pc, &err);
		if ((rc == SARGS_OK) != c->valid)
			fail_msg("personal code row %zu (%s): expected %s, got rc %d: %s",
				 i, c->rule, c->valid ? "valid" : "invalid",
				 (int)rc, err.msg);
		if (!c->valid) {
			if (rc != SARGS_E_INVALID || err.rc != SARGS_E_INVALID ||
			    err.msg[0] == '\0')
				fail_msg("personal code row %zu (%s): no message",
					 i, c->rule);
			continue;
		}
		if (strcmp(pc.normalised, c->normalised) != 0 ||
		    pc.format != c->format ||
		    pc.has_birth_date != (c->format == SARGS_PC_LEGACY) ||
		    pc.birth_year != c->year || pc.birth_month != c->month ||
		    pc.birth_day != c->day)
			fail_msg("personal code row %zu (%s): got %s format %d date %d-%d-%d",
				 i, c->rule, pc.normalised, (int)pc.format,
				 pc.birth_year, pc.birth_month, pc.birth_day);
		/* the normalised form is a fixed point */
		{
			struct sargs_personal_code again;

			assert_int_equal(sargs_validate_personal_code(pc.normalised,
								      &again, &err),
					 SARGS_OK);
			assert_memory_equal(&again, &pc, sizeof(pc));
		}
	}
}

/* ---- e-mail ------------------------------------------------------------- */

struct email_case {
	const char *input;
	int valid;
	const char *normalised; /* NULL when invalid */
	const char *rule;
};

#define EM_OK(in, norm, rule) { in, 1, norm, rule }
#define EM_BAD(in, rule) { in, 0, NULL, rule }

static const struct email_case email_cases[] = {
	EM_OK("user@example.com", "user@example.com", "plain address"),
	EM_OK("  User.Name+Tag@Example.COM \t\n", "user.name+tag@example.com",
	      "trimmed and lower-cased"),
	EM_OK("ANNA@EXAMPLE.LV", "anna@example.lv", "all upper case"),
	EM_OK("a@b.co", "a@b.co", "shortest usual address"),
	EM_OK("o'brien@example.ie", "o'brien@example.ie", "apostrophe is atext"),
	EM_OK("x!#$%&'*+-/=?^_`{|}~y@example.com",
	      "x!#$%&'*+-/=?^_`{|}~y@example.com", "every atext symbol"),
	EM_OK("first.last@sub.do-main.example.lv",
	      "first.last@sub.do-main.example.lv", "dots and inner hyphen"),
	EM_OK("1@123.example.com", "1@123.example.com", "digit labels"),
	EM_OK("x@pochta.xn--p1ai", "x@pochta.xn--p1ai", "IDNA top-level label"),
	EM_OK("x@xn--80ak6aa92e.com", "x@xn--80ak6aa92e.com", "IDNA label"),
	EM_OK(LOCAL64 "@example.com", LOCAL64 "@example.com",
	      "64-octet local part"),
	EM_OK(EMAIL254, EMAIL254, "254 octets in all"),
	EM_OK("x@" LABEL63 ".com", "x@" LABEL63 ".com", "63-octet label"),
	EM_BAD("", "empty"),
	EM_BAD(" \t ", "whitespace only"),
	EM_BAD("userexample.com", "no @"),
	EM_BAD("user@home@example.com", "two @"),
	EM_BAD("@example.com", "empty local part"),
	EM_BAD("user@", "empty domain"),
	EM_BAD(LOCAL64 "a@example.com", "65-octet local part"),
	EM_BAD(EMAIL255, "255 octets in all"),
	EM_BAD("x@" LABEL63 "b.com", "64-octet label"),
	EM_BAD("first..last@example.com", "double dot in local part"),
	EM_BAD(".user@example.com", "local part begins with a dot"),
	EM_BAD("user.@example.com", "local part ends with a dot"),
	EM_BAD("user@example..com", "double dot in domain"),
	EM_BAD("user@.example.com", "domain begins with a dot"),
	EM_BAD("user@example.com.", "trailing dot (DNS root) is refused"),
	EM_BAD("user@[192.0.2.1]", "IPv4 address literal is refused"),
	EM_BAD("user@[IPv6:2001:db8::1]", "IPv6 address literal is refused"),
	EM_BAD("\"john doe\"@example.com", "quoted local part is refused"),
	EM_BAD("john doe@example.com", "space in local part"),
	EM_BAD("user@exa mple.com", "space in domain"),
	EM_BAD("user\n@example.com", "control character"),
	EM_BAD("user@localhost", "single-label domain"),
	EM_BAD("user@example.c", "one-letter top-level label"),
	EM_BAD("user@example.123", "numeric top-level label"),
	EM_BAD("user@example.c0m", "digit in top-level label"),
	EM_BAD("user@-example.com", "label begins with hyphen"),
	EM_BAD("user@example-.com", "label ends with hyphen"),
	EM_BAD("user@exa_mple.com", "underscore in domain"),
	EM_BAD("\xc3\xbcser@example.com", "non-ASCII local part"),
	EM_BAD("user@b\xc3\xbc" "cher.de", "non-ASCII (U-label) domain"),
	EM_BAD("user(comment)@example.com", "comment"),
	EM_BAD("<user@example.com>", "angle brackets"),
};

static void test_email_table(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(strlen(EMAIL254), 254);
	assert_int_equal(strlen(EMAIL255), 255);
	assert_int_equal(strlen(LOCAL64), 64);
	assert_int_equal(strlen(LABEL63), 63);
	for (i = 0; i < sizeof(email_cases) / sizeof(email_cases[0]); i++) {
		const struct email_case *c = &email_cases[i];
		char out[SARGS_EMAIL_MAX];
		char again[SARGS_EMAIL_MAX];
		struct sargs_err err;
		enum sargs_rc rc;

		sargs_err_clear(&err);
		rc = sargs_validate_email(c->input, out, sizeof(out), &err);
		if ((rc == SARGS_OK) != c->valid)
			fail_msg("e-mail row %zu (%s): expected %s, got rc %d: %s",
				 i, c->rule, c->valid ? "valid" : "invalid",
				 (int)rc, err.msg);
		if (!c->valid) {
			if (err.rc != SARGS_E_INVALID || err.msg[0] == '\0')
				fail_msg("e-mail row %zu (%s): no message", i,
					 c->rule);
			assert_string_equal(out, "");
			continue;
		}
		if (strcmp(out, c->normalised) != 0)
			fail_msg("e-mail row %zu (%s): normalised wrongly", i,
				 c->rule);
		assert_int_equal(sargs_validate_email(out, again, sizeof(again),
						      &err),
				 SARGS_OK);
		assert_string_equal(again, out);
	}
}

/* ---- phone -------------------------------------------------------------- */

struct phone_case {
	const char *input;
	const char *default_cc; /* NULL means Latvia */
	int valid;
	const char *normalised; /* NULL when invalid */
	const char *rule;
};

#define PH_OK(in, cc, norm, rule) { in, cc, 1, norm, rule }
#define PH_BAD(in, cc, rule) { in, cc, 0, NULL, rule }

static const struct phone_case phone_cases[] = {
	/* the accepted Latvian forms */
	PH_OK("+371 2000 0000", NULL, "+37120000000", "+ and spaces"),
	PH_OK("00371 20000000", NULL, "+37120000000", "00 prefix"),
	PH_OK("0037120000000", NULL, "+37120000000", "00 prefix, no spaces"),
	PH_OK("(+371) 2000-0000", NULL, "+37120000000",
	      "parentheses and hyphen"),
	PH_OK("2000 0000", NULL, "+37120000000", "national, default Latvia"),
	PH_OK("2000 0000", "371", "+37120000000", "national, explicit 371"),
	PH_OK("20000000", NULL, "+37120000000", "national, no spaces"),
	PH_OK("20.00.00.00", NULL, "+37120000000", "dots"),
	PH_OK("  +37120000000 \n", NULL, "+37120000000", "trimmed"),
	PH_OK("+371 6700 0000", NULL, "+37167000000", "Latvian fixed line"),
	PH_OK("+371 8000 0000", NULL, "+37180000000", "Latvian toll-free"),
	PH_OK("+371 9000 0000", NULL, "+37190000000", "Latvian premium"),
	PH_OK("+371 2000 0000", "44", "+37120000000",
	      "international ignores default country"),
	/* foreign numbers */
	PH_OK("+44 20 7946 0000", NULL, "+442079460000", "UK"),
	PH_OK("0044 20 7946 0000", NULL, "+442079460000", "UK with 00"),
	PH_OK("20 7946 0000", "44", "+442079460000", "national, default UK"),
	PH_OK("+1 (202) 555-0143", NULL, "+12025550143", "North America"),
	PH_OK("001 202 555 0143", NULL, "+12025550143", "North America, 00"),
	PH_OK("+49 30 1234567", NULL, "+49301234567", "Germany"),
	PH_OK("+372 5123 4567", NULL, "+37251234567", "Estonia"),
	PH_OK("+683 4002", NULL, "+6834002",
	      "Niue: 7 digits in all, the shortest"),
	PH_OK("+49 1234 5678 9012 3", NULL, "+491234567890123",
	      "15 digits in all, the longest"),
	PH_OK("+800 1234 5678", NULL, "+80012345678", "global service code"),
	PH_OK("+7 912 345 67 89", NULL, "+79123456789", "one-digit code 7"),
	/* refused */
	PH_BAD("", NULL, "empty"),
	PH_BAD("  ", NULL, "whitespace only"),
	PH_BAD("+", NULL, "only +"),
	PH_BAD("00", NULL, "only 00"),
	PH_BAD("-- ()", NULL, "separators only"),
	PH_BAD("+999 1234 5678", NULL, "spare country code 999"),
	PH_BAD("+259 1234 5678", NULL, "spare country code 259"),
	PH_BAD("+0 123 4567 89", NULL, "country code cannot begin with 0"),
	PH_BAD("00 0371 2000 0000", NULL, "000 prefix"),
	PH_BAD("+371 2000 000", NULL, "Latvian, 7 digits"),
	PH_BAD("+371 2000 00000", NULL, "Latvian, 9 digits"),
	PH_BAD("2000 000", NULL, "national Latvian, 7 digits"),
	PH_BAD("2000 00000", NULL, "national Latvian, 9 digits"),
	PH_BAD("+371 1000 0000", NULL, "Latvian number beginning with 1"),
	PH_BAD("+371 5000 0000", NULL, "Latvian number beginning with 5"),
	PH_BAD("0 2000 0000", NULL, "Latvia has no trunk prefix"),
	PH_BAD("+44 1234", NULL, "6 digits in all"),
	PH_BAD("+49 1234 5678 9012 34", NULL, "16 digits in all"),
	PH_BAD("+1 202 555 014", NULL, "North America, 9 digits"),
	PH_BAD("+1 202 555 01434", NULL, "North America, 11 digits"),
	PH_BAD("020 7946 0000", "44", "trunk prefix 0 with default UK"),
	PH_BAD("+371 2000 0000 ext 5", NULL, "letters"),
	PH_BAD("+371 2000 OOOO", NULL, "letter O for zero"),
	PH_BAD("tel:+37120000000", NULL, "URI scheme"),
	PH_BAD("371+20000000", NULL, "+ after digits"),
	PH_BAD("++371 20000000", NULL, "two +"),
	PH_BAD("(+371 2000 0000", NULL, "unclosed parenthesis"),
	PH_BAD("+371) 2000 0000", NULL, "unopened parenthesis"),
	PH_BAD("((+371)) 20000000", NULL, "nested parentheses"),
	PH_BAD("+371/2000/0000", NULL, "slash"),
	PH_BAD("+371\t2000 0000", NULL, "inner tab"),
	PH_BAD("\xef\xbc\x92" "000 0000", NULL, "full-width digit"),
	PH_BAD("2000 0000", "999", "spare default country code"),
	PH_BAD("2000 0000", "+371", "default country code with +"),
	PH_BAD("2000 0000", "", "empty default country code"),
	PH_BAD("2000 0000", "3710", "default country code of 4 digits"),
	PH_BAD("2000 0000", "044", "default country code with leading 0"),
	PH_BAD("+044 20 7946 0000", NULL, "country code with leading 0"),
};

static void test_phone_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(phone_cases) / sizeof(phone_cases[0]); i++) {
		const struct phone_case *c = &phone_cases[i];
		char out[SARGS_PHONE_MAX];
		char again[SARGS_PHONE_MAX];
		struct sargs_err err;
		enum sargs_rc rc;

		sargs_err_clear(&err);
		rc = sargs_validate_phone(c->input, c->default_cc, out,
					  sizeof(out), &err);
		if ((rc == SARGS_OK) != c->valid)
			fail_msg("phone row %zu (%s): expected %s, got rc %d: %s",
				 i, c->rule, c->valid ? "valid" : "invalid",
				 (int)rc, err.msg);
		if (!c->valid) {
			if (err.rc != SARGS_E_INVALID || err.msg[0] == '\0')
				fail_msg("phone row %zu (%s): no message", i,
					 c->rule);
			assert_string_equal(out, "");
			continue;
		}
		if (strcmp(out, c->normalised) != 0)
			fail_msg("phone row %zu (%s): got %s", i, c->rule, out);
		/* E.164 form re-validates to itself, whatever the default */
		assert_int_equal(sargs_validate_phone(out, "44", again,
						      sizeof(again), &err),
				 SARGS_OK);
		assert_string_equal(again, out);
	}
}

/* A few messages named in the design, to keep them helpful. */
static void test_messages_say_what_is_wrong(void **state)
{
	struct sargs_personal_code pc;
	struct sargs_err err;
	char out[SARGS_EMAIL_MAX];

	(void)state;
	assert_int_equal(sargs_validate_personal_code("161175-19996", &pc, &err),
			 SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "check digit does not match"));
	assert_int_equal(sargs_validate_personal_code("310485-12340", &pc, &err),
			 SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "not a real date"));
	assert_int_equal(sargs_validate_personal_code("1611751999", &pc, &err),
			 SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "this one has 10"));
	assert_int_equal(sargs_validate_email("user@localhost", out, sizeof(out),
					      &err),
			 SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "no top-level label"));
	assert_int_equal(sargs_validate_phone("+371 2000 000", NULL, out,
					      SARGS_PHONE_MAX, &err),
			 SARGS_E_INVALID);
	assert_string_equal(err.msg,
			    "Latvian phone numbers have 8 digits after +371; this one has 7");
	assert_int_equal(sargs_validate_phone("+999 1234 5678", NULL, out,
					      SARGS_PHONE_MAX, &err),
			 SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "country code"));
}

/*
 * Messages may be logged, so they must not repeat the value or a telling
 * part of it. For each invalid input, none of the listed fragments may
 * appear in the message.
 */
struct echo_case {
	char kind; /* 'p'ersonal code, 'e'-mail, 't'elephone */
	const char *input;
	const char *fragments[4];
};

static const struct echo_case echo_cases[] = {
	{ 'p', "290200-11233", { "290200", "11233", "2902001", "1900" } },
	{ 'p', "161175-19996", { "161175", "19996", "1611751", "1975" } },
	{ 'p', "010717-23455", { "010717", "23455", "0107172", NULL } },
	{ 'p', "161175-1999A", { "161175", "1999A", "1999", NULL } },
	{ 'p', "328673-00677", { "328673", "00677", "3286730", NULL } },
	{ 'p', "3286730067", { "328673", "0067", NULL, NULL } },
	{ 'e', "secret.person@example.com.", { "secret", "person", "example", NULL } },
	{ 'e', "secret.person@localhost", { "secret", "person", "localhost", NULL } },
	{ 'e', "secret..person@example.com", { "secret", "person", "example", NULL } },
	{ 'e', "secret@[192.0.2.1]", { "secret", "192.0.2.1", "192", NULL } },
	{ 'e', "secret@private@example.com", { "secret", "private", "example", NULL } },
	{ 't', "+371 2987 654", { "2987", "654", "2987654", "371 2987" } },
	{ 't', "+999 8765 4321", { "8765", "4321", "87654321", "999" } },
	{ 't', "+371 2987 6543 ext", { "2987", "6543", "ext", NULL } },
	{ 't', "+49 8765 4321 9876 54", { "8765", "4321", "9876", NULL } },
};

static void test_messages_do_not_echo_input(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(echo_cases) / sizeof(echo_cases[0]); i++) {
		const struct echo_case *c = &echo_cases[i];
		struct sargs_personal_code pc;
		struct sargs_err err;
		char out[SARGS_EMAIL_MAX];
		enum sargs_rc rc;

		sargs_err_clear(&err);
		if (c->kind == 'p')
			rc = sargs_validate_personal_code(c->input, &pc, &err);
		else if (c->kind == 'e')
			rc = sargs_validate_email(c->input, out, sizeof(out),
						  &err);
		else
			rc = sargs_validate_phone(c->input, NULL, out,
						  sizeof(out), &err);
		assert_int_equal(rc, SARGS_E_INVALID);
		assert_true(err.msg[0] != '\0');
		assert_null(strstr(err.msg, c->input));
		for (j = 0; j < 4 && c->fragments[j] != NULL; j++)
			if (strstr(err.msg, c->fragments[j]) != NULL)
				fail_msg("echo row %zu: message repeats part of the input: %s",
					 i, err.msg);
	}
}

/* NULL arguments, short buffers and a NULL err are refused, not crashed on. */
static void test_bad_arguments(void **state)
{
	struct sargs_personal_code pc;
	struct sargs_err err;
	char out[SARGS_EMAIL_MAX];

	(void)state;
	assert_int_equal(sargs_validate_email(NULL, out, sizeof(out), &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_validate_email("a@b.co", NULL, 0, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_validate_email("a@b.co", out, 7, &err),
			 SARGS_E_INVALID);
	assert_string_equal(out, "");
	assert_int_equal(sargs_validate_phone(NULL, NULL, out, sizeof(out), &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_validate_phone("20000000", NULL, out,
					      SARGS_PHONE_MAX - 1, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_validate_personal_code(NULL, &pc, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_validate_personal_code("161175-19997", NULL, &err),
			 SARGS_E_INVALID);
	/* err may be NULL */
	assert_int_equal(sargs_validate_email("nope", out, sizeof(out), NULL),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_validate_phone("nope", NULL, out, sizeof(out),
					      NULL),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_validate_personal_code("nope", &pc, NULL),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_validate_personal_code("161175-19997", &pc, NULL),
			 SARGS_OK);
	/* a failed call leaves no half-filled result */
	assert_int_equal(sargs_validate_personal_code("161175-19996", &pc, &err),
			 SARGS_E_INVALID);
	assert_string_equal(pc.normalised, "");
	assert_int_equal(pc.has_birth_date, 0);
}

/*
 * Every 1-3 digit prefix is either an assigned country code or not; check
 * the table against a sample of both, including the whole of zone 3 and 4
 * (Europe), where customers of a Latvian register mostly live.
 */
static void test_country_codes(void **state)
{
	static const char *const assigned[] = {
		"1", "7", "20", "27", "30", "31", "32", "33", "34", "350", "351",
		"352", "353", "354", "355", "356", "357", "358", "359", "36",
		"370", "371", "372", "373", "374", "375", "376", "377", "378",
		"380", "381", "382", "383", "385", "386", "387", "389", "39",
		"40", "41", "420", "421", "423", "43", "44", "45", "46", "47",
		"48", "49", "55", "61", "81", "86", "91", "211", "299", "692",
		"870", "881", "882", "883", "888", "979", "998",
	};
	static const char *const spare[] = {
		"210", "214", "259", "280", "292", "379", "384", "388", "422",
		"424", "671", "684", "693", "699", "801", "830", "851", "878",
		"969", "978", "990", "997", "999",
	};
	char in[32], out[SARGS_PHONE_MAX];
	struct sargs_err err;
	size_t i;
	int n;

	(void)state;
	/* an assigned code works as a default country and in + form */
	for (i = 0; i < sizeof(assigned) / sizeof(assigned[0]); i++) {
		if (strcmp(assigned[i], "371") == 0 || strcmp(assigned[i], "1") == 0)
			continue; /* national plans tested in the table */
		n = snprintf(in, sizeof(in), "+%s 5123 4567", assigned[i]);
		assert_true(n > 0 && (size_t)n < sizeof(in));
		if (sargs_validate_phone(in, NULL, out, sizeof(out), &err) !=
		    SARGS_OK)
			fail_msg("country code row %zu refused: %s", i, err.msg);
		if (sargs_validate_phone("5123 4567", assigned[i], out,
					 sizeof(out), &err) != SARGS_OK)
			fail_msg("default country code row %zu refused: %s", i,
				 err.msg);
	}
	for (i = 0; i < sizeof(spare) / sizeof(spare[0]); i++) {
		n = snprintf(in, sizeof(in), "+%s 5123 4567", spare[i]);
		assert_true(n > 0 && (size_t)n < sizeof(in));
		if (sargs_validate_phone(in, NULL, out, sizeof(out), &err) !=
		    SARGS_E_INVALID)
			fail_msg("spare country code row %zu accepted", i);
		if (sargs_validate_phone("5123 4567", spare[i], out,
					 sizeof(out), &err) != SARGS_E_INVALID)
			fail_msg("spare default country code row %zu accepted",
				 i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_personal_code_table),
		cmocka_unit_test(test_email_table),
		cmocka_unit_test(test_phone_table),
		cmocka_unit_test(test_messages_say_what_is_wrong),
		cmocka_unit_test(test_messages_do_not_echo_input),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_country_codes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
