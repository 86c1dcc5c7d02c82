/* Fuzz target: the item-bank wide TSV response reader (also with option letters and a kept column). */
#include "ib_data.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keep[] = { "group" };
	struct ib_read_opts plain = { .max_bytes = 1 << 22 };
	struct ib_read_opts rich = { .keep_cols = keep, .n_keep_cols = 1, .allow_options = 1,
	                             .max_bytes = 1 << 22 };
	struct ib_data *d = NULL;
	if (ib_data_read_wide(&d, (const char *)data, size, &plain) == 0) {
		double n[8], r[8];
		if (d->n_items <= 8)
			ib_data_item_counts(d, n, r);
		ib_data_free(d);
	}
	d = NULL;
	if (ib_data_read_wide(&d, (const char *)data, size, &rich) == 0)
		ib_data_free(d);
	return 0;
}
