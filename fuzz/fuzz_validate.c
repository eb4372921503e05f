/*
 * fuzz_validate.c — fuzz target for util/validate: feeds the same bytes to
 * the e-mail, phone (default country and Latvia) and personal code
 * validators and aborts when an invariant breaks:
 *   - on success the output is NUL-terminated inside its buffer and
 *     validating it again succeeds and gives the same output (the
 *     normalised form is a fixed point);
 *   - on failure the result is SARGS_E_INVALID, err carries it and a
 *     non-empty message, and the output buffer holds an empty string;
 *   - a message never repeats an input made of six or more digits (messages
 *     only hold counts and positions, which are shorter).
 *
 * Built into fuzz_replay (corpus replay as a regression test) without
 * libFuzzer, and as a libFuzzer target with -DSARGS_LIBFUZZER.
 */
#include "util/rc.h"
#include "util/validate.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Longest input tried, in bytes; longer inputs are cut. */
#define FUZZ_INPUT_MAX 4096

int sargs_fuzz_validate(const uint8_t *data, size_t size);
#ifdef SARGS_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

/* Stops the run (and makes libFuzzer keep the input) when cond is false. */
static void check(int cond)
{
	if (!cond)
		abort();
}

/* Whether s is at least six ASCII digits and nothing else. */
static int is_long_digit_run(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++)
		if (*s < '0' || *s > '9')
			return 0;
	return n >= 6;
}

/* Invariants of a failed call, whatever the validator. */
static void check_failure(enum sargs_rc rc, const struct sargs_err *err,
			  const char *input)
{
	check(rc == SARGS_E_INVALID);
	check(err->rc == SARGS_E_INVALID);
	check(err->msg[0] != '\0');
	check(memchr(err->msg, '\0', sizeof(err->msg)) != NULL);
	if (is_long_digit_run(input))
		check(strstr(err->msg, input) == NULL);
}

static void fuzz_email(const char *input)
{
	char out[SARGS_EMAIL_MAX], again[SARGS_EMAIL_MAX];
	struct sargs_err err;
	enum sargs_rc rc;

	sargs_err_clear(&err);
	rc = sargs_validate_email(input, out, sizeof(out), &err);
	if (rc != SARGS_OK) {
		check_failure(rc, &err, input);
		check(out[0] == '\0');
		return;
	}
	check(memchr(out, '\0', sizeof(out)) != NULL);
	check(out[0] != '\0');
	rc = sargs_validate_email(out, again, sizeof(again), &err);
	check(rc == SARGS_OK);
	check(strcmp(again, out) == 0);
}

static void fuzz_phone(const char *input, const char *default_cc)
{
	char out[SARGS_PHONE_MAX], again[SARGS_PHONE_MAX];
	struct sargs_err err;
	enum sargs_rc rc;
	size_t i;

	sargs_err_clear(&err);
	rc = sargs_validate_phone(input, default_cc, out, sizeof(out), &err);
	if (rc != SARGS_OK) {
		check_failure(rc, &err, input);
		check(out[0] == '\0');
		return;
	}
	check(memchr(out, '\0', sizeof(out)) != NULL);
	/* E.164: '+' and 7-15 digits */
	check(out[0] == '+');
	for (i = 1; i < sizeof(out) && out[i] != '\0'; i++)
		check(out[i] >= '0' && out[i] <= '9');
	check(i >= 8 && i <= 16);
	/* an international number does not depend on the default country */
	rc = sargs_validate_phone(out, "44", again, sizeof(again), &err);
	check(rc == SARGS_OK);
	check(strcmp(again, out) == 0);
}

static void fuzz_personal_code(const char *input)
{
	struct sargs_personal_code pc, again;
	struct sargs_err err;
	enum sargs_rc rc;

	sargs_err_clear(&err);
	rc = sargs_validate_personal_code(input, &pc, &err);
	if (rc != SARGS_OK) {
		check_failure(rc, &err, input);
		check(pc.normalised[0] == '\0');
		return;
	}
	check(memchr(pc.normalised, '\0', sizeof(pc.normalised)) != NULL);
	check(strlen(pc.normalised) == 12 && pc.normalised[6] == '-');
	check(pc.format == SARGS_PC_LEGACY || pc.format == SARGS_PC_MODERN);
	check(pc.has_birth_date == (pc.format == SARGS_PC_LEGACY));
	if (pc.has_birth_date)
		check(pc.birth_year >= 1800 && pc.birth_year <= 2017 &&
		      pc.birth_month >= 1 && pc.birth_month <= 12 &&
		      pc.birth_day >= 1 && pc.birth_day <= 31);
	rc = sargs_validate_personal_code(pc.normalised, &again, &err);
	check(rc == SARGS_OK);
	check(memcmp(&again, &pc, sizeof(pc)) == 0);
}

/*
 * Runs every validator over data as a C string (cut at FUZZ_INPUT_MAX bytes
 * and at its first NUL, as a C caller would see it). The copy is a heap
 * block of exactly the right size, so AddressSanitizer catches any read past
 * the terminating NUL. Returns 0.
 */
int sargs_fuzz_validate(const uint8_t *data, size_t size)
{
	char *input;

	if (size > FUZZ_INPUT_MAX)
		size = FUZZ_INPUT_MAX;
	input = malloc(size + 1);
	check(input != NULL);
	if (size > 0)
		memcpy(input, data, size);
	input[size] = '\0';

	fuzz_email(input);
	fuzz_phone(input, NULL);
	fuzz_phone(input, "371");
	fuzz_personal_code(input);
	free(input);
	return 0;
}

#ifdef SARGS_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return sargs_fuzz_validate(data, size);
}
#endif
