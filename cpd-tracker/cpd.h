/* cpd-tracker: continuing training (CPD) of registered specialists — the renewal rules
 * (pure: dates, duties, states; no I/O) and the public face of the provider, course and
 * completion store (cpd_store.h, declared here so web/ and cli/ include one header).
 *
 * The rules: a registration's validity is a cycle of `cycle_years` years from valid_from
 * (1 April or 1 October). In each cycle year `online_per_year` online courses must be
 * completed, and `practical_per_cycle` practical courses (the agency's 実践講習, or a
 * private provider's course designated 特定講習 for the fiscal year of completion) once in
 * the cycle. The renewal application is due `application_days` before the validity ends,
 * and every duty's deadline is at the latest that day. Missing a duty blocks renewal and
 * lets the agency cancel the registration (取消し), after which the person may not register
 * again for `rereg_bar_years`; not applying lets the registration lapse (失効) the day after
 * the validity ends. The numbers are data (struct cpd_rules, from schema table
 * cpd.rule_versions), never constants in the code. */
#ifndef CPD_H
#define CPD_H

#include <stddef.h>
#include <stdint.h>

struct cpd_date {
	int y, m, d;
};

enum cpd_course { CPD_ONLINE = 0, CPD_PRACTICAL = 1 };

/* One version of the renewal rules (a row of cpd.rule_versions). */
struct cpd_rules {
	int version;                 /* rule version number (1, 2, ...) */
	struct cpd_date effective_from; /* applies to cycles starting on or after this day */
	int cycle_years;             /* length of a validity cycle in years (3) */
	int online_per_year;         /* online courses required in each cycle year (1) */
	int practical_per_cycle;     /* practical courses required per cycle (1) */
	int application_days;        /* renewal application due this many days before the end (60) */
	int action_days;             /* "action needed" when an open duty is due within this many days (90) */
	int rereg_bar_years;         /* no new registration for this long after 取消し (2) */
};

/* The rules of version 1 (what migration 0050 inserts), for tests and tools without a
 * database. The server always uses the table. */
extern const struct cpd_rules cpd_rules_v1;

/* The version in table[0..n) that applies to a cycle starting on cycle_start: the one with
 * the latest effective_from on or before it. NULL when none applies. */
const struct cpd_rules *cpd_rules_pick(const struct cpd_rules *table, size_t n, struct cpd_date cycle_start);
/* 0 when every number of r is within its bounds, else RS_EINVAL naming the field. */
int cpd_rules_check(const struct cpd_rules *r);

#define CPD_YEARS_MAX 8          /* fiscal years a course may list */

/* An accepted completion as the rules see it: the facts of the record, its course and
 * its provider. The store fills these; the rules decide what it counts for. */
struct cpd_credit {
	int64_t id;                  /* completion id, reported as the record filling a duty */
	enum cpd_course kind;        /* kind of the course */
	struct cpd_date completed_on;
	int years[CPD_YEARS_MAX];    /* fiscal years (年度, April-March) the course counts for */
	int nyears;
	int designated[CPD_YEARS_MAX]; /* fiscal years the course is a designated 特定講習 */
	int ndesignated;
	int by_agency;               /* the provider is the agency itself (its 実践講習 counts) */
	struct cpd_date provider_from, provider_until; /* the provider's approval period (until
	                              * y == 0: open-ended) */
};

enum cpd_duty_state {
	CPD_DONE = 0,                /* filled by a completion */
	CPD_OPEN = 1,                /* window open, not yet filled */
	CPD_OVERDUE = 2,             /* deadline passed, not filled */
	CPD_UPCOMING = 3,            /* window not open yet */
};

struct cpd_duty {
	enum cpd_course course;
	int cycle_year;              /* 1..cycle_years for an online duty, 0 for a practical one */
	struct cpd_date from, until; /* the window: completions on these days may count */
	struct cpd_date deadline;    /* the last day it can be filled: min(until, application deadline) */
	enum cpd_duty_state state;
	int64_t filled_by;           /* completion id that filled it, 0 when none */
};

enum cpd_state {
	CPD_ON_TRACK = 0,            /* nothing overdue, nothing due within action_days */
	CPD_ACTION_NEEDED = 1,       /* an open duty is due within action_days */
	CPD_STATE_OVERDUE = 2,       /* a duty's deadline passed unfilled: renewal blocked, 取消し possible */
	CPD_RENEWABLE = 3,           /* every duty of the cycle is filled */
};

#define CPD_DUTIES_MAX 24        /* online x years + practical, at the rules' bounds */

struct cpd_status {
	int rules_version;
	struct cpd_date cycle_start, validity_end; /* the cycle [cycle_start, validity_end] */
	struct cpd_date application_deadline;      /* validity_end - application_days */
	struct cpd_date lapse_on;    /* the day the registration lapses when not renewed */
	size_t nduties;
	struct cpd_duty duties[CPD_DUTIES_MAX];
	int done, open, overdue, upcoming;
	enum cpd_state state;
};

/* What a missed deadline means (bits). */
enum cpd_consequence {
	CPD_BLOCKS_RENEWAL = 1 << 0, /* the registration cannot be renewed */
	CPD_MAY_CANCEL = 1 << 1,     /* the agency may cancel it (取消し; then the re-registration bar) */
	CPD_LAPSES = 1 << 2,         /* it lapses (失効) the day after the validity ends */
};

/* Parse "YYYY-MM-DD" (a real calendar day). Returns 0 or RS_EINVAL. */
int cpd_date_parse(struct cpd_date *out, const char *text);
/* Format as "YYYY-MM-DD" into out (11 bytes). */
void cpd_date_format(char out[11], struct cpd_date d);
/* True when d is a calendar day between 1900 and 9999. */
int cpd_date_valid(struct cpd_date d);
/* Days since 1970-01-01 (proleptic Gregorian). */
long cpd_date_days(struct cpd_date d);
/* The date `days` days after d (negative: before). */
struct cpd_date cpd_date_add_days(struct cpd_date d, long days);
/* The Japanese fiscal year (年度) of d: April to March, named by the year it starts in. */
int cpd_fiscal_year(struct cpd_date d);
/* Today's date in Japan (UTC+9) at Unix time now. */
struct cpd_date cpd_today_jst(int64_t now);

/* The standing of a registration in the cycle starting at cycle_start (1 April or
 * 1 October) under rules r, given its accepted completions (any order) as of today.
 * Each duty is filled by the earliest completion that counts for it and has not filled
 * another: right kind, completed inside the duty's window and on or before its deadline
 * and today, in a fiscal year the course lists, by a provider approved that day, and — for
 * a practical course of a private provider — designated 特定講習 for that fiscal year.
 * Returns 0, or RS_EINVAL (message says why) for a bad cycle start, rule or date. */
int cpd_status_compute(struct cpd_status *out, const struct cpd_rules *r, struct cpd_date cycle_start,
                       const struct cpd_credit *credits, size_t n, struct cpd_date today);

/* True when credit c may count for duty d (kind, window, deadline, course year, provider
 * approval, designation); today bounds it too. */
int cpd_credit_counts(const struct cpd_credit *c, const struct cpd_duty *d, struct cpd_date today);

/* What it means when the standing s is left as it is: CPD_BLOCKS_RENEWAL | CPD_MAY_CANCEL
 * when a duty is overdue; CPD_LAPSES when today is past the application deadline and the
 * cycle is not renewable (no application can be accepted any more); 0 otherwise. */
unsigned cpd_consequences(const struct cpd_status *s, struct cpd_date today);

/* The first day a person whose registration was cancelled (取消し) on cancelled_on may
 * register again: rereg_bar_years counted from the next day (Civil Code art. 140/143: a
 * period in years ends the day before the corresponding day; with no such day, at the end
 * of that month). */
struct cpd_date cpd_rereg_allowed_from(const struct cpd_rules *r, struct cpd_date cancelled_on);

/* Catalogue ids ("state.cpd.on_track", "state.cpd_duty.done", "cpd.kind.online") and
 * the plain codes used in JSON ("on_track", "done", "online"). Never NULL. */
const char *cpd_state_code(enum cpd_state s);
const char *cpd_duty_state_code(enum cpd_duty_state s);
const char *cpd_course_code(enum cpd_course k);
/* Parse "online" / "practical". 0 or RS_EINVAL. */
int cpd_course_parse(enum cpd_course *out, const char *s);

#endif
