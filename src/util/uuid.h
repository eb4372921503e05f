/*
 * uuid.h — subject identifiers: RFC 9562 UUID version 7 (48-bit Unix
 * millisecond time stamp, then 74 random bits). Time-ordered ids keep the
 * store's B-trees append-mostly, which matters at millions of subjects; the
 * time stamp only says when the record was created, which the register keeps
 * in the clear anyway.
 */
#ifndef SARGS_UUID_H
#define SARGS_UUID_H

#include "util/rc.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_UUID_STR 37  /* 36 characters + NUL */

/* Writes a new UUIDv7 in canonical lower-case text form into out. */
enum sargs_rc sargs_uuid_v7(int64_t now_us, char out[SARGS_UUID_STR]) SARGS_WUR;

/* 1 when s is a canonical lower-case UUID text (8-4-4-4-12 hex digits). */
int sargs_uuid_valid(const char *s);

#define SARGS_UUID_BYTES 16

/* The 16 bytes of a canonical UUID text; SARGS_E_INVALID when s is not one. */
enum sargs_rc sargs_uuid_to_bytes(const char *s, unsigned char out[SARGS_UUID_BYTES]) SARGS_WUR;

/* The canonical text of 16 UUID bytes. */
void sargs_uuid_from_bytes(const unsigned char b[SARGS_UUID_BYTES], char out[SARGS_UUID_STR]);

#endif
