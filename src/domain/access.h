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

/*
 * Finds people by name for purpose (the console's and the API's name
 * search): the subjects whose name keys match every typed word
 * (sargs_subject_name_candidates, at most SARGS_NAME_CANDIDATES), the
 * policy decided first with nothing decrypted (people the purpose may not
 * be used for now cost nothing), then the first and last names of at most
 * max_reads lawful candidates read (each audited as "subject.search" "by
 * name") and compared word by word (sargs_name_matches). found is called
 * with each match's name view (fields first_name / last_name as the
 * purpose holds them; the view is freed after the call) until it returns
 * nonzero or max_found matches were found. *more is set when not every
 * candidate could be looked at (type more letters). SARGS_E_INVALID: the
 * purpose keeps no names, or the query has no word to look up.
 */
#define SARGS_NAME_CANDIDATES 100000
enum sargs_rc sargs_find_by_name(struct sargs_reg *reg, const char *query, const char *purpose,
				 size_t max_found, size_t max_reads,
				 int (*found)(void *ctx, const char *id,
					      const struct sargs_subject_view *names),
				 void *ctx, size_t *n_found, int *more,
				 struct sargs_err *err) SARGS_WUR;

#endif
