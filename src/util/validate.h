/*
 * validate.h — validation and normalisation of identifiers at the door:
 * e-mail addresses, phone numbers (to E.164, default country Latvia) and the
 * Latvian personal code (personas kods) in both of its formats.
 *
 * Every function is pure (no I/O, no allocation): it reads a NUL-terminated
 * input, writes the normalised form into a caller buffer, and on failure
 * writes a sentence saying what is wrong into err (which never echoes the
 * input value itself, so it is safe to log).
 */
#ifndef SARGS_VALIDATE_H
#define SARGS_VALIDATE_H

#include "util/rc.h"

#include <stddef.h>

/* Buffer sizes for normalised forms (including the NUL). */
#define SARGS_EMAIL_MAX 255         /* RFC 5321: 254 octets + NUL */
#define SARGS_PHONE_MAX 17          /* '+' and at most 15 digits + NUL */
#define SARGS_PERSONAL_CODE_MAX 13  /* DDMMYY-NNNNN + NUL */

/*
 * E-mail: trims surrounding whitespace, requires local@domain with a local
 * part of at most 64 octets (dot-atom: no leading, trailing or doubled dots),
 * a domain of LDH labels (1-63 octets, no leading/trailing hyphen) with at
 * least two labels and a top-level label of 2+ letters or an IDNA "xn--"
 * A-label, 254 octets at most. Quoted local parts, address literals
 * ("[192.0.2.1]"), a trailing dot and non-ASCII are refused. The normalised
 * form is the whole address in lower case.
 * out must hold SARGS_EMAIL_MAX bytes.
 * Returns SARGS_OK, or SARGS_E_INVALID with err set.
 */
enum sargs_rc sargs_validate_email(const char *input, char *out, size_t out_size,
				   struct sargs_err *err) SARGS_WUR;

/*
 * Phone: accepts spaces, hyphens, dots and parentheses as separators; a
 * leading '+' or '00' starts an international number, otherwise the number is
 * taken as a national number of default_cc (e.g. "371" for Latvia; NULL means
 * "371"). Normalises to E.164 ("+37120000000"). Latvian (+371) numbers must
 * have 8 national digits beginning with 2 (mobile), 6 (fixed), 8 (toll-free /
 * special) or 9 (premium / special). North American (+1) numbers must have
 * 10 national digits. Other countries: an assigned ITU-T E.164 country code
 * and a total of 7-15 digits (Niue and Tokelau have 4-digit national
 * numbers). A national number beginning with 0 (a trunk prefix) is refused
 * unless default_cc is 371: it must be given in international form.
 * out must hold SARGS_PHONE_MAX bytes.
 * Returns SARGS_OK, or SARGS_E_INVALID with err set.
 */
enum sargs_rc sargs_validate_phone(const char *input, const char *default_cc,
				   char *out, size_t out_size,
				   struct sargs_err *err) SARGS_WUR;

enum sargs_pc_format {
	SARGS_PC_LEGACY = 1, /* DDMMYY-CNNNN: birth date, century digit, check */
	SARGS_PC_MODERN = 2  /* since 1 July 2017: begins with 32-39, no date */
};

struct sargs_personal_code {
	char normalised[SARGS_PERSONAL_CODE_MAX]; /* always DDDDDD-DDDDD */
	enum sargs_pc_format format;
	int has_birth_date;   /* 1 for the legacy format */
	int birth_year;       /* e.g. 1985 */
	int birth_month;      /* 1-12 */
	int birth_day;        /* 1-31 */
};

/*
 * Latvian personal code: 11 digits, with or without the hyphen after the
 * sixth digit (surrounding whitespace is trimmed).
 * Legacy format DDMMYY-CNNNN: DDMMYY must be a real calendar date, C the
 * century digit (0 = 1800s, 1 = 1900s, 2 = 2000s), the date no later than
 * 30 June 2017 (when such codes stopped being issued), and the last digit the
 * check digit: (1101 - sum(d[i] * w[i])) mod 11 mod 10 with weights
 * 1,6,3,7,9,10,5,8,4,2 (a result of 10 gives check digit 0, as in
 * python-stdnum and java-personal-code).
 * Modern format (issued since 1 July 2017): begins with "3" and a digit 2-9
 * (all issued so far begin with "32"); it carries no date, but the same check
 * digit (as python-stdnum verifies for "32" codes).
 * Fills out on success. Returns SARGS_OK, or SARGS_E_INVALID with err set.
 */
enum sargs_rc sargs_validate_personal_code(const char *input,
					   struct sargs_personal_code *out,
					   struct sargs_err *err) SARGS_WUR;

/*
 * The check digit of a personal code's first ten digits (ASCII '0'-'9'):
 * (1101 - sum(d[i] * w[i])) mod 11 mod 10, weights 1,6,3,7,9,10,5,8,4,2.
 */
int sargs_personal_code_check_digit(const char digits[10]);

#endif
