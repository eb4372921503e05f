/*
 * rights.h — what each of the data subject's rights does to the register:
 * the copy of the data (access, GDPR Art. 15), the data the person provided
 * in a machine-readable form (portability, Art. 20), erasure that keeps
 * only what a legal obligation still requires (Art. 17(3)(b)), restriction
 * (Art. 18), and the retention sweep that ends processing when a purpose's
 * period is over (Art. 5(1)(e); 004 §4.4-4.6).
 *
 * These are the actions; the request register (request.h) records who
 * asked, checks identity and deadlines, and calls them.
 */
#ifndef SARGS_RIGHTS_H
#define SARGS_RIGHTS_H

#include "domain/register.h"

#include <stddef.h>
#include <stdint.h>

enum sargs_export_format { SARGS_EXPORT_JSON = 1, SARGS_EXPORT_HTML };

struct sargs_access_opts {
	enum sargs_export_format format;
	const char *lang;          /* "lv" or "en" (HTML) */
	int with_disclosures;      /* every disclosure of the last two years (004 §15) */
	int64_t request_id;        /* the request it answers, or 0 */
};

/*
 * The copy of a person's data (Art. 15; 004 §15): every field in the clear,
 * and for each purpose the person's data is kept for: its name and
 * description, legal basis, data categories, recipients (and transfers),
 * retention, whether it involves profiling; the source when the data did
 * not come from the person; the consent history; purchases and contracts;
 * on request the disclosures of the last two years. JSON, or an HTML report
 * in Latvian or English. Audited as "rights.access" naming every field.
 * *out is a new NUL-terminated string (caller wipes and frees: it is
 * personal data).
 */
enum sargs_rc sargs_access_export(struct sargs_reg *reg, const char *id,
				  const struct sargs_access_opts *opts, char **out,
				  struct sargs_err *err) SARGS_WUR;

/*
 * The data the person provided, for a purpose resting on consent or a
 * contract (Art. 20(1)), as JSON: fields by purpose, without what the
 * business derived or recorded itself. Audited as "rights.portability".
 */
enum sargs_rc sargs_portability_export(struct sargs_reg *reg, const char *id, char **out,
				       struct sargs_err *err) SARGS_WUR;

/* What an erasure left in place, and why (for the answer to the person). */
struct sargs_erasure_kept {
	char purpose[64];
	char basis_detail[256];    /* the law that requires keeping it */
	char until[11];            /* YYYY-MM-DD, the end of its retention */
	char fields[512];          /* comma-separated field names kept */
};

struct sargs_erasure_report {
	int erased;                /* 1: the person was erased entirely */
	struct sargs_erasure_kept kept[8];
	size_t n_kept;
};

/*
 * Erasure on request (Art. 17): everything not held under a legal
 * obligation or for legal claims (a purpose marked "legal_claims") whose
 * retention still runs is erased through the
 * crypto-shredding path; when such a purpose remains, the subject stays
 * linked only to it, with only the fields it needs, and the report says
 * what stayed, why and until when (Art. 17(3)(b); 004 §15.6).
 */
enum sargs_rc sargs_rights_erase(struct sargs_reg *reg, const char *id, const char *reason,
				 struct sargs_erasure_report *out,
				 struct sargs_err *err) SARGS_WUR;

/*
 * Restricts processing (Art. 18) or lifts the restriction: while
 * restricted, the policy engine allows no purpose but those serving legal
 * claims ("legal_claims": true in the registry); the data stays stored.
 * Audited as "rights.restrict" / "rights.unrestrict".
 */
enum sargs_rc sargs_restrict(struct sargs_reg *reg, const char *id, int on,
			     struct sargs_err *err) SARGS_WUR;

/* One action of the retention sweep. */
struct sargs_sweep_item {
	const char *subject_id;
	const char *action;        /* "erase", "unlink", "hold" (restricted) */
	const char *purpose;       /* the purpose whose period ended */
	const char *until;         /* YYYY-MM-DD, the last day of that period */
	const char *fields;        /* for unlink: the fields erased with it, or "" */
};

struct sargs_sweep_summary {
	int64_t links_checked;
	int64_t subjects_erased;
	int64_t purposes_ended;
	int64_t fields_erased;
	int64_t held_restricted;   /* people whose processing is restricted: held */
};

/*
 * Applies every purpose's retention rule today (004 §4.4-4.6): a purpose
 * whose period is over is unlinked and the fields no remaining purpose
 * needs are erased with it; a subject left with no purpose is erased
 * (reason "retention"); a person whose processing is restricted is held
 * as is (Art. 18). dry_run: reports what would happen and why,
 * changes nothing. cb (may be NULL) gets each action.
 */
enum sargs_rc sargs_retention_sweep(struct sargs_reg *reg, int dry_run,
				    void (*cb)(void *ctx, const struct sargs_sweep_item *it),
				    void *ctx, struct sargs_sweep_summary *out,
				    struct sargs_err *err) SARGS_WUR;

#endif
