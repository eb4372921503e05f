/*
 * fuzz_mapping.c — fuzz target for the legacy import's column mapping file
 * (domain/legacy.h), which a business writes by hand: any bytes either
 * parse into a mapping or are refused with a message, never a crash.
 */
#include "domain/legacy.h"

#include <stdint.h>
#include <stdlib.h>

int sargs_fuzz_mapping(const uint8_t *data, size_t size);

int sargs_fuzz_mapping(const uint8_t *data, size_t size)
{
	struct sargs_import_mapping *m = NULL;
	struct sargs_err err;

	sargs_err_clear(&err);
	if (sargs_import_mapping_parse((const char *)data, size, &m, &err) != SARGS_OK) {
		if (err.msg[0] == '\0' || m != NULL)
			abort(); /* every refusal says why, and returns nothing */
		return 0;
	}
	if (m == NULL)
		abort();
	sargs_import_mapping_free(m);
	return 0;
}

#ifdef SARGS_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return sargs_fuzz_mapping(data, size);
}
#endif
