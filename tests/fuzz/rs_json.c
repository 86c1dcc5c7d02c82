/* Fuzz target: bounded JSON parsing and the typed field spec (common/json.c), as every
 * JSON request body goes through them. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rs_encode.h"
#include "rs_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = NULL;
	if (rs_json_parse(&v, (const char *)data, size, 65536) == 0) {
		const char *s = NULL;
		long long i = 0;
		double d = 0;
		int b = 0;
		json_t *o = NULL, *a = NULL;
		struct rs_json_field spec[] = {
			{ .name = "token", .kind = RS_JSON_STRING, .out = &s, .optional = 1, .max = 4096 },
			{ .name = "n", .kind = RS_JSON_INT, .out = &i, .optional = 1, .min = -5, .max = 5 },
			{ .name = "x", .kind = RS_JSON_NUMBER, .out = &d, .optional = 1 },
			{ .name = "b", .kind = RS_JSON_BOOL, .out = &b, .optional = 1 },
			{ .name = "o", .kind = RS_JSON_OBJECT, .out = &o, .optional = 1 },
			{ .name = "a", .kind = RS_JSON_ARRAY, .out = &a, .optional = 1 },
		};
		(void)rs_json_fields(v, spec, sizeof spec / sizeof spec[0]);
		json_decref(v);
	}
	/* The same bytes as base64url text. */
	unsigned char out[4096];
	size_t n = 0;
	(void)rs_b64url_decode(out, sizeof out, &n, (const char *)data, size);
	return 0;
}
