/*
 * stats.c — anonymised counts that survive erasure, and their report with
 * small cells suppressed (see stats.h).
 */
#include "domain/stats.h"

#include "domain/registry.h"
#include "store/store_rights.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CELLS 1000000 /* a report never grows past this many counts */

/* The measures kept; a new one is added here and documented in
 * docs/analytics.md. */
static const char *const measures[] = {
	"subjects_added",    "subjects_erased", "consents_given", "consents_withdrawn",
	"objections",        "purchases",       "campaign_recipients",
};

int sargs_stats_measure_valid(const char *measure)
{
	for (size_t i = 0; i < sizeof(measures) / sizeof(measures[0]); i++)
		if (measure != NULL && strcmp(measure, measures[i]) == 0)
			return 1;
	return 0;
}

enum sargs_rc sargs_stats_count(struct sargs_reg *reg, const char *purpose,
				const char *product_line, const char *measure, int64_t delta)
{
	char month[16];
	int y, m, d;

	if (!sargs_stats_measure_valid(measure) || purpose == NULL)
		abort(); /* programmer error: the measures are fixed in code */
	if (delta == 0)
		return SARGS_OK; /* a 0 is never stored (stats.h) */
	sargs_civil_from_days(sargs_time_now_us() / 86400000000LL, &y, &m, &d);
	(void)snprintf(month, sizeof(month), "%04d-%02d", y, m);
	return sargs_store_stats_add(reg->store, month, purpose,
				     product_line != NULL ? product_line : "", measure, delta);
}

static int links_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct sargs_stats_links *l = ctx;

	(void)linked_us;
	if (l->n >= sizeof(l->purposes) / sizeof(l->purposes[0]))
		return 1;
	(void)snprintf(l->purposes[l->n], sizeof(l->purposes[0]), "%s", purpose);
	l->n++;
	return 0;
}

enum sargs_rc sargs_stats_links_load(struct sargs_reg *reg, const char *id,
				     struct sargs_stats_links *out)
{
	out->n = 0;
	if (!sargs_uuid_valid(id))
		return SARGS_OK;
	return sargs_store_links(reg->store, id, links_cb, out);
}

enum sargs_rc sargs_stats_count_links(struct sargs_reg *reg, const struct sargs_stats_links *l,
				      const char *measure)
{
	enum sargs_rc rc = SARGS_OK;

	for (size_t i = 0; i < l->n && rc == SARGS_OK; i++)
		rc = sargs_stats_count(reg, l->purposes[i], NULL, measure, 1);
	return rc;
}

/* ---- the report */

struct cell {
	char *month, *purpose, *line, *measure;
	int64_t n;
	int suppressed;
};

struct cells {
	struct cell *c;
	size_t n, cap;
	const char *month;  /* filter, or NULL */
	int failed;
};

static void cells_free(struct cells *cs)
{
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->c[i].month);
		free(cs->c[i].purpose);
		free(cs->c[i].line);
		free(cs->c[i].measure);
	}
	free(cs->c);
	cs->c = NULL;
	cs->n = cs->cap = 0;
}

static int scan_cb(void *ctx, const char *month, const char *purpose, const char *line,
		   const char *measure, int64_t n)
{
	struct cells *cs = ctx;
	struct cell *c;

	if (n <= 0 || (cs->month != NULL && strcmp(cs->month, month) != 0))
		return 0; /* a 0 has no row */
	if (cs->n == cs->cap) {
		size_t ncap = cs->cap ? cs->cap * 2 : 64;
		struct cell *nc;

		if (ncap > MAX_CELLS) {
			cs->failed = 1;
			return 1;
		}
		nc = realloc(cs->c, ncap * sizeof(*nc));
		if (nc == NULL) {
			cs->failed = 1;
			return 1;
		}
		cs->c = nc;
		cs->cap = ncap;
	}
	c = &cs->c[cs->n];
	c->month = strdup(month);
	c->purpose = strdup(purpose);
	c->line = strdup(line);
	c->measure = strdup(measure);
	c->n = n;
	c->suppressed = 0;
	cs->n++;
	if (c->month == NULL || c->purpose == NULL || c->line == NULL || c->measure == NULL) {
		cs->failed = 1;
		return 1;
	}
	return 0;
}

static int cell_cmp(const void *a, const void *b)
{
	const struct cell *x = a, *y = b;
	int r;

	if ((r = strcmp(x->month, y->month)) != 0 || (r = strcmp(x->measure, y->measure)) != 0 ||
	    (r = strcmp(x->purpose, y->purpose)) != 0)
		return r;
	return strcmp(x->line, y->line);
}

static int same_group(const struct cell *a, const struct cell *b)
{
	return strcmp(a->month, b->month) == 0 && strcmp(a->measure, b->measure) == 0;
}

/* The end (exclusive) of the month-and-measure group starting at i. */
static size_t group_end(const struct cells *cs, size_t i)
{
	size_t j = i + 1;

	while (j < cs->n && same_group(&cs->c[i], &cs->c[j]))
		j++;
	return j;
}

/*
 * Suppresses the cells of group [i, j): primary (1-4), then complementary
 * (the next smallest when exactly one is suppressed). *total and *show_total
 * say whether the group's total may be shown.
 */
static void suppress_group(struct cells *cs, size_t i, size_t j, int64_t *total,
			   int *show_total)
{
	size_t n_supp = 0, smallest = j;

	*total = 0;
	for (size_t k = i; k < j; k++) {
		*total += cs->c[k].n;
		cs->c[k].suppressed = cs->c[k].n < SARGS_STATS_MIN_CELL;
		n_supp += (size_t)cs->c[k].suppressed;
	}
	if (n_supp == 1) {
		for (size_t k = i; k < j; k++)
			if (!cs->c[k].suppressed && (smallest == j || cs->c[k].n < cs->c[smallest].n))
				smallest = k;
		if (smallest < j) {
			cs->c[smallest].suppressed = 1;
			n_supp++;
		}
	}
	*show_total = n_supp == 0 || (*total >= SARGS_STATS_MIN_CELL && n_supp >= 2);
}

static int row_selected(const struct cell *c, const struct sargs_stats_filter *f)
{
	return f->purpose == NULL || strcmp(c->purpose, f->purpose) == 0;
}

static int month_valid(const char *s)
{
	int y, m;
	char tail;

	if (strlen(s) != 7 || s[4] != '-')
		return 0;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return 0;
	if (sscanf(s, "%4d-%2d%c", &y, &m, &tail) != 2)
		return 0;
	return y >= 1970 && m >= 1 && m <= 12;
}

/* Walks the groups: suppresses, then calls cb (when given) for the selected
 * rows; returns the number of rows. */
static size_t walk(struct cells *cs, const struct sargs_stats_filter *f,
		   int (*cb)(void *ctx, const struct sargs_stats_row *row), void *ctx)
{
	size_t rows = 0;

	for (size_t i = 0; i < cs->n;) {
		size_t j = group_end(cs, i);
		int64_t total;
		int show_total;

		suppress_group(cs, i, j, &total, &show_total);
		for (size_t k = i; k < j; k++) {
			struct sargs_stats_row r;

			if (!row_selected(&cs->c[k], f))
				continue;
			rows++;
			if (cb == NULL)
				continue;
			r.month = cs->c[k].month;
			r.purpose = cs->c[k].purpose;
			r.product_line = cs->c[k].line;
			r.measure = cs->c[k].measure;
			r.count = cs->c[k].suppressed ? SARGS_STATS_SUPPRESSED : cs->c[k].n;
			r.total = 0;
			if (cb(ctx, &r) != 0)
				return rows;
		}
		if (show_total && f->purpose == NULL) {
			struct sargs_stats_row r = {cs->c[i].month, NULL, NULL, cs->c[i].measure,
						    total, 1};

			rows++;
			if (cb != NULL && cb(ctx, &r) != 0)
				return rows;
		}
		i = j;
	}
	return rows;
}

enum sargs_rc sargs_stats_report(struct sargs_reg *reg, const struct sargs_stats_filter *filter,
				 int (*cb)(void *ctx, const struct sargs_stats_row *row),
				 void *ctx, struct sargs_err *err)
{
	static const struct sargs_stats_filter none = {NULL, NULL};
	const struct sargs_stats_filter *f = filter != NULL ? filter : &none;
	struct cells cs;
	char detail[160];
	size_t rows;
	enum sargs_rc rc;

	if (f->month != NULL && !month_valid(f->month))
		return sargs_err_set(err, SARGS_E_INVALID, "a month is written YYYY-MM");
	if (f->purpose != NULL && f->purpose[0] != '\0' && !sargs_ident_valid(f->purpose))
		return sargs_err_set(err, SARGS_E_INVALID, "not a purpose identifier");
	memset(&cs, 0, sizeof(cs));
	cs.month = f->month;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_stats_scan(reg->store, scan_cb, &cs);
	if (rc != SARGS_OK)
		(void)sargs_err_set(err, rc, "cannot read the statistics: %s",
				    sargs_store_errmsg(reg->store));
	else if (cs.failed)
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	if (rc == SARGS_OK) {
		if (cs.n > 1)
			qsort(cs.c, cs.n, sizeof(*cs.c), cell_cmp);
		rows = walk(&cs, f, NULL, NULL);
		(void)snprintf(detail, sizeof(detail), "month:%s purpose:%s rows:%zu",
			       f->month ? f->month : "all",
			       f->purpose ? (f->purpose[0] ? f->purpose : "(purchases)") : "all",
			       rows);
		rc = sargs_reg_audit(reg, "stats.read", NULL, NULL, NULL, detail, err);
	}
	if (rc == SARGS_OK)
		rc = sargs_reg_commit(reg, err);
	else
		sargs_reg_rollback(reg);
	if (rc == SARGS_OK) {
		(void)walk(&cs, f, cb, ctx);
	}
	cells_free(&cs);
	return rc;
}
