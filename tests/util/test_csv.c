/*
 * test_csv.c — tests of util/csv, the streaming CSV reader.
 *
 * Most tests are rows of a table: an input, the delimiter asked for, and
 * everything the reader must give for it, rendered as text: a record as
 * "LINE:[field][field]\n" and a malformed record as "!message\n". The
 * expected messages are exact, which also shows that they never repeat a
 * field's contents. Every row is read with the normal block size and with
 * tiny ones, so that each record, CRLF and doubled quote also straddles a
 * block boundary, and must read the same.
 */
#define _GNU_SOURCE /* fopencookie */
#include "testutil.h"

#include "util/csv.h"
#include "util/rc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

/* ---- rendering a whole read as text ------------------------------------ */

#define RENDER_BYTES 8192

struct render {
	char text[RENDER_BYTES];
	size_t len;
};

static void put(struct render *r, const char *s, size_t n)
{
	assert_true(n < sizeof(r->text) - r->len);
	memcpy(r->text + r->len, s, n);
	r->len += n;
	r->text[r->len] = '\0';
}

static void puts_(struct render *r, const char *s)
{
	put(r, s, strlen(s));
}

/* A field, with CR, LF and TAB written as \r, \n and \t. */
static void put_field(struct render *r, const char *f)
{
	puts_(r, "[");
	for (; *f != '\0'; f++) {
		if (*f == '\n')
			puts_(r, "\\n");
		else if (*f == '\r')
			puts_(r, "\\r");
		else if (*f == '\t')
			puts_(r, "\\t");
		else
			put(r, f, 1);
	}
	puts_(r, "]");
}

static FILE *open_mem(const char *data, size_t len)
{
	/* "r": fmemopen never writes to the buffer */
	FILE *f = fmemopen((void *)(uintptr_t)data, len, "r");

	assert_non_null(f);
	return f;
}

/*
 * Reads all of input with read_bytes at a time and renders what the reader
 * gives. Checks on the way: at the end the reader keeps saying so and has
 * consumed every byte; the progress count never goes back.
 */
static void render_read(const char *input, size_t len, char delim,
			size_t read_bytes, struct render *r)
{
	struct sargs_csv *c = NULL;
	struct sargs_csv_row row;
	struct sargs_err err;
	enum sargs_rc rc;
	long long bytes = 0;
	char num[32];
	FILE *f = open_mem(input, len);
	size_t i;
	int n;

	r->len = 0;
	r->text[0] = '\0';
	assert_int_equal(sargs_csv_open_sized(f, delim, read_bytes, &c), SARGS_OK);
	for (;;) {
		rc = sargs_csv_next(c, &row, &err);
		assert_true(sargs_csv_bytes(c) >= bytes);
		bytes = sargs_csv_bytes(c);
		if (rc == SARGS_E_NOTFOUND)
			break;
		if (rc == SARGS_E_INVALID) {
			assert_int_equal(err.rc, SARGS_E_INVALID);
			puts_(r, "!");
			puts_(r, err.msg);
			puts_(r, "\n");
			continue;
		}
		assert_int_equal(rc, SARGS_OK);
		assert_int_equal(err.msg[0], '\0');
		assert_true(row.n >= 1 && row.n <= SARGS_CSV_FIELDS_MAX);
		n = snprintf(num, sizeof(num), "%ld:", row.line);
		assert_true(n > 0 && (size_t)n < sizeof(num));
		puts_(r, num);
		for (i = 0; i < row.n; i++)
			put_field(r, row.fields[i]);
		puts_(r, "\n");
	}
	assert_int_equal(sargs_csv_next(c, &row, &err), SARGS_E_NOTFOUND);
	assert_true(sargs_csv_bytes(c) == (long long)len);
	sargs_csv_close(c);
	assert_int_equal(fclose(f), 0);
}

/* ---- the table ---------------------------------------------------------- */

struct csv_case {
	const char *rule;
	const char *input;
	size_t len;
	char delim;
	const char *expect;
};

#define CSV(rule, in, delim, expect) { rule, in, sizeof(in) - 1, delim, expect }

static const struct csv_case csv_cases[] = {
	/* records */
	CSV("plain records", "name,email\nanna,a@example.lv\n", ',',
	    "1:[name][email]\n2:[anna][a@example.lv]\n"),
	CSV("empty input", "", ',', ""),
	CSV("no newline after the last line", "a,b\nc,d", ',',
	    "1:[a][b]\n2:[c][d]\n"),
	CSV("one field, no newline", "a", ',', "1:[a]\n"),
	CSV("CRLF line ends", "a,b\r\nc,d\r\n", ',', "1:[a][b]\n2:[c][d]\n"),
	CSV("CRLF, none after the last line", "a\r\nb", ',', "1:[a]\n2:[b]\n"),
	CSV("empty fields", ",,\n", ',', "1:[][][]\n"),
	CSV("trailing empty field", "a,b,\n", ',', "1:[a][b][]\n"),
	CSV("trailing empty field at the end of input", "a,", ',',
	    "1:[a][]\n"),
	CSV("trailing empty field before CRLF", "a,\r\n", ',', "1:[a][]\n"),
	CSV("empty quoted field is a record, not a blank line", "\"\"\n", ',',
	    "1:[]\n"),
	CSV("blank lines are skipped, LF and CRLF", "\n\na\n\r\n\nb\n\n", ',',
	    "3:[a]\n6:[b]\n"),
	CSV("spaces are kept", " a , b \n", ',', "1:[ a ][ b ]\n"),
	CSV("TAB is data when not the delimiter", "a\tb,c\n", ',',
	    "1:[a\\tb][c]\n"),
	CSV("DEL is data", "a\x7f,b\n", ',', "1:[a\x7f][b]\n"),

	/* byte order mark */
	CSV("BOM skipped", "\xEF\xBB\xBF" "a,b\n", ',', "1:[a][b]\n"),
	CSV("BOM alone", "\xEF\xBB\xBF", ',', ""),
	CSV("BOM and a quoted field", "\xEF\xBB\xBF\"a\"\n", ',', "1:[a]\n"),
	CSV("U+FEFF later is data", "a,\xEF\xBB\xBF\n", ',',
	    "1:[a][\xEF\xBB\xBF]\n"),

	/* quoting */
	CSV("quoted delimiter", "\"a,b\",c\n", ',', "1:[a,b][c]\n"),
	CSV("quoted LF; the record starts on its first line",
	    "\"a\nb\",c\nd\n", ',', "1:[a\\nb][c]\n3:[d]\n"),
	CSV("quoted CRLF and lone CR", "\"a\r\nb\rc\"\r\nd\n", ',',
	    "1:[a\\r\\nb\\rc]\n3:[d]\n"),
	CSV("quoted blank lines", "\"\n\n\"\nx\n", ',', "1:[\\n\\n]\n4:[x]\n"),
	CSV("doubled quotes", "\"say \"\"hi\"\"\",x\n", ',',
	    "1:[say \"hi\"][x]\n"),
	CSV("a lone doubled quote", "\"\"\"\"\n", ',', "1:[\"]\n"),
	CSV("quoted field at the end of input", "a,\"b\"", ',', "1:[a][b]\n"),
	CSV("quoted field then CRLF", "\"a\"\r\n\"b\"\r\n", ',',
	    "1:[a]\n2:[b]\n"),
	CSV("quoted empty last field", "a,\"\"\n", ',', "1:[a][]\n"),
	CSV("quoted then empty field", "\"a\",\n", ',', "1:[a][]\n"),
	CSV("quoted TAB", "\"a\tb\"\n", '\t', "1:[a\\tb]\n"),

	/* delimiters */
	CSV("semicolon", "a;b,c\n", ';', "1:[a][b,c]\n"),
	CSV("quoted semicolon", "\"a;b\";c\n", ';', "1:[a;b][c]\n"),
	CSV("TAB", "a\tb,c\td\n", '\t', "1:[a][b,c][d]\n"),
	CSV("detected semicolon", "vārds;uzvārds\nĢirts;Ķēniņš\n", 0,
	    "1:[vārds][uzvārds]\n2:[Ģirts][Ķēniņš]\n"),
	CSV("detected TAB", "a\tb\tc\n1\t2,5\t3\n", 0,
	    "1:[a][b][c]\n2:[1][2,5][3]\n"),

	/* UTF-8 */
	CSV("Latvian letters, lower case",
	    "āčēģīķļņšūž,Jānis Bērziņš\n", ',',
	    "1:[āčēģīķļņšūž][Jānis Bērziņš]\n"),
	CSV("Latvian letters, upper case, quoted",
	    "\"ĀČĒĢĪĶĻŅŠŪŽ\",Ūdre\n", ',', "1:[ĀČĒĢĪĶĻŅŠŪŽ][Ūdre]\n"),
	CSV("three- and four-byte sequences, U+10FFFF",
	    "\xE2\x82\xAC,\xF0\x9F\x98\x80,\xF4\x8F\xBF\xBF\n", ',',
	    "1:[\xE2\x82\xAC][\xF0\x9F\x98\x80][\xF4\x8F\xBF\xBF]\n"),
	CSV("last code points before the surrogates and after",
	    "\xED\x9F\xBF,\xEE\x80\x80\n", ',',
	    "1:[\xED\x9F\xBF][\xEE\x80\x80]\n"),

	/* faults: reason, line, and the reader going on at the next line */
	CSV("quote inside an unquoted field", "a,b\"c,d\ne,f\n", ',',
	    "!line 1: quote inside an unquoted field\n2:[e][f]\n"),
	CSV("quote inside an unquoted field, later line",
	    "h\n\nx\"y\nz\n", ',',
	    "1:[h]\n!line 3: quote inside an unquoted field\n4:[z]\n"),
	CSV("text after a closing quote", "\"a\"b,c\nd\n", ',',
	    "!line 1: text after a closing quote in field 1\n2:[d]\n"),
	CSV("space after a closing quote", "x,\"a\" ,c\nd\n", ',',
	    "!line 1: text after a closing quote in field 2\n2:[d]\n"),
	CSV("text after a closing quote on a later line",
	    "\"a\nb\"c\nd\n", ',',
	    "!line 2: text after a closing quote in field 1\n3:[d]\n"),
	CSV("unterminated quoted field",
	    "a\n\"b,c\nd\ne", ',',
	    "1:[a]\n!line 4: unterminated quoted field (opened on line 2)\n"),
	CSV("unterminated quoted field, newline at the end",
	    "a\nb,\"c\nd\n", ',',
	    "1:[a]\n!line 3: unterminated quoted field (opened on line 2)\n"),
	CSV("lone quote at the end", "\"", ',',
	    "!line 1: unterminated quoted field (opened on line 1)\n"),
	CSV("lone CR in an unquoted field", "a\rb,c\nd\n", ',',
	    "!line 1: carriage return without a line feed in field 1\n2:[d]\n"),
	CSV("lone CR after a closing quote", "x,\"a\"\rb\nc\n", ',',
	    "!line 1: carriage return without a line feed in field 2\n2:[c]\n"),
	CSV("CR CR LF", "a\r\r\nb\n", ',',
	    "!line 1: carriage return without a line feed in field 1\n2:[b]\n"),
	CSV("lone CR on a blank line", "\rx\ny\n", ',',
	    "!line 1: carriage return without a line feed in field 1\n2:[y]\n"),
	CSV("lone CR at the end of input", "a\nb\r", ',',
	    "1:[a]\n!line 2: carriage return without a line feed in field 1\n"),
	CSV("NUL byte", "a,b\0c\nd\n", ',',
	    "!line 1: NUL byte in field 2\n2:[d]\n"),
	CSV("NUL byte in a quoted field", "\"a\0\"\nd\n", ',',
	    "!line 1: NUL byte in field 1\n2:[d]\n"),
	CSV("control character", "a,\x01\nd\n", ',',
	    "!line 1: control character 0x01 in field 2\n2:[d]\n"),
	CSV("control character on the second line of a quoted field",
	    "x\n\"a\nb\x1b\"\nc\n", ',',
	    "1:[x]\n!line 3: control character 0x1B in field 1\n4:[c]\n"),
	CSV("vertical tab and form feed are controls", "a\v\nb\fc\nd\n", ',',
	    "!line 1: control character 0x0B in field 1\n"
	    "!line 2: control character 0x0C in field 1\n3:[d]\n"),
	CSV("faults one after another", "\"a\"x\n\"b\"y\nc\"\nok\n", ',',
	    "!line 1: text after a closing quote in field 1\n"
	    "!line 2: text after a closing quote in field 1\n"
	    "!line 3: quote inside an unquoted field\n4:[ok]\n"),
	CSV("fault on the last line without a newline", "a\nb\"", ',',
	    "1:[a]\n!line 2: quote inside an unquoted field\n"),

	/* invalid UTF-8 */
	CSV("overlong two-byte form", "a,b,c,\xC0\xAF\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 4\n2:[d]\n"),
	CSV("overlong C1", "\xC1\xBF\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 1\n2:[d]\n"),
	CSV("overlong three-byte form", "\xE0\x80\xAF,x\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 1\n2:[d]\n"),
	CSV("overlong four-byte form", "x,\"\xF0\x80\x80\xAF\",y\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 2\n2:[d]\n"),
	CSV("surrogate", "\xED\xA0\x80\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 1\n2:[d]\n"),
	CSV("past U+10FFFF", "\xF4\x90\x80\x80\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 1\n2:[d]\n"),
	CSV("F5 lead byte", "\xF5\x80\x80\x80\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 1\n2:[d]\n"),
	CSV("lone continuation byte", "ab\x80,c\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 1\n2:[d]\n"),
	CSV("sequence cut by the delimiter", "\xC4,\x81\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 1\n2:[d]\n"),
	CSV("sequence cut by the end of input", "a,\xE2\x82", ',',
	    "!line 1: invalid UTF-8 in field 2\n"),
	CSV("bad continuation byte", "\xC3\x28\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 1\n2:[d]\n"),
	CSV("Latin-1 text", "J\xE2nis,B\xE7rzi\xF2\xF0\nd\n", ',',
	    "!line 1: invalid UTF-8 in field 1\n2:[d]\n"),
	CSV("invalid UTF-8 in the last field: next line kept",
	    "a,\xFF\nb\n", ',', "!line 1: invalid UTF-8 in field 2\n2:[b]\n"),
	CSV("invalid UTF-8 on the third line of a quoted field",
	    "h\n\"ok\nok\n\xFF\nok\",x\ny\n", ',',
	    "1:[h]\n!line 4: invalid UTF-8 in field 1\n6:[y]\n"),
};

/* Block sizes every row is read with: the normal one and tiny ones. */
static const size_t read_sizes[] = { SARGS_CSV_READ_BYTES, 1, 2, 3, 5, 64 };

static void test_table(void **state)
{
	struct render r;
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(csv_cases) / sizeof(csv_cases[0]); i++) {
		const struct csv_case *t = &csv_cases[i];

		for (k = 0; k < sizeof(read_sizes) / sizeof(read_sizes[0]); k++) {
			render_read(t->input, t->len, t->delim, read_sizes[k], &r);
			if (strcmp(r.text, t->expect) != 0)
				fail_msg("row %zu (%s), %zu-byte reads:\nexpected:\n%s\ngot:\n%s",
					 i, t->rule, read_sizes[k], t->expect,
					 r.text);
		}
	}
}

/* ---- delimiter detection ------------------------------------------------ */

struct detect_case {
	const char *input;
	char expect;
	const char *rule;
};

static const struct detect_case detect_cases[] = {
	{ "a;b;c\n1;2;3\n", ';', "semicolons" },
	{ "a\tb\tc\n", '\t', "TABs" },
	{ "a,b;c;d\n", ';', "most wins" },
	{ "a,b,c\td\te\n", ',', "most wins, commas" },
	{ "a\n", ',', "none: comma" },
	{ "", ',', "empty input: comma" },
	{ "\"a;b;c\",d\n", ',', "quoted delimiters do not count" },
	{ "\"x\ny;z;w\",a,b\nc;d;e;f;g\n", ',',
	  "a quoted field spanning lines is still the first record" },
	{ "a,b\nc;d;e;f\n", ',', "only the first record counts" },
	{ "\n\r\na;b\n", ';', "leading blank lines are skipped" },
	{ "\xEF\xBB\xBF" "a;b\n", ';', "after a BOM" },
	{ "a,b;c\n", ',', "tie: comma first" },
	{ "a;b\tc\n", ';', "tie: semicolon before TAB" },
	{ "vārds;uzvārds;tālrunis", ';', "no newline at all" },
};

static void test_detect(void **state)
{
	struct sargs_csv *c;
	size_t i, k;
	FILE *f;

	(void)state;
	for (i = 0; i < sizeof(detect_cases) / sizeof(detect_cases[0]); i++) {
		const struct detect_case *t = &detect_cases[i];

		for (k = 0; k < sizeof(read_sizes) / sizeof(read_sizes[0]); k++) {
			f = open_mem(t->input, strlen(t->input));
			assert_int_equal(sargs_csv_open_sized(f, 0, read_sizes[k], &c),
					 SARGS_OK);
			if (sargs_csv_delim(c) != t->expect)
				fail_msg("detect row %zu (%s), %zu-byte reads: got 0x%02x",
					 i, t->rule, read_sizes[k],
					 (unsigned)sargs_csv_delim(c));
			sargs_csv_close(c);
			assert_int_equal(fclose(f), 0);
		}
	}
}

/* A given delimiter is kept, whatever the first line holds. */
static void test_given_delim(void **state)
{
	static const char input[] = "a;b;c\n";
	struct sargs_csv *c;
	FILE *f = open_mem(input, sizeof(input) - 1);

	(void)state;
	assert_int_equal(sargs_csv_open(f, ',', &c), SARGS_OK);
	assert_int_equal(sargs_csv_delim(c), ',');
	sargs_csv_close(c);
	assert_int_equal(fclose(f), 0);
}

/* ---- limits ------------------------------------------------------------- */

/* A growing text for generated inputs. */
struct gen {
	char *p;
	size_t len, cap;
};

static void gen_add(struct gen *g, const char *s, size_t n)
{
	if (g->len + n + 1 > g->cap) {
		size_t ncap = g->cap ? g->cap : 4096;
		char *np;

		while (ncap < g->len + n + 1)
			ncap *= 2;
		np = realloc(g->p, ncap);
		assert_non_null(np);
		g->p = np;
		g->cap = ncap;
	}
	memcpy(g->p + g->len, s, n);
	g->len += n;
	g->p[g->len] = '\0';
}

static void gen_adds(struct gen *g, const char *s)
{
	gen_add(g, s, strlen(s));
}

static void gen_repeat(struct gen *g, char ch, size_t n)
{
	char block[1024];
	size_t k;

	memset(block, ch, sizeof(block));
	while (n > 0) {
		k = n < sizeof(block) ? n : sizeof(block);
		gen_add(g, block, k);
		n -= k;
	}
}

/*
 * Reads g with read_bytes at a time and checks the results one by one:
 * expect[i] is either a field count and length per field ("n=3 len=5") as
 * printed by describe(), or "!" and the exact message.
 */
static void describe(const struct sargs_csv_row *row, char *out, size_t size)
{
	size_t i, total = 0, longest = 0, len;
	int n;

	for (i = 0; i < row->n; i++) {
		len = strlen(row->fields[i]);
		total += len;
		if (len > longest)
			longest = len;
	}
	n = snprintf(out, size, "%ld: n=%zu total=%zu longest=%zu", row->line,
		     row->n, total, longest);
	assert_true(n > 0 && (size_t)n < size);
}

static void check_reads(const struct gen *g, size_t read_bytes,
			const char *const *expect, size_t nexpect)
{
	struct sargs_csv *c;
	struct sargs_csv_row row;
	struct sargs_err err;
	char got[SARGS_ERR_BYTES + 2];
	enum sargs_rc rc;
	FILE *f = open_mem(g->p, g->len);
	size_t i;

	assert_int_equal(sargs_csv_open_sized(f, ',', read_bytes, &c), SARGS_OK);
	for (i = 0; i < nexpect; i++) {
		rc = sargs_csv_next(c, &row, &err);
		if (rc == SARGS_OK) {
			describe(&row, got, sizeof(got));
		} else {
			assert_int_equal(rc, SARGS_E_INVALID);
			(void)snprintf(got, sizeof(got), "!%s", err.msg);
		}
		if (strcmp(got, expect[i]) != 0)
			fail_msg("result %zu, %zu-byte reads: expected %s, got %s",
				 i, read_bytes, expect[i], got);
	}
	assert_int_equal(sargs_csv_next(c, &row, &err), SARGS_E_NOTFOUND);
	assert_true(sargs_csv_bytes(c) == (long long)g->len);
	sargs_csv_close(c);
	assert_int_equal(fclose(f), 0);
}

static void test_field_limit(void **state)
{
	static const char *const expect[] = {
		"1: n=2 total=65537 longest=65536",
		"!line 2: field 1 is longer than 65536 bytes",
		"3: n=1 total=65536 longest=65536",
		"!line 4: field 2 is longer than 65536 bytes",
		"!line 6: quote inside an unquoted field",
		"7: n=1 total=2 longest=2",
	};
	struct gen g = { NULL, 0, 0 };

	(void)state;
	/* 1: exactly the limit, crossing the first block boundary */
	gen_repeat(&g, 'a', SARGS_CSV_FIELD_MAX);
	gen_adds(&g, ",b\n");
	/* 2: one byte over */
	gen_repeat(&g, 'a', SARGS_CSV_FIELD_MAX + 1);
	gen_adds(&g, "\n");
	/* 3: quoted, the limit counted after "" became " */
	gen_adds(&g, "\"");
	gen_repeat(&g, 'q', SARGS_CSV_FIELD_MAX - 2);
	gen_adds(&g, "\"\"\"\"\"\r\n");
	/* 4-6: quoted, the LF inside is the byte too many: reading goes on
	 * after that LF, on line 5, and line 6 then holds a stray quote */
	gen_adds(&g, "x,\"");
	gen_repeat(&g, 'z', SARGS_CSV_FIELD_MAX);
	gen_adds(&g, "\n\nrest\",a\nok\n");
	check_reads(&g, SARGS_CSV_READ_BYTES, expect, 6);
	check_reads(&g, 7, expect, 6);
	free(g.p);
}

static void test_record_limit(void **state)
{
	static const char *const expect[] = {
		"1: n=16 total=1048576 longest=65536",
		"!line 2: record is longer than 1048576 bytes (field 17)",
		"3: n=1 total=1 longest=1",
	};
	struct gen g = { NULL, 0, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < 16; i++) {
		gen_repeat(&g, 'r', SARGS_CSV_FIELD_MAX);
		gen_adds(&g, i < 15 ? "," : "\n");
	}
	for (i = 0; i < 16; i++) {
		gen_repeat(&g, 'r', SARGS_CSV_FIELD_MAX);
		gen_adds(&g, ",");
	}
	gen_adds(&g, "x\nz\n");
	check_reads(&g, SARGS_CSV_READ_BYTES, expect, 3);
	check_reads(&g, 1000, expect, 3);
	free(g.p);
}

static void test_fields_limit(void **state)
{
	static const char *const expect[] = {
		"1: n=256 total=256 longest=1",
		"2: n=256 total=0 longest=0",
		"!line 3: record has more than 256 fields",
		"4: n=1 total=4 longest=4",
	};
	struct gen g = { NULL, 0, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < SARGS_CSV_FIELDS_MAX; i++)
		gen_adds(&g, i + 1 < SARGS_CSV_FIELDS_MAX ? "f," : "f\n");
	gen_repeat(&g, ',', SARGS_CSV_FIELDS_MAX - 1);
	gen_adds(&g, "\r\n");
	gen_repeat(&g, ',', SARGS_CSV_FIELDS_MAX);
	gen_adds(&g, "\nnext\n");
	check_reads(&g, SARGS_CSV_READ_BYTES, expect, 4);
	check_reads(&g, 3, expect, 4);
	free(g.p);
}

/* ---- progress and read errors ------------------------------------------- */

static void test_bytes(void **state)
{
	static const char input[] = "\xEF\xBB\xBF" "ab,c\r\n\"d\ne\"\n";
	static const long long after[] = { 9, 15, 15 };
	struct sargs_csv *c;
	struct sargs_csv_row row;
	struct sargs_err err;
	FILE *f = open_mem(input, sizeof(input) - 1);

	(void)state;
	assert_int_equal(sargs_csv_open(f, ',', &c), SARGS_OK);
	assert_true(sargs_csv_bytes(c) == 3);
	assert_int_equal(sargs_csv_next(c, &row, &err), SARGS_OK);
	assert_true(sargs_csv_bytes(c) == after[0]);
	assert_int_equal(sargs_csv_next(c, &row, &err), SARGS_OK);
	assert_int_equal(row.line, 2);
	assert_string_equal(row.fields[0], "d\ne");
	assert_true(sargs_csv_bytes(c) == after[1]);
	assert_int_equal(sargs_csv_next(c, &row, &err), SARGS_E_NOTFOUND);
	assert_true(sargs_csv_bytes(c) == after[2]);
	sargs_csv_close(c);
	assert_int_equal(fclose(f), 0);
}

/* A stream that gives some bytes and then fails. */
struct failing {
	const char *data;
	size_t len, pos;
};

static ssize_t failing_read(void *cookie, char *buf, size_t size)
{
	struct failing *s = cookie;
	size_t n = s->len - s->pos;

	if (n == 0)
		return -1;
	if (n > size)
		n = size;
	memcpy(buf, s->data + s->pos, n);
	s->pos += n;
	return (ssize_t)n;
}

static FILE *open_failing(struct failing *s)
{
	cookie_io_functions_t io = { failing_read, NULL, NULL, NULL };
	FILE *f = fopencookie(s, "r", io);

	assert_non_null(f);
	return f;
}

static void test_read_error(void **state)
{
	struct failing s = { "a,b\nc", 5, 0 };
	struct sargs_csv *c = NULL;
	struct sargs_csv_row row;
	struct sargs_err err;
	FILE *f;

	(void)state;
	/* the first block already fails */
	f = open_failing(&s);
	assert_int_equal(sargs_csv_open(f, 0, &c), SARGS_E_IO);
	assert_null(c);
	assert_int_equal(fclose(f), 0);

	/* a record, then the failure, for good */
	s.pos = 0;
	f = open_failing(&s);
	assert_int_equal(sargs_csv_open_sized(f, ',', 4, &c), SARGS_OK);
	assert_int_equal(sargs_csv_next(c, &row, &err), SARGS_OK);
	assert_int_equal(row.n, 2);
	assert_int_equal(sargs_csv_next(c, &row, &err), SARGS_E_IO);
	assert_int_equal(err.rc, SARGS_E_IO);
	assert_string_equal(err.msg, "line 2: cannot read the input");
	assert_int_equal(sargs_csv_next(c, &row, &err), SARGS_E_IO);
	sargs_csv_close(c);
	assert_int_equal(fclose(f), 0);
}

static void test_bad_arguments(void **state)
{
	static const char input[] = "a\n";
	struct sargs_csv *c = (struct sargs_csv *)&c;
	FILE *f = open_mem(input, sizeof(input) - 1);

	(void)state;
	assert_int_equal(sargs_csv_open(f, '|', &c), SARGS_E_INVALID);
	assert_null(c);
	assert_int_equal(sargs_csv_open_sized(f, ',', 0, &c), SARGS_E_INVALID);
	assert_int_equal(sargs_csv_open_sized(f, ',', SARGS_CSV_READ_BYTES + 1,
					      &c),
			 SARGS_E_INVALID);
	assert_null(c);
	sargs_csv_close(NULL);
	assert_int_equal(fclose(f), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_given_delim),
		cmocka_unit_test(test_field_limit),
		cmocka_unit_test(test_record_limit),
		cmocka_unit_test(test_fields_limit),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_read_error),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
