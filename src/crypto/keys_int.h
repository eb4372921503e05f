/*
 * keys_int.h — key-file helpers keys.c shares with the crypto layer's other
 * key files (pseudo.c, ckpt.c). Only src/crypto/ includes it.
 */
#ifndef SARGS_CRYPTO_KEYS_INT_H
#define SARGS_CRYPTO_KEYS_INT_H

#include "util/rc.h"

#include <stddef.h>

/*
 * Writes a new key file at path: header, then n fresh random bytes as hex
 * and a newline; mode 0600, atomically, never replacing a file. The key and
 * its text live only in guarded memory, wiped on every path. The caller has
 * initialised libsodium.
 */
enum sargs_rc sargs_keyfile_create(const char *path, const char *header, size_t n,
				   struct sargs_err *err) SARGS_WUR;

/*
 * Parses exactly 2 * n hex digits (trailing newlines, CRs and spaces
 * ignored) into key[n]; SARGS_E_INVALID for anything else.
 */
enum sargs_rc sargs_keyfile_parse_hex(const char *hex, size_t hex_len, unsigned char *key,
				      size_t n) SARGS_WUR;

#endif
