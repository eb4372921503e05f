/*
 * disclosure.c — disclosures to recipients and the disclosure log (see
 * disclosure.h).
 */
#include "domain/disclosure.h"

#include "domain/policy.h"
#include "domain/registry.h"
#include "domain/relation.h"
#include "store/store_rights.h"
#include "util/strbuf.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ENTRIES 100000 /* a subject's log is read whole; this caps it */

int sargs_reference_valid(const char *ref)
{
	size_t n = 0;

	if (ref == NULL)
		return 0;
	for (; ref[n] != '\0'; n++)
		if (n >= SARGS_REFERENCE_MAX || ref[n] < 0x20 || ref[n] > 0x7e)
			return 0;
	return n > 0;
}

static const struct sargs_recipient *declared(const struct sargs_purpose *p, const char *name)
{
	for (size_t i = 0; i < p->n_recipients; i++)
		if (strcmp(p->recipients[i].name, name) == 0)
			return &p->recipients[i];
	return NULL;
}

/* The refusal for an undeclared recipient, listing the declared ones. The
 * name given is not repeated: it is free text. */
static enum sargs_rc not_declared(const struct sargs_purpose *p, struct sargs_err *err)
{
	char list[384];
	size_t off = 0;

	list[0] = '\0';
	if (p->n_recipients == 0)
		return sargs_err_set(err, SARGS_E_DENIED,
				     "purpose \"%s\" declares no recipients: its data is disclosed to"
				     " no one (GDPR Art. 13(1)(e), 30(1)(d))",
				     p->id);
	for (size_t i = 0; i < p->n_recipients && off < sizeof(list); i++) {
		int w = snprintf(list + off, sizeof(list) - off, "%s\"%s\"", i ? ", " : "",
				 p->recipients[i].name);

		if (w < 0)
			break;
		off += (size_t)w;
	}
	return sargs_err_set(err, SARGS_E_DENIED,
			     "that recipient is not declared for purpose \"%s\" (GDPR Art. 13(1)(e),"
			     " 30(1)(d)); declared: %s",
			     p->id, list);
}

static enum sargs_rc check_request(const struct sargs_registry *r, const struct sargs_purpose *p,
				   const char *id, const char *recipient,
				   const char *const *fields, size_t n, const char *reference,
				   struct sargs_err *err)
{
	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "that is not a subject id; a subject id looks like"
				     " 0190a5e2-7b1c-7d3e-8f00-123456789abc");
	if (recipient == NULL || declared(p, recipient) == NULL)
		return not_declared(p, err);
	if (reference != NULL && !sargs_reference_valid(reference))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "a reference is 1 to %d printable ASCII characters: a case"
				     " number, not personal data",
				     SARGS_REFERENCE_MAX);
	if (n == 0)
		return sargs_err_set(err, SARGS_E_INVALID, "name the fields disclosed (--field)");
	if (n > SARGS_DISCLOSE_FIELDS_MAX)
		return sargs_err_set(err, SARGS_E_INVALID, "at most %d fields",
				     SARGS_DISCLOSE_FIELDS_MAX);
	for (size_t i = 0; i < n; i++) {
		/* GDPR Art. 5(1)(c): only what the purpose needs */
		if (sargs_purpose_field(p, fields[i]) == NULL || sargs_registry_field(r, fields[i]) == NULL)
			return sargs_err_set(err, SARGS_E_DENIED,
					     "purpose \"%s\" does not use field \"%.64s\": only the"
					     " fields it lists may be disclosed for it (GDPR Art."
					     " 5(1)(c))",
					     p->id, sargs_ident_valid(fields[i]) ? fields[i] : "?");
		for (size_t k = 0; k < i; k++)
			if (strcmp(fields[k], fields[i]) == 0)
				return sargs_err_set(err, SARGS_E_INVALID,
						     "field \"%s\" is named twice", fields[i]);
	}
	return SARGS_OK;
}

/* Checks the policy engine inside the transaction; a refusal is audited. */
static enum sargs_rc check_lawful(struct sargs_reg *reg, const struct sargs_purpose *p,
				  const char *id, const char *detail, struct sargs_err *err)
{
	struct sargs_policy_facts f;
	struct sargs_policy_decision d;
	char why[512];
	enum sargs_rc rc;

	if ((rc = sargs_policy_facts_load(reg, id, p, &f, err)) != SARGS_OK)
		return rc;
	if (!f.exists) {
		int64_t erased_us;

		if (sargs_store_ledger_get(reg->store, id, &erased_us) == SARGS_OK) {
			char when[SARGS_TIME_STR];

			sargs_time_format(erased_us, when, sizeof(when));
			return sargs_err_set(err, SARGS_E_NOTFOUND,
					     "subject %s was erased on %s; nothing of it remains", id,
					     when);
		}
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no subject %s in this register", id);
	}
	sargs_policy_decide(p, 0, sargs_today(), &f, &d);
	if (d.allowed)
		return SARGS_OK;
	(void)snprintf(why, sizeof(why), "%s reason:%s", detail, sargs_reason_id(d.reason));
	if ((rc = sargs_reg_audit(reg, "disclosure.denied", id, NULL, p->id, why, err)) != SARGS_OK)
		return rc;
	/* SARGS_E_DENIED after a committed audit entry: see sargs_disclose */
	(void)sargs_err_set(err, SARGS_E_DENIED,
			    "purpose \"%s\" is not lawful for subject %s now: %s (%s); nothing was"
			    " disclosed",
			    p->id, id, sargs_reason_text(d.reason), sargs_reason_id(d.reason));
	return SARGS_E_DENIED;
}

enum sargs_rc sargs_disclose(struct sargs_reg *reg, const char *id, const char *recipient,
			     const char *purpose, const char *const *fields, size_t n,
			     const char *reference, struct sargs_subject_view *out,
			     struct sargs_err *err)
{
	const struct sargs_registry *r;
	const struct sargs_purpose *p;
	const struct sargs_recipient *rcpt;
	struct sargs_store_disclosure d;
	struct sargs_strbuf names;
	char detail[400];
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if ((rc = sargs_reg_registry(reg, &r, err)) != SARGS_OK)
		return rc;
	p = purpose != NULL ? sargs_registry_purpose(r, purpose) : NULL;
	if (p == NULL)
		return sargs_err_set(err, SARGS_E_NOTFOUND, "no purpose \"%.64s\" in the registry",
				     purpose != NULL && sargs_ident_valid(purpose) ? purpose : "?");
	if ((rc = check_request(r, p, id, recipient, fields, n, reference, err)) != SARGS_OK)
		return rc;
	rcpt = declared(p, recipient);
	(void)snprintf(detail, sizeof(detail), "recipient:%.200s%s%s", rcpt->name,
		       reference ? " reference:" : "", reference ? reference : "");
	sargs_strbuf_init(&names, 4096);
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = check_lawful(reg, p, id, detail, err);
	if (rc == SARGS_E_DENIED) {
		/* keep the refusal's audit entry, keep its message */
		struct sargs_err e2;

		return sargs_reg_commit(reg, &e2) == SARGS_OK ? SARGS_E_DENIED
							      : sargs_err_set(err, e2.rc, "%s", e2.msg);
	}
	if (rc == SARGS_OK)
		rc = sargs_subject_read_fields(reg, id, p->id, fields, n, "disclosure", detail, out,
					       err);
	if (rc == SARGS_OK && out->n_fields == 0)
		rc = sargs_err_set(err, SARGS_E_NOTFOUND,
				   "subject %s has none of these fields: nothing to disclose", id);
	for (size_t i = 0; i < out->n_fields && rc == SARGS_OK; i++)
		rc = sargs_strbuf_addf(&names, "%s%s", i ? "," : "", out->fields[i].name);
	if (rc == SARGS_OK) {
		memset(&d, 0, sizeof(d));
		d.time_us = sargs_time_now_us();
		d.recipient = rcpt->name;
		d.purpose = p->id;
		d.fields = names.data;
		d.reference = reference;
		rc = sargs_store_disclosure_add(reg->store, id, &d);
		if (rc != SARGS_OK)
			(void)sargs_err_set(err, rc, "cannot record the disclosure: %s",
					    sargs_store_errmsg(reg->store));
	}
	if (rc == SARGS_OK)
		rc = sargs_reg_commit(reg, err);
	else
		sargs_reg_rollback(reg);
	sargs_strbuf_free(&names);
	if (rc != SARGS_OK)
		sargs_subject_view_free(out);
	return rc;
}

/* ---- the log */

struct list_ctx {
	struct sargs_disclosure_list *l;
	size_t cap;
	int failed;
};

static char *dup_opt(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

static int list_cb(void *ctx, const struct sargs_store_disclosure *d)
{
	struct list_ctx *c = ctx;
	struct sargs_disclosure_entry *e;

	if (c->l->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 16;
		struct sargs_disclosure_entry *ni;

		if (ncap > MAX_ENTRIES) {
			c->failed = 1;
			return 1;
		}
		ni = realloc(c->l->items, ncap * sizeof(*ni));
		if (ni == NULL) {
			c->failed = 1;
			return 1;
		}
		c->l->items = ni;
		c->cap = ncap;
	}
	e = &c->l->items[c->l->n++];
	e->time_us = d->time_us;
	e->recipient = dup_opt(d->recipient);
	e->purpose = dup_opt(d->purpose);
	e->fields = dup_opt(d->fields != NULL ? d->fields : "");
	e->reference = dup_opt(d->reference);
	if (e->recipient == NULL || e->purpose == NULL || e->fields == NULL ||
	    (d->reference != NULL && e->reference == NULL)) {
		c->failed = 1;
		return 1;
	}
	return 0;
}

void sargs_disclosure_list_free(struct sargs_disclosure_list *l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; i < l->n; i++) {
		free(l->items[i].recipient);
		free(l->items[i].purpose);
		free(l->items[i].fields);
		free(l->items[i].reference);
	}
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

enum sargs_rc sargs_disclosure_list(struct sargs_reg *reg, const char *id, int64_t since_us,
				    struct sargs_disclosure_list *out, struct sargs_err *err)
{
	struct sargs_store_subject s;
	struct list_ctx c;
	void *owned = NULL;
	char detail[96], since[SARGS_DATE_STR];
	enum sargs_rc rc;

	memset(out, 0, sizeof(*out));
	if (!sargs_uuid_valid(id))
		return sargs_err_set(err, SARGS_E_INVALID,
				     "that is not a subject id; a subject id looks like"
				     " 0190a5e2-7b1c-7d3e-8f00-123456789abc");
	if ((rc = sargs_reg_begin(reg, err)) != SARGS_OK)
		return rc;
	rc = sargs_store_subject_get(reg->store, id, &s, &owned);
	free(owned);
	if (rc == SARGS_E_NOTFOUND) {
		int64_t erased_us;

		if (sargs_store_ledger_get(reg->store, id, &erased_us) == SARGS_OK)
			(void)sargs_err_set(err, rc,
					    "subject %s was erased; its disclosure log went with it",
					    id);
		else
			(void)sargs_err_set(err, rc, "no subject %s in this register", id);
	} else if (rc != SARGS_OK) {
		(void)sargs_err_set(err, rc, "cannot read subject %s: %s", id,
				    sargs_store_errmsg(reg->store));
	}
	memset(&c, 0, sizeof(c));
	c.l = out;
	if (rc == SARGS_OK) {
		rc = sargs_store_disclosures(reg->store, id, since_us, list_cb, &c);
		if (rc != SARGS_OK)
			(void)sargs_err_set(err, rc, "cannot read the disclosure log: %s",
					    sargs_store_errmsg(reg->store));
		else if (c.failed)
			rc = sargs_err_set(err, SARGS_E_NOMEM, "out of memory");
	}
	if (rc == SARGS_OK) {
		if (since_us > 0)
			sargs_time_format_date(since_us, since, sizeof(since));
		(void)snprintf(detail, sizeof(detail), "since:%s count:%zu",
			       since_us > 0 ? since : "all", out->n);
		rc = sargs_reg_audit(reg, "disclosure.list", id, NULL, NULL, detail, err);
	}
	if (rc == SARGS_OK)
		rc = sargs_reg_commit(reg, err);
	else
		sargs_reg_rollback(reg);
	if (rc != SARGS_OK)
		sargs_disclosure_list_free(out);
	return rc;
}
