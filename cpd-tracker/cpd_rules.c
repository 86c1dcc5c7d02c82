/* The renewal rules for continuing training: dates, duty windows, which completion fills
 * which duty, the standing of a registration and what a missed deadline means. Pure: no
 * I/O; the rule numbers come in as data (struct cpd_rules). */
#include "cpd.h"

#include "rs_error.h"

#include <stdio.h>
#include <string.h>

const struct cpd_rules cpd_rules_v1 = {
	.version = 1, .effective_from = { 2016, 10, 1 }, .cycle_years = 3, .online_per_year = 1,
	.practical_per_cycle = 1, .application_days = 60, .action_days = 90,
};

static int cpd_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int cpd_mdays(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && cpd_leap(y) ? 29 : days[m - 1];
}

int cpd_date_valid(struct cpd_date d)
{
	return d.y >= 1900 && d.y <= 9999 && d.m >= 1 && d.m <= 12 && d.d >= 1 && d.d <= cpd_mdays(d.y, d.m);
}

int cpd_date_parse(struct cpd_date *out, const char *text)
{
	struct cpd_date d;
	char tail;
	if (strlen(text) != 10 || sscanf(text, "%4d-%2d-%2d%c", &d.y, &d.m, &d.d, &tail) != 3 ||
	    text[4] != '-' || text[7] != '-' || strspn(text, "0123456789-") != 10 || !cpd_date_valid(d)) {
		rs_error_set("'%.20s' is not a date (YYYY-MM-DD)", text);
		return RS_EINVAL;
	}
	*out = d;
	return 0;
}

void cpd_date_format(char out[11], struct cpd_date d)
{
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)d.y % 10000u, (unsigned)d.m % 100u, (unsigned)d.d % 100u);
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

struct cpd_date cpd_date_add_days(struct cpd_date d, long days)
{
	return cpd_from_days(cpd_date_days(d) + days);
}

int cpd_fiscal_year(struct cpd_date d)
{
	return d.m >= 4 ? d.y : d.y - 1;
}

struct cpd_date cpd_today_jst(int64_t now)
{
	int64_t s = now + 9 * 3600;
	long days = (long)(s >= 0 ? s / 86400 : -((-s + 86399) / 86400));
	return cpd_from_days(days);
}

static int cpd_cmp(struct cpd_date a, struct cpd_date b)
{
	long x = cpd_date_days(a), y = cpd_date_days(b);
	return x < y ? -1 : x > y;
}

static struct cpd_date cpd_min(struct cpd_date a, struct cpd_date b)
{
	return cpd_cmp(a, b) <= 0 ? a : b;
}

/* The same month and day `years` later; with no such day (29 February), the last day of
 * that month. */
static struct cpd_date cpd_add_years(struct cpd_date d, int years)
{
	struct cpd_date r = { d.y + years, d.m, d.d };
	if (r.d > cpd_mdays(r.y, r.m))
		r.d = cpd_mdays(r.y, r.m);
	return r;
}

/* The last day of a period of whole years starting on start. */
static struct cpd_date cpd_period_end(struct cpd_date start, int years)
{
	return cpd_date_add_days(cpd_add_years(start, years), -1);
}

int cpd_rules_check(const struct cpd_rules *r)
{
	const char *bad = NULL;
	if (r->version < 1)
		bad = "version";
	else if (!cpd_date_valid(r->effective_from))
		bad = "effective_from";
	else if (r->cycle_years < 1 || r->cycle_years > 10)
		bad = "cycle_years";
	else if (r->online_per_year < 0 || r->online_per_year > 2)
		bad = "online_per_year";
	else if (r->practical_per_cycle < 0 || r->practical_per_cycle > 3)
		bad = "practical_per_cycle";
	else if (r->online_per_year * r->cycle_years + r->practical_per_cycle > CPD_DUTIES_MAX)
		bad = "online_per_year";
	else if (r->application_days < 0 || r->application_days > 365)
		bad = "application_days";
	else if (r->action_days < 0 || r->action_days > 365)
		bad = "action_days";
	if (bad) {
		rs_error_set("rule version %d: %s is out of bounds", r->version, bad);
		return RS_EINVAL;
	}
	return 0;
}

const struct cpd_rules *cpd_rules_pick(const struct cpd_rules *table, size_t n, struct cpd_date cycle_start)
{
	const struct cpd_rules *best = NULL;
	for (size_t i = 0; i < n; i++)
		if (cpd_cmp(table[i].effective_from, cycle_start) <= 0 &&
		    (!best || cpd_cmp(table[i].effective_from, best->effective_from) > 0))
			best = &table[i];
	return best;
}

static int cpd_in(const int *years, int n, int y)
{
	for (int i = 0; i < n; i++)
		if (years[i] == y)
			return 1;
	return 0;
}

static int cpd_outside_approval(const struct cpd_credit *c)
{
	return cpd_cmp(c->completed_on, c->provider_from) < 0 ||
	       (c->provider_until.y != 0 && cpd_cmp(c->completed_on, c->provider_until) > 0);
}

static int cpd_not_designated(const struct cpd_credit *c)
{
	return c->kind == CPD_PRACTICAL && !c->by_agency &&
	       !cpd_in(c->designated, c->ndesignated, cpd_fiscal_year(c->completed_on));
}

int cpd_credit_counts(const struct cpd_credit *c, const struct cpd_duty *d, struct cpd_date today)
{
	if (c->kind != d->course)
		return 0;
	struct cpd_date on = c->completed_on;
	/* The desk accepted a record dated shortly before the registration: it counts as done
	 * on the first day of the first cycle (the windows of year 1 and of the practical duty
	 * start there; a later cycle starts years after, out of reach). */
	if ((c->waived & CPD_HOLD_BEFORE_REGISTRATION) && d->cycle_year <= 1 && cpd_cmp(on, d->from) < 0 &&
	    cpd_date_days(d->from) - cpd_date_days(on) <= 366)
		on = d->from;
	if (cpd_cmp(on, d->from) < 0 || cpd_cmp(on, d->deadline) > 0 || cpd_cmp(on, today) > 0)
		return 0;
	if (!cpd_in(c->years, c->nyears, cpd_fiscal_year(on)))
		return 0;
	if (!(c->waived & CPD_HOLD_OUTSIDE_APPROVAL) && cpd_outside_approval(c))
		return 0;
	if (!(c->waived & CPD_HOLD_NOT_DESIGNATED) && cpd_not_designated(c))
		return 0;
	return 1;
}

unsigned cpd_completion_holds(const struct cpd_credit *c, int hours10, int course_hours10,
                              struct cpd_date registered_on)
{
	unsigned h = 0;
	if (cpd_not_designated(c))
		h |= CPD_HOLD_NOT_DESIGNATED;
	if (cpd_outside_approval(c))
		h |= CPD_HOLD_OUTSIDE_APPROVAL;
	if (hours10 < course_hours10)
		h |= CPD_HOLD_HOURS_SHORT;
	if (cpd_date_valid(registered_on) && cpd_cmp(c->completed_on, registered_on) < 0)
		h |= CPD_HOLD_BEFORE_REGISTRATION;
	return h;
}

static const char *const cpd_hold_codes[] = { "not_designated", "outside_approval", "hours_short",
	                                          "before_registration" };

const char *cpd_hold_code(unsigned bit)
{
	for (unsigned i = 0; i < sizeof cpd_hold_codes / sizeof cpd_hold_codes[0]; i++)
		if (bit == 1u << i)
			return cpd_hold_codes[i];
	return NULL;
}

unsigned cpd_hold_parse(const char *code)
{
	for (unsigned i = 0; code && i < sizeof cpd_hold_codes / sizeof cpd_hold_codes[0]; i++)
		if (strcmp(code, cpd_hold_codes[i]) == 0)
			return 1u << i;
	return 0;
}

static int cpd_credit_valid(const struct cpd_credit *c)
{
	return (c->kind == CPD_ONLINE || c->kind == CPD_PRACTICAL) && cpd_date_valid(c->completed_on) &&
	       c->nyears >= 0 && c->nyears <= CPD_YEARS_MAX && c->ndesignated >= 0 &&
	       c->ndesignated <= CPD_YEARS_MAX && cpd_date_valid(c->provider_from) &&
	       (c->provider_until.y == 0 || cpd_date_valid(c->provider_until));
}

/* Order of credits: by completion day, then id. */
static int cpd_credit_before(const struct cpd_credit *a, const struct cpd_credit *b)
{
	int c = cpd_cmp(a->completed_on, b->completed_on);
	return c < 0 || (c == 0 && a->id < b->id);
}

int cpd_status_compute(struct cpd_status *out, const struct cpd_rules *r, struct cpd_date cycle_start,
                       const struct cpd_credit *credits, size_t n, struct cpd_date today)
{
	if (!r) {
		rs_error_set("no rule version applies to a cycle starting %04d-%02d-%02d", cycle_start.y, cycle_start.m,
		             cycle_start.d);
		return RS_EINVAL;
	}
	int rc = cpd_rules_check(r);
	if (rc != 0)
		return rc;
	if (!cpd_date_valid(cycle_start) || cycle_start.d != 1 || (cycle_start.m != 4 && cycle_start.m != 10)) {
		rs_error_set("a cycle starts on 1 April or 1 October, not %04d-%02d-%02d", cycle_start.y, cycle_start.m,
		             cycle_start.d);
		return RS_EINVAL;
	}
	if (!cpd_date_valid(today)) {
		rs_error_set("today's date is not a calendar date");
		return RS_EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!cpd_credit_valid(&credits[i])) {
			rs_error_set("completion %zu has an invalid date, kind or year list", i + 1);
			return RS_EINVAL;
		}
	}
	struct cpd_status s;
	memset(&s, 0, sizeof s);
	s.rules_version = r->version;
	s.cycle_start = cycle_start;
	s.validity_end = cpd_period_end(cycle_start, r->cycle_years);
	s.application_deadline = cpd_date_add_days(s.validity_end, -r->application_days);
	s.lapse_on = cpd_date_add_days(s.validity_end, 1);
	for (int k = 0; k < r->cycle_years; k++) {
		struct cpd_date from = cpd_add_years(cycle_start, k);
		struct cpd_date until = cpd_period_end(from, 1);
		for (int j = 0; j < r->online_per_year; j++)
			s.duties[s.nduties++] = (struct cpd_duty){ .course = CPD_ONLINE, .cycle_year = k + 1, .from = from,
				.until = until, .deadline = cpd_min(until, s.application_deadline) };
	}
	for (int j = 0; j < r->practical_per_cycle; j++)
		s.duties[s.nduties++] = (struct cpd_duty){ .course = CPD_PRACTICAL, .cycle_year = 0, .from = cycle_start,
			.until = s.validity_end, .deadline = s.application_deadline };
	/* Duties of one kind and year are alike: the j-th takes the earliest counting credit
	 * after the one the (j-1)-th took. Kinds and years do not overlap, so greedy is exact. */
	const struct cpd_credit *last = NULL;
	for (size_t k = 0; k < s.nduties; k++) {
		struct cpd_duty *d = &s.duties[k];
		if (k == 0 || d->course != s.duties[k - 1].course || d->cycle_year != s.duties[k - 1].cycle_year)
			last = NULL;
		const struct cpd_credit *pick = NULL;
		for (size_t i = 0; i < n; i++) {
			const struct cpd_credit *c = &credits[i];
			if ((!last || cpd_credit_before(last, c)) && cpd_credit_counts(c, d, today) &&
			    (!pick || cpd_credit_before(c, pick)))
				pick = c;
		}
		if (pick) {
			d->state = CPD_DONE;
			d->filled_by = pick->id;
			last = pick;
		} else if (cpd_cmp(today, d->from) < 0) {
			d->state = CPD_UPCOMING;
		} else if (cpd_cmp(today, d->deadline) > 0) {
			d->state = CPD_OVERDUE;
		} else {
			d->state = CPD_OPEN;
		}
	}
	int soon = 0;
	long t = cpd_date_days(today);
	for (size_t k = 0; k < s.nduties; k++) {
		const struct cpd_duty *d = &s.duties[k];
		s.done += d->state == CPD_DONE;
		s.open += d->state == CPD_OPEN;
		s.overdue += d->state == CPD_OVERDUE;
		s.upcoming += d->state == CPD_UPCOMING;
		if (d->state == CPD_OPEN && cpd_date_days(d->deadline) - t <= r->action_days)
			soon = 1;
	}
	if (s.overdue > 0)
		s.state = CPD_STATE_OVERDUE;
	else if ((size_t)s.done == s.nduties)
		s.state = CPD_RENEWABLE;
	else if (soon)
		s.state = CPD_ACTION_NEEDED;
	else
		s.state = CPD_ON_TRACK;
	*out = s;
	return 0;
}

unsigned cpd_consequences(const struct cpd_status *s, struct cpd_date today)
{
	unsigned c = 0;
	if (s->overdue > 0)
		c |= CPD_BLOCKS_RENEWAL | CPD_MAY_CANCEL;
	if (s->state != CPD_RENEWABLE && cpd_cmp(today, s->application_deadline) > 0)
		c |= CPD_BLOCKS_RENEWAL | CPD_LAPSES;
	return c;
}

const char *cpd_state_code(enum cpd_state s)
{
	switch (s) {
	case CPD_ON_TRACK: return "on_track";
	case CPD_ACTION_NEEDED: return "action_needed";
	case CPD_STATE_OVERDUE: return "overdue";
	case CPD_RENEWABLE: return "renewable";
	}
	return "on_track";
}

const char *cpd_duty_state_code(enum cpd_duty_state s)
{
	switch (s) {
	case CPD_DONE: return "done";
	case CPD_OPEN: return "open";
	case CPD_OVERDUE: return "overdue";
	case CPD_UPCOMING: return "upcoming";
	}
	return "open";
}

const char *cpd_course_code(enum cpd_course k)
{
	return k == CPD_PRACTICAL ? "practical" : "online";
}

int cpd_course_parse(enum cpd_course *out, const char *s)
{
	if (s && strcmp(s, "online") == 0)
		*out = CPD_ONLINE;
	else if (s && strcmp(s, "practical") == 0)
		*out = CPD_PRACTICAL;
	else {
		rs_error_set("kind is online or practical");
		return RS_EINVAL;
	}
	return 0;
}
