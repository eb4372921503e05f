/*
 * synth.h — synthetic, realistic Latvian people for the demo register and
 * the benchmarks: names, e-mails, phones and valid personal codes. Never
 * real people: names are drawn from common first names and surnames, and
 * e-mails use reserved example domains (RFC 2606).
 *
 * Deterministic for a seed, so a benchmark run can be repeated exactly.
 */
#ifndef SARGS_SYNTH_H
#define SARGS_SYNTH_H

#include <stddef.h>
#include <stdint.h>

struct sargs_synth_person {
	char first_name[32];
	char last_name[32];
	char email[96];
	char phone[16];          /* E.164, +3712xxxxxxx */
	char personal_code[13];  /* DDMMYY-CNNNN (legacy) or 32NNNN-NNNNN */
	char birth_date[11];     /* YYYY-MM-DD */
	char address[96];
};

struct sargs_synth {
	uint64_t state;
};

void sargs_synth_init(struct sargs_synth *g, uint64_t seed);

/*
 * Fills p with person number index (unique e-mail, phone and personal code
 * for every index below 10^7 within one seed).
 */
void sargs_synth_person(struct sargs_synth *g, uint64_t index, struct sargs_synth_person *p);

#endif
