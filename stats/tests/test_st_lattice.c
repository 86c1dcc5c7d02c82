/* The period lattice's joint tables (stats/st_lattice.c): every period's slice sums its
 * quarters, and a small figure suppressed in a quarter cannot be recovered by subtracting a
 * published quarter from a published longer period, nor from the quarter's total. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "st_lattice.h"

#include <string.h>

static const struct rs_sdc_rules k10 = { 10, 1 };
static const struct st_lat_spec one = { 1, 1, 0, 0, NULL, NULL };

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
		cmocka_unit_test(periods_of_the_fiscal_year),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
