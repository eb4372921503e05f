/*
 * disclosure.h — transfers of a person's data to a recipient (a debt
 * collector, a processor, an authority), checked against the purpose
 * registry and recorded in the disclosure log, so an access request can
 * show them (GDPR Art. 15(1)(c); 004 §15: the recipients of the last two
 * years on request).
 *
 * A disclosure is allowed only to a recipient the purpose declares (the
 * privacy notice named it, GDPR Art. 13(1)(e); the record of processing
 * lists it, Art. 30(1)(d)), only while the purpose is lawful for the
 * person (the policy engine), and only of fields the purpose lists (Art.
 * 5(1)(c)). The log holds the time, recipient, purpose, field names and a
 * non-personal case reference; never a value.
 */
#ifndef SARGS_DISCLOSURE_H
#define SARGS_DISCLOSURE_H

#include "domain/register.h"
#include "domain/subject.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_REFERENCE_MAX 64
#define SARGS_DISCLOSE_FIELDS_MAX 32

/* 1 when ref is a valid case reference: 1-64 printable ASCII characters. */
int sargs_reference_valid(const char *ref);

/*
 * Discloses the named fields of subject id to recipient for purpose, with an
 * optional case reference (NULL for none). Refused (nothing recorded) when:
 * the recipient is not one the purpose declares (SARGS_E_DENIED; the
 * message lists the declared ones), a field is not listed by the purpose
 * (SARGS_E_DENIED), the purpose is not lawful for the subject now
 * (SARGS_E_DENIED with the policy engine's reason; audited as
 * "disclosure.denied"), or the subject has none of the fields
 * (SARGS_E_NOTFOUND). Otherwise, in one transaction, reads the fields
 * (audited as "disclosure", naming the fields, the purpose and the
 * recipient) and records the disclosure. *out gets the fields handed over
 * (free with sargs_subject_view_free; its values are personal data).
 */
enum sargs_rc sargs_disclose(struct sargs_reg *reg, const char *id, const char *recipient,
			     const char *purpose, const char *const *fields, size_t n,
			     const char *reference, struct sargs_subject_view *out,
			     struct sargs_err *err) SARGS_WUR;

struct sargs_disclosure_entry {
	int64_t time_us;
	char *recipient;
	char *purpose;
	char *fields;     /* comma-separated field names */
	char *reference;  /* or NULL */
};

struct sargs_disclosure_list {
	struct sargs_disclosure_entry *items;
	size_t n;
};

/*
 * A subject's disclosures since since_us (0: all), oldest first, as a new
 * list (free with sargs_disclosure_list_free). Audited as "disclosure.list"
 * and committed before it returns.
 */
enum sargs_rc sargs_disclosure_list(struct sargs_reg *reg, const char *id, int64_t since_us,
				    struct sargs_disclosure_list *out,
				    struct sargs_err *err) SARGS_WUR;
void sargs_disclosure_list_free(struct sargs_disclosure_list *l);

#endif
