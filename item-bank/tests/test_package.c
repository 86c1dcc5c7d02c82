/* Unit tests of the exam package reader: a package is served only when its bytes match the
 * recorded SHA-256 and the engine accepts what it holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ib_package.h"
#include "rs_error.h"
#include "rs_util.h"

static char *read_corpus(const char *name, size_t *len)
{
	char path[4096], *text = NULL;
	snprintf(path, sizeof path, "%s/tests/fuzz/corpus/ib_package/%s", RS_SOURCE_ROOT, name);
	assert_int_equal(rs_read_file(&text, len, path, 1u << 24), 0);
	return text;
}

static void verified_or_refused(void **state)
{
	(void)state;
	size_t len = 0;
	char *doc = read_corpus("short-exam.json", &len), hex[65];
	ib_package_sha256_hex(hex, doc, len);
	struct ib_package *p = NULL;
	assert_int_equal(ib_package_parse(&p, doc, len, hex), 0);
	assert_int_equal(p->n, 15);
	assert_string_equal(p->exam, "SG");
	assert_string_equal(p->sha256, hex);
	assert_non_null(p->eng);
	assert_int_equal(p->keys[0], 1);
	assert_string_equal(json_string_value(json_object_get(p->views[0], "item_id")), "F-001");
	ib_package_free(p);
	/* one byte changed, or a prefix of it: never accepted */
	doc[len / 2] ^= 1;
	p = NULL;
	assert_int_equal(ib_package_parse(&p, doc, len, hex), RS_ECRYPTO);
	assert_null(p);
	doc[len / 2] ^= 1;
	assert_int_equal(ib_package_parse(&p, doc, len - 10, hex), RS_ECRYPTO);
	assert_string_equal(rs_error_last_id(), "packages.corrupt");
	free(doc);
	/* a matching hash does not make a bad package good */
	doc = read_corpus("keys-short.json", &len);
	ib_package_sha256_hex(hex, doc, len);
	assert_int_equal(ib_package_parse(&p, doc, len, hex), RS_EINVAL);
	free(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(verified_or_refused) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
