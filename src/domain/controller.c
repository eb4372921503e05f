/*
 * controller.c — the controller profile and loading the purpose registry:
 * the register's own declarations about who processes and why.
 */
#include "domain/controller.h"
#include "domain/relation.h"
#include "crypto/field.h"
#include "domain/registry.h"
#include "util/timeutil.h"
#include "util/validate.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define META_CONTROLLER "controller"

static const char *const keys[] = {"name", "registration_number", "address", "email", "phone",
				   "dpo_name", "dpo_email", "dpo_phone"};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

static const char **slot(struct sargs_controller *c, size_t i)
{
	const char **s[N_KEYS] = {&c->name, &c->registration_number, &c->address, &c->email,
				  &c->phone, &c->dpo_name, &c->dpo_email, &c->dpo_phone};

	return s[i];
}

void sargs_controller_release(struct sargs_controller *c)
{
	if (c != NULL && c->owner != NULL)
		json_decref((json_t *)c->owner);
	if (c != NULL)
		memset(c, 0, sizeof(*c));
}

enum sargs_rc sargs_controller_get(struct sargs_reg *reg, struct sargs_controller *out,
				   struct sargs_err *err)
{
	unsigned char *raw = NULL;
	size_t len = 0;
	json_t *doc;
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	rc = sargs_store_meta_get(reg->store, META_CONTROLLER, &raw, &len);
	if (rc == SARGS_E_NOTFOUND)
		return sargs_err_set(err, rc,
				     "the controller profile is not set; set it with 'sargs"
				     " controller set --name ...'");
	if (rc != SARGS_OK)
		return sargs_err_set(err, rc, "cannot read the controller profile");
	doc = json_loadb((const char *)raw, len, 0, NULL);
	free(raw);
	if (!json_is_object(doc)) {
		json_decref(doc);
		return sargs_err_set(err, SARGS_E_SCHEMA, "the stored controller profile is damaged");
	}
	for (size_t i = 0; i < N_KEYS; i++) {
		const char *v = json_string_value(json_object_get(doc, keys[i]));

		*slot(out, i) = v != NULL && v[0] != '\0' ? v : NULL;
	}
	out->owner = doc;
	return SARGS_OK;
}

enum sargs_rc sargs_controller_set(struct sargs_reg *reg, const struct sargs_controller *c,
				   struct sargs_err *err)
{
	struct sargs_controller cur;
	struct sargs_controller in = *c;
	json_t *doc = json_object();
	char *text = NULL;
	char changed[256];
	size_t cn = 0;
	enum sargs_rc rc;

	if (doc == NULL)
		return sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	changed[0] = '\0';
	rc = sargs_controller_get(reg, &cur, NULL);
	if (rc != SARGS_OK && rc != SARGS_E_NOTFOUND) {
		json_decref(doc);
		return sargs_err_set(err, rc, "cannot read the controller profile");
	}
	for (size_t i = 0; i < N_KEYS; i++) {
		const char *v = *slot(&in, i);
		char norm[SARGS_EMAIL_MAX];
		struct sargs_err verr;

		if (v != NULL && cn < sizeof(changed))
			cn += (size_t)snprintf(changed + cn, sizeof(changed) - cn, "%s%s",
					       cn ? "," : "", keys[i]);
		if (v == NULL)
			v = rc == SARGS_OK ? *slot(&cur, i) : NULL;
		if (v == NULL || v[0] == '\0')
			continue;
		if (strlen(v) > 1024) {
			rc = sargs_err_set(err, SARGS_E_INVALID, "%s is longer than 1024 bytes", keys[i]);
			goto out;
		}
		if (strstr(keys[i], "email") != NULL) {
			if (sargs_validate_email(v, norm, sizeof(norm), &verr) != SARGS_OK) {
				rc = sargs_err_set(err, SARGS_E_INVALID, "%s: %s", keys[i], verr.msg);
				goto out;
			}
			v = norm;
		} else if (strstr(keys[i], "phone") != NULL) {
			if (sargs_validate_phone(v, "371", norm, sizeof(norm), &verr) != SARGS_OK) {
				rc = sargs_err_set(err, SARGS_E_INVALID, "%s: %s", keys[i], verr.msg);
				goto out;
			}
			v = norm;
		}
		if (json_object_set_new(doc, keys[i], json_string(v)) != 0) {
			rc = sargs_err_set(err, SARGS_E_INVALID, "%s must be UTF-8 text", keys[i]);
			goto out;
		}
	}
	if (json_object_get(doc, "name") == NULL) {
		rc = sargs_err_set(err, SARGS_E_INVALID, "the controller's name is required (--name)");
		goto out;
	}
	text = json_dumps(doc, JSON_SORT_KEYS | JSON_COMPACT);
	if (text == NULL) {
		rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
		goto out;
	}
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		goto out;
	rc = sargs_store_meta_put(reg->store, META_CONTROLLER, text, strlen(text));
	if (rc != SARGS_OK)
		(void)sargs_err_set(err, rc, "cannot store the controller profile");
	else
		rc = sargs_reg_audit(reg, "controller.set", NULL, NULL, NULL, changed, err);
	if (rc == SARGS_OK)
		rc = sargs_reg_commit(reg, err);
	else
		sargs_reg_rollback(reg);
out:
	free(text);
	json_decref(doc);
	sargs_controller_release(&cur);
	return rc;
}

struct count_ctx {
	const struct sargs_registry *next;
	char missing[64];
	int64_t n;
};

static int count_cb(void *ctx, const char *purpose, int64_t n)
{
	struct count_ctx *c = ctx;

	if (n > 0 && sargs_registry_purpose(c->next, purpose) == NULL) {
		(void)snprintf(c->missing, sizeof(c->missing), "%s", purpose);
		c->n = n;
		return 1;
	}
	return 0;
}

/* 1 when the marketing purposes of a and b differ in what the audience rows
 * hold (which purposes, their product lines): the rows must be rebuilt. */
static int marketing_changed(const struct sargs_registry *a, const struct sargs_registry *b)
{
	size_t na = 0, nb = 0;

	for (size_t i = 0; i < b->n_purposes; i++) {
		const struct sargs_purpose *q = &b->purposes[i];
		const struct sargs_purpose *p;

		if (!q->marketing.enabled)
			continue;
		nb++;
		p = a ? sargs_registry_purpose(a, q->id) : NULL;
		if (p == NULL || !p->marketing.enabled)
			return 1;
		if ((p->product_line == NULL) != (q->product_line == NULL) ||
		    (p->product_line && strcmp(p->product_line, q->product_line) != 0))
			return 1;
	}
	for (size_t i = 0; a != NULL && i < a->n_purposes; i++)
		na += a->purposes[i].marketing.enabled != 0;
	return na != nb;
}

enum sargs_rc sargs_registry_load(struct sargs_reg *reg, const char *text, size_t len,
				  int64_t *out_version, struct sargs_err *err)
{
	struct sargs_registry *next = NULL;
	struct count_ctx cc;
	unsigned char h[SARGS_HASH_BYTES];
	char hex[2 * SARGS_HASH_BYTES + 1], detail[128];
	int64_t version = 0;
	enum sargs_rc rc;

	if ((rc = sargs_registry_parse(text, len, &next, err)) != SARGS_OK)
		return rc;
	memset(&cc, 0, sizeof(cc));
	cc.next = next;
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		goto out;
	rc = sargs_store_link_counts(reg->store, count_cb, &cc);
	if (rc == SARGS_OK && cc.missing[0] != '\0')
		rc = sargs_err_set(err, SARGS_E_DENIED,
				   "purpose \"%s\" is missing from the new file, but %lld subjects"
				   " are linked to it; keep it, or end those links first",
				   cc.missing, (long long)cc.n);
	if (rc == SARGS_OK) {
		sargs_hash(next->canonical, strlen(next->canonical), h);
		sargs_hex(h, sizeof(h), hex);
		rc = sargs_store_registry_put(reg->store, sargs_time_now_us(), hex, next->canonical,
					      &version);
		if (rc != SARGS_OK)
			(void)sargs_err_set(err, rc, "cannot store the registry");
	}
	if (rc == SARGS_OK) {
		const struct sargs_registry *cur = NULL;

		/* a registry may not be loaded yet: then there are no rows */
		if (sargs_reg_registry(reg, &cur, NULL) != SARGS_OK)
			cur = NULL;
		if (marketing_changed(cur, next)) {
			/* the audience rows follow the new marketing purposes, in
			 * this same transaction */
			struct sargs_registry *old = reg->registry;

			reg->registry = next;
			rc = sargs_audience_rebuild(reg, err);
			reg->registry = old;
		}
	}
	if (rc == SARGS_OK) {
		(void)snprintf(detail, sizeof(detail), "version %lld, %zu purposes, hash %.16s",
			       (long long)version, next->n_purposes, hex);
		rc = sargs_reg_audit(reg, "registry.load", NULL, NULL, NULL, detail, err);
	}
	if (rc == SARGS_OK)
		rc = sargs_reg_commit(reg, err);
	else
		sargs_reg_rollback(reg);
	if (rc == SARGS_OK) {
		sargs_registry_free(reg->registry);
		reg->registry = next;
		reg->registry_version = version;
		next = NULL;
		if (out_version != NULL)
			*out_version = version;
	}
out:
	sargs_registry_free(next);
	return rc;
}
