/*
 * fuzz_csv.c — fuzz target for util/csv: reads the bytes as a CSV file and
 * aborts when an invariant breaks:
 *   - every call moves on (the byte count grows), ends with every byte
 *     consumed, and the end of input is reported again when asked again;
 *   - a record has 1 to SARGS_CSV_FIELDS_MAX fields within the length
 *     limits, each well-formed UTF-8 (checked by a separate decoder) with no
 *     C0 control but TAB, CR and LF; records start on rising line numbers;
 *   - a fault is SARGS_E_INVALID with a message that, numbers aside, is one
 *     of a fixed set of sentences: it can never carry field contents;
 *   - reading with tiny blocks gives exactly what reading with the normal
 *     block gives (the block boundaries are invisible);
 *   - the records written back as CSV, every field quoted, read back as the
 *     same records without a fault.
 *
 * Built into fuzz_replay (corpus replay as a regression test) without
 * libFuzzer, and as a libFuzzer target with -DSARGS_LIBFUZZER.
 */
#include "util/csv.h"
#include "util/rc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest input tried, in bytes; longer inputs are cut. */
#define FUZZ_INPUT_MAX (4u << 20)

int sargs_fuzz_csv(const uint8_t *data, size_t size);
#ifdef SARGS_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

/* Stops the run (and makes libFuzzer keep the input) when cond is false. */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* ---- a growable byte buffer --------------------------------------------- */

struct bytes {
	unsigned char *p;
	size_t len, cap;
};

static void add(struct bytes *b, const void *src, size_t n)
{
	unsigned char *np;
	size_t ncap;

	if (n == 0)
		return;
	if (n > b->cap - b->len) {
		ncap = b->cap ? b->cap : 256;
		while (ncap - b->len < n)
			ncap *= 2;
		np = realloc(b->p, ncap);
		check(np != NULL);
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, src, n);
	b->len += n;
}

static void add_size(struct bytes *b, size_t v)
{
	add(b, &v, sizeof(v));
}

/* ---- independent checks ------------------------------------------------- */

/*
 * Whether s[0..n) is well-formed UTF-8, by decoding each code point and
 * checking its range and shortest form (the reader uses a byte table).
 */
static int utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0, k, more;
	uint32_t cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xE0) == 0xC0) {
			more = 1;
			cp = s[i] & 0x1Fu;
			min = 0x80;
		} else if ((s[i] & 0xF0) == 0xE0) {
			more = 2;
			cp = s[i] & 0x0Fu;
			min = 0x800;
		} else if ((s[i] & 0xF8) == 0xF0) {
			more = 3;
			cp = s[i] & 0x07u;
			min = 0x10000;
		} else {
			return 0;
		}
		if (n - i <= more)
			return 0;
		for (k = 1; k <= more; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3Fu);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += more + 1;
	}
	return 1;
}

/* Writes msg with every run of [0-9A-F] replaced by one '#'. */
static void normalise(const char *msg, char *out, size_t size)
{
	size_t o = 0;

	for (; *msg != '\0' && o + 1 < size; msg++) {
		int num = (*msg >= '0' && *msg <= '9') ||
			  (*msg >= 'A' && *msg <= 'F');

		if (!num)
			out[o++] = *msg;
		else if (o == 0 || out[o - 1] != '#')
			out[o++] = '#';
	}
	out[o] = '\0';
}

/* Every message the reader may give, with sample numbers. */
static const char *const message_forms[] = {
	"line 1: quote inside an unquoted field",
	"line 1: text after a closing quote in field 1",
	"line 1: unterminated quoted field (opened on line 1)",
	"line 1: carriage return without a line feed in field 1",
	"line 1: invalid UTF-8 in field 1",
	"line 1: NUL byte in field 1",
	"line 1: control character 0x01 in field 1",
	"line 1: field 1 is longer than 1 bytes",
	"line 1: record is longer than 1 bytes (field 1)",
	"line 1: record has more than 1 fields",
};

static void check_message(const char *msg, long lines)
{
	char got[SARGS_ERR_BYTES], form[SARGS_ERR_BYTES];
	long line;
	char *end;
	size_t i;

	check(memchr(msg, '\0', SARGS_ERR_BYTES) != NULL);
	check(strncmp(msg, "line ", 5) == 0);
	line = strtol(msg + 5, &end, 10);
	check(end != msg + 5 && *end == ':' && line >= 1 && line <= lines);
	normalise(msg, got, sizeof(got));
	for (i = 0; i < sizeof(message_forms) / sizeof(message_forms[0]); i++) {
		normalise(message_forms[i], form, sizeof(form));
		if (strcmp(got, form) == 0)
			return;
	}
	check(0);
}

/* ---- one read of the whole input ---------------------------------------- */

struct outcome {
	char delim;
	struct bytes all;  /* every result, lines and messages included */
	struct bytes rows; /* the fields of the records only */
	struct bytes again; /* the records written back, every field quoted */
};

static void check_row(const struct sargs_csv_row *row, long *last_line)
{
	size_t i, len, total = 0;
	const unsigned char *f;

	check(row->n >= 1 && row->n <= SARGS_CSV_FIELDS_MAX);
	check(row->line > *last_line);
	*last_line = row->line;
	for (i = 0; i < row->n; i++) {
		f = (const unsigned char *)row->fields[i];
		len = strlen(row->fields[i]);
		check(len <= SARGS_CSV_FIELD_MAX);
		total += len;
		check(utf8_ok(f, len));
		for (; *f != '\0'; f++)
			check(*f >= 0x20 || *f == '\t' || *f == '\r' ||
			      *f == '\n');
	}
	check(total <= SARGS_CSV_RECORD_MAX);
}

/* Appends the record to o->all and o->rows, and quoted to o->again. */
static void record_row(const struct sargs_csv_row *row, struct outcome *o)
{
	const char *f, *q;
	size_t i, len;

	add(&o->all, "R", 1);
	add(&o->all, &row->line, sizeof(row->line));
	add_size(&o->all, row->n);
	add_size(&o->rows, row->n);
	for (i = 0; i < row->n; i++) {
		len = strlen(row->fields[i]);
		add_size(&o->all, len);
		add(&o->all, row->fields[i], len);
		add_size(&o->rows, len);
		add(&o->rows, row->fields[i], len);

		if (i > 0)
			add(&o->again, &o->delim, 1);
		add(&o->again, "\"", 1);
		for (f = row->fields[i]; (q = strchr(f, '"')) != NULL; f = q + 1) {
			add(&o->again, f, (size_t)(q - f) + 1);
			add(&o->again, "\"", 1); /* doubled */
		}
		add(&o->again, f, strlen(f));
		add(&o->again, "\"", 1);
	}
	add(&o->again, "\n", 1);
}

/*
 * Reads data[0..size) with the given delimiter (0: detect) and block size,
 * checking every result; expect_clean: no fault may occur.
 */
static void read_all(const uint8_t *data, size_t size, char delim,
		     size_t read_bytes, int expect_clean, struct outcome *o)
{
	struct sargs_csv *c = NULL;
	struct sargs_csv_row row;
	struct sargs_err err;
	enum sargs_rc rc;
	long long bytes, before;
	long last_line = 0, lines = 1;
	size_t i, calls = 0;
	FILE *f;

	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	/* "r": fmemopen never writes to the buffer */
	f = fmemopen((void *)(uintptr_t)data, size, "r");
	check(f != NULL);
	check(sargs_csv_open_sized(f, delim, read_bytes, &c) == SARGS_OK);
	o->delim = sargs_csv_delim(c);
	check(o->delim == ',' || o->delim == ';' || o->delim == '\t');
	check(delim == 0 || o->delim == delim);
	bytes = sargs_csv_bytes(c);
	check(bytes == 0 || bytes == 3);
	for (;;) {
		before = bytes;
		rc = sargs_csv_next(c, &row, &err);
		bytes = sargs_csv_bytes(c);
		check(bytes >= before && bytes <= (long long)size);
		if (rc == SARGS_E_NOTFOUND)
			break;
		/* each record or fault takes at least one byte */
		check(bytes > before);
		check(++calls <= size);
		if (rc == SARGS_OK) {
			check(err.msg[0] == '\0');
			check_row(&row, &last_line);
			record_row(&row, o);
			continue;
		}
		check(rc == SARGS_E_INVALID && err.rc == SARGS_E_INVALID);
		check(!expect_clean);
		check_message(err.msg, lines);
		add(&o->all, "E", 1);
		add(&o->all, err.msg, strlen(err.msg));
	}
	check(bytes == (long long)size);
	check(sargs_csv_next(c, &row, &err) == SARGS_E_NOTFOUND);
	sargs_csv_close(c);
	check(fclose(f) == 0);
}

static void outcome_free(struct outcome *o)
{
	free(o->all.p);
	free(o->rows.p);
	free(o->again.p);
	memset(o, 0, sizeof(*o));
}

static int same(const struct bytes *a, const struct bytes *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
}

/*
 * Reads data with a detected delimiter in normal and tiny blocks (which
 * must agree), and with ';' given; then reads back what the first read
 * gave, written as CSV. Returns 0.
 */
int sargs_fuzz_csv(const uint8_t *data, size_t size)
{
	struct outcome normal, tiny, semi, back;
	size_t tiny_bytes = 1 + size % 7;

	if (size > FUZZ_INPUT_MAX)
		size = FUZZ_INPUT_MAX;
	memset(&normal, 0, sizeof(normal));
	memset(&tiny, 0, sizeof(tiny));
	memset(&semi, 0, sizeof(semi));
	memset(&back, 0, sizeof(back));

	read_all(data, size, 0, SARGS_CSV_READ_BYTES, 0, &normal);
	read_all(data, size, 0, tiny_bytes, 0, &tiny);
	check(tiny.delim == normal.delim);
	check(same(&tiny.all, &normal.all));
	read_all(data, size, ';', SARGS_CSV_READ_BYTES, 0, &semi);

	read_all(normal.again.p != NULL ? normal.again.p : (const uint8_t *)"",
		 normal.again.len, normal.delim, SARGS_CSV_READ_BYTES, 1, &back);
	check(same(&back.rows, &normal.rows));

	outcome_free(&normal);
	outcome_free(&tiny);
	outcome_free(&semi);
	outcome_free(&back);
	return 0;
}

#ifdef SARGS_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return sargs_fuzz_csv(data, size);
}
#endif
