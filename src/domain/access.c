/*
 * access.c — purpose-bound reads (access.h).
 */
#include "domain/access.h"

#include "domain/relation.h"

#include <stdio.h>
#include <string.h>

enum sargs_rc sargs_read_for_purpose(struct sargs_reg *reg, const char *id, const char *purpose,
				     int special_ok, struct sargs_subject_view *out,
				     struct sargs_policy_decision *decision,
				     struct sargs_err *err)
{
	enum sargs_rc rc;
	char detail[96];

	memset(out, 0, sizeof(*out));
	memset(decision, 0, sizeof(*decision));
	rc = sargs_policy_check(reg, id, purpose, 0, decision, err);
	if (rc != SARGS_OK)
		return rc;
	if (!decision->allowed) {
		if (decision->reason == SARGS_R_ERASED)
			return sargs_subject_must_exist(reg, id, err) == SARGS_OK
				       ? sargs_err_set(err, SARGS_E_NOTFOUND, "no such subject")
				       : err->rc;
		(void)snprintf(detail, sizeof(detail), "reason=%s", sargs_reason_id(decision->reason));
		rc = sargs_reg_audit(reg, "subject.read.denied", id, NULL, purpose, detail, err);
		if (rc != SARGS_OK)
			return rc;
		return sargs_err_set(err, SARGS_E_DENIED,
				     "reading this person for purpose \"%s\" is not lawful now: %s",
				     purpose, sargs_reason_text(decision->reason));
	}
	return sargs_subject_show_limited(reg, id, purpose, special_ok, out, err);
}
