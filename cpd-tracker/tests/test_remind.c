/* Unit tests of the reminder thresholds (90, 60, 30 days before a deadline; once when a
 * duty is overdue; no application reminder once applied) and of the mail text in both
 * languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cpd.h"
#include "cpd_mailtext.h"
#include "cpd_renewal.h"

static struct cpd_date D(const char *s)
{
	struct cpd_date d;
	assert_int_equal(cpd_date_parse(&d, s), 0);
	return d;
}

/* The standing of a 2024-04-01 cycle with the online courses of years 1 and 2 and the
 * practical course done (year 3 open: deadline 2027-01-30 = 2027-03-31 - 60 days). */
static struct cpd_status tc_status(const char *today, int year3_done)
{
	struct cpd_credit c[4];
	memset(c, 0, sizeof c);
	const char *on[] = { "2024-05-01", "2025-05-01", "2025-06-01", "2026-05-01" };
	for (int i = 0; i < 4; i++) {
		c[i].id = i + 1;
		c[i].kind = i == 2 ? CPD_PRACTICAL : CPD_ONLINE;
		c[i].completed_on = D(on[i]);
		c[i].years[0] = cpd_fiscal_year(c[i].completed_on);
		c[i].nyears = 1;
		c[i].by_agency = 1;
		c[i].provider_from = D("2016-10-01");
	}
	struct cpd_status s;
	assert_int_equal(cpd_status_compute(&s, &cpd_rules_v1, D("2024-04-01"), c, year3_done ? 4 : 3, D(today)), 0);
	return s;
}

static void test_thresholds(void **state)
{
	(void)state;
	struct cpd_reminder r[CPD_REMIND_MAX];
	/* 100 days before: nothing yet. */
	struct cpd_status s = tc_status("2026-10-22", 0);
	assert_int_equal(cpd_reminders_due(r, &s, 0, D("2026-10-22")), 0);
	/* 89 days before: the 90-day reminder for the duty and for the application. */
	s = tc_status("2026-11-02", 0);
	size_t n = cpd_reminders_due(r, &s, 0, D("2026-11-02"));
	assert_int_equal(n, 2);
	assert_int_equal(r[0].kind, CPD_REMIND_DUTY);
	assert_int_equal(r[0].days_before, 90);
	assert_int_equal(cpd_date_days(r[0].deadline), cpd_date_days(D("2027-01-30")));
	assert_int_equal(r[1].kind, CPD_REMIND_APPLICATION);
	/* 45 days before: the 60-day one; 10 days before: the 30-day one. */
	s = tc_status("2026-12-16", 0);
	n = cpd_reminders_due(r, &s, 0, D("2026-12-16"));
	assert_int_equal(r[0].days_before, 60);
	s = tc_status("2027-01-20", 0);
	n = cpd_reminders_due(r, &s, 1, D("2027-01-20"));
	assert_int_equal(n, 1); /* applied: no application reminder */
	assert_int_equal(r[0].days_before, 30);
	/* Everything done, applied: nothing to say. */
	s = tc_status("2027-01-20", 1);
	assert_int_equal(cpd_reminders_due(r, &s, 1, D("2027-01-20")), 0);
	/* The deadline passed: one overdue notice, and no more "due" reminders. */
	s = tc_status("2027-02-05", 0);
	n = cpd_reminders_due(r, &s, 0, D("2027-02-05"));
	assert_int_equal(n, 1);
	assert_int_equal(r[0].kind, CPD_REMIND_OVERDUE);
	assert_int_equal(r[0].days_before, 0);
}

static void test_mail_text(void **state)
{
	(void)state;
	struct cpd_status s = tc_status("2026-12-16", 0);
	struct cpd_reminder r[CPD_REMIND_MAX];
	assert_true(cpd_reminders_due(r, &s, 0, D("2026-12-16")) > 0);
	char subj[CPD_MAIL_SUBJECT_MAX], body[CPD_MAIL_BODY_MAX];
	cpd_mail_text(subj, body, 0, &r[0], "000123", NULL, D("2026-12-16"), "https://riss.example");
	assert_non_null(strstr(subj, "2027-01-30"));
	assert_non_null(strstr(subj, "情報処理安全確保支援士"));
	assert_non_null(strstr(body, "000123"));
	assert_non_null(strstr(body, "https://riss.example/me"));
	assert_null(strstr(body, "{"));
	cpd_mail_text(subj, body, 1, &r[0], "000123", NULL, D("2026-12-16"), "https://riss.example");
	assert_non_null(strstr(subj, "[RISS]"));
	assert_non_null(strstr(body, "45 days left"));
	/* A refused renewal application names the registrar's reason, in either language. */
	struct cpd_reminder no = { .kind = CPD_REMIND_REJECTED, .deadline = D("2027-03-31") };
	cpd_mail_text(subj, body, 0, &no, "000123", "受講記録が確認できません", D("2026-12-16"), "https://riss.example");
	assert_non_null(strstr(subj, "更新申請"));
	assert_non_null(strstr(body, "理由: 受講記録が確認できません"));
	assert_non_null(strstr(body, "2027-03-31"));
	assert_null(strstr(body, "{"));
	struct cpd_reminder yes = { .kind = CPD_REMIND_APPROVED, .deadline = D("2030-03-31") };
	cpd_mail_text(subj, body, 1, &yes, "000123", NULL, D("2026-12-16"), "https://riss.example");
	assert_non_null(strstr(subj, "approved"));
	assert_non_null(strstr(body, "runs until 2030-03-31"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_mail_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
