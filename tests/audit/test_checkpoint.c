/*
 * test_checkpoint.c — signed audit checkpoints (audit/checkpoint.h): a
 * trail cut back and re-grown, or rewritten by someone holding the master
 * key (who can rebuild the keyed chain and its head), no longer holds the
 * entry a checkpoint signed with a key kept elsewhere names (design.md
 * "The audit trail": signed checkpoints kept elsewhere).
 *
 * The attacks are made with SQL on the database file, as an attacker with
 * the file would (the library itself has no path that changes entries).
 */
#include "testutil.h"

#include "audit/checkpoint.h"
#include "crypto/ckpt.h"
#include "crypto/sign.h"
#include "domain/register.h"
#include "util/timeutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct fixture {
	char dir[512], ckdir[600], keyfile[600];
	struct sargs_reg *reg;
	struct sargs_ckpt_key *key;
};

static void add_entries(struct sargs_reg *reg, int n)
{
	struct sargs_err err;

	for (int i = 0; i < n; i++)
		assert_int_equal(sargs_reg_audit(reg, "test.event", NULL, NULL, NULL, "x", &err),
				 SARGS_OK);
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	struct sargs_err err;

	assert_non_null(fx);
	test_tmpdir("checkpoint", fx->dir, sizeof(fx->dir));
	(void)snprintf(fx->ckdir, sizeof(fx->ckdir), "%s/elsewhere", fx->dir);
	(void)snprintf(fx->keyfile, sizeof(fx->keyfile), "%s/checkpoint.key", fx->dir);
	assert_int_equal(sargs_reg_init(fx->dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(fx->dir, &fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_ckpt_key_create(fx->keyfile, &err), SARGS_OK);
	assert_int_equal(sargs_ckpt_key_load(fx->keyfile, &fx->key, &err), SARGS_OK);
	add_entries(fx->reg, 10);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	sargs_ckpt_key_free(fx->key);
	sargs_reg_close(fx->reg);
	test_rmtree(fx->dir);
	free(fx);
	return 0;
}

static int64_t checkpoint(struct fixture *fx)
{
	char path[4096];
	int64_t seq = 0;
	struct sargs_err err;

	assert_int_equal(sargs_audit_checkpoint(fx->reg->store, fx->key, fx->ckdir,
						sargs_time_now_us(), path, sizeof(path), &seq, &err),
			 SARGS_OK);
	assert_true(seq > 0);
	return seq;
}

static void sql(struct fixture *fx, const char *stmt)
{
	char path[700];
	sqlite3 *db;

	sargs_reg_close(fx->reg);
	fx->reg = NULL;
	(void)snprintf(path, sizeof(path), "%s/sargs.db", fx->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, stmt, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("sql: %s", sqlite3_errmsg(db));
	(void)sqlite3_close(db);
}

static void reopen(struct fixture *fx)
{
	struct sargs_err err;

	assert_int_equal(sargs_reg_open(fx->dir, &fx->reg, &err), SARGS_OK);
}

static enum sargs_rc check(struct fixture *fx, const char *pk, struct sargs_ckpt_report *rep)
{
	struct sargs_err err;

	return sargs_audit_check_checkpoints(fx->reg->store, fx->ckdir, pk, rep, &err);
}

static void test_intact(void **state)
{
	struct fixture *fx = *state;
	struct sargs_ckpt_report rep;
	unsigned char pk[SARGS_SIGN_PK_BYTES];
	char pk64[64];
	struct stat st;

	checkpoint(fx);
	add_entries(fx->reg, 3);
	checkpoint(fx);
	add_entries(fx->reg, 3);
	sargs_ckpt_public_key(fx->key, pk);
	sargs_b64url_encode(pk, sizeof(pk), pk64);
	assert_int_equal(check(fx, pk64, &rep), SARGS_OK);
	assert_int_equal(rep.checked, 2);
	assert_string_equal(rep.public_key, pk64);
	assert_int_equal(stat(fx->keyfile, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_no_checkpoints(void **state)
{
	struct fixture *fx = *state;
	struct sargs_ckpt_report rep;

	assert_int_equal(check(fx, NULL, &rep), SARGS_E_NOTFOUND);
}

/* the trail cut back to before the checkpoint, then grown again */
static void test_cut_back_and_regrown(void **state)
{
	struct fixture *fx = *state;
	struct sargs_ckpt_report rep;
	char stmt[256];
	int64_t seq = checkpoint(fx);

	(void)snprintf(stmt, sizeof(stmt),
		       "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq >= %lld;",
		       (long long)seq - 2);
	sql(fx, stmt);
	reopen(fx);
	assert_int_equal(check(fx, NULL, &rep), SARGS_E_TAMPERED);
	assert_non_null(strstr(rep.message, "cut back"));
}

/* an entry the checkpoint covers rewritten (as by someone with the master
 * key, who could also rebuild the chain after it) */
static void test_rewritten(void **state)
{
	struct fixture *fx = *state;
	struct sargs_ckpt_report rep;
	char stmt[256];
	int64_t seq = checkpoint(fx);

	(void)snprintf(stmt, sizeof(stmt),
		       "DROP TRIGGER audit_no_update; UPDATE audit SET hash = zeroblob(32)"
		       " WHERE seq = %lld;",
		       (long long)seq);
	sql(fx, stmt);
	reopen(fx);
	assert_int_equal(check(fx, NULL, &rep), SARGS_E_TAMPERED);
	assert_non_null(strstr(rep.message, "rewritten"));
}

/* a checkpoint file altered, or signed by another key */
static void test_forged_or_other_key(void **state)
{
	struct fixture *fx = *state;
	struct sargs_ckpt_report rep;
	char path[4096], other[700];
	struct sargs_ckpt_key *k2 = NULL;
	struct sargs_err err;
	unsigned char pk[SARGS_SIGN_PK_BYTES];
	char pk64[64], *text = NULL, *at;
	size_t len = 0;
	int64_t seq = checkpoint(fx);
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/checkpoint-%012lld.json", fx->ckdir, (long long)seq);
	/* a key other than the one kept elsewhere is named */
	(void)snprintf(other, sizeof(other), "%s/other.key", fx->dir);
	assert_int_equal(sargs_ckpt_key_create(other, &err), SARGS_OK);
	assert_int_equal(sargs_ckpt_key_load(other, &k2, &err), SARGS_OK);
	sargs_ckpt_public_key(k2, pk);
	sargs_b64url_encode(pk, sizeof(pk), pk64);
	assert_int_equal(check(fx, pk64, &rep), SARGS_E_TAMPERED);
	assert_non_null(strstr(rep.message, "another key"));
	sargs_ckpt_key_free(k2);
	/* the file's time changed: the signature no longer matches */
	f = fopen(path, "r");
	assert_non_null(f);
	text = calloc(1, 8192);
	assert_non_null(text);
	len = fread(text, 1, 8191, f);
	(void)fclose(f);
	assert_true(len > 0);
	at = strstr(text, "\"time_us\": ");
	assert_non_null(at);
	at += 11;
	*at = *at == '1' ? '2' : '1';
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	(void)fclose(f);
	free(text);
	assert_int_equal(check(fx, NULL, &rep), SARGS_E_TAMPERED);
	assert_non_null(strstr(rep.message, "signature does not match"));
}

/* a checkpoint of another register does not vouch for this one */
static void test_other_register(void **state)
{
	struct fixture *fx = *state;
	struct sargs_ckpt_report rep;
	struct sargs_reg *r2;
	struct sargs_err err;
	char dir2[700], path[4096];
	int64_t seq;

	(void)snprintf(dir2, sizeof(dir2), "%s/second", fx->dir);
	assert_int_equal(sargs_reg_init(dir2, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(dir2, &r2, &err), SARGS_OK);
	add_entries(r2, 12);
	assert_int_equal(sargs_audit_checkpoint(r2->store, fx->key, fx->ckdir, sargs_time_now_us(),
						path, sizeof(path), &seq, &err),
			 SARGS_OK);
	sargs_reg_close(r2);
	assert_int_equal(check(fx, NULL, &rep), SARGS_E_TAMPERED);
	assert_non_null(strstr(rep.message, "another register"));
}

static void test_key_file_rules(void **state)
{
	struct fixture *fx = *state;
	struct sargs_ckpt_key *k = NULL;
	struct sargs_err err;

	/* never replaced */
	assert_int_not_equal(sargs_ckpt_key_create(fx->keyfile, &err), SARGS_OK);
	/* refused when others may read it */
	assert_int_equal(chmod(fx->keyfile, 0644), 0);
	assert_int_equal(sargs_ckpt_key_load(fx->keyfile, &k, &err), SARGS_E_CRYPTO);
	assert_null(k);
	assert_int_equal(chmod(fx->keyfile, 0600), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_checkpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cut_back_and_regrown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewritten, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_or_other_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_register, setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_file_rules, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
