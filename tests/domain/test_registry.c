/*
 * test_registry.c — the purpose registry parser: every rule of the file
 * format, one row per case, each naming its rule.
 */
#include "testutil.h"

#include "domain/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A valid document; %s stands where a row puts its purpose's extra keys,
 * and %s where it may replace the retention. */
#define BASE_FMT \
	"{\"sargs_registry\": 1," \
	" \"categories\": [{\"id\": \"health\", \"name\": \"Health\", \"special\": true}]," \
	" \"fields\": [" \
	"  {\"name\": \"first_name\", \"category\": \"name\"}," \
	"  {\"name\": \"email\", \"category\": \"contact\", \"type\": \"email\"}," \
	"  {\"name\": \"phone\", \"category\": \"contact\", \"type\": \"phone\"}," \
	"  {\"name\": \"allergies\", \"category\": \"health\"}]," \
	" \"purposes\": [{\"id\": \"p1\", \"name\": \"P one\", \"description\": \"d\"," \
	"  %s" \
	"  \"retention\": %s}]}"

struct row {
	const char *rule;
	const char *purpose_keys;
	const char *retention;
	int valid;
	const char *message; /* a part of the error message */
};

static const struct row rows[] = {
	{"GDPR Art. 6(1)(a): a consent marketing purpose with its channels",
	 "\"legal_basis\": \"consent\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}, {\"field\": \"phone\","
	 " \"required\": false, \"why\": \"SMS offers\"}], \"online_service\": true,"
	 " \"marketing\": {\"channels\": [\"email\", \"sms\"]},",
	 "{\"until\": \"objection\"}", 1, NULL},
	{"ePrivacy Art. 13(2): soft opt-in rests on legitimate interests and names its product line",
	 "\"legal_basis\": \"legitimate_interests\", \"balancing_test\": \"weighed\","
	 " \"product_line\": \"bread\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}],"
	 " \"marketing\": {\"channels\": [\"email\"], \"soft_opt_in\": true},",
	 "{\"until\": \"objection\"}", 1, NULL},
	{"ePrivacy Art. 13(2); 000: soft opt-in without a product line is refused",
	 "\"legal_basis\": \"legitimate_interests\", \"balancing_test\": \"weighed\","
	 " \"categories\": [\"contact\"], \"fields\": [{\"field\": \"email\", \"required\": true}],"
	 " \"marketing\": {\"channels\": [\"email\"], \"soft_opt_in\": true},",
	 "{\"until\": \"objection\"}", 0, "needs \"product_line\""},
	{"ePrivacy Art. 13(2): soft opt-in on consent is a contradiction",
	 "\"legal_basis\": \"consent\", \"product_line\": \"bread\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}],"
	 " \"marketing\": {\"channels\": [\"email\"], \"soft_opt_in\": true},",
	 "{\"until\": \"objection\"}", 0, "legitimate_interests"},
	{"ePrivacy Art. 13(2): soft opt-in applies to e-mail",
	 "\"legal_basis\": \"legitimate_interests\", \"balancing_test\": \"weighed\","
	 " \"product_line\": \"bread\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"phone\", \"required\": true}],"
	 " \"marketing\": {\"channels\": [\"sms\"], \"soft_opt_in\": true},",
	 "{\"until\": \"objection\"}", 0, "soft opt-in applies to e-mail"},
	{"GDPR Art. 6(1): direct marketing does not rest on a contract",
	 "\"legal_basis\": \"contract\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}],"
	 " \"marketing\": {\"channels\": [\"email\"]},",
	 "{\"until\": \"objection\"}", 0, "consent or legitimate interests"},
	{"002 §2: a channel needs a field that carries it",
	 "\"legal_basis\": \"consent\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}],"
	 " \"marketing\": {\"channels\": [\"sms\"]},",
	 "{\"until\": \"objection\"}", 0, "needs a field that carries it"},
	{"an unknown marketing channel is refused",
	 "\"legal_basis\": \"consent\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}],"
	 " \"marketing\": {\"channels\": [\"pigeon\"]},",
	 "{\"until\": \"objection\"}", 0, "unknown marketing channel"},
	{"a marketing channel listed twice is refused",
	 "\"legal_basis\": \"consent\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}],"
	 " \"marketing\": {\"channels\": [\"email\", \"email\"]},",
	 "{\"until\": \"objection\"}", 0, "listed twice"},
	{"an unknown key in \"marketing\" is refused",
	 "\"legal_basis\": \"consent\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}],"
	 " \"marketing\": {\"channels\": [\"email\"], \"kids\": true},",
	 "{\"until\": \"objection\"}", 0, "unknown key \"kids\""},
	{"valid: contract purpose",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\", \"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}],",
	 "{\"period\": \"P5Y\", \"from\": \"contract_end\"}", 1, NULL},
	{"GDPR Art. 6(1): every one of the six legal bases is accepted (consent)",
	 "\"legal_basis\": \"consent\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}],",
	 "{\"until\": \"objection\"}", 1, NULL},
	{"GDPR Art. 6(1)(c): legal obligation",
	 "\"legal_basis\": \"legal_obligation\", \"basis_detail\": \"Accounting Law\","
	 " \"categories\": [\"name\"], \"fields\": [{\"field\": \"first_name\", \"required\": true}],",
	 "{\"period\": \"P10Y\", \"from\": \"collection\"}", 1, NULL},
	{"GDPR Art. 6(1)(d): vital interests",
	 "\"legal_basis\": \"vital_interests\", \"categories\": [\"name\"], \"fields\": [],",
	 "{\"period\": \"P30D\", \"from\": \"collection\"}", 1, NULL},
	{"GDPR Art. 6(1)(e): public task",
	 "\"legal_basis\": \"public_task\", \"categories\": [\"name\"], \"fields\": [],",
	 "{\"period\": \"P1Y6M\", \"from\": \"last_purchase\"}", 1, NULL},
	{"GDPR Art. 6(1)(f): legitimate interests with its balancing test",
	 "\"legal_basis\": \"legitimate_interests\", \"balancing_test\": \"weighed\","
	 " \"categories\": [\"name\"], \"fields\": [],",
	 "{\"period\": \"P3Y\", \"from\": \"objection\"}", 1, NULL},
	{"GDPR Art. 6(1)(f); 004 §5.2: legitimate interests without a balancing test is refused",
	 "\"legal_basis\": \"legitimate_interests\", \"categories\": [\"name\"], \"fields\": [],",
	 "{\"until\": \"objection\"}", 0, "needs \"balancing_test\""},
	{"GDPR Art. 6(1)(f): an empty balancing test is refused",
	 "\"legal_basis\": \"legitimate_interests\", \"balancing_test\": \"\","
	 " \"categories\": [\"name\"], \"fields\": [],",
	 "{\"until\": \"objection\"}", 0, "balancing_test"},
	{"GDPR Art. 6(1): an unknown legal basis is refused",
	 "\"legal_basis\": \"because\", \"categories\": [\"name\"], \"fields\": [],",
	 "{\"until\": \"objection\"}", 0, "unknown legal basis \"because\""},
	{"001 §6: an unknown data category is refused",
	 "\"legal_basis\": \"contract\", \"categories\": [\"shoe_size\"], \"fields\": [],",
	 "{\"until\": \"objection\"}", 0, "unknown data category \"shoe_size\""},
	{"custom and special categories can be used",
	 "\"legal_basis\": \"consent\", \"categories\": [\"health\"],"
	 " \"fields\": [{\"field\": \"allergies\", \"required\": false, \"why\": \"safe food\"}],",
	 "{\"period\": \"P1Y\", \"from\": \"consent_withdrawal\"}", 1, NULL},
	{"a purpose must list a category",
	 "\"legal_basis\": \"contract\", \"categories\": [], \"fields\": [],",
	 "{\"until\": \"objection\"}", 0, "at least one data category"},
	{"000; 002 §2: a field outside the purpose's categories is refused",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}],",
	 "{\"until\": \"objection\"}", 0, "does not list under \"categories\""},
	{"000: an optional field needs its \"why we ask\" text",
	 "\"legal_basis\": \"contract\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"phone\", \"required\": false}],",
	 "{\"until\": \"objection\"}", 0, "needs \"why\""},
	{"an unknown field is refused",
	 "\"legal_basis\": \"contract\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"fax\", \"required\": true}],",
	 "{\"until\": \"objection\"}", 0, "unknown field \"fax\""},
	{"a field listed twice is refused",
	 "\"legal_basis\": \"contract\", \"categories\": [\"contact\"],"
	 " \"fields\": [{\"field\": \"email\", \"required\": true}, {\"field\": \"email\", \"required\": true}],",
	 "{\"until\": \"objection\"}", 0, "listed twice"},
	{"GDPR Art. 28(3): a processor needs its data processing agreement",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],"
	 " \"recipients\": [{\"name\": \"Host\", \"kind\": \"processor\"}],",
	 "{\"until\": \"objection\"}", 0, "needs \"dpa\""},
	{"001 §4.2: a recipient with a condition",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],"
	 " \"recipients\": [{\"name\": \"Collector\", \"kind\": \"recipient\", \"condition\": \"unpaid bill\"},"
	 " {\"name\": \"Host\", \"kind\": \"processor\", \"dpa\": \"DPA-1\"}],",
	 "{\"until\": \"objection\"}", 1, NULL},
	{"an unknown recipient kind is refused",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],"
	 " \"recipients\": [{\"name\": \"X\", \"kind\": \"friend\"}],",
	 "{\"until\": \"objection\"}", 0, "unknown kind \"friend\""},
	{"GDPR Art. 44-46; 004 §13.1e: a transfer outside the EU names its safeguard",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],"
	 " \"transfers\": [{\"country\": \"US\", \"recipient\": \"Mailer Inc.\"}],",
	 "{\"until\": \"objection\"}", 0, "\"safeguard\" is required"},
	{"a transfer with its safeguard",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],"
	 " \"transfers\": [{\"country\": \"US\", \"recipient\": \"Mailer Inc.\", \"safeguard\": \"SCC 2021/914\"}],",
	 "{\"until\": \"objection\"}", 1, NULL},
	{"001 §10; 004 §4.5: retention is required",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],",
	 NULL, 0, "\"retention\" is required"},
	{"retention: a period needs its starting event",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],",
	 "{\"period\": \"P5Y\"}", 0, "give \"period\""},
	{"retention: an unknown event is refused",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],",
	 "{\"period\": \"P5Y\", \"from\": \"birthday\"}", 0, "unknown \"from\" event"},
	{"retention: a malformed period is refused",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],",
	 "{\"period\": \"5 years\", \"from\": \"collection\"}", 0, "ISO 8601 period"},
	{"retention: a zero period is refused",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],",
	 "{\"period\": \"P0D\", \"from\": \"collection\"}", 0, "ISO 8601 period"},
	{"retention: until and period together are refused",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [],",
	 "{\"until\": \"objection\", \"period\": \"P1Y\"}", 0, "not both"},
	{"an unknown key in a purpose is refused",
	 "\"legal_basis\": \"contract\", \"categories\": [\"name\"], \"fields\": [], \"colour\": \"red\",",
	 "{\"until\": \"objection\"}", 0, "unknown key \"colour\""},
	{"a product line must be an identifier",
	 "\"legal_basis\": \"consent\", \"categories\": [\"name\"], \"fields\": [], \"product_line\": \"Bread & Butter\",",
	 "{\"until\": \"objection\"}", 0, "product_line"},
	{"profiling must be a boolean",
	 "\"legal_basis\": \"consent\", \"categories\": [\"name\"], \"fields\": [], \"profiling\": \"yes\",",
	 "{\"until\": \"objection\"}", 0, "true or false"},
};

static void test_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char doc[4096];
		struct sargs_registry *r = NULL;
		struct sargs_err err;
		enum sargs_rc rc;
		const char *ret = rows[i].retention;
		int n;

		if (ret == NULL) {
			/* drop the retention key entirely */
			n = snprintf(doc, sizeof(doc), BASE_FMT, rows[i].purpose_keys, "0");
			assert_true(n > 0 && (size_t)n < sizeof(doc));
			{
				char *p = strstr(doc, ",  \"retention\": 0");

				assert_non_null(p);
				memmove(p, p + strlen(",  \"retention\": 0"),
					strlen(p + strlen(",  \"retention\": 0")) + 1);
			}
		} else {
			n = snprintf(doc, sizeof(doc), BASE_FMT, rows[i].purpose_keys, ret);
			assert_true(n > 0 && (size_t)n < sizeof(doc));
		}
		sargs_err_clear(&err);
		rc = sargs_registry_parse(doc, strlen(doc), &r, &err);
		if (rows[i].valid) {
			if (rc != SARGS_OK)
				fail_msg("row %zu (%s): refused: %s", i, rows[i].rule, err.msg);
			assert_non_null(r);
			sargs_registry_free(r);
		} else {
			if (rc == SARGS_OK)
				fail_msg("row %zu (%s): accepted but must be refused", i, rows[i].rule);
			assert_int_equal(rc, SARGS_E_INVALID);
			assert_null(r);
			if (strstr(err.msg, rows[i].message) == NULL)
				fail_msg("row %zu (%s): message \"%s\" lacks \"%s\"", i, rows[i].rule,
					 err.msg, rows[i].message);
			/* the message says where in the file */
			if (strstr(err.msg, "purposes[0]") == NULL)
				fail_msg("row %zu (%s): message \"%s\" does not say where", i,
					 rows[i].rule, err.msg);
		}
	}
}

static void test_top_level(void **state)
{
	static const struct {
		const char *doc;
		const char *message;
	} bad[] = {
		{"", "not valid JSON"},
		{"[1,2]", "must be a JSON object"},
		{"{\"fields\": [], \"purposes\": []}", "\"sargs_registry\": 1 is required"},
		{"{\"sargs_registry\": 2, \"fields\": [], \"purposes\": []}", "\"sargs_registry\": 1"},
		{"{\"sargs_registry\": 1, \"fields\": [], \"purposes\": [], \"extra\": 1}", "unknown key \"extra\""},
		{"{\"sargs_registry\": 1, \"fields\": [], \"purposes\": []}", "at least one purpose"},
		{"{\"sargs_registry\": 1, \"sargs_registry\": 1}", "not valid JSON"},
		{"{\"sargs_registry\": 1, \"fields\": [{\"name\": \"Email\", \"category\": \"contact\"}], \"purposes\": []}",
		 "lower-case letters"},
		{"{\"sargs_registry\": 1, \"fields\": [{\"name\": \"e\", \"category\": \"nope\"}], \"purposes\": []}",
		 "unknown category \"nope\""},
		{"{\"sargs_registry\": 1, \"fields\": [{\"name\": \"e\", \"category\": \"contact\", \"type\": \"iban\"}], \"purposes\": []}",
		 "unknown type \"iban\""},
		{"{\"sargs_registry\": 1, \"fields\": [{\"name\": \"e\", \"category\": \"contact\"}, {\"name\": \"e\", \"category\": \"contact\"}], \"purposes\": []}",
		 "defined twice"},
		{"{\"sargs_registry\": 1, \"categories\": [{\"id\": \"contact\", \"name\": \"x\"}], \"fields\": [], \"purposes\": []}",
		 "defined twice (or is built in)"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sargs_registry *r = NULL;
		struct sargs_err err;

		sargs_err_clear(&err);
		assert_int_equal(sargs_registry_parse(bad[i].doc, strlen(bad[i].doc), &r, &err),
				 SARGS_E_INVALID);
		assert_null(r);
		if (strstr(err.msg, bad[i].message) == NULL)
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg, bad[i].message);
	}
}

static void test_example_and_lookups(void **state)
{
	struct sargs_registry *r = NULL, *again = NULL;
	struct sargs_err err;
	const struct sargs_purpose *p;
	char *doc = test_read_example();
	char text[160];

	(void)state;
	assert_int_equal(sargs_registry_parse(doc, strlen(doc), &r, &err), SARGS_OK);
	assert_int_equal(r->n_purposes, 7);
	p = sargs_registry_purpose(r, "customer_offers");
	assert_non_null(p);
	assert_true(p->marketing.enabled);
	assert_true(p->marketing.soft_opt_in);
	assert_int_equal(p->marketing.channels, SARGS_CH_EMAIL | SARGS_CH_POST);
	assert_string_equal(p->product_line, "signs");
	assert_true(sargs_registry_purpose(r, "newsletter")->online_service);
	assert_false(sargs_registry_purpose(r, "service")->marketing.enabled);
	p = sargs_registry_purpose(r, "newsletter");
	assert_non_null(p);
	assert_int_equal(p->basis, SARGS_BASIS_CONSENT);
	assert_string_equal(sargs_basis_dpv(p->basis), "dpv:Consent");
	assert_string_equal(sargs_basis_article(p->basis), "GDPR Art. 6(1)(a)");
	assert_true(p->retention.until_objection);
	assert_string_equal(p->product_line, "signs");
	assert_true(sargs_purpose_covers(p, "contact"));
	assert_false(sargs_purpose_covers(p, "bank_account"));
	assert_non_null(sargs_purpose_field(p, "birth_date"));
	assert_false(sargs_purpose_field(p, "birth_date")->required);
	assert_non_null(sargs_purpose_field(p, "birth_date")->why);
	p = sargs_registry_purpose(r, "accounting");
	assert_int_equal(p->retention.years, 5);
	assert_int_equal(p->retention.from, SARGS_RET_CONTRACT_END);
	sargs_retention_describe(&p->retention, text, sizeof(text));
	assert_string_equal(text, "5 years from the end of the contract");
	assert_null(sargs_registry_purpose(r, "marketing"));
	assert_non_null(sargs_registry_category(r, "birthday"));
	assert_true(sargs_registry_category(r, "birthday")->custom);
	assert_int_equal(sargs_registry_field(r, "email")->type, SARGS_FT_EMAIL);
	/* the canonical form parses to itself */
	assert_int_equal(sargs_registry_parse(r->canonical, strlen(r->canonical), &again, &err),
			 SARGS_OK);
	assert_string_equal(r->canonical, again->canonical);
	sargs_registry_free(again);
	sargs_registry_free(r);
	free(doc);
}

static void test_idents(void **state)
{
	(void)state;
	assert_true(sargs_ident_valid("a"));
	assert_true(sargs_ident_valid("web_shop2"));
	assert_false(sargs_ident_valid(""));
	assert_false(sargs_ident_valid("_source"));
	assert_false(sargs_ident_valid("2fa"));
	assert_false(sargs_ident_valid("Web"));
	assert_false(sargs_ident_valid("a-b"));
	assert_true(sargs_ident_valid("abcdefghijabcdefghijabcdefghijabcdefghijabcdefgh"));  /* 48 */
	assert_false(sargs_ident_valid("abcdefghijabcdefghijabcdefghijabcdefghijabcdefghi")); /* 49 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_top_level),
		cmocka_unit_test(test_example_and_lookups),
		cmocka_unit_test(test_idents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
