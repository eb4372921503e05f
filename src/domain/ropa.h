/*
 * ropa.h — the record of processing activities (GDPR Art. 30(1)), built
 * from the controller profile and the purpose registry.
 */
#ifndef SARGS_ROPA_H
#define SARGS_ROPA_H

#include "domain/register.h"

/*
 * Builds the record as JSON (*json, caller frees with free()) and as
 * Markdown (*markdown, caller frees). Either pointer may be NULL.
 */
enum sargs_rc sargs_ropa_build(struct sargs_reg *reg, char **json, char **markdown,
			       struct sargs_err *err) SARGS_WUR;

#endif
