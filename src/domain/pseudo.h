/*
 * pseudo.h — pseudonymised exports for analysis, and re-identification by
 * the holder of the pseudonym key (004 §19; GDPR Art. 4(5), 89(1)).
 *
 * An export names no one: each row carries the person's pseudonym for the
 * purpose (crypto/pseudo.h: stable for the same person and purpose,
 * unlinkable across purposes) and only fields the purpose lists that do
 * not identify a person directly. The pseudonymised data is still personal
 * data (004 §19.3): it is handled as such, only its risk is smaller.
 *
 * Re-identification needs the separate pseudonym key, which the register
 * does not hold: whoever runs it presents the key, and each run is audited
 * with the subject found (or the failed attempt).
 */
#ifndef SARGS_DOMAIN_PSEUDO_H
#define SARGS_DOMAIN_PSEUDO_H

#include "crypto/pseudo.h"
#include "domain/register.h"
#include "domain/registry.h"
#include "util/uuid.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SARGS_PSEUDO_FIELDS_MAX 32

/*
 * 1 when field f identifies a person directly and so never goes into a
 * pseudonymised export: a field of type email, phone or personal_code, or
 * of the categories name, contact (postal address), personal_code or
 * bank_account.
 */
int sargs_pseudo_field_identifying(const struct sargs_field_def *f);

/*
 * Writes a pseudonymised export (CSV, RFC 4180) to out: a header
 * "pseudonym,FIELD..." and, for every subject linked to purpose for whom
 * the purpose is lawful today (the policy engine, no channel), one row of
 * its pseudonym and the fields (empty when the subject has none). Each
 * field must be listed by the purpose (minimisation, GDPR Art. 5(1)(c))
 * and must not be identifying (SARGS_E_DENIED, saying so). Audited as one
 * "pseudonym.export" entry naming the purpose, the fields and the number
 * of rows, but no subject, committed before the first row is written.
 * *rows (when not NULL) gets the number of rows.
 */
enum sargs_rc sargs_pseudo_export(struct sargs_reg *reg, const struct sargs_pseudo_key *key,
				  const char *purpose, const char *const *fields, size_t n,
				  FILE *out, int64_t *rows, struct sargs_err *err) SARGS_WUR;

/*
 * Finds the subject whose pseudonym for purpose, under key, is pseudonym,
 * among the subjects now linked to purpose. Privileged: only the holder of
 * the pseudonym key can run it. Audited as "pseudonym.reidentify" with the
 * subject's id and the purpose. With another key (or a pseudonym of an
 * erased or unlinked subject) nothing matches: SARGS_E_NOTFOUND, audited
 * as "pseudonym.reidentify.failed" (the attempt, no one's id).
 */
enum sargs_rc sargs_pseudo_reidentify(struct sargs_reg *reg, const struct sargs_pseudo_key *key,
				      const char *purpose, const char *pseudonym,
				      char id_out[SARGS_UUID_STR], struct sargs_err *err) SARGS_WUR;

#endif
