/*
 * subject.c — data subjects: minimisation at the door, per-subject
 * encryption, purpose-bound reads, crypto-shredding erasure.
 *
 * Stored form of a subject (opaque to the store):
 *   fields:       repeated [u8 name length][name][u32 BE length][ciphertext]
 *                 where ciphertext = nonce || XChaCha20-Poly1305(value)
 *                 with the subject id and field name as authenticated data;
 *   index_hashes: repeated [u8 length][blind index] for typed fields.
 * Field names are not personal data; values never leave this file in the
 * clear except through a view handed to the caller.
 */
#include "domain/subject.h"
#include "crypto/field.h"
#include "domain/registry.h"
#include "domain/relation.h"
#include "domain/stats.h"
#include "util/namefold.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FIELDS 256
#define BLOB_LIMIT (64u * 1024 * 1024)

/* A field in the clear while a call works on it; value wiped on release. */
struct work_field {
	const struct sargs_field_def *def; /* NULL for _source */
	const char *name;
	char *value;
	size_t len;
	int changed;
};

struct work {
	struct work_field f[MAX_FIELDS];
	size_t n;
};

/* A new, empty work set (no need to clear the slots: n says what is used). */
static struct work *work_new(void)
{
	struct work *w = malloc(sizeof(*w));

	if (w != NULL)
		w->n = 0;
	return w;
}

static void work_release(struct work *w)
{
	for (size_t i = 0; i < w->n; i++) {
		if (w->f[i].value != NULL) {
			sargs_wipe(w->f[i].value, w->f[i].len);
			free(w->f[i].value);
		}
	}
	w->n = 0;
}

static struct work_field *work_get(struct work *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->f[i].name, name) == 0)
			return &w->f[i];
	return NULL;
}

/* Takes ownership of value. */
static enum sargs_rc work_put(struct work *w, const struct sargs_field_def *def,
			      const char *name, char *value, struct sargs_err *err)
{
	struct work_field *f = work_get(w, name);

	if (value == NULL)
		abort(); /* programmer error: callers check their allocations */
	if (f == NULL) {
		if (w->n >= MAX_FIELDS) {
			sargs_wipe(value, strlen(value));
			free(value);
			return sargs_err_set(err, SARGS_E_INVALID, "more than %d fields", MAX_FIELDS);
		}
		f = &w->f[w->n++];
		f->value = NULL;
	}
	if (f->value != NULL) {
		sargs_wipe(f->value, f->len);
		free(f->value);
	}
	f->def = def;
	f->name = def != NULL ? def->name : SARGS_SOURCE_FIELD;
	f->value = value;
	f->len = strlen(value);
	f->changed = 1;
	return SARGS_OK;
}

static void work_remove(struct work *w, const char *name)
{
	for (size_t i = 0; i < w->n; i++) {
		if (strcmp(w->f[i].name, name) == 0) {
			sargs_wipe(w->f[i].value, w->f[i].len);
			free(w->f[i].value);
			w->f[i] = w->f[--w->n];
			return;
		}
	}
}

/* ---- validation of values */

static int utf8_text_ok(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;
		uint32_t cp;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + n >= len)
			return 0;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/*
 * Validates and normalises a value for its field type. On success *out is a
 * new string (caller wipes and frees). Messages name the field, never the
 * value.
 */
static enum sargs_rc normalise(const struct sargs_field_def *fd, const char *in, char **out,
			       struct sargs_personal_code *pc_out, struct sargs_err *err)
{
	char buf[SARGS_EMAIL_MAX];
	struct sargs_err verr;
	struct sargs_personal_code pc;
	size_t len = strlen(in);

	memset(&pc, 0, sizeof(pc));
	const char *val = buf;
	enum sargs_rc rc = SARGS_OK;
	int64_t us;

	sargs_err_clear(&verr);
	if (len == 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "field \"%s\" is empty; to remove a value, unset the field",
				     fd->name);
	if (len > SARGS_FIELD_VALUE_MAX)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "field \"%s\" is %zu bytes long; the limit is %d bytes", fd->name,
				     len, SARGS_FIELD_VALUE_MAX);
	switch (fd->type) {
	case SARGS_FT_EMAIL:
		rc = sargs_validate_email(in, buf, sizeof(buf), &verr);
		break;
	case SARGS_FT_PHONE:
		rc = sargs_validate_phone(in, "371", buf, sizeof(buf), &verr);
		break;
	case SARGS_FT_PERSONAL_CODE:
		rc = sargs_validate_personal_code(in, &pc, &verr);
		if (rc == SARGS_OK) {
			val = pc.normalised;
			if (pc_out != NULL)
				*pc_out = pc;
		}
		break;
	case SARGS_FT_DATE:
		if (sargs_time_parse(in, &us) != SARGS_OK || len != 10) {
			rc = SARGS_E_INVALID;
			(void)sargs_err_set(&verr, rc, "expected a real date as YYYY-MM-DD");
		} else {
			val = in;
		}
		break;
	case SARGS_FT_TEXT:
	default:
		if (!utf8_text_ok((const unsigned char *)in, len)) {
			rc = SARGS_E_INVALID;
			(void)sargs_err_set(&verr, rc,
					    "not valid UTF-8 text (or holds control characters)");
		}
		val = in;
		break;
	}
	if (rc != SARGS_OK) {
		sargs_wipe(buf, sizeof(buf));
		sargs_wipe(&pc, sizeof(pc));
		return sargs_err_set(err, SARGS_E_INVALID, "field \"%s\": %s", fd->name, verr.msg);
	}
	*out = strdup(val);
	sargs_wipe(buf, sizeof(buf));
	sargs_wipe(&pc, sizeof(pc));
	if (*out == NULL) {
		(void)sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		return SARGS_E_NOMEM;
	}
	return SARGS_OK;
}

/* ---- purposes */

struct linkset {
	const char *ids[64];
	int64_t since[64];
	size_t n;
};

static int linkset_has(const struct linkset *ls, const char *id)
{
	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->ids[i], id) == 0)
			return 1;
	return 0;
}

/* Writes the ids of purposes that ask for field (comma-separated). */
static void purposes_asking(const struct sargs_registry *r, const char *field,
			    char *out, size_t out_size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < r->n_purposes && n < out_size; i++) {
		if (sargs_purpose_field(&r->purposes[i], field) != NULL)
			n += (size_t)snprintf(out + n, out_size - n, "%s%s", n ? ", " : "",
					      r->purposes[i].id);
	}
	if (out[0] == '\0')
		(void)snprintf(out, out_size, "none");
}

static void linkset_list(const struct linkset *ls, char *out, size_t out_size)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < ls->n && n < out_size; i++)
		n += (size_t)snprintf(out + n, out_size - n, "%s%s", n ? ", " : "", ls->ids[i]);
}

/*
 * Data minimisation (GDPR Art. 5(1)(c); 000; 002 §2): every field must be
 * asked for by a linked purpose (which implies the purpose uses the field's
 * data category; checked at registry load), and every linked purpose's
 * required fields must be present. "If you only send e-mail, don't ask for
 * the phone number" (000): a newsletter that lists only the e-mail gets no
 * phone even though both are contact data.
 */
static enum sargs_rc check_minimisation(const struct sargs_registry *r,
					const struct linkset *ls, const struct work *w,
					struct sargs_err *err)
{
	for (size_t i = 0; i < w->n; i++) {
		const struct sargs_field_def *fd = w->f[i].def;
		int covered = 0;

		if (fd == NULL)
			continue;
		for (size_t j = 0; j < ls->n && !covered; j++)
			covered = sargs_purpose_field(sargs_registry_purpose(r, ls->ids[j]),
						      fd->name) != NULL;
		if (!covered) {
			char linked[512], would[512];

			linkset_list(ls, linked, sizeof(linked));
			purposes_asking(r, fd->name, would, sizeof(would));
			return sargs_err_set(err, SARGS_E_DENIED,
					     "field \"%s\" (category %s) is not needed by the purposes"
					     " this person is linked to (%s); purposes that would allow"
					     " it: %s",
					     fd->name, fd->category, linked, would);
		}
	}
	for (size_t j = 0; j < ls->n; j++) {
		const struct sargs_purpose *p = sargs_registry_purpose(r, ls->ids[j]);

		for (size_t k = 0; k < p->n_fields; k++) {
			if (p->fields[k].required && work_get((struct work *)w, p->fields[k].field) == NULL)
				return sargs_err_set(err, SARGS_E_INVALID,
						     "purpose \"%s\" requires field \"%s\"", p->id,
						     p->fields[k].field);
		}
	}
	return SARGS_OK;
}

static enum sargs_rc check_purpose(const struct sargs_registry *r, const char *id,
				   struct sargs_err *err)
{
	if (id == NULL || sargs_registry_purpose(r, id) == NULL) {
		char all[512];
		size_t n = 0;

		all[0] = '\0';
		for (size_t i = 0; i < r->n_purposes && n < sizeof(all); i++)
			n += (size_t)snprintf(all + n, sizeof(all) - n, "%s%s", n ? ", " : "",
					      r->purposes[i].id);
		return sargs_err_set(err, SARGS_E_NOTFOUND, "unknown purpose \"%s\"; defined: %s",
				     sargs_ident_valid(id) ? id : "?", all);
	}
	return SARGS_OK;
}

/* Sets field name=value into w after checking and normalising it. */
static enum sargs_rc put_input(const struct sargs_registry *r, struct work *w,
			       const struct sargs_kv *kv, struct sargs_personal_code *pc,
			       int *have_pc, struct sargs_err *err)
{
	const struct sargs_field_def *fd;
	char *norm = NULL;
	enum sargs_rc rc;

	if (kv->name == NULL || kv->value == NULL)
		return sargs_err_set(err, SARGS_E_INVALID, "a field has no name or value");
	fd = sargs_registry_field(r, kv->name);
	if (fd == NULL) {
		char all[768];
		size_t n = 0;

		all[0] = '\0';
		for (size_t i = 0; i < r->n_fields && n < sizeof(all); i++)
			n += (size_t)snprintf(all + n, sizeof(all) - n, "%s%s", n ? ", " : "",
					      r->fields[i].name);
		return sargs_err_set(err, SARGS_E_INVALID,
				     "unknown field \"%s\"; the registry defines: %s",
				     sargs_ident_valid(kv->name) ? kv->name : "?", all);
	}
	rc = normalise(fd, kv->value, &norm, pc, err);
	if (rc != SARGS_OK)
		return rc;
	if (fd->type == SARGS_FT_PERSONAL_CODE && have_pc != NULL)
		*have_pc = 1;
	return work_put(w, fd, fd->name, norm, err);
}

/* Stores the birth date derived from a legacy personal code when a linked
 * purpose asks for a date field named birth_date and none was given. */
static enum sargs_rc derive_birth_date(const struct sargs_registry *r, const struct linkset *ls,
				       struct work *w, const struct sargs_personal_code *pc,
				       struct sargs_err *err)
{
	const struct sargs_field_def *fd = sargs_registry_field(r, "birth_date");
	char date[SARGS_DATE_STR];
	char *v;
	int covered = 0;

	if (fd == NULL || fd->type != SARGS_FT_DATE || !pc->has_birth_date ||
	    work_get(w, "birth_date") != NULL)
		return SARGS_OK;
	for (size_t j = 0; j < ls->n && !covered; j++)
		covered = sargs_purpose_field(sargs_registry_purpose(r, ls->ids[j]), fd->name) != NULL;
	if (!covered)
		return SARGS_OK;
	(void)snprintf(date, sizeof(date), "%04d-%02d-%02d", pc->birth_year, pc->birth_month,
		       pc->birth_day);
	v = strdup(date);
	sargs_wipe(date, sizeof(date));
	if (v == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	return work_put(w, fd, fd->name, v, err);
}

/* ---- sealing: encrypt the work set into the stored form */

static const char *index_kind(const struct sargs_field_def *fd)
{
	if (fd == NULL)
		return NULL;
	switch (fd->type) {
	case SARGS_FT_EMAIL: return "email";
	case SARGS_FT_PHONE: return "phone";
	case SARGS_FT_PERSONAL_CODE: return "personal_code";
	default: return NULL;
	}
}

/* The fields a name search looks in (namefold.h). */
static int is_name_field(const char *name)
{
	return strcmp(name, "first_name") == 0 || strcmp(name, "last_name") == 0;
}

/* The blind index record of a name word's short key (kind "name") or long
 * key (kind "name5"). */
static void name_key_hash(const struct sargs_reg *reg, const char *word, int longkey,
			  unsigned char h[1 + SARGS_BLIND_BYTES])
{
	char key[SARGS_NAME_KEY_MAX];

	sargs_name_key(word, longkey ? SARGS_NAME_KEY_LONG : SARGS_NAME_KEY_SHORT, key);
	h[0] = SARGS_BLIND_BYTES;
	sargs_blind_index(reg->keys, longkey ? "name5" : "name", key, h + 1);
	sargs_wipe(key, sizeof(key));
}

static int has_hash(const struct sargs_strbuf *hashes, const unsigned char *h)
{
	for (size_t o = 0; o + 1 <= hashes->len;) {
		size_t hl = (unsigned char)hashes->data[o];

		if (hl == h[0] && o + 1 + hl <= hashes->len &&
		    memcmp(hashes->data + o + 1, h + 1, hl) == 0)
			return 1;
		o += 1 + hl;
	}
	return 0;
}

struct name_keys {
	const struct sargs_reg *reg;
	struct sargs_strbuf *hashes;
	enum sargs_rc rc;
};

static int add_name_key(void *ctx, const char *word)
{
	struct name_keys *nk = ctx;
	unsigned char h[1 + SARGS_BLIND_BYTES];

	/* the short key of every word, the long one of a word that long; one
	 * row per key and subject ("Anna Anna", or two words alike) */
	for (int longkey = 0; longkey < 2 && nk->rc == SARGS_OK; longkey++) {
		if (longkey && sargs_name_letters(word) < SARGS_NAME_KEY_LONG)
			break;
		name_key_hash(nk->reg, word, longkey, h);
		if (!has_hash(nk->hashes, h))
			nk->rc = sargs_strbuf_add(nk->hashes, h, sizeof(h));
	}
	return nk->rc != SARGS_OK;
}

/* Adds the keys of a name field's words to hashes (each once). */
static enum sargs_rc index_name(const struct sargs_reg *reg, const char *value,
				struct sargs_strbuf *hashes)
{
	struct name_keys nk = {reg, hashes, SARGS_OK};

	(void)sargs_name_words(value, add_name_key, &nk);
	return nk.rc;
}

static enum sargs_rc seal(struct sargs_reg *reg, const struct sargs_dkey *dk, const char *id,
			  const struct work *w, struct sargs_strbuf *fields,
			  struct sargs_strbuf *hashes)
{
	unsigned char stackbuf[1024];
	enum sargs_rc rc = SARGS_OK;

	for (size_t i = 0; i < w->n && rc == SARGS_OK; i++) {
		const struct work_field *f = &w->f[i];
		size_t ctlen = f->len + SARGS_FIELD_OVERHEAD;
		unsigned char *ct = ctlen <= sizeof(stackbuf) ? stackbuf : malloc(ctlen);
		unsigned char nl = (unsigned char)strlen(f->name);
		const char *kind = index_kind(f->def);

		if (ct == NULL)
			return SARGS_E_NOMEM;
		sargs_field_encrypt(reg->keys, dk, id, f->name, f->value, f->len, ct);
		rc = sargs_strbuf_add(fields, &nl, 1);
		if (rc == SARGS_OK)
			rc = sargs_strbuf_add(fields, f->name, nl);
		if (rc == SARGS_OK)
			rc = sargs_strbuf_add_lv(fields, ct, ctlen);
		if (ct != stackbuf)
			free(ct);
		if (rc == SARGS_OK && kind != NULL) {
			unsigned char h[1 + SARGS_BLIND_BYTES];

			h[0] = SARGS_BLIND_BYTES;
			sargs_blind_index(reg->keys, kind, f->value, h + 1);
			rc = sargs_strbuf_add(hashes, h, sizeof(h));
		}
		if (rc == SARGS_OK && f->def != NULL && is_name_field(f->name))
			rc = index_name(reg, f->value, hashes);
	}
	return rc;
}

/* Iterates the packed fields blob. Returns 1 with the next record, 0 at the
 * end, -1 when the blob is malformed. */
static int unpack_next(const unsigned char *b, size_t len, size_t *off, char *name,
		       const unsigned char **ct, size_t *ctlen)
{
	size_t o = *off, nl, cl;

	if (o == len)
		return 0;
	nl = b[o++];
	if (nl == 0 || o + nl + 4 > len)
		return -1;
	memcpy(name, b + o, nl);
	name[nl] = '\0';
	o += nl;
	cl = ((size_t)b[o] << 24) | ((size_t)b[o + 1] << 16) | ((size_t)b[o + 2] << 8) | b[o + 3];
	o += 4;
	if (cl > len - o)
		return -1;
	*ct = b + o;
	*ctlen = cl;
	*off = o + cl;
	return 1;
}

/* ---- transactions: sargs_reg_begin joins the caller's or starts our own,
 * sargs_reg_end commits or rolls back */

/* Audit entries name every field and purpose; lists longer than an audit
 * entry may hold fail the call rather than being cut short. */
#define LIST_LIMIT 8192

/* Appends item to the comma-separated list in sb. */
static enum sargs_rc list_add(struct sargs_strbuf *sb, const char *item)
{
	enum sargs_rc rc = SARGS_OK;

	if (sb->len > 0)
		rc = sargs_strbuf_add(sb, ",", 1);
	return rc == SARGS_OK ? sargs_strbuf_adds(sb, item) : rc;
}

/* Lists the names of the fields in w (only the changed ones if asked). */
static enum sargs_rc join_names(const struct work *w, struct sargs_strbuf *sb, int changed_only)
{
	enum sargs_rc rc = SARGS_OK;

	for (size_t i = 0; i < w->n && rc == SARGS_OK; i++)
		if (!changed_only || w->f[i].changed)
			rc = list_add(sb, w->f[i].name);
	return rc;
}

static enum sargs_rc too_long(struct sargs_err *err)
{
	return sargs_err_set(err, SARGS_E_INVALID,
			     "too many fields or purposes to name in one audit entry");
}

static enum sargs_rc store_fail(struct sargs_reg *reg, enum sargs_rc rc, struct sargs_err *err,
				const char *what)
{
	return sargs_err_set(err, rc, "cannot %s (nothing was changed): %s", what,
			     sargs_store_errmsg(reg->store));
}

static enum sargs_rc write_sealed(struct sargs_reg *reg, const char *id,
				  const struct sargs_strbuf *hashes)
{
	enum sargs_rc rc = SARGS_OK;

	for (size_t o = 0; o + 1 <= hashes->len && rc == SARGS_OK;) {
		size_t hl = (unsigned char)hashes->data[o];

		rc = sargs_store_index_add(reg->store, (const unsigned char *)hashes->data + o + 1,
					   hl, id);
		o += 1 + hl;
	}
	return rc;
}

/*
 * Records what the policy engine needs from the fields (relation.h): the
 * channels the subject has a contact for, and the birth day (from the
 * birth_date field, else a legacy personal code). No birth source leaves
 * the age facts as they were.
 */
static enum sargs_rc write_facts(struct sargs_reg *reg, const char *id, const struct work *w)
{
	unsigned contacts = 0;
	int birth_known = 0;
	int32_t birth = 0;

	for (size_t i = 0; i < w->n; i++) {
		const struct sargs_field_def *fd = w->f[i].def;

		if (fd == NULL || w->f[i].value == NULL)
			continue;
		contacts |= sargs_field_channels(fd);
		if (fd->type == SARGS_FT_DATE && strcmp(fd->name, "birth_date") == 0) {
			int64_t us;

			if (sargs_time_parse(w->f[i].value, &us) == SARGS_OK) {
				birth = (int32_t)(us / 86400000000LL);
				birth_known = 1;
			}
		} else if (fd->type == SARGS_FT_PERSONAL_CODE && !birth_known) {
			struct sargs_personal_code pc;

			if (sargs_validate_personal_code(w->f[i].value, &pc, NULL) == SARGS_OK &&
			    pc.has_birth_date) {
				birth = (int32_t)sargs_days_from_civil(pc.birth_year, pc.birth_month,
								      pc.birth_day);
				birth_known = 1;
			}
			sargs_wipe(&pc, sizeof(pc));
		}
	}
	return sargs_facts_set_fields(reg, id, contacts, birth_known, birth);
}

int sargs_erase_reason_valid(const char *reason)
{
	static const char *const ok[] = {"request", "retention", "withdrawal", "objection",
					 "other", "restore"};

	for (size_t i = 0; reason != NULL && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(reason, ok[i]) == 0)
			return 1;
	return 0;
}

static int source_valid(const char *s)
{
	return s != NULL &&
	       (strcmp(s, "person") == 0 || strcmp(s, "third_party") == 0 ||
		strcmp(s, "public") == 0);
}

enum sargs_rc sargs_subject_add(struct sargs_reg *reg, const struct sargs_subject_input *in,
				char id_out[SARGS_UUID_STR], struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct work *w = NULL;
	struct linkset ls;
	struct sargs_personal_code pc;
	struct sargs_dkey *dk = NULL;
	struct sargs_strbuf fields, hashes;
	unsigned char wrapped[SARGS_WRAPPED_KEY_BYTES];
	char id[SARGS_UUID_STR];
	struct sargs_strbuf names, purposes;
	int have_pc = 0, nested;
	int64_t now = sargs_time_now_us();
	enum sargs_rc rc;

	sargs_strbuf_init(&fields, BLOB_LIMIT);
	sargs_strbuf_init(&hashes, 1 << 16);
	sargs_strbuf_init(&names, LIST_LIMIT);
	sargs_strbuf_init(&purposes, LIST_LIMIT);
	memset(&ls, 0, sizeof(ls));
	memset(&pc, 0, sizeof(pc));
	if (reg->poisoned)
		return sargs_err_set(err, SARGS_E_STORE,
				     "an earlier step of this batch failed; the batch must be rolled"
				     " back");
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if (in->n_purposes == 0)
		return sargs_err_set(err, SARGS_E_INVALID,
				     "name the purpose the data is collected for");
	if (in->n_purposes > 64)
		return sargs_err_set(err, SARGS_E_INVALID, "too many purposes");
	for (size_t i = 0; i < in->n_purposes; i++) {
		if ((rc = check_purpose(r, in->purposes[i], err)) != SARGS_OK)
			return rc;
		if (!linkset_has(&ls, in->purposes[i]))
			ls.ids[ls.n++] = in->purposes[i];
	}
	if (!source_valid(in->source))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "source must be person, third_party or public");
	if (strcmp(in->source, "person") == 0 && in->source_name != NULL &&
	    in->source_name[0] != '\0')
		return sargs_err_set(err, SARGS_E_INVALID,
				     "a source name is given only for data from a third party or a"
				     " public source");
	if (strcmp(in->source, "person") != 0 &&
	    (in->source_name == NULL || in->source_name[0] == '\0'))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "data not collected from the person needs its source named"
				     " (GDPR Art. 14(2)(f))");
	if (in->n_fields > MAX_FIELDS - 2)
		return sargs_err_set(err, SARGS_E_INVALID, "too many fields");
	w = work_new();
	if (w == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	for (size_t i = 0; i < in->n_fields; i++) {
		if (in->fields[i].name != NULL && work_get(w, in->fields[i].name) != NULL) {
			rc = sargs_err_set(err, SARGS_E_INVALID, "field \"%s\" is given twice",
					   sargs_ident_valid(in->fields[i].name) ? in->fields[i].name : "?");
			goto out;
		}
		if ((rc = put_input(r, w, &in->fields[i], &pc, &have_pc, err)) != SARGS_OK)
			goto out;
	}
	if (have_pc && (rc = derive_birth_date(r, &ls, w, &pc, err)) != SARGS_OK)
		goto out;
	if ((rc = check_minimisation(r, &ls, w, err)) != SARGS_OK)
		goto out;
	if (in->source_name != NULL && in->source_name[0] != '\0' &&
	    strcmp(in->source, "person") != 0) {
		static const struct sargs_field_def source_def = {
			SARGS_SOURCE_FIELD, "source", "", SARGS_FT_TEXT, 0};
		char *sn = NULL;

		if ((rc = normalise(&source_def, in->source_name, &sn, NULL, err)) != SARGS_OK ||
		    (rc = work_put(w, NULL, SARGS_SOURCE_FIELD, sn, err)) != SARGS_OK)
			goto out;
	}
	rc = join_names(w, &names, 0);
	for (size_t i = 0; i < ls.n && rc == SARGS_OK; i++)
		rc = list_add(&purposes, ls.ids[i]);
	if (rc != SARGS_OK) {
		rc = too_long(err);
		goto out;
	}

	if ((rc = sargs_uuid_v7(now, id)) != SARGS_OK ||
	    (rc = sargs_dkey_new(reg->keys, &dk)) != SARGS_OK) {
		(void)sargs_err_set(err, rc, "cannot create keys for the new subject");
		goto out;
	}
	sargs_dkey_wrap(reg->keys, dk, id, wrapped);
	if ((rc = seal(reg, dk, id, w, &fields, &hashes)) != SARGS_OK) {
		(void)sargs_err_set(err, rc, "cannot encrypt the subject's fields");
		goto out;
	}
	/*
	 * Everything that can be refused has been checked; from here on only
	 * the store can fail. Inside a caller's batch no savepoint is taken (it
	 * would cost a fifth of an add): a failure poisons the batch instead,
	 * and the batch's commit undoes it whole.
	 */
	nested = sargs_store_depth(reg->store) > 0;
	if (!nested && (rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		goto out;
	{
		struct sargs_store_subject s = {
			id, now, now, in->source, wrapped, sizeof(wrapped),
			(const unsigned char *)fields.data, fields.len,
			(const unsigned char *)hashes.data, hashes.len};

		rc = sargs_store_subject_insert(reg->store, &s);
	}
	if (rc == SARGS_OK)
		rc = write_sealed(reg, id, &hashes);
	for (size_t i = 0; i < ls.n && rc == SARGS_OK; i++)
		rc = sargs_store_link_add(reg->store, id, ls.ids[i], now);
	for (size_t i = 0; i < ls.n && rc == SARGS_OK; i++)
		rc = sargs_stats_count(reg, ls.ids[i], NULL, "subjects_added", 1);
	if (rc == SARGS_OK)
		rc = write_facts(reg, id, w);
	for (size_t i = 0; i < ls.n && rc == SARGS_OK && !in->defer_audience; i++) {
		/* audience rows for the marketing purposes it was collected for */
		if (sargs_registry_purpose(r, ls.ids[i])->marketing.enabled) {
			rc = sargs_audience_refresh(reg, id);
			break;
		}
	}
	if (rc != SARGS_OK && nested)
		(void)sargs_err_set(err, rc,
				    "cannot store the subject: %s; the batch it belongs to will be"
				    " undone whole when it is committed",
				    sargs_store_errmsg(reg->store));
	else if (rc != SARGS_OK)
		(void)store_fail(reg, rc, err, "store the subject");
	else
		rc = sargs_reg_audit(reg, "subject.add", id, names.data, purposes.data, in->source,
				     err);
	if (nested && rc != SARGS_OK)
		sargs_reg_poison(reg);
	else if (!nested)
		rc = sargs_reg_end(reg, rc, err);
	if (rc == SARGS_OK)
		memcpy(id_out, id, SARGS_UUID_STR);
out:
	sargs_dkey_free(dk);
	sargs_strbuf_free(&fields);
	sargs_strbuf_free(&hashes);
	sargs_strbuf_free(&names);
	sargs_strbuf_free(&purposes);
	sargs_wipe(&pc, sizeof(pc));
	if (w != NULL) {
		work_release(w);
		free(w);
	}
	return rc;
}

/* ---- loading a subject */

struct loaded {
	struct sargs_store_subject s;
	void *owned;
	struct linkset ls;
	char link_ids[64][64];
	struct sargs_dkey *dk;
};

static int link_cb(void *ctx, const char *purpose, int64_t linked_us)
{
	struct loaded *l = ctx;

	if (l->ls.n >= 64)
		return 1;
	(void)sargs_str_copy(l->link_ids[l->ls.n], sizeof(l->link_ids[0]), purpose);
	l->ls.ids[l->ls.n] = l->link_ids[l->ls.n];
	l->ls.since[l->ls.n] = linked_us;
	l->ls.n++;
	return 0;
}

static void loaded_free(struct loaded *l)
{
	sargs_dkey_free(l->dk);
	free(l->owned);
	memset(l, 0, sizeof(*l));
}

static enum sargs_rc load(struct sargs_reg *reg, const char *id, struct loaded *l,
			  struct sargs_err *err)
{
	enum sargs_rc rc;
	int64_t erased_us;

	memset(l, 0, sizeof(*l));
	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "that is not a subject id; a subject id looks like"
				     " 0190a5e2-7b1c-7d3e-8f00-123456789abc");
	rc = sargs_store_subject_get(reg->store, id, &l->s, &l->owned);
	if (rc == SARGS_E_NOTFOUND) {
		if (sargs_store_ledger_get(reg->store, id, &erased_us) == SARGS_OK) {
			char when[SARGS_TIME_STR];

			sargs_time_format(erased_us, when, sizeof(when));
			return sargs_err_set(err, SARGS_E_NOTFOUND,
					     "subject %s was erased on %s; nothing of it remains", id,
					     when);
		}
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no subject %s in this register", id);
	}
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "cannot read subject %s: %s", id,
				     sargs_store_errmsg(reg->store));
	rc = sargs_store_links(reg->store, id, link_cb, l);
	if (rc != SARGS_OK) {
		loaded_free(l);
		return sargs_err_set(err, rc, "cannot read the purposes of subject %s", id);
	}
	rc = sargs_dkey_unwrap(reg->keys, id, l->s.wrapped_key, l->s.wrapped_key_len, &l->dk);
	if (rc != SARGS_OK) {
		loaded_free(l);
		return sargs_err_set(err, SARGS_E_CRYPTO,
				     "the data key of subject %s does not open: the record was"
				     " altered or moved",
				     id);
	}
	return SARGS_OK;
}

/*
 * Decrypts into w the fields a read for purpose only may return (all known
 * fields when only is NULL). Fields the current registry no longer defines
 * are not decrypted; when keep_raw is given, their stored records are
 * copied into it unchanged, so that a rewrite of the record keeps them.
 */
static int name_in(const char *const *names, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

static enum sargs_rc decrypt_into(const struct sargs_registry *r, const struct loaded *l,
				  const struct sargs_purpose *only, const char *const *names,
				  size_t n_names, struct work *w, struct sargs_strbuf *keep_raw,
				  struct sargs_err *err)
{
	size_t off = 0;
	char name[256];
	const unsigned char *ct;
	size_t ctlen;
	int k;

	while ((k = unpack_next(l->s.fields, l->s.fields_len, &off, name, &ct, &ctlen)) == 1) {
		const struct sargs_field_def *fd = sargs_registry_field(r, name);
		char *plain = NULL;
		size_t plen = 0;
		enum sargs_rc rc;

		if (fd == NULL && strcmp(name, SARGS_SOURCE_FIELD) != 0) {
			/* a field the current registry no longer defines */
			unsigned char nl = (unsigned char)strlen(name);

			if (keep_raw != NULL &&
			    (sargs_strbuf_add(keep_raw, &nl, 1) != SARGS_OK ||
			     sargs_strbuf_add(keep_raw, name, nl) != SARGS_OK ||
			     sargs_strbuf_add_lv(keep_raw, ct, ctlen) != SARGS_OK))
				return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
			continue;
		}
		/* purpose-bound reads: only the fields the purpose asks for (each
		 * within its categories, checked when the registry was loaded) */
		if (only != NULL && fd != NULL && sargs_purpose_field(only, name) == NULL)
			continue;
		/* and of those, only the ones asked for (an export's columns) */
		if (names != NULL && !name_in(names, n_names, name))
			continue;
		rc = sargs_field_decrypt(l->dk, l->s.id, name, ct, ctlen, &plain, &plen);
		if (rc != SARGS_OK)
			return sargs_err_set(err, rc,
					     "field \"%s\" of subject %s does not decrypt: it was"
					     " altered or moved",
					     name, l->s.id);
		if ((rc = work_put(w, fd, name, plain, err)) != SARGS_OK)
			return rc;
		w->f[w->n - 1].changed = 0;
	}
	if (k < 0)
		return sargs_err_set(err, SARGS_E_CRYPTO, "the stored record of subject %s is damaged",
				     l->s.id);
	return SARGS_OK;
}

const char *sargs_subject_view_field(const struct sargs_subject_view *v, const char *name)
{
	for (size_t i = 0; i < v->n_fields; i++)
		if (strcmp(v->fields[i].name, name) == 0)
			return v->fields[i].value;
	return NULL;
}

void sargs_subject_view_free(struct sargs_subject_view *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v->fields != NULL && i < v->n_fields; i++) {
		if (v->fields[i].value != NULL) {
			sargs_wipe(v->fields[i].value, strlen(v->fields[i].value));
			free(v->fields[i].value);
		}
	}
	free(v->fields);
	free(v->links);
	if (v->source_name != NULL) {
		sargs_wipe(v->source_name, strlen(v->source_name));
		free(v->source_name);
	}
	memset(v, 0, sizeof(*v));
}

/* The purpose's fields without those of special categories (keep, at most
 * max), and those left out as a comma-separated list (withheld). Returns
 * how many were kept. */
static size_t without_special(const struct sargs_registry *r, const struct sargs_purpose *p,
			      const char **keep, size_t max, char *withheld, size_t wsize)
{
	size_t nk = 0, wl = 0;

	withheld[0] = '\0';
	keep[nk++] = SARGS_SOURCE_FIELD; /* where the data came from: always shown */
	for (size_t i = 0; i < p->n_fields; i++) {
		const char *name = p->fields[i].field;

		if (sargs_field_special(r, name)) {
			/* whole names only: one that does not fit is left off
			 * the list (it is withheld all the same) */
			size_t n = strlen(name) + (wl ? 1 : 0);

			if (wl + n < wsize) {
				(void)snprintf(withheld + wl, wsize - wl, "%s%s", wl ? "," : "", name);
				wl += n;
			}
		} else if (nk < max) {
			keep[nk++] = name;
		}
	}
	return nk;
}

#define SHOW_FIELDS_MAX 1024 /* the registry allows fewer fields per purpose */

/* Reads one subject for a purpose inside the current transaction;
 * hide_special: without the purpose's special categories (only when no
 * explicit field list is given). */
static int64_t linkset_since(const struct linkset *ls, const char *id)
{
	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->ids[i], id) == 0)
			return ls->since[i];
	return 0;
}

static enum sargs_rc show_in_tx(struct sargs_reg *reg, const struct sargs_registry *r,
				const char *id, const struct sargs_purpose *p,
				const char *const *only, size_t n_only, int hide_special,
				struct sargs_subject_check *check, const char *action,
				const char *detail, struct sargs_subject_view *out,
				struct sargs_err *err)
{
	struct loaded l;
	struct work *w;
	struct sargs_strbuf names;
	enum sargs_rc rc;
	char withheld[sizeof(out->withheld)], wdetail[sizeof(out->withheld) + 16];
	const char *keep[SHOW_FIELDS_MAX];

	memset(out, 0, sizeof(*out));
	withheld[0] = '\0';
	if (hide_special && p != NULL && only == NULL) {
		/* special categories only for those who may see them: the rest
		 * of the purpose's fields, read as an explicit list */
		size_t nk = without_special(r, p, keep, SHOW_FIELDS_MAX, withheld, sizeof(withheld));

		if (withheld[0]) {
			only = keep;
			n_only = nk;
			if (detail == NULL) {
				(void)snprintf(wdetail, sizeof(wdetail), "withheld=%s", withheld);
				detail = wdetail;
			}
		}
	}
	if ((rc = load(reg, id, &l, err)) != SARGS_OK)
		return rc;
	if (check != NULL && p != NULL &&
	    (rc = check->fn(check->ctx, reg, id, linkset_since(&l.ls, p->id), check->detail,
			    sizeof(check->detail), err)) != SARGS_OK) {
		loaded_free(&l);
		return rc;
	}
	/* purpose limitation (GDPR Art. 5(1)(b)): read only for a linked purpose
	 * (p is NULL only for the person's own copy of everything, Art. 15) */
	if (p != NULL && !linkset_has(&l.ls, p->id)) {
		char linked[512];

		linkset_list(&l.ls, linked, sizeof(linked));
		rc = sargs_err_set(err, SARGS_E_DENIED,
				   "subject %s is not linked to purpose \"%s\" (linked: %s); its data"
				   " may not be read for it",
				   id, p->id, linked[0] ? linked : "none");
		loaded_free(&l);
		return rc;
	}
	w = work_new();
	if (w == NULL) {
		loaded_free(&l);
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	sargs_strbuf_init(&names, LIST_LIMIT);
	rc = decrypt_into(r, &l, p, only, n_only, w, NULL, err);
	if (rc == SARGS_OK) {
		out->fields = calloc(w->n ? w->n : 1, sizeof(*out->fields));
		out->links = calloc(l.ls.n ? l.ls.n : 1, sizeof(*out->links));
		if (out->fields == NULL || out->links == NULL) {
			rc = SARGS_E_NOMEM;
			(void)sargs_err_set(err, rc, "out of memory");
		}
	}
	/* the audit entry names every field read, the source's name included */
	if (rc == SARGS_OK && join_names(w, &names, 0) != SARGS_OK)
		rc = too_long(err);
	if (rc == SARGS_OK) {
		size_t nf = 0;

		for (size_t i = 0; i < w->n; i++) {
			if (w->f[i].def == NULL) {
				out->source_name = w->f[i].value;
			} else {
				(void)sargs_str_copy(out->fields[nf].name, sizeof(out->fields[nf].name),
						     w->f[i].def->name);
				(void)sargs_str_copy(out->fields[nf].category,
						     sizeof(out->fields[nf].category),
						     w->f[i].def->category);
				out->fields[nf].value = w->f[i].value;
				nf++;
			}
			w->f[i].value = NULL; /* ownership moved to the view */
		}
		out->n_fields = nf;
		for (size_t i = 0; i < l.ls.n; i++) {
			(void)sargs_str_copy(out->links[i].purpose, sizeof(out->links[i].purpose),
					     l.ls.ids[i]);
			out->links[i].linked_us = l.ls.since[i];
		}
		out->n_links = l.ls.n;
		memcpy(out->id, l.s.id, SARGS_UUID_STR);
		out->created_us = l.s.created_us;
		out->updated_us = l.s.updated_us;
		(void)sargs_str_copy(out->source, sizeof(out->source), l.s.source);
		(void)sargs_str_copy(out->purpose, sizeof(out->purpose), p ? p->id : "");
		memcpy(out->withheld, withheld, sizeof(out->withheld));
		/* action NULL: the caller audits its whole batch (subject.h) */
		rc = action == NULL ? SARGS_OK
				    : sargs_reg_audit(reg, action, id, names.len ? names.data : NULL,
						      p ? p->id : NULL, detail, err);
	}
	sargs_strbuf_free(&names);
	work_release(w);
	free(w);
	loaded_free(&l);
	if (rc != SARGS_OK)
		sargs_subject_view_free(out);
	return rc;
}

/* sargs_subject_show, _limited and _checked. */
static enum sargs_rc show_for_purpose(struct sargs_reg *reg, const char *id, const char *purpose,
				      int hide_special, struct sargs_subject_check *check,
				      struct sargs_subject_view *out, struct sargs_err *err)
{
	const struct sargs_registry *r;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = check_purpose(r, purpose, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if (check != NULL)
		check->detail[0] = '\0';
	rc = show_in_tx(reg, r, id, sargs_registry_purpose(r, purpose), NULL, 0, hide_special,
			check, "subject.read", NULL, out, err);
	/* the audit entry is durable before the data leaves: commit first */
	rc = sargs_reg_end(reg, rc, err);
	if (rc == SARGS_E_DENIED) {
		/* a refused read is recorded too */
		struct sargs_err e2;

		if (sargs_reg_audit(reg, "subject.read.denied", id, NULL, purpose,
				    check != NULL && check->detail[0] ? check->detail
								      : "not linked to purpose",
				    &e2) != SARGS_OK)
			(void)sargs_err_set(err, e2.rc, "%s", e2.msg);
	}
	if (rc != SARGS_OK)
		sargs_subject_view_free(out);
	return rc;
}

enum sargs_rc sargs_subject_show(struct sargs_reg *reg, const char *id, const char *purpose,
				 struct sargs_subject_view *out, struct sargs_err *err)
{
	return show_for_purpose(reg, id, purpose, 0, NULL, out, err);
}

enum sargs_rc sargs_subject_show_limited(struct sargs_reg *reg, const char *id,
					 const char *purpose, int special_ok,
					 struct sargs_subject_view *out, struct sargs_err *err)
{
	return show_for_purpose(reg, id, purpose, !special_ok, NULL, out, err);
}

enum sargs_rc sargs_subject_show_checked(struct sargs_reg *reg, const char *id,
					 const char *purpose, int special_ok,
					 struct sargs_subject_check *check,
					 struct sargs_subject_view *out, struct sargs_err *err)
{
	return show_for_purpose(reg, id, purpose, !special_ok, check, out, err);
}

enum sargs_rc sargs_subject_read_fields(struct sargs_reg *reg, const char *id,
				       const char *purpose, const char *const *names,
				       size_t n_names, const char *action, const char *detail,
				       struct sargs_subject_view *out, struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = check_purpose(r, purpose, err)) != SARGS_OK)
		return rc;
	p = sargs_registry_purpose(r, purpose);
	for (size_t i = 0; i < n_names; i++)
		if (sargs_purpose_field(p, names[i]) == NULL)
			return sargs_err_set(err, SARGS_E_DENIED,
					     "purpose \"%s\" does not use field \"%.64s\"", p->id,
					     sargs_ident_valid(names[i]) ? names[i] : "?");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = show_in_tx(reg, r, id, p, names, n_names, 0, NULL, action, detail, out, err);
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK)
		sargs_subject_view_free(out);
	return rc;
}

enum sargs_rc sargs_subject_read_all(struct sargs_reg *reg, const char *id, const char *action,
				     const char *detail, struct sargs_subject_view *out,
				     struct sargs_err *err)
{
	const struct sargs_registry *r;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = show_in_tx(reg, r, id, NULL, NULL, 0, 0, NULL, action, detail, out, err);
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK)
		sargs_subject_view_free(out);
	return rc;
}

enum sargs_rc sargs_subject_field_names(struct sargs_reg *reg, const char *id,
				       char (*names)[64], size_t max, size_t *n,
				       struct sargs_err *err)
{
	struct sargs_store_subject st;
	void *owned = NULL;
	size_t off = 0;
	char name[256];
	const unsigned char *ct;
	size_t ctlen;
	int k;
	enum sargs_rc rc;

	*n = 0;
	rc = sargs_store_subject_get(reg->store, id, &st, &owned);
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, rc == SARGS_E_NOTFOUND ? "no subject %s"
								      : "cannot read subject %s",
				     sargs_uuid_valid(id) ? id : "?");
	while ((k = unpack_next(st.fields, st.fields_len, &off, name, &ct, &ctlen)) == 1) {
		size_t nl = strlen(name);

		if (strcmp(name, SARGS_SOURCE_FIELD) == 0 || *n >= max || nl >= 64)
			continue;
		memcpy(names[*n], name, nl + 1);
		(*n)++;
	}
	free(owned);
	if (k < 0)
		return sargs_err_set(err, SARGS_E_CRYPTO, "the stored record of subject %s is damaged",
				     id);
	return SARGS_OK;
}

enum sargs_rc sargs_subject_must_exist(struct sargs_reg *reg, const char *id,
				       struct sargs_err *err)
{
	struct sargs_store_subject s;
	void *owned = NULL;
	int64_t erased_us;
	enum sargs_rc rc;

	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID, "not a subject id (expected a UUID)");
	rc = sargs_store_subject_get(reg->store, id, &s, &owned);
	free(owned);
	if (rc == SARGS_OK)
		return SARGS_OK;
	if (rc != SARGS_E_NOTFOUND)
		return sargs_err_set(err, rc, "cannot read the subject: %s",
				     sargs_store_errmsg(reg->store));
	if (sargs_store_ledger_get(reg->store, id, &erased_us) == SARGS_OK) {
		char when[SARGS_DATE_STR];

		sargs_time_format_date(erased_us, when, sizeof(when));
		return sargs_err_set(err, SARGS_E_NOTFOUND, "subject %s was erased on %s", id, when);
	}
	return sargs_err_set(err, SARGS_E_NOTFOUND, "no subject %s", id);
}

/* ---- finding */

struct idlist {
	char (*ids)[SARGS_UUID_STR];
	size_t n, cap;
	int oom;
};

static int id_cb(void *ctx, const char *id)
{
	struct idlist *l = ctx;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		char(*p)[SARGS_UUID_STR] = realloc(l->ids, ncap * sizeof(*p));

		if (p == NULL) {
			l->oom = 1;
			return 1;
		}
		l->ids = p;
		l->cap = ncap;
	}
	(void)snprintf(l->ids[l->n++], SARGS_UUID_STR, "%s", id);
	return 0;
}

static enum sargs_rc find_in_tx(struct sargs_reg *reg, const char *kind, const char *value,
				struct idlist *found, struct sargs_err *err)
{
	struct sargs_field_def fd = {kind, kind, "", SARGS_FT_TEXT, 0};
	unsigned char h[SARGS_BLIND_BYTES];
	char *norm = NULL;
	enum sargs_rc rc;

	if (strcmp(kind, "email") == 0)
		fd.type = SARGS_FT_EMAIL;
	else if (strcmp(kind, "phone") == 0)
		fd.type = SARGS_FT_PHONE;
	else if (strcmp(kind, "personal_code") == 0)
		fd.type = SARGS_FT_PERSONAL_CODE;
	else
		return sargs_err_set(err, SARGS_E_INVALID,
				     "subjects can be found by email, phone or personal_code");
	if ((rc = normalise(&fd, value, &norm, NULL, err)) != SARGS_OK || norm == NULL)
		return rc != SARGS_OK ? rc : SARGS_E_NOMEM;
	sargs_blind_index(reg->keys, kind, norm, h);
	sargs_wipe(norm, strlen(norm));
	free(norm);
	rc = sargs_store_index_find(reg->store, h, sizeof(h), id_cb, found);
	if (found->oom)
		rc = SARGS_E_NOMEM;
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "cannot search the register");
	return SARGS_OK;
}

/* Keeps in l (sorted) only the ids also in m (sorted). */
static void intersect(struct idlist *l, const struct idlist *m)
{
	size_t i = 0, j = 0, k = 0;

	while (i < l->n && j < m->n) {
		int c = strcmp(l->ids[i], m->ids[j]);

		if (c == 0) {
			if (k != i)
				memcpy(l->ids[k], l->ids[i], SARGS_UUID_STR);
			k++;
			i++;
			j++;
		} else if (c < 0) {
			i++;
		} else {
			j++;
		}
	}
	l->n = k;
}

struct name_query {
	struct sargs_reg *reg;
	struct idlist found;
	int first;
	int full_keys; /* some word is at least a key long: shorter ones are skipped */
	enum sargs_rc rc;
};

static int is_short(const char *word)
{
	return sargs_name_letters(word) < SARGS_NAME_KEY_SHORT;
}

static int query_word(void *ctx, const char *word)
{
	struct name_query *q = ctx;
	unsigned char h[1 + SARGS_BLIND_BYTES];
	struct idlist one = {NULL, 0, 0, 0};

	/* a word shorter than a key matches longer names only as their
	 * beginning, which a key cannot show: the caller compares it */
	if (q->full_keys && is_short(word))
		return 0;
	/* the longest key the word has: a common beginning (ber) is shared
	 * by thousands at a million subjects, five letters (bergm) by few */
	name_key_hash(q->reg, word, sargs_name_letters(word) >= SARGS_NAME_KEY_LONG, h);
	/* one key's ids come in order: the index is keyed (hash, subject) */
	q->rc = sargs_store_index_find(q->reg->store, h + 1, SARGS_BLIND_BYTES, id_cb,
				       q->first ? (void *)&q->found : (void *)&one);
	if (q->rc == SARGS_OK && (q->found.oom || one.oom))
		q->rc = SARGS_E_NOMEM;
	if (q->rc == SARGS_OK && !q->first)
		intersect(&q->found, &one);
	free(one.ids);
	q->first = 0;
	return q->rc != SARGS_OK || q->found.n == 0;
}

enum sargs_rc sargs_subject_name_candidates(struct sargs_reg *reg, const char *query,
					    char (**ids)[SARGS_UUID_STR], size_t *n, size_t max,
					    int *more, struct sargs_err *err)
{
	struct name_query q = {reg, {NULL, 0, 0, 0}, 1, 0, SARGS_OK};
	size_t words;
	enum sargs_rc rc;

	*ids = NULL;
	*n = 0;
	*more = 0;
	q.full_keys = sargs_name_keyed_words(query) > 0;
	if ((rc = sargs_store_begin_read(reg->store, err)) != SARGS_OK)
		return rc;
	words = sargs_name_words(query, query_word, &q);
	{
		struct sargs_err e2;

		if (sargs_store_commit(reg->store, &e2) != SARGS_OK && q.rc == SARGS_OK)
			q.rc = e2.rc;
	}
	if (q.rc == SARGS_OK && words == 0)
		q.rc = sargs_err_set(err, SARGS_E_INVALID,
				     "type a name, or the first letters of its words");
	else if (q.rc != SARGS_OK)
		(void)sargs_err_set(err, q.rc, "cannot search the register's names");
	if (q.rc != SARGS_OK) {
		free(q.found.ids);
		return q.rc;
	}
	if (q.found.n > max) {
		q.found.n = max;
		*more = 1;
	}
	*ids = q.found.ids;
	*n = q.found.n;
	return SARGS_OK;
}

#define NAME_INDEX_META SARGS_META_NAME_INDEX
#define NAME_INDEX_BATCH 500

int sargs_subject_names_indexed(struct sargs_reg *reg)
{
	unsigned char *v = NULL;
	size_t n = 0;
	int yes = sargs_store_meta_get(reg->store, NAME_INDEX_META, &v, &n) == SARGS_OK && n == 1 &&
		  v[0] == '1';

	free(v);
	return yes;
}

/* Adds the name keys of subject id; *added 1 when it had names. */
static enum sargs_rc index_one(struct sargs_reg *reg, const struct sargs_registry *r,
			       const char *id, int *added)
{
	static const char *const name_fields[] = {"first_name", "last_name"};
	struct loaded l;
	struct sargs_strbuf hashes;
	struct sargs_err err;
	struct work *w;
	size_t before;
	enum sargs_rc rc;

	*added = 0;
	rc = load(reg, id, &l, &err);
	/* erased meanwhile, or a record that does not decrypt (every read of
	 * it fails and says so): neither may stop the index of the rest */
	if (rc == SARGS_E_NOTFOUND || rc == SARGS_E_CRYPTO)
		return SARGS_OK;
	if (rc != SARGS_OK)
		return rc;
	if ((w = work_new()) == NULL) {
		loaded_free(&l);
		return SARGS_E_NOMEM;
	}
	sargs_strbuf_init(&hashes, 64 * 1024);
	rc = sargs_strbuf_add(&hashes, (const char *)l.s.index_hashes, l.s.index_hashes_len);
	before = hashes.len;
	if (rc == SARGS_OK) {
		rc = decrypt_into(r, &l, NULL, name_fields, 2, w, NULL, &err);
		if (rc == SARGS_E_CRYPTO) {
			rc = SARGS_OK;
			work_release(w); /* left as it is */
		}
	}
	for (size_t i = 0; i < w->n && rc == SARGS_OK; i++)
		if (w->f[i].def != NULL && is_name_field(w->f[i].name))
			rc = index_name(reg, w->f[i].value, &hashes);
	if (rc == SARGS_OK && hashes.len > before) {
		struct sargs_store_subject s = l.s;
		struct sargs_strbuf added_keys;

		memset(&added_keys, 0, sizeof(added_keys));
		s.index_hashes = (const unsigned char *)hashes.data;
		s.index_hashes_len = hashes.len;
		rc = sargs_store_subject_update(reg->store, &s);
		/* only the new keys get rows */
		added_keys.data = hashes.data + before;
		added_keys.len = hashes.len - before;
		if (rc == SARGS_OK)
			rc = write_sealed(reg, id, &added_keys);
		*added = rc == SARGS_OK;
	}
	sargs_strbuf_free(&hashes);
	work_release(w);
	free(w);
	loaded_free(&l);
	return rc;
}

enum sargs_rc sargs_subject_index_names(struct sargs_reg *reg, int64_t *indexed,
					struct sargs_err *err)
{
	struct idlist all = {NULL, 0, 0, 0};
	const struct sargs_registry *r = NULL;
	enum sargs_rc rc;
	size_t i = 0;

	*indexed = 0;
	if (sargs_subject_names_indexed(reg))
		return SARGS_OK;
	rc = sargs_store_subject_ids(reg->store, id_cb, &all);
	if (rc == SARGS_OK && all.oom)
		rc = SARGS_E_NOMEM;
	if (rc != SARGS_OK) {
		free(all.ids);
		return sargs_err_set(err, rc, "cannot list the subjects to index their names");
	}
	/* subjects need purposes: without any there is no registry either */
	if (all.n > 0 && (rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK) {
		free(all.ids);
		return rc;
	}
	while (rc == SARGS_OK) {
		size_t end = i + NAME_INDEX_BATCH < all.n ? i + NAME_INDEX_BATCH : all.n;
		int last = end == all.n;

		if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
			break;
		for (; i < end && rc == SARGS_OK; i++) {
			int added = 0;

			rc = index_one(reg, r, all.ids[i], &added);
			*indexed += added;
		}
		if (rc != SARGS_OK)
			(void)sargs_err_set(err, rc, "cannot index the names of subject %s: %s",
					    all.ids[i - 1], sargs_store_errmsg(reg->store));
		if (rc == SARGS_OK && last) {
			char detail[64];

			/* subjects added meanwhile were indexed by their own add */
			rc = sargs_store_meta_put(reg->store, NAME_INDEX_META, "1", 1);
			(void)snprintf(detail, sizeof(detail), "name keys, subjects=%lld",
				       (long long)*indexed);
			if (rc == SARGS_OK)
				rc = sargs_reg_audit(reg, "subject.index", NULL, NULL, NULL, detail,
						     err);
		}
		rc = sargs_reg_end(reg, rc, err);
		if (last)
			break;
	}
	free(all.ids);
	return rc;
}

enum sargs_rc sargs_subject_exists_by(struct sargs_reg *reg, const char *kind,
				      const char *value, char id_out[SARGS_UUID_STR], int *found,
				      struct sargs_err *err)
{
	struct idlist l = {NULL, 0, 0, 0};
	enum sargs_rc rc = find_in_tx(reg, kind, value, &l, err);

	*found = 0;
	if (rc == SARGS_OK && l.n > 0) {
		*found = 1;
		memcpy(id_out, l.ids[0], SARGS_UUID_STR);
	}
	free(l.ids);
	return rc;
}

enum sargs_rc sargs_subject_find(struct sargs_reg *reg, const char *kind, const char *value,
				 char (**ids)[SARGS_UUID_STR], size_t *n, struct sargs_err *err)
{
	struct idlist found = {NULL, 0, 0, 0};
	enum sargs_rc rc;

	*ids = NULL;
	*n = 0;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = find_in_tx(reg, kind, value, &found, err);
	if (rc == SARGS_OK && found.n == 0)
		rc = sargs_reg_audit(reg, "subject.find", NULL, kind, NULL, "0 matches", err);
	for (size_t i = 0; i < found.n && rc == SARGS_OK; i++)
		rc = sargs_reg_audit(reg, "subject.find", found.ids[i], kind, NULL, NULL, err);
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK) {
		free(found.ids);
		return rc;
	}
	*ids = found.ids;
	*n = found.n;
	return SARGS_OK;
}

enum sargs_rc sargs_subject_lookup(struct sargs_reg *reg, const char *kind, const char *value,
				   const char *purpose, struct sargs_subject_view **views,
				   size_t *n, struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct idlist found = {NULL, 0, 0, 0};
	struct sargs_subject_view *v = NULL;
	size_t nv = 0;
	enum sargs_rc rc;

	*views = NULL;
	*n = 0;
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if ((rc = check_purpose(r, purpose, err)) != SARGS_OK)
		return rc;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = find_in_tx(reg, kind, value, &found, err);
	if (rc == SARGS_OK && found.n == 0)
		rc = sargs_reg_audit(reg, "subject.find", NULL, kind, purpose, "0 matches", err);
	if (rc == SARGS_OK && found.n > 0) {
		v = calloc(found.n, sizeof(*v));
		if (v == NULL)
			rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	for (size_t i = 0; i < found.n && rc == SARGS_OK; i++) {
		struct sargs_err e2;

		sargs_err_clear(&e2);
		rc = show_in_tx(reg, r, found.ids[i], sargs_registry_purpose(r, purpose), NULL, 0, 0,
				NULL, "subject.read", NULL, &v[nv], &e2);
		if (rc == SARGS_E_DENIED) {
			/* a match not linked to this purpose is left out, and the
			 * attempt is recorded */
			rc = sargs_reg_audit(reg, "subject.read.denied", found.ids[i], NULL, purpose,
					     "not linked to purpose", err);
			continue;
		}
		if (rc != SARGS_OK)
			(void)sargs_err_set(err, rc, "%s", e2.msg);
		else
			nv++;
	}
	free(found.ids);
	rc = sargs_reg_end(reg, rc, err);
	if (rc != SARGS_OK) {
		for (size_t i = 0; i < nv; i++)
			sargs_subject_view_free(&v[i]);
		free(v);
		return rc;
	}
	*views = v;
	*n = nv;
	return SARGS_OK;
}

/* ---- editing */

enum sargs_rc sargs_subject_edit(struct sargs_reg *reg, const char *id,
				 const struct sargs_subject_change *ch, struct sargs_err *err)
{
	const struct sargs_registry *r;
	struct loaded l;
	struct work *w = NULL;
	struct linkset ls;
	struct sargs_personal_code pc;
	struct sargs_strbuf fields, hashes, names, detail, kept;
	int have_pc = 0, loaded_ok = 0;
	int64_t now = sargs_time_now_us();
	enum sargs_rc rc;

	sargs_strbuf_init(&fields, BLOB_LIMIT);
	sargs_strbuf_init(&hashes, 1 << 16);
	sargs_strbuf_init(&names, LIST_LIMIT);
	sargs_strbuf_init(&detail, LIST_LIMIT);
	sargs_strbuf_init(&kept, BLOB_LIMIT);
	memset(&pc, 0, sizeof(pc));
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	if (ch->n_set + ch->n_unset + ch->n_link + ch->n_unlink == 0)
		return sargs_err_set(err, SARGS_E_INVALID, "nothing to change");
	for (size_t i = 0; i < ch->n_link; i++)
		if ((rc = check_purpose(r, ch->link[i], err)) != SARGS_OK)
			return rc;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	if ((rc = load(reg, id, &l, err)) != SARGS_OK)
		goto out;
	loaded_ok = 1;
	w = work_new();
	if (w == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = decrypt_into(r, &l, NULL, NULL, 0, w, &kept, err)) != SARGS_OK)
		goto out;
	ls = l.ls;
	for (size_t i = 0; i < ch->n_unlink; i++) {
		size_t k;

		for (k = 0; k < ls.n && strcmp(ls.ids[k], ch->unlink[i]) != 0; k++)
			;
		if (k == ls.n) {
			rc = sargs_err_set(err, SARGS_E_NOTFOUND,
					   "subject is not linked to purpose \"%.64s\"",
					   sargs_ident_valid(ch->unlink[i]) ? ch->unlink[i] : "?");
			goto out;
		}
		ls.ids[k] = ls.ids[--ls.n];
		if (sargs_strbuf_addf(&detail, "%sunlink:%s", detail.len ? " " : "",
				      ch->unlink[i]) != SARGS_OK) {
			rc = too_long(err);
			goto out;
		}
		if ((rc = sargs_store_link_remove(reg->store, id, ch->unlink[i])) != SARGS_OK) {
			(void)store_fail(reg, rc, err, "change the subject's purposes");
			goto out;
		}
	}
	for (size_t i = 0; i < ch->n_link; i++) {
		if (linkset_has(&ls, ch->link[i]))
			continue;
		if (ls.n >= 64) {
			rc = sargs_err_set(err, SARGS_E_INVALID, "too many purposes");
			goto out;
		}
		ls.ids[ls.n++] = sargs_registry_purpose(r, ch->link[i])->id;
		if (sargs_strbuf_addf(&detail, "%slink:%s", detail.len ? " " : "", ch->link[i]) !=
		    SARGS_OK) {
			rc = too_long(err);
			goto out;
		}
		if ((rc = sargs_store_link_add(reg->store, id, ch->link[i], now)) != SARGS_OK ||
		    (rc = sargs_stats_count(reg, ch->link[i], NULL, "subjects_added", 1)) !=
			    SARGS_OK) {
			(void)store_fail(reg, rc, err, "change the subject's purposes");
			goto out;
		}
	}
	if (ls.n == 0) {
		rc = sargs_err_set(err, SARGS_E_DENIED,
				   "a subject must stay linked to at least one purpose; to remove the"
				   " person, erase them");
		goto out;
	}
	for (size_t i = 0; i < ch->n_unset; i++) {
		if (strcmp(ch->unset[i], SARGS_SOURCE_FIELD) == 0 || work_get(w, ch->unset[i]) == NULL) {
			rc = sargs_err_set(err, SARGS_E_NOTFOUND, "field \"%.64s\" is not set",
					   sargs_ident_valid(ch->unset[i]) ? ch->unset[i] : "?");
			goto out;
		}
		work_remove(w, ch->unset[i]);
	}
	for (size_t i = 0; i < ch->n_set; i++)
		if ((rc = put_input(r, w, &ch->set[i], &pc, &have_pc, err)) != SARGS_OK)
			goto out;
	if (have_pc && (rc = derive_birth_date(r, &ls, w, &pc, err)) != SARGS_OK)
		goto out;
	if ((rc = check_minimisation(r, &ls, w, err)) != SARGS_OK)
		goto out;
	rc = join_names(w, &names, 1);
	for (size_t i = 0; i < ch->n_unset && rc == SARGS_OK; i++)
		rc = list_add(&names, ch->unset[i]);
	if (rc != SARGS_OK) {
		rc = too_long(err);
		goto out;
	}
	if ((rc = seal(reg, l.dk, id, w, &fields, &hashes)) != SARGS_OK ||
	    (rc = sargs_strbuf_add(&fields, kept.data, kept.len)) != SARGS_OK) {
		(void)sargs_err_set(err, rc, "cannot encrypt the subject's fields");
		goto out;
	}
	{
		struct sargs_store_subject s = l.s;
		size_t off = 0;

		/* drop the old blind index rows, then write the new ones */
		while (off < l.s.index_hashes_len && rc == SARGS_OK) {
			size_t hl = l.s.index_hashes[off];

			if (off + 1 + hl > l.s.index_hashes_len)
				break;
			rc = sargs_store_index_remove(reg->store, l.s.index_hashes + off + 1, hl, id);
			off += 1 + hl;
		}
		s.updated_us = now;
		s.fields = (const unsigned char *)fields.data;
		s.fields_len = fields.len;
		s.index_hashes = (const unsigned char *)hashes.data;
		s.index_hashes_len = hashes.len;
		if (rc == SARGS_OK)
			rc = sargs_store_subject_update(reg->store, &s);
		if (rc == SARGS_OK)
			rc = write_sealed(reg, id, &hashes);
		if (rc == SARGS_OK)
			rc = write_facts(reg, id, w);
		if (rc == SARGS_OK)
			rc = sargs_audience_refresh(reg, id);
		if (rc != SARGS_OK) {
			(void)store_fail(reg, rc, err, "store the change");
			goto out;
		}
	}
	rc = sargs_reg_audit(reg, "subject.edit", id, names.len ? names.data : NULL, NULL,
			     detail.len ? detail.data : NULL, err);
	/* replaced or removed ciphertexts must not linger in the log */
	if (rc == SARGS_OK)
		sargs_reg_want_compaction(reg);
out:
	rc = sargs_reg_end(reg, rc, err);
	if (loaded_ok)
		loaded_free(&l);
	sargs_strbuf_free(&fields);
	sargs_strbuf_free(&hashes);
	sargs_strbuf_free(&names);
	sargs_strbuf_free(&detail);
	sargs_strbuf_free(&kept);
	sargs_wipe(&pc, sizeof(pc));
	if (w != NULL) {
		work_release(w);
		free(w);
	}
	return rc;
}

/* ---- erasure */

enum sargs_rc sargs_subject_erase(struct sargs_reg *reg, const char *id, const char *reason,
				  struct sargs_err *err)
{
	int64_t now = sargs_time_now_us(), erased_us;
	struct sargs_stats_links links;
	enum sargs_rc rc;

	if (!sargs_erase_reason_valid(reason))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "the reason must be request, retention, withdrawal, objection"
				     " or other");
	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "that is not a subject id; a subject id looks like"
				     " 0190a5e2-7b1c-7d3e-8f00-123456789abc");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	/* the links go with the erasure: read them for the statistics first */
	rc = sargs_stats_links_load(reg, id, &links);
	if (rc == SARGS_OK)
		rc = sargs_store_subject_erase(reg->store, id, now);
	if (rc == SARGS_E_NOTFOUND) {
		if (sargs_store_ledger_get(reg->store, id, &erased_us) == SARGS_OK) {
			char when[SARGS_TIME_STR];

			sargs_time_format(erased_us, when, sizeof(when));
			(void)sargs_err_set(err, rc, "subject %s was already erased on %s", id, when);
		} else {
			(void)sargs_err_set(err, rc, "no subject %s in this register", id);
		}
	} else if (rc != SARGS_OK) {
		(void)store_fail(reg, rc, err, "erase the subject");
	} else if ((rc = sargs_stats_count_links(reg, &links, "subjects_erased")) != SARGS_OK) {
		(void)store_fail(reg, rc, err, "count the erasure");
	} else {
		rc = sargs_reg_audit(reg, "subject.erase", id, NULL, NULL, reason, err);
	}
	/* after the outermost commit, truncate the log so erased pages do not
	 * linger in it */
	if (rc == SARGS_OK)
		sargs_reg_want_compaction(reg);
	return sargs_reg_end(reg, rc, err);
}
