/*
 * campaign.h — who a campaign may reach, on what basis, and who not and
 * why; the export for a mailing tool with a personal one-click
 * unsubscribe link per recipient (RFC 8058); and using such a link.
 *
 * The audience is decided subject by subject by the policy engine
 * (policy.h) over the facts the store keeps, without decrypting anyone's
 * data: only the export decrypts, and only the fields the purpose lists
 * that the mailing needs (GDPR Art. 5(1)(c)). Every export is recorded as a
 * campaign run (who, when, purpose, channel, audience size, the registry
 * version) and audited per recipient.
 */
#ifndef SARGS_CAMPAIGN_H
#define SARGS_CAMPAIGN_H

#include "domain/policy.h"
#include "domain/register.h"

#include <stdint.h>
#include <stdio.h>

#define SARGS_UNSUB_KIND "unsub"
#define SARGS_UNSUB_DAYS_DEFAULT 400   /* links in old mails keep working */

struct sargs_audience_req {
	const char *purpose;
	unsigned channel;            /* one SARGS_CH_* bit */
	const char *product_line;    /* NULL: the purpose's own */
	int customers_only;          /* only customers of the product line */
	int zone;                    /* 0 any; else only this legacy zone */
};

struct sargs_audience {
	int64_t total;                       /* subjects in the register */
	int64_t allowed;
	int64_t allowed_by[SARGS_R__COUNT];  /* allowed, by reason (basis) */
	int64_t excluded[SARGS_R__COUNT];    /* left out, by reason */
	int64_t filtered;                    /* left out by the request's filters */
	char (*ids)[40];                     /* when collected: allowed ids */
	enum sargs_reason *reasons;          /* and each one's basis reason */
	size_t n_ids;
	int64_t registry_version;
	int64_t exported;                    /* export: lines written */
	int64_t left_out_since;              /* export: no longer allowed when read */
};

/*
 * Resolves the audience. collect: also return the allowed ids (free with
 * sargs_audience_free). Reads no personal data; audited as
 * "campaign.audience" with the counts.
 */
enum sargs_rc sargs_campaign_audience(struct sargs_reg *reg, const struct sargs_audience_req *req,
				      int collect, struct sargs_audience *out,
				      struct sargs_err *err) SARGS_WUR;
void sargs_audience_free(struct sargs_audience *a);

struct sargs_export_opts {
	const char *base_url;        /* https://... where /u/TOKEN is served */
	int link_days;               /* unsubscribe link validity (days) */
	int json;                    /* JSON lines instead of CSV */
	const char *const *fields;   /* extra fields (each listed by the purpose) */
	size_t n_fields;
};

/*
 * Resolves the audience and writes the export to out: per recipient the
 * channel's contact, the requested extra fields, the unsubscribe URL and
 * the List-Unsubscribe / List-Unsubscribe-Post header values. Records the
 * campaign run. *campaign_id gets its number.
 */
enum sargs_rc sargs_campaign_export(struct sargs_reg *reg, const struct sargs_audience_req *req,
				    const struct sargs_export_opts *opts, FILE *out,
				    struct sargs_audience *summary, int64_t *campaign_id,
				    struct sargs_err *err) SARGS_WUR;

struct sargs_unsub_result {
	char subject_id[40];
	char purpose[64];
	int changed;     /* 0: it had already been done (idempotent) */
	char what[32];   /* "consent withdrawn" or "objection recorded" */
};

/*
 * Uses an unsubscribe token: withdraws consent to its purpose (consent
 * purposes) or records an objection to it (legitimate-interest marketing),
 * at once, without any login. A forged, altered or expired token changes
 * nothing and says so (SARGS_E_INVALID / SARGS_E_DENIED).
 */
enum sargs_rc sargs_unsubscribe(struct sargs_reg *reg, const char *token,
				struct sargs_unsub_result *out, struct sargs_err *err) SARGS_WUR;

/* Makes the unsubscribe token for one subject and purpose. */
enum sargs_rc sargs_unsub_token(struct sargs_reg *reg, const char *id, const char *purpose,
				int days, char *out, size_t out_size) SARGS_WUR;

#endif
