/*
 * request.c — the register of data subjects' requests: the rules (codes,
 * the state table, deadlines, extension, fee), the texts for the person,
 * the sealed requester, and the steps that move a request to its answer
 * (see request.h).
 */
#include "domain/request.h"

#include "crypto/field.h"
#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/registry.h"
#include "store/store_rights.h"
#include "util/fsutil.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY_US 86400000000LL
#define HOUR_US 3600000000LL
#define TEXT_LIMIT (64u * 1024u)
#define STAFF_MAX 64
#define OVERDUE_DAYS_MAX 366
/* the requester's sealed form: wrapped key, then nonce || ciphertext || tag */
#define REQUESTER_FIELD "requester"

/* ---- codes */

static const char *const kinds[] = {"information", "access", "rectification", "erasure",
				    "restriction", "portability", "objection",
				    "automated_decision_review", "consent_withdrawal", NULL};
static const char *const channels[] = {"email", "post", "in_person", "phone", "web_form",
				       "self_service", NULL};
static const char *const states[] = {"received", "verifying", "verified", "extended",
				     "fulfilled", "refused", "fee_requested", NULL};
static const char *const strong_checks[] = {"id_document", "eparaksts", "bank_link",
					    "in_person", NULL};
static const char *const weak_checks[] = {"email_confirmation", "knowledge_of_account", NULL};
static const char *const extend_reasons[] = {"complexity", "number_of_requests", NULL};
static const char *const refuse_reasons[] = {"manifestly_unfounded", "excessive",
					     "identity_not_confirmed", "not_the_data_subject",
					     "legal_exception", NULL};
static const char *const objection_outcomes[] = {"upheld", "overridden_compelling_grounds",
						 "overridden_legal_claims", NULL};
static const char *const review_outcomes[] = {"decision_changed", "decision_confirmed", NULL};

static int in_list(const char *const *list, const char *s)
{
	for (size_t i = 0; s != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return 1;
	return 0;
}

int sargs_request_kind_valid(const char *kind)
{
	return in_list(kinds, kind);
}

int sargs_request_channel_valid(const char *channel)
{
	return in_list(channels, channel);
}

int sargs_request_state_valid(const char *state)
{
	return in_list(states, state);
}

int sargs_request_check_valid(const char *check, int *strong)
{
	int s = in_list(strong_checks, check);

	if (strong != NULL)
		*strong = s;
	return s || in_list(weak_checks, check);
}

int sargs_request_checks_sufficient(const char *const *checks, size_t n)
{
	size_t weak = 0;

	for (size_t i = 0; i < n; i++) {
		int strong, seen = 0;

		if (!sargs_request_check_valid(checks[i], &strong))
			continue;
		/* 004 §15.4, §16.9: one strong proof, or two different weak ones */
		if (strong)
			return 1;
		for (size_t k = 0; k < i; k++)
			if (strcmp(checks[k], checks[i]) == 0)
				seen = 1;
		if (!seen)
			weak++;
	}
	return weak >= 2;
}

int sargs_request_extend_reason_valid(const char *reason)
{
	return in_list(extend_reasons, reason);
}

int sargs_request_refuse_reason_valid(const char *reason)
{
	return in_list(refuse_reasons, reason);
}

int sargs_request_fee_allowed(const char *kind, const char *reason, const char **why)
{
	const char *w;
	int ok = 0;

	if (reason != NULL &&
	    (strcmp(reason, "manifestly_unfounded") == 0 || strcmp(reason, "excessive") == 0)) {
		w = "GDPR Art. 12(5)(a); 004 §16.5-16.7: a reasonable fee for a manifestly unfounded"
		    " or excessive request";
		ok = 1;
	} else if (reason != NULL && strcmp(reason, "additional_copy") == 0) {
		ok = kind != NULL && strcmp(kind, "access") == 0;
		w = ok ? "GDPR Art. 15(3); 004 §15.2: a reasonable fee for further copies"
		       : "GDPR Art. 15(3); 004 §15.2: a fee for further copies applies to access"
			 " requests only";
	} else {
		w = "GDPR Art. 12(5); 004 §16.5: requests are answered free of charge; a fee only"
		    " for manifestly unfounded or excessive requests (manifestly_unfounded,"
		    " excessive) or further copies (additional_copy)";
	}
	if (why != NULL)
		*why = w;
	return ok;
}

/* ---- the state table */

struct step {
	const char *from, *to;
	const char *only_kind;  /* NULL: every kind */
	const char *rule;
};

static const struct step steps[] = {
	{"received", "verifying", NULL,
	 "GDPR Art. 12(6); 004 §16.4, §16.9: in doubt about identity, ask for more"},
	{"received", "verified", NULL,
	 "GDPR Art. 12(6); 004 §15.4: the person is identified without doubt"},
	{"received", "refused", NULL,
	 "GDPR Art. 12(4)-(5): a refusal is explained, with the right to complain"},
	{"received", "fee_requested", NULL,
	 "GDPR Art. 12(5)(a); 004 §16.5-16.7: a reasonable fee for manifestly unfounded or"
	 " excessive requests"},
	{"received", "fulfilled", "information",
	 "GDPR Art. 13-14; 004 §12.2: information is the public privacy notice; nothing"
	 " personal is released"},
	{"verifying", "verified", NULL,
	 "GDPR Art. 12(6); 004 §16.9: the further information identified the person"},
	{"verifying", "verifying", NULL,
	 "GDPR Art. 12(6); 004 §16.9: still in doubt: ask for more again"},
	{"verifying", "refused", NULL,
	 "GDPR Art. 11(2), 12(4); 004 §16.4: the person could not be identified, or the"
	 " request is refused"},
	{"verified", "fulfilled", NULL, "GDPR Art. 12(3): answered within the deadline"},
	{"verified", "extended", NULL,
	 "GDPR Art. 12(3); 004 §16.2: extended by two further months within the first month"},
	{"verified", "refused", NULL,
	 "GDPR Art. 12(4)-(5): a refusal is explained, with the right to complain"},
	{"verified", "fee_requested", NULL,
	 "GDPR Art. 12(5)(a), 15(3); 004 §15.2, §16.7: a reasonable fee"},
	{"extended", "fulfilled", NULL, "GDPR Art. 12(3): answered within the extended deadline"},
	{"extended", "refused", NULL,
	 "GDPR Art. 12(4)-(5): a refusal is explained, with the right to complain"},
	{"fee_requested", "verified", NULL, "GDPR Art. 12(5)(a); 004 §16.7: the fee was paid"},
	{"fee_requested", "refused", NULL,
	 "GDPR Art. 12(5)(b); 004 §16.5(b): the request is refused instead"},
};

int sargs_request_transition(const char *kind, const char *from, const char *to,
			     const char **rule)
{
	const char *why = "no such step in a request's life (see the table in request.h)";

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		const struct step *s = &steps[i];

		if (from == NULL || to == NULL || strcmp(s->from, from) != 0 ||
		    strcmp(s->to, to) != 0)
			continue;
		if (s->only_kind != NULL && (kind == NULL || strcmp(s->only_kind, kind) != 0))
			continue;
		if (rule != NULL)
			*rule = s->rule;
		return 1;
	}
	if (from == NULL || to == NULL || !sargs_request_state_valid(from) ||
	    !sargs_request_state_valid(to))
		why = "not a request state";
	else if (strcmp(from, "fulfilled") == 0 || strcmp(from, "refused") == 0)
		why = "a fulfilled or refused request is closed: record a new request (GDPR"
		      " Art. 12)";
	else if (strcmp(to, "fulfilled") == 0 && strcmp(from, "fee_requested") == 0)
		why = "GDPR Art. 12(5)(a); 004 §16.7: the fee asked is paid before the request is"
		      " carried out";
	else if (strcmp(to, "fulfilled") == 0)
		why = "GDPR Art. 12(6); 004 §15.4, §16.9: nothing is released before identity is"
		      " verified";
	else if (strcmp(to, "received") == 0)
		why = "a request is received once: its date of receipt fixes the deadline (GDPR"
		      " Art. 12(3))";
	else if (strcmp(to, "extended") == 0 && strcmp(from, "extended") == 0)
		why = "GDPR Art. 12(3): the deadline is extended once, by two further months at"
		      " most";
	else if (strcmp(to, "extended") == 0)
		why = "GDPR Art. 12(3): only a verified request becomes extended (an extension"
		      " before verification is recorded and the state stays)";
	else if (strcmp(to, "verifying") == 0 || strcmp(to, "verified") == 0)
		why = "GDPR Art. 12(6): the identity is checked once, before the request is"
		      " carried out";
	else if (strcmp(to, "fee_requested") == 0)
		why = "GDPR Art. 12(5): a fee is asked before the request is carried out, once";
	if (rule != NULL)
		*rule = why;
	return 0;
}

/* ---- days and deadlines */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* The last Sunday of month m of year y (day of month). */
static int last_sunday(int y, int m)
{
	int last = sargs_days_in_month(y, m);

	return last - sargs_weekday(y, m, last) % 7;
}

int32_t sargs_request_local_day(int64_t us)
{
	int64_t utc_day = floor_div(us, DAY_US);
	int y, m, d;
	int64_t start, end, offset;

	sargs_civil_from_days(utc_day, &y, &m, &d);
	/* Directive 2000/84/EC Art. 2-3: summer time from 01:00 UTC on the last
	 * Sunday of March to 01:00 UTC on the last Sunday of October */
	start = sargs_days_from_civil(y, 3, last_sunday(y, 3)) * DAY_US + HOUR_US;
	end = sargs_days_from_civil(y, 10, last_sunday(y, 10)) * DAY_US + HOUR_US;
	offset = (us >= start && us < end) ? 3 * HOUR_US : 2 * HOUR_US;
	return (int32_t)floor_div(us + offset, DAY_US);
}

enum sargs_rc sargs_request_deadline(int32_t received_day, int months,
				     const struct sargs_holidays *extra, int32_t *due_day)
{
	int y, m, d, dy, dm, dd;
	enum sargs_rc rc;

	sargs_civil_from_days(received_day, &y, &m, &d);
	/* GDPR Art. 12(3); Reg. 1182/71 Art. 3(2)(c), 3(4): the same date
	 * months later (or that month's last day), moved past weekends and
	 * public holidays */
	rc = sargs_deadline_months(y, m, d, months, extra, &dy, &dm, &dd);
	if (rc != SARGS_OK)
		return rc;
	*due_day = (int32_t)sargs_days_from_civil(dy, dm, dd);
	return SARGS_OK;
}

int sargs_request_may_extend(const char *state, int extended, int32_t today, int32_t due_day,
			     const char **why)
{
	const char *w = "GDPR Art. 12(3); 004 §16.2: extended within the first month, telling"
			" the person why";
	int ok = 0;

	if (extended)
		w = "GDPR Art. 12(3): the deadline is extended once, by two further months at most";
	else if (state == NULL || !(strcmp(state, "received") == 0 ||
				    strcmp(state, "verifying") == 0 ||
				    strcmp(state, "verified") == 0))
		w = "GDPR Art. 12(3): only a request still being handled (received, verifying,"
		    " verified) can be extended";
	else if (today > due_day)
		w = "GDPR Art. 12(3); 004 §16.2: the first month is over: an extension must be"
		    " decided and told to the person within it";
	else
		ok = 1;
	if (why != NULL)
		*why = w;
	return ok;
}

void sargs_request_day_str(int32_t day, char *out, size_t size)
{
	int y, m, d;

	sargs_civil_from_days(day, &y, &m, &d);
	(void)snprintf(out, size, "%04d-%02d-%02d", y, m, d);
}

enum sargs_rc sargs_request_holidays(struct sargs_reg *reg, struct sargs_holidays *out,
				     struct sargs_err *err)
{
	char path[1200];

	out->count = 0;
	if (sargs_fs_join(path, sizeof(path), reg->dir, SARGS_REQUEST_HOLIDAYS_FILE) != SARGS_OK)
		return sargs_err_set(err, SARGS_E_INVALID, "the register's path is too long");
	if (!sargs_fs_exists(path))
		return SARGS_OK;
	return sargs_holidays_load(path, out, err);
}

/* ---- texts for the person */

static int lang_en(const char *lang)
{
	return lang != NULL && strcmp(lang, "en") == 0;
}

static const char *kind_name(const char *kind, int en)
{
	static const char *const names[][3] = {
		{"information", "informācija", "information"},
		{"access", "piekļuve saviem personas datiem", "access to your personal data"},
		{"rectification", "datu labošana", "rectification"},
		{"erasure", "datu dzēšana", "erasure"},
		{"restriction", "apstrādes ierobežošana", "restriction of processing"},
		{"portability", "datu pārnesamība", "data portability"},
		{"objection", "iebildums pret apstrādi", "objection to processing"},
		{"automated_decision_review", "automatizēta lēmuma pārskatīšana",
		 "review of an automated decision"},
		{"consent_withdrawal", "piekrišanas atsaukums", "withdrawal of consent"},
	};

	for (size_t i = 0; kind != NULL && i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i][0], kind) == 0)
			return names[i][en ? 2 : 1];
	return kind != NULL ? kind : "?";
}

const char *sargs_request_complaint_text(const char *lang)
{
	/* GDPR Art. 12(4), 77, 79; 004 §16.3 */
	if (lang_en(lang))
		return "If you believe your rights have been infringed, you have the right to lodge a"
		       " complaint with the supervisory authority, the Data State Inspectorate"
		       " (Datu valsts inspekcija, Elijas iela 17, Rīga, LV-1050, www.dvi.gov.lv),"
		       " and to seek a judicial remedy before a court (GDPR Art. 77 and 79).";
	return "Ja uzskatāt, ka jūsu tiesības ir pārkāptas, jums ir tiesības iesniegt sūdzību"
	       " uzraudzības iestādei — Datu valsts inspekcijai (Elijas iela 17, Rīga, LV-1050,"
	       " www.dvi.gov.lv) — un vērsties tiesā (Vispārīgās datu aizsardzības regulas 77. un"
	       " 79. pants).";
}

static const char *extend_reason_text(const char *reason, int en)
{
	if (strcmp(reason, "complexity") == 0)
		return en ? "because of the complexity of the request"
			  : "pieprasījuma sarežģītības dēļ";
	return en ? "because of the number of requests we have received"
		  : "saņemto pieprasījumu lielā skaita dēļ";
}

static const char *refuse_reason_text(const char *reason, int en)
{
	if (strcmp(reason, "manifestly_unfounded") == 0)
		return en ? "The request is manifestly unfounded (GDPR Art. 12(5))."
			  : "Pieprasījums ir acīmredzami nepamatots (Vispārīgās datu aizsardzības"
			    " regulas 12. panta 5. punkts).";
	if (strcmp(reason, "excessive") == 0)
		return en ? "The request is excessive, in particular because of its repetitive"
			    " character (GDPR Art. 12(5))."
			  : "Pieprasījums ir pārmērīgs, jo īpaši tā atkārtotā rakstura dēļ"
			    " (Vispārīgās datu aizsardzības regulas 12. panta 5. punkts).";
	if (strcmp(reason, "identity_not_confirmed") == 0)
		return en ? "We could not confirm your identity beyond doubt, so we may not disclose"
			    " or change personal data (GDPR Art. 12(2) and 12(6)). You may ask again"
			    " with information that identifies you."
			  : "Mēs nevarējām nepārprotami pārliecināties par jūsu identitāti, tāpēc"
			    " nedrīkstam izpaust vai mainīt personas datus (Vispārīgās datu"
			    " aizsardzības regulas 12. panta 2. un 6. punkts). Jūs varat iesniegt"
			    " pieprasījumu atkārtoti ar informāciju, kas ļauj jūs identificēt.";
	if (strcmp(reason, "not_the_data_subject") == 0)
		return en ? "The request concerns another person's data, and no authority to act"
			    " for them was shown (GDPR Art. 12 and 15)."
			  : "Pieprasījums attiecas uz citas personas datiem, un tiesības rīkoties"
			    " tās vārdā nav pierādītas (Vispārīgās datu aizsardzības regulas 12. un"
			    " 15. pants).";
	return en ? "The request cannot be carried out because the law restricts it (GDPR"
		    " Art. 17(3) and 23)."
		  : "Pieprasījumu nevar izpildīt, jo to ierobežo normatīvie akti (Vispārīgās datu"
		    " aizsardzības regulas 17. panta 3. punkts un 23. pants).";
}

/* "Request no. N (kind), received on DATE" in either language. */
static enum sargs_rc add_heading(struct sargs_strbuf *sb, const struct sargs_request *r, int en)
{
	char rs[SARGS_DATE_STR];

	sargs_request_day_str(r->received_day, rs, sizeof(rs));
	if (en)
		return sargs_strbuf_addf(sb, "Request no. %" PRId64 " (%s), received on %s.\n\n",
					 r->id, kind_name(r->kind, 1), rs);
	return sargs_strbuf_addf(sb, "Pieprasījums Nr. %" PRId64 " (%s), saņemts %s.\n\n", r->id,
				 kind_name(r->kind, 0), rs);
}

static enum sargs_rc text_done(struct sargs_strbuf *sb, enum sargs_rc rc, char **out)
{
	if (rc != SARGS_OK) {
		sargs_strbuf_free(sb);
		return rc;
	}
	*out = sargs_strbuf_take(sb);
	return *out != NULL ? SARGS_OK : SARGS_E_NOMEM;
}

enum sargs_rc sargs_request_extension_notice(const struct sargs_request *r, const char *reason,
					     int32_t first_due_day, const char *lang, char **out)
{
	struct sargs_strbuf sb;
	char fs[SARGS_DATE_STR], ns[SARGS_DATE_STR];
	int en = lang_en(lang);
	enum sargs_rc rc;

	*out = NULL;
	if (!sargs_request_extend_reason_valid(reason))
		return SARGS_E_INVALID;
	sargs_request_day_str(first_due_day, fs, sizeof(fs));
	sargs_request_day_str(r->due_day, ns, sizeof(ns));
	sargs_strbuf_init(&sb, TEXT_LIMIT);
	rc = add_heading(&sb, r, en);
	if (rc == SARGS_OK && en)
		rc = sargs_strbuf_addf(&sb,
				       "The time to answer your request, which ran until %s, is"
				       " extended by two further months, until %s, %s (GDPR"
				       " Art. 12(3)). We will answer as soon as we can.\n",
				       fs, ns, extend_reason_text(reason, 1));
	else if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(&sb,
				       "Atbildes termiņš uz jūsu pieprasījumu, kas bija līdz %s, tiek"
				       " pagarināts par diviem mēnešiem — līdz %s — %s (Vispārīgās"
				       " datu aizsardzības regulas 12. panta 3. punkts). Mēs"
				       " atbildēsim, tiklīdz varēsim.\n",
				       fs, ns, extend_reason_text(reason, 0));
	return text_done(&sb, rc, out);
}

enum sargs_rc sargs_request_refusal_answer(const struct sargs_request *r, const char *reason,
					   const char *lang, char **out)
{
	struct sargs_strbuf sb;
	int en = lang_en(lang);
	enum sargs_rc rc;

	*out = NULL;
	if (!sargs_request_refuse_reason_valid(reason))
		return SARGS_E_INVALID;
	sargs_strbuf_init(&sb, TEXT_LIMIT);
	rc = add_heading(&sb, r, en);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(&sb, "%s\n%s\n\n%s\n",
				       en ? "We will not carry out your request."
					  : "Mēs jūsu pieprasījumu neizpildīsim.",
				       refuse_reason_text(reason, en),
				       sargs_request_complaint_text(lang));
	return text_done(&sb, rc, out);
}

/* ---- loading and saving */

/* A request read for a step: the public form, and the sealed requester
 * that an update must write back. */
struct loaded {
	struct sargs_request r;
	void *owned;
	const unsigned char *requester;
	size_t requester_len;
};

static void copy_str(char *dst, size_t size, const char *src)
{
	(void)snprintf(dst, size, "%s", src != NULL ? src : "");
}

static void from_store(struct sargs_request *out, const struct sargs_store_request *s)
{
	memset(out, 0, sizeof(*out));
	out->id = s->id;
	copy_str(out->subject_id, sizeof(out->subject_id), s->subject_id);
	copy_str(out->kind, sizeof(out->kind), s->kind);
	copy_str(out->state, sizeof(out->state), s->state);
	copy_str(out->channel, sizeof(out->channel), s->channel);
	out->received_us = s->received_us;
	out->received_day = sargs_request_local_day(s->received_us);
	out->due_day = s->due_day;
	out->extended = s->extended;
	copy_str(out->purpose, sizeof(out->purpose), s->purpose);
	out->closed_us = s->closed_us;
	out->has_requester = s->requester != NULL && s->requester_len > 0;
	copy_str(out->data, sizeof(out->data), s->data != NULL ? s->data : "{}");
}

static void to_store(struct sargs_store_request *s, const struct loaded *l)
{
	const struct sargs_request *r = &l->r;

	memset(s, 0, sizeof(*s));
	s->id = r->id;
	s->subject_id = r->subject_id[0] ? r->subject_id : NULL;
	s->kind = r->kind;
	s->state = r->state;
	s->received_us = r->received_us;
	s->channel = r->channel;
	s->due_day = r->due_day;
	s->extended = r->extended;
	s->purpose = r->purpose[0] ? r->purpose : NULL;
	s->requester = l->requester;
	s->requester_len = l->requester_len;
	s->closed_us = r->closed_us;
	s->data = r->data;
}

static enum sargs_rc store_err(struct sargs_reg *reg, enum sargs_rc rc, struct sargs_err *err)
{
	return sargs_err_set(err, rc, "cannot record the request: %s",
			     sargs_store_errmsg(reg->store));
}

static enum sargs_rc load(struct sargs_reg *reg, int64_t id, struct loaded *l,
			  struct sargs_err *err)
{
	struct sargs_store_request s;
	enum sargs_rc rc;

	memset(l, 0, sizeof(*l));
	rc = sargs_store_request_get(reg->store, id, &s, &l->owned);
	if (rc == SARGS_E_NOTFOUND)
		return sargs_err_set(err, rc, "no request %" PRId64, id);
	if (rc != SARGS_OK)
		return store_err(reg, rc, err);
	from_store(&l->r, &s);
	l->requester = s.requester;
	l->requester_len = s.requester != NULL ? s.requester_len : 0;
	return SARGS_OK;
}

static void unload(struct loaded *l)
{
	free(l->owned);
	l->owned = NULL;
}

static json_t *data_of(const struct sargs_request *r)
{
	json_error_t jerr;
	json_t *d = json_loads(r->data, JSON_REJECT_DUPLICATES, &jerr);

	if (d != NULL && json_is_object(d))
		return d;
	json_decref(d);
	return json_object();
}

/* Writes d (taken) into r->data. */
static enum sargs_rc data_put(struct sargs_request *r, json_t *d, struct sargs_err *err)
{
	char *text = d != NULL ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	enum sargs_rc rc = SARGS_OK;

	json_decref(d);
	if (text == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	if (strlen(text) >= sizeof(r->data))
		rc = sargs_err_set(err, SARGS_E_INVALID, "the request's details would exceed %d"
							 " bytes", SARGS_REQUEST_DATA_MAX);
	else
		copy_str(r->data, sizeof(r->data), text);
	free(text);
	return rc;
}

static json_t *str_array(const char *const *items, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++) {
		int dup = 0;

		for (size_t k = 0; k < i; k++)
			if (strcmp(items[k], items[i]) == 0)
				dup = 1;
		if (!dup)
			(void)json_array_append_new(a, json_string(items[i]));
	}
	return a;
}

/* Comma-joined codes for an audit detail (codes are short identifiers). */
static void join_codes(char *out, size_t size, const char *const *items, size_t n)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < n && len + 1 < size; i++) {
		int w = snprintf(out + len, size - len, "%s%s", i ? "," : "", items[i]);

		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static const char *data_str(const struct sargs_request *r, const char *key, char *buf,
			    size_t size)
{
	json_t *d = data_of(r);
	const char *s = json_string_value(json_object_get(d, key));

	copy_str(buf, size, s);
	json_decref(d);
	return buf[0] ? buf : NULL;
}

static int identity_verified(const struct sargs_request *r)
{
	char buf[16];

	return data_str(r, "identity", buf, sizeof(buf)) != NULL && strcmp(buf, "verified") == 0;
}

/* 1 when the person was identified and the register holds no data about
 * them (Art. 15(1): the answer confirms that). */
static int holds_no_data(const struct sargs_request *r)
{
	json_error_t jerr;
	json_t *d = json_loads(r->data, 0, &jerr);
	int yes = json_is_true(json_object_get(d, "no_data"));

	json_decref(d);
	return yes && r->subject_id[0] == '\0';
}

/*
 * Writes a step: the request row, its event and the audit entry
 * "request.<verb>" with detail "request:N <detail>".
 */
static enum sargs_rc save_step(struct sargs_reg *reg, const struct loaded *l, const char *event,
			       const char *verb, const char *fields, const char *detail,
			       struct sargs_err *err)
{
	struct sargs_store_request s;
	char action[64], full[768];
	int64_t now = sargs_time_now_us();
	enum sargs_rc rc;

	to_store(&s, l);
	(void)snprintf(action, sizeof(action), "request.%s", verb);
	(void)snprintf(full, sizeof(full), "request:%" PRId64 "%s%s", l->r.id,
		       detail != NULL && detail[0] ? " " : "", detail != NULL ? detail : "");
	if ((rc = sargs_store_request_update(reg->store, &s)) != SARGS_OK ||
	    (rc = sargs_store_request_event_add(reg->store, l->r.id, now, reg->actor, event,
						full)) != SARGS_OK)
		return store_err(reg, rc, err);
	return sargs_reg_audit(reg, action, l->r.subject_id[0] ? l->r.subject_id : NULL, fields,
			       l->r.purpose[0] ? l->r.purpose : NULL, full, err);
}

static enum sargs_rc tx_end(struct sargs_reg *reg, struct loaded *l, enum sargs_rc rc,
			    struct sargs_err *err)
{
	unload(l);
	if (rc == SARGS_OK)
		return sargs_reg_commit(reg, err);
	sargs_reg_rollback(reg);
	return rc;
}

/* Opens the step's transaction and loads the request. */
static enum sargs_rc tx_load(struct sargs_reg *reg, int64_t id, struct loaded *l,
			     struct sargs_err *err)
{
	enum sargs_rc rc;

	memset(l, 0, sizeof(*l));
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = load(reg, id, l, err)) != SARGS_OK)
		sargs_reg_rollback(reg);
	return rc;
}

static enum sargs_rc refuse_step(const struct sargs_request *r, const char *to,
				 struct sargs_err *err)
{
	const char *rule;

	if (sargs_request_transition(r->kind, r->state, to, &rule))
		return SARGS_OK;
	return sargs_err_set(err, SARGS_E_DENIED, "request %" PRId64 " is %s and cannot become %s: %s",
			     r->id, r->state, to, rule);
}

/* ---- the sealed requester */

static int text_ok(const char *s, size_t max)
{
	size_t n;

	if (s == NULL)
		return 1;
	n = strlen(s);
	if (n == 0 || n > max)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

static void request_aad(char *out, size_t size, int64_t id)
{
	(void)snprintf(out, size, "request:%" PRId64, id);
}

/*
 * Seals name and contact (either may be NULL) for request id: *blob (caller
 * frees) is the wrapped fresh key followed by the encrypted
 * [u32 len][name][u32 len][contact] (a length 0xffffffff: not given).
 */
static enum sargs_rc seal(struct sargs_reg *reg, int64_t id, const char *name,
			  const char *contact, unsigned char **blob, size_t *blob_len)
{
	struct sargs_strbuf plain;
	struct sargs_dkey *dk = NULL;
	char aad[48];
	unsigned char *b;
	enum sargs_rc rc;
	static const unsigned char absent[4] = {0xff, 0xff, 0xff, 0xff};

	*blob = NULL;
	*blob_len = 0;
	sargs_strbuf_init(&plain, 2 * SARGS_REQUESTER_MAX + 16);
	rc = name != NULL ? sargs_strbuf_add_lv(&plain, name, strlen(name))
			  : sargs_strbuf_add(&plain, absent, sizeof(absent));
	if (rc == SARGS_OK)
		rc = contact != NULL ? sargs_strbuf_add_lv(&plain, contact, strlen(contact))
				     : sargs_strbuf_add(&plain, absent, sizeof(absent));
	if (rc == SARGS_OK)
		rc = sargs_dkey_new(reg->keys, &dk);
	if (rc != SARGS_OK)
		goto out;
	b = malloc(SARGS_WRAPPED_KEY_BYTES + plain.len + SARGS_FIELD_OVERHEAD);
	if (b == NULL) {
		rc = SARGS_E_NOMEM;
		goto out;
	}
	request_aad(aad, sizeof(aad), id);
	sargs_dkey_wrap(reg->keys, dk, aad, b);
	sargs_field_encrypt(reg->keys, dk, aad, REQUESTER_FIELD, plain.data, plain.len,
			    b + SARGS_WRAPPED_KEY_BYTES);
	*blob = b;
	*blob_len = SARGS_WRAPPED_KEY_BYTES + plain.len + SARGS_FIELD_OVERHEAD;
out:
	sargs_dkey_free(dk);
	sargs_strbuf_free(&plain);
	return rc;
}

/* Reads one [u32 len][bytes] of the sealed plain text into a new string
 * (NULL when absent); moves *at. -1 when malformed. */
static int unpack_one(const unsigned char *p, size_t n, size_t *at, char **out)
{
	uint32_t len;

	*out = NULL;
	if (n - *at < 4)
		return -1;
	len = ((uint32_t)p[*at] << 24) | ((uint32_t)p[*at + 1] << 16) |
	      ((uint32_t)p[*at + 2] << 8) | (uint32_t)p[*at + 3];
	*at += 4;
	if (len == 0xffffffffu)
		return 0;
	if (len > n - *at)
		return -1;
	*out = malloc((size_t)len + 1);
	if (*out == NULL)
		return -1;
	memcpy(*out, p + *at, len);
	(*out)[len] = '\0';
	*at += len;
	return 0;
}

static void wipe_free(char *s)
{
	if (s != NULL) {
		sargs_wipe(s, strlen(s));
		free(s);
	}
}

static enum sargs_rc unseal(struct sargs_reg *reg, int64_t id, const unsigned char *blob,
			    size_t blob_len, char **name, char **contact) SARGS_WUR;
static enum sargs_rc unseal(struct sargs_reg *reg, int64_t id, const unsigned char *blob,
			    size_t blob_len, char **name, char **contact)
{
	struct sargs_dkey *dk = NULL;
	char aad[48], *plain = NULL;
	size_t plain_len = 0, at = 0;
	enum sargs_rc rc;

	*name = NULL;
	*contact = NULL;
	if (blob_len < SARGS_WRAPPED_KEY_BYTES + SARGS_FIELD_OVERHEAD)
		return SARGS_E_CRYPTO;
	request_aad(aad, sizeof(aad), id);
	rc = sargs_dkey_unwrap(reg->keys, aad, blob, SARGS_WRAPPED_KEY_BYTES, &dk);
	if (rc != SARGS_OK)
		return rc;
	rc = sargs_field_decrypt(dk, aad, REQUESTER_FIELD, blob + SARGS_WRAPPED_KEY_BYTES,
				 blob_len - SARGS_WRAPPED_KEY_BYTES, &plain, &plain_len);
	sargs_dkey_free(dk);
	if (rc != SARGS_OK)
		return rc;
	if (unpack_one((const unsigned char *)plain, plain_len, &at, name) != 0 ||
	    unpack_one((const unsigned char *)plain, plain_len, &at, contact) != 0 ||
	    at != plain_len) {
		wipe_free(*name);
		wipe_free(*contact);
		*name = NULL;
		*contact = NULL;
		rc = SARGS_E_CRYPTO;
	}
	sargs_wipe(plain, plain_len);
	free(plain);
	return rc;
}

/* ---- routing */

int sargs_request_routed(struct sargs_reg *reg, const char *kind, const char *purpose)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;

	if (kind == NULL)
		return 0;
	/* GDPR Art. 22(3); 004 §17.3, §17.6: a person reviews the decision */
	if (strcmp(kind, "automated_decision_review") == 0)
		return 1;
	if (strcmp(kind, "objection") != 0 || purpose == NULL || purpose[0] == '\0')
		return 0;  /* direct marketing: absolute, at once (Art. 21(3)) */
	if (sargs_reg_registry(reg, &r, NULL) != SARGS_OK)
		return 1;
	p = sargs_registry_purpose(r, purpose);
	/* Art. 21(1): weighed against compelling legitimate grounds */
	return p == NULL || !p->marketing.enabled;
}

/* ---- the steps */

static enum sargs_rc check_purpose(struct sargs_reg *reg, const char *kind, const char *purpose,
				   struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	enum sargs_rc rc;

	if (purpose == NULL)
		return SARGS_OK;
	if (strcmp(kind, "objection") != 0 && strcmp(kind, "consent_withdrawal") != 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "a purpose is named only for an objection or a consent"
				     " withdrawal");
	if (!sargs_ident_valid(purpose))
		return sargs_err_set(err, SARGS_E_INVALID, "not a purpose id");
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	p = sargs_registry_purpose(r, purpose);
	if (p == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no purpose \"%s\" in the registry",
				     purpose);
	if (strcmp(kind, "objection") == 0 && !p->marketing.enabled &&
	    p->basis != SARGS_BASIS_LEGITIMATE_INTERESTS && p->basis != SARGS_BASIS_PUBLIC_TASK)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "purpose \"%s\" rests on %s: the right to object covers"
				     " legitimate interests, public tasks and direct marketing (GDPR"
				     " Art. 21)",
				     p->id, sargs_basis_id(p->basis));
	if (strcmp(kind, "consent_withdrawal") == 0 && p->basis != SARGS_BASIS_CONSENT &&
	    !p->marketing.enabled)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "purpose \"%s\" rests on %s, not on consent: there is no consent"
				     " to withdraw (GDPR Art. 7(3))",
				     p->id, sargs_basis_id(p->basis));
	return SARGS_OK;
}

enum sargs_rc sargs_request_new(struct sargs_reg *reg, const struct sargs_request_input *in,
				int64_t *id_out, struct sargs_err *err)
{
	struct sargs_holidays *hol = NULL;
	struct loaded l;
	struct sargs_store_request s;
	unsigned char *blob = NULL;
	size_t blob_len = 0;
	int64_t now = sargs_time_now_us(), received_us = now;
	int32_t today = sargs_request_local_day(now), received_day = today, due;
	char detail[256], ds[SARGS_DATE_STR];
	enum sargs_rc rc;

	*id_out = 0;
	memset(&l, 0, sizeof(l));
	if (!sargs_request_kind_valid(in->kind))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the kind is information, access, rectification, erasure,"
				     " restriction, portability, objection, automated_decision_review"
				     " or consent_withdrawal");
	if (!sargs_request_channel_valid(in->channel))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the channel is email, post, in_person, phone, web_form or"
				     " self_service");
	if (in->received != NULL) {
		int y, m, d;

		if (sargs_date_parse(in->received, &y, &m, &d) != SARGS_OK)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "the date of receipt is not a real date YYYY-MM-DD");
		received_day = (int32_t)sargs_days_from_civil(y, m, d);
		if (received_day > today)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "the date of receipt is in the future");
		/* a typed date is recorded at 10:00 UTC: the same day in Riga */
		received_us = (int64_t)received_day * DAY_US + 10 * HOUR_US;
		if (received_day == today && received_us > now)
			received_us = now;
	}
	if (!text_ok(in->requester_name, SARGS_REQUESTER_MAX) ||
	    !text_ok(in->requester_contact, SARGS_REQUESTER_MAX))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the requester's name and contact are 1-%d bytes without control"
				     " characters",
				     SARGS_REQUESTER_MAX);
	if ((rc = check_purpose(reg, in->kind, in->purpose, err)) != SARGS_OK)
		return rc;
	hol = calloc(1, sizeof(*hol));
	if (hol == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	if ((rc = sargs_request_holidays(reg, hol, err)) != SARGS_OK)
		goto done;
	if (sargs_request_deadline(received_day, 1, hol, &due) != SARGS_OK) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "no deadline can be computed for that date");
		goto done;
	}
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		goto done;
	if (in->subject_id != NULL &&
	    (rc = sargs_subject_must_exist(reg, in->subject_id, err)) != SARGS_OK)
		goto tx;
	memset(&s, 0, sizeof(s));
	s.subject_id = in->subject_id;
	s.kind = in->kind;
	s.state = "received";
	s.received_us = received_us;
	s.channel = in->channel;
	s.due_day = due;
	s.purpose = in->purpose;
	s.data = "{}";
	if ((rc = sargs_store_request_add(reg->store, &s)) != SARGS_OK) {
		rc = store_err(reg, rc, err);
		goto tx;
	}
	if ((rc = load(reg, s.id, &l, err)) != SARGS_OK)
		goto tx;
	if (in->requester_name != NULL || in->requester_contact != NULL) {
		/* the id is part of the authenticated data: seal once it is known */
		if ((rc = seal(reg, s.id, in->requester_name, in->requester_contact, &blob,
			       &blob_len)) != SARGS_OK) {
			rc = sargs_err_set(err, rc, "cannot seal the requester's details");
			goto tx;
		}
		l.requester = blob;
		l.requester_len = blob_len;
	}
	sargs_request_day_str(due, ds, sizeof(ds));
	(void)snprintf(detail, sizeof(detail), "kind:%s channel:%s due:%s", in->kind, in->channel,
		       ds);
	rc = save_step(reg, &l, "received", "new", blob != NULL ? REQUESTER_FIELD : NULL, detail,
		       err);
	if (rc == SARGS_OK)
		*id_out = s.id;
tx:
	rc = tx_end(reg, &l, rc, err);
	if (rc != SARGS_OK)
		*id_out = 0;
done:
	free(blob);
	free(hol);
	return rc;
}

enum sargs_rc sargs_request_get(struct sargs_reg *reg, int64_t id, struct sargs_request *out,
				struct sargs_err *err)
{
	struct loaded l;
	enum sargs_rc rc = load(reg, id, &l, err);

	if (rc == SARGS_OK)
		*out = l.r;
	unload(&l);
	return rc;
}

enum sargs_rc sargs_request_requester(struct sargs_reg *reg, int64_t id, char **name,
				      char **contact, struct sargs_err *err)
{
	struct loaded l;
	enum sargs_rc rc;

	*name = NULL;
	*contact = NULL;
	if ((rc = tx_load(reg, id, &l, err)) != SARGS_OK)
		return rc;
	if (l.requester != NULL) {
		rc = unseal(reg, id, l.requester, l.requester_len, name, contact);
		if (rc != SARGS_OK) {
			rc = sargs_err_set(err, rc == SARGS_E_NOMEM ? rc : SARGS_E_CRYPTO,
					   "the requester's details of request %" PRId64
					   " cannot be decrypted (altered, or another master key)",
					   id);
			goto out;
		}
	}
	{
		char detail[64];

		(void)snprintf(detail, sizeof(detail), "request:%" PRId64, id);
		rc = sargs_reg_audit(reg, "request.show", l.r.subject_id[0] ? l.r.subject_id : NULL,
				     l.requester != NULL ? REQUESTER_FIELD : NULL,
				     l.r.purpose[0] ? l.r.purpose : NULL, detail, err);
	}
out:
	rc = tx_end(reg, &l, rc, err);
	if (rc != SARGS_OK) {
		wipe_free(*name);
		wipe_free(*contact);
		*name = NULL;
		*contact = NULL;
	}
	return rc;
}

struct list_ctx {
	const char *subject_id;
	int32_t today;
	int days;        /* overdue: the window; -1 for a plain list */
	int (*cb)(void *ctx, const struct sargs_request *r);
	int (*due_cb)(void *ctx, const struct sargs_request *r, int32_t days_left);
	void *ctx;
};

static int list_cb(void *ctx, const struct sargs_store_request *s)
{
	struct list_ctx *c = ctx;
	struct sargs_request r;

	if (c->subject_id != NULL &&
	    (s->subject_id == NULL || strcmp(s->subject_id, c->subject_id) != 0))
		return 0;
	from_store(&r, s);
	if (c->days < 0)
		return c->cb(c->ctx, &r);
	/* open requests come by due day: stop after the window */
	if (r.due_day - c->today > c->days)
		return 1;
	return c->due_cb(c->ctx, &r, r.due_day - c->today);
}

enum sargs_rc sargs_request_list(struct sargs_reg *reg, int open_only, const char *subject_id,
				 int (*cb)(void *ctx, const struct sargs_request *r), void *ctx,
				 struct sargs_err *err)
{
	struct list_ctx c = {subject_id, 0, -1, cb, NULL, ctx};
	enum sargs_rc rc;

	if (subject_id != NULL && !sargs_uuid_valid(subject_id))
		return sargs_err_set(err, SARGS_E_INVALID, "not a subject id (expected a UUID)");
	rc = sargs_store_request_scan(reg->store, open_only, list_cb, &c);
	return rc == SARGS_OK ? rc : store_err(reg, rc, err);
}

enum sargs_rc sargs_request_events(struct sargs_reg *reg, int64_t id,
				   int (*cb)(void *ctx, int64_t time_us, const char *actor,
					     const char *event, const char *detail),
				   void *ctx, struct sargs_err *err)
{
	enum sargs_rc rc = sargs_store_request_events(reg->store, id, cb, ctx);

	return rc == SARGS_OK ? rc : store_err(reg, rc, err);
}

enum sargs_rc sargs_request_overdue(struct sargs_reg *reg, int days,
				    int (*cb)(void *ctx, const struct sargs_request *r,
					      int32_t days_left),
				    void *ctx, struct sargs_err *err)
{
	struct list_ctx c = {NULL, sargs_request_local_day(sargs_time_now_us()), days, NULL, cb,
			     ctx};
	enum sargs_rc rc;

	if (days < 0 || days > OVERDUE_DAYS_MAX)
		return sargs_err_set(err, SARGS_E_INVALID, "the window is 0-%d days",
				     OVERDUE_DAYS_MAX);
	/* the store gives open requests by due day, then number */
	rc = sargs_store_request_scan(reg->store, 1, list_cb, &c);
	return rc == SARGS_OK ? rc : store_err(reg, rc, err);
}

enum sargs_rc sargs_request_ask(struct sargs_reg *reg, int64_t id, const char *const *needs,
				size_t n_needs, struct sargs_err *err)
{
	struct loaded l;
	json_t *d;
	char codes[512], detail[600];
	enum sargs_rc rc;

	if (n_needs == 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "say what the person is asked for: id_document, eparaksts,"
				     " bank_link, in_person, email_confirmation or"
				     " knowledge_of_account");
	for (size_t i = 0; i < n_needs; i++)
		if (!sargs_request_check_valid(needs[i], NULL))
			return sargs_err_set(err, SARGS_E_INVALID,
					     "unknown identity proof; use id_document, eparaksts,"
					     " bank_link, in_person, email_confirmation or"
					     " knowledge_of_account");
	if ((rc = tx_load(reg, id, &l, err)) != SARGS_OK)
		return rc;
	if ((rc = refuse_step(&l.r, "verifying", err)) != SARGS_OK)
		goto out;
	d = data_of(&l.r);
	(void)json_object_set_new(d, "asked", str_array(needs, n_needs));
	if ((rc = data_put(&l.r, d, err)) != SARGS_OK)
		goto out;
	copy_str(l.r.state, sizeof(l.r.state), "verifying");
	join_codes(codes, sizeof(codes), needs, n_needs);
	(void)snprintf(detail, sizeof(detail), "needs:%s", codes);
	rc = save_step(reg, &l, "verifying", "ask", NULL, detail, err);
out:
	return tx_end(reg, &l, rc, err);
}

/* Checks and records an identification on l (state not changed here). */
static enum sargs_rc apply_identity(struct sargs_reg *reg, struct loaded *l,
				    const struct sargs_identity *ident, char *detail,
				    size_t detail_size, struct sargs_err *err)
{
	char codes[512];
	json_t *d;
	enum sargs_rc rc;

	if (ident == NULL || ident->n_checks == 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "name the identity checks made (id_document, eparaksts,"
				     " bank_link, in_person, email_confirmation,"
				     " knowledge_of_account)");
	for (size_t i = 0; i < ident->n_checks; i++)
		if (!sargs_request_check_valid(ident->checks[i], NULL))
			return sargs_err_set(err, SARGS_E_INVALID, "unknown identity check");
	if (!sargs_request_checks_sufficient(ident->checks, ident->n_checks))
		return sargs_err_set(err, SARGS_E_DENIED,
				     "GDPR Art. 12(6); 004 §15.4, §16.9: the person is not identified"
				     " without doubt: one strong check (id_document, eparaksts,"
				     " bank_link, in_person) or two different weak ones"
				     " (email_confirmation, knowledge_of_account) are needed; ask"
				     " for more");
	if (ident->no_data && (ident->subject_id != NULL || l->r.subject_id[0] != '\0'))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "a request names a subject, or says the register holds no data"
				     " about the person: not both");
	if (ident->subject_id != NULL) {
		if ((rc = sargs_subject_must_exist(reg, ident->subject_id, err)) != SARGS_OK)
			return rc;
		copy_str(l->r.subject_id, sizeof(l->r.subject_id), ident->subject_id);
	} else if (l->r.subject_id[0] != '\0' &&
		   (rc = sargs_subject_must_exist(reg, l->r.subject_id, err)) != SARGS_OK) {
		return rc;  /* named at receipt, erased since */
	}
	if (l->r.subject_id[0] == '\0' && strcmp(l->r.kind, "information") != 0 &&
	    !ident->no_data)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "name the subject the person was identified as (GDPR"
				     " Art. 12(6)), or say the register holds no data about them");
	d = data_of(&l->r);
	if (ident->no_data)
		(void)json_object_set_new(d, "no_data", json_true());
	(void)json_object_set_new(d, "checks", str_array(ident->checks, ident->n_checks));
	(void)json_object_set_new(d, "identity", json_string("verified"));
	if ((rc = data_put(&l->r, d, err)) != SARGS_OK)
		return rc;
	join_codes(codes, sizeof(codes), ident->checks, ident->n_checks);
	(void)snprintf(detail, detail_size, "checks:%s", codes);
	return SARGS_OK;
}

enum sargs_rc sargs_request_verify(struct sargs_reg *reg, int64_t id,
				   const struct sargs_identity *ident, struct sargs_err *err)
{
	struct loaded l;
	char detail[600];
	enum sargs_rc rc;

	if ((rc = tx_load(reg, id, &l, err)) != SARGS_OK)
		return rc;
	if (strcmp(l.r.state, "fee_requested") == 0) {
		rc = sargs_err_set(err, SARGS_E_DENIED,
				   "request %" PRId64 " waits for its fee: record the payment with"
				   " the identity checks (request paid)",
				   id);
		goto out;
	}
	if ((rc = refuse_step(&l.r, "verified", err)) != SARGS_OK ||
	    (rc = apply_identity(reg, &l, ident, detail, sizeof(detail), err)) != SARGS_OK)
		goto out;
	copy_str(l.r.state, sizeof(l.r.state), "verified");
	rc = save_step(reg, &l, "verified", "verify", NULL, detail, err);
out:
	return tx_end(reg, &l, rc, err);
}

enum sargs_rc sargs_request_extend(struct sargs_reg *reg, int64_t id, const char *reason,
				   const char *lang, char **notice, struct sargs_err *err)
{
	struct sargs_holidays *hol;
	struct loaded l;
	const char *why;
	int32_t first_due, new_due;
	char detail[160], ds[SARGS_DATE_STR];
	char *text = NULL;
	json_t *d;
	enum sargs_rc rc;

	if (notice != NULL)
		*notice = NULL;
	if (!sargs_request_extend_reason_valid(reason))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "GDPR Art. 12(3): the reason is complexity or number_of_requests"
				     " (a code: free text could hold personal data)");
	hol = calloc(1, sizeof(*hol));
	if (hol == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	if ((rc = sargs_request_holidays(reg, hol, err)) != SARGS_OK) {
		free(hol);
		return rc;
	}
	if ((rc = tx_load(reg, id, &l, err)) != SARGS_OK) {
		free(hol);
		return rc;
	}
	if (!sargs_request_may_extend(l.r.state, l.r.extended,
				      sargs_request_local_day(sargs_time_now_us()), l.r.due_day,
				      &why)) {
		rc = sargs_err_set(err, SARGS_E_DENIED, "request %" PRId64 " cannot be extended: %s",
				   id, why);
		goto out;
	}
	/* a verified request becomes "extended"; before that the state stays */
	if (strcmp(l.r.state, "verified") == 0 &&
	    (rc = refuse_step(&l.r, "extended", err)) != SARGS_OK)
		goto out;
	if (sargs_request_deadline(l.r.received_day, 3, hol, &new_due) != SARGS_OK) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "no extended deadline can be computed");
		goto out;
	}
	first_due = l.r.due_day;
	l.r.due_day = new_due;
	l.r.extended = 1;
	if (strcmp(l.r.state, "verified") == 0)
		copy_str(l.r.state, sizeof(l.r.state), "extended");
	d = data_of(&l.r);
	sargs_request_day_str(first_due, ds, sizeof(ds));
	(void)json_object_set_new(d, "extension_reason", json_string(reason));
	(void)json_object_set_new(d, "first_due", json_string(ds));
	if ((rc = data_put(&l.r, d, err)) != SARGS_OK)
		goto out;
	sargs_request_day_str(new_due, ds, sizeof(ds));
	(void)snprintf(detail, sizeof(detail), "reason:%s due:%s", reason, ds);
	if ((rc = save_step(reg, &l, "extended", "extend", NULL, detail, err)) != SARGS_OK)
		goto out;
	if (notice != NULL &&
	    (rc = sargs_request_extension_notice(&l.r, reason, first_due, lang, &text)) != SARGS_OK)
		rc = sargs_err_set(err, rc, "cannot write the notice");
out:
	free(hol);
	rc = tx_end(reg, &l, rc, err);
	if (rc == SARGS_OK && notice != NULL)
		*notice = text;
	else
		free(text);
	return rc;
}

enum sargs_rc sargs_request_refuse(struct sargs_reg *reg, int64_t id, const char *reason,
				   const char *lang, char **answer, struct sargs_err *err)
{
	struct loaded l;
	char detail[96];
	char *text = NULL;
	json_t *d;
	enum sargs_rc rc;

	if (answer != NULL)
		*answer = NULL;
	if (!sargs_request_refuse_reason_valid(reason))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "GDPR Art. 12(4): the reason is manifestly_unfounded, excessive,"
				     " identity_not_confirmed, not_the_data_subject or"
				     " legal_exception (a code: free text could hold personal data)");
	if ((rc = tx_load(reg, id, &l, err)) != SARGS_OK)
		return rc;
	if ((rc = refuse_step(&l.r, "refused", err)) != SARGS_OK)
		goto out;
	d = data_of(&l.r);
	(void)json_object_set_new(d, "refusal_reason", json_string(reason));
	if ((rc = data_put(&l.r, d, err)) != SARGS_OK)
		goto out;
	copy_str(l.r.state, sizeof(l.r.state), "refused");
	l.r.closed_us = sargs_time_now_us();
	(void)snprintf(detail, sizeof(detail), "reason:%s", reason);
	if ((rc = save_step(reg, &l, "refused", "refuse", NULL, detail, err)) != SARGS_OK)
		goto out;
	if ((rc = sargs_request_refusal_answer(&l.r, reason, lang, &text)) != SARGS_OK)
		rc = sargs_err_set(err, rc, "cannot write the answer");
out:
	rc = tx_end(reg, &l, rc, err);
	if (rc == SARGS_OK && answer != NULL)
		*answer = text;
	else
		free(text);
	return rc;
}

enum sargs_rc sargs_request_fee(struct sargs_reg *reg, int64_t id, int64_t amount_cents,
				const char *reason, struct sargs_err *err)
{
	struct loaded l;
	const char *why;
	char detail[128];
	json_t *d;
	enum sargs_rc rc;

	if (amount_cents < 1 || amount_cents > SARGS_REQUEST_FEE_MAX_CENTS)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the fee is 0.01-%d EUR: reasonable, based on the administrative"
				     " costs (GDPR Art. 12(5)(a))",
				     SARGS_REQUEST_FEE_MAX_CENTS / 100);
	if ((rc = tx_load(reg, id, &l, err)) != SARGS_OK)
		return rc;
	if (!sargs_request_fee_allowed(l.r.kind, reason, &why)) {
		rc = sargs_err_set(err, SARGS_E_DENIED, "no fee for request %" PRId64 ": %s", id, why);
		goto out;
	}
	if ((rc = refuse_step(&l.r, "fee_requested", err)) != SARGS_OK)
		goto out;
	d = data_of(&l.r);
	(void)json_object_set_new(d, "fee_cents", json_integer((json_int_t)amount_cents));
	(void)json_object_set_new(d, "fee_reason", json_string(reason));
	if ((rc = data_put(&l.r, d, err)) != SARGS_OK)
		goto out;
	copy_str(l.r.state, sizeof(l.r.state), "fee_requested");
	(void)snprintf(detail, sizeof(detail), "fee_cents:%" PRId64 " reason:%s", amount_cents,
		       reason);
	rc = save_step(reg, &l, "fee_requested", "fee", NULL, detail, err);
out:
	return tx_end(reg, &l, rc, err);
}

enum sargs_rc sargs_request_paid(struct sargs_reg *reg, int64_t id,
				 const struct sargs_identity *ident, struct sargs_err *err)
{
	struct loaded l;
	char detail[600] = "";
	json_t *d;
	enum sargs_rc rc;

	if ((rc = tx_load(reg, id, &l, err)) != SARGS_OK)
		return rc;
	if ((rc = refuse_step(&l.r, "verified", err)) != SARGS_OK)
		goto out;
	if (strcmp(l.r.state, "fee_requested") != 0) {
		rc = sargs_err_set(err, SARGS_E_DENIED, "request %" PRId64 " has no fee to pay", id);
		goto out;
	}
	if (ident != NULL) {
		if ((rc = apply_identity(reg, &l, ident, detail, sizeof(detail), err)) != SARGS_OK)
			goto out;
	} else if (!identity_verified(&l.r)) {
		/* GDPR Art. 12(6): the fee does not stand in for identification */
		rc = sargs_err_set(err, SARGS_E_DENIED,
				   "the person's identity was not verified before the fee was"
				   " asked: give the subject and the identity checks with the"
				   " payment (GDPR Art. 12(6))");
		goto out;
	}
	d = data_of(&l.r);
	(void)json_object_set_new(d, "fee_paid", json_true());
	if ((rc = data_put(&l.r, d, err)) != SARGS_OK)
		goto out;
	copy_str(l.r.state, sizeof(l.r.state), "verified");
	rc = save_step(reg, &l, "fee_paid", "paid", NULL, detail, err);
out:
	return tx_end(reg, &l, rc, err);
}

static int staff_valid(const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	if (n == 0 || n > STAFF_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == '@' || c == ':'))
			return 0;
	}
	return 1;
}

enum sargs_rc sargs_request_assign(struct sargs_reg *reg, int64_t id, const char *staff,
				   struct sargs_err *err)
{
	struct loaded l;
	char detail[128];
	json_t *d;
	enum sargs_rc rc;

	if (!staff_valid(staff))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "name the member of staff by a login name (letters, digits,"
				     " . _ - @ :; at most %d)",
				     STAFF_MAX);
	if ((rc = tx_load(reg, id, &l, err)) != SARGS_OK)
		return rc;
	if (l.r.closed_us != 0) {
		rc = sargs_err_set(err, SARGS_E_DENIED, "request %" PRId64 " is closed (%s)", id,
				   l.r.state);
		goto out;
	}
	d = data_of(&l.r);
	(void)json_object_set_new(d, "assignee", json_string(staff));
	if ((rc = data_put(&l.r, d, err)) != SARGS_OK)
		goto out;
	(void)snprintf(detail, sizeof(detail), "assignee:%s", staff);
	rc = save_step(reg, &l, "assigned", "assign", NULL, detail, err);
out:
	return tx_end(reg, &l, rc, err);
}

/* ---- fulfilment */

void sargs_request_result_free(struct sargs_request_result *r)
{
	if (r == NULL)
		return;
	free(r->answer);
	if (r->export != NULL) {
		sargs_wipe(r->export, r->export_len);
		free(r->export);
	}
	r->answer = NULL;
	r->export = NULL;
	r->export_len = 0;
}

/* The consent module's channel for the channel a request came through. */
static const char *consent_channel(const char *channel)
{
	return strcmp(channel, "post") == 0 ? "paper" : channel;
}

static enum sargs_rc answer_erasure(struct sargs_strbuf *sb, const struct sargs_erasure_report *e,
				    int en)
{
	enum sargs_rc rc;

	if (e->n_kept == 0)
		return sargs_strbuf_adds(
			sb, en ? "Your personal data has been erased (GDPR Art. 17). A record that the"
				 " erasure took place, without your data, is kept as proof that your"
				 " request was carried out.\n"
			       : "Jūsu personas dati ir dzēsti (Vispārīgās datu aizsardzības regulas"
				 " 17. pants). Ieraksts par dzēšanu, bez jūsu datiem, tiek saglabāts"
				 " kā pierādījums, ka pieprasījums ir izpildīts.\n");
	rc = sargs_strbuf_adds(
		sb, en ? "Your personal data has been erased, except what the law still requires us"
			 " to keep (GDPR Art. 17(3)(b)):\n"
		       : "Jūsu personas dati ir dzēsti, izņemot tos, kas mums vēl jāglabā saskaņā"
			 " ar likumu (Vispārīgās datu aizsardzības regulas 17. panta 3. punkta"
			 " b) apakšpunkts):\n");
	for (size_t i = 0; rc == SARGS_OK && i < e->n_kept && i < 8; i++) {
		const struct sargs_erasure_kept *k = &e->kept[i];

		rc = sargs_strbuf_addf(sb, en ? "- %s: %s; required by %s; " : "- %s: %s; to prasa %s; ",
				       k->purpose, k->fields[0] ? k->fields : "-",
				       k->basis_detail[0] ? k->basis_detail : "-");
		/* "open": the period runs from an event still to come (a contract's end) */
		if (rc == SARGS_OK && strcmp(k->until, "open") == 0)
			rc = sargs_strbuf_adds(
				sb, en ? "kept for the period that law sets, which has not begun yet, then"
					 " erased.\n"
				       : "glabā likumā noteikto termiņu, kas vēl nav sācies, pēc tam"
					 " dzēš.\n");
		else if (rc == SARGS_OK)
			rc = sargs_strbuf_addf(sb, en ? "kept until %s, then erased.\n"
						      : "glabā līdz %s, pēc tam dzēš.\n",
					       k->until);
	}
	if (rc == SARGS_OK)
		rc = sargs_strbuf_adds(
			sb, en ? "System logs and security copies needed for the integrity of our"
				 " systems are not changed; they expire on their own schedule.\n"
			       : "Sistēmu žurnāli un drošības kopijas, kas vajadzīgas sistēmu"
				 " integritātei, netiek mainītas; tās tiek dzēstas to noteiktajā"
				 " termiņā.\n");
	return rc;
}

static enum sargs_rc answer_outcome(struct sargs_strbuf *sb, const struct sargs_request *r,
				    const char *outcome, int en, int *complaint)
{
	const char *p = r->purpose[0] ? r->purpose : NULL;

	*complaint = 0;
	if (strcmp(r->kind, "automated_decision_review") == 0) {
		if (strcmp(outcome, "decision_changed") == 0)
			return sargs_strbuf_adds(
				sb, en ? "A member of our staff reviewed the automated decision, heard"
					 " your point of view, and changed the decision (GDPR"
					 " Art. 22(3)).\n"
				       : "Mūsu darbinieks pārskatīja automatizēto lēmumu, uzklausot jūsu"
					 " viedokli, un lēmums ir mainīts (Vispārīgās datu aizsardzības"
					 " regulas 22. panta 3. punkts).\n");
		*complaint = 1;
		return sargs_strbuf_adds(
			sb, en ? "A member of our staff reviewed the automated decision, heard your"
				 " point of view, and confirmed the decision (GDPR Art. 22(3)).\n"
			       : "Mūsu darbinieks pārskatīja automatizēto lēmumu, uzklausot jūsu"
				 " viedokli, un lēmums ir apstiprināts (Vispārīgās datu aizsardzības"
				 " regulas 22. panta 3. punkts).\n");
	}
	if (p == NULL || strcmp(outcome, "upheld") == 0) {
		if (p == NULL)
			return sargs_strbuf_adds(
				sb, en ? "Your objection to direct marketing is recorded: your data is"
					 " no longer used for it (GDPR Art. 21(3)).\n"
				       : "Jūsu iebildums pret tiešo tirgvedību ir reģistrēts: jūsu dati"
					 " tai vairs netiek izmantoti (Vispārīgās datu aizsardzības"
					 " regulas 21. panta 3. punkts).\n");
		return sargs_strbuf_addf(
			sb, en ? "Your objection to processing for \"%s\" is upheld: your data is no"
				 " longer processed for it (GDPR Art. 21).\n"
			       : "Jūsu iebildums pret apstrādi nolūkā \"%s\" ir atzīts: jūsu dati šajā"
				 " nolūkā vairs netiek apstrādāti (Vispārīgās datu aizsardzības"
				 " regulas 21. pants).\n",
			p);
	}
	*complaint = 1;
	if (strcmp(outcome, "overridden_legal_claims") == 0)
		return sargs_strbuf_addf(
			sb, en ? "After review, processing for \"%s\" continues: it is needed for the"
				 " establishment, exercise or defence of legal claims (GDPR"
				 " Art. 21(1)).\n"
			       : "Pēc izvērtēšanas apstrāde nolūkā \"%s\" turpinās, jo tā nepieciešama"
				 " likumīgu prasību celšanai, īstenošanai vai aizstāvēšanai"
				 " (Vispārīgās datu aizsardzības regulas 21. panta 1. punkts).\n",
			p);
	return sargs_strbuf_addf(
		sb, en ? "After review, processing for \"%s\" continues: there are compelling"
			 " legitimate grounds for it which override your interests, rights and"
			 " freedoms (GDPR Art. 21(1)).\n"
		       : "Pēc izvērtēšanas apstrāde nolūkā \"%s\" turpinās, jo tai ir pārliecinoši"
			 " leģitīmi iemesli, kas ir svarīgāki par jūsu interesēm, tiesībām un"
			 " brīvībām (Vispārīgās datu aizsardzības regulas 21. panta 1. punkts).\n",
		p);
}

/* The answer to the person once the request is carried out. */
static enum sargs_rc fulfil_answer(struct sargs_reg *reg, const struct sargs_request *r,
				   const struct sargs_request_fulfil_opts *o,
				   const struct sargs_request_result *res, const char *outcome,
				   const char *fields, char **out)
{
	struct sargs_strbuf sb;
	int en = lang_en(o->lang), complaint = 0;
	const char *k = r->kind;
	enum sargs_rc rc;

	sargs_strbuf_init(&sb, TEXT_LIMIT);
	rc = add_heading(&sb, r, en);
	if (rc != SARGS_OK)
		return text_done(&sb, rc, out);
	if (holds_no_data(r) && strcmp(k, "information") != 0) {
		rc = sargs_strbuf_adds(
			&sb, en ? "We have searched our register: we hold no personal data about you,"
				  " so there is nothing to copy, correct, erase or restrict (GDPR"
				  " Art. 15(1)).\n"
				: "Mēs pārbaudījām savu reģistru: mēs neglabājam par jums nekādus"
				  " personas datus, tāpēc nav ko izsniegt, labot, dzēst vai ierobežot"
				  " (Vispārīgās datu aizsardzības regulas 15. panta 1. punkts).\n");
	} else if (strcmp(k, "access") == 0) {
		rc = sargs_strbuf_adds(
			&sb, en ? "Enclosed is a copy of your personal data with the purposes, the"
				  " categories of data, the recipients, how long the data is kept and"
				  " where it came from (GDPR Art. 15).\n"
				: "Pielikumā ir jūsu personas datu kopija ar apstrādes nolūkiem, datu"
				  " kategorijām, saņēmējiem, glabāšanas termiņiem un datu avotu"
				  " (Vispārīgās datu aizsardzības regulas 15. pants).\n");
	} else if (strcmp(k, "portability") == 0) {
		rc = sargs_strbuf_adds(
			&sb, en ? "Enclosed is the personal data you provided to us, in a structured,"
				  " commonly used and machine-readable format (JSON) (GDPR Art. 20).\n"
				: "Pielikumā ir jūsu mums sniegtie personas dati strukturētā, plaši"
				  " izmantotā, mašīnlasāmā formātā (JSON) (Vispārīgās datu aizsardzības"
				  " regulas 20. pants).\n");
	} else if (strcmp(k, "erasure") == 0) {
		rc = answer_erasure(&sb, &res->erasure, en);
	} else if (strcmp(k, "restriction") == 0) {
		rc = sargs_strbuf_adds(
			&sb, en ? "Processing of your personal data is restricted: it is kept but not"
				  " used, except for legal claims (GDPR Art. 18). We will tell you"
				  " before the restriction is lifted.\n"
				: "Jūsu personas datu apstrāde ir ierobežota: dati tiek glabāti, bet"
				  " netiek izmantoti, izņemot likumīgu prasību vajadzībām (Vispārīgās"
				  " datu aizsardzības regulas 18. pants). Pirms ierobežojuma atcelšanas"
				  " mēs jūs informēsim.\n");
	} else if (strcmp(k, "rectification") == 0) {
		rc = sargs_strbuf_addf(
			&sb, en ? "Your personal data has been rectified: %s (GDPR Art. 16).\n"
				: "Jūsu personas dati ir laboti: %s (Vispārīgās datu aizsardzības"
				  " regulas 16. pants).\n",
			fields);
	} else if (strcmp(k, "consent_withdrawal") == 0) {
		if (r->purpose[0])
			rc = sargs_strbuf_addf(
				&sb, en ? "Your consent to \"%s\" is withdrawn. This does not affect"
					  " processing before the withdrawal (GDPR Art. 7(3)).\n"
					: "Jūsu piekrišana nolūkam \"%s\" ir atsaukta. Tas neietekmē"
					  " apstrādi pirms atsaukuma (Vispārīgās datu aizsardzības"
					  " regulas 7. panta 3. punkts).\n",
				r->purpose);
		else
			rc = sargs_strbuf_adds(
				&sb, en ? "Every consent you gave us is withdrawn. This does not affect"
					  " processing before the withdrawal (GDPR Art. 7(3)).\n"
					: "Visas jūsu dotās piekrišanas ir atsauktas. Tas neietekmē"
					  " apstrādi pirms atsaukuma (Vispārīgās datu aizsardzības"
					  " regulas 7. panta 3. punkts).\n");
	} else if (strcmp(k, "objection") == 0 || strcmp(k, "automated_decision_review") == 0) {
		rc = answer_outcome(&sb, r, outcome, en, &complaint);
	} else {
		struct sargs_controller c;

		rc = sargs_strbuf_adds(
			&sb, en ? "How we process personal data, why, on which legal basis, for how"
				  " long and what your rights are is set out in our privacy notice"
				  " (GDPR Art. 13-14).\n"
				: "Kā, kāpēc, uz kāda tiesiskā pamata un cik ilgi mēs apstrādājam"
				  " personas datus un kādas ir jūsu tiesības, ir aprakstīts mūsu"
				  " privātuma politikā (Vispārīgās datu aizsardzības regulas 13.-14."
				  " pants).\n");
		if (rc == SARGS_OK && sargs_controller_get(reg, &c, NULL) == SARGS_OK) {
			const char *contact = c.dpo_email ? c.dpo_email : c.email;

			if (contact != NULL)
				rc = sargs_strbuf_addf(&sb, en ? "Questions: %s.\n" : "Jautājumi: %s.\n",
						       contact);
			sargs_controller_release(&c);
		}
	}
	if (rc == SARGS_OK && complaint)
		rc = sargs_strbuf_addf(&sb, "\n%s\n", sargs_request_complaint_text(o->lang));
	return text_done(&sb, rc, out);
}

/* Checks what a kind needs before anything is done; *outcome gets the
 * outcome to record (or NULL). */
static enum sargs_rc fulfil_check(struct sargs_reg *reg, const struct sargs_request *r,
				  const struct sargs_request_fulfil_opts *o, const char **outcome,
				  struct sargs_err *err)
{
	char assignee[STAFF_MAX + 1];
	const char *rule;

	*outcome = NULL;
	if (!sargs_request_transition(r->kind, r->state, "fulfilled", &rule))
		return sargs_err_set(err, SARGS_E_DENIED,
				     "request %" PRId64 " is %s and cannot be fulfilled: %s", r->id,
				     r->state, rule);
	if (strcmp(r->kind, "information") != 0 &&
	    (!identity_verified(r) || (r->subject_id[0] == '\0' && !holds_no_data(r))))
		return sargs_err_set(err, SARGS_E_DENIED,
				     "GDPR Art. 12(6); 004 §15.4: nothing is released or changed"
				     " before the person is identified (request verify)");
	if (o->lang != NULL && strcmp(o->lang, "lv") != 0 && strcmp(o->lang, "en") != 0)
		return sargs_err_set(err, SARGS_E_INVALID, "the language is lv or en");
	if (strcmp(r->kind, "rectification") == 0 && o->n_set == 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "give the corrected fields (GDPR Art. 16)");
	if (strcmp(r->kind, "rectification") != 0 && o->n_set != 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "fields are given only for a rectification");
	if (o->output != NULL && strcmp(r->kind, "access") != 0 &&
	    strcmp(r->kind, "portability") != 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "an output file is written only for access and portability");
	if ((o->format != 0 || o->with_disclosures) && strcmp(r->kind, "access") != 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "a format and the disclosures are chosen only for access");
	if (sargs_request_routed(reg, r->kind, r->purpose[0] ? r->purpose : NULL)) {
		const char *const *allowed = strcmp(r->kind, "objection") == 0 ? objection_outcomes
									      : review_outcomes;

		/* GDPR Art. 21(1), 22(3); 004 §17.3: a person decides */
		if (data_str(r, "assignee", assignee, sizeof(assignee)) == NULL)
			return sargs_err_set(err, SARGS_E_DENIED,
					     "a person reviews this request: assign it first"
					     " (GDPR Art. %s)",
					     strcmp(r->kind, "objection") == 0 ? "21(1)" : "22(3)");
		if (!in_list(allowed, o->outcome))
			return sargs_err_set(err, SARGS_E_INVALID, "give the outcome: %s",
					     allowed == objection_outcomes
						     ? "upheld, overridden_compelling_grounds or"
						       " overridden_legal_claims"
						     : "decision_changed or decision_confirmed");
		*outcome = o->outcome;
	} else if (o->outcome != NULL) {
		return sargs_err_set(err, SARGS_E_INVALID,
				     "an outcome is given only for a reviewed objection or automated"
				     " decision");
	} else if (strcmp(r->kind, "objection") == 0) {
		*outcome = "upheld";  /* direct marketing: absolute (Art. 21(3)) */
	}
	return SARGS_OK;
}

/* Carries out the action of the request; the export (if any) goes to res. */
static enum sargs_rc fulfil_act(struct sargs_reg *reg, const struct sargs_request *r,
				const struct sargs_request_fulfil_opts *o, const char *outcome,
				struct sargs_request_result *res, char *fields, size_t fields_size,
				struct sargs_err *err)
{
	const char *k = r->kind, *id = r->subject_id;
	const char *purpose = r->purpose[0] ? r->purpose : NULL;
	enum sargs_rc rc = SARGS_OK;

	fields[0] = '\0';
	if (holds_no_data(r))
		return SARGS_OK; /* nothing to copy, erase or change: the answer says so */
	if (strcmp(k, "access") == 0) {
		struct sargs_access_opts a;

		memset(&a, 0, sizeof(a));
		a.format = o->format != 0 ? o->format : SARGS_EXPORT_JSON;
		a.lang = o->lang != NULL ? o->lang : "lv";
		a.with_disclosures = o->with_disclosures;
		a.request_id = r->id;
		rc = sargs_access_export(reg, id, &a, &res->export, err);
	} else if (strcmp(k, "portability") == 0) {
		rc = sargs_portability_export(reg, id, &res->export, err);
	} else if (strcmp(k, "erasure") == 0) {
		rc = sargs_rights_erase(reg, id, "request", &res->erasure, err);
	} else if (strcmp(k, "restriction") == 0) {
		rc = sargs_restrict(reg, id, 1, err);
	} else if (strcmp(k, "rectification") == 0) {
		struct sargs_subject_change ch;
		size_t len = 0;

		memset(&ch, 0, sizeof(ch));
		ch.set = o->set;
		ch.n_set = o->n_set;
		rc = sargs_subject_edit(reg, id, &ch, err);
		for (size_t i = 0; rc == SARGS_OK && i < o->n_set && len + 1 < fields_size; i++) {
			int w = snprintf(fields + len, fields_size - len, "%s%s", i ? "," : "",
					 o->set[i].name);

			if (w < 0)
				break;
			len += (size_t)w;
		}
	} else if (strcmp(k, "objection") == 0 || strcmp(k, "consent_withdrawal") == 0) {
		struct sargs_consent_proof proof;

		memset(&proof, 0, sizeof(proof));
		proof.channel = consent_channel(r->channel);
		proof.outcome = outcome;
		if (strcmp(k, "objection") == 0)
			rc = sargs_consent_object(reg, id, purpose, &proof, NULL, err);
		else
			rc = sargs_consent_withdraw(reg, id, purpose, &proof, NULL, err);
	}
	/* automated_decision_review: the outcome recorded is the act;
	 * information: the answer points to the privacy notice */
	if (rc == SARGS_OK && res->export != NULL)
		res->export_len = strlen(res->export);
	return rc;
}

enum sargs_rc sargs_request_fulfil(struct sargs_reg *reg, int64_t id,
				   const struct sargs_request_fulfil_opts *opts,
				   struct sargs_request_result *out, struct sargs_err *err)
{
	static const struct sargs_request_fulfil_opts none;
	const struct sargs_request_fulfil_opts *o = opts != NULL ? opts : &none;
	struct loaded l;
	const char *outcome = NULL;
	char fields[512], detail[768];
	int wrote = 0;
	json_t *d;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = tx_load(reg, id, &l, err)) != SARGS_OK)
		return rc;
	if ((rc = fulfil_check(reg, &l.r, o, &outcome, err)) != SARGS_OK ||
	    (rc = fulfil_act(reg, &l.r, o, outcome, out, fields, sizeof(fields), err)) != SARGS_OK)
		goto out;
	d = data_of(&l.r);
	if (outcome != NULL)
		(void)json_object_set_new(d, "outcome", json_string(outcome));
	if (out->erasure.n_kept > 0)
		(void)json_object_set_new(d, "kept_purposes",
					  json_integer((json_int_t)out->erasure.n_kept));
	if ((rc = data_put(&l.r, d, err)) != SARGS_OK)
		goto out;
	copy_str(l.r.state, sizeof(l.r.state), "fulfilled");
	l.r.closed_us = sargs_time_now_us();
	(void)snprintf(detail, sizeof(detail), "kind:%s%s%s%s%s", l.r.kind,
		       outcome != NULL ? " outcome:" : "", outcome != NULL ? outcome : "",
		       fields[0] ? " fields:" : "", fields);
	if ((rc = save_step(reg, &l, "fulfilled", "fulfil", fields[0] ? fields : NULL, detail,
			    err)) != SARGS_OK)
		goto out;
	if ((rc = fulfil_answer(reg, &l.r, o, out, outcome, fields, &out->answer)) != SARGS_OK) {
		rc = sargs_err_set(err, rc, "cannot write the answer");
		goto out;
	}
	if (o->output != NULL && out->export != NULL) {
		/* written before the commit: a failed commit takes the file back */
		if ((rc = sargs_fs_write_atomic(o->output, out->export, out->export_len, 0600, 0,
						err)) != SARGS_OK)
			goto out;
		wrote = 1;
	}
out:
	rc = tx_end(reg, &l, rc, err);
	if (rc != SARGS_OK && wrote)
		(void)unlink(o->output);
	if (rc != SARGS_OK || o->output != NULL) {
		struct sargs_erasure_report keep = out->erasure;
		char *answer = rc == SARGS_OK ? out->answer : NULL;

		if (rc != SARGS_OK)
			free(out->answer);
		out->answer = NULL;
		sargs_request_result_free(out);
		out->answer = answer;
		out->erasure = keep;
	}
	return rc;
}
