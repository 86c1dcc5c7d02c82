/* Unit tests of the register's date rules and workflow decisions: the next registration
 * date (1 April / 1 October), the 3-year validity and its end as a credential exp, "today"
 * in Japan, the renewal window, lapse, and the card colour by renewal count. Expected
 * values are worked out by hand from the rules (and timegm for instants). */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "reg_register.h"
#include "reg_workflow.h"
#include "rs_error.h"

static int64_t utc(int y, int mo, int d, int h, int mi, int s)
{
	struct tm t = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s };
	return (int64_t)timegm(&t);
}

static void test_next_registration_date(void **state)
{
	(void)state;
	static const char *cases[][2] = {
		{ "2026-01-15", "2026-04-01" }, { "2026-03-31", "2026-04-01" }, { "2026-04-01", "2026-04-01" },
		{ "2026-04-02", "2026-10-01" }, { "2026-09-30", "2026-10-01" }, { "2026-10-01", "2026-10-01" },
		{ "2026-10-02", "2027-04-01" }, { "2026-12-31", "2027-04-01" }, { "2028-02-29", "2028-04-01" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char out[11];
		assert_int_equal(reg_next_reg_date(out, cases[i][0]), 0);
		assert_string_equal(out, cases[i][1]);
		assert_true(reg_is_reg_date(out));
	}
	char out[11];
	assert_int_equal(reg_next_reg_date(out, "2026-02-30"), RS_EINVAL);
	assert_int_equal(reg_next_reg_date(out, "2026-4-1"), RS_EINVAL);
	assert_int_equal(reg_next_reg_date(out, ""), RS_EINVAL);
	assert_false(reg_is_reg_date("2026-04-02"));
	assert_false(reg_is_reg_date("2026-01-01"));
}

static void test_validity_end_and_exp(void **state)
{
	(void)state;
	char out[11];
	assert_int_equal(reg_validity_end(out, "2026-04-01"), 0);
	assert_string_equal(out, "2029-03-31");
	assert_int_equal(reg_validity_end(out, "2026-10-01"), 0);
	assert_string_equal(out, "2029-09-30");
	assert_int_equal(reg_validity_end(out, "2025-04-01"), 0); /* across the 2028 leap day */
	assert_string_equal(out, "2028-03-31");
	/* The credential is good to the end of the last day in Japan: 00:00 JST next day. */
	int64_t exp = 0;
	assert_int_equal(reg_validity_exp(&exp, "2029-03-31"), 0);
	assert_int_equal(exp, utc(2029, 3, 31, 15, 0, 0));
	assert_int_equal(reg_validity_exp(&exp, "31-03-2029"), RS_EINVAL);
}

static void test_bar_civil_code(void **state)
{
	(void)state;
	/* cancelled on, first day a new registration is allowed (Civil Code art. 140/143) */
	static const char *const pairs[][2] = {
		{ "2025-06-15", "2027-06-16" }, { "2024-02-28", "2026-03-01" }, { "2024-02-29", "2026-03-01" },
		{ "2028-02-28", "2030-03-01" }, { "2027-02-27", "2029-02-28" }, { "2025-12-31", "2028-01-01" },
		{ "2026-02-28", "2028-03-01" }, { "2027-02-28", "2029-03-01" }, { "2026-12-02", "2028-12-03" },
	};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		char got[11];
		assert_int_equal(reg_bar_allowed_from(got, pairs[i][0]), 0);
		if (strcmp(got, pairs[i][1]) != 0)
			fail_msg("cancelled %s: may register from %s, want %s", pairs[i][0], got, pairs[i][1]);
	}
	char out[11];
	assert_int_equal(reg_bar_allowed_from(out, "2026-02-29"), RS_EINVAL);
}

static void test_today_in_japan(void **state)
{
	(void)state;
	char d[11];
	reg_today_jst(d, utc(2026, 3, 31, 14, 59, 59));
	assert_string_equal(d, "2026-03-31");
	reg_today_jst(d, utc(2026, 3, 31, 15, 0, 0)); /* midnight in Tokyo */
	assert_string_equal(d, "2026-04-01");
	reg_today_jst(d, utc(2027, 12, 31, 20, 0, 0));
	assert_string_equal(d, "2028-01-01");
}

static void test_renewal_window(void **state)
{
	(void)state;
	char from[11], until[11];
	/* Active, valid until 2029-03-31: renewable from 2028-03-31, no gap. */
	assert_int_equal(reg_renewal_period(from, until, REG_ST_ACTIVE, "2029-03-31", "2028-03-30"), RS_ESTATE);
	assert_int_equal(reg_renewal_period(from, until, REG_ST_ACTIVE, "2029-03-31", "2028-03-31"), 0);
	assert_string_equal(from, "2029-04-01");
	assert_string_equal(until, "2032-03-31");
	assert_int_equal(reg_renewal_period(from, until, REG_ST_ACTIVE, "2029-09-30", "2029-09-30"), 0);
	assert_string_equal(from, "2029-10-01");
	assert_string_equal(until, "2032-09-30");
	/* Lapsed: a year of grace; the new validity starts at the next registration date. */
	assert_int_equal(reg_renewal_period(from, until, REG_ST_LAPSED, "2029-03-31", "2029-05-10"), 0);
	assert_string_equal(from, "2029-10-01");
	assert_string_equal(until, "2032-09-30");
	assert_int_equal(reg_renewal_period(from, until, REG_ST_LAPSED, "2029-03-31", "2030-03-31"), 0);
	assert_string_equal(from, "2030-04-01");
	assert_int_equal(reg_renewal_period(from, until, REG_ST_LAPSED, "2029-03-31", "2030-04-01"), RS_ESTATE);
	/* Suspended, cancelled, deregistered: never. */
	assert_int_equal(reg_renewal_period(from, until, REG_ST_SUSPENDED, "2029-03-31", "2028-12-01"), RS_ESTATE);
	assert_int_equal(reg_renewal_period(from, until, REG_ST_CANCELLED, "2029-03-31", "2028-12-01"), RS_ESTATE);
	assert_int_equal(reg_renewal_period(from, until, REG_ST_DEREGISTERED, "2029-03-31", "2028-12-01"), RS_ESTATE);
	assert_int_equal(reg_renewal_period(from, until, REG_ST_ACTIVE, "2029-3-31", "2028-12-01"), RS_EINVAL);
}

static void test_lapse(void **state)
{
	(void)state;
	assert_false(reg_lapse_is_due(REG_ST_ACTIVE, "2029-03-31", "2029-03-31")); /* last day still valid */
	assert_true(reg_lapse_is_due(REG_ST_ACTIVE, "2029-03-31", "2029-04-01"));
	assert_true(reg_lapse_is_due(REG_ST_SUSPENDED, "2029-03-31", "2030-01-01"));
	assert_false(reg_lapse_is_due(REG_ST_LAPSED, "2029-03-31", "2030-01-01"));
	assert_false(reg_lapse_is_due(REG_ST_CANCELLED, "2029-03-31", "2030-01-01"));
	assert_false(reg_lapse_is_due(REG_ST_DEREGISTERED, "2029-03-31", "2030-01-01"));
}

static void test_card_colour(void **state)
{
	(void)state;
	assert_string_equal(reg_card_colour(0), "green");
	assert_string_equal(reg_card_colour(1), "blue");
	assert_string_equal(reg_card_colour(2), "gold");
	assert_string_equal(reg_card_colour(7), "gold");
}

/* In force from the registration date: pending before it; the registrar's actions follow the
 * state (no reinstatement of an active person, nothing but nothing on a cancelled one). */
static void test_effective_status_and_actions(void **state)
{
	(void)state;
	struct reg_registrant r;
	memset(&r, 0, sizeof r);
	strcpy(r.reg_date, "2027-04-01");
	strcpy(r.valid_from, "2027-04-01");
	strcpy(r.valid_until, "2030-03-31");
	r.status = REG_ST_ACTIVE;
	assert_string_equal(reg_status_effective(&r, "2026-12-02"), "pending");
	assert_string_equal(reg_status_effective(&r, "2027-04-01"), "active");
	json_t *a = reg_actions_json(&r, "2027-05-01");
	char *s = json_dumps(a, JSON_COMPACT);
	assert_string_equal(s, "[\"issue\",\"suspend\",\"cancel\",\"deregister\"]");
	free(s);
	json_decref(a);
	r.status = REG_ST_SUSPENDED;
	assert_string_equal(reg_status_effective(&r, "2026-12-02"), "suspended");
	a = reg_actions_json(&r, "2027-05-01");
	s = json_dumps(a, JSON_COMPACT);
	assert_string_equal(s, "[\"reinstate\",\"cancel\",\"deregister\"]");
	free(s);
	json_decref(a);
	r.status = REG_ST_CANCELLED;
	a = reg_actions_json(&r, "2027-05-01");
	assert_int_equal(json_array_size(a), 0);
	json_decref(a);
	r.status = REG_ST_ACTIVE;
	a = reg_actions_json(&r, "2029-06-01"); /* the last year of validity: renewal opens */
	s = json_dumps(a, JSON_COMPACT);
	assert_string_equal(s, "[\"issue\",\"suspend\",\"cancel\",\"deregister\",\"renew\"]");
	free(s);
	json_decref(a);
}

static void test_search_input(void **state)
{
	(void)state;
	struct reg_search_q q;
	/* The text as typed, trimmed (its normalisation is registry.search_key's, in SQL). */
	assert_int_equal(reg_search_parse(&q, " 000123\t", 8), 0);
	assert_string_equal(q.text, "000123");
	assert_int_equal(reg_search_parse(&q, "100%_a\\", 7), 0);
	assert_string_equal(q.text, "100%_a\\");
	assert_int_equal(reg_search_parse(&q, "情報 花子", strlen("情報 花子")), 0);
	assert_string_equal(q.text, "情報 花子");
	/* Invalid UTF-8, control characters, empty and over-long input: one clear refusal. */
	assert_int_equal(reg_search_parse(&q, "\xff\xfe", 2), RS_EINVAL);
	assert_int_equal(reg_search_parse(&q, "\xed\xa0\x80", 3), RS_EINVAL);
	assert_int_equal(reg_search_parse(&q, "a\x01b", 3), RS_EINVAL);
	assert_int_equal(reg_search_parse(&q, "   ", 3), RS_EINVAL);
	char big[REG_SEARCH_Q_MAX + 2];
	memset(big, 'a', sizeof big);
	assert_int_equal(reg_search_parse(&q, big, sizeof big), RS_EINVAL);
	assert_int_equal(reg_search_parse(&q, big, REG_SEARCH_Q_MAX), 0);
	/* A date past the last representable validity is refused, not mangled. */
	char out[11];
	assert_int_equal(reg_next_reg_date(out, "9998-12-31"), RS_EINVAL);
	assert_int_equal(reg_validity_end(out, "9996-04-01"), RS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_registration_date), cmocka_unit_test(test_validity_end_and_exp),
		cmocka_unit_test(test_today_in_japan),         cmocka_unit_test(test_bar_civil_code),
		cmocka_unit_test(test_renewal_window),
		cmocka_unit_test(test_lapse),                  cmocka_unit_test(test_card_colour),
		cmocka_unit_test(test_search_input),
		cmocka_unit_test(test_effective_status_and_actions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
