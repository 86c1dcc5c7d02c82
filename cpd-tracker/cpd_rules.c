/* The renewal rules for continuing training: duty windows and their state. */
#include "cpd.h"

#include "rs_error.h"

#include <stdio.h>
#include <string.h>

static int cpd_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int cpd_mdays(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && cpd_leap(y) ? 29 : days[m - 1];
}

static int cpd_valid(struct cpd_date d)
{
	return d.y >= 1900 && d.y <= 9999 && d.m >= 1 && d.m <= 12 && d.d >= 1 && d.d <= cpd_mdays(d.y, d.m);
}

int cpd_date_parse(struct cpd_date *out, const char *text)
{
	struct cpd_date d;
	char tail;
	if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%c", &d.y, &d.m, &d.d, &tail) != 3 ||
	    text[4] != '-' || text[7] != '-' || !cpd_valid(d)) {
		rs_error_set("'%.20s' is not a date (YYYY-MM-DD)", text);
		return RS_EINVAL;
	}
	*out = d;
	return 0;
}

/* Howard Hinnant's days_from_civil. */
long cpd_date_days(struct cpd_date d)
{
	long y = d.y - (d.m <= 2);
	long era = (y >= 0 ? y : y - 399) / 400;
	long yoe = y - era * 400;
	long doy = (153 * (d.m + (d.m > 2 ? -3 : 9)) + 2) / 5 + d.d - 1;
	long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static struct cpd_date cpd_from_days(long z)
{
	z += 719468;
	long era = (z >= 0 ? z : z - 146096) / 146097;
	long doe = z - era * 146097;
	long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	long mp = (5 * doy + 2) / 153;
	struct cpd_date d;
	d.d = (int)(doy - (153 * mp + 2) / 5 + 1);
	d.m = (int)(mp < 10 ? mp + 3 : mp - 9);
	d.y = (int)(yoe + era * 400 + (d.m <= 2));
	return d;
}

/* The day before the same date `years` later: the last day of a period of whole years.
 * Registration dates are the 1st of April or October, so the same date always exists. */
static struct cpd_date cpd_period_end(struct cpd_date start, int years)
{
	struct cpd_date next = { start.y + years, start.m, start.d };
	return cpd_from_days(cpd_date_days(next) - 1);
}

int cpd_status_compute(struct cpd_status *out, struct cpd_date reg_date,
                       const struct cpd_completion *done, size_t n, struct cpd_date today)
{
	if (!cpd_valid(reg_date) || reg_date.d != 1 || (reg_date.m != 4 && reg_date.m != 10)) {
		rs_error_set("a registration date is 1 April or 1 October, not %04d-%02d-%02d", reg_date.y, reg_date.m, reg_date.d);
		return RS_EINVAL;
	}
	if (!cpd_valid(today)) {
		rs_error_set("today's date is not a calendar date");
		return RS_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cpd_valid(done[i].date) || (done[i].course != CPD_ONLINE && done[i].course != CPD_PRACTICAL)) {
			rs_error_set("completion %zu has an invalid date or course", i + 1);
			return RS_EINVAL;
		}
	}
	struct cpd_status s;
	memset(&s, 0, sizeof s);
	s.validity_end = cpd_period_end(reg_date, 3);
	for (int k = 0; k < 3; k++) {
		struct cpd_date from = { reg_date.y + k, reg_date.m, reg_date.d };
		s.duties[k] = (struct cpd_duty){ CPD_ONLINE, from, cpd_period_end(from, 1), CPD_OPEN };
	}
	s.duties[3] = (struct cpd_duty){ CPD_PRACTICAL, reg_date, s.validity_end, CPD_OPEN };
	long t = cpd_date_days(today);
	for (int k = 0; k < CPD_DUTIES; k++) {
		struct cpd_duty *d = &s.duties[k];
		long lo = cpd_date_days(d->from), hi = cpd_date_days(d->due);
		for (size_t i = 0; i < n; i++) {
			long c = cpd_date_days(done[i].date);
			if (done[i].course == d->course && c >= lo && c <= hi && c <= t)
				d->state = CPD_DONE;
		}
		if (d->state == CPD_OPEN && t > hi)
			d->state = CPD_OVERDUE;
		s.done += d->state == CPD_DONE;
		s.open += d->state == CPD_OPEN;
		s.overdue += d->state == CPD_OVERDUE;
	}
	s.renewable = s.done == CPD_DUTIES;
	*out = s;
	return 0;
}
