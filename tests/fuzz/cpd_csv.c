/* Fuzz target: the completion CSV reader (cpd_batch_from_csv). Any input is either refused
 * as a whole with a message, or read into records where every record is either clean (all
 * fields well formed) or has at least one problem naming its line and field. */
#include "cpd.h"
#include "rs_error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cpd_batch b;
	if (cpd_batch_from_csv(&b, (const char *)data, size) != 0) {
		if (!rs_error_last()[0])
			abort(); /* refused without a reason */
		return 0;
	}
	if (b.n == 0 || b.n > CPD_CSV_ROWS_MAX)
		abort();
	for (size_t i = 0; i < b.nprob; i++)
		if (b.prob[i].index >= b.n || !b.bad[b.prob[i].index] || !b.prob[i].field || !b.prob[i].msg ||
		    b.prob[i].line < 2 || (i > 0 && b.prob[i].index < b.prob[i - 1].index))
			abort();
	for (size_t i = 0; i < b.n; i++) {
		const struct cpd_record *r = &b.rec[i];
		if (b.bad[i])
			continue;
		if (strlen(r->regno) != 6 || !r->provider_record_id[0] || !r->course_code[0] || r->hours10 < 1 ||
		    r->hours10 > 1000 || !cpd_date_valid(r->completed_on))
			abort(); /* a clean record with a hole in it */
	}
	cpd_batch_free(&b);
	return 0;
}
