/* Statistical disclosure control for released tables of counts (pure computation, no I/O):
 * primary suppression of small counts and of rates/means on small bases, secondary
 * suppression so that no suppressed figure can be recovered from the published ones and the
 * table's additive relations (row, column and grand totals), and the audit that proves it.
 *
 * A table is a set of count entries and linear relations "total = sum of parts" between
 * them. Entries are published cells, published totals, or hidden complements (figures the
 * table implies but does not print, e.g. examinees - passers = failers): hidden entries
 * under the threshold must not be recoverable either. Measures (rates, means, medians)
 * hang on a base count and on the counts they would reveal together with it. */
#ifndef RS_SDC_H
#define RS_SDC_H

#include <stddef.h>

struct rs_sdc_rules {
	long long k;    /* counts 0 < v < k are suppressed (primary); default 10 */
	int allow_zero; /* 1: a zero count is published; 0: zeros are suppressed like small counts */
};

enum rs_sdc_kind {
	RS_SDC_CELL = 0,   /* a published inner cell */
	RS_SDC_TOTAL = 1,  /* a published margin (row, column or grand total): suppressed last */
	RS_SDC_HIDDEN = 2, /* never printed, but implied by the relations; protected when small */
};

enum rs_sdc_state {
	RS_SDC_PUBLISHED = 0,
	RS_SDC_PRIMARY = 1,   /* suppressed: its own count (or base) is under the threshold */
	RS_SDC_SECONDARY = 2, /* suppressed so that a primary figure cannot be recomputed */
};

typedef struct rs_sdc_table rs_sdc_table;

/* A new empty table (NULL when memory runs out); free with rs_sdc_free (NULL is fine). */
rs_sdc_table *rs_sdc_new(void);
void rs_sdc_free(rs_sdc_table *t);

/* Add a count entry (value >= 0) of the given kind. Returns its index (>= 0) or RS_ENOMEM. */
int rs_sdc_add(rs_sdc_table *t, long long value, enum rs_sdc_kind kind);
/* Record the relation value(total) = sum of value(parts[0..n-1]). The values must satisfy it
 * (RS_EINVAL otherwise: a table whose totals do not add up is a bug in its builder). */
int rs_sdc_relate(rs_sdc_table *t, int total, const int *parts, int n);
/* Add a measure (rate, mean, median, ...) on the count entry base, which also reveals the
 * counts deps[0..ndeps-1] together with published figures (a pass rate reveals the passers).
 * Returns the measure's index or a negative RS_E* code. */
int rs_sdc_measure(rs_sdc_table *t, int base, const int *deps, int ndeps);

/* Apply the rules: primary suppression, then secondary suppression until the audit finds no
 * suppressed or small hidden figure that the published ones pin down; measures follow their
 * base and dependencies. 0, or RS_EINVAL for bad rules, RS_ENOMEM, RS_ESTATE when a figure
 * stays pinned with every other figure already suppressed (the table cannot be released),
 * RS_EINTERNAL when the figures contradict their relations. Idempotent. */
int rs_sdc_protect(rs_sdc_table *t, const struct rs_sdc_rules *rules);

/* The audit, run on every released table: for every suppressed entry and every hidden entry
 * under the threshold, is its value determined by the published entries, the relations and
 * non-negativity? (Linear algebra over the unknowns first; an entry it cannot clear is
 * bounded by linear programming: min and max over the feasible set.) Returns the number of
 * entries pinned down (0 = safe to release; the first few indices go to pinned[0..npinned-1]
 * when pinned is not NULL), or a negative RS_E* code. */
int rs_sdc_audit(const rs_sdc_table *t, const struct rs_sdc_rules *rules, int *pinned, int npinned)
	__attribute__((warn_unused_result));

/* The feasible interval [*lo, *hi] of entry i given what is published (an adversary's view;
 * *hi = -1 when unbounded). 0 or a negative RS_E* code. Public for the tests and reports. */
int rs_sdc_bounds(const rs_sdc_table *t, int i, double *lo, double *hi);

enum rs_sdc_state rs_sdc_state(const rs_sdc_table *t, int i);
enum rs_sdc_state rs_sdc_measure_state(const rs_sdc_table *t, int m);
long long rs_sdc_value(const rs_sdc_table *t, int i);
int rs_sdc_count(const rs_sdc_table *t);
/* Mark entry i suppressed by hand (tests: build a table an adversary should break). */
void rs_sdc_force(rs_sdc_table *t, int i, enum rs_sdc_state s);
/* Give entry i its state for good: a figure another release already published or held back
 * (the whole table, when its slices are protected against it). rs_sdc_protect neither
 * suppresses it nor picks it as a complement; when only fixed figures could protect a
 * pinned one, the table cannot be released (RS_ESTATE). */
void rs_sdc_fix(rs_sdc_table *t, int i, enum rs_sdc_state s);
/* At most max_held figures that are not fixed may be held back (0: no limit): beyond it
 * rs_sdc_protect stops with RS_ESTATE — a table that would be mostly held back is not
 * released, and its cost (each round an elimination over what is held back) stays bounded. */
void rs_sdc_limit(rs_sdc_table *t, int max_held);
/* Secondary suppression's linear programmes look at each pinned figure's neighbourhood only
 * (a few relations away; further entries do not move), not the whole table: for a large
 * table mostly fixed (a filter star's stage), where the whole would be too dear. */
void rs_sdc_local(rs_sdc_table *t);

/* The rules from the configuration (stats_k, stats_allow_zero). */
struct rs_sdc_rules rs_sdc_rules_default(void);

#endif
