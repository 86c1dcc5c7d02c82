/* Fuzz target: the item-bank params JSON reader (riss calibrate --fixed, analyze --params). */
#include "ib_params.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ib_params *p = NULL;
	if (ib_params_parse(&p, (const char *)data, size) == 0) {
		(void)ib_params_find(p, "x");
		ib_params_free(p);
	}
	return 0;
}
