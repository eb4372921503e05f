/*
 * access.c — purpose-bound reads (access.h).
 */
#include "domain/access.h"

#include "domain/relation.h"
#include "util/namefold.h"

#include <stdio.h>
#include <stdlib.h>
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

enum sargs_rc sargs_find_by_name(struct sargs_reg *reg, const char *query, const char *purpose,
				 size_t max_found, size_t max_reads,
				 int (*found)(void *ctx, const char *id,
					      const struct sargs_subject_view *names),
				 void *ctx, size_t *n_found, int *more,
				 struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	const char *names[2];
	char(*ids)[SARGS_UUID_STR] = NULL;
	size_t nn = 0, n = 0, i, reads = 0;
	int stop = 0;
	enum sargs_rc rc;

	*n_found = 0;
	*more = 0;
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((p = sargs_registry_purpose(r, purpose)) == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no purpose \"%.64s\" in the registry",
				     sargs_ident_valid(purpose) ? purpose : "?");
	if (sargs_purpose_field(p, "first_name"))
		names[nn++] = "first_name";
	if (sargs_purpose_field(p, "last_name"))
		names[nn++] = "last_name";
	if (nn == 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "purpose \"%s\" keeps no names: search by e-mail, phone or"
				     " personal code, or for another purpose",
				     p->id);
	rc = sargs_subject_name_candidates(reg, query, &ids, &n, SARGS_NAME_CANDIDATES, more, err);
	if (rc != SARGS_OK)
		return rc;
	for (i = 0; i < n && !stop && *n_found < max_found && reads < max_reads; i++) {
		struct sargs_policy_decision d;
		struct sargs_subject_view v;
		const char *both[2];
		struct sargs_err e2;

		/* the policy first (nothing decrypted): people the purpose may
		 * not be used for take none of the reads */
		if (sargs_policy_check(reg, ids[i], p->id, 0, &d, &e2) != SARGS_OK || !d.allowed)
			continue;
		reads++;
		memset(&v, 0, sizeof(v));
		rc = sargs_subject_read_fields(reg, ids[i], p->id, names, nn, "subject.search",
					       "by name", &v, err);
		if (rc == SARGS_E_DENIED || rc == SARGS_E_NOTFOUND) {
			sargs_subject_view_free(&v);
			rc = SARGS_OK;
			continue;
		}
		if (rc != SARGS_OK) {
			sargs_subject_view_free(&v);
			break;
		}
		both[0] = sargs_subject_view_field(&v, "first_name");
		both[1] = sargs_subject_view_field(&v, "last_name");
		if (sargs_name_matches(both, 2, query)) {
			(*n_found)++;
			stop = found(ctx, ids[i], &v) != 0; /* the caller has enough */
		}
		sargs_subject_view_free(&v);
	}
	if (rc == SARGS_OK && i < n && !stop && (*n_found == max_found || reads == max_reads))
		*more = 1;
	free(ids);
	return rc;
}
