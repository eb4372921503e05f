/*
 * test_notice.c — the privacy notice generated from the controller profile
 * and the purposes (domain/notice.h): every item of seed 004 §13.1 (a)-(k)
 * (GDPR Art. 13) in Latvian and English, the summary first, HTML through
 * cmark with nothing of the business's text passed as markup, the short
 * notice, and versions that say what changed (004 §13.2-13.3).
 */
#include "testutil.h"

#include "domain/consent.h"
#include "domain/controller.h"
#include "domain/subject.h"
#include "domain/notice.h"
#include "domain/register.h"
#include "util/timeutil.h"

#include <jansson.h>

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
	struct sargs_controller c = {"SIA Zīmes", "40003000001", "Brīvības iela 1, Rīga",
				     "info@zimes.example.lv", "+37167000000", "Data Officer",
				     "dpo@zimes.example.lv", NULL, NULL};
	struct sargs_err err;
	char *doc = test_read_example();

	assert_non_null(fx);
	test_tmpdir("notice", fx->dir, sizeof(fx->dir));
	assert_int_equal(sargs_reg_init(fx->dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(fx->dir, &fx->reg, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(fx->reg, doc, strlen(doc), NULL, &err), SARGS_OK);
	assert_int_equal(sargs_controller_set(fx->reg, &c, &err), SARGS_OK);
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

static char *render(struct fixture *fx, const char *lang, enum sargs_notice_format f)
{
	struct sargs_err err;
	char *text = NULL;

	if (sargs_notice_render(fx->reg, lang, f, &text, &err) != SARGS_OK)
		fail_msg("render %s: %s", lang, err.msg);
	assert_non_null(text);
	return text;
}

struct item {
	const char *rule;
	const char *lv;
	const char *en;
};

/* 004 §13.1 (a)-(k), each with a phrase that shows it in either language */
static const struct item items[] = {
	{"004 §13.1 a): the controller, its registration number and legal address",
	 "reģistrācijas numurs 40003000001", "registration number 40003000001"},
	{"004 §13.1 a): the controller's name", "SIA Zīmes", "SIA Zīmes"},
	{"004 §13.1 b): the data protection contact", "dpo@zimes.example.lv",
	 "dpo@zimes.example.lv"},
	{"004 §13.1 c): the purposes", "Providing services and goods",
	 "Providing services and goods"},
	{"004 §13.1 c): the legal basis", "līgums ar jums (VDAR 6. panta 1. punkta b)",
	 "a contract with you (GDPR Art. 6(1)(b))"},
	{"004 §13.1 c): the law behind a legal obligation", "Grāmatvedības likums",
	 "Grāmatvedības likums"},
	{"004 §13.1 c); GDPR Art. 13(1)(d): the legitimate interest pursued",
	 "mūsu leģitīmās intereses", "our legitimate interest"},
	{"004 §13.1 d): the recipients", "Debt collection company", "Debt collection company"},
	{"004 §13.1 d): when a recipient gets data", "when a bill is not paid",
	 "when a bill is not paid"},
	{"004 §13.1 e): transfers outside the EU (none here)", "Eiropas Savienības un Eiropas"
	 " Ekonomikas zonas nenododam", "outside the European Union and the European Economic"
	 " Area"},
	{"004 §13.1 f): how long", "Cik ilgi glabājam", "How long we keep it"},
	{"004 §13.1 g): the rights", "pārnesamība", "portability"},
	{"004 §13.1 h): consent can be withdrawn without affecting earlier processing",
	 "neietekmē iepriekšējās apstrādes likumību", "does not affect the lawfulness"},
	{"004 §13.1 i): the right to complain to the Data State Inspectorate",
	 "Datu valsts inspekcijai", "Data State Inspectorate"},
	{"004 §13.1 j): whether giving the data is required, and what if not",
	 "bez tiem mēs nevaram jūs apkalpot", "without them we cannot serve you"},
	{"004 §13.1 j): an optional field and why it is asked", "nav obligāts", "is optional"},
	{"004 §13.1 k): automated decisions and profiling", "neprofilējam", "do not profile you"},
	{"004 §13.2: a short summary first", "## Īsumā", "## In short"},
	{"004 §13.2: the date it was last updated", "Pēdējoreiz atjaunota", "Last updated"},
};

static void test_every_item_both_languages(void **state)
{
	struct fixture *fx = *state;
	char *lv = render(fx, "lv", SARGS_NOTICE_MD), *en = render(fx, "en", SARGS_NOTICE_MD);

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		if (strstr(lv, items[i].lv) == NULL)
			fail_msg("%s: the Latvian notice lacks \"%s\"", items[i].rule, items[i].lv);
		if (strstr(en, items[i].en) == NULL)
			fail_msg("%s: the English notice lacks \"%s\"", items[i].rule, items[i].en);
	}
	/* the summary comes before the details */
	assert_true(strstr(en, "## In short") < strstr(en, "## Who is responsible"));
	free(lv);
	free(en);
}

static void test_unknown_language_refused(void **state)
{
	struct fixture *fx = *state;
	struct sargs_err err;
	char *text = NULL;

	assert_int_equal(sargs_notice_render(fx->reg, "de", SARGS_NOTICE_MD, &text, &err),
			 SARGS_E_INVALID);
	assert_null(text);
}

/* the business's own text is text: no markup of it reaches the page */
static void test_html_passes_no_markup(void **state)
{
	struct fixture *fx = *state;
	struct sargs_controller c = {"<script>alert(1)</script> *Bold* SIA", NULL, NULL, NULL,
				     NULL, NULL, NULL, NULL, NULL};
	struct sargs_err err;
	char *html;

	assert_int_equal(sargs_controller_set(fx->reg, &c, &err), SARGS_OK);
	html = render(fx, "en", SARGS_NOTICE_HTML);
	assert_non_null(strstr(html, "<html lang=\"en\">"));
	assert_null(strstr(html, "<script>"));
	assert_non_null(strstr(html, "&lt;script&gt;"));
	assert_null(strstr(html, "<em>Bold</em>"));
	assert_non_null(strstr(html, "<h2>Your rights</h2>"));
	free(html);
}

static void test_controller_needed(void **state)
{
	struct sargs_reg *reg;
	struct sargs_err err;
	char dir[512], *doc = test_read_example(), *text = NULL;

	(void)state;
	test_tmpdir("notice-noctl", dir, sizeof(dir));
	assert_int_equal(sargs_reg_init(dir, &err), SARGS_OK);
	assert_int_equal(sargs_reg_open(dir, &reg, &err), SARGS_OK);
	assert_int_equal(sargs_registry_load(reg, doc, strlen(doc), NULL, &err), SARGS_OK);
	assert_int_equal(sargs_notice_render(reg, "lv", SARGS_NOTICE_MD, &text, &err),
			 SARGS_E_NOTFOUND);
	assert_non_null(strstr(err.msg, "controller"));
	sargs_reg_close(reg);
	test_rmtree(dir);
	free(doc);
}

/* mission §2: purpose, controller, how long and the rights before collection */
static void test_short_notice(void **state)
{
	struct fixture *fx = *state;
	struct sargs_err err;
	char *text = NULL;

	assert_int_equal(sargs_notice_short(fx->reg, "newsletter", "en", SARGS_NOTICE_MD, &text,
					    &err),
			 SARGS_OK);
	assert_non_null(strstr(text, "News about signs and printing"));
	assert_non_null(strstr(text, "your consent"));
	assert_non_null(strstr(text, "SIA Zīmes"));
	assert_non_null(strstr(text, "until the person objects"));
	assert_non_null(strstr(text, "withdraw consent at any time"));
	free(text);
	assert_int_equal(sargs_notice_short(fx->reg, "nope", "en", SARGS_NOTICE_MD, &text, &err),
			 SARGS_E_NOTFOUND);
}

struct seen {
	struct sargs_notice_version v[8];
	size_t n;
};

static int seen_cb(void *ctx, const struct sargs_notice_version *v)
{
	struct seen *s = ctx;

	if (s->n < 8)
		s->v[s->n++] = *v;
	return 0;
}

/* 004 §13.2-13.3: versions with their date, hash and what changed */
static void test_versions(void **state)
{
	struct fixture *fx = *state;
	struct sargs_notice_version v;
	struct sargs_controller c = {"SIA Zīmes", "40003000001", "Brīvības iela 1, Rīga",
				     "info@zimes.example.lv", "+37167000000", "New Officer",
				     "dpo2@zimes.example.lv", NULL, NULL};
	struct seen s = {.n = 0};
	struct sargs_err err;
	char *doc, *at, *text = NULL;
	int created = 0;

	assert_int_equal(sargs_notice_publish(fx->reg, &v, &created, &err), SARGS_OK);
	assert_true(created);
	assert_int_equal(v.version, 1);
	assert_string_equal(v.changes, "first version");
	assert_int_equal(strlen(v.hash), 64);
	/* nothing changed: no new version */
	assert_int_equal(sargs_notice_publish(fx->reg, &v, &created, &err), SARGS_OK);
	assert_false(created);
	assert_int_equal(v.version, 1);
	/* a purpose changes: the new version names it */
	doc = test_read_example();
	at = strstr(doc, "\"name\": \"News about signs and printing\"");
	assert_non_null(at);
	memcpy(at + 9, "Zews", 4);
	assert_int_equal(sargs_registry_load(fx->reg, doc, strlen(doc), NULL, &err), SARGS_OK);
	free(doc);
	assert_int_equal(sargs_notice_publish(fx->reg, &v, &created, &err), SARGS_OK);
	assert_true(created);
	assert_int_equal(v.version, 2);
	assert_string_equal(v.changes, "purposes changed: newsletter");
	/* the contact changes */
	assert_int_equal(sargs_controller_set(fx->reg, &c, &err), SARGS_OK);
	assert_int_equal(sargs_notice_publish(fx->reg, &v, &created, &err), SARGS_OK);
	assert_int_equal(v.version, 3);
	assert_string_equal(v.changes, "controller or contact changed");
	assert_int_equal(sargs_notice_versions(fx->reg, seen_cb, &s, &err), SARGS_OK);
	assert_int_equal(s.n, 3);
	assert_true(s.v[0].version == 1 && s.v[2].version == 3);
	/* a stored version is the text as published, in both languages */
	assert_int_equal(sargs_notice_get(fx->reg, 1, "en", &text, &err), SARGS_OK);
	assert_non_null(strstr(text, "News about signs and printing"));
	free(text);
	assert_int_equal(sargs_notice_get(fx->reg, 2, "lv", &text, &err), SARGS_OK);
	assert_non_null(strstr(text, "Zews about signs"));
	free(text);
	assert_int_equal(sargs_notice_get(fx->reg, 9, "lv", &text, &err), SARGS_E_NOTFOUND);
}

/* 004 §13.2: the notice shows the date it last changed, not today's */
static void test_date_is_publication_date(void **state)
{
	struct fixture *fx = *state;
	struct sargs_notice_version v;
	struct sargs_err err;
	int created = 0;
	char *text;

	sargs_time_set_fixed(sargs_days_from_civil(2026, 3, 2) * 86400000000LL);
	assert_int_equal(sargs_notice_publish(fx->reg, &v, &created, &err), SARGS_OK);
	sargs_time_set_fixed(sargs_days_from_civil(2026, 9, 15) * 86400000000LL);
	text = render(fx, "en", SARGS_NOTICE_MD);
	assert_non_null(strstr(text, "Last updated: 2026-03-02"));
	free(text);
	sargs_time_set_fixed(0);
}

/* 004 §13.2; GDPR Art. 7(1): a consent names the notice version the person saw */
static void test_consent_names_version(void **state)
{
	struct fixture *fx = *state;
	const char *purposes[] = {"service"};
	struct sargs_kv kv[] = {{"first_name", "Anna"}, {"last_name", "Zariņa"},
				{"email", "anna@example.lv"}};
	struct sargs_subject_input in;
	struct sargs_consent_proof proof;
	struct sargs_notice_version v;
	struct sargs_err err;
	char id[64], *receipt = NULL;
	int created = 0;

	memset(&in, 0, sizeof(in));
	in.purposes = purposes;
	in.n_purposes = 1;
	in.source = "person";
	in.fields = kv;
	in.n_fields = 3;
	assert_int_equal(sargs_subject_add(fx->reg, &in, id, &err), SARGS_OK);
	assert_int_equal(sargs_notice_publish(fx->reg, &v, &created, &err), SARGS_OK);
	memset(&proof, 0, sizeof(proof));
	proof.channel = "web_form";
	proof.form = "shop-v1";
	proof.notice_version = 9;
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &proof, &receipt, &err),
			 SARGS_E_NOTFOUND);
	proof.notice_version = 1;
	proof.text_hash = "0000000000000000000000000000000000000000000000000000000000000000";
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &proof, &receipt, &err),
			 SARGS_E_INVALID);
	proof.text_hash = NULL;
	assert_int_equal(sargs_consent_give(fx->reg, id, "newsletter", &proof, &receipt, &err),
			 SARGS_OK);
	{
		json_t *doc = json_loads(receipt, 0, NULL);
		json_t *ext = json_object_get(json_object_get(doc, "receipt"), "sargs");

		assert_non_null(doc);
		assert_int_equal(json_integer_value(json_object_get(ext, "noticeVersion")), 1);
		assert_string_equal(json_string_value(json_object_get(ext, "noticeTextHash")), v.hash);
		json_decref(doc);
	}
	free(receipt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_item_both_languages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_language_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html_passes_no_markup, setup, teardown),
		cmocka_unit_test(test_controller_needed),
		cmocka_unit_test_setup_teardown(test_short_notice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_versions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_date_is_publication_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consent_names_version, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
