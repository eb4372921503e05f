/*
 * csv.c — a streaming RFC 4180 CSV reader.
 *
 * The stream is read in blocks of up to SARGS_CSV_READ_BYTES into one
 * buffer; a small state machine walks it byte class by byte class and copies
 * the unquoted bytes of each field into a record buffer, where every field
 * is followed by a NUL. The state lives in the reader, so a record, a field,
 * a CRLF or a doubled quote may straddle two blocks. Runs of plain bytes are
 * found eight bytes at a time, then with a 256-entry table per quoting
 * state, and copied with memcpy, which keeps the inner loop free of calls.
 * UTF-8 is checked once per field that has a non-ASCII byte, on the
 * unquoted bytes (quotes, delimiters, CR and LF are ASCII, so they never sit
 * inside a multi-byte sequence).
 *
 * Every buffer has a cap from the start (SARGS_CSV_FIELD_MAX,
 * SARGS_CSV_RECORD_MAX, SARGS_CSV_FIELDS_MAX); input past a cap is a
 * malformed record. Fields are personal data: messages carry positions
 * only, and the buffers are wiped before they are freed.
 */
#include "util/csv.h"
#include "util/rc.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The record buffer holds every field's bytes and a NUL after each. */
#define REC_CAP_MIN 4096
#define REC_CAP_MAX (SARGS_CSV_RECORD_MAX + SARGS_CSV_FIELDS_MAX)

/* Longest reason in an error message, before "line N: " is put in front. */
#define REASON_BYTES 128

/* A byte repeated over a 64-bit word, for eight-at-a-time scanning. */
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

enum csv_state {
	ST_FIELD_START, /* before the first byte of a field (or of a record) */
	ST_UNQUOTED,    /* inside an unquoted field */
	ST_QUOTED,      /* inside a quoted field */
	ST_QUOTE_SEEN,  /* after a quote in a quoted field: closing, or "" */
	ST_CR           /* after a CR outside quotes: a LF must follow */
};

struct sargs_csv {
	FILE *in;
	unsigned char *buf;      /* SARGS_CSV_READ_BYTES */
	size_t pos;              /* next byte to look at */
	size_t len;              /* bytes held */
	size_t chunk;            /* most bytes read at once */
	long long base;          /* stream offset of buf[0] */
	int eof;
	enum sargs_rc sticky;    /* a read or memory failure: every call fails */
	unsigned char last_byte; /* last byte of the previous block */
	char delim;

	/* nonzero for the bytes that end a run of plain field bytes */
	unsigned char stop_unquoted[256];
	unsigned char stop_quoted[256];

	enum csv_state state;
	int in_record;   /* a byte of the current record has been taken */
	int row_ready;   /* the current record is complete */
	long line;       /* physical line of buf[pos] */
	long rec_line;   /* line where the current record began */
	long field_line; /* line where the current field began */

	char *rec;          /* the record's fields, each followed by a NUL */
	size_t rec_len;
	size_t rec_cap;
	size_t field_start; /* offset of the current field in rec */
	size_t nfields;     /* fields completed */
	unsigned field_or;  /* all bytes of the field or-ed: 0x80 if not ASCII */
	size_t off[SARGS_CSV_FIELDS_MAX];
	char *fields[SARGS_CSV_FIELDS_MAX];
};

/* ---- memory ------------------------------------------------------------- */

/* The buffers held personal data: wipe in a way the compiler keeps. */
static void wipe(void *p, size_t n)
{
	if (p != NULL && n > 0)
		explicit_bzero(p, n);
}

/* Grows rec to hold need bytes (need <= REC_CAP_MAX, checked by callers). */
static enum sargs_rc rec_grow(struct sargs_csv *c, size_t need)
{
	size_t ncap;
	char *p;

	if (need > REC_CAP_MAX)
		abort(); /* programmer error: the limits are checked first */
	ncap = c->rec_cap;
	while (ncap < need)
		ncap *= 2;
	if (ncap > REC_CAP_MAX)
		ncap = REC_CAP_MAX;
	p = malloc(ncap);
	if (p == NULL) {
		c->sticky = SARGS_E_NOMEM;
		return SARGS_E_NOMEM;
	}
	memcpy(p, c->rec, c->rec_len);
	/* not realloc: the old block must be wiped before it is freed */
	wipe(c->rec, c->rec_cap);
	free(c->rec);
	c->rec = p;
	c->rec_cap = ncap;
	return SARGS_OK;
}

static enum sargs_rc rec_reserve(struct sargs_csv *c, size_t need)
{
	return need <= c->rec_cap ? SARGS_OK : rec_grow(c, need);
}

/* ---- input -------------------------------------------------------------- */

/*
 * Reads more of the stream: after the bytes held, or over them when all
 * were consumed. At the end of input it returns SARGS_OK having added
 * nothing (c->pos == c->len). SARGS_E_IO on a read error, from then on.
 */
static enum sargs_rc read_block(struct sargs_csv *c)
{
	size_t want, got;

	if (c->sticky != SARGS_OK)
		return c->sticky;
	if (c->pos == c->len && c->len > 0) {
		c->last_byte = c->buf[c->len - 1];
		c->base += (long long)c->len;
		c->pos = 0;
		c->len = 0;
	}
	if (c->eof)
		return SARGS_OK;
	want = SARGS_CSV_READ_BYTES - c->len;
	if (want > c->chunk)
		want = c->chunk;
	if (want == 0)
		return SARGS_OK;
	got = fread(c->buf + c->len, 1, want, c->in);
	c->len += got;
	if (got < want) {
		/* fread only comes back short at the end or on an error */
		if (ferror(c->in)) {
			c->sticky = SARGS_E_IO;
			return SARGS_E_IO;
		}
		c->eof = 1;
	}
	return SARGS_OK;
}

/* The physical line of the last byte of the input, once it is all read. */
static long last_line(const struct sargs_csv *c)
{
	unsigned char last = c->len > 0 ? c->buf[c->len - 1] : c->last_byte;

	return last == '\n' && c->line > 1 ? c->line - 1 : c->line;
}

/*
 * Skips to just after the next LF (the start of the next physical line), or
 * to the end of input. A read error is kept in c->sticky for the next call.
 */
static void skip_line(struct sargs_csv *c)
{
	const unsigned char *lf;

	for (;;) {
		if (c->pos == c->len &&
		    (read_block(c) != SARGS_OK || c->pos == c->len))
			return;
		lf = memchr(c->buf + c->pos, '\n', c->len - c->pos);
		if (lf != NULL) {
			c->pos = (size_t)(lf - c->buf) + 1;
			c->line++;
			return;
		}
		c->pos = c->len;
	}
}

/* ---- delimiter detection ------------------------------------------------ */

struct detect {
	size_t i;       /* next byte to scan */
	int started;    /* past the leading blank lines */
	int in_quotes;
	int done;       /* found the LF that ends the first record */
	size_t commas, semicolons, tabs;
};

/* Scans buf[d->i .. len) of the first record; resumable as more arrives. */
static void detect_scan(const unsigned char *buf, size_t len, struct detect *d)
{
	unsigned char b;

	for (; d->i < len && !d->done; d->i++) {
		b = buf[d->i];
		if (!d->started) {
			if (b == '\r' || b == '\n')
				continue;
			d->started = 1;
		}
		if (b == '"')
			d->in_quotes = !d->in_quotes;
		else if (d->in_quotes)
			continue;
		else if (b == '\n')
			d->done = 1;
		else if (b == ',')
			d->commas++;
		else if (b == ';')
			d->semicolons++;
		else if (b == '\t')
			d->tabs++;
	}
}

static char detect_pick(const struct detect *d)
{
	if (d->commas >= d->semicolons && d->commas >= d->tabs)
		return ',';
	if (d->semicolons >= d->tabs)
		return ';';
	return '\t';
}

/* ---- open and close ----------------------------------------------------- */

static void build_classes(struct sargs_csv *c)
{
	int b;

	/* C0 controls stop a run: TAB is plain, CR and LF end or fault */
	for (b = 0; b < 0x20; b++) {
		c->stop_unquoted[b] = 1;
		c->stop_quoted[b] = 1;
	}
	c->stop_unquoted['\t'] = 0;
	c->stop_quoted['\t'] = 0;
	c->stop_quoted['\r'] = 0;
	c->stop_unquoted['"'] = 1;
	c->stop_quoted['"'] = 1;
	c->stop_unquoted[(unsigned char)c->delim] = 1;
}

enum sargs_rc sargs_csv_open_sized(FILE *in, char delim, size_t read_bytes,
				   struct sargs_csv **out)
{
	struct sargs_csv *c;
	struct detect d;
	size_t bom = 0;
	enum sargs_rc rc;

	if (in == NULL || out == NULL)
		abort(); /* programmer error */
	*out = NULL;
	if (delim != 0 && delim != ',' && delim != ';' && delim != '\t')
		return SARGS_E_INVALID;
	if (read_bytes < 1 || read_bytes > SARGS_CSV_READ_BYTES)
		return SARGS_E_INVALID;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return SARGS_E_NOMEM;
	c->in = in;
	c->chunk = read_bytes;
	c->line = 1;
	c->state = ST_FIELD_START;
	c->buf = malloc(SARGS_CSV_READ_BYTES);
	c->rec = malloc(REC_CAP_MIN);
	if (c->buf == NULL || c->rec == NULL) {
		rc = SARGS_E_NOMEM;
		goto fail;
	}
	c->rec_cap = REC_CAP_MIN;

	/* enough to see a byte order mark, then the first record if needed */
	while (c->len < 3 && !c->eof) {
		rc = read_block(c);
		if (rc != SARGS_OK)
			goto fail;
	}
	if (c->len >= 3 && c->buf[0] == 0xEF && c->buf[1] == 0xBB &&
	    c->buf[2] == 0xBF)
		bom = 3;
	if (delim == 0) {
		memset(&d, 0, sizeof(d));
		d.i = bom;
		for (;;) {
			detect_scan(c->buf, c->len, &d);
			if (d.done || c->eof || c->len == SARGS_CSV_READ_BYTES)
				break;
			rc = read_block(c);
			if (rc != SARGS_OK)
				goto fail;
		}
		delim = detect_pick(&d);
	}
	c->pos = bom;
	c->delim = delim;
	build_classes(c);
	*out = c;
	return SARGS_OK;

fail:
	sargs_csv_close(c);
	return rc;
}

enum sargs_rc sargs_csv_open(FILE *in, char delim, struct sargs_csv **out)
{
	return sargs_csv_open_sized(in, delim, SARGS_CSV_READ_BYTES, out);
}

void sargs_csv_close(struct sargs_csv *c)
{
	if (c == NULL)
		return;
	if (c->buf != NULL) {
		wipe(c->buf, SARGS_CSV_READ_BYTES);
		free(c->buf);
	}
	if (c->rec != NULL) {
		wipe(c->rec, c->rec_cap);
		free(c->rec);
	}
	free(c);
}

char sargs_csv_delim(const struct sargs_csv *c)
{
	return c->delim;
}

long long sargs_csv_bytes(const struct sargs_csv *c)
{
	return c->base + (long long)c->pos;
}

/* ---- faults ------------------------------------------------------------- */

/*
 * Reports a malformed record: err gets "line N: reason". The record is
 * dropped; with skip, the reader goes on to the start of the next physical
 * line (the fault is at or before buf[pos]); without, it is already there
 * (the fault ended with a LF, or at the end of input).
 */
static enum sargs_rc fail(struct sargs_csv *c, struct sargs_err *err,
			  long line, int skip, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static enum sargs_rc fail(struct sargs_csv *c, struct sargs_err *err,
			  long line, int skip, const char *fmt, ...)
{
	char reason[REASON_BYTES];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	(void)sargs_err_set(err, SARGS_E_INVALID, "line %ld: %s", line, reason);
	c->state = ST_FIELD_START;
	c->in_record = 0;
	c->row_ready = 0;
	c->rec_len = 0;
	c->nfields = 0;
	c->field_start = 0;
	if (skip)
		skip_line(c);
	return SARGS_E_INVALID;
}

/* A C0 control character (not TAB, CR, LF) at buf[pos]. */
static enum sargs_rc control_fault(struct sargs_csv *c, unsigned char b,
				   struct sargs_err *err)
{
	if (b == 0)
		return fail(c, err, c->line, 1, "NUL byte in field %zu",
			    c->nfields + 1);
	return fail(c, err, c->line, 1, "control character 0x%02X in field %zu",
		    (unsigned)b, c->nfields + 1);
}

/* ---- fields ------------------------------------------------------------- */

/*
 * Offset of the first byte of s[0..n) that is not part of well-formed UTF-8
 * (The Unicode Standard, table 3-7: no overlong forms, no surrogates,
 * nothing past U+10FFFF, no truncated sequence), or n when all is well.
 */
static size_t utf8_bad_at(const unsigned char *s, size_t n)
{
	size_t i = 0, k, more;
	uint64_t word;
	unsigned char b, lo, hi;

	while (i < n) {
		b = s[i];
		if (b < 0x80) {
			/* ASCII, most of any list: eight bytes at a time */
			i++;
			while (n - i >= sizeof(word)) {
				memcpy(&word, s + i, sizeof(word));
				if (word & HIGHS)
					break;
				i += sizeof(word);
			}
			continue;
		}
		lo = 0x80;
		hi = 0xBF;
		if (b >= 0xC2 && b <= 0xDF) {
			more = 1;
		} else if (b == 0xE0) {
			more = 2;
			lo = 0xA0; /* overlong below U+0800 */
		} else if (b == 0xED) {
			more = 2;
			hi = 0x9F; /* surrogates U+D800-U+DFFF */
		} else if (b >= 0xE1 && b <= 0xEF) {
			more = 2;
		} else if (b == 0xF0) {
			more = 3;
			lo = 0x90; /* overlong below U+10000 */
		} else if (b >= 0xF1 && b <= 0xF3) {
			more = 3;
		} else if (b == 0xF4) {
			more = 3;
			hi = 0x8F; /* past U+10FFFF */
		} else {
			return i; /* continuation, overlong C0/C1, F5-FF */
		}
		if (n - i <= more || s[i + 1] < lo || s[i + 1] > hi)
			return i;
		for (k = 2; k <= more; k++)
			if ((s[i + k] & 0xC0) != 0x80)
				return i;
		i += more + 1;
	}
	return n;
}

/* Line feeds in s[0..n). */
static long count_lf(const unsigned char *s, size_t n)
{
	const unsigned char *end = s + n, *lf;
	long count = 0;

	while (s < end && (lf = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		count++;
		s = lf + 1;
	}
	return count;
}

/*
 * Moves n bytes from buf[pos] into the current field, unless that would
 * pass a limit: then pos is left at the first byte too many, the fault.
 */
static enum sargs_rc take_bytes(struct sargs_csv *c, size_t n,
				struct sargs_err *err)
{
	size_t field_room = SARGS_CSV_FIELD_MAX - (c->rec_len - c->field_start);
	size_t rec_room = SARGS_CSV_RECORD_MAX - (c->rec_len - c->nfields);
	enum sargs_rc rc;

	if (n > field_room) {
		c->pos += field_room;
		return fail(c, err, c->line, 1, "field %zu is longer than %d bytes",
			    c->nfields + 1, SARGS_CSV_FIELD_MAX);
	}
	if (n > rec_room) {
		c->pos += rec_room;
		return fail(c, err, c->line, 1,
			    "record is longer than %d bytes (field %zu)",
			    SARGS_CSV_RECORD_MAX, c->nfields + 1);
	}
	/* one more for the NUL that will end the field */
	rc = rec_reserve(c, c->rec_len + n + 1);
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "line %ld: out of memory", c->line);
	memcpy(c->rec + c->rec_len, c->buf + c->pos, n);
	c->rec_len += n;
	c->pos += n;
	return SARGS_OK;
}

/*
 * Ends the current field: checks its UTF-8, NUL-terminates and keeps it.
 * at_line_start: the field ended with a LF already consumed, so after a
 * fault the reader is at the next line already.
 */
static enum sargs_rc end_field(struct sargs_csv *c, int at_line_start,
			       struct sargs_err *err)
{
	const unsigned char *field = (const unsigned char *)c->rec + c->field_start;
	size_t len = c->rec_len - c->field_start;
	/* an all-ASCII field (most of them) needs no second look */
	size_t bad = (c->field_or & 0x80) ? utf8_bad_at(field, len) : len;
	enum sargs_rc rc;

	if (bad < len)
		return fail(c, err, c->field_line + count_lf(field, bad),
			    !at_line_start, "invalid UTF-8 in field %zu",
			    c->nfields + 1);
	rc = rec_reserve(c, c->rec_len + 1);
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "line %ld: out of memory", c->line);
	c->rec[c->rec_len++] = '\0';
	c->off[c->nfields++] = c->field_start;
	c->field_start = c->rec_len;
	return SARGS_OK;
}

/* A delimiter, LF or CR at buf[pos], outside quotes: the field ends. */
static enum sargs_rc field_end_byte(struct sargs_csv *c, unsigned char b,
				    struct sargs_err *err)
{
	enum sargs_rc rc;

	c->pos++;
	if (b == '\r') {
		c->state = ST_CR;
		return SARGS_OK;
	}
	if (b == '\n') {
		c->line++;
		rc = end_field(c, 1, err);
		if (rc == SARGS_OK)
			c->row_ready = 1;
		return rc;
	}
	rc = end_field(c, 0, err);
	if (rc != SARGS_OK)
		return rc;
	if (c->nfields == SARGS_CSV_FIELDS_MAX)
		return fail(c, err, c->line, 1, "record has more than %d fields",
			    SARGS_CSV_FIELDS_MAX);
	c->state = ST_FIELD_START;
	return SARGS_OK;
}

/* ---- scanning ------------------------------------------------------------ */

/*
 * Eight bytes at a time (SWAR, as in "Bit Twiddling Hacks"): whether a word
 * holds a zero byte, or a byte below 0x20 (exact for "any", which is all
 * that is asked). Plain text goes through a word per step; a word with a
 * byte that may stop the run is left to the byte table.
 */
static uint64_t has_zero_byte(uint64_t w)
{
	return (w - ONES) & ~w & HIGHS;
}

static uint64_t has_control_byte(uint64_t w)
{
	return (w - ONES * 0x20) & ~w & HIGHS;
}

/*
 * The end of the run of plain bytes from p (a byte with stop[] set, or
 * end); or-s the high bits of the run into *seen. quote and delim are
 * words of eight quote and delimiter bytes (delim 0 for none).
 */
static const unsigned char *scan_run(const unsigned char *p,
				     const unsigned char *end,
				     const unsigned char *stop, uint64_t quote,
				     uint64_t delim, unsigned *seen)
{
	uint64_t w, high = 0;

	while (end - p >= (ptrdiff_t)sizeof(w)) {
		memcpy(&w, p, sizeof(w));
		if (has_control_byte(w) | has_zero_byte(w ^ quote) |
		    has_zero_byte(w ^ delim))
			break;
		high |= w;
		p += sizeof(w);
	}
	if (high & HIGHS)
		*seen |= 0x80;
	while (p < end && !stop[*p])
		*seen |= *p++;
	return p;
}

/* ---- the states, each called with buf[pos] available ------------------- */

static enum sargs_rc on_field_start(struct sargs_csv *c)
{
	unsigned char b = c->buf[c->pos];

	if (!c->in_record) {
		if (b == '\n') { /* a blank line */
			c->pos++;
			c->line++;
			return SARGS_OK;
		}
		if (b == '\r') { /* a blank line if LF follows */
			c->pos++;
			c->state = ST_CR;
			return SARGS_OK;
		}
		c->in_record = 1;
		c->rec_line = c->line;
	}
	c->field_line = c->line;
	c->field_or = 0;
	if (b == '"') {
		c->pos++;
		c->state = ST_QUOTED;
	} else {
		c->state = ST_UNQUOTED;
	}
	return SARGS_OK;
}

static enum sargs_rc on_unquoted(struct sargs_csv *c, struct sargs_err *err)
{
	const unsigned char *start = c->buf + c->pos, *end = c->buf + c->len;
	const unsigned char *p;
	enum sargs_rc rc;
	unsigned char b;

	p = scan_run(start, end, c->stop_unquoted, ONES * '"',
		     ONES * (unsigned char)c->delim, &c->field_or);
	if (p > start) {
		rc = take_bytes(c, (size_t)(p - start), err);
		if (rc != SARGS_OK || p == end)
			return rc;
	}
	b = *p;
	if (b == (unsigned char)c->delim || b == '\n' || b == '\r')
		return field_end_byte(c, b, err);
	if (b == '"')
		return fail(c, err, c->line, 1,
			    "quote inside an unquoted field");
	return control_fault(c, b, err);
}

static enum sargs_rc on_quoted(struct sargs_csv *c, struct sargs_err *err)
{
	const unsigned char *start = c->buf + c->pos, *end = c->buf + c->len;
	const unsigned char *p;
	enum sargs_rc rc;
	unsigned char b;

	/* the delimiter is plain here: a zero byte is a control anyway */
	p = scan_run(start, end, c->stop_quoted, ONES * '"', 0, &c->field_or);
	if (p > start) {
		rc = take_bytes(c, (size_t)(p - start), err);
		if (rc != SARGS_OK || p == end)
			return rc;
	}
	b = *p;
	if (b == '"') {
		c->pos++;
		c->state = ST_QUOTE_SEEN;
		return SARGS_OK;
	}
	if (b == '\n') {
		rc = take_bytes(c, 1, err);
		if (rc == SARGS_OK)
			c->line++;
		return rc;
	}
	return control_fault(c, b, err);
}

static enum sargs_rc on_quote_seen(struct sargs_csv *c, struct sargs_err *err)
{
	unsigned char b = c->buf[c->pos];
	enum sargs_rc rc;

	if (b == '"') { /* "" stands for one quote */
		rc = take_bytes(c, 1, err);
		if (rc == SARGS_OK)
			c->state = ST_QUOTED;
		return rc;
	}
	if (b == (unsigned char)c->delim || b == '\n' || b == '\r')
		return field_end_byte(c, b, err);
	return fail(c, err, c->line, 1, "text after a closing quote in field %zu",
		    c->nfields + 1);
}

static enum sargs_rc on_cr(struct sargs_csv *c, struct sargs_err *err)
{
	enum sargs_rc rc;

	if (c->buf[c->pos] != '\n')
		return fail(c, err, c->line, 1,
			    "carriage return without a line feed in field %zu",
			    c->nfields + 1);
	c->pos++;
	c->line++;
	if (!c->in_record) { /* a blank CRLF line */
		c->state = ST_FIELD_START;
		return SARGS_OK;
	}
	rc = end_field(c, 1, err);
	if (rc == SARGS_OK)
		c->row_ready = 1;
	return rc;
}

/* The input is all read: ends the record in hand, if any. */
static enum sargs_rc on_end(struct sargs_csv *c, struct sargs_err *err)
{
	enum sargs_rc rc;

	switch (c->state) {
	case ST_QUOTED:
		return fail(c, err, last_line(c), 0,
			    "unterminated quoted field (opened on line %ld)",
			    c->field_line);
	case ST_CR:
		return fail(c, err, c->line, 0,
			    "carriage return without a line feed in field %zu",
			    c->nfields + 1);
	case ST_FIELD_START:
		if (!c->in_record)
			return SARGS_E_NOTFOUND;
		break; /* an empty last field after a delimiter */
	case ST_UNQUOTED:
	case ST_QUOTE_SEEN:
		break;
	}
	rc = end_field(c, 1, err);
	if (rc == SARGS_OK)
		c->row_ready = 1;
	return rc;
}

enum sargs_rc sargs_csv_next(struct sargs_csv *c, struct sargs_csv_row *row,
			     struct sargs_err *err)
{
	enum sargs_rc rc;
	size_t i;

	if (c == NULL || row == NULL)
		abort(); /* programmer error */
	sargs_err_clear(err);
	row->fields = NULL;
	row->n = 0;
	row->line = 0;
	if (c->sticky != SARGS_OK)
		return sargs_err_set(err, c->sticky,
				     "line %ld: the reader failed before: %s",
				     c->line, sargs_rc_str(c->sticky));
	c->rec_len = 0;
	c->nfields = 0;
	c->field_start = 0;
	c->row_ready = 0;
	do {
		if (c->pos == c->len) {
			rc = read_block(c);
			if (rc != SARGS_OK)
				return sargs_err_set(err, rc,
						     "line %ld: cannot read the input",
						     c->line);
			if (c->pos == c->len) {
				rc = on_end(c, err);
				break;
			}
		}
		switch (c->state) {
		case ST_FIELD_START:
			rc = on_field_start(c);
			break;
		case ST_UNQUOTED:
			rc = on_unquoted(c, err);
			break;
		case ST_QUOTED:
			rc = on_quoted(c, err);
			break;
		case ST_QUOTE_SEEN:
			rc = on_quote_seen(c, err);
			break;
		case ST_CR:
		default:
			rc = on_cr(c, err);
			break;
		}
	} while (rc == SARGS_OK && !c->row_ready);
	if (rc != SARGS_OK)
		return rc;

	for (i = 0; i < c->nfields; i++)
		c->fields[i] = c->rec + c->off[i];
	row->fields = c->fields;
	row->n = c->nfields;
	row->line = c->rec_line;
	c->state = ST_FIELD_START;
	c->in_record = 0;
	c->row_ready = 0;
	return SARGS_OK;
}
