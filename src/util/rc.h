/*
 * rc.h — the one result code of the whole library.
 *
 * Every function that can fail returns an enum sargs_rc; output goes through
 * pointer arguments. sargs_rc_str() turns a code into a sentence; a more
 * specific message (which field, which purpose) is kept by the caller-visible
 * error buffer of the layer that produced it (see struct sargs_err).
 */
#ifndef SARGS_RC_H
#define SARGS_RC_H

#include <stddef.h>

enum sargs_rc {
	SARGS_OK = 0,
	SARGS_E_NOMEM,        /* out of memory */
	SARGS_E_INVALID,      /* bad input from outside: malformed, out of range */
	SARGS_E_NOTFOUND,     /* no such subject, purpose, entry */
	SARGS_E_EXISTS,       /* already exists */
	SARGS_E_DENIED,       /* refused by a rule: minimisation, purpose, policy */
	SARGS_E_IO,           /* file system failure (full disk, permissions) */
	SARGS_E_STORE,        /* storage engine failure */
	SARGS_E_CRYPTO,       /* key mismatch, decryption failure, tampering */
	SARGS_E_SCHEMA,       /* register made by a newer version, or damaged */
	SARGS_E_BUSY,         /* register locked by another process too long */
	SARGS_E_TAMPERED,     /* audit trail verification failed */
	SARGS_E_USAGE,        /* wrong command-line usage */
	SARGS_E__COUNT
};

/* A static sentence describing rc. Never NULL. */
const char *sargs_rc_str(enum sargs_rc rc);

/* Size of a detailed error message buffer. */
#define SARGS_ERR_BYTES 512

/*
 * A detailed message for the last failure: what was wrong and, where it helps,
 * what to do. Messages never hold personal data values, only field names,
 * purpose ids and positions.
 */
struct sargs_err {
	enum sargs_rc rc;
	char msg[SARGS_ERR_BYTES];
};

/* Sets err (if not NULL) to rc and a printf-style message; returns rc. */
enum sargs_rc sargs_err_set(struct sargs_err *err, enum sargs_rc rc,
			    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Clears err (if not NULL). */
void sargs_err_clear(struct sargs_err *err);

#define SARGS_WUR __attribute__((warn_unused_result))

#endif
