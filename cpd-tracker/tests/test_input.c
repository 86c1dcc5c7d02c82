/* Unit tests of the completion record readers: the CSV upload (header in any order, BOM,
 * CRLF, quoting, every bad row with its line and column, duplicates) and the JSON batch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpd.h"
#include "rs_error.h"

static void test_csv_good_with_bom_crlf_quotes_and_column_order(void **state)
{
	(void)state;
	const char *csv = "\xEF\xBB\xBF" "hours,completed_on,course_code,regno,provider_record_id\r\n"
	                  "1.5,2026-05-01,ONL-2026,000001,\"a,\"\"b\"\"\"\r\n"
	                  "\r\n"
	                  "2,2026-05-02,ONL-2026,000002,r2\r\n";
	struct cpd_batch b;
	assert_int_equal(cpd_batch_from_csv(&b, csv, strlen(csv)), 0);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.nprob, 0);
	assert_string_equal(b.rec[0].provider_record_id, "a,\"b\"");
	assert_string_equal(b.rec[0].regno, "000001");
	assert_int_equal(b.rec[0].hours10, 15);
	assert_int_equal(b.rec[1].line, 4); /* the blank line counts */
	assert_int_equal(b.rec[1].completed_on.d, 2);
	cpd_batch_free(&b);
}

static void test_csv_every_bad_row_named(void **state)
{
	(void)state;
	const char *csv = "provider_record_id,regno,course_code,completed_on,hours,correction\n"
	                  "r1,000001,ONL,2026-02-29,1,\n"          /* not a date */
	                  "r2,12345,ONL,2026-01-01,0,maybe\n"      /* regno, hours, correction */
	                  "r3,000003,ONL,2026-01-01,1\n"           /* one column short */
	                  "r4,000004,ONL,2026-01-01,1,true\n"      /* good */
	                  "r4,000004,ONL,2026-01-02,1,true\n";     /* same id, other content */
	struct cpd_batch b;
	assert_int_equal(cpd_batch_from_csv(&b, csv, strlen(csv)), 0);
	assert_int_equal(b.n, 5);
	const char *want[][2] = { { "2", "completed_on" }, { "3", "regno" }, { "3", "hours" }, { "3", "correction" },
	                          { "4", "line" }, { "6", "provider_record_id" } };
	assert_int_equal(b.nprob, 6);
	for (size_t i = 0; i < 6; i++) {
		char line[8];
		snprintf(line, sizeof line, "%zu", b.prob[i].line);
		assert_string_equal(line, want[i][0]);
		assert_string_equal(b.prob[i].field, want[i][1]);
	}
	assert_false(b.bad[3]);
	assert_true(b.rec[3].correction);
	cpd_batch_free(&b);
}

static void test_csv_refused_as_a_whole(void **state)
{
	(void)state;
	struct cpd_batch b;
	assert_int_equal(cpd_batch_from_csv(&b, "", 0), RS_EINVAL);
	assert_int_equal(cpd_batch_from_csv(&b, "provider_record_id,regno\n1,000001\n", 35), RS_EINVAL);
	assert_string_equal(rs_error_last_id(), "cpd.csv.column_missing");
	const char *hdr = "provider_record_id,regno,course_code,completed_on,hours,colour\n";
	assert_int_equal(cpd_batch_from_csv(&b, hdr, strlen(hdr)), RS_EINVAL);
	assert_non_null(strstr(rs_error_last(), "colour"));
	assert_int_equal(cpd_batch_from_csv(&b, "provider_record_id,regno,course_code,completed_on,hours\n", 56), RS_EINVAL);
	assert_int_equal(cpd_batch_from_csv(&b, "\xff\xfe", 2), RS_EINVAL);
}

static void test_json_batch(void **state)
{
	(void)state;
	json_t *body = json_loads("{\"records\": [{\"provider_record_id\": \"r1\", \"regno\": \"000001\", \"course_code\": \"C\","
	                          " \"completed_on\": \"2026-05-01\", \"hours\": 2.5, \"correction\": true},"
	                          " {\"provider_record_id\": \"r2\", \"regno\": 1, \"course_code\": \"C\", \"completed_on\": \"x\","
	                          " \"hours\": 0.04}, 7]}", 0, NULL);
	assert_non_null(body);
	struct cpd_batch b;
	assert_int_equal(cpd_batch_from_json(&b, body), 0);
	assert_int_equal(b.n, 3);
	assert_false(b.bad[0]);
	assert_int_equal(b.rec[0].hours10, 25);
	assert_true(b.rec[0].correction);
	assert_true(b.bad[1]);
	assert_true(b.bad[2]);
	assert_int_equal(b.nprob, 4); /* regno not a string, date, hours; record 3 not an object */
	assert_string_equal(b.prob[0].field, "regno");
	assert_string_equal(b.prob[3].msg, "cpd.record.not_object");
	cpd_batch_free(&b);
	json_decref(body);
	body = json_pack("{s:[]}", "records");
	assert_int_equal(cpd_batch_from_json(&b, body), RS_EINVAL);
	assert_string_equal(rs_error_last_id(), "cpd.batch.size");
	json_decref(body);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_good_with_bom_crlf_quotes_and_column_order),
		cmocka_unit_test(test_csv_every_bad_row_named),
		cmocka_unit_test(test_csv_refused_as_a_whole),
		cmocka_unit_test(test_json_batch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
