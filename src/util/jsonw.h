/*
 * jsonw.h — JSON text written straight into a buffer, for answers made
 * often enough that building a jansson tree and dumping it shows (the
 * purpose-bound read). The text is the one json_dumps writes with
 * JSON_COMPACT | JSON_ENSURE_ASCII: a test holds the two byte for byte.
 */
#ifndef SARGS_JSONW_H
#define SARGS_JSONW_H

#include "util/rc.h"
#include "util/strbuf.h"

/* Appends s, quoted and escaped: \" \\ \b \f \n \r \t, other control
 * characters and everything beyond ASCII as \uXXXX (a pair of surrogates
 * beyond U+FFFF). SARGS_E_INVALID when s is not valid UTF-8 (the buffer
 * then holds a part of it: the caller gives the whole text up); the
 * buffer's own errors as sargs_strbuf_add. */
enum sargs_rc sargs_json_str(struct sargs_strbuf *b, const char *s) SARGS_WUR;

#endif
