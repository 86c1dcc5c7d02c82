/* The message catalogue: lookup, placeholders in either order, truncation that keeps UTF-8
 * whole, and errors recorded by id read back in both languages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "rs_error.h"
#include "rs_msg.h"

static void test_table_sorted_and_found(void **state)
{
	(void)state;
	assert_true(rs_msg_table_len > 10);
	for (unsigned i = 1; i < rs_msg_table_len; i++)
		assert_true(strcmp(rs_msg_table[i - 1].id, rs_msg_table[i].id) < 0);
	for (unsigned i = 0; i < rs_msg_table_len; i++)
		assert_ptr_equal(rs_msg_find(rs_msg_table[i].id), &rs_msg_table[i]);
	assert_null(rs_msg_find("no.such.message"));
	assert_null(rs_msg_text(NULL, 0));
	assert_string_equal(rs_msg_text("problem.not-found", 0), "見つかりません");
	assert_string_equal(rs_msg_text("problem.not-found", 1), "Not found");
}

static void test_subst(void **state)
{
	(void)state;
	char out[64];
	const char *args[] = { "000007", "2027-04-01", NULL };
	rs_msg_subst(out, sizeof out, "{1} から {0} は有効", args);
	assert_string_equal(out, "2027-04-01 から 000007 は有効");
	rs_msg_subst(out, sizeof out, "{0} and {5} and {x}", args);
	assert_string_equal(out, "000007 and {5} and {x}");
	rs_msg_subst(out, sizeof out, "no args {0}", NULL);
	assert_string_equal(out, "no args {0}");
	assert_int_equal(rs_msg_format(out, sizeof out, "no.such.id", 0, NULL), strlen("no.such.id"));
	assert_string_equal(out, "no.such.id");
}

static void test_truncation_keeps_utf8(void **state)
{
	(void)state;
	/* "登録" is 6 bytes; a 5-byte buffer holds one character (3 bytes) and the NUL. */
	char out[5];
	rs_msg_subst(out, sizeof out, "登録", NULL);
	assert_string_equal(out, "登");
	char small[8];
	const char *args[] = { "ああああ", NULL };
	rs_msg_subst(small, sizeof small, "x{0}", args);
	assert_string_equal(small, "xああ");
}

static void test_error_by_id(void **state)
{
	(void)state;
	rs_error_msg("problem.not-found.detail", NULL);
	assert_string_equal(rs_error_last_id(), "problem.not-found.detail");
	assert_string_equal(rs_error_last(), "There is nothing at this address.");
	char out[256];
	assert_string_equal(rs_error_last_text(out, sizeof out, 0), "このアドレスには何もありません。");
	rs_error_set("plain %d", 3);
	assert_null(rs_error_last_id());
	assert_string_equal(rs_error_last_text(out, sizeof out, 0), "plain 3");
	rs_error_clear();
	assert_null(rs_error_last_id());
	assert_string_equal(rs_error_last(), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_sorted_and_found),
		cmocka_unit_test(test_subst),
		cmocka_unit_test(test_truncation_keeps_utf8),
		cmocka_unit_test(test_error_by_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
