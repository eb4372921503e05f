/*
 * legacy.c — importing a legacy customer list into the zones of 003, and
 * the re-permission campaign: ask, confirm, purge (see legacy.h).
 *
 * The import adds every record through sargs_subject_add, so validation,
 * normalisation, minimisation and encryption are the same as for any
 * subject; this file only maps columns, de-duplicates, batches, and records
 * the zone and consent knowledge beside each new subject. Nothing here
 * prints, logs or stores a value from the file: refusals carry line numbers
 * and the reason only.
 */
#include "domain/legacy.h"

#include "domain/registry.h"
#include "domain/relation.h"
#include "domain/subject.h"
#include "store/store_rel.h"
#include "util/csv.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FIELD_NAME_BYTES 64
#define DAY_US 86400000000LL

/* ---- names */

static const char *const status_ids[SARGS_LEGACY__COUNT] = {"none", "preticked",
							     "optout_offered", "reconfirmed"};
static const char *const zone_ids[4] = {"none", "red", "grey", "green"};
static const char *const refusal_ids[SARGS_IMPORT_R__COUNT] = {
	"csv", "columns", "missing", "invalid", "consent", "duplicate"};
static const char *const outcome_ids[SARGS_PURGE__COUNT] = {"erased", "kept", "not_due",
							     "confirmed"};

const char *sargs_legacy_status_id(enum sargs_legacy_status s)
{
	return (unsigned)s < SARGS_LEGACY__COUNT ? status_ids[s] : "?";
}

enum sargs_rc sargs_legacy_status_parse(const char *s, enum sargs_legacy_status *out)
{
	for (int i = 0; s != NULL && i < SARGS_LEGACY__COUNT; i++) {
		if (strcmp(s, status_ids[i]) == 0) {
			*out = (enum sargs_legacy_status)i;
			return SARGS_OK;
		}
	}
	return SARGS_E_INVALID;
}

/* 003: no consent or a pre-ticked box: red (a pre-ticked box is not
 * consent, GDPR Art. 4(11), CJEU C-673/17 Planet49); old, properly obtained
 * consent with an opt-out in every message: grey; re-confirmed: green. */
enum sargs_zone sargs_legacy_zone(enum sargs_legacy_status s)
{
	switch (s) {
	case SARGS_LEGACY_OPTOUT_OFFERED: return SARGS_ZONE_GREY;
	case SARGS_LEGACY_RECONFIRMED: return SARGS_ZONE_GREEN;
	case SARGS_LEGACY_NONE:
	case SARGS_LEGACY_PRETICKED:
	default: return SARGS_ZONE_RED;
	}
}

enum sargs_consent_state sargs_legacy_consent(enum sargs_legacy_status s)
{
	switch (s) {
	case SARGS_LEGACY_PRETICKED: return SARGS_CONSENT_PRETICKED;
	case SARGS_LEGACY_OPTOUT_OFFERED:
	case SARGS_LEGACY_RECONFIRMED: return SARGS_CONSENT_GIVEN;
	case SARGS_LEGACY_NONE:
	default: return SARGS_CONSENT_NONE;
	}
}

const char *sargs_zone_id(enum sargs_zone z)
{
	return (unsigned)z < 4 ? zone_ids[z] : "?";
}

enum sargs_rc sargs_zone_parse(const char *s, enum sargs_zone *out)
{
	if (s == NULL)
		return SARGS_E_INVALID;
	if (strcmp(s, "red") == 0)
		*out = SARGS_ZONE_RED;
	else if (strcmp(s, "grey") == 0 || strcmp(s, "gray") == 0)
		*out = SARGS_ZONE_GREY;
	else if (strcmp(s, "green") == 0)
		*out = SARGS_ZONE_GREEN;
	else
		return SARGS_E_INVALID;
	return SARGS_OK;
}

const char *sargs_import_refusal_id(enum sargs_import_refusal r)
{
	return (unsigned)r < SARGS_IMPORT_R__COUNT ? refusal_ids[r] : "?";
}

const char *sargs_purge_outcome_id(enum sargs_purge_outcome o)
{
	return (unsigned)o < SARGS_PURGE__COUNT ? outcome_ids[o] : "?";
}

/* ---- comparing header names and consent cells: trimmed, any case */

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/* The next code point of s (len bytes) at *i; a byte that does not start a
 * well-formed sequence is taken as itself (the CSV reader checked UTF-8). */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
	unsigned char c = s[*i];
	size_t n = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;
	uint32_t cp = n == 1 ? (c & 0x1fu) : n == 2 ? (c & 0x0fu) : (c & 0x07u);

	if (c < 0x80 || n == 0 || *i + n >= len) {
		(*i)++;
		return c;
	}
	for (size_t k = 1; k <= n; k++) {
		if ((s[*i + k] & 0xc0) != 0x80) {
			(*i)++;
			return c;
		}
		cp = (cp << 6) | (s[*i + k] & 0x3fu);
	}
	*i += n + 1;
	return cp;
}

/* Lower case for ASCII, Latin-1 and Latin Extended-A (which holds every
 * Latvian letter: ā č ē ģ ī ķ ļ ņ š ū ž). */
static uint32_t fold_cp(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return c + 0x20;
	if ((c >= 0x100 && c <= 0x137 && (c & 1) == 0) || (c >= 0x139 && c <= 0x148 && (c & 1)) ||
	    (c >= 0x14a && c <= 0x177 && (c & 1) == 0) || (c >= 0x179 && c <= 0x17e && (c & 1)))
		return c + 1;
	return c;
}

/* 1 when a and b are equal once trimmed of spaces and folded to lower case. */
static int same_text(const char *a, const char *b)
{
	size_t al = strlen(a), bl = strlen(b), i = 0, j = 0;

	trim(&a, &al);
	trim(&b, &bl);
	while (i < al && j < bl) {
		if (fold_cp(next_cp((const unsigned char *)a, al, &i)) !=
		    fold_cp(next_cp((const unsigned char *)b, bl, &j)))
			return 0;
	}
	return i == al && j == bl;
}

enum sargs_rc sargs_legacy_value_status(const struct sargs_import_value *extra, size_t n_extra,
					const char *cell, enum sargs_legacy_status *out)
{
	static const struct sargs_import_value defaults[] = {
		{"", SARGS_LEGACY_NONE},
		{"nē", SARGS_LEGACY_NONE},
		{"ne", SARGS_LEGACY_NONE},
		{"no", SARGS_LEGACY_NONE},
		{"0", SARGS_LEGACY_NONE},
		{"none", SARGS_LEGACY_NONE},
		{"preticked", SARGS_LEGACY_PRETICKED},
		{"iepriekš atzīmēts", SARGS_LEGACY_PRETICKED},
		{"optout_offered", SARGS_LEGACY_OPTOUT_OFFERED},
		{"jā", SARGS_LEGACY_OPTOUT_OFFERED},
		{"ja", SARGS_LEGACY_OPTOUT_OFFERED},
		{"yes", SARGS_LEGACY_OPTOUT_OFFERED},
		{"1", SARGS_LEGACY_OPTOUT_OFFERED},
		{"reconfirmed", SARGS_LEGACY_RECONFIRMED},
		{"apstiprināts", SARGS_LEGACY_RECONFIRMED},
	};

	if (cell == NULL)
		return SARGS_E_INVALID;
	for (size_t i = 0; i < n_extra; i++) {
		if (extra[i].value != NULL && same_text(extra[i].value, cell)) {
			*out = extra[i].status;
			return SARGS_OK;
		}
	}
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (same_text(defaults[i].value, cell)) {
			*out = defaults[i].status;
			return SARGS_OK;
		}
	}
	return SARGS_E_INVALID;
}

/* ---- mapping files */

void sargs_import_mapping_free(struct sargs_import_mapping *m)
{
	if (m == NULL)
		return;
	free(m->columns);
	free(m->values);
	json_decref((json_t *)m->doc);
	free(m);
}

enum sargs_rc sargs_import_mapping_parse(const char *text, size_t len,
					 struct sargs_import_mapping **out, struct sargs_err *err)
{
	static const char *const keys[] = {"columns", "consent_column", "consent_values"};
	struct sargs_import_mapping *m;
	json_error_t jerr;
	json_t *doc, *cols, *vals, *cc, *v;
	const char *key;
	enum sargs_rc rc = SARGS_OK;

	*out = NULL;
	if (len > SARGS_IMPORT_MAPPING_MAX)
		return sargs_err_set(err, SARGS_E_INVALID, "the mapping file is larger than %u bytes",
				     SARGS_IMPORT_MAPPING_MAX);
	doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the mapping file is not valid JSON (line %d, column %d: %s)",
				     jerr.line, jerr.column, jerr.text);
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		json_decref(doc);
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	m->doc = doc;
	if (!json_is_object(doc)) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "the mapping file must be a JSON object");
		goto fail;
	}
	json_object_foreach(doc, key, v) {
		int known = 0;

		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			known |= strcmp(key, keys[i]) == 0;
		if (!known) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "unknown key \"%.64s\" in the mapping file (expected columns,"
					   " consent_column, consent_values)",
					   key);
			goto fail;
		}
	}
	cols = json_object_get(doc, "columns");
	if (!json_is_object(cols) || json_object_size(cols) == 0 ||
	    json_object_size(cols) > SARGS_IMPORT_COLUMNS_MAX) {
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "the mapping file needs \"columns\": an object of column: field"
				   " (1 to %d entries)",
				   SARGS_IMPORT_COLUMNS_MAX);
		goto fail;
	}
	m->columns = calloc(json_object_size(cols), sizeof(*m->columns));
	if (m->columns == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto fail;
	}
	json_object_foreach(cols, key, v) {
		if (!json_is_string(v)) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "\"columns\": the field of column \"%.64s\" must be a string",
					   key);
			goto fail;
		}
		m->columns[m->n_columns].column = key;
		m->columns[m->n_columns].field = json_string_value(v);
		m->n_columns++;
	}
	cc = json_object_get(doc, "consent_column");
	if (cc != NULL && !json_is_null(cc)) {
		if (!json_is_string(cc)) {
			rc = sargs_err_set(err, SARGS_E_INVALID, "\"consent_column\" must be a string");
			goto fail;
		}
		m->consent_column = json_string_value(cc);
	}
	vals = json_object_get(doc, "consent_values");
	if (vals != NULL && !json_is_null(vals)) {
		if (!json_is_object(vals) || json_object_size(vals) > SARGS_IMPORT_VALUES_MAX) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "\"consent_values\" must be an object of value: status (at"
					   " most %d)",
					   SARGS_IMPORT_VALUES_MAX);
			goto fail;
		}
		m->values = calloc(json_object_size(vals) + 1, sizeof(*m->values));
		if (m->values == NULL) {
			rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
			goto fail;
		}
		json_object_foreach(vals, key, v) {
			enum sargs_legacy_status st;

			if (!json_is_string(v) ||
			    sargs_legacy_status_parse(json_string_value(v), &st) != SARGS_OK) {
				rc = sargs_err_set(err, SARGS_E_INVALID,
						   "\"consent_values\": each value maps to none,"
						   " preticked, optout_offered or reconfirmed");
				goto fail;
			}
			m->values[m->n_values].value = key;
			m->values[m->n_values].status = st;
			m->n_values++;
		}
	}
	*out = m;
	return SARGS_OK;
fail:
	sargs_import_mapping_free(m);
	return rc;
}

/* ---- subjects imported by this run, by id: which line they came from */

struct idmap {
	unsigned char (*keys)[SARGS_UUID_BYTES];
	long *lines;      /* 0: empty slot */
	size_t cap, n;
	int full;         /* could not grow: lookups may miss */
};

static size_t idmap_slot(const unsigned char *key, size_t cap)
{
	uint64_t h = 0;

	/* the last 8 bytes of a UUIDv7 are random */
	for (int i = 8; i < 16; i++)
		h = (h << 8) | key[i];
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (size_t)(h & (cap - 1));
}

static int idmap_grow(struct idmap *m)
{
	size_t ncap = m->cap ? m->cap * 2 : 1024;
	unsigned char(*keys)[SARGS_UUID_BYTES] = calloc(ncap, sizeof(*keys));
	long *lines = calloc(ncap, sizeof(*lines));

	if (keys == NULL || lines == NULL) {
		free(keys);
		free(lines);
		return -1;
	}
	for (size_t i = 0; i < m->cap; i++) {
		size_t s;

		if (m->lines[i] == 0)
			continue;
		for (s = idmap_slot(m->keys[i], ncap); lines[s] != 0; s = (s + 1) & (ncap - 1))
			;
		memcpy(keys[s], m->keys[i], SARGS_UUID_BYTES);
		lines[s] = m->lines[i];
	}
	free(m->keys);
	free(m->lines);
	m->keys = keys;
	m->lines = lines;
	m->cap = ncap;
	return 0;
}

static void idmap_put(struct idmap *m, const char *id, long line)
{
	unsigned char key[SARGS_UUID_BYTES];
	size_t s;

	if (m->full || sargs_uuid_to_bytes(id, key) != SARGS_OK)
		return;
	if ((m->n + 1) * 2 > m->cap && idmap_grow(m) != 0) {
		m->full = 1;
		return;
	}
	for (s = idmap_slot(key, m->cap); m->lines[s] != 0; s = (s + 1) & (m->cap - 1))
		;
	memcpy(m->keys[s], key, SARGS_UUID_BYTES);
	m->lines[s] = line;
	m->n++;
}

static long idmap_get(const struct idmap *m, const char *id)
{
	unsigned char key[SARGS_UUID_BYTES];

	if (m->cap == 0 || sargs_uuid_to_bytes(id, key) != SARGS_OK)
		return 0;
	for (size_t s = idmap_slot(key, m->cap); m->lines[s] != 0; s = (s + 1) & (m->cap - 1))
		if (memcmp(m->keys[s], key, SARGS_UUID_BYTES) == 0)
			return m->lines[s];
	return 0;
}

static void idmap_free(struct idmap *m)
{
	free(m->keys);
	free(m->lines);
	memset(m, 0, sizeof(*m));
}

/* ---- the import */

struct plan_col {
	char field[FIELD_NAME_BYTES]; /* "" when the column is not imported */
	const char *kind;             /* "email", "phone", "personal_code" or NULL */
};

struct importer {
	struct sargs_reg *reg;
	const struct sargs_import_opts *o;
	struct sargs_import_summary *sum;
	struct plan_col *cols;
	size_t n_cols;
	long consent_col;             /* -1: the whole file has o->consent */
	/* each purpose's required fields, copied (the registry may be reloaded
	 * from the store when an outer transaction is undone) */
	char (*required)[2][FIELD_NAME_BYTES];
	size_t n_required;
	const char *source;
	struct idmap seen;
	int64_t now_us;
	/* the open batch */
	int in_batch;
	long batch_first, batch_last;
	int64_t b_rows, b_imported, b_refused, b_dups, b_zones[4];
	struct sargs_kv *kv;
};

static void refuse(struct importer *im, long line, enum sargs_import_refusal why,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void refuse(struct importer *im, long line, enum sargs_import_refusal why,
		   const char *fmt, ...)
{
	char msg[SARGS_ERR_BYTES];
	va_list ap;

	if (why == SARGS_IMPORT_R_DUPLICATE) {
		im->sum->duplicates++;
		im->b_dups++;
	} else {
		im->sum->refused++;
		im->sum->refused_by[why]++;
		im->b_refused++;
	}
	if (im->o->on_refused == NULL)
		return;
	va_start(ap, fmt);
	/* NOLINTNEXTLINE(clang-analyzer-valist.Uninitialized): va_start above */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	im->o->on_refused(im->o->ctx, line, why, msg);
}

static const char *kind_of(const struct sargs_field_def *fd)
{
	switch (fd->type) {
	case SARGS_FT_EMAIL: return "email";
	case SARGS_FT_PHONE: return "phone";
	case SARGS_FT_PERSONAL_CODE: return "personal_code";
	default: return NULL;
	}
}

static const char *kind_text(const char *kind)
{
	if (strcmp(kind, "email") == 0)
		return "e-mail";
	if (strcmp(kind, "phone") == 0)
		return "phone";
	return "personal code";
}

/* 1 when one of the import's purposes asks for field (minimisation). */
static int purposes_ask(const struct sargs_registry *r, const struct sargs_import_opts *o,
			const char *field)
{
	for (size_t i = 0; i < o->n_purposes; i++)
		if (sargs_purpose_field(sargs_registry_purpose(r, o->purposes[i]), field) != NULL)
			return 1;
	return 0;
}

/* A header text fit to be named in a message: short, printable. */
static int header_printable(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == '@')
			return 0;
	return 1;
}

static void note_ignored(struct sargs_import_summary *sum, const char *name)
{
	size_t used = strlen(sum->ignored), room = sizeof(sum->ignored) - used;

	if (!header_printable(name))
		name = "?";
	if (used >= 3 && strcmp(sum->ignored + used - 3, "...") == 0)
		return;
	if (strlen(name) + 2 + 5 >= room) {
		(void)snprintf(sum->ignored + used, room, "%s...", used ? ", " : "");
		return;
	}
	(void)snprintf(sum->ignored + used, room, "%s%s", used ? ", " : "", name);
}

/*
 * Decides what becomes of each column, from the header row and the options:
 * everything that would refuse every row is refused here, before anything
 * is stored.
 */
static enum sargs_rc make_plan(struct importer *im, const struct sargs_registry *r,
			       const struct sargs_csv_row *hdr, struct sargs_err *err)
{
	const struct sargs_import_opts *o = im->o;
	size_t mapped = 0;

	im->n_cols = hdr->n;
	im->cols = calloc(hdr->n, sizeof(*im->cols));
	if (im->cols == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	im->consent_col = -1;
	if (o->consent_column != NULL) {
		for (size_t c = 0; c < hdr->n; c++) {
			if (!same_text(hdr->fields[c], o->consent_column))
				continue;
			if (im->consent_col >= 0)
				return sargs_err_set(err, SARGS_E_INVALID,
						     "the header names the consent column \"%.64s\""
						     " twice",
						     o->consent_column);
			im->consent_col = (long)c;
		}
		if (im->consent_col < 0)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "the consent column \"%.64s\" is not in the file's header",
					     o->consent_column);
	}
	for (size_t i = 0; i < o->n_columns; i++) {
		const struct sargs_import_column *mc = &o->columns[i];
		const struct sargs_field_def *fd = mc->field ? sargs_registry_field(r, mc->field) : NULL;
		long found = -1;

		if (mc->column == NULL || fd == NULL)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "column \"%.64s\" is mapped to \"%.64s\", which is not a field"
					     " of the registry (see 'sargs purpose list')",
					     mc->column ? mc->column : "?",
					     mc->field && sargs_ident_valid(mc->field) ? mc->field : "?");
		/* GDPR Art. 5(1)(c): a column goes in only when a purpose needs it */
		if (!purposes_ask(r, o, fd->name))
			return sargs_err_set(err, SARGS_E_DENIED,
					     "column \"%.64s\" maps to field \"%s\", which none of the"
					     " purposes given asks for (data minimisation, GDPR"
					     " Art. 5(1)(c)); leave the column out or name a purpose"
					     " that needs it",
					     mc->column, fd->name);
		for (size_t c = 0; c < hdr->n; c++) {
			if (!same_text(hdr->fields[c], mc->column))
				continue;
			if (found >= 0)
				return sargs_err_set(err, SARGS_E_INVALID,
						     "the header names column \"%.64s\" twice",
						     mc->column);
			found = (long)c;
		}
		if (found < 0)
			return sargs_err_set(err, SARGS_E_INVALID,
					     "column \"%.64s\" is not in the file's header", mc->column);
		if (found == im->consent_col || im->cols[found].field[0] != '\0')
			return sargs_err_set(err, SARGS_E_INVALID,
					     "column \"%.64s\" is mapped twice", mc->column);
		for (size_t c = 0; c < hdr->n; c++)
			if (strcmp(im->cols[c].field, fd->name) == 0)
				return sargs_err_set(err, SARGS_E_INVALID,
						     "two columns are mapped to field \"%s\"", fd->name);
		(void)snprintf(im->cols[found].field, FIELD_NAME_BYTES, "%s", fd->name);
		im->cols[found].kind = kind_of(fd);
		mapped++;
	}
	if (o->n_columns == 0) {
		/* no mapping: the columns whose header is a field's name, when a
		 * purpose asks for that field */
		for (size_t c = 0; c < hdr->n; c++) {
			if ((long)c == im->consent_col)
				continue;
			for (size_t f = 0; f < r->n_fields; f++) {
				const struct sargs_field_def *fd = &r->fields[f];
				int taken = 0;

				if (!same_text(hdr->fields[c], fd->name) || !purposes_ask(r, o, fd->name))
					continue;
				for (size_t k = 0; k < c; k++)
					taken |= strcmp(im->cols[k].field, fd->name) == 0;
				if (taken)
					return sargs_err_set(err, SARGS_E_INVALID,
							     "two columns of the header name field \"%s\"",
							     fd->name);
				(void)snprintf(im->cols[c].field, FIELD_NAME_BYTES, "%s", fd->name);
				im->cols[c].kind = kind_of(fd);
				mapped++;
				break;
			}
		}
	}
	if (mapped == 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "no column of the file is mapped to a field the purposes ask for;"
				     " map them with COLUMN=FIELD (or a mapping file), or name the"
				     " columns after the fields");
	for (size_t c = 0; c < hdr->n; c++)
		if (im->cols[c].field[0] == '\0' && (long)c != im->consent_col)
			note_ignored(im->sum, hdr->fields[c]);
	/* a field a purpose requires must come from some column */
	for (size_t i = 0; i < o->n_purposes; i++) {
		const struct sargs_purpose *p = sargs_registry_purpose(r, o->purposes[i]);

		for (size_t k = 0; k < p->n_fields; k++) {
			int have = 0;
			char(*nr)[2][FIELD_NAME_BYTES];

			if (!p->fields[k].required)
				continue;
			for (size_t c = 0; c < hdr->n; c++)
				have |= strcmp(im->cols[c].field, p->fields[k].field) == 0;
			if (!have)
				return sargs_err_set(err, SARGS_E_INVALID,
						     "purpose \"%s\" requires field \"%s\", and no column"
						     " is mapped to it",
						     p->id, p->fields[k].field);
			nr = realloc(im->required, (im->n_required + 1) * sizeof(*nr));
			if (nr == NULL)
				return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
			im->required = nr;
			(void)snprintf(nr[im->n_required][0], FIELD_NAME_BYTES, "%s", p->id);
			(void)snprintf(nr[im->n_required][1], FIELD_NAME_BYTES, "%s",
				       p->fields[k].field);
			im->n_required++;
		}
	}
	return SARGS_OK;
}

/* Checks the options against the registry; fills the marketing purpose. */
static enum sargs_rc check_opts(struct importer *im, const struct sargs_registry *r,
				struct sargs_err *err)
{
	const struct sargs_import_opts *o = im->o;
	const struct sargs_purpose *mp = NULL;

	if (o->n_purposes == 0 || o->purposes == NULL)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "name the purposes the records are kept for");
	for (size_t i = 0; i < o->n_purposes; i++) {
		const struct sargs_purpose *p = sargs_registry_purpose(r, o->purposes[i]);

		if (p == NULL)
			return sargs_err_set(err, SARGS_E_NOTFOUND,
					     "no purpose \"%.64s\" in the registry; nothing was imported",
					     sargs_ident_valid(o->purposes[i]) ? o->purposes[i] : "?");
		if (o->marketing_purpose != NULL) {
			if (strcmp(p->id, o->marketing_purpose) == 0)
				mp = p;
		} else if (p->marketing.enabled) {
			if (mp != NULL)
				return sargs_err_set(err, SARGS_E_INVALID,
						     "purposes \"%s\" and \"%s\" are both direct"
						     " marketing; name the one the consent is for"
						     " (--marketing-purpose)",
						     mp->id, p->id);
			mp = p;
		}
	}
	if (mp == NULL && o->marketing_purpose != NULL)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the marketing purpose \"%.64s\" must be one of the purposes the"
				     " records are kept for",
				     sargs_ident_valid(o->marketing_purpose) ? o->marketing_purpose
									     : "?");
	if (mp == NULL)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "none of the purposes is direct marketing; the zones of a legacy"
				     " list are about marketing consent, so name the marketing"
				     " purpose among them");
	if (!mp->marketing.enabled)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "purpose \"%s\" is not direct marketing (it has no \"marketing\""
				     " section in the registry)",
				     mp->id);
	(void)snprintf(im->sum->marketing_purpose, sizeof(im->sum->marketing_purpose), "%s",
		       mp->id);
	if ((unsigned)o->consent >= SARGS_LEGACY__COUNT)
		return sargs_err_set(err, SARGS_E_INVALID, "unknown consent status");
	for (size_t i = 0; i < o->n_values; i++)
		if (o->values[i].value == NULL || (unsigned)o->values[i].status >= SARGS_LEGACY__COUNT)
			return sargs_err_set(err, SARGS_E_INVALID, "a consent value has no text or status");
	if (o->n_columns > SARGS_IMPORT_COLUMNS_MAX)
		return sargs_err_set(err, SARGS_E_INVALID, "more than %d mapped columns",
				     SARGS_IMPORT_COLUMNS_MAX);
	im->source = o->source != NULL ? o->source : "person";
	return SARGS_OK;
}

static enum sargs_rc batch_begin(struct importer *im, long line, struct sargs_err *err)
{
	enum sargs_rc rc = sargs_reg_begin(im->reg, err);

	if (rc != SARGS_OK)
		return rc;
	im->in_batch = 1;
	im->batch_first = line;
	im->batch_last = line;
	im->b_rows = im->b_imported = im->b_refused = im->b_dups = 0;
	memset(im->b_zones, 0, sizeof(im->b_zones));
	return SARGS_OK;
}

/* Ends the open batch with its audit entry and commits it; on failure the
 * batch is undone whole and the error says what was kept before. */
static enum sargs_rc batch_end(struct importer *im, struct sargs_err *err)
{
	struct sargs_import_summary *s = im->sum;
	char detail[320];
	struct sargs_err e2;
	enum sargs_rc rc;

	im->in_batch = 0;
	(void)snprintf(detail, sizeof(detail),
		       "import:%s batch:%lld lines:%ld-%ld rows:%lld imported:%lld refused:%lld"
		       " duplicates:%lld red:%lld grey:%lld green:%lld",
		       s->import_id, (long long)s->batches + 1, im->batch_first, im->batch_last,
		       (long long)im->b_rows, (long long)im->b_imported, (long long)im->b_refused,
		       (long long)im->b_dups, (long long)im->b_zones[SARGS_ZONE_RED],
		       (long long)im->b_zones[SARGS_ZONE_GREY],
		       (long long)im->b_zones[SARGS_ZONE_GREEN]);
	sargs_err_clear(&e2);
	rc = im->reg->poisoned ? SARGS_E_STORE
			       : sargs_reg_audit(im->reg, "import.batch", NULL, NULL,
						 s->marketing_purpose, detail, &e2);
	if (rc == SARGS_OK)
		rc = sargs_reg_commit(im->reg, &e2);
	else
		sargs_reg_rollback(im->reg);
	if (rc != SARGS_OK) {
		char upto[48] = "";

		s->stopped = 1;
		if (s->batches > 0)
			(void)snprintf(upto, sizeof(upto), " (up to line %ld)", s->last_line);
		return sargs_err_set(err, rc,
				     "the import stopped: the batch of lines %ld-%ld could not be"
				     " committed (%s) and was undone whole; %lld rows were committed"
				     " before it%s. Importing the file again reports those rows as"
				     " duplicates",
				     im->batch_first, im->batch_last,
				     e2.msg[0] ? e2.msg : sargs_rc_str(rc), (long long)s->imported,
				     upto);
	}
	s->batches++;
	s->last_line = im->batch_last;
	s->imported += im->b_imported;
	for (int z = 0; z < 4; z++)
		s->zones[z] += im->b_zones[z];
	if (im->o->on_batch != NULL)
		im->o->on_batch(im->o->ctx, s);
	return SARGS_OK;
}

/*
 * Looks for a subject with the same e-mail, phone or personal code as the
 * row (in the register, this run's earlier rows included: they are in the
 * same transaction). Returns SARGS_OK with *dup set when one is found;
 * a value that does not validate is left for sargs_subject_add to refuse.
 */
static enum sargs_rc find_duplicate(struct importer *im, long line, size_t n_kv,
				    const char *const *kinds, int *dup, struct sargs_err *err)
{
	*dup = 0;
	for (size_t i = 0; i < n_kv; i++) {
		char id[SARGS_UUID_STR];
		struct sargs_err e2;
		enum sargs_rc rc;
		int found = 0;
		long first;

		if (kinds[i] == NULL)
			continue;
		sargs_err_clear(&e2);
		/* an existence check through the blind index: nothing personal is
		 * read, so no audit entry (the add or the refusal is recorded) */
		rc = sargs_subject_exists_by(im->reg, kinds[i], im->kv[i].value, id, &found, &e2);
		if (rc == SARGS_E_INVALID)
			return SARGS_OK;
		if (rc != SARGS_OK)
			return sargs_err_set(err, rc, "%s", e2.msg);
		if (!found)
			continue;
		/* 002: one register, no duplicated records; never merged blindly */
		first = idmap_get(&im->seen, id);
		if (first > 0)
			refuse(im, line, SARGS_IMPORT_R_DUPLICATE, "duplicate of line %ld (same %s)",
			       first, kind_text(kinds[i]));
		else if (im->seen.full && strcmp(id, im->sum->import_id) > 0)
			refuse(im, line, SARGS_IMPORT_R_DUPLICATE,
			       "duplicate of an earlier row of this file (same %s)",
			       kind_text(kinds[i]));
		else
			refuse(im, line, SARGS_IMPORT_R_DUPLICATE,
			       "duplicate of an existing subject (same %s)", kind_text(kinds[i]));
		*dup = 1;
		return SARGS_OK;
	}
	return SARGS_OK;
}

/* Records the zone and consent knowledge of a new subject (003). */
static enum sargs_rc record_zone(struct importer *im, const char *id, long line,
				 enum sargs_legacy_status st)
{
	struct sargs_store_consent c;
	enum sargs_zone zone = sargs_legacy_zone(st);
	char receipt[256];
	enum sargs_rc rc;

	memset(&c, 0, sizeof(c));
	c.state = (int)sargs_legacy_consent(st);
	c.since_us = im->now_us;
	/* the old consent's own date is not known: the import stands for it */
	c.given_us = c.state == SARGS_CONSENT_GIVEN ? im->now_us : 0;
	/* the history event names the line and the import, never a value */
	(void)snprintf(receipt, sizeof(receipt),
		       "{\"event\":\"legacy.import\",\"status\":\"%s\",\"zone\":\"%s\","
		       "\"source_line\":%ld,\"import\":\"%s\"}",
		       sargs_legacy_status_id(st), sargs_zone_id(zone), line, im->sum->import_id);
	rc = sargs_store_consent_put(im->reg->store, id, im->sum->marketing_purpose, &c);
	if (rc == SARGS_OK)
		rc = sargs_store_consent_event_add(im->reg->store, id, im->sum->marketing_purpose,
						   "legacy.import", im->now_us, receipt);
	if (rc == SARGS_OK) {
		/* the zone, then the audience rows once, with everything known */
		struct sargs_store_facts f;
		void *owned = NULL;

		rc = sargs_store_facts_get(im->reg->store, id, &f, &owned);
		if (rc == SARGS_OK) {
			f.zone = (int)zone;
			rc = sargs_store_facts_put(im->reg->store, id, &f);
		}
		free(owned);
	}
	if (rc == SARGS_OK)
		rc = sargs_audience_refresh(im->reg, id);
	if (rc == SARGS_OK) {
		im->b_imported++;
		im->b_zones[zone]++;
	}
	return rc;
}

/* Imports one row; refusals are reported and counted, only failures of the
 * store (which stop the import) are returned. */
static enum sargs_rc import_row(struct importer *im, const struct sargs_csv_row *row,
				struct sargs_err *err)
{
	const struct sargs_import_opts *o = im->o;
	const char *kinds[SARGS_IMPORT_COLUMNS_MAX];
	struct sargs_subject_input in;
	enum sargs_legacy_status st = o->consent;
	char id[SARGS_UUID_STR];
	struct sargs_err e2;
	size_t n_kv = 0;
	int dup = 0;
	enum sargs_rc rc;

	if (row->n != im->n_cols) {
		refuse(im, row->line, SARGS_IMPORT_R_COLUMNS, "%zu fields, but the header has %zu",
		       row->n, im->n_cols);
		return SARGS_OK;
	}
	if (im->consent_col >= 0 &&
	    sargs_legacy_value_status(o->values, o->n_values, row->fields[im->consent_col], &st) !=
		    SARGS_OK) {
		refuse(im, row->line, SARGS_IMPORT_R_CONSENT,
		       "the consent column \"%.64s\" holds a value that is not one of the known"
		       " ones (none, preticked, optout_offered, reconfirmed, jā, nē, ...)",
		       o->consent_column);
		return SARGS_OK;
	}
	for (size_t c = 0; c < im->n_cols; c++) {
		const char *v = row->fields[c];
		size_t len = strlen(v);

		if (im->cols[c].field[0] == '\0')
			continue;
		trim(&v, &len);
		if (len == 0)
			continue; /* an empty cell is a value not known */
		row->fields[c][(size_t)(v - row->fields[c]) + len] = '\0';
		im->kv[n_kv].name = im->cols[c].field;
		im->kv[n_kv].value = v;
		kinds[n_kv] = im->cols[c].kind;
		n_kv++;
	}
	for (size_t i = 0; i < im->n_required; i++) {
		int have = 0;

		for (size_t k = 0; k < n_kv && !have; k++)
			have = strcmp(im->kv[k].name, im->required[i][1]) == 0;
		if (!have) {
			refuse(im, row->line, SARGS_IMPORT_R_MISSING,
			       "purpose \"%s\" requires field \"%s\", which is empty", im->required[i][0],
			       im->required[i][1]);
			return SARGS_OK;
		}
	}
	if ((rc = find_duplicate(im, row->line, n_kv, kinds, &dup, err)) != SARGS_OK || dup)
		return rc;
	memset(&in, 0, sizeof(in));
	in.purposes = o->purposes;
	in.n_purposes = o->n_purposes;
	in.source = im->source;
	in.source_name = o->source_name;
	in.fields = im->kv;
	in.n_fields = n_kv;
	in.defer_audience = 1; /* record_zone refreshes them once */
	sargs_err_clear(&e2);
	rc = sargs_subject_add(im->reg, &in, id, &e2);
	if (rc != SARGS_OK && im->reg->poisoned)
		return sargs_err_set(err, rc, "%s", e2.msg); /* failed half-way: the batch goes */
	if (rc == SARGS_E_INVALID || rc == SARGS_E_DENIED || rc == SARGS_E_EXISTS) {
		/* validation at the door: sargs_subject_add's own message, which
		 * names the field and the rule, never the value */
		refuse(im, row->line, SARGS_IMPORT_R_INVALID, "%s", e2.msg);
		return SARGS_OK;
	}
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "%s", e2.msg);
	if ((rc = record_zone(im, id, row->line, st)) != SARGS_OK) {
		/* the subject is written, its zone is not: the batch must go */
		sargs_reg_poison(im->reg);
		return sargs_err_set(err, rc, "cannot record the zone: %s",
				     sargs_store_errmsg(im->reg->store));
	}
	idmap_put(&im->seen, id, row->line);
	return SARGS_OK;
}

/* The line of a CSV reader's "line N: reason" message, or 0. */
static long csv_error_line(const struct sargs_err *e)
{
	char *end = NULL;
	long line;

	if (strncmp(e->msg, "line ", 5) != 0)
		return 0;
	line = strtol(e->msg + 5, &end, 10);
	return end != NULL && end[0] == ':' && line > 0 ? line : 0;
}

/* Reports a malformed CSV record with the reader's reason (which holds
 * positions and byte values, never contents). */
static void csv_refusal(struct importer *im, const struct sargs_err *e)
{
	long line = csv_error_line(e);
	const char *msg = line > 0 ? strchr(e->msg, ':') + 2 : e->msg;

	refuse(im, line, SARGS_IMPORT_R_CSV, "%s", msg);
}

enum sargs_rc sargs_import_csv(struct sargs_reg *reg, FILE *in,
			       const struct sargs_import_opts *opts,
			       struct sargs_import_summary *out, struct sargs_err *err)
{
	struct importer im;
	const struct sargs_registry *r;
	struct sargs_csv *csv = NULL;
	struct sargs_csv_row row;
	struct sargs_err e2;
	size_t batch_rows = opts->batch_rows ? opts->batch_rows : SARGS_IMPORT_BATCH_ROWS;
	int outer = 0;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&im, 0, sizeof(im));
	im.reg = reg;
	im.o = opts;
	im.sum = out;
	im.now_us = sargs_time_now_us();
	out->dry_run = opts->dry_run != 0;
	if (reg->poisoned || sargs_store_depth(reg->store) > 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "an import runs its own batches; do not start it inside a"
				     " transaction");
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = check_opts(&im, r, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_csv_open(in, opts->delim, &csv)) != SARGS_OK)
		return sargs_err_set(err, rc,
				     rc == SARGS_E_INVALID ? "the delimiter must be ',', ';' or TAB"
							   : "cannot read the file");
	out->delim = sargs_csv_delim(csv);
	sargs_err_clear(&e2);
	rc = sargs_csv_next(csv, &row, &e2);
	if (rc == SARGS_E_NOTFOUND) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "the file is empty: no header row");
		goto out;
	}
	if (rc != SARGS_OK) {
		rc = sargs_err_set(err, rc, "the header row cannot be read: %s", e2.msg);
		goto out;
	}
	if ((rc = make_plan(&im, r, &row, err)) != SARGS_OK)
		goto out;
	im.kv = calloc(im.n_cols, sizeof(*im.kv));
	if (im.kv == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = sargs_uuid_v7(im.now_us, out->import_id)) != SARGS_OK) {
		(void)sargs_err_set(err, rc, "cannot make an import id");
		goto out;
	}
	/* r is not used past here: undoing an outer transaction reloads it */
	if (opts->dry_run) {
		if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
			goto out;
		outer = 1;
	}
	for (;;) {
		enum sargs_rc csv_rc;
		long line;

		sargs_err_clear(&e2);
		csv_rc = sargs_csv_next(csv, &row, &e2);
		if (csv_rc == SARGS_E_NOTFOUND) {
			rc = SARGS_OK;
			break;
		}
		if (csv_rc != SARGS_OK && csv_rc != SARGS_E_INVALID) {
			rc = sargs_err_set(err, csv_rc, "cannot read the file after line %ld: %s",
					   im.in_batch ? im.batch_last : out->last_line, e2.msg);
			break;
		}
		line = csv_rc == SARGS_OK ? row.line : csv_error_line(&e2);
		out->rows++;
		if (!im.in_batch && (rc = batch_begin(&im, line, err)) != SARGS_OK)
			break;
		im.b_rows++;
		if (line > im.batch_last)
			im.batch_last = line;
		if (csv_rc == SARGS_E_INVALID) {
			csv_refusal(&im, &e2);
		} else if ((rc = import_row(&im, &row, err)) != SARGS_OK) {
			char what[SARGS_ERR_BYTES];

			(void)snprintf(what, sizeof(what), "%s", err->msg);
			sargs_reg_rollback(reg);
			im.in_batch = 0;
			out->stopped = 1;
			(void)sargs_err_set(err, rc,
					    "the import stopped at line %ld: %s; the batch of lines"
					    " %ld-%ld was undone whole and %lld rows were committed"
					    " before it. Importing the file again reports those rows as"
					    " duplicates",
					    line, what, im.batch_first, line, (long long)out->imported);
			break;
		}
		if ((size_t)im.b_rows >= batch_rows && (rc = batch_end(&im, err)) != SARGS_OK)
			break;
	}
	if (rc == SARGS_OK && im.in_batch)
		rc = batch_end(&im, err);
	if (rc != SARGS_OK && im.in_batch) {
		sargs_reg_rollback(reg);
		im.in_batch = 0;
	}
out:
	if (outer)
		sargs_reg_rollback(reg); /* a dry run: nothing stays */
	sargs_csv_close(csv);
	free(im.cols);
	free(im.required);
	free(im.kv);
	idmap_free(&im.seen);
	return rc;
}

/* ---- zones */

enum sargs_rc sargs_zones_count(struct sargs_reg *reg, int64_t counts[4], struct sargs_err *err)
{
	enum sargs_rc rc = sargs_store_zone_counts(reg->store, counts);

	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "cannot count the zones: %s",
				     sargs_store_errmsg(reg->store));
	return SARGS_OK;
}

enum sargs_rc sargs_zones_list(struct sargs_reg *reg, enum sargs_zone zone,
			       int (*cb)(void *ctx, const char *id), void *ctx,
			       struct sargs_err *err)
{
	enum sargs_rc rc;

	if (zone < SARGS_ZONE_RED || zone > SARGS_ZONE_GREEN)
		return sargs_err_set(err, SARGS_E_INVALID, "the zones are red, grey and green");
	if ((rc = sargs_store_begin_read(reg->store, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_zone_ids(reg->store, (int)zone, cb, ctx);
	if (rc != SARGS_OK) {
		(void)sargs_err_set(err, rc, "cannot list the zone: %s",
				    sargs_store_errmsg(reg->store));
		sargs_store_rollback(reg->store);
		return rc;
	}
	return sargs_store_commit(reg->store, err);
}

/* ---- id lists (binary ids: 16 bytes each) */

struct idlist {
	unsigned char (*ids)[SARGS_UUID_BYTES];
	struct sargs_store_reperm *rp;   /* with reperm_scan only */
	size_t n, cap;
	int oom;
};

static int idlist_add(struct idlist *l, const char *id, const struct sargs_store_reperm *rp)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 256;
		unsigned char(*ids)[SARGS_UUID_BYTES] = realloc(l->ids, ncap * sizeof(*ids));
		struct sargs_store_reperm *nrp;

		if (ids == NULL) {
			l->oom = 1;
			return 1;
		}
		l->ids = ids;
		nrp = realloc(l->rp, ncap * sizeof(*nrp));
		if (nrp == NULL) {
			l->oom = 1;
			return 1;
		}
		l->rp = nrp;
		l->cap = ncap;
	}
	if (sargs_uuid_to_bytes(id, l->ids[l->n]) != SARGS_OK)
		return 0;
	if (rp != NULL)
		l->rp[l->n] = *rp;
	l->n++;
	return 0;
}

static int zone_id_cb(void *ctx, const char *id)
{
	return idlist_add(ctx, id, NULL);
}

static int reperm_cb(void *ctx, const char *id, const struct sargs_store_reperm *rp)
{
	return idlist_add(ctx, id, rp);
}

static void idlist_free(struct idlist *l)
{
	free(l->ids);
	free(l->rp);
	memset(l, 0, sizeof(*l));
}

static enum sargs_rc store_err(struct sargs_reg *reg, enum sargs_rc rc, struct sargs_err *err,
			       const char *what)
{
	return sargs_err_set(err, rc, "cannot %s: %s", what, sargs_store_errmsg(reg->store));
}

/* One ask: GDPR Art. 21(3): whoever objected to direct marketing is not
 * asked for marketing consent (the ask is itself direct marketing). */
static enum sargs_rc ask_one(struct sargs_reg *reg, const char *id, int32_t deadline_day,
			     int64_t now, struct sargs_ask_result *out, struct sargs_err *err)
{
	struct sargs_store_facts f;
	struct sargs_store_reperm rp;
	char detail[96], date[SARGS_DATE_STR];
	void *owned = NULL;
	enum sargs_rc rc = sargs_store_facts_get(reg->store, id, &f, &owned);

	free(owned);
	if (rc != SARGS_OK)
		return store_err(reg, rc, err, "read the subject's facts");
	if (f.dm_objected_us != 0) {
		out->objected++;
		return SARGS_OK;
	}
	rc = sargs_store_reperm_get(reg->store, id, &rp);
	if (rc == SARGS_OK && rp.confirmed_us == 0) {
		out->already_asked++;
		return SARGS_OK;
	}
	if (rc != SARGS_OK && rc != SARGS_E_NOTFOUND)
		return store_err(reg, rc, err, "read the re-permission record");
	rp.asked_us = now;
	rp.deadline_day = deadline_day;
	rp.confirmed_us = 0;
	if ((rc = sargs_store_reperm_put(reg->store, id, &rp)) != SARGS_OK)
		return store_err(reg, rc, err, "record the re-permission request");
	sargs_time_format_date((int64_t)deadline_day * DAY_US, date, sizeof(date));
	(void)snprintf(detail, sizeof(detail), "deadline:%s zone:%s", date,
		       sargs_zone_id((enum sargs_zone)f.zone));
	if ((rc = sargs_reg_audit(reg, "repermission.ask", id, NULL, NULL, detail, err)) != SARGS_OK)
		return rc;
	out->asked++;
	return SARGS_OK;
}

enum sargs_rc sargs_zones_ask(struct sargs_reg *reg, unsigned zone_mask, int32_t deadline_day,
			      struct sargs_ask_result *out, struct sargs_err *err)
{
	struct idlist l;
	int64_t now = sargs_time_now_us();
	enum sargs_rc rc = SARGS_OK;
	size_t done = 0;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	if (zone_mask == 0 ||
	    (zone_mask & ~((1u << SARGS_ZONE_RED) | (1u << SARGS_ZONE_GREY))) != 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "re-permission asks the red and the grey zone (green is"
				     " re-confirmed already)");
	if (deadline_day <= sargs_today())
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the deadline must be after today: the people asked need time"
				     " to answer");
	if ((rc = sargs_store_begin_read(reg->store, err)) != SARGS_OK)
		return rc;
	for (int z = SARGS_ZONE_RED; z <= SARGS_ZONE_GREY && rc == SARGS_OK; z++)
		if (zone_mask & (1u << z))
			rc = sargs_store_zone_ids(reg->store, z, zone_id_cb, &l);
	{
		struct sargs_err e2;

		if (sargs_store_commit(reg->store, &e2) != SARGS_OK && rc == SARGS_OK)
			rc = e2.rc;
	}
	if (l.oom)
		rc = SARGS_E_NOMEM;
	if (rc != SARGS_OK) {
		idlist_free(&l);
		return store_err(reg, rc, err, "list the zones");
	}
	while (done < l.n && rc == SARGS_OK) {
		size_t end = done + SARGS_IMPORT_BATCH_ROWS < l.n ? done + SARGS_IMPORT_BATCH_ROWS : l.n;

		if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
			break;
		for (; done < end && rc == SARGS_OK; done++) {
			char id[SARGS_UUID_STR];

			sargs_uuid_from_bytes(l.ids[done], id);
			rc = ask_one(reg, id, deadline_day, now, out, err);
		}
		rc = sargs_reg_end(reg, rc, err);
	}
	idlist_free(&l);
	return rc;
}

struct mk_links {
	const struct sargs_registry *r;
	const char *only;     /* the one marketing purpose found, or NULL */
	int n;
};

static int mk_link_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct mk_links *m = ctx;
	const struct sargs_purpose *p = sargs_registry_purpose(m->r, purpose);

	(void)linked_us;
	if (p != NULL && p->marketing.enabled) {
		m->only = p->id;
		m->n++;
	}
	return 0;
}

enum sargs_rc sargs_zones_confirm(struct sargs_reg *reg, const char *id, const char *purpose,
				  const struct sargs_consent_proof *proof, char **receipt,
				  struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	struct sargs_store_facts f;
	struct sargs_store_reperm rp;
	char detail[96], pid[FIELD_NAME_BYTES];
	void *owned = NULL;
	int64_t now = sargs_time_now_us();
	enum sargs_rc rc;

	if (receipt != NULL)
		*receipt = NULL;
	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID, "not a subject id (expected a UUID)");
	if (proof == NULL)
		return sargs_err_set(err, SARGS_E_INVALID, "a re-confirmation needs its proof");
	/* 003; GDPR Art. 4(11): a pre-ticked box confirms nothing */
	if (proof->preticked)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "a pre-ticked box is not consent (003; GDPR Art. 4(11)) and"
				     " cannot re-confirm a legacy record");
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_subject_must_exist(reg, id, err)) != SARGS_OK)
		goto out;
	if ((rc = sargs_store_facts_get(reg->store, id, &f, &owned)) != SARGS_OK) {
		rc = store_err(reg, rc, err, "read the subject's facts");
		goto out;
	}
	if (f.zone == SARGS_ZONE_NONE) {
		rc = sargs_err_set(err, SARGS_E_INVALID,
				   "subject %s is not a legacy record (it has no zone); record its"
				   " consent with 'sargs consent give'",
				   id);
		goto out;
	}
	if (purpose == NULL) {
		struct mk_links m = {r, NULL, 0};

		if ((rc = sargs_store_links(reg->store, id, mk_link_cb, &m)) != SARGS_OK) {
			rc = store_err(reg, rc, err, "read the subject's purposes");
			goto out;
		}
		if (m.n != 1) {
			rc = sargs_err_set(err, SARGS_E_INVALID,
					   "the subject is linked to %d direct-marketing purposes;"
					   " name the one consented to (--purpose)",
					   m.n);
			goto out;
		}
		purpose = m.only;
	}
	p = sargs_registry_purpose(r, purpose);
	if (p == NULL || !p->marketing.enabled) {
		rc = sargs_err_set(err, p == NULL ? SARGS_E_NOTFOUND : SARGS_E_INVALID,
				   "re-permission is consent to direct marketing; \"%.64s\" is not a"
				   " direct-marketing purpose of the registry",
				   sargs_ident_valid(purpose) ? purpose : "?");
		goto out;
	}
	(void)snprintf(pid, sizeof(pid), "%s", p->id);
	if ((rc = sargs_consent_give(reg, id, pid, proof, receipt, err)) != SARGS_OK)
		goto out;
	if ((rc = sargs_facts_set_zone(reg, id, SARGS_ZONE_GREEN)) != SARGS_OK) {
		rc = store_err(reg, rc, err, "set the zone");
		goto out;
	}
	rc = sargs_store_reperm_get(reg->store, id, &rp);
	if (rc == SARGS_OK) {
		rp.confirmed_us = now;
		rc = sargs_store_reperm_put(reg->store, id, &rp);
	} else if (rc == SARGS_E_NOTFOUND) {
		rc = SARGS_OK; /* confirmed before anyone asked */
	}
	if (rc != SARGS_OK) {
		rc = store_err(reg, rc, err, "record the re-confirmation");
		goto out;
	}
	(void)snprintf(detail, sizeof(detail), "channel:%.32s zone:%s->green", proof->channel,
		       sargs_zone_id((enum sargs_zone)f.zone));
	rc = sargs_reg_audit(reg, "repermission.confirm", id, NULL, pid, detail, err);
out:
	free(owned);
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK && receipt != NULL) {
		free(*receipt);
		*receipt = NULL;
	}
	return rc;
}

/* ---- purge */

struct consent_seen {
	const struct sargs_registry *r;
	int64_t asked_us;
	int64_t fresh_us;                 /* latest consent given after the ask */
	char old[16][FIELD_NAME_BYTES];   /* marketing purposes with consent from before */
	size_t n_old;
};

static int consent_seen_cb(void *ctx, const char *purpose, const struct sargs_store_consent *c)
{
	struct consent_seen *cs = ctx;
	const struct sargs_purpose *p = sargs_registry_purpose(cs->r, purpose);

	if (p == NULL || !p->marketing.enabled || c->state != SARGS_CONSENT_GIVEN)
		return 0;
	if (c->given_us > cs->asked_us) {
		if (c->given_us > cs->fresh_us)
			cs->fresh_us = c->given_us;
	} else if (cs->n_old < sizeof(cs->old) / sizeof(cs->old[0])) {
		(void)snprintf(cs->old[cs->n_old++], FIELD_NAME_BYTES, "%s", purpose);
	}
	return 0;
}

struct link_list {
	char ids[64][FIELD_NAME_BYTES];
	size_t n;
};

static int link_list_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct link_list *l = ctx;

	(void)linked_us;
	if (l->n < sizeof(l->ids) / sizeof(l->ids[0]))
		(void)snprintf(l->ids[l->n++], FIELD_NAME_BYTES, "%s", purpose);
	return 0;
}

/*
 * The other legal basis that keeps a subject whose marketing consent was
 * not re-confirmed (003: "no other legal basis" -> erase): a linked purpose
 * that rests on GDPR Art. 6(1)(b)-(f), is not direct marketing, and that
 * the policy engine still allows today (within its retention). *keep gets
 * its id (from the registry), or NULL.
 */
static enum sargs_rc other_basis(struct sargs_reg *reg, const struct sargs_registry *r,
				 const char *id, int32_t today, const char **keep,
				 struct sargs_err *err)
{
	struct link_list links;
	enum sargs_rc rc;

	*keep = NULL;
	links.n = 0;
	if ((rc = sargs_store_links(reg->store, id, link_list_cb, &links)) != SARGS_OK)
		return store_err(reg, rc, err, "read the subject's purposes");
	for (size_t i = 0; i < links.n; i++) {
		const struct sargs_purpose *p = sargs_registry_purpose(r, links.ids[i]);
		struct sargs_policy_facts f;
		struct sargs_policy_decision d;

		if (p == NULL || p->basis == SARGS_BASIS_CONSENT || p->marketing.enabled)
			continue;
		if ((rc = sargs_policy_facts_load(reg, id, p, &f, err)) != SARGS_OK)
			return rc;
		sargs_policy_decide(p, 0, today, &f, &d);
		if (d.allowed) {
			*keep = p->id;
			return SARGS_OK;
		}
	}
	return SARGS_OK;
}

/* A kept subject's old marketing consents lapse: it was asked and did not
 * re-confirm, so the old consent is not relied on any more (003). */
static enum sargs_rc lapse_old(struct sargs_reg *reg, const char *id,
			       const struct consent_seen *cs, int32_t deadline_day, int64_t now)
{
	char receipt[160], date[SARGS_DATE_STR];
	enum sargs_rc rc = SARGS_OK;

	sargs_time_format_date((int64_t)deadline_day * DAY_US, date, sizeof(date));
	(void)snprintf(receipt, sizeof(receipt),
		       "{\"event\":\"legacy.lapsed\",\"reason\":\"not re-confirmed by the"
		       " deadline\",\"deadline\":\"%s\"}",
		       date);
	for (size_t i = 0; i < cs->n_old && rc == SARGS_OK; i++) {
		struct sargs_store_consent c;

		rc = sargs_store_consent_get(reg->store, id, cs->old[i], &c);
		if (rc != SARGS_OK)
			break;
		c.state = SARGS_CONSENT_NONE;
		c.since_us = now;
		c.given_us = 0;
		rc = sargs_store_consent_put(reg->store, id, cs->old[i], &c);
		if (rc == SARGS_OK)
			rc = sargs_store_consent_event_add(reg->store, id, cs->old[i], "legacy.lapsed",
							   now, receipt);
	}
	/* the campaign audience rows cache the consent state: recompute them */
	if (rc == SARGS_OK && cs->n_old > 0)
		rc = sargs_audience_refresh(reg, id);
	return rc;
}

static enum sargs_rc purge_one(struct sargs_reg *reg, const struct sargs_registry *r,
			       const char *id, const struct sargs_store_reperm *rp, int32_t today,
			       int64_t now, int dry_run, struct sargs_purge_item *item,
			       struct sargs_err *err)
{
	struct consent_seen cs;
	struct sargs_store_facts f;
	void *owned = NULL;
	char detail[160], date[SARGS_DATE_STR];
	enum sargs_rc rc;

	memset(&cs, 0, sizeof(cs));
	cs.r = r;
	cs.asked_us = rp->asked_us;
	item->id = id;
	item->purpose = NULL;
	item->deadline_day = rp->deadline_day;
	item->outcome = SARGS_PURGE_CONFIRMED;
	if (rp->confirmed_us != 0)
		return SARGS_OK;
	rc = sargs_store_facts_get(reg->store, id, &f, &owned);
	free(owned);
	if (rc != SARGS_OK)
		return store_err(reg, rc, err, "read the subject's facts");
	if (f.zone == SARGS_ZONE_GREEN)
		return SARGS_OK;
	if ((rc = sargs_store_consents(reg->store, id, consent_seen_cb, &cs)) != SARGS_OK)
		return store_err(reg, rc, err, "read the subject's consents");
	if (cs.fresh_us != 0) {
		/* consent given after the ask (e.g. 'sargs consent give') is the
		 * re-confirmation */
		struct sargs_store_reperm done = *rp;

		done.confirmed_us = cs.fresh_us;
		if (!dry_run &&
		    ((rc = sargs_facts_set_zone(reg, id, SARGS_ZONE_GREEN)) != SARGS_OK ||
		     (rc = sargs_store_reperm_put(reg->store, id, &done)) != SARGS_OK))
			return store_err(reg, rc, err, "record the re-confirmation");
		return SARGS_OK;
	}
	/* 003: until the deadline the person may still answer */
	if (today <= rp->deadline_day) {
		item->outcome = SARGS_PURGE_NOT_DUE;
		return SARGS_OK;
	}
	if ((rc = other_basis(reg, r, id, today, &item->purpose, err)) != SARGS_OK)
		return rc;
	sargs_time_format_date((int64_t)rp->deadline_day * DAY_US, date, sizeof(date));
	if (item->purpose != NULL) {
		item->outcome = SARGS_PURGE_KEPT;
		if (dry_run)
			return SARGS_OK;
		if ((rc = lapse_old(reg, id, &cs, rp->deadline_day, now)) != SARGS_OK)
			return store_err(reg, rc, err, "end the old consent");
		(void)snprintf(detail, sizeof(detail), "basis:%s deadline:%s", item->purpose, date);
		return sargs_reg_audit(reg, "repermission.kept", id, NULL, item->purpose, detail,
				       err);
	}
	item->outcome = SARGS_PURGE_ERASED;
	if (dry_run)
		return SARGS_OK;
	/* 003: not re-confirmed and no other legal basis: erased (GDPR
	 * Art. 5(1)(e), 17(1)(b)) */
	return sargs_subject_erase(reg, id, "retention", err);
}

enum sargs_rc sargs_zones_purge(struct sargs_reg *reg, int dry_run,
				void (*cb)(void *ctx, const struct sargs_purge_item *item),
				void *ctx, struct sargs_purge_summary *out, struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct idlist l;
	int32_t today = sargs_today();
	int64_t now = sargs_time_now_us();
	size_t done = 0;
	int outer = 0;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	memset(&l, 0, sizeof(l));
	out->dry_run = dry_run != 0;
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	outer = 1;
	rc = sargs_store_reperm_scan(reg->store, reperm_cb, &l);
	if (l.oom)
		rc = SARGS_E_NOMEM;
	if (rc != SARGS_OK) {
		rc = store_err(reg, rc, err, "read the re-permission records");
		goto out;
	}
	while (done < l.n) {
		size_t end = done + SARGS_IMPORT_BATCH_ROWS < l.n ? done + SARGS_IMPORT_BATCH_ROWS : l.n;

		for (; done < end; done++) {
			struct sargs_purge_item item;
			char id[SARGS_UUID_STR];

			sargs_uuid_from_bytes(l.ids[done], id);
			if ((rc = purge_one(reg, r, id, &l.rp[done], today, now, dry_run, &item, err)) !=
			    SARGS_OK)
				goto out;
			out->count[item.outcome]++;
			if (cb != NULL)
				cb(ctx, &item);
		}
		if (!dry_run && done < l.n) {
			/* commit every batch; the registry stays loaded */
			rc = sargs_reg_commit(reg, err);
			outer = 0;
			if (rc != SARGS_OK)
				goto out;
			if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
				goto out;
			outer = 1;
		}
	}
	if (!dry_run) {
		char detail[160];

		(void)snprintf(detail, sizeof(detail), "erased:%lld kept:%lld not_due:%lld confirmed:%lld",
			       (long long)out->count[SARGS_PURGE_ERASED],
			       (long long)out->count[SARGS_PURGE_KEPT],
			       (long long)out->count[SARGS_PURGE_NOT_DUE],
			       (long long)out->count[SARGS_PURGE_CONFIRMED]);
		rc = sargs_reg_audit(reg, "repermission.purge", NULL, NULL, NULL, detail, err);
		if (rc == SARGS_OK) {
			outer = 0;
			rc = sargs_reg_commit(reg, err);
		}
	}
out:
	if (outer)
		sargs_reg_rollback(reg);
	idlist_free(&l);
	return rc;
}
