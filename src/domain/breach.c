/*
 * breach.c — the breach register (breach.h): recording and updating
 * incidents, the 72-hour clock, the affected people, the drafts of the
 * notifications to DVI (GDPR Art. 33(3)) and to the people (Art. 34(2)) in
 * Latvian and English, and the people's contacts through the purpose-bound
 * read.
 *
 * A breach's details live in one JSON object (store_breach.h); the staff's
 * texts in it never reach an audit entry or an error message.
 */
#include "domain/breach.h"

#include "domain/controller.h"
#include "domain/registry.h"
#include "store/store.h"
#include "store/store_breach.h"
#include "util/strbuf.h"
#include "util/timeutil.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_US 3600000000LL
#define MINUTE_US 60000000LL
#define DRAFT_LIMIT (256u * 1024u)

/* ---- risk */

enum sargs_breach_risk sargs_breach_risk_parse(const char *s)
{
	if (s == NULL)
		return 0;
	if (strcmp(s, "unlikely") == 0)
		return SARGS_BREACH_UNLIKELY;
	if (strcmp(s, "risk") == 0)
		return SARGS_BREACH_RISK;
	if (strcmp(s, "high") == 0)
		return SARGS_BREACH_HIGH;
	return 0;
}

const char *sargs_breach_risk_id(enum sargs_breach_risk r)
{
	switch (r) {
	case SARGS_BREACH_UNLIKELY: return "unlikely";
	case SARGS_BREACH_RISK: return "risk";
	case SARGS_BREACH_HIGH: return "high";
	default: return "?";
	}
}

/* ---- the clock (pure) */

static int64_t ceil_minutes(int64_t us) { return (us + MINUTE_US - 1) / MINUTE_US; }

void sargs_breach_clock(const struct sargs_breach *b, int64_t now_us,
			struct sargs_breach_clock *out)
{
	memset(out, 0, sizeof(*out));
	/* GDPR Art. 33(1): unless unlikely to result in a risk, notify DVI
	 * within 72 hours of becoming aware; Art. 34(1): tell the people when
	 * the risk is high */
	out->dvi_required = b->risk != SARGS_BREACH_UNLIKELY;
	out->people_required = b->risk == SARGS_BREACH_HIGH;
	out->deadline_us = b->aware_us + (int64_t)SARGS_BREACH_HOURS * HOUR_US;
	out->notified = b->notified_dvi_us != 0;
	out->delay_reason_given = b->delay_reason != NULL && b->delay_reason[0] != '\0';
	if (out->notified) {
		if (b->notified_dvi_us > out->deadline_us) {
			out->overdue = 1;
			out->minutes_late = ceil_minutes(b->notified_dvi_us - out->deadline_us);
		}
		return;
	}
	if (now_us <= out->deadline_us) {
		out->minutes_left = (out->deadline_us - now_us) / MINUTE_US;
	} else if (out->dvi_required) {
		out->overdue = 1;
		out->minutes_late = ceil_minutes(now_us - out->deadline_us);
	}
}

/* "YYYY-MM-DD HH:MM UTC" */
static void fmt_minute(int64_t us, char *out, size_t size)
{
	char t[SARGS_TIME_STR];

	sargs_time_format(us, t, sizeof(t));
	(void)snprintf(out, size, "%.10s %.5s UTC", t, t + 11);
}

void sargs_breach_clock_text(const struct sargs_breach *b, const struct sargs_breach_clock *c,
			     char *out, size_t size)
{
	char when[40];

	if (c->notified) {
		fmt_minute(b->notified_dvi_us, when, sizeof(when));
		if (!c->overdue)
			(void)snprintf(out, size, "DVI notified %s, within 72 hours", when);
		else
			(void)snprintf(out, size,
				       "DVI notified %s, late by %" PRId64 " h %02" PRId64
				       " min; delay reason %s (GDPR Art. 33(1))",
				       when, c->minutes_late / 60, c->minutes_late % 60,
				       c->delay_reason_given ? "recorded" : "NOT recorded");
		return;
	}
	if (!c->dvi_required) {
		(void)snprintf(out, size,
			       "no notification to DVI needed (risk unlikely, GDPR Art. 33(1));"
			       " documented (Art. 33(5))");
		return;
	}
	fmt_minute(c->deadline_us, when, sizeof(when));
	if (!c->overdue)
		(void)snprintf(out, size,
			       "%" PRId64 " h %02" PRId64 " min left to notify DVI (by %s, GDPR"
			       " Art. 33(1))",
			       c->minutes_left / 60, c->minutes_left % 60, when);
	else
		(void)snprintf(out, size,
			       "DVI not notified: late by %" PRId64 " h %02" PRId64
			       " min (deadline %s); delay reason %s (GDPR Art. 33(1))",
			       c->minutes_late / 60, c->minutes_late % 60, when,
			       c->delay_reason_given ? "recorded" : "NOT recorded");
}

/* ---- validation */

/* A staff text: never echoed in a message, only its name. */
static enum sargs_rc check_text(const char *name, const char *s, int required,
				struct sargs_err *err)
{
	json_t *j;
	size_t n;

	if (s == NULL || s[0] == '\0')
		return required ? sargs_err_set(err, SARGS_E_INVALID, "%s is required", name)
				: SARGS_OK;
	n = strlen(s);
	if (n > SARGS_BREACH_TEXT_MAX)
		return sargs_err_set(err, SARGS_E_INVALID, "%s is longer than %d bytes", name,
				     SARGS_BREACH_TEXT_MAX);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "%s holds a control character", name);
	}
	/* jansson refuses invalid UTF-8 when the details are stored */
	j = json_string(s);
	if (j == NULL)
		return sargs_err_set(err, SARGS_E_INVALID, "%s is not valid UTF-8", name);
	json_decref(j);
	return SARGS_OK;
}

static enum sargs_rc check_count(const char *name, int64_t v, struct sargs_err *err)
{
	if (v < 0 || v > SARGS_BREACH_COUNT_MAX)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "%s is an approximate number from 0 to %lld", name,
				     (long long)SARGS_BREACH_COUNT_MAX);
	return SARGS_OK;
}

/* Categories must be the registry's data categories, each once. */
static enum sargs_rc check_categories(struct sargs_reg *reg, const char *const *cats, size_t n,
				      struct sargs_err *err)
{
	const struct sargs_registry *r;
	enum sargs_rc rc;

	if (n == 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "name the categories of personal data concerned (GDPR Art."
				     " 33(3)(a))");
	if (n > SARGS_BREACH_CATEGORIES_MAX)
		return sargs_err_set(err, SARGS_E_INVALID, "at most %d categories",
				     SARGS_BREACH_CATEGORIES_MAX);
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (!sargs_ident_valid(cats[i]) || sargs_registry_category(r, cats[i]) == NULL)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "unknown data category \"%.48s\" (see 'sargs purpose"
					     " list')",
					     sargs_ident_valid(cats[i]) ? cats[i] : "?");
		for (size_t j = 0; j < i; j++)
			if (strcmp(cats[i], cats[j]) == 0)
				return sargs_err_set(err, SARGS_E_INVALID,
						     "category \"%s\" given twice", cats[i]);
	}
	return SARGS_OK;
}

/* ---- the stored form */

void sargs_breach_free(struct sargs_breach *b)
{
	if (b == NULL)
		return;
	free(b->what);
	free(b->consequences);
	free(b->measures);
	free(b->contact);
	free(b->delay_reason);
	memset(b, 0, sizeof(*b));
}

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* A copy of the text under key, "" when absent (NULL: out of memory). */
static char *dup_text(const json_t *d, const char *key)
{
	const char *v = json_string_value(json_object_get(d, key));

	return strdup(v != NULL ? v : "");
}

static enum sargs_rc from_store(const struct sargs_store_breach *s, struct sargs_breach *b,
				struct sargs_err *err)
{
	json_error_t jerr;
	json_t *d = json_loads(s->data, JSON_REJECT_DUPLICATES, &jerr);
	json_t *cats;
	enum sargs_rc rc = SARGS_OK;

	memset(b, 0, sizeof(*b));
	if (d == NULL || !json_is_object(d)) {
		json_decref(d);
		return sargs_err_set(err, SARGS_E_SCHEMA, "breach %" PRId64 ": damaged details",
				     s->id);
	}
	b->id = s->id;
	b->aware_us = s->aware_us;
	b->recorded_us = s->recorded_us;
	b->risk = sargs_breach_risk_parse(s->risk);
	b->notified_dvi_us = s->notified_dvi_us;
	b->notified_people_us = s->notified_people_us;
	b->closed_us = s->closed_us;
	b->affected = s->affected;
	b->people = json_integer_value(json_object_get(d, "people"));
	b->records = json_integer_value(json_object_get(d, "records"));
	cats = json_object_get(d, "categories");
	for (size_t i = 0; i < json_array_size(cats) && i < SARGS_BREACH_CATEGORIES_MAX; i++) {
		const char *c = json_string_value(json_array_get(cats, i));

		if (c != NULL)
			(void)snprintf(b->categories[b->n_categories++], sizeof(b->categories[0]),
				       "%s", c);
	}
	b->what = dup_text(d, "what");
	b->consequences = dup_text(d, "consequences");
	b->measures = dup_text(d, "measures");
	b->contact = dup_or_null(json_string_value(json_object_get(d, "contact")));
	b->delay_reason = dup_or_null(json_string_value(json_object_get(d, "delay_reason")));
	if (b->what == NULL || b->consequences == NULL || b->measures == NULL ||
	    (json_object_get(d, "contact") != NULL && b->contact == NULL) ||
	    (json_object_get(d, "delay_reason") != NULL && b->delay_reason == NULL)) {
		sargs_breach_free(b);
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	} else if (b->risk == 0) {
		sargs_breach_free(b);
		rc = sargs_err_set(err, SARGS_E_SCHEMA, "breach %" PRId64 ": unknown risk",
				   s->id);
	}
	json_decref(d);
	return rc;
}

/* The details object; *out is a new string (caller frees). */
static enum sargs_rc details_json(const struct sargs_breach *b, char **out,
				  struct sargs_err *err)
{
	json_t *d = json_object(), *cats = json_array();
	int bad = d == NULL || cats == NULL;

	*out = NULL;
	for (size_t i = 0; !bad && i < b->n_categories; i++)
		bad = json_array_append_new(cats, json_string(b->categories[i])) != 0;
	if (!bad)
		bad = json_object_set_new(d, "what", json_string(b->what)) != 0 ||
		      json_object_set_new(d, "categories", cats) != 0 ||
		      json_object_set_new(d, "people", json_integer(b->people)) != 0 ||
		      json_object_set_new(d, "records", json_integer(b->records)) != 0 ||
		      json_object_set_new(d, "consequences", json_string(b->consequences)) != 0 ||
		      json_object_set_new(d, "measures", json_string(b->measures)) != 0;
	else
		json_decref(cats);
	if (!bad && b->contact != NULL && b->contact[0] != '\0')
		bad = json_object_set_new(d, "contact", json_string(b->contact)) != 0;
	if (!bad && b->delay_reason != NULL && b->delay_reason[0] != '\0')
		bad = json_object_set_new(d, "delay_reason", json_string(b->delay_reason)) != 0;
	if (!bad)
		*out = json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(d);
	if (*out == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	return SARGS_OK;
}

static enum sargs_rc store_err(enum sargs_rc rc, const char *what, struct sargs_err *err)
{
	return sargs_err_set(err, rc, "cannot %s: %s", what, sargs_rc_str(rc));
}

/* Loads breach id (inside a transaction or not). */
static enum sargs_rc load(struct sargs_reg *reg, int64_t id, struct sargs_breach *b,
			  struct sargs_err *err)
{
	struct sargs_store_breach s;
	void *owned = NULL;
	enum sargs_rc rc;

	memset(b, 0, sizeof(*b));
	rc = sargs_store_breach_get(reg->store, id, &s, &owned);
	if (rc == SARGS_E_NOTFOUND) {
		free(owned);
		return sargs_err_set(err, rc, "no breach %" PRId64 " in the register", id);
	}
	if (rc != SARGS_OK) {
		free(owned);
		return store_err(rc, "read the breach", err);
	}
	rc = from_store(&s, b, err);
	free(owned);
	return rc;
}

/* Writes b back (data, risk, notification times, closed). */
static enum sargs_rc save(struct sargs_reg *reg, const struct sargs_breach *b,
			  struct sargs_err *err)
{
	struct sargs_store_breach s;
	char *data = NULL;
	enum sargs_rc rc;

	if ((rc = details_json(b, &data, err)) != SARGS_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	s.id = b->id;
	s.aware_us = b->aware_us;
	s.recorded_us = b->recorded_us;
	s.data = data;
	s.risk = sargs_breach_risk_id(b->risk);
	s.notified_dvi_us = b->notified_dvi_us;
	s.notified_people_us = b->notified_people_us;
	s.closed_us = b->closed_us;
	rc = sargs_store_breach_update(reg->store, &s);
	free(data);
	return rc == SARGS_OK ? rc : store_err(rc, "update the breach", err);
}

static enum sargs_rc audit_breach(struct sargs_reg *reg, const char *action, int64_t id,
				  const char *subject_id, const char *purpose, const char *more,
				  struct sargs_err *err)
{
	char detail[256];

	(void)snprintf(detail, sizeof(detail), "breach:%" PRId64 "%s%s", id,
		       more != NULL && more[0] ? " " : "", more != NULL ? more : "");
	return sargs_reg_audit(reg, action, subject_id, NULL, purpose, detail, err);
}

/* ---- record, update, notified */

enum sargs_rc sargs_breach_record(struct sargs_reg *reg, const struct sargs_breach_input *in,
				  int64_t *id, struct sargs_err *err)
{
	struct sargs_breach b;
	struct sargs_store_breach s;
	int64_t now = sargs_time_now_us();
	char *data = NULL;
	char more[64];
	enum sargs_rc rc;

	*id = 0;
	if (in->aware_us <= 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "give the time the business became aware of the breach");
	/* the clock starts when the business became aware (Art. 33(1)): a time
	 * in the future would only move the deadline */
	if (in->aware_us > now)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the awareness time is in the future; the 72 hours run from"
				     " when the business became aware (GDPR Art. 33(1))");
	if ((rc = check_text("what happened", in->what, 1, err)) != SARGS_OK ||
	    (rc = check_text("likely consequences", in->consequences, 1, err)) != SARGS_OK ||
	    (rc = check_text("measures", in->measures, 1, err)) != SARGS_OK ||
	    (rc = check_text("contact point", in->contact, 0, err)) != SARGS_OK ||
	    (rc = check_count("the number of people", in->people, err)) != SARGS_OK ||
	    (rc = check_count("the number of records", in->records, err)) != SARGS_OK)
		return rc;
	if (sargs_breach_risk_parse(in->risk) == 0)
		return sargs_err_set(err, SARGS_E_INVALID, "the risk is unlikely, risk or high");
	if ((rc = check_categories(reg, in->categories, in->n_categories, err)) != SARGS_OK)
		return rc;

	memset(&b, 0, sizeof(b));
	b.aware_us = in->aware_us;
	b.recorded_us = now;
	b.risk = sargs_breach_risk_parse(in->risk);
	b.people = in->people;
	b.records = in->records;
	for (size_t i = 0; i < in->n_categories; i++)
		(void)snprintf(b.categories[i], sizeof(b.categories[i]), "%s", in->categories[i]);
	b.n_categories = in->n_categories;
	/* the strings are borrowed: b is not freed */
	b.what = (char *)(uintptr_t)in->what;
	b.consequences = (char *)(uintptr_t)in->consequences;
	b.measures = (char *)(uintptr_t)in->measures;
	b.contact = (char *)(uintptr_t)in->contact;
	if ((rc = details_json(&b, &data, err)) != SARGS_OK)
		return rc;
	memset(&s, 0, sizeof(s));
	s.aware_us = b.aware_us;
	s.recorded_us = now;
	s.data = data;
	s.risk = sargs_breach_risk_id(b.risk);
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK) {
		free(data);
		return rc;
	}
	rc = sargs_store_breach_add(reg->store, &s);
	if (rc != SARGS_OK) {
		rc = store_err(rc, "record the breach", err);
	} else {
		(void)snprintf(more, sizeof(more), "risk:%s", s.risk);
		rc = audit_breach(reg, "breach.record", s.id, NULL, NULL, more, err);
	}
	free(data);
	if ((rc = sargs_reg_end(reg, rc, err)) == SARGS_OK)
		*id = s.id;
	return rc;
}

/* Replaces *slot with a copy of v; 0 on out of memory. */
static int replace(char **slot, const char *v)
{
	char *c = strdup(v);

	if (c == NULL)
		return 0;
	free(*slot);
	*slot = c;
	return 1;
}

/* Appends name to the comma-separated list of changed items. */
static void changed(char *list, size_t size, const char *name)
{
	size_t n = strlen(list);

	(void)snprintf(list + n, size - n, "%s%s", n ? "," : "", name);
}

enum sargs_rc sargs_breach_update(struct sargs_reg *reg, int64_t id,
				  const struct sargs_breach_change *ch, struct sargs_err *err)
{
	struct sargs_breach b;
	char list[160] = "", more[192];
	int ok = 1;
	enum sargs_rc rc;

	if ((rc = check_text("what happened", ch->what, 0, err)) != SARGS_OK ||
	    (rc = check_text("likely consequences", ch->consequences, 0, err)) != SARGS_OK ||
	    (rc = check_text("measures", ch->measures, 0, err)) != SARGS_OK ||
	    (rc = check_text("contact point", ch->contact, 0, err)) != SARGS_OK ||
	    (rc = check_text("the delay reason", ch->delay_reason, 0, err)) != SARGS_OK ||
	    (ch->people != -1 && (rc = check_count("the number of people", ch->people, err)) != SARGS_OK) ||
	    (ch->records != -1 && (rc = check_count("the number of records", ch->records, err)) != SARGS_OK))
		return rc;
	if ((ch->what != NULL && ch->what[0] == '\0') ||
	    (ch->consequences != NULL && ch->consequences[0] == '\0') ||
	    (ch->measures != NULL && ch->measures[0] == '\0') ||
	    (ch->delay_reason != NULL && ch->delay_reason[0] == '\0'))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "an empty text would erase what is documented (GDPR Art."
				     " 33(5))");
	if (ch->risk != NULL && sargs_breach_risk_parse(ch->risk) == 0)
		return sargs_err_set(err, SARGS_E_INVALID, "the risk is unlikely, risk or high");
	if (ch->n_categories > 0 &&
	    (rc = check_categories(reg, ch->categories, ch->n_categories, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = load(reg, id, &b, err)) != SARGS_OK)
		return sargs_reg_end(reg, rc, err);
	if (ch->what != NULL) {
		ok &= replace(&b.what, ch->what);
		changed(list, sizeof(list), "what");
	}
	if (ch->n_categories > 0) {
		for (size_t i = 0; i < ch->n_categories; i++)
			(void)snprintf(b.categories[i], sizeof(b.categories[i]), "%s",
				       ch->categories[i]);
		b.n_categories = ch->n_categories;
		changed(list, sizeof(list), "categories");
	}
	if (ch->people != -1) {
		b.people = ch->people;
		changed(list, sizeof(list), "people");
	}
	if (ch->records != -1) {
		b.records = ch->records;
		changed(list, sizeof(list), "records");
	}
	if (ch->consequences != NULL) {
		ok &= replace(&b.consequences, ch->consequences);
		changed(list, sizeof(list), "consequences");
	}
	if (ch->measures != NULL) {
		ok &= replace(&b.measures, ch->measures);
		changed(list, sizeof(list), "measures");
	}
	if (ch->risk != NULL) {
		b.risk = sargs_breach_risk_parse(ch->risk);
		changed(list, sizeof(list), "risk");
	}
	if (ch->contact != NULL) {
		ok &= replace(&b.contact, ch->contact);
		changed(list, sizeof(list), "contact");
	}
	if (ch->delay_reason != NULL) {
		ok &= replace(&b.delay_reason, ch->delay_reason);
		changed(list, sizeof(list), "delay_reason");
	}
	if (ch->close && b.closed_us == 0) {
		b.closed_us = sargs_time_now_us();
		changed(list, sizeof(list), "closed");
	}
	if (!ok)
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	else if (list[0] == '\0')
		rc = sargs_err_set(err, SARGS_E_INVALID, "nothing to change");
	else if ((rc = save(reg, &b, err)) == SARGS_OK) {
		(void)snprintf(more, sizeof(more), "changed:%s risk:%s", list,
			       sargs_breach_risk_id(b.risk));
		rc = audit_breach(reg, "breach.update", id, NULL, NULL, more, err);
	}
	sargs_breach_free(&b);
	return sargs_reg_end(reg, rc, err);
}

enum sargs_rc sargs_breach_notified(struct sargs_reg *reg, int64_t id, const char *to,
				    int64_t at_us, const char *delay_reason,
				    struct sargs_err *err)
{
	struct sargs_breach b;
	struct sargs_breach_clock c;
	int64_t now = sargs_time_now_us();
	int dvi;
	char more[96];
	enum sargs_rc rc;

	if (to == NULL || (strcmp(to, "dvi") != 0 && strcmp(to, "people") != 0))
		return sargs_err_set(err, SARGS_E_INVALID, "notified is \"dvi\" or \"people\"");
	dvi = strcmp(to, "dvi") == 0;
	if (at_us == 0)
		at_us = now;
	if (at_us > now)
		return sargs_err_set(err, SARGS_E_INVALID, "the notification time is in the future");
	if ((rc = check_text("the delay reason", delay_reason, 0, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = load(reg, id, &b, err)) != SARGS_OK)
		return sargs_reg_end(reg, rc, err);
	if (at_us < b.aware_us) {
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "the notification time is before the business became aware");
		goto done;
	}
	if ((dvi ? b.notified_dvi_us : b.notified_people_us) != 0) {
		rc = sargs_err_set(err, SARGS_E_EXISTS, "breach %" PRId64
				   " is already recorded as notified to %s", id, to);
		goto done;
	}
	if (delay_reason != NULL && delay_reason[0] != '\0' &&
	    !replace(&b.delay_reason, delay_reason)) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto done;
	}
	if (dvi)
		b.notified_dvi_us = at_us;
	else
		b.notified_people_us = at_us;
	sargs_breach_clock(&b, now, &c);
	/* Art. 33(1): a notification not made within 72 hours is accompanied by
	 * the reasons for the delay */
	if (dvi && c.overdue && !c.delay_reason_given) {
		rc = sargs_err_set(err, SARGS_E_DENIED,
				   "the notification is %" PRId64 " h %02" PRId64 " min after the"
				   " 72 hours: record the reasons for the delay (--delay-reason;"
				   " GDPR Art. 33(1))",
				   c.minutes_late / 60, c.minutes_late % 60);
		goto done;
	}
	if ((rc = save(reg, &b, err)) != SARGS_OK)
		goto done;
	if (dvi)
		(void)snprintf(more, sizeof(more), "to:dvi %s%s", c.overdue ? "late" : "in_time",
			       delay_reason != NULL && delay_reason[0] ? " delay_reason" : "");
	else
		(void)snprintf(more, sizeof(more), "to:people risk:%s", sargs_breach_risk_id(b.risk));
	rc = audit_breach(reg, "breach.notify", id, NULL, NULL, more, err);
done:
	sargs_breach_free(&b);
	return sargs_reg_end(reg, rc, err);
}

/* ---- affected people */

enum sargs_rc sargs_breach_affect(struct sargs_reg *reg, int64_t id,
				  const char *const *subject_ids, size_t n, const char *purpose,
				  int64_t *added, struct sargs_err *err)
{
	struct sargs_breach b;
	int64_t total = 0;
	char more[128];
	enum sargs_rc rc;

	if (added != NULL)
		*added = 0;
	if ((n == 0) == (purpose == NULL))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "name the affected subjects by id, or a purpose (all linked)");
	if (purpose != NULL) {
		const struct sargs_registry *r;

		if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
			return rc;
		if (!sargs_ident_valid(purpose) || sargs_registry_purpose(r, purpose) == NULL)
			return sargs_err_set(err, SARGS_E_NOTFOUND, "no purpose \"%.48s\"",
					     sargs_ident_valid(purpose) ? purpose : "?");
	}
	for (size_t i = 0; i < n; i++)
		if (!sargs_uuid_valid(subject_ids[i]))
			return sargs_err_set(err, SARGS_E_INVALID,
					     "not a subject id (expected a UUID)");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = load(reg, id, &b, err)) != SARGS_OK)
		return sargs_reg_end(reg, rc, err);
	sargs_breach_free(&b);
	/* every id first: all or nothing */
	for (size_t i = 0; i < n && rc == SARGS_OK; i++)
		rc = sargs_subject_must_exist(reg, subject_ids[i], err);
	for (size_t i = 0; i < n && rc == SARGS_OK; i++) {
		int fresh = 0;

		rc = sargs_store_breach_subject_add(reg->store, id, subject_ids[i], &fresh);
		if (rc != SARGS_OK) {
			rc = store_err(rc, "link the subject", err);
		} else if (fresh) {
			total++;
			rc = audit_breach(reg, "breach.affected", id, subject_ids[i], NULL, NULL, err);
		}
	}
	if (rc == SARGS_OK && purpose != NULL) {
		rc = sargs_store_breach_subject_add_purpose(reg->store, id, purpose, &total);
		if (rc != SARGS_OK) {
			rc = store_err(rc, "link the purpose's subjects", err);
		} else {
			(void)snprintf(more, sizeof(more), "added:%" PRId64, total);
			rc = audit_breach(reg, "breach.affected", id, NULL, purpose, more, err);
		}
	}
	rc = sargs_reg_end(reg, rc, err);
	if (rc == SARGS_OK && added != NULL)
		*added = total;
	return rc;
}

/* ---- reading */

enum sargs_rc sargs_breach_get(struct sargs_reg *reg, int64_t id, struct sargs_breach *out,
			       struct sargs_err *err)
{
	return load(reg, id, out, err);
}

struct list_ctx {
	struct sargs_breach *items;
	size_t n, cap;
	enum sargs_rc rc;
	struct sargs_err *err;
};

static int list_cb(void *vctx, const struct sargs_store_breach *s)
{
	struct list_ctx *l = vctx;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct sargs_breach *g = realloc(l->items, cap * sizeof(*g));

		if (g == NULL) {
			l->rc = sargs_err_set(l->err, SARGS_E_NOMEM, "out of memory");
			return 1;
		}
		l->items = g;
		l->cap = cap;
	}
	l->rc = from_store(s, &l->items[l->n], l->err);
	if (l->rc != SARGS_OK)
		return 1;
	l->n++;
	return 0;
}

enum sargs_rc sargs_breach_list(struct sargs_reg *reg, struct sargs_breach **out, size_t *n,
				struct sargs_err *err)
{
	struct list_ctx l;
	enum sargs_rc rc;

	memset(&l, 0, sizeof(l));
	l.err = err;
	*out = NULL;
	*n = 0;
	rc = sargs_store_breach_scan(reg->store, list_cb, &l);
	if (rc == SARGS_OK)
		rc = l.rc;
	else
		rc = store_err(rc, "list the breaches", err);
	if (rc != SARGS_OK) {
		for (size_t i = 0; i < l.n; i++)
			sargs_breach_free(&l.items[i]);
		free(l.items);
		return rc;
	}
	*out = l.items;
	*n = l.n;
	return SARGS_OK;
}

/* ---- drafts */

/* Latvian names of the built-in categories (registry.c); custom ones keep
 * the name the business gave them. */
static const struct {
	const char *id, *lv;
} category_lv[] = {
	{"name", "Vārds un uzvārds"},
	{"contact", "Kontaktinformācija (pasta adrese, e-pasts, tālrunis)"},
	{"personal_code", "Personas kods"},
	{"relationship_dates", "Klienta attiecību sākuma un beigu datumi"},
	{"device_data", "Ierīces dati, sīkdatnes un līdzīgas tehnoloģijas"},
	{"correspondence", "E-pasta un tērzēšanas sarakste"},
	{"purchases", "Pirkumu vēsture"},
	{"complaints", "Atsauksmes, sūdzības un ar tām saistītā sarakste"},
	{"bank_account", "Bankas konta numurs"},
};

static const char *category_name(const struct sargs_registry *r, const char *id, int lv)
{
	const struct sargs_category *c = sargs_registry_category(r, id);

	if (lv && c != NULL && !c->custom)
		for (size_t i = 0; i < sizeof(category_lv) / sizeof(category_lv[0]); i++)
			if (strcmp(category_lv[i].id, id) == 0)
				return category_lv[i].lv;
	return c != NULL && c->name != NULL ? c->name : id;
}

/* The words of a draft, one set per language. */
struct words {
	const char *dvi_title, *to_dvi, *controller, *reg_no, *address, *number, *aware,
		*recorded, *risk_label, *risk_text[4], *a, *cats, *subject_cats, *people, *records,
		*b, *c, *d, *delay, *no_delay, *unlikely_note, *no_contact, *email, *phone,
		*p_subject, *p_hello, *p_intro, *p_intro2, *p_what, *p_when, *p_when2, *p_cats, *p_cons, *p_meas,
		*p_contact, *p_complain, *p_regards;
};

static const struct words en = {
	.dvi_title = "Notification of a personal data breach to the Data State Inspectorate\n"
		     "(General Data Protection Regulation, Art. 33)",
	.to_dvi = "To: Data State Inspectorate (Datu valsts inspekcija)",
	.controller = "Controller",
	.reg_no = "registration number",
	.address = "address",
	.number = "Breach number in the controller's register",
	.aware = "The controller became aware of the breach",
	.recorded = "Recorded in the breach register",
	.risk_label = "Risk assessment",
	.risk_text = {"", "unlikely to result in a risk to the rights and freedoms of natural persons",
		      "a risk to the rights and freedoms of natural persons",
		      "a high risk to the rights and freedoms of natural persons"},
	.a = "(a) The nature of the personal data breach (Art. 33(3)(a))",
	.cats = "Categories of personal data concerned",
	.subject_cats = "Categories of data subjects concerned: customers",
	.people = "Approximate number of data subjects concerned",
	.records = "Approximate number of personal data records concerned",
	.b = "(b) Data protection officer or other contact point for more information"
	     " (Art. 33(3)(b))",
	.c = "(c) Likely consequences of the personal data breach (Art. 33(3)(c))",
	.d = "(d) Measures taken or proposed to address the breach, including measures to"
	     " mitigate its possible adverse effects (Art. 33(3)(d))",
	.delay = "Reasons for the delay (the notification is made after 72 hours, Art. 33(1))",
	.no_delay = "[NOT RECORDED: record them with 'sargs breach update N --delay-reason']",
	.unlikely_note = "Note: the breach was assessed as unlikely to result in a risk; a"
			 " notification is not required (Art. 33(1)). It is documented in the"
			 " breach register (Art. 33(5)).",
	.no_contact = "[no contact point: set the DPO with 'sargs controller set --dpo-email']",
	.email = "e-mail",
	.phone = "phone",
	.p_subject = "Subject: Important information about your personal data",
	.p_hello = "Dear customer,",
	.p_intro = "We are writing to let you know about a personal data breach at ",
	.p_intro2 = " that concerns your personal data and may put your rights and freedoms at"
		    " high risk. We are telling you so that you can take steps to protect"
		    " yourself.",
	.p_what = "What happened",
	.p_when = "We became aware of it on ",
	.p_when2 = ".",
	.p_cats = "Which of your data are concerned",
	.p_cons = "What this may mean for you",
	.p_meas = "What we have done and will do",
	.p_contact = "Who to contact with questions",
	.p_complain = "You also have the right to lodge a complaint with the Data State"
		      " Inspectorate (Datu valsts inspekcija, www.dvi.gov.lv).",
	.p_regards = "Yours sincerely,",
};

static const struct words lv = {
	.dvi_title = "Paziņojums Datu valsts inspekcijai par personas datu aizsardzības"
		     " pārkāpumu\n(Vispārīgās datu aizsardzības regulas 33. pants)",
	.to_dvi = "Adresāts: Datu valsts inspekcija",
	.controller = "Pārzinis",
	.reg_no = "reģistrācijas numurs",
	.address = "adrese",
	.number = "Pārkāpuma numurs pārziņa pārkāpumu reģistrā",
	.aware = "Pārzinis uzzināja par pārkāpumu",
	.recorded = "Reģistrēts pārkāpumu reģistrā",
	.risk_label = "Riska novērtējums",
	.risk_text = {"", "maz ticams, ka pārkāpums rada risku fizisku personu tiesībām un"
			  " brīvībām",
		      "risks fizisku personu tiesībām un brīvībām",
		      "augsts risks fizisku personu tiesībām un brīvībām"},
	.a = "a) Personas datu aizsardzības pārkāpuma raksturs (33. panta 3. punkta a)"
	     " apakšpunkts)",
	.cats = "Attiecīgo personas datu kategorijas",
	.subject_cats = "Attiecīgo datu subjektu kategorijas: klienti",
	.people = "Aptuvenais attiecīgo datu subjektu skaits",
	.records = "Aptuvenais attiecīgo personas datu ierakstu skaits",
	.b = "b) Datu aizsardzības speciālists vai cita kontaktpersona, kas var sniegt"
	     " plašāku informāciju (33. panta 3. punkta b) apakšpunkts)",
	.c = "c) Personas datu aizsardzības pārkāpuma iespējamās sekas (33. panta 3. punkta"
	     " c) apakšpunkts)",
	.d = "d) Pasākumi, ko pārzinis veicis vai ierosinājis veikt, lai novērstu pārkāpumu,"
	     " tostarp pasākumi tā iespējamo nelabvēlīgo seku mazināšanai (33. panta"
	     " 3. punkta d) apakšpunkts)",
	.delay = "Kavēšanās iemesli (paziņojums sniegts vēlāk nekā 72 stundās, 33. panta"
		 " 1. punkts)",
	.no_delay = "[NAV IERAKSTĪTI: ierakstiet tos ar 'sargs breach update N --delay-reason']",
	.unlikely_note = "Piezīme: novērtēts, ka maz ticams, ka pārkāpums rada risku; paziņot"
			 " nav obligāti (33. panta 1. punkts). Pārkāpums ir dokumentēts"
			 " pārkāpumu reģistrā (33. panta 5. punkts).",
	.no_contact = "[nav kontaktpersonas: norādiet datu aizsardzības speciālistu ar"
		      " 'sargs controller set --dpo-email']",
	.email = "e-pasts",
	.phone = "tālrunis",
	.p_subject = "Temats: Svarīga informācija par jūsu personas datiem",
	.p_hello = "Labdien!",
	.p_intro = "Informējam, ka pie pārziņa ",
	.p_intro2 = " ir noticis personas datu aizsardzības pārkāpums, kas skar jūsu personas"
		    " datus un var radīt augstu risku jūsu tiesībām un brīvībām. Mēs jums to"
		    " paziņojam, lai jūs varētu veikt vajadzīgos piesardzības pasākumus.",
	.p_what = "Kas notika",
	.p_when = "Par pārkāpumu uzzinājām ",
	.p_when2 = ".",
	.p_cats = "Kurus jūsu datus tas skar",
	.p_cons = "Ko tas jums var nozīmēt",
	.p_meas = "Ko esam darījuši un darīsim",
	.p_contact = "Ar ko sazināties, ja jums ir jautājumi",
	.p_complain = "Jums ir arī tiesības iesniegt sūdzību Datu valsts inspekcijā"
		      " (www.dvi.gov.lv).",
	.p_regards = "Ar cieņu",
};

/* Adds the contact point: the one recorded with the breach, else the
 * controller's DPO, else the controller's own contacts. */
static enum sargs_rc add_contact(struct sargs_strbuf *sb, const struct words *w,
				 const struct sargs_breach *b, const struct sargs_controller *c)
{
	enum sargs_rc rc = SARGS_OK;
	int any = 0;

#define NONEMPTY(s) ((s) != NULL && (s)[0] != '\0')
	if (NONEMPTY(b->contact))
		return sargs_strbuf_addf(sb, "%s\n", b->contact);
	if (NONEMPTY(c->dpo_name) || NONEMPTY(c->dpo_email) || NONEMPTY(c->dpo_phone)) {
		if (NONEMPTY(c->dpo_name) && rc == SARGS_OK) {
			rc = sargs_strbuf_addf(sb, "%s", c->dpo_name);
			any = 1;
		}
		if (NONEMPTY(c->dpo_email) && rc == SARGS_OK) {
			rc = sargs_strbuf_addf(sb, "%s%s %s", any ? ", " : "", w->email, c->dpo_email);
			any = 1;
		}
		if (NONEMPTY(c->dpo_phone) && rc == SARGS_OK)
			rc = sargs_strbuf_addf(sb, "%s%s %s", any ? ", " : "", w->phone, c->dpo_phone);
		return rc == SARGS_OK ? sargs_strbuf_adds(sb, "\n") : rc;
	}
	if (NONEMPTY(c->email) || NONEMPTY(c->phone)) {
		rc = sargs_strbuf_addf(sb, "%s", c->name);
		if (NONEMPTY(c->email) && rc == SARGS_OK)
			rc = sargs_strbuf_addf(sb, ", %s %s", w->email, c->email);
		if (NONEMPTY(c->phone) && rc == SARGS_OK)
			rc = sargs_strbuf_addf(sb, ", %s %s", w->phone, c->phone);
		return rc == SARGS_OK ? sargs_strbuf_adds(sb, "\n") : rc;
	}
#undef NONEMPTY
	return sargs_strbuf_addf(sb, "%s\n", w->no_contact);
}

static enum sargs_rc add_categories(struct sargs_strbuf *sb, const struct sargs_registry *r,
				    const struct sargs_breach *b, int is_lv, const char *sep)
{
	enum sargs_rc rc = SARGS_OK;

	for (size_t i = 0; i < b->n_categories && rc == SARGS_OK; i++)
		rc = sargs_strbuf_addf(sb, "%s%s", i ? sep : "",
				       category_name(r, b->categories[i], is_lv));
	return rc;
}

static enum sargs_rc draft_dvi(struct sargs_strbuf *sb, const struct words *w, int is_lv,
			       const struct sargs_registry *r, const struct sargs_breach *b,
			       const struct sargs_controller *c, int64_t now)
{
	struct sargs_breach_clock clk;
	char aware[40], recorded[40];
	enum sargs_rc rc;

	sargs_breach_clock(b, now, &clk);
	fmt_minute(b->aware_us, aware, sizeof(aware));
	fmt_minute(b->recorded_us, recorded, sizeof(recorded));
	rc = sargs_strbuf_addf(sb, "%s\n\n%s\n%s: %s", w->dvi_title, w->to_dvi, w->controller,
			       c->name);
	if (rc == SARGS_OK && c->registration_number != NULL && c->registration_number[0])
		rc = sargs_strbuf_addf(sb, ", %s %s", w->reg_no, c->registration_number);
	if (rc == SARGS_OK && c->address != NULL && c->address[0])
		rc = sargs_strbuf_addf(sb, ", %s %s", w->address, c->address);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(sb, "\n%s: %" PRId64 "\n%s: %s\n%s: %s\n%s: %s\n\n%s\n%s\n%s: ",
				       w->number, b->id, w->aware, aware, w->recorded, recorded,
				       w->risk_label, w->risk_text[b->risk], w->a, b->what, w->cats);
	if (rc == SARGS_OK)
		rc = add_categories(sb, r, b, is_lv, "; ");
	if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(sb, "\n%s\n%s: %" PRId64 "\n%s: %" PRId64 "\n\n%s\n",
				       w->subject_cats, w->people, b->people, w->records, b->records,
				       w->b);
	if (rc == SARGS_OK)
		rc = add_contact(sb, w, b, c);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(sb, "\n%s\n%s\n\n%s\n%s\n", w->c, b->consequences, w->d,
				       b->measures);
	/* Art. 33(1): a late notification carries the reasons for the delay */
	if (rc == SARGS_OK && clk.overdue)
		rc = sargs_strbuf_addf(sb, "\n%s\n%s\n", w->delay,
				       clk.delay_reason_given ? b->delay_reason : w->no_delay);
	if (rc == SARGS_OK && !clk.dvi_required)
		rc = sargs_strbuf_addf(sb, "\n%s\n", w->unlikely_note);
	return rc;
}

static enum sargs_rc draft_people(struct sargs_strbuf *sb, const struct words *w, int is_lv,
				  const struct sargs_registry *r, const struct sargs_breach *b,
				  const struct sargs_controller *c)
{
	char aware[SARGS_DATE_STR];
	enum sargs_rc rc;

	sargs_time_format_date(b->aware_us, aware, sizeof(aware));
	rc = sargs_strbuf_addf(sb, "%s\n\n%s\n\n", w->p_subject, w->p_hello);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(sb, "%s%s%s", w->p_intro, c->name, w->p_intro2);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(sb, "\n\n%s\n%s\n", w->p_what, b->what);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(sb, "%s%s%s", w->p_when, aware, w->p_when2);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(sb, "\n\n%s\n", w->p_cats);
	if (rc == SARGS_OK)
		rc = add_categories(sb, r, b, is_lv, "\n");
	if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(sb, "\n\n%s\n%s\n\n%s\n%s\n\n%s\n", w->p_cons,
				       b->consequences, w->p_meas, b->measures, w->p_contact);
	if (rc == SARGS_OK)
		rc = add_contact(sb, w, b, c);
	if (rc == SARGS_OK)
		rc = sargs_strbuf_addf(sb, "\n%s\n\n%s\n%s\n", w->p_complain, w->p_regards,
				       c->name);
	return rc;
}

enum sargs_rc sargs_breach_draft(struct sargs_reg *reg, int64_t id, const char *to,
				 const char *lang, char **text, struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct sargs_breach b;
	struct sargs_controller c;
	struct sargs_strbuf sb;
	int dvi, is_lv;
	char more[64];
	enum sargs_rc rc;

	*text = NULL;
	if (to == NULL || (strcmp(to, "dvi") != 0 && strcmp(to, "people") != 0))
		return sargs_err_set(err, SARGS_E_INVALID, "a draft is to \"dvi\" or \"people\"");
	if (lang == NULL || (strcmp(lang, "lv") != 0 && strcmp(lang, "en") != 0))
		return sargs_err_set(err, SARGS_E_INVALID, "the language is lv or en");
	dvi = strcmp(to, "dvi") == 0;
	is_lv = strcmp(lang, "lv") == 0;
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = load(reg, id, &b, err)) != SARGS_OK)
		return sargs_reg_end(reg, rc, err);
	/* Art. 34(1): the people are told when the risk to them is high */
	if (!dvi && b.risk != SARGS_BREACH_HIGH) {
		rc = sargs_err_set(err, SARGS_E_DENIED,
				   "breach %" PRId64 " is assessed as \"%s\": the people are told only"
				   " when the risk to their rights and freedoms is high (GDPR Art."
				   " 34(1))",
				   id, sargs_breach_risk_id(b.risk));
		sargs_breach_free(&b);
		return sargs_reg_end(reg, rc, err);
	}
	if ((rc = sargs_controller_get(reg, &c, err)) != SARGS_OK) {
		if (rc == SARGS_E_NOTFOUND)
			rc = sargs_err_set(err, rc,
					   "the controller profile is not set: the notification names"
					   " the controller and its contact point ('sargs controller"
					   " set')");
		sargs_breach_free(&b);
		return sargs_reg_end(reg, rc, err);
	}
	sargs_strbuf_init(&sb, DRAFT_LIMIT);
	rc = dvi ? draft_dvi(&sb, is_lv ? &lv : &en, is_lv, r, &b, &c, sargs_time_now_us())
		 : draft_people(&sb, is_lv ? &lv : &en, is_lv, r, &b, &c);
	if (rc != SARGS_OK) {
		rc = sargs_err_set(err, rc, "cannot write the draft");
	} else {
		(void)snprintf(more, sizeof(more), "to:%s lang:%s", to, lang);
		rc = audit_breach(reg, "breach.draft", id, NULL, NULL, more, err);
	}
	sargs_controller_release(&c);
	sargs_breach_free(&b);
	if ((rc = sargs_reg_end(reg, rc, err)) == SARGS_OK) {
		*text = sargs_strbuf_take(&sb);
		if (*text == NULL)
			rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	sargs_strbuf_free(&sb);
	return rc;
}

/* ---- contacts for the people's notice */

struct ids_ctx {
	char (*ids)[SARGS_UUID_STR];
	size_t n, cap;
	int nomem;
};

static int ids_cb(void *vctx, const char *id)
{
	struct ids_ctx *c = vctx;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		char (*g)[SARGS_UUID_STR] = realloc(c->ids, cap * sizeof(*g));

		if (g == NULL) {
			c->nomem = 1;
			return 1;
		}
		c->ids = g;
		c->cap = cap;
	}
	(void)snprintf(c->ids[c->n++], SARGS_UUID_STR, "%s", id);
	return 0;
}

struct link_ctx {
	const char *purpose;
	int found;
};

static int link_cb(void *vctx, const char *purpose, int64_t linked_us)
{
	struct link_ctx *l = vctx;

	(void)linked_us;
	if (strcmp(purpose, l->purpose) == 0) {
		l->found = 1;
		return 1;
	}
	return 0;
}

void sargs_breach_contacts_free(struct sargs_breach_contacts *c)
{
	if (c == NULL)
		return;
	for (size_t i = 0; i < c->n; i++)
		sargs_subject_view_free(&c->views[i]);
	free(c->views);
	memset(c, 0, sizeof(*c));
}

enum sargs_rc sargs_breach_contacts(struct sargs_reg *reg, int64_t id, const char *purpose,
				    struct sargs_breach_contacts *out, struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	const char *names[8];
	size_t n_names = 0;
	struct ids_ctx ids;
	struct sargs_breach b;
	char detail[48];
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&ids, 0, sizeof(ids));
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	p = purpose != NULL && sargs_ident_valid(purpose) ? sargs_registry_purpose(r, purpose) : NULL;
	if (p == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no purpose \"%.48s\"",
				     purpose != NULL && sargs_ident_valid(purpose) ? purpose : "?");
	/* only the contact fields (e-mail, phone, postal address) the purpose
	 * lists: the notice needs no more (GDPR Art. 5(1)(c)) */
	for (size_t i = 0; i < p->n_fields && n_names < sizeof(names) / sizeof(names[0]); i++) {
		const struct sargs_field_def *f = sargs_registry_field(r, p->fields[i].field);

		if (f != NULL && sargs_field_channels(f) != 0)
			names[n_names++] = f->name;
	}
	if (n_names == 0)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "purpose \"%s\" lists no contact field (e-mail, phone, postal"
				     " address)",
				     p->id);
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = load(reg, id, &b, err)) != SARGS_OK)
		return sargs_reg_end(reg, rc, err);
	sargs_breach_free(&b);
	rc = sargs_store_breach_subjects(reg->store, id, ids_cb, &ids);
	if (rc == SARGS_OK && ids.nomem)
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	else if (rc != SARGS_OK)
		rc = store_err(rc, "list the affected people", err);
	if (rc == SARGS_OK && ids.n > 0) {
		out->views = calloc(ids.n, sizeof(*out->views));
		if (out->views == NULL)
			rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	(void)snprintf(detail, sizeof(detail), "breach:%" PRId64, id);
	for (size_t i = 0; i < ids.n && rc == SARGS_OK; i++) {
		struct link_ctx l = {p->id, 0};

		/* only people linked to the purpose are read (Art. 5(1)(b)); the
		 * others are counted, not read, so no refused read is recorded */
		rc = sargs_store_links(reg->store, ids.ids[i], link_cb, &l);
		if (rc != SARGS_OK) {
			rc = store_err(rc, "read the purpose links", err);
			break;
		}
		if (!l.found) {
			out->not_linked++;
			continue;
		}
		rc = sargs_subject_read_fields(reg, ids.ids[i], p->id, names, n_names,
					       "breach.contacts", detail, &out->views[out->n], err);
		if (rc == SARGS_E_DENIED) {
			out->refused++;
			rc = SARGS_OK;
			sargs_err_clear(err);
		} else if (rc == SARGS_OK) {
			out->n++;
		}
	}
	free(ids.ids);
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK)
		sargs_breach_contacts_free(out);
	return rc;
}
