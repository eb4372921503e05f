/*
 * test_crypto.c — unit tests of src/crypto: master key files and the
 * environment override (keys.h), sub-keys, the key check value, the buffered
 * CSPRNG, data key wrapping, field encryption, blind indexes and the audit
 * chain hash (field.h).
 */
#include "testutil.h"

#include "crypto/field.h"
#include "crypto/keys.h"
#include "util/fsutil.h"
#include "util/rc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define HEADER "sargs-master-key-v1\n"
#define HEX64 "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

static const unsigned char master_a[SARGS_KEY_BYTES] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};
static const unsigned char master_b[SARGS_KEY_BYTES] = {
	0x01, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
	0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
	0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

#define SUBJECT "01890a5d-ac96-774b-bcce-b302099a8057"
#define SUBJECT2 "01890a5d-ac96-774b-bcce-b302099a8058"

/* ---- fixtures ---------------------------------------------------------- */

static int unset_env(void **state)
{
	(void)state;
	(void)unsetenv(SARGS_MASTER_KEY_ENV);
	return 0;
}

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

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	(void)unlink(path);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* The key check values of two key sets are equal (same master key). */
static int same_key(const struct sargs_keys *x, const struct sargs_keys *y)
{
	unsigned char cx[SARGS_KEY_CHECK_BYTES], cy[SARGS_KEY_CHECK_BYTES];

	sargs_keys_check_value(x, cx);
	sargs_keys_check_value(y, cy);
	return memcmp(cx, cy, sizeof(cx)) == 0;
}

/* ---- key files --------------------------------------------------------- */

static void test_key_file_create(void **state)
{
	char dir[512], path[1024];
	struct sargs_err err;
	struct sargs_keys *k1 = NULL, *k2 = NULL;
	struct stat st;
	char *text = NULL;
	size_t len = 0;

	(void)state;
	test_tmpdir("crypto-keyfile", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "master.key"), SARGS_OK);
	assert_int_equal(sargs_keys_create_file(path, &err), SARGS_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(sargs_fs_read(path, 4096, &text, &len, &err), SARGS_OK);
	/* header, 64 lower-case hex digits, newline */
	assert_int_equal(len, strlen(HEADER) + 64 + 1);
	assert_memory_equal(text, HEADER, strlen(HEADER));
	for (size_t i = strlen(HEADER); i < len - 1; i++)
		assert_non_null(strchr("0123456789abcdef", text[i]));
	assert_int_equal(text[len - 1], '\n');
	free(text);

	/* loading twice gives the same key */
	assert_int_equal(sargs_keys_load(path, &k1, &err), SARGS_OK);
	assert_int_equal(sargs_keys_load(path, &k2, &err), SARGS_OK);
	assert_true(same_key(k1, k2));
	sargs_keys_free(k2);
	k2 = NULL;

	/* never overwritten: the key stays the same */
	assert_int_equal(sargs_keys_create_file(path, &err), SARGS_E_EXISTS);
	assert_int_equal(sargs_keys_load(path, &k2, &err), SARGS_OK);
	assert_true(same_key(k1, k2));
	sargs_keys_free(k2);
	k2 = NULL;

	/* a second key file holds a different key */
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "other.key"), SARGS_OK);
	assert_int_equal(sargs_keys_create_file(path, &err), SARGS_OK);
	assert_int_equal(sargs_keys_load(path, &k2, &err), SARGS_OK);
	assert_false(same_key(k1, k2));
	sargs_keys_free(k1);
	sargs_keys_free(k2);
	sargs_keys_free(NULL); /* destructors accept NULL */
	test_rmtree(dir);
}

struct mode_case {
	mode_t mode;
	enum sargs_rc rc;
	const char *rule;
};

static const struct mode_case mode_cases[] = {
	{0600, SARGS_OK, "owner read/write"},
	{0400, SARGS_OK, "owner read only"},
	{0644, SARGS_E_DENIED, "world-readable refused"},
	{0640, SARGS_E_DENIED, "group-readable refused"},
	{0604, SARGS_E_DENIED, "other-readable refused"},
	{0610, SARGS_E_DENIED, "group-executable refused (any group bit)"},
	{0602, SARGS_E_DENIED, "other-writable refused"},
};

static void test_key_file_modes(void **state)
{
	char dir[512], path[1024];
	struct sargs_err err;

	(void)state;
	test_tmpdir("crypto-modes", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "master.key"), SARGS_OK);
	for (size_t i = 0; i < N_ELEMS(mode_cases); i++) {
		struct sargs_keys *k = NULL;
		enum sargs_rc rc;

		write_file(path, HEADER HEX64 "\n", mode_cases[i].mode);
		memset(&err, 0, sizeof(err));
		rc = sargs_keys_load(path, &k, &err);
		if (rc != mode_cases[i].rc)
			fail_msg("mode row %zu (%s): got rc %d: %s", i, mode_cases[i].rule, rc,
				 err.msg);
		if (rc == SARGS_OK) {
			struct sargs_keys *ref = NULL;

			assert_int_equal(sargs_keys_from_bytes(master_a, &ref), SARGS_OK);
			assert_true(same_key(k, ref));
			sargs_keys_free(ref);
			sargs_keys_free(k);
		} else {
			assert_null(k);
			assert_non_null(strstr(err.msg, "chmod 600"));
		}
		(void)chmod(path, 0600);
	}
	test_rmtree(dir);
}

struct bad_file_case {
	const char *text;
	const char *rule;
};

static const struct bad_file_case bad_files[] = {
	{"", "empty file"},
	{HEADER, "header only"},
	{HEX64 "\n", "key without header"},
	{"sargs-master-key-v2\n" HEX64 "\n", "other header version"},
	{HEADER HEX64 "00\n", "66 hex digits"},
	{HEADER "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1\n",
	 "63 hex digits"},
	{HEADER "g00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
	 "a non-hex character"},
	{HEADER HEX64 "\nextra\n", "trailing garbage line"},
	{HEADER " " HEX64 "\n", "leading space before the key"},
};

static void test_key_file_malformed(void **state)
{
	char dir[512], path[1024];
	struct sargs_err err;

	(void)state;
	test_tmpdir("crypto-bad", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "master.key"), SARGS_OK);
	for (size_t i = 0; i < N_ELEMS(bad_files); i++) {
		struct sargs_keys *k = NULL;
		enum sargs_rc rc;

		write_file(path, bad_files[i].text, 0600);
		rc = sargs_keys_load(path, &k, &err);
		if (rc != SARGS_E_INVALID) {
			sargs_keys_free(k);
			fail_msg("bad key file row %zu (%s): got rc %d", i, bad_files[i].rule, rc);
		}
		assert_null(k);
		/* the message never contains key material */
		assert_null(strstr(err.msg, "0102030405"));
	}
	/* the well-formed file, with and without a final newline, loads */
	write_file(path, HEADER HEX64 "\n", 0600);
	{
		struct sargs_keys *k = NULL;

		assert_int_equal(sargs_keys_load(path, &k, &err), SARGS_OK);
		sargs_keys_free(k);
	}
	write_file(path, HEADER HEX64, 0600);
	{
		struct sargs_keys *k = NULL;

		assert_int_equal(sargs_keys_load(path, &k, &err), SARGS_OK);
		sargs_keys_free(k);
	}
	test_rmtree(dir);
}

static void test_key_file_missing(void **state)
{
	char dir[512], path[1024];
	struct sargs_err err;
	struct sargs_keys *k = NULL;

	(void)state;
	test_tmpdir("crypto-missing", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "nope.key"), SARGS_OK);
	memset(&err, 0, sizeof(err));
	assert_int_equal(sargs_keys_load(path, &k, &err), SARGS_E_NOTFOUND);
	assert_int_equal(err.rc, SARGS_E_NOTFOUND);
	assert_null(k);
	assert_non_null(strstr(err.msg, SARGS_MASTER_KEY_ENV));
	test_rmtree(dir);
}

/* ---- the environment override ------------------------------------------ */

static void test_env_key_precedence(void **state)
{
	char dir[512], path[1024];
	struct sargs_err err;
	struct sargs_keys *from_env = NULL, *ref = NULL, *file_key = NULL;

	(void)state;
	test_tmpdir("crypto-env", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "master.key"), SARGS_OK);
	assert_int_equal(sargs_keys_create_file(path, &err), SARGS_OK);
	assert_int_equal(sargs_keys_load(path, &file_key, &err), SARGS_OK);

	assert_int_equal(setenv(SARGS_MASTER_KEY_ENV, HEX64, 1), 0);
	/* the environment wins over an existing key file ... */
	assert_int_equal(sargs_keys_load(path, &from_env, &err), SARGS_OK);
	assert_int_equal(sargs_keys_from_bytes(master_a, &ref), SARGS_OK);
	assert_true(same_key(from_env, ref));
	assert_false(same_key(from_env, file_key));
	sargs_keys_free(from_env);
	from_env = NULL;
	/* ... and makes a key file unnecessary */
	assert_int_equal(sargs_keys_load("/nonexistent/dir/master.key", &from_env, &err),
			 SARGS_OK);
	assert_true(same_key(from_env, ref));
	sargs_keys_free(from_env);
	from_env = NULL;
	/* upper-case hex is the same key */
	assert_int_equal(setenv(SARGS_MASTER_KEY_ENV,
				"000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F",
				1), 0);
	assert_int_equal(sargs_keys_load(path, &from_env, &err), SARGS_OK);
	assert_true(same_key(from_env, ref));
	sargs_keys_free(from_env);
	/* an empty variable counts as unset: the file is used */
	assert_int_equal(setenv(SARGS_MASTER_KEY_ENV, "", 1), 0);
	from_env = NULL;
	assert_int_equal(sargs_keys_load(path, &from_env, &err), SARGS_OK);
	assert_true(same_key(from_env, file_key));
	sargs_keys_free(from_env);
	sargs_keys_free(ref);
	sargs_keys_free(file_key);
	test_rmtree(dir);
}

static const struct bad_file_case bad_env[] = {
	{"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1", "63 digits"},
	{HEX64 "0", "65 digits"},
	{HEX64 "00", "66 digits"},
	{"z00102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "non-hex"},
	{"00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f", "colon-separated"},
	{"not a key", "text"},
	{" " HEX64, "leading space"},
};

static void test_env_key_malformed(void **state)
{
	char dir[512], path[1024];
	struct sargs_err err;

	(void)state;
	test_tmpdir("crypto-envbad", dir, sizeof(dir));
	assert_int_equal(sargs_fs_join(path, sizeof(path), dir, "master.key"), SARGS_OK);
	/* a valid key file exists: a bad variable must still be refused, not
	 * silently fall back to the file */
	assert_int_equal(sargs_keys_create_file(path, &err), SARGS_OK);
	for (size_t i = 0; i < N_ELEMS(bad_env); i++) {
		struct sargs_keys *k = NULL;
		enum sargs_rc rc;

		assert_int_equal(setenv(SARGS_MASTER_KEY_ENV, bad_env[i].text, 1), 0);
		memset(&err, 0, sizeof(err));
		rc = sargs_keys_load(path, &k, &err);
		if (rc != SARGS_E_INVALID) {
			sargs_keys_free(k);
			fail_msg("bad env row %zu (%s): got rc %d", i, bad_env[i].rule, rc);
		}
		assert_null(k);
		assert_non_null(strstr(err.msg, SARGS_MASTER_KEY_ENV));
	}
	(void)unsetenv(SARGS_MASTER_KEY_ENV);
	test_rmtree(dir);
}

/* ---- sub-keys and the key check value ---------------------------------- */

static void test_subkeys_distinct(void **state)
{
	struct two_keys *k = *state;
	struct sargs_keys *again = NULL;

	for (int i = 1; i < SARGS_SUBKEY__COUNT; i++) {
		const unsigned char *si = sargs_keys_sub(k->a, (enum sargs_subkey)i);

		assert_memory_not_equal(si, master_a, SARGS_KEY_BYTES);
		assert_memory_not_equal(si, sargs_keys_sub(k->b, (enum sargs_subkey)i),
					SARGS_KEY_BYTES);
		for (int j = i + 1; j < SARGS_SUBKEY__COUNT; j++)
			assert_memory_not_equal(si, sargs_keys_sub(k->a, (enum sargs_subkey)j),
						SARGS_KEY_BYTES);
	}
	/* derivation is deterministic */
	assert_int_equal(sargs_keys_from_bytes(master_a, &again), SARGS_OK);
	for (int i = 1; i < SARGS_SUBKEY__COUNT; i++)
		assert_memory_equal(sargs_keys_sub(k->a, (enum sargs_subkey)i),
				    sargs_keys_sub(again, (enum sargs_subkey)i), SARGS_KEY_BYTES);
	sargs_keys_free(again);
}

static void test_key_check_value(void **state)
{
	struct two_keys *k = *state;
	struct sargs_keys *again = NULL;
	unsigned char c1[SARGS_KEY_CHECK_BYTES], c2[SARGS_KEY_CHECK_BYTES];
	unsigned char c3[SARGS_KEY_CHECK_BYTES], zero[SARGS_KEY_CHECK_BYTES] = {0};

	sargs_keys_check_value(k->a, c1);
	sargs_keys_check_value(k->a, c2);
	assert_memory_equal(c1, c2, sizeof(c1));
	assert_int_equal(sargs_keys_from_bytes(master_a, &again), SARGS_OK);
	sargs_keys_check_value(again, c2);
	assert_memory_equal(c1, c2, sizeof(c1));
	sargs_keys_free(again);
	sargs_keys_check_value(k->b, c3);
	assert_memory_not_equal(c1, c3, sizeof(c1));
	assert_memory_not_equal(c1, zero, sizeof(c1));
	/* not simply a prefix of the master or of a sub-key */
	assert_memory_not_equal(c1, master_a, sizeof(c1));
	assert_memory_not_equal(c1, sargs_keys_sub(k->a, SARGS_SUBKEY_CHECK), sizeof(c1));
}

/* ---- the buffered CSPRNG ------------------------------------------------ */

static int has_zero_run(const unsigned char *p, size_t n, size_t run)
{
	size_t zeros = 0;

	for (size_t i = 0; i < n; i++) {
		zeros = p[i] == 0 ? zeros + 1 : 0;
		if (zeros >= run)
			return 1;
	}
	return 0;
}

static void test_random(void **state)
{
	struct two_keys *k = *state;
	unsigned char a[32], b[32], big[4000], cross[200], huge[10000];
	unsigned char zero[32] = {0};

	sargs_keys_random(k->a, a, sizeof(a));
	sargs_keys_random(k->a, b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	/* another key set has its own stream */
	sargs_keys_random(k->b, b, sizeof(b));
	assert_memory_not_equal(a, b, sizeof(a));

	/* across the refill of the 4096-byte buffer: 64 used, then 4000, then
	 * 200 (the last 32 of the old buffer and 168 of the new one) */
	sargs_keys_random(k->a, big, sizeof(big));
	sargs_keys_random(k->a, cross, sizeof(cross));
	assert_false(has_zero_run(big, sizeof(big), 16));
	assert_false(has_zero_run(cross, sizeof(cross), 16));
	for (size_t off = 0; off + 16 <= sizeof(cross); off += 8)
		for (size_t j = 0; j + 16 <= sizeof(big); j++)
			if (memcmp(cross + off, big + j, 16) == 0)
				fail_msg("bytes handed out twice (cross %zu, big %zu)", off, j);
	/* more than a buffer at once */
	sargs_keys_random(k->a, huge, sizeof(huge));
	assert_false(has_zero_run(huge, sizeof(huge), 16));
	assert_memory_not_equal(huge, huge + 4096, 4096);
	/* zero bytes is a no-op */
	sargs_keys_random(k->a, a, 0);
}

/* ---- data keys ---------------------------------------------------------- */

/* Whether dk2 decrypts what dk1 encrypted (i.e. they are the same key). */
static int same_dkey(struct sargs_keys *keys, const struct sargs_dkey *dk1,
		     const struct sargs_dkey *dk2)
{
	unsigned char ct[5 + SARGS_FIELD_OVERHEAD];
	char *pt = NULL;
	int same;

	sargs_field_encrypt(keys, dk1, SUBJECT, "email", "probe", 5, ct);
	same = sargs_field_decrypt(dk2, SUBJECT, "email", ct, sizeof(ct), &pt, NULL) == SARGS_OK;
	if (same)
		same = strcmp(pt, "probe") == 0;
	free(pt);
	return same;
}

static void test_dkey_wrap_round_trip(void **state)
{
	struct two_keys *k = *state;
	struct sargs_dkey *dk = NULL, *other = NULL, *back = NULL;
	unsigned char w1[SARGS_WRAPPED_KEY_BYTES], w2[SARGS_WRAPPED_KEY_BYTES];

	assert_int_equal(sargs_dkey_new(k->a, &dk), SARGS_OK);
	assert_int_equal(sargs_dkey_new(k->a, &other), SARGS_OK);
	assert_false(same_dkey(k->a, dk, other));
	sargs_dkey_wrap(k->a, dk, SUBJECT, w1);
	sargs_dkey_wrap(k->a, dk, SUBJECT, w2);
	assert_memory_not_equal(w1, w2, sizeof(w1)); /* fresh nonce each time */
	assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT, w1, sizeof(w1), &back), SARGS_OK);
	assert_true(same_dkey(k->a, dk, back));
	sargs_dkey_free(back);
	back = NULL;
	assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT, w2, sizeof(w2), &back), SARGS_OK);
	assert_true(same_dkey(k->a, dk, back));
	sargs_dkey_free(back);
	/* an unwrapped key in a fresh key set from the same master works too */
	{
		struct sargs_keys *again = NULL;

		back = NULL;
		assert_int_equal(sargs_keys_from_bytes(master_a, &again), SARGS_OK);
		assert_int_equal(sargs_dkey_unwrap(again, SUBJECT, w1, sizeof(w1), &back),
				 SARGS_OK);
		assert_true(same_dkey(k->a, dk, back));
		sargs_dkey_free(back);
		sargs_keys_free(again);
	}
	sargs_dkey_free(dk);
	sargs_dkey_free(other);
	sargs_dkey_free(NULL);
}

static void test_dkey_unwrap_refusals(void **state)
{
	struct two_keys *k = *state;
	struct sargs_dkey *dk = NULL, *back = NULL;
	unsigned char w[SARGS_WRAPPED_KEY_BYTES], bad[SARGS_WRAPPED_KEY_BYTES + 1];
	char long_id[200];

	assert_int_equal(sargs_dkey_new(k->a, &dk), SARGS_OK);
	sargs_dkey_wrap(k->a, dk, SUBJECT, w);

	/* another subject */
	assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT2, w, sizeof(w), &back), SARGS_E_CRYPTO);
	assert_null(back);
	assert_int_equal(sargs_dkey_unwrap(k->a, "", w, sizeof(w), &back), SARGS_E_CRYPTO);
	assert_null(back);
	/* another master key */
	assert_int_equal(sargs_dkey_unwrap(k->b, SUBJECT, w, sizeof(w), &back), SARGS_E_CRYPTO);
	assert_null(back);
	/* every single bit flipped, in nonce, wrapped key and tag */
	for (size_t i = 0; i < sizeof(w); i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(bad, w, sizeof(w));
			bad[i] ^= (unsigned char)(1u << bit);
			if (sargs_dkey_unwrap(k->a, SUBJECT, bad, sizeof(w), &back) !=
			    SARGS_E_CRYPTO)
				fail_msg("flipped bit %d of byte %zu accepted", bit, i);
			assert_null(back);
		}
	}
	/* wrong lengths */
	memcpy(bad, w, sizeof(w));
	bad[sizeof(w)] = 0;
	assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT, bad, sizeof(w) + 1, &back),
			 SARGS_E_CRYPTO);
	assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT, w, sizeof(w) - 1, &back),
			 SARGS_E_CRYPTO);
	assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT, w, 0, &back), SARGS_E_CRYPTO);
	assert_null(back);
	/* an overlong subject id is refused, not overflowing */
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	assert_int_equal(sargs_dkey_unwrap(k->a, long_id, w, sizeof(w), &back), SARGS_E_CRYPTO);
	assert_null(back);
	/* the original still unwraps */
	assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT, w, sizeof(w), &back), SARGS_OK);
	sargs_dkey_free(back);
	sargs_dkey_free(dk);
}

/* The guarded scratch slots: a finite pool, distinct, wiped and reusable. */
static void test_key_slots(void **state)
{
	enum { CAP = 4096 };
	struct two_keys *k = *state;
	unsigned char **slots = calloc(CAP, sizeof(*slots));
	unsigned char *again;
	int n = 0;

	assert_non_null(slots);
	while (n < CAP && (slots[n] = sargs_keys_slot_get(k->a)) != NULL) {
		memset(slots[n], 0xA5, SARGS_KEY_SLOT_BYTES);
		n++;
	}
	assert_true(n > 0);
	assert_true(n < CAP);                      /* the pool runs out: NULL */
	assert_null(sargs_keys_slot_get(k->a));    /* and stays out */
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++) {
			uintptr_t a = (uintptr_t)slots[i], b = (uintptr_t)slots[j];

			/* distinct and not overlapping */
			assert_true(a + SARGS_KEY_SLOT_BYTES <= b || b + SARGS_KEY_SLOT_BYTES <= a);
		}
	/* another key set has its own pool */
	again = sargs_keys_slot_get(k->b);
	assert_non_null(again);
	sargs_keys_slot_put(k->b, again);
	/* a slot put back is wiped and handed out again */
	sargs_keys_slot_put(k->a, slots[n / 2]);
	again = sargs_keys_slot_get(k->a);
	assert_ptr_equal(again, slots[n / 2]);
	for (int i = 0; i < SARGS_KEY_SLOT_BYTES; i++)
		assert_int_equal(again[i], 0);
	assert_null(sargs_keys_slot_get(k->a));
	/* all back: the whole pool is available again */
	for (int i = 0; i < n; i++)
		sargs_keys_slot_put(k->a, slots[i]);
	for (int i = 0; i < n; i++) {
		slots[i] = sargs_keys_slot_get(k->a);
		assert_non_null(slots[i]);
	}
	for (int i = 0; i < n; i++)
		sargs_keys_slot_put(k->a, slots[i]);
	free(slots);
}

/*
 * Data keys come from a small pool of guarded slots in struct sargs_keys and,
 * once the pool is used up, from sodium_malloc. Keys from both sources must
 * work and stay distinct, and freed slots must be reusable.
 */
static void test_dkey_pool_exhaustion(void **state)
{
	enum { MANY = 80 };
	struct two_keys *k = *state;
	struct sargs_dkey *dk[MANY];
	unsigned char w[MANY][SARGS_WRAPPED_KEY_BYTES];

	for (int i = 0; i < MANY; i++)
		assert_int_equal(sargs_dkey_new(k->a, &dk[i]), SARGS_OK);
	for (int i = 0; i < MANY; i++) {
		sargs_dkey_wrap(k->a, dk[i], SUBJECT, w[i]);
		/* each key differs from its neighbours, pooled or not */
		if (i > 0 && same_dkey(k->a, dk[i - 1], dk[i]))
			fail_msg("data keys %d and %d are equal", i - 1, i);
	}
	assert_false(same_dkey(k->a, dk[0], dk[MANY - 1]));
	/* free every other one (slots and heap keys mixed) */
	for (int i = 0; i < MANY; i += 2) {
		sargs_dkey_free(dk[i]);
		dk[i] = NULL;
	}
	/* unwrap into the freed places; each must equal the original */
	for (int i = 0; i < MANY; i += 2) {
		struct sargs_dkey *orig = NULL;

		assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT, w[i], sizeof(w[i]), &dk[i]),
				 SARGS_OK);
		assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT, w[i], sizeof(w[i]), &orig),
				 SARGS_OK);
		assert_true(same_dkey(k->a, orig, dk[i]));
		sargs_dkey_free(orig);
	}
	/* the survivors were not disturbed by slot reuse */
	for (int i = 1; i < MANY; i += 2) {
		struct sargs_dkey *back = NULL;

		assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT, w[i], sizeof(w[i]), &back),
				 SARGS_OK);
		if (!same_dkey(k->a, dk[i], back))
			fail_msg("data key %d changed while others were freed", i);
		sargs_dkey_free(back);
	}
	/* failed unwraps do not leak slots: after many failures, all still work */
	for (int i = 0; i < 100; i++) {
		struct sargs_dkey *none = NULL;

		assert_int_equal(sargs_dkey_unwrap(k->a, SUBJECT2, w[0], sizeof(w[0]), &none),
				 SARGS_E_CRYPTO);
		assert_null(none);
	}
	for (int i = 0; i < MANY; i++)
		sargs_dkey_free(dk[i]);
	/* with everything returned, a full round again */
	for (int i = 0; i < MANY; i++)
		assert_int_equal(sargs_dkey_new(k->a, &dk[i]), SARGS_OK);
	for (int i = 0; i < MANY; i++)
		sargs_dkey_free(dk[i]);
}

/* ---- field encryption --------------------------------------------------- */

struct dk_state {
	struct sargs_keys *keys, *other;
	struct sargs_dkey *dk;
};

static int dk_setup(void **state)
{
	struct dk_state *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	if (sargs_keys_from_bytes(master_a, &s->keys) != SARGS_OK ||
	    sargs_keys_from_bytes(master_b, &s->other) != SARGS_OK ||
	    sargs_dkey_new(s->keys, &s->dk) != SARGS_OK)
		return -1;
	*state = s;
	return 0;
}

static int dk_teardown(void **state)
{
	struct dk_state *s = *state;

	sargs_dkey_free(s->dk);
	sargs_keys_free(s->keys);
	sargs_keys_free(s->other);
	free(s);
	return 0;
}

static void round_trip(struct dk_state *s, const void *plain, size_t len)
{
	unsigned char *ct = malloc(len + SARGS_FIELD_OVERHEAD);
	char *pt = NULL;
	size_t pt_len = 12345;

	assert_non_null(ct);
	sargs_field_encrypt(s->keys, s->dk, SUBJECT, "email", plain, len, ct);
	assert_int_equal(sargs_field_decrypt(s->dk, SUBJECT, "email", ct,
					     len + SARGS_FIELD_OVERHEAD, &pt, &pt_len),
			 SARGS_OK);
	assert_int_equal(pt_len, len);
	if (len > 0) {
		assert_memory_equal(pt, plain, len);
		/* the ciphertext body does not hold the plain text */
		if (len >= 16)
			assert_memory_not_equal(ct + SARGS_NONCE_BYTES, plain, 16);
	}
	assert_int_equal(pt[len], '\0');
	free(pt);
	free(ct);
}

static void test_field_round_trip(void **state)
{
	struct dk_state *s = *state;
	const size_t mib = 1024 * 1024;
	unsigned char *big = malloc(mib);
	static const unsigned char binary[] = {0, 1, 2, 0, 0xff, 0x80, 0};

	round_trip(s, "jānis.bērziņš@example.lv", strlen("jānis.bērziņš@example.lv"));
	round_trip(s, "", 0);
	round_trip(s, "x", 1);
	round_trip(s, binary, sizeof(binary));
	assert_non_null(big);
	for (size_t i = 0; i < mib; i++)
		big[i] = (unsigned char)(i * 31 + (i >> 9));
	round_trip(s, big, mib);
	free(big);
}

static void test_field_bound_to_subject_and_field(void **state)
{
	struct dk_state *s = *state;
	unsigned char ct[11 + SARGS_FIELD_OVERHEAD], ct2[1 + SARGS_FIELD_OVERHEAD];
	struct sargs_dkey *other_dk = NULL;
	char *pt = NULL;

	sargs_field_encrypt(s->keys, s->dk, SUBJECT, "phone", "+3712000000", 11, ct);
	assert_int_equal(sargs_field_decrypt(s->dk, SUBJECT2, "phone", ct, sizeof(ct), &pt, NULL),
			 SARGS_E_CRYPTO);
	assert_null(pt);
	assert_int_equal(sargs_field_decrypt(s->dk, SUBJECT, "email", ct, sizeof(ct), &pt, NULL),
			 SARGS_E_CRYPTO);
	assert_null(pt);
	assert_int_equal(sargs_field_decrypt(s->dk, SUBJECT, "", ct, sizeof(ct), &pt, NULL),
			 SARGS_E_CRYPTO);
	assert_int_equal(sargs_field_decrypt(s->dk, SUBJECT, "phone2", ct, sizeof(ct), &pt, NULL),
			 SARGS_E_CRYPTO);
	/* another subject's data key */
	assert_int_equal(sargs_dkey_new(s->keys, &other_dk), SARGS_OK);
	assert_int_equal(sargs_field_decrypt(other_dk, SUBJECT, "phone", ct, sizeof(ct), &pt, NULL),
			 SARGS_E_CRYPTO);
	sargs_dkey_free(other_dk);
	assert_null(pt);
	/* the (subject, field) pair is encoded without ambiguity:
	 * ("ab", "c") and ("a", "bc") are different contexts */
	sargs_field_encrypt(s->keys, s->dk, "ab", "c", "v", 1, ct2);
	assert_int_equal(sargs_field_decrypt(s->dk, "a", "bc", ct2, sizeof(ct2), &pt, NULL),
			 SARGS_E_CRYPTO);
	assert_int_equal(sargs_field_decrypt(s->dk, "ab", "c", ct2, sizeof(ct2), &pt, NULL),
			 SARGS_OK);
	free(pt);
	pt = NULL;
	/* and it still decrypts in its own place */
	assert_int_equal(sargs_field_decrypt(s->dk, SUBJECT, "phone", ct, sizeof(ct), &pt, NULL),
			 SARGS_OK);
	assert_string_equal(pt, "+3712000000");
	free(pt);
}

static void test_field_tamper(void **state)
{
	struct dk_state *s = *state;
	enum { PLEN = 20, CLEN = PLEN + SARGS_FIELD_OVERHEAD };
	unsigned char ct[CLEN], bad[CLEN];
	/* nonce start/end, body start/end, tag start/end */
	static const size_t positions[] = {0, SARGS_NONCE_BYTES - 1, SARGS_NONCE_BYTES,
					   SARGS_NONCE_BYTES + PLEN - 1, SARGS_NONCE_BYTES + PLEN,
					   CLEN - 1};
	char *pt = NULL;

	sargs_field_encrypt(s->keys, s->dk, SUBJECT, "name", "Anna Bērziņa-Ozola", PLEN, ct);
	for (size_t i = 0; i < N_ELEMS(positions); i++) {
		memcpy(bad, ct, CLEN);
		bad[positions[i]] ^= 0x01;
		if (sargs_field_decrypt(s->dk, SUBJECT, "name", bad, CLEN, &pt, NULL) !=
		    SARGS_E_CRYPTO)
			fail_msg("flipped byte at named position %zu accepted", positions[i]);
		assert_null(pt);
	}
	/* every byte, every value change by 0x80 */
	for (size_t i = 0; i < CLEN; i++) {
		memcpy(bad, ct, CLEN);
		bad[i] ^= 0x80;
		if (sargs_field_decrypt(s->dk, SUBJECT, "name", bad, CLEN, &pt, NULL) !=
		    SARGS_E_CRYPTO)
			fail_msg("flipped byte %zu accepted", i);
		assert_null(pt);
	}
	/* truncated: one byte short, down to below the overhead */
	for (size_t len = 0; len < CLEN; len++) {
		if (sargs_field_decrypt(s->dk, SUBJECT, "name", ct, len, &pt, NULL) !=
		    SARGS_E_CRYPTO)
			fail_msg("truncated to %zu bytes accepted", len);
		assert_null(pt);
	}
	/* extended by a byte */
	{
		unsigned char longer[CLEN + 1];

		memcpy(longer, ct, CLEN);
		longer[CLEN] = 0;
		assert_int_equal(sargs_field_decrypt(s->dk, SUBJECT, "name", longer, CLEN + 1,
						     &pt, NULL),
				 SARGS_E_CRYPTO);
	}
	/* intact */
	assert_int_equal(sargs_field_decrypt(s->dk, SUBJECT, "name", ct, CLEN, &pt, NULL), SARGS_OK);
	assert_memory_equal(pt, "Anna Bērziņa-Ozola", PLEN);
	free(pt);
}

static void test_field_random_nonces(void **state)
{
	struct dk_state *s = *state;
	unsigned char c1[5 + SARGS_FIELD_OVERHEAD], c2[5 + SARGS_FIELD_OVERHEAD];
	unsigned char e1[SARGS_FIELD_OVERHEAD], e2[SARGS_FIELD_OVERHEAD];

	sargs_field_encrypt(s->keys, s->dk, SUBJECT, "email", "hello", 5, c1);
	sargs_field_encrypt(s->keys, s->dk, SUBJECT, "email", "hello", 5, c2);
	assert_memory_not_equal(c1, c2, SARGS_NONCE_BYTES);
	assert_memory_not_equal(c1 + SARGS_NONCE_BYTES, c2 + SARGS_NONCE_BYTES, 5);
	/* even the empty value gets a fresh nonce and tag */
	sargs_field_encrypt(s->keys, s->dk, SUBJECT, "email", "", 0, e1);
	sargs_field_encrypt(s->keys, s->dk, SUBJECT, "email", "", 0, e2);
	assert_memory_not_equal(e1, e2, sizeof(e1));
}

/* ---- blind indexes ------------------------------------------------------ */

static void test_blind_index(void **state)
{
	struct dk_state *s = *state;
	unsigned char a1[SARGS_BLIND_BYTES], a2[SARGS_BLIND_BYTES], x[SARGS_BLIND_BYTES];

	sargs_blind_index(s->keys, "email", "anna@example.lv", a1);
	sargs_blind_index(s->keys, "email", "anna@example.lv", a2);
	assert_memory_equal(a1, a2, sizeof(a1));
	/* a new key set from the same master gives the same index */
	{
		struct sargs_keys *again = NULL;

		assert_int_equal(sargs_keys_from_bytes(master_a, &again), SARGS_OK);
		sargs_blind_index(again, "email", "anna@example.lv", a2);
		assert_memory_equal(a1, a2, sizeof(a1));
		sargs_keys_free(again);
	}
	sargs_blind_index(s->keys, "phone", "anna@example.lv", x);
	assert_memory_not_equal(a1, x, sizeof(a1));
	sargs_blind_index(s->keys, "email", "anna@example.lw", x);
	assert_memory_not_equal(a1, x, sizeof(a1));
	sargs_blind_index(s->other, "email", "anna@example.lv", x);
	assert_memory_not_equal(a1, x, sizeof(a1));
	/* kind and value boundary is unambiguous */
	sargs_blind_index(s->keys, "ab", "c", a2);
	sargs_blind_index(s->keys, "a", "bc", x);
	assert_memory_not_equal(a2, x, sizeof(a2));
	/* empty value is still keyed and kind-bound */
	sargs_blind_index(s->keys, "email", "", a2);
	sargs_blind_index(s->keys, "phone", "", x);
	assert_memory_not_equal(a2, x, sizeof(a2));
}

/* ---- the audit chain hash ----------------------------------------------- */

static void test_chain_hash(void **state)
{
	struct dk_state *s = *state;
	unsigned char prev[SARGS_HASH_BYTES], p2[SARGS_HASH_BYTES];
	unsigned char entry[64], e2[65];
	unsigned char h[SARGS_HASH_BYTES], h2[SARGS_HASH_BYTES];

	for (size_t i = 0; i < sizeof(prev); i++)
		prev[i] = (unsigned char)(i * 7 + 1);
	for (size_t i = 0; i < sizeof(entry); i++)
		entry[i] = (unsigned char)(i * 13 + 5);
	sargs_chain_hash(s->keys, prev, entry, sizeof(entry), h);
	sargs_chain_hash(s->keys, prev, entry, sizeof(entry), h2);
	assert_memory_equal(h, h2, sizeof(h));
	/* every bit of prev matters */
	for (size_t i = 0; i < sizeof(prev); i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(p2, prev, sizeof(prev));
			p2[i] ^= (unsigned char)(1u << bit);
			sargs_chain_hash(s->keys, p2, entry, sizeof(entry), h2);
			if (memcmp(h, h2, sizeof(h)) == 0)
				fail_msg("prev byte %zu bit %d does not change the hash", i, bit);
		}
	}
	/* every byte of the entry matters */
	for (size_t i = 0; i < sizeof(entry); i++) {
		memcpy(e2, entry, sizeof(entry));
		e2[i] ^= 0x01;
		sargs_chain_hash(s->keys, prev, e2, sizeof(entry), h2);
		if (memcmp(h, h2, sizeof(h)) == 0)
			fail_msg("entry byte %zu does not change the hash", i);
	}
	/* length matters: one extra zero byte, one byte fewer */
	memcpy(e2, entry, sizeof(entry));
	e2[sizeof(entry)] = 0;
	sargs_chain_hash(s->keys, prev, e2, sizeof(entry) + 1, h2);
	assert_memory_not_equal(h, h2, sizeof(h));
	sargs_chain_hash(s->keys, prev, entry, sizeof(entry) - 1, h2);
	assert_memory_not_equal(h, h2, sizeof(h));
	/* keyed: another master key gives another hash */
	sargs_chain_hash(s->other, prev, entry, sizeof(entry), h2);
	assert_memory_not_equal(h, h2, sizeof(h));
	/* and it is not the unkeyed hash */
	sargs_hash(entry, sizeof(entry), h2);
	assert_memory_not_equal(h, h2, sizeof(h));
}

static void test_hash_and_hex(void **state)
{
	/* BLAKE2b-256 of the empty string (RFC 7693 reference implementation) */
	static const char empty_hex[] =
		"0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8";
	unsigned char h[SARGS_HASH_BYTES];
	char hex[2 * SARGS_HASH_BYTES + 1];
	static const unsigned char bytes[] = {0x00, 0x0f, 0xa0, 0xff};
	char small[9];

	(void)state;
	sargs_hash("", 0, h);
	sargs_hex(h, sizeof(h), hex);
	assert_string_equal(hex, empty_hex);
	sargs_hex(bytes, sizeof(bytes), small);
	assert_string_equal(small, "000fa0ff");
	assert_int_equal(sargs_secret_cmp("abc", "abc", 3), 0);
	assert_int_not_equal(sargs_secret_cmp("abc", "abd", 3), 0);
	{
		char buf[4] = "key";

		sargs_wipe(buf, sizeof(buf));
		assert_memory_equal(buf, "\0\0\0\0", 4);
		sargs_wipe(NULL, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_key_file_create, unset_env),
		cmocka_unit_test_teardown(test_key_file_modes, unset_env),
		cmocka_unit_test_teardown(test_key_file_malformed, unset_env),
		cmocka_unit_test_teardown(test_key_file_missing, unset_env),
		cmocka_unit_test_teardown(test_env_key_precedence, unset_env),
		cmocka_unit_test_teardown(test_env_key_malformed, unset_env),
		cmocka_unit_test_setup_teardown(test_subkeys_distinct, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_key_check_value, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_random, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_dkey_wrap_round_trip, keys_setup,
						keys_teardown),
		cmocka_unit_test_setup_teardown(test_dkey_unwrap_refusals, keys_setup,
						keys_teardown),
		cmocka_unit_test_setup_teardown(test_key_slots, keys_setup, keys_teardown),
		cmocka_unit_test_setup_teardown(test_dkey_pool_exhaustion, keys_setup,
						keys_teardown),
		cmocka_unit_test_setup_teardown(test_field_round_trip, dk_setup, dk_teardown),
		cmocka_unit_test_setup_teardown(test_field_bound_to_subject_and_field, dk_setup,
						dk_teardown),
		cmocka_unit_test_setup_teardown(test_field_tamper, dk_setup, dk_teardown),
		cmocka_unit_test_setup_teardown(test_field_random_nonces, dk_setup, dk_teardown),
		cmocka_unit_test_setup_teardown(test_blind_index, dk_setup, dk_teardown),
		cmocka_unit_test_setup_teardown(test_chain_hash, dk_setup, dk_teardown),
		cmocka_unit_test(test_hash_and_hex),
	};

	/* the group setup makes sure no key from the caller's environment leaks in */
	return cmocka_run_group_tests(tests, unset_env, unset_env);
}
