/*
 * stats.h — anonymised statistics that survive erasure (004 §20.2-20.3;
 * GDPR Recital 26; mission §7).
 *
 * Counts by month, purpose, product line and measure ("subjects_added",
 * "consents_withdrawn", ...) are kept beside the register without any
 * subject id, so an erasure leaves them as they are. The domain calls that
 * change the register add to them inside their own transaction, after
 * their store write succeeded.
 *
 * Reading them never singles anyone out. In every month and measure, the
 * cells (purpose, product line) are suppressed as follows:
 *   - primary: a count of 1 to 4 is shown as "<5" (JSON null);
 *   - complementary: when exactly one cell of a month and measure is
 *     suppressed, the next smallest cell of that month and measure is
 *     suppressed too, so the small one cannot be had by subtraction from
 *     the month's total;
 *   - the month's total is shown only when none of its cells is suppressed,
 *     or when it is 5 or more and at least two cells are suppressed;
 *   - a count of 0 has no row: it is never stored (a call with delta 0 adds
 *     nothing), and a stored 0 is left out.
 * Suppression is decided over all purposes of a month and measure before a
 * --purpose filter picks rows, and a filtered report has no totals, so a
 * filter cannot undo it.
 */
#ifndef SARGS_STATS_H
#define SARGS_STATS_H

#include "domain/register.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_STATS_MIN_CELL 5   /* counts below are suppressed */
#define SARGS_STATS_SUPPRESSED (-1)

/* 1 when measure is one of the measures kept (see stats.c). */
int sargs_stats_measure_valid(const char *measure);

/*
 * Adds delta to this month's count of (purpose, product_line or NULL,
 * measure) in the caller's transaction (UTC month of sargs_time_now_us).
 * purpose may be "" (a purchase belongs to no purpose). An unknown measure
 * is a programmer error (aborts). Returns the store's result; holds no ids.
 */
enum sargs_rc sargs_stats_count(struct sargs_reg *reg, const char *purpose,
				const char *product_line, const char *measure,
				int64_t delta) SARGS_WUR;

/* The purposes a subject is linked to, read before an erasure deletes the
 * links (so the erasure can count them). */
struct sargs_stats_links {
	char purposes[64][64];
	size_t n;
};

/* Reads the links of id (none when it does not exist) in the caller's
 * transaction. */
enum sargs_rc sargs_stats_links_load(struct sargs_reg *reg, const char *id,
				     struct sargs_stats_links *out) SARGS_WUR;

/* Adds 1 to measure for each purpose of links, in the caller's transaction. */
enum sargs_rc sargs_stats_count_links(struct sargs_reg *reg, const struct sargs_stats_links *l,
				      const char *measure) SARGS_WUR;

/* One row of the report. */
struct sargs_stats_row {
	const char *month;         /* "YYYY-MM" */
	const char *purpose;       /* "" for purchases; NULL on a total row */
	const char *product_line;  /* "" when none; NULL on a total row */
	const char *measure;
	int64_t count;             /* SARGS_STATS_SUPPRESSED when suppressed */
	int total;                 /* 1: the month's total over all cells */
};

struct sargs_stats_filter {
	const char *month;    /* "YYYY-MM" or NULL */
	const char *purpose;  /* or NULL; "" selects the purchases */
};

/*
 * Calls cb for every row that passes filter (after suppression), ordered
 * by month, measure, purpose, product line, each month and measure's total
 * (when it may be shown, and no purpose filter is given) after its cells.
 * cb returns non-zero to stop. The read is audited as "stats.read" (no
 * subject id) and committed before the first row is handed out.
 */
enum sargs_rc sargs_stats_report(struct sargs_reg *reg, const struct sargs_stats_filter *filter,
				 int (*cb)(void *ctx, const struct sargs_stats_row *row),
				 void *ctx, struct sargs_err *err) SARGS_WUR;

#endif
