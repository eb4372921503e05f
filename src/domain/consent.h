/*
 * consent.h — consent, its withdrawal, objections and the guardian's
 * consent for a child, each with its proof and a signed consent receipt.
 *
 * Consent is specific (one purpose at a time), informed (the hash of the
 * text the person saw is kept), freely given through an unticked box, and
 * provable (when, through which channel and form, recorded by whom) (GDPR
 * Art. 4(11), 7(1); 004 §5.1a, §7.5). A consent through a pre-ticked box
 * is recorded as the attempt it was and counts as no consent (003; CJEU
 * C-673/17 Planet49). Withdrawal is one call through any channel, takes
 * effect at once, keeps the history (earlier processing stays lawful,
 * Art. 7(3)) and ends nothing else: the contract's purposes go on.
 * An objection to direct marketing is absolute and immediate (Art. 21(3));
 * an objection to a legitimate-interest purpose is recorded with the
 * outcome of its review (Art. 21(1)).
 *
 * Every event produces a receipt in JSON with the field names of the
 * Kantara Initiative Consent Receipt Specification v1.1, the legal basis
 * also as its W3C DPV term, signed with the register's Ed25519 key so the
 * business can prove it later (sargs_receipt_verify). Receipts name the
 * subject by its random id only: no name, no contact, no code.
 */
#ifndef SARGS_CONSENT_H
#define SARGS_CONSENT_H

#include "domain/register.h"
#include "util/rc.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_RECEIPT_VERSION "KI-CR-v1.1.0"

struct sargs_consent_proof {
	const char *channel;       /* web_form, paper, phone, in_person, email, sms,
				    * self_service, import, unsubscribe_link */
	const char *form;          /* the form (id or name): required to give consent */
	const char *text_hash;     /* the text the person saw: 64 hex digits (BLAKE2b-256
				    * or SHA-256); required to give consent */
	int preticked;             /* the box was ticked before the person acted */
	const char *guardian_check;/* guardian consent: how parental responsibility was
				    * checked (id_document, eparaksts, bank_link, in_person,
				    * birth_certificate) */
	const char *outcome;       /* objection to a legitimate-interest purpose: upheld
				    * (default), overridden_compelling_grounds,
				    * overridden_legal_claims */
	int64_t notice_version;    /* the published privacy notice version the person
				    * saw (notice.h), or 0; its hash stands for
				    * text_hash when that is not given */
};

/* 1 when channel is one of the channels above. */
int sargs_consent_channel_valid(const char *channel);

/*
 * Records consent to purpose (which must rest on consent, or be direct
 * marketing). The subject is linked to the purpose when it was not (its
 * required fields must be there). A pre-ticked box records the attempt and
 * gives SARGS_E_DENIED: the person has not consented. *receipt (when not
 * NULL) receives the signed receipt (caller frees).
 */
enum sargs_rc sargs_consent_give(struct sargs_reg *reg, const char *id, const char *purpose,
				 const struct sargs_consent_proof *proof, char **receipt,
				 struct sargs_err *err) SARGS_WUR;

/*
 * Withdraws consent to purpose, or to every purpose the subject consented to
 * when purpose is NULL. Withdrawing what is already withdrawn changes
 * nothing and succeeds (idempotent; *receipt is then NULL).
 */
enum sargs_rc sargs_consent_withdraw(struct sargs_reg *reg, const char *id, const char *purpose,
				     const struct sargs_consent_proof *proof, char **receipt,
				     struct sargs_err *err) SARGS_WUR;

/*
 * Records an objection: to direct marketing as a whole when purpose is NULL
 * (absolute), or to one purpose resting on legitimate interests (or one
 * marketing purpose). Idempotent like withdrawal.
 */
enum sargs_rc sargs_consent_object(struct sargs_reg *reg, const char *id, const char *purpose,
				   const struct sargs_consent_proof *proof, char **receipt,
				   struct sargs_err *err) SARGS_WUR;

/* Records the consent of the holder of parental responsibility for a child
 * (GDPR Art. 8(1)-(2)), with how it was checked. */
enum sargs_rc sargs_consent_guardian(struct sargs_reg *reg, const char *id, const char *purpose,
				     const struct sargs_consent_proof *proof, char **receipt,
				     struct sargs_err *err) SARGS_WUR;

/* The consent history of a subject, oldest first; audited as a read. */
enum sargs_rc sargs_consent_history(struct sargs_reg *reg, const char *id,
				    int (*cb)(void *ctx, int64_t seq, const char *purpose,
					      const char *event, int64_t time_us,
					      const char *receipt),
				    void *ctx, struct sargs_err *err) SARGS_WUR;

/* The register's receipt-signing public key, base64url (43 characters + NUL). */
void sargs_receipt_public_key(struct sargs_reg *reg, char out[64]);

struct sargs_receipt_info {
	char receipt_id[40];
	char subject_id[40];
	char event[32];
	char purpose[64];
	int64_t timestamp;     /* seconds since the epoch */
	int this_register;     /* signed by this register's key */
};

/*
 * Verifies a signed receipt (the JSON a give/withdraw/object call produced).
 * pk_b64 names the expected signer's public key (base64url); NULL: the
 * register's own key when reg is not NULL. SARGS_OK when the signature is
 * valid for the receipt exactly as it is; SARGS_E_TAMPERED when it is not;
 * SARGS_E_INVALID when the text is not a signed receipt.
 */
enum sargs_rc sargs_receipt_verify(struct sargs_reg *reg, const char *json, size_t len,
				   const char *pk_b64, struct sargs_receipt_info *out,
				   struct sargs_err *err) SARGS_WUR;

#endif
