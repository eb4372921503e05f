/*
 * controller.h — the controller's profile: who is responsible for the
 * processing (GDPR Art. 13(1)(a)-(b), Art. 30(1)(a); 004 §13.1a-b; 001 §12.2).
 */
#ifndef SARGS_CONTROLLER_H
#define SARGS_CONTROLLER_H

#include "domain/register.h"

struct sargs_controller {
	const char *name;                /* required */
	const char *registration_number;
	const char *address;             /* legal address */
	const char *email;
	const char *phone;
	const char *dpo_name;            /* data protection officer or contact */
	const char *dpo_email;
	const char *dpo_phone;
	void *owner;                     /* owns the strings (from get) */
};

/*
 * Reads the profile. Strings are owned by out->owner: release with
 * sargs_controller_release. SARGS_E_NOTFOUND when none was set.
 */
enum sargs_rc sargs_controller_get(struct sargs_reg *reg, struct sargs_controller *out,
				   struct sargs_err *err) SARGS_WUR;
void sargs_controller_release(struct sargs_controller *c);

/*
 * Sets the profile: fields given as non-NULL replace the stored ones
 * (an empty string clears an optional one). Validates e-mails and phones.
 */
enum sargs_rc sargs_controller_set(struct sargs_reg *reg, const struct sargs_controller *c,
				   struct sargs_err *err) SARGS_WUR;

/*
 * Loads a purpose registry document into the register, as a new version,
 * after checking it: every purpose that subjects are linked to must still be
 * defined. All or nothing; audited.
 */
enum sargs_rc sargs_registry_load(struct sargs_reg *reg, const char *text, size_t len,
				  int64_t *out_version, struct sargs_err *err) SARGS_WUR;

#endif
