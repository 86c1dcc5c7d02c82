/* Unit tests of common/log.c: one line per event with the thread's request id, levels
 * filter, control characters are escaped. stderr is redirected to a file and read back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rs_log.h"

static char out_path[] = "/tmp/riss-test-log-XXXXXX";
static int saved_stderr = -1;

/* Run the logging calls in between with stderr going to a fresh file; return its text. */
static void capture_begin(void)
{
	int fd = mkstemp(out_path);
	assert_true(fd >= 0);
	fflush(stderr);
	saved_stderr = dup(2);
	assert_true(dup2(fd, 2) >= 0);
	close(fd);
}

static char *capture_end(void)
{
	fflush(stderr);
	assert_true(dup2(saved_stderr, 2) >= 0);
	close(saved_stderr);
	FILE *f = fopen(out_path, "r");
	assert_non_null(f);
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	unlink(out_path);
	memcpy(out_path + strlen(out_path) - 6, "XXXXXX", 6);
	return buf;
}

static void test_request_id_and_levels(void **state)
{
	(void)state;
	rs_log_set_level(RS_LOG_WARN);
	assert_false(rs_log_enabled(RS_LOG_INFO));
	assert_true(rs_log_enabled(RS_LOG_WARN));
	assert_true(rs_log_enabled(RS_LOG_ERROR));
	capture_begin();
	rs_info("hidden %d", 1);
	rs_log_set_request_id("0123456789abcdef");
	rs_warn("shown %d", 2);
	rs_log_set_request_id(NULL);
	rs_err("no id");
	/* An over-long id is cut to 39 bytes, never overflows. */
	rs_log_set_request_id("ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ");
	rs_warn("long id");
	rs_log_set_request_id(NULL);
	char *text = capture_end();
	assert_null(strstr(text, "hidden"));
	assert_non_null(strstr(text, " WARN [0123456789abcdef] shown 2\n"));
	assert_non_null(strstr(text, " ERROR no id\n"));
	assert_non_null(strstr(text, "[ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHI] long id\n"));
	rs_log_set_level(RS_LOG_INFO);
	assert_true(rs_log_enabled(RS_LOG_INFO));
}

static void test_one_event_one_line(void **state)
{
	(void)state;
	capture_begin();
	rs_info("two\nlines\tand a bell\a");
	char *text = capture_end();
	char *nl = strchr(text, '\n');
	assert_non_null(nl);
	assert_int_equal(nl[1], '\0');
	assert_non_null(strstr(text, "two"));
	assert_non_null(strstr(text, "lines"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_id_and_levels),
		cmocka_unit_test(test_one_event_one_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
