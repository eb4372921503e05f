/*
 * access.h — purpose-bound reads for the server (design.md "Purpose-bound
 * access"): every read names a purpose; the answer holds only the fields
 * that purpose covers, and only for a subject for whom the purpose is
 * lawful now (the policy engine decides: consent withdrawn, objection
 * upheld, retention over, processing restricted... all refuse).
 */
#ifndef SARGS_ACCESS_H
#define SARGS_ACCESS_H

#include "domain/policy.h"
#include "domain/subject.h"

/*
 * Reads subject id for purpose when the policy engine allows it today.
 * Refusal: SARGS_E_DENIED with the reason (decision->reason set), audited
 * as "subject.read.denied" with the reason id (no personal data). An
 * unknown or erased subject: SARGS_E_NOTFOUND. Fields of special
 * categories (GDPR Art. 9) only when special_ok (the reader may
 * SARGS_ACT_SUBJECT_READ_SPECIAL); otherwise out->withheld names them
 * (sargs_subject_show_limited). Caller frees out with
 * sargs_subject_view_free.
 */
enum sargs_rc sargs_read_for_purpose(struct sargs_reg *reg, const char *id, const char *purpose,
				     int special_ok, struct sargs_subject_view *out,
				     struct sargs_policy_decision *decision,
				     struct sargs_err *err) SARGS_WUR;

#endif
