/*
 * test_staff.c — staff accounts, roles, sessions and API tokens through the
 * library (domain/staff.h). Each table row names the rule it checks: own
 * accounts with strong passwords (seed 002; seed 004 §18i), the length
 * policy and the checks of NIST SP 800-63B §5.1.1.2, the lockout, the
 * session timeouts, and what each role and token may do. Passwords and
 * secrets are searched for in the database file's bytes and in the audit
 * trail: they must be in neither.
 *
 * The register is a real one on disk with the example registry and a fixed
 * clock (moved by the tests).
 */
#include "testutil.h"

#include "domain/controller.h"
#include "domain/register.h"
#include "domain/staff.h"
#include "store/store.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))
#define SEC_US 1000000LL
#define MIN_US (60 * SEC_US)

/* Marker passwords: none may reach the database or the audit trail. */
#define PW_ANNA "Zaļā tēja ar citronu un medu"
#define PW_ANNA2 "Kalnā kāpj saule, lejā iet vējš"
#define PW_JANIS "seši zaļi ezīši skrien"
#define NAME64 "a123456789012345678901234567890123456789012345678901234567890123"

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
	int64_t now;
};

static int64_t t0(void)
{
	return sargs_days_from_civil(2025, 9, 1) * 86400LL * SEC_US + 9 * 60 * MIN_US;
}

static void set_now(struct fixture *fx, int64_t us)
{
	fx->now = us;
	sargs_time_set_fixed(us);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sargs_err err;
	char *doc = test_read_example();

	assert_non_null(fx);
	set_now(fx, t0());
	test_tmpdir("staff", fx->dir, sizeof(fx->dir));
	assert_int_equal(sargs_reg_init(fx->dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(fx->dir, &fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(fx->reg, doc, strlen(doc), NULL, &err), SARGS_OK);
	free(doc);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	sargs_reg_close(fx->reg);
	test_rmtree(fx->dir);
	free(fx);
	sargs_time_set_fixed(0);
	return 0;
}

static void add(struct fixture *fx, const char *name, const char *role, const char *pw)
{
	struct sargs_err err;

	if (sargs_staff_add(fx->reg, name, role, "lv", pw, &err) != SARGS_OK)
		fail_msg("cannot add %s: %s", name, err.msg);
}

static enum sargs_rc login(struct fixture *fx, const char *name, const char *pw,
			   char session[SARGS_SECRET_STR], struct sargs_principal *p,
			   struct sargs_err *err)
{
	return sargs_staff_login(fx->reg, name, pw, session, p, err);
}

/* Reads a whole file (empty when absent); caller frees. */
static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n = 0, r;

	*len = 0;
	if (f == NULL)
		return NULL;
	do {
		if (n == cap) {
			unsigned char *grown;

			cap = cap ? cap * 2 : 1 << 16;
			grown = realloc(buf, cap);
			if (grown == NULL)
				free(buf);
			assert_non_null(grown);
			buf = grown;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return buf;
}

/* 1 when needle is anywhere in the register's database files. */
static int in_db_files(const char *dir, const char *needle)
{
	static const char *const files[] = {"sargs.db", "sargs.db-wal", "sargs.db-journal"};
	size_t nl = strlen(needle);

	for (size_t i = 0; i < N_ROWS(files); i++) {
		char path[1024];
		size_t len;
		unsigned char *buf;
		int found = 0;

		(void)snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		buf = slurp(path, &len);
		for (size_t j = 0; buf != NULL && j + nl <= len && !found; j++)
			found = memcmp(buf + j, needle, nl) == 0;
		free(buf);
		if (found)
			return 1;
	}
	return 0;
}

/* Closes and reopens the register so that everything is in the files. */
static void reopen(struct fixture *fx)
{
	struct sargs_err err;

	sargs_reg_close(fx->reg);
	fx->reg = NULL;
	assert_int_equal(sargs_reg_open(fx->dir, &fx->reg, &err), SARGS_OK);
}

/* ---- the password policy (pure) ------------------------------------------- */

static void test_password_table(void **state)
{
	static const struct {
		const char *rule;
		const char *user, *password;
		int ok;
		const char *says; /* a part of the message when refused */
	} rows[] = {
		{"seed 002 / NIST length policy: 11 characters are too few", "anna", "Kx9#mQ2$vL7", 0,
		 "at least 12"},
		{"NIST length policy: 12 characters are enough", "anna", "Kx9#mQ2$vL7p", 1, NULL},
		{"NIST length policy: characters, not bytes (11 letters with diacritics)", "anna",
		 "ķēķīšūļņāčž", 0, "at least 12"},
		{"NIST length policy: 12 code points with diacritics", "anna", "ķēķīšūļņāčžģ", 1,
		 NULL},
		{"NIST: a passphrase of words with spaces is fine", "anna", PW_ANNA, 1, NULL},
		{"NIST: long passphrases allowed up to 256 bytes", "anna",
		 "viens divi trīs četri pieci seši septiņi astoņi deviņi desmit vienpadsmit"
		 " divpadsmit trīspadsmit četrpadsmit piecpadsmit sešpadsmit septiņpadsmit"
		 " astoņpadsmit deviņpadsmit divdesmit",
		 1, NULL},
		{"NIST: the cap is 256 bytes",
		 "anna",
		 "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgggggggggghhhhhhhhhh"
		 "iiiiiiiiiijjjjjjjjjjkkkkkkkkkkllllllllllmmmmmmmmmmnnnnnnnnnnooooooooooppppppppp"
		 "pqqqqqqqqqqrrrrrrrrrrssssssssssttttttttttuuuuuuuuuuvvvvvvvvvvwwwwwwwwwwxxxxxxxx"
		 "xxyyyyyyyyyyzzzzzzzzzz",
		 0, "at most 256"},
		{"valid UTF-8 only", "anna", "abc\xff\xfe" "defghijklmno", 0, "UTF-8"},
		{"UTF-8: an overlong form is not valid", "anna", "\xc0\xaf" "bcdefghijklmn", 0,
		 "UTF-8"},
		{"no control characters", "anna", "Kx9#mQ2$\tvL7p", 0, "control"},
		{"NIST context words: not the user name", "maris.kalnins2024", "Maris.Kalnins2024",
		 0, "user name"},
		{"NIST repetitive: one character repeated", "anna", "aaaaaaaaaaaaaa", 0,
		 "one character repeated"},
		{"NIST repetitive: a short pattern repeated", "anna", "abababababababab", 0,
		 "fewer than 5 different"},
		{"NIST sequential: abcdefghijklm", "anna", "abcdefghijklm", 0, "sequence"},
		{"NIST sequential: 987654321098 descending", "anna", "987654321098x", 0, "sequence"},
		{"NIST sequential: 1234abcd1234", "anna", "1234abcd1234", 0, "sequence"},
		{"NIST breach corpus: password1234", "anna", "password1234", 0, "common"},
		{"NIST breach corpus: case-insensitive (PassWord1234)", "anna", "PassWord1234", 0,
		 "common"},
		{"NIST breach corpus: 123456789012", "anna", "123456789012", 0, NULL},
		{"NIST breach corpus: qwertyuiop123", "anna", "qwertyuiop123", 0, "common"},
		{"NIST breach corpus: iloveyou1234", "anna", "iloveyou1234", 0, "common"},
		{"NIST breach corpus (Latvian): parole123456", "anna", "parole123456", 0, "common"},
		{"NIST breach corpus (Latvian): Latvija12345", "anna", "Latvija12345", 0, "common"},
		{"NIST dictionary word with digits and symbols: Password2025!", "anna",
		 "Password2025!", 0, "common"},
		{"NIST dictionary word with substitutions: P4ssw0rd!2025", "anna", "P4ssw0rd!2025",
		 0, "common"},
		{"NIST dictionary words repeated: ParoleParole99", "anna", "ParoleParole99", 0,
		 "common"},
		{"NIST: a common password with a symbol added", "anna", "qwerty123456!", 0,
		 "common"},
		{"a strong random password passes", "anna", "v8#Lq!2mZr@9Tx", 1, NULL},
	};
	struct sargs_err err;

	(void)state;
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		enum sargs_rc rc;

		sargs_err_clear(&err);
		rc = sargs_password_check(rows[i].user, rows[i].password, &err);
		if (rows[i].ok && rc != SARGS_OK)
			fail_msg("%s: refused: %s", rows[i].rule, err.msg);
		if (!rows[i].ok && rc != SARGS_E_INVALID)
			fail_msg("%s: accepted", rows[i].rule);
		if (!rows[i].ok && rows[i].says != NULL && strstr(err.msg, rows[i].says) == NULL)
			fail_msg("%s: message '%s' does not say '%s'", rows[i].rule, err.msg,
				 rows[i].says);
		/* a message never repeats the password */
		if (!rows[i].ok && strstr(err.msg, rows[i].password) != NULL)
			fail_msg("%s: the message holds the password", rows[i].rule);
	}
}

static void test_actions(void **state)
{
	size_t n = 0;

	(void)state;
	for (const char *const *a = sargs_actions_all(); *a != NULL; a++, n++)
		assert_true(sargs_action_valid(*a));
	assert_int_equal(n, 13);
	assert_false(sargs_action_valid("subject.delete"));
	assert_false(sargs_action_valid(""));
	assert_false(sargs_action_valid(NULL));
}

/* ---- accounts ------------------------------------------------------------ */

static void test_default_roles(void **state)
{
	struct fixture *fx = *state;
	struct sargs_role *roles = NULL, r;
	struct sargs_err err;
	size_t n = 0;

	assert_int_equal(sargs_role_list(fx->reg, &roles, &n, &err), SARGS_OK);
	assert_int_equal(n, 4);
	assert_string_equal(roles[0].name, "cashier");
	assert_string_equal(roles[1].name, "dpo");
	assert_string_equal(roles[2].name, "marketing");
	assert_string_equal(roles[3].name, "owner");
	for (size_t i = 0; i < n; i++)
		assert_string_equal(roles[i].purposes, "*");
	free(roles);
	/* the owner may do everything but see special categories of data
	 * (mission §9: minimal access; a role must be given it explicitly) */
	assert_int_equal(sargs_role_get(fx->reg, "owner", &r, &err), SARGS_OK);
	for (const char *const *a = sargs_actions_all(); *a != NULL; a++) {
		if (strcmp(*a, SARGS_ACT_SUBJECT_READ_SPECIAL) == 0)
			assert_null(strstr(r.actions, *a));
		else
			assert_true(strstr(r.actions, *a) != NULL);
	}
	assert_int_equal(sargs_role_get(fx->reg, "nobody", &r, &err), SARGS_E_NOTFOUND);
}

static void test_hash_stored_not_password(void **state)
{
	struct fixture *fx = *state;
	struct sargs_staff s;
	struct sargs_err err;

	add(fx, "anna", "cashier", PW_ANNA);
	assert_int_equal(sargs_staff_get(fx->reg, "anna", &s, &err), SARGS_OK);
	assert_string_equal(s.role, "cashier");
	assert_string_equal(s.lang, "lv");
	assert_int_equal(s.created_us, fx->now);
	assert_int_equal(s.last_login_us, 0);
	reopen(fx);
	/* seed 002: an Argon2id hash is kept, not the password */
	assert_true(in_db_files(fx->dir, "$argon2id$v=19$m=65536,t=2,p=1$"));
	assert_false(in_db_files(fx->dir, PW_ANNA));
	assert_false(in_db_files(fx->dir, "tēja ar citronu"));
}

static void test_add_refusals_change_nothing(void **state)
{
	static const struct {
		const char *rule, *name, *role, *lang, *password;
		enum sargs_rc rc;
	} rows[] = {
		{"a user name is [a-z0-9._-]", "Anna", "cashier", "lv", PW_JANIS, SARGS_E_INVALID},
		{"a user name has no spaces", "anna b", "cashier", "lv", PW_JANIS, SARGS_E_INVALID},
		{"a user name is not empty", "", "cashier", "lv", PW_JANIS, SARGS_E_INVALID},
		{"a user name has at most 64 characters", NAME64 "x", "cashier", "lv", PW_JANIS,
		 SARGS_E_INVALID},
		{"the role must exist", "janis", "boss", "lv", PW_JANIS, SARGS_E_INVALID},
		{"the language is lv or en", "janis", "cashier", "de", PW_JANIS, SARGS_E_INVALID},
		{"seed 002: a weak password is refused", "janis", "cashier", "lv", "parole123456",
		 SARGS_E_INVALID},
		{"one account per person: a name is not reused", "anna", "dpo", "en", PW_JANIS,
		 SARGS_E_EXISTS},
	};
	struct fixture *fx = *state;
	struct sargs_staff *list = NULL;
	struct sargs_err err;
	size_t n = 0;

	add(fx, "anna", "cashier", PW_ANNA);
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		enum sargs_rc rc = sargs_staff_add(fx->reg, rows[i].name, rows[i].role,
						   rows[i].lang, rows[i].password, &err);

		if (rc != rows[i].rc)
			fail_msg("%s: rc %d (%s)", rows[i].rule, rc, err.msg);
	}
	/* a 64-character name is fine */
	add(fx, NAME64, "dpo", PW_JANIS);
	assert_int_equal(sargs_staff_list(fx->reg, &list, &n, &err), SARGS_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[1].name, "anna");
	assert_string_equal(list[1].role, "cashier");
	free(list);
}

/* ---- sign-in -------------------------------------------------------------- */

static void test_login(void **state)
{
	struct fixture *fx = *state;
	struct sargs_principal p, q;
	struct sargs_staff s;
	struct sargs_err err;
	char sess[SARGS_SECRET_STR];

	add(fx, "anna", "cashier", PW_ANNA);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_OK);
	assert_int_equal(strlen(sess), 43);
	assert_int_equal(strlen(p.csrf), 43);
	assert_string_not_equal(sess, p.csrf);
	assert_false(p.is_token);
	assert_string_equal(p.name, "anna");
	assert_string_equal(p.role, "cashier");
	assert_string_equal(p.lang, "lv");
	assert_string_equal(p.actor, "staff:anna");
	assert_string_equal(p.purposes, "*");
	assert_int_equal(sargs_session_check(fx->reg, sess, &q, &err), SARGS_OK);
	assert_string_equal(q.actor, "staff:anna");
	assert_string_equal(q.csrf, p.csrf);
	assert_int_equal(sargs_staff_get(fx->reg, "anna", &s, &err), SARGS_OK);
	assert_int_equal(s.last_login_us, fx->now);

	/* wrong password and unknown user: the same answer */
	assert_int_equal(login(fx, "anna", PW_ANNA2, sess, &q, &err), SARGS_E_DENIED);
	assert_string_equal(err.msg, "wrong user name or password");
	assert_string_equal(sess, "");
	assert_string_equal(q.actor, "");
	assert_int_equal(login(fx, "nobody", PW_ANNA, sess, &q, &err), SARGS_E_DENIED);
	assert_string_equal(err.msg, "wrong user name or password");
	assert_int_equal(login(fx, "Bad Name!", PW_ANNA, sess, &q, &err), SARGS_E_DENIED);
	assert_string_equal(err.msg, "wrong user name or password");
	assert_int_equal(login(fx, "anna", "", sess, &q, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_staff_get(fx->reg, "anna", &s, &err), SARGS_OK);
	assert_int_equal(s.failed, 2);
	/* a success clears the count of failures in a row */
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &q, &err), SARGS_OK);
	assert_int_equal(sargs_staff_get(fx->reg, "anna", &s, &err), SARGS_OK);
	assert_int_equal(s.failed, 0);
	/* garbage cookies */
	assert_int_equal(sargs_session_check(fx->reg, "", &q, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_session_check(fx->reg, "x", &q, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_session_check(fx->reg, NULL, &q, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_session_check(fx->reg, p.csrf, &q, &err), SARGS_E_DENIED);
}

static void test_lockout(void **state)
{
	struct fixture *fx = *state;
	struct sargs_principal p;
	struct sargs_staff s;
	struct sargs_err err;
	char sess[SARGS_SECRET_STR];
	int64_t start = fx->now;

	add(fx, "anna", "cashier", PW_ANNA);
	for (int i = 0; i < SARGS_LOCK_AFTER; i++) {
		set_now(fx, start + i * SEC_US);
		assert_int_equal(login(fx, "anna", PW_ANNA2, sess, &p, &err), SARGS_E_DENIED);
	}
	/* NIST SP 800-63B §5.2.2: after 5 failures in a row, locked for 15 minutes,
	 * the right password too */
	assert_int_equal(sargs_staff_get(fx->reg, "anna", &s, &err), SARGS_OK);
	assert_int_equal(s.locked_until_us,
			 start + 4 * SEC_US + (int64_t)SARGS_LOCK_SECONDS * SEC_US);
	set_now(fx, start + 10 * SEC_US);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "account locked until 09:15 UTC"));
	set_now(fx, s.locked_until_us - SEC_US);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "account locked until"));
	/* it opens by itself */
	set_now(fx, s.locked_until_us);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_OK);
	assert_int_equal(sargs_staff_get(fx->reg, "anna", &s, &err), SARGS_OK);
	assert_int_equal(s.failed, 0);
	assert_int_equal(s.locked_until_us, 0);

	/* 4 failures do not lock; unlock by the owner opens a lock at once */
	for (int i = 0; i < SARGS_LOCK_AFTER - 1; i++)
		assert_int_equal(login(fx, "anna", PW_ANNA2, sess, &p, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_staff_get(fx->reg, "anna", &s, &err), SARGS_OK);
	assert_int_equal(s.locked_until_us, 0);
	assert_int_equal(login(fx, "anna", PW_ANNA2, sess, &p, &err), SARGS_E_DENIED);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_staff_unlock(fx->reg, "anna", &err), SARGS_OK);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_OK);
}

static void test_disabled(void **state)
{
	struct fixture *fx = *state;
	struct sargs_principal p;
	struct sargs_err err;
	char sess[SARGS_SECRET_STR], sess2[SARGS_SECRET_STR];

	add(fx, "anna", "cashier", PW_ANNA);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_OK);
	assert_int_equal(sargs_staff_disable(fx->reg, "anna", 1, &err), SARGS_OK);
	/* disabling ends the sessions; the right password is refused */
	assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_E_DENIED);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess2, &p, &err), SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "disabled"));
	assert_int_equal(login(fx, "anna", PW_ANNA2, sess2, &p, &err), SARGS_E_DENIED);
	assert_string_equal(err.msg, "wrong user name or password");
	assert_int_equal(sargs_staff_disable(fx->reg, "anna", 0, &err), SARGS_OK);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess2, &p, &err), SARGS_OK);
	assert_int_equal(sargs_staff_disable(fx->reg, "nobody", 1, &err), SARGS_E_NOTFOUND);
}

/* ---- sessions ------------------------------------------------------------- */

static void test_session_idle_and_absolute(void **state)
{
	struct fixture *fx = *state;
	struct sargs_principal p;
	struct sargs_err err;
	char sess[SARGS_SECRET_STR];
	int64_t start = fx->now, t;

	add(fx, "anna", "dpo", PW_ANNA);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_OK);
	/* idle: 30 minutes unused end it; each use (touched at most once a
	 * minute) starts the 30 minutes again */
	set_now(fx, start + 20 * MIN_US);
	assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_OK);
	set_now(fx, start + 50 * MIN_US);
	assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_OK);
	set_now(fx, start + 50 * MIN_US + 30 * SEC_US); /* not written: under a minute */
	assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_OK);
	set_now(fx, start + 80 * MIN_US);
	assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_OK);
	set_now(fx, start + 110 * MIN_US + SEC_US);
	assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "sign in again"));
	/* ended for good, even back in time */
	set_now(fx, start + 111 * MIN_US);
	assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_E_DENIED);

	/* absolute: 12 hours after sign-in, however busy */
	start = fx->now;
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_OK);
	for (t = 25 * MIN_US; t <= (int64_t)SARGS_SESSION_MAX_S * SEC_US; t += 25 * MIN_US) {
		set_now(fx, start + t);
		if (sargs_session_check(fx->reg, sess, &p, &err) != SARGS_OK)
			fail_msg("session ended after %lld min: %s", (long long)(t / MIN_US),
				 err.msg);
	}
	set_now(fx, start + (int64_t)SARGS_SESSION_MAX_S * SEC_US);
	assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_OK);
	set_now(fx, start + (int64_t)SARGS_SESSION_MAX_S * SEC_US + SEC_US);
	assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_E_DENIED);
}

static void test_signout_and_passwd_end_sessions(void **state)
{
	struct fixture *fx = *state;
	struct sargs_principal p;
	struct sargs_err err;
	char s1[SARGS_SECRET_STR], s2[SARGS_SECRET_STR], s3[SARGS_SECRET_STR];

	add(fx, "anna", "cashier", PW_ANNA);
	add(fx, "janis", "cashier", PW_JANIS);
	assert_int_equal(login(fx, "anna", PW_ANNA, s1, &p, &err), SARGS_OK);
	assert_int_equal(login(fx, "anna", PW_ANNA, s2, &p, &err), SARGS_OK);
	assert_int_equal(login(fx, "janis", PW_JANIS, s3, &p, &err), SARGS_OK);
	/* signing out ends that session only */
	assert_int_equal(sargs_session_end(fx->reg, s1, &err), SARGS_OK);
	assert_int_equal(sargs_session_check(fx->reg, s1, &p, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_session_check(fx->reg, s2, &p, &err), SARGS_OK);
	/* unknown and malformed sessions are fine to end */
	assert_int_equal(sargs_session_end(fx->reg, s1, &err), SARGS_OK);
	assert_int_equal(sargs_session_end(fx->reg, "nonsense", &err), SARGS_OK);
	assert_int_equal(sargs_session_end(fx->reg, NULL, &err), SARGS_OK);
	/* a weak new password changes nothing */
	assert_int_equal(sargs_staff_passwd(fx->reg, "anna", "password1234", &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_session_check(fx->reg, s2, &p, &err), SARGS_OK);
	/* a new password ends every session of the account, not of others */
	assert_int_equal(sargs_staff_passwd(fx->reg, "anna", PW_ANNA2, &err), SARGS_OK);
	assert_int_equal(sargs_session_check(fx->reg, s2, &p, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_session_check(fx->reg, s3, &p, &err), SARGS_OK);
	assert_int_equal(login(fx, "anna", PW_ANNA, s1, &p, &err), SARGS_E_DENIED);
	assert_int_equal(login(fx, "anna", PW_ANNA2, s1, &p, &err), SARGS_OK);
	assert_int_equal(sargs_staff_passwd(fx->reg, "nobody", PW_ANNA2, &err),
			 SARGS_E_NOTFOUND);
}

/* ---- roles and what a principal may do ------------------------------------ */

static void test_principal_may(void **state)
{
	static const struct {
		const char *rule, *role, *action, *purpose;
		int may;
	} rows[] = {
		{"cashier adds customers", "cashier", SARGS_ACT_SUBJECT_WRITE, "service", 1},
		{"cashier records purchases", "cashier", SARGS_ACT_PURCHASE_WRITE, NULL, 1},
		{"cashier records consents", "cashier", SARGS_ACT_CONSENT_WRITE, "newsletter", 1},
		{"cashier exports no campaigns", "cashier", SARGS_ACT_CAMPAIGN_EXPORT,
		 "customer_offers", 0},
		{"cashier reads no audit trail", "cashier", SARGS_ACT_AUDIT_READ, NULL, 0},
		{"cashier manages no staff", "cashier", SARGS_ACT_STAFF_MANAGE, NULL, 0},
		{"dpo answers requests", "dpo", SARGS_ACT_REQUEST_WRITE, NULL, 1},
		{"dpo reads the audit trail", "dpo", SARGS_ACT_AUDIT_READ, NULL, 1},
		{"dpo reads for every purpose", "dpo", SARGS_ACT_SUBJECT_READ, "accounting", 1},
		{"dpo adds no customers", "dpo", SARGS_ACT_SUBJECT_WRITE, "service", 0},
		{"marketing exports campaigns", "marketing", SARGS_ACT_CAMPAIGN_EXPORT,
		 "customer_offers", 1},
		{"marketing imports nothing", "marketing", SARGS_ACT_IMPORT, NULL, 0},
		{"owner manages staff", "owner", SARGS_ACT_STAFF_MANAGE, NULL, 1},
		{"owner imports", "owner", SARGS_ACT_IMPORT, NULL, 1},
		{"a role limited to newsletter reads for it", "news", SARGS_ACT_SUBJECT_READ,
		 "newsletter", 1},
		{"a role limited to newsletter reads for no other purpose", "news",
		 SARGS_ACT_SUBJECT_READ, "service", 0},
		{"purposes match whole ids, not prefixes", "news", SARGS_ACT_SUBJECT_READ, "news",
		 0},
		{"actions match whole names", "news", "subject", NULL, 0},
	};
	struct fixture *fx = *state;
	struct sargs_role news;
	struct sargs_principal p;
	struct sargs_err err;
	char sess[SARGS_SECRET_STR];

	memset(&news, 0, sizeof(news));
	(void)snprintf(news.name, sizeof(news.name), "news");
	(void)snprintf(news.actions, sizeof(news.actions), "subject.read,campaign.read");
	(void)snprintf(news.purposes, sizeof(news.purposes), "newsletter,customer_offers");
	assert_int_equal(sargs_role_set(fx->reg, &news, &err), SARGS_OK);
	add(fx, "u1", "owner", PW_JANIS);
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		assert_int_equal(sargs_staff_set_role(fx->reg, "u1", rows[i].role, &err), SARGS_OK);
		/* the role applies to the open session at once */
		if (i == 0)
			assert_int_equal(login(fx, "u1", PW_JANIS, sess, &p, &err), SARGS_OK);
		assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_OK);
		if (sargs_principal_may(&p, rows[i].action, rows[i].purpose) != rows[i].may)
			fail_msg("%s: principal_may is %d", rows[i].rule, !rows[i].may);
	}
	assert_false(sargs_principal_may(NULL, SARGS_ACT_SUBJECT_READ, NULL));
	assert_int_equal(sargs_staff_set_role(fx->reg, "u1", "boss", &err), SARGS_E_INVALID);
	assert_int_equal(sargs_staff_set_role(fx->reg, "nobody", "dpo", &err), SARGS_E_NOTFOUND);
}

static void test_role_set_rules(void **state)
{
	static const struct {
		const char *rule, *name, *actions, *purposes;
		enum sargs_rc rc;
	} rows[] = {
		{"purposes must exist in the registry", "r1", "subject.read", "astrology",
		 SARGS_E_INVALID},
		{"actions must be known", "r1", "subject.read,subject.delete", "*", SARGS_E_INVALID},
		{"at least one action", "r1", "", "*", SARGS_E_INVALID},
		{"at least one purpose", "r1", "subject.read", "", SARGS_E_INVALID},
		{"no empty items", "r1", "subject.read,,audit.read", "*", SARGS_E_INVALID},
		{"'*' stands alone", "r1", "subject.read", "service,*", SARGS_E_INVALID},
		{"a role name is [a-z0-9._-]", "R 1", "subject.read", "*", SARGS_E_INVALID},
		{"'*': every purpose", "r1", "subject.read,audit.read", "*", SARGS_OK},
		{"named purposes", "r2", "subject.read", "service,web_shop", SARGS_OK},
		{"a default role may be changed", "cashier", "subject.read,subject.write",
		 "service", SARGS_OK},
	};
	struct fixture *fx = *state;
	struct sargs_role r;
	struct sargs_err err;

	for (size_t i = 0; i < N_ROWS(rows); i++) {
		enum sargs_rc rc;

		memset(&r, 0, sizeof(r));
		(void)snprintf(r.name, sizeof(r.name), "%s", rows[i].name);
		(void)snprintf(r.actions, sizeof(r.actions), "%s", rows[i].actions);
		(void)snprintf(r.purposes, sizeof(r.purposes), "%s", rows[i].purposes);
		rc = sargs_role_set(fx->reg, &r, &err);
		if (rc != rows[i].rc)
			fail_msg("%s: rc %d (%s)", rows[i].rule, rc, err.msg);
	}
	assert_int_equal(sargs_role_get(fx->reg, "cashier", &r, &err), SARGS_OK);
	assert_string_equal(r.actions, "subject.read,subject.write");
	assert_string_equal(r.purposes, "service");
	assert_int_equal(sargs_role_get(fx->reg, "r2", &r, &err), SARGS_OK);
	assert_string_equal(r.purposes, "service,web_shop");
}

/* ---- API tokens ----------------------------------------------------------- */

static struct sargs_apitoken token(const char *name, const char *actions, const char *purposes,
				   int64_t expires_us)
{
	struct sargs_apitoken t;

	memset(&t, 0, sizeof(t));
	(void)snprintf(t.name, sizeof(t.name), "%s", name);
	(void)snprintf(t.actions, sizeof(t.actions), "%s", actions);
	(void)snprintf(t.purposes, sizeof(t.purposes), "%s", purposes);
	t.expires_us = expires_us;
	return t;
}

static void test_tokens(void **state)
{
	static const struct {
		const char *rule, *name, *actions, *purposes;
		enum sargs_rc rc;
	} refused[] = {
		{"a token names its purposes: '*' is refused", "t1", "subject.write", "*",
		 SARGS_E_INVALID},
		{"a token's purposes must exist", "t1", "subject.write", "astrology",
		 SARGS_E_INVALID},
		{"a token's actions must be known", "t1", "subject.erase", "web_shop",
		 SARGS_E_INVALID},
		{"a token name is [a-z0-9._-]", "Web Shop", "subject.write", "web_shop",
		 SARGS_E_INVALID},
		{"names are not reused", "shop", "subject.read", "web_shop", SARGS_E_EXISTS},
	};
	struct fixture *fx = *state;
	struct sargs_apitoken t = token("shop", "subject.write,consent.write", "web_shop,newsletter",
					0);
	struct sargs_apitoken *list = NULL;
	struct sargs_principal p;
	struct sargs_err err;
	char tok[SARGS_SECRET_STR], tok2[SARGS_SECRET_STR], other[SARGS_SECRET_STR];
	size_t n = 0;

	assert_int_equal(sargs_apitoken_issue(fx->reg, &t, tok, &err), SARGS_OK);
	assert_int_equal(strncmp(tok, "sgt_", 4), 0);
	assert_int_equal(strlen(tok), 4 + 43);
	assert_int_equal(sargs_apitoken_check(fx->reg, tok, &p, &err), SARGS_OK);
	assert_true(p.is_token);
	assert_string_equal(p.name, "shop");
	assert_string_equal(p.role, "");
	assert_string_equal(p.actor, "token:shop");
	assert_string_equal(p.csrf, "");
	/* limited to the purposes and actions it was issued for */
	assert_true(sargs_principal_may(&p, SARGS_ACT_SUBJECT_WRITE, "web_shop"));
	assert_true(sargs_principal_may(&p, SARGS_ACT_CONSENT_WRITE, "newsletter"));
	assert_false(sargs_principal_may(&p, SARGS_ACT_SUBJECT_WRITE, "service"));
	assert_false(sargs_principal_may(&p, SARGS_ACT_SUBJECT_READ, "web_shop"));
	assert_false(sargs_principal_may(&p, SARGS_ACT_CAMPAIGN_EXPORT, NULL));
	for (size_t i = 0; i < N_ROWS(refused); i++) {
		struct sargs_apitoken r = token(refused[i].name, refused[i].actions,
						refused[i].purposes, 0);
		enum sargs_rc rc = sargs_apitoken_issue(fx->reg, &r, other, &err);

		if (rc != refused[i].rc)
			fail_msg("%s: rc %d (%s)", refused[i].rule, rc, err.msg);
		assert_string_equal(other, "");
	}
	/* a changed or made-up token is refused */
	(void)snprintf(other, sizeof(other), "%s", tok);
	other[10] = other[10] == 'A' ? 'B' : 'A';
	assert_int_equal(sargs_apitoken_check(fx->reg, other, &p, &err), SARGS_E_DENIED);
	assert_string_equal(p.actor, "");
	assert_int_equal(sargs_apitoken_check(fx->reg, tok + 4, &p, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_apitoken_check(fx->reg, "sgt_", &p, &err), SARGS_E_DENIED);
	assert_int_equal(sargs_apitoken_check(fx->reg, NULL, &p, &err), SARGS_E_DENIED);

	/* expiry */
	t = token("till", "subject.read", "service", fx->now + 86400LL * SEC_US);
	assert_int_equal(sargs_apitoken_issue(fx->reg, &t, tok2, &err), SARGS_OK);
	assert_int_equal(sargs_apitoken_check(fx->reg, tok2, &p, &err), SARGS_OK);
	set_now(fx, fx->now + 86400LL * SEC_US);
	assert_int_equal(sargs_apitoken_check(fx->reg, tok2, &p, &err), SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "expired"));
	t = token("past", "subject.read", "service", fx->now - SEC_US);
	assert_int_equal(sargs_apitoken_issue(fx->reg, &t, other, &err), SARGS_E_INVALID);

	/* revocation */
	assert_int_equal(sargs_apitoken_revoke(fx->reg, "shop", &err), SARGS_OK);
	assert_int_equal(sargs_apitoken_check(fx->reg, tok, &p, &err), SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "revoked"));
	assert_int_equal(sargs_apitoken_revoke(fx->reg, "shop", &err), SARGS_OK);
	assert_int_equal(sargs_apitoken_revoke(fx->reg, "nothing", &err), SARGS_E_NOTFOUND);

	assert_int_equal(sargs_apitoken_list(fx->reg, &list, &n, &err), SARGS_OK);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].name, "shop");
	assert_true(list[0].revoked);
	assert_string_equal(list[0].purposes, "web_shop,newsletter");
	assert_string_equal(list[1].name, "till");
	assert_false(list[1].revoked);
	assert_int_equal(list[1].expires_us, t0() + 86400LL * SEC_US);
	free(list);

	/* the secret is not stored, only its keyed hash */
	reopen(fx);
	assert_false(in_db_files(fx->dir, tok));
	assert_false(in_db_files(fx->dir, tok + 4));
	assert_false(in_db_files(fx->dir, tok2 + 4));
}

static void test_session_secret_not_stored(void **state)
{
	struct fixture *fx = *state;
	struct sargs_principal p;
	struct sargs_err err;
	char sess[SARGS_SECRET_STR];

	add(fx, "anna", "cashier", PW_ANNA);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_OK);
	reopen(fx);
	assert_false(in_db_files(fx->dir, sess));
	assert_int_equal(sargs_session_check(fx->reg, sess, &p, &err), SARGS_OK);
}

/* ---- the audit trail ------------------------------------------------------ */

struct audit_scan {
	const char *const *secrets;
	size_t n_secrets;
	int leaks;
	char actions[2048];
	char failed_detail[256];
	char login_actor[SARGS_ACTOR_MAX];
};

static int has(const char *s, const char *needle)
{
	return s != NULL && strstr(s, needle) != NULL;
}

static int audit_cb(void *ctx, const struct sargs_store_audit_row *row)
{
	struct audit_scan *a = ctx;
	size_t len = strlen(a->actions);

	for (size_t i = 0; i < a->n_secrets; i++)
		if (has(row->actor, a->secrets[i]) || has(row->action, a->secrets[i]) ||
		    has(row->fields, a->secrets[i]) || has(row->purpose, a->secrets[i]) ||
		    has(row->channel, a->secrets[i]) || has(row->detail, a->secrets[i]))
			a->leaks++;
	(void)snprintf(a->actions + len, sizeof(a->actions) - len, "%s|", row->action);
	if (strcmp(row->action, "staff.login.failed") == 0 && has(row->detail, "(unknown)"))
		(void)snprintf(a->failed_detail, sizeof(a->failed_detail), "%s", row->detail);
	if (strcmp(row->action, "staff.login") == 0)
		(void)snprintf(a->login_actor, sizeof(a->login_actor), "%s", row->actor);
	return 0;
}

static void test_audit_holds_no_secrets(void **state)
{
	struct fixture *fx = *state;
	struct sargs_apitoken t = token("shop", "subject.write", "web_shop", 0);
	struct sargs_role r;
	struct sargs_principal p;
	struct sargs_err err;
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};
	struct audit_scan scan;
	char sess[SARGS_SECRET_STR], csrf[SARGS_SECRET_STR], tok[SARGS_SECRET_STR];
	static const char *const actions[] = {
		"staff.add|", "staff.login|", "staff.login.failed|", "staff.passwd|",
		"staff.role|", "staff.disable|", "staff.enable|", "staff.unlock|", "staff.logout|",
		"token.issue|", "token.revoke|", "role.set|",
	};

	add(fx, "anna", "cashier", PW_ANNA);
	assert_int_equal(login(fx, "anna", PW_ANNA2, sess, &p, &err), SARGS_E_DENIED);
	/* a password typed into the user name field is not recorded */
	assert_int_equal(login(fx, PW_JANIS, PW_ANNA, sess, &p, &err), SARGS_E_DENIED);
	assert_int_equal(login(fx, "parole.janis.123", PW_ANNA, sess, &p, &err), SARGS_E_DENIED);
	assert_int_equal(login(fx, "anna", PW_ANNA, sess, &p, &err), SARGS_OK);
	(void)snprintf(csrf, sizeof(csrf), "%s", p.csrf);
	assert_int_equal(sargs_staff_passwd(fx->reg, "anna", PW_ANNA2, &err), SARGS_OK);
	assert_int_equal(sargs_staff_set_role(fx->reg, "anna", "dpo", &err), SARGS_OK);
	assert_int_equal(sargs_staff_disable(fx->reg, "anna", 1, &err), SARGS_OK);
	assert_int_equal(sargs_staff_disable(fx->reg, "anna", 0, &err), SARGS_OK);
	assert_int_equal(sargs_staff_unlock(fx->reg, "anna", &err), SARGS_OK);
	assert_int_equal(login(fx, "anna", PW_ANNA2, sess, &p, &err), SARGS_OK);
	assert_int_equal(sargs_session_end(fx->reg, sess, &err), SARGS_OK);
	assert_int_equal(sargs_apitoken_issue(fx->reg, &t, tok, &err), SARGS_OK);
	assert_int_equal(sargs_apitoken_revoke(fx->reg, "shop", &err), SARGS_OK);
	memset(&r, 0, sizeof(r));
	(void)snprintf(r.name, sizeof(r.name), "till");
	(void)snprintf(r.actions, sizeof(r.actions), "purchase.write");
	(void)snprintf(r.purposes, sizeof(r.purposes), "service");
	assert_int_equal(sargs_role_set(fx->reg, &r, &err), SARGS_OK);

	{
		const char *const secrets[] = {PW_ANNA, PW_ANNA2, PW_JANIS, "parole.janis.123",
					       sess, csrf, tok, tok + 4, "$argon2id"};

		memset(&scan, 0, sizeof(scan));
		scan.secrets = secrets;
		scan.n_secrets = N_ROWS(secrets);
		assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, audit_cb, &scan),
				 SARGS_OK);
		assert_int_equal(scan.leaks, 0);
	}
	for (size_t i = 0; i < N_ROWS(actions); i++)
		if (strstr(scan.actions, actions[i]) == NULL)
			fail_msg("no audit entry %s in %s", actions[i], scan.actions);
	assert_string_equal(scan.failed_detail, "user:(unknown)");
	assert_string_equal(scan.login_actor, "staff:anna");
	/* the register's own actor is back after the sign-in entry */
	assert_int_equal(strncmp(fx->reg->actor, "cli:", 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_password_table),
		cmocka_unit_test(test_actions),
		cmocka_unit_test_setup_teardown(test_default_roles, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hash_stored_not_password, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_refusals_change_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_login, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_idle_and_absolute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signout_and_passwd_end_sessions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_principal_may, setup, teardown),
		cmocka_unit_test_setup_teardown(test_role_set_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_session_secret_not_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_holds_no_secrets, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
