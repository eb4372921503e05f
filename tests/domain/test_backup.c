/*
 * test_backup.c — encrypted backups that keep erasures (domain/backup.h;
 * design.md "Keys and encryption": a restore re-applies the erasure ledger
 * before use; GDPR Art. 17).
 *
 * A real register on disk with the example registry and three people. The
 * central case: people erased after a backup was taken stay erased in a
 * restore of it (not findable, not decryptable, the restore and each
 * re-erasure audited). Then: verify passes on a good backup and fails on a
 * flipped byte, a cut-short file and a wrong master key; restore refuses a
 * directory that is in use; the unfinished-restore marker blocks opening;
 * no plaintext copy remains; a backup runs while another handle reads and
 * writes.
 */
#include "testutil.h"

#include "domain/backup.h"
#include "domain/register.h"
#include "domain/controller.h"
#include "domain/registry.h"
#include "domain/rights.h"
#include "domain/subject.h"
#include "util/uuid.h"

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
	char base[512];
	char live[600];
	char file[600];
	struct sargs_reg *reg;
	char a[SARGS_UUID_STR], b[SARGS_UUID_STR], c[SARGS_UUID_STR];
};

static void add(struct sargs_reg *reg, const char *first, const char *email,
		char id[SARGS_UUID_STR])
{
	const char *purposes[] = {"service"};
	struct sargs_kv kv[] = {{"first_name", first}, {"last_name", "Testa"}, {"email", email}};
	struct sargs_subject_input in;
	struct sargs_err err;

	memset(&in, 0, sizeof(in));
	in.purposes = purposes;
	in.n_purposes = 1;
	in.source = "person";
	in.fields = kv;
	in.n_fields = 3;
	if (sargs_subject_add(reg, &in, id, &err) != SARGS_OK)
		fail_msg("cannot add a subject: %s", err.msg);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sargs_err err;
	char *doc = test_read_example();

	assert_non_null(fx);
	unsetenv(SARGS_MASTER_KEY_ENV);
	test_tmpdir("backup", fx->base, sizeof(fx->base));
	(void)snprintf(fx->live, sizeof(fx->live), "%s/live", fx->base);
	(void)snprintf(fx->file, sizeof(fx->file), "%s/one.sbk", fx->base);
	assert_int_equal(sargs_reg_init(fx->live, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(fx->live, &fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(fx->reg, doc, strlen(doc), NULL, &err), SARGS_OK);
	free(doc);
	add(fx->reg, "Anna", "anna@example.lv", fx->a);
	add(fx->reg, "Līga", "liga@example.lv", fx->b);
	add(fx->reg, "Jānis", "janis@example.lv", fx->c);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	unsetenv(SARGS_MASTER_KEY_ENV);
	sargs_reg_close(fx->reg);
	test_rmtree(fx->base);
	free(fx);
	return 0;
}

static void backup(struct fixture *fx, const char *file)
{
	const char *paths[] = {file};
	struct sargs_err err;

	if (sargs_backup_create(fx->reg, paths, 1, NULL, &err) != SARGS_OK)
		fail_msg("backup failed: %s", err.msg);
}

static size_t found_by_email(struct sargs_reg *reg, const char *email)
{
	char(*ids)[SARGS_UUID_STR] = NULL;
	size_t n = 0;
	struct sargs_err err;

	assert_int_equal(sargs_subject_find(reg, "email", email, &ids, &n, &err), SARGS_OK);
	free(ids);
	return n;
}

/* Names of files in dir starting with prefix. */
static int count_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	(void)closedir(d);
	return n;
}

struct trail {
	int restore;
	int re_erase[3];
	const char *ids[3];
};

static int trail_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct trail *t = ctx;

	if (strcmp(r->action, "backup.restore") == 0)
		t->restore++;
	if (strcmp(r->action, "subject.erase") == 0 && r->detail != NULL &&
	    strcmp(r->detail, "restore") == 0 && r->subject_id != NULL)
		for (int i = 0; i < 3; i++)
			if (t->ids[i] != NULL && strcmp(r->subject_id, t->ids[i]) == 0)
				t->re_erase[i]++;
	return 0;
}

/* design.md: a restore re-applies the erasure ledger before use (GDPR Art. 17) */
static void test_erased_after_backup_stay_erased(void **state)
{
	struct fixture *fx = *state;
	struct sargs_backup_restore_result res;
	struct sargs_subject_view v;
	struct sargs_audit_report ar;
	struct sargs_store_audit_filter f = {NULL, NULL, INT64_MIN, INT64_MAX, 0, 0};
	struct trail t = {0, {0, 0, 0}, {NULL, NULL, NULL}};
	struct sargs_reg *rr = NULL;
	struct sargs_err err;
	char into[700], path[800], d[SARGS_UUID_STR];

	backup(fx, fx->file);
	/* after the backup: two erased, one added and erased */
	assert_int_equal(sargs_subject_erase(fx->reg, fx->a, "request", &err), SARGS_OK);
	assert_int_equal(sargs_subject_erase(fx->reg, fx->b, "objection", &err), SARGS_OK);
	add(fx->reg, "Dace", "dace@example.lv", d);
	assert_int_equal(sargs_subject_erase(fx->reg, d, "request", &err), SARGS_OK);

	(void)snprintf(into, sizeof(into), "%s/restored", fx->base);
	if (sargs_backup_restore(fx->file, fx->live, 0, into, &res, &err) != SARGS_OK)
		fail_msg("restore failed: %s", err.msg);
	assert_int_equal(res.live_ledger, 1);
	assert_int_equal(res.live_entries, 3);
	assert_int_equal(res.re_erased, 2);
	assert_int_equal(res.carried, 1);
	assert_int_equal(res.key_copied, 1);
	(void)snprintf(path, sizeof(path), "%s/%s", into, SARGS_RESTORE_MARKER);
	assert_false(access(path, F_OK) == 0);
	assert_int_equal(count_prefixed(into, "restore-work"), 0);

	assert_int_equal(sargs_reg_open(into, &rr, &err), SARGS_OK);
	/* not findable, not decryptable */
	assert_int_equal(found_by_email(rr, "anna@example.lv"), 0);
	assert_int_equal(found_by_email(rr, "liga@example.lv"), 0);
	assert_int_equal(found_by_email(rr, "janis@example.lv"), 1);
	memset(&v, 0, sizeof(v));
	assert_int_equal(sargs_subject_read_all(rr, fx->a, "subject.read", NULL, &v, &err),
			 SARGS_E_NOTFOUND);
	sargs_subject_view_free(&v);
	assert_int_equal(sargs_subject_read_all(rr, fx->b, "subject.read", NULL, &v, &err),
			 SARGS_E_NOTFOUND);
	sargs_subject_view_free(&v);
	assert_int_equal(sargs_subject_read_all(rr, fx->c, "subject.read", NULL, &v, &err),
			 SARGS_OK);
	assert_int_equal(v.n_fields, 3);
	sargs_subject_view_free(&v);
	/* the union of the ledgers survives */
	assert_int_equal(sargs_store_ledger_get(rr->store, fx->a, NULL), SARGS_OK);
	assert_int_equal(sargs_store_ledger_get(rr->store, d, NULL), SARGS_OK);
	/* the restored trail records the restore and each re-erasure, intact */
	t.ids[0] = fx->a;
	t.ids[1] = fx->b;
	t.ids[2] = fx->c;
	assert_int_equal(sargs_store_audit_scan(rr->store, &f, trail_cb, &t), SARGS_OK);
	assert_int_equal(t.restore, 1);
	assert_int_equal(t.re_erase[0], 1);
	assert_int_equal(t.re_erase[1], 1);
	assert_int_equal(t.re_erase[2], 0);
	assert_int_equal(sargs_audit_verify(rr->audit, &ar), SARGS_OK);
	sargs_reg_close(rr);

	/* the marker of an unfinished restore blocks opening */
	{
		FILE *m = fopen(path, "w");

		assert_non_null(m);
		(void)fclose(m);
		rr = NULL;
		assert_int_equal(sargs_reg_open(into, &rr, &err), SARGS_E_STORE);
		assert_null(rr);
		assert_non_null(strstr(err.msg, SARGS_RESTORE_MARKER));
		(void)unlink(path);
		assert_int_equal(sargs_reg_open(into, &rr, &err), SARGS_OK);
		sargs_reg_close(rr);
	}
	/* restore refuses a directory in use */
	assert_int_equal(sargs_backup_restore(fx->file, fx->live, 0, into, &res, &err),
			 SARGS_E_EXISTS);
	assert_int_equal(sargs_backup_restore(fx->file, fx->live, 0, fx->live, &res, &err),
			 SARGS_E_EXISTS);
}

/* 004 §5.2i: what an erasure took while a legal obligation kept the rest
 * (Art. 17(3)(b)) stays erased after a restore too */
static void test_partial_erasure_after_backup(void **state)
{
	struct fixture *fx = *state;
	const char *purposes[] = {"service", "accounting"};
	struct sargs_kv kv[] = {{"first_name", "Ilze"}, {"last_name", "Kalna"},
				{"email", "ilze@example.lv"}};
	struct sargs_subject_input in;
	struct sargs_erasure_report rep;
	struct sargs_backup_restore_result res;
	struct sargs_reg *rr = NULL;
	struct sargs_err err;
	char id[SARGS_UUID_STR], into[700], names[16][64];
	size_t n = 0;

	memset(&in, 0, sizeof(in));
	in.purposes = purposes;
	in.n_purposes = 2;
	in.source = "person";
	in.fields = kv;
	in.n_fields = 3;
	assert_int_equal(sargs_subject_add(fx->reg, &in, id, &err), SARGS_OK);
	backup(fx, fx->file);
	assert_int_equal(sargs_rights_erase(fx->reg, id, "request", &rep, &err), SARGS_OK);
	assert_int_equal(rep.erased, 0);
	assert_int_equal(rep.n_kept, 1);
	assert_int_equal(found_by_email(fx->reg, "ilze@example.lv"), 0);

	(void)snprintf(into, sizeof(into), "%s/restored-partial", fx->base);
	if (sargs_backup_restore(fx->file, fx->live, 0, into, &res, &err) != SARGS_OK)
		fail_msg("restore failed: %s", err.msg);
	assert_int_equal(res.partials, 1);
	assert_int_equal(sargs_reg_open(into, &rr, &err), SARGS_OK);
	/* the e-mail and the service purpose do not come back; accounting's data stays */
	assert_int_equal(found_by_email(rr, "ilze@example.lv"), 0);
	assert_int_equal(sargs_subject_field_names(rr, id, names, 16, &n, &err), SARGS_OK);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++)
		assert_string_not_equal(names[i], "email");
	sargs_reg_close(rr);
}

static const struct sargs_backup_check *find_check(const struct sargs_backup_report *rep,
						   const char *name)
{
	for (size_t i = 0; i < rep->n_checks; i++)
		if (strcmp(rep->checks[i].name, name) == 0)
			return &rep->checks[i];
	return NULL;
}

/* The audit trail's search index is derived from the entries: a backup
 * whose index was damaged (a forged row hides a person's entries from the
 * card) fails its verify on that count alone, and a restore makes the index
 * anew, so the restored register verifies and finds the person's entries.
 * 004 §18h: accesses to personal data stay on record. */
static int count_of(void *ctx, const struct sargs_store_audit_row *r)
{
	(void)r;
	(*(int *)ctx)++;
	return 0;
}

static void test_restore_rebuilds_a_damaged_index(void **state)
{
	struct fixture *fx = *state;
	struct sargs_backup_report rep;
	struct sargs_backup_restore_result res;
	struct sargs_audit_report ar;
	struct sargs_store_audit_filter f = {fx->a, NULL, INT64_MIN, INT64_MAX, 0, 0};
	struct sargs_reg *rr = NULL;
	struct sargs_err err;
	char db_path[700], into[700];
	sqlite3 *db = NULL;
	int n = 0;

	(void)snprintf(db_path, sizeof(db_path), "%s/sargs.db", fx->live);
	assert_int_equal(sqlite3_open(db_path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db,
				      "WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s"
				      " WHERE i < 63) INSERT INTO audit_bloom(slice, block, bits)"
				      " SELECT i, 0, zeroblob(128) FROM s",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, count_of, &n), SARGS_OK);
	assert_int_equal(n, 0); /* hidden */
	assert_int_equal(sargs_audit_verify(fx->reg->audit, &ar), SARGS_E_TAMPERED);
	assert_int_equal(ar.problem, SARGS_AUDIT_INDEX_BAD);

	backup(fx, fx->file);
	assert_int_equal(sargs_backup_verify(fx->file, fx->live, &rep, &err), SARGS_E_TAMPERED);
	assert_false(find_check(&rep, "audit chain")->ok);
	assert_non_null(strstr(find_check(&rep, "audit chain")->detail, "search index"));

	(void)snprintf(into, sizeof(into), "%s/restored", fx->base);
	if (sargs_backup_restore(fx->file, fx->live, 0, into, &res, &err) != SARGS_OK)
		fail_msg("restore failed: %s", err.msg);
	assert_int_equal(sargs_reg_open(into, &rr, &err), SARGS_OK);
	assert_int_equal(sargs_audit_verify(rr->audit, &ar), SARGS_OK);
	n = 0;
	assert_int_equal(sargs_store_audit_scan(rr->store, &f, count_of, &n), SARGS_OK);
	assert_true(n >= 1); /* the person's subject.add is found again */
	sargs_reg_close(rr);
}

static void test_verify_good(void **state)
{
	struct fixture *fx = *state;
	struct sargs_backup_report rep;
	struct sargs_err err;

	backup(fx, fx->file);
	if (sargs_backup_verify(fx->file, fx->live, &rep, &err) != SARGS_OK) {
		for (size_t i = 0; i < rep.n_checks; i++)
			print_message("%s %d %s\n", rep.checks[i].name, rep.checks[i].ok,
				      rep.checks[i].detail);
		fail_msg("verify failed: %s", err.msg);
	}
	assert_int_equal(rep.manifest.subjects, 3);
	assert_true(rep.n_checks >= 9);
	for (size_t i = 0; i < rep.n_checks; i++)
		assert_true(rep.checks[i].ok);
	assert_non_null(strstr(find_check(&rep, "decryption sample")->detail, "3 of 3"));
	/* the scratch copy is gone */
	assert_int_equal(count_prefixed(fx->base, ".sargs-verify-"), 0);
}

static void flip_byte(const char *file, long at_from_end)
{
	FILE *f = fopen(file, "r+b");
	int ch;

	assert_non_null(f);
	assert_int_equal(fseek(f, -at_from_end, SEEK_END), 0);
	ch = fgetc(f);
	assert_int_equal(fseek(f, -at_from_end, SEEK_END), 0);
	assert_int_not_equal(fputc(ch ^ 0x01, f), EOF);
	assert_int_equal(fclose(f), 0);
}

static void test_verify_detects_damage(void **state)
{
	struct fixture *fx = *state;
	struct sargs_backup_report rep;
	struct sargs_err err;
	const struct sargs_backup_check *c;
	struct stat st;

	backup(fx, fx->file);
	flip_byte(fx->file, 5000);
	assert_int_equal(sargs_backup_verify(fx->file, fx->live, &rep, &err), SARGS_E_CRYPTO);
	c = find_check(&rep, "decryption");
	assert_non_null(c);
	assert_false(c->ok);
	assert_non_null(strstr(c->detail, "authentication failed"));
	assert_int_equal(count_prefixed(fx->base, ".sargs-verify-"), 0);

	/* cut short: the last chunk's FINAL tag is missing */
	{
		char cut[700];

		(void)snprintf(cut, sizeof(cut), "%s/cut.sbk", fx->base);
		backup(fx, cut);
		assert_int_equal(stat(cut, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_equal(truncate(cut, st.st_size - 100), 0);
		assert_int_equal(sargs_backup_verify(cut, fx->live, &rep, &err), SARGS_E_CRYPTO);
		assert_false(find_check(&rep, "decryption")->ok);
	}
	/* a changed manifest (shown without the key) fails authentication */
	{
		char man[700];
		FILE *f;
		long pos;
		int ch;

		(void)snprintf(man, sizeof(man), "%s/man.sbk", fx->base);
		backup(fx, man);
		f = fopen(man, "r+b");
		assert_non_null(f);
		/* "subjects":3 -> "subjects":4 */
		{
			char head[4096];
			size_t n = fread(head, 1, sizeof(head) - 1, f);
			char *at;

			head[n] = '\0';
			at = strstr(head + 12, "\"subjects\":3");
			assert_non_null(at);
			pos = (long)(at - head) + 11;
		}
		assert_int_equal(fseek(f, pos, SEEK_SET), 0);
		ch = '4';
		assert_int_not_equal(fputc(ch, f), EOF);
		assert_int_equal(fclose(f), 0);
		assert_int_equal(sargs_backup_verify(man, fx->live, &rep, &err), SARGS_E_CRYPTO);
		assert_int_equal(rep.manifest.subjects, 4);
		assert_false(find_check(&rep, "decryption")->ok);
	}
}

/* a wrong master key fails clearly, in verify and in restore */
static void test_wrong_key(void **state)
{
	struct fixture *fx = *state;
	struct sargs_backup_report rep;
	struct sargs_backup_restore_result res;
	struct sargs_err err;
	char into[700];

	backup(fx, fx->file);
	setenv(SARGS_MASTER_KEY_ENV,
	       "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
	assert_int_equal(sargs_backup_verify(fx->file, fx->live, &rep, &err), SARGS_E_CRYPTO);
	assert_non_null(find_check(&rep, "master key"));
	assert_false(find_check(&rep, "master key")->ok);
	assert_int_equal(rep.manifest.subjects, 3); /* the manifest is still shown */
	(void)snprintf(into, sizeof(into), "%s/restored", fx->base);
	assert_int_equal(sargs_backup_restore(fx->file, fx->live, 0, into, &res, &err),
			 SARGS_E_CRYPTO);
	assert_non_null(strstr(err.msg, "master key"));
	assert_false(access(into, F_OK) == 0);
	unsetenv(SARGS_MASTER_KEY_ENV);
}

/* the plaintext snapshot never remains, on success or failure; files are
 * never replaced; two copies */
static void test_no_plaintext_left(void **state)
{
	struct fixture *fx = *state;
	char second[700], missing[700];
	const char *two[2];
	const char *bad[1];
	struct sargs_err err;

	(void)snprintf(second, sizeof(second), "%s/two.sbk", fx->base);
	two[0] = fx->file;
	two[1] = second;
	assert_int_equal(sargs_backup_create(fx->reg, two, 2, NULL, &err), SARGS_OK);
	assert_int_equal(access(second, F_OK), 0);
	assert_int_equal(count_prefixed(fx->live, ".backup-"), 0);
	/* never replaces */
	assert_int_equal(sargs_backup_create(fx->reg, two, 1, NULL, &err), SARGS_E_EXISTS);
	/* a failed write leaves no plaintext either */
	(void)snprintf(missing, sizeof(missing), "%s/no/such/dir.sbk", fx->base);
	bad[0] = missing;
	assert_int_not_equal(sargs_backup_create(fx->reg, bad, 1, NULL, &err), SARGS_OK);
	assert_int_equal(count_prefixed(fx->live, ".backup-"), 0);
	assert_int_equal(count_prefixed(fx->base, "one.sbk.tmp"), 0);
}

/* a backup while another handle holds a read transaction and another writes */
static void test_concurrent_use(void **state)
{
	struct fixture *fx = *state;
	struct sargs_reg *other = NULL;
	struct sargs_backup_manifest m;
	struct sargs_backup_report rep;
	const char *paths[1];
	char e[SARGS_UUID_STR], second[700];
	int64_t n = 0;
	struct sargs_err err;

	assert_int_equal(sargs_reg_open(fx->live, &other, &err), SARGS_OK);
	assert_int_equal(sargs_store_begin_read(other->store, &err), SARGS_OK);
	assert_int_equal(sargs_store_subject_count(other->store, &n), SARGS_OK);
	assert_int_equal(n, 3);
	paths[0] = fx->file;
	assert_int_equal(sargs_backup_create(fx->reg, paths, 1, &m, &err), SARGS_OK);
	assert_int_equal(m.subjects, 3);
	assert_int_equal(sargs_store_commit(other->store, &err), SARGS_OK);

	/* another handle holds a write transaction with an uncommitted subject:
	 * the online copy does not wait for it and holds the committed state
	 * (the audited backup itself then waits for the write lock, as every
	 * write does) */
	assert_int_equal(sargs_reg_begin(other, &err), SARGS_OK);
	add(other, "Ēriks", "eriks@example.lv", e);
	(void)snprintf(second, sizeof(second), "%s/copy.db", fx->base);
	assert_int_equal(sargs_store_backup_to(fx->reg->store, second), SARGS_OK);
	{
		struct sargs_store *copy = NULL;

		assert_int_equal(sargs_store_open(second, 0, &copy, &err), SARGS_OK);
		assert_int_equal(sargs_store_subject_count(copy, &n), SARGS_OK);
		assert_int_equal(n, 3);
		sargs_store_close(copy);
	}
	assert_int_equal(sargs_reg_commit(other, &err), SARGS_OK);
	sargs_reg_close(other);
	(void)snprintf(second, sizeof(second), "%s/after.sbk", fx->base);
	paths[0] = second;
	assert_int_equal(sargs_backup_create(fx->reg, paths, 1, &m, &err), SARGS_OK);
	assert_int_equal(m.subjects, 4);
	assert_int_equal(sargs_backup_verify(second, fx->live, &rep, &err), SARGS_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_erased_after_backup_stay_erased, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_partial_erasure_after_backup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_verify_good, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restore_rebuilds_a_damaged_index, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_verify_detects_damage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_plaintext_left, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_use, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
