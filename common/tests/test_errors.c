/* Unit tests of error propagation, base64url and the JSON field spec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "rs_encode.h"
#include "rs_error.h"
#include "rs_json.h"

/* A lower layer fails and records why; the layer above passes the code up unchanged. */
static int lower(int x)
{
	if (x < 0) {
		rs_error_set("value %d is negative", x);
		return RS_ERANGE;
	}
	return 0;
}

static int upper(int x)
{
	int rc = lower(x);
	if (rc != 0)
		return rc;
	return 0;
}

static void test_propagation(void **state)
{
	(void)state;
	rs_error_clear();
	assert_int_equal(upper(1), 0);
	assert_string_equal(rs_error_last(), "");
	assert_int_equal(upper(-3), RS_ERANGE);
	assert_string_equal(rs_error_last(), "value -3 is negative");
	assert_string_equal(rs_strerror(RS_ERANGE), "out of range");
}

static void test_b64url(void **state)
{
	(void)state;
	/* RFC 4648 test vectors, without padding, in the URL alphabet. */
	const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff" };
	const char *out[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy", "-_8" };
	for (int i = 0; i < 8; i++) {
		char enc[32];
		rs_b64url_encode(enc, (const unsigned char *)in[i], strlen(in[i]));
		assert_string_equal(enc, out[i]);
		unsigned char dec[32];
		size_t n = 0;
		assert_int_equal(rs_b64url_decode(dec, sizeof dec, &n, enc, strlen(enc)), 0);
		assert_int_equal(n, strlen(in[i]));
		assert_memory_equal(dec, in[i], n);
	}
	unsigned char dec[4];
	size_t n;
	assert_int_equal(rs_b64url_decode(dec, sizeof dec, &n, "Zm9v+w", 6), RS_EPARSE);
	assert_int_equal(rs_b64url_decode(dec, sizeof dec, &n, "Z", 1), RS_EPARSE);
	assert_int_equal(rs_b64url_decode(dec, sizeof dec, &n, "Zh", 2), RS_EPARSE); /* non-canonical */
	assert_int_equal(rs_b64url_decode(dec, 2, &n, "Zm9v", 4), RS_ETOOBIG);
}

static void test_json_fields(void **state)
{
	(void)state;
	json_t *obj = NULL;
	const char *text = "{\"name\":\"山田\",\"age\":41,\"score\":0.5}";
	assert_int_equal(rs_json_parse(&obj, text, strlen(text), 1024), 0);
	const char *name = NULL;
	long long age = 0;
	double score = 0;
	struct rs_json_field spec[] = {
		{ .name = "name", .kind = RS_JSON_STRING, .out = &name, .min = 1, .max = 64 },
		{ .name = "age", .kind = RS_JSON_INT, .out = &age, .min = 0, .max = 150 },
		{ .name = "score", .kind = RS_JSON_NUMBER, .out = &score },
	};
	assert_int_equal(rs_json_fields(obj, spec, 3), 0);
	assert_string_equal(name, "山田");
	assert_int_equal(age, 41);
	json_decref(obj);

	text = "{\"name\":\"x\",\"age\":\"41\"}";
	assert_int_equal(rs_json_parse(&obj, text, strlen(text), 1024), 0);
	assert_int_equal(rs_json_fields(obj, spec, 3), RS_EINVAL);
	assert_string_equal(rs_error_last(), "Field 'age': expected an integer.");
	assert_string_equal(rs_error_last_id(), "json.field_want_integer");
	json_decref(obj);

	assert_int_equal(rs_json_parse(&obj, "{\"a\":", 5, 1024), RS_EPARSE);
	assert_non_null(strstr(rs_error_last(), "line 1"));
	assert_int_equal(rs_json_parse(&obj, "{}", 2, 1), RS_ETOOBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_propagation),
		cmocka_unit_test(test_b64url),
		cmocka_unit_test(test_json_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
