/*
 * fact.h — sealed per-subject facts: small values the policy engine needs
 * (a minor's birth date) that must not lie in the clear.
 *
 * A fact is encrypted with XChaCha20-Poly1305 under the master key's facts
 * sub-key, with "fact" || 0 || subject id || 0 || name as the authenticated
 * data, so a sealed fact copied to another subject or another name fails to
 * open. Unlike personal fields it needs no subject data key: the policy
 * engine can read it without unwrapping one.
 */
#ifndef SARGS_FACT_H
#define SARGS_FACT_H

#include "crypto/keys.h"
#include "util/rc.h"

#include <stddef.h>

#define SARGS_FACT_OVERHEAD 40  /* nonce 24 + tag 16 */
#define SARGS_FACT_MAX 64       /* bytes of a fact's value */
#define SARGS_FACT_ID_MAX 128   /* bytes of a subject id */
#define SARGS_FACT_NAME_MAX 64  /* bytes of a fact's name */

/*
 * Seals len bytes of in as the fact name of subject_id into out, which must
 * hold len + SARGS_FACT_OVERHEAD bytes: nonce || ciphertext || tag. len over
 * SARGS_FACT_MAX, a subject id over SARGS_FACT_ID_MAX or a name over
 * SARGS_FACT_NAME_MAX bytes abort the process (programmer error).
 */
void sargs_fact_seal(struct sargs_keys *keys, const char *subject_id, const char *name,
		     const void *in, size_t len, unsigned char *out);

/*
 * Opens a sealed fact of len bytes into out (room for len -
 * SARGS_FACT_OVERHEAD bytes, at most SARGS_FACT_MAX) and sets *out_len.
 * SARGS_E_CRYPTO when it does not open: altered, sealed for another subject
 * or name or under another master key, or of an impossible length.
 */
enum sargs_rc sargs_fact_open(const struct sargs_keys *keys, const char *subject_id,
			      const char *name, const unsigned char *in, size_t len,
			      unsigned char *out, size_t *out_len) SARGS_WUR;

#endif
