/*
 * token.h — opaque, authenticated, expiring link tokens: the one-click
 * unsubscribe links of RFC 8058 and the links to a subject's preference page.
 *
 * A token is base64url text of
 *   version 1 (1 byte) || nonce (24 random bytes) ||
 *   XChaCha20-Poly1305 under the link sub-key of
 *     (expiry, 8 bytes big-endian µs since the epoch || payload) || tag (16)
 * with "sargs-token-v1" || 0 || kind as the authenticated data. The payload
 * is encrypted, so a token reveals nothing about whom it is for; the kind is
 * authenticated, so an unsubscribe token cannot be used as a preferences
 * token. Tokens come back from the internet: opening one never trusts any of
 * its bytes before the tag has been checked.
 */
#ifndef SARGS_TOKEN_H
#define SARGS_TOKEN_H

#include "crypto/keys.h"
#include "util/rc.h"

#include <stddef.h>
#include <stdint.h>

#define SARGS_TOKEN_PAYLOAD_MAX 80
#define SARGS_TOKEN_MAX 200  /* bytes incl. NUL of an encoded token */
#define SARGS_TOKEN_KIND_MAX 32

/*
 * Makes a token of kind carrying len bytes of payload that expires at
 * expires_us (µs since the epoch) and writes it, NUL-terminated, to out.
 * kind is a label fixed in the code ("unsub", "prefs"): 1 to
 * SARGS_TOKEN_KIND_MAX printable ASCII characters, else the process aborts
 * (programmer error). SARGS_E_INVALID when len > SARGS_TOKEN_PAYLOAD_MAX or
 * expires_us is negative.
 */
enum sargs_rc sargs_token_make(struct sargs_keys *keys, const char *kind, const void *payload,
			       size_t len, int64_t expires_us, char out[SARGS_TOKEN_MAX]) SARGS_WUR;

/*
 * Opens token (any NUL-terminated string) as a token of kind, as of now_us.
 * On success copies the payload to payload, sets *len and *expires_us.
 * SARGS_E_INVALID ("the link is not valid: it was altered, forged or is not
 * a <kind> link") for anything malformed, too long, of another kind, made
 * under another master key or failing authentication; SARGS_E_DENIED ("the
 * link expired on YYYY-MM-DD", UTC) when now_us is past the expiry, with
 * *expires_us set. On failure *len is 0 and payload holds nothing of the
 * token. kind is checked as by sargs_token_make.
 */
enum sargs_rc sargs_token_open(const struct sargs_keys *keys, const char *kind, const char *token,
			       int64_t now_us, unsigned char payload[SARGS_TOKEN_PAYLOAD_MAX],
			       size_t *len, int64_t *expires_us, struct sargs_err *err) SARGS_WUR;

#endif
