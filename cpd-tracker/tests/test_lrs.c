/* Unit tests of the LRS frame's pure parts (cpd-tracker/cpd_lrs.c): agent identifiers, IRIs,
 * UUIDs, timestamps, the document merge, the Person object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cpd_lrs.h"
#include "cpd_xapi.h"

static json_t *test_json(const char *s)
{
	json_error_t e;
	json_t *v = json_loads(s, 0, &e);
	assert_non_null(v);
	return v;
}

static int test_key(char *out, const char *agent)
{
	json_t *a = test_json(agent);
	int rc = cpd_lrs_agent_key(out, a);
	json_decref(a);
	return rc;
}

static void test_agent_key(void **state)
{
	(void)state;
	char k[CPD_LRS_AGENT_KEY_MAX + 1];
	assert_int_equal(test_key(k, "{\"mbox\": \"mailto:a@example.com\", \"name\": \"A\"}"), 0);
	assert_string_equal(k, "mbox:mailto:a@example.com");
	assert_int_equal(test_key(k, "{\"objectType\": \"Agent\", \"account\": {\"homePage\": \"http://x.org\", "
	                             "\"name\": \"123456\"}}"), 0);
	assert_string_equal(k, "account:http://x.org 123456");
	/* Two identifiers, none, an mbox without mailto:, a short sha1, a wrong objectType. */
	assert_int_not_equal(test_key(k, "{\"mbox\": \"mailto:a@b.c\", \"openid\": \"http://o.org/a\"}"), 0);
	assert_int_not_equal(test_key(k, "{\"name\": \"nobody\"}"), 0);
	assert_int_not_equal(test_key(k, "{\"mbox\": \"a@b.c\"}"), 0);
	assert_int_not_equal(test_key(k, "{\"mbox_sha1sum\": \"abc\"}"), 0);
	assert_int_not_equal(test_key(k, "{\"objectType\": \"Activity\", \"mbox\": \"mailto:a@b.c\"}"), 0);
	assert_int_not_equal(test_key(k, "{\"account\": {\"homePage\": \"not an iri\", \"name\": \"x\"}}"), 0);
}

static void test_iri_uuid(void **state)
{
	(void)state;
	assert_true(cpd_lrs_iri_ok("http://example.com/a?b=c"));
	assert_true(cpd_lrs_iri_ok("urn:uuid:1234"));
	assert_false(cpd_lrs_iri_ok("example.com/a"));
	assert_false(cpd_lrs_iri_ok("http://exa mple.com"));
	assert_false(cpd_lrs_iri_ok(""));
	assert_true(cpd_xapi_is_uuid("9e1a3d6e-0e4c-4b39-9c3b-2c2f1c9a0a11"));
	assert_false(cpd_xapi_is_uuid("9e1a3d6e0e4c4b399c3b2c2f1c9a0a11"));
	assert_false(cpd_xapi_is_uuid("9e1a3d6e-0e4c-4b39-9c3b-2c2f1c9a0a1g"));
}

static void test_time(void **state)
{
	(void)state;
	int64_t a = 0, b = 0;
	assert_int_equal(cpd_lrs_time_parse(&a, "2026-12-02T03:04:05.678Z"), 0);
	assert_int_equal(cpd_lrs_time_parse(&b, "2026-12-02T12:04:05.678+09:00"), 0);
	assert_true(a == b);
	assert_int_equal(a % 1000000, 678000);
	assert_int_equal(cpd_lrs_time_parse(&b, "2026-12-02T03:04:05Z"), 0);
	assert_true(a - b == 678000);
	assert_int_not_equal(cpd_lrs_time_parse(&b, "2026-12-02"), 0);
	assert_int_not_equal(cpd_lrs_time_parse(&b, "2026-13-02T03:04:05Z"), 0);
	assert_int_not_equal(cpd_lrs_time_parse(&b, "2026-12-02T03:04:05-00:00"), 0);
	assert_int_not_equal(cpd_lrs_time_parse(&b, "yesterday"), 0);
}

static void test_merge(void **state)
{
	(void)state;
	char *out = NULL;
	size_t n = 0;
	const char *old = "{\"a\": 1, \"b\": {\"c\": 2}}", *add = "{\"b\": {\"d\": 3}, \"e\": true}";
	assert_int_equal(cpd_lrs_merge(&out, &n, old, strlen(old), add, strlen(add), 1024), 0);
	json_t *m = test_json(out), *want = test_json("{\"a\": 1, \"b\": {\"d\": 3}, \"e\": true}");
	assert_true(json_equal(m, want)); /* one level deep: b is replaced whole */
	json_decref(m);
	json_decref(want);
	free(out);
	assert_int_not_equal(cpd_lrs_merge(&out, &n, "[1]", 3, add, strlen(add), 1024), 0);
	assert_int_not_equal(cpd_lrs_merge(&out, &n, old, strlen(old), "text", 4, 1024), 0);
	char etag[41];
	cpd_lrs_etag(etag, "abc", 3);
	assert_string_equal(etag, "a9993e364706816aba3e25717850c26c9cd0d89d");
}

static void test_person(void **state)
{
	(void)state;
	json_t *a = test_json("{\"objectType\": \"Agent\", \"name\": \"A\", \"mbox\": \"mailto:a@example.com\"}");
	json_t *p = NULL;
	assert_int_equal(cpd_lrs_person(&p, a), 0);
	json_t *want = test_json("{\"objectType\": \"Person\", \"name\": [\"A\"], \"mbox\": [\"mailto:a@example.com\"]}");
	assert_true(json_equal(p, want));
	json_decref(a);
	json_decref(p);
	json_decref(want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent_key), cmocka_unit_test(test_iri_uuid), cmocka_unit_test(test_time),
		cmocka_unit_test(test_merge), cmocka_unit_test(test_person),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
