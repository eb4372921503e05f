/*
 * registry.c — parsing and validating the purpose registry document.
 *
 * The document is JSON (see docs/purposes.md). Strings of the C structs
 * point into the parsed Jansson tree, which the registry owns.
 */
#include "domain/registry.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The categories every business has (001 §6; 002; 004 §4.7). */
static const struct sargs_category builtin_categories[] = {
	{"name", "Name and surname", 0, 0},
	{"contact", "Contact details (postal address, e-mail, phone)", 0, 0},
	{"personal_code", "Personal identification code", 0, 0},
	{"relationship_dates", "Start and end dates of the customer relationship", 0, 0},
	{"device_data", "Device data, cookies and similar technologies", 0, 0},
	{"correspondence", "E-mail and chat correspondence", 0, 0},
	{"purchases", "Purchase history", 0, 0},
	{"complaints", "Feedback, complaints and related correspondence", 0, 0},
	{"bank_account", "Bank account number", 0, 0},
};
#define N_BUILTIN (sizeof(builtin_categories) / sizeof(builtin_categories[0]))

static const char *const basis_ids[] = {
	NULL, "consent", "contract", "legal_obligation", "vital_interests", "public_task",
	"legitimate_interests",
};
static const char *const basis_articles[] = {
	NULL, "GDPR Art. 6(1)(a)", "GDPR Art. 6(1)(b)", "GDPR Art. 6(1)(c)",
	"GDPR Art. 6(1)(d)", "GDPR Art. 6(1)(e)", "GDPR Art. 6(1)(f)",
};
static const char *const basis_dpv[] = {
	NULL, "dpv:Consent", "dpv:Contract", "dpv:LegalObligation", "dpv:VitalInterest",
	"dpv:PublicTask", "dpv:LegitimateInterest",
};
static const char *const ftype_ids[] = {
	NULL, "text", "email", "phone", "personal_code", "date",
};
static const char *const retfrom_ids[] = {
	NULL, "collection", "contract_end", "last_purchase", "consent_withdrawal", "objection",
};
static const char *const recipient_kinds[] = {
	"processor", "recipient", "authority", "joint_controller", NULL,
};

const char *sargs_basis_id(enum sargs_basis b)
{
	return b >= 1 && b <= 6 ? basis_ids[b] : "unknown";
}

const char *sargs_basis_article(enum sargs_basis b)
{
	return b >= 1 && b <= 6 ? basis_articles[b] : "unknown";
}

const char *sargs_basis_dpv(enum sargs_basis b)
{
	return b >= 1 && b <= 6 ? basis_dpv[b] : "unknown";
}

const char *sargs_field_type_id(enum sargs_field_type t)
{
	return t >= 1 && t <= 5 ? ftype_ids[t] : "unknown";
}

static const char *const channel_ids[] = {"email", "sms", "phone", "post"};

const char *sargs_channel_id(unsigned ch)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (ch == (1u << i))
			return channel_ids[i];
	return "unknown";
}

unsigned sargs_channel_parse(const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < 4; i++)
		if (strcmp(id, channel_ids[i]) == 0)
			return 1u << i;
	return 0;
}

unsigned sargs_field_channels(const struct sargs_field_def *f)
{
	if (f->type == SARGS_FT_EMAIL)
		return SARGS_CH_EMAIL;
	if (f->type == SARGS_FT_PHONE)
		return SARGS_CH_SMS | SARGS_CH_PHONE;
	if (strcmp(f->name, SARGS_POSTAL_FIELD) == 0)
		return SARGS_CH_POST;
	return 0;
}

int sargs_purpose_has_channel_field(const struct sargs_registry *r,
				    const struct sargs_purpose *p, unsigned ch)
{
	size_t i;

	for (i = 0; i < p->n_fields; i++) {
		const struct sargs_field_def *f = sargs_registry_field(r, p->fields[i].field);

		if (f != NULL && (sargs_field_channels(f) & ch) != 0)
			return 1;
	}
	return 0;
}

const char *sargs_retention_from_id(enum sargs_retention_from f)
{
	return f >= 1 && f <= 5 ? retfrom_ids[f] : "unknown";
}

int sargs_ident_valid(const char *s)
{
	size_t n;

	if (s == NULL || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (n = 1; s[n] != '\0'; n++) {
		char c = s[n];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
		if (n >= 48)
			return 0;
	}
	return 1;
}

static int lookup(const char *const *table, size_t n, const char *s)
{
	if (s == NULL)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (table[i] != NULL && strcmp(table[i], s) == 0)
			return (int)i;
	return -1;
}

void sargs_retention_describe(const struct sargs_retention *r, char *out, size_t out_size)
{
	char period[96] = "";
	size_t n = 0;

	if (r->until_objection) {
		(void)snprintf(out, out_size, "until the person objects");
		return;
	}
	if (r->years)
		n += (size_t)snprintf(period + n, sizeof(period) - n, "%d year%s", r->years,
				      r->years == 1 ? "" : "s");
	if (r->months && n < sizeof(period))
		n += (size_t)snprintf(period + n, sizeof(period) - n, "%s%d month%s", n ? " " : "",
				      r->months, r->months == 1 ? "" : "s");
	if (r->days && n < sizeof(period))
		(void)snprintf(period + n, sizeof(period) - n, "%s%d day%s", n ? " " : "", r->days,
			       r->days == 1 ? "" : "s");
	(void)snprintf(out, out_size, "%s from %s", period[0] ? period : "0 days",
		       r->from == SARGS_RET_COLLECTION ? "collection"
		       : r->from == SARGS_RET_CONTRACT_END ? "the end of the contract"
		       : r->from == SARGS_RET_LAST_PURCHASE ? "the last purchase"
		       : r->from == SARGS_RET_CONSENT_WITHDRAWAL ? "consent withdrawal"
		       : "the objection");
}

/* ---- strict JSON access with error paths */

struct ctx {
	struct sargs_err *err;
	struct sargs_registry *r;
};

static enum sargs_rc fail(struct ctx *c, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum sargs_rc fail(struct ctx *c, const char *path, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return sargs_err_set(c->err, SARGS_E_INVALID, "%s: %s", path, msg);
}

/* Refuses keys not in allowed (NULL-terminated). */
static enum sargs_rc only_keys(struct ctx *c, const char *path, json_t *obj,
			       const char *const *allowed)
{
	const char *key;
	json_t *v;

	size_t n;

	for (n = 0; allowed[n] != NULL; n++)
		;
	json_object_foreach(obj, key, v) {
		if (lookup(allowed, n, key) < 0)
			return fail(c, path, "unknown key \"%s\"", key);
	}
	return SARGS_OK;
}

static enum sargs_rc get_str(struct ctx *c, const char *path, json_t *obj, const char *key,
			     int required, const char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return fail(c, path, "\"%s\" is required", key);
		return SARGS_OK;
	}
	if (!json_is_string(v))
		return fail(c, path, "\"%s\" must be a string", key);
	if (json_string_length(v) == 0 && required)
		return fail(c, path, "\"%s\" must not be empty", key);
	if (json_string_length(v) > 8192)
		return fail(c, path, "\"%s\" is longer than 8192 bytes", key);
	*out = json_string_value(v);
	return SARGS_OK;
}

static enum sargs_rc get_bool(struct ctx *c, const char *path, json_t *obj, const char *key,
			      int *out)
{
	json_t *v = json_object_get(obj, key);

	*out = 0;
	if (v == NULL)
		return SARGS_OK;
	if (!json_is_boolean(v))
		return fail(c, path, "\"%s\" must be true or false", key);
	*out = json_is_true(v);
	return SARGS_OK;
}

static enum sargs_rc get_array(struct ctx *c, const char *path, json_t *obj, const char *key,
			       int required, json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return fail(c, path, "\"%s\" is required", key);
		return SARGS_OK;
	}
	if (!json_is_array(v))
		return fail(c, path, "\"%s\" must be a list", key);
	if (json_array_size(v) > 4096)
		return fail(c, path, "\"%s\" has more than 4096 items", key);
	*out = v;
	return SARGS_OK;
}

static enum sargs_rc get_ident(struct ctx *c, const char *path, json_t *obj, const char *key,
			       int required, const char **out)
{
	enum sargs_rc rc = get_str(c, path, obj, key, required, out);

	if (rc == SARGS_OK && *out != NULL && !sargs_ident_valid(*out))
		return fail(c, path,
			    "\"%s\" must be lower-case letters, digits and '_', starting with a"
			    " letter, at most 48 characters",
			    key);
	return rc;
}

static void *alloc_items(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

/* ---- sections */

static enum sargs_rc parse_categories(struct ctx *c, json_t *doc)
{
	static const char *const keys[] = {"id", "name", "special", NULL};
	struct sargs_registry *r = c->r;
	json_t *arr, *item;
	size_t i, n;
	enum sargs_rc rc = get_array(c, "categories", doc, "categories", 0, &arr);

	if (rc != SARGS_OK)
		return rc;
	n = N_BUILTIN + (arr ? json_array_size(arr) : 0);
	r->categories = alloc_items(n, sizeof(*r->categories));
	if (r->categories == NULL)
		return SARGS_E_NOMEM;
	for (i = 0; i < N_BUILTIN; i++)
		r->categories[i] = builtin_categories[i];
	r->n_categories = N_BUILTIN;
	if (arr == NULL)
		return SARGS_OK;
	json_array_foreach(arr, i, item) {
		char path[64];
		struct sargs_category cat = {NULL, NULL, 1, 0};

		(void)snprintf(path, sizeof(path), "categories[%zu]", i);
		if (!json_is_object(item))
			return fail(c, path, "must be an object");
		if ((rc = only_keys(c, path, item, keys)) != SARGS_OK ||
		    (rc = get_ident(c, path, item, "id", 1, &cat.id)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "name", 1, &cat.name)) != SARGS_OK ||
		    (rc = get_bool(c, path, item, "special", &cat.special)) != SARGS_OK)
			return rc;
		if (sargs_registry_category(r, cat.id) != NULL)
			return fail(c, path, "category \"%s\" is defined twice (or is built in)",
				    cat.id);
		r->categories[r->n_categories++] = cat;
	}
	return SARGS_OK;
}

static enum sargs_rc parse_fields(struct ctx *c, json_t *doc)
{
	static const char *const keys[] = {"name", "label", "category", "type", "derived", NULL};
	struct sargs_registry *r = c->r;
	json_t *arr, *item;
	size_t i;
	enum sargs_rc rc = get_array(c, "fields", doc, "fields", 1, &arr);

	if (rc != SARGS_OK)
		return rc;
	r->fields = alloc_items(json_array_size(arr), sizeof(*r->fields));
	if (r->fields == NULL)
		return SARGS_E_NOMEM;
	json_array_foreach(arr, i, item) {
		char path[64];
		struct sargs_field_def f = {NULL, NULL, NULL, SARGS_FT_TEXT, 0};
		const char *type = NULL;

		(void)snprintf(path, sizeof(path), "fields[%zu]", i);
		if (!json_is_object(item))
			return fail(c, path, "must be an object");
		if ((rc = only_keys(c, path, item, keys)) != SARGS_OK ||
		    (rc = get_ident(c, path, item, "name", 1, &f.name)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "label", 0, &f.label)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "category", 1, &f.category)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "type", 0, &type)) != SARGS_OK ||
		    (rc = get_bool(c, path, item, "derived", &f.derived)) != SARGS_OK)
			return rc;
		if (sargs_registry_category(r, f.category) == NULL)
			return fail(c, path, "unknown category \"%s\" (define it under \"categories\")",
				    f.category);
		if (type != NULL) {
			int t = lookup(ftype_ids, 6, type);

			if (t <= 0)
				return fail(c, path,
					    "unknown type \"%s\"; expected text, email, phone,"
					    " personal_code or date",
					    type);
			f.type = (enum sargs_field_type)t;
		}
		if (f.label == NULL)
			f.label = f.name;
		if (sargs_registry_field(r, f.name) != NULL)
			return fail(c, path, "field \"%s\" is defined twice", f.name);
		r->fields[r->n_fields++] = f;
	}
	return SARGS_OK;
}

/* ISO 8601 period: PnYnMnD (at least one part). */
static int parse_period(const char *s, int *y, int *m, int *d)
{
	const char *p = s;
	int any = 0;

	*y = *m = *d = 0;
	if (*p++ != 'P')
		return 0;
	while (*p != '\0') {
		long v = 0;
		int digits = 0;

		while (*p >= '0' && *p <= '9') {
			v = v * 10 + (*p++ - '0');
			if (++digits > 5)
				return 0;
		}
		if (digits == 0)
			return 0;
		if (*p == 'Y' && !*y && !*m && !*d)
			*y = (int)v;
		else if (*p == 'M' && !*m && !*d)
			*m = (int)v;
		else if (*p == 'D' && !*d)
			*d = (int)v;
		else
			return 0;
		p++;
		any = 1;
	}
	return any && (*y + *m + *d) > 0;
}

static enum sargs_rc parse_retention(struct ctx *c, const char *ppath, json_t *obj,
				     struct sargs_retention *ret)
{
	static const char *const keys[] = {"period", "from", "until", "note", NULL};
	char path[96];
	json_t *v = json_object_get(obj, "retention");
	const char *period = NULL, *from = NULL, *until = NULL;
	enum sargs_rc rc;

	(void)snprintf(path, sizeof(path), "%s.retention", ppath);
	if (v == NULL)
		return fail(c, ppath, "\"retention\" is required: how long is the data kept?");
	if (!json_is_object(v))
		return fail(c, path, "must be an object");
	if ((rc = only_keys(c, path, v, keys)) != SARGS_OK ||
	    (rc = get_str(c, path, v, "period", 0, &period)) != SARGS_OK ||
	    (rc = get_str(c, path, v, "from", 0, &from)) != SARGS_OK ||
	    (rc = get_str(c, path, v, "until", 0, &until)) != SARGS_OK ||
	    (rc = get_str(c, path, v, "note", 0, &ret->note)) != SARGS_OK)
		return rc;
	if (until != NULL) {
		if (strcmp(until, "objection") != 0)
			return fail(c, path, "\"until\" can only be \"objection\"");
		if (period != NULL || from != NULL)
			return fail(c, path, "give either \"until\" or \"period\" with \"from\", not both");
		ret->until_objection = 1;
		return SARGS_OK;
	}
	if (period == NULL || from == NULL)
		return fail(c, path,
			    "give \"period\" (ISO 8601, e.g. \"P5Y\") and \"from\" (collection,"
			    " contract_end, last_purchase, consent_withdrawal, objection), or"
			    " \"until\": \"objection\"");
	if (!parse_period(period, &ret->years, &ret->months, &ret->days))
		return fail(c, path, "\"period\" must be an ISO 8601 period such as P5Y, P18M or P30D");
	{
		int f = lookup(retfrom_ids, 6, from);

		if (f <= 0)
			return fail(c, path,
				    "unknown \"from\" event \"%s\"; expected collection, contract_end,"
				    " last_purchase, consent_withdrawal or objection",
				    from);
		ret->from = (enum sargs_retention_from)f;
	}
	return SARGS_OK;
}

static enum sargs_rc parse_recipients(struct ctx *c, const char *ppath, json_t *obj,
				      struct sargs_purpose *p)
{
	static const char *const keys[] = {"name", "kind", "dpa", "condition", NULL};
	json_t *arr, *item;
	size_t i;
	enum sargs_rc rc = get_array(c, ppath, obj, "recipients", 0, &arr);

	if (rc != SARGS_OK || arr == NULL)
		return rc;
	p->recipients = alloc_items(json_array_size(arr), sizeof(*p->recipients));
	if (p->recipients == NULL)
		return SARGS_E_NOMEM;
	json_array_foreach(arr, i, item) {
		char path[128];
		struct sargs_recipient *rcp = &p->recipients[i];

		(void)snprintf(path, sizeof(path), "%s.recipients[%zu]", ppath, i);
		if (!json_is_object(item))
			return fail(c, path, "must be an object");
		if ((rc = only_keys(c, path, item, keys)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "name", 1, &rcp->name)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "kind", 1, &rcp->kind)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "dpa", 0, &rcp->dpa)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "condition", 0, &rcp->condition)) != SARGS_OK)
			return rc;
		if (lookup(recipient_kinds, 4, rcp->kind) < 0)
			return fail(c, path,
				    "unknown kind \"%s\"; expected processor, recipient, authority or"
				    " joint_controller",
				    rcp->kind);
		/* GDPR Art. 28(3): processing by a processor is governed by a contract */
		if (strcmp(rcp->kind, "processor") == 0 && rcp->dpa == NULL)
			return fail(c, path,
				    "a processor needs \"dpa\": the reference of its data processing"
				    " agreement (GDPR Art. 28(3))");
		p->n_recipients++;
	}
	return SARGS_OK;
}

static enum sargs_rc parse_transfers(struct ctx *c, const char *ppath, json_t *obj,
				     struct sargs_purpose *p)
{
	static const char *const keys[] = {"country", "recipient", "safeguard", NULL};
	json_t *arr, *item;
	size_t i;
	enum sargs_rc rc = get_array(c, ppath, obj, "transfers", 0, &arr);

	if (rc != SARGS_OK || arr == NULL)
		return rc;
	p->transfers = alloc_items(json_array_size(arr), sizeof(*p->transfers));
	if (p->transfers == NULL)
		return SARGS_E_NOMEM;
	json_array_foreach(arr, i, item) {
		char path[128];
		struct sargs_transfer *t = &p->transfers[i];

		(void)snprintf(path, sizeof(path), "%s.transfers[%zu]", ppath, i);
		if (!json_is_object(item))
			return fail(c, path, "must be an object");
		/* GDPR Art. 44-49: a transfer needs a named safeguard */
		if ((rc = only_keys(c, path, item, keys)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "country", 1, &t->country)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "recipient", 1, &t->recipient)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "safeguard", 1, &t->safeguard)) != SARGS_OK)
			return rc;
		p->n_transfers++;
	}
	return SARGS_OK;
}

static enum sargs_rc parse_purpose_fields(struct ctx *c, const char *ppath, json_t *obj,
					  struct sargs_purpose *p)
{
	static const char *const keys[] = {"field", "required", "why", NULL};
	json_t *arr, *item;
	size_t i;
	enum sargs_rc rc = get_array(c, ppath, obj, "fields", 1, &arr);

	if (rc != SARGS_OK)
		return rc;
	p->fields = alloc_items(json_array_size(arr), sizeof(*p->fields));
	if (p->fields == NULL)
		return SARGS_E_NOMEM;
	json_array_foreach(arr, i, item) {
		char path[128];
		struct sargs_purpose_field *pf = &p->fields[i];
		const struct sargs_field_def *fd;

		(void)snprintf(path, sizeof(path), "%s.fields[%zu]", ppath, i);
		if (!json_is_object(item))
			return fail(c, path, "must be an object");
		if ((rc = only_keys(c, path, item, keys)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "field", 1, &pf->field)) != SARGS_OK ||
		    (rc = get_bool(c, path, item, "required", &pf->required)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "why", 0, &pf->why)) != SARGS_OK)
			return rc;
		fd = sargs_registry_field(c->r, pf->field);
		if (fd == NULL)
			return fail(c, path, "unknown field \"%s\" (define it under \"fields\")",
				    pf->field);
		if (!sargs_purpose_covers(p, fd->category))
			return fail(c, path,
				    "field \"%s\" is in category \"%s\", which this purpose does not"
				    " list under \"categories\"",
				    pf->field, fd->category);
		if (sargs_purpose_field(p, pf->field) != NULL)
			return fail(c, path, "field \"%s\" is listed twice", pf->field);
		/* data minimisation (000; 002 §2): an optional field says why it is asked */
		if (!pf->required && (pf->why == NULL || pf->why[0] == '\0'))
			return fail(c, path,
				    "optional field \"%s\" needs \"why\": the text telling the customer"
				    " why it is asked",
				    pf->field);
		p->n_fields++;
	}
	return SARGS_OK;
}

/*
 * "marketing": {"channels": ["email", ...], "soft_opt_in": bool, "minors": bool}
 * Direct marketing rests on consent or legitimate interests (GDPR Art. 6(1)(a),
 * (f); Recital 47); soft opt-in is e-mail to existing customers about the same
 * product line (ePrivacy Art. 13(2); ISS Law Art. 9(2); 000; 004 §5.1f);
 * each channel needs a field that carries it.
 */
static enum sargs_rc parse_marketing(struct ctx *c, const char *path, json_t *item,
				     struct sargs_purpose *p)
{
	static const char *const keys[] = {"channels", "soft_opt_in", "minors", NULL};
	json_t *m = json_object_get(item, "marketing"), *chs, *ch;
	enum sargs_rc rc;
	size_t i;

	if (m == NULL || json_is_null(m))
		return SARGS_OK;
	if (!json_is_object(m))
		return fail(c, path, "\"marketing\" must be an object");
	if ((rc = only_keys(c, path, m, keys)) != SARGS_OK ||
	    (rc = get_bool(c, path, m, "soft_opt_in", &p->marketing.soft_opt_in)) != SARGS_OK ||
	    (rc = get_bool(c, path, m, "minors", &p->marketing.minors)) != SARGS_OK ||
	    (rc = get_array(c, path, m, "channels", 1, &chs)) != SARGS_OK)
		return rc;
	p->marketing.enabled = 1;
	if (json_array_size(chs) == 0)
		return fail(c, path, "\"marketing\".\"channels\" must list at least one of"
				     " email, sms, phone, post");
	json_array_foreach(chs, i, ch) {
		unsigned bit = sargs_channel_parse(json_string_value(ch));

		if (bit == 0)
			return fail(c, path, "unknown marketing channel; expected one of email, sms,"
					     " phone, post");
		if ((p->marketing.channels & bit) != 0)
			return fail(c, path, "marketing channel \"%s\" is listed twice",
				    sargs_channel_id(bit));
		if (!sargs_purpose_has_channel_field(c->r, p, bit))
			return fail(c, path,
				    "marketing channel \"%s\" needs a field that carries it among"
				    " the purpose's fields (%s)",
				    sargs_channel_id(bit),
				    bit == SARGS_CH_EMAIL ? "a field of type email"
				    : bit == SARGS_CH_POST ? "the field postal_address"
							   : "a field of type phone");
		p->marketing.channels |= bit;
	}
	if (p->basis != SARGS_BASIS_CONSENT && p->basis != SARGS_BASIS_LEGITIMATE_INTERESTS)
		return fail(c, path, "direct marketing rests on consent or legitimate interests"
				     " (GDPR Art. 6(1)(a), (f)), not on %s",
			    sargs_basis_id(p->basis));
	if (p->marketing.soft_opt_in) {
		if (p->basis != SARGS_BASIS_LEGITIMATE_INTERESTS)
			return fail(c, path, "soft opt-in is marketing to existing customers"
					     " without consent: its legal basis is"
					     " legitimate_interests");
		if (p->product_line == NULL)
			return fail(c, path, "soft opt-in needs \"product_line\": offers may be"
					     " only about goods similar to those bought"
					     " (ePrivacy Art. 13(2))");
		if ((p->marketing.channels & SARGS_CH_EMAIL) == 0)
			return fail(c, path, "soft opt-in applies to e-mail: list \"email\""
					     " among the channels");
	}
	return SARGS_OK;
}

static enum sargs_rc parse_purposes(struct ctx *c, json_t *doc)
{
	static const char *const keys[] = {
		"id", "name", "description", "legal_basis", "basis_detail", "balancing_test",
		"categories", "fields", "recipients", "transfers", "retention", "product_line",
		"profiling", "online_service", "marketing", "legal_claims", NULL};
	struct sargs_registry *r = c->r;
	json_t *arr, *item;
	size_t i;
	enum sargs_rc rc = get_array(c, "purposes", doc, "purposes", 1, &arr);

	if (rc != SARGS_OK)
		return rc;
	if (json_array_size(arr) == 0)
		return fail(c, "purposes", "at least one purpose is needed");
	r->purposes = alloc_items(json_array_size(arr), sizeof(*r->purposes));
	if (r->purposes == NULL)
		return SARGS_E_NOMEM;
	json_array_foreach(arr, i, item) {
		char path[64];
		struct sargs_purpose *p = &r->purposes[i];
		const char *basis = NULL;
		json_t *cats, *cat;
		size_t j;
		int b;

		(void)snprintf(path, sizeof(path), "purposes[%zu]", i);
		if (!json_is_object(item))
			return fail(c, path, "must be an object");
		if ((rc = only_keys(c, path, item, keys)) != SARGS_OK ||
		    (rc = get_ident(c, path, item, "id", 1, &p->id)) != SARGS_OK)
			return rc;
		(void)snprintf(path, sizeof(path), "purposes[%zu] (%s)", i, p->id);
		if (sargs_registry_purpose(r, p->id) != NULL)
			return fail(c, path, "purpose \"%s\" is defined twice", p->id);
		r->n_purposes++; /* counted now, so that free() sees its parts */
		if ((rc = get_str(c, path, item, "name", 1, &p->name)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "description", 1, &p->description)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "legal_basis", 1, &basis)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "basis_detail", 0, &p->basis_detail)) != SARGS_OK ||
		    (rc = get_str(c, path, item, "balancing_test", 0, &p->balancing_test)) != SARGS_OK ||
		    (rc = get_ident(c, path, item, "product_line", 0, &p->product_line)) != SARGS_OK ||
		    (rc = get_bool(c, path, item, "profiling", &p->profiling)) != SARGS_OK ||
		    (rc = get_bool(c, path, item, "online_service", &p->online_service)) !=
			    SARGS_OK ||
		    (rc = get_bool(c, path, item, "legal_claims", &p->legal_claims)) != SARGS_OK ||
		    (rc = get_array(c, path, item, "categories", 1, &cats)) != SARGS_OK)
			return rc;
		b = lookup(basis_ids, 7, basis);
		if (b <= 0)
			return fail(c, path,
				    "unknown legal basis \"%s\"; expected one of consent, contract,"
				    " legal_obligation, vital_interests, public_task,"
				    " legitimate_interests (GDPR Art. 6(1))",
				    basis);
		p->basis = (enum sargs_basis)b;
		/* GDPR Art. 6(1)(f); 004 §5.1f, §5.2: legitimate interest needs its balancing test */
		if (p->basis == SARGS_BASIS_LEGITIMATE_INTERESTS &&
		    (p->balancing_test == NULL || p->balancing_test[0] == '\0'))
			return fail(c, path,
				    "a legitimate-interests purpose needs \"balancing_test\": the"
				    " recorded weighing of the business's interest against the"
				    " person's rights (GDPR Art. 6(1)(f))");
		if (json_array_size(cats) == 0)
			return fail(c, path, "\"categories\" must list at least one data category");
		p->categories = alloc_items(json_array_size(cats), sizeof(*p->categories));
		if (p->categories == NULL)
			return SARGS_E_NOMEM;
		json_array_foreach(cats, j, cat) {
			const char *cid = json_string_value(cat);

			if (cid == NULL)
				return fail(c, path, "\"categories\" must be a list of strings");
			if (sargs_registry_category(r, cid) == NULL)
				return fail(c, path, "unknown data category \"%s\"", cid);
			if (sargs_purpose_covers(p, cid))
				return fail(c, path, "category \"%s\" is listed twice", cid);
			p->categories[p->n_categories++] = cid;
		}
		if ((rc = parse_purpose_fields(c, path, item, p)) != SARGS_OK ||
		    (rc = parse_recipients(c, path, item, p)) != SARGS_OK ||
		    (rc = parse_transfers(c, path, item, p)) != SARGS_OK ||
		    (rc = parse_retention(c, path, item, &p->retention)) != SARGS_OK ||
		    (rc = parse_marketing(c, path, item, p)) != SARGS_OK)
			return rc;
	}
	return SARGS_OK;
}

enum sargs_rc sargs_registry_parse(const char *text, size_t len, struct sargs_registry **out,
				   struct sargs_err *err)
{
	static const char *const keys[] = {"sargs_registry", "categories", "fields", "purposes",
					   NULL};
	struct sargs_registry *r;
	struct ctx c;
	json_error_t jerr;
	json_t *doc, *ver;
	enum sargs_rc rc;

	sargs_err_clear(err);
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	c.err = err;
	c.r = r;
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "not valid JSON at line %d, column %d: %s",
				   jerr.line, jerr.column, jerr.text);
		goto fail;
	}
	r->doc = doc;
	if (!json_is_object(doc)) {
		rc = fail(&c, "(top)", "the registry must be a JSON object");
		goto fail;
	}
	ver = json_object_get(doc, "sargs_registry");
	if (!json_is_integer(ver) || json_integer_value(ver) != 1) {
		rc = fail(&c, "(top)", "\"sargs_registry\": 1 is required (the format version)");
		goto fail;
	}
	if ((rc = only_keys(&c, "(top)", doc, keys)) != SARGS_OK ||
	    (rc = parse_categories(&c, doc)) != SARGS_OK ||
	    (rc = parse_fields(&c, doc)) != SARGS_OK ||
	    (rc = parse_purposes(&c, doc)) != SARGS_OK)
		goto fail;
	r->canonical = json_dumps(doc, JSON_SORT_KEYS | JSON_INDENT(2));
	if (r->canonical == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto fail;
	}
	*out = r;
	return SARGS_OK;
fail:
	if (rc == SARGS_E_NOMEM && err != NULL && err->msg[0] == '\0')
		(void)sargs_err_set(err, rc, "out of memory");
	sargs_registry_free(r);
	return rc;
}

void sargs_registry_free(struct sargs_registry *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; r->purposes != NULL && i < r->n_purposes; i++) {
		free(r->purposes[i].categories);
		free(r->purposes[i].fields);
		free(r->purposes[i].recipients);
		free(r->purposes[i].transfers);
	}
	free(r->purposes);
	free(r->fields);
	free(r->categories);
	free(r->canonical);
	json_decref((json_t *)r->doc);
	free(r);
}

const struct sargs_purpose *sargs_registry_purpose(const struct sargs_registry *r,
						   const char *id)
{
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < r->n_purposes; i++)
		if (r->purposes[i].id != NULL && strcmp(r->purposes[i].id, id) == 0)
			return &r->purposes[i];
	return NULL;
}

const struct sargs_field_def *sargs_registry_field(const struct sargs_registry *r,
						   const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; i < r->n_fields; i++)
		if (r->fields[i].name != NULL && strcmp(r->fields[i].name, name) == 0)
			return &r->fields[i];
	return NULL;
}

const struct sargs_category *sargs_registry_category(const struct sargs_registry *r,
						     const char *id)
{
	if (id == NULL)
		return NULL;
	for (size_t i = 0; i < r->n_categories; i++)
		if (r->categories[i].id != NULL && strcmp(r->categories[i].id, id) == 0)
			return &r->categories[i];
	return NULL;
}

int sargs_purpose_covers(const struct sargs_purpose *p, const char *category)
{
	for (size_t i = 0; i < p->n_categories; i++)
		if (strcmp(p->categories[i], category) == 0)
			return 1;
	return 0;
}

int sargs_field_special(const struct sargs_registry *r, const char *field)
{
	const struct sargs_field_def *fd = sargs_registry_field(r, field);
	const struct sargs_category *c = fd ? sargs_registry_category(r, fd->category) : NULL;

	return c != NULL && c->special;
}

const struct sargs_purpose_field *sargs_purpose_field(const struct sargs_purpose *p,
						      const char *field)
{
	for (size_t i = 0; i < p->n_fields; i++)
		if (strcmp(p->fields[i].field, field) == 0)
			return &p->fields[i];
	return NULL;
}
