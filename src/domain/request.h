/*
 * request.h — the register of data subjects' requests (GDPR Art. 12, 15-22;
 * 004 §8-17): how and when each request arrived, who asked (sealed), the
 * identity checks, the deadline, and its way through the states to an
 * answer.
 *
 * Kinds: information, access, rectification, erasure, restriction,
 * portability, objection, automated_decision_review, consent_withdrawal.
 * Channels: email, post, in_person, phone, web_form, self_service.
 *
 * States and the steps between them (sargs_request_transition; the table
 * in request.c names the rule of each step):
 *
 *   received      -> verifying | verified | refused | fee_requested
 *                    (information only: -> fulfilled; the privacy notice is
 *                    public, nothing personal is released)
 *   verifying     -> verified | refused
 *   verified      -> fulfilled | extended | refused | fee_requested
 *   extended      -> fulfilled | refused
 *   fee_requested -> verified (fee paid) | refused
 *
 * fulfilled and refused close the request. "extended" is the state of a
 * verified request whose deadline was extended; an extension while the
 * request is still received or verifying is recorded on the request (the
 * extended flag and the new due day) and its state stays.
 *
 * Rules kept here:
 * - Nothing is done or released before the person is identified without
 *   doubt (GDPR Art. 12(6); 004 §15.4, §16.1, §16.9): verification names at
 *   least one strong check (id_document, eparaksts, bank_link, in_person) or
 *   two weak ones (email_confirmation, knowledge_of_account), and the
 *   subject it identified. Only codes are recorded, never the values seen.
 * - The deadline is computed, never typed: one month from receipt (GDPR
 *   Art. 12(3); 004 §16.2), counted per Reg. 1182/71 Art. 3, a deadline on a
 *   Saturday, Sunday or Latvian public holiday moving to the next working
 *   day (util/calendar_lv.h, with the one-off days of DIR/holidays.txt).
 *   Days are Latvian civil days (Europe/Riga: UTC+2, UTC+3 in summer).
 * - An extension by two further months (three from receipt) only while the
 *   first month runs, once, with a reason code; it produces the notice that
 *   tells the person why (Art. 12(3)).
 * - A refusal names a reason code and its answer always tells the person
 *   about the right to complain to the Data State Inspectorate and to a
 *   court (Art. 12(4); 004 §16.3). A fee only for manifestly unfounded or
 *   excessive requests, or further copies (Art. 12(5), 15(3); 004 §15.2,
 *   §16.5-16.7).
 * - Objections to a legitimate-interest purpose and reviews of automated
 *   decisions are routed to a person (assign) and answered with an outcome
 *   (Art. 21(1), 22(3); 004 §17.3, §17.6).
 *
 * Free text is nowhere accepted but in the requester's own details, which
 * are sealed: a fresh data key per request, wrapped under the master key,
 * the value encrypted with "request:<id>" / "requester" as authenticated
 * data. Every step is a request event and an audit entry ("request.<verb>")
 * with codes only.
 */
#ifndef SARGS_REQUEST_H
#define SARGS_REQUEST_H

#include "domain/register.h"
#include "domain/rights.h"
#include "domain/subject.h"
#include "util/calendar_lv.h"
#include "util/uuid.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_REQUEST_DATA_MAX 2048      /* bytes of a request's details (JSON) */
#define SARGS_REQUESTER_MAX 512          /* bytes of the requester's name or contact */
#define SARGS_REQUEST_FEE_MAX_CENTS 1000000 /* 10 000 EUR: beyond any reasonable fee */
#define SARGS_REQUEST_HOLIDAYS_FILE "holidays.txt" /* in the register's directory */

/* A request as stored, without the requester (see sargs_request_requester). */
struct sargs_request {
	int64_t id;
	char subject_id[SARGS_UUID_STR]; /* "" until the person is identified */
	char kind[32];
	char state[16];
	char channel[16];
	int64_t received_us;
	int32_t received_day;            /* Latvian civil day of receipt */
	int32_t due_day;                 /* the last day to answer */
	int extended;                    /* the deadline was extended */
	char purpose[64];                /* objection / withdrawal target, or "" */
	int64_t closed_us;               /* 0 while open */
	int has_requester;
	char data[SARGS_REQUEST_DATA_MAX]; /* JSON object: checks, reasons, fee... */
};

/* ---- the rules, pure */

int sargs_request_kind_valid(const char *kind);
int sargs_request_channel_valid(const char *channel);
int sargs_request_state_valid(const char *state);
/* 1 for an identity check code; *strong (may be NULL) tells its weight. */
int sargs_request_check_valid(const char *check, int *strong);
/* 1 when the checks identify the person without doubt: one strong or two
 * different weak ones (004 §15.4, §16.9). Unknown codes count as nothing. */
int sargs_request_checks_sufficient(const char *const *checks, size_t n);

/*
 * 1 when a request of kind may go from state from to state to. *rule (may
 * be NULL) gets the rule that allows the step, or the one that refuses it
 * (static text).
 */
int sargs_request_transition(const char *kind, const char *from, const char *to,
			     const char **rule);

/* The Latvian civil day (days since 1970-01-01) of a time: Europe/Riga,
 * UTC+2, UTC+3 from the last Sunday of March to the last Sunday of October
 * at 01:00 UTC (Directive 2000/84/EC). */
int32_t sargs_request_local_day(int64_t us);

/*
 * The last day to answer a request received on received_day: months (1, or
 * 3 when extended) from receipt, per sargs_deadline_months. extra may be
 * NULL.
 */
enum sargs_rc sargs_request_deadline(int32_t received_day, int months,
				     const struct sargs_holidays *extra,
				     int32_t *due_day) SARGS_WUR;

/*
 * 1 when a request in state, extended or not, with the first-month
 * deadline due_day, may be extended today (GDPR Art. 12(3): only within
 * the first month, once). *why (may be NULL) gets the rule.
 */
int sargs_request_may_extend(const char *state, int extended, int32_t today,
			     int32_t due_day, const char **why);

/* Reason codes: extension (complexity, number_of_requests), refusal
 * (manifestly_unfounded, excessive, identity_not_confirmed,
 * not_the_data_subject, legal_exception), fee (manifestly_unfounded,
 * excessive, additional_copy). */
int sargs_request_extend_reason_valid(const char *reason);
int sargs_request_refuse_reason_valid(const char *reason);
/* 1 when a fee may be asked for a request of kind for reason; *why (may be
 * NULL) gets the rule. */
int sargs_request_fee_allowed(const char *kind, const char *reason, const char **why);

/* 1 when the request is answered by a person's decision (assign, outcome):
 * automated_decision_review, and an objection to a purpose that is not
 * direct marketing. reg gives the registry; NULL purpose: direct marketing. */
int sargs_request_routed(struct sargs_reg *reg, const char *kind, const char *purpose);

/*
 * The texts for the person, in lang "lv" or "en" (anything else: lv).
 * *out is a new string (caller frees).
 * - extension notice: the reason, the first and the new deadline.
 * - refusal answer: the reason, and the right to complain to the Data State
 *   Inspectorate (Datu valsts inspekcija, Elijas iela 17, Rīga, LV-1050,
 *   www.dvi.gov.lv) and to seek a judicial remedy.
 */
enum sargs_rc sargs_request_extension_notice(const struct sargs_request *r, const char *reason,
					     int32_t first_due_day, const char *lang,
					     char **out) SARGS_WUR;
enum sargs_rc sargs_request_refusal_answer(const struct sargs_request *r, const char *reason,
					   const char *lang, char **out) SARGS_WUR;
/* The complaint paragraph alone (static text). */
const char *sargs_request_complaint_text(const char *lang);

/* ---- the register of requests */

struct sargs_request_input {
	const char *kind;
	const char *channel;
	const char *received;          /* "YYYY-MM-DD", not in the future; NULL: now */
	const char *subject_id;        /* who it seems to be, or NULL */
	const char *purpose;           /* objection or withdrawal target, or NULL */
	const char *requester_name;    /* who asked, as typed (sealed), or NULL */
	const char *requester_contact; /* where to answer (sealed), or NULL */
};

/*
 * Records a new request in state received with its deadline (DIR/
 * holidays.txt read when it exists). *id_out gets its number. Audited as
 * "request.new".
 */
enum sargs_rc sargs_request_new(struct sargs_reg *reg, const struct sargs_request_input *in,
				int64_t *id_out, struct sargs_err *err) SARGS_WUR;

/* Reads a request (no personal data: not audited). NOTFOUND when absent. */
enum sargs_rc sargs_request_get(struct sargs_reg *reg, int64_t id, struct sargs_request *out,
				struct sargs_err *err) SARGS_WUR;

/*
 * Decrypts who asked: *name and *contact are new strings or NULL when not
 * recorded (caller wipes with sargs_wipe and frees). Audited as
 * "request.show" naming the field "requester".
 */
enum sargs_rc sargs_request_requester(struct sargs_reg *reg, int64_t id, char **name,
				      char **contact, struct sargs_err *err) SARGS_WUR;

/* Requests in id order; open_only: not yet closed; subject_id (may be
 * NULL): only that person's. cb returns non-zero to stop. */
enum sargs_rc sargs_request_list(struct sargs_reg *reg, int open_only, const char *subject_id,
				 int (*cb)(void *ctx, const struct sargs_request *r), void *ctx,
				 struct sargs_err *err) SARGS_WUR;

/* A request's history, oldest first. */
enum sargs_rc sargs_request_events(struct sargs_reg *reg, int64_t id,
				   int (*cb)(void *ctx, int64_t time_us, const char *actor,
					     const char *event, const char *detail),
				   void *ctx, struct sargs_err *err) SARGS_WUR;

/*
 * Open requests past their deadline or due within days (0-366) of today,
 * most urgent first (earliest due day, then number); days_left is negative
 * when late.
 */
enum sargs_rc sargs_request_overdue(struct sargs_reg *reg, int days,
				    int (*cb)(void *ctx, const struct sargs_request *r,
					      int32_t days_left),
				    void *ctx, struct sargs_err *err) SARGS_WUR;

/* What identified the person: the subject and the checks made (codes). */
struct sargs_identity {
	const char *subject_id;
	const char *const *checks;
	size_t n_checks;
	int no_data;    /* identified, and the register was searched: it holds no
			 * data about the person (the answer says so, Art. 15(1)) */
};

/* received -> verifying: asks the person for more (needs: check codes). */
enum sargs_rc sargs_request_ask(struct sargs_reg *reg, int64_t id, const char *const *needs,
				size_t n_needs, struct sargs_err *err) SARGS_WUR;

/* -> verified: the person was identified (see the rule above). The subject
 * may be omitted for an information request or when the request names
 * one already. */
enum sargs_rc sargs_request_verify(struct sargs_reg *reg, int64_t id,
				   const struct sargs_identity *ident,
				   struct sargs_err *err) SARGS_WUR;

/* Extends the deadline to three months from receipt (see
 * sargs_request_may_extend); *notice (may be NULL) gets the notice to send
 * (caller frees). */
enum sargs_rc sargs_request_extend(struct sargs_reg *reg, int64_t id, const char *reason,
				   const char *lang, char **notice,
				   struct sargs_err *err) SARGS_WUR;

/* -> refused, closing the request; *answer (may be NULL) gets the answer
 * with the complaint right (caller frees). */
enum sargs_rc sargs_request_refuse(struct sargs_reg *reg, int64_t id, const char *reason,
				   const char *lang, char **answer,
				   struct sargs_err *err) SARGS_WUR;

/* -> fee_requested: amount in euro cents (1 - SARGS_REQUEST_FEE_MAX_CENTS). */
enum sargs_rc sargs_request_fee(struct sargs_reg *reg, int64_t id, int64_t amount_cents,
				const char *reason, struct sargs_err *err) SARGS_WUR;

/* fee_requested -> verified: the fee was paid. When the identity was not
 * verified before the fee was asked, ident must verify it now. */
enum sargs_rc sargs_request_paid(struct sargs_reg *reg, int64_t id,
				 const struct sargs_identity *ident,
				 struct sargs_err *err) SARGS_WUR;

/* Records the member of staff who handles an open request (a login name:
 * letters, digits, ".", "_", "-", "@", ":"; at most 64). */
enum sargs_rc sargs_request_assign(struct sargs_reg *reg, int64_t id, const char *staff,
				   struct sargs_err *err) SARGS_WUR;

struct sargs_request_fulfil_opts {
	const char *output;             /* access / portability: the file to create
					 * (0600, never replaced); NULL: the export
					 * comes back in result->export */
	enum sargs_export_format format; /* access: 0 means JSON */
	const char *lang;               /* "lv" (default) or "en" */
	int with_disclosures;           /* access: the last two years' disclosures */
	const struct sargs_kv *set;     /* rectification: the corrected fields */
	size_t n_set;
	const char *outcome;            /* routed requests: objection: upheld,
					 * overridden_compelling_grounds,
					 * overridden_legal_claims; automated
					 * decision review: decision_changed,
					 * decision_confirmed */
};

struct sargs_request_result {
	char *answer;                   /* the answer to the person */
	char *export;                   /* access / portability without output:
					 * personal data (wipe and free) */
	size_t export_len;
	struct sargs_erasure_report erasure;
};

/*
 * Carries the request out and closes it (-> fulfilled), in one
 * transaction: access (sargs_access_export), portability
 * (sargs_portability_export), erasure (sargs_rights_erase; the answer says
 * what stayed and why), restriction (sargs_restrict), rectification
 * (sargs_subject_edit with opts->set), objection (sargs_consent_object),
 * consent withdrawal (sargs_consent_withdraw), automated decision review
 * (the outcome recorded), information (the answer points to the privacy
 * notice). A file output is written before the commit and removed when the
 * commit fails. Free out with sargs_request_result_free.
 */
enum sargs_rc sargs_request_fulfil(struct sargs_reg *reg, int64_t id,
				   const struct sargs_request_fulfil_opts *opts,
				   struct sargs_request_result *out,
				   struct sargs_err *err) SARGS_WUR;
void sargs_request_result_free(struct sargs_request_result *r);

/* Loads DIR/holidays.txt into out when it exists (else empty). */
enum sargs_rc sargs_request_holidays(struct sargs_reg *reg, struct sargs_holidays *out,
				     struct sargs_err *err) SARGS_WUR;

/* Formats a day as YYYY-MM-DD (SARGS_DATE_STR bytes). */
void sargs_request_day_str(int32_t day, char *out, size_t size);

#endif
