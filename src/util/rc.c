/*
 * rc.c — sentences for result codes and the detailed error buffer.
 */
#include "util/rc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const rc_sentences[SARGS_E__COUNT] = {
	[SARGS_OK] = "success",
	[SARGS_E_NOMEM] = "out of memory",
	[SARGS_E_INVALID] = "invalid input",
	[SARGS_E_NOTFOUND] = "not found",
	[SARGS_E_EXISTS] = "already exists",
	[SARGS_E_DENIED] = "refused by a data protection rule",
	[SARGS_E_IO] = "file system error",
	[SARGS_E_STORE] = "storage error",
	[SARGS_E_CRYPTO] = "cryptographic check failed (wrong key or damaged data)",
	[SARGS_E_SCHEMA] = "incompatible register schema",
	[SARGS_E_BUSY] = "register is busy (locked by another process)",
	[SARGS_E_TAMPERED] = "audit trail has been tampered with",
	[SARGS_E_USAGE] = "wrong usage",
};

const char *sargs_rc_str(enum sargs_rc rc)
{
	if ((int)rc < 0 || rc >= SARGS_E__COUNT || rc_sentences[rc] == NULL)
		return "unknown error";
	return rc_sentences[rc];
}

enum sargs_rc sargs_err_set(struct sargs_err *err, enum sargs_rc rc,
			    const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return rc;
	err->rc = rc;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return rc;
}

void sargs_err_clear(struct sargs_err *err)
{
	if (err == NULL)
		return;
	err->rc = SARGS_OK;
	err->msg[0] = '\0';
}
