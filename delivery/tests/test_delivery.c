/* delivery unit tests: an exam package (the fuzz corpus's short SG form) becomes the delivered
 * exam and a simulated sitting runs to a result with keys only on the server; CSV booking
 * files report every bad row; the rate limit bites. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "dlv_int.h"
#include "ib_package.h"
#include "rs_error.h"
#include "rs_util.h"

#include <stdlib.h>
#include <string.h>

/* The delivered exam of a verified package file (what dlv_exam_for builds from bank.packages). */
static struct dlv_exam *package_exam(const char *name)
{
	char path[4096], *doc = NULL, hex[65];
	size_t len = 0;
	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/ib_package/%s", RS_SOURCE_ROOT, name);
	assert_int_equal(rs_read_file(&doc, &len, path, 1u << 24), 0);
	ib_package_sha256_hex(hex, doc, len);
	struct ib_package *pkg = NULL;
	if (ib_package_parse(&pkg, doc, len, hex) != 0)
		fail_msg("package: %s", rs_error_last());
	free(doc);
	struct dlv_exam *ex = NULL;
	assert_int_equal(dlv_exam_from_package(&ex, pkg), 0);
	return ex;
}

static void test_exam_loads_and_views_hide_keys(void **state)
{
	(void)state;
	struct dlv_exam *ex = package_exam("short-exam.json");
	assert_int_equal(dlv_exam_items(ex), 15);
	assert_int_equal(dlv_exam_time_limit(ex), 1200);
	assert_string_equal(dlv_exam_code(ex), "SG");
	assert_int_equal(strlen(ex->package_sha256), 64);
	/* No candidate view carries a key or a rationale. */
	for (size_t i = 0; i < ex->n; i++) {
		assert_null(json_object_get(ex->content[i].view, "key"));
		assert_null(json_object_get(ex->content[i].view, "rationale"));
		assert_int_equal(json_array_size(json_object_get(ex->content[i].view, "options")), 4);
		const char *part = json_string_value(json_object_get(ex->content[i].view, "part"));
		/* Part-B items carry their scenario passage. */
		if (strcmp(part, "B") == 0)
			assert_non_null(json_object_get(ex->content[i].view, "scenario"));
	}
	/* A sitting by a strong candidate (always right) passes; always wrong fails. */
	for (int strong = 0; strong < 2; strong++) {
		struct cat_session *s = NULL;
		assert_int_equal(cat_session_new(&s, ex->eng, 42), 0);
		size_t item;
		uint32_t t = 0;
		while (!cat_session_done(s)) {
			assert_int_equal(cat_session_next(s, &item), 0);
			int key = dlv_exam_key_for_tests(ex, ex->bank->items[item].id);
			assert_true(key >= 0 && key <= 3);
			assert_int_equal(cat_session_answer(s, item, strong ? 1 : 0, t += 30), 0);
		}
		struct cat_result res;
		assert_int_equal(cat_session_result(s, &res), 0);
		assert_int_equal(res.pass, strong);
		cat_session_free(s);
	}
	dlv_exam_free(ex);
}

/* A sitting or window without a package is refused with its own slug and catalogue text,
 * before any database work (there is no file to fall back on). */
static void test_no_package_refused(void **state)
{
	(void)state;
	const struct dlv_exam *ex = NULL;
	assert_int_equal(dlv_exam_package(&ex, NULL, 0), RS_ESTATE);
	assert_null(ex);
	assert_string_equal(dlv_slug_last(), "no-package");
	assert_string_equal(rs_error_last_id(), "packages.sitting_none");
}

static void test_csv_reports_every_bad_row(void **state)
{
	(void)state;
	const char *hdr = "name_kanji,name_kana,name_romaji,birth_date,email,phone,centre,window,sit_on,starts_at,"
	                  "extra_minutes,large_text,high_contrast\n";
	char buf[2048];
	snprintf(buf, sizeof buf, "%s"
		"山田 太郎,ヤマダ タロウ,Yamada Taro,1990-04-01,taro@example.jp,03-1234-5678,TC-TOKYO-01,2026 spring,2026-04-10,09:30,0,false,false\n"
		"\"佐藤, 花子\",サトウ ハナコ,Sato Hanako,1991-02-30,hanako-at-example.jp,,TC-TOKYO-01,2026 spring,2026-04-10,25:00,0,no,yes\n"
		"鈴木,スズキ,Suzuki,1985-01-01,s@example.jp,,TC-TOKYO-01,2026 spring,2026-04-10,10:00,300,maybe,false\n"
		"短い,行\n", hdr);
	json_t *rows = NULL, *errors = NULL;
	assert_int_equal(dlv_csv_bookings_parse(&rows, &errors, buf, strlen(buf)), 0);
	assert_int_equal(json_array_size(rows), 1);
	/* line 3: birth_date, email, starts_at; line 4: extra_minutes, large_text; line 5: row. */
	assert_int_equal(json_array_size(errors), 6);
	int lines[6] = { 3, 3, 3, 4, 4, 5 };
	for (int i = 0; i < 6; i++)
		assert_int_equal(json_integer_value(json_object_get(json_array_get(errors, (size_t)i), "line")), lines[i]);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "name_romaji")), "Yamada Taro");
	/* Each problem names its catalogue entry (the reader's language is the HTTP layer's),
	 * with the English text for logs and API clients that never ask for Japanese. */
	json_t *e0 = json_array_get(errors, 0), *e5 = json_array_get(errors, 5);
	assert_string_equal(json_string_value(json_object_get(e0, "field")), "birth_date");
	assert_string_equal(json_string_value(json_object_get(e0, "message_id")), "csv.not_date");
	assert_string_equal(json_string_value(json_object_get(e0, "message")), "not a date (YYYY-MM-DD)");
	assert_string_equal(json_string_value(json_object_get(e5, "message_id")), "csv.field_count");
	assert_string_equal(json_string_value(json_array_get(json_object_get(e5, "args"), 1)), "2");
	assert_string_equal(json_string_value(json_object_get(e5, "message")), "expected 13 fields, found 2");
	json_decref(rows);
	json_decref(errors);

	/* A wrong header is one clear error. */
	assert_int_equal(dlv_csv_bookings_parse(&rows, &errors, "a,b\n1,2\n", 8), RS_EPARSE);
	assert_int_equal(json_array_size(errors), 1);
	json_decref(rows);
	json_decref(errors);
	/* An unclosed quote does not crash. */
	snprintf(buf, sizeof buf, "%s\"open,", hdr);
	assert_int_equal(dlv_csv_bookings_parse(&rows, &errors, buf, strlen(buf)), 0);
	assert_int_equal(json_array_size(errors), 1);
	json_decref(rows);
	json_decref(errors);
}

static void test_rate_limit(void **state)
{
	(void)state;
	int refused = 0;
	for (int i = 0; i < 400; i++)
		if (dlv_rate_check(987654321) != 0)
			refused++;
	assert_true(refused >= 250); /* burst of 100, then about 20 per second */
	assert_string_equal(dlv_slug_last(), "rate-limited");
	assert_int_equal(dlv_rate_check(123456789), 0); /* another session is not affected */
}

static void test_caches(void **state)
{
	(void)state;
	struct dlv_exam *ex = package_exam("short-exam.json");
	/* The engine cache hands back a session only at the stored count, with its meta
	 * (engine clock of the last answer, accommodations, candidate): the answer path writes
	 * the next response from them without reading the booking. */
	struct cat_session *s = NULL;
	assert_int_equal(cat_session_new(&s, ex->eng, 7), 0);
	struct dlv_cmeta m = { .last_engine_s = 95, .large_text = true, .high_contrast = false, .candidate = 4242 }, got;
	memset(&got, 0, sizeof got);
	dlv_cache_put(555001, s, 3, &m);
	assert_null(dlv_cache_take(&got, 555001, 4));    /* another count: a stale entry is dropped */
	assert_null(dlv_cache_take(&got, 555001, 3));    /* ...and gone */
	assert_int_equal(cat_session_new(&s, ex->eng, 7), 0);
	dlv_cache_put(555001, s, 3, &m);
	struct cat_session *t = dlv_cache_take(&got, 555001, 3);
	assert_ptr_equal(t, s);
	assert_int_equal(got.last_engine_s, 95);
	assert_true(got.large_text);
	assert_false(got.high_contrast);
	assert_int_equal(got.candidate, 4242);
	cat_session_free(t);
	dlv_exam_free(ex);

	/* Two sign-ins whose hashes fall in the same set are both kept (no sign-in query per
	 * request for either); a token shown from another workstation is not taken from it. */
	char th1[67] = "\\x0000000000000001", th2[67] = "\\x0000000000008001", wh[67] = "\\xaa";
	dlv_auth_cache_put(th1, wh, 101);
	dlv_auth_cache_put(th2, wh, 102);
	assert_int_equal(dlv_auth_cache_get(th1, wh), 101);
	assert_int_equal(dlv_auth_cache_get(th2, wh), 102);
	assert_int_equal(dlv_auth_cache_get(th1, "\\xbb"), 0);
	dlv_auth_cache_drop(th1);
	assert_int_equal(dlv_auth_cache_get(th1, wh), 0);
	assert_int_equal(dlv_auth_cache_get(th2, wh), 102);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exam_loads_and_views_hide_keys),
		cmocka_unit_test(test_no_package_refused),
		cmocka_unit_test(test_csv_reports_every_bad_row),
		cmocka_unit_test(test_rate_limit),
		cmocka_unit_test(test_caches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
