/* Disclosure control (common/sdc.c): primary and secondary suppression, measures, and an
 * adversary that recomputes every suppressed figure from what is published — by exhaustive
 * search over all integer tables consistent with the published figures, independent of the
 * module's own audit — and fails if any is pinned down. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rs_sdc.h"
#include "rs_error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct rs_sdc_rules k10 = { 10, 1 };

/* A grid of r x c inner cells with row totals, column totals and the grand total.
 * idx[i][j] (i <= r, j <= c; index r or c = the margin). */
struct grid {
	int r, c;
	int idx[8][8];
};

static rs_sdc_table *grid_new(struct grid *g, int r, int c, const long long *v)
{
	rs_sdc_table *t = rs_sdc_new();
	assert_non_null(t);
	g->r = r;
	g->c = c;
	long long rs[8] = { 0 }, cs[8] = { 0 }, all = 0;
	for (int i = 0; i < r; i++)
		for (int j = 0; j < c; j++) {
			g->idx[i][j] = rs_sdc_add(t, v[i * c + j], RS_SDC_CELL);
			rs[i] += v[i * c + j];
			cs[j] += v[i * c + j];
			all += v[i * c + j];
		}
	for (int i = 0; i < r; i++)
		g->idx[i][c] = rs_sdc_add(t, rs[i], RS_SDC_TOTAL);
	for (int j = 0; j < c; j++)
		g->idx[r][j] = rs_sdc_add(t, cs[j], RS_SDC_TOTAL);
	g->idx[r][c] = rs_sdc_add(t, all, RS_SDC_TOTAL);
	int parts[8];
	for (int i = 0; i <= r; i++) {
		for (int j = 0; j < c; j++)
			parts[j] = g->idx[i][j];
		assert_int_equal(rs_sdc_relate(t, g->idx[i][c], parts, c), 0);
	}
	for (int j = 0; j <= c; j++) {
		for (int i = 0; i < r; i++)
			parts[i] = g->idx[i][j];
		assert_int_equal(rs_sdc_relate(t, g->idx[r][j], parts, r), 0);
	}
	return t;
}

/* ---- The adversary: exhaustive integer search ------------------------------------------ */

struct adv {
	const rs_sdc_table *t;
	int n;
	int unknown[64];     /* entry index is unknown to the reader */
	long long val[64];   /* assignment (known entries: their published value) */
	int set[64];
	int nrel;
	int rel[32][9];      /* rel[r][0] = total, then parts, terminated by -1 */
	long long cap;
};

static int adv_relations(struct adv *a, const struct grid *g)
{
	int r = 0;
	for (int i = 0; i <= g->r; i++) {
		a->rel[r][0] = g->idx[i][g->c];
		for (int j = 0; j < g->c; j++)
			a->rel[r][j + 1] = g->idx[i][j];
		a->rel[r][g->c + 1] = -1;
		r++;
	}
	for (int j = 0; j <= g->c; j++) {
		a->rel[r][0] = g->idx[g->r][j];
		for (int i = 0; i < g->r; i++)
			a->rel[r][i + 1] = g->idx[i][j];
		a->rel[r][g->r + 1] = -1;
		r++;
	}
	return r;
}

/* Check every relation whose entries are all set; force an entry that is the only unset one. */
static int adv_consistent(struct adv *a, int *forced, long long *forced_val)
{
	*forced = -1;
	for (int r = 0; r < a->nrel; r++) {
		int unset = -1, nunset = 0;
		long long sum = 0;
		for (int q = 1; a->rel[r][q] >= 0; q++) {
			int i = a->rel[r][q];
			if (a->set[i])
				sum += a->val[i];
			else {
				unset = i;
				nunset++;
			}
		}
		int tot = a->rel[r][0];
		if (a->set[tot] && nunset == 0 && sum != a->val[tot])
			return 0;
		if (a->set[tot] && sum > a->val[tot])
			return 0;
		if (*forced < 0 && a->set[tot] && nunset == 1) {
			*forced = unset;
			*forced_val = a->val[tot] - sum;
		} else if (*forced < 0 && !a->set[tot] && nunset == 0) {
			*forced = tot;
			*forced_val = sum;
		}
	}
	return 1;
}

/* Upper bound of an unset entry: the least (known total - known parts) of the relations it is
 * a part of; the cap when none. */
static long long adv_ub(struct adv *a, int x)
{
	long long ub = a->cap;
	for (int r = 0; r < a->nrel; r++) {
		int tot = a->rel[r][0], in = 0;
		if (!a->set[tot])
			continue;
		long long sum = 0;
		for (int q = 1; a->rel[r][q] >= 0; q++) {
			if (a->rel[r][q] == x)
				in = 1;
			else if (a->set[a->rel[r][q]])
				sum += a->val[a->rel[r][q]];
		}
		if (in && a->val[tot] - sum < ub)
			ub = a->val[tot] - sum;
	}
	return ub;
}

/* Depth-first search for one integer table consistent with everything set; 1 when found. */
static int adv_search(struct adv *a)
{
	int f;
	long long fv;
	if (!adv_consistent(a, &f, &fv))
		return 0;
	if (f >= 0) {
		if (fv < 0 || fv > a->cap)
			return 0;
		a->set[f] = 1;
		a->val[f] = fv;
		int ok = adv_search(a);
		a->set[f] = 0;
		return ok;
	}
	int next = -1;
	for (int i = 0; i < a->n; i++)
		if (!a->set[i]) {
			next = i;
			break;
		}
	if (next < 0)
		return 1;
	long long ub = adv_ub(a, next);
	int ok = 0;
	for (long long v = 0; v <= ub && !ok; v++) {
		a->set[next] = 1;
		a->val[next] = v;
		ok = adv_search(a);
	}
	a->set[next] = 0;
	return ok;
}

/* Run the adversary on a grid table: for every suppressed entry, is there an integer table
 * consistent with all published figures in which it takes another value? Returns how many
 * suppressed entries have no such table (pinned down). */
static int adversary(const rs_sdc_table *t, const struct grid *g, long long cap)
{
	static struct adv a;
	memset(&a, 0, sizeof a);
	a.t = t;
	a.n = rs_sdc_count(t);
	a.cap = cap;
	a.nrel = adv_relations(&a, g);
	int pinned = 0;
	for (int x = 0; x < a.n; x++) {
		if (rs_sdc_state(t, x) == RS_SDC_PUBLISHED)
			continue;
		int moved = 0;
		for (long long w = 0; w <= cap && !moved; w++) {
			if (w == rs_sdc_value(t, x))
				continue;
			for (int i = 0; i < a.n; i++) {
				a.unknown[i] = rs_sdc_state(t, i) != RS_SDC_PUBLISHED;
				a.set[i] = !a.unknown[i] || i == x;
				a.val[i] = i == x ? w : rs_sdc_value(t, i);
			}
			moved = adv_search(&a);
		}
		if (!moved)
			pinned++;
	}
	return pinned;
}

/* ---- Tests ----------------------------------------------------------------------------- */

static void one_small_cell_needs_a_partner(void **state)
{
	(void)state;
	/* Three groups and their total: the group of 3 is suppressed, and one more with it, or
	 * total - the others gives the 3 back. */
	rs_sdc_table *t = rs_sdc_new();
	int c[3] = { rs_sdc_add(t, 50, RS_SDC_CELL), rs_sdc_add(t, 3, RS_SDC_CELL), rs_sdc_add(t, 40, RS_SDC_CELL) };
	int total = rs_sdc_add(t, 93, RS_SDC_TOTAL);
	assert_int_equal(rs_sdc_relate(t, total, c, 3), 0);
	assert_int_equal(rs_sdc_protect(t, &k10), 0);
	assert_int_equal(rs_sdc_state(t, c[1]), RS_SDC_PRIMARY);
	assert_int_equal(rs_sdc_state(t, c[2]), RS_SDC_SECONDARY); /* the smaller of the others */
	assert_int_equal(rs_sdc_state(t, c[0]), RS_SDC_PUBLISHED);
	assert_int_equal(rs_sdc_state(t, total), RS_SDC_PUBLISHED);
	assert_int_equal(rs_sdc_audit(t, &k10, NULL, 0), 0);
	double lo, hi;
	assert_int_equal(rs_sdc_bounds(t, c[1], &lo, &hi), 0);
	assert_true(lo <= 0.001 && hi >= 42.999); /* anywhere in 0..43 */
	rs_sdc_free(t);
}

static void audit_catches_primary_only(void **state)
{
	(void)state;
	rs_sdc_table *t = rs_sdc_new();
	int c[2] = { rs_sdc_add(t, 30, RS_SDC_CELL), rs_sdc_add(t, 2, RS_SDC_CELL) };
	int total = rs_sdc_add(t, 32, RS_SDC_TOTAL);
	assert_int_equal(rs_sdc_relate(t, total, c, 2), 0);
	rs_sdc_force(t, c[1], RS_SDC_PRIMARY);
	int pin[2];
	assert_int_equal(rs_sdc_audit(t, &k10, pin, 2), 1);
	assert_int_equal(pin[0], c[1]);
	rs_sdc_free(t);
}

static void zeros_by_configuration(void **state)
{
	(void)state;
	for (int allow = 0; allow <= 1; allow++) {
		rs_sdc_table *t = rs_sdc_new();
		int c[3] = { rs_sdc_add(t, 0, RS_SDC_CELL), rs_sdc_add(t, 25, RS_SDC_CELL), rs_sdc_add(t, 30, RS_SDC_CELL) };
		int total = rs_sdc_add(t, 55, RS_SDC_TOTAL);
		assert_int_equal(rs_sdc_relate(t, total, c, 3), 0);
		struct rs_sdc_rules r = { 10, allow };
		assert_int_equal(rs_sdc_protect(t, &r), 0);
		assert_int_equal(rs_sdc_state(t, c[0]), allow ? RS_SDC_PUBLISHED : RS_SDC_PRIMARY);
		assert_int_equal(rs_sdc_audit(t, &r, NULL, 0), 0);
		rs_sdc_free(t);
	}
}

static void hidden_complement_is_protected(void **state)
{
	(void)state;
	/* 20 applicants, 19 examinees, 12 passers: one absentee (hidden: applicants - examinees)
	 * and 7 who failed (hidden) must not be recoverable. */
	rs_sdc_table *t = rs_sdc_new();
	int A = rs_sdc_add(t, 20, RS_SDC_CELL), E = rs_sdc_add(t, 19, RS_SDC_CELL), p = rs_sdc_add(t, 12, RS_SDC_CELL);
	int a = rs_sdc_add(t, 1, RS_SDC_HIDDEN), f = rs_sdc_add(t, 7, RS_SDC_HIDDEN);
	assert_int_equal(rs_sdc_relate(t, A, (int[]){ E, a }, 2), 0);
	assert_int_equal(rs_sdc_relate(t, E, (int[]){ p, f }, 2), 0);
	int rate = rs_sdc_measure(t, E, (int[]){ p }, 1);
	assert_int_equal(rs_sdc_protect(t, &k10), 0);
	assert_int_equal(rs_sdc_audit(t, &k10, NULL, 0), 0);
	/* Something of applicants/examinees went, and with 7 failers the passers went too. */
	assert_true(rs_sdc_state(t, A) != RS_SDC_PUBLISHED || rs_sdc_state(t, E) != RS_SDC_PUBLISHED);
	assert_true(rs_sdc_state(t, p) != RS_SDC_PUBLISHED || rs_sdc_state(t, E) != RS_SDC_PUBLISHED);
	assert_true(rs_sdc_measure_state(t, rate) != RS_SDC_PUBLISHED);
	rs_sdc_free(t);
}

static void measures_follow_their_base(void **state)
{
	(void)state;
	rs_sdc_table *t = rs_sdc_new();
	int E[3] = { rs_sdc_add(t, 8, RS_SDC_CELL), rs_sdc_add(t, 100, RS_SDC_CELL), rs_sdc_add(t, 120, RS_SDC_CELL) };
	int tot = rs_sdc_add(t, 228, RS_SDC_TOTAL);
	assert_int_equal(rs_sdc_relate(t, tot, E, 3), 0);
	int m[3], mt;
	for (int i = 0; i < 3; i++)
		m[i] = rs_sdc_measure(t, E[i], NULL, 0);
	mt = rs_sdc_measure(t, tot, NULL, 0);
	assert_int_equal(rs_sdc_protect(t, &k10), 0);
	assert_int_equal(rs_sdc_measure_state(t, m[0]), RS_SDC_PRIMARY);   /* base 8 < 10 */
	assert_int_equal(rs_sdc_measure_state(t, m[1]), RS_SDC_SECONDARY); /* its count went with the 8 */
	assert_int_equal(rs_sdc_measure_state(t, m[2]), RS_SDC_PUBLISHED);
	assert_int_equal(rs_sdc_measure_state(t, mt), RS_SDC_PUBLISHED);
	rs_sdc_free(t);
}

/* A 2 x 2 table where every row and column has two suppressed cells, yet the published
 * margins pin them: row 0 total 1 with cells (1, 0)... non-negativity decides. The module must
 * go further than the row/column rule. */
static void nonnegativity_is_an_attack(void **state)
{
	(void)state;
	struct grid g;
	const long long v[] = { 1, 0, 0, 30, 20, 25 };
	rs_sdc_table *t = grid_new(&g, 2, 3, v);
	/* Suppress the 1 and the zeros around it in a rectangle: rows sum 1 and 30. */
	rs_sdc_force(t, g.idx[0][0], RS_SDC_PRIMARY);
	rs_sdc_force(t, g.idx[0][1], RS_SDC_SECONDARY);
	rs_sdc_force(t, g.idx[1][0], RS_SDC_SECONDARY);
	rs_sdc_force(t, g.idx[1][1], RS_SDC_SECONDARY);
	/* x00 + x01 = 1, x10 + x11 = 30, x00 + x10 = 20, x01 + x11 = 30: x00 in {0, 1}? With column
	 * 1's total 30 and x11 <= 30: x01 = 30 - x11 ... the adversary decides; the audit must agree. */
	int adv = adversary(t, &g, 60);
	int aud = rs_sdc_audit(t, &k10, NULL, 0);
	assert_true(aud >= 0);
	assert_int_equal(adv > 0, aud > 0);
	assert_int_equal(rs_sdc_protect(t, &k10), 0);
	assert_int_equal(adversary(t, &g, 60), 0);
	rs_sdc_free(t);
}

/* Random small tables: after rs_sdc_protect the exhaustive adversary pins nothing, and the
 * module's audit never calls a table safe that the adversary breaks. */
static void adversary_on_random_tables(void **state)
{
	(void)state;
	unsigned seed = 12345;
	int broken_primary_only = 0, tables = 0;
	for (int trial = 0; trial < 300; trial++) {
		int r = 2 + (int)(seed % 2), c = 2 + (int)((seed / 2) % 2);
		long long v[9];
		for (int i = 0; i < r * c; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned x = (seed >> 16) % 100;
			v[i] = x < 35 ? (long long)(x % 6) : (long long)(x % 20);
		}
		struct rs_sdc_rules rules = { 5, (int)(trial % 3 != 0) };
		struct grid g;
		/* Primary suppression only: whatever the adversary breaks, the audit must see. */
		rs_sdc_table *t = grid_new(&g, r, c, v);
		for (int i = 0; i < rs_sdc_count(t); i++) {
			long long x = rs_sdc_value(t, i);
			if (x < rules.k && (x > 0 || !rules.allow_zero))
				rs_sdc_force(t, i, RS_SDC_PRIMARY);
		}
		int adv = adversary(t, &g, 80);
		int aud = rs_sdc_audit(t, &rules, NULL, 0);
		assert_true(aud >= 0);
		if (adv > 0) {
			broken_primary_only++;
			assert_true(aud > 0);
		}
		rs_sdc_free(t);
		/* The protected table. */
		t = grid_new(&g, r, c, v);
		assert_int_equal(rs_sdc_protect(t, &rules), 0);
		assert_int_equal(rs_sdc_audit(t, &rules, NULL, 0), 0);
		if (adversary(t, &g, 80) != 0) {
			for (int i = 0; i < rs_sdc_count(t); i++)
				fprintf(stderr, "%lld:%d ", rs_sdc_value(t, i), rs_sdc_state(t, i));
			fprintf(stderr, "\n");
			fail_msg("trial %d: the adversary recomputed a suppressed cell", trial);
		}
		rs_sdc_free(t);
		tables++;
	}
	/* The attack is real: primary suppression alone leaks in many of these tables. */
	assert_true(broken_primary_only > tables / 10);
	printf("# %d random tables; primary suppression alone was broken in %d\n", tables, broken_primary_only);
}

static void bad_rules_and_bad_totals(void **state)
{
	(void)state;
	rs_sdc_table *t = rs_sdc_new();
	int a = rs_sdc_add(t, 5, RS_SDC_CELL), b = rs_sdc_add(t, 6, RS_SDC_TOTAL);
	assert_int_equal(rs_sdc_relate(t, b, &a, 1), -1);
	struct rs_sdc_rules bad = { 0, 1 };
	assert_int_equal(rs_sdc_protect(t, &bad), -1);
	rs_sdc_free(t);
	rs_sdc_free(NULL);
}

/* Relations that pin a figure whatever is suppressed: t = a + b and a = t + c force b = c = 0
 * (non-negativity). With zeros suppressed, nothing can protect b: the table is refused as
 * not releasable (RS_ESTATE, stats5), not released and not reported as a fault. */
static void unprotectable_table_is_refused(void **state)
{
	(void)state;
	rs_sdc_table *t = rs_sdc_new();
	int tot = rs_sdc_add(t, 20, RS_SDC_TOTAL), a = rs_sdc_add(t, 20, RS_SDC_CELL);
	int b = rs_sdc_add(t, 0, RS_SDC_CELL), c = rs_sdc_add(t, 0, RS_SDC_CELL);
	assert_int_equal(rs_sdc_relate(t, tot, (int[]){ a, b }, 2), 0);
	assert_int_equal(rs_sdc_relate(t, a, (int[]){ tot, c }, 2), 0);
	struct rs_sdc_rules no_zeros = { 10, 0 };
	assert_int_equal(rs_sdc_protect(t, &no_zeros), RS_ESTATE);
	rs_sdc_free(t);
}

/* Figures another release fixed (rs_sdc_fix, stats8: the whole table when its filter slices
 * are protected) are never chosen as complements: the partner of the small cell is the one
 * figure left free; with none left the table is refused. */
static void fixed_figures_are_never_complements(void **state)
{
	(void)state;
	for (int both = 0; both < 2; both++) {
		rs_sdc_table *t = rs_sdc_new();
		int c[3] = { rs_sdc_add(t, 50, RS_SDC_CELL), rs_sdc_add(t, 3, RS_SDC_CELL), rs_sdc_add(t, 40, RS_SDC_CELL) };
		int total = rs_sdc_add(t, 93, RS_SDC_TOTAL);
		assert_int_equal(rs_sdc_relate(t, total, c, 3), 0);
		rs_sdc_fix(t, c[2], RS_SDC_PUBLISHED);
		rs_sdc_fix(t, total, RS_SDC_PUBLISHED);
		if (both)
			rs_sdc_fix(t, c[0], RS_SDC_PUBLISHED);
		if (both) {
			assert_int_equal(rs_sdc_protect(t, &k10), RS_ESTATE);
		} else {
			assert_int_equal(rs_sdc_protect(t, &k10), 0);
			assert_int_equal(rs_sdc_state(t, c[1]), RS_SDC_PRIMARY);
			assert_int_equal(rs_sdc_state(t, c[0]), RS_SDC_SECONDARY); /* not the smaller, fixed c[2] */
			assert_int_equal(rs_sdc_state(t, c[2]), RS_SDC_PUBLISHED);
			assert_int_equal(rs_sdc_audit(t, &k10, NULL, 0), 0);
		}
		rs_sdc_free(t);
	}
}

/* A slice's cell that equals a fixed published figure (the whole's, when one slice holds it)
 * is published: holding it back would protect nothing, so the small cell beside it takes
 * the slice's total as its partner instead of being refused. */
static void a_figure_fixed_figures_imply_is_published(void **state)
{
	(void)state;
	rs_sdc_table *t = rs_sdc_new();
	int w = rs_sdc_add(t, 30, RS_SDC_CELL), s = rs_sdc_add(t, 30, RS_SDC_CELL), q = rs_sdc_add(t, 3, RS_SDC_CELL);
	int tot = rs_sdc_add(t, 33, RS_SDC_TOTAL);
	assert_int_equal(rs_sdc_relate(t, w, &s, 1), 0);
	assert_int_equal(rs_sdc_relate(t, tot, (int[]){ s, q }, 2), 0);
	rs_sdc_fix(t, w, RS_SDC_PUBLISHED);
	assert_int_equal(rs_sdc_protect(t, &k10), 0);
	assert_int_equal(rs_sdc_state(t, q), RS_SDC_PRIMARY);
	assert_int_equal(rs_sdc_state(t, s), RS_SDC_PUBLISHED);
	assert_int_equal(rs_sdc_state(t, tot), RS_SDC_SECONDARY);
	assert_int_equal(rs_sdc_audit(t, &k10, NULL, 0), 0);
	rs_sdc_free(t);
}

/* stats9: a figure fixed figures imply through a hidden one is published too — a slice's month
 * that is its quarter's only one, the quarter's total published by a linked table, the
 * quarter's month cell hidden. Held back, it would protect nothing and could not be freed. */
static void a_figure_implied_through_a_hidden_one_is_published(void **state)
{
	(void)state;
	rs_sdc_table *t = rs_sdc_new();
	/* The quarter's, the half's and the year's cells of the month, hidden: a chain longer
	 * than the reach of a star stage's linear programmes; when they find nothing the
	 * cheapest figure is taken, and m held back so (forced here) could never be freed. */
	int qtot = rs_sdc_add(t, 31, RS_SDC_TOTAL), h[3];
	for (int i = 0; i < 3; i++)
		h[i] = rs_sdc_add(t, 31, RS_SDC_HIDDEN);
	int m = rs_sdc_add(t, 31, RS_SDC_CELL), n = rs_sdc_add(t, 4, RS_SDC_CELL), o = rs_sdc_add(t, 40, RS_SDC_CELL);
	int tot = rs_sdc_add(t, 75, RS_SDC_TOTAL);
	assert_int_equal(rs_sdc_relate(t, qtot, &h[0], 1), 0);
	assert_int_equal(rs_sdc_relate(t, h[1], &h[0], 1), 0);
	assert_int_equal(rs_sdc_relate(t, h[2], &h[1], 1), 0);
	assert_int_equal(rs_sdc_relate(t, m, &h[2], 1), 0);
	assert_int_equal(rs_sdc_relate(t, tot, (int[]){ m, n, o }, 3), 0);
	rs_sdc_fix(t, qtot, RS_SDC_PUBLISHED);
	rs_sdc_force(t, m, RS_SDC_SECONDARY);
	assert_int_equal(rs_sdc_protect(t, &k10), 0);
	assert_int_equal(rs_sdc_state(t, n), RS_SDC_PRIMARY);
	assert_int_equal(rs_sdc_state(t, m), RS_SDC_PUBLISHED);
	assert_int_equal(rs_sdc_state(t, o), RS_SDC_SECONDARY);
	assert_int_equal(rs_sdc_audit(t, &k10, NULL, 0), 0);
	rs_sdc_free(t);
}

/* stats9: parts of a published total that the published parts already add up to are 0 (no
 * count is negative) — a score band empty in the whole is empty in every slice: held back
 * (forced here, as the cheapest complement once was), a 0 could never be freed. */
static void zeros_a_published_total_implies_are_published(void **state)
{
	(void)state;
	struct rs_sdc_rules zero_ok = { 10, 1 };
	rs_sdc_table *t = rs_sdc_new();
	int whole = rs_sdc_add(t, 0, RS_SDC_TOTAL), a = rs_sdc_add(t, 0, RS_SDC_CELL), b = rs_sdc_add(t, 0, RS_SDC_CELL);
	assert_int_equal(rs_sdc_relate(t, whole, (int[]){ a, b }, 2), 0);
	rs_sdc_fix(t, whole, RS_SDC_PUBLISHED);
	rs_sdc_force(t, a, RS_SDC_SECONDARY);
	rs_sdc_force(t, b, RS_SDC_SECONDARY);
	assert_int_equal(rs_sdc_protect(t, &zero_ok), 0);
	assert_int_equal(rs_sdc_state(t, a), RS_SDC_PUBLISHED);
	assert_int_equal(rs_sdc_state(t, b), RS_SDC_PUBLISHED);
	assert_int_equal(rs_sdc_audit(t, &zero_ok, NULL, 0), 0);
	rs_sdc_free(t);
}

/* rs_sdc_limit: a table that would hold back more figures than allowed is refused (RS_ESTATE),
 * the same table without the limit is protected. */
static void a_limit_refuses_what_would_hold_back_too_much(void **state)
{
	(void)state;
	for (int limit = 1; limit >= 0; limit--) {
		rs_sdc_table *t = rs_sdc_new();
		int c[4] = { rs_sdc_add(t, 50, RS_SDC_CELL), rs_sdc_add(t, 3, RS_SDC_CELL), rs_sdc_add(t, 4, RS_SDC_CELL),
			         rs_sdc_add(t, 40, RS_SDC_CELL) };
		int total = rs_sdc_add(t, 97, RS_SDC_TOTAL);
		assert_int_equal(rs_sdc_relate(t, total, c, 4), 0);
		rs_sdc_limit(t, limit);
		assert_int_equal(rs_sdc_protect(t, &k10), limit ? RS_ESTATE : 0);
		rs_sdc_free(t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_small_cell_needs_a_partner),
		cmocka_unit_test(audit_catches_primary_only),
		cmocka_unit_test(zeros_by_configuration),
		cmocka_unit_test(hidden_complement_is_protected),
		cmocka_unit_test(measures_follow_their_base),
		cmocka_unit_test(nonnegativity_is_an_attack),
		cmocka_unit_test(adversary_on_random_tables),
		cmocka_unit_test(bad_rules_and_bad_totals),
		cmocka_unit_test(unprotectable_table_is_refused),
		cmocka_unit_test(fixed_figures_are_never_complements),
		cmocka_unit_test(a_figure_fixed_figures_imply_is_published),
		cmocka_unit_test(a_figure_implied_through_a_hidden_one_is_published),
		cmocka_unit_test(zeros_a_published_total_implies_are_published),
		cmocka_unit_test(a_limit_refuses_what_would_hold_back_too_much),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
