/*
 * audit.c — appending to and verifying the hash-chained audit trail.
 */
#include "audit/audit.h"
#include "crypto/field.h"
#include "util/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEAD_KEY "audit_head"
#define HEAD_BYTES (8 + SARGS_HASH_BYTES + SARGS_HASH_BYTES)
#define MAX_TX_DEPTH 16
#define MAX_STRING 1024

struct head {
	int64_t seq;
	unsigned char hash[SARGS_HASH_BYTES];
	int loaded;
};

struct sargs_audit {
	struct sargs_store *st;
	const struct sargs_keys *keys;
	struct head head;
	struct head saved[MAX_TX_DEPTH];
	int depth;
	int dirty;
};

enum sargs_rc sargs_audit_open(struct sargs_store *st, const struct sargs_keys *keys,
			       struct sargs_audit **out)
{
	struct sargs_audit *a = calloc(1, sizeof(*a));

	if (a == NULL)
		return SARGS_E_NOMEM;
	a->st = st;
	a->keys = keys;
	*out = a;
	return SARGS_OK;
}

void sargs_audit_close(struct sargs_audit *a)
{
	free(a);
}

/* Canonical bytes of an entry: time, then each string with a presence byte
 * and a 32-bit length, so that no two different entries share an encoding. */
static enum sargs_rc canonical(struct sargs_strbuf *sb, int64_t time_us, const char *actor,
			       const char *action, const char *subject_id, const char *fields,
			       const char *purpose, const char *channel, const char *detail)
{
	const char *parts[7] = {actor, action, subject_id, fields, purpose, channel, detail};
	unsigned char t[8];
	enum sargs_rc rc;

	for (int i = 0; i < 8; i++)
		t[i] = (unsigned char)((uint64_t)time_us >> (56 - 8 * i));
	rc = sargs_strbuf_add(sb, t, 8);
	for (int i = 0; i < 7 && rc == SARGS_OK; i++) {
		unsigned char present = parts[i] != NULL;

		rc = sargs_strbuf_add(sb, &present, 1);
		if (rc == SARGS_OK && present)
			rc = sargs_strbuf_add_lv(sb, parts[i], strlen(parts[i]));
	}
	return rc;
}

static void head_mac(const struct sargs_keys *keys, int64_t seq,
		     const unsigned char hash[SARGS_HASH_BYTES], unsigned char out[SARGS_HASH_BYTES])
{
	unsigned char msg[5 + 8];

	memcpy(msg, "head:", 5);
	for (int i = 0; i < 8; i++)
		msg[5 + i] = (unsigned char)((uint64_t)seq >> (56 - 8 * i));
	sargs_chain_hash(keys, hash, msg, sizeof(msg), out);
}

/* Reads and checks the stored head record: *ok is 1 when it is present and
 * its MAC is right. */
static enum sargs_rc read_head(struct sargs_audit *a, int64_t *seq,
			       unsigned char hash[SARGS_HASH_BYTES], int *ok)
{
	unsigned char *rec = NULL, mac[SARGS_HASH_BYTES];
	size_t len = 0;
	enum sargs_rc rc = sargs_store_meta_get(a->st, HEAD_KEY, &rec, &len);

	*ok = 0;
	if (rc == SARGS_E_NOTFOUND)
		return SARGS_OK;
	if (rc != SARGS_OK)
		return rc;
	if (len == HEAD_BYTES) {
		*seq = 0;
		for (int i = 0; i < 8; i++)
			*seq = (int64_t)(((uint64_t)*seq << 8) | rec[i]);
		memcpy(hash, rec + 8, SARGS_HASH_BYTES);
		head_mac(a->keys, *seq, hash, mac);
		*ok = sargs_secret_cmp(mac, rec + 8 + SARGS_HASH_BYTES, SARGS_HASH_BYTES) == 0;
	}
	free(rec);
	return SARGS_OK;
}

/*
 * Loads the chain's head from the last entry, and checks that it is where
 * the MAC'd head record says the trail ends: appending to a trail whose end
 * was cut off (or that was emptied) would otherwise hide the cut.
 */
static enum sargs_rc load_head(struct sargs_audit *a)
{
	unsigned char hhash[SARGS_HASH_BYTES];
	int64_t hseq = -1;
	int ok = 0;
	enum sargs_rc rc;

	if (a->head.loaded)
		return SARGS_OK;
	rc = sargs_store_audit_last(a->st, &a->head.seq, a->head.hash);
	if (rc == SARGS_E_NOTFOUND) {
		a->head.seq = 0;
		memset(a->head.hash, 0, SARGS_HASH_BYTES);
		rc = SARGS_OK;
	}
	if (rc == SARGS_OK)
		rc = read_head(a, &hseq, hhash, &ok);
	if (rc != SARGS_OK)
		return rc;
	if (!ok || hseq != a->head.seq ||
	    sargs_secret_cmp(hhash, a->head.hash, SARGS_HASH_BYTES) != 0)
		return SARGS_E_TAMPERED;
	a->head.loaded = 1;
	return SARGS_OK;
}

static int bad_string(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; s[n] != '\0'; n++) {
		if ((unsigned char)s[n] < 0x20 || s[n] == 0x7f)
			return 1;
		if (n >= MAX_STRING)
			return 1;
	}
	return 0;
}

enum sargs_rc sargs_audit_append(struct sargs_audit *a, int64_t now_us,
				 const struct sargs_audit_entry *e, struct sargs_err *err)
{
	struct sargs_store_audit_row row;
	struct sargs_strbuf sb;
	enum sargs_rc rc;

	if (sargs_store_depth(a->st) == 0)
		abort(); /* programmer error: audit outside a transaction */
	if (e->actor == NULL || e->action == NULL || bad_string(e->actor) ||
	    bad_string(e->action) || bad_string(e->subject_id) || bad_string(e->fields) ||
	    bad_string(e->purpose) || bad_string(e->channel) || bad_string(e->detail))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "audit entry has a missing, overlong or control-character value");
	rc = load_head(a);
	if (rc == SARGS_E_TAMPERED)
		return sargs_err_set(err, rc,
				     "the audit trail does not end where its head record says"
				     " (entries were cut off, emptied or forged); nothing was done;"
				     " run 'sargs audit verify'");
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "cannot read the audit trail's head: %s",
				     sargs_store_errmsg(a->st));
	sargs_strbuf_init(&sb, 16 * MAX_STRING);
	rc = canonical(&sb, now_us, e->actor, e->action, e->subject_id, e->fields, e->purpose,
		       e->channel, e->detail);
	if (rc != SARGS_OK) {
		sargs_strbuf_free(&sb);
		return sargs_err_set(err, rc, "cannot encode the audit entry");
	}
	memset(&row, 0, sizeof(row));
	row.time_us = now_us;
	row.actor = e->actor;
	row.action = e->action;
	row.subject_id = e->subject_id;
	row.fields = e->fields;
	row.purpose = e->purpose;
	row.channel = e->channel;
	row.detail = e->detail;
	memcpy(row.prev, a->head.hash, SARGS_HASH_BYTES);
	sargs_chain_hash(a->keys, row.prev, sb.data, sb.len, row.hash);
	sargs_strbuf_free(&sb);
	rc = sargs_store_audit_append(a->st, &row);
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "cannot write the audit entry (nothing was done): %s",
				     sargs_store_errmsg(a->st));
	a->head.seq = row.seq;
	memcpy(a->head.hash, row.hash, SARGS_HASH_BYTES);
	a->dirty = 1;
	return SARGS_OK;
}

void sargs_audit_tx_begin(struct sargs_audit *a)
{
	if (a->depth >= MAX_TX_DEPTH)
		abort(); /* programmer error: nesting too deep */
	a->saved[a->depth++] = a->head;
}

void sargs_audit_tx_rollback(struct sargs_audit *a)
{
	if (a->depth <= 0)
		abort();
	a->head = a->saved[--a->depth];
	if (a->depth == 0)
		a->head.loaded = 0; /* re-read from the store next time */
}

void sargs_audit_tx_end(struct sargs_audit *a)
{
	if (a->depth <= 0)
		abort();
	a->depth--;
	if (a->depth == 0)
		a->head.loaded = 0; /* another process may append before our next tx */
}

static enum sargs_rc write_head(struct sargs_audit *a, int64_t seq,
				const unsigned char hash[SARGS_HASH_BYTES])
{
	unsigned char rec[HEAD_BYTES];

	for (int i = 0; i < 8; i++)
		rec[i] = (unsigned char)((uint64_t)seq >> (56 - 8 * i));
	memcpy(rec + 8, hash, SARGS_HASH_BYTES);
	head_mac(a->keys, seq, hash, rec + 8 + SARGS_HASH_BYTES);
	return sargs_store_meta_put(a->st, HEAD_KEY, rec, sizeof(rec));
}

enum sargs_rc sargs_audit_flush_head(struct sargs_audit *a)
{
	if (!a->dirty || !a->head.loaded)
		return SARGS_OK;
	a->dirty = 0;
	return write_head(a, a->head.seq, a->head.hash);
}

enum sargs_rc sargs_audit_init_head(struct sargs_audit *a)
{
	static const unsigned char zero[SARGS_HASH_BYTES];

	if (sargs_store_depth(a->st) == 0)
		abort(); /* programmer error: outside a transaction */
	return write_head(a, 0, zero);
}

const char *sargs_audit_problem_str(enum sargs_audit_problem p)
{
	switch (p) {
	case SARGS_AUDIT_INTACT: return "intact";
	case SARGS_AUDIT_MODIFIED: return "modified";
	case SARGS_AUDIT_REMOVED: return "removed";
	case SARGS_AUDIT_INSERTED: return "inserted";
	case SARGS_AUDIT_REORDERED: return "reordered";
	case SARGS_AUDIT_TRUNCATED: return "truncated";
	case SARGS_AUDIT_HEAD_BAD: return "head record forged or missing";
	case SARGS_AUDIT_INDEX_BAD: return "search index damaged";
	}
	return "unknown";
}

/*
 * Verification walks entries in seq order, keeping the previous entry. At
 * the first break it classifies what happened:
 *  - the entry's own hash does not match its content and prev: if the next
 *    entry links to the entry before it, it was inserted; otherwise it was
 *    modified;
 *  - the entry is sound but links to something other than its predecessor:
 *    if that hash belongs to an entry elsewhere in the trail, entries were
 *    reordered (or an old entry replayed); if it belongs to no entry, the
 *    entries between were removed.
 */
struct walk {
	struct sargs_audit *a;
	struct sargs_audit_report *rep;
	struct sargs_strbuf sb;
	int have_prev;
	int64_t prev_seq;
	unsigned char prev_hash[SARGS_HASH_BYTES];
	/* a suspect entry waiting for the next one to classify it */
	int suspect;
	int64_t suspect_seq;
	unsigned char before_suspect_hash[SARGS_HASH_BYTES];
	int done;
	enum sargs_rc rc;
};

static void report(struct walk *w, enum sargs_audit_problem p, int64_t seq, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(struct walk *w, enum sargs_audit_problem p, int64_t seq, const char *fmt, ...)
{
	va_list ap;

	w->rep->problem = p;
	w->rep->first_bad_seq = seq;
	va_start(ap, fmt);
	(void)vsnprintf(w->rep->message, sizeof(w->rep->message), fmt, ap);
	va_end(ap);
	w->done = 1;
}

static int walk_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct walk *w = ctx;
	unsigned char h[SARGS_HASH_BYTES];
	static const unsigned char zero[SARGS_HASH_BYTES];
	const unsigned char *expect_prev = w->have_prev ? w->prev_hash : zero;

	w->sb.len = 0;
	if (canonical(&w->sb, r->time_us, r->actor, r->action, r->subject_id, r->fields,
		      r->purpose, r->channel, r->detail) == SARGS_OK) {
		sargs_chain_hash(w->a->keys, r->prev, w->sb.data, w->sb.len, h);
	} else {
		/* longer than any entry the application writes: not genuine */
		memset(h, 0, sizeof(h));
		h[0] = (unsigned char)~r->hash[0];
	}
	if (w->suspect) {
		/* classify the previous, unsound entry by how this one links */
		if (sargs_secret_cmp(r->prev, w->before_suspect_hash, SARGS_HASH_BYTES) == 0)
			report(w, SARGS_AUDIT_INSERTED, w->suspect_seq,
			       "entry %lld was inserted: it is not part of the chain",
			       (long long)w->suspect_seq);
		else
			report(w, SARGS_AUDIT_MODIFIED, w->suspect_seq,
			       "entry %lld was modified: its content no longer matches its hash",
			       (long long)w->suspect_seq);
		return 1;
	}
	w->rep->entries++;
	if (sargs_secret_cmp(h, r->hash, SARGS_HASH_BYTES) != 0) {
		w->suspect = 1;
		w->suspect_seq = r->seq;
		memcpy(w->before_suspect_hash, expect_prev, SARGS_HASH_BYTES);
		return 0;
	}
	if (sargs_secret_cmp(r->prev, expect_prev, SARGS_HASH_BYTES) != 0) {
		int64_t where = 0, original = 0;
		enum sargs_rc frc = sargs_store_audit_find_hash(w->a->st, r->hash, r->seq, &original);

		if (frc == SARGS_OK) {
			report(w, SARGS_AUDIT_INSERTED, r->seq,
			       "entry %lld was inserted: it is a copy of entry %lld",
			       (long long)r->seq, (long long)original);
			return 1;
		}
		frc = sargs_store_audit_find_hash(w->a->st, r->prev, r->seq, &where);
		if (frc == SARGS_OK)
			report(w, SARGS_AUDIT_REORDERED, r->seq,
			       "entry %lld is out of order: it belongs after entry %lld",
			       (long long)r->seq, (long long)where);
		else if (frc == SARGS_E_NOTFOUND)
			report(w, SARGS_AUDIT_REMOVED, r->seq,
			       "entries were removed before entry %lld (it follows entry %lld, "
			       "which is not its predecessor)",
			       (long long)r->seq, (long long)w->prev_seq);
		else
			w->rc = frc;
		return 1;
	}
	w->have_prev = 1;
	w->prev_seq = r->seq;
	memcpy(w->prev_hash, r->hash, SARGS_HASH_BYTES);
	return 0;
}

/* The search index of an intact chain (sargs_store_audit_index_check). */
static enum sargs_rc check_index(struct sargs_audit *a, struct sargs_audit_report *rep)
{
	int64_t bad = 0, first = 0;
	enum sargs_rc rc = sargs_store_audit_index_check(a->st, &bad, &first);

	if (rc != SARGS_OK)
		return rc;
	if (bad > 0) {
		rep->problem = SARGS_AUDIT_INDEX_BAD;
		rep->first_bad_seq = first;
		(void)snprintf(rep->message, sizeof(rep->message),
			       "%lld entries, chain intact, but the search index of %lld part%s"
			       " (the first from entry %lld) does not match the entries: a search"
			       " for one person could miss entries; run 'sargs audit reindex'",
			       (long long)rep->entries, (long long)bad, bad == 1 ? "" : "s",
			       (long long)first);
		return SARGS_E_TAMPERED;
	}
	(void)snprintf(rep->message, sizeof(rep->message), "%lld entries, chain intact",
		       (long long)rep->entries);
	return SARGS_OK;
}

static enum sargs_rc verify_in_tx(struct sargs_audit *a, struct sargs_audit_report *rep)
{
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};
	struct walk w;
	unsigned char hhash[SARGS_HASH_BYTES];
	int64_t hseq = 0;
	int head_ok = 0;
	enum sargs_rc rc;

	memset(&w, 0, sizeof(w)); /* prev_seq 0, prev_hash zero: the empty chain */
	w.a = a;
	w.rep = rep;
	if ((rc = read_head(a, &hseq, hhash, &head_ok)) != SARGS_OK)
		return rc;
	sargs_strbuf_init(&w.sb, 16 * MAX_STRING);
	rc = sargs_store_audit_scan(a->st, &f, walk_cb, &w);
	sargs_strbuf_free(&w.sb);
	if (rc != SARGS_OK)
		return rc;
	if (w.rc != SARGS_OK)
		return w.rc;
	if (!w.done && w.suspect) {
		/* the last entry is unsound: appended by someone without the key
		 * when the head still ends the chain before it, else modified */
		if (head_ok && hseq < w.suspect_seq &&
		    sargs_secret_cmp(hhash, w.before_suspect_hash, SARGS_HASH_BYTES) == 0)
			report(&w, SARGS_AUDIT_INSERTED, w.suspect_seq,
			       "entry %lld was inserted at the end: it is not part of the chain",
			       (long long)w.suspect_seq);
		else
			report(&w, SARGS_AUDIT_MODIFIED, w.suspect_seq,
			       "entry %lld (the last) was modified: its content does not match"
			       " its hash",
			       (long long)w.suspect_seq);
	}
	if (w.done)
		return SARGS_E_TAMPERED;
	/* the chain is sound; it must end where the head record says */
	if (!head_ok) {
		report(&w, SARGS_AUDIT_HEAD_BAD, 0,
		       "the audit head record is missing, damaged or forged (was the trail emptied?)");
	} else if (hseq != w.prev_seq ||
		   sargs_secret_cmp(hhash, w.prev_hash, SARGS_HASH_BYTES) != 0) {
		if (hseq > w.prev_seq)
			report(&w, SARGS_AUDIT_TRUNCATED, w.prev_seq + 1,
			       "entries %lld to %lld were cut off the end of the trail",
			       (long long)w.prev_seq + 1, (long long)hseq);
		else
			report(&w, SARGS_AUDIT_HEAD_BAD, hseq,
			       "the audit head record does not match the trail's last entry");
	}
	if (w.done)
		return SARGS_E_TAMPERED;
	return check_index(a, rep);
}

enum sargs_rc sargs_audit_verify(struct sargs_audit *a, struct sargs_audit_report *rep)
{
	enum sargs_rc rc, crc;

	memset(rep, 0, sizeof(*rep));
	/* one snapshot for the walk and the head: a commit meanwhile by another
	 * process must not look like tampering */
	if ((rc = sargs_store_begin_read(a->st, NULL)) != SARGS_OK)
		return rc;
	rc = verify_in_tx(a, rep);
	crc = sargs_store_commit(a->st, NULL);
	return rc != SARGS_OK ? rc : crc;
}

enum sargs_rc sargs_audit_reindex(struct sargs_audit *a, int64_t *parts, int64_t *repaired,
				  struct sargs_err *err)
{
	int64_t cursor = 0;
	int done = 0;
	enum sargs_rc rc = SARGS_OK;

	*parts = *repaired = 0;
	while (!done) {
		int changed = 0;

		if ((rc = sargs_store_begin(a->st, err)) != SARGS_OK)
			return rc;
		rc = sargs_store_audit_index_repair(a->st, &cursor, &changed, &done);
		if (rc != SARGS_OK) {
			sargs_store_rollback(a->st);
			return sargs_err_set(err, rc, "cannot rebuild the audit trail's search index: %s",
					     sargs_store_errmsg(a->st));
		}
		if ((rc = sargs_store_commit(a->st, err)) != SARGS_OK)
			return rc;
		*repaired += changed;
		if (!done)
			(*parts)++;
	}
	return SARGS_OK;
}
