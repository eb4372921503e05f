/*
 * fuzz_registry.c — fuzz target for the purpose registry parser: any bytes
 * either parse into a registry whose canonical form parses again to the same
 * canonical form, or are refused with a message.
 */
#include "domain/registry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int sargs_fuzz_registry(const uint8_t *data, size_t size);

int sargs_fuzz_registry(const uint8_t *data, size_t size)
{
	struct sargs_registry *r = NULL, *again = NULL;
	struct sargs_err err;

	sargs_err_clear(&err);
	if (sargs_registry_parse((const char *)data, size, &r, &err) != SARGS_OK) {
		if (err.msg[0] == '\0')
			abort(); /* every refusal says why */
		return 0;
	}
	if (sargs_registry_parse(r->canonical, strlen(r->canonical), &again, &err) != SARGS_OK)
		abort();
	if (strcmp(r->canonical, again->canonical) != 0)
		abort();
	sargs_registry_free(again);
	sargs_registry_free(r);
	return 0;
}

#ifdef SARGS_LIBFUZZER
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return sargs_fuzz_registry(data, size);
}
#endif
