/* Unit tests of the xAPI statement validator, timestamps and the multipart/mixed reader. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "cpd_xapi.h"
#include "rs_error.h"

#include <stdio.h>
#include <string.h>

#define BASE "\"actor\":{\"mbox\":\"mailto:a@example.com\"},\"verb\":{\"id\":\"http://adlnet.gov/expapi/verbs/completed\"}"

/* The catalogue id of the refusal of text, or "" when accepted. */
static const char *cpd_t_check(const char *text)
{
	static char id[64];
	json_t *s = json_loads(text, 0, NULL);
	assert_non_null(s);
	rs_error_clear();
	int rc = cpd_xapi_validate(s);
	json_decref(s);
	snprintf(id, sizeof id, "%s", rc == 0 ? "" : rs_error_last_id() ? rs_error_last_id() : "?");
	return id;
}

static void test_valid_statements(void **state)
{
	(void)state;
	assert_string_equal(cpd_t_check("{" BASE ",\"object\":{\"id\":\"http://example.com/a\"}}"), "");
	assert_string_equal(cpd_t_check("{" BASE ",\"object\":{\"objectType\":\"SubStatement\"," BASE
	                                ",\"object\":{\"objectType\":\"Agent\",\"openid\":\"http://o.example.com/x\"}},"
	                                "\"result\":{\"score\":{\"scaled\":-1,\"raw\":0,\"min\":0,\"max\":10},"
	                                "\"duration\":\"PT4H35M59.14S\"},\"timestamp\":\"2026-12-02T10:00:00.123+09:00\"}"),
	                    "");
	assert_string_equal(cpd_t_check("{" BASE ",\"object\":{\"id\":\"http://e.com/a\"},\"context\":{\"registration\":"
	                                "\"ec531277-b57b-4c15-8d91-d292c5b2b8f7\",\"contextActivities\":{\"parent\":"
	                                "{\"id\":\"http://e.com/p\"}},\"language\":\"ja-JP\"}}"),
	                    "");
}

static void test_refusals_name_the_rule(void **state)
{
	(void)state;
	/* two identifiers, none, an unknown property, a bad IRI, a bad language tag */
	assert_string_equal(cpd_t_check("{\"actor\":{\"mbox\":\"mailto:a@e.com\",\"openid\":\"http://x.com/\"},"
	                                "\"verb\":{\"id\":\"http://v.com/v\"},\"object\":{\"id\":\"http://e.com/a\"}}"),
	                    "xapi.bad.ifi");
	assert_string_equal(cpd_t_check("{\"actor\":{\"name\":\"x\"},\"verb\":{\"id\":\"http://v.com/v\"},"
	                                "\"object\":{\"id\":\"http://e.com/a\"}}"),
	                    "xapi.bad.ifi");
	assert_string_equal(cpd_t_check("{" BASE ",\"object\":{\"id\":\"http://e.com/a\"},\"Result\":{}}"), "xapi.bad.unknown");
	assert_string_equal(cpd_t_check("{" BASE ",\"object\":{\"id\":\"ab=c://should.fail.com\"}}"), "xapi.bad.iri");
	assert_string_equal(cpd_t_check("{\"actor\":{\"mbox\":\"mailto:a@e.com\"},\"verb\":{\"id\":\"http://v.com/v\","
	                                "\"display\":{\"a12345678\":\"x\"}},\"object\":{\"id\":\"http://e.com/a\"}}"),
	                    "xapi.bad.lang_map");
	/* score out of range, -00:00 offset, weeks with days, nested SubStatement, voiding an Activity */
	assert_string_equal(cpd_t_check("{" BASE ",\"object\":{\"id\":\"http://e.com/a\"},\"result\":{\"score\":"
	                                "{\"scaled\":1.5}}}"),
	                    "xapi.bad.range");
	assert_string_equal(cpd_t_check("{" BASE ",\"object\":{\"id\":\"http://e.com/a\"},\"timestamp\":"
	                                "\"2026-01-01T00:00:00-00:00\"}"),
	                    "xapi.bad.time");
	assert_string_equal(cpd_t_check("{" BASE ",\"object\":{\"id\":\"http://e.com/a\"},\"result\":{\"duration\":"
	                                "\"P4W1D\"}}"),
	                    "xapi.bad.duration");
	assert_string_equal(cpd_t_check("{" BASE ",\"object\":{\"objectType\":\"SubStatement\"," BASE ",\"object\":"
	                                "{\"objectType\":\"SubStatement\"," BASE ",\"object\":{\"id\":\"http://e.com/a\"}}}}"),
	                    "xapi.bad.nested");
	assert_string_equal(cpd_t_check("{\"actor\":{\"mbox\":\"mailto:a@e.com\"},\"verb\":{\"id\":"
	                                "\"http://adlnet.gov/expapi/verbs/voided\"},\"object\":{\"id\":\"http://e.com/a\"}}"),
	                    "xapi.bad.voiding");
	/* an authority Group is anonymous with exactly two members */
	assert_string_equal(cpd_t_check("{" BASE ",\"object\":{\"id\":\"http://e.com/a\"},\"authority\":{\"objectType\":"
	                                "\"Group\",\"member\":[{\"mbox\":\"mailto:a@e.com\"}]}}"),
	                    "xapi.bad.authority");
}

static void test_timestamps(void **state)
{
	(void)state;
	int64_t a, b;
	assert_int_equal(cpd_xapi_time_parse(&a, "2026-12-02T09:00:00+09:00"), 0);
	assert_int_equal(cpd_xapi_time_parse(&b, "2026-12-02T00:00:00Z"), 0);
	assert_true(a == b);
	assert_int_equal(cpd_xapi_time_parse(&a, "2026-02-29T00:00:00Z"), RS_EINVAL);
	assert_int_equal(cpd_xapi_time_parse(&a, "2024-02-29T00:00:00.5Z"), 0);
	assert_int_equal(cpd_xapi_time_parse(&b, "2024-02-29T00:00:00Z"), 0);
	assert_true(a - b == 500000);
	assert_int_equal(cpd_xapi_time_parse(&a, "2026-01-01T00:00:00-0000"), RS_EINVAL);
}

static void test_multipart(void **state)
{
	(void)state;
	const char body[] = "--b\r\nContent-Type: application/json\r\n\r\n[1]\r\n--b\r\nContent-Type: text/plain\r\n"
	                    "X-Experience-API-Hash: ab\r\n\r\nhello\r\n--b--\r\n";
	struct cpd_xapi_part p[4];
	size_t n = 0;
	assert_int_equal(cpd_xapi_multipart(p, 4, &n, "multipart/mixed; boundary=b", body, sizeof body - 1), 0);
	assert_int_equal(n, 2);
	assert_int_equal(p[0].len, 3);
	assert_memory_equal(p[0].data, "[1]", 3);
	assert_int_equal(p[1].len, 5);
	assert_memory_equal(p[1].hash, "ab", 2);
	/* no closing delimiter; too many parts */
	assert_int_equal(cpd_xapi_multipart(p, 4, &n, "multipart/mixed; boundary=b", body, 60), RS_EINVAL);
	assert_int_equal(cpd_xapi_multipart(p, 1, &n, "multipart/mixed; boundary=b", body, sizeof body - 1), RS_EINVAL);
	assert_int_equal(cpd_xapi_multipart(p, 4, &n, "multipart/mixed", body, sizeof body - 1), RS_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_statements),
		cmocka_unit_test(test_refusals_name_the_rule),
		cmocka_unit_test(test_timestamps),
		cmocka_unit_test(test_multipart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
