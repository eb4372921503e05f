/*
 * test_sign_token.c — unit tests of receipt signatures and base64url
 * (sign.h), link tokens (token.h) and sealed facts (fact.h).
 */
#include "testutil.h"

#include "crypto/fact.h"
#include "crypto/keys.h"
#include "crypto/sign.h"
#include "crypto/token.h"
#include "util/rc.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define B64URL_ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#define TOKEN_RAW_MIN (1 + 24 + 8 + 16) /* version, nonce, expiry, tag */
#define INVALID_MSG "the link is not valid: it was altered, forged or is not a "

static const unsigned char master_a[SARGS_KEY_BYTES] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
static const unsigned char master_b[SARGS_KEY_BYTES] = {
	0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

/*
 * The signing public keys of master_a and master_b, computed independently
 * (Python: hashlib.blake2b as crypto_kdf_derive_from_key with id 7 and
 * context "sargs-v1", then an RFC 8032 reference Ed25519 key from that
 * seed). Receipts already handed out must keep verifying: a change here
 * means the derivation changed.
 */
static const char pk_a_hex[] = "b67a52cfce8f74396d9edbf62cc07d0e4f2c09f1595a484fc8fa12863a14e86b";
static const char pk_b_hex[] = "1c9ae9a2a75ffc157e6c5cce71d30239464d50e5e3a19080c33978a73006a7ea";

#define SUBJECT "01890a5d-ac96-774b-bcce-b302099a8057"
#define SUBJECT2 "01890a5d-ac96-774b-bcce-b302099a8058"
#define DAY_US (86400LL * 1000000)
#define NOW_US 1775001600000000LL /* 2026-04-01T00:00:00Z */

/* ---- fixtures ---------------------------------------------------------- */

struct two_keys {
	struct sargs_keys *a, *b;
};

static int keys_setup(void **state)
{
	struct two_keys *k = calloc(1, sizeof(*k));

	if (k == NULL || sargs_keys_from_bytes(master_a, &k->a) != SARGS_OK ||
	    sargs_keys_from_bytes(master_b, &k->b) != SARGS_OK) {
		if (k != NULL) {
			sargs_keys_free(k->a);
			free(k);
		}
		return -1;
	}
	*state = k;
	return 0;
}

static int keys_teardown(void **state)
{
	struct two_keys *k = *state;

	sargs_keys_free(k->a);
	sargs_keys_free(k->b);
	free(k);
	return 0;
}

static void hex_of(const unsigned char *bin, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[bin[i] >> 4];
		out[2 * i + 1] = digits[bin[i] & 0x0f];
	}
	out[2 * n] = '\0';
}

/* ---- signatures -------------------------------------------------------- */

static void test_sign_round_trip(void **state)
{
	struct two_keys *k = *state;
	static const char receipt[] =
		"{\"subject\":\"" SUBJECT "\",\"purpose\":\"newsletter\",\"given\":true}";
	const size_t len = sizeof(receipt) - 1;
	unsigned char pk[SARGS_SIGN_PK_BYTES], pk_b[SARGS_SIGN_PK_BYTES];
	unsigned char sig[SARGS_SIG_BYTES], sig2[SARGS_SIG_BYTES], bad[SARGS_SIG_BYTES];
	unsigned char msg[sizeof(receipt)];

	sargs_sign_public_key(k->a, pk);
	sargs_sign_public_key(k->b, pk_b);
	assert_int_equal(sargs_sign(k->a, receipt, len, sig), SARGS_OK);
	assert_int_equal(sargs_sign_verify(pk, receipt, len, sig), 0);
	/* Ed25519 is deterministic: the same message, the same signature */
	assert_int_equal(sargs_sign(k->a, receipt, len, sig2), SARGS_OK);
	assert_memory_equal(sig, sig2, sizeof(sig));
	/* another master key's public key refuses it, and signs differently */
	assert_int_equal(sargs_sign_verify(pk_b, receipt, len, sig), -1);
	assert_int_equal(sargs_sign(k->b, receipt, len, sig2), SARGS_OK);
	assert_memory_not_equal(sig, sig2, sizeof(sig));
	assert_int_equal(sargs_sign_verify(pk, receipt, len, sig2), -1);
	assert_int_equal(sargs_sign_verify(pk_b, receipt, len, sig2), 0);
	/* every bit of the message matters */
	for (size_t i = 0; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(msg, receipt, len);
			msg[i] ^= (unsigned char)(1u << bit);
			if (sargs_sign_verify(pk, msg, len, sig) != -1)
				fail_msg("message byte %zu bit %d flipped, still verifies", i, bit);
		}
	}
	/* every bit of the signature matters */
	for (size_t i = 0; i < sizeof(sig); i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(bad, sig, sizeof(sig));
			bad[i] ^= (unsigned char)(1u << bit);
			if (sargs_sign_verify(pk, receipt, len, bad) != -1)
				fail_msg("signature byte %zu bit %d flipped, verifies", i, bit);
		}
	}
	/* length matters: a byte fewer, a byte more */
	assert_int_equal(sargs_sign_verify(pk, receipt, len - 1, sig), -1);
	assert_int_equal(sargs_sign_verify(pk, receipt, len + 1, sig), -1);
	/* the empty message can be signed too */
	assert_int_equal(sargs_sign(k->a, "", 0, sig2), SARGS_OK);
	assert_int_equal(sargs_sign_verify(pk, "", 0, sig2), 0);
	assert_int_equal(sargs_sign_verify(pk, receipt, len, sig2), -1);
	/* an all-zero signature and key are refused, not accepted */
	memset(bad, 0, sizeof(bad));
	assert_int_equal(sargs_sign_verify(pk, receipt, len, bad), -1);
	memset(pk_b, 0, sizeof(pk_b));
	assert_int_equal(sargs_sign_verify(pk_b, receipt, len, sig), -1);
}

static void test_sign_public_key(void **state)
{
	struct two_keys *k = *state;
	unsigned char pk[SARGS_SIGN_PK_BYTES], pk2[SARGS_SIGN_PK_BYTES];
	char hex[2 * SARGS_SIGN_PK_BYTES + 1];
	struct sargs_keys *again = NULL;

	sargs_sign_public_key(k->a, pk);
	hex_of(pk, sizeof(pk), hex);
	assert_string_equal(hex, pk_a_hex);
	sargs_sign_public_key(k->b, pk2);
	hex_of(pk2, sizeof(pk2), hex);
	assert_string_equal(hex, pk_b_hex);
	assert_memory_not_equal(pk, pk2, sizeof(pk));
	/* deterministic: a fresh key set from the same master key */
	assert_int_equal(sargs_keys_from_bytes(master_a, &again), SARGS_OK);
	sargs_sign_public_key(again, pk2);
	assert_memory_equal(pk, pk2, sizeof(pk));
	sargs_keys_free(again);
	/* the public key is not the seed, and no other sub-key either */
	for (int i = 1; i < SARGS_SUBKEY__COUNT; i++)
		assert_memory_not_equal(pk, sargs_keys_sub(k->a, (enum sargs_subkey)i),
					SARGS_SIGN_PK_BYTES);
}

/* ---- base64url --------------------------------------------------------- */

struct b64_case {
	const char *bin;
	size_t bin_len;
	const char *text;
	const char *rule;
};

static const struct b64_case b64_cases[] = {
	{"", 0, "", "RFC 4648 §10: empty"},
	{"f", 1, "Zg", "RFC 4648 §10, padding dropped"},
	{"fo", 2, "Zm8", "RFC 4648 §10, padding dropped"},
	{"foo", 3, "Zm9v", "RFC 4648 §10"},
	{"foob", 4, "Zm9vYg", "RFC 4648 §10, padding dropped"},
	{"fooba", 5, "Zm9vYmE", "RFC 4648 §10, padding dropped"},
	{"foobar", 6, "Zm9vYmFy", "RFC 4648 §10"},
	{"\xfb\xff", 2, "-_8", "RFC 4648 §5: '-' and '_' for 62 and 63"},
	{"\xff\xff\xff", 3, "____", "RFC 4648 §5: all ones"},
	{"\0\0\0", 3, "AAAA", "zero bytes"},
};

static void test_b64url_vectors(void **state)
{
	char text[32];
	unsigned char bin[32];
	size_t len;

	(void)state;
	for (size_t i = 0; i < N_ELEMS(b64_cases); i++) {
		const struct b64_case *c = &b64_cases[i];

		if (sargs_b64url_len(c->bin_len) != strlen(c->text))
			fail_msg("row %zu (%s): length %zu", i, c->rule,
				 sargs_b64url_len(c->bin_len));
		sargs_b64url_encode((const unsigned char *)c->bin, c->bin_len, text);
		if (strcmp(text, c->text) != 0)
			fail_msg("row %zu (%s): encoded as \"%s\"", i, c->rule, text);
		len = 999;
		if (sargs_b64url_decode(c->text, bin, sizeof(bin), &len) != SARGS_OK ||
		    len != c->bin_len || memcmp(bin, c->bin, len) != 0)
			fail_msg("row %zu (%s): does not decode back", i, c->rule);
	}
}

static void test_b64url_round_trip(void **state)
{
	unsigned char bin[130], back[130];
	char text[200];
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 73 + 11);
	for (size_t n = 0; n <= sizeof(bin); n++) {
		size_t tlen = sargs_b64url_len(n);

		assert_int_equal(tlen, (4 * n + 2) / 3);
		memset(text, 'x', sizeof(text));
		sargs_b64url_encode(bin, n, text);
		assert_int_equal(strlen(text), tlen); /* NUL right after the text */
		assert_int_equal(strspn(text, B64URL_ALPHABET), tlen);
		assert_int_equal(sargs_b64url_decode(text, back, sizeof(back), &len), SARGS_OK);
		assert_int_equal(len, n);
		if (n > 0)
			assert_memory_equal(back, bin, n);
		/* an exactly fitting buffer is enough, one byte fewer is not */
		assert_int_equal(sargs_b64url_decode(text, back, n, &len), SARGS_OK);
		if (n > 0) {
			assert_int_equal(sargs_b64url_decode(text, back, n - 1, &len),
					 SARGS_E_INVALID);
			assert_int_equal(len, 0);
		}
	}
}

struct b64_bad {
	const char *text;
	const char *rule;
};

static const struct b64_bad b64_bad_cases[] = {
	{"Zg==", "padding is not part of the unpadded form"},
	{"Zm8=", "padding is not part of the unpadded form"},
	{"Zm9v+", "'+' is standard base64, not base64url"},
	{"Zm9v/A", "'/' is standard base64, not base64url"},
	{"Z", "one character is never a whole byte"},
	{"Zm9vY", "length 1 mod 4"},
	{"Zh", "non-zero trailing bits: a second spelling of \"f\""},
	{"Zm9", "non-zero trailing bits: a second spelling of \"fo\""},
	{"Zm 9v", "space inside"},
	{" Zm9v", "leading space"},
	{"Zm9v\n", "trailing newline"},
	{"Zm9v.", "'.' is not in the alphabet"},
	{"Zm9v\xc3\xa9", "non-ASCII"},
	{"Zm9v\x7f", "DEL"},
	{"%5A", "percent-encoded"},
};

static void test_b64url_bad_input(void **state)
{
	unsigned char bin[32];
	size_t len;

	(void)state;
	for (size_t i = 0; i < N_ELEMS(b64_bad_cases); i++) {
		len = 999;
		if (sargs_b64url_decode(b64_bad_cases[i].text, bin, sizeof(bin), &len) !=
		    SARGS_E_INVALID)
			fail_msg("row %zu (%s) accepted", i, b64_bad_cases[i].rule);
		assert_int_equal(len, 0);
	}
	/* too long for the buffer */
	assert_int_equal(sargs_b64url_decode("Zm9vYmFy", bin, 5, &len), SARGS_E_INVALID);
	assert_int_equal(len, 0);
	assert_int_equal(sargs_b64url_decode("Zg", bin, 0, &len), SARGS_E_INVALID);
	/* the empty string is the empty byte string */
	assert_int_equal(sargs_b64url_decode("", bin, sizeof(bin), &len), SARGS_OK);
	assert_int_equal(len, 0);
}

/* ---- link tokens ------------------------------------------------------- */

static void open_ok(const struct sargs_keys *keys, const char *kind, const char *token,
		    int64_t now, const void *payload, size_t len, int64_t expires)
{
	unsigned char got[SARGS_TOKEN_PAYLOAD_MAX];
	size_t got_len = 999;
	int64_t got_expires = 0;
	struct sargs_err err = {0};

	if (sargs_token_open(keys, kind, token, now, got, &got_len, &got_expires, &err) !=
	    SARGS_OK)
		fail_msg("token refused: %s", err.msg);
	assert_int_equal(got_len, len);
	if (len > 0)
		assert_memory_equal(got, payload, len);
	assert_int_equal(got_expires, expires);
}

/* Opening token as kind must fail with SARGS_E_INVALID and its message. */
static void refused(const struct sargs_keys *keys, const char *kind, const char *token,
		    const char *what)
{
	unsigned char got[SARGS_TOKEN_PAYLOAD_MAX];
	size_t got_len = 999;
	int64_t got_expires = 0;
	struct sargs_err err = {0};
	char want[128];
	enum sargs_rc rc;

	rc = sargs_token_open(keys, kind, token, NOW_US, got, &got_len, &got_expires, &err);
	if (rc != SARGS_E_INVALID)
		fail_msg("%s: rc %d, not SARGS_E_INVALID", what, rc);
	assert_int_equal(got_len, 0);
	assert_int_equal(err.rc, SARGS_E_INVALID);
	(void)snprintf(want, sizeof(want), INVALID_MSG "%s link", kind);
	assert_string_equal(err.msg, want);
}

static void test_token_round_trip(void **state)
{
	struct two_keys *k = *state;
	char token[SARGS_TOKEN_MAX];
	unsigned char big[SARGS_TOKEN_PAYLOAD_MAX + 1], raw[SARGS_TOKEN_MAX];
	size_t raw_len = 0;
	const int64_t expires = NOW_US + 30 * DAY_US;

	assert_int_equal(sargs_token_make(k->a, "unsub", SUBJECT, strlen(SUBJECT), expires, token),
			 SARGS_OK);
	assert_int_equal(strspn(token, B64URL_ALPHABET), strlen(token));
	open_ok(k->a, "unsub", token, NOW_US, SUBJECT, strlen(SUBJECT), expires);
	/* the same from a fresh key set of the same master key */
	{
		struct sargs_keys *again = NULL;

		assert_int_equal(sargs_keys_from_bytes(master_a, &again), SARGS_OK);
		open_ok(again, "unsub", token, NOW_US, SUBJECT, strlen(SUBJECT), expires);
		sargs_keys_free(again);
	}
	/* the layout: version 1, nonce, sealed expiry and payload, tag; the
	 * payload is not in it in the clear */
	assert_int_equal(sargs_b64url_decode(token, raw, sizeof(raw), &raw_len), SARGS_OK);
	assert_int_equal(raw_len, TOKEN_RAW_MIN + strlen(SUBJECT));
	assert_int_equal(raw[0], 1);
	for (size_t i = 0; i + 8 <= raw_len; i++)
		assert_memory_not_equal(raw + i, SUBJECT, 8);
	assert_null(strstr(token, "01890a5d"));

	/* empty payload and the largest payload, binary bytes included */
	assert_int_equal(sargs_token_make(k->a, "prefs", "", 0, expires, token), SARGS_OK);
	open_ok(k->a, "prefs", token, NOW_US, "", 0, expires);
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (unsigned char)(255 - i * 3);
	assert_int_equal(sargs_token_make(k->a, "prefs", big, SARGS_TOKEN_PAYLOAD_MAX, expires,
					  token),
			 SARGS_OK);
	assert_true(strlen(token) < SARGS_TOKEN_MAX);
	open_ok(k->a, "prefs", token, NOW_US, big, SARGS_TOKEN_PAYLOAD_MAX, expires);
	/* one byte too many is refused, and so is a negative expiry */
	assert_int_equal(sargs_token_make(k->a, "prefs", big, sizeof(big), expires, token),
			 SARGS_E_INVALID);
	assert_string_equal(token, "");
	assert_int_equal(sargs_token_make(k->a, "prefs", "x", 1, -1, token), SARGS_E_INVALID);
	/* expiry 0 and the largest expiry survive the 8-byte encoding */
	assert_int_equal(sargs_token_make(k->a, "prefs", "x", 1, 0, token), SARGS_OK);
	open_ok(k->a, "prefs", token, 0, "x", 1, 0);
	assert_int_equal(sargs_token_make(k->a, "prefs", "x", 1, INT64_MAX, token), SARGS_OK);
	open_ok(k->a, "prefs", token, NOW_US, "x", 1, INT64_MAX);
}

struct expiry_case {
	int64_t expires, now;
	enum sargs_rc rc;
	const char *date; /* in the message when expired */
	const char *rule;
};

static const struct expiry_case expiry_cases[] = {
	{NOW_US, NOW_US - 1, SARGS_OK, NULL, "a microsecond before the expiry"},
	{NOW_US, NOW_US, SARGS_OK, NULL, "at the expiry itself: still valid"},
	{NOW_US, NOW_US + 1, SARGS_E_DENIED, "2026-04-01", "a microsecond after"},
	{NOW_US - 1, NOW_US, SARGS_E_DENIED, "2026-03-31", "last microsecond of a day (UTC)"},
	{NOW_US, NOW_US + 365 * DAY_US, SARGS_E_DENIED, "2026-04-01", "a year later"},
	{1709164800000000LL, NOW_US, SARGS_E_DENIED, "2024-02-29", "leap day"},
	{0, 1, SARGS_E_DENIED, "1970-01-01", "the epoch"},
};

static void test_token_expired(void **state)
{
	struct two_keys *k = *state;
	char token[SARGS_TOKEN_MAX], want[64];
	unsigned char got[SARGS_TOKEN_PAYLOAD_MAX];
	size_t got_len;
	int64_t got_expires;
	struct sargs_err err;

	for (size_t i = 0; i < N_ELEMS(expiry_cases); i++) {
		const struct expiry_case *c = &expiry_cases[i];
		enum sargs_rc rc;

		assert_int_equal(sargs_token_make(k->a, "unsub", SUBJECT, strlen(SUBJECT),
						  c->expires, token),
				 SARGS_OK);
		memset(&err, 0, sizeof(err));
		memset(got, 0, sizeof(got));
		got_len = 999;
		got_expires = -1;
		rc = sargs_token_open(k->a, "unsub", token, c->now, got, &got_len, &got_expires,
				      &err);
		if (rc != c->rc)
			fail_msg("expiry row %zu (%s): rc %d: %s", i, c->rule, rc, err.msg);
		assert_int_equal(got_expires, c->expires);
		if (rc == SARGS_OK) {
			assert_int_equal(got_len, strlen(SUBJECT));
			continue;
		}
		(void)snprintf(want, sizeof(want), "the link expired on %s", c->date);
		if (strcmp(err.msg, want) != 0)
			fail_msg("expiry row %zu (%s): \"%s\"", i, c->rule, err.msg);
		/* nothing of the payload handed out for an expired link */
		assert_int_equal(got_len, 0);
		for (size_t j = 0; j < sizeof(got); j++)
			assert_int_equal(got[j], 0);
	}
}

static void test_token_wrong_kind(void **state)
{
	struct two_keys *k = *state;
	char token[SARGS_TOKEN_MAX];
	static const char *const others[] = {"prefs", "unsu", "unsubs", "Unsub", "unsub\x7e"};

	assert_int_equal(sargs_token_make(k->a, "unsub", SUBJECT, strlen(SUBJECT),
					  NOW_US + DAY_US, token),
			 SARGS_OK);
	for (size_t i = 0; i < N_ELEMS(others); i++)
		refused(k->a, others[i], token, others[i]);
	/* and the other way round */
	assert_int_equal(sargs_token_make(k->a, "prefs", SUBJECT, strlen(SUBJECT),
					  NOW_US + DAY_US, token),
			 SARGS_OK);
	refused(k->a, "unsub", token, "a prefs token as unsub");
	open_ok(k->a, "prefs", token, NOW_US, SUBJECT, strlen(SUBJECT), NOW_US + DAY_US);
}

static void test_token_every_alteration(void **state)
{
	struct two_keys *k = *state;
	char token[SARGS_TOKEN_MAX], bad[SARGS_TOKEN_MAX + 1], what[96];
	static const char alphabet[] = B64URL_ALPHABET "+/=.~ ";
	size_t len;

	assert_int_equal(sargs_token_make(k->a, "unsub", SUBJECT, strlen(SUBJECT),
					  NOW_US + DAY_US, token),
			 SARGS_OK);
	len = strlen(token);
	/* every position, every other character */
	for (size_t i = 0; i < len; i++) {
		for (size_t c = 0; c < sizeof(alphabet) - 1; c++) {
			if (alphabet[c] == token[i])
				continue;
			memcpy(bad, token, len + 1);
			bad[i] = alphabet[c];
			(void)snprintf(what, sizeof(what), "position %zu set to '%c'", i,
				       alphabet[c]);
			refused(k->a, "unsub", bad, what);
		}
	}
	/* every character deleted */
	for (size_t i = 0; i < len; i++) {
		memcpy(bad, token, i);
		memcpy(bad + i, token + i + 1, len - i);
		(void)snprintf(what, sizeof(what), "character %zu deleted", i);
		refused(k->a, "unsub", bad, what);
	}
	/* a character inserted anywhere */
	for (size_t i = 0; i <= len; i++) {
		memcpy(bad, token, i);
		bad[i] = 'A';
		memcpy(bad + i + 1, token + i, len - i + 1);
		(void)snprintf(what, sizeof(what), "'A' inserted at %zu", i);
		refused(k->a, "unsub", bad, what);
	}
	/* untouched, it still opens */
	open_ok(k->a, "unsub", token, NOW_US, SUBJECT, strlen(SUBJECT), NOW_US + DAY_US);
}

static void test_token_malformed(void **state)
{
	struct two_keys *k = *state;
	char token[SARGS_TOKEN_MAX], bad[SARGS_TOKEN_MAX + 8], what[64];
	unsigned char raw[SARGS_TOKEN_MAX];
	size_t len, raw_len = 0;
	char *huge;
	static const char *const garbage[] = {
		"",
		"A",
		"AAAA",
		"!!!!",
		"unsub",
		"null",
		"%00",
		"../../etc/passwd",
		"AQ",
		"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"\xff\xfe\xfd",
	};

	for (size_t i = 0; i < N_ELEMS(garbage); i++)
		refused(k->a, "unsub", garbage[i], garbage[i]);
	refused(k->a, "unsub", NULL, "NULL");

	assert_int_equal(sargs_token_make(k->a, "unsub", SUBJECT, strlen(SUBJECT),
					  NOW_US + DAY_US, token),
			 SARGS_OK);
	len = strlen(token);
	/* every truncation */
	for (size_t n = 0; n < len; n++) {
		memcpy(bad, token, n);
		bad[n] = '\0';
		(void)snprintf(what, sizeof(what), "truncated to %zu", n);
		refused(k->a, "unsub", bad, what);
	}
	/* padding, a newline, a second token glued on */
	(void)snprintf(bad, sizeof(bad), "%s=", token);
	refused(k->a, "unsub", bad, "padded");
	(void)snprintf(bad, sizeof(bad), "%s\n", token);
	refused(k->a, "unsub", bad, "newline");
	(void)snprintf(bad, sizeof(bad), " %s", token);
	refused(k->a, "unsub", bad, "leading space");
	/* overlong: at the limit, over the limit, far over the limit */
	memset(bad, 'A', sizeof(bad));
	bad[SARGS_TOKEN_MAX - 1] = '\0';
	refused(k->a, "unsub", bad, "199 characters");
	bad[SARGS_TOKEN_MAX - 1] = 'A';
	bad[SARGS_TOKEN_MAX] = '\0';
	refused(k->a, "unsub", bad, "200 characters");
	huge = malloc(1 << 20);
	assert_non_null(huge);
	memcpy(huge, token, len);
	memset(huge + len, 'A', (1 << 20) - len - 1);
	huge[(1 << 20) - 1] = '\0';
	refused(k->a, "unsub", huge, "1 MiB starting with a real token");
	free(huge);
	/* another version byte, everything else intact */
	assert_int_equal(sargs_b64url_decode(token, raw, sizeof(raw), &raw_len), SARGS_OK);
	raw[0] = 2;
	sargs_b64url_encode(raw, raw_len, bad);
	refused(k->a, "unsub", bad, "version 2");
	/* a token cut short of its tag, re-encoded */
	sargs_b64url_encode(raw, TOKEN_RAW_MIN - 1, bad);
	refused(k->a, "unsub", bad, "shorter than the minimum");
}

/* Random strings, some made of base64url, some of any byte: never accepted,
 * never a crash (run under ASan/UBSan too). */
static void test_token_random_strings(void **state)
{
	struct two_keys *k = *state;
	char s[SARGS_TOKEN_MAX + 16];
	uint32_t x = 12345;

	for (int round = 0; round < 20000; round++) {
		size_t n;

		x = x * 1103515245u + 12345u;
		n = (x >> 8) % (sizeof(s) - 1);
		for (size_t i = 0; i < n; i++) {
			x = x * 1103515245u + 12345u;
			if (round % 2 == 0)
				s[i] = B64URL_ALPHABET[(x >> 10) % 64];
			else
				s[i] = (char)(1 + (x >> 10) % 255);
		}
		s[n] = '\0';
		refused(k->a, "unsub", s, "random string");
	}
}

static void test_token_other_master_key(void **state)
{
	struct two_keys *k = *state;
	char token[SARGS_TOKEN_MAX];

	assert_int_equal(sargs_token_make(k->a, "unsub", SUBJECT, strlen(SUBJECT),
					  NOW_US + DAY_US, token),
			 SARGS_OK);
	refused(k->b, "unsub", token, "made under master key a, opened under b");
	assert_int_equal(sargs_token_make(k->b, "unsub", SUBJECT, strlen(SUBJECT),
					  NOW_US + DAY_US, token),
			 SARGS_OK);
	refused(k->a, "unsub", token, "made under master key b, opened under a");
	open_ok(k->b, "unsub", token, NOW_US, SUBJECT, strlen(SUBJECT), NOW_US + DAY_US);
}

static void test_token_random_nonce(void **state)
{
	struct two_keys *k = *state;
	char t1[SARGS_TOKEN_MAX], t2[SARGS_TOKEN_MAX];
	unsigned char r1[SARGS_TOKEN_MAX], r2[SARGS_TOKEN_MAX];
	size_t n1 = 0, n2 = 0;

	assert_int_equal(sargs_token_make(k->a, "unsub", SUBJECT, strlen(SUBJECT),
					  NOW_US + DAY_US, t1),
			 SARGS_OK);
	assert_int_equal(sargs_token_make(k->a, "unsub", SUBJECT, strlen(SUBJECT),
					  NOW_US + DAY_US, t2),
			 SARGS_OK);
	assert_int_equal(strlen(t1), strlen(t2));
	assert_string_not_equal(t1, t2);
	/* nonce and sealed body both differ, not only a few characters */
	assert_int_equal(sargs_b64url_decode(t1, r1, sizeof(r1), &n1), SARGS_OK);
	assert_int_equal(sargs_b64url_decode(t2, r2, sizeof(r2), &n2), SARGS_OK);
	assert_int_equal(n1, n2);
	assert_memory_not_equal(r1 + 1, r2 + 1, 24);
	assert_memory_not_equal(r1 + 25, r2 + 25, n1 - 25);
	/* both open to the same payload */
	open_ok(k->a, "unsub", t1, NOW_US, SUBJECT, strlen(SUBJECT), NOW_US + DAY_US);
	open_ok(k->a, "unsub", t2, NOW_US, SUBJECT, strlen(SUBJECT), NOW_US + DAY_US);
}

/* ---- sealed facts ------------------------------------------------------ */

static void test_fact_round_trip(void **state)
{
	struct two_keys *k = *state;
	unsigned char sealed[SARGS_FACT_MAX + SARGS_FACT_OVERHEAD], other[sizeof(sealed)];
	unsigned char plain[SARGS_FACT_MAX], back[SARGS_FACT_MAX];
	size_t len = 999;

	/* GDPR Art. 8: a minor's birth date, kept sealed for the age rule */
	sargs_fact_seal(k->a, SUBJECT, "birth_date", "2012-05-17", 10, sealed);
	assert_int_equal(sargs_fact_open(k->a, SUBJECT, "birth_date", sealed,
					 10 + SARGS_FACT_OVERHEAD, back, &len),
			 SARGS_OK);
	assert_int_equal(len, 10);
	assert_memory_equal(back, "2012-05-17", 10);
	/* not in the clear */
	for (size_t i = 0; i + 4 <= 10 + SARGS_FACT_OVERHEAD; i++)
		assert_memory_not_equal(sealed + i, "2012", 4);
	/* a fresh nonce each time */
	sargs_fact_seal(k->a, SUBJECT, "birth_date", "2012-05-17", 10, other);
	assert_memory_not_equal(sealed, other, 10 + SARGS_FACT_OVERHEAD);
	/* empty and largest values */
	sargs_fact_seal(k->a, SUBJECT, "flag", "", 0, sealed);
	assert_int_equal(sargs_fact_open(k->a, SUBJECT, "flag", sealed, SARGS_FACT_OVERHEAD, back,
					 &len),
			 SARGS_OK);
	assert_int_equal(len, 0);
	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (unsigned char)(i * 29 + 3);
	sargs_fact_seal(k->a, SUBJECT, "blob", plain, SARGS_FACT_MAX, sealed);
	assert_int_equal(sargs_fact_open(k->a, SUBJECT, "blob", sealed, sizeof(sealed), back, &len),
			 SARGS_OK);
	assert_int_equal(len, SARGS_FACT_MAX);
	assert_memory_equal(back, plain, SARGS_FACT_MAX);
}

static void test_fact_refusals(void **state)
{
	struct two_keys *k = *state;
	enum { PLEN = 10, CLEN = PLEN + SARGS_FACT_OVERHEAD };
	unsigned char sealed[CLEN], bad[CLEN + 1], back[SARGS_FACT_MAX + 1];
	char long_id[200];
	size_t len;

	sargs_fact_seal(k->a, SUBJECT, "birth_date", "2012-05-17", PLEN, sealed);
	/* moved to another subject or name, or under another master key */
	len = 999;
	assert_int_equal(sargs_fact_open(k->a, SUBJECT2, "birth_date", sealed, CLEN, back, &len),
			 SARGS_E_CRYPTO);
	assert_int_equal(len, 0);
	assert_int_equal(sargs_fact_open(k->a, SUBJECT, "birth_year", sealed, CLEN, back, &len),
			 SARGS_E_CRYPTO);
	assert_int_equal(sargs_fact_open(k->a, SUBJECT, "", sealed, CLEN, back, &len),
			 SARGS_E_CRYPTO);
	assert_int_equal(sargs_fact_open(k->a, "", "birth_date", sealed, CLEN, back, &len),
			 SARGS_E_CRYPTO);
	assert_int_equal(sargs_fact_open(k->b, SUBJECT, "birth_date", sealed, CLEN, back, &len),
			 SARGS_E_CRYPTO);
	/* the (subject, name) pair is encoded without ambiguity */
	sargs_fact_seal(k->a, "ab", "c", "v", 1, bad);
	assert_int_equal(sargs_fact_open(k->a, "a", "bc", bad, 1 + SARGS_FACT_OVERHEAD, back, &len),
			 SARGS_E_CRYPTO);
	assert_int_equal(sargs_fact_open(k->a, "ab", "c", bad, 1 + SARGS_FACT_OVERHEAD, back, &len),
			 SARGS_OK);
	/* every bit of every byte altered */
	for (size_t i = 0; i < CLEN; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(bad, sealed, CLEN);
			bad[i] ^= (unsigned char)(1u << bit);
			len = 999;
			if (sargs_fact_open(k->a, SUBJECT, "birth_date", bad, CLEN, back, &len) !=
			    SARGS_E_CRYPTO)
				fail_msg("byte %zu bit %d flipped, still opens", i, bit);
			assert_int_equal(len, 0);
		}
	}
	/* wrong lengths: every truncation, one byte more, far too long */
	for (size_t n = 0; n < CLEN; n++)
		if (sargs_fact_open(k->a, SUBJECT, "birth_date", sealed, n, back, &len) !=
		    SARGS_E_CRYPTO)
			fail_msg("truncated to %zu bytes, still opens", n);
	memcpy(bad, sealed, CLEN);
	bad[CLEN] = 0;
	assert_int_equal(sargs_fact_open(k->a, SUBJECT, "birth_date", bad, CLEN + 1, back, &len),
			 SARGS_E_CRYPTO);
	assert_int_equal(sargs_fact_open(k->a, SUBJECT, "birth_date", sealed,
					 SARGS_FACT_MAX + SARGS_FACT_OVERHEAD + 1, back, &len),
			 SARGS_E_CRYPTO);
	/* an overlong subject id is refused, not overflowing */
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_int_equal(sargs_fact_open(k->a, long_id, "birth_date", sealed, CLEN, back, &len),
			 SARGS_E_CRYPTO);
	/* intact, it still opens */
	assert_int_equal(sargs_fact_open(k->a, SUBJECT, "birth_date", sealed, CLEN, back, &len),
			 SARGS_OK);
	assert_int_equal(len, PLEN);
	assert_memory_equal(back, "2012-05-17", PLEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sign_round_trip, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_sign_public_key, keys_setup, keys_teardown),
		cmocka_unit_test(test_b64url_vectors),
		cmocka_unit_test(test_b64url_round_trip),
		cmocka_unit_test(test_b64url_bad_input),
		cmocka_unit_test_setup_teardown(test_token_round_trip, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_token_expired, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_token_wrong_kind, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_token_every_alteration, keys_setup,
						keys_teardown),
		cmocka_unit_test_setup_teardown(test_token_malformed, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_token_random_strings, keys_setup,
						keys_teardown),
		cmocka_unit_test_setup_teardown(test_token_other_master_key, keys_setup,
						keys_teardown),
		cmocka_unit_test_setup_teardown(test_token_random_nonce, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_fact_round_trip, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_fact_refusals, keys_setup, keys_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
