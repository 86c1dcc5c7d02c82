/* Unit tests of the coded statistical attributes (rs_attr.h): every code has a label in
 * both languages, optional fields are optional, and a bad code is refused with a clear
 * message in Japanese and English that quotes it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "rs_attr.h"
#include "rs_error.h"
#include "rs_msg.h"

static void test_every_code_has_labels(void **state)
{
	(void)state;
	static const char *const prefix[RS_ATTR_N] = { "attr.prefecture.", "attr.occupation.", "attr.industry.",
	                                                "attr.employer." };
	static const size_t want[RS_ATTR_N] = { 47, 15, 20, 6 };
	for (int k = 0; k < RS_ATTR_N; k++) {
		size_t n = 0;
		const char *const *codes = rs_attr_codes((enum rs_attr_kind)k, &n);
		assert_int_equal(n, want[k]);
		for (size_t i = 0; i < n; i++) {
			char id[64];
			snprintf(id, sizeof id, "%s%s", prefix[k], codes[i]);
			for (char *c = id + strlen(prefix[k]); *c; c++) /* ids are lower case: attr.industry.g */
				*c = (char)tolower((unsigned char)*c);
			assert_non_null(rs_msg_text(id, 0));
			assert_non_null(rs_msg_text(id, 1));
			assert_true(rs_attr_valid((enum rs_attr_kind)k, codes[i]));
		}
	}
	assert_string_equal(rs_msg_text("attr.prefecture.13", 0), "東京都");
	assert_string_equal(rs_msg_text("attr.industry.g", 1), "Information and communications");
}

static void test_optional(void **state)
{
	(void)state;
	struct rs_attrs a;
	json_t *in = json_pack("{s:s, s:n, s:s}", "name", "x", "occupation", "industry", "");
	assert_int_equal(rs_attrs_from_json(&a, in), 0);
	for (int k = 0; k < RS_ATTR_N; k++)
		assert_null(a.v[k]);
	assert_int_equal(rs_attrs_from_json(&a, NULL), 0);
	json_decref(in);
	in = json_pack("{s:s, s:s, s:s, s:s}", "prefecture", "47", "occupation", "it_security", "industry", "G",
	               "employer_type", "self_employed");
	assert_int_equal(rs_attrs_from_json(&a, in), 0);
	assert_string_equal(a.v[RS_ATTR_PREFECTURE], "47");
	assert_string_equal(a.v[RS_ATTR_EMPLOYER_TYPE], "self_employed");
	json_t *o = json_object();
	assert_int_equal(rs_attrs_to_json(o, &a), 0);
	assert_string_equal(json_string_value(json_object_get(o, "industry")), "G");
	json_decref(o);
	json_decref(in);
}

static void test_refused(void **state)
{
	(void)state;
	static const struct { const char *field, *value, *id; } bad[] = {
		{ "prefecture", "48", "attr.invalid_prefecture" }, { "prefecture", "1", "attr.invalid_prefecture" },
		{ "prefecture", "00", "attr.invalid_prefecture" }, { "industry", "U", "attr.invalid_industry" },
		{ "industry", "g", "attr.invalid_industry" }, { "occupation", "hacker", "attr.invalid_occupation" },
		{ "employer_type", "PRIVATE", "attr.invalid_employer_type" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct rs_attrs a = { { "untouched" } };
		json_t *in = json_pack("{s:s}", bad[i].field, bad[i].value);
		rs_error_clear();
		assert_int_equal(rs_attrs_from_json(&a, in), RS_EINVAL);
		assert_string_equal(a.v[0], "untouched");
		assert_string_equal(rs_error_last_id(), bad[i].id);
		char ja[256], en[256];
		rs_error_last_text(ja, sizeof ja, 0);
		rs_error_last_text(en, sizeof en, 1);
		assert_non_null(strstr(ja, bad[i].value));
		assert_non_null(strstr(en, bad[i].value));
		assert_string_not_equal(ja, en);
		json_decref(in);
	}
	/* A number where a code is wanted names the field. */
	struct rs_attrs a;
	json_t *in = json_pack("{s:i}", "prefecture", 13);
	assert_int_equal(rs_attrs_from_json(&a, in), RS_EINVAL);
	assert_string_equal(rs_error_last_id(), "json.field_want_string");
	json_decref(in);
	/* A long value is quoted shortened, never cut inside a character. */
	assert_int_equal(rs_attr_check(RS_ATTR_OCCUPATION, "情報処理安全確保支援士情報処理安全確保支援士"), RS_EINVAL);
	char ja[256];
	rs_error_last_text(ja, sizeof ja, 0);
	assert_non_null(strstr(ja, "「情報処理安全確保」"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_has_labels),
		cmocka_unit_test(test_optional),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
