/*
 * access.c — purpose-bound reads (access.h).
 */
#include "domain/access.h"

#include "domain/relation.h"

#include <stdio.h>
#include <string.h>

struct lawful {
	const struct sargs_purpose *p;
	struct sargs_policy_decision *decision;
};

/* The policy engine's decision, from the links the read has loaded. */
static enum sargs_rc lawful_now(void *ctx, struct sargs_reg *reg, const char *id,
				int64_t linked_us, char *detail, size_t detail_size,
				struct sargs_err *err)
{
	struct lawful *lw = ctx;
	struct sargs_policy_facts f;
	enum sargs_rc rc = sargs_policy_facts_load_linked(reg, id, lw->p, linked_us, &f, err);

	if (rc != SARGS_OK)
		return rc;
	sargs_policy_decide(lw->p, 0, sargs_today(), &f, lw->decision);
	if (lw->decision->allowed)
		return SARGS_OK;
	(void)snprintf(detail, detail_size, "reason=%s", sargs_reason_id(lw->decision->reason));
	return sargs_err_set(err, SARGS_E_DENIED,
			     "reading this person for purpose \"%s\" is not lawful now: %s", lw->p->id,
			     sargs_reason_text(lw->decision->reason));
}

enum sargs_rc sargs_read_for_purpose(struct sargs_reg *reg, const char *id, const char *purpose,
				     int special_ok, struct sargs_subject_view *out,
				     struct sargs_policy_decision *decision,
				     struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct lawful lw = {NULL, NULL};
	struct sargs_subject_check check = {lawful_now, &lw, ""};
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	memset(decision, 0, sizeof(*decision));
	lw.decision = decision;
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	lw.p = sargs_registry_purpose(r, purpose);
	if (lw.p == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no purpose \"%.64s\" in the registry",
				     sargs_ident_valid(purpose) ? purpose : "?");
	/* the decision and the read in one transaction: the subject's row and
	 * links are read once, and no field is decrypted unless it is lawful */
	return sargs_subject_show_checked(reg, id, purpose, special_ok, &check, out, err);
}
