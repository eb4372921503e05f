/*
 * notice.h — the privacy notice, generated from the controller profile and
 * the purpose registry, never written by hand: every item of seed 004
 * §13.1 (a)-(k) (GDPR Art. 13(1)-(2)) comes from the same source the
 * register runs on, so the notice cannot drift from what is done.
 *
 * A short summary comes first (004 §13.2: concise, easy to grasp), then the
 * details. Latvian and English; Markdown, or HTML rendered with cmark
 * (raw HTML in the source is never passed through).
 *
 * Versions: `publish` stores the notice when it changed, with its date and
 * hash (004 §13.2-13.3); the list of versions says when each took effect
 * and what changed (purposes added, removed or changed, controller or
 * contact changed). Consents may name the version the person saw.
 */
#ifndef SARGS_NOTICE_H
#define SARGS_NOTICE_H

#include "domain/register.h"

#include <stdint.h>

enum sargs_notice_format { SARGS_NOTICE_MD = 1, SARGS_NOTICE_HTML };

/* The full notice in lang ("lv" or "en") and format; *out: new string. */
enum sargs_rc sargs_notice_render(struct sargs_reg *reg, const char *lang,
				  enum sargs_notice_format format, char **out,
				  struct sargs_err *err) SARGS_WUR;

/* The short notice shown at collection for one purpose: who, why, how
 * long, the rights (004 §12-13; mission §2). Text and Markdown end by
 * naming `sargs notice` for the full one; HTML leaves that to the page
 * that shows it (the web pages link /privacy). */
enum sargs_rc sargs_notice_short(struct sargs_reg *reg, const char *purpose, const char *lang,
				 enum sargs_notice_format format, char **out,
				 struct sargs_err *err) SARGS_WUR;

struct sargs_notice_version {
	int64_t version;
	int64_t published_us;
	char hash[65];            /* BLAKE2b-256 of the English and Latvian Markdown */
	char changes[1024];       /* what changed from the version before */
};

/*
 * Stores the current notice as a new version when it differs from the
 * latest (else *out is the latest and *created 0). Audited.
 */
enum sargs_rc sargs_notice_publish(struct sargs_reg *reg, struct sargs_notice_version *out,
				   int *created, struct sargs_err *err) SARGS_WUR;

/* Versions, oldest first. */
enum sargs_rc sargs_notice_versions(struct sargs_reg *reg,
				    int (*cb)(void *ctx, const struct sargs_notice_version *v),
				    void *ctx, struct sargs_err *err) SARGS_WUR;

/* The hash of a published version (65 bytes with NUL); NOTFOUND if none. */
enum sargs_rc sargs_notice_version_hash(struct sargs_reg *reg, int64_t version, char *hex,
					size_t hex_size, struct sargs_err *err) SARGS_WUR;

/* The stored text of a version ("lv"/"en", Markdown); *out: new string. */
enum sargs_rc sargs_notice_get(struct sargs_reg *reg, int64_t version, const char *lang,
			       char **out, struct sargs_err *err) SARGS_WUR;

#endif
