/*
 * pseudo.c — pseudonymised exports and re-identification (see pseudo.h).
 *
 * Both walk the subjects linked to one purpose (the retention sweep's link
 * scan, filtered), inside one transaction. The export decides each
 * subject with the policy engine, reads the fields without a per-subject
 * audit entry (the export holds no identities, so its one entry names
 * none) and keeps the rows in memory until that entry is committed.
 */
#include "domain/pseudo.h"

#include "domain/policy.h"
#include "domain/relation.h"
#include "domain/subject.h"
#include "store/store_rights.h"
#include "util/strbuf.h"

#include <stdlib.h>
#include <string.h>

#define EXPORT_LIMIT (256u * 1024 * 1024) /* bytes of one export */
#define MAX_IDS 50000000

/* ---- the subjects linked to a purpose */

struct id_list {
	const char *purpose;
	char (*ids)[SARGS_UUID_STR];
	size_t n, cap;
	int failed;
};

static int link_cb(void *ctx, const struct sargs_store_link_facts *l)
{
	struct id_list *il = ctx;

	if (strcmp(l->purpose, il->purpose) != 0)
		return 0;
	if (il->n == il->cap) {
		size_t ncap = il->cap ? il->cap * 2 : 1024;
		char(*ids)[SARGS_UUID_STR];

		if (ncap > MAX_IDS) {
			il->failed = 1;
			return 1;
		}
		ids = realloc(il->ids, ncap * sizeof(*ids));
		if (ids == NULL) {
			il->failed = 1;
			return 1;
		}
		il->ids = ids;
		il->cap = ncap;
	}
	(void)snprintf(il->ids[il->n], SARGS_UUID_STR, "%s", l->subject_id);
	il->n++;
	return 0;
}

/* The subjects linked to purpose, in the caller's transaction. */
static enum sargs_rc linked_ids(struct sargs_reg *reg, const char *purpose, struct id_list *il,
				struct sargs_err *err)
{
	enum sargs_rc rc;

	memset(il, 0, sizeof(*il));
	il->purpose = purpose;
	rc = sargs_store_link_facts_scan(reg->store, link_cb, il);
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "cannot read the purpose links: %s",
				     sargs_store_errmsg(reg->store));
	if (il->failed)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	return SARGS_OK;
}

/* ---- checks */

int sargs_pseudo_field_identifying(const struct sargs_field_def *f)
{
	static const char *const categories[] = {"name", "contact", "personal_code",
						 "bank_account"};

	if (f->type == SARGS_FT_EMAIL || f->type == SARGS_FT_PHONE ||
	    f->type == SARGS_FT_PERSONAL_CODE || strcmp(f->name, SARGS_POSTAL_FIELD) == 0)
		return 1;
	for (size_t i = 0; i < sizeof(categories) / sizeof(categories[0]); i++)
		if (strcmp(f->category, categories[i]) == 0)
			return 1;
	return 0;
}

static enum sargs_rc find_purpose(struct sargs_reg *reg, const char *purpose,
				  const struct sargs_registry **r, const struct sargs_purpose **p,
				  struct sargs_err *err)
{
	enum sargs_rc rc;

	if ((rc = sargs_reg_registry(reg, r, err)) != SARGS_OK)
		return rc;
	*p = purpose != NULL ? sargs_registry_purpose(*r, purpose) : NULL;
	if (*p == NULL) {
		(void)sargs_err_set(err, SARGS_E_NOTFOUND, "no purpose \"%.64s\" in the registry",
				    purpose != NULL && sargs_ident_valid(purpose) ? purpose : "?");
		return SARGS_E_NOTFOUND;
	}
	return SARGS_OK;
}

static enum sargs_rc check_fields(const struct sargs_registry *r, const struct sargs_purpose *p,
				  const char *const *fields, size_t n, struct sargs_err *err)
{
	if (n == 0)
		return sargs_err_set(err, SARGS_E_INVALID, "name the fields to export (--field)");
	if (n > SARGS_PSEUDO_FIELDS_MAX)
		return sargs_err_set(err, SARGS_E_INVALID, "at most %d fields",
				     SARGS_PSEUDO_FIELDS_MAX);
	for (size_t i = 0; i < n; i++) {
		const struct sargs_field_def *f;

		if (sargs_purpose_field(p, fields[i]) == NULL)
			return sargs_err_set(err, SARGS_E_DENIED,
					     "purpose \"%s\" does not use field \"%.64s\": the export"
					     " holds only what the purpose allows (GDPR Art. 5(1)(c))",
					     p->id, sargs_ident_valid(fields[i]) ? fields[i] : "?");
		f = sargs_registry_field(r, fields[i]);
		if (f == NULL || sargs_pseudo_field_identifying(f))
			return sargs_err_set(err, SARGS_E_DENIED,
					     "field \"%s\" is identifying: not allowed in a"
					     " pseudonymised export (004 §19.1; GDPR Art. 4(5))",
					     fields[i]);
		for (size_t k = 0; k < i; k++)
			if (strcmp(fields[k], fields[i]) == 0)
				return sargs_err_set(err, SARGS_E_INVALID,
						     "field \"%s\" is named twice", fields[i]);
	}
	return SARGS_OK;
}

/* ---- export */

/* One CSV cell (RFC 4180 quoting), then a comma or the line end. */
static enum sargs_rc csv_cell(struct sargs_strbuf *sb, const char *v, int last)
{
	enum sargs_rc rc = SARGS_OK;

	if (strpbrk(v, ",\"\r\n") != NULL) {
		rc = sargs_strbuf_add(sb, "\"", 1);
		for (const char *s = v; *s && rc == SARGS_OK; s++) {
			if (*s == '"')
				rc = sargs_strbuf_add(sb, "\"", 1);
			if (rc == SARGS_OK)
				rc = sargs_strbuf_add(sb, s, 1);
		}
		if (rc == SARGS_OK)
			rc = sargs_strbuf_add(sb, "\"", 1);
	} else {
		rc = sargs_strbuf_adds(sb, v);
	}
	if (rc == SARGS_OK)
		rc = last ? sargs_strbuf_add(sb, "\r\n", 2) : sargs_strbuf_add(sb, ",", 1);
	return rc;
}

static const char *view_value(const struct sargs_subject_view *v, const char *name)
{
	for (size_t i = 0; i < v->n_fields; i++)
		if (strcmp(v->fields[i].name, name) == 0)
			return v->fields[i].value;
	return "";
}

/* One subject: decides, reads (unaudited: the export's entry covers it) and
 * appends the row. *added is 1 when a row was written. */
static enum sargs_rc export_one(struct sargs_reg *reg, const struct sargs_pseudo_key *key,
				const struct sargs_purpose *p, const char *id, int32_t today,
				const char *const *fields, size_t n, struct sargs_strbuf *buf,
				int *added, struct sargs_err *err)
{
	struct sargs_policy_facts f;
	struct sargs_policy_decision d;
	struct sargs_subject_view v;
	char pseudonym[SARGS_PSEUDONYM_STR];
	enum sargs_rc rc;

	*added = 0;
	if ((rc = sargs_policy_facts_load(reg, id, p, &f, err)) != SARGS_OK)
		return rc;
	sargs_policy_decide(p, 0, today, &f, &d);
	if (!d.allowed)
		return SARGS_OK; /* not lawful for this purpose now: left out */
	rc = sargs_subject_read_fields(reg, id, p->id, fields, n, NULL, NULL, &v, err);
	if (rc != SARGS_OK)
		return rc;
	sargs_pseudonym(key, p->id, id, pseudonym);
	rc = csv_cell(buf, pseudonym, 0);
	for (size_t i = 0; i < n && rc == SARGS_OK; i++)
		rc = csv_cell(buf, view_value(&v, fields[i]), i + 1 == n);
	sargs_subject_view_free(&v);
	if (rc != SARGS_OK)
		return sargs_err_set(err, SARGS_E_NOMEM,
				     "the export is larger than %u MiB; export fewer fields",
				     EXPORT_LIMIT >> 20);
	*added = 1;
	return SARGS_OK;
}

enum sargs_rc sargs_pseudo_export(struct sargs_reg *reg, const struct sargs_pseudo_key *key,
				  const char *purpose, const char *const *fields, size_t n,
				  FILE *out, int64_t *rows, struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	struct id_list il;
	struct sargs_strbuf buf, names;
	int64_t count = 0;
	int32_t today = sargs_today();
	char detail[64];
	enum sargs_rc rc;

	if (rows != NULL)
		*rows = 0;
	if ((rc = find_purpose(reg, purpose, &r, &p, err)) != SARGS_OK ||
	    (rc = check_fields(r, p, fields, n, err)) != SARGS_OK)
		return rc;
	memset(&il, 0, sizeof(il));
	sargs_strbuf_init(&buf, EXPORT_LIMIT);
	sargs_strbuf_init(&names, 4096);
	rc = csv_cell(&buf, "pseudonym", 0);
	for (size_t i = 0; i < n && rc == SARGS_OK; i++) {
		rc = csv_cell(&buf, fields[i], i + 1 == n);
		if (rc == SARGS_OK)
			rc = i ? sargs_strbuf_addf(&names, ",%s", fields[i])
			       : sargs_strbuf_adds(&names, fields[i]);
	}
	if (rc != SARGS_OK) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		goto out;
	rc = linked_ids(reg, p->id, &il, err);
	for (size_t i = 0; i < il.n && rc == SARGS_OK; i++) {
		int added = 0;

		rc = export_one(reg, key, p, il.ids[i], today, fields, n, &buf, &added, err);
		count += added;
	}
	if (rc == SARGS_OK) {
		(void)snprintf(detail, sizeof(detail), "rows:%lld", (long long)count);
		rc = sargs_reg_audit(reg, "pseudonym.export", NULL, names.data, p->id, detail, err);
	}
	if (rc == SARGS_OK)
		rc = sargs_reg_commit(reg, err);
	else
		sargs_reg_rollback(reg);
	/* committed: now the rows may leave */
	if (rc == SARGS_OK && (fwrite(buf.data, 1, buf.len, out) != buf.len || fflush(out) != 0))
		rc = sargs_err_set(err, SARGS_E_IO, "cannot write the export");
	if (rc == SARGS_OK && rows != NULL)
		*rows = count;
out:
	free(il.ids);
	sargs_strbuf_free(&buf); /* wipes */
	sargs_strbuf_free(&names);
	return rc;
}

/* ---- re-identification */

enum sargs_rc sargs_pseudo_reidentify(struct sargs_reg *reg, const struct sargs_pseudo_key *key,
				      const char *purpose, const char *pseudonym,
				      char id_out[SARGS_UUID_STR], struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	struct id_list il;
	char candidate[SARGS_PSEUDONYM_STR];
	size_t found = SIZE_MAX;
	enum sargs_rc rc;

	id_out[0] = '\0';
	if ((rc = find_purpose(reg, purpose, &r, &p, err)) != SARGS_OK)
		return rc;
	if (!sargs_pseudonym_valid(pseudonym))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "a pseudonym is %d characters of a-z and 2-7",
				     SARGS_PSEUDONYM_LEN);
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = linked_ids(reg, p->id, &il, err);
	for (size_t i = 0; i < il.n && rc == SARGS_OK && found == SIZE_MAX; i++) {
		sargs_pseudonym(key, p->id, il.ids[i], candidate);
		if (sargs_pseudonym_equal(candidate, pseudonym))
			found = i;
	}
	if (rc == SARGS_OK && found != SIZE_MAX)
		rc = sargs_reg_audit(reg, "pseudonym.reidentify", il.ids[found], NULL, p->id, NULL,
				     err);
	else if (rc == SARGS_OK)
		rc = sargs_reg_audit(reg, "pseudonym.reidentify.failed", NULL, NULL, p->id,
				     "no match", err);
	if (rc == SARGS_OK)
		rc = sargs_reg_commit(reg, err);
	else
		sargs_reg_rollback(reg);
	if (rc == SARGS_OK && found == SIZE_MAX)
		rc = sargs_err_set(err, SARGS_E_NOTFOUND,
				   "no subject linked to purpose \"%s\" has this pseudonym under this"
				   " key: it is another key, another purpose, or the person was erased"
				   " or unlinked since",
				   p->id);
	else if (rc == SARGS_OK)
		memcpy(id_out, il.ids[found], SARGS_UUID_STR);
	free(il.ids);
	return rc;
}
