/*
 * registry.h — the purpose registry: data categories, fields and purposes,
 * each purpose with its legal basis, categories, fields, recipients,
 * transfers outside the EU, retention rule, product line and profiling flag.
 *
 * A business keeps it as a declarative JSON file under version control
 * (format in docs/purposes.md) and loads it with `sargs purpose load`. The
 * parser is strict: unknown keys, unknown categories, fields or legal bases,
 * a legitimate-interest purpose without its balancing test, an optional
 * field without its "why we ask" text are refused with a message naming the
 * place in the file. Loading is all or nothing.
 *
 * GDPR Art. 5(1)(b)-(c) (purpose limitation, data minimisation), Art. 6(1)
 * (the six legal bases), Art. 30 (record of processing activities).
 */
#ifndef SARGS_REGISTRY_H
#define SARGS_REGISTRY_H

#include "util/rc.h"

#include <stddef.h>

enum sargs_basis {
	SARGS_BASIS_CONSENT = 1,             /* Art. 6(1)(a) */
	SARGS_BASIS_CONTRACT,                /* Art. 6(1)(b) */
	SARGS_BASIS_LEGAL_OBLIGATION,        /* Art. 6(1)(c) */
	SARGS_BASIS_VITAL_INTERESTS,         /* Art. 6(1)(d) */
	SARGS_BASIS_PUBLIC_TASK,             /* Art. 6(1)(e) */
	SARGS_BASIS_LEGITIMATE_INTERESTS     /* Art. 6(1)(f) */
};

enum sargs_field_type {
	SARGS_FT_TEXT = 1,
	SARGS_FT_EMAIL,
	SARGS_FT_PHONE,
	SARGS_FT_PERSONAL_CODE,
	SARGS_FT_DATE
};

enum sargs_retention_from {
	SARGS_RET_COLLECTION = 1,
	SARGS_RET_CONTRACT_END,
	SARGS_RET_LAST_PURCHASE,
	SARGS_RET_CONSENT_WITHDRAWAL,
	SARGS_RET_OBJECTION
};

struct sargs_category {
	const char *id;
	const char *name;
	int custom;   /* defined by the business */
	int special;  /* a special category of Art. 9 */
};

struct sargs_field_def {
	const char *name;
	const char *label;
	const char *category;
	enum sargs_field_type type;
	int derived;  /* recorded or derived by the business, not provided by the
		       * person: left out of a portability export (GDPR Art. 20) */
};

struct sargs_purpose_field {
	const char *field;
	int required;
	const char *why;  /* "why we ask": required for optional fields */
};

struct sargs_recipient {
	const char *name;
	const char *kind;       /* processor | recipient | authority | joint_controller */
	const char *dpa;        /* data processing agreement reference (processors) */
	const char *condition;  /* when data is disclosed, or NULL */
};

struct sargs_transfer {
	const char *country;    /* ISO 3166 code or name, outside the EU/EEA */
	const char *recipient;
	const char *safeguard;  /* Art. 45-49: adequacy decision, SCC, BCR, ... */
};

struct sargs_retention {
	int until_objection;    /* kept until the person objects */
	int years, months, days;
	enum sargs_retention_from from;
	const char *note;
};

/* Contact channels of direct marketing (bit flags). */
enum sargs_channel {
	SARGS_CH_EMAIL = 1,   /* uses a field of type email */
	SARGS_CH_SMS = 2,     /* uses a field of type phone */
	SARGS_CH_PHONE = 4,   /* calls; uses a field of type phone */
	SARGS_CH_POST = 8     /* uses the field named postal_address */
};
#define SARGS_CH_ALL 15u
#define SARGS_POSTAL_FIELD "postal_address"

/* What makes a purpose direct marketing, and the rules it chose. */
struct sargs_marketing {
	int enabled;       /* the purpose is direct marketing (Art. 21(2)-(3)) */
	unsigned channels; /* SARGS_CH_* it may use */
	int soft_opt_in;   /* existing customers of product_line may get e-mail
			    * without consent (ePrivacy Art. 13(2); ISS Law Art. 9(2)) */
	int minors;        /* may reach people under 18: an explicit choice (004 §7) */
};

struct sargs_purpose {
	const char *id;
	const char *name;
	const char *description;
	enum sargs_basis basis;
	const char *basis_detail;    /* the law, the contract, ... or NULL */
	const char *balancing_test;  /* required for legitimate interests */
	const char **categories;
	size_t n_categories;
	struct sargs_purpose_field *fields;
	size_t n_fields;
	struct sargs_recipient *recipients;
	size_t n_recipients;
	struct sargs_transfer *transfers;
	size_t n_transfers;
	struct sargs_retention retention;
	const char *product_line;    /* or NULL */
	int profiling;
	int online_service;          /* an information society service offered
				      * to the person directly: a child under 13
				      * needs the guardian's consent (GDPR Art. 8;
				      * Personal Data Processing Law Art. 33) */
	struct sargs_marketing marketing;
	int legal_claims;            /* serves the establishment, exercise or
				      * defence of legal claims: the only use of
				      * restricted data (GDPR Art. 18(2)) */
};

struct sargs_registry {
	struct sargs_category *categories;
	size_t n_categories;
	struct sargs_field_def *fields;
	size_t n_fields;
	struct sargs_purpose *purposes;
	size_t n_purposes;
	void *doc;        /* the parsed document; owns every string above */
	char *canonical;  /* the document in canonical form (stored) */
};

/*
 * Parses and validates a registry document. On success *out is a new
 * registry (free with sargs_registry_free). On failure err names the place
 * and the problem; nothing is returned.
 */
enum sargs_rc sargs_registry_parse(const char *text, size_t len, struct sargs_registry **out,
				   struct sargs_err *err) SARGS_WUR;
void sargs_registry_free(struct sargs_registry *r);

const struct sargs_purpose *sargs_registry_purpose(const struct sargs_registry *r,
						   const char *id);
const struct sargs_field_def *sargs_registry_field(const struct sargs_registry *r,
						   const char *name);
const struct sargs_category *sargs_registry_category(const struct sargs_registry *r,
						     const char *id);
/* 1 when purpose p uses category. */
int sargs_purpose_covers(const struct sargs_purpose *p, const char *category);
/* 1 when field belongs to a special category of data (GDPR Art. 9). */
int sargs_field_special(const struct sargs_registry *r, const char *field);
/* The purpose's entry for field, or NULL. */
const struct sargs_purpose_field *sargs_purpose_field(const struct sargs_purpose *p,
						      const char *field);

const char *sargs_basis_id(enum sargs_basis b);       /* "consent" ... */
const char *sargs_basis_article(enum sargs_basis b);  /* "GDPR Art. 6(1)(a)" */
const char *sargs_basis_dpv(enum sargs_basis b);      /* W3C DPV term */
const char *sargs_field_type_id(enum sargs_field_type t);
const char *sargs_channel_id(unsigned ch);            /* "email" ...; one bit */
/* The channel bit for an id ("email", "sms", "phone", "post"); 0 if unknown. */
unsigned sargs_channel_parse(const char *id);
/* 1 when purpose p lists a field that can carry channel ch (one bit). */
int sargs_purpose_has_channel_field(const struct sargs_registry *r,
				    const struct sargs_purpose *p, unsigned ch);
/* The channel bits a field can carry (by its type, or postal_address). */
unsigned sargs_field_channels(const struct sargs_field_def *f);
const char *sargs_retention_from_id(enum sargs_retention_from f);
/* Writes the retention rule as a sentence ("5 years from contract end"). */
void sargs_retention_describe(const struct sargs_retention *r, char *out, size_t out_size);

/* 1 when s is a valid identifier: [a-z][a-z0-9_]{0,47}. */
int sargs_ident_valid(const char *s);

#endif
