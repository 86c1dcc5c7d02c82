/* Unit tests of the new-password rule (ASVS 2.1.7): common, breached and dressed-up
 * dictionary words, runs and personal words are refused; phrases and random strings pass. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "rs_error.h"
#include "rs_password.h"

static const char *const me[] = { "tanaka.hiroshi", "Tanaka Hiroshi", "123456", NULL };

static void test_refused(void **state)
{
	(void)state;
	static const char *const weak[] = {
		"password1234", "P@ssw0rd2026!", "Password123456", "1234567890123", "qwertyuiop12", "aaaaaaaaaaaa",
		"!!!iloveyou!!!", "Dragon2026!!", "abcdefghijklm", "111111222222", "letmein12345", "Monkey!2026!!",
	};
	for (size_t i = 0; i < sizeof weak / sizeof weak[0]; i++) {
		int rc = rs_password_acceptable(weak[i], NULL);
		if (rc != RS_EINVAL)
			fail_msg("\"%s\" was accepted", weak[i]);
	}
	assert_int_equal(rs_password_acceptable("short", NULL), RS_EINVAL);
	assert_int_equal(rs_password_acceptable("my name is hiroshi, ok?", me), RS_EINVAL);
	assert_int_equal(rs_password_acceptable("number 123456 is mine", me), RS_EINVAL);
}

static void test_accepted(void **state)
{
	(void)state;
	static const char *const fine[] = {
		"correct horse battery", "riss-e2e-password-1", "Xy7!kq#9Lm2$", "38!29@k#40$1",
		"tsukimi dango on the roof", "kumo-no-ue-de-neru",
	};
	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
		int rc = rs_password_acceptable(fine[i], me);
		if (rc != 0)
			fail_msg("\"%s\" was refused: %s", fine[i], rs_error_last());
	}
}

/* Lengths are characters, not bytes (ASVS 2.1.1, 2.1.2): four kanji are 12 bytes but too
 * short; 128 characters of three bytes each pass; 129 characters are too long. */
static void test_length_in_characters(void **state)
{
	(void)state;
	assert_int_equal(rs_password_chars("暗号化鍵"), 4);
	assert_int_equal(rs_password_acceptable("暗号化鍵", NULL), RS_EINVAL);
	assert_non_null(strstr(rs_error_last(), "12"));
	char hash[RS_PASSWORD_HASH_MAX];
	assert_int_equal(rs_password_hash(hash, "暗号化鍵"), RS_EINVAL);

	/* 12 characters of mixed scripts: long enough. */
	assert_int_equal(rs_password_chars("月見団子を屋根の上で食べる"), 13);
	assert_int_equal(rs_password_acceptable("月見団子を屋根の上で食べる", me), 0);

	char longest[RS_PASSWORD_BYTES_MAX + 8] = "";
	static const char *const kana[] = { "あ", "い", "う", "え", "お", "か", "き", "く" };
	for (int i = 0; i < RS_PASSWORD_MAX; i++)
		strcat(longest, kana[(i * 5 + i / 8) % 8]);
	assert_int_equal(rs_password_chars(longest), RS_PASSWORD_MAX);
	assert_int_equal(strlen(longest), 3 * RS_PASSWORD_MAX);
	assert_int_equal(rs_password_hash(hash, longest), 0);
	assert_int_equal(rs_password_verify(hash, longest), 0);
	strcat(longest, "け");
	assert_int_equal(rs_password_acceptable(longest, NULL), RS_EINVAL);
	assert_int_equal(rs_password_hash(hash, longest), RS_EINVAL);

	char ascii[RS_PASSWORD_MAX + 2];
	for (int i = 0; i <= RS_PASSWORD_MAX; i++)
		ascii[i] = "qzjxvkwy"[(i * 3 + i / 8) % 8];
	ascii[RS_PASSWORD_MAX + 1] = '\0';
	assert_int_equal(rs_password_acceptable(ascii, NULL), RS_EINVAL); /* 129 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_length_in_characters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
