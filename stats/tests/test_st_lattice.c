/* The period lattice's joint tables (stats/st_lattice.c): every period's slice sums its
 * quarters, and a small figure suppressed in a quarter cannot be recovered by subtracting a
 * published quarter from a published longer period, nor from the quarter's total; and the
 * filter star: a centre's or a prefecture's slice cannot be subtracted from the whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "rs_error.h"
#include "st_lattice.h"

#include <string.h>

static const struct rs_sdc_rules k10 = { 10, 1 };
static const struct st_lat_spec one = { 1, 1, 0, 0, NULL, NULL, 0 };

/* Groups A and B in fiscal 2025: A has 3 in Q1 (April) and 40 in Q2 (July); B 50 and 60. */
static int atoms(struct st_lat_atom *a)
{
	static const char *const g[] = { "A", "A", "B", "B" }, *const m[] = { "2025-04", "2025-07", "2025-04", "2025-07" };
	static const long long v[] = { 3, 40, 50, 60 };
	memset(a, 0, 4 * sizeof *a);
	for (int i = 0; i < 4; i++) {
		a[i].group = g[i];
		a[i].month = m[i];
		a[i].v[0] = v[i];
	}
	return 4;
}

/* value and state of group key (NULL: the total) in period (fy, p). */
static void cell(const json_t *j, int fy, int p, const char *key, long long *v, int *state)
{
	const json_t *c = st_lat_cell(j, st_lat_cells(j, fy, p), key);
	assert_non_null(c);
	*v = (long long)json_integer_value(json_array_get(c, 0));
	*state = (int)json_integer_value(json_array_get(c, 1));
}

static void slices_sum_their_quarters(void **state)
{
	(void)state;
	struct st_lat_atom a[4];
	int n = atoms(a);
	json_t *j = NULL;
	assert_int_equal(st_lat_protected(&j, &one, a, n, &k10, 1), 0);
	long long v;
	int s;
	const struct { int fy, p; const char *key; long long want; } want[] = {
		{ -1, 0, "A", 43 }, { 2025, 0, "A", 43 }, { 2025, 1, "A", 43 }, { 2025, 3, "A", 3 }, { 2025, 4, "A", 40 },
		{ 2025, 1, "B", 110 }, { 2025, 3, NULL, 53 }, { -1, 0, NULL, 153 },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		cell(j, want[i].fy, want[i].p, want[i].key, &v, &s);
		assert_int_equal(v, want[i].want);
		assert_int_equal(s, RS_SDC_PUBLISHED); /* raw */
	}
	/* No figures in H2 or its quarters: no slice; fiscal 2024 is not in it at all. */
	assert_null(st_lat_cells(j, 2025, 2));
	assert_null(st_lat_cells(j, 2025, 5));
	assert_null(st_lat_cells(j, 2024, 0));
	json_decref(j);
}

static void a_small_quarter_cannot_be_differenced(void **state)
{
	(void)state;
	struct st_lat_atom a[4];
	int n = atoms(a);
	json_t *j = NULL;
	assert_int_equal(st_lat_protected(&j, &one, a, n, &k10, 0), 0);
	long long v, q2;
	int s, s2, sb, st;
	cell(j, 2025, 3, "A", &v, &s);
	assert_int_equal(s, RS_SDC_PRIMARY);
	/* A's Q1 = A over any longer period - A's Q2: never both published. */
	cell(j, 2025, 4, "A", &q2, &s2);
	const int longer[][2] = { { -1, 0 }, { 2025, 0 }, { 2025, 1 } };
	for (int i = 0; i < 3; i++) {
		cell(j, longer[i][0], longer[i][1], "A", &v, &s);
		assert_false(s == RS_SDC_PUBLISHED && s2 == RS_SDC_PUBLISHED);
	}
	/* Nor the quarter's total - B's Q1. */
	cell(j, 2025, 3, "B", &v, &sb);
	cell(j, 2025, 3, NULL, &v, &st);
	assert_false(sb == RS_SDC_PUBLISHED && st == RS_SDC_PUBLISHED);
	json_decref(j);
}

static void the_hash_follows_the_figures(void **state)
{
	(void)state;
	struct st_lat_atom a[4], b[4];
	int n = atoms(a);
	atoms(b);
	assert_true(st_lat_hash(a, n) == st_lat_hash(b, n));
	assert_true(st_lat_hash(a, n) >= 0);
	b[1].v[0] = 41;
	assert_false(st_lat_hash(a, n) == st_lat_hash(b, n));
	b[1].v[0] = 40;
	b[1].month = "2025-08";
	assert_false(st_lat_hash(a, n) == st_lat_hash(b, n));
}

/* The filter star (stats7): slice 0 the whole, 1-2 the centres X and Y, 3-5 the prefectures
 * P1, P2 and "not answered" (hidden). Group A: 60 = X 55 + Y 5 = P1 30 + P2 27 + 3; B: 100 =
 * 50 + 50 = 50 + 50. */
static const int star_part[] = { 0, 0, 0, 1, 1, 1 };
static const unsigned char star_hidden[] = { 0, 0, 0, 0, 0, 1 };
static const struct st_lat_star star6 = { 6, 2, star_part, star_hidden };

static int star_atoms(struct st_lat_atom *a)
{
	static const int sl[] = { 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5 };
	static const char *const g[] = { "A", "B", "A", "B", "A", "B", "A", "B", "A", "B", "A" };
	static const long long v[] = { 60, 100, 55, 50, 5, 50, 30, 50, 27, 50, 3 };
	memset(a, 0, 11 * sizeof *a);
	for (int i = 0; i < 11; i++) {
		a[i].group = g[i];
		a[i].month = "2025-04";
		a[i].v[0] = v[i];
		a[i].slice = sl[i];
	}
	return 11;
}

static void a_filter_slice_cannot_be_differenced(void **state)
{
	(void)state;
	struct st_lat_atom a[11];
	int n = star_atoms(a);
	json_t *j[6];
	assert_int_equal(st_lat_star_protected(j, &one, a, n, &star6, &k10, 0), 0);
	assert_null(j[5]); /* hidden: never released */
	long long v;
	int sw, sx, sy, s1, s2;
	cell(j[2], -1, 0, "A", &v, &sy);
	assert_int_equal(v, 5);
	assert_int_equal(sy, RS_SDC_PRIMARY);
	/* Y's A = the whole's A - X's A: never both published; nor Y's total = whole - X's. */
	cell(j[0], -1, 0, "A", &v, &sw);
	cell(j[1], -1, 0, "A", &v, &sx);
	assert_false(sw == RS_SDC_PUBLISHED && sx == RS_SDC_PUBLISHED);
	/* The 3 who did not answer = the whole's A - P1's A - P2's A. */
	cell(j[3], -1, 0, "A", &v, &s1);
	cell(j[4], -1, 0, "A", &v, &s2);
	assert_false(sw == RS_SDC_PUBLISHED && s1 == RS_SDC_PUBLISHED && s2 == RS_SDC_PUBLISHED);
	/* Every slice is consistent with the whole: B, published everywhere, adds up. */
	long long b[5];
	for (int s = 0; s < 5; s++) {
		int st;
		cell(j[s], -1, 0, "B", &b[s], &st);
	}
	assert_int_equal(b[0], b[1] + b[2]);
	assert_int_equal(b[0], b[3] + b[4]);
	for (int s = 0; s < 5; s++)
		json_decref(j[s]);
	/* Protected one slice at a time, the whole and X would both publish A: the attack the
	 * star closes. */
	json_t *w = NULL, *x = NULL;
	assert_int_equal(st_lat_protected(&w, &one, a, n, &k10, 0), 0);
	for (int i = 0; i < n; i++)
		a[i].slice = a[i].slice == 1 ? 0 : a[i].slice == 0 ? 1 : a[i].slice;
	assert_int_equal(st_lat_protected(&x, &one, a, n, &k10, 0), 0);
	cell(w, -1, 0, "A", &v, &sw);
	cell(x, -1, 0, "A", &v, &sx);
	assert_int_equal(v, 55);
	assert_true(sw == RS_SDC_PUBLISHED && sx == RS_SDC_PUBLISHED);
	json_decref(w);
	json_decref(x);
}

/* stats9: a partition that cannot be protected whole is tried once more with its slices below
 * the partition's mean withheld — their figures hidden complements, their releases refused —
 * so the large slice is released. Centre X (A 100, B 100) and the small Y (3, 2) and Z (2, 3);
 * a stage may hold back 2 figures here: all three slices need 4. */
static void small_slices_are_withheld_so_the_large_one_is_released(void **state)
{
	(void)state;
	static const int part[] = { 0, 0, 0, 0 };
	struct st_lat_star star = { 4, 1, part, NULL, NULL, NULL, NULL, NULL, 0, 0, 2 };
	static const int sl[] = { 0, 0, 1, 1, 2, 2, 3, 3 };
	static const char *const g[] = { "A", "B", "A", "B", "A", "B", "A", "B" };
	static const long long v[] = { 105, 105, 100, 100, 3, 2, 2, 3 };
	struct st_lat_atom a[8];
	memset(a, 0, sizeof a);
	for (int i = 0; i < 8; i++) {
		a[i].group = g[i];
		a[i].month = "2025-04";
		a[i].v[0] = v[i];
		a[i].slice = sl[i];
	}
	json_t *j[4];
	assert_int_equal(st_lat_star_protected(j, &one, a, 8, &star, &k10, 0), 0);
	long long x;
	int st;
	cell(j[1], -1, 0, "A", &x, &st);
	assert_int_equal(x, 100);
	assert_int_equal(st, RS_SDC_PUBLISHED);
	cell(j[1], -1, 0, "B", &x, &st);
	assert_int_equal(st, RS_SDC_PUBLISHED);
	assert_true(st_lat_is_refused(j[2]));
	assert_true(st_lat_is_refused(j[3]));
	for (int s = 0; s < 4; s++)
		json_decref(j[s]);
}

/* A partition whose slices do not add up to the whole is refused, not protected. */
static void a_star_that_does_not_add_up_is_refused(void **state)
{
	(void)state;
	struct st_lat_atom a[11];
	int n = star_atoms(a);
	a[2].v[0] = 54; /* X's A */
	json_t *j[6];
	assert_int_equal(st_lat_star_protected(j, &one, a, n, &star6, &k10, 0), RS_EINVAL);
	for (int s = 0; s < 6; s++)
		assert_null(j[s]);
}

static void periods_of_the_fiscal_year(void **state)
{
	(void)state;
	int fy, fm, lo, hi;
	st_fiscal_of("2026-03", &fy, &fm);
	assert_int_equal(fy, 2025);
	assert_int_equal(fm, 11);
	st_fiscal_of("2025-04-01", &fy, &fm);
	assert_int_equal(fy, 2025);
	assert_int_equal(fm, 0);
	st_period_months(2, &lo, &hi); /* H2: October-March */
	assert_int_equal(lo, 6);
	assert_int_equal(hi, 11);
	st_period_months(6, &lo, &hi); /* Q4: January-March */
	assert_int_equal(lo, 9);
	assert_int_equal(hi, 11);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(slices_sum_their_quarters),
		cmocka_unit_test(a_small_quarter_cannot_be_differenced),
		cmocka_unit_test(the_hash_follows_the_figures),
		cmocka_unit_test(a_filter_slice_cannot_be_differenced),
		cmocka_unit_test(a_star_that_does_not_add_up_is_refused),
		cmocka_unit_test(small_slices_are_withheld_so_the_large_one_is_released),
		cmocka_unit_test(periods_of_the_fiscal_year),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
