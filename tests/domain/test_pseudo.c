/*
 * test_pseudo.c — pseudonyms, pseudonymised exports and re-identification
 * (crypto/pseudo.h, domain/pseudo.h). Each case names the rule it checks:
 * a separate key kept apart, in a 0600 file (004 §19.2); pseudonyms stable
 * per person and purpose, unlinkable across purposes and keys (GDPR
 * Art. 4(5)); no identifying field in an export; one audit entry per export
 * naming no one; re-identification only with the key, audited.
 */
#include "testutil.h"

#include "crypto/pseudo.h"
#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/pseudo.h"
#include "domain/register.h"
#include "domain/subject.h"
#include "store/store.h"
#include "util/timeutil.h"
#include "util/uuid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))
#define DAY_US 86400000000LL
#define NOTICE_HASH "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define N_SUBJECTS 4

struct fixture {
	char dir[512];
	char keydir[512];
	struct sargs_reg *reg;
	struct sargs_pseudo_key *key, *other;
	char ids[N_SUBJECTS][SARGS_UUID_STR];
};

static const char *const emails[N_SUBJECTS] = {"anna@example.lv", "liga@example.lv",
					       "janis@example.lv", "peteris@example.lv"};
static const char *const surnames[N_SUBJECTS] = {"Berzina", "Kalnina", "Ozols", "Liepa"};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	unsigned char k1[32], k2[32];
	struct sargs_consent_proof proof;
	struct sargs_err err;
	char *doc = test_read_example();

	assert_non_null(fx);
	sargs_time_set_fixed(sargs_days_from_civil(2025, 6, 16) * DAY_US);
	test_tmpdir("pseudo", fx->dir, sizeof(fx->dir));
	test_tmpdir("pseudokey", fx->keydir, sizeof(fx->keydir));
	assert_int_equal(sargs_reg_init(fx->dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(fx->dir, &fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(fx->reg, doc, strlen(doc), NULL, &err), SARGS_OK);
	free(doc);
	for (int i = 0; i < 32; i++) {
		k1[i] = (unsigned char)i;
		k2[i] = (unsigned char)(0xa0 + i);
	}
	assert_int_equal(sargs_pseudo_key_from_bytes(k1, &fx->key), SARGS_OK);
	assert_int_equal(sargs_pseudo_key_from_bytes(k2, &fx->other), SARGS_OK);
	memset(&proof, 0, sizeof(proof));
	proof.channel = "web_form";
	proof.form = "shop-signup-v3";
	proof.text_hash = NOTICE_HASH;
	for (int i = 0; i < N_SUBJECTS; i++) {
		const char *p[] = {"service", "newsletter"};
		char since[16];
		const struct sargs_kv kv[] = {{"first_name", "Anna"},
					      {"last_name", surnames[i]},
					      {"email", emails[i]},
					      {"customer_since", since},
					      {"order_history", i % 2 ? "door sign" : "vinyl, \"gold\""},
					      {"birth_date", "1980-03-01"}};
		struct sargs_subject_input in;

		(void)snprintf(since, sizeof(since), "2024-0%d-15", i + 1);
		memset(&in, 0, sizeof(in));
		in.purposes = p;
		in.n_purposes = 2;
		in.source = "person";
		in.fields = kv;
		in.n_fields = N_ROWS(kv);
		if (sargs_subject_add(fx->reg, &in, fx->ids[i], &err) != SARGS_OK)
			fail_msg("add: %s", err.msg);
		/* two of the four consented to the newsletter */
		if (i < 2)
			assert_int_equal(sargs_consent_give(fx->reg, fx->ids[i], "newsletter", &proof,
							    NULL, &err),
					 SARGS_OK);
	}
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	sargs_pseudo_key_free(fx->key);
	sargs_pseudo_key_free(fx->other);
	sargs_reg_close(fx->reg);
	test_rmtree(fx->dir);
	test_rmtree(fx->keydir);
	free(fx);
	sargs_time_set_fixed(0);
	return 0;
}

/* ---- the key file -------------------------------------------------------- */

static void test_key_file(void **state)
{
	struct fixture *fx = *state;
	struct sargs_pseudo_key *k = NULL;
	struct sargs_err err;
	struct stat st;
	char path[600], master[600], junk[600];
	FILE *f;
	const struct {
		const char *rule;
		mode_t mode;
		enum sargs_rc rc;
	} modes[] = {
		{"004 §19.2: 0600, the holder only", 0600, SARGS_OK},
		{"004 §19.2: 0400 is fine", 0400, SARGS_OK},
		{"004 §19.2: group-readable refused", 0640, SARGS_E_DENIED},
		{"004 §19.2: other-readable refused", 0604, SARGS_E_DENIED},
		{"004 §19.2: group-writable refused", 0620, SARGS_E_DENIED},
	};

	(void)snprintf(path, sizeof(path), "%s/pseudonym.key", fx->keydir);
	assert_int_equal(sargs_pseudo_key_create(path, &err), SARGS_OK);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* never overwritten: the pseudonyms of earlier exports depend on it */
	assert_int_equal(sargs_pseudo_key_create(path, &err), SARGS_E_EXISTS);
	for (size_t i = 0; i < N_ROWS(modes); i++) {
		enum sargs_rc rc;

		assert_int_equal(chmod(path, modes[i].mode), 0);
		rc = sargs_pseudo_key_load(path, &k, &err);
		if (rc != modes[i].rc)
			fail_msg("%s: rc %d (%s)", modes[i].rule, rc, err.msg);
		if (rc == SARGS_OK) {
			sargs_pseudo_key_free(k);
			k = NULL;
		} else {
			assert_null(k);
			assert_non_null(strstr(err.msg, "chmod 600"));
		}
	}
	/* a separate key: the master key file is not a pseudonym key file */
	(void)snprintf(master, sizeof(master), "%s/%s", fx->dir, SARGS_KEY_FILE);
	assert_int_equal(sargs_pseudo_key_load(master, &k, &err), SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "not a Sargs pseudonym key file"));
	(void)snprintf(junk, sizeof(junk), "%s/junk.key", fx->keydir);
	f = fopen(junk, "w");
	assert_non_null(f);
	fputs("sargs-pseudonym-key-v1\n0123\n", f);
	fclose(f);
	assert_int_equal(chmod(junk, 0600), 0);
	assert_int_equal(sargs_pseudo_key_load(junk, &k, &err), SARGS_E_INVALID);
	(void)snprintf(junk, sizeof(junk), "%s/missing.key", fx->keydir);
	assert_int_equal(sargs_pseudo_key_load(junk, &k, &err), SARGS_E_NOTFOUND);
	/* two keys made apart are different keys: different pseudonyms */
	{
		struct sargs_pseudo_key *k1 = NULL, *k2 = NULL;
		char p1[SARGS_PSEUDONYM_STR], p2[SARGS_PSEUDONYM_STR];

		assert_int_equal(chmod(path, 0600), 0);
		(void)snprintf(junk, sizeof(junk), "%s/second.key", fx->keydir);
		assert_int_equal(sargs_pseudo_key_create(junk, &err), SARGS_OK);
		assert_int_equal(sargs_pseudo_key_load(path, &k1, &err), SARGS_OK);
		assert_int_equal(sargs_pseudo_key_load(junk, &k2, &err), SARGS_OK);
		sargs_pseudonym(k1, "service", fx->ids[0], p1);
		sargs_pseudonym(k2, "service", fx->ids[0], p2);
		assert_string_not_equal(p1, p2);
		sargs_pseudo_key_free(k1);
		sargs_pseudo_key_free(k2);
	}
}

/* ---- pseudonyms ----------------------------------------------------------- */

static void test_pseudonyms(void **state)
{
	struct fixture *fx = *state;
	char a[SARGS_PSEUDONYM_STR], b[SARGS_PSEUDONYM_STR];

	/* a known answer: keyed BLAKE2b-128 of "pseudonym-v1" 0 purpose 0 id in
	 * base32 (RFC 4648, lower case, no padding); pins the format so old
	 * exports stay matchable */
	sargs_pseudonym(fx->key, "service", "0190a5e2-7b1c-7d3e-8f00-123456789abc", a);
	assert_string_equal(a, "7v3dtsdscpsphfw22jigfugqfy");
	assert_true(sargs_pseudonym_valid(a));

	/* GDPR Art. 4(5): stable per person and purpose */
	sargs_pseudonym(fx->key, "service", fx->ids[0], a);
	sargs_pseudonym(fx->key, "service", fx->ids[0], b);
	assert_string_equal(a, b);
	assert_true(sargs_pseudonym_equal(a, b));
	/* unlinkable across purposes */
	sargs_pseudonym(fx->key, "newsletter", fx->ids[0], b);
	assert_string_not_equal(a, b);
	/* different per person */
	sargs_pseudonym(fx->key, "service", fx->ids[1], b);
	assert_string_not_equal(a, b);
	/* different under another key */
	sargs_pseudonym(fx->other, "service", fx->ids[0], b);
	assert_string_not_equal(a, b);
	assert_false(sargs_pseudonym_equal(a, b));
	/* the separators keep (purpose, id) pairs apart */
	sargs_pseudonym(fx->key, "ab", "c", a);
	sargs_pseudonym(fx->key, "a", "bc", b);
	assert_string_not_equal(a, b);

	assert_false(sargs_pseudonym_valid(NULL));
	assert_false(sargs_pseudonym_valid(""));
	assert_false(sargs_pseudonym_valid("7v3dtsdscpsphfw22jigfugqf"));   /* 25 */
	assert_false(sargs_pseudonym_valid("7v3dtsdscpsphfw22jigfugqfyy")); /* 27 */
	assert_false(sargs_pseudonym_valid("7V3DTSDSCPSPHFW22JIGFUGQFY"));  /* upper case */
	assert_false(sargs_pseudonym_valid("0v3dtsdscpsphfw22jigfugqfy"));  /* 0 is not base32 */
}

/* ---- export ----------------------------------------------------------------- */

struct refusal {
	const char *rule;
	const char *purpose;
	const char *field;
	enum sargs_rc rc;
	const char *says;
};

static const struct refusal refusals[] = {
	{"004 §19.1: an e-mail identifies", "service", "email", SARGS_E_DENIED, "identifying"},
	{"004 §19.1: a phone identifies", "service", "phone", SARGS_E_DENIED, "identifying"},
	{"004 §19.1: a name identifies (category name)", "service", "first_name", SARGS_E_DENIED,
	 "identifying: not allowed in a pseudonymised export"},
	{"004 §19.1: a surname identifies (category name)", "service", "last_name", SARGS_E_DENIED,
	 "identifying"},
	{"004 §19.1: a personal code identifies", "accounting", "personal_code", SARGS_E_DENIED,
	 "identifying"},
	{"004 §19.1: a postal address identifies", "service", "postal_address", SARGS_E_DENIED,
	 "identifying"},
	{"004 §19.1: a bank account identifies", "accounting", "bank_account", SARGS_E_DENIED,
	 "identifying"},
	{"GDPR Art. 5(1)(c): a field the purpose does not list", "service", "browser_data",
	 SARGS_E_DENIED, "does not use field"},
	{"an unknown purpose", "services", "order_history", SARGS_E_NOTFOUND, "no purpose"},
};

static int64_t audit_count(struct fixture *fx)
{
	int64_t n = -1;

	assert_int_equal(sargs_store_audit_count(fx->reg->store, &n), SARGS_OK);
	return n;
}

/* Runs an export into a string (caller frees). */
static char *export_to_string(struct fixture *fx, const struct sargs_pseudo_key *key,
			      const char *purpose, const char *const *fields, size_t n,
			      int64_t *rows, enum sargs_rc want)
{
	struct sargs_err err;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	enum sargs_rc rc;

	assert_non_null(f);
	sargs_err_clear(&err);
	rc = sargs_pseudo_export(fx->reg, key, purpose, fields, n, f, rows, &err);
	fclose(f);
	if (rc != want)
		fail_msg("export of %s: rc %d (%s)", purpose, rc, err.msg);
	return buf;
}

static void test_export_refusals(void **state)
{
	struct fixture *fx = *state;
	int64_t before = audit_count(fx);

	for (size_t i = 0; i < N_ROWS(refusals); i++) {
		const struct refusal *t = &refusals[i];
		const char *fields[] = {"order_history", t->field};
		struct sargs_err err;
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);
		enum sargs_rc rc;

		assert_non_null(f);
		sargs_err_clear(&err);
		rc = sargs_pseudo_export(fx->reg, fx->key, t->purpose, fields, 2, f, NULL, &err);
		fclose(f);
		if (rc != t->rc || strstr(err.msg, t->says) == NULL)
			fail_msg("%s: rc %d (%s)", t->rule, rc, err.msg);
		assert_int_equal(len, 0); /* nothing written */
		free(buf);
	}
	{
		const char *none[1] = {NULL};
		const char *twice[] = {"order_history", "order_history"};
		int64_t rows = -1;
		char *b = export_to_string(fx, fx->key, "service", none, 0, &rows, SARGS_E_INVALID);

		free(b);
		b = export_to_string(fx, fx->key, "service", twice, 2, &rows, SARGS_E_INVALID);
		free(b);
	}
	assert_int_equal(audit_count(fx), before); /* refusals read nothing */
}

struct audit_rows {
	size_t n;
	char action[64][64];
	char subject[64][SARGS_UUID_STR];
	char fields[64][128];
	char purpose[64][64];
	char detail[64][128];
};

static int audit_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct audit_rows *a = ctx;

	if (a->n >= 64)
		return 1;
	(void)snprintf(a->action[a->n], sizeof(a->action[0]), "%s", r->action);
	(void)snprintf(a->subject[a->n], sizeof(a->subject[0]), "%s",
		       r->subject_id ? r->subject_id : "");
	(void)snprintf(a->fields[a->n], sizeof(a->fields[0]), "%s", r->fields ? r->fields : "");
	(void)snprintf(a->purpose[a->n], sizeof(a->purpose[0]), "%s", r->purpose ? r->purpose : "");
	(void)snprintf(a->detail[a->n], sizeof(a->detail[0]), "%s", r->detail ? r->detail : "");
	a->n++;
	return 0;
}

/* The audit entries after seq. */
static void audit_after(struct fixture *fx, int64_t after, struct audit_rows *a)
{
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, after, 0};

	memset(a, 0, sizeof(*a));
	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, audit_cb, a), SARGS_OK);
}

static void test_export(void **state)
{
	struct fixture *fx = *state;
	const char *fields[] = {"customer_since", "order_history"};
	int64_t before = audit_count(fx), rows = 0;
	struct audit_rows a;
	char *csv = export_to_string(fx, fx->key, "service", fields, 2, &rows, SARGS_OK);
	char *again;
	char line[256];

	assert_int_equal(rows, N_SUBJECTS);
	/* the header, then one row per subject: its pseudonym and the fields */
	assert_memory_equal(csv, "pseudonym,customer_since,order_history\r\n", 40);
	for (int i = 0; i < N_SUBJECTS; i++) {
		char p[SARGS_PSEUDONYM_STR];

		sargs_pseudonym(fx->key, "service", fx->ids[i], p);
		(void)snprintf(line, sizeof(line), "%s,2024-0%d-15,%s\r\n", p, i + 1,
			       i % 2 ? "door sign" : "\"vinyl, \"\"gold\"\"\"");
		if (strstr(csv, line) == NULL)
			fail_msg("export lacks the row of subject %d: %s\n%s", i, line, csv);
	}
	/* 004 §19.1: no identity in the export */
	for (int i = 0; i < N_SUBJECTS; i++) {
		assert_null(strstr(csv, emails[i]));
		assert_null(strstr(csv, surnames[i]));
		assert_null(strstr(csv, fx->ids[i]));
	}
	assert_null(strstr(csv, "Anna"));
	assert_null(strstr(csv, "@"));

	/* one audit entry naming the purpose, fields and count, but no subject */
	audit_after(fx, before, &a);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.action[0], "pseudonym.export");
	assert_string_equal(a.subject[0], "");
	assert_string_equal(a.fields[0], "customer_since,order_history");
	assert_string_equal(a.purpose[0], "service");
	assert_string_equal(a.detail[0], "rows:4");

	/* stable: the same export again gives the same pseudonyms */
	again = export_to_string(fx, fx->key, "service", fields, 2, &rows, SARGS_OK);
	assert_string_equal(csv, again);
	free(again);
	/* another key: other pseudonyms, same data */
	again = export_to_string(fx, fx->other, "service", fields, 2, &rows, SARGS_OK);
	assert_string_not_equal(csv, again);
	assert_non_null(strstr(again, "door sign"));
	free(again);
	free(csv);
}

static void test_export_only_lawful_now(void **state)
{
	struct fixture *fx = *state;
	const char *fields[] = {"birth_date"};
	struct sargs_consent_proof proof;
	struct sargs_err err;
	char p[SARGS_PSEUDONYM_STR];
	int64_t rows = 0;
	char *csv;

	/* GDPR Art. 6(1)(a): only those who consented (2 of 4) */
	csv = export_to_string(fx, fx->key, "newsletter", fields, 1, &rows, SARGS_OK);
	assert_int_equal(rows, 2);
	sargs_pseudonym(fx->key, "newsletter", fx->ids[0], p);
	assert_non_null(strstr(csv, p));
	sargs_pseudonym(fx->key, "newsletter", fx->ids[2], p);
	assert_null(strstr(csv, p));
	free(csv);
	/* GDPR Art. 7(3): a withdrawal takes the person out at once */
	memset(&proof, 0, sizeof(proof));
	proof.channel = "email";
	assert_int_equal(sargs_consent_withdraw(fx->reg, fx->ids[0], "newsletter", &proof, NULL,
						&err),
			 SARGS_OK);
	csv = export_to_string(fx, fx->key, "newsletter", fields, 1, &rows, SARGS_OK);
	assert_int_equal(rows, 1);
	sargs_pseudonym(fx->key, "newsletter", fx->ids[0], p);
	assert_null(strstr(csv, p));
	free(csv);
	/* an erased person is in no export */
	assert_int_equal(sargs_subject_erase(fx->reg, fx->ids[1], "request", &err), SARGS_OK);
	csv = export_to_string(fx, fx->key, "newsletter", fields, 1, &rows, SARGS_OK);
	assert_int_equal(rows, 0);
	assert_string_equal(csv, "pseudonym,birth_date\r\n");
	free(csv);
}

/* ---- re-identification ------------------------------------------------------ */

static void test_reidentify(void **state)
{
	struct fixture *fx = *state;
	char p[SARGS_PSEUDONYM_STR], id[SARGS_UUID_STR];
	struct audit_rows a;
	struct sargs_err err;
	int64_t before;

	sargs_pseudonym(fx->key, "service", fx->ids[2], p);
	/* 004 §19.2: with the key, the subject is found, and it is audited */
	before = audit_count(fx);
	assert_int_equal(sargs_pseudo_reidentify(fx->reg, fx->key, "service", p, id, &err),
			 SARGS_OK);
	assert_string_equal(id, fx->ids[2]);
	audit_after(fx, before, &a);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.action[0], "pseudonym.reidentify");
	assert_string_equal(a.subject[0], fx->ids[2]);
	assert_string_equal(a.purpose[0], "service");

	/* another key finds nothing; the attempt is audited, naming no one */
	before = audit_count(fx);
	assert_int_equal(sargs_pseudo_reidentify(fx->reg, fx->other, "service", p, id, &err),
			 SARGS_E_NOTFOUND);
	assert_string_equal(id, "");
	audit_after(fx, before, &a);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.action[0], "pseudonym.reidentify.failed");
	assert_string_equal(a.subject[0], "");
	/* another purpose's pseudonym does not match this purpose */
	assert_int_equal(sargs_pseudo_reidentify(fx->reg, fx->key, "newsletter", p, id, &err),
			 SARGS_E_NOTFOUND);
	/* not a pseudonym */
	assert_int_equal(sargs_pseudo_reidentify(fx->reg, fx->key, "service", "Anna", id, &err),
			 SARGS_E_INVALID);
	assert_int_equal(sargs_pseudo_reidentify(fx->reg, fx->key, "nope", p, id, &err),
			 SARGS_E_NOTFOUND);
	/* after erasure nothing is left to re-identify */
	assert_int_equal(sargs_subject_erase(fx->reg, fx->ids[2], "request", &err), SARGS_OK);
	assert_int_equal(sargs_pseudo_reidentify(fx->reg, fx->key, "service", p, id, &err),
			 SARGS_E_NOTFOUND);
	assert_int_equal(sargs_pseudo_field_identifying(&(struct sargs_field_def){
				 "shoe_size", "Shoe size", "purchases", SARGS_FT_TEXT, 0}),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_key_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pseudonyms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export, setup, teardown),
		cmocka_unit_test_setup_teardown(test_export_only_lawful_now, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reidentify, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
