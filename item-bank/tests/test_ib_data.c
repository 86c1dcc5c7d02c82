/* Unit tests of the item-bank response readers: valid wide/long TSV and every
 * kind of bad input giving one clear error that names the line or item. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "ib_data.h"
#include "rs_error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LSAT7 RS_SOURCE_ROOT "/tests/data/lsat7.tsv"

static int ib_t_wide(struct ib_data **d, const char *s)
{
	return ib_data_read_wide(d, s, strlen(s), NULL);
}

static void ib_t_has(const char *needle)
{
	const char *msg = rs_error_last();
	if (!strstr(msg, needle))
		fail_msg("error '%s' does not mention '%s'", msg, needle);
}

static void test_lsat7_proportions(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	assert_int_equal(ib_data_load(&d, LSAT7, 0, NULL), 0);
	assert_int_equal(d->n_items, 5);
	assert_int_equal(d->n_persons, 32);
	double n[5], r[5], tot = 0;
	ib_data_item_counts(d, n, r);
	for (size_t i = 0; i < d->n_persons; i++)
		tot += d->weight[i];
	assert_true(tot == 1000);
	/* Proportions correct published with the data. */
	const double p[5] = { .828, .658, .772, .606, .843 };
	for (int j = 0; j < 5; j++)
		assert_true(fabs(r[j] / n[j] - p[j]) < 0.0005);
	assert_string_equal(d->item_ids[2], "item3");
	ib_data_free(d);
}

static void test_wide_missing_is_sparse(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	assert_int_equal(ib_t_wide(&d, "id\ta\tb\tc\r\np1\t1\tNA\t0\r\np2\t\t1\t.\r\n\np3\t0\t0\t1\n"), 0);
	assert_int_equal(d->n_persons, 3);
	assert_int_equal(d->n_resp, 9 - 3);
	assert_int_equal(d->row_start[2] - d->row_start[1], 1);
	assert_int_equal(IB_RESP_ITEM(d->resp[d->row_start[1]]), 1);
	ib_data_free(d);
}

static void test_wide_ragged_row(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	assert_int_equal(ib_t_wide(&d, "id\ta\tb\np1\t1\t0\np2\t1\n"), RS_EPARSE);
	assert_null(d);
	ib_t_has("line 3");
	ib_t_has("ragged");
}

static void test_wide_two_in_column(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	assert_int_equal(ib_t_wide(&d, "id\ta\tb\np1\t1\t0\np2\t1\t2\n"), RS_EPARSE);
	ib_t_has("line 3");
	ib_t_has("item 'b'");
	ib_t_has("dichotomous");
}

static void test_wide_item_nobody_answered(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	assert_int_equal(ib_t_wide(&d, "id\ta\tghost\tb\np1\t1\t\t0\np2\t0\tNA\t1\n"), RS_EINVAL);
	ib_t_has("'ghost'");
	ib_t_has("nobody");
}

static void test_empty_and_header_only(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	assert_int_equal(ib_t_wide(&d, ""), RS_EPARSE);
	ib_t_has("empty");
	assert_int_equal(ib_t_wide(&d, "id\ta\tb\n"), RS_EPARSE);
	ib_t_has("no data rows");
	assert_int_equal(ib_data_read_long(&d, "", 0, NULL), RS_EPARSE);
	ib_t_has("empty");
	assert_int_equal(ib_t_wide(&d, "just some words\nand more\n"), RS_EPARSE);
	ib_t_has("no item columns");
}

static void test_garbage_and_size_bound(void **state)
{
	(void)state;
	size_t n = 1 << 20;
	char *g = malloc(n);
	assert_non_null(g);
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		g[i] = (char)(x >> 16);
	}
	struct ib_data *d = NULL;
	assert_true(ib_data_read_wide(&d, g, n, NULL) < 0);
	assert_null(d);
	assert_true(strlen(rs_error_last()) > 0);
	assert_true(ib_data_read_long(&d, g, n, NULL) < 0);
	assert_null(d);
	struct ib_read_opts o = { .max_bytes = 1000 };
	assert_int_equal(ib_data_read_wide(&d, g, n, &o), RS_ETOOBIG);
	free(g);
}

static void test_freq_column(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	assert_int_equal(ib_t_wide(&d, "id\ta\tfreq\tb\np1\t1\t3\t0\np2\t0\t2\t1\n"), 0);
	assert_int_equal(d->n_items, 2);
	assert_true(d->weight[0] == 3 && d->weight[1] == 2);
	ib_data_free(d);
	assert_int_equal(ib_t_wide(&d, "id\ta\tfreq\np1\t1\t-3\n"), RS_EPARSE);
	ib_t_has("line 2");
	ib_t_has("freq");
}

static void test_long_format(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	const char *s = "person\titem\tscore\nann\tq1\t1\nbob\tq2\t0\nann\tq2\t1\n";
	assert_int_equal(ib_data_read_long(&d, s, strlen(s), NULL), 0);
	assert_int_equal(d->n_persons, 2);
	assert_int_equal(d->n_items, 2);
	assert_string_equal(d->person_ids[0], "ann");
	assert_int_equal(d->row_start[1], 2);
	ib_data_free(d);
	s = "ann\tq1\t1\nbob\tq2\t0\nann\tq1\t0\n";
	assert_int_equal(ib_data_read_long(&d, s, strlen(s), NULL), RS_EPARSE);
	ib_t_has("line 3");
	ib_t_has("first on line 1");
	s = "ann\tq1\t1\nbob\tq2\t2\n";
	assert_int_equal(ib_data_read_long(&d, s, strlen(s), NULL), RS_EPARSE);
	ib_t_has("line 2");
	ib_t_has("'q2'");
	s = "ann\tq1\n";
	assert_int_equal(ib_data_read_long(&d, s, strlen(s), NULL), RS_EPARSE);
	ib_t_has("line 1");
}

static void test_options_with_key_and_groups(void **state)
{
	(void)state;
	struct ib_data *d = NULL;
	const char *keep[] = { "gender" };
	struct ib_read_opts o = { .keep_cols = keep, .n_keep_cols = 1, .allow_options = 1 };
	const char *s = "id\tgender\tq1\tq2\nKEY\t\tB\tA\np1\tF\tB\tC\np2\tM\tA\tA\n";
	assert_int_equal(ib_data_read_wide(&d, s, strlen(s), &o), 0);
	assert_int_equal(d->n_items, 2);
	assert_int_equal(d->n_persons, 2);
	assert_int_equal(d->n_covars, 1);
	assert_string_equal(d->covar[1], "M");
	/* p1 chose the key B for q1 (right) and C for q2 (wrong). */
	assert_int_equal(IB_RESP_SCORE(d->resp[0]), 1);
	assert_int_equal(IB_RESP_SCORE(d->resp[1]), 0);
	assert_int_equal(d->option[1], 2);
	ib_data_free(d);
	s = "id\tq1\np1\tB\n";
	assert_int_equal(ib_data_read_wide(&d, s, strlen(s), &o), RS_EINVAL);
	ib_t_has("gender");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lsat7_proportions),
		cmocka_unit_test(test_wide_missing_is_sparse),
		cmocka_unit_test(test_wide_ragged_row),
		cmocka_unit_test(test_wide_two_in_column),
		cmocka_unit_test(test_wide_item_nobody_answered),
		cmocka_unit_test(test_empty_and_header_only),
		cmocka_unit_test(test_garbage_and_size_bound),
		cmocka_unit_test(test_freq_column),
		cmocka_unit_test(test_long_format),
		cmocka_unit_test(test_options_with_key_and_groups),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
