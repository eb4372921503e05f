/*
 * test_subject.c — subjects through the library: data minimisation, purpose
 * limitation, validation at the door, editing, erasure by crypto-shredding,
 * and the audit trail of each; one row per rule where rules are tabled.
 */
#include "testutil.h"

#include "domain/controller.h"
#include "domain/register.h"
#include "domain/registry.h"
#include "domain/subject.h"

#include <sqlite3.h> /* only to simulate a storage failure (a full disk) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
};

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sargs_err err;
	char *doc = test_read_example();

	assert_non_null(fx);
	test_tmpdir("subject", fx->dir, sizeof(fx->dir));
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
	return 0;
}

static enum sargs_rc add(struct sargs_reg *reg, const char *purposes_csv,
			 const struct sargs_kv *kv, size_t n, char id[SARGS_UUID_STR],
			 struct sargs_err *err)
{
	char buf[256];
	const char *p[8];
	size_t np = 0;
	struct sargs_subject_input in;

	(void)snprintf(buf, sizeof(buf), "%s", purposes_csv);
	for (char *tok = strtok(buf, ","); tok != NULL && np < 8; tok = strtok(NULL, ","))
		p[np++] = tok;
	memset(&in, 0, sizeof(in));
	in.purposes = p;
	in.n_purposes = np;
	in.source = "person";
	in.fields = kv;
	in.n_fields = n;
	sargs_err_clear(err);
	return sargs_subject_add(reg, &in, id, err);
}

static int64_t subjects(struct sargs_reg *reg)
{
	int64_t n = -1;

	assert_int_equal(sargs_store_subject_count(reg->store, &n), SARGS_OK);
	return n;
}

/* GDPR Art. 5(1)(c) and (b), 000, 002 §2: which fields a subject may hold */
struct min_row {
	const char *rule;
	const char *purposes;
	struct sargs_kv kv[6];
	enum sargs_rc expect;
	const char *message;
};

static const struct min_row min_rows[] = {
	{"minimisation: fields the purpose covers are stored", "service",
	 {{"first_name", "Anna"}, {"last_name", "Ozola"}, {"email", "anna@example.lv"}},
	 SARGS_OK, NULL},
	{"000: 'if you only send e-mail, don't ask for the phone' — newsletter refuses a phone",
	 "newsletter", {{"email", "anna@example.lv"}, {"phone", "+37120000000"}},
	 SARGS_E_DENIED, "field \"phone\" (category contact) is not needed by the purposes this"
	 " person is linked to (newsletter); purposes that would allow it: service,"
	 " customer_contact"},
	{"minimisation: the message names purposes that would allow the field", "service",
	 {{"first_name", "A"}, {"last_name", "B"}, {"email", "a@example.lv"},
	  {"bank_account", "LV80BANK0000435195001"}},
	 SARGS_E_DENIED, "purposes that would allow it: accounting"},
	{"minimisation: a field under any linked purpose is allowed", "service,accounting",
	 {{"first_name", "A"}, {"last_name", "B"}, {"email", "a@example.lv"},
	  {"bank_account", "LV80BANK0000435195001"}},
	 SARGS_OK, NULL},
	{"required fields of each linked purpose must be given", "service",
	 {{"first_name", "A"}, {"email", "a@example.lv"}},
	 SARGS_E_INVALID, "purpose \"service\" requires field \"last_name\""},
	{"a field given twice is refused", "newsletter",
	 {{"email", "a@example.lv"}, {"email", "b@example.lv"}},
	 SARGS_E_INVALID, "given twice"},
	{"validation at the door: e-mail", "newsletter", {{"email", "a@@example.lv"}},
	 SARGS_E_INVALID, "field \"email\""},
	{"validation at the door: personal code check digit", "accounting",
	 {{"first_name", "A"}, {"last_name", "B"}, {"personal_code", "121282-11211"}},
	 SARGS_E_INVALID, "field \"personal_code\""},
	{"validation at the door: a date that does not exist", "service",
	 {{"first_name", "A"}, {"last_name", "B"}, {"email", "a@example.lv"},
	  {"customer_since", "2023-02-29"}},
	 SARGS_E_INVALID, "field \"customer_since\""},
	{"an empty value is refused", "newsletter", {{"email", ""}}, SARGS_E_INVALID, "is empty"},
	{"an unknown purpose is refused", "marketing", {{"email", "a@example.lv"}},
	 SARGS_E_NOTFOUND, "unknown purpose \"marketing\""},
};

static void test_minimisation_rows(void **state)
{
	struct fixture *fx = *state;

	for (size_t i = 0; i < sizeof(min_rows) / sizeof(min_rows[0]); i++) {
		const struct min_row *r = &min_rows[i];
		struct sargs_err err;
		char id[SARGS_UUID_STR];
		size_t n = 0;
		int64_t before = subjects(fx->reg);
		enum sargs_rc rc;

		while (n < 6 && r->kv[n].name != NULL)
			n++;
		rc = add(fx->reg, r->purposes, r->kv, n, id, &err);
		if (rc != r->expect)
			fail_msg("row %zu (%s): rc %d, expected %d: %s", i, r->rule, rc, r->expect, err.msg);
		if (r->expect == SARGS_OK) {
			assert_int_equal(subjects(fx->reg), before + 1);
		} else {
			/* a failed add stores nothing */
			assert_int_equal(subjects(fx->reg), before);
			if (strstr(err.msg, r->message) == NULL)
				fail_msg("row %zu (%s): message \"%s\" lacks \"%s\"", i, r->rule, err.msg,
					 r->message);
		}
	}
}

static void test_huge_field_refused(void **state)
{
	struct fixture *fx = *state;
	char *big = malloc(1 << 20 | 1);
	struct sargs_kv kv[3];
	struct sargs_err err;
	char id[SARGS_UUID_STR];

	assert_non_null(big);
	memset(big, 'a', 1 << 20);
	big[1 << 20] = '\0';
	kv[0] = (struct sargs_kv){"first_name", big};
	kv[1] = (struct sargs_kv){"last_name", "B"};
	kv[2] = (struct sargs_kv){"email", "a@example.lv"};
	assert_int_equal(add(fx->reg, "service", kv, 3, id, &err), SARGS_E_INVALID);
	assert_non_null(strstr(err.msg, "the limit is 65536 bytes"));
	big[SARGS_FIELD_VALUE_MAX] = '\0'; /* exactly at the limit: accepted */
	assert_int_equal(add(fx->reg, "service", kv, 3, id, &err), SARGS_OK);
	free(big);
}

/* GDPR Art. 5(1)(b): purpose limitation on reads */
static void test_purpose_bound_read(void **state)
{
	struct fixture *fx = *state;
	struct sargs_kv kv[] = {{"first_name", "Līga"}, {"last_name", "Ozola"},
				{"email", "Liga@Example.LV"}, {"personal_code", "121282-11210"},
				{"bank_account", "LV80BANK0000435195001"}};
	struct sargs_subject_view v;
	struct sargs_err err;
	char id[SARGS_UUID_STR];

	assert_int_equal(add(fx->reg, "service,accounting,newsletter", kv, 5, id, &err), SARGS_OK);
	/* newsletter sees e-mail, first name and the birth date derived from the code */
	assert_int_equal(sargs_subject_show(fx->reg, id, "newsletter", &v, &err), SARGS_OK);
	assert_int_equal(v.n_fields, 3);
	for (size_t i = 0; i < v.n_fields; i++) {
		if (strcmp(v.fields[i].name, "email") == 0)
			assert_string_equal(v.fields[i].value, "liga@example.lv");
		else if (strcmp(v.fields[i].name, "birth_date") == 0)
			assert_string_equal(v.fields[i].value, "1982-12-12");
		else
			assert_string_equal(v.fields[i].name, "first_name");
	}
	sargs_subject_view_free(&v);
	/* accounting sees the personal code and bank account, not the e-mail */
	assert_int_equal(sargs_subject_show(fx->reg, id, "accounting", &v, &err), SARGS_OK);
	for (size_t i = 0; i < v.n_fields; i++)
		assert_string_not_equal(v.fields[i].name, "email");
	assert_int_equal(v.n_fields, 4);
	sargs_subject_view_free(&v);
	/* not linked: refused */
	assert_int_equal(sargs_subject_show(fx->reg, id, "debt_collection", &v, &err), SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "not linked to purpose \"debt_collection\""));
	assert_int_equal(v.n_fields, 0);
}

struct audit_scan {
	const char *needle[8];
	int hits;
	int entries;
	char last_action[64];
};

static int audit_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct audit_scan *a = ctx;
	const char *parts[] = {r->actor, r->action, r->subject_id, r->fields, r->purpose,
			       r->channel, r->detail};

	a->entries++;
	(void)snprintf(a->last_action, sizeof(a->last_action), "%s", r->action);
	for (size_t i = 0; i < 7; i++)
		for (size_t k = 0; k < 8 && a->needle[k] != NULL; k++)
			if (parts[i] != NULL && strstr(parts[i], a->needle[k]) != NULL)
				a->hits++;
	return 0;
}

/* design.md: every access is audited, with field names and never values */
static void test_audit_entries(void **state)
{
	struct fixture *fx = *state;
	struct sargs_kv kv[] = {{"first_name", "Pēteris"}, {"last_name", "Kalniņš"},
				{"email", "peteris@example.lv"}, {"phone", "26000001"}};
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};
	struct audit_scan a = {{"Pēteris", "Kalniņš", "peteris@", "26000001", "+37126000001", NULL},
			       0, 0, ""};
	struct sargs_subject_view *views = NULL;
	char(*ids)[SARGS_UUID_STR] = NULL;
	struct sargs_subject_view v;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	size_t n = 0;

	assert_int_equal(add(fx->reg, "service", kv, 4, id, &err), SARGS_OK);
	assert_int_equal(sargs_subject_find(fx->reg, "phone", "+371 2600 0001", &ids, &n, &err),
			 SARGS_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], id);
	free(ids);
	assert_int_equal(sargs_subject_lookup(fx->reg, "email", "PETERIS@example.lv", "service",
					      &views, &n, &err), SARGS_OK);
	assert_int_equal(n, 1);
	sargs_subject_view_free(&views[0]);
	free(views);
	assert_int_equal(sargs_subject_show(fx->reg, id, "service", &v, &err), SARGS_OK);
	sargs_subject_view_free(&v);
	f.subject_id = id;
	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, audit_cb, &a), SARGS_OK);
	assert_int_equal(a.entries, 4); /* add, find, lookup's read, read */
	assert_string_equal(a.last_action, "subject.read");
	assert_int_equal(a.hits, 0);
}

/* GDPR Art. 17; design.md: erasure by crypto-shredding, all or nothing */
static void test_erase(void **state)
{
	struct fixture *fx = *state;
	struct sargs_kv kv[] = {{"first_name", "Ilze"}, {"last_name", "Liepiņa"},
				{"email", "ilze@example.lv"}};
	struct sargs_subject_view v;
	char(*ids)[SARGS_UUID_STR] = NULL;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	size_t n = 0;
	int64_t when = 0;

	assert_int_equal(add(fx->reg, "service", kv, 3, id, &err), SARGS_OK);
	assert_int_equal(sargs_subject_erase(fx->reg, id, "because", &err), SARGS_E_INVALID);
	/* an erase inside a transaction that is rolled back did not happen */
	assert_int_equal(sargs_reg_begin(fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_subject_erase(fx->reg, id, "request", &err), SARGS_OK);
	sargs_reg_rollback(fx->reg);
	assert_int_equal(sargs_subject_show(fx->reg, id, "service", &v, &err), SARGS_OK);
	sargs_subject_view_free(&v);
	assert_int_equal(sargs_store_ledger_get(fx->reg->store, id, &when), SARGS_E_NOTFOUND);
	/* now for real */
	assert_int_equal(sargs_subject_erase(fx->reg, id, "request", &err), SARGS_OK);
	assert_int_equal(sargs_store_ledger_get(fx->reg->store, id, &when), SARGS_OK);
	assert_int_equal(sargs_subject_show(fx->reg, id, "service", &v, &err), SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "was erased on"));
	assert_int_equal(sargs_subject_find(fx->reg, "email", "ilze@example.lv", &ids, &n, &err),
			 SARGS_OK);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(sargs_subject_erase(fx->reg, id, "request", &err), SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "already erased"));
}

/* bulk work: an add refused by a rule inside a batch changes nothing, and
 * the batch goes on */
static void test_batch_refusals(void **state)
{
	struct fixture *fx = *state;
	struct sargs_kv good[] = {{"email", "g1@example.lv"}};
	struct sargs_kv bad[] = {{"email", "not-an-email"}};
	struct sargs_kv good2[] = {{"email", "g2@example.lv"}};
	struct sargs_audit_report rep;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	int64_t before = subjects(fx->reg);

	assert_int_equal(sargs_reg_begin(fx->reg, &err), SARGS_OK);
	assert_int_equal(add(fx->reg, "newsletter", good, 1, id, &err), SARGS_OK);
	assert_int_equal(add(fx->reg, "newsletter", bad, 1, id, &err), SARGS_E_INVALID);
	assert_int_equal(add(fx->reg, "newsletter", good2, 1, id, &err), SARGS_OK);
	assert_int_equal(sargs_reg_commit(fx->reg, &err), SARGS_OK);
	assert_int_equal(subjects(fx->reg), before + 2);
	assert_int_equal(sargs_audit_verify(fx->reg->audit, &rep), SARGS_OK);
}

/*
 * A failure after writing started (simulated by a trigger that raises once
 * the second subject's rows are being written, as a full disk would) leaves
 * nothing half-done: alone, the add stores nothing; inside a batch, the
 * batch's commit undoes the whole batch and says so.
 */
static void install_failure(const char *dir)
{
	char path[1024];
	sqlite3 *db = NULL;

	(void)snprintf(path, sizeof(path), "%s/sargs.db", dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "CREATE TRIGGER simulated_full_disk BEFORE INSERT ON blind_index"
				      " WHEN (SELECT count(*) FROM subjects) > 1"
				      " BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
}

static void test_failure_mid_write(void **state)
{
	struct fixture *fx = *state;
	struct sargs_kv a[] = {{"email", "a1@example.lv"}};
	struct sargs_kv b[] = {{"email", "b2@example.lv"}};
	struct sargs_audit_report rep;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	int64_t audit_before = 0, audit_after = 0;

	install_failure(fx->dir);
	assert_int_equal(sargs_store_audit_count(fx->reg->store, &audit_before), SARGS_OK);
	/* alone: the first add works, the second fails and stores nothing */
	assert_int_equal(add(fx->reg, "newsletter", a, 1, id, &err), SARGS_OK);
	assert_int_not_equal(add(fx->reg, "newsletter", b, 1, id, &err), SARGS_OK);
	assert_non_null(strstr(err.msg, "nothing was changed"));
	assert_int_equal(subjects(fx->reg), 1);
	assert_int_equal(sargs_subject_erase(fx->reg, id, "other", &err), SARGS_OK);
	assert_int_equal(subjects(fx->reg), 0);
	/* in a batch: the first add is undone with the failed second one */
	assert_int_equal(sargs_reg_begin(fx->reg, &err), SARGS_OK);
	assert_int_equal(add(fx->reg, "newsletter", a, 1, id, &err), SARGS_OK);
	assert_int_not_equal(add(fx->reg, "newsletter", b, 1, id, &err), SARGS_OK);
	assert_non_null(strstr(err.msg, "will be undone whole"));
	assert_int_equal(sargs_reg_commit(fx->reg, &err), SARGS_E_STORE);
	assert_non_null(strstr(err.msg, "the whole batch was undone"));
	assert_int_equal(subjects(fx->reg), 0);
	/* the register goes on: the trail is intact and a new batch works */
	assert_int_equal(sargs_audit_verify(fx->reg->audit, &rep), SARGS_OK);
	assert_int_equal(sargs_store_audit_count(fx->reg->store, &audit_after), SARGS_OK);
	assert_true(audit_after == audit_before + 2); /* the first add and the erase */
	assert_int_equal(add(fx->reg, "newsletter", a, 1, id, &err), SARGS_OK);
}

static void test_edit(void **state)
{
	struct fixture *fx = *state;
	struct sargs_kv kv[] = {{"first_name", "Oskars"}, {"last_name", "Lācis"},
				{"email", "oskars@example.lv"}};
	struct sargs_kv set_bank[] = {{"bank_account", "LV80BANK0000435195001"}};
	struct sargs_kv set_mail[] = {{"email", "o.lacis@example.lv"}};
	const char *link_acc[] = {"accounting"};
	const char *unset_bank[] = {"bank_account"};
	const char *unset_last[] = {"last_name"};
	struct sargs_subject_change ch;
	char(*ids)[SARGS_UUID_STR] = NULL;
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	size_t n;

	assert_int_equal(add(fx->reg, "service", kv, 3, id, &err), SARGS_OK);
	memset(&ch, 0, sizeof(ch));
	assert_int_equal(sargs_subject_edit(fx->reg, id, &ch, &err), SARGS_E_INVALID);
	ch.set = set_bank;
	ch.n_set = 1;
	assert_int_equal(sargs_subject_edit(fx->reg, id, &ch, &err), SARGS_E_DENIED);
	ch.link = link_acc;
	ch.n_link = 1;
	assert_int_equal(sargs_subject_edit(fx->reg, id, &ch, &err), SARGS_OK);
	/* unlinking a purpose whose field stays is refused; with the field it works */
	memset(&ch, 0, sizeof(ch));
	ch.unlink = link_acc;
	ch.n_unlink = 1;
	assert_int_equal(sargs_subject_edit(fx->reg, id, &ch, &err), SARGS_E_DENIED);
	ch.unset = unset_bank;
	ch.n_unset = 1;
	assert_int_equal(sargs_subject_edit(fx->reg, id, &ch, &err), SARGS_OK);
	/* a required field cannot be unset */
	memset(&ch, 0, sizeof(ch));
	ch.unset = unset_last;
	ch.n_unset = 1;
	assert_int_equal(sargs_subject_edit(fx->reg, id, &ch, &err), SARGS_E_INVALID);
	/* changing the e-mail moves its blind index */
	memset(&ch, 0, sizeof(ch));
	ch.set = set_mail;
	ch.n_set = 1;
	assert_int_equal(sargs_subject_edit(fx->reg, id, &ch, &err), SARGS_OK);
	assert_int_equal(sargs_subject_find(fx->reg, "email", "oskars@example.lv", &ids, &n, &err),
			 SARGS_OK);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(sargs_subject_find(fx->reg, "email", "o.lacis@example.lv", &ids, &n, &err),
			 SARGS_OK);
	assert_int_equal(n, 1);
	free(ids);
}

/* The name search's candidates (sargs_subject_name_candidates): found
 * through the blind index by the first letters of each name word, case and
 * diacritics folded, every word typed narrowing the set. Mission §9 (002
 * §4): stored data stays encrypted, nothing is decrypted to find someone;
 * §6 (002): one register in which staff find the customer they mean. */
static size_t candidates(struct sargs_reg *reg, const char *q, const char *want1,
			 const char *want2)
{
	char(*ids)[SARGS_UUID_STR] = NULL;
	struct sargs_err err;
	size_t n = 0;
	int more = 0, saw1 = want1 == NULL, saw2 = want2 == NULL;

	if (sargs_subject_name_candidates(reg, q, &ids, &n, 1000, &more, &err) != SARGS_OK)
		fail_msg("name search \"%s\": %s", q, err.msg);
	for (size_t i = 0; i < n; i++) {
		saw1 |= want1 != NULL && strcmp(ids[i], want1) == 0;
		saw2 |= want2 != NULL && strcmp(ids[i], want2) == 0;
		if (i > 0)
			assert_true(strcmp(ids[i - 1], ids[i]) < 0); /* sorted, each once */
	}
	free(ids);
	if (!saw1 || !saw2)
		fail_msg("name search \"%s\" missed a subject", q);
	return n;
}

static void test_name_search(void **state)
{
	struct fixture *fx = *state;
	struct sargs_kv liga[] = {{"first_name", "Līga"}, {"last_name", "Bērziņa"},
				  {"email", "liga@example.lv"}};
	struct sargs_kv janis[] = {{"first_name", "JĀNIS"}, {"last_name", "Bērziņš"},
				   {"email", "janis@example.lv"}};
	struct sargs_kv anna[] = {{"first_name", "Anna"}, {"last_name", "Anna-Marija O'Brien"},
				  {"email", "anna@example.lv"}};
	struct sargs_kv ivan[] = {{"first_name", "Иван"}, {"last_name", "Петров"},
				  {"email", "ivan@example.lv"}};
	struct sargs_kv rename[] = {{"last_name", "Kalniņa"}};
	struct sargs_subject_change ch;
	char(*ids)[SARGS_UUID_STR] = NULL;
	char l[SARGS_UUID_STR], j[SARGS_UUID_STR], a[SARGS_UUID_STR], iv[SARGS_UUID_STR];
	struct sargs_err err;
	size_t n = 0;
	int more = 0;

	assert_int_equal(add(fx->reg, "service", liga, 3, l, &err), SARGS_OK);
	assert_int_equal(add(fx->reg, "service", janis, 3, j, &err), SARGS_OK);
	/* the same word twice in one person's name: one key, no clash */
	assert_int_equal(add(fx->reg, "service", anna, 3, a, &err), SARGS_OK);
	assert_int_equal(add(fx->reg, "service", ivan, 3, iv, &err), SARGS_OK);

	assert_int_equal(candidates(fx->reg, "berz", l, j), 2);
	assert_int_equal(candidates(fx->reg, "BĒRZIŅA", l, j), 2); /* the key: "ber" */
	assert_int_equal(candidates(fx->reg, "liga berz", l, NULL), 1);
	assert_int_equal(candidates(fx->reg, "jān", j, NULL), 1);
	assert_int_equal(candidates(fx->reg, "obrien", a, NULL), 1);
	assert_int_equal(candidates(fx->reg, "marija", a, NULL), 1);
	assert_int_equal(candidates(fx->reg, "ИВАН", iv, NULL), 1);
	assert_int_equal(candidates(fx->reg, "liga janis", NULL, NULL), 0);
	assert_int_equal(candidates(fx->reg, "zelma", NULL, NULL), 0);
	assert_int_equal(sargs_subject_name_candidates(fx->reg, " - ", &ids, &n, 100, &more, &err),
			 SARGS_E_INVALID);
	/* a word shorter than a key narrows nothing when a longer one is
	 * typed (the caller compares it); alone, it finds that word exactly */
	assert_int_equal(candidates(fx->reg, "l berz", l, j), 2);
	assert_int_equal(candidates(fx->reg, "be", NULL, NULL), 0);
	/* at most max, and it says there were more */
	assert_int_equal(sargs_subject_name_candidates(fx->reg, "berz", &ids, &n, 1, &more, &err),
			 SARGS_OK);
	assert_int_equal(n, 1);
	assert_true(more);
	free(ids);
	ids = NULL;

	/* a changed name moves its keys; an erased person is not found */
	memset(&ch, 0, sizeof(ch));
	ch.set = rename;
	ch.n_set = 1;
	assert_int_equal(sargs_subject_edit(fx->reg, l, &ch, &err), SARGS_OK);
	assert_int_equal(candidates(fx->reg, "berz", j, NULL), 1);
	assert_int_equal(candidates(fx->reg, "kaln", l, NULL), 1);
	assert_int_equal(sargs_subject_erase(fx->reg, j, "request", &err), SARGS_OK);
	assert_int_equal(candidates(fx->reg, "berz", NULL, NULL), 0);
	assert_int_equal(candidates(fx->reg, "janis", NULL, NULL), 0);
}

/* A common beginning is shared by many: a rarer name with it is still found
 * once more of it is typed (the long key), whoever came first. */
static void test_name_search_common_beginning(void **state)
{
	struct fixture *fx = *state;
	char mail[64];
	struct sargs_kv many[] = {{"first_name", "Anna"}, {"last_name", "Bērziņa"}, {"email", mail}};
	struct sargs_kv rare[] = {{"first_name", "Ilze"}, {"last_name", "Bergmane"},
				  {"email", "ilze@example.lv"}};
	struct sargs_err err;
	char id[SARGS_UUID_STR], ilze[SARGS_UUID_STR];

	for (int i = 0; i < 600; i++) {
		(void)snprintf(mail, sizeof(mail), "anna%d@example.lv", i);
		assert_int_equal(add(fx->reg, "service", many, 3, id, &err), SARGS_OK);
	}
	assert_int_equal(add(fx->reg, "service", rare, 3, ilze, &err), SARGS_OK);
	assert_int_equal(candidates(fx->reg, "bergmane", ilze, NULL), 1);
	assert_int_equal(candidates(fx->reg, "bergm", ilze, NULL), 1);
	assert_int_equal(candidates(fx->reg, "ber ilze", ilze, NULL), 1);
	assert_true(candidates(fx->reg, "ber", ilze, NULL) == 601);
}

/* A register from before the name index: its subjects get their keys once
 * (sargs_subject_index_names), recorded without naming anyone. Mission §9
 * (004 §18h): the processing is recorded in the audit trail. */
static int index_entries(void *ctx, const struct sargs_store_audit_row *r)
{
	if (strcmp(r->action, "subject.index") == 0) {
		assert_null(r->subject_id);
		assert_string_equal(r->detail, "name keys, subjects=1");
		(*(int *)ctx)++;
	}
	return 0;
}

static void test_name_index_added_later(void **state)
{
	struct fixture *fx = *state;
	struct sargs_kv liga[] = {{"first_name", "Līga"}, {"last_name", "Bērziņa"},
				  {"email", "liga@example.lv"}};
	struct sargs_kv mail[] = {{"email", "only@example.lv"}};
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};
	char l[SARGS_UUID_STR], o[SARGS_UUID_STR], m[SARGS_UUID_STR], path[700];
	struct sargs_err err;
	sqlite3 *db = NULL;
	int64_t done = -1;
	int entries = 0;

	assert_true(sargs_subject_names_indexed(fx->reg));
	assert_int_equal(add(fx->reg, "service", liga, 3, l, &err), SARGS_OK);
	liga[2].value = "other@example.lv";
	assert_int_equal(add(fx->reg, "service", liga, 3, o, &err), SARGS_OK);
	assert_int_equal(add(fx->reg, "newsletter", mail, 1, m, &err), SARGS_OK);
	/* as an older Sargs left it: no name keys, no mark */
	(void)snprintf(path, sizeof(path), "%s/sargs.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "DELETE FROM blind_index; UPDATE subjects SET index_hashes = x'';"
				      " DELETE FROM meta WHERE key = 'name_index';",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	/* and one record damaged (its key no longer opens): it must not stop
	 * the others */
	{
		char q[200], hex[33];
		size_t k = 0;

		for (const char *c = l; *c && k < 32; c++)
			if (*c != '-')
				hex[k++] = *c;
		hex[k] = '\0';
		(void)snprintf(q, sizeof(q),
			       "UPDATE subjects SET wrapped_key = zeroblob(length(wrapped_key))"
			       " WHERE id = x'%s';",
			       hex);
		assert_int_equal(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_changes(db), 1);
	}
	sqlite3_close(db);
	assert_false(sargs_subject_names_indexed(fx->reg));
	assert_int_equal(candidates(fx->reg, "berz", NULL, NULL), 0);

	assert_int_equal(sargs_subject_index_names(fx->reg, &done, &err), SARGS_OK);
	assert_int_equal(done, 1); /* the damaged one left, the third has no name */
	assert_true(sargs_subject_names_indexed(fx->reg));
	assert_int_equal(candidates(fx->reg, "berz liga", o, NULL), 1);
	/* once only */
	assert_int_equal(sargs_subject_index_names(fx->reg, &done, &err), SARGS_OK);
	assert_int_equal(done, 0);
	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, index_entries, &entries),
			 SARGS_OK);
	assert_int_equal(entries, 1);
	/* the keys are in the record too: an erasure removes them */
	assert_int_equal(sargs_subject_erase(fx->reg, o, "request", &err), SARGS_OK);
	assert_int_equal(candidates(fx->reg, "berz", NULL, NULL), 0);
}

static void test_registry_reload_keeps_linked_purposes(void **state)
{
	struct fixture *fx = *state;
	struct sargs_kv kv[] = {{"email", "n@example.lv"}};
	const char *doc =
		"{\"sargs_registry\": 1, \"fields\": [{\"name\": \"email\", \"category\": \"contact\","
		" \"type\": \"email\"}], \"purposes\": [{\"id\": \"service\", \"name\": \"S\","
		" \"description\": \"d\", \"legal_basis\": \"contract\", \"categories\": [\"contact\"],"
		" \"fields\": [{\"field\": \"email\", \"required\": true}],"
		" \"retention\": {\"until\": \"objection\"}}]}";
	struct sargs_err err;
	char id[SARGS_UUID_STR];
	int64_t version = 0;

	assert_int_equal(add(fx->reg, "newsletter", kv, 1, id, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(fx->reg, doc, strlen(doc), &version, &err),
			 SARGS_E_DENIED);
	assert_non_null(strstr(err.msg, "purpose \"newsletter\" is missing from the new file"));
	{
		const struct sargs_registry *r = NULL;

		assert_int_equal(sargs_reg_registry(fx->reg, &r, &err), SARGS_OK);
		assert_non_null(sargs_registry_purpose(r, "newsletter"));
		assert_int_equal(fx->reg->registry_version, 1);
	}
}

static void test_source_third_party(void **state)
{
	struct fixture *fx = *state;
	struct sargs_kv kv[] = {{"first_name", "K"}, {"last_name", "L"}};
	const char *p[] = {"debt_collection"};
	struct sargs_subject_input in = {p, 1, "third_party", NULL, kv, 2, 0};
	struct sargs_subject_view v;
	struct sargs_err err;
	char id[SARGS_UUID_STR];

	/* GDPR Art. 14(2)(f): the source must be known to tell the person */
	assert_int_equal(sargs_subject_add(fx->reg, &in, id, &err), SARGS_E_INVALID);
	in.source = "neighbour";
	in.source_name = "x";
	assert_int_equal(sargs_subject_add(fx->reg, &in, id, &err), SARGS_E_INVALID);
	in.source = "public";
	in.source_name = "Company register";
	assert_int_equal(sargs_subject_add(fx->reg, &in, id, &err), SARGS_OK);
	assert_int_equal(sargs_subject_show(fx->reg, id, "debt_collection", &v, &err), SARGS_OK);
	assert_string_equal(v.source, "public");
	assert_string_equal(v.source_name, "Company register");
	sargs_subject_view_free(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_minimisation_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_huge_field_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_purpose_bound_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_erase, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_mid_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_search_common_beginning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_name_index_added_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registry_reload_keeps_linked_purposes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_source_third_party, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
