/* Unit tests of the config table: defaults, files, environment, bad values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rs_config.h"
#include "rs_error.h"

static char *write_tmp(const char *text)
{
	static char path[64];
	snprintf(path, sizeof path, "/tmp/riss-cfg-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_defaults(void **state)
{
	(void)state;
	rs_config_reset();
	assert_int_equal(rs_config_int("http_port"), 8080);
	assert_string_equal(rs_config_str("http_bind"), "127.0.0.1");
	assert_false(rs_config_bool("secure_cookies"));
	assert_false(rs_config_is_set("secure_cookies"));
	/* given, even with the default's value: rissd tells "secure_cookies = false" from unset */
	assert_int_equal(rs_config_set("secure_cookies", "false", "--set"), 0);
	assert_true(rs_config_is_set("secure_cookies"));
	rs_config_reset();
	assert_false(rs_config_is_set("secure_cookies"));
}

static void test_file_and_env_order(void **state)
{
	(void)state;
	char *path = write_tmp("# comment\nhttp_port = 9001\n\nstatic_dir = \"/srv/x\"  # trailing\n");
	unsetenv("RISS_HTTP_PORT"); /* deploy/dev's own port setting must not stand in for the file */
	setenv("RISS_HTTP_THREADS", "7", 1);
	assert_int_equal(rs_config_init(path), 0);
	assert_int_equal(rs_config_int("http_port"), 9001);
	assert_string_equal(rs_config_str("static_dir"), "/srv/x");
	assert_int_equal(rs_config_int("http_threads"), 7);
	/* The environment wins over the file. */
	setenv("RISS_HTTP_PORT", "9002", 1);
	assert_int_equal(rs_config_init(path), 0);
	assert_int_equal(rs_config_int("http_port"), 9002);
	unsetenv("RISS_HTTP_PORT");
	unsetenv("RISS_HTTP_THREADS");
	unlink(path);
}

static void test_bad_values(void **state)
{
	(void)state;
	rs_config_reset();
	assert_int_equal(rs_config_set("http_port", "70000", "--set"), RS_EINVAL);
	assert_non_null(strstr(rs_error_last(), "outside 0..65535"));
	assert_int_equal(rs_config_int("http_port"), 8080); /* unchanged */
	assert_int_equal(rs_config_set("http_port", "80x", "--set"), RS_EINVAL);
	assert_non_null(strstr(rs_error_last(), "whole number"));
	assert_int_equal(rs_config_set("secure_cookies", "maybe", "--set"), RS_EINVAL);
	assert_int_equal(rs_config_set("no_such_setting", "1", "--set"), RS_EINVAL);
	assert_non_null(strstr(rs_error_last(), "unknown setting 'no_such_setting'"));
}

static void test_bad_file_names_line(void **state)
{
	(void)state;
	char *path = write_tmp("http_port = 8081\nthis line has no equals sign\n");
	assert_int_equal(rs_config_init(path), RS_EINVAL);
	char want[128];
	snprintf(want, sizeof want, "%s:2", path);
	assert_non_null(strstr(rs_error_last(), want));
	unlink(path);
	assert_int_equal(rs_config_init("/nonexistent/riss.conf"), RS_EIO);
}

static void test_print_hides_secrets(void **state)
{
	(void)state;
	rs_config_reset();
	assert_int_equal(rs_config_set("db_url", "host=x password=hunter2", "test"), 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	rs_config_print(f);
	fclose(f);
	assert_null(strstr(buf, "hunter2"));
	assert_non_null(strstr(buf, "http_port = 8080"));
	assert_non_null(strstr(buf, "# TCP port rissd listens on"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_file_and_env_order),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_file_names_line),
		cmocka_unit_test(test_print_hides_secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
