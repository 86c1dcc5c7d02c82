/* Unit tests of the continuing-training rules, driven by a table of cases: duty windows
 * and deadlines, which completion fills which duty, the standing, what a missed deadline
 * means, and the rule version table (the re-registration bar is the
 * register's: registry/tests/test_reg_rules.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpd.h"
#include "rs_error.h"

static struct cpd_date D(const char *s)
{
	struct cpd_date d;
	assert_int_equal(cpd_date_parse(&d, s), 0);
	return d;
}

/* One completion in a case: kind 'o' online / 'p' practical; fy 0 = the course counts for
 * the fiscal year of the date; agency 1 = the agency's own course; desig = the fiscal year
 * the (practical) course is designated 特定講習 for, 0 none; approved = provider's first day. */
struct tc_credit {
	char kind;
	const char *on;
	int fy, agency, desig;
	const char *approved;
};

struct tc {
	const char *name;
	const struct cpd_rules *rules;   /* NULL = version 1 */
	const char *start, *today;
	struct tc_credit c[6];
	const char *duties;              /* one letter per duty: D done, O open, X overdue, U upcoming */
	enum cpd_state state;
	const char *validity_end, *apply_by;
	unsigned consequences;
};

static const struct cpd_rules rules_two_online = {
	.version = 2, .effective_from = { 2027, 4, 1 }, .cycle_years = 3, .online_per_year = 2,
	.practical_per_cycle = 1, .application_days = 30, .action_days = 60,
};

static const struct tc cases[] = {
	{ "april registration, nothing yet, first weeks", NULL, "2024-04-01", "2024-05-10", { { 0 } },
	  "OUUO", CPD_ON_TRACK, "2027-03-31", "2027-01-30", 0 },
	{ "complete cycle is renewable", NULL, "2023-10-01", "2026-08-01",
	  { { 'o', "2023-12-01" }, { 'o', "2024-10-15" }, { 'p', "2025-01-20", 0, 1 }, { 'o', "2025-11-30" } },
	  "DDDD", CPD_RENEWABLE, "2026-09-30", "2026-08-01", 0 },
	{ "two online in year 1 do not cover year 2", NULL, "2024-04-01", "2026-04-02",
	  { { 'o', "2024-05-01" }, { 'o', "2025-02-01" }, { 'p', "2024-09-09", 0, 1 } },
	  "DXOD", CPD_STATE_OVERDUE, "2027-03-31", "2027-01-30", CPD_BLOCKS_RENEWAL | CPD_MAY_CANCEL },
	{ "a completion dated after today does not count", NULL, "2024-04-01", "2024-06-01",
	  { { 'o', "2024-07-01" } }, "OUUO", CPD_ON_TRACK, "2027-03-31", "2027-01-30", 0 },
	{ "before the cycle starts counts for nothing", NULL, "2024-04-01", "2024-06-01",
	  { { 'o', "2024-03-31", 2024 } }, "OUUO", CPD_ON_TRACK, "2027-03-31", "2027-01-30", 0 },
	{ "wrong kind: a practical course does not fill an online duty", NULL, "2024-04-01", "2025-04-05",
	  { { 'p', "2024-06-01", 0, 1 } }, "XOUD", CPD_STATE_OVERDUE, "2027-03-31", "2027-01-30",
	  CPD_BLOCKS_RENEWAL | CPD_MAY_CANCEL },
	{ "a course for another fiscal year counts for nothing", NULL, "2024-04-01", "2024-12-01",
	  { { 'o', "2024-11-01", 2023 } }, "OUUO", CPD_ON_TRACK, "2027-03-31", "2027-01-30", 0 },
	{ "private practical course not designated counts for nothing", NULL, "2024-04-01", "2024-12-01",
	  { { 'o', "2024-05-01" }, { 'p', "2024-10-01", 0, 0, 0 } }, "DUUO", CPD_ON_TRACK, "2027-03-31", "2027-01-30", 0 },
	{ "private practical designated for another year counts for nothing", NULL, "2024-04-01", "2024-12-01",
	  { { 'o', "2024-05-01" }, { 'p', "2024-10-01", 0, 0, 2025 } }, "DUUO", CPD_ON_TRACK, "2027-03-31", "2027-01-30", 0 },
	{ "private practical designated for its year fills the practical duty", NULL, "2024-04-01", "2024-12-01",
	  { { 'o', "2024-05-01" }, { 'p', "2024-10-01", 0, 0, 2024 } }, "DUUD", CPD_ON_TRACK, "2027-03-31", "2027-01-30", 0 },
	{ "completion before the provider's approval counts for nothing", NULL, "2024-04-01", "2024-12-01",
	  { { 'o', "2024-05-01", 0, 0, 0, "2024-06-01" } }, "OUUO", CPD_ON_TRACK, "2027-03-31", "2027-01-30", 0 },
	{ "registration on 1 October: windows run October to September", NULL, "2024-10-01", "2025-10-02",
	  { { 'o', "2025-05-10" }, { 'o', "2025-10-01" } }, "DDUO", CPD_ON_TRACK, "2027-09-30", "2027-08-01", 0 },
	{ "registration on 1 October: September completion is still year 1", NULL, "2024-10-01", "2025-10-02",
	  { { 'o', "2025-09-30" } }, "DOUO", CPD_ON_TRACK, "2027-09-30", "2027-08-01", 0 },
	{ "registration on 1 October: year 1 missed on 1 October of year 2", NULL, "2024-10-01", "2025-10-01",
	  { { 'o', "2025-10-01" } }, "XDUO", CPD_STATE_OVERDUE, "2027-09-30", "2027-08-01",
	  CPD_BLOCKS_RENEWAL | CPD_MAY_CANCEL },
	{ "leap year: the application deadline of a cycle ending 2028-03-31 is 31 January", NULL, "2025-04-01",
	  "2025-04-01", { { 0 } }, "OUUO", CPD_ON_TRACK, "2028-03-31", "2028-01-31", 0 },
	{ "leap day completion counts in its fiscal year", NULL, "2023-10-01", "2024-03-01",
	  { { 'o', "2024-02-29" } }, "DUUO", CPD_ON_TRACK, "2026-09-30", "2026-08-01", 0 },
	{ "last-year course after the application deadline comes too late", NULL, "2024-04-01", "2027-02-10",
	  { { 'o', "2024-05-01" }, { 'o', "2025-05-01" }, { 'p', "2025-06-01", 0, 1 }, { 'o', "2027-02-01" } },
	  "DDXD", CPD_STATE_OVERDUE, "2027-03-31", "2027-01-30",
	  CPD_BLOCKS_RENEWAL | CPD_MAY_CANCEL | CPD_LAPSES },
	{ "open duty within 90 days of its deadline is action needed", NULL, "2024-04-01", "2025-01-01",
	  { { 'p', "2024-06-01", 0, 1 } }, "OUUD", CPD_ACTION_NEEDED, "2027-03-31", "2027-01-30", 0 },
	{ "91 days before the deadline is still on track", NULL, "2024-04-01", "2024-12-30",
	  { { 'p', "2024-06-01", 0, 1 } }, "OUUD", CPD_ON_TRACK, "2027-03-31", "2027-01-30", 0 },
	{ "on the deadline day the duty is still open", NULL, "2024-04-01", "2025-03-31",
	  { { 0 } }, "OUUO", CPD_ACTION_NEEDED, "2027-03-31", "2027-01-30", 0 },
	{ "past the validity without renewal: lapses", NULL, "2023-04-01", "2026-04-01",
	  { { 'o', "2023-05-01" }, { 'o', "2024-05-01" } }, "DDXX", CPD_STATE_OVERDUE, "2026-03-31", "2026-01-30",
	  CPD_BLOCKS_RENEWAL | CPD_MAY_CANCEL | CPD_LAPSES },
	{ "rule version 2: two online courses a year", &rules_two_online, "2027-04-01", "2027-06-01",
	  { { 'o', "2027-05-01" } }, "DOUUUUO", CPD_ON_TRACK, "2030-03-31", "2030-03-01", 0 },
};

static void run_case(const struct tc *t)
{
	struct cpd_credit cr[6];
	size_t n = 0;
	for (; n < 6 && t->c[n].kind; n++) {
		const struct tc_credit *c = &t->c[n];
		struct cpd_credit *x = &cr[n];
		memset(x, 0, sizeof *x);
		x->id = (int64_t)n + 1;
		x->kind = c->kind == 'p' ? CPD_PRACTICAL : CPD_ONLINE;
		x->completed_on = D(c->on);
		x->years[0] = c->fy ? c->fy : cpd_fiscal_year(x->completed_on);
		x->nyears = 1;
		x->by_agency = c->agency;
		if (c->desig)
			x->designated[x->ndesignated++] = c->desig;
		x->provider_from = D(c->approved ? c->approved : "2016-10-01");
	}
	struct cpd_status s;
	const struct cpd_rules *r = t->rules ? t->rules : &cpd_rules_v1;
	if (cpd_status_compute(&s, r, D(t->start), cr, n, D(t->today)) != 0)
		fail_msg("%s: %s", t->name, rs_error_last());
	char got[CPD_DUTIES_MAX + 1] = "";
	for (size_t k = 0; k < s.nduties; k++)
		got[k] = "DOXU"[s.duties[k].state];
	char ve[11], ad[11];
	cpd_date_format(ve, s.validity_end);
	cpd_date_format(ad, s.application_deadline);
	if (strcmp(got, t->duties) != 0 || s.state != t->state || strcmp(ve, t->validity_end) != 0 ||
	    strcmp(ad, t->apply_by) != 0 || cpd_consequences(&s, D(t->today)) != t->consequences)
		fail_msg("%s: duties %s (want %s), state %s (want %s), end %s (want %s), apply by %s (want %s), "
		         "consequences %u (want %u)", t->name, got, t->duties, cpd_state_code(s.state),
		         cpd_state_code(t->state), ve, t->validity_end, ad, t->apply_by, cpd_consequences(&s, D(t->today)),
		         t->consequences);
}

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i]);
}

static void test_windows_and_filling_record(void **state)
{
	(void)state;
	struct cpd_credit c[2];
	memset(c, 0, sizeof c);
	for (int i = 0; i < 2; i++) {
		c[i].id = 20 - i; /* same day: the lower id fills the duty */
		c[i].kind = CPD_ONLINE;
		c[i].completed_on = D("2024-10-15");
		c[i].years[0] = 2024;
		c[i].nyears = 1;
		c[i].provider_from = D("2016-10-01");
	}
	struct cpd_status s;
	assert_int_equal(cpd_status_compute(&s, &cpd_rules_v1, D("2024-10-01"), c, 2, D("2024-11-01")), 0);
	assert_int_equal(s.nduties, 4);
	assert_int_equal(s.duties[0].filled_by, 19);
	assert_int_equal(s.duties[1].filled_by, 0);
	char a[11];
	cpd_date_format(a, s.duties[1].from);
	assert_string_equal(a, "2025-10-01");
	cpd_date_format(a, s.duties[1].until);
	assert_string_equal(a, "2026-09-30");
	cpd_date_format(a, s.duties[2].deadline); /* year 3: the application deadline */
	assert_string_equal(a, "2027-08-01");
	cpd_date_format(a, s.lapse_on);
	assert_string_equal(a, "2027-10-01");
	assert_int_equal(s.duties[3].course, CPD_PRACTICAL);
	assert_int_equal(s.duties[3].cycle_year, 0);
}

static void test_rule_versions(void **state)
{
	(void)state;
	struct cpd_rules table[2] = { cpd_rules_v1, rules_two_online };
	assert_ptr_equal(cpd_rules_pick(table, 2, D("2027-04-01")), &table[1]);
	assert_ptr_equal(cpd_rules_pick(table, 2, D("2026-10-01")), &table[0]);
	assert_null(cpd_rules_pick(table, 2, D("2016-04-01")));
	struct cpd_status s;
	assert_int_equal(cpd_status_compute(&s, NULL, D("2016-04-01"), NULL, 0, D("2016-05-01")), RS_EINVAL);
	struct cpd_rules bad = cpd_rules_v1;
	bad.cycle_years = 0;
	assert_int_equal(cpd_rules_check(&bad), RS_EINVAL);
	assert_non_null(strstr(rs_error_last(), "cycle_years"));
	assert_int_equal(cpd_rules_check(&cpd_rules_v1), 0);
}

static void test_bad_input(void **state)
{
	(void)state;
	struct cpd_date d;
	assert_int_equal(cpd_date_parse(&d, "2025-02-29"), RS_EINVAL);
	assert_int_equal(cpd_date_parse(&d, "2024-02-29"), 0);
	assert_int_equal(cpd_date_parse(&d, "2024-4-01"), RS_EINVAL);
	assert_int_equal(cpd_date_parse(&d, "2024-04-01x"), RS_EINVAL);
	assert_int_equal(cpd_date_parse(&d, "+024-04-01"), RS_EINVAL);
	struct cpd_status s;
	assert_int_equal(cpd_status_compute(&s, &cpd_rules_v1, D("2024-05-01"), NULL, 0, D("2024-06-01")), RS_EINVAL);
	assert_non_null(strstr(rs_error_last(), "1 April or 1 October"));
	struct cpd_credit c;
	memset(&c, 0, sizeof c);
	c.kind = CPD_ONLINE;
	c.completed_on = (struct cpd_date){ 2024, 13, 1 };
	assert_int_equal(cpd_status_compute(&s, &cpd_rules_v1, D("2024-04-01"), &c, 1, D("2024-06-01")), RS_EINVAL);
}

/* The hold rule: which new records wait for the CPD desk, and what the desk's acceptance
 * waives. */
static void test_holds(void **state)
{
	(void)state;
	struct cpd_credit c = { .id = 7, .kind = CPD_PRACTICAL, .completed_on = D("2025-06-10"), .years = { 2025 },
		                    .nyears = 1, .provider_from = D("2016-10-01") };
	struct cpd_date reg = D("2025-04-01");
	assert_int_equal(cpd_completion_holds(&c, 60, 60, reg), CPD_HOLD_NOT_DESIGNATED);
	c.designated[0] = 2025;
	c.ndesignated = 1;
	assert_int_equal(cpd_completion_holds(&c, 60, 60, reg), 0);
	assert_int_equal(cpd_completion_holds(&c, 59, 60, reg), CPD_HOLD_HOURS_SHORT);
	assert_int_equal(cpd_completion_holds(&c, 61, 60, reg), 0);
	c.designated[0] = 2024; /* designated for another year only */
	assert_int_equal(cpd_completion_holds(&c, 60, 60, reg), CPD_HOLD_NOT_DESIGNATED);
	c.by_agency = 1;        /* the agency's 実践講習 needs no designation */
	assert_int_equal(cpd_completion_holds(&c, 60, 60, reg), 0);
	c.provider_from = D("2025-06-11");
	assert_int_equal(cpd_completion_holds(&c, 60, 60, reg), CPD_HOLD_OUTSIDE_APPROVAL);
	c.provider_from = D("2016-10-01");
	c.provider_until = D("2025-06-09");
	assert_int_equal(cpd_completion_holds(&c, 60, 60, reg), CPD_HOLD_OUTSIDE_APPROVAL);
	c.provider_until = D("2025-06-10"); /* the last day of approval still counts */
	assert_int_equal(cpd_completion_holds(&c, 60, 60, reg), 0);
	assert_int_equal(cpd_completion_holds(&c, 60, 60, D("2025-10-01")), CPD_HOLD_BEFORE_REGISTRATION);
	assert_int_equal(cpd_completion_holds(&c, 60, 60, D("2025-06-10")), 0);

	/* Accepted by the desk: a non-designated private practical course then fills the duty. */
	struct cpd_credit p = { .id = 8, .kind = CPD_PRACTICAL, .completed_on = D("2025-06-10"), .years = { 2025 },
		                    .nyears = 1, .provider_from = D("2016-10-01") };
	struct cpd_status s;
	assert_int_equal(cpd_status_compute(&s, &cpd_rules_v1, D("2025-04-01"), &p, 1, D("2025-07-01")), 0);
	assert_int_equal(s.duties[s.nduties - 1].state, CPD_OPEN);
	p.waived = CPD_HOLD_NOT_DESIGNATED;
	assert_int_equal(cpd_status_compute(&s, &cpd_rules_v1, D("2025-04-01"), &p, 1, D("2025-07-01")), 0);
	assert_int_equal(s.duties[s.nduties - 1].filled_by, 8);
	/* Waived before the registration: counts as done on the cycle's first day (year 1 only). */
	struct cpd_credit o = { .id = 9, .kind = CPD_ONLINE, .completed_on = D("2025-03-20"), .years = { 2025 },
		                    .nyears = 1, .provider_from = D("2016-10-01") };
	assert_int_equal(cpd_status_compute(&s, &cpd_rules_v1, D("2025-04-01"), &o, 1, D("2025-07-01")), 0);
	assert_int_equal(s.duties[0].state, CPD_OPEN);
	o.waived = CPD_HOLD_BEFORE_REGISTRATION;
	assert_int_equal(cpd_status_compute(&s, &cpd_rules_v1, D("2025-04-01"), &o, 1, D("2025-07-01")), 0);
	assert_int_equal(s.duties[0].filled_by, 9);
	o.years[0] = 2028; /* a later cycle is out of reach */
	assert_int_equal(cpd_status_compute(&s, &cpd_rules_v1, D("2028-04-01"), &o, 1, D("2028-07-01")), 0);
	assert_int_equal(s.duties[0].filled_by, 0);
	/* Codes. */
	assert_string_equal(cpd_hold_code(CPD_HOLD_HOURS_SHORT), "hours_short");
	assert_int_equal(cpd_hold_parse("before_registration"), CPD_HOLD_BEFORE_REGISTRATION);
	assert_int_equal(cpd_hold_parse("nope"), 0);
	assert_null(cpd_hold_code(3));
}

static void test_dates(void **state)
{
	(void)state;
	assert_int_equal(cpd_fiscal_year(D("2025-03-31")), 2024);
	assert_int_equal(cpd_fiscal_year(D("2025-04-01")), 2025);
	char a[11];
	/* 2026-03-31 15:00 UTC is 2026-04-01 00:00 in Japan. */
	cpd_date_format(a, cpd_today_jst(1774969200));
	assert_string_equal(a, "2026-04-01");
	cpd_date_format(a, cpd_today_jst(1774969199));
	assert_string_equal(a, "2026-03-31");
	cpd_date_format(a, cpd_date_add_days(D("2024-03-01"), -1));
	assert_string_equal(a, "2024-02-29");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_windows_and_filling_record),
		cmocka_unit_test(test_rule_versions),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_holds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
