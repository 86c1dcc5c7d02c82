/* Fuzz target: the exam-definition parser (cat_exam_parse); an accepted definition is
 * bound to a fixed bank and one candidate is run through it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cat.h"
#include "../../exam-engine/tests/cat_test_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct cat_bank *cat_fz_bank;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!cat_fz_bank)
		cat_fz_bank = ctu_bank(1500, 9, 0.08, 0.1);
	struct cat_exam *e = NULL;
	if (cat_exam_parse(&e, (const char *)data, size) != 0) {
		if (cat_error_last()[0] == 0)
			abort();
		return 0;
	}
	struct cat_engine *g = NULL;
	if (cat_engine_new(&g, e, cat_fz_bank) == 0) {
		struct cat_session *s;
		if (cat_session_new(&s, g, size) == 0) {
			size_t it, n = 0;
			while (!cat_session_done(s) && cat_session_next(s, &it) == 0 && n < 1000)
				{
				cat_session_answer(s, it, (int)(n & 1), (uint32_t)(n * 30));
				n++;
			}
			struct cat_result r;
			cat_session_result(s, &r);
			if (r.scaled < e->scale_min || r.scaled > e->scale_max)
				abort();
			cat_session_free(s);
		}
		cat_engine_free(g);
	}
	cat_exam_free(e);
	return 0;
}
