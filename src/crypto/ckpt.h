/*
 * ckpt.h — the Ed25519 key that signs audit checkpoints, kept apart from
 * the master key (its own file, ideally on another machine or medium), so
 * that someone holding the register and its master key still cannot forge
 * a checkpoint that vouches for a rewritten trail.
 *
 * Key file: a header line "sargs-checkpoint-key-v1" and the 32-byte Ed25519
 * seed as 64 hex digits; mode 0600; refused when group or others may read it.
 */
#ifndef SARGS_CKPT_H
#define SARGS_CKPT_H

#include "crypto/sign.h"
#include "util/rc.h"

#include <stddef.h>

struct sargs_ckpt_key;

/* Creates a new key file (0600), refusing to replace an existing one. */
enum sargs_rc sargs_ckpt_key_create(const char *path, struct sargs_err *err) SARGS_WUR;

/* Loads a key file; *out in guarded memory (free with sargs_ckpt_key_free). */
enum sargs_rc sargs_ckpt_key_load(const char *path, struct sargs_ckpt_key **out,
				  struct sargs_err *err) SARGS_WUR;
void sargs_ckpt_key_free(struct sargs_ckpt_key *k);

void sargs_ckpt_public_key(const struct sargs_ckpt_key *k,
			   unsigned char pk[SARGS_SIGN_PK_BYTES]);
enum sargs_rc sargs_ckpt_sign(const struct sargs_ckpt_key *k, const void *msg, size_t len,
			      unsigned char sig[SARGS_SIG_BYTES]) SARGS_WUR;

#endif
