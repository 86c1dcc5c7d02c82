/* Unit tests of the continuing-training rules: windows, overdue duties, renewal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cpd.h"
#include "rs_error.h"

static struct cpd_date D(const char *s)
{
	struct cpd_date d;
	assert_int_equal(cpd_date_parse(&d, s), 0);
	return d;
}

static void test_windows_of_an_april_registration(void **state)
{
	(void)state;
	struct cpd_status s;
	assert_int_equal(cpd_status_compute(&s, D("2024-04-01"), NULL, 0, D("2024-05-10")), 0);
	assert_int_equal(s.validity_end.y, 2027);
	assert_int_equal(s.validity_end.m, 3);
	assert_int_equal(s.validity_end.d, 31);
	/* Year 1 online course: 2024-04-01 .. 2025-03-31; year 2 from 2025-04-01. */
	assert_int_equal(cpd_date_days(s.duties[0].due), cpd_date_days(D("2025-03-31")));
	assert_int_equal(cpd_date_days(s.duties[1].from), cpd_date_days(D("2025-04-01")));
	assert_int_equal(s.open, 4);
	assert_false(s.renewable);
}

static void test_complete_cycle_is_renewable(void **state)
{
	(void)state;
	struct cpd_completion c[] = {
		{ CPD_ONLINE, D("2023-12-01") }, { CPD_ONLINE, D("2024-10-15") },
		{ CPD_PRACTICAL, D("2025-01-20") }, { CPD_ONLINE, D("2025-11-30") },
	};
	struct cpd_status s;
	assert_int_equal(cpd_status_compute(&s, D("2023-10-01"), c, 4, D("2026-08-01")), 0);
	assert_int_equal(s.done, 4);
	assert_true(s.renewable);
}

static void test_missed_year_is_overdue_and_blocks_renewal(void **state)
{
	(void)state;
	/* Two online courses in year 1 do not cover year 2. */
	struct cpd_completion c[] = {
		{ CPD_ONLINE, D("2024-05-01") }, { CPD_ONLINE, D("2025-02-01") }, { CPD_PRACTICAL, D("2024-09-09") },
	};
	struct cpd_status s;
	assert_int_equal(cpd_status_compute(&s, D("2024-04-01"), c, 3, D("2026-04-02")), 0);
	assert_int_equal(s.duties[0].state, CPD_DONE);
	assert_int_equal(s.duties[1].state, CPD_OVERDUE);
	assert_int_equal(s.duties[2].state, CPD_OPEN);
	assert_int_equal(s.duties[3].state, CPD_DONE);
	assert_int_equal(s.overdue, 1);
	assert_false(s.renewable);
}

static void test_future_and_outside_completions_do_not_count(void **state)
{
	(void)state;
	struct cpd_completion c[] = { { CPD_ONLINE, D("2024-03-31") }, { CPD_PRACTICAL, D("2030-01-01") } };
	struct cpd_status s;
	assert_int_equal(cpd_status_compute(&s, D("2024-04-01"), c, 2, D("2024-06-01")), 0);
	assert_int_equal(s.done, 0);
}

static void test_bad_dates(void **state)
{
	(void)state;
	struct cpd_date d;
	assert_int_equal(cpd_date_parse(&d, "2025-02-29"), RS_EINVAL);
	assert_int_equal(cpd_date_parse(&d, "2024-02-29"), 0);
	assert_int_equal(cpd_date_parse(&d, "2024-4-01"), RS_EINVAL);
	assert_int_equal(cpd_date_parse(&d, "2024-04-01x"), RS_EINVAL);
	struct cpd_status s;
	assert_int_equal(cpd_status_compute(&s, D("2024-05-01"), NULL, 0, D("2024-06-01")), RS_EINVAL);
	assert_non_null(rs_error_last());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_windows_of_an_april_registration),
		cmocka_unit_test(test_complete_cycle_is_renewable),
		cmocka_unit_test(test_missed_year_is_overdue_and_blocks_renewal),
		cmocka_unit_test(test_future_and_outside_completions_do_not_count),
		cmocka_unit_test(test_bad_dates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
