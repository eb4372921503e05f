/*
 * checkpoint.h — signed audit checkpoints: the trail's end (seq and hash)
 * at a moment, signed with a key kept apart from the master key, written
 * to a place apart from the register. A trail cut back and re-grown, or
 * rewritten with the master key, no longer holds the entry a checkpoint
 * names: `sargs audit verify --checkpoints DIR` finds it (design.md "The
 * audit trail").
 *
 * A checkpoint file checkpoint-SEQ.json holds {"version", "seq", "hash",
 * "genesis" (the first entry's hash: which register), "time_us",
 * "public_key", "signature"}; the signature (Ed25519) covers the text
 * "sargs-audit-checkpoint-v1\nseq=..\nhash=..\ngenesis=..\ntime_us=..\n".
 */
#ifndef SARGS_CHECKPOINT_H
#define SARGS_CHECKPOINT_H

#include "crypto/ckpt.h"
#include "store/store.h"
#include "util/rc.h"

#include <stddef.h>
#include <stdint.h>

/* Signs the trail's current end and writes it into dir (made 0700 when
 * missing). path_out gets the file written, *seq the entry it names. */
enum sargs_rc sargs_audit_checkpoint(struct sargs_store *st, const struct sargs_ckpt_key *k,
				     const char *dir, int64_t now_us, char *path_out,
				     size_t path_size, int64_t *seq, struct sargs_err *err) SARGS_WUR;

struct sargs_ckpt_report {
	int64_t checked;          /* checkpoints whose entry the trail still holds */
	int64_t latest_seq;       /* the newest checkpoint checked */
	char public_key[64];      /* the key they were checked against */
	char message[384];        /* the first problem, or a summary */
};

/*
 * Checks every checkpoint in dir: its signature under pk_b64 (base64url;
 * NULL: the key the files name, which must be the same in all, reported so
 * it can be compared with the key kept elsewhere), that it belongs to this
 * register (genesis), and that the trail still holds the entry with its seq
 * and hash. SARGS_E_TAMPERED with the report's message on the first
 * failure; SARGS_E_NOTFOUND when dir holds no checkpoint.
 */
enum sargs_rc sargs_audit_check_checkpoints(struct sargs_store *st, const char *dir,
					    const char *pk_b64, struct sargs_ckpt_report *rep,
					    struct sargs_err *err) SARGS_WUR;

#endif
