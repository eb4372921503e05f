/*
 * breach.h — the breach register (GDPR Art. 33-34; 004 §21-23): every
 * personal data breach is documented, whether notified or not (Art. 33(5)),
 * with its 72-hour clock, and the notifications are drafted from what is
 * recorded.
 *
 * Rules kept here:
 * - The clock runs from the moment the business became aware of the breach
 *   (Art. 33(1)): the Data State Inspectorate (DVI) is notified without
 *   undue delay and, where feasible, within 72 hours. An awareness time may
 *   lie in the past, never in the future, and is never changed afterwards
 *   (it would move the deadline). A notification after the 72 hours needs
 *   the reasons for the delay (Art. 33(1), second sentence).
 * - A breach "unlikely to result in a risk" to people needs no notification
 *   (Art. 33(1); 004 §22), but is documented all the same (Art. 33(5)).
 * - The DVI notification holds Art. 33(3)(a)-(d): the nature of the breach
 *   with the categories and approximate numbers of people and records, the
 *   DPO or other contact point, the likely consequences and the measures
 *   taken or proposed.
 * - The people are told only when the risk is high (Art. 34(1)), in clear
 *   and plain language with at least (b)-(d) (Art. 34(2)).
 * - Affected people are linked by id only; their contacts for the notice
 *   are read through the purpose-bound path (subject.h), each read audited
 *   as "breach.contacts".
 *
 * The incident texts (what happened, consequences, measures, contact point,
 * reasons for a delay) are written by staff. They are kept, but never put
 * in logs, error messages or audit entries: every audit entry ("breach.record",
 * "breach.update", "breach.affected", "breach.notify", "breach.draft")
 * names the breach by number and the changed items by name only.
 */
#ifndef SARGS_BREACH_H
#define SARGS_BREACH_H

#include "domain/register.h"
#include "domain/subject.h"
#include "util/uuid.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_BREACH_HOURS 72                    /* GDPR Art. 33(1) */
#define SARGS_BREACH_TEXT_MAX 4000               /* bytes of one incident text */
#define SARGS_BREACH_CATEGORIES_MAX 16
#define SARGS_BREACH_COUNT_MAX 1000000000000LL   /* people or records */

enum sargs_breach_risk {
	SARGS_BREACH_UNLIKELY = 1, /* unlikely to result in a risk: Art. 33(1) */
	SARGS_BREACH_RISK,         /* a risk: notify DVI */
	SARGS_BREACH_HIGH          /* a high risk: notify DVI and the people, Art. 34(1) */
};

/* "unlikely" | "risk" | "high" -> the risk, 0 when unknown. */
enum sargs_breach_risk sargs_breach_risk_parse(const char *s);
const char *sargs_breach_risk_id(enum sargs_breach_risk r);

/* What a new breach records. Texts are copied; categories are ids of the
 * registry's data categories. */
struct sargs_breach_input {
	int64_t aware_us;
	const char *what;                /* the nature of the breach; required */
	const char *const *categories;   /* at least one */
	size_t n_categories;
	int64_t people;                  /* approximate; >= 0 */
	int64_t records;                 /* approximate; >= 0 */
	const char *consequences;        /* required */
	const char *measures;            /* required */
	const char *risk;                /* unlikely | risk | high */
	const char *contact;             /* NULL: the DPO of the controller profile */
};

/* A breach as recorded. Strings are owned (sargs_breach_free). */
struct sargs_breach {
	int64_t id;
	int64_t aware_us;
	int64_t recorded_us;
	enum sargs_breach_risk risk;
	int64_t notified_dvi_us;         /* 0: not notified */
	int64_t notified_people_us;      /* 0: not notified */
	int64_t closed_us;               /* 0: open */
	int64_t people;
	int64_t records;
	int64_t affected;                /* people linked by id */
	char categories[SARGS_BREACH_CATEGORIES_MAX][64];
	size_t n_categories;
	char *what;
	char *consequences;
	char *measures;
	char *contact;                   /* or NULL */
	char *delay_reason;              /* or NULL */
};
void sargs_breach_free(struct sargs_breach *b);

/* The 72-hour clock of a breach at a moment (pure). */
struct sargs_breach_clock {
	int dvi_required;        /* 0 when the risk is unlikely (Art. 33(1)) */
	int people_required;     /* 1 when the risk is high (Art. 34(1)) */
	int64_t deadline_us;     /* awareness + 72 h */
	int notified;            /* DVI notified */
	int overdue;             /* past the deadline: not notified, or notified late */
	int64_t minutes_left;    /* while running and not notified: until the deadline */
	int64_t minutes_late;    /* when overdue: by how much (to now, or to notification) */
	int delay_reason_given;  /* reasons for the delay recorded (Art. 33(1)) */
};
void sargs_breach_clock(const struct sargs_breach *b, int64_t now_us,
			struct sargs_breach_clock *out);
/* The clock as one English sentence ("12 h 30 min left to notify DVI ...",
 * "DVI not notified: late by 1 h 05 min ...; delay reason NOT recorded"). */
void sargs_breach_clock_text(const struct sargs_breach *b, const struct sargs_breach_clock *c,
			     char *out, size_t size);

/*
 * Records a breach (audited as "breach.record"). Refused: an awareness time
 * in the future, a missing text, an unknown category or risk, negative
 * numbers, texts over SARGS_BREACH_TEXT_MAX or with control characters
 * other than newline and tab. *id gets the breach's number.
 */
enum sargs_rc sargs_breach_record(struct sargs_reg *reg, const struct sargs_breach_input *in,
				  int64_t *id, struct sargs_err *err) SARGS_WUR;

/* What an update changes: NULL (numbers: -1) leaves an item as it is. */
struct sargs_breach_change {
	const char *what;
	const char *const *categories;   /* with n_categories > 0 */
	size_t n_categories;
	int64_t people;
	int64_t records;
	const char *consequences;
	const char *measures;
	const char *risk;
	const char *contact;             /* "" clears it (back to the DPO) */
	const char *delay_reason;
	int close;                       /* 1: close the breach */
};
/* Applies a change (audited as "breach.update" naming the items changed). */
enum sargs_rc sargs_breach_update(struct sargs_reg *reg, int64_t id,
				  const struct sargs_breach_change *ch, struct sargs_err *err) SARGS_WUR;

/*
 * Records that DVI ("dvi") or the people ("people") were notified at at_us
 * (0: now); not before awareness nor in the future. A DVI notification after
 * the 72 hours is refused unless a delay reason is recorded or given here
 * (Art. 33(1)). Audited as "breach.notify".
 */
enum sargs_rc sargs_breach_notified(struct sargs_reg *reg, int64_t id, const char *to,
				    int64_t at_us, const char *delay_reason,
				    struct sargs_err *err) SARGS_WUR;

/*
 * Links affected people: the ids given (each must be a subject in the
 * register), or, with purpose, everyone linked to that purpose. All or
 * nothing; *added (may be NULL) gets how many were new. Audited as
 * "breach.affected" (one entry per subject given by id; one with the count
 * for a purpose).
 */
enum sargs_rc sargs_breach_affect(struct sargs_reg *reg, int64_t id,
				  const char *const *subject_ids, size_t n, const char *purpose,
				  int64_t *added, struct sargs_err *err) SARGS_WUR;

/* Reads one breach (caller frees with sargs_breach_free). No audit entry:
 * it holds no subject's personal data. */
enum sargs_rc sargs_breach_get(struct sargs_reg *reg, int64_t id, struct sargs_breach *out,
			       struct sargs_err *err) SARGS_WUR;

/* Every breach in number order; *out is a new array of *n (free each with
 * sargs_breach_free, then the array with free()). */
enum sargs_rc sargs_breach_list(struct sargs_reg *reg, struct sargs_breach **out, size_t *n,
				struct sargs_err *err) SARGS_WUR;

/*
 * Drafts a notification: to "dvi" (Art. 33(3)) or "people" (Art. 34), in
 * lang "lv" or "en". The people's notice is refused (SARGS_E_DENIED, with
 * the reason) unless the risk is high. *text is a new string (caller frees).
 * Audited as "breach.draft".
 */
enum sargs_rc sargs_breach_draft(struct sargs_reg *reg, int64_t id, const char *to,
				 const char *lang, char **text, struct sargs_err *err) SARGS_WUR;

/* The affected people's contacts for the notice. */
struct sargs_breach_contacts {
	struct sargs_subject_view *views; /* one per person read */
	size_t n;
	int64_t not_linked;   /* affected but not linked to the purpose: not read */
	int64_t refused;      /* linked, but the read was refused (e.g. restricted) */
};
/*
 * Reads, for each person linked to breach id and to purpose, the contact
 * fields (e-mail, phone, postal address) purpose lists, through
 * sargs_subject_read_fields (each read audited as "breach.contacts").
 * Free with sargs_breach_contacts_free.
 */
enum sargs_rc sargs_breach_contacts(struct sargs_reg *reg, int64_t id, const char *purpose,
				    struct sargs_breach_contacts *out,
				    struct sargs_err *err) SARGS_WUR;
void sargs_breach_contacts_free(struct sargs_breach_contacts *c);

#endif
