/* cpd-tracker: which reminders are due on a day, from a registration's standing. Pure. */
#include "cpd_renewal.h"

#include <string.h>

static const int cpd_thresholds[] = { 30, 60, 90 };

/* The nearest threshold today has reached for a deadline days_left away, or -1. */
static int cpd_remind_threshold(long days_left)
{
	if (days_left < 0)
		return -1;
	for (size_t i = 0; i < sizeof cpd_thresholds / sizeof cpd_thresholds[0]; i++)
		if (days_left <= cpd_thresholds[i])
			return cpd_thresholds[i];
	return -1;
}

static size_t cpd_remind_add(struct cpd_reminder *out, size_t n, enum cpd_remind_kind k, struct cpd_date deadline,
                             int days_before)
{
	for (size_t i = 0; i < n; i++)
		if (out[i].kind == k && out[i].days_before == days_before &&
		    cpd_date_days(out[i].deadline) == cpd_date_days(deadline))
			return n;
	if (n >= CPD_REMIND_MAX)
		return n;
	out[n].kind = k;
	out[n].deadline = deadline;
	out[n].days_before = days_before;
	return n + 1;
}

size_t cpd_reminders_due(struct cpd_reminder out[CPD_REMIND_MAX], const struct cpd_status *s, int applied,
                         struct cpd_date today)
{
	size_t n = 0;
	long t = cpd_date_days(today);
	const struct cpd_duty *first_overdue = NULL;
	for (size_t i = 0; i < s->nduties; i++) {
		const struct cpd_duty *d = &s->duties[i];
		if (d->state == CPD_OVERDUE && !first_overdue)
			first_overdue = d;
		if (d->state != CPD_OPEN)
			continue;
		int th = cpd_remind_threshold(cpd_date_days(d->deadline) - t);
		if (th > 0)
			n = cpd_remind_add(out, n, CPD_REMIND_DUTY, d->deadline, th);
	}
	if (first_overdue) {
		n = cpd_remind_add(out, n, CPD_REMIND_OVERDUE, first_overdue->deadline, 0);
	} else if (!applied) {
		int th = cpd_remind_threshold(cpd_date_days(s->application_deadline) - t);
		if (th > 0)
			n = cpd_remind_add(out, n, CPD_REMIND_APPLICATION, s->application_deadline, th);
	}
	return n;
}

const char *cpd_remind_kind_code(enum cpd_remind_kind k)
{
	switch (k) {
	case CPD_REMIND_DUTY: return "duty";
	case CPD_REMIND_APPLICATION: return "application";
	case CPD_REMIND_OVERDUE: return "overdue";
	case CPD_REMIND_EVIDENCE: return "evidence";
	case CPD_REMIND_APPROVED: return "renewal_approved";
	case CPD_REMIND_REJECTED: return "renewal_rejected";
	}
	return "duty";
}
