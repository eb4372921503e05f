/*
 * legacy.h — an existing (legacy) customer list brought into the register,
 * each record sorted into a zone of 003, and the re-permission campaign
 * that follows.
 *
 * Zones (003; mission.md §5), decided by what the business knows of each
 * record's consent to marketing:
 *   red    no consent, or "consent" through a pre-ticked box (003; GDPR
 *          Art. 4(11), CJEU C-673/17 Planet49): kept, never in a marketing
 *          audience (the policy engine refuses SARGS_ZONE_RED), until it is
 *          re-confirmed or erased;
 *   grey   old consent that was properly obtained, with a way to opt out in
 *          every message: usable under the business's internal procedure;
 *   green  consent re-confirmed.
 * A re-permission campaign asks red and grey records for fresh consent by a
 * deadline; what is not re-confirmed and has no other legal basis is erased
 * (003); what has another basis (a contract, a legal obligation) is kept
 * but drops out of marketing.
 *
 * The import reads a CSV export (util/csv.h), maps its columns to registry
 * fields and adds each record with sargs_subject_add, so every record is
 * validated, normalised, minimised and encrypted by the same rules as any
 * other subject. Records are de-duplicated against the register and
 * against earlier rows of the same file by e-mail, phone and personal code
 * (sargs_subject_find), never merged. Rows are committed in batches
 * (sargs_reg_begin/commit): a crash loses no committed batch and leaves no
 * half row. Refused rows are reported by line number and reason, never by
 * value: a row of a customer list is personal data.
 */
#ifndef SARGS_LEGACY_H
#define SARGS_LEGACY_H

#include "domain/consent.h"
#include "domain/policy.h"
#include "domain/register.h"
#include "util/rc.h"
#include "util/uuid.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SARGS_IMPORT_BATCH_ROWS 1000   /* rows per transaction by default */
#define SARGS_IMPORT_COLUMNS_MAX 256   /* mapped columns (the CSV reader's field limit) */
#define SARGS_IMPORT_VALUES_MAX 64     /* extra consent-column values */
#define SARGS_IMPORT_MAPPING_MAX (1u << 20) /* bytes of a mapping file */

/* What the business knows of a legacy record's consent to marketing. */
enum sargs_legacy_status {
	SARGS_LEGACY_NONE = 0,        /* no consent (or not known): red */
	SARGS_LEGACY_PRETICKED,       /* through a pre-ticked box: red */
	SARGS_LEGACY_OPTOUT_OFFERED,  /* properly obtained, opt-out in every message: grey */
	SARGS_LEGACY_RECONFIRMED,     /* consent re-confirmed: green */
	SARGS_LEGACY__COUNT
};

/* "none", "preticked", "optout_offered", "reconfirmed". */
const char *sargs_legacy_status_id(enum sargs_legacy_status s);

/* Parses a status id (exactly one of the four above). */
enum sargs_rc sargs_legacy_status_parse(const char *s, enum sargs_legacy_status *out) SARGS_WUR;

/* The zone of a record with status s (003). */
enum sargs_zone sargs_legacy_zone(enum sargs_legacy_status s);

/* The consent state recorded for the marketing purpose of a record with
 * status s: NONE, PRETICKED, or GIVEN for grey and green. */
enum sargs_consent_state sargs_legacy_consent(enum sargs_legacy_status s);

/* "none", "red", "grey", "green". */
const char *sargs_zone_id(enum sargs_zone z);

/* Parses "red", "grey" (or "gray") or "green". */
enum sargs_rc sargs_zone_parse(const char *s, enum sargs_zone *out) SARGS_WUR;

/* One value of a consent column and the status it stands for. */
struct sargs_import_value {
	const char *value;
	enum sargs_legacy_status status;
};

/*
 * The status a consent column's cell stands for: the cell, trimmed of
 * spaces, compared without regard to case (Latvian letters included) with
 * the values given (extra, n_extra; may be NULL, 0), then with the
 * defaults: "", "nē", "ne", "no", "0", "none" -> none; "preticked",
 * "iepriekš atzīmēts" -> preticked; "optout_offered", "jā", "ja", "yes",
 * "1" -> optout_offered; "reconfirmed", "apstiprināts" -> reconfirmed.
 * SARGS_E_INVALID when the cell matches none.
 */
enum sargs_rc sargs_legacy_value_status(const struct sargs_import_value *extra, size_t n_extra,
					const char *cell,
					enum sargs_legacy_status *out) SARGS_WUR;

/* A CSV column (its header text) and the registry field it goes to. */
struct sargs_import_column {
	const char *column;
	const char *field;
};

/*
 * A mapping file, parsed: a JSON object
 *   {"columns": {"E-pasts": "email", ...},
 *    "consent_column": "Piekrišana",                       (optional)
 *    "consent_values": {"jā": "optout_offered", ...}}      (optional)
 * Unknown keys are refused. The struct owns its strings.
 */
struct sargs_import_mapping {
	struct sargs_import_column *columns;
	size_t n_columns;
	const char *consent_column;           /* or NULL */
	struct sargs_import_value *values;
	size_t n_values;
	void *doc;                            /* owns the strings above */
};

/*
 * Parses a mapping file's text. On success *out is new (caller frees with
 * sargs_import_mapping_free); on failure err says where and what.
 */
enum sargs_rc sargs_import_mapping_parse(const char *text, size_t len,
					 struct sargs_import_mapping **out,
					 struct sargs_err *err) SARGS_WUR;
void sargs_import_mapping_free(struct sargs_import_mapping *m);

/* Why a row was not imported. */
enum sargs_import_refusal {
	SARGS_IMPORT_R_CSV = 0,    /* malformed CSV record */
	SARGS_IMPORT_R_COLUMNS,    /* a different number of fields than the header */
	SARGS_IMPORT_R_MISSING,    /* a field a purpose requires is empty */
	SARGS_IMPORT_R_INVALID,    /* a value refused by validation */
	SARGS_IMPORT_R_CONSENT,    /* a consent cell that means none of the statuses */
	SARGS_IMPORT_R_DUPLICATE,  /* same e-mail, phone or personal code as a subject */
	SARGS_IMPORT_R__COUNT
};

/* "csv", "columns", "missing", "invalid", "consent", "duplicate". */
const char *sargs_import_refusal_id(enum sargs_import_refusal r);

#define SARGS_IMPORT_IGNORED_BYTES 512

/* What an import did (or, in a dry run, would do). */
struct sargs_import_summary {
	char import_id[SARGS_UUID_STR];     /* names this import in receipts and audit */
	char marketing_purpose[64];
	char delim;                         /* the CSV delimiter used */
	int dry_run;
	int64_t rows;                       /* data records read (header excluded) */
	int64_t imported;                   /* committed (dry run: would be) */
	int64_t refused;                    /* bad rows, duplicates not included */
	int64_t refused_by[SARGS_IMPORT_R__COUNT];
	int64_t duplicates;
	int64_t zones[4];                   /* imported, by enum sargs_zone */
	int64_t batches;                    /* committed */
	long last_line;                     /* last line of the last committed batch */
	int stopped;                        /* a batch failed: the import stopped */
	char ignored[SARGS_IMPORT_IGNORED_BYTES]; /* header names of columns not imported */
};

struct sargs_import_opts {
	const char *const *purposes;   /* the purposes the records are kept for (>= 1) */
	size_t n_purposes;
	const char *marketing_purpose; /* the purpose the consent is for; NULL: the only
					* one of purposes that is direct marketing */
	const char *source;            /* NULL or "person" (the business's own old system),
					* "third_party" or "public" */
	const char *source_name;       /* required unless the source is the person */
	const struct sargs_import_column *columns; /* n_columns == 0: every column whose
					* header is a field name (any case) */
	size_t n_columns;
	enum sargs_legacy_status consent;   /* for every row, unless consent_column */
	const char *consent_column;         /* per-row status from this column, or NULL */
	const struct sargs_import_value *values; /* extra consent-column values */
	size_t n_values;
	char delim;                    /* ',', ';', '\t', or 0: detect */
	size_t batch_rows;             /* 0: SARGS_IMPORT_BATCH_ROWS */
	int dry_run;                   /* do everything, then undo it */
	/* A row was refused: msg is the reason, without the line and without
	 * any value from the row. May be NULL. */
	void (*on_refused)(void *ctx, long line, enum sargs_import_refusal why, const char *msg);
	/* A batch was committed (in a dry run: finished); s is the total so far.
	 * May be NULL. */
	void (*on_batch)(void *ctx, const struct sargs_import_summary *s);
	void *ctx;
};

/*
 * Imports the CSV text read from in (which stays the caller's) into reg.
 *
 * Before anything is stored, the options are checked against the file's
 * header and the registry: every purpose exists; the marketing purpose is
 * direct marketing and one of the purposes; every mapped column is in the
 * header and every mapped field is asked for by one of the purposes (data
 * minimisation, GDPR Art. 5(1)(c)); every field a purpose requires is
 * mapped; the consent column is in the header. Any problem there refuses
 * the whole import with nothing stored.
 *
 * Then each row is added (sargs_subject_add) unless it is refused;
 * refusals go to opts->on_refused and are counted. Each imported record
 * gets its zone, the consent state for the marketing purpose and one
 * consent history event "legacy.import". Each batch of batch_rows rows is
 * one transaction ending with an "import.batch" audit entry.
 *
 * Returns SARGS_OK when the whole file was read (rows may have been
 * refused: see out). When a batch cannot be committed, the batch is undone
 * whole, out->stopped is set, and the error says how many rows were
 * committed before it. A dry run does everything in a transaction that is
 * rolled back at the end: nothing is stored, and out says what would be.
 */
enum sargs_rc sargs_import_csv(struct sargs_reg *reg, FILE *in,
			       const struct sargs_import_opts *opts,
			       struct sargs_import_summary *out, struct sargs_err *err) SARGS_WUR;

/* ---- zones and re-permission */

/* Subjects per zone, indexed by enum sargs_zone (counts[0] is unused). */
enum sargs_rc sargs_zones_count(struct sargs_reg *reg, int64_t counts[4],
				struct sargs_err *err) SARGS_WUR;

/* Calls cb with the id of every subject in zone, in id order; cb returns
 * non-zero to stop. Ids only: no personal data is read. */
enum sargs_rc sargs_zones_list(struct sargs_reg *reg, enum sargs_zone zone,
			       int (*cb)(void *ctx, const char *id), void *ctx,
			       struct sargs_err *err) SARGS_WUR;

struct sargs_ask_result {
	int64_t asked;          /* newly asked */
	int64_t already_asked;  /* asked before and not yet answered: left alone */
	int64_t objected;       /* objected to direct marketing: not asked */
};

/*
 * Starts a re-permission campaign (003): records for every subject in the
 * zones named by zone_mask (bits 1 << SARGS_ZONE_RED, 1 << SARGS_ZONE_GREY)
 * that it was asked now, with deadline_day (days since 1970-01-01, after
 * today). A subject already asked and not yet answered keeps its first
 * deadline; one who objected to direct marketing is not asked (GDPR
 * Art. 21(3): asking for marketing consent is itself direct marketing).
 * Each ask is audited ("repermission.ask"). Sending the request is the
 * campaign export's job.
 */
enum sargs_rc sargs_zones_ask(struct sargs_reg *reg, unsigned zone_mask, int32_t deadline_day,
			      struct sargs_ask_result *out, struct sargs_err *err) SARGS_WUR;

/*
 * Records a re-confirmation: the subject's fresh consent to purpose
 * (sargs_consent_give, with its signed receipt in *receipt when receipt is
 * not NULL; caller frees), the zone becomes green and the re-permission
 * request is marked answered. purpose NULL: the only direct-marketing
 * purpose the subject is linked to. The subject must be a legacy record
 * (have a zone). All or nothing; audited ("repermission.confirm").
 */
enum sargs_rc sargs_zones_confirm(struct sargs_reg *reg, const char *id, const char *purpose,
				  const struct sargs_consent_proof *proof, char **receipt,
				  struct sargs_err *err) SARGS_WUR;

enum sargs_purge_outcome {
	SARGS_PURGE_ERASED = 0,     /* not re-confirmed, no other basis: erased */
	SARGS_PURGE_KEPT,           /* another legal basis: kept, out of marketing */
	SARGS_PURGE_NOT_DUE,        /* the deadline has not passed */
	SARGS_PURGE_CONFIRMED,      /* re-confirmed: nothing to do */
	SARGS_PURGE__COUNT
};

/* "erased", "kept", "not_due", "confirmed". */
const char *sargs_purge_outcome_id(enum sargs_purge_outcome o);

/* What the purge did (or would do) with one asked subject. */
struct sargs_purge_item {
	const char *id;
	enum sargs_purge_outcome outcome;
	const char *purpose;    /* KEPT: the purpose whose basis keeps it; else NULL */
	int32_t deadline_day;
};

struct sargs_purge_summary {
	int64_t count[SARGS_PURGE__COUNT];
	int dry_run;
};

/*
 * Ends the re-permission campaign for every subject asked whose deadline
 * has passed (today after the deadline day) and who has not re-confirmed
 * (003; GDPR Art. 5(1)(e), 17(1)(b)):
 *   - a consent given to a direct-marketing purpose after the ask counts as
 *     re-confirmation (the zone becomes green);
 *   - a subject linked to a purpose that rests on another basis than
 *     consent and is not direct marketing, and that the policy engine still
 *     allows today (within its retention), is kept: its old marketing
 *     consents lapse (state "none", history event "legacy.lapsed") so it
 *     drops out of marketing, and its zone stays as it was;
 *   - everyone else is erased (sargs_subject_erase, reason "retention").
 * A subject whose deadline has not passed is left alone. cb (may be NULL)
 * hears of every asked subject. dry_run: decides and reports, changes
 * nothing. Work is committed in batches of SARGS_IMPORT_BATCH_ROWS.
 */
enum sargs_rc sargs_zones_purge(struct sargs_reg *reg, int dry_run,
				void (*cb)(void *ctx, const struct sargs_purge_item *item),
				void *ctx, struct sargs_purge_summary *out,
				struct sargs_err *err) SARGS_WUR;

#endif
