/* cpd-tracker: continuing-training duties of a registered specialist and whether they
 * allow renewal. A registration runs 3 years from its registration date (1 April or
 * 1 October); in each of the 3 years the online course must be completed, and the
 * practical course once in the cycle. Missing any blocks renewal. */
#ifndef CPD_H
#define CPD_H

#include <stddef.h>

struct cpd_date {
	int y, m, d;
};

enum cpd_course { CPD_ONLINE = 0, CPD_PRACTICAL = 1 };

struct cpd_completion {
	enum cpd_course course;
	struct cpd_date date;        /* day the course was completed */
};

enum cpd_duty_state { CPD_DONE = 0, CPD_OPEN = 1, CPD_OVERDUE = 2 };

struct cpd_duty {
	enum cpd_course course;
	struct cpd_date from, due;   /* the window in which it counts (inclusive) */
	enum cpd_duty_state state;
};

#define CPD_DUTIES 4             /* online x 3 years + practical x 1 */

struct cpd_status {
	struct cpd_date validity_end; /* last day of the registration's validity */
	struct cpd_duty duties[CPD_DUTIES];
	int done, open, overdue;
	int renewable;               /* every duty done */
};

/* Parse "YYYY-MM-DD" (a real calendar day). Returns 0 or RS_EINVAL. */
int cpd_date_parse(struct cpd_date *out, const char *text);
/* Days since 1970-01-01 (proleptic Gregorian). */
long cpd_date_days(struct cpd_date d);

/* The duties of the cycle that starts at reg_date, given the completions (any order;
 * those outside a duty's window do not count), as of today. RS_EINVAL when reg_date is
 * not 1 April or 1 October or a date is invalid. */
int cpd_status_compute(struct cpd_status *out, struct cpd_date reg_date,
                       const struct cpd_completion *done, size_t n, struct cpd_date today);

#endif
