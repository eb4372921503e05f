/*
 * checkpoint.c — signed audit checkpoints (see checkpoint.h).
 */
#include "audit/checkpoint.h"

#include "crypto/field.h"
#include "crypto/sign.h"
#include "util/fsutil.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HASH_HEX (2 * SARGS_AUDIT_HASH_BYTES + 1)

struct entry_q {
	int64_t seq;
	int found;
	char hash[HASH_HEX];
};

/* Notes the first row the scan yields (its seq and hash) and stops. */
static int first_cb(void *ctx, const struct sargs_store_audit_row *row)
{
	struct entry_q *q = ctx;

	q->found = 1;
	q->seq = row->seq;
	sargs_hex(row->hash, SARGS_AUDIT_HASH_BYTES, q->hash);
	return 1;
}

/* The hash of the entry with seq; *found 0 when there is none. */
static enum sargs_rc entry_hash(struct sargs_store *st, int64_t seq, char hash[HASH_HEX],
				int *found)
{
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 1};
	struct entry_q q = {0, 0, ""};
	enum sargs_rc rc;

	*found = 0;
	if (seq < 1)
		return SARGS_OK; /* entries count from 1; seq comes from a file */
	f.after_seq = seq - 1;
	rc = sargs_store_audit_scan(st, &f, first_cb, &q);
	/* the first entry after seq - 1 is seq itself unless seq is gone */
	*found = q.found && q.seq == seq;
	if (*found)
		memcpy(hash, q.hash, HASH_HEX);
	return rc;
}

static enum sargs_rc genesis_hash(struct sargs_store *st, char hash[HASH_HEX])
{
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 1};
	struct entry_q q = {0, 0, ""};
	enum sargs_rc rc = sargs_store_audit_scan(st, &f, first_cb, &q);

	if (rc == SARGS_OK && !q.found)
		rc = SARGS_E_NOTFOUND;
	if (rc == SARGS_OK)
		memcpy(hash, q.hash, HASH_HEX);
	return rc;
}

static void signed_text(char *out, size_t n, int64_t seq, const char *hash, const char *genesis,
			int64_t time_us)
{
	(void)snprintf(out, n,
		       "sargs-audit-checkpoint-v1\nseq=%lld\nhash=%s\ngenesis=%s\ntime_us=%lld\n",
		       (long long)seq, hash, genesis, (long long)time_us);
}

enum sargs_rc sargs_audit_checkpoint(struct sargs_store *st, const struct sargs_ckpt_key *k,
				     const char *dir, int64_t now_us, char *path_out,
				     size_t path_size, int64_t *seq, struct sargs_err *err)
{
	unsigned char last[SARGS_AUDIT_HASH_BYTES], pk[SARGS_SIGN_PK_BYTES], sig[SARGS_SIG_BYTES];
	char hash[HASH_HEX], genesis[HASH_HEX], text[512], pk64[64], sig64[128], name[64];
	json_t *doc;
	char *js;
	enum sargs_rc rc;

	*seq = 0;
	if ((rc = sargs_store_begin_read(st, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_audit_last(st, seq, last);
	if (rc == SARGS_OK)
		rc = genesis_hash(st, genesis);
	{
		struct sargs_err e2;

		if (sargs_store_commit(st, &e2) != SARGS_OK && rc == SARGS_OK)
			rc = e2.rc;
	}
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "cannot read the audit trail's end: %s",
				     sargs_store_errmsg(st));
	/* the end read may be a commit of the server not yet on disk: signed
	 * and kept elsewhere, it must not outlive it */
	if ((rc = sargs_store_log_flush(st)) != SARGS_OK)
		return sargs_err_set(err, rc, "the audit trail's end is not on disk, so it is not"
				     " signed: %s", sargs_store_errmsg(st));
	sargs_hex(last, sizeof(last), hash);
	signed_text(text, sizeof(text), *seq, hash, genesis, now_us);
	if ((rc = sargs_ckpt_sign(k, text, strlen(text), sig)) != SARGS_OK)
		return sargs_err_set(err, rc, "cannot sign the checkpoint");
	sargs_ckpt_public_key(k, pk);
	sargs_b64url_encode(pk, sizeof(pk), pk64);
	sargs_b64url_encode(sig, sizeof(sig), sig64);
	doc = json_pack("{s:i, s:I, s:s, s:s, s:I, s:s, s:s}", "version", 1, "seq",
			(json_int_t)*seq, "hash", hash, "genesis", genesis, "time_us",
			(json_int_t)now_us, "public_key", pk64, "signature", sig64);
	js = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	json_decref(doc);
	if (js == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	if ((rc = sargs_fs_mkdirs(dir, 0700, err)) != SARGS_OK) {
		free(js);
		return rc;
	}
	(void)snprintf(name, sizeof(name), "checkpoint-%012lld.json", (long long)*seq);
	if ((rc = sargs_fs_join(path_out, path_size, dir, name)) != SARGS_OK) {
		free(js);
		return sargs_err_set(err, rc, "the checkpoint directory's path is too long");
	}
	/* a checkpoint of the same end already exists: the same facts, keep it */
	if (sargs_fs_exists(path_out)) {
		free(js);
		return SARGS_OK;
	}
	rc = sargs_fs_write_atomic(path_out, js, strlen(js), 0600, 0, err);
	free(js);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks one checkpoint document against rep->public_key (or sets it from
 * the first one). */
static enum sargs_rc check_one(struct sargs_store *st, json_t *doc, const char *file,
			       const char *genesis, struct sargs_ckpt_report *rep)
{
	char *pk_b64 = rep->public_key;
	json_int_t seq = 0, time_us = 0;
	const char *hash = NULL, *gen = NULL, *pk = NULL, *sig = NULL;
	unsigned char pkb[64], sigb[96];
	size_t pkl = 0, sigl = 0;
	char text[512], have[HASH_HEX];
	int found = 0;
	enum sargs_rc rc;

	if (json_unpack(doc, "{s:I, s:s, s:s, s:I, s:s, s:s}", "seq", &seq, "hash", &hash,
			"genesis", &gen, "time_us", &time_us, "public_key", &pk, "signature",
			&sig) != 0) {
		(void)snprintf(rep->message, sizeof(rep->message), "%s is not a checkpoint", file);
		return SARGS_E_TAMPERED;
	}
	if (pk_b64[0] == '\0')
		(void)snprintf(rep->public_key, sizeof(rep->public_key), "%s", pk);
	if (strcmp(pk_b64, pk) != 0 || sargs_b64url_decode(pk_b64, pkb, sizeof(pkb), &pkl) !=
						  SARGS_OK ||
	    pkl != SARGS_SIGN_PK_BYTES) {
		(void)snprintf(rep->message, sizeof(rep->message),
			       "%s was signed by another key than the checkpoint key", file);
		return SARGS_E_TAMPERED;
	}
	signed_text(text, sizeof(text), (int64_t)seq, hash, gen, (int64_t)time_us);
	if (sargs_b64url_decode(sig, sigb, sizeof(sigb), &sigl) != SARGS_OK ||
	    sigl != SARGS_SIG_BYTES || sargs_sign_verify(pkb, text, strlen(text), sigb) != 0) {
		(void)snprintf(rep->message, sizeof(rep->message),
			       "%s: the signature does not match: the checkpoint was altered or"
			       " forged",
			       file);
		return SARGS_E_TAMPERED;
	}
	if (strcmp(gen, genesis) != 0) {
		(void)snprintf(rep->message, sizeof(rep->message),
			       "%s belongs to another register (or the trail's first entry was"
			       " replaced)",
			       file);
		return SARGS_E_TAMPERED;
	}
	if ((rc = entry_hash(st, (int64_t)seq, have, &found)) != SARGS_OK)
		return rc;
	if (!found) {
		(void)snprintf(rep->message, sizeof(rep->message),
			       "entry %lld, signed in %s, is gone: the trail was cut back",
			       (long long)seq, file);
		return SARGS_E_TAMPERED;
	}
	if (strcmp(have, hash) != 0) {
		(void)snprintf(rep->message, sizeof(rep->message),
			       "entry %lld differs from the one signed in %s: the trail was"
			       " rewritten",
			       (long long)seq, file);
		return SARGS_E_TAMPERED;
	}
	rep->checked++;
	if ((int64_t)seq > rep->latest_seq)
		rep->latest_seq = (int64_t)seq;
	return SARGS_OK;
}

enum sargs_rc sargs_audit_check_checkpoints(struct sargs_store *st, const char *dir,
					    const char *pk_b64, struct sargs_ckpt_report *rep,
					    struct sargs_err *err)
{
	char genesis[HASH_HEX], **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	enum sargs_rc rc = SARGS_OK;

	memset(rep, 0, sizeof(*rep));
	if (pk_b64 != NULL)
		(void)snprintf(rep->public_key, sizeof(rep->public_key), "%s", pk_b64);
	d = opendir(dir);
	if (d == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "cannot read the checkpoint directory %s",
				     dir);
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (strncmp(de->d_name, "checkpoint-", 11) != 0 || l < 16 ||
		    strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **p = realloc(names, nc * sizeof(*p));

			if (p == NULL) {
				rc = SARGS_E_NOMEM;
				break;
			}
			names = p;
			cap = nc;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			rc = SARGS_E_NOMEM;
			break;
		}
		n++;
	}
	(void)closedir(d);
	if (rc == SARGS_OK && n == 0)
		rc = sargs_err_set(err, SARGS_E_NOTFOUND, "no checkpoints in %s", dir);
	else if (rc == SARGS_E_NOMEM)
		(void)sargs_err_set(err, rc, "out of memory");
	if (rc == SARGS_OK && names != NULL)
		qsort(names, n, sizeof(*names), name_cmp);
	if (rc == SARGS_OK && (rc = sargs_store_begin_read(st, err)) == SARGS_OK) {
		rc = genesis_hash(st, genesis);
		for (size_t i = 0; i < n && rc == SARGS_OK; i++) {
			char path[4096], *text = NULL;
			size_t len = 0;
			json_error_t jerr;
			json_t *doc;

			if (sargs_fs_join(path, sizeof(path), dir, names[i]) != SARGS_OK ||
			    sargs_fs_read(path, 1 << 16, &text, &len, NULL) != SARGS_OK) {
				(void)snprintf(rep->message, sizeof(rep->message), "cannot read %s",
					       names[i]);
				rc = SARGS_E_TAMPERED;
				break;
			}
			doc = json_loadb(text, len, 0, &jerr);
			free(text);
			rc = check_one(st, doc, names[i], genesis, rep);
			json_decref(doc);
		}
		{
			struct sargs_err e2;

			if (sargs_store_commit(st, &e2) != SARGS_OK && rc == SARGS_OK)
				rc = e2.rc;
		}
		if (rc == SARGS_OK)
			(void)snprintf(rep->message, sizeof(rep->message),
				       "%lld checkpoints hold, the newest at entry %lld",
				       (long long)rep->checked, (long long)rep->latest_seq);
		else if (rc == SARGS_E_TAMPERED)
			(void)sargs_err_set(err, rc, "%s", rep->message);
		else
			(void)sargs_err_set(err, rc, "cannot read the audit trail: %s",
					    sargs_store_errmsg(st));
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
