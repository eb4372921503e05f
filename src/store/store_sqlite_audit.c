/*
 * store_sqlite_audit.c — finding one person's entries in the audit trail
 * without a per-entry index (store.h, sargs_store_audit_scan).
 *
 * Why: an index on the entries' subject takes one random page of the
 * index per entry, and every read of personal data appends an entry. At a
 * million subjects each audited read wrote a 4 KiB page of that index to
 * the log (and again to the database), more than everything else the read
 * wrote together.
 *
 * Instead the trail is cut into blocks of AUDIT_BLOCK entries by sequence
 * number (block b holds seq b*AUDIT_BLOCK+1 .. (b+1)*AUDIT_BLOCK). When a
 * block's last entry is appended, in the same transaction, the block gets a
 * Bloom filter of the subjects in it, split into BLOOM_SLICES slices: a
 * subject's hash picks one slice, and only that slice holds its bits. The
 * slices are rows keyed (slice, block), so a search for one person reads
 * one small row per block, in order, and then only the blocks whose filter
 * says "maybe" (a false "maybe" costs a scan of one block; with 1024 bits
 * per slice for about 64 subjects and 8 bits each it is about 1 in 1700,
 * more for a slice that got more than its share),
 * plus the last, unfinished block. Appending costs one scan of the block's
 * entries (still in memory) every AUDIT_BLOCK entries. The filters are
 * derived data: a subject id that hashes somewhere says nothing beyond the
 * entries themselves, and the hash chain (audit.c) covers the entries only.
 */
#include "store/store_sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#define AUDIT_BLOCK 4096
#define BLOOM_SLICES 64
#define BLOOM_BYTES 128 /* per slice and block: 1024 bits */
#define BLOOM_BITS (BLOOM_BYTES * 8)
#define BLOOM_K 8

static const char sql_block_subjects[] =
	"SELECT subject_id FROM audit WHERE seq > ?1 AND seq <= ?2 AND subject_id IS NOT NULL";
/* derived data: a row left from before (a hand edit) is replaced, so that it
 * cannot stop the trail at a block's end */
static const char sql_bloom_put[] =
	"INSERT OR REPLACE INTO audit_bloom(slice, block, bits) VALUES(?1, ?2, ?3)";
static const char sql_bloom_slice[] =
	"SELECT block, bits FROM audit_bloom WHERE slice = ?1 AND block >= ?2 ORDER BY block";
static const char sql_bloom_last[] = "SELECT max(block) FROM audit_bloom WHERE slice = 0";
/* the entries of a seq range, in order; ?4 NULL: any subject */
static const char sql_scan[] =
	"SELECT seq, time_us, actor, action, subject_id, fields, purpose, channel, detail, prev,"
	" hash FROM audit WHERE seq > ?1 AND seq <= ?7 AND time_us >= ?2 AND time_us <= ?3"
	" AND (?4 IS NULL OR subject_id = ?4) AND (?5 IS NULL OR actor = ?5)"
	" ORDER BY seq LIMIT ?6";

/* 64-bit FNV-1a, then a finalizer that spreads every input bit. */
static uint64_t subject_hash(const char *id)
{
	uint64_t h = 1469598103934665603ULL;

	for (const unsigned char *c = (const unsigned char *)id; *c; c++) {
		h ^= *c;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

/* The slice of a subject and its BLOOM_K bit positions in that slice. */
static unsigned bloom_slice(uint64_t h)
{
	return (unsigned)(h % BLOOM_SLICES);
}

static void bloom_bits(uint64_t h, unsigned pos[BLOOM_K])
{
	uint32_t a = (uint32_t)(h >> 16), b = (uint32_t)(h >> 40) | 1u;

	for (unsigned i = 0; i < BLOOM_K; i++)
		pos[i] = (a + i * b) % BLOOM_BITS;
}

static int bloom_has(const unsigned char *bits, int n, uint64_t h)
{
	unsigned pos[BLOOM_K];

	if (n != BLOOM_BYTES)
		return 1; /* not a filter this code wrote: look in the block */
	bloom_bits(h, pos);
	for (unsigned i = 0; i < BLOOM_K; i++)
		if (!(bits[pos[i] / 8] & (1u << (pos[i] % 8))))
			return 0;
	return 1;
}

/* The filter of block b as its entries make it, into bits (BLOOM_SLICES *
 * BLOOM_BYTES, zeroed by the caller). SQLite code. */
static int bloom_compute(sqlite3 *db, int64_t b, unsigned char *bits)
{
	sqlite3_stmt *p = NULL;
	int r = sqlite3_prepare_v2(db, sql_block_subjects, -1, &p, NULL);

	if (r != SQLITE_OK)
		return r;
	sqlite3_bind_int64(p, 1, b * AUDIT_BLOCK);
	sqlite3_bind_int64(p, 2, (b + 1) * AUDIT_BLOCK);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		uint64_t h = subject_hash(sq_col_text(p, 0));
		unsigned char *slice = bits + (size_t)bloom_slice(h) * BLOOM_BYTES;
		unsigned pos[BLOOM_K];

		bloom_bits(h, pos);
		for (unsigned i = 0; i < BLOOM_K; i++)
			slice[pos[i] / 8] |= (unsigned char)(1u << (pos[i] % 8));
	}
	(void)sqlite3_finalize(p);
	return r == SQLITE_DONE ? SQLITE_OK : r;
}

/* The number of complete blocks (all have filters); an SQLite code. */
static int complete_blocks(sqlite3 *db, int64_t *n)
{
	sqlite3_stmt *p = NULL;
	int r = sqlite3_prepare_v2(db, "SELECT max(seq) FROM audit", -1, &p, NULL);

	*n = 0;
	if (r == SQLITE_OK && (r = sqlite3_step(p)) == SQLITE_ROW) {
		*n = sqlite3_column_int64(p, 0) / AUDIT_BLOCK;
		r = SQLITE_OK;
	}
	(void)sqlite3_finalize(p);
	return r;
}

/* Compares block b's stored filter with the one its entries make: *differs
 * 1 when a slice is missing or not the same. With fix, writes the slices
 * that differ. An SQLite code. */
static int block_compare(sqlite3 *db, int64_t b, int fix, int *differs)
{
	unsigned char *bits = calloc(BLOOM_SLICES, BLOOM_BYTES);
	sqlite3_stmt *get = NULL, *put = NULL;
	int r;

	*differs = 0;
	if (bits == NULL)
		return SQLITE_NOMEM;
	r = bloom_compute(db, b, bits);
	if (r == SQLITE_OK)
		r = sqlite3_prepare_v2(db, "SELECT bits FROM audit_bloom WHERE slice = ?1 AND block = ?2",
				       -1, &get, NULL);
	if (r == SQLITE_OK && fix)
		r = sqlite3_prepare_v2(db, sql_bloom_put, -1, &put, NULL);
	for (unsigned i = 0; r == SQLITE_OK && i < BLOOM_SLICES; i++) {
		const unsigned char *want = bits + (size_t)i * BLOOM_BYTES;
		int same;

		sqlite3_bind_int(get, 1, (int)i);
		sqlite3_bind_int64(get, 2, b);
		r = sqlite3_step(get);
		if (r != SQLITE_ROW && r != SQLITE_DONE)
			break;
		same = r == SQLITE_ROW && sqlite3_column_bytes(get, 0) == BLOOM_BYTES &&
		       memcmp(sqlite3_column_blob(get, 0), want, BLOOM_BYTES) == 0;
		r = sqlite3_reset(get);
		if (same || r != SQLITE_OK)
			continue;
		*differs = 1;
		if (!fix)
			break;
		sqlite3_bind_int(put, 1, (int)i);
		sqlite3_bind_int64(put, 2, b);
		sqlite3_bind_blob(put, 3, want, BLOOM_BYTES, SQLITE_STATIC);
		r = sqlite3_step(put);
		r = r == SQLITE_DONE ? sqlite3_reset(put) : r;
	}
	(void)sqlite3_finalize(get);
	(void)sqlite3_finalize(put);
	free(bits);
	return r;
}

/* Writes the filter of block b (its entries are all there): the slices
 * not already as they must be. SQLite code. */
static int bloom_build(sqlite3 *db, int64_t b)
{
	int differs = 0;

	return block_compare(db, b, 1, &differs);
}

int sq_audit_ends_block(int64_t seq)
{
	return seq > 0 && seq % AUDIT_BLOCK == 0;
}

int sq_audit_after_append(struct sq_store *s, int64_t seq)
{
	if (!sq_audit_ends_block(seq))
		return SQLITE_OK;
	return bloom_build(s->db, seq / AUDIT_BLOCK - 1);
}

int sq_audit_bloom_all(sqlite3 *db)
{
	int64_t n = 0;
	int r = complete_blocks(db, &n);

	for (int64_t b = 0; r == SQLITE_OK && b < n; b++)
		r = bloom_build(db, b);
	return r;
}

/* Filter rows that belong to no complete block (a slice out of range, a block
 * not yet full): the first such block in *first, -1 when none. Such a row
 * for the unfinished block would end the filtered part of a search there
 * and hide that block's entries. */
static const char sql_bloom_stray[] =
	"SELECT min(block) FROM audit_bloom WHERE block >= ?1 OR block < 0 OR slice < 0"
	" OR slice >= ?2 OR typeof(block) <> 'integer' OR typeof(slice) <> 'integer'";

static int stray_rows(sqlite3 *db, int64_t n, int64_t *first)
{
	sqlite3_stmt *p = NULL;
	int r = sqlite3_prepare_v2(db, sql_bloom_stray, -1, &p, NULL);

	*first = -1;
	if (r != SQLITE_OK)
		return r;
	sqlite3_bind_int64(p, 1, n);
	sqlite3_bind_int(p, 2, BLOOM_SLICES);
	if ((r = sqlite3_step(p)) == SQLITE_ROW) {
		if (sqlite3_column_type(p, 0) != SQLITE_NULL)
			*first = sqlite3_column_int64(p, 0);
		r = SQLITE_OK;
	}
	(void)sqlite3_finalize(p);
	return r;
}

static int64_t block_first_seq(int64_t b)
{
	return b < 0 ? 1 : b * AUDIT_BLOCK + 1;
}

enum sargs_rc sq_audit_index_check(struct sargs_store *st, int64_t *bad, int64_t *first_seq)
{
	struct sq_store *s = SQ(st);
	int64_t n = 0, stray = -1;
	int r = complete_blocks(s->db, &n);

	*bad = *first_seq = 0;
	for (int64_t b = 0; r == SQLITE_OK && b < n; b++) {
		int differs = 0;

		r = block_compare(s->db, b, 0, &differs);
		if (r == SQLITE_OK && differs && (*bad)++ == 0)
			*first_seq = block_first_seq(b);
	}
	if (r == SQLITE_OK)
		r = stray_rows(s->db, n, &stray);
	if (r == SQLITE_OK && stray != -1) {
		(*bad)++;
		if (*first_seq == 0 || block_first_seq(stray) < *first_seq)
			*first_seq = block_first_seq(stray);
	}
	return r == SQLITE_OK ? SARGS_OK : sq_fail(s, r);
}

enum sargs_rc sq_audit_index_repair(struct sargs_store *st, int64_t *cursor, int *changed,
				    int *done)
{
	struct sq_store *s = SQ(st);
	int64_t n = 0, stray = -1;
	int r = complete_blocks(s->db, &n);

	*changed = *done = 0;
	if (r == SQLITE_OK && *cursor >= 0 && *cursor < n) {
		r = block_compare(s->db, *cursor, 1, changed);
		if (r == SQLITE_OK)
			(*cursor)++;
	} else if (r == SQLITE_OK) {
		r = stray_rows(s->db, n, &stray);
		if (r == SQLITE_OK && stray != -1) {
			sqlite3_stmt *p = NULL;

			*changed = 1;
			r = sqlite3_prepare_v2(s->db,
					       "DELETE FROM audit_bloom WHERE block >= ?1 OR block < 0"
					       " OR slice < 0 OR slice >= ?2 OR typeof(block) <> 'integer'"
					       " OR typeof(slice) <> 'integer'",
					       -1, &p, NULL);
			if (r == SQLITE_OK) {
				sqlite3_bind_int64(p, 1, n);
				sqlite3_bind_int(p, 2, BLOOM_SLICES);
				r = sqlite3_step(p);
				r = r == SQLITE_DONE ? SQLITE_OK : r;
			}
			(void)sqlite3_finalize(p);
		}
		if (r == SQLITE_OK)
			*done = 1;
	}
	return r == SQLITE_OK ? SARGS_OK : sq_fail(s, r);
}

struct scan {
	struct sq_store *s;
	const struct sargs_store_audit_filter *f;
	int (*cb)(void *ctx, const struct sargs_store_audit_row *row);
	void *ctx;
	int64_t left; /* rows still wanted; -1: no limit */
	int stopped;  /* cb asked to stop, or left reached 0 */
};

/* Gives cb the entries with after < seq <= upto that pass the filter.
 * Returns an SQLite code. A separate statement object each time, so that
 * cb may use the store. */
static int scan_range(struct scan *sc, int64_t after, int64_t upto)
{
	const struct sargs_store_audit_filter *f = sc->f;
	struct sargs_store_audit_row row;
	sqlite3_stmt *p = NULL;
	int r = sqlite3_prepare_v2(sc->s->db, sql_scan, -1, &p, NULL);

	if (r != SQLITE_OK)
		return r;
	sqlite3_bind_int64(p, 1, after);
	sqlite3_bind_int64(p, 2, f->since_us);
	sqlite3_bind_int64(p, 3, f->until_us);
	sq_bind_opt_text(p, 4, f->subject_id);
	sq_bind_opt_text(p, 5, f->actor);
	sqlite3_bind_int64(p, 6, sc->left);
	sqlite3_bind_int64(p, 7, upto);
	while ((r = sqlite3_step(p)) == SQLITE_ROW) {
		row.seq = sqlite3_column_int64(p, 0);
		row.time_us = sqlite3_column_int64(p, 1);
		row.actor = sq_col_text(p, 2);
		row.action = sq_col_text(p, 3);
		row.subject_id = sq_col_opt_text(p, 4);
		row.fields = sq_col_opt_text(p, 5);
		row.purpose = sq_col_opt_text(p, 6);
		row.channel = sq_col_opt_text(p, 7);
		row.detail = sq_col_opt_text(p, 8);
		sq_col_hash(row.prev, p, 9);
		sq_col_hash(row.hash, p, 10);
		if (sc->left > 0)
			sc->left--;
		if (sc->cb(sc->ctx, &row) != 0 || sc->left == 0) {
			sc->stopped = 1;
			break;
		}
	}
	(void)sqlite3_finalize(p);
	return r == SQLITE_ROW || r == SQLITE_DONE ? SQLITE_OK : r;
}

/* The last block with a filter, -1 when none; an SQLite code. */
static int last_filtered(sqlite3 *db, int64_t *last)
{
	sqlite3_stmt *p = NULL;
	int r = sqlite3_prepare_v2(db, sql_bloom_last, -1, &p, NULL);

	*last = -1;
	if (r == SQLITE_OK && (r = sqlite3_step(p)) == SQLITE_ROW) {
		if (sqlite3_column_type(p, 0) != SQLITE_NULL)
			*last = sqlite3_column_int64(p, 0);
		r = SQLITE_OK;
	}
	(void)sqlite3_finalize(p);
	return r;
}

/* Scans whole blocks from..to (inclusive) that have no filter row here:
 * something removed them, so nothing is skipped on their word. */
static int scan_blocks(struct scan *sc, int64_t after, int64_t from, int64_t to)
{
	int r = SQLITE_OK;

	for (int64_t b = from; r == SQLITE_OK && !sc->stopped && b <= to; b++) {
		int64_t lo = b * AUDIT_BLOCK;

		r = scan_range(sc, lo > after ? lo : after, (b + 1) * AUDIT_BLOCK);
	}
	return r;
}

/* One person's entries: the blocks whose filter may hold them, in order,
 * then the entries past the last filtered block. */
static int scan_subject(struct scan *sc)
{
	uint64_t h = subject_hash(sc->f->subject_id);
	int64_t after = sc->f->after_seq > 0 ? sc->f->after_seq : 0;
	int64_t expect = after / AUDIT_BLOCK; /* the first block with seq > after */
	int64_t last, tail;
	sqlite3_stmt *p = NULL;
	int r = last_filtered(sc->s->db, &last);

	if (r == SQLITE_OK)
		r = sqlite3_prepare_v2(sc->s->db, sql_bloom_slice, -1, &p, NULL);
	if (r == SQLITE_OK) {
		sqlite3_bind_int(p, 1, (int)bloom_slice(h));
		sqlite3_bind_int64(p, 2, expect);
		while (!sc->stopped && (r = sqlite3_step(p)) == SQLITE_ROW) {
			int64_t b = sqlite3_column_int64(p, 0);

			if (b > last)
				break;
			if ((r = scan_blocks(sc, after, expect, b - 1)) != SQLITE_OK)
				break;
			expect = b + 1;
			if (!sc->stopped &&
			    bloom_has(sqlite3_column_blob(p, 1), sqlite3_column_bytes(p, 1), h)) {
				int64_t lo = b * AUDIT_BLOCK;

				if ((r = scan_range(sc, lo > after ? lo : after,
						    (b + 1) * AUDIT_BLOCK)) != SQLITE_OK)
					break;
			}
		}
		if (r == SQLITE_ROW || r == SQLITE_DONE)
			r = SQLITE_OK;
	}
	(void)sqlite3_finalize(p);
	if (r == SQLITE_OK)
		r = scan_blocks(sc, after, expect, last);
	tail = (last + 1) * AUDIT_BLOCK;
	if (r == SQLITE_OK && !sc->stopped)
		r = scan_range(sc, tail > after ? tail : after, INT64_MAX);
	return r;
}

enum sargs_rc sq_audit_scan(struct sargs_store *st, const struct sargs_store_audit_filter *f,
			    int (*cb)(void *ctx, const struct sargs_store_audit_row *row),
			    void *ctx)
{
	struct scan sc = {SQ(st), f, cb, ctx, f->limit > 0 ? f->limit : -1, 0};
	int r = f->subject_id != NULL ? scan_subject(&sc) : scan_range(&sc, f->after_seq, INT64_MAX);

	return r == SQLITE_OK ? SARGS_OK : sq_fail(sc.s, r);
}
