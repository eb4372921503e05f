/*
 * csv.h — a streaming RFC 4180 CSV reader, for importing legacy customer
 * lists one record at a time.
 *
 * The reader reads its stream in large blocks and hands out one record per
 * call, as NUL-terminated UTF-8 fields in buffers it owns. Quoted fields may
 * hold delimiters, CR, LF and doubled quotes; records end at LF or CRLF;
 * blank lines are skipped; a last line without a newline is fine. Malformed
 * records are reported with the physical line number and a reason, and the
 * reader then goes on at the next line, so that one bad row does not stop an
 * import.
 *
 * Fields are personal data: error messages hold line and field numbers and
 * byte values of control characters, never field contents, and the reader
 * wipes its buffers when closed.
 */
#ifndef SARGS_CSV_H
#define SARGS_CSV_H

#include "util/rc.h"

#include <stddef.h>
#include <stdio.h>

/* Limits; input past them is an SARGS_E_INVALID record, never a crash. */
#define SARGS_CSV_FIELD_MAX 65536      /* bytes of one field, unquoted */
#define SARGS_CSV_RECORD_MAX 1048576   /* bytes of all fields of a record */
#define SARGS_CSV_FIELDS_MAX 256       /* fields in a record */
#define SARGS_CSV_READ_BYTES 65536     /* bytes read from the stream at once */

struct sargs_csv; /* opaque reader */

struct sargs_csv_row {
	char **fields; /* n fields, NUL-terminated UTF-8, valid until the next call */
	size_t n;      /* 1 to SARGS_CSV_FIELDS_MAX */
	long line;     /* physical line number (1-based) where the record starts */
};

/*
 * Opens a reader on in, which stays the caller's (the reader never closes
 * it) and must not be read by anyone else while the reader is in use.
 * delim is ',', ';' or '\t', or 0 to detect it from the first record (the
 * first non-blank line, or more lines if a quoted field spans them, up to
 * SARGS_CSV_READ_BYTES): the one of ',', ';' and TAB occurring most outside
 * quotes, ',' when none occurs (ties go to ',', then ';'). A UTF-8 byte
 * order mark at the start is skipped.
 * On success *out is a new reader (caller closes with sargs_csv_close).
 * Returns SARGS_OK, SARGS_E_INVALID for another delim, SARGS_E_NOMEM, or
 * SARGS_E_IO when the first block cannot be read; *out is NULL on failure.
 */
enum sargs_rc sargs_csv_open(FILE *in, char delim,
			     struct sargs_csv **out) SARGS_WUR;

/*
 * As sargs_csv_open, but reads at most read_bytes (1 to
 * SARGS_CSV_READ_BYTES) from the stream at once; records and errors are the
 * same whatever read_bytes is. For tests and fuzzing of block boundaries, or
 * an interactive stream. SARGS_E_INVALID for a read_bytes out of range.
 */
enum sargs_rc sargs_csv_open_sized(FILE *in, char delim, size_t read_bytes,
				   struct sargs_csv **out) SARGS_WUR;

/*
 * Closes the reader: wipes its buffers (they held personal data) and frees
 * it. The stream is left open. c may be NULL.
 */
void sargs_csv_close(struct sargs_csv *c);

/*
 * Reads the next record into row; the field strings and the fields array
 * belong to the reader and stay valid until the next call or close.
 * Returns:
 *   SARGS_OK         row filled;
 *   SARGS_E_NOTFOUND end of input (and on every later call);
 *   SARGS_E_INVALID  a malformed record; err->msg is "line N: <reason>",
 *                    N the physical line of the fault. The reader has
 *                    skipped to the start of the next physical line after
 *                    the point where it found the fault (for invalid UTF-8
 *                    that is the end of the field), so the next call goes on
 *                    with the next record;
 *   SARGS_E_IO       a read error (and on every later call).
 * Malformed: a quote inside an unquoted field, text after a closing quote,
 * a quoted field still open at the end of input, a CR not followed by LF
 * outside quotes, invalid UTF-8 (overlong forms, surrogates, code points
 * past U+10FFFF, truncated sequences), a NUL or other C0 control character
 * than TAB, CR and LF, and a record over the SARGS_CSV_* limits.
 * err may be NULL; it is cleared on SARGS_OK and SARGS_E_NOTFOUND.
 * c and row must not be NULL (aborts).
 */
enum sargs_rc sargs_csv_next(struct sargs_csv *c, struct sargs_csv_row *row,
			     struct sargs_err *err) SARGS_WUR;

/* The delimiter in use (given, or detected by sargs_csv_open). */
char sargs_csv_delim(const struct sargs_csv *c);

/* Bytes of the stream consumed so far (BOM included), for progress. */
long long sargs_csv_bytes(const struct sargs_csv *c);

#endif
