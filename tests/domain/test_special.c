/*
 * test_special.c — mission §9: "Special categories of data get extra
 * protection and minimal access (004 §4.7)". A field whose category the
 * business marks special (GDPR Art. 9) is read only by those given
 * subject.read_special; everyone else gets the rest of the purpose's fields
 * and the name of what was withheld, and the audit entry says so.
 */
#include "testutil.h"

#include "domain/access.h"
#include "domain/register.h"
#include "domain/registry.h"
#include "domain/staff.h"
#include "domain/subject.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
	char dir[512];
	struct sargs_reg *reg;
	char id[SARGS_UUID_STR];
};

/* The example registry with a special category "health" whose field
 * "allergies" the service purpose uses (a café that must know them). */
static char *registry_with_health(void)
{
	char *doc = test_read_example(), *out;
	json_error_t je;
	json_t *root = json_loads(doc, 0, &je), *purposes, *p;
	size_t i;

	free(doc);
	assert_non_null(root);
	assert_int_equal(json_array_append_new(json_object_get(root, "categories"),
					       json_pack("{s:s, s:s, s:b}", "id", "health", "name",
							 "Health (allergies)", "special", 1)),
			 0);
	assert_int_equal(json_array_append_new(json_object_get(root, "fields"),
					       json_pack("{s:s, s:s, s:s}", "name", "allergies",
							 "label", "Allergies", "category",
							 "health")),
			 0);
	purposes = json_object_get(root, "purposes");
	json_array_foreach(purposes, i, p) {
		if (strcmp(json_string_value(json_object_get(p, "id")), "service") != 0)
			continue;
		assert_int_equal(json_array_append_new(json_object_get(p, "categories"),
						       json_string("health")),
				 0);
		assert_int_equal(
			json_array_append_new(
				json_object_get(p, "fields"),
				json_pack("{s:s, s:b, s:s}", "field", "allergies", "required", 0,
					  "why", "So that we do not serve you what you are allergic to.")),
			0);
	}
	out = json_dumps(root, 0);
	json_decref(root);
	assert_non_null(out);
	return out;
}

static int setup(void **state)
{
	struct fixture *fx = calloc(1, sizeof(*fx));
	char *doc = registry_with_health();
	struct sargs_kv kv[] = {{"first_name", "Ilze"}, {"last_name", "Bērziņa"},
				{"email", "ilze@example.lv"}, {"allergies", "peanuts"}};

	assert_non_null(fx);
	fx->reg = test_reg_with("special", doc, fx->dir, sizeof(fx->dir));
	free(doc);
	test_controller_example(fx->reg);
	test_subject_add(fx->reg, "service", "person", NULL, kv, 4, fx->id);
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

static const char *field(const struct sargs_subject_view *v, const char *name)
{
	for (size_t i = 0; i < v->n_fields; i++)
		if (strcmp(v->fields[i].name, name) == 0)
			return v->fields[i].value;
	return NULL;
}

struct last_read {
	char fields[256];
	char detail[256];
	char action[64];
};

static int last_cb(void *ctx, const struct sargs_store_audit_row *r)
{
	struct last_read *l = ctx;

	(void)snprintf(l->action, sizeof(l->action), "%s", r->action);
	(void)snprintf(l->fields, sizeof(l->fields), "%s", r->fields ? r->fields : "");
	(void)snprintf(l->detail, sizeof(l->detail), "%s", r->detail ? r->detail : "");
	return 0;
}

static void last_entry(struct fixture *fx, struct last_read *l)
{
	struct sargs_store_audit_filter f = {fx->id, NULL, INT64_MIN, INT64_MAX, 0, 0};

	memset(l, 0, sizeof(*l));
	assert_int_equal(sargs_store_audit_scan(fx->reg->store, &f, last_cb, l), SARGS_OK);
}

/* mission §9: special categories — minimal access: withheld by default */
static void test_special_withheld_without_permission(void **state)
{
	struct fixture *fx = *state;
	struct sargs_subject_view v;
	struct sargs_policy_decision d;
	struct sargs_err err;
	struct last_read l;

	assert_int_equal(sargs_read_for_purpose(fx->reg, fx->id, "service", 0, &v, &d, &err),
			 SARGS_OK);
	assert_null(field(&v, "allergies"));
	assert_string_equal(field(&v, "email"), "ilze@example.lv");
	assert_string_equal(v.withheld, "allergies");
	sargs_subject_view_free(&v);
	/* the audit entry names what was read and what was withheld, never a
	 * value */
	last_entry(fx, &l);
	assert_string_equal(l.action, "subject.read");
	assert_null(strstr(l.fields, "allergies"));
	assert_non_null(strstr(l.fields, "email"));
	assert_string_equal(l.detail, "withheld=allergies");
	assert_null(strstr(l.detail, "peanuts"));
}

/* mission §9: special categories — those given the permission see them */
static void test_special_shown_with_permission(void **state)
{
	struct fixture *fx = *state;
	struct sargs_subject_view v;
	struct sargs_policy_decision d;
	struct sargs_err err;
	struct last_read l;

	assert_int_equal(sargs_read_for_purpose(fx->reg, fx->id, "service", 1, &v, &d, &err),
			 SARGS_OK);
	assert_string_equal(field(&v, "allergies"), "peanuts");
	assert_string_equal(v.withheld, "");
	sargs_subject_view_free(&v);
	last_entry(fx, &l);
	assert_non_null(strstr(l.fields, "allergies"));
	assert_string_equal(l.detail, "");
}

/* A purpose without special categories withholds nothing; the person's own
 * copy (Art. 15) holds everything, special categories included. */
static void test_special_other_purposes_and_own_copy(void **state)
{
	struct fixture *fx = *state;
	struct sargs_subject_view v;
	struct sargs_err err;

	assert_int_equal(sargs_subject_show_limited(fx->reg, fx->id, "service", 0, &v, &err),
			 SARGS_OK);
	assert_string_equal(v.withheld, "allergies");
	sargs_subject_view_free(&v);
	assert_int_equal(sargs_subject_read_all(fx->reg, fx->id, "subject.export", NULL, &v, &err),
			 SARGS_OK);
	assert_string_equal(field(&v, "allergies"), "peanuts");
	assert_string_equal(v.withheld, "");
	sargs_subject_view_free(&v);
	/* the limit lasts for that one read only */
	assert_int_equal(sargs_subject_show(fx->reg, fx->id, "service", &v, &err), SARGS_OK);
	assert_string_equal(field(&v, "allergies"), "peanuts");
	sargs_subject_view_free(&v);
}

/* The permission is an action of its own that no built-in role holds. */
static void test_special_permission_is_explicit(void **state)
{
	struct fixture *fx = *state;
	const char *roles[] = {"owner", "dpo", "cashier", "marketing"};
	struct sargs_err err;

	assert_true(sargs_action_valid(SARGS_ACT_SUBJECT_READ_SPECIAL));
	for (size_t i = 0; i < 4; i++) {
		struct sargs_role r;

		assert_int_equal(sargs_role_get(fx->reg, roles[i], &r, &err), SARGS_OK);
		assert_null(strstr(r.actions, SARGS_ACT_SUBJECT_READ_SPECIAL));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_special_withheld_without_permission, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_special_shown_with_permission, setup, teardown),
		cmocka_unit_test_setup_teardown(test_special_other_purposes_and_own_copy, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_special_permission_is_explicit, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
