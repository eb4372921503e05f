/*
 * api.h — shared parts of the JSON API handlers (api_*.c): the handlers of
 * each area, and the small helpers they share for reading request bodies,
 * checking purpose-level permission and answering errors.
 *
 * Conventions (docs/api.md, docs/openapi.yaml):
 * - A body is a JSON object whose keys are all known (http_json_body);
 *   a member of the wrong type is 400 "field_invalid", a missing one 400
 *   "field_missing". The helpers below answer the error themselves and
 *   return 0; the handler then returns without changing anything.
 * - A purpose named by a request is checked against the caller's role or
 *   token (api_may_purpose: 403 "forbidden").
 * - A path id that names no subject (or is not an id) is 404 "not_found".
 * - Personal data never goes to the log; error messages carry no values.
 */
#ifndef SARGS_SERVER_API_H
#define SARGS_SERVER_API_H

#include "server/http.h"
#include "server/server.h"

#include "domain/policy.h"
#include "domain/subject.h"

#include <stddef.h>
#include <stdint.h>

/* ---- helpers (api_common.c) */

/* Optional string member: *out NULL when absent or null. */
int api_opt_str(struct http_ctx *c, json_t *o, const char *key, const char **out);
/* Required, non-empty string member. */
int api_req_str(struct http_ctx *c, json_t *o, const char *key, const char **out);
/* Optional boolean member (*out keeps its value when absent). */
int api_opt_bool(struct http_ctx *c, json_t *o, const char *key, int *out);
/* Optional integer member (*out keeps its value when absent). */
int api_opt_int(struct http_ctx *c, json_t *o, const char *key, json_int_t *out);
/* Optional "YYYY-MM-DD" member as days since 1970-01-01 (*out kept when absent). */
int api_opt_day(struct http_ctx *c, json_t *o, const char *key, int32_t *out);
/* Optional array of strings: pointers into o (valid while o lives), at most max. */
int api_str_array(struct http_ctx *c, json_t *o, const char *key, const char **out, size_t max,
		  size_t *n);
/* Optional object of string values as sargs_kv pairs (pointers into o), at most max. */
int api_kv_object(struct http_ctx *c, json_t *o, const char *key, struct sargs_kv *out,
		  size_t max, size_t *n);

/* 1 when the caller may take action for purpose; else answers 403 and returns 0. */
int api_may_purpose(struct http_ctx *c, const char *action, const char *purpose);
/* 1 when the path's subject exists; else answers 404 (or the store error). */
int api_subject_exists(struct http_ctx *c, const char *id);
/* Parses a positive decimal number of a path or query; 0 and 404/400 answered. */
int api_id64(struct http_ctx *c, const char *s, int64_t *out);
/* A query argument that must be a whole number in [min, max]; def when absent. */
int api_query_int(struct http_ctx *c, const char *name, long long min, long long max,
		  long long def, long long *out);

/* Answers a library error: SARGS_E_NOTFOUND (and a path id that is not a
 * subject id) 404 "not_found"; SARGS_E_DENIED, a rule's refusal, 422
 * "refused"; the rest as http_json_err. */
void api_fail(struct http_ctx *c, const struct sargs_err *err);
/* Answers 403 "not_lawful" for a refused purpose-bound read. */
void api_not_lawful(struct http_ctx *c, const struct sargs_err *err);

/* "YYYY-MM-DD" of a day (SARGS_DATE_STR bytes). */
void api_day_str(int32_t day, char *out, size_t size);
/* A stored receipt (JSON text) as a JSON value (a string when not JSON). */
json_t *api_receipt(const char *receipt);
/* Answers head (a JSON object, taken) with a "receipt" member added: the
 * receipt just made by sargs_consent_* (its canonical JSON text, written as
 * it stands rather than parsed and dumped again; never text read back from
 * the database, which is not vouched for), or null when NULL. */
void api_json_receipt(struct http_ctx *c, int status, json_t *head, const char *receipt);
/* The purpose-bound view of a subject as JSON (only what the view holds). */
json_t *api_view_json(const struct sargs_subject_view *v, const struct sargs_policy_decision *d);
/* The same view as the whole answer (status 200), its text written
 * straight into the answer: the same bytes http_json would send for
 * api_view_json, without the tree (the purpose-bound read, the server's
 * most frequent answer). A stored value that is not valid UTF-8 is a 500. */
void api_view_answer(struct http_resp *rs, const struct sargs_subject_view *v,
		     const struct sargs_policy_decision *d);
/* Frees a body, wiping its string values first (they may be personal data). */
void api_body_free(json_t *o);

/* ---- handlers by area */

/* api_subjects.c */
void api_subjects_find(struct http_ctx *c);
void api_subjects_add(struct http_ctx *c);
void api_subject_edit(struct http_ctx *c);

/* api_consents.c */
void api_consent_give(struct http_ctx *c);
void api_consent_withdraw(struct http_ctx *c);
void api_objection_add(struct http_ctx *c);
void api_consent_history(struct http_ctx *c);

/* api_relations.c */
void api_purchase_add(struct http_ctx *c);
void api_contract_start(struct http_ctx *c);
void api_contract_end(struct http_ctx *c);

/* api_requests.c */
void api_requests_list(struct http_ctx *c);
void api_requests_new(struct http_ctx *c);
void api_requests_overdue(struct http_ctx *c);
void api_request_get(struct http_ctx *c);
void api_request_ask(struct http_ctx *c);
void api_request_verify(struct http_ctx *c);
void api_request_extend(struct http_ctx *c);
void api_request_refuse(struct http_ctx *c);
void api_request_fee(struct http_ctx *c);
void api_request_paid(struct http_ctx *c);
void api_request_assign(struct http_ctx *c);
void api_request_fulfil(struct http_ctx *c);

/* api_campaigns.c */
void api_campaign_audience(struct http_ctx *c);
void api_campaign_export(struct http_ctx *c);
void api_campaigns_list(struct http_ctx *c);

/* api_import.c */
void api_import(struct http_ctx *c);
void api_zones(struct http_ctx *c);

/* api_audit.c */
void api_audit_log(struct http_ctx *c);
void api_audit_verify(struct http_ctx *c);

#endif
