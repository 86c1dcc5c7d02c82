/* Fuzz target: the session state decoder (cat_session_decode). Input: one mode byte, then
 * the state. An odd mode byte re-seals the state with a correct CRC-32 so the fuzzer gets
 * past the checksum into the field parsing and replay. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "../../exam-engine/tests/cat_test_util.h"
#include "cat_fuzz_exam.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cat_engine *cat_fz_eng;

static uint32_t cat_fz_crc(const unsigned char *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
	}
	return ~c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cat_fz_eng) {
		struct cat_exam *e = NULL;
		cat_exam_parse(&e, cat_fuzz_exam_json, sizeof cat_fuzz_exam_json - 1);
		struct cat_bank *b = ctu_bank(1200, 7, 0.08, 0.1);
		if (!e || cat_engine_new(&cat_fz_eng, e, b) != 0)
			abort();
	}
	if (size < 1 || size > CAT_STATE_MAX_BYTES + 1)
		return 0;
	unsigned char *buf = malloc(size + 4);
	size_t len = size - 1;
	memcpy(buf, data + 1, len);
	if ((data[0] & 1) && len >= 4) {
		uint32_t c = cat_fz_crc(buf, len - 4);
		for (int i = 0; i < 4; i++) buf[len - 4 + (size_t)i] = (unsigned char)(c >> (8 * i));
	}
	struct cat_session *s = NULL;
	if (cat_session_decode(&s, cat_fz_eng, buf, len) == 0) {
		/* a decoded state must behave: encode again to the same bytes, take a step */
		unsigned char out[CAT_STATE_MAX_BYTES];
		size_t ol;
		if (cat_session_encode(s, out, sizeof out, &ol) != 0 || ol != len || memcmp(out, buf, len) != 0)
			abort();
		size_t it;
		if (!cat_session_done(s) && cat_session_next(s, &it) == 0)
			cat_session_answer(s, it, 1, 0xFFFFFFFFu);
		struct cat_result r;
		cat_session_result(s, &r);
		cat_session_free(s);
	} else if (cat_error_last()[0] == 0) {
		abort(); /* every refusal says why */
	}
	free(buf);
	return 0;
}
