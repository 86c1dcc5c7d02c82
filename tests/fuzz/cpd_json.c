/* Fuzz target: the completion JSON reader (bounded parse, then cpd_batch_from_json). Every
 * record is clean or has a problem naming its field; the envelope is refused with a reason. */
#include "cpd.h"
#include "rs_error.h"
#include "rs_json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *v = NULL;
	if (rs_json_parse(&v, (const char *)data, size, 1 << 20) != 0)
		return 0;
	struct cpd_batch b;
	if (cpd_batch_from_json(&b, v) != 0) {
		if (!rs_error_last()[0])
			abort();
		json_decref(v);
		return 0;
	}
	if (b.n == 0 || b.n > CPD_BATCH_MAX)
		abort();
	for (size_t i = 0; i < b.nprob; i++)
		if (b.prob[i].index >= b.n || !b.bad[b.prob[i].index] || !b.prob[i].field || b.prob[i].line != 0)
			abort();
	for (size_t i = 0; i < b.n; i++) {
		const struct cpd_record *r = &b.rec[i];
		if (!b.bad[i] && (strlen(r->regno) != 6 || !r->provider_record_id[0] || !r->course_code[0] ||
		                  r->hours10 < 1 || r->hours10 > 1000 || !cpd_date_valid(r->completed_on)))
			abort();
	}
	cpd_batch_free(&b);
	json_decref(v);
	return 0;
}
